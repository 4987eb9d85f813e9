"""The staff command line (bot/staff/__main__.py): retention purge and the unanswered questions,
on a real SQLite file."""

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import update

from bot.database import DATABASE_URL_VARIABLE, engine_for
from bot.handoff import store
from bot.handoff.store import BookingRequest, booking_requests
from bot.unanswered import mark_handled, record, unanswered

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


def _staff_command(url, *arguments):
    env = {**os.environ, DATABASE_URL_VARIABLE: url}
    result = subprocess.run([sys.executable, "-m", "bot.staff", *arguments], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_unanswered_lists_the_most_asked_first_with_language_and_date(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    engine = engine_for(url)
    when = datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc)
    for message, language in [("¿Tienen estacionamiento?", "es"), ("tienen estacionamiento", "es"),
                              ("do you take medicare", "en"), ("asdf", None)]:
        record(engine, message, language, now=when)
    lines = _staff_command(url, "unanswered")
    assert lines[0].split() == ["count", "lang", "last", "seen", "text"]
    assert lines[1].split(maxsplit=3) == ["2", "es", "2026-11-20", "¿Tienen estacionamiento?"]
    assert sorted(line.split(maxsplit=3)[1:] for line in lines[2:]) == [
        ["?", "2026-11-20", "asdf"], ["en", "2026-11-20", "do you take medicare"]]
    english = _staff_command(url, "unanswered", "--language", "en")
    assert [line.split()[-1] for line in english[1:]] == ["medicare"]
    assert len(_staff_command(url, "unanswered", "--limit", "1")) == 2


def test_unanswered_hides_handled_questions_unless_all(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    engine = engine_for(url)
    record(engine, "do you take medicare", "en")
    mark_handled(engine, unanswered(engine)[0].id)
    assert _staff_command(url, "unanswered") == ["No unanswered questions."]
    assert "do you take medicare" in _staff_command(url, "unanswered", "--all")[1]
