"""Atomic file writes: a reader sees the old file or the new one, never half of one.

A write goes through `.<name>.<8 random characters>.tmp` beside its target, renamed over it once
complete. A run writes into an output folder it holds (`output_folder`, a lock on the folder itself);
the first run in removes temp files that runs killed mid-write left there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from chatpaper.errors import ConfigError, OutputError, describe_os_error
from chatpaper.locks import try_lock_folder, wait_lock_folder

# Our temp files and only those (mkstemp made the same shape before): `.index.md.k3j9x0q_.tmp`.
TEMP_NAME = re.compile(r"\A\..+\.[a-z0-9_]{8}\.tmp\Z")


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new temp file beside `path`, created with mode 0666 so the umask decides who may read it."""
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), tmp
        except FileExistsError:
            continue


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder, then rename over it.

    The file gets the mode a plain open() would give (0666 less the umask), not mkstemp's private
    0600: reports are meant to be read by others (a web server, colleagues). An OS error (a full
    disk, a read-only folder) is an OutputError naming the path and the fix.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temp(path)
    except OSError as exc:
        raise OutputError(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(path, exc) from None
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """`write_bytes_atomic` for UTF-8 text."""
    write_bytes_atomic(path, text.encode("utf-8"))


def remove_stale_temps(folder: Path) -> list[str]:
    """Remove our temp files (TEMP_NAME) in `folder`; returns their names. Call it only while no
    other run writes there (holding the folder's lock alone)."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if TEMP_NAME.match(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed


@contextlib.contextmanager
def output_folder(path: Path, *, setting: str = "-o") -> Iterator[Path]:
    """`path` created and held for one run that writes into it.

    Every run holds the folder's lock shared while it writes; a run that finds no other there takes
    it alone for a moment and removes the temp files that killed runs left behind (a live run is
    then writing none). A folder that cannot be created or written in is a ConfigError naming
    it and `setting`, raised before any paper is paid for. A folder this run created and left empty
    (it failed before writing) is removed again.
    """
    folder = path.expanduser()
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
        lock = try_lock_folder(folder)
        if lock is not None:
            if lock.held:  # else other runs cannot be seen: their temp files may be live
                remove_stale_temps(folder)
            lock.share()
        else:
            lock = wait_lock_folder(folder, shared=True)
    except OSError as exc:
        reason, advice = describe_os_error(exc)
        raise ConfigError(f"cannot write in {folder} ({reason}): {advice}, or choose another {setting}") from None
    try:
        with lock:
            yield folder
    finally:
        if created:
            with contextlib.suppress(OSError):  # not empty: written to, by this run or another
                folder.rmdir()
