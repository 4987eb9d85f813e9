"""Numbers that texted STOP (or PARAR, BAJA, ...): stored, so the opt-out survives restarts."""

from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, String, Table, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.database import metadata

sms_opt_outs = Table(
    "sms_opt_outs",
    metadata,
    Column("phone", String(32), primary_key=True),
    Column("opted_out_at", DateTime(timezone=True), nullable=False),
)


def opt_out(engine: Engine, phone: str) -> None:
    try:
        with engine.begin() as connection:
            connection.execute(sms_opt_outs.insert().values(
                phone=phone, opted_out_at=datetime.now(timezone.utc)))
    except IntegrityError:
        pass  # already opted out


def opt_in(engine: Engine, phone: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(sms_opt_outs).where(sms_opt_outs.c.phone == phone))


def is_opted_out(engine: Engine, phone: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            select(sms_opt_outs.c.phone).where(sms_opt_outs.c.phone == phone)).first()
    return found is not None
