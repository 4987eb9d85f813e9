"""Bad input on every public endpoint gets a 4xx or a polite answer, never a 500, and the servers
keep answering: property-based tests (hypothesis), derandomized, with a fixed example budget.

One running assistant (Rasa's REST channel and HTTP API, the web chat's socket.io and widget
files, the SMS webhook) and one staff inbox on the same databases serve the whole module, as
`make run` starts them. After every test a normal message must still be answered.

Inputs on which Rasa's own code fails (a 500, a response that never ends, the server exiting)
are left out of the strategies and pinned instead, each in a test named `test_rasa_*` that
asserts today's behaviour: when Rasa, or a channel of ours in front of it, is fixed, that test
fails and should become a client-error assertion.
"""

import http.client
import json
import os
import subprocess
import sys
import urllib.parse
import uuid
from typing import Dict, Optional, Tuple
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sanic.request import RequestParameters
from twilio.request_validator import RequestValidator

from bot.database import DATABASE_URL_VARIABLE, engine_for
from bot.handoff import store
from bot.launch import wait_for_url
from tests.assistant import TOKEN, free_port, running_assistant
from tests.chat_client import ChatClient

AUTH_TOKEN = "fuzz-twilio-auth-token"
PUBLIC_URL = "https://clinic.example/webhooks/sms/webhook"
STAFF_TOKEN = "fuzz-staff-token"


def budget(examples: int) -> settings:
    """A fixed number of examples, the same ones on every run (CI's time is bounded)."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


# --- The servers --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def assistant(trained_model, folder):
    running = running_assistant(trained_model, folder,
                                {"TWILIO_AUTH_TOKEN": AUTH_TOKEN, "SMS_PUBLIC_URL": PUBLIC_URL})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def inbox(assistant, folder):
    """The staff inbox on the assistant's databases, with one booking request to change."""
    database = f"sqlite:///{folder / 'clinic.db'}"
    request = store.save(engine_for(database), store.BookingRequest(
        conversation_id="fuzz-1", submission_key="fuzz-1", name="Ana López", phone="+12125550123",
        best_time="mornings", consent=True, language="es", channel="rest"))
    port = free_port()
    env = {**os.environ, "STAFF_TOKEN": STAFF_TOKEN, "STAFF_PORT": str(port),
           DATABASE_URL_VARIABLE: database, "ENDPOINTS": assistant.settings.endpoints}
    process = subprocess.Popen([sys.executable, "-m", "bot.staff"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_url(f"{base}/staff/login", timeout=30)
        yield {"base": base, "request_id": request.id}
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(autouse=True)
def still_serving(assistant, inbox):
    """After each test: the assistant still answers a patient, the inbox still answers staff."""
    yield
    assert assistant.say(f"alive-{uuid.uuid4().hex}", "How much does it cost?"), (
        "the assistant stopped answering")
    status, _, _ = send(inbox["base"], "GET", "/staff/api/booking-requests",
                        headers={"Authorization": f"Bearer {STAFF_TOKEN}"})
    assert status == 200, "the staff inbox stopped answering"


def send(base: str, method: str, path: str, body: Optional[bytes] = None,
         headers: Optional[Dict[str, str]] = None, timeout: float = 60) -> Tuple[int, bytes, str]:
    """(status, body, content type) of one raw HTTP request: no redirects followed, no retries."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("Content-Type") or ""
    finally:
        connection.close()


def quoted(conversation_id: str) -> str:
    return urllib.parse.quote(conversation_id, safe="", errors="surrogatepass")


# --- What a client can send ---------------------------------------------------------------------

EDGE_TEXTS = [
    "", " ", "\x00", "a\x00b", "\r\n\t", "\u200f\u202eما هذا؟\u202c", "\ufeffhola", "😀" * 40,
    "e\u0301" * 50, "\ud800", "a\udfffb", "hola\ud83d", "/greet", '/greet{"language": "xx"}',
    '/greet{"language": [1, 2]}', "/restart", "/faq/cost", "/no_such_intent", "/greet{", "STOP",
    "7", "<script>alert(1)</script>", "' OR 1=1 --", "%00%ff", "{{7*7}}", "¿Cuánto cuesta?",
]
# 100 KB each. Not "¿Cuánto cuesta? " * 6_250: Rasa's RegexFeaturizer, whose cost grows with
# tokens times pattern matches, blocks the event loop 8 s on it; the REST channel sets no limit.
HUGE_TEXTS = ["a" * 100_000, "😀" * 25_000, "ketamine " * 11_112]
texts = st.one_of(st.text(max_size=200), st.sampled_from(EDGE_TEXTS + HUGE_TEXTS))
# What a form or a URL can carry: UTF-8, so no lone surrogates.
plain_texts = st.one_of(
    st.text(max_size=200),
    st.sampled_from([t for t in EDGE_TEXTS if not any("\ud800" <= c <= "\udfff" for c in t)]),
    st.sampled_from(["a" * 2_000, "¿Qué? " * 300]))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=3),
    max_leaves=8,
)
conversation_ids = st.one_of(
    st.text(min_size=1, max_size=60),
    st.sampled_from(["..", "a/b", "../../etc/passwd", "%", "?", "#", " ", "\x00", "😀",
                     "\u202e", "s" * 2_000, "default", "+12125550100"]),
)
JSON_CONTENT_TYPES = ["application/json", "application/json; charset=latin-1", "text/plain",
                      "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
                      None]
NOT_JSON = [b"{", b"{not json", b'{"sender": "a", "message": "hi"', b"\xff\xfe\x00\x01",
            b"sender=a&message=hi", b"--x\r\nContent-Disposition: form-data; name=\"message\""
            b"\r\n\r\nhi\r\n--x--\r\n", b"\x00" * 10]


def as_json(value) -> bytes:
    return json.dumps(value).encode()  # lone surrogates travel escaped, as JSON allows


def headers_for(content_type: Optional[str]) -> Dict[str, str]:
    return {"Content-Type": content_type} if content_type else {}


# --- Rasa's REST channel ------------------------------------------------------------------------

rest_messages = st.fixed_dictionaries({}, optional={
    # Lone surrogates and NUL included: Rasa's own channel let them stop the server.
    "sender": st.one_of(texts, json_values, st.just("s" * 10_000), st.sampled_from(
        ["hola\ud83d", "a\x00b", "\udfff"])),
    "message": st.one_of(texts, json_values),
    "metadata": json_values,
    "input_channel": json_values,
    "extra": json_values,
})
rest_bodies = st.one_of(
    rest_messages.map(as_json), st.sampled_from(NOT_JSON), st.binary(max_size=300),
    st.sampled_from([b"", b"null", b"[]", b"42", b"NaN", b'"hi"']))


@budget(250)
@given(body=rest_bodies, content_type=st.sampled_from(JSON_CONTENT_TYPES))
def test_rest_channel_answers_bad_input_with_a_client_error_or_a_list(assistant, body,
                                                                     content_type):
    status, reply, _ = send(assistant.url(""), "POST", "/webhooks/rest/webhook", body,
                            headers_for(content_type))
    event(f"status {status}")
    assert status < 500, reply
    if status == 200:
        assert isinstance(json.loads(reply), list)


# Rasa 3.6.21's RestInput reads `request.json.get("sender")`: a body that is empty or not a JSON
# object was a 500 there; bot/channels/rest.py answers 400.
@pytest.mark.parametrize("body", [b"", b"null", b"[]", b"42", b"NaN", b'"hi"',
                                  b'[{"sender": "a", "message": "hi"}]'])
def test_rest_channel_refuses_a_body_that_is_not_a_json_object(assistant, body):
    status, _, _ = send(assistant.url(""), "POST", "/webhooks/rest/webhook", body,
                        {"Content-Type": "application/json"})
    assert status == 400


# Rasa 3.6.21's SQLTrackerStore.session_scope takes any ValueError for "PostgreSQL schema not
# found" and calls sys.exit(1); the REST channel hands it the JSON `sender` unchecked. So one
# request whose sender the database cannot store stops the whole server: a lone surrogate
# ("hola\ud83d", escaped in JSON) on SQLite, a NUL character on PostgreSQL, the production tracker
# store. The fix that fits this project is the RestInput subclass above, answering 400 to such a
# sender. Pinned on the tracker store itself: through the running server it would stop it.
def test_rasa_rest_channel_sender_that_the_tracker_store_cannot_encode_exits_rasa(tmp_path, run):
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    with pytest.raises(SystemExit):
        run(tracker_store.retrieve("hola\ud83d"))


# Rasa 3.6.21's streaming REST answer (`?stream=true`) waits for a "DONE" that never comes when
# handling the message fails: the response never ends. Nothing here uses streaming; it is refused.
def test_rest_channel_refuses_streamed_answers(assistant):
    body = as_json({"sender": f"stream-{uuid.uuid4().hex}", "message": "hi", "metadata": 5})
    status, _, _ = send(assistant.url(""), "POST", "/webhooks/rest/webhook?stream=true", body,
                        {"Content-Type": "application/json"}, timeout=10)
    assert status == 400


def test_a_sender_the_tracker_store_cannot_keep_is_refused_and_the_server_stays_up(assistant):
    for sender in ("hola\ud83d", "a\x00b", "s" * 300, ""):
        status, _, _ = send(assistant.url(""), "POST", "/webhooks/rest/webhook",
                            as_json({"sender": sender, "message": "hi"}),
                            {"Content-Type": "application/json"})
        assert status == 400, sender
    status, reply, _ = send(assistant.url(""), "POST", "/webhooks/rest/webhook",
                            as_json({"sender": f"after-{uuid.uuid4().hex}", "message": "hola"}),
                            {"Content-Type": "application/json"})
    assert status == 200 and json.loads(reply)


# --- Rasa's HTTP API ----------------------------------------------------------------------------

API_ROUTES = [("GET", "/status"), ("GET", "/conversations/fuzz/tracker"),
              ("POST", "/model/parse"), ("POST", "/conversations/fuzz/messages")]


@budget(60)
@given(route=st.sampled_from(API_ROUTES),
       token=st.one_of(st.none(), st.text(max_size=40).filter(lambda t: t != TOKEN)))
def test_http_api_refuses_a_missing_or_wrong_token(assistant, route, token):
    method, path = route
    query = "" if token is None else "?token=" + quoted(token)
    body = as_json({"text": "hi", "sender": "user"}) if method == "POST" else None
    status, _, _ = send(assistant.url(""), method, path + query, body)
    event(f"status {status}")
    assert status == 401


@budget(150)
@given(message=st.fixed_dictionaries({"text": st.one_of(st.none(), texts)},
                                     optional={"message_id": json_values, "extra": json_values}),
       emulation=st.sampled_from(["", "&emulation_mode=wit", "&emulation_mode=luis",
                                  "&emulation_mode=dialogflow", "&emulation_mode=nonsense"]))
def test_http_api_parses_any_text(assistant, message, emulation):
    status, reply, _ = send(assistant.url(""), "POST", f"/model/parse?token={TOKEN}{emulation}",
                            as_json(message), {"Content-Type": "application/json"})
    event(f"status {status}")
    assert status < 500, reply
    if status == 200 and not emulation:
        assert "intent" in json.loads(reply)


@budget(100)
@given(conversation_id=conversation_ids,
       message=st.fixed_dictionaries(
           {"text": st.one_of(st.none(), texts),
            "sender": st.one_of(st.just("user"), st.sampled_from(["bot", "", "USER"]),
                                json_values)},
           optional={"extra": json_values}).map(as_json) | st.sampled_from(NOT_JSON[:4]),
       include_events=st.sampled_from(["", "&include_events=ALL", "&include_events=nonsense"]))
def test_http_api_adds_any_message_or_says_why_not(assistant, conversation_id, message,
                                                   include_events):
    path = f"/conversations/{quoted(conversation_id)}/messages?token={TOKEN}{include_events}"
    status, reply, _ = send(assistant.url(""), "POST", path, message,
                            {"Content-Type": "application/json"})
    event(f"status {status}")
    assert status < 500, reply


@budget(100)
@given(conversation_id=conversation_ids,
       query=st.dictionaries(st.sampled_from(["include_events", "until", "token2", "x"]),
                             st.text(max_size=20), max_size=3))
def test_http_api_reads_any_tracker(assistant, conversation_id, query):
    path = (f"/conversations/{quoted(conversation_id)}/tracker?token={TOKEN}&"
            + urllib.parse.urlencode(query))
    status, reply, _ = send(assistant.url(""), "GET", path)
    event(f"status {status}")
    assert status < 500, reply
    if status == 200:
        assert "events" in json.loads(reply)


# Rasa 3.6.21's HTTP API turns any failure while parsing into a 500 ("ParsingError"), and
# `/conversations/<id>/messages` calls `request.json.get(...)` unguarded: a request body of the
# wrong shape is a 500, not a 400. Only holders of the API token can send these; Rasa's server
# is not this project's to change. Pinned here.
@pytest.mark.parametrize("path, body", [
    ("/model/parse", b"{not json"), ("/model/parse", b"[]"), ("/model/parse", b"{}"),
    ("/model/parse", b'{"text": 42}'),
    ("/conversations/fuzz/messages", b"[]"), ("/conversations/fuzz/messages", b"null"),
    ("/conversations/fuzz/messages", b'{"text": ["hi"], "sender": "user"}'),
    ("/conversations/fuzz/messages", b'{"text": "hi", "sender": "user", "parse_data": 5}'),
])
def test_rasa_http_api_answers_500_to_a_request_body_of_the_wrong_shape(assistant, path, body):
    status, _, _ = send(assistant.url(""), "POST", f"{path}?token={TOKEN}", body,
                        {"Content-Type": "application/json"})
    assert status == 500


# --- The web chat: socket.io and the widget's files ---------------------------------------------

socket_payloads = st.one_of(
    json_values,
    st.binary(max_size=100),
    st.tuples(json_values, json_values),
    st.fixed_dictionaries({"message": texts}, optional={"shown_as": json_values,
                                                        "session_id": json_values}),
    st.fixed_dictionaries({"session_id": st.one_of(st.text(max_size=40), json_values,
                                                   st.just("0" * 32))}),
)
socket_events = st.lists(st.tuples(
    st.sampled_from(["user_uttered", "session_request", "user_uttered", "session_request",
                     "bot_uttered", "message", "connect", "disconnect", "😀"]),
    socket_payloads), min_size=1, max_size=4)


@pytest.fixture(scope="module")
def bystander(assistant, run):
    """Another page's chat, open through the whole fuzzing."""
    client = ChatClient()
    run(client.connect(assistant.url("")))
    run(client.open_session())
    yield client
    run(client.close())


@budget(100)
@given(events=socket_events)
def test_web_chat_survives_any_event_without_disturbing_other_pages(assistant, bystander, run,
                                                                    events):
    async def scenario():
        client = ChatClient()
        await client.connect(assistant.url(""))
        try:
            for name, payload in events:
                await client.client.emit(name, payload)
            replies, _ = await bystander.say("How much does it cost?")
            assert replies and all(set(r) <= {"text", "quick_replies"} for r in replies)
            assert client.client.connected and bystander.client.connected
        finally:
            await client.close()

    run(scenario())


@budget(60)
@given(name=st.one_of(st.text(min_size=1, max_size=40).map(quoted),
                      st.sampled_from(["widget.js", "widget.css", "..%2Fweb.py", "%00", "%ff",
                                       "widget.js%00", "a" * 3_000, "widget.js?v=%ff"])),
       method=st.sampled_from(["GET", "GET", "HEAD", "POST", "OPTIONS"]))
def test_web_chat_files_are_served_or_not_found(assistant, name, method):
    status, _, _ = send(assistant.url(""), method, "/webhooks/web/" + name)
    event(f"status {status}")
    assert status < 500


# --- The SMS webhook ----------------------------------------------------------------------------

phones = st.one_of(st.from_regex(r"\+1212555[0-9]{4}", fullmatch=True), st.text(max_size=30),
                   st.sampled_from(["", " ", "+", "x" * 3_000, "+1 (212) 555-0100"]))
twilio_fields = st.builds(
    lambda known, other: {**other, **known},
    # Mostly with a sender, so that most messages get past the checks to the assistant.
    st.fixed_dictionaries({"From": st.lists(phones, max_size=2)}, optional={
        "To": st.lists(phones, max_size=1), "Body": st.lists(plain_texts, min_size=1, max_size=2),
        "NumMedia": st.lists(st.one_of(st.integers().map(str), st.text(max_size=8)), max_size=1),
    }).map(lambda fields: {key: values for key, values in fields.items() if values}),
    st.dictionaries(st.text(max_size=12), st.lists(plain_texts, min_size=1, max_size=2),
                    max_size=3),
)


def post_sms(assistant, fields: Dict[str, list], signature: Optional[str]):
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return send(assistant.url(""), "POST", "/webhooks/sms/webhook", body, headers)


def signature_of(fields: Dict[str, list], token: str = AUTH_TOKEN, url: str = PUBLIC_URL) -> str:
    return RequestValidator(token).compute_signature(url, RequestParameters(fields))


@budget(200)
@given(fields=twilio_fields)
def test_sms_webhook_answers_signed_junk_with_twiml_or_a_client_error(assistant, fields):
    status, reply, content_type = post_sms(assistant, fields, signature_of(fields))
    event(f"status {status}")
    assert status in (200, 400, 413), reply  # never 403: the signature is right
    if status == 200 and reply:
        assert content_type.startswith("text/xml")
        root = ElementTree.fromstring(reply)
        assert root.tag == "Response" and all(child.tag == "Message" for child in root)


latin1_texts = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)


@budget(80)
@given(fields=twilio_fields.filter(lambda f: len(urllib.parse.urlencode(f, doseq=True)) < 60_000),
       forgery=st.one_of(
           st.none(), latin1_texts.map(lambda text: ("header", text)),
           st.sampled_from(["other token", "other url", "other fields"])))
def test_sms_webhook_refuses_forged_or_missing_signatures(assistant, fields, forgery):
    if forgery is None:
        signature = None
    elif isinstance(forgery, tuple):
        signature = forgery[1]
    elif forgery == "other token":
        signature = signature_of(fields, token="someone-elses-token")
    elif forgery == "other url":
        signature = signature_of(fields, url="https://evil.example/webhooks/sms/webhook")
    else:
        signature = signature_of({**fields, "Body": ["something else"]})
    status, reply, _ = post_sms(assistant, fields, signature)
    event(f"status {status}")
    assert status == 403, reply


@budget(80)
@given(body=st.one_of(st.binary(max_size=300), st.sampled_from(NOT_JSON + [b"a" * 100_000])),
       content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json",
                                     "text/plain", "multipart/form-data; boundary=x", None]),
       signature=st.one_of(st.none(), latin1_texts))
def test_sms_webhook_answers_raw_junk_with_a_client_error(assistant, body, content_type,
                                                         signature):
    headers = headers_for(content_type)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    status, reply, _ = send(assistant.url(""), "POST", "/webhooks/sms/webhook", body, headers)
    event(f"status {status}")
    assert 400 <= status < 500, reply


# --- The staff inbox ----------------------------------------------------------------------------

STAFF_API = [("GET", "/staff/api/booking-requests"), ("GET", "/staff/api/safety-flags"),
             ("GET", "/staff/api/unanswered"), ("PATCH", "/staff/api/booking-requests/{id}"),
             ("POST", "/staff/api/unanswered/1/handled")]


@budget(100)
@given(route=st.sampled_from(STAFF_API),
       authorization=st.one_of(st.none(), latin1_texts,
                               latin1_texts.map(lambda token: f"Bearer {token}")),
       cookie=st.one_of(st.none(), latin1_texts,
                        latin1_texts.map(lambda value: f"staff_session={value}")))
def test_staff_api_refuses_a_missing_or_wrong_token(inbox, route, authorization, cookie):
    method, path = route
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    if cookie is not None:
        headers["Cookie"] = cookie
    status, _, _ = send(inbox["base"], method, path.format(id=inbox["request_id"]),
                        as_json({"status": "closed"}) if method != "GET" else None, headers)
    event(f"status {status}")
    assert status == 401


def not_a_status_change(body: bytes) -> bool:
    try:
        value = json.loads(body)
    except ValueError:
        return True
    return not (isinstance(value, dict) and value.get("status") in store.STATUSES)


@budget(100)
@given(body=st.one_of(json_values.map(as_json),
                      st.fixed_dictionaries({"status": json_values}).map(as_json),
                      st.sampled_from(NOT_JSON), st.binary(max_size=100))
       .filter(not_a_status_change),
       content_type=st.sampled_from(JSON_CONTENT_TYPES))
def test_staff_api_answers_a_bad_status_change_with_400(inbox, body, content_type):
    headers = {"Authorization": f"Bearer {STAFF_TOKEN}", **headers_for(content_type)}
    status, reply, _ = send(inbox["base"], "PATCH",
                            f"/staff/api/booking-requests/{inbox['request_id']}", body, headers)
    event(f"status {status}")
    assert status == 400, reply


row_ids = st.one_of(st.integers(min_value=-10**30, max_value=10**30).map(str),
                    st.text(min_size=1, max_size=20).map(quoted),
                    st.sampled_from(["0", "1", "9" * 18, "9" * 19, "00000000000000000001", "1e3",
                                     "%00", "..", "1%2F2"]))
STAFF_PATHS = [("GET", "/staff"), ("GET", "/staff/requests/{id}"),
               ("POST", "/staff/requests/{id}/status"), ("GET", "/staff/unanswered"),
               ("POST", "/staff/unanswered/{id}/handled"), ("GET", "/staff/conversations/{text}"),
               ("GET", "/staff/api/booking-requests"), ("GET", "/staff/api/unanswered"),
               ("PATCH", "/staff/api/booking-requests/{id}"),
               ("POST", "/staff/api/unanswered/{id}/handled"), ("GET", "/staff/login"),
               ("POST", "/staff/login"), ("GET", "/staff/{text}")]


@budget(250)
@given(route=st.sampled_from(STAFF_PATHS), row_id=row_ids, text=conversation_ids,
       query=st.dictionaries(st.sampled_from(["status", "language", "include_handled", "x"]),
                             plain_texts, max_size=3),
       body=st.one_of(st.none(), st.sampled_from(NOT_JSON), st.binary(max_size=100),
                      st.dictionaries(st.sampled_from(["status", "token", "x"]), plain_texts)
                      .map(lambda form: urllib.parse.urlencode(form).encode())),
       content_type=st.sampled_from(JSON_CONTENT_TYPES),
       signed_in=st.booleans())
def test_staff_pages_and_api_answer_odd_paths_and_bodies_without_failing(
        inbox, route, row_id, text, query, body, content_type, signed_in):
    method, path = route
    path = path.format(id=row_id, text=quoted(text)) + "?" + urllib.parse.urlencode(query)
    headers = headers_for(content_type)
    if signed_in:
        headers["Authorization"] = f"Bearer {STAFF_TOKEN}"
    status, reply, _ = send(inbox["base"], method, path, body if method != "GET" else None,
                            headers)
    event(f"status {status}")
    assert status < 500, reply
