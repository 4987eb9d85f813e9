"""The staff command line (bot/staff/__main__.py): retention purge on a real SQLite file."""

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import update

from bot.database import DATABASE_URL_VARIABLE, engine_for
from bot.handoff import store
from bot.handoff.store import BookingRequest, booking_requests

ROOT = Path(__file__).resolve().parents[3]


def test_purge_deletes_requests_older_than_the_retention_setting(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    engine = engine_for(url)
    old, recent = (store.save(engine, BookingRequest(
        conversation_id=f"c{i}", submission_key=f"k{i}", name="Ana", phone="+12125550123",
        best_time="tardes", consent=True)) for i in range(2))
    with engine.begin() as connection:
        connection.execute(update(booking_requests).where(booking_requests.c.id == old.id)
                           .values(created_at=datetime.now(timezone.utc) - timedelta(days=40)))
    env = {**os.environ, DATABASE_URL_VARIABLE: url, "BOOKING_RETENTION_DAYS": "30"}
    result = subprocess.run([sys.executable, "-m", "bot.staff", "purge"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Removed 1" in result.stdout
    assert [r.id for r in store.newest_first(engine)] == [recent.id]
