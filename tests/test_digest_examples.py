"""The scheduling examples: the GitHub Actions workflow keeps state.db even when the digest is cut
short, the crontab line does what its comment says, and the sample chatpaper.toml loads.

The workflow is checked as text (no YAML parser in the dependencies): the parts that matter are few
and named.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from chatpaper.cli import digest_command
from chatpaper.ranking import digest_topics, followed_categories
from chatpaper.settings import Settings, load_settings
from chatpaper.sources.feed import feed_url

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _steps(workflow: str) -> dict[str, str]:
    """The workflow's steps by name (or `uses:`), each as its block of text."""
    blocks = re.split(r"^      - ", workflow, flags=re.MULTILINE)[1:]
    steps = {}
    for block in blocks:
        name = re.match(r"(?:name|uses): *(.+)", block)
        assert name, block
        steps[name.group(1).strip()] = block
    return steps


def _minutes(text: str, *, indent: int) -> int:
    """The `timeout-minutes:` at this indentation (4: the job's, 8: a step's)."""
    found = re.search(rf"^ {{{indent}}}timeout-minutes: *(\d+)", text, re.MULTILINE)
    assert found, f"no timeout-minutes at indent {indent}"
    return int(found.group(1))


def _digest_flags(command: str) -> list[str]:
    words = shlex.split(command.replace('${BACKFILL:+--date "$BACKFILL"}', "--date 2025-08-19"))
    return [w.split("=")[0] for w in words[words.index("digest") + 1 :] if w.startswith("-")]


def _known_flags() -> set[str]:
    return {opt for param in digest_command.params for opt in (*param.opts, *param.secondary_opts)}


def test_the_workflow_keeps_the_state_even_when_the_digest_step_times_out() -> None:
    workflow = (EXAMPLES / "github-actions-digest.yml").read_text(encoding="utf-8")
    steps = _steps(workflow)
    digest = steps["Build the digest"]
    job_timeout, step_timeout = _minutes(workflow, indent=4), _minutes(digest, indent=8)
    # A job killed at its own limit runs no further step: the digest step must time out first, with
    # time left for the commit.
    assert step_timeout < job_timeout
    assert "--state state/state.db" in digest

    commit = steps["Commit the pages and the state"]
    condition = re.search(r"^        if: *(.+)$", commit, re.MULTILINE)
    assert condition and condition.group(1).strip() == "always()"  # not gated on the digest's exit code
    assert "wal_checkpoint" in commit and "state/state.db" in commit
    assert re.search(r"for path in digests state\b", commit) and "git push" in commit
    assert list(steps).index("Commit the pages and the state") > list(steps).index("Build the digest")

    command = next(line for line in digest.splitlines() if line.strip().startswith("chatpaper digest"))
    assert set(_digest_flags(command)) <= _known_flags()


def test_the_crontab_line_matches_its_comment() -> None:
    text = (EXAMPLES / "crontab.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0].startswith("MAILTO=")
    (job,) = [line for line in lines if not line.startswith("MAILTO=")]
    schedule, command = job.split(None, 5)[:5], job.split(None, 5)[5]
    assert schedule == ["30", "6", "*", "*", "1-5"]
    assert 'flock -n "$HOME/arxiv-digest/.digest.lock" ' in command  # never two runs on one state file
    # The comment says cron mails stderr: the line must leave stderr alone and log stdout only.
    assert "cron mails it to MAILTO" in text
    assert command.endswith(">> digest.log") and "2>" not in command
    digest = command[command.index("chatpaper/bin/chatpaper") :]
    assert set(_digest_flags(digest.replace('chatpaper/bin/chatpaper"', "chatpaper"))) <= _known_flags()


def test_the_sample_config_loads_with_its_topics() -> None:
    settings = load_settings(config_path=EXAMPLES / "chatpaper.toml", environ={}).settings
    topics = digest_topics(settings.digest)
    assert [t.name for t in topics] == ["Retrieval & RAG", "Generative models"]
    assert topics[0].categories == ("cs.CL", "cs.IR") and "RAG" in topics[0].include
    assert "survey" in topics[0].exclude  # [digest] exclude applies to every topic
    assert (
        feed_url(followed_categories(topics), Settings().arxiv) == "https://rss.arxiv.org/atom/cs.CL+cs.IR+cs.LG+cs.CV"
    )
    assert settings.smtp.starttls and settings.smtp.port == 587 and settings.smtp.password is None
