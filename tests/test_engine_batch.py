"""Batch-level engine rules through the real CLI and pipeline, on the sample papers, against the fake server.

Per-call rules (Retry-After, no retry on 400, context-length shrink, format fallback) are checked on
the backend in test_llm_backend.py; here are the rules that only show across a batch: budgets stop
new papers, a refused key stops the batch, a killed run resumes without paying twice, and a long
paper in a small window goes through map-reduce into a normal report.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatpaper import pipeline
from chatpaper.cli import main
from chatpaper.settings import Settings
from chatpaper.sources.local import find_pdfs
from tests.conftest import EXAMPLES
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    RecordedRequest,
    answer,
    content,
    prompt_tokens,
    server_error,
)

KEY = "sk-test"


def make_papers(folder: Path) -> list[Path]:
    """The sample papers under new names, each with its own bytes (a PDF comment after %%EOF)."""
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for i, pdf in enumerate(sorted(EXAMPLES.glob("*.pdf"))):
        copy = folder / f"{i}-{pdf.name}"
        copy.write_bytes(pdf.read_bytes() + f"\n%engine-batch test copy {i}\n".encode())
        copies.append(copy)
    assert len(copies) >= 3, "examples/ ships three sample papers"
    return copies


def llm_env(server: FakeOpenAIServer, cache: Path, **extra: str) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": KEY, "CHATPAPER_CACHE_DIR": str(cache), **extra}


def invoke(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def title_of(request: RecordedRequest) -> str | None:
    found = re.search(r"^Title: (.*)$", request.prompt, re.MULTILINE)
    return found.group(1).strip() if found else None


def report_pairs(out: Path) -> set[str]:
    """Names with both a JSON and a Markdown report."""
    return {p.stem for p in out.glob("*.json")} & {p.stem for p in out.glob("*.md")}


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


# --- budgets -----------------------------------------------------------------------------------------


def test_token_budget_stops_starting_papers_and_keeps_finished_reports(tmp_path: Path) -> None:
    papers = make_papers(tmp_path / "papers")
    out = tmp_path / "out"
    with FakeOpenAIServer() as server:
        env = llm_env(server, tmp_path / "cache", CHATPAPER_MAX_TOKENS_TOTAL="1000", CHATPAPER_WORKERS="1")
        code, _, err = invoke(str(tmp_path / "papers"), "-o", str(out), env=env)
        calls = len(server.chat_requests)

    assert code == 3, err
    assert calls == 1  # one paper spent the budget; the others never reached the server
    assert err.count("token budget reached") == 1, err
    assert "--max-tokens-total" in err
    assert "1 done · 0 skipped · 0 failed · 2 not started" in err
    (finished,) = report_pairs(out)
    report = json.loads((out / f"{finished}.json").read_text(encoding="utf-8"))
    assert report["meta"]["calls"] == 1 and report["meta"]["prompt_tokens"] > 1000
    assert (out / f"{finished}.md").read_text(encoding="utf-8").startswith(f"# {report['title']}")
    figure = [report["figure"]["image"]] if report["figure"] and report["figure"]["image"] else []
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted([f"{finished}.json", f"{finished}.md", *figure, "index.md", "papers.bib"])
    assert len(papers) == 3


def test_papers_the_budget_never_started_are_not_started_with_the_reason(tmp_path: Path) -> None:
    papers = make_papers(tmp_path / "papers")
    refs, _ = find_pdfs(papers)
    with FakeOpenAIServer() as server:
        settings = Settings(
            base_url=server.url,
            api_key=KEY,
            workers=1,
            max_tokens_total=1000,
            out=tmp_path / "out",
            cache_dir=tmp_path / "cache",
        )
        result = pipeline.summarize_batch(refs, settings)
    assert [o.status for o in result.outcomes] == ["done", "not_started", "not_started"]
    for outcome in result.outcomes[1:]:
        assert outcome.reason and outcome.reason.startswith("not started: token budget reached"), outcome.reason
    assert result.usage.calls == 1


def test_index_says_why_papers_were_not_started(tmp_path: Path) -> None:
    make_papers(tmp_path / "papers")
    out = tmp_path / "out"
    with FakeOpenAIServer() as server:
        env = llm_env(server, tmp_path / "cache", CHATPAPER_MAX_TOKENS_TOTAL="1000", CHATPAPER_WORKERS="1")
        invoke(str(tmp_path / "papers"), "-o", str(out), env=env)
    index = (out / "index.md").read_text(encoding="utf-8")
    assert index.count("not started: token budget reached") == 2 and "unchanged" not in index


@pytest.mark.parametrize(
    ("model", "config", "max_cost"),
    [
        ("gpt-4o-mini", "", "0.0001"),  # the built-in price table
        ("house-model", '[prices."house-model"]\ninput = 1000.0\noutput = 1000.0\n', "1"),  # a price from config
    ],
)
def test_cost_budget_stops_starting_papers(tmp_path: Path, model: str, config: str, max_cost: str) -> None:
    make_papers(tmp_path / "papers")
    out = tmp_path / "out"
    config_file = tmp_path / "chatpaper.toml"
    config_file.write_text(config, encoding="utf-8")
    with FakeOpenAIServer() as server:
        env = llm_env(
            server,
            tmp_path / "cache",
            CHATPAPER_MODEL=model,
            CHATPAPER_MAX_COST=max_cost,
            CHATPAPER_WORKERS="1",
            CHATPAPER_CONFIG=str(config_file),
        )
        code, _, err = invoke(str(tmp_path / "papers"), "-o", str(out), env=env)
        calls = len(server.chat_requests)

    assert code == 3, err
    assert calls == 1
    assert err.count("cost budget reached") == 1, err
    assert "--max-cost" in err and "1 done · 0 skipped · 0 failed · 2 not started" in err
    (finished,) = report_pairs(out)
    meta = json.loads((out / f"{finished}.json").read_text(encoding="utf-8"))["meta"]
    assert meta["model"] == model and meta["cost_usd"] is not None and meta["cost_usd"] >= float(max_cost)
    assert f"~${meta['cost_usd']:.4f}" in err  # the run total on stderr is priced too


def test_cost_budget_without_a_known_price_is_not_silently_ignored(tmp_path: Path) -> None:
    make_papers(tmp_path / "papers")
    with FakeOpenAIServer() as server:
        env = llm_env(server, tmp_path / "cache", CHATPAPER_MODEL="mystery-model", CHATPAPER_MAX_COST="0.0001")
        _, _, err = invoke(str(tmp_path / "papers"), "-o", str(tmp_path / "out"), env=env)
    assert "price" in err.lower() and "mystery-model" in err


def test_a_failed_papers_tokens_count_against_the_budget_and_the_run_total(tmp_path: Path) -> None:
    make_papers(tmp_path / "papers")
    out = tmp_path / "out"
    with FakeOpenAIServer() as server:
        server.default = content("not json at all")  # every answer is garbage, but the server bills it
        env = llm_env(server, tmp_path / "cache", CHATPAPER_MAX_TOKENS_TOTAL="1000", CHATPAPER_WORKERS="1")
        code, _, err = invoke(str(tmp_path / "papers"), "-o", str(out), env=env)
        calls = len(server.chat_requests)
        billed = sum(prompt_tokens(r.body) for r in server.chat_requests)

    assert code == 3, err
    assert calls == 2  # the first paper's answer and its re-ask; the budget then stops the rest
    assert "1 failed" in err and err.count("token budget reached") == 1, err
    assert f"{calls} LLM calls · {billed:,} prompt" in err
    index = (out / "index.md").read_text(encoding="utf-8")
    assert f"{calls} LLM calls" in index and index.count("not started: token budget reached") == 2


def test_a_stopped_run_still_lists_papers_summarized_before(tmp_path: Path) -> None:
    papers = make_papers(tmp_path / "papers")
    out = tmp_path / "out"
    with FakeOpenAIServer() as server:
        env = llm_env(server, tmp_path / "cache")
        assert invoke(str(tmp_path / "papers"), "-o", str(out), env=env)[0] == 0
        newcomer = tmp_path / "papers" / "0-newcomer.pdf"
        newcomer.write_bytes(papers[0].read_bytes() + b"\n%another copy\n")
        server.reset()
        env["CHATPAPER_MAX_TOKENS_TOTAL"] = "1000"
        env["CHATPAPER_WORKERS"] = "1"
        code, _, err = invoke(str(tmp_path / "papers"), "-o", str(out), env=env)
        calls = len(server.chat_requests)

    assert calls == 1 and code == 3, err  # the newcomer spent the budget
    assert "1 done · 3 skipped · 0 failed" in err
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "not started" not in index  # the three others were finished before: listed with their links
    for paper in papers:
        assert f"]({paper.stem}.md)" in index


def test_dry_run_does_not_count_papers_summarized_before(tmp_path: Path) -> None:
    papers = make_papers(tmp_path / "papers")
    out = tmp_path / "out"
    with FakeOpenAIServer() as server:
        env = llm_env(server, tmp_path / "cache")
        code, before, _ = invoke(str(tmp_path / "papers"), "-o", str(out), "--dry-run", env=env)
        assert code == 0 and "3 papers would be summarized" in before
        assert invoke(str(papers[0]), "-o", str(out), env=env)[0] == 0
        server.reset()
        code, after, _ = invoke(str(tmp_path / "papers"), "-o", str(out), "--dry-run", env=env)
        # A fresh output folder: the one paper is still free, from the summary cache.
        code2, elsewhere, _ = invoke(str(tmp_path / "papers"), "-o", str(tmp_path / "other"), "--dry-run", env=env)
        assert not server.chat_requests

    assert code == code2 == 0
    for text in (after, elsewhere):
        assert "2 papers would be summarized" in text and "1 summarized before (skipped, free)" in text, text
        (row,) = [line for line in text.splitlines() if papers[0].name in line]
        assert "summarized before" in row
    assert not (tmp_path / "other").exists()  # a dry run writes nothing


def test_a_failed_paper_is_tried_again_as_soon_as_another_succeeded(tmp_path: Path) -> None:
    """The fresh second try does not wait for the end of the batch (where it would run alone): once a
    paper has shown the server works, it goes ahead of the papers not yet started."""
    papers = make_papers(tmp_path / "papers")
    refs, _ = find_pdfs(papers)
    with FakeOpenAIServer() as server:
        server.script(content("not json at all"), content("still not json"))  # the first paper's conversation
        settings = Settings(
            base_url=server.url, api_key=KEY, workers=1, out=tmp_path / "out", cache_dir=tmp_path / "cache"
        )
        result = pipeline.summarize_batch(refs, settings)
        asked = [title_of(r) for r in server.chat_requests]
    first, second, third = (o.title for o in result.outcomes)
    assert [o.status for o in result.outcomes] == ["done", "done", "done"]
    assert asked == [first, first, second, first, third]


def test_an_outage_is_not_tried_twice(tmp_path: Path) -> None:
    make_papers(tmp_path / "papers")
    with FakeOpenAIServer() as server:
        server.default = server_error(503, "overloaded")
        env = llm_env(server, tmp_path / "cache", CHATPAPER_MAX_ATTEMPTS="1", CHATPAPER_WORKERS="1")
        code, _, err = invoke(str(tmp_path / "papers"), "-o", str(tmp_path / "out"), env=env)
        calls = len(server.chat_requests)
    assert code == 3 and "0 done · 0 skipped · 3 failed" in err, err
    assert calls == 3  # no paper succeeded, so no second pass doubles the wait
    assert "second try" not in err


# --- a refused key -----------------------------------------------------------------------------------

SECRET = "sk-live-DO-NOT-LEAK-987654"


@pytest.mark.parametrize("workers", [1, 3])
def test_refused_key_stops_the_batch_without_leaking_it(tmp_path: Path, workers: int) -> None:
    make_papers(tmp_path / "papers")
    out = tmp_path / "out"
    # The fake echoes the wrong key in its 401 message, as OpenAI does.
    with FakeOpenAIServer(api_key="sk-the-right-one") as server:
        env = {**llm_env(server, tmp_path / "cache", CHATPAPER_WORKERS=str(workers)), "OPENAI_API_KEY": SECRET}
        code, stdout, err = invoke(str(tmp_path / "papers"), "-o", str(out), env=env)
        calls = len(server.chat_requests)

    assert code == 1, err
    assert 1 <= calls <= workers  # no retry, and no paper started after the refusal
    assert "refused the API key" in err and "OPENAI_API_KEY" in err
    # Not the papers' fault: none of them is "failed", and "skipped" would say they were done before.
    assert "0 done · 0 skipped · 0 failed · 3 not started" in err, err
    texts = [stdout, err, *(p.read_text(encoding="utf-8") for p in out.iterdir())]
    assert not any("DO-NOT-LEAK" in text for text in texts)
    assert not report_pairs(out)


def test_refused_key_is_said_once(tmp_path: Path) -> None:
    make_papers(tmp_path / "papers")
    with FakeOpenAIServer(api_key="sk-the-right-one") as server:
        env = {**llm_env(server, tmp_path / "cache", CHATPAPER_WORKERS="2"), "OPENAI_API_KEY": SECRET}
        _, _, err = invoke(str(tmp_path / "papers"), "-o", str(tmp_path / "out"), env=env)
    assert err.count("refused the API key") == 1, err


# --- kill and resume ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sig", "hang", "fresh_out"),
    [(signal.SIGKILL, 60.0, False), (signal.SIGTERM, 60.0, True), (signal.SIGINT, 1.0, False)],
    ids=["sigkill-resume-in-place", "sigterm-rerun-elsewhere-from-cache", "ctrl-c"],
)
def test_killed_run_resumes_without_paying_twice(
    tmp_path: Path, sig: signal.Signals, hang: float, fresh_out: bool
) -> None:
    make_papers(tmp_path / "papers")
    out = tmp_path / "out"
    with FakeOpenAIServer() as server:
        # The second paper's answer is slow to come: the signal lands while it is in flight.
        server.script(answer(), answer(delay=hang))
        env = llm_env(server, tmp_path / "cache", CHATPAPER_WORKERS="1")
        proc = subprocess.Popen(
            [sys.executable, "-m", "chatpaper", str(tmp_path / "papers"), "-o", str(out), "-q"],
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(lambda: len(server.chat_requests) >= 2 or proc.poll() is not None)
            assert proc.poll() is None, proc.communicate()[1]
            proc.send_signal(sig)
            _, killed_err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode != 0
        if sig == signal.SIGINT:
            assert proc.returncode == 130 and "rerun to resume" in killed_err

        # Only complete report pairs (an index at most): no temp file, no JSON without its Markdown.
        finished = report_pairs(out)
        assert finished
        names = {p.name for p in out.iterdir()} - {"index.md", "papers.bib"}
        figures = {n for n in names if n.endswith(".fig1.png")}  # written before its report: a kill may leave one
        assert names - figures == {f"{n}.{ext}" for n in finished for ext in ("json", "md")}
        finished_titles = {json.loads((out / f"{n}.json").read_text(encoding="utf-8"))["title"] for n in finished}

        server.reset()
        rerun_out = tmp_path / "elsewhere" if fresh_out else out
        code, _, err = invoke(str(tmp_path / "papers"), "-o", str(rerun_out), env=env)
        asked = [title_of(r) for r in server.chat_requests]

    assert code == 0, err
    # Only the unfinished papers are paid for.
    assert len(asked) == 3 - len(finished) and not finished_titles & set(asked)
    assert len(report_pairs(rerun_out)) == 3
    index = (rerun_out / "index.md").read_text(encoding="utf-8")
    if fresh_out:
        assert "3 done · 0 skipped · 0 failed" in err and f"{len(finished)} from the cache" in index
    else:
        assert f"{len(asked)} done · {len(finished)} skipped · 0 failed" in err
    assert not [p for p in rerun_out.iterdir() if p.name.endswith(".tmp")]


def test_kill_between_the_json_and_the_markdown_write_is_repaired(tmp_path: Path) -> None:
    make_papers(tmp_path / "papers")
    out = tmp_path / "out"
    with FakeOpenAIServer() as server:
        env = llm_env(server, tmp_path / "cache")
        assert invoke(str(tmp_path / "papers"), "-o", str(out), env=env)[0] == 0
        # write_reports renames the JSON first: a kill before the Markdown's rename leaves this.
        victim = sorted(report_pairs(out))[0]
        (out / f"{victim}.md").unlink()
        server.reset()
        invoke(str(tmp_path / "papers"), "-o", str(out), env=env)
        assert not server.chat_requests
    assert (out / f"{victim}.md").is_file()


# --- a long paper in a small window ------------------------------------------------------------------


def test_small_window_maps_sections_then_reduces_into_a_normal_report(tmp_path: Path) -> None:
    papers = make_papers(tmp_path / "papers")
    paper = next(p for p in papers if "skimrag" in p.name)
    out = tmp_path / "out"
    # The server enforces the window the settings declare: any request that does not fit gets a 400.
    with FakeOpenAIServer(context_tokens=2048) as server:
        env = llm_env(server, tmp_path / "cache", CHATPAPER_CONTEXT_TOKENS="2048", CHATPAPER_MAX_OUTPUT_TOKENS="600")
        code, _, err = invoke(str(paper), "-o", str(out), env=env)
        requests = server.chat_requests

    assert code == 0, err
    *maps, reduce = requests
    assert len(maps) >= 2 and all(r.response_format is None for r in maps)
    assert reduce.response_format == "json_schema" and "Notes taken on the paper's sections" in reduce.prompt
    assert all(prompt_tokens(r.body) + r.body["max_tokens"] <= 2048 for r in requests)
    report = json.loads((out / f"{paper.stem}.json").read_text(encoding="utf-8"))
    assert report["meta"]["calls"] == len(requests)
    assert report["title"] == title_of(reduce)
    assert all(report["summary"][k] for k in ("background", "prior_work", "method", "results"))


# --- junk text costs no call ----------------------------------------------------------------------------


def make_junk_pdf(path: Path) -> Path:
    """A PDF with a text layer of garbage: word fragments, stray letters and symbols, as a broken font
    or a bad OCR layer gives them (seeded, so the same garbage every run)."""
    import random

    import pymupdf

    rng = random.Random(12)
    doc = pymupdf.open()
    for _ in range(3):
        page = doc.new_page()
        y = 72.0
        while y < 760:
            pieces = [
                "".join(rng.choice("bcdfghjklmnpqrstvwxz~^#") for _ in range(rng.randint(1, 4))) for _ in range(9)
            ]
            page.insert_text((72, y), " ".join(pieces), fontsize=10)
            y += 14
    doc.save(path)
    return path


def test_a_paper_whose_text_is_junk_costs_no_llm_call(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    make_junk_pdf(folder / "junk.pdf")
    good = make_papers(tmp_path / "good")[0]
    (folder / good.name).write_bytes(good.read_bytes())
    with FakeOpenAIServer() as server:
        code, _, err = invoke(str(folder), "-o", str(tmp_path / "out"), env=llm_env(server, tmp_path / "cache"))
        requests = server.chat_requests
    assert code == 3, err
    assert len(requests) == 1 and title_of(requests[0]) != "junk"  # only the good paper was sent
    (line,) = [ln for ln in err.splitlines() if "junk.pdf" in ln]
    assert "failed" in line
