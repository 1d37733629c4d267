"""A client-side rate limiter shared by every worker thread: requests per minute and tokens per minute.

Requests are spaced evenly (60/rpm seconds apart) rather than allowed in a burst of `rpm` at once,
because providers enforce their per-minute limits over shorter windows; a batch that bursts gets
429s even when its per-minute total is within the limit. Tokens follow a bucket that holds a
minute's worth and refills continuously. Callers reserve a slot under the lock and sleep outside
it, so waiting threads queue in arrival order without holding each other up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """Thread-safe limiter for `rpm` requests/min and `tpm` tokens/min (None: unlimited)."""

    def __init__(
        self,
        rpm: int | None = None,
        tpm: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rpm = rpm
        self.tpm = tpm
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_request = 0.0  # earliest start of the next request
        self._tokens = float(tpm or 0)  # tokens in the bucket; negative when reserved ahead
        self._tokens_at = clock()
        self._paused_until = 0.0

    def acquire(self, tokens: int = 0) -> float:
        """Block until a request of about `tokens` tokens may start; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_request, self._paused_until)
            if self.rpm:
                self._next_request = start + 60.0 / self.rpm
            if self.tpm:
                rate = self.tpm / 60.0
                # A request larger than the whole bucket could never start: let it through when full.
                need = min(float(tokens), float(self.tpm))
                available = min(float(self.tpm), self._tokens + (start - self._tokens_at) * rate)
                if available < need:
                    start += (need - available) / rate
                    available = need
                self._tokens = available - need
                self._tokens_at = start
            wait = start - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)

    def pause(self, seconds: float) -> None:
        """Hold every request back for `seconds` (the server said 429: the whole batch is too fast)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
