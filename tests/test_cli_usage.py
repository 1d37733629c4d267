"""Typos and usage errors through the installed `chatpaper` console script: exit 2 with click's usage
lines, no request to arXiv or the LLM, nothing written. Words that are paths stay paths."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.fakes.arxiv_server import FakeArxivServer, make_entries
from tests.fakes.openai_server import FakeOpenAIServer

CONSOLE_SCRIPT = Path(sys.executable).with_name("chatpaper")


@pytest.fixture
def servers() -> Iterator[tuple[FakeArxivServer, FakeOpenAIServer]]:
    with FakeArxivServer(make_entries(12, categories=["cs.CL"])) as arxiv, FakeOpenAIServer() as llm:
        yield arxiv, llm


def run(args: list[str], cwd: Path, arxiv: FakeArxivServer, llm: FakeOpenAIServer) -> subprocess.CompletedProcess[str]:
    """The console script as a user with a real key would run it, in `cwd`."""
    assert CONSOLE_SCRIPT.is_file(), f"the console script is installed beside {sys.executable}"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd.parent / "home"),
        "XDG_CACHE_HOME": str(cwd.parent / "home" / "cache"),
        "XDG_STATE_HOME": str(cwd.parent / "home" / "state"),
        "XDG_CONFIG_HOME": str(cwd.parent / "home" / "config"),
        "OPENAI_API_KEY": "sk-a-real-key-would-cost-money",
        "OPENAI_BASE_URL": llm.url,
        **arxiv.env(delay=0.0, retries=0),
    }
    return subprocess.run([str(CONSOLE_SCRIPT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def written(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["digets", "-c", "cs.CL"], "Error: No such command 'digets'. Did you mean 'digest'?"),
        (["confg"], "Error: No such command 'confg'. Did you mean 'config'?"),
        (["prase", "paper.pdf"], "Error: No such command 'prase'. Did you mean 'parse'?"),
        (["missing.pdf"], "Error: no such file or folder: missing.pdf"),
        (["papers/", "gone.pdf"], "Error: no such file or folder: papers/, gone.pdf"),
        (["summarize"], "Error: no such file or folder: summarize; nor is 'summarize' a command (config, digest"),
        (["--query", "title:foo"], "Error: unknown field title: in query 'title:foo': arXiv's fields are ti"),
        (["--query", 'ti:"open'], "Error: unbalanced quote in query"),
        (["--ids", "abc"], "Error: not an arXiv id: 'abc' (expected e.g. 2301.00001"),
        (["--ids", "2501.00001,abc"], "Error: not an arXiv id: 'abc'"),
        (["digest"], "Error: no arXiv categories to follow: pass --category cs.CL"),
        (["digest", "-c", "cs.CL", "--date", "2025-08-19", "--since", "2025-08-18"], "either --date or --since"),
    ],
    ids=[
        "digets",
        "confg",
        "prase",
        "missing-path",
        "missing-paths",
        "bare-word",
        "unknown-field",
        "open-quote",
        "bad-id",
        "bad-id-among-good",
        "digest-no-category",
        "date-and-since",
    ],
)
def test_usage_errors_exit_2_before_any_request_and_write_nothing(
    servers: tuple[FakeArxivServer, FakeOpenAIServer], tmp_path: Path, args: list[str], message: str
) -> None:
    arxiv, llm = servers
    cwd = tmp_path / "work"
    cwd.mkdir()
    proc = run(args, cwd, arxiv, llm)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("Usage: chatpaper"), proc.stderr
    assert message in proc.stderr.splitlines()[-1], proc.stderr
    assert "neither OPENAI_API_KEY" not in proc.stderr and "Traceback" not in proc.stderr
    assert not arxiv.requests and not llm.chat_requests
    assert written(cwd) == []
    home = tmp_path / "home"
    assert not [p for p in home.rglob("*") if "chatpaper" in p.name]  # no cache, state or lock folder either


def test_a_word_that_is_a_path_is_summarized_not_taken_for_a_typo(
    servers: tuple[FakeArxivServer, FakeOpenAIServer], tmp_path: Path
) -> None:
    """`confg` is a typo only while no file of that name is here; a folder called so is a path."""
    arxiv, llm = servers
    cwd = tmp_path / "work"
    (cwd / "confg").mkdir(parents=True)
    sample = sorted(EXAMPLES.glob("*.pdf"))[0]
    shutil.copy(sample, cwd / "confg" / sample.name)
    proc = run(["confg", "-o", "out"], cwd, arxiv, llm)
    assert proc.returncode == 0, proc.stderr
    assert (cwd / "out" / f"{sample.stem}.md").is_file()
    assert len(llm.chat_requests) == 1


def test_a_missing_path_beside_a_good_one_costs_one_paper(
    servers: tuple[FakeArxivServer, FakeOpenAIServer], tmp_path: Path
) -> None:
    arxiv, llm = servers
    cwd = tmp_path / "work"
    cwd.mkdir()
    sample = sorted(EXAMPLES.glob("*.pdf"))[0]
    shutil.copy(sample, cwd / sample.name)
    proc = run([sample.name, "gone.pdf", "-o", "out"], cwd, arxiv, llm)
    assert proc.returncode == 3, proc.stderr
    assert "failed: gone.pdf: no such file or folder" in proc.stderr
    assert (cwd / "out" / f"{sample.stem}.md").is_file()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_shell_completion_the_readme_shows_works(tmp_path: Path, shell: str) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"_CHATPAPER_COMPLETE={shell}_source chatpaper" in readme
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "_CHATPAPER_COMPLETE": f"{shell}_source",
    }
    source = subprocess.run([str(CONSOLE_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert source.returncode == 0 and "_CHATPAPER_COMPLETE" in source.stdout, source.stderr
    words = {"COMP_WORDS": "chatpaper dig", "COMP_CWORD": "1", "_CHATPAPER_COMPLETE": "bash_complete"}
    completed = subprocess.run([str(CONSOLE_SCRIPT)], env={**env, **words}, capture_output=True, text=True, timeout=60)
    assert completed.stdout.split() == ["plain,digest"]
