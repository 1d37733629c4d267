"""Atomic writes and output folders: file modes, temp files killed runs leave, folders that cannot be used."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatpaper.atomic import output_folder, write_text_atomic
from chatpaper.errors import ConfigError, OutputError
from tests.conftest import REPO


@pytest.fixture
def umask() -> Iterator[None]:
    """Restores the process umask a test changes."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_honour_the_umask(tmp_path: Path, umask: None, mask: int, mode: int) -> None:
    os.umask(mask)
    write_text_atomic(tmp_path / "report.md", "# A paper\n")
    write_text_atomic(tmp_path / "report.md", "# A paper, again\n")  # a rewrite too, not only a new file
    assert stat.S_IMODE((tmp_path / "report.md").stat().st_mode) == mode
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == "# A paper, again\n"


def test_a_write_that_cannot_happen_is_one_line_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        write_text_atomic(tmp_path / "file" / "report.md", "x")
    message = str(caught.value)
    assert "\n" not in message and str(tmp_path / "file" / "report.md") in message
    assert "a file stands where a folder is needed" in message and "-o" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_stale_temp_files_are_removed_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    stale = [".paper.md.k3j9x0q_.tmp", ".index.md.0a1b2c3d.tmp"]
    kept = [".notes.tmp", "paper.md.0a1b2c3d.tmp", ".paper.md.short.tmp", "paper.md", ".hidden"]
    for name in stale + kept:
        (out / name).write_text("x", encoding="utf-8")
    with output_folder(out):
        pass
    assert sorted(p.name for p in out.iterdir()) == sorted(kept)


def _writer(out: Path) -> subprocess.Popen[str]:
    """A run holding `out` and caught between writing a temp file and renaming it."""
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from chatpaper.atomic import _create_temp, output_folder\n"
        "with output_folder(Path(sys.argv[1])) as out:\n"
        "    fd, tmp = _create_temp(out / 'paper.md')\n"
        "    os.write(fd, b'# half a rep')\n"
        "    print(tmp.name, flush=True)\n"
        "    time.sleep(60)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, str(out)], stdout=subprocess.PIPE, text=True, cwd=REPO, start_new_session=True
    )


def test_a_live_runs_temp_file_is_kept_and_a_killed_runs_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    writer = _writer(out)
    try:
        assert writer.stdout is not None
        temp = writer.stdout.readline().strip()
        assert temp.startswith(".paper.md.") and temp.endswith(".tmp")
        with output_folder(out):  # a second run while the first is writing
            pass
        assert (out / temp).exists()
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=10)
    assert (out / temp).exists()  # kill -9: no chance to clean up
    with output_folder(out):  # the next run does
        pass
    assert not (out / temp).exists()
    assert list(out.iterdir()) == []  # and holding the folder leaves no file in it


@pytest.mark.parametrize("where", ["file", "file/sub"])
def test_an_output_folder_that_is_a_file_is_one_line(tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    with pytest.raises(ConfigError) as caught, output_folder(tmp_path / where, setting="-o"):
        pass
    message = str(caught.value)
    assert "\n" not in message and str(tmp_path / where) in message
    assert "a file stands where a folder is needed" in message and "choose another -o" in message
