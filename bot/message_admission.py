"""A few messages are handled at a time; the others wait their turn in the order they came.

Rasa handles every message on one event loop, and starts each as soon as it arrives: with 20
patients writing at once, 20 messages advance together, a step at a time, each step queued
behind every other message's. A message with more steps waits more rounds: a booking form's
turn calls the action server two or three times and came last. With only a few messages in
hand, a message waits once, in the queue, and then goes through quickly; answers come back in
arrival order. With 20 senders, 6 at a time cut p95 by a fifth (README, "Measured").

The limit counts messages between Rasa's conversation lock and the answer, across every channel
(REST, web chat, SMS), in one process. `MESSAGE_CONCURRENCY` sets it; 0 turns the limit off.
"""

import asyncio
import logging
import os
import weakref
from typing import Dict, Optional

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 6
ENVIRONMENT_VARIABLE = "MESSAGE_CONCURRENCY"


def concurrency_from_environment(environ: Optional[Dict[str, str]] = None) -> int:
    value = (os.environ if environ is None else environ).get(ENVIRONMENT_VARIABLE, "")
    if not value.strip():
        return DEFAULT_CONCURRENCY
    try:
        concurrency = int(value)
    except ValueError:
        concurrency = -1
    if concurrency < 0:
        raise ValueError(f"{ENVIRONMENT_VARIABLE} must be a whole number, 0 for no limit "
                         f"(default {DEFAULT_CONCURRENCY}), not {value!r}")
    return concurrency


def apply(concurrency: Optional[int] = None) -> None:
    """Patches Rasa's `MessageProcessor.handle_message` (idempotent; Rasa 3.6.21 is pinned).

    The limit is read from the environment once, when this is first applied.
    """
    from rasa.core.processor import MessageProcessor

    if getattr(MessageProcessor.handle_message, "admitted", False):
        return
    concurrency = concurrency_from_environment() if concurrency is None else concurrency
    if concurrency == 0:
        return
    handle_message = MessageProcessor.handle_message
    # A semaphore belongs to the event loop it first waits on, and tests run several loops.
    # Python 3.10.13's lets waiters in strictly in arrival order: a newcomer does not take a
    # slot freed before an older waiter has woken up.
    limiters: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
        weakref.WeakKeyDictionary())

    async def admitted_handle_message(self, message):
        loop = asyncio.get_running_loop()
        if loop not in limiters:
            limiters[loop] = asyncio.Semaphore(concurrency)
        async with limiters[loop]:
            return await handle_message(self, message)

    admitted_handle_message.admitted = True
    MessageProcessor.handle_message = admitted_handle_message
    logger.debug("At most %d messages are handled at a time.", concurrency)
