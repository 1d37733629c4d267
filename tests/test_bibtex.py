"""BibTeX: one @misc per summarized paper, arXiv eprint fields, stable keys, LaTeX specials escaped, UTF-8 kept;
read back by pybtex (a BibTeX-compatible parser) as BibTeX would read it."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pybtex.database import parse_string

from chatpaper.models import ArxivInfo, PaperSummary, SummaryMeta, SummaryPoints
from chatpaper.pipeline import summarize_batch
from chatpaper.render.bibtex import base_key, bibtex_keys, latex_text, render_bibtex
from chatpaper.report_folder import BIBTEX_FILE
from chatpaper.settings import Settings
from chatpaper.sources.local import find_pdfs
from tests.conftest import EXAMPLES

T0 = datetime(2025, 8, 20, 12, 0, tzinfo=UTC)


def summary(
    title: str,
    authors: list[str],
    *,
    year: int | None = 2024,
    arxiv: ArxivInfo | None = None,
    created: datetime = T0,
    source: str = "paper.pdf",
    sha: str = "0" * 64,
    url: str | None = None,
) -> PaperSummary:
    points = SummaryPoints(background="b", prior_work="p", method="m", results="r")
    return PaperSummary(
        title=title,
        title_translated=None,
        authors=authors,
        first_author_affiliation=None,
        keywords=["retrieval"],
        code_url=None,
        summary=points,
        paper_url=url,
        year=year,
        arxiv=arxiv,
        meta=SummaryMeta(
            source=source, sha256=sha, backend="extractive", model="extractive", language="en",
            prompt_version="x", created=created,
        ),
    )  # fmt: skip


def parsed(text: str):  # type: ignore[no-untyped-def]
    return parse_string(text, "bibtex")


def unescape(value: str) -> str:
    """LaTeX's text-mode escapes back to the characters they print."""
    for escaped, char in (
        (r"\textbackslash{}", "\\"),
        (r"\textasciitilde{}", "~"),
        (r"\textasciicircum{}", "^"),
        (r"\textbraceleft{}", "{"),
        (r"\textbraceright{}", "}"),
        (r"\&", "&"),
        (r"\%", "%"),
        (r"\$", "$"),
        (r"\#", "#"),
        (r"\_", "_"),
    ):
        value = value.replace(escaped, char)
    return value


def test_an_arxiv_paper_is_a_misc_with_eprint_fields() -> None:
    info = ArxivInfo(
        id="2301.00001v2", primary_category="cs.CL", categories=["cs.CL", "cs.LG"], published=date(2023, 1, 1),
        doi="10.1000/xyz_1", journal_ref="ACL 2023",
    )  # fmt: skip
    text = render_bibtex(
        [
            summary(
                "Attention Is All You Need", ["Ashish Vaswani", "Noam Shazeer"], year=2023, arxiv=info,
                url="https://arxiv.org/abs/2301.00001v2",
            )
        ]
    )  # fmt: skip
    entry = parsed(text).entries["vaswani2023attention"]
    assert entry.type == "misc"
    fields = entry.fields
    assert fields["title"] == "Attention Is All You Need"
    assert [str(p) for p in entry.persons["author"]] == ["Vaswani, Ashish", "Shazeer, Noam"]
    assert (fields["year"], fields["eprint"], fields["archivePrefix"], fields["primaryClass"]) == (
        "2023", "2301.00001", "arXiv", "cs.CL",
    )  # fmt: skip
    assert fields["url"] == "https://arxiv.org/abs/2301.00001v2"
    assert fields["doi"] == "10.1000/xyz_1"  # read verbatim by biblatex: not escaped


def test_a_local_pdf_has_what_the_paper_prints() -> None:
    entry = parsed(render_bibtex([summary("A Study of Soil", ["Ines Carvalho"], year=2019)])).entries
    (key,) = entry.keys()
    assert key == "carvalho2019study"
    fields = entry[key].fields
    assert fields["title"] == "A Study of Soil" and fields["year"] == "2019"
    assert "eprint" not in fields and "archivePrefix" not in fields
    without = parsed(render_bibtex([summary("A Study of Soil", ["Ines Carvalho"], year=None)])).entries
    assert list(without) == ["carvalhostudy"] and "year" not in without["carvalhostudy"].fields


def test_latex_specials_are_escaped_and_read_back_as_written() -> None:
    title = r"50% of {cases} cost $5 & #1_best ~ ^ \today"
    entry = parsed(render_bibtex([summary(title, ["Ana Smith"])])).entries
    (only,) = entry.values()
    assert unescape(only.fields["title"]) == title
    assert latex_text("a\nb\tc") == "a b c"


def test_hostile_text_cannot_add_fields_or_entries() -> None:
    title = "x}, note = {injected}, author = {Eve"
    authors = ["Eve}, url = {javascript:alert(1)", "@misc{evil,"]
    text = render_bibtex([summary(title, authors, url="https://example.org/a b{c}")])
    entries = parsed(text).entries
    (entry,) = entries.values()
    assert set(entry.fields) == {"title", "year", "url", "keywords"}
    assert unescape(entry.fields["title"]) == title
    assert entry.fields["url"] == "https://example.org/a%20b%7Bc%7D"


def test_non_ascii_is_kept_in_fields_and_transliterated_in_keys() -> None:
    entries = parsed(
        render_bibtex(
            [
                summary("Über Graphen", ["Jörg Müller"], year=2020, sha="1" * 64),
                summary("基于轻量级知识蒸馏的中文关键词抽取", ["王小明", "李思涵"], year=2021, sha="2" * 64),
                summary("Тематическое моделирование поэзии", ["Анна Никифорова"], year=2022, sha="3" * 64),
            ]
        )
    ).entries
    assert list(entries) == ["muller2020uber", "wang2021jiyu", "nikiforova2022tematicheskoe"]
    assert [str(p) for p in entries["muller2020uber"].persons["author"]] == ["Müller, Jörg"]
    assert entries["wang2021jiyu"].fields["title"] == "基于轻量级知识蒸馏的中文关键词抽取"
    assert [str(p) for p in entries["wang2021jiyu"].persons["author"]] == ["王小明", "李思涵"]


def test_an_organisation_named_with_and_stays_one_author() -> None:
    text = render_bibtex([summary("Report", ["Research and Development Team", "Bo Li"])])
    (entry,) = parsed(text).entries.values()
    assert [str(p) for p in entry.persons["author"]] == ["{Research and Development Team}", "Li, Bo"]


def test_keys_skip_small_words_and_fall_back_without_authors() -> None:
    assert base_key(summary("The Art of Skimming", ["Mara Lindqvist"], year=2025)) == "lindqvist2025art"
    assert base_key(summary("On Graphs", [], year=None)) == "anongraphs"


def test_keys_are_unique_and_stay_when_papers_are_added() -> None:
    first = summary("Deep Retrieval", ["Wei Zhang"], year=2024, created=T0, sha="a" * 64)
    second = summary("Deep Retrieval Again", ["Wei Zhang"], year=2024, created=T0 + timedelta(days=1), sha="b" * 64)
    third = summary("Deep Nets", ["Wei Zhang"], year=2024, created=T0 + timedelta(days=2), sha="c" * 64)
    assert bibtex_keys([first]) == ["zhang2024deep"]
    assert bibtex_keys([first, second]) == ["zhang2024deep", "zhang2024deepb"]
    # in any order, and with a later paper added: the earlier papers keep their keys
    assert bibtex_keys([third, second, first]) == ["zhang2024deepc", "zhang2024deepb", "zhang2024deep"]


@pytest.fixture
def sample_papers(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(EXAMPLES / "skimrag-long-document-qa.pdf", folder)
    return folder


def test_every_run_writes_papers_bib_for_the_whole_folder(tmp_path: Path, sample_papers: Path) -> None:
    settings = Settings(out=tmp_path / "out", cache_dir=tmp_path / "cache", backend="extractive")
    refs, _ = find_pdfs([str(sample_papers)])
    summarize_batch(refs, settings)
    first = parsed((tmp_path / "out" / BIBTEX_FILE).read_text(encoding="utf-8")).entries
    assert list(first) == ["lindqvistskimrag"]
    shutil.copy(EXAMPLES / "soil-moisture-graph-gp.pdf", sample_papers)
    refs, _ = find_pdfs([str(sample_papers / "soil-moisture-graph-gp.pdf")])
    summarize_batch(refs, settings)  # a second run, on another paper, into the same folder
    both = parsed((tmp_path / "out" / BIBTEX_FILE).read_text(encoding="utf-8")).entries
    assert sorted(both) == ["carvalhoforecasting", "lindqvistskimrag"]
    assert both["lindqvistskimrag"].fields["title"].startswith("SkimRAG: Budgeted Evidence Skimming")
