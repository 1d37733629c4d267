"""Rendered Figure-1 PNGs kept in the cache folder by the PDF's hash, beside the summary cache.

A summary served from the cache (another output folder, the digest reusing a run's summary) is not
read from its PDF again, so its picture comes from here. It is only a cache: a file that cannot be
written or read costs the picture, never the paper.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from chatpaper.atomic import write_bytes_atomic

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class FigureCache:
    """PNG files named by the PDF's SHA-256 in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, sha256: str | None) -> Path | None:
        return self.folder / f"{sha256}.png" if sha256 and _SHA256.fullmatch(sha256) else None

    def put(self, sha256: str | None, png: bytes) -> None:
        path = self._path(sha256)
        if path is None:
            return
        try:
            write_bytes_atomic(path, png)
        except OSError as exc:
            log.warning("figure not cached in %s (%s)", self.folder, exc.strerror or exc)

    def get(self, sha256: str | None) -> bytes | None:
        path = self._path(sha256)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return data if data.startswith(_PNG_SIGNATURE) else None
