"""Conversations flagged for crisis or medical emergency, kept so staff can see them first."""

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy import Column, DateTime, Integer, String, Table, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.database import metadata

# Crisis first, then emergencies: the order staff should see them in.
KINDS = ("crisis", "medical_emergency")

safety_flags = Table(
    "safety_flags",
    metadata,
    Column("conversation_id", String(255), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("language", String(8)),
    Column("channel", String(64)),
    Column("first_flagged_at", DateTime(timezone=True), nullable=False),
    Column("last_flagged_at", DateTime(timezone=True), nullable=False),
    Column("times", Integer, nullable=False),
)


@dataclass(frozen=True)
class SafetyFlag:
    conversation_id: str
    kind: str
    language: Optional[str]
    channel: Optional[str]
    first_flagged_at: datetime
    last_flagged_at: datetime
    times: int


def record_flag(
    engine: Engine,
    conversation_id: str,
    kind: str,
    language: Optional[str] = None,
    channel: Optional[str] = None,
    now: Optional[datetime] = None,
) -> None:
    """Flags a conversation, or counts one more flag of that kind on it."""
    if kind not in KINDS:
        raise ValueError(f"Unknown safety flag kind {kind!r}; expected one of {KINDS}.")
    now = now or datetime.now(timezone.utc)
    key = (safety_flags.c.conversation_id == conversation_id) & (safety_flags.c.kind == kind)
    for _ in range(2):  # a concurrent first insert loses the race once, then updates
        with engine.begin() as connection:
            updated = connection.execute(
                update(safety_flags)
                .where(key)
                .values(last_flagged_at=now, times=safety_flags.c.times + 1,
                        language=language, channel=channel)
            ).rowcount
            if updated:
                return
            try:
                connection.execute(safety_flags.insert().values(
                    conversation_id=conversation_id, kind=kind, language=language,
                    channel=channel, first_flagged_at=now, last_flagged_at=now, times=1,
                ))
                return
            except IntegrityError:
                continue
    raise RuntimeError("Could not record the safety flag after a concurrent insert.")


def flagged_conversations(engine: Engine) -> List[SafetyFlag]:
    """Every flag, crisis before emergency, most recent first within each kind."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(safety_flags).order_by(safety_flags.c.last_flagged_at.desc())
        ).all()
    flags = [SafetyFlag(**row._mapping) for row in rows]
    return sorted(flags, key=lambda flag: KINDS.index(flag.kind))
