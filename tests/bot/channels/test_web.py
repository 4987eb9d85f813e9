"""bot/channels/web.py against a real `rasa run` with the trained model, over a real WebSocket."""

import urllib.error
import urllib.request
import uuid

import pytest
import socketio

from bot.channels.notices import TOO_LONG
from tests.assistant import running_assistant
from tests.chat_client import ChatClient
from tests.responses import text


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory):
    running = running_assistant(trained_model, tmp_path_factory.mktemp("web"))
    yield running
    running.stop()


@pytest.fixture
def chat(assistant, run):
    """An async function running `scenario(client)` on a fresh connection."""
    def chatting(scenario, origin=None):
        async def session():
            client = ChatClient()
            await client.connect(assistant.url(""), **({"origin": origin} if origin else {}))
            try:
                return await scenario(client)
            finally:
                await client.close()
        return run(session())
    return chatting


def test_a_spanish_question_gets_one_spanish_answer_and_the_language(chat, responses):
    async def scenario(client):
        await client.open_session()
        return await client.say("¿Cuánto cuesta el tratamiento?")

    replies, language = chat(scenario)
    assert [r["text"] for r in replies] == [text(responses, "utter_faq/cost", "es"),
                                            text(responses, "utter_disclaimer", "es")]
    assert language == "es"


def test_buttons_arrive_as_quick_replies(chat, responses):
    async def scenario(client):
        await client.open_session()
        return await client.say('/greet{"language":"en"}')

    replies, language = chat(scenario)
    greeting = replies[0]
    assert greeting["text"] == text(responses, "utter_greet", "en")
    assert {"content_type": "text", "title": "Cost", "payload": "How much does it cost?"} in (
        greeting["quick_replies"])
    assert language == "en"


def test_a_reopened_session_gets_its_history_and_language(chat, responses):
    session_id = uuid.uuid4().hex

    async def first_page(client):
        assert (await client.open_session(session_id))[0] == session_id
        await client.say('/greet{"language":"es"}')
        await client.say("¿Cuánto cuesta?", shown_as="Costo")

    async def reloaded_page(client):
        return await client.open_session(session_id)

    chat(first_page)
    confirmed, history, language = chat(reloaded_page)
    assert confirmed == session_id and language == "es"
    assert [(m["sender"], m["text"]) for m in history] == [
        ("assistant", text(responses, "utter_greet", "es")),
        ("assistant", text(responses, "utter_disclaimer", "es")),
        ("patient", "Costo"),
        ("assistant", text(responses, "utter_faq/cost", "es")),
    ]


def test_an_unusable_session_id_gets_a_fresh_one(chat):
    async def scenario(client):
        return await client.open_session("../../etc/passwd")

    confirmed, history, language = chat(scenario)
    assert len(confirmed) == 32 and int(confirmed, 16) >= 0
    assert history == [] and language is None


def test_malformed_events_are_ignored_and_the_channel_keeps_working(chat, responses):
    async def scenario(client):
        await client.client.emit("user_uttered", {"message": "before any session"})
        await client.client.emit("session_request", "not a dict")
        await client.next("session_history")  # a session all the same
        for odd in ["just a string", None, 42, ["a", "list"], {"message": {"nested": 1}}]:
            await client.client.emit("user_uttered", odd)
        return await client.say("¿Quién es el médico?")

    replies, language = chat(scenario)
    assert replies[0]["text"] == text(responses, "utter_faq/provider", "es")


def test_events_with_extra_arguments_are_handled_as_usual(chat, responses):
    async def scenario(client):
        await client.client.emit("session_request", ({"session_id": None}, "extra"))
        await client.next("session_history")
        await client.client.emit("user_uttered", ({"message": "¿Quién es el médico?"}, 1, 2))
        return await client.next("bot_uttered")

    assert chat(scenario)["text"] == text(responses, "utter_faq/provider", "es")


def test_a_huge_message_gets_a_polite_bilingual_answer(chat):
    async def scenario(client):
        await client.open_session()
        return await client.say("a" * 100_000)

    replies, _ = chat(scenario)
    assert [r["text"] for r in replies] == [TOO_LONG]


def test_a_page_from_another_site_cannot_connect(chat):
    async def scenario(client):
        return "connected"

    with pytest.raises(socketio.exceptions.ConnectionError):
        chat(scenario, origin="https://evil.example")


def test_serves_the_widget_files(assistant):
    with urllib.request.urlopen(assistant.url("/webhooks/web/widget.js")) as reply:
        assert reply.headers["Content-Type"].startswith("application/javascript")
        assert b"session_request" in reply.read()
    with urllib.request.urlopen(assistant.url("/webhooks/web/widget.css")) as reply:
        assert reply.headers["Content-Type"].startswith("text/css")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(assistant.url("/webhooks/web/..%2Fweb.py"))
    assert missing.value.code == 404
