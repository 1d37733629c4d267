"""HTTP politeness shared by the arXiv API client, the announcement feed and PDF downloads.

We talk HTTP through `requests` because the `arxiv` package already depends on it (no new
dependency), and so all three share one User-Agent, one spacing rule and one backoff policy.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urlsplit

import requests

from chatpaper import __version__

log = logging.getLogger(__name__)

# arXiv asks API clients to identify themselves; a generic "python-requests" agent is what gets
# throttled first. No project URL is given because the project has none yet.
USER_AGENT = f"chatpaper/{__version__} (batch research-paper summarizer; python-requests/{requests.__version__})"

# Statuses worth another try: arXiv answers 429 when we are too fast and 5xx when it is overloaded.
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
# Transport failures worth another try: no connection, no answer in time, or a body cut off or
# garbled mid-transfer (ChunkedEncodingError, ContentDecodingError). Other RequestExceptions (a bad
# URL, a redirect loop) would fail the same way again.
RETRYABLE_ERRORS: tuple[type[requests.RequestException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
# arXiv's terms: "no more than one request every three seconds". Shorter spacing is only for test
# servers and mirrors; arxiv.org itself always gets at least this.
ARXIV_MIN_DELAY = 3.0
# (connect, read) seconds: arXiv's API can take tens of seconds on a large page; past a minute of
# silence the connection is almost certainly dead and a retry does better.
TIMEOUT = (10.0, 60.0)
# Exponential backoff never waits longer than this between two tries...
MAX_BACKOFF = 60.0
# ...and when the server asks for more than this (Retry-After), we give up and say so rather than
# block a batch for an unknown time.
MAX_RETRY_AFTER = 300.0

T = TypeVar("T")


class Retry(Exception):
    """Raised inside an attempt to say "this failure is temporary, try again"."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def new_session() -> requests.Session:
    """A session whose every request carries chatpaper's User-Agent."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def transport_failure(exc: requests.RequestException) -> str:
    """A retry reason for one of RETRYABLE_ERRORS: the connection failed, or the answer was cut off."""
    if isinstance(exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
        return f"the answer was cut off mid-transfer ({type(exc).__name__})"
    return f"connection failed ({type(exc).__name__})"


def send_get(
    session: requests.Session,
    url: str,
    *,
    refused: Callable[[requests.RequestException], Exception],
    stream: bool = False,
) -> requests.Response:
    """`session.get(url)` with transport failures sorted: a retryable one raises `Retry`, any other
    raises `refused(exc)` (a bad URL fails the same way every time, so it names the setting to fix)."""
    try:
        return session.get(url, timeout=TIMEOUT, stream=stream)
    except RETRYABLE_ERRORS as exc:
        raise Retry(transport_failure(exc)) from None
    except requests.RequestException as exc:
        raise refused(exc) from None


def is_arxiv_host(url: str) -> bool:
    """True for arxiv.org and its subdomains (export., rss., ...), whatever the scheme or port."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host == "arxiv.org" or host.endswith(".arxiv.org")


_floored_hosts: set[str] = set()


def polite_delay(url: str, seconds: float) -> float:
    """`seconds`, raised to ARXIV_MIN_DELAY when `url` is on arxiv.org (a warning says so, once per host)."""
    if seconds >= ARXIV_MIN_DELAY or not is_arxiv_host(url):
        return seconds
    host = urlsplit(url).hostname or url
    if host not in _floored_hosts:
        _floored_hosts.add(host)
        log.warning(
            "arxiv_delay %g s is below arXiv's minimum for %s; using %g s (shorter delays are for test servers)",
            seconds,
            host,
            ARXIV_MIN_DELAY,
        )
    return ARXIV_MIN_DELAY


def retry_after_seconds(response: requests.Response) -> float | None:
    """The Retry-After header in seconds (it may be a number or an HTTP date), or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def backoff_seconds(retry: int, base: float, retry_after: float | None = None) -> float:
    """Wait before retry number `retry` (0 = first retry): base * 2**retry, half of it jittered.

    The jitter keeps several clients that failed together from retrying together; a server's
    Retry-After is a floor.
    """
    ceiling = min(MAX_BACKOFF, max(base, 0.05) * (2**retry))
    wait = ceiling / 2 + random.uniform(0, ceiling / 2)
    return max(wait, retry_after or 0.0)


def with_retries(
    attempt: Callable[[], T],
    *,
    retries: int,
    base_delay: float,
    give_up: Callable[[int, str], Exception],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `attempt` until it returns; on `Retry`, back off and try again, `retries` times at most.

    When the tries run out (or the server asks for an unreasonable wait), raises
    `give_up(attempts_made, last_reason)`. Any other exception passes straight through.
    """
    for n in range(retries + 1):
        try:
            return attempt()
        except Retry as exc:
            if n == retries:
                raise give_up(n + 1, exc.reason) from None
            if exc.retry_after is not None and exc.retry_after > MAX_RETRY_AFTER:
                raise give_up(n + 1, f"{exc.reason}, asked to wait {exc.retry_after:.0f} s") from None
            sleep(backoff_seconds(n, base_delay, exc.retry_after))
    raise AssertionError("unreachable")  # pragma: no cover


class Pacer:
    """One request at a time to a host, at least `interval` seconds after the previous one ended.

    Measured from the end of the previous response (stricter than start-to-start), as arXiv's terms
    ask for "no more than one request every three seconds".
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._last_end: float | None = None

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._last_end is not None:
                wait = self._last_end + self.interval - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                yield
            finally:
                self._last_end = time.monotonic()


_pacers: dict[str, Pacer] = {}
_pacers_lock = threading.Lock()


def pacer_for(url: str, interval: float) -> Pacer:
    """The process-wide pacer for `url`'s host: every client in the process shares the spacing.

    A later caller asking for a longer interval raises it; a shorter one never lowers it. arxiv.org
    hosts never get less than ARXIV_MIN_DELAY.
    """
    interval = polite_delay(url, interval)
    host = urlsplit(url).netloc.lower()
    with _pacers_lock:
        pacer = _pacers.get(host)
        if pacer is None:
            pacer = _pacers[host] = Pacer(interval)
        elif interval > pacer.interval:
            pacer.interval = interval
        return pacer
