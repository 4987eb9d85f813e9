"""The chat widget (bot/widget/) in a real headless Chromium, on the demo clinic page, talking to a
real `rasa run` with the trained model. One assistant and one browser for the module; each test
opens its own browser context (a new visitor: empty localStorage)."""

import os
import random
import string
from pathlib import Path

import pytest

from bot.database import DATABASE_URL_VARIABLE, engine_for
from bot.handoff import store
from bot.launch import start_demo_site, stop
from bot.launch import wait_for_url
from tests.assistant import free_port, running_assistant
from tests.responses import text
from tests.tcp_switch import TcpSwitch

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CLINIC_PHONE = "+1 555 010 0199"  # test data, not the clinic's number
ATTACK = '<img src=x onerror="window.hacked=1"><script>window.hacked=2</script><b>bold?</b>'


@pytest.fixture(scope="module")
def site(trained_model, tmp_path_factory):
    """(demo page URL, running assistant)."""
    if not Path(CHROMIUM).exists():
        reason = (f"no Chromium at {CHROMIUM}: install Debian's chromium (or set CHROMIUM) to run "
                  "the chat widget's browser tests")
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    demo_port = free_port()
    environ = {"DEMO_PORT": str(demo_port), "CLINIC_PHONE": CLINIC_PHONE}
    assistant = running_assistant(trained_model, tmp_path_factory.mktemp("widget"), environ)
    demo = start_demo_site(assistant.settings, {**environ, "PATH": os.environ["PATH"]})
    url = f"http://127.0.0.1:{demo_port}/"
    try:
        wait_for_url(url, timeout=30)
        yield url, assistant
    finally:
        stop([demo])
        assistant.stop()


@pytest.fixture(scope="module")
def browser(site):
    with playwright_api.sync_playwright() as playwright:
        # Pages the tests make up (route.fulfill) have no address, so Chromium counts them as
        # public sites and would block their requests to this machine's assistant.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-features=LocalNetworkAccessChecks"])
        yield browser
        browser.close()


@pytest.fixture
def visit(site, browser):
    """Opens the demo page as a new visitor: visit(locale="es-ES", width=360) -> page."""
    url, _ = site
    contexts = []

    def visiting(locale="en-US", width=1280, height=800):
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield visiting
    for context in contexts:
        context.close()


def open_chat(page, launcher="Questions? Chat with us"):
    page.get_by_role("button", name=launcher).click()
    return page


def assistant_says(page, expected, timeout=30_000):
    expect(page.locator(".message.assistant .text").filter(has_text=expected[:40]).last
           ).to_have_text(expected, timeout=timeout)


def ask(page, message):
    box = page.locator("textarea")
    box.fill(message)
    box.press("Enter")


def test_a_spanish_question_gets_a_spanish_answer(visit, responses):
    page = open_chat(visit())
    assistant_says(page, text(responses, "utter_greet", "en"))
    ask(page, "¿Cuánto cuesta el tratamiento?")
    expect(page.locator(".message.patient .text").last).to_have_text("¿Cuánto cuesta el tratamiento?")
    assistant_says(page, text(responses, "utter_faq/cost", "es"))
    # The widget's own labels follow the conversation's language.
    expect(page.get_by_role("button", name="Enviar")).to_be_visible()


def test_the_greeting_follows_the_browser_language(visit, responses):
    page = open_chat(visit(locale="es-MX"), launcher="¿Preguntas? Escríbanos")
    assistant_says(page, text(responses, "utter_greet", "es"))
    assistant_says(page, text(responses, "utter_disclaimer", "es"))


def test_a_quick_reply_asks_its_question(visit, responses):
    page = open_chat(visit())
    page.locator(".suggestions").get_by_role("button", name="Cost").click()
    expect(page.locator(".message.patient .text").last).to_have_text("Cost")
    assistant_says(page, text(responses, "utter_faq/cost", "en"))
    expect(page.locator("textarea")).to_be_focused()


def test_a_reload_keeps_the_conversation(visit, responses):
    page = open_chat(visit())
    ask(page, "Who is the doctor?")
    assistant_says(page, text(responses, "utter_faq/provider", "en"))
    page.reload()
    assistant_says(page, text(responses, "utter_faq/provider", "en"))
    expect(page.locator(".message.patient .text")).to_have_text(["Who is the doctor?"])
    expect(page.locator(".message.assistant")).to_have_count(3)  # greeting, disclaimer, answer


def test_the_language_toggle_switches_the_conversation(visit, responses):
    page = open_chat(visit())
    assistant_says(page, text(responses, "utter_greet", "en"))
    page.get_by_role("button", name="Español").click()
    expect(page.get_by_role("button", name="Español")).to_have_attribute("aria-pressed", "true")
    assistant_says(page, text(responses, "utter_language_switched", "es"))
    ask(page, "FDA?")  # no language of its own: the conversation's language answers
    assistant_says(page, text(responses, "utter_faq/fda_status", "es"))


def test_a_booking_through_the_form_reaches_the_staff_inbox(visit, site, responses):
    _, assistant = site
    page = open_chat(visit())
    page.locator("button.staff").click()
    expect(page.locator(".message.patient .text").last).to_have_text(
        "I'd like to talk to the clinic's staff")
    assistant_says(page, text(responses, "utter_ask_patient_name", "en"))
    name = "Rosa " + "".join(random.choices(string.ascii_lowercase, k=8)).capitalize()
    for answer, next_question in [(name, "utter_ask_phone"), ("212 555 0187", "utter_ask_best_time"),
                                  ("weekday mornings", "utter_ask_reason")]:
        ask(page, answer)
        assistant_says(page, text(responses, next_question, "en"))
    page.locator(".suggestions").get_by_role("button", name="Skip").click()
    assistant_says(page, text(responses, "utter_ask_consent", "en"))
    page.locator(".suggestions").get_by_role("button", name="Yes").click()
    expect(page.locator(".message.assistant .text").last).to_contain_text(name)
    stored = [r for r in store.newest_first(engine_for(assistant.environ[DATABASE_URL_VARIABLE]))
              if r.name == name]
    assert [(r.phone, r.best_time, r.channel, r.status) for r in stored] == [
        ("+12125550187", "weekday mornings", "web", "new")]


def test_what_the_patient_types_is_shown_as_text_never_run(visit):
    page = open_chat(visit())
    expect(page.locator(".message.assistant")).to_have_count(2)  # greeting, disclaimer
    ask(page, ATTACK)
    bubble = page.locator(".message.patient .text").last
    expect(bubble).to_have_text(ATTACK)
    expect(page.locator(".message.assistant").nth(2)).to_be_visible()  # answered
    assert bubble.locator("img, script, b").count() == 0
    assert page.evaluate("window.hacked") is None
    page.reload()  # and the same from the history
    expect(page.locator(".message.patient .text").last).to_have_text(ATTACK)
    assert page.evaluate("window.hacked") is None


def test_long_messages_wrap_inside_the_panel_at_360_px(visit):
    page = open_chat(visit(width=360, height=740))
    panel = page.locator(".panel")
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    ask(page, "x" * 400 + " " + "palabra " * 60)
    bubble = page.locator(".message.patient").last
    expect(bubble).to_be_visible()
    assert bubble.bounding_box()["width"] <= box["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.locator("button.staff")).to_be_in_viewport()
    expect(page.locator("button.send")).to_be_in_viewport()


def test_usable_by_keyboard_alone(visit, responses):
    page = visit()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Questions? Chat with us")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Type your question")).to_be_focused()
    assistant_says(page, text(responses, "utter_greet", "en"))
    page.keyboard.type("What are the side effects?")
    page.keyboard.press("Enter")
    assistant_says(page, text(responses, "utter_faq/side_effects", "en"))
    page.keyboard.press("Shift+Tab")  # from the box back to the "Talk to staff" action
    expect(page.locator("button.staff")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".panel")).to_be_hidden()
    expect(page.get_by_role("button", name="Questions? Chat with us")).to_be_focused()


def test_accessible_structure(visit):
    page = open_chat(visit())
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("dialog", name="Clinic assistant")).to_be_visible()
    expect(page.get_by_role("group", name="Language")).to_be_visible()
    expect(page.get_by_role("button", name="Close chat")).to_be_visible()
    expect(page.get_by_role("textbox", name="Type your question")).to_be_visible()


# Each element's text colour against the first opaque background behind it.
CONTRAST = """root => {
  const rgb = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (; el; el = el.parentElement || el.getRootNode().host) {
      const c = getComputedStyle(el).backgroundColor; const a = rgb(c)[3];
      if (a === undefined || a > 0.99) return c; } return "rgb(255, 255, 255)"; };
  const shadow = document.querySelector(".clinic-chat-host").shadowRoot;
  return [".launcher", "h2", ".subtitle", ".languages button", ".close", ".message.assistant",
          ".message.patient", ".suggestions button", ".staff", ".send", "textarea", ".status p"]
    .flatMap(selector => [...shadow.querySelectorAll(selector)].map(el => {
      const [l1, l2] = [lum(getComputedStyle(el).color), lum(background(el))];
      return [selector, (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)]; }));
}"""


def test_text_meets_aa_contrast(visit, responses):
    page = open_chat(visit())
    ask(page, "How does ketamine work?")
    assistant_says(page, text(responses, "utter_faq/how_it_works", "en"))
    ratios = page.evaluate(CONTRAST)
    checked = {selector for selector, _ in ratios}
    assert {".launcher", ".message.assistant", ".message.patient", ".suggestions button"} <= checked
    assert [(s, round(r, 2)) for s, r in ratios if r < 4.5] == []


def test_unreachable_assistant_offers_the_phone_and_reconnects(browser, site, responses):
    url, assistant = site
    rasa = assistant.settings.rasa_port
    forwarder = TcpSwitch(rasa)  # refuses until open(): the assistant down, then back
    page_html = (f"<!doctype html><p>Clinic</p><script src='http://127.0.0.1:{rasa}/webhooks/web/"
                 f"widget.js' data-server='http://127.0.0.1:{forwarder.port}' "
                 f"data-clinic-phone='{CLINIC_PHONE}'></script>")
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.route(url + "down", lambda route: route.fulfill(body=page_html, content_type="text/html"))
    try:
        page.goto(url + "down")
        open_chat(page)
        status = page.get_by_role("alert")
        expect(status).to_contain_text("We can't reach the assistant right now")
        expect(status.get_by_role("link", name=CLINIC_PHONE)).to_have_attribute(
            "href", "tel:+15550100199")
        expect(page.get_by_role("button", name="Send")).to_be_disabled()
        page.locator("textarea").fill("typed while down")
        forwarder.open()  # the assistant is back: the widget reconnects by itself
        assistant_says(page, text(responses, "utter_greet", "en"))
        expect(status).to_be_hidden()
        expect(page.locator("textarea")).to_have_value("typed while down")
    finally:
        context.close()
        forwarder.close()


def test_one_script_tag_embeds_it_in_any_page(browser, site, responses):
    url, assistant = site
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    hostile = ("<!doctype html><style>button { display: none !important } * { color: red }</style>"
               f"<p>Another site</p><script src='http://127.0.0.1:{assistant.settings.rasa_port}"
               "/webhooks/web/widget.js'></script>")
    page.route(url + "embedded", lambda route: route.fulfill(body=hostile, content_type="text/html"))
    page.goto(url + "embedded")
    open_chat(page)
    assistant_says(page, text(responses, "utter_greet", "en"))
    context.close()
