"""Makes docs/widget-desktop.png and docs/widget-360px.png: the demo page with a real conversation.

Run `make screenshots` (it trains first if needed). It starts its own assistant as the tests do, on
free ports with throw-away databases, so nothing lands in var/, and drives Debian's Chromium
(CHROMIUM to override).
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.launch import start_demo_site, stop, wait_for_url  # noqa: E402 — after the path is set
from tests.assistant import free_port, running_assistant  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = [  # file, viewport, browser language, what the patient asks
    ("widget-desktop.png", {"width": 1280, "height": 800}, "es-ES", "¿Cuáles son los efectos secundarios?"),
    ("widget-360px.png", {"width": 360, "height": 740}, "en-US", "How long does an infusion take?"),
]


def main() -> int:
    from playwright.sync_api import expect, sync_playwright

    if not Path(CHROMIUM).exists():
        print(f"No Chromium at {CHROMIUM}: install Debian's chromium or set CHROMIUM.", file=sys.stderr)
        return 1
    os.chdir(ROOT)
    demo_port = str(free_port())
    assistant = running_assistant(ROOT / "models" / "assistant.tar.gz",
                                  Path(tempfile.mkdtemp(prefix="screenshots-")),
                                  {"DEMO_PORT": demo_port})
    demo = start_demo_site(assistant.settings, {**os.environ, "DEMO_PORT": demo_port})
    try:
        url = f"http://127.0.0.1:{demo_port}/"
        wait_for_url(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, viewport, locale, question in SHOTS:
                page = browser.new_context(locale=locale, viewport=viewport).new_page()
                page.goto(url)
                page.locator(".launcher").click()
                expect(page.locator(".message.assistant")).to_have_count(2, timeout=30_000)
                page.locator("textarea").fill(question)
                page.locator("textarea").press("Enter")
                expect(page.locator(".message.assistant")).to_have_count(3, timeout=30_000)
                page.screenshot(path=str(ROOT / "docs" / name))
                print(f"docs/{name}")
            browser.close()
    finally:
        stop([demo])
        assistant.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
