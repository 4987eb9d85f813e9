"""Rasa's SQL tracker store for a single Rasa process: the current session of recent
conversations is also kept in memory, so answering a message reads nothing from the database.

Rasa's SQLTrackerStore queries the database twice per message (the conversation's events to
rebuild it, then a count of them to know which events are new) and builds an ORM object per
event: about 15% of the CPU of a served message (README, "Measured"). Here every event is still
written to the database before the answer goes out, exactly as Rasa writes it, and a restarted
process reads the conversations back from it; only the reading is served from memory: the
tracker object last saved when nothing changed it since, else one rebuilt from the stored events
(rebuilding took 8% of the CPU). The writing is one statement per message, in a thread of its
own, so that the event loop answers other patients while the commit waits for the disk.

Only for one process writing to the database: the embedded default (`endpoints.yml`). Several
Rasa instances share a database in production, where another instance may have answered the
conversation's last message; they use `bot.retrying_tracker_store.RetryingSQLTrackerStore`.
"""

import asyncio
import json
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import SingletonThreadPool


def use_write_ahead_log(engine: Engine) -> None:
    """Switches a SQLite file to write-ahead logging (it stays so; every connection gets it).

    In SQLite's default mode a commit creates, syncs and deletes a journal file: 1.9 ms on this
    machine, during which Rasa's event loop answers nobody. With the log, a commit appends and
    syncs once (0.14 ms) and is just as durable (`synchronous` stays FULL); readers, such as the
    staff inbox, no longer wait for a writer either.
    """
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Optional[Domain] = None, cached_conversations: int = 256,
                 **kwargs: Any) -> None:
        # sender id → the tracker object last saved, if nothing changed it since.
        self._saved_trackers: Dict[Text, DialogueStateTracker] = {}
        super().__init__(domain=domain, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens and closes a SQLite file's connection for every session, and
            # the last one closed checkpoints the log: 5% of the CPU. One per thread is kept.
            self.engine = create_engine(self.engine.url, poolclass=SingletonThreadPool)
            self.sessionmaker = sessionmaker(bind=self.engine)
            use_write_ahead_log(self.engine)
        self.cached_conversations = int(cached_conversations)
        # sender id → its current session's events as stored (JSON), least recently used first.
        self._sessions: "OrderedDict[Text, List[Text]]" = OrderedDict()
        # One thread writes, so a commit's wait for the disk does not stop the event loop.
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="tracker-writer")

    @property
    def domain(self) -> Domain:
        return self._domain

    @domain.setter
    def domain(self, domain: Domain) -> None:
        # A new model may bring other slots: trackers built with the old ones are dropped.
        self._domain = domain or Domain.empty()
        self._saved_trackers.clear()

    async def _retrieve(self, sender_id: Text,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        if fetch_events_from_all_sessions:  # the HTTP API's full history: from the database
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        stored = self._sessions.get(sender_id)
        if stored is None:
            with self.session_scope() as session:
                stored = [row.data for row in self._event_query(session, sender_id, False)]
            self._remember(sender_id, stored)
        else:
            self._sessions.move_to_end(sender_id)
        if not (self.domain and stored):
            return None
        # The tracker last saved, as it was saved, is handed out once: whoever takes it may
        # change it, and the next taker gets it only after it is saved again.
        saved = self._saved_trackers.pop(sender_id, None)
        if saved is not None and len(saved.events) == len(stored):
            return saved
        return DialogueStateTracker.from_dict(
            sender_id, [json.loads(data) for data in stored], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        self._saved_trackers.pop(sender_id, None)
        stored = self._sessions.get(sender_id)
        known = None if stored is None else len(stored)
        # A list now: the tracker may change while the writer thread works.
        events = list(tracker.events)
        written = await asyncio.get_running_loop().run_in_executor(
            self._writer, self._write, sender_id, events, known)
        new_events = events[len(events) - len(written):]
        if stored is None or any(isinstance(event, SessionStarted) for event in new_events):
            # A new session changes which events make up "the current session": read it back.
            self._sessions.pop(sender_id, None)
        else:
            stored.extend(written)
            if len(stored) == len(tracker.events):
                self._saved_trackers[sender_id] = tracker

    def _write(self, sender_id: Text, events: List[Any], known: Optional[int]) -> List[Text]:
        """Writes the events not yet stored, in one statement, and returns them as stored."""
        with self.session_scope() as session:
            if known is None:
                known = self._event_query(session, sender_id, False).count()
            rows = [self._row(sender_id, event) for event in events[known:]]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
                session.commit()
        return [row["data"] for row in rows]

    @staticmethod
    def _row(sender_id: Text, event) -> Dict[Text, Any]:
        """The database row Rasa's SQLTrackerStore writes for an event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _remember(self, sender_id: Text, stored: List[Text]) -> None:
        self._sessions[sender_id] = stored
        while len(self._sessions) > self.cached_conversations:
            forgotten, _ = self._sessions.popitem(last=False)
            self._saved_trackers.pop(forgotten, None)
