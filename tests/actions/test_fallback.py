"""Counting misunderstood messages (actions/fallback.py): the action against a real SQLite
database, and end to end through a running assistant (action server + `rasa run`)."""

import asyncio
import logging
import os
import subprocess
import sys

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.fallback import ActionNoteUnanswered
from bot.database import DATABASE_URL_VARIABLE, engine_for
from bot.unanswered import unanswered, unanswered_questions
from tests.assistant import running_assistant
from tests.responses import text

SENDER = "+15551234567"  # an SMS conversation is keyed by the patient's number


def _tracker(intent, message, slot_language=None, message_language=None):
    latest = {"intent": {"name": intent}, "text": message, "language": message_language}
    events = [{"event": "user", "text": message, "parse_data": latest, "input_channel": "twilio"}]
    return Tracker(SENDER, {"language": slot_language}, latest, events, False, None, {},
                   "action_listen")


def _run(tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionNoteUnanswered().run(dispatcher, tracker, {}))
    return events, dispatcher.messages


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    return engine_for(url)


def test_a_misunderstood_message_is_counted_silently_and_scrubbed(database):
    tracker = _tracker("nlu_fallback", "¿aceptan Medicaid? mi número es 212 555 0123", "es")
    assert _run(tracker) == ([], [])
    [question] = unanswered(database)
    assert (question.text, question.language, question.count) == (
        "¿aceptan Medicaid? mi número es #", "es", 1)


def test_without_the_slot_the_messages_own_language_is_kept(database):
    _run(_tracker("nlu_fallback", "do you take medicare", None, "en"))
    assert [(q.text, q.language) for q in unanswered(database)] == [("do you take medicare", "en")]


@pytest.mark.parametrize("intent", ["out_of_scope", "crisis", "faq"])
def test_understood_messages_are_not_counted(database, intent):
    assert _run(_tracker(intent, "what's the weather like", "en")) == ([], [])
    assert unanswered(database) == []


def test_a_broken_database_is_logged_without_the_message(monkeypatch, caplog):
    monkeypatch.setenv(DATABASE_URL_VARIABLE, "postgresql://nobody@127.0.0.1:1/none")
    with caplog.at_level(logging.DEBUG):
        assert _run(_tracker("nlu_fallback", "call Ana on 212 555 0123", "en")) == ([], [])
    assert "unanswered question" in caplog.text
    assert "Ana" not in caplog.text and "555" not in caplog.text and SENDER not in caplog.text


# End to end: gibberish that the trained model really sends to the fallback, one English (sent
# by two patients) and one Spanish.
ENGLISH_MISS = "qwerty asdf zxcv please"
SPANISH_MISS = "blorp fnord por favor"


@pytest.fixture(scope="module")
def assistant(trained_model, tmp_path_factory):
    running = running_assistant(trained_model, tmp_path_factory.mktemp("fallback"))
    yield running
    running.stop()


def test_misunderstood_messages_reach_the_staff_list_without_who_sent_them(assistant, responses):
    senders = {"+15557654321": ENGLISH_MISS, "web-patient-7f3a": ENGLISH_MISS,
               "+15550001111": SPANISH_MISS}
    for sender, message in senders.items():
        language = "es" if message == SPANISH_MISS else "en"
        assert assistant.say(sender, message) == [
            text(responses, "utter_fallback_topics", language)]

    url = assistant.environ[DATABASE_URL_VARIABLE]
    engine = engine_for(url)
    assert [(q.text, q.language, q.count) for q in unanswered(engine)] == [
        (ENGLISH_MISS, "en", 2), (SPANISH_MISS, "es", 1)]
    with engine.connect() as connection:
        stored = " ".join(str(value) for row in connection.execute(select(unanswered_questions))
                          for value in row)
    assert not any(sender in stored or sender.lstrip("+") in stored for sender in senders)

    listing = subprocess.run([sys.executable, "-m", "bot.staff", "unanswered"],
                             env={**os.environ, DATABASE_URL_VARIABLE: url},
                             capture_output=True, text=True, timeout=60)
    rows = [line.split(maxsplit=3) for line in listing.stdout.splitlines()[1:]]
    assert [(count, language, message) for count, language, _, message in rows] == [
        ("2", "en", ENGLISH_MISS), ("1", "es", SPANISH_MISS)]
