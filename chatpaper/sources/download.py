"""PDF downloads from arXiv into the cache: reused when present, never left half-written.

HTTP goes through `requests` (already a dependency of the `arxiv` package) with chatpaper's
User-Agent. At most `ArxivSettings.download_workers` downloads run at once in the whole process,
whatever the number of pipeline workers calling `download_pdf`.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from chatpaper.errors import SourceError
from chatpaper.models import ArxivEntry
from chatpaper.settings import ArxivSettings
from chatpaper.sources.http import (
    RETRYABLE_ERRORS,
    RETRYABLE_STATUS,
    Retry,
    new_session,
    polite_delay,
    retry_after_seconds,
    send_get,
    transport_failure,
    with_retries,
)
from chatpaper.sources.local import cap_name
from chatpaper.words import plural

_CHUNK = 1 << 16
# A temp file older than this is left over from a killed process, not a download in progress.
_STALE_TEMP_SECONDS = 3600


class DownloadSlots:
    """A process-wide cap on concurrent downloads; the cap is given per call (settings may differ).

    `peak` records the most downloads seen at once (for tests and diagnostics).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.active = 0
        self.peak = 0

    @contextmanager
    def hold(self, limit: int) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: self.active < max(1, limit))
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            yield
        finally:
            with self._cond:
                self.active -= 1
                self._cond.notify_all()


# Shared by every caller in the process: arXiv asks for gentle bulk access, and the pipeline's
# paper workers (4 by default) must not turn into 4 parallel downloads.
SLOTS = DownloadSlots()

_path_locks: dict[Path, threading.Lock] = {}
_path_locks_guard = threading.Lock()


def _lock_for(path: Path) -> threading.Lock:
    """One lock per target file: two workers asking for the same paper download it once."""
    with _path_locks_guard:
        return _path_locks.setdefault(path, threading.Lock())


def safe_id(arxiv_id: str) -> str:
    """An arXiv id as a file name: "hep-th/9901001" -> "hep-th_9901001"; a hostile 300-character id
    is cut to a name any filesystem takes, tagged with its hash (`cap_name`)."""
    slug = re.sub(r"[^A-Za-z0-9._-]", "_", arxiv_id.replace("/", "_")).strip(".") or "paper"
    return cap_name(slug, arxiv_id)


def pdf_path(entry: ArxivEntry, cache_dir: Path) -> Path:
    """<cache_dir>/pdfs/<id>v<N>.pdf (no version suffix when the entry has none)."""
    suffix = f"v{entry.version}" if entry.version else ""
    return Path(cache_dir).expanduser() / "pdfs" / f"{safe_id(entry.arxiv_id)}{suffix}.pdf"


def pdf_link(entry: ArxivEntry) -> str:
    """The entry's own PDF link (whatever host its feed named), else arxiv.org's."""
    return entry.pdf_url or f"https://arxiv.org/pdf/{entry.versioned_id}"


def is_complete_pdf(path: Path) -> bool:
    """A `%PDF` header and an `%%EOF` marker near the end: the file was written whole.

    Used on cached files only; a false "no" costs one re-download.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(1024)
            handle.seek(max(0, size - 2048))
            tail = handle.read()
    except OSError:
        return False
    return b"%PDF-" in head and b"%%EOF" in tail


def _remove_stale_temps(target: Path) -> None:
    now = time.time()
    for stale in target.parent.glob(f".{target.name}.*.part"):
        try:
            if now - stale.stat().st_mtime > _STALE_TEMP_SECONDS:
                stale.unlink()
        except OSError:
            pass


def _request_failed(label: str, url: str, exc: requests.RequestException) -> SourceError:
    """A request failure no retry can fix (a bad link, a redirect loop)."""
    return SourceError(f"{label}: PDF download from {url} failed ({type(exc).__name__}: {exc}); check the PDF link")


def _fetch_to(url: str, target: Path, label: str) -> None:
    """One attempt: stream `url` into a temp file beside `target`, check it, rename it into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle, new_session() as session:
            response = send_get(session, url, refused=lambda exc: _request_failed(label, url, exc), stream=True)
            with response:
                status = response.status_code
                if status in RETRYABLE_STATUS:
                    raise Retry(f"HTTP {status}", retry_after_seconds(response))
                if status in (404, 410):
                    raise SourceError(f"{label}: arXiv has no PDF at {url} (HTTP {status}); check the id and version")
                if status != 200:
                    raise SourceError(f"{label}: PDF download refused with HTTP {status} ({url})")
                expected = response.headers.get("Content-Length")
                retry_after = retry_after_seconds(response)
                written = 0
                head = b""
                try:
                    for chunk in response.iter_content(_CHUNK):
                        if len(head) < 1024:
                            head += chunk[: 1024 - len(head)]
                        handle.write(chunk)
                        written += len(chunk)
                except RETRYABLE_ERRORS as exc:
                    raise Retry(f"download truncated: {transport_failure(exc)}") from None
                except requests.RequestException as exc:
                    raise _request_failed(label, url, exc) from None
            if expected is not None and expected.isdigit() and written != int(expected):
                raise Retry(f"download truncated: {written} of {expected} bytes")
            if b"%PDF-" not in head:
                # Most often a rate-limit or maintenance page sent with 200: worth the backoff.
                kind = "an empty body" if written == 0 else "not a PDF"
                raise Retry(f"{url} sent {kind} (maybe a rate-limit page)", retry_after)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def download_pdf(entry: ArxivEntry, cache_dir: Path, settings: ArxivSettings) -> Path:
    """The entry's PDF in the cache, downloading it first if needed.

    A file already in the cache with a PDF header and trailer is reused without any request.
    SourceError messages start with "<versioned id>: ", the paper's source in the pipeline, which
    strips it from failure lines that already name the paper.
    """
    target = pdf_path(entry, cache_dir)
    label = entry.versioned_id
    url = pdf_link(entry)
    with _lock_for(target):
        if target.is_file() and is_complete_pdf(target):
            return target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SourceError(f"{label}: cannot create the PDF cache folder {target.parent} ({exc})") from None
        _remove_stale_temps(target)

        def give_up(attempts: int, reason: str) -> SourceError:
            return SourceError(
                f"{label}: PDF download failed after {plural(attempts, 'attempt')}: {reason}; try again later"
            )

        with SLOTS.hold(settings.download_workers):
            try:
                with_retries(
                    lambda: _fetch_to(url, target, label),
                    retries=settings.retries,
                    base_delay=polite_delay(url, settings.delay),
                    give_up=give_up,
                )
            except OSError as exc:
                raise SourceError(f"{label}: cannot write {target} ({exc.strerror or exc})") from None
    return target
