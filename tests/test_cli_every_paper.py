"""Failures that hit every paper (nothing listening at the URL, a model the server lacks, a refused
key), through the installed console script: one message naming the URL or the model, exit 1, no
paper retried through its backoff, and the papers the run never started counted as "not started",
never as "skipped" (which says a paper was done before) or as failed (which blames the paper)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.openai_server import FakeOpenAIServer, model_not_found
from tests.test_reliability import distinct_papers

CONSOLE_SCRIPT = Path(sys.executable).with_name("chatpaper")
KEY = "sk-test-every-paper"


def run(args: list[str], home: Path, base_url: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "OPENAI_API_KEY": KEY,
        "OPENAI_BASE_URL": base_url,
        **extra,
    }
    return subprocess.run([str(CONSOLE_SCRIPT), *args], env=env, capture_output=True, text=True, timeout=180)


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("chatpaper: error:", "failed: "))]


def test_nothing_listening_is_one_message_naming_the_url(tmp_path: Path) -> None:
    distinct_papers(tmp_path / "papers", 13)
    with FakeOpenAIServer() as gone:
        url = gone.url  # closed on leaving: the port refuses connections
    ran = run([str(tmp_path / "papers"), "-o", str(tmp_path / "out")], tmp_path / "home", url)
    assert ran.returncode == 1, ran.stderr
    assert errors(ran.stderr) == [
        f"chatpaper: error: nothing answers at {url} (connection refused): start the LLM server, or check "
        "OPENAI_BASE_URL (or --base-url)"
    ]
    tally = ran.stderr.strip().splitlines()[-1]
    assert tally.startswith("0 done · 0 skipped · 0 failed · 13 not started · reports in"), tally
    assert "LLM call" not in tally  # no request got as far as the server
    index = (tmp_path / "out" / "index.md").read_text(encoding="utf-8")
    assert index.count("not started: nothing answers at") == 13
    assert "13 papers · 0 summarized · 13 not started" in index and "skipped" not in index


def test_a_model_the_server_lacks_is_one_message_naming_it(tmp_path: Path) -> None:
    distinct_papers(tmp_path / "papers", 6)
    with FakeOpenAIServer() as server:
        server.default = model_not_found("gpt-9-mini")
        ran = run(
            [str(tmp_path / "papers"), "-o", str(tmp_path / "out"), "-m", "gpt-9-mini"], tmp_path / "home", server.url
        )
        asked = len(server.chat_requests)
    assert ran.returncode == 1, ran.stderr
    (line,) = errors(ran.stderr)
    assert line.startswith(f"chatpaper: error: the LLM server at {server.url} has no model 'gpt-9-mini' (HTTP 404: ")
    assert line.endswith("check --model (or CHATPAPER_MODEL) against the server's models")
    assert 1 <= asked <= 4  # the papers already in flight (4 workers), none retried, none started after
    assert re.search(r"0 done · 0 skipped · 0 failed · 6 not started", ran.stderr), ran.stderr


@pytest.mark.parametrize("workers", ["1", "4"])
def test_a_refused_key_leaves_the_papers_not_started_not_skipped(tmp_path: Path, workers: str) -> None:
    distinct_papers(tmp_path / "papers", 13)
    with FakeOpenAIServer(api_key="sk-the-right-one") as server:
        ran = run(
            [str(tmp_path / "papers"), "-o", str(tmp_path / "out"), "--workers", workers], tmp_path / "home", server.url
        )
    assert ran.returncode == 1, ran.stderr
    (line,) = errors(ran.stderr)
    assert "refused the API key (HTTP 401)" in line
    assert "0 done · 0 skipped · 0 failed · 13 not started" in ran.stderr.splitlines()[-1]
    index = (tmp_path / "out" / "index.md").read_text(encoding="utf-8")
    assert ": 13 not started." in index and "skipped" not in index and "unchanged" not in index
