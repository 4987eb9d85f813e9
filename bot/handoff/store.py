"""Booking requests: stored before the patient is told, one row per submitted form, staff status.

Each submission carries a key (conversation + form start) that is unique in the table, so a
double submit or a retried webhook finds the existing request instead of creating a second one.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import (
    Boolean, Column, DateTime, Integer, String, Table, Text, delete, select, update
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.database import metadata

STATUSES = ("new", "contacted", "booked", "closed")

booking_requests = Table(
    "booking_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_key", String(255), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, default="new", index=True),
    Column("conversation_id", String(255), nullable=False),
    Column("channel", String(64)),
    Column("language", String(8)),
    Column("name", String(200), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("best_time", Text, nullable=False),
    Column("reason", Text),
    Column("consent", Boolean, nullable=False),
)


@dataclass
class BookingRequest:
    conversation_id: str
    submission_key: str
    name: str
    phone: str  # E.164
    best_time: str
    consent: bool
    reason: Optional[str] = None
    language: Optional[str] = None
    channel: Optional[str] = None
    status: str = "new"
    id: Optional[int] = None
    created_at: Optional[datetime] = None
    updated_at: Optional[datetime] = None


_COLUMNS = [c.name for c in booking_requests.columns]


def _from_row(row) -> BookingRequest:
    return BookingRequest(**{name: row._mapping[name] for name in _COLUMNS})


def save(engine: Engine, request: BookingRequest, on_insert=None) -> BookingRequest:
    """Stores the request, or returns the one already stored under its submission key.

    `on_insert(connection, stored)` runs in the same transaction as a new row (the outbox uses
    it), so a request and its notifications are stored together or not at all.
    """
    if not request.consent:
        raise ValueError("A booking request needs the patient's consent to be contacted.")
    now = datetime.now(timezone.utc)
    values = {name: getattr(request, name) for name in _COLUMNS if name != "id"}
    values.update(created_at=now, updated_at=now, status="new")
    try:
        with engine.begin() as connection:
            new_id = connection.execute(booking_requests.insert().values(**values)).inserted_primary_key[0]
            stored = BookingRequest(**{**values, "id": new_id})
            if on_insert:
                on_insert(connection, stored)
            return stored
    except IntegrityError:
        existing = find_by_submission(engine, request.submission_key)
        if existing is None:
            raise
        return existing


def find_by_submission(engine: Engine, submission_key: str) -> Optional[BookingRequest]:
    with engine.connect() as connection:
        row = connection.execute(
            select(booking_requests).where(booking_requests.c.submission_key == submission_key)
        ).first()
    return _from_row(row) if row else None


def get(engine: Engine, request_id: int) -> Optional[BookingRequest]:
    with engine.connect() as connection:
        row = connection.execute(
            select(booking_requests).where(booking_requests.c.id == request_id)
        ).first()
    return _from_row(row) if row else None


def newest_first(engine: Engine, status: Optional[str] = None, limit: int = 500) -> List[BookingRequest]:
    query = select(booking_requests).order_by(booking_requests.c.created_at.desc(),
                                              booking_requests.c.id.desc()).limit(limit)
    if status:
        query = query.where(booking_requests.c.status == status)
    with engine.connect() as connection:
        return [_from_row(row) for row in connection.execute(query)]


def set_status(engine: Engine, request_id: int, status: str) -> Optional[BookingRequest]:
    if status not in STATUSES:
        raise ValueError(f"Unknown status {status!r}; expected one of {', '.join(STATUSES)}.")
    with engine.begin() as connection:
        changed = connection.execute(
            update(booking_requests).where(booking_requests.c.id == request_id)
            .values(status=status, updated_at=datetime.now(timezone.utc))
        ).rowcount
    return get(engine, request_id) if changed else None


def purge_older_than(engine: Engine, days: int, now: Optional[datetime] = None) -> int:
    """Deletes requests created more than `days` ago; returns how many."""
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    old = select(booking_requests.c.id).where(booking_requests.c.created_at < cutoff)
    outbox = metadata.tables.get("outbox")  # SQLite does not cascade foreign keys by default
    with engine.begin() as connection:
        if outbox is not None:
            connection.execute(delete(outbox).where(outbox.c.booking_request_id.in_(old)))
        return connection.execute(
            delete(booking_requests).where(booking_requests.c.created_at < cutoff)
        ).rowcount
