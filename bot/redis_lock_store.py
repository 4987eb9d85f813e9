"""A Redis lock store whose ticket changes are atomic, so two Rasa instances never process two
messages of one conversation at the same time.

Rasa 3.6's RedisLockStore changes a conversation's lock by reading it, changing it in Python and
writing it back. Two instances taking a message each for the same conversation both read "no
tickets", both issue ticket 0 and both go ahead: each then saves the conversation without the
other's turn (tests/bot/test_production.py lost 2 of 8 concurrent messages that way). Here every
change runs in one Redis transaction (WATCH/MULTI) and is retried if another instance changed the
lock meanwhile. (Rasa's fix, ConcurrentRedisLockStore, is not in Rasa Open Source 3.6.)

endpoints.production.yml: `lock_store: {type: bot.redis_lock_store.AtomicRedisLockStore, ...}`
with RedisLockStore's settings (url, port, db, password, key_prefix).
"""

import json
import logging
import time
from typing import Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

Result = TypeVar("Result")
# A change gets the stored lock (None if there is none) and returns its result and the lock to
# store (None deletes it).
Change = Callable[[Optional[TicketLock]], Tuple[Result, Optional[TicketLock]]]


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = dict(endpoint_config.kwargs)
        # How long an unreachable Redis is waited for before the message fails with a LockError.
        self.unreachable_seconds = float(settings.pop("unreachable_seconds", 5))
        super().__init__(host=endpoint_config.url or "localhost", **settings)

    def _reachable(self, operation: Callable[[], Result]) -> Result:
        """Runs `operation`, waiting out a brief Redis outage; then a LockError that says so."""
        import redis

        deadline, delay = time.monotonic() + self.unreachable_seconds, 0.1
        while True:
            try:
                return operation()
            except (redis.ConnectionError, redis.TimeoutError) as error:
                if time.monotonic() + delay > deadline:
                    raise LockError(f"The lock store (Redis) is unreachable: {error}") from error
                logger.warning("Redis is unreachable (%s); trying again in %.1f s.",
                               type(error).__name__, delay)
                time.sleep(delay)  # Rasa calls the lock store synchronously
                delay = min(delay * 2, 1.0)

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        return self._reachable(lambda: RedisLockStore.get_lock(self, conversation_id))

    def _change(self, conversation_id: Text, change: Change) -> Result:
        return self._reachable(lambda: self._change_once(conversation_id, change))

    def _change_once(self, conversation_id: Text, change: Change) -> Result:
        import redis

        key = self.key_prefix + conversation_id
        with self.red.pipeline() as transaction:
            while True:
                try:
                    transaction.watch(key)
                    stored = transaction.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    result, changed = change(lock)
                    transaction.multi()
                    if changed is None:
                        transaction.delete(key)
                    else:
                        transaction.set(key, changed.dumps())
                    transaction.execute()
                    return result
                except redis.WatchError:
                    logger.debug("Lock of a conversation changed meanwhile; trying again.")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def issue(lock: Optional[TicketLock]):
            lock = lock or TicketLock(conversation_id)
            return lock.issue_ticket(lock_lifetime), lock

        try:
            return self._change(conversation_id, issue)
        except Exception as error:  # as Rasa's: any failure to issue is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]):
            if lock:
                lock.remove_expired_tickets()
            return None, lock

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: Optional[TicketLock]):
            if lock:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Finishes the ticket, and deletes the lock if nobody waits: one step, not two."""
        def finish_and_maybe_delete(lock: Optional[TicketLock]):
            if lock:
                lock.remove_ticket_for(ticket_number)
            return None, lock if lock and lock.is_someone_waiting() else None

        self._change(conversation_id, finish_and_maybe_delete)
