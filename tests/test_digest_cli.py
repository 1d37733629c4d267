"""`chatpaper digest` end to end: flags, exit codes, e-mail, and the OpenAI client against the fake server."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from chatpaper.cli import main
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.openai_server import FakeOpenAIServer, answer, echo_credentials, hang
from tests.test_digest import DAY1, DAY1_PAPERS, DAY2, paper
from tests.test_mailer import Inbox, _authenticate, free_port, smtp_server  # noqa: F401  (fixture)


@pytest.fixture
def arxiv() -> Iterator[FakeArxivServer]:
    with FakeArxivServer(DAY1_PAPERS, announce_day=DAY1) as fake:
        yield fake


def digest(arxiv: FakeArxivServer, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run `chatpaper digest` in process with the offline backend unless `env` points at an LLM."""
    base = [
        "digest",
        "--state",
        str(tmp_path / "state.db"),
        "-o",
        str(tmp_path / "digests"),
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    environ = {**arxiv.env(delay=0.0, retries=1), **(env or {})}
    return CliRunner().invoke(main, [*base, *args], env=environ, catch_exceptions=False)


def test_flags_run_the_digest_and_print_the_page(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = digest(
        arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval, long context", "--exclude", "survey", "--top", "1"
    )
    assert result.exit_code == 0, result.output
    page = tmp_path / "digests" / "2025-08-20.md"
    assert result.stdout.strip() == str(page)
    assert "offline extractive backend" in result.stderr
    assert re.search(r"2025-08-20: 1 summarized · .*2025-08-20\.md", result.stderr)
    text = page.read_text(encoding="utf-8")
    assert "Sparse Attention for Long Context Models" in text and "Dense Retrieval" not in text
    assert "extractive summary, no LLM" in text


def test_flags_replace_configured_topics(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    config = tmp_path / "chatpaper.toml"
    config.write_text(
        '[digest]\ntop = 5\n[[digest.topics]]\nname = "Molecules"\ncategories = ["cs.CL"]\ninclude = ["molecules"]\n',
        encoding="utf-8",
    )
    result = digest(arxiv, tmp_path, "--config", str(config))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
    assert "**Molecules** (1)" in text and "Graph Neural Networks" in text
    # Another state: re-planning the same day would keep the summarized paper on its page.
    result = digest(arxiv, tmp_path / "flags", "--config", str(config), "--include", "speech")
    text = (tmp_path / "flags" / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
    assert "**cs.CL** (1)" in text and "Speech Recognition" in text and "Graph Neural" not in text


TOPICS = """[digest]
categories = ["cs.CL"]
exclude = ["survey"]
top = 5
[[digest.topics]]
name = "Search"
include = ["retrieval", "long context"]
[[digest.topics]]
name = "Speech"
include = ["speech"]
"""


def test_exclude_adds_to_every_configured_topic(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    config = tmp_path / "chatpaper.toml"
    config.write_text(TOPICS, encoding="utf-8")
    assert digest(arxiv, tmp_path / "as-configured", "--config", str(config)).exit_code == 0
    text = (tmp_path / "as-configured" / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
    assert "**Search** (2)" in text and "**Speech** (1)" in text and "Survey" not in text

    # --exclude narrows the configured topics; the configured exclusion (survey) still applies.
    result = digest(arxiv, tmp_path / "flag", "--config", str(config), "--exclude", "noise")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "flag" / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
    assert "**Search** (2)" in text and "Sparse Attention" in text and "Dense Retrieval at Scale" in text
    assert "Speech" not in text and "Survey" not in text and "Graph Neural" not in text


def test_two_categories_are_one_feed_and_group_the_page(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    arxiv.add_entries([paper(21, "Retrieval for Graphs", categories=("cs.LG",))])
    args = ("-c", "cs.CL", "-c", "cs.LG", "--include", "retrieval", "--exclude", "survey")
    result = digest(arxiv, tmp_path, *args)
    assert result.exit_code == 0, result.output
    assert [r.path for r in arxiv.rss_requests] == ["/atom/cs.CL+cs.LG"]
    assert len(arxiv.api_requests) == 1  # metadata for all four picks in one call
    text = (tmp_path / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
    assert "**cs.CL, cs.LG** · 6 new announcements · 4 matched · 4 summarized" in text
    assert "**cs.CL** (3)" in text and "**cs.LG** (1)" in text
    assert text.index("\n## cs.CL\n") < text.index("\n## cs.LG\n") < text.index("### 4. Retrieval for Graphs")
    index = (tmp_path / "digests" / "index.md").read_text(encoding="utf-8")
    assert "| [2025-08-20](2025-08-20.md) | 4 | 0 | cs.CL, cs.LG |" in index


def test_usage_errors(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--date", "2025-08-19", "--since", "2025-08-18")
    assert result.exit_code == 2 and "either --date or --since" in result.stderr
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--date", "yesterday")
    assert result.exit_code == 2
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--workers", "10000")  # the same range as `chatpaper run`
    assert result.exit_code == 2 and "1<=x<=64" in result.stderr
    result = digest(arxiv, tmp_path)  # no categories anywhere
    assert result.exit_code == 2 and "pass --category cs.CL" in result.stderr
    assert not (tmp_path / "digests").exists()


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {
        "CHATPAPER_SMTP_HOST": "127.0.0.1",
        "CHATPAPER_SMTP_PORT": str(port),
        "CHATPAPER_SMTP_STARTTLS": "false",
        "CHATPAPER_SMTP_SENDER": "digest@example.org",
        **extra,
    }


def test_email_delivers_the_digest(
    arxiv: FakeArxivServer,
    tmp_path: Path,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp_server
    args = ("-c", "cs.CL", "--include", "retrieval", "--top", "2", "--email", "me@example.org")
    result = digest(arxiv, tmp_path, *args, env=smtp_env(port, CHATPAPER_SMTP_PASSWORD="pw-never-shown"))
    assert result.exit_code == 0, result.output
    assert "e-mailed to me@example.org: 2025-08-20" in result.stderr
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["me@example.org"]
    assert message["Subject"] == "arXiv digest 2025-08-20: 2 papers"
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(preferencelist=("html",)).get_content()
    # the plain-text part is text a reader without HTML can read: no Markdown, no <details>, every point in full
    assert text.startswith("arXiv digest · 2025-08-20\n")
    assert "Dense Retrieval at Scale" in text and "\nResearch background: " in text
    assert not any(mark in text for mark in ("<details>", "<summary>", "**", "](", "<a id="))
    assert "<h1>arXiv digest · 2025-08-20</h1>" in html and "Dense Retrieval at Scale" in html
    assert "pw-never-shown" not in result.output


def test_email_failure_keeps_the_digest_exits_3_and_is_sent_next_time(
    arxiv: FakeArxivServer,
    tmp_path: Path,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> None:
    env = smtp_env(free_port(), CHATPAPER_SMTP_PASSWORD="pw-never-shown", CHATPAPER_SMTP_USER="me")
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval", "--email", "me@example.org", env=env)
    assert result.exit_code == 3
    assert "e-mail not sent: cannot reach 127.0.0.1" in result.stderr
    assert "the digest is saved in" in result.stderr and "pw-never-shown" not in result.output
    assert (tmp_path / "digests" / "2025-08-20.md").is_file()
    assert (tmp_path / "digests" / "index.md").is_file()
    runs = sqlite3.connect(tmp_path / "state.db").execute("SELECT status FROM runs").fetchall()
    assert runs == [("partial",)]  # not "ok": the page did not reach its reader

    # The next run, with the server back, sends the page it could not send (unchanged as it is).
    inbox, port = smtp_server
    result = digest(
        arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval", "--email", "me@example.org", env=smtp_env(port)
    )
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 1 and "e-mailed to me@example.org: 2025-08-20" in result.stderr


def test_email_is_sent_once_per_page_version(
    arxiv: FakeArxivServer,
    tmp_path: Path,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp_server
    args = ("-c", "cs.CL", "--include", "retrieval", "--email", "me@example.org")
    assert digest(arxiv, tmp_path, *args, "--top", "1", env=smtp_env(port)).exit_code == 0
    assert len(inbox.messages) == 1

    # The same day again: the page is the same, so is the e-mail: it is not sent twice.
    result = digest(arxiv, tmp_path, *args, "--top", "1", env=smtp_env(port))
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 1
    assert "not e-mailed again (unchanged since sent to me@example.org): 2025-08-20" in result.stderr

    # More papers on the page (--top 2): it changed, so it is sent again.
    result = digest(arxiv, tmp_path, *args, "--top", "2", env=smtp_env(port))
    assert result.exit_code == 0, result.output
    assert len(inbox.messages) == 2 and inbox.messages[1][1]["Subject"] == "arXiv digest 2025-08-20: 2 papers"


def test_a_backfill_of_several_days_is_one_email(
    arxiv: FakeArxivServer,
    tmp_path: Path,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp_server
    today = datetime.now(UTC).date()
    first = today - timedelta(days=2)
    noon = datetime.combine(first, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    arxiv.add_entries(
        [
            paper(31, "Retrieval for Code").model_copy(update={"published": noon}),
            paper(32, "Retrieval for Tables").model_copy(update={"published": noon + timedelta(days=2)}),
        ]
    )
    args = ("-c", "cs.CL", "--include", "retrieval", "--since", first.isoformat(), "--email", "me@example.org")
    result = digest(arxiv, tmp_path, *args, env=smtp_env(port))
    assert result.exit_code == 0, result.output
    days = [(first + timedelta(days=n)).isoformat() for n in (0, 2)]  # the day between had no papers: no page
    assert len(inbox.messages) == 1
    _, message = inbox.messages[0]
    assert message["Subject"] == f"arXiv digest {days[0]} to {days[1]}: 2 papers"
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert all(f"arXiv digest · {day}\n" in text for day in days)
    assert "Retrieval for Code" in text and "Retrieval for Tables" in text
    assert f"e-mailed to me@example.org: {', '.join(days)}" in result.stderr

    assert digest(arxiv, tmp_path, *args, env=smtp_env(port)).exit_code == 0
    assert len(inbox.messages) == 1  # nothing changed: nothing sent


def test_failed_papers_exit_3_and_are_named(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    arxiv.missing_pdfs.add("2508.00002")
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval")
    assert result.exit_code == 3
    assert "failed: 2508.00002v1:" in result.stderr and "retried on the next run" in result.stderr
    arxiv.missing_pdfs.clear()
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval")
    assert result.exit_code == 0, result.output
    assert "Not summarized yet" not in (tmp_path / "digests" / "2025-08-20.md").read_text(encoding="utf-8")


# --- with the OpenAI client against the fake OpenAI server ---------------------------------------

NIGHT_PAPERS = [
    paper(11, "Retrieval Heads in Transformers"),
    paper(12, "Dense Retrieval for Code Search"),
    paper(13, "Retrieval Augmented Translation"),
    paper(14, "Sparse Retrieval Revisited"),
    paper(15, "Image Segmentation with Transformers"),
]


def titles(llm: FakeOpenAIServer) -> list[str]:
    """The papers the LLM was asked about, by the "Title:" line of each prompt."""
    found = [re.search(r"^Title:\s*(.+)$", r.prompt, re.MULTILINE) for r in llm.chat_requests]
    return sorted(m.group(1).strip() for m in found if m)


def llm_env(llm: FakeOpenAIServer) -> dict[str, str]:
    return {"OPENAI_BASE_URL": llm.url, "OPENAI_API_KEY": "sk-test", "CHATPAPER_MODEL": "fake-model"}


def test_llm_first_run_same_day_and_next_day(tmp_path: Path) -> None:
    with FakeArxivServer(NIGHT_PAPERS, announce_day=DAY1) as arxiv, FakeOpenAIServer() as llm:
        args = ("-c", "cs.CL", "--include", "retrieval", "--top", "3")
        result = digest(arxiv, tmp_path, *args, env=llm_env(llm))
        assert result.exit_code == 0, result.output
        first = titles(llm)
        assert len(first) == 3 and "Image Segmentation with Transformers" not in first
        assert re.search(
            r"this run: 3 summarized · 3 LLM calls · [\d,]+ prompt \+ [\d,]+ completion tokens", result.stderr
        )
        page = (tmp_path / "digests" / "2025-08-20.md").read_bytes()
        assert b"Summaries by fake-model: 3 LLM calls" in page

        # Same day again: no LLM call, the same bytes.
        llm.reset()
        result = digest(arxiv, tmp_path, *args, env=llm_env(llm))
        assert result.exit_code == 0, result.output
        assert llm.chat_requests == [] and "no LLM calls" in result.stderr
        assert (tmp_path / "digests" / "2025-08-20.md").read_bytes() == page

        # The next night brings two new papers: exactly those two are summarized.
        arxiv.add_entries([paper(16, "Retrieval for Tables"), paper(17, "Long Retrieval Chains")])
        arxiv.announcements = [*arxiv.entries[-2:], NIGHT_PAPERS[0]]
        arxiv.announce_day = DAY2
        llm.reset()
        result = digest(arxiv, tmp_path, *args, env=llm_env(llm))
        assert result.exit_code == 0, result.output
        assert titles(llm) == ["Long Retrieval Chains", "Retrieval for Tables"]
        assert (tmp_path / "digests" / "2025-08-20.md").read_bytes() == page
        index = (tmp_path / "digests" / "index.md").read_text(encoding="utf-8")
        assert "[2025-08-21](2025-08-21.md) | 2 |" in index and "[2025-08-20](2025-08-20.md) | 3 |" in index


def test_digest_and_run_share_one_summary_cache(tmp_path: Path) -> None:
    with FakeArxivServer(NIGHT_PAPERS, announce_day=DAY1) as arxiv, FakeOpenAIServer() as llm:
        env = {**arxiv.env(delay=0.0, retries=1), **llm_env(llm)}
        cache = str(tmp_path / "cache")
        first = NIGHT_PAPERS[0].versioned_id
        ran = CliRunner().invoke(main, ["--ids", first, "-o", str(tmp_path / "reports"), "--cache-dir", cache], env=env)
        assert ran.exit_code == 0, ran.output
        assert len(llm.chat_requests) == 1
        llm.reset()
        # The digest picks that paper among others: it is not summarized (nor paid for) a second time.
        result = digest(arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval", "--top", "3", env=llm_env(llm))
        assert result.exit_code == 0, result.output
        assert len(llm.chat_requests) == 2 and NIGHT_PAPERS[0].title not in titles(llm)
        assert NIGHT_PAPERS[0].title in (tmp_path / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
        # ... and what the digest summarized, `chatpaper --ids` finds in the same cache.
        llm.reset()
        others = [e.versioned_id for e in NIGHT_PAPERS[1:3]]
        ran = CliRunner().invoke(
            main, ["--ids", ",".join(others), "-o", str(tmp_path / "reports"), "--cache-dir", cache], env=env
        )
        assert ran.exit_code == 0, ran.output
        assert llm.chat_requests == [] and "2 done" in ran.stderr


def test_model_flag_picks_the_model(tmp_path: Path) -> None:
    with FakeArxivServer(NIGHT_PAPERS, announce_day=DAY1) as arxiv, FakeOpenAIServer() as llm:
        args = ("-c", "cs.CL", "--include", "retrieval", "--top", "2", "-m", "other-model")
        result = digest(arxiv, tmp_path, *args, env=llm_env(llm))  # CHATPAPER_MODEL=fake-model: the flag wins
        assert result.exit_code == 0, result.output
        assert len(llm.chat_requests) == 2
        assert {r.body["model"] for r in llm.chat_requests if r.body} == {"other-model"}
        text = (tmp_path / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
        assert "Summaries by other-model: 2 LLM calls" in text


def _count_done(state: Path) -> int:
    try:
        with sqlite3.connect(f"file:{state}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM papers WHERE status = 'done'").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet


def test_a_killed_run_resumes_without_redoing_finished_papers(tmp_path: Path) -> None:
    state, out = tmp_path / "state.db", tmp_path / "digests"
    command = [
        sys.executable,
        "-m",
        "chatpaper",
        "digest",
        *("-c", "cs.CL", "--include", "retrieval", "--top", "4", "--workers", "1"),
        *("--state", str(state), "-o", str(out), "--cache-dir", str(tmp_path / "cache")),
    ]
    with FakeArxivServer(NIGHT_PAPERS, announce_day=DAY1) as arxiv, FakeOpenAIServer() as llm:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CHATPAPER_", "OPENAI_"))},
            **arxiv.env(delay=0.0, retries=1),
            **llm_env(llm),
            "CHATPAPER_TIMEOUT": "60",  # the hanging reply must not time out before we kill the run
        }
        llm.script(answer(), answer(), hang(120))
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while (_count_done(state) < 2 or len(llm.chat_requests) < 3) and time.monotonic() < deadline:
                assert process.poll() is None, process.communicate()
                time.sleep(0.05)
            assert _count_done(state) == 2 and len(llm.chat_requests) == 3  # two done, the third hangs
        finally:
            process.terminate()
            process.communicate(timeout=10)
        assert process.returncode != 0
        assert not (out / "2025-08-20.md").exists()  # nothing half-done
        picked = [p.title for p in NIGHT_PAPERS[:4]]
        statuses = {title: _status_of(state, title) for title in picked}
        finished = {title for title, status in statuses.items() if status == "done"}
        assert len(finished) == 2 and set(statuses.values()) == {"done", "pending"}

        llm.reset()
        resumed = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert resumed.returncode == 0, resumed.stderr
        assert titles(llm) == sorted(set(picked) - finished)  # exactly the unfinished papers, once each
        text = (out / "2025-08-20.md").read_text(encoding="utf-8")
        assert all(title in text for title in picked) and "Not summarized yet" not in text
        runs = [row[0] for row in sqlite3.connect(state).execute("SELECT status FROM runs ORDER BY id")]
        assert runs == ["interrupted", "ok"]


def _status_of(state: Path, title: str) -> str | None:
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as conn:
        for entry_json, status in conn.execute("SELECT entry_json, status FROM papers"):
            if json.loads(entry_json)["title"] == title:
                return status
    return None


# --- secrets ---------------------------------------------------------------------------------------

RELAY_PASSWORD, MIRROR_PASSWORD = "relay-pw-SECRET-77", "mirror-pw-SECRET-55"


def test_no_secret_reaches_the_page_the_state_or_the_email(
    tmp_path: Path,
    smtp_server: tuple[Inbox, int],  # noqa: F811
) -> None:
    """Credentials in the LLM base URL and the arXiv URLs, echoed by the LLM server in its errors and
    named in arXiv's failure: the failed papers' reasons and the warning say what failed, never them."""
    inbox, port = smtp_server
    with FakeArxivServer(NIGHT_PAPERS, announce_day=DAY1) as arxiv, FakeOpenAIServer() as llm:
        llm.default = echo_credentials(502)
        arxiv.fail("api", status=418, times=5)  # the metadata request fails, naming the API URL
        mirror = f"http://mirror-user:{MIRROR_PASSWORD}@"
        env = {
            **llm_env(llm),
            "OPENAI_BASE_URL": llm.url_with_credentials("relay-user", RELAY_PASSWORD),
            "CHATPAPER_MAX_ATTEMPTS": "1",
            "CHATPAPER_ARXIV_API_URL": arxiv.api_url.replace("http://", mirror),
            "CHATPAPER_ARXIV_RSS_URL": arxiv.rss_url.replace("http://", mirror),
            **smtp_env(port),
        }
        args = ("-c", "cs.CL", "--include", "retrieval", "--top", "2", "--email", "me@example.org")
        result = digest(arxiv, tmp_path, *args, env=env)
        echoed = [r.headers["authorization"] for r in llm.chat_requests]

    assert result.exit_code == 3, result.output
    assert echoed and all(a.startswith("Basic ") for a in echoed)  # the credentials really were sent
    assert "warning: arXiv metadata not fetched (arXiv API answered HTTP 418 for http://***@127.0.0.1" in result.stderr
    page = (tmp_path / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
    assert "## Not summarized yet" in page and "HTTP 502: upstream refused the credentials " in page
    ((_, message),) = inbox.messages
    mailed = [message.get_body(preferencelist=(kind,)).get_content() for kind in ("plain", "html")]
    assert all("HTTP 502: upstream refused the credentials " in text for text in mailed)
    texts = [result.stdout, result.stderr, page, *mailed]
    texts += [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "digests").iterdir())]
    with sqlite3.connect(tmp_path / "state.db") as conn:
        texts.append("\n".join(conn.iterdump()))
    assert "HTTP 502" in texts[-1]  # the reasons are in the state, redacted
    for leak in (RELAY_PASSWORD, MIRROR_PASSWORD, "relay-pw", "mirror-pw"):
        assert not [text for text in texts if leak in text], leak


class _RefusingInbox:
    """An SMTP server that takes the login, then refuses the message quoting the password back."""

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "554 5.7.1 login reader/s3cret-pw may not send from here"


def test_an_smtp_server_echoing_the_password_does_not_get_it_printed(tmp_path: Path) -> None:
    port = free_port()
    controller = Controller(
        _RefusingInbox(), hostname="127.0.0.1", port=port, authenticator=_authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        with FakeArxivServer(DAY1_PAPERS, announce_day=DAY1) as arxiv:
            env = smtp_env(port, CHATPAPER_SMTP_USER="reader", CHATPAPER_SMTP_PASSWORD="s3cret-pw")
            result = digest(arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval", "--email", "me@x.org", env=env)
    finally:
        controller.stop()
    assert result.exit_code == 3
    assert f"e-mail not sent: 127.0.0.1:{port} answered 554 5.7.1 login reader/*** may not send" in result.stderr
    assert "s3cret" not in result.output


def test_since_over_a_week_skips_the_days_arxiv_had_nothing_for_in_one_line(tmp_path: Path) -> None:
    """A week's backfill whose weekend had no papers: five pages, not seven, and one line naming the
    two days left out; the index lists only days with a page."""
    today = datetime.now(UTC).date()
    week = [today - timedelta(days=n) for n in range(6, -1, -1)]
    quiet = set(week[1:3])  # two days without a paper
    entries = [
        paper(i + 1, f"Retrieval Paper {i + 1}").model_copy(
            update={"published": datetime(day.year, day.month, day.day, 9, tzinfo=UTC)}
        )
        for i, day in enumerate(week)
        if day not in quiet
    ]
    with FakeArxivServer(entries, announce_day=today) as fake:
        result = digest(fake, tmp_path, "-c", "cs.CL", "--since", week[0].isoformat())
    assert result.exit_code == 0, result.stderr
    pages = sorted(p.stem for p in (tmp_path / "digests").glob("????-??-??.md"))
    assert pages == [day.isoformat() for day in week if day not in quiet]
    skipped = [line for line in result.stderr.splitlines() if line.startswith("no page for")]
    assert skipped == [f"no page for 2 days arXiv had no papers for: {week[1]}, {week[2]}"]
    index = (tmp_path / "digests" / "index.md").read_text(encoding="utf-8")
    assert not [day for day in quiet if day.isoformat() in index]
