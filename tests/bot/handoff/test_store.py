"""Booking requests (bot/handoff/store.py) on a real SQLite file and, where it runs, PostgreSQL."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.database import engine_for
from bot.handoff import store
from bot.handoff.store import BookingRequest
from tests.services import postgres_engine



@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        return engine_for(f"sqlite:///{tmp_path / 'clinic.db'}")
    return postgres_engine("outbox", "booking_requests")


def _request(key="k1", **changes):
    fields = dict(conversation_id="c1", submission_key=key, name="Ana López",
                  phone="+12125550123", best_time="tardes", consent=True, reason=None,
                  language="es", channel="rest")
    return BookingRequest(**{**fields, **changes})


def test_a_request_is_stored_new_with_every_field(engine):
    stored = store.save(engine, _request(reason="costo"))
    again = store.get(engine, stored.id)
    assert (again.status, again.name, again.phone, again.reason, again.language) == (
        "new", "Ana López", "+12125550123", "costo", "es")


def test_a_double_submit_creates_no_duplicate(engine):
    first = store.save(engine, _request())
    second = store.save(engine, _request())
    assert second.id == first.id
    assert len(store.newest_first(engine)) == 1


def test_newest_first_with_a_status_filter(engine):
    old = store.save(engine, _request("a"))
    new = store.save(engine, _request("b"))
    store.set_status(engine, old.id, "contacted")
    assert [r.id for r in store.newest_first(engine)] == [new.id, old.id]
    assert [r.id for r in store.newest_first(engine, status="contacted")] == [old.id]


def test_unknown_status_and_missing_consent_are_refused(engine):
    stored = store.save(engine, _request())
    with pytest.raises(ValueError):
        store.set_status(engine, stored.id, "lost")
    with pytest.raises(ValueError):
        store.save(engine, _request("other", consent=False))
    assert store.set_status(engine, 99999, "closed") is None


def test_purge_removes_only_requests_past_retention(engine):
    stored = store.save(engine, _request())
    assert store.purge_older_than(engine, days=30) == 0
    later = datetime.now(timezone.utc) + timedelta(days=31)
    assert store.purge_older_than(engine, days=30, now=later) == 1
    assert store.get(engine, stored.id) is None
