"""The assistant as `make run` starts it (bot/launch.py): real action server and `rasa run`,
talked to over HTTP, conversations in a real SQLite file."""

import json
import socket
import urllib.error
import urllib.request
import uuid
from dataclasses import replace

import pytest

from bot.launch import Settings, start, stop, wait_until_ready
from tests.responses import text

TOKEN = "test-api-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Assistant:
    """One running assistant; `restart()` restarts both processes on the same database."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.processes = []

    def start(self) -> None:
        self.processes = start(self.settings, {})
        wait_until_ready(self.settings)

    def stop(self) -> None:
        stop(self.processes)

    def restart(self) -> None:
        self.stop()
        self.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}{path}"

    def request(self, path: str, body=None, raw: bytes = None, token: str = None):
        """(status, parsed JSON or None) for a GET, or a POST when a body is given."""
        if token:
            path += f"?token={token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url(path), data=data,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read()
                return response.status, json.loads(payload) if payload else None
        except urllib.error.HTTPError as error:
            return error.code, None

    def say(self, sender: str, message: str):
        status, replies = self.request("/webhooks/rest/webhook", {"sender": sender, "message": message})
        assert status == 200
        return [r.get("text") for r in replies]


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("assistant")
    settings = Settings(host="127.0.0.1", rasa_port=_free_port(), action_port=_free_port(),
                        api_token=TOKEN, model=str(trained_model),
                        endpoints=str(folder / "endpoints.yml"))
    (folder / "endpoints.yml").write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{settings.action_port}/webhook\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {folder / 'conversations.db'}\n"
    )
    running = Assistant(settings)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def responses(agent):
    return agent.domain.responses


def test_asks_in_spanish_then_english_in_one_conversation(assistant, responses):
    sender = str(uuid.uuid4())
    assert assistant.say(sender, "¿Cuáles son los efectos secundarios?") == [
        text(responses, "utter_faq/side_effects", "es")]
    assert assistant.say(sender, "ok, and how much does it cost?") == [
        text(responses, "utter_faq/cost", "en")]


def test_tell_me_more_continues_the_last_topic_through_the_action_server(assistant, responses):
    sender = str(uuid.uuid4())
    assistant.say(sender, "¿la ketamina está aprobada por la FDA?")
    assert assistant.say(sender, "cuéntame más") == [text(responses, "utter_more_fda_status", "es")]


def test_the_http_api_needs_the_token(assistant):
    sender = str(uuid.uuid4())
    assistant.say(sender, "hola")
    assert assistant.request(f"/conversations/{sender}/tracker")[0] == 401
    assert assistant.request(f"/conversations/{sender}/tracker", token="wrong")[0] == 401
    status, tracker = assistant.request(f"/conversations/{sender}/tracker", token=TOKEN)
    assert status == 200
    assert tracker["slots"]["language"] == "es"


def test_parse_endpoint_returns_the_language(assistant):
    status, parsed = assistant.request("/model/parse", {"text": "¿cuánto cuesta?"}, token=TOKEN)
    assert status == 200
    assert parsed["language"] == "es"


@pytest.mark.parametrize(
    "body",
    [{"sender": "x", "message": ""}, {"sender": "x", "message": "a" * 100_000},
     {"sender": "x", "message": "\u0000\ufffd\x7f binary?"}],
    ids=["empty", "100k", "binary"],
)
def test_odd_messages_get_an_answer_not_an_error(assistant, body):
    body = {**body, "sender": str(uuid.uuid4())}
    status, replies = assistant.request("/webhooks/rest/webhook", body)
    assert status == 200
    assert replies and all(r.get("text") for r in replies)


def test_malformed_json_is_a_client_error(assistant):
    status, _ = assistant.request("/webhooks/rest/webhook", raw=b"{not json")
    assert 400 <= status < 500


def test_conversation_and_its_language_survive_a_restart(assistant, responses):
    sender = str(uuid.uuid4())
    assistant.say(sender, "hola, ¿cómo funciona la ketamina?")
    assistant.restart()
    assert assistant.say(sender, "ok") == [text(responses, "utter_anything_else", "es")]
    status, tracker = assistant.request(f"/conversations/{sender}/tracker", token=TOKEN)
    user_texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert user_texts == ["hola, ¿cómo funciona la ketamina?", "ok"]
