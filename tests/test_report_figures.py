"""Figure 1 in the reports: the PNG beside `<name>.md`, embedded with its caption, named in the JSON; none for a
paper without a figure; `--no-figures` turns it off; a summary reused from the cache still shows its figure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from chatpaper.cli import main
from chatpaper.models import PaperSummary
from chatpaper.pdf.figures import MIN_WIDTH_PX
from tests.conftest import EXAMPLES


def run(*args: str) -> None:
    result = CliRunner().invoke(main, ["run", *args, "--backend", "extractive", "-q"])
    assert result.exit_code == 0, result.output


def report(out: Path, name: str) -> tuple[str, PaperSummary]:
    markdown = (out / f"{name}.md").read_text(encoding="utf-8")
    return markdown, PaperSummary.model_validate_json((out / f"{name}.json").read_bytes())


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    for name in ("skimrag-long-document-qa.pdf", "keyphrase-distillation-zh.pdf"):
        shutil.copy(EXAMPLES / name, folder)
    return folder


def test_the_report_shows_figure_1_beside_it(tmp_path: Path, papers: Path) -> None:
    out = tmp_path / "out"
    run(str(papers), "-o", str(out), "--cache-dir", str(tmp_path / "cache"))
    markdown, summary = report(out, "skimrag-long-document-qa")
    png = out / "skimrag-long-document-qa.fig1.png"
    assert summary.figure is not None and summary.figure.image == png.name and summary.figure.page == 3
    caption = "Figure 1: Median time to answer one question on one CPU core, including retrieval and reading."
    assert summary.figure.caption == caption
    assert f"![{caption}](skimrag-long-document-qa.fig1.png)\n\n{caption}\n" in markdown
    assert markdown.index("fig1.png") < markdown.index("## 1.")  # before the four points
    assert pymupdf.Pixmap(png.read_bytes()).width >= MIN_WIDTH_PX
    # no figure, no image
    markdown, summary = report(out, "keyphrase-distillation-zh")
    assert summary.figure is None and "![" not in markdown
    assert sorted(p.name for p in out.glob("*.png")) == [png.name]


def test_no_figures_turns_it_off(tmp_path: Path, papers: Path) -> None:
    out = tmp_path / "out"
    run(str(papers), "-o", str(out), "--cache-dir", str(tmp_path / "cache"), "--no-figures")
    markdown, summary = report(out, "skimrag-long-document-qa")
    assert summary.figure is None and "![" not in markdown and not list(out.glob("*.png"))


def test_a_cached_summary_brings_its_figure_to_another_folder(tmp_path: Path, papers: Path) -> None:
    cache = str(tmp_path / "cache")
    run(str(papers), "-o", str(tmp_path / "first"), "--cache-dir", cache)
    run(str(papers), "-o", str(tmp_path / "second"), "--cache-dir", cache)
    _, made = report(tmp_path / "first", "skimrag-long-document-qa")
    markdown, reused = report(tmp_path / "second", "skimrag-long-document-qa")
    assert reused.meta.created == made.meta.created  # from the cache: the PDF was not read again
    first = (tmp_path / "first" / "skimrag-long-document-qa.fig1.png").read_bytes()
    assert (tmp_path / "second" / "skimrag-long-document-qa.fig1.png").read_bytes() == first
    assert "](skimrag-long-document-qa.fig1.png)" in markdown


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "caption"),
    [
        ("good-robot-ral2020.pdf", "Fig. 1. Robot-created stacks"),  # a photograph (raster)
        ("1111.2011v2.pdf", "FIG. 1. Schematic depiction"),  # vector drawing
        ("2202.00535v1.pdf", None),  # tables, no figure
    ],
)
def test_real_papers_reports(tmp_path: Path, corpus_dir: Path, name: str, caption: str | None) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(corpus_dir / "pdfs" / name, folder)
    out = tmp_path / "out"
    run(str(folder), "-o", str(out), "--cache-dir", str(tmp_path / "cache"))
    stem = Path(name).stem
    markdown, summary = report(out, stem)
    if caption is None:
        assert summary.figure is None and not list(out.glob("*.png")) and "![" not in markdown
        return
    assert summary.figure is not None and summary.figure.caption.startswith(caption)
    assert f"]({stem}.fig1.png)" in markdown
    assert pymupdf.Pixmap((out / f"{stem}.fig1.png").read_bytes()).width >= MIN_WIDTH_PX
