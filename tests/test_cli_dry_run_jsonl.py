"""`--dry-run` as a user reads it (offline: no price; counts in the right number) and `--jsonl`, the
one-JSON-line-per-paper output scripts read, for a run and for a dry run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatpaper.cli import main
from tests.conftest import EXAMPLES
from tests.fakes.openai_server import FakeOpenAIServer, content

SAMPLES = sorted(EXAMPLES.glob("*.pdf"))


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def one_paper(tmp_path: Path) -> Path:
    pdf = tmp_path / "papers" / SAMPLES[1].name
    pdf.parent.mkdir()
    shutil.copy(SAMPLES[1], pdf)
    return pdf


def test_an_offline_dry_run_prices_nothing_and_says_one_paper(one_paper: Path, tmp_path: Path) -> None:
    code, out, _ = invoke(str(one_paper), "-o", str(tmp_path / "out"), "--dry-run")
    assert code == 0
    header, row, line = out.strip().splitlines()
    assert header.split() == ["paper", "date", "title"]  # no token column: nothing is sent offline
    assert row.startswith(str(one_paper)) and "Budgeted Evidence Skimming" in row
    assert line == (
        "1 paper would be summarized offline by the extractive backend (sentences quoted from each paper): "
        "no LLM calls, no cost"
    )
    assert "$" not in out and "gpt-4o-mini" not in out
    assert not (tmp_path / "out").exists()


def test_a_dry_run_for_an_llm_names_the_model_and_prices_it(one_paper: Path, tmp_path: Path) -> None:
    env = {"OPENAI_API_KEY": "sk-test", "CHATPAPER_MODEL": "gpt-4o-mini"}
    code, out, _ = invoke(str(one_paper), "-o", str(tmp_path / "out"), "--dry-run", env=env)
    assert code == 0
    line = out.strip().splitlines()[-1]
    assert line.startswith("1 paper would be summarized by gpt-4o-mini · ") and "at most ~$0.0" in line


def test_dry_run_jsonl_is_one_object_per_paper(one_paper: Path, tmp_path: Path) -> None:
    missing = tmp_path / "papers" / "gone.pdf"
    for env, backend in (({}, "extractive"), ({"OPENAI_API_KEY": "sk-test"}, "openai")):
        code, out, _ = invoke(
            str(one_paper), str(missing), "-o", str(tmp_path / "out"), "--dry-run", "--jsonl", env=env
        )
        assert code == 0
        planned, failed = (json.loads(line) for line in out.splitlines())
        assert planned["source"] == str(one_paper) and planned["status"] == "planned"
        assert planned["backend"] == backend
        if backend == "extractive":
            assert planned["prompt_tokens"] == 0 and planned["cost_usd"] == 0.0 and planned["model"] is None
        else:
            assert planned["prompt_tokens"] > 1000 and 0 < planned["cost_usd"] < 0.01
            assert planned["model"] == "gpt-4o-mini" and planned["estimated"] is False
        assert failed == {"source": str(missing), "status": "failed", "reason": "no such file or folder"}


def test_run_jsonl_has_status_reports_tokens_and_cost_per_paper(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    for pdf in SAMPLES[:2]:
        shutil.copy(pdf, papers / pdf.name)
    (papers / "notes.pdf").write_text("not a PDF\n", encoding="utf-8")
    out = tmp_path / "out"
    with FakeOpenAIServer() as server:
        # The first paper's first conversation gives no usable answer; its second try does.
        server.script(content("no json"), content("still no json"))
        env = {"OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "sk-test", "CHATPAPER_CACHE_DIR": str(tmp_path / "c")}
        code, stdout, stderr = invoke(str(papers), "-o", str(out), "--jsonl", "--workers", "1", env=env)
        calls = len(server.chat_requests)
        again_code, again, _ = invoke(str(papers), "-o", str(out), "--jsonl", env=env)
    assert code == 3, stderr
    records = {Path(r["source"]).name: r for r in map(json.loads, stdout.splitlines())}
    assert sorted(records) == sorted([*(p.name for p in SAMPLES[:2]), "notes.pdf"])
    first, second = (records[p.name] for p in SAMPLES[:2])
    for record, pdf in ((first, SAMPLES[0]), (second, SAMPLES[1])):
        assert record["status"] == "done" and record["reason"] is None
        assert record["report"] == str(out / f"{pdf.stem}.md") and Path(record["report"]).is_file()
        assert record["json"] == str(out / f"{pdf.stem}.json") and Path(record["json"]).is_file()
        assert (record["backend"], record["model"]) == ("openai", "gpt-4o-mini")
        assert record["prompt_tokens"] > 0 and record["completion_tokens"] > 0 and record["cost_usd"] > 0
    assert first["calls"] == 3 and second["calls"] == 1 and calls == 4  # the failed try's calls count too
    bad = records["notes.pdf"]
    assert bad["status"] == "failed" and "not a PDF" in bad["reason"] and bad["report"] is None
    assert bad["calls"] == 0 and bad["cost_usd"] is None
    assert "2 done · 0 skipped · 1 failed" in stderr  # the people's tally stays on stderr
    # A re-run spends nothing: skipped papers keep their report paths.
    assert again_code == 3
    rerun = {Path(r["source"]).name: r for r in map(json.loads, again.splitlines())}
    assert rerun[SAMPLES[0].name]["status"] == "skipped" and rerun[SAMPLES[0].name]["calls"] == 0
    assert rerun[SAMPLES[0].name]["report"] == first["report"]
