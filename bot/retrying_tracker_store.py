"""Rasa's SQL tracker store, riding out a brief database outage instead of forgetting the
conversation.

When the tracker store raises, Rasa 3.6 (its FailSafeTrackerStore) answers the message as if the
conversation had just begun and keeps it in this process's memory only: the patient's form,
language and history are gone for that message, and what it said never reaches the database.
Here each read and write is tried again, with backoff, for up to `retry_seconds` while the
database is unreachable; only after that does Rasa's fallback take over. Retrying a write is safe:
Rasa writes only the events the database does not hold yet.

endpoints.production.yml: `tracker_store: {type: bot.retrying_tracker_store.RetryingSQLTrackerStore,
dialect: postgresql, ..., retry_seconds: 20}`.
"""

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Iterable, Optional, Text, TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DBAPIError

from bot.database import unreachable

logger = logging.getLogger(__name__)

Result = TypeVar("Result")
FIRST_DELAY_SECONDS = 0.25
MAX_DELAY_SECONDS = 4.0


class RetryingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Optional[Domain] = None, retry_seconds: float = 20,
                 **kwargs: Any) -> None:
        super().__init__(domain=domain, **kwargs)
        self.retry_seconds = float(retry_seconds)

    async def _retrying(self, operation: Callable[[], Awaitable[Result]]) -> Result:
        deadline = time.monotonic() + self.retry_seconds
        delay = FIRST_DELAY_SECONDS
        while True:
            try:
                return await operation()
            except DBAPIError as error:
                if not unreachable(error) or time.monotonic() + delay > deadline:
                    raise
                logger.warning("The conversation database is unreachable (%s); trying again "
                               "in %.2f s.", type(error.orig).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_DELAY_SECONDS)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrying(lambda: SQLTrackerStore.retrieve(self, sender_id))

    async def retrieve_full_tracker(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._retrying(
            lambda: SQLTrackerStore.retrieve_full_tracker(self, sender_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._retrying(lambda: SQLTrackerStore.save(self, tracker))

    async def keys(self) -> Iterable[Text]:
        return await self._retrying(lambda: SQLTrackerStore.keys(self))
