"""The staff inbox served for real: `python -m bot.staff` on a free port, real SQLite files, a
real Rasa SQL tracker store for the transcript, a real local webhook receiver for the outbox."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.database import DATABASE_URL_VARIABLE, engine_for
from bot.handoff import store
from bot.handoff.outbox import queue_notifications, Targets
from bot.handoff.store import BookingRequest
from bot.safety_flags import record_flag
from bot.unanswered import record
from tests.assistant import free_port
from tests.bot.handoff.test_outbox import Receiver

TOKEN = "staff-test-token"
ROOT = Path(__file__).resolve().parents[3]


def _save_tracker(tracker_db: Path, sender: str, texts):
    """Stores a conversation through Rasa's own SQL tracker store."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tracker_db))
    tracker = DialogueStateTracker(sender, slots=[])
    for patient, assistant in texts:
        tracker.update(UserUttered(patient))
        tracker.update(BotUttered(assistant))
    asyncio.run(tracker_store.save(tracker))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("staff")
    database = f"sqlite:///{folder / 'clinic.db'}"
    (folder / "endpoints.yml").write_text(
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {folder / 'conversations.db'}\n")
    receiver = Receiver()
    engine = engine_for(database)
    targets = Targets(webhook_url=receiver.url)
    requests = []
    for index, (name, sender) in enumerate([("Ana López", "web-1"), ("<b>Bob</b>", "web-2")]):
        request = BookingRequest(conversation_id=sender, submission_key=f"k{index}", name=name,
                                 phone="+12125550123", best_time="mornings", consent=True,
                                 language="es" if index == 0 else "en", channel="rest")
        requests.append(store.save(engine, request, on_insert=lambda c, s: queue_notifications(c, s, targets)))
    record_flag(engine, "web-crisis", "crisis", "en", "rest")
    unanswered = {"parking": "¿Tienen <b>estacionamiento</b>?", "medicare": "do you take medicare",
                  "valet": "is there valet parking"}
    for key, times, language in [("parking", 3, "es"), ("medicare", 2, "en"), ("valet", 1, "en")]:
        for _ in range(times):
            record(engine, unanswered[key], language)
    _save_tracker(folder / "conversations.db", "web-1",
                  [("quiero agendar <script>alert(1)</script>", "¿Cómo se llama?")])
    port = free_port()
    env = {**os.environ, "STAFF_TOKEN": TOKEN, "STAFF_PORT": str(port), DATABASE_URL_VARIABLE: database,
           "ENDPOINTS": str(folder / "endpoints.yml"), "STAFF_WEBHOOK_URL": receiver.url}
    process = subprocess.Popen([sys.executable, "-m", "bot.staff"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/staff/login", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    yield {"base": base, "requests": requests, "receiver": receiver, "process": process,
           "unanswered": unanswered}
    process.terminate()
    output = process.communicate(timeout=10)[0].decode()
    receiver.server.shutdown()
    for request in requests:  # privacy: no name or phone number in the app's output
        assert request.name not in output and request.phone not in output
    assert not any(message in output for message in unanswered.values())


def _call(base, path, method="GET", body=None, token=TOKEN, raw=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def test_the_api_needs_the_staff_token(inbox):
    assert _call(inbox["base"], "/staff/api/booking-requests", token=None)[0] == 401
    assert _call(inbox["base"], "/staff/api/booking-requests", token="wrong")[0] == 401


def test_requests_are_listed_newest_first_and_filtered_by_status(inbox):
    first, second = inbox["requests"]
    status, listed = _call(inbox["base"], "/staff/api/booking-requests")
    assert status == 200 and [r["id"] for r in listed] == [second.id, first.id]
    assert "submission_key" not in listed[0]
    status, updated = _call(inbox["base"], f"/staff/api/booking-requests/{first.id}", "PATCH",
                            {"status": "contacted"})
    assert status == 200 and updated["status"] == "contacted"
    _, contacted = _call(inbox["base"], "/staff/api/booking-requests?status=contacted")
    assert [r["id"] for r in contacted] == [first.id]


@pytest.mark.parametrize("body, raw, expected", [
    ({"status": "lost"}, None, 400), ({"state": "new"}, None, 400), (["new"], None, 400),
    (None, b"{not json", 400),
])
def test_bad_status_changes_are_client_errors(inbox, body, raw, expected):
    request_id = inbox["requests"][0].id
    assert _call(inbox["base"], f"/staff/api/booking-requests/{request_id}", "PATCH",
                 body, raw=raw)[0] == expected


def test_an_unknown_request_is_not_found(inbox):
    assert _call(inbox["base"], "/staff/api/booking-requests/99999", "PATCH",
                 {"status": "closed"})[0] == 404


def test_an_id_no_database_column_holds_is_not_found(inbox):
    assert _call(inbox["base"], f"/staff/api/booking-requests/{2**63}", "PATCH",
                 {"status": "closed"})[0] == 404
    assert _call(inbox["base"], f"/staff/api/unanswered/{10**30}/handled", "POST")[0] == 404
    page = urllib.request.Request(inbox["base"] + f"/staff/requests/{2**63}",
                                  headers={"Authorization": f"Bearer {TOKEN}"})
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(page)
    assert missing.value.code == 404


def test_a_token_that_is_not_utf8_is_refused_not_fatal(inbox):
    request = urllib.request.Request(inbox["base"] + "/staff/api/booking-requests",
                                     headers={"Authorization": "Bearer \xff\xfe"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 401


def test_the_pages_need_a_signed_in_staff_member(inbox):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(inbox["base"] + "/staff").read().decode()
    assert "Staff token" in page  # redirected to sign in
    with pytest.raises(urllib.error.HTTPError) as wrong:
        opener.open(inbox["base"] + "/staff/login", urlencode({"token": "nope"}).encode())
    assert wrong.value.code == 401
    page = opener.open(inbox["base"] + "/staff/login", urlencode({"token": TOKEN}).encode()).read().decode()
    assert page.index("Flagged conversations") < page.index("Booking requests")
    assert "web-crisis" in page
    assert "&lt;b&gt;Bob&lt;/b&gt;" in page and "<b>Bob</b>" not in page


def test_a_request_shows_the_conversation_that_led_to_it_escaped(inbox):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.open(inbox["base"] + "/staff/login", urlencode({"token": TOKEN}).encode())
    page = opener.open(f"{inbox['base']}/staff/requests/{inbox['requests'][0].id}").read().decode()
    assert "quiero agendar &lt;script&gt;" in page and "<script>alert" not in page
    assert "¿Cómo se llama?" in page


def test_the_outbox_posts_new_requests_to_the_staff_webhook(inbox):
    deadline = time.time() + 25
    while time.time() < deadline and len(inbox["receiver"].bodies) < 2:
        time.sleep(0.5)
    assert sorted(b["id"] for b in inbox["receiver"].bodies) == sorted(r.id for r in inbox["requests"])


def _signed_in(inbox):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.open(inbox["base"] + "/staff/login", urlencode({"token": TOKEN}).encode())
    return opener


def _unanswered_id(inbox, key, query=""):
    _, listed = _call(inbox["base"], "/staff/api/unanswered" + query)
    return next(q["id"] for q in listed if q["text"] == inbox["unanswered"][key])


def test_the_unanswered_api_needs_the_staff_token(inbox):
    assert _call(inbox["base"], "/staff/api/unanswered", token=None)[0] == 401
    assert _call(inbox["base"], "/staff/api/unanswered/1/handled", "POST", raw=b"",
                 token="wrong")[0] == 401


def test_unanswered_questions_are_listed_most_asked_first_and_by_language(inbox):
    status, listed = _call(inbox["base"], "/staff/api/unanswered")
    assert status == 200
    assert [(q["text"], q["language"], q["count"]) for q in listed][:1] == [
        (inbox["unanswered"]["parking"], "es", 3)]
    assert set(listed[0]) == {"id", "text", "language", "count", "first_seen", "last_seen",
                              "handled_at", "handled"}
    _, english = _call(inbox["base"], "/staff/api/unanswered?language=en")
    assert {q["language"] for q in english} == {"en"}
    assert _call(inbox["base"], "/staff/api/unanswered?language=fr")[0] == 400


def test_a_question_marked_handled_leaves_the_list(inbox):
    question_id = _unanswered_id(inbox, "medicare")
    status, handled = _call(inbox["base"], f"/staff/api/unanswered/{question_id}/handled", "POST",
                            raw=b"")
    assert status == 200 and handled["handled"] is True and handled["handled_at"]
    _, listed = _call(inbox["base"], "/staff/api/unanswered")
    assert question_id not in [q["id"] for q in listed]
    _, everything = _call(inbox["base"], "/staff/api/unanswered?include_handled=1")
    assert question_id in [q["id"] for q in everything]
    assert _call(inbox["base"], "/staff/api/unanswered/99999/handled", "POST", raw=b"")[0] == 404


def test_the_unanswered_page_is_linked_escaped_and_marks_handled(inbox):
    signed_out = urllib.request.urlopen(inbox["base"] + "/staff/unanswered").read().decode()
    assert "Staff token" in signed_out
    opener = _signed_in(inbox)
    assert "href=\"/staff/unanswered\"" in opener.open(inbox["base"] + "/staff").read().decode()
    page = opener.open(inbox["base"] + "/staff/unanswered").read().decode()
    assert "¿Tienen &lt;b&gt;estacionamiento&lt;/b&gt;?" in page
    assert "<b>estacionamiento" not in page
    question_id = _unanswered_id(inbox, "valet")
    assert f"action='/staff/unanswered/{question_id}/handled'" in page
    page = opener.open(f"{inbox['base']}/staff/unanswered/{question_id}/handled", b"")
    page = page.read().decode()
    assert inbox["unanswered"]["valet"] not in page  # back on the list, without it
    spanish = opener.open(inbox["base"] + "/staff/unanswered?language=es").read().decode()
    assert "estacionamiento" in spanish and "medicare" not in spanish
    with pytest.raises(urllib.error.HTTPError) as missing:
        opener.open(inbox["base"] + "/staff/unanswered/99999/handled", b"")
    assert missing.value.code == 404


def test_the_inbox_refuses_to_start_without_a_token():
    env = {k: v for k, v in os.environ.items() if k not in ("STAFF_TOKEN", "STAFF_DEV_MODE")}
    result = subprocess.run([sys.executable, "-m", "bot.staff"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "STAFF_TOKEN" in result.stderr
