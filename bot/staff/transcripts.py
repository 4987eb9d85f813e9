"""Conversation transcripts for staff, read from Rasa's SQL tracker store (the `events` table)."""

import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine


@dataclass(frozen=True)
class Line:
    speaker: str  # "patient" or "assistant"
    text: str
    timestamp: float


def tracker_store_url(endpoints_file: str = "endpoints.yml") -> Optional[str]:
    """The SQLAlchemy URL of the tracker store `endpoints.yml` configures, if it is SQL.

    Read as Rasa reads it, `${VARIABLE}`s filled from the environment (endpoints.production.yml).
    """
    from rasa.shared.utils.io import read_yaml_file

    path = Path(endpoints_file)
    if not path.is_file():
        return None
    config = (read_yaml_file(path) or {}).get("tracker_store") or {}
    if not _is_sql_store(str(config.get("type", ""))):
        return None
    dialect = config.get("dialect", "sqlite")
    if dialect == "sqlite":
        return f"sqlite:///{config.get('db', 'rasa.db')}"
    return str(URL.create(dialect, username=config.get("username"), password=config.get("password"),
                          host=config.get("url"), port=int(config["port"]) if config.get("port") else None,
                          database=config.get("db")))


def _is_sql_store(store_type: str) -> bool:
    """`SQL`, or one of this project's SQLTrackerStore subclasses named by module path."""
    if store_type.lower() == "sql":
        return True
    module, _, name = store_type.rpartition(".")
    if not module.startswith("bot."):
        return False
    from rasa.core.tracker_store import SQLTrackerStore

    store = getattr(importlib.import_module(module), name, None)
    return isinstance(store, type) and issubclass(store, SQLTrackerStore)


class Transcripts:
    def __init__(self, url: Optional[str]) -> None:
        self._engine: Optional[Engine] = create_engine(url, future=True) if url else None

    def of(self, conversation_id: str, limit: int = 400) -> List[Line]:
        """What the patient and the assistant said, oldest first (empty if unknown)."""
        if self._engine is None:
            return []
        query = text("SELECT type_name, data FROM events WHERE sender_id = :sender "
                     "AND type_name IN ('user', 'bot') ORDER BY id DESC LIMIT :limit")
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(query, {"sender": conversation_id, "limit": limit}).all()
        except Exception:  # noqa: BLE001 — no events table yet: nobody has talked
            return []
        lines = []
        for type_name, data in reversed(rows):
            event = json.loads(data)
            lines.append(Line("patient" if type_name == "user" else "assistant",
                              event.get("text") or "", event.get("timestamp") or 0.0))
        return lines
