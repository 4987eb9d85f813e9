"""The safety-flag table (bot/safety_flags.py) on a real SQLite file and, where it runs, PostgreSQL."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.database import engine_for
from bot.safety_flags import flagged_conversations, record_flag
from tests.services import postgres_engine



def _postgres_engine():
    return postgres_engine("safety_flags")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        return engine_for(f"sqlite:///{tmp_path / 'clinic.db'}")
    return _postgres_engine()


def test_crisis_flags_come_first_then_the_most_recent(engine):
    start = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    record_flag(engine, "emergency-newest", "medical_emergency", "en", "rest", now=start + timedelta(hours=2))
    record_flag(engine, "crisis-old", "crisis", "es", "rest", now=start)
    record_flag(engine, "crisis-new", "crisis", "en", "rest", now=start + timedelta(hours=1))
    flags = flagged_conversations(engine)
    assert [(f.conversation_id, f.kind) for f in flags] == [
        ("crisis-new", "crisis"), ("crisis-old", "crisis"), ("emergency-newest", "medical_emergency")]


def test_a_repeated_flag_is_counted_not_duplicated(engine):
    record_flag(engine, "patient", "crisis", "es", "rest")
    record_flag(engine, "patient", "crisis", "es", "twilio")
    [flag] = flagged_conversations(engine)
    assert flag.times == 2 and flag.channel == "twilio"


def test_an_unknown_kind_is_refused(engine):
    with pytest.raises(ValueError):
        record_flag(engine, "patient", "sadness")
