"""Unanswered questions (bot/unanswered.py) on a real SQLite file and, where it runs, PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.database import engine_for
from tests.services import postgres_engine
from bot.unanswered import (
    MAX_TEXT, mark_handled, question_key, record, scrub, unanswered, unanswered_questions
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        return engine_for(f"sqlite:///{tmp_path / 'clinic.db'}")
    return postgres_engine("unanswered_questions")


def _counts(engine, **filters):
    return [(q.text, q.language, q.count) for q in unanswered(engine, **filters)]


def test_the_same_question_is_counted_not_repeated(engine):
    assert record(engine, "Do you validate parking?", "en", now=T0)
    record(engine, "do you validate  PARKING", "en", now=T0 + timedelta(hours=1))
    [question] = unanswered(engine)
    # The first wording is the one shown; the count and last asking follow every wording.
    assert (question.text, question.language, question.count) == (
        "Do you validate parking?", "en", 2)
    assert question.first_seen.replace(tzinfo=None) == T0.replace(tzinfo=None)
    assert question.last_seen.replace(tzinfo=None) == (T0 + timedelta(hours=1)).replace(tzinfo=None)
    assert not question.handled


def test_accents_and_punctuation_do_not_make_a_new_question(engine):
    record(engine, "¿Tienen estacionamiento?", "es")
    record(engine, "tienen estacionamiento", "es")
    record(engine, "TIENEN ESTACIONAMÍENTO!!", "es")
    assert _counts(engine) == [("¿Tienen estacionamiento?", "es", 3)]


def test_languages_are_kept_apart(engine):
    for language in ["es", "en", "es", None, "es", "fr"]:  # "fr" is no language of ours: unknown
        record(engine, "hola", language)
    assert _counts(engine) == [("hola", "es", 3), ("hola", None, 2), ("hola", "en", 1)]
    assert _counts(engine, language="en") == [("hola", "en", 1)]
    with pytest.raises(ValueError):
        unanswered(engine, language="fr")


def test_most_asked_first_then_most_recent(engine):
    record(engine, "old once", "en", now=T0)
    record(engine, "twice", "en", now=T0)
    record(engine, "twice", "en", now=T0 + timedelta(minutes=1))
    record(engine, "recent once", "en", now=T0 + timedelta(minutes=5))
    assert [q.text for q in unanswered(engine)] == ["twice", "recent once", "old once"]
    assert [q.text for q in unanswered(engine, limit=2)] == ["twice", "recent once"]


def test_handled_questions_are_listed_only_when_asked_for(engine):
    record(engine, "do you take medicare", "en")
    record(engine, "is there parking", "en")
    [first, second] = unanswered(engine)
    handled = mark_handled(engine, first.id)
    assert handled.handled and handled.id == first.id
    assert [q.id for q in unanswered(engine)] == [second.id]
    assert {q.id for q in unanswered(engine, include_handled=True)} == {first.id, second.id}
    assert mark_handled(engine, first.id).handled_at == handled.handled_at  # the first time counts
    assert mark_handled(engine, 999999) is None


def test_nothing_is_stored_about_who_asked(engine):
    record(engine, "call me at 212-555-0123, I'm Ana", "en")
    with engine.connect() as connection:
        [row] = connection.execute(select(unanswered_questions)).all()
    assert set(row._mapping) == {"id", "question_key", "language", "text", "count",
                                 "first_seen", "last_seen", "handled_at"}
    assert row.text == "call me at #, I'm [name]"
    assert "555" not in row.question_key and "ana" not in row.question_key


def test_punctuation_alone_is_not_a_question(engine):
    assert record(engine, "???", "en") is False
    assert record(engine, "  ", "en") is False
    assert unanswered(engine) == []


def test_twenty_patients_at_once_count_twenty(engine):
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda _: record(engine, "do you have parking", "en"), range(20)))
    assert _counts(engine) == [("do you have parking", "en", 20)]


@pytest.mark.parametrize("message, stored", [
    ("call me at (212) 555-0123 please", "call me at # please"),
    ("my number is +1 212.555.0123", "my number is #"),
    ("born 12/05/1980", "born #"),
    ("is it $450 or 45?", "is it $# or 45?"),
    ("write to ana.lopez+clinic@mail.example.com", "write to [email]"),
    ("My name is Ana López and I want to know the price",
     "My name is [name] and I want to know the price"),
    ("my name is ana lopez, is it safe?", "my name is [name], is it safe?"),
    ("I'm Bob Smith, what does it cost", "I'm [name], what does it cost"),
    ("I am Carla", "I am [name]"),
    ("Me llamo María José y tengo dudas", "Me llamo [name] y tengo dudas"),
    ("mi nombre es juan perez", "mi nombre es [name]"),
    ("Soy María de los Ángeles, ¿cuánto cuesta?", "Soy [name], ¿cuánto cuesta?"),
])
def test_numbers_addresses_and_names_are_scrubbed(message, stored):
    assert scrub(message) == stored


@pytest.mark.parametrize("message", [
    "I'm worried about the side effects",
    "I am not sure it is for me",
    "soy diabética, ¿puedo hacerlo?",
    "im from texas",
])
def test_words_after_im_or_soy_that_are_not_capitalised_are_kept(message):
    assert scrub(message) == message


def test_stored_text_is_one_line_of_at_most_300_characters():
    scrubbed = scrub("line one\nline two\x1b[31m " + "word " * 200)
    assert scrubbed.startswith("line one line two [31m word")
    assert len(scrubbed) == MAX_TEXT and "\n" not in scrubbed and "\x1b" not in scrubbed


def test_the_key_ignores_case_accents_and_punctuation():
    assert question_key("¿Cuánto  CUESTA, señor?") == question_key("cuanto cuesta senor") == (
        "cuanto cuesta senor")
    assert question_key("what's the side-effects") == "whats the side effects"
