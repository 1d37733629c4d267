"""`chatpaper digest` end to end: flags, exit codes, e-mail, and the OpenAI client against the fake server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chatpaper.cli import main
from tests.fakes.arxiv_server import FakeArxivServer
from tests.test_digest import DAY1, DAY1_PAPERS
from tests.test_mailer import Inbox, free_port, smtp_server  # noqa: F401  (fixture)


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
    result = digest(arxiv, tmp_path, "--config", str(config), "--include", "speech")
    text = (tmp_path / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
    assert "**cs.CL** (1)" in text and "Speech Recognition" in text and "Graph Neural" not in text


def test_usage_errors(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--date", "2025-08-19", "--since", "2025-08-18")
    assert result.exit_code == 2 and "either --date or --since" in result.stderr
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--date", "yesterday")
    assert result.exit_code == 2
    result = digest(arxiv, tmp_path)  # no categories anywhere
    assert result.exit_code == 1 and "pass --category cs.CL" in result.stderr
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
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert text.replace("\r\n", "\n") == (tmp_path / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
    assert "<h1>arXiv digest · 2025-08-20</h1>" in html and "Dense Retrieval at Scale" in html
    assert "pw-never-shown" not in result.output


def test_email_failure_keeps_the_digest_and_exits_3(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    env = smtp_env(free_port(), CHATPAPER_SMTP_PASSWORD="pw-never-shown", CHATPAPER_SMTP_USER="me")
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval", "--email", "me@example.org", env=env)
    assert result.exit_code == 3
    assert "e-mail not sent: cannot reach 127.0.0.1" in result.stderr
    assert "the digest is saved in" in result.stderr and "pw-never-shown" not in result.output
    assert (tmp_path / "digests" / "2025-08-20.md").is_file()
    assert (tmp_path / "digests" / "index.md").is_file()


def test_failed_papers_exit_3_and_are_named(arxiv: FakeArxivServer, tmp_path: Path) -> None:
    arxiv.missing_pdfs.add("2508.00002")
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval")
    assert result.exit_code == 3
    assert "failed: 2508.00002v1:" in result.stderr and "retried on the next run" in result.stderr
    arxiv.missing_pdfs.clear()
    result = digest(arxiv, tmp_path, "-c", "cs.CL", "--include", "retrieval")
    assert result.exit_code == 0, result.output
    assert "Not summarized yet" not in (tmp_path / "digests" / "2025-08-20.md").read_text(encoding="utf-8")
