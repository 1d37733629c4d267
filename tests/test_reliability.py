"""Files, caches, locks and OS errors through the real command: a full disk, a broken or read-only
cache, an output folder that cannot be used, two runs at once, names with control characters.

Each problem costs one paper or is one line on stderr, never a traceback, and a summary that was
paid for is never lost. Root ignores permission bits, so the read-only cases run the command
without that power (`unshare --user` keeps the files' owner, whose bits then apply) and skip where
that is not possible; a full disk is a 4 KiB tmpfs mounted in a private namespace, or a file size
limit (ulimit -f) where namespaces are not available.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chatpaper.cli import main
from tests.conftest import EXAMPLES, REPO
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeOpenAIServer, RecordedRequest
from tests.test_digest import DAY1, paper
from tests.test_store import damage

KEY = "sk-test"


def distinct_papers(folder: Path, count: int) -> list[Path]:
    """`count` PDFs from the sample papers, each with its own bytes (so its own summary and cost)."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = sorted(EXAMPLES.glob("*.pdf"))
    papers = []
    for i in range(count):
        sample = samples[i % len(samples)]
        paper = folder / f"{i:02d}-{sample.name}"
        paper.write_bytes(sample.read_bytes() + f"\n%reliability test copy {i}\n".encode())
        papers.append(paper)
    return papers


def environment(server: FakeOpenAIServer, home: Path, **extra: str) -> dict[str, str]:
    """A clean environment for the command: the fake server, a private home and cache."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENAI_BASE_URL": server.url,
        "OPENAI_API_KEY": KEY,
        "CHATPAPER_CACHE_DIR": str(home / "cache"),
        **extra,
    }


def chatpaper(
    args: Sequence[str],
    env: dict[str, str],
    *,
    prefix: Sequence[str] = (),
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-m", "chatpaper", *args]
    return subprocess.run(
        command, env=env, cwd=REPO, capture_output=True, text=True, timeout=180, preexec_fn=preexec_fn
    )


def invoke(args: Sequence[str], env: dict[str, str]) -> Result:
    """The command in this process (faster), for what needs no process of its own."""
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def start(args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "chatpaper", *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "Error:" not in stderr.replace("chatpaper: error:", ""), stderr


def failed_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("failed: ")]


def titles_asked(server: FakeOpenAIServer) -> list[str]:
    def title(request: RecordedRequest) -> str:
        return next((line[7:] for line in request.prompt.splitlines() if line.startswith("Title: ")), "?")

    return sorted(title(r) for r in server.chat_requests)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


@pytest.fixture
def unprivileged() -> list[str]:
    """A command prefix that takes root's power over permission bits away (none needed otherwise)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: read-only files cannot be simulated")
    if subprocess.run(["unshare", "--user", "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root where user namespaces are refused: read-only files cannot be simulated")
    return ["unshare", "--user"]


def on_a_full_disk(folder: Path) -> list[str]:
    """A command prefix that mounts a full 4 KiB tmpfs on `folder` for that command alone."""
    script = 'mount -t tmpfs -o size=4k tmpfs "$0" && head -c 4096 /dev/zero > "$0/.filler" && exec "$@"'
    prefix = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, str(folder)]
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("unshare") is None or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("no private mount namespace here (unshare -rm): the file-size-limit test covers full disks")
    return prefix


# --- a full disk ------------------------------------------------------------------------------------


def test_a_full_disk_stops_new_papers_keeps_the_paid_summary_and_lists_every_failure(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    distinct_papers(tmp_path / "papers", 3)
    out = tmp_path / "reports"
    env = environment(server, tmp_path, CHATPAPER_WORKERS="1")
    ran = chatpaper([str(tmp_path / "papers"), "-o", str(out)], env, prefix=on_a_full_disk(out))
    assert ran.returncode == 1, ran.stderr
    assert_no_traceback(ran.stderr)
    # One paper paid for, its report refused by the disk; the others never started (they would be lost too).
    assert len(server.chat_requests) == 1
    lines = ran.stderr.strip().splitlines()
    assert "0 done · 0 skipped · 1 failed · 2 not started" in lines[-2] and "(index.md not written)" in lines[-2]
    assert lines[-3].startswith(f"chatpaper: error: cannot write {out}/0") and lines[-3].endswith(
        "(No space left on device): free some space, or choose another output folder (-o)"
    )
    assert lines[-1] == (
        f"chatpaper: error: cannot write {out / 'index.md'} (No space left on device): free some space, "
        "or choose another output folder (-o)"
    )

    # Space is back (another folder): the summary paid for is in the cache, not paid again.
    server.reset()
    again = invoke([str(tmp_path / "papers"), "-o", str(tmp_path / "elsewhere")], env)
    assert again.exit_code == 0, again.stderr
    assert len(server.chat_requests) == 2
    index = (tmp_path / "elsewhere" / "index.md").read_text(encoding="utf-8")
    assert ": 2 summarized · 1 from the cache " in index


def test_files_over_the_size_limit_fail_alone_and_the_tally_is_still_printed(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    distinct_papers(tmp_path / "papers", 2)
    out = tmp_path / "reports"

    def small_files() -> None:  # ulimit -f: every file chatpaper writes outgrows it
        resource.setrlimit(resource.RLIMIT_FSIZE, (256, 256))

    env = environment(server, tmp_path)
    ran = chatpaper([str(tmp_path / "papers"), "-o", str(out)], env, preexec_fn=small_files)
    assert ran.returncode == 1, ran.stderr
    assert_no_traceback(ran.stderr)
    assert "chatpaper: warning: summary cache not used: " in ran.stderr  # the cache cannot grow either
    failed = failed_lines(ran.stderr)
    assert len(failed) == 2 and all("(File too large): raise the file size limit (ulimit -f)" in f for f in failed)
    assert "0 done · 0 skipped · 2 failed" in ran.stderr and "(index.md not written)" in ran.stderr
    assert not out.exists()  # nothing written, not even a temp file: the folder this run made is gone


# --- the summary cache ------------------------------------------------------------------------------


def test_a_cache_that_cannot_be_written_costs_no_report(server: FakeOpenAIServer, tmp_path: Path) -> None:
    distinct_papers(tmp_path / "papers", 3)
    cache = tmp_path / "cache" / "summaries.db"
    cache.parent.mkdir()
    with sqlite3.connect(cache) as conn:  # a cache file whose every write fails (root ignores chmod)
        conn.execute(
            "CREATE TABLE summaries (key TEXT PRIMARY KEY, identity TEXT, model TEXT, language TEXT,"
            " prompt_version TEXT, summary_json TEXT, created TEXT)"
        )
        conn.execute("CREATE TRIGGER full BEFORE INSERT ON summaries BEGIN SELECT RAISE(ABORT, 'disk is full'); END")
        conn.execute("PRAGMA user_version = 1")
    conn.close()
    env = environment(server, tmp_path)
    ran = invoke([str(tmp_path / "papers"), "-o", str(tmp_path / "reports")], env)
    assert ran.exit_code == 0, ran.stderr
    assert len(server.chat_requests) == 3
    assert "3 done · 0 skipped · 0 failed" in ran.stderr
    warnings = [line for line in ran.stderr.splitlines() if line.startswith("chatpaper: warning:")]
    assert warnings == [
        f"chatpaper: warning: summary cache {cache} could not be updated (disk is full): "
        "move it away, or choose another --cache-dir"
    ]
    assert len(list((tmp_path / "reports").glob("*.json"))) == 3


def test_a_read_only_cache_costs_no_report(server: FakeOpenAIServer, tmp_path: Path, unprivileged: list[str]) -> None:
    distinct_papers(tmp_path / "papers", 2)
    env = environment(server, tmp_path)
    assert invoke([str(tmp_path / "papers"), "-o", str(tmp_path / "first")], env).exit_code == 0
    distinct_papers(tmp_path / "more", 3)  # one more paper, whose summary cannot be cached
    cache = tmp_path / "cache" / "summaries.db"
    cache.chmod(0o444)
    server.reset()
    ran = chatpaper([str(tmp_path / "more"), "-o", str(tmp_path / "reports")], env, prefix=unprivileged)
    assert ran.returncode == 0, ran.stderr
    assert len(server.chat_requests) == 1  # the two cached ones are still read
    assert "3 done · 0 skipped · 0 failed" in ran.stderr
    assert f"chatpaper: warning: summary cache {cache} could not be updated (attempt to write a readonly" in ran.stderr
    assert "check the permissions of the file and its folder" in ran.stderr
    assert len(list((tmp_path / "reports").glob("*.md"))) == 3 + 1  # and the index


def test_a_cache_damaged_after_its_header_is_set_aside_once(server: FakeOpenAIServer, tmp_path: Path) -> None:
    distinct_papers(tmp_path / "papers", 2)
    env = environment(server, tmp_path)
    assert invoke([str(tmp_path / "papers"), "-o", str(tmp_path / "first")], env).exit_code == 0
    cache = tmp_path / "cache" / "summaries.db"
    damage(cache, 100, 4000, b"\xff")
    server.reset()
    ran = invoke([str(tmp_path / "papers"), "-o", str(tmp_path / "second")], env)
    assert ran.exit_code == 0, ran.stderr
    assert f"chatpaper: warning: summary cache {cache} is damaged (database disk image is malformed): moved to" in (
        ran.stderr
    )
    assert len(list(cache.parent.glob("summaries.db.corrupt-*"))) == 1
    assert len(server.chat_requests) == 2  # its summaries are made again, once
    server.reset()
    third = invoke([str(tmp_path / "papers"), "-o", str(tmp_path / "third")], env)  # the next night
    assert third.exit_code == 0 and "warning" not in third.stderr and server.chat_requests == []


# --- the output folder ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("how", "reason"), [("-o", "Not a directory"), ("CHATPAPER_OUT", "File exists")], ids=["-o file/sub", "OUT=file"]
)
def test_an_output_folder_that_is_a_file_is_one_line_before_any_call(
    server: FakeOpenAIServer, tmp_path: Path, how: str, reason: str
) -> None:
    distinct_papers(tmp_path / "papers", 2)
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    env = environment(server, tmp_path)
    if how == "-o":
        where = tmp_path / "file" / "sub"
        ran = invoke([str(tmp_path / "papers"), "-o", str(where)], env)
    else:
        where = tmp_path / "file"
        ran = invoke([str(tmp_path / "papers")], {**env, "CHATPAPER_OUT": str(where)})
    assert ran.exit_code == 1
    assert ran.stderr.strip().splitlines()[-1] == (
        f"chatpaper: error: cannot write in {where} ({reason}): a file stands where a folder is needed: "
        "move it, or choose another -o (or CHATPAPER_OUT)"
    )
    assert_no_traceback(ran.stderr)
    assert server.chat_requests == []


def test_a_read_only_output_folder_is_one_line_before_any_call(
    server: FakeOpenAIServer, tmp_path: Path, unprivileged: list[str]
) -> None:
    distinct_papers(tmp_path / "papers", 2)
    out = tmp_path / "reports"
    out.mkdir()
    out.chmod(0o555)
    ran = chatpaper([str(tmp_path / "papers"), "-o", str(out)], environment(server, tmp_path), prefix=unprivileged)
    assert ran.returncode == 1
    assert f"chatpaper: error: cannot write in {out} (Permission denied): check its permissions" in ran.stderr
    assert_no_traceback(ran.stderr)
    assert server.chat_requests == []


def test_reports_honour_the_umask_and_stale_temp_files_are_removed(server: FakeOpenAIServer, tmp_path: Path) -> None:
    distinct_papers(tmp_path / "papers", 1)
    out = tmp_path / "reports"
    out.mkdir()
    (out / ".00-x.json.a1b2c3d4.tmp").write_text("{half", encoding="utf-8")  # left by a run killed mid-write
    old = os.umask(0o022)
    try:
        ran = invoke([str(tmp_path / "papers"), "-o", str(out)], environment(server, tmp_path))
    finally:
        os.umask(old)
    assert ran.exit_code == 0, ran.stderr
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in out.iterdir()}
    assert set(modes.values()) == {"0o644"}, modes


# --- two runs at once -------------------------------------------------------------------------------


def test_two_runs_at_once_pay_once_for_each_paper(tmp_path: Path) -> None:
    papers = distinct_papers(tmp_path / "papers", 6)
    out = tmp_path / "reports"
    with FakeOpenAIServer(latency=0.5) as server:
        env = environment(server, tmp_path, CHATPAPER_WORKERS="2")
        runs = [start([str(tmp_path / "papers"), "-o", str(out)], env) for _ in range(2)]
        results = [run.communicate(timeout=180) for run in runs]
        calls = len(server.chat_requests)
    for run, (_, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err
    assert calls == len(papers)
    for _, err in results:  # each run lists every paper: done by itself, or by the other run (skipped)
        tally = re.search(r"(\d+) done · (\d+) skipped · 0 failed", err)
        assert tally and int(tally[1]) + int(tally[2]) == len(papers), err
    index = (out / "index.md").read_text(encoding="utf-8")
    assert all(p.stem in index for p in papers)
    assert len(list(out.glob("*.json"))) == len(papers)
    assert not list((tmp_path / "cache" / "locks").iterdir())  # every claim given back


# --- messages ---------------------------------------------------------------------------------------


def test_a_newline_in_a_file_name_stays_on_one_stderr_line(server: FakeOpenAIServer, tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "bad\nname.pdf").write_bytes(b"not a pdf at all")
    ran = invoke([str(folder), "-o", str(tmp_path / "reports")], environment(server, tmp_path))
    assert ran.exit_code == 3
    failed = failed_lines(ran.stderr)
    assert len(failed) == 1 and "bad\\nname.pdf" in failed[0]
    assert not any(line.startswith("name.pdf") for line in ran.stderr.splitlines())
    report = json.dumps(sorted(p.name for p in (tmp_path / "reports").iterdir()))
    assert report == '["index.md"]'


# --- the digest -------------------------------------------------------------------------------------

NIGHT = [paper(11 + n, title) for n, title in enumerate(["Retrieval Heads", "Dense Retrieval", "Retrieval Chains"])]
DIGEST_ARGS = ("digest", "-c", "cs.CL", "--include", "retrieval", "--top", "3", "--workers", "1")


def digest_args(tmp_path: Path, *extra: str) -> list[str]:
    where = ("--state", str(tmp_path / "state.db"), "-o", str(tmp_path / "digests"))
    return [*DIGEST_ARGS, *where, *extra]


def test_three_digests_at_once_pay_once_and_record_three_runs(tmp_path: Path) -> None:
    with FakeArxivServer(NIGHT, announce_day=DAY1) as arxiv, FakeOpenAIServer(latency=0.5) as llm:
        env = {**environment(llm, tmp_path), **arxiv.env(delay=0.0, retries=1)}
        runs = [start(digest_args(tmp_path), env) for _ in range(3)]
        results = [run.communicate(timeout=180) for run in runs]
        calls = len(llm.chat_requests)
    for run, (_, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, err
    assert calls == len(NIGHT)
    assert any("chatpaper: waiting for the digest run that holds" in err and " (pid " in err for _, err in results)
    page = (tmp_path / "digests" / f"{DAY1}.md").read_text(encoding="utf-8")
    assert all(p.title in page for p in NIGHT) and "Not summarized yet" not in page
    with sqlite3.connect(tmp_path / "state.db") as conn:
        statuses = [row[0] for row in conn.execute("SELECT status FROM runs ORDER BY id")]
    conn.close()
    assert statuses == ["ok", "ok", "ok"]  # none taken for a killed run by the next
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("state.db")) == ["state.db"]


def test_a_damaged_digest_state_is_restored_by_hand_when_pages_depend_on_it(
    server: FakeOpenAIServer, tmp_path: Path
) -> None:
    with FakeArxivServer(NIGHT, announce_day=DAY1) as arxiv:
        env = {**environment(server, tmp_path), **arxiv.env(delay=0.0, retries=1)}
        assert invoke(digest_args(tmp_path), env).exit_code == 0
        state = tmp_path / "state.db"
        damage(state, 100, 4000, b"\xff")
        server.reset()
        ran = invoke(digest_args(tmp_path), env)
    assert ran.exit_code == 1
    assert ran.stderr.strip().splitlines() == [
        f"chatpaper: error: digest state {state} is damaged (database disk image is malformed): restore it from a "
        f"backup (the pages in {tmp_path / 'digests'} are built from it), or move it away to start the digest over"
    ]
    assert server.chat_requests == [] and not list(tmp_path.glob("state.db.corrupt-*"))


def test_a_damaged_digest_state_no_page_depends_on_is_set_aside(server: FakeOpenAIServer, tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with FakeArxivServer(NIGHT, announce_day=DAY1) as arxiv:
        env = {**environment(server, tmp_path), **arxiv.env(delay=0.0, retries=1)}
        assert invoke(digest_args(tmp_path, "--top", "1"), env).exit_code == 0
        damage(state, 100, 4000, b"\xff")
        shutil.rmtree(tmp_path / "digests")  # the pages went elsewhere (a new -o): none depends on it
        server.reset()
        ran = invoke(digest_args(tmp_path), env)
    assert ran.exit_code == 0, ran.stderr
    assert f"chatpaper: warning: digest state {state} is damaged (database disk image is malformed): moved to " in (
        ran.stderr
    )
    assert len(list(tmp_path.glob("state.db.corrupt-*"))) == 1
    assert len(server.chat_requests) == 2  # the first night's paper is still in the summary cache


def test_a_read_only_digest_state_is_one_line(
    server: FakeOpenAIServer, tmp_path: Path, unprivileged: list[str]
) -> None:
    state = tmp_path / "state.db"
    with FakeArxivServer(NIGHT, announce_day=DAY1) as arxiv:
        env = {**environment(server, tmp_path), **arxiv.env(delay=0.0, retries=1)}
        assert invoke(digest_args(tmp_path), env).exit_code == 0
        state.chmod(0o444)
        server.reset()
        ran = chatpaper(digest_args(tmp_path), env, prefix=unprivileged)
    assert ran.returncode == 1
    assert ran.stderr.strip().splitlines() == [
        f"chatpaper: error: cannot use {state} (attempt to write a readonly database): check the permissions of "
        "the file and its folder, or choose another --state"
    ]
    assert server.chat_requests == []
