"""The tracker store that waits out a brief database outage (bot/retrying_tracker_store.py),
against the real PostgreSQL behind a switchable port."""

import asyncio
import threading
import time
import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError

from bot.retrying_tracker_store import RetryingSQLTrackerStore
from tests.services import require
from tests.tcp_switch import TcpSwitch


@pytest.fixture
def switch():
    require("postgresql")
    switch = TcpSwitch(5432)
    switch.open()
    yield switch
    switch.close()


def store_behind(switch: TcpSwitch, retry_seconds: float) -> RetryingSQLTrackerStore:
    return RetryingSQLTrackerStore(domain=Domain.empty(), dialect="postgresql", host="127.0.0.1",
                                   port=switch.port, db="test", username="postgres",
                                   retry_seconds=retry_seconds)


def said(tracker: DialogueStateTracker):
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


def test_a_brief_outage_is_waited_out_and_nothing_is_lost(switch):
    store, sender = store_behind(switch, retry_seconds=15), f"outage-{uuid.uuid4().hex}"
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("quiero agendar una cita")])
    asyncio.run(store.save(tracker))

    switch.cut()
    threading.Timer(1.5, switch.open).start()
    started = time.monotonic()
    tracker.update(UserUttered("Me llamo Ana López"))
    asyncio.run(store.save(tracker))
    waited = time.monotonic() - started

    assert waited >= 1.0
    assert said(asyncio.run(store.retrieve(sender))) == ["quiero agendar una cita",
                                                         "Me llamo Ana López"]


def test_an_outage_longer_than_the_retries_is_an_error_rasa_falls_back_on(switch):
    store, sender = store_behind(switch, retry_seconds=1), f"outage-{uuid.uuid4().hex}"
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, [UserUttered("hola")])))
    switch.cut()
    with pytest.raises(OperationalError):
        asyncio.run(store.retrieve(sender))
    switch.open()
    assert said(asyncio.run(store.retrieve(sender))) == ["hola"]
