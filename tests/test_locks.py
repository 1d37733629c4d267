"""Locks between runs: exclusive and shared, gone with their holder, the file removed by the last one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from chatpaper.locks import lock_holder, try_lock, try_lock_folder, wait_lock
from tests.conftest import REPO


def test_a_lock_is_held_once_and_its_file_goes_with_it(tmp_path: Path) -> None:
    path = tmp_path / "paper.lock"
    first = try_lock(path)
    assert first is not None and first.held
    assert try_lock(path) is None  # another thread or run
    assert f"pid {os.getpid()} " in (lock_holder(path) or "")
    first.release()
    assert not path.exists()
    with try_lock(path) as again:
        assert again is not None
    assert not path.exists()


def test_a_folder_is_locked_through_itself_shared_or_alone(tmp_path: Path) -> None:
    alone = try_lock_folder(tmp_path)
    assert alone is not None and alone.held
    assert try_lock_folder(tmp_path, shared=True) is None
    alone.share()
    other = try_lock_folder(tmp_path, shared=True)
    assert other is not None
    assert try_lock_folder(tmp_path) is None
    alone.release()
    assert try_lock_folder(tmp_path) is None  # the other run is still in
    other.release()
    last = try_lock_folder(tmp_path)
    assert last is not None
    last.release()
    assert list(tmp_path.iterdir()) == []  # no file in the folder, ever


def test_a_waiter_gets_the_lock_once_its_holder_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "paper.lock"
    held = wait_lock(path)
    got: list[float] = []

    def wait() -> None:
        with wait_lock(path):
            got.append(time.monotonic())

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.2)
    assert got == []  # still waiting
    released = time.monotonic()
    held.release()
    waiter.join(timeout=10)
    assert got and got[0] >= released
    assert not path.exists()


def test_a_lock_dies_with_a_killed_process(tmp_path: Path) -> None:
    path = tmp_path / "paper.lock"
    code = (
        "import sys, time\nfrom pathlib import Path\nfrom chatpaper.locks import wait_lock\n"
        "lock = wait_lock(Path(sys.argv[1]))\nprint('held', flush=True)\ntime.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert try_lock(path) is None
        assert f"pid {holder.pid} " in (lock_holder(path) or "")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=10)
    assert path.exists()  # kill -9 leaves the file ...
    lock = try_lock(path)
    assert lock is not None  # ... but not the lock
    lock.release()
    assert not path.exists()
