"""The safety-flag action (actions/safety.py) against a real SQLite database."""

import asyncio
import logging

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.safety import ActionRecordSafetyFlag
from bot.database import DATABASE_URL_VARIABLE, engine_for
from bot.safety_flags import flagged_conversations

SENDER = "+15551234567"  # an SMS conversation is keyed by the patient's number


def _tracker(intent):
    latest = {"intent": {"name": intent}, "text": "…"}
    events = [{"event": "user", "text": "…", "parse_data": latest,
               "input_channel": "twilio"}]
    return Tracker(SENDER, {"language": "es"}, latest, events, False, None, {}, "action_listen")


def _run(intent):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRecordSafetyFlag().run(dispatcher, _tracker(intent), {}))
    return events, dispatcher.messages


def test_a_crisis_is_stored_for_staff_silently(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    assert _run("crisis") == ([], [])
    [flag] = flagged_conversations(engine_for(url))
    assert (flag.conversation_id, flag.kind, flag.language, flag.channel) == (
        SENDER, "crisis", "es", "twilio")


def test_other_intents_store_nothing(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    _run("faq")
    assert flagged_conversations(engine_for(url)) == []


def test_a_broken_database_is_logged_without_the_patients_number(monkeypatch, caplog):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, "postgresql://nobody@127.0.0.1:1/none")
    with caplog.at_level(logging.ERROR):
        assert _run("crisis") == ([], [])
    assert "crisis flag" in caplog.text
    assert SENDER not in caplog.text and "5551234567" not in caplog.text
