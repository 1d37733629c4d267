"""Advisory locks between chatpaper runs (and threads): `flock` on a lock file that exists only while
held, or (shared or alone) on a folder itself.

A process killed by any signal drops its locks with its file descriptors, so a lock never outlives
its run. The holder removes a lock file; a taker checks that the file it locked is still the
one at the path (a holder may have removed it in between) and tries again if not. A folder is locked
through its own descriptor, so no file appears in it (reports folders are served and committed).
Without `flock` (Windows), or where a folder cannot be locked, locks are granted at once: runs there
are not kept apart.
"""

from __future__ import annotations

import hashlib
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from chatpaper.errors import describe_os_error

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class FileLock:
    """A held lock; `release()` (or leaving the `with` block) gives it up."""

    def __init__(self, path: Path, fd: int | None, *, folder: bool = False) -> None:
        self.path = path
        self.folder = folder  # a folder's own lock: nothing to remove
        self._fd = fd

    def share(self) -> None:
        """Turn an exclusive lock into a shared one, so other runs may take it too."""
        if self._fd is not None and fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_SH)

    @property
    def held(self) -> bool:
        """False where nothing could be locked (no flock, a folder on some network filesystems)."""
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            if not self.folder and _is_current(fd, self.path):
                self.path.unlink()  # before the lock goes: a taker that opened it sees it is gone
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


def _is_current(fd: int, path: Path) -> bool:
    """True when `fd` is the file at `path` now (not one a holder removed after we opened it)."""
    try:
        mine, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


def _open(path: Path, *, folder: bool) -> int:
    if folder:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except PermissionError:
        # Another user's lock file (created under their umask): locking needs no write access.
        if not path.is_file():
            raise
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)


def _acquire(path: Path, *, shared: bool, wait: bool, folder: bool = False) -> FileLock | None:
    if fcntl is None:  # pragma: no cover - Windows
        return FileLock(path, None, folder=folder)
    mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB)
    while True:
        fd = _open(path, folder=folder)
        try:
            fcntl.flock(fd, mode)
        except BlockingIOError:
            os.close(fd)
            return None
        except OSError:
            os.close(fd)
            if not folder:
                raise
            return FileLock(path, None, folder=True)  # a filesystem that cannot lock folders
        except BaseException:
            os.close(fd)
            raise
        if folder or _is_current(fd, path):
            if not folder:
                _note_holder(fd)
            return FileLock(path, fd, folder=folder)
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


def try_lock(path: Path) -> FileLock | None:
    """The lock file at `path` if nobody else holds it (in this process or another), else None at once."""
    return _acquire(path, shared=False, wait=False)


def wait_lock(path: Path) -> FileLock:
    """The lock file at `path`, waiting as long as another run holds it."""
    lock = _acquire(path, shared=False, wait=True)
    assert lock is not None
    return lock


def try_lock_folder(folder: Path, *, shared: bool = False) -> FileLock | None:
    """`folder`'s own lock if no other run holds it, else None at once (granted at once where folders
    cannot be locked, as on some network filesystems)."""
    return _acquire(folder, shared=shared, wait=False, folder=True)


def wait_lock_folder(folder: Path, *, shared: bool = False) -> FileLock:
    """`folder`'s own lock, waiting as long as another run holds it."""
    lock = _acquire(folder, shared=shared, wait=True, folder=True)
    assert lock is not None
    return lock


def lock_holder(path: Path) -> str | None:
    """Who holds the exclusive lock at `path` ("pid 123 on host since ..."), when it says so."""
    try:
        note = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    return note or None


class PaperClaims:
    """One lock per summary (cache key) in `<cache-dir>/locks`, held while a paper is summarized.

    Runs sharing the cache (a cron job and an interactive run, a digest and `--ids`) never pay twice
    for one summary: a paper another run holds is left for later, and by then its summary is in the
    cache. Locking that cannot work (an unusable cache folder) lets every claim through, said once in
    `problem`.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problem: str | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._cannot(exc)

    def _cannot(self, exc: OSError) -> None:
        reason, advice = describe_os_error(exc)
        self.problem = (
            f"papers cannot be locked in {self.folder} ({reason}): {advice}; "
            "a concurrent run sharing the cache may summarize the same paper again"
        )

    def path(self, key: str) -> Path:
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.lock"

    def claim(self, key: str, *, wait: bool) -> FileLock | None:
        """The paper's lock; None (at once) when another run holds it and `wait` is False."""
        if self.problem is None:
            try:
                return wait_lock(self.path(key)) if wait else try_lock(self.path(key))
            except OSError as exc:
                self._cannot(exc)
        return FileLock(self.path(key), None)  # holds nothing
