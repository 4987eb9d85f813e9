"""The assistant as `make run` starts it (bot/launch.py): real action server and `rasa run`,
talked to over HTTP, conversations in a real SQLite file."""

import uuid

import pytest

from bot.database import DATABASE_URL_VARIABLE, engine_for
from bot.safety_flags import flagged_conversations
from tests.assistant import TOKEN, running_assistant
from tests.responses import text


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory):
    running = running_assistant(trained_model, tmp_path_factory.mktemp("assistant"))
    yield running
    running.stop()


def test_asks_in_spanish_then_english_in_one_conversation(assistant, responses):
    sender = str(uuid.uuid4())
    assert assistant.say(sender, "¿Cuáles son los efectos secundarios?") == [
        text(responses, "utter_faq/side_effects", "es"), text(responses, "utter_disclaimer", "es")]
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


def test_a_crisis_is_answered_and_flagged_for_staff_through_the_action_server(assistant, responses):
    sender = str(uuid.uuid4())
    assistant.say(sender, "¿la ketamina está aprobada por la FDA?")
    replies = assistant.say(sender, "ya no aguanto más, he juntado pastillas")
    assert replies == [text(responses, "utter_crisis", "es")]
    flags = flagged_conversations(engine_for(assistant.environ[DATABASE_URL_VARIABLE]))
    assert [(f.conversation_id, f.kind, f.language, f.channel) for f in flags
            if f.conversation_id == sender] == [(sender, "crisis", "es", "rest")]
    status, tracker = assistant.request(f"/conversations/{sender}/tracker", token=TOKEN)
    assert tracker["slots"]["crisis_flagged"] is True


def test_the_web_chat_accepts_the_demo_page_unless_told_otherwise():
    from bot.launch import with_demo_page_allowed

    assert with_demo_page_allowed({"DEMO_PORT": "9000"})["WEB_ALLOWED_ORIGINS"] == (
        "http://localhost:9000,http://127.0.0.1:9000")
    assert with_demo_page_allowed({})["WEB_ALLOWED_ORIGINS"].startswith("http://localhost:8080,")
    chosen = {"WEB_ALLOWED_ORIGINS": "https://www.clinic.example"}
    assert with_demo_page_allowed(chosen)["WEB_ALLOWED_ORIGINS"] == "https://www.clinic.example"


def test_the_endpoints_tests_and_benchmarks_use_are_the_shipped_ones(tmp_path):
    import yaml

    from bot.launch import endpoints_like_default

    shipped = yaml.safe_load(open("endpoints.yml"))
    written = yaml.safe_load(endpoints_like_default(5005, tmp_path / "c.db"))
    assert written["tracker_store"] == {**shipped["tracker_store"], "db": str(tmp_path / "c.db")}
    assert written["action_endpoint"]["url"].replace("127.0.0.1", "localhost") == (
        shipped["action_endpoint"]["url"])



def test_a_port_the_kernel_offers_again_is_not_handed_out_twice(monkeypatch):
    import socket

    from bot import launch

    offered = iter([launch.free_port()] * 2)  # the kernel offering the same port twice
    real_socket = socket.socket

    class OfferingAgain(real_socket):
        def getsockname(self):
            return ("127.0.0.1", next(offered, super().getsockname()[1]))

    monkeypatch.setattr(launch.socket, "socket", OfferingAgain)
    first, second = launch.free_port(), launch.free_port()
    assert first != second
    monkeypatch.undo()
    with socket.socket() as s:
        s.bind(("127.0.0.1", second))  # and it is free
