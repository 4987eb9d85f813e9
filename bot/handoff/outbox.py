"""Staff notifications for new booking requests: queued with the request, delivered with retries.

Targets come from the environment: `STAFF_WEBHOOK_URL` (a JSON POST) and/or `STAFF_EMAIL_TO`
with `SMTP_HOST` (`SMTP_PORT`, `SMTP_USER`, `SMTP_PASSWORD`, `SMTP_FROM`). With none set,
nothing is queued: the staff inbox alone shows requests. A failed delivery is retried with
exponential backoff (30 s, 1 min, 2 min, ... capped at 1 h) and never dropped; the request
itself is stored whatever happens here.
"""

import json
import logging
import os
import smtplib
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Dict, List, Optional

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text, select, update
from sqlalchemy.engine import Connection, Engine

from bot.database import metadata
from bot.handoff.store import BookingRequest, get

logger = logging.getLogger(__name__)

WEBHOOK = "webhook"
EMAIL = "email"
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("booking_request_id", Integer, ForeignKey("booking_requests.id", ondelete="CASCADE"),
           nullable=False),
    Column("target", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
    Column("delivered_at", DateTime(timezone=True)),
    Column("last_error", Text),
)


@dataclass(frozen=True)
class Targets:
    webhook_url: Optional[str] = None
    email_to: Optional[str] = None
    smtp_host: Optional[str] = None
    smtp_port: int = 587
    smtp_user: Optional[str] = None
    smtp_password: Optional[str] = None
    smtp_from: str = "assistant@localhost"

    @classmethod
    def from_environment(cls, environ: Optional[Dict[str, str]] = None) -> "Targets":
        env = os.environ if environ is None else environ
        return cls(
            webhook_url=env.get("STAFF_WEBHOOK_URL") or None,
            email_to=env.get("STAFF_EMAIL_TO") or None,
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=int(env.get("SMTP_PORT") or 587),
            smtp_user=env.get("SMTP_USER") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_from=env.get("SMTP_FROM") or "assistant@localhost",
        )

    def names(self) -> List[str]:
        names = [WEBHOOK] if self.webhook_url else []
        return names + ([EMAIL] if self.email_to and self.smtp_host else [])


def queue_notifications(connection: Connection, request: BookingRequest,
                        targets: Optional[Targets] = None) -> None:
    """Queues one delivery per configured target, in the request's own transaction."""
    now = datetime.now(timezone.utc)
    for target in (targets or Targets.from_environment()).names():
        connection.execute(outbox.insert().values(
            booking_request_id=request.id, target=target, attempts=0, next_attempt_at=now))


def payload(request: BookingRequest) -> Dict[str, object]:
    """What staff are sent: everything they need to call back."""
    return {
        "id": request.id, "created_at": request.created_at.isoformat() if request.created_at else None,
        "status": request.status, "name": request.name, "phone": request.phone,
        "best_time": request.best_time, "reason": request.reason, "language": request.language,
        "channel": request.channel, "conversation_id": request.conversation_id,
    }


def deliver_due(engine: Engine, targets: Optional[Targets] = None,
                now: Optional[datetime] = None) -> int:
    """Tries every delivery that is due; returns how many succeeded. Blocking: run in a thread."""
    targets = targets or Targets.from_environment()
    now = now or datetime.now(timezone.utc)
    with engine.connect() as connection:
        due = connection.execute(
            select(outbox).where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.id)
        ).all()
    delivered = 0
    for row in due:
        request = get(engine, row.booking_request_id)
        error = None
        try:
            if request is None:
                error = "request purged"
            else:
                _send(row.target, request, targets)
        except Exception as failure:  # noqa: BLE001 — any failure is retried later
            error = type(failure).__name__
        with engine.begin() as connection:
            if error is None or error == "request purged":
                connection.execute(update(outbox).where(outbox.c.id == row.id).values(
                    delivered_at=now, attempts=row.attempts + 1, last_error=error))
                delivered += error is None
            else:
                delay = min(FIRST_RETRY_SECONDS * 2 ** row.attempts, MAX_RETRY_SECONDS)
                connection.execute(update(outbox).where(outbox.c.id == row.id).values(
                    attempts=row.attempts + 1, last_error=error,
                    next_attempt_at=now + timedelta(seconds=delay)))
                logger.warning("Staff %s for request %s failed (%s); retry in %d s.",
                               row.target, row.booking_request_id, error, delay)
    return delivered


def pending(engine: Engine) -> List[dict]:
    with engine.connect() as connection:
        rows = connection.execute(select(outbox).where(outbox.c.delivered_at.is_(None))).all()
    return [dict(row._mapping) for row in rows]


def _send(target: str, request: BookingRequest, targets: Targets) -> None:
    body = payload(request)
    if target == WEBHOOK:
        if not targets.webhook_url:
            raise RuntimeError("STAFF_WEBHOOK_URL is no longer set")
        data = json.dumps(body).encode()
        http_request = urllib.request.Request(targets.webhook_url, data=data, method="POST",
                                              headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(http_request, timeout=10) as response:
            if not 200 <= response.status < 300:
                raise RuntimeError(f"HTTP {response.status}")
    elif target == EMAIL:
        if not (targets.email_to and targets.smtp_host):
            raise RuntimeError("STAFF_EMAIL_TO or SMTP_HOST is no longer set")
        message = EmailMessage()
        message["Subject"] = f"New booking request #{request.id}"
        message["From"] = targets.smtp_from
        message["To"] = targets.email_to
        message.set_content("\n".join(f"{key}: {value}" for key, value in body.items()))
        with smtplib.SMTP(targets.smtp_host, targets.smtp_port, timeout=10) as smtp:
            if targets.smtp_user:
                smtp.starttls()
                smtp.login(targets.smtp_user, targets.smtp_password or "")
            smtp.send_message(message)
    else:
        raise ValueError(f"Unknown notification target {target!r}")
