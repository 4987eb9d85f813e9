"""The single-process SQL tracker store (bot/cached_tracker_store.py), on a real SQLite file,
checked against what Rasa's own SQLTrackerStore reads from the same file."""

import asyncio

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from sqlalchemy import event

from bot.cached_tracker_store import CachedSQLTrackerStore

DOMAIN = Domain.from_dict(
    {"slots": {"language": {"type": "text", "mappings": [{"type": "custom"}]}}})


def _events(tracker):
    return [e.as_dict() for e in tracker.events]


@pytest.fixture
def database(tmp_path):
    return str(tmp_path / "conversations.db")


def _store(database, **kwargs):
    return CachedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=database, **kwargs)


def _queries(store):
    """A list that fills with each SQL statement the store sends."""
    sent = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent


def _turn(store, sender, text, reply, language="es"):
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 0.9}))
    tracker.update(SlotSet("language", language))
    tracker.update(BotUttered(reply))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    return tracker


def test_what_it_writes_is_what_rasa_reads_back(database):
    store = _store(database)
    _turn(store, "ana", "hola", "¡Hola!")
    spoken = _turn(store, "ana", "gracias", "De nada", language="es")
    rasa_store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=database)
    from_rasa = asyncio.run(rasa_store.retrieve("ana"))
    assert _events(from_rasa) == _events(spoken)
    assert _events(asyncio.run(store.retrieve("ana"))) == _events(spoken)
    assert from_rasa.get_slot("language") == "es"


def test_a_known_conversation_is_answered_without_reading_the_database(database):
    store = _store(database)
    _turn(store, "ana", "hola", "¡Hola!")
    sent = _queries(store)
    tracker = asyncio.run(store.retrieve("ana"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hola"]
    assert sent == []
    spoken = _turn(store, "ana", "gracias", "De nada")
    assert [q.split()[0] for q in sent] == ["INSERT"]  # the four new events, nothing read
    rasa_store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=database)
    assert _events(asyncio.run(rasa_store.retrieve("ana"))) == _events(spoken)


def test_a_restarted_process_reads_the_conversation_back(database):
    _turn(_store(database), "ana", "hola", "¡Hola!")
    restarted = _store(database)
    tracker = asyncio.run(restarted.retrieve("ana"))
    assert tracker.get_slot("language") == "es"
    _turn(restarted, "ana", "gracias", "De nada")  # no event written twice
    rasa_store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=database)
    texts = [e.text for e in asyncio.run(rasa_store.retrieve("ana")).events
             if isinstance(e, UserUttered)]
    assert texts == ["hola", "gracias"]


def test_a_new_session_starts_from_its_own_events(database):
    store = _store(database)
    _turn(store, "ana", "hola", "¡Hola!")
    tracker = asyncio.run(store.retrieve("ana"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(store.save(tracker))
    cached = asyncio.run(store.retrieve("ana"))
    from_rasa = asyncio.run(SQLTrackerStore(DOMAIN, dialect="sqlite", db=database).retrieve("ana"))
    assert _events(cached) == _events(from_rasa)
    assert not any(isinstance(e, UserUttered) for e in cached.events)


def test_the_full_history_and_unknown_senders_come_from_the_database(database):
    store = _store(database)
    assert asyncio.run(store.retrieve("nobody")) is None
    _turn(store, "ana", "hola", "¡Hola!")
    full = asyncio.run(store.retrieve_full_tracker("ana"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["hola"]


def test_only_the_most_recent_conversations_are_kept(database):
    store = _store(database, cached_conversations=2)
    for sender in ("a", "b", "c"):
        _turn(store, sender, "hola", "¡Hola!")
        asyncio.run(store.retrieve(sender))
    sent = _queries(store)
    asyncio.run(store.retrieve("c"))
    assert sent == []
    assert [e.text for e in asyncio.run(store.retrieve("a")).events
            if isinstance(e, UserUttered)] == ["hola"]
    assert sent  # "a" was forgotten, so it was read back


def test_a_sqlite_file_is_switched_to_the_write_ahead_log(database):
    import sqlite3

    spoken = _turn(_store(database), "ana", "hola", "¡Hola!")
    with sqlite3.connect(database) as connection:  # a connection of its own: the file's mode
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT count(*) FROM events").fetchone()[0] == len(spoken.events)


def test_turns_reuse_one_sqlite_connection(database):
    store = _store(database)
    opened = []
    event.listen(store.engine, "connect", lambda *args: opened.append(args))
    for text in ("hola", "gracias", "adiós"):
        _turn(store, "ana", text, "ok")
    _turn(store, "luis", "hola", "¡Hola!")  # not cached: read from the database
    assert len(opened) <= 2  # one for reading, one in the writer thread


def test_the_saved_tracker_is_handed_out_once_and_only_as_saved(database):
    store = _store(database)
    saved = _turn(store, "ana", "hola", "¡Hola!")
    taken = asyncio.run(store.retrieve("ana"))
    assert taken is saved  # nothing rebuilt
    other = asyncio.run(store.retrieve("ana"))  # while the first taker may still change it
    assert other is not taken and _events(other) == _events(saved)
    taken.update(UserUttered("no guardado"))  # changed, never saved
    again = asyncio.run(store.retrieve("ana"))
    assert not any(getattr(e, "text", None) == "no guardado" for e in again.events)
    assert _events(again) == _events(other)


def test_a_new_domain_drops_the_saved_trackers(database):
    store = _store(database)
    saved = _turn(store, "ana", "hola", "¡Hola!")
    store.domain = Domain.from_dict(
        {"slots": {"language": {"type": "text", "mappings": [{"type": "custom"}]},
                   "phone": {"type": "text", "mappings": [{"type": "custom"}]}}})
    rebuilt = asyncio.run(store.retrieve("ana"))
    assert rebuilt is not saved and "phone" in rebuilt.slots
    assert rebuilt.get_slot("language") == "es"
