"""Advisory locks between chatpaper runs (and threads): `flock` on a lock file that exists only while held.

A process killed by any signal drops its locks with its file descriptors, so a lock never outlives
its run. The last holder removes the file; a taker checks that the file it locked is still the one at
the path (a holder may have removed it in between) and tries again if not. Without `flock` (Windows)
locks are granted at once: runs there are not kept apart.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class FileLock:
    """A held lock; `release()` (or leaving the `with` block) gives it up."""

    def __init__(self, path: Path, fd: int | None, *, shared: bool) -> None:
        self.path = path
        self.shared = shared
        self._fd = fd

    def share(self) -> None:
        """Turn an exclusive lock into a shared one, so other runs may take it too."""
        if self._fd is not None and fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_SH)
        self.shared = True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if fcntl is not None and _last_holder(fd, shared=self.shared) and _is_current(fd, self.path):
                self.path.unlink(missing_ok=True)
        except OSError:
            pass  # a lock file left behind is harmless: the next run locks and removes it
        finally:
            os.close(fd)  # closing drops the lock

    def __enter__(self) -> FileLock:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()


def _last_holder(fd: int, *, shared: bool) -> bool:
    """True when no other run holds the lock (an exclusive one is ours alone)."""
    if not shared:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _is_current(fd: int, path: Path) -> bool:
    """True when `fd` is the file at `path` now (not one a holder removed after we opened it)."""
    try:
        mine, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _open(path: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except PermissionError:
        # Another user's lock file (created under their umask): locking needs no write access.
        if not path.is_file():
            raise
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)


def _acquire(path: Path, *, shared: bool, wait: bool) -> FileLock | None:
    if fcntl is None:  # pragma: no cover - Windows
        return FileLock(path, None, shared=shared)
    mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB)
    while True:
        fd = _open(path)
        try:
            fcntl.flock(fd, mode)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        if _is_current(fd, path):
            if not shared:
                _note_holder(fd)
            return FileLock(path, fd, shared=shared)
        os.close(fd)  # its last holder removed it while we waited: lock the file at the path now


def _note_holder(fd: int) -> None:
    """Write who holds the lock into the file, for a run that finds it taken."""
    since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    note = f"pid {os.getpid()} on {socket.gethostname()} since {since}\n".encode()
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, note, 0)
    except OSError:
        pass  # read-only lock file, full disk: the lock itself holds


def try_lock(path: Path, *, shared: bool = False) -> FileLock | None:
    """The lock at `path` if nobody else holds it (in this process or another), else None at once."""
    return _acquire(path, shared=shared, wait=False)


def wait_lock(path: Path, *, shared: bool = False) -> FileLock:
    """The lock at `path`, waiting as long as another run holds it."""
    lock = _acquire(path, shared=shared, wait=True)
    assert lock is not None
    return lock


def lock_holder(path: Path) -> str | None:
    """Who holds the exclusive lock at `path` ("pid 123 on host since ..."), when it says so."""
    try:
        note = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return note or None
