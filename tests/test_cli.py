"""The `chatpaper` command end to end on local PDFs, offline (extractive backend)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from chatpaper.cli import main
from tests.conftest import EXAMPLES, REPO


def example_pdfs() -> list[Path]:
    pdfs = sorted(EXAMPLES.glob("*.pdf"))
    assert pdfs, "examples/ ships sample papers (built by examples/make_papers.py)"
    return pdfs


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    for pdf in example_pdfs():
        shutil.copy(pdf, folder / pdf.name)
    return folder


def test_examples_offline_writes_reports_index_and_says_which_backend(papers: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    code, _, err = invoke(str(papers), "-o", str(out))
    assert code == 0, err
    assert "offline extractive backend" in err
    names = sorted(p.stem for p in example_pdfs())
    for name in names:
        report = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert report["meta"]["backend"] == "extractive"
        assert report["meta"]["source"].endswith(f"{name}.pdf")
        assert len(report["meta"]["sha256"]) == 64
        assert all(report["summary"][k].strip() for k in ("background", "prior_work", "method", "results"))
        markdown = (out / f"{name}.md").read_text(encoding="utf-8")
        assert "extractive, no LLM" in markdown
        assert markdown.startswith(f"# {report['title']}")
    index = (out / "index.md").read_text(encoding="utf-8")
    assert f"{len(names)} papers · {len(names)} summarized\n" in index
    assert index.count("| extractive (no LLM) · ") == len(names)  # who wrote each summary
    for name in names:
        assert f"({name}.md)" in index
    assert f"{len(names)} done · 0 skipped · 0 failed" in err.splitlines()[-1]


def test_rerun_skips_unchanged_papers_and_force_redoes_them(papers: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    n = len(example_pdfs())
    assert invoke(str(papers), "-o", str(out))[0] == 0
    code, _, err = invoke(str(papers), "-o", str(out))
    assert code == 0
    assert f"0 done · {n} skipped · 0 failed" in err
    code, _, err = invoke(str(papers), "-o", str(out), "--force")
    assert f"{n} done · 0 skipped · 0 failed" in err


def test_deleted_report_comes_back_from_the_cache(papers: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    invoke(str(papers), "-o", str(out))
    first = example_pdfs()[0].stem
    before = json.loads((out / f"{first}.json").read_text(encoding="utf-8"))
    (out / f"{first}.json").unlink()
    (out / f"{first}.md").unlink()
    code, _, _ = invoke(str(papers), "-o", str(out))
    assert code == 0
    assert json.loads((out / f"{first}.json").read_text(encoding="utf-8"))["summary"] == before["summary"]
    assert "Last run " in (index := (out / "index.md").read_text(encoding="utf-8"))
    assert "1 from the cache" in index


def make_bad_inputs(folder: Path) -> dict[str, str]:
    """One file per kind of bad input; value: a fragment the one-line reason must contain."""
    good = example_pdfs()[0].read_bytes()
    (folder / "notes.pdf").write_text("just some text, not a PDF\n", encoding="utf-8")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "truncated.pdf").write_bytes(good[: len(good) // 3])
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret paper")
    doc.save(folder / "encrypted.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="u")
    scan = pymupdf.open()
    page = scan.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 200), False)
    pix.clear_with(200)
    page.insert_image(page.rect, pixmap=pix)
    scan.save(folder / "scanned.pdf")
    return {
        "notes.pdf": "not a PDF",
        "empty.pdf": "empty",
        "truncated.pdf": "",
        "encrypted.pdf": "password",
        "scanned.pdf": "no text layer: this PDF needs OCR",
    }


def test_bad_inputs_fail_alone_with_one_line_reasons(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    expected = make_bad_inputs(folder)
    good = example_pdfs()[0]
    shutil.copy(good, folder / good.name)
    missing = tmp_path / "nowhere" / "missing.pdf"
    out = tmp_path / "out"

    code, _, err = invoke(str(folder), str(missing), "-o", str(out))

    assert code == 3
    failures = [line for line in err.splitlines() if line.startswith("failed: ")]
    assert len(failures) == len(expected) + 1, err
    for name, fragment in expected.items():
        line = next(line for line in failures if f"{name}:" in line)
        assert fragment.lower() in line.lower(), line
    assert any(str(missing) in line for line in failures)
    assert (out / f"{good.stem}.json").is_file()  # the good paper still got its report
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "## Failed" in index
    assert "7 papers · 1 summarized · 6 failed" in index and ": 1 summarized · 6 failed." in index
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


def test_parse_json_prints_the_structure() -> None:
    pdf = example_pdfs()[0]
    code, out, _ = invoke("parse", str(pdf), "--json")
    assert code == 0
    data = json.loads(out)
    assert {"title", "authors", "abstract", "sections", "pages", "code_urls"} <= set(data)
    assert data["sections"] and {"heading", "level", "page", "text"} <= set(data["sections"][0])
    assert not any(s["role"] == "references" and s["text"] in data["abstract"] for s in data["sections"])


def test_parse_of_a_bad_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_text("hello", encoding="utf-8")
    code, _, err = invoke("parse", str(bad))
    assert code == 1
    assert err.strip().count("\n") == 0 and "x.pdf" in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke("run")[0] == 2
    assert invoke(str(tmp_path), "--language", "fr")[0] == 2


def test_bad_config_is_fatal_exit_1(tmp_path: Path, papers: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("workers = 0\n", encoding="utf-8")
    code, _, err = invoke(str(papers), "--config", str(config), "-o", str(tmp_path / "o"))
    assert code == 1
    assert "workers" in err and str(config) in err


def test_config_command_shows_sources_and_redacts_the_key(tmp_path: Path) -> None:
    secret = "sk-" + "q" * 40
    code, out, _ = invoke("config", env={"OPENAI_API_KEY": secret, "CHATPAPER_WORKERS": "7"})
    assert code == 0
    assert secret not in out
    assert re.search(r"api_key\s+= \*+\s+\(env OPENAI_API_KEY\)", out)
    assert re.search(r"workers\s+= 7\s+\(env CHATPAPER_WORKERS\)", out)


def test_pdf_alias_and_real_console_script(tmp_path: Path) -> None:
    """The installed entry point, as a user runs it (no TTY: no progress bar)."""
    pdf = example_pdfs()[0]
    out = tmp_path / "r"
    proc = subprocess.run(
        [sys.executable, "-m", "chatpaper", "--pdf", str(pdf), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # --quiet: nothing but errors
    assert (out / f"{pdf.stem}.md").is_file()


def test_readme_quickstart_has_exactly_two_blocks_and_ci_runs_the_test_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2
    assert "chatpaper examples/" in blocks[0] and "pip install" in blocks[0]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    test_command = blocks[1].strip().split("&& ")[-1]
    assert test_command in ci


def test_a_paper_named_index_does_not_lose_its_report_to_the_run_index(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(example_pdfs()[0], folder / "index.pdf")
    out = tmp_path / "out"
    assert invoke(str(folder), "-o", str(out))[0] == 0
    report = json.loads((out / "index-2.json").read_text(encoding="utf-8"))
    assert (out / "index-2.md").read_text(encoding="utf-8").startswith(f"# {report['title']}")
    assert "(index-2.md)" in (out / "index.md").read_text(encoding="utf-8")
    code, _, err = invoke(str(folder), "-o", str(out))
    assert code == 0 and "0 done · 1 skipped · 0 failed" in err
