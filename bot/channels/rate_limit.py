"""A per-sender sliding-window rate limit, so two auto-responders cannot loop through the assistant."""

import time
from collections import defaultdict, deque
from typing import Callable, Deque, Dict


class RateLimit:
    """At most `messages` per `seconds` for each key; kept in memory, per process."""

    def __init__(self, messages: int, seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if messages < 1 or seconds <= 0:
            raise ValueError("A rate limit needs messages >= 1 and seconds > 0.")
        self.messages = messages
        self.seconds = seconds
        self._clock = clock
        self._seen: Dict[str, Deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        """Counts one message from `key`; False once it is over the limit."""
        now = self._clock()
        seen = self._seen[key]
        while seen and now - seen[0] >= self.seconds:
            seen.popleft()
        if len(seen) >= self.messages:
            return False
        seen.append(now)
        return True
