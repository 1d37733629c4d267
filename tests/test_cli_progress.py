"""The progress bar as a terminal shows it: the console script with stderr on a pseudo-terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

CONSOLE_SCRIPT = Path(sys.executable).with_name("chatpaper")


def run_on_a_terminal(args: list[str], cwd: Path, columns: int) -> tuple[int, str]:
    """The command with stderr on a pty `columns` wide (0: a pty nobody sized, as CI runners give);
    returns the exit code and everything drawn on the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24 if columns else 0, columns, 0, 0))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd / "home"),
        "XDG_CACHE_HOME": str(cwd / "home" / "cache"),
        "XDG_STATE_HOME": str(cwd / "home" / "state"),
        "XDG_CONFIG_HOME": str(cwd / "home" / "config"),
        "TERM": "xterm",
    }
    process = subprocess.Popen(
        [str(CONSOLE_SCRIPT), *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    drawn = bytearray()
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            process.kill()
            raise AssertionError("the command drew nothing for 120 s")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the command closed its end
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    return process.wait(timeout=60), drawn.decode("utf-8", "replace")


@pytest.mark.parametrize("columns", [0, 100], ids=["terminal-reports-0-columns", "100-columns"])
def test_the_bar_is_visible_and_counts_failures_so_far(tmp_path: Path, columns: int) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    for pdf in sorted(EXAMPLES.glob("*.pdf"))[:2]:
        shutil.copy(pdf, papers / pdf.name)
    (papers / "notes.pdf").write_text("not a PDF at all\n", encoding="utf-8")
    code, drawn = run_on_a_terminal([str(papers), "-o", str(tmp_path / "out"), "--workers", "1"], tmp_path, columns)
    assert code == 3, drawn
    states = [s for s in re.split(r"[\r\n]", drawn) if "paper/s" in s or "s/paper" in s]
    assert states, drawn
    final = states[-1]
    assert re.search(r"100%\|█+\| 3/3 ", final), final  # the bar itself, not trimmed away
    assert "1 failed · " in final, final
    assert len(final) <= (columns or 80), final
    assert "failed: " in drawn and "2 done · 0 skipped · 1 failed" in drawn
