"""The real `chatpaper` command and the real `openai` client against the loopback fake server.

What a user sees when the LLM backend is used on local PDFs: exit codes, the stderr lines, the
Markdown and JSON reports and `index.md`, for schema-conforming answers, an answer that needs the
re-ask, one that never validates, a cut-off answer, a server error, Chinese output and a refused
key. Per-call details (backoff timing, format fallback, context-length shrink) are tested on the
backend in test_llm_backend.py.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatpaper.cli import main
from chatpaper.llm.client import ChatClient
from chatpaper.models import PaperSummary
from tests.conftest import EXAMPLES
from tests.fakes.openai_server import (
    Behavior,
    FakeOpenAIServer,
    RecordedRequest,
    answer,
    build_answer,
    completion_tokens,
    content,
    echo_credentials,
    hang,
    prompt_tokens,
    server_error,
    trickle,
    truncated,
)

KEY = "sk-test-SECRET-123"  # distinctive, so a leak anywhere is found by a plain substring search
MODEL = "fake-model"
# Sorted file names: with --workers 1 the papers reach the server in this order.
FIRST, SECOND = "skimrag-long-document-qa", "soil-moisture-graph-gp"
# Parses as JSON but misses most required fields: a schema error, not a JSON error.
INVALID = '{"title": "Half an answer", "keywords": ["x"]}'


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries after a 5xx wait milliseconds instead of the default ~1 s (the backoff itself is tested elsewhere)."""
    monkeypatch.setitem(ChatClient.__init__.__kwdefaults__, "backoff_base", 0.01)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    """A fake that accepts only KEY, so every successful run also proves the key was sent."""
    with FakeOpenAIServer(api_key=KEY) as fake:
        yield fake


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    """Two sample papers in a folder of their own."""
    folder = tmp_path / "papers"
    folder.mkdir()
    for name in (FIRST, SECOND):
        shutil.copy(EXAMPLES / f"{name}.pdf", folder / f"{name}.pdf")
    return folder


def llm_env(server: FakeOpenAIServer, tmp_path: Path, key: str = KEY) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": server.url,
        "OPENAI_API_KEY": key,
        "CHATPAPER_MODEL": MODEL,
        "CHATPAPER_CACHE_DIR": str(tmp_path / "cache"),
    }


def invoke(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def report(out: Path, name: str) -> dict:
    """The JSON report, checked against the public model on the way."""
    data = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    PaperSummary.model_validate(data)
    return data


def title_in(request: RecordedRequest) -> str:
    found = re.search(r"^Title: (.*)$", request.prompt, re.MULTILINE)
    assert found, "the prompt names the paper's title"
    return found.group(1).strip()


def failed_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("failed: ")]


# --- the happy path ----------------------------------------------------------------------------------


def test_schema_conforming_answers_give_reports_with_the_servers_usage(
    server: FakeOpenAIServer, papers: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, _, err = invoke(str(papers), "-o", str(out), "--workers", "2", env=llm_env(server, tmp_path))

    assert code == 0, err
    assert "offline extractive backend" not in err
    requests = server.chat_requests
    assert len(requests) == 2
    by_title = {title_in(r): r for r in requests}
    total_prompt = total_completion = 0
    for name in (FIRST, SECOND):
        data = report(out, name)
        request = by_title[data["title"]]  # the title the model answered is the one it was sent
        assert request.body["model"] == MODEL
        assert request.response_format == "json_schema"
        meta = data["meta"]
        assert (meta["backend"], meta["model"], meta["language"], meta["calls"]) == ("openai", MODEL, "en", 1)
        assert meta["source"].endswith(f"{name}.pdf") and len(meta["sha256"]) == 64
        # Token usage is the server's own count, not a local estimate.
        reply = json.dumps(build_answer(request.body), ensure_ascii=False)
        assert meta["prompt_tokens"] == prompt_tokens(request.body)
        assert meta["completion_tokens"] == completion_tokens(request.body, reply)
        total_prompt += meta["prompt_tokens"]
        total_completion += meta["completion_tokens"]
        assert data["title_translated"] is None
        assert all(data["summary"][k].strip() for k in ("background", "prior_work", "method", "results"))
        markdown = (out / f"{name}.md").read_text(encoding="utf-8")
        assert markdown.startswith(f"# {data['title']}\n")
        assert f"Summary written by **{MODEL}**" in markdown
        assert f"{meta['prompt_tokens']:,}+{meta['completion_tokens']:,} tokens" in markdown
        assert "extractive, no LLM" not in markdown
    usage = f"2 LLM calls · {total_prompt:,} prompt + {total_completion:,} completion tokens"
    assert f"2 done · 0 skipped · 0 failed · {usage}" in err.splitlines()[-1]
    index = (out / "index.md").read_text(encoding="utf-8")
    assert usage in index
    assert f"({FIRST}.md)" in index and f"({SECOND}.md)" in index
    assert index.count(f"| {MODEL} · ") == 2  # the model that wrote each report


def test_index_keeps_the_picture_of_the_folder_across_runs(papers: Path, tmp_path: Path) -> None:
    """A re-run that finds everything done rewrites only the 'Last run' line; a run on some papers
    lists the folder's other reports too, each with the backend or model that wrote it."""
    out = tmp_path / "out"
    with FakeOpenAIServer() as server:
        env = llm_env(server, tmp_path)
        assert invoke(str(papers), "-o", str(out), env=env)[0] == 0
        first = (out / "index.md").read_text(encoding="utf-8")
        code, _, err = invoke(str(papers), "-o", str(out), env=env)
        again = (out / "index.md").read_text(encoding="utf-8")
    assert code == 0 and "0 done · 2 skipped · 0 failed" in err  # stderr tells what this run did
    assert first.startswith("# chatpaper reports\n\n2 papers · 2 summarized\n\nLast run ")
    assert ": 2 summarized · 2 LLM calls" in first and ": 2 unchanged." in again

    def without_last_run(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("Last run ")]

    assert without_last_run(again) == without_last_run(first)
    # One more paper, offline: its row says so, the two LLM reports stay listed with their model.
    third = tmp_path / "more" / "third.pdf"
    third.parent.mkdir()
    shutil.copy(EXAMPLES / "keyphrase-distillation-zh.pdf", third)
    code, _, _ = invoke(str(third), "-o", str(out), "--backend", "extractive", env=env)
    index = (out / "index.md").read_text(encoding="utf-8")
    assert code == 0 and "3 papers · 3 summarized" in index and ": 1 summarized." in index
    rows = [line for line in index.splitlines() if line.startswith("| ") and "(" in line]
    assert "(third.md)" in rows[0] and "| extractive (no LLM) · " in rows[0]
    assert all(f"| {MODEL} · " in row for row in rows[1:]) and len(rows) == 3


def test_invalid_then_valid_answer_is_reasked_with_the_validation_error(
    server: FakeOpenAIServer, papers: Path, tmp_path: Path
) -> None:
    server.script(content(INVALID), answer())
    out = tmp_path / "out"
    code, _, err = invoke(str(papers / f"{FIRST}.pdf"), "-o", str(out), env=llm_env(server, tmp_path))

    assert code == 0, err
    first, second = server.chat_requests
    assert second.messages[: len(first.messages)] == first.messages  # the same conversation, continued
    assert second.messages[-2] == {"role": "assistant", "content": INVALID}
    reask = second.messages[-1]
    assert reask["role"] == "user"
    assert "could not be used" in reask["content"]
    assert "summary: Field required" in reask["content"]  # the validation error itself goes back
    meta = report(out, FIRST)["meta"]
    assert meta["calls"] == 2
    assert meta["prompt_tokens"] == prompt_tokens(first.body) + prompt_tokens(second.body)


def test_always_invalid_answer_fails_that_paper_alone(server: FakeOpenAIServer, papers: Path, tmp_path: Path) -> None:
    # The first paper's answer and its re-ask, the other paper's answer, then the first paper's
    # second try at the end of the batch: answer and re-ask again.
    server.script(content(INVALID), content(INVALID), answer(), content(INVALID), content(INVALID))
    out = tmp_path / "out"
    code, _, err = invoke(str(papers), "-o", str(out), "--workers", "1", env=llm_env(server, tmp_path))

    assert code == 3, err
    assert len(server.chat_requests) == 5  # two conversations of two for the failed paper, one for the other
    (line,) = failed_lines(err)
    assert line.startswith(f"failed: {papers / FIRST}.pdf: ")
    assert "not a valid summary after 2 answers" in line and "schema" in line and "also on a second try" in line
    assert not (out / f"{FIRST}.json").exists() and not (out / f"{FIRST}.md").exists()
    assert report(out, SECOND)["meta"]["backend"] == "openai"
    assert "1 done · 0 skipped · 1 failed" in err.splitlines()[-1]
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "2 papers · 1 summarized · 1 failed" in index
    failed_section = index.split("## Failed", 1)[1]
    assert f"{FIRST}.pdf" in failed_section and "not a valid summary after 2 answers" in failed_section
    assert f"({SECOND}.md)" in index


def test_a_paper_whose_answers_never_validated_gets_a_fresh_try_at_the_end(
    server: FakeOpenAIServer, papers: Path, tmp_path: Path
) -> None:
    server.script(content(INVALID), content(INVALID))  # the first paper's answer and its re-ask; then all valid
    out = tmp_path / "out"
    code, _, err = invoke(str(papers), "-o", str(out), "--workers", "1", env=llm_env(server, tmp_path))

    assert code == 0, err
    first, reask, other, fresh = server.chat_requests
    assert other.messages != first.messages  # the other paper went on meanwhile
    assert fresh.messages == first.messages  # then a new conversation: no earlier bad answer in it
    assert len(reask.messages) > len(first.messages)
    assert not failed_lines(err) and "2 done · 0 skipped · 0 failed" in err
    assert report(out, FIRST)["meta"]["calls"] == 1  # the report's meta counts the conversation that succeeded


def test_cut_off_answer_is_asked_again_with_more_room(server: FakeOpenAIServer, papers: Path, tmp_path: Path) -> None:
    server.script(truncated(), answer())  # finish_reason="length", half a JSON object; then a full answer
    out = tmp_path / "out"
    code, _, err = invoke(str(papers / f"{FIRST}.pdf"), "-o", str(out), env=llm_env(server, tmp_path))

    assert code == 0, err
    first, second = server.chat_requests
    assert second.body["max_tokens"] > first.body["max_tokens"]
    data = report(out, FIRST)
    assert data["meta"]["calls"] == 2
    assert data["title"] == title_in(second)


def test_answer_cut_off_every_time_fails_with_advice_the_user_can_follow(
    server: FakeOpenAIServer, papers: Path, tmp_path: Path
) -> None:
    server.script(truncated(), truncated(), truncated())  # the first try, the one with more room, the re-ask
    out = tmp_path / "out"
    code, _, err = invoke(str(papers / f"{FIRST}.pdf"), "-o", str(out), env=llm_env(server, tmp_path))

    assert code == 3, err
    assert len(server.chat_requests) == 3
    (line,) = failed_lines(err)
    assert "cut off" in line
    # The advice names the setting as the user can set it (there is no --max-output-tokens flag).
    assert "CHATPAPER_MAX_OUTPUT_TOKENS" in line
    assert "--max-output-tokens" not in line


def test_server_error_then_success(server: FakeOpenAIServer, papers: Path, tmp_path: Path) -> None:
    server.script(server_error(500), answer())
    out = tmp_path / "out"
    code, _, err = invoke(str(papers / f"{FIRST}.pdf"), "-o", str(out), env=llm_env(server, tmp_path))

    assert code == 0, err
    assert not failed_lines(err)
    first, second = server.chat_requests
    assert first.body == second.body  # the same request, sent again
    meta = report(out, FIRST)["meta"]
    assert meta["calls"] == 2  # the failed attempt is counted
    assert meta["prompt_tokens"] == prompt_tokens(second.body)  # a 500 reports no usage


@pytest.mark.parametrize("fault", [trickle(size=4, gap=0.1), hang()], ids=["trickle", "hang"])
def test_a_server_that_trickles_or_never_answers_costs_each_paper_its_deadlines(
    server: FakeOpenAIServer, papers: Path, tmp_path: Path, fault: Behavior
) -> None:
    # trickle: four bytes every 0.1 s, each wait far under --timeout, a whole reply over 30 s.
    server.default = fault
    out = tmp_path / "out"
    env = {**llm_env(server, tmp_path), "CHATPAPER_MAX_ATTEMPTS": "2"}
    code, _, err = invoke(str(papers), "-o", str(out), "--timeout", "1", env=env)

    assert code == 3, err
    assert len(server.chat_requests) == 4  # two requests per paper; none succeeded, so no second try
    lines = failed_lines(err)
    reason = "the LLM server failed 2 requests for this paper, the last with no complete answer within 1 s"
    assert len(lines) == 2 and all(reason in line for line in lines), err
    assert "0 done · 0 skipped · 2 failed" in err.splitlines()[-1]
    assert (out / "index.md").read_text(encoding="utf-8").split("## Failed", 1)[1].count(reason) == 2


def test_chinese_output_asks_for_chinese_and_translates_the_title(
    server: FakeOpenAIServer, papers: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = (str(papers / f"{FIRST}.pdf"), "-o", str(out), "--language", "zh")
    code, _, err = invoke(*args, env=llm_env(server, tmp_path))

    assert code == 0, err
    (request,) = server.chat_requests
    system = request.messages[0]["content"]
    assert "Simplified Chinese (简体中文)" in system and "title_translated" in system
    data = report(out, FIRST)
    assert data["meta"]["language"] == "zh"
    assert data["title_translated"] and data["title_translated"] != data["title"]
    assert re.search(r"[\u4e00-\u9fff]", data["summary"]["background"])
    markdown = (out / f"{FIRST}.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"# {data['title']}\n\n**{data['title_translated']}**\n")
    assert "## 1. 研究背景" in markdown
    assert f"摘要由 **{MODEL}** 根据论文正文撰写" in markdown  # the provenance line too, not English


# --- the API key is a secret ---------------------------------------------------------------------------


def written_texts(out: Path) -> list[str]:
    assert (out / "index.md").is_file()
    # every file, the Figure-1 PNGs too (bytes that are not UTF-8 cannot hide the key's characters)
    return [p.read_bytes().decode("utf-8", "replace") for p in sorted(out.iterdir()) if p.is_file()]


def test_key_appears_nowhere_a_user_or_a_log_can_see(server: FakeOpenAIServer, papers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, err = invoke(str(papers), "-o", str(out), env=llm_env(server, tmp_path))
    assert code == 0, err
    assert all(r.headers["authorization"] == f"Bearer {KEY}" for r in server.chat_requests)  # it was used

    config_file = tmp_path / "chatpaper.toml"
    config_file.write_text(f'api_key = "{KEY}"\n', encoding="utf-8")
    shown = [invoke("config", env=llm_env(server, tmp_path))]
    shown.append(invoke("config", "--config", str(config_file), env={"CHATPAPER_MODEL": MODEL}))
    for config_code, config_out, config_err in shown:
        assert config_code == 0, config_err
        assert re.search(r"^api_key\s+= \*+\s+\((env OPENAI_API_KEY|file .*chatpaper.toml)\)$", config_out, re.M)

    texts = [stdout, err, *written_texts(out), *(text for _, o, e in shown for text in (o, e))]
    # stdout, stderr; two reports each with its JSON and Figure-1 PNG, index.md, papers.bib; two configs
    assert len(texts) == 2 + 8 + 4
    assert not [text for text in texts if KEY in text]


def test_refused_key_stops_the_batch_and_is_never_repeated(papers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # A server that wants another key, and echoes the one it got in its 401 message, as OpenAI does.
    with FakeOpenAIServer(api_key="sk-the-right-one") as other:
        code, stdout, err = invoke(str(papers), "-o", str(out), "--workers", "1", env=llm_env(other, tmp_path))
        calls = len(other.chat_requests)

    assert code == 1, err
    assert calls == 1  # no retry of a 401, and the second paper was never sent
    assert "refused the API key (HTTP 401)" in err and "OPENAI_API_KEY" in err
    assert "0 done · 0 skipped · 0 failed · 2 not started" in err.splitlines()[-1]
    assert not list(out.glob("*.json"))
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "refused the API key" in index
    assert not [text for text in (stdout, err, *written_texts(out)) if KEY in text]


# --- the console entry point, as a user runs it -------------------------------------------------------


@pytest.mark.parametrize("accepted", [True, False], ids=["key-accepted", "key-refused"])
def test_python_m_chatpaper_with_debug_logs_never_shows_the_key(tmp_path: Path, accepted: bool) -> None:
    """A real process (no CliRunner): `--debug` turns on the HTTP libraries' logs, which must not carry the key."""
    pdf = tmp_path / f"{FIRST}.pdf"
    shutil.copy(EXAMPLES / pdf.name, pdf)
    out = tmp_path / "out"
    with FakeOpenAIServer(api_key=KEY if accepted else "sk-the-right-one") as fake:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **llm_env(fake, tmp_path)}
        proc = subprocess.run(
            [sys.executable, "-m", "chatpaper", str(pdf), "-o", str(out), "--debug"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=120,
        )
        calls = len(fake.chat_requests)

    assert calls == 1
    assert "DEBUG" in proc.stderr  # the logs really were on
    if accepted:
        assert proc.returncode == 0, proc.stderr
        assert report(out, FIRST)["meta"]["model"] == MODEL
        assert "1 done · 0 skipped · 0 failed · 1 LLM call · " in proc.stderr
    else:
        assert proc.returncode == 1, proc.stderr
        assert "refused the API key" in proc.stderr
    assert KEY not in proc.stdout and KEY not in proc.stderr
    assert not [text for text in written_texts(out) if KEY in text]


# --- secrets in the base URL, and servers that echo them -----------------------------------------------

RELAY_USER, RELAY_PASSWORD = "relay-user", "relay-pw-SECRET-77"


@pytest.mark.parametrize("relay", [False, True], ids=["key-start-echoed", "credentials-in-base-url"])
def test_no_secret_reaches_any_output_when_the_server_echoes_it(papers: Path, tmp_path: Path, relay: bool) -> None:
    """The server echoes the credentials it got: the start of the key (sk-test-SECR...), or with
    user:password in the base URL (sent as basic auth) those. Neither reaches stderr, stdout, a
    report, index.md, `chatpaper config` or the --debug logs."""
    out = tmp_path / "out"
    pdf = papers / f"{SECOND}.pdf"  # with --workers 1 the second paper gets the echoes (not the cached answer)
    with FakeOpenAIServer() as fake:
        fake.default = echo_credentials(502, prefix=12)
        fake.script(answer())  # one paper is summarized, so its reports are checked too
        base_url = fake.url_with_credentials(RELAY_USER, RELAY_PASSWORD) if relay else fake.url
        env = {**llm_env(fake, tmp_path), "OPENAI_BASE_URL": base_url, "CHATPAPER_MAX_ATTEMPTS": "2"}
        code, stdout, err = invoke(str(papers), "-o", str(out), "--workers", "1", env=env)
        config_code, config_out, config_err = invoke("config", env=env)
        debug = subprocess.run(
            [sys.executable, "-m", "chatpaper", str(pdf), "-o", str(tmp_path / "debug"), "--debug"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
            timeout=120,
        )
        sent = {r.headers["authorization"] for r in fake.chat_requests}

    # The server really got the secret, and its answers really repeated it.
    assert sent == (
        {"Basic " + base64.b64encode(f"{RELAY_USER}:{RELAY_PASSWORD}".encode()).decode()}
        if relay
        else {f"Bearer {KEY}"}
    )
    assert code == 3 and config_code == 0 and debug.returncode == 3, (err, config_err, debug.stderr)
    (line,) = failed_lines(err)
    assert "HTTP 502: upstream refused the credentials " in line and "for this model" in line
    assert "DEBUG" in debug.stderr  # the HTTP libraries' logs were on
    assert not relay or f"POST {fake.url.replace('http://', 'http://***@')}/chat/completions" in debug.stderr
    shown_url = fake.url.replace("http://", "http://***@") if relay else fake.url
    assert re.search(rf"^base_url\s+= {re.escape(shown_url)}\s+\(env OPENAI_BASE_URL\)$", config_out, re.M)
    leaks = [RELAY_PASSWORD, "relay-pw", KEY[:10]]
    texts = [stdout, err, config_out, config_err, debug.stdout, debug.stderr, *written_texts(out)]
    texts += written_texts(tmp_path / "debug")
    # one report with its JSON and Figure-1 PNG, index.md and papers.bib; the debug run's index.md
    assert len(texts) == 6 + 5 + 1
    assert not [(leak, text) for leak in leaks for text in texts if leak in text]


def test_cached_prompt_tokens_are_recorded_per_paper_and_in_the_run_totals(papers: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with FakeOpenAIServer(api_key=KEY, prompt_cache=True) as fake:
        fake.script(content(INVALID))  # the first paper's re-ask repeats its prompt: served from the cache
        code, _, err = invoke(str(papers), "-o", str(out), "--workers", "1", env=llm_env(fake, tmp_path))
        first_prompt = fake.chat_requests[0].body
    assert code == 0, err
    cached = report(out, FIRST)["meta"]["cached_tokens"]
    assert cached == prompt_tokens(first_prompt) // 128 * 128 > 0
    assert report(out, SECOND)["meta"]["cached_tokens"] == 0
    index = (out / "index.md").read_text(encoding="utf-8")
    assert f"({cached:,} cached)" in index and f"({cached:,} cached)" in err
