"""Token buckets per client key (kept on app.state, one per limited endpoint)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class TokenBucketLimiter:
    MAX_KEYS = 10000  # forget the stalest clients beyond this, so memory stays bounded

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(max(per_minute, 1))
        self.refill_per_second = self.capacity / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        """0 when allowed, else the whole seconds to wait (for Retry-After)."""
        with self._lock:
            now = self.clock()
            tokens, updated = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - updated) * self.refill_per_second)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                self._evict_if_needed()
                return 0
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.refill_per_second))

    def _evict_if_needed(self) -> None:
        if len(self._buckets) > self.MAX_KEYS:
            stalest = sorted(self._buckets, key=lambda k: self._buckets[k][1])[: len(self._buckets) // 10]
            for key in stalest:
                del self._buckets[key]
