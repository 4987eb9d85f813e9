"""The atomic Redis lock store (bot/redis_lock_store.py) against a real Redis."""

import asyncio
import threading
import uuid

import pytest
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from bot.redis_lock_store import AtomicRedisLockStore
from tests.services import require
from tests.tcp_switch import TcpSwitch


@pytest.fixture
def store():
    require("redis")
    return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=1,
                                               key_prefix=f"test{uuid.uuid4().hex[:8]}"))


def test_tickets_issued_at_once_from_many_clients_are_all_different(store):
    conversation, tickets = f"c-{uuid.uuid4().hex}", []
    # One store per thread: separate connections, as separate Rasa instances have.
    stores = [AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=6379, db=1,
                                                  key_prefix=store.key_prefix.split(":")[0]))
              for _ in range(20)]
    start = threading.Barrier(len(stores))

    def take(each):
        start.wait()
        tickets.append(each.issue_ticket(conversation))

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(tickets) == list(range(20))


def test_the_lock_serves_one_holder_at_a_time_and_is_deleted_after_the_last(store):
    conversation, inside, overlaps = f"c-{uuid.uuid4().hex}", [], []

    async def hold(number):
        async with store.lock(conversation, wait_time_in_seconds=0.01):
            if inside:
                overlaps.append(number)
            inside.append(number)
            await asyncio.sleep(0.02)
            inside.remove(number)

    async def main():
        await asyncio.gather(*(hold(n) for n in range(6)))

    asyncio.run(main())

    assert not overlaps
    assert store.get_lock(conversation) is None


def test_a_brief_redis_outage_is_waited_out(store):
    switch = TcpSwitch(6379)
    switch.open()
    try:
        behind = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=switch.port, db=1,
                                                     key_prefix=store.key_prefix.split(":")[0],
                                                     unreachable_seconds=10))
        conversation = f"c-{uuid.uuid4().hex}"
        switch.cut()
        threading.Timer(1.0, switch.open).start()
        assert behind.issue_ticket(conversation) == 0
        switch.cut()
        behind.unreachable_seconds = 0.5
        with pytest.raises(LockError, match="unreachable"):
            behind.issue_ticket(conversation)
    finally:
        switch.close()
