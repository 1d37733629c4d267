"""A fake monotonic clock for code that takes `clock` and `sleep` (RateLimiter, ChatClient): waits are
checked exactly and take no time, so a loaded machine cannot make a timing test flaky."""

from __future__ import annotations

import threading


class FakeClock:
    """`clock()` reads `now`; `sleep(s)` records `s` in `slept` and moves `now` on by it, unless `frozen`
    (threads waiting side by side: each wait is then measured from the same instant)."""

    def __init__(self, *, frozen: bool = False) -> None:
        self.now = 0.0
        self.frozen = frozen
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            if not self.frozen:
                self.now += seconds
