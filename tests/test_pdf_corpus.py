"""Every real paper in ../shared/corpus against its hand-checked truth (skipped when the corpus is absent)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from chatpaper.errors import NoTextLayerError
from chatpaper.models import Paper
from chatpaper.pdf import read_paper
from chatpaper.pdf.headings import strip_numbering
from tests.conftest import CORPUS
from tests.corpus import corpus_params, norm

pytestmark = pytest.mark.corpus


@cache
def parsed(name: str) -> Paper:
    return read_paper(CORPUS / "pdfs" / name, ocr="never")  # the text layer's reading (OCR: test_pdf_ocr.py)


def top_level_window(paper: Paper) -> list[str]:
    """Level-1 headings after the abstract and before the references, numbers stripped (the truth's window)."""
    out = []
    for section in paper.sections:
        if section.role == "references":
            break
        if section.level == 1 and section.heading.strip() and section.role != "abstract":
            out.append(strip_numbering(section.heading))
    return out


TEXT_LAYER = {"where": lambda record: record["text_layer"]}


@pytest.mark.parametrize("truth", corpus_params("pages", **TEXT_LAYER))
def test_page_count(truth: dict) -> None:
    assert parsed(truth["file"]).pages == truth["pages"]


@pytest.mark.parametrize("truth", corpus_params("title", **TEXT_LAYER))
def test_title(truth: dict) -> None:
    assert norm(parsed(truth["file"]).title) == norm(truth["title"])


@pytest.mark.parametrize("truth", corpus_params("authors", **TEXT_LAYER))
def test_authors(truth: dict) -> None:
    assert [norm(a) for a in parsed(truth["file"]).authors] == [norm(a) for a in truth["authors"]]


@pytest.mark.parametrize("truth", corpus_params("sections", **TEXT_LAYER))
def test_top_level_sections(truth: dict) -> None:
    assert [norm(h) for h in top_level_window(parsed(truth["file"]))] == [norm(h) for h in truth["sections"]]


@pytest.mark.parametrize("truth", corpus_params("language", **TEXT_LAYER))
def test_language(truth: dict) -> None:
    assert parsed(truth["file"]).language == truth["language"]


@pytest.mark.parametrize("truth", corpus_params("outline", **TEXT_LAYER))
def test_outline(truth: dict) -> None:
    assert parsed(truth["file"]).has_outline == truth["has_outline"]


@pytest.mark.parametrize("truth", corpus_params("affiliation", **TEXT_LAYER))
def test_first_author_affiliation(truth: dict) -> None:
    assert norm(parsed(truth["file"]).first_author_affiliation) == norm(truth["first_author_affiliation"])


@pytest.mark.parametrize("truth", corpus_params("abstract", **TEXT_LAYER))
def test_abstract_starts_with_its_first_sentence(truth: dict) -> None:
    first = truth["abstract_first_sentence"]
    if first:
        assert norm(parsed(truth["file"]).abstract).startswith(norm(first))


@pytest.mark.parametrize("truth", corpus_params("code_url", **TEXT_LAYER))
def test_own_code_url_comes_first(truth: dict) -> None:
    if truth["code_url"]:
        paper = parsed(truth["file"])
        assert paper.code_urls, truth["file"]
        assert paper.code_urls[0].rstrip("/").lower() == truth["code_url"].rstrip("/").lower()


@pytest.mark.parametrize("truth", corpus_params("code_url", **TEXT_LAYER))
def test_the_papers_own_code_link_is_told_from_third_party_ones(truth: dict) -> None:
    """`code_url` is the truth's own repository, and None where every printed GitHub URL is someone else's
    (2202.00535 names a dataset's repository "paraphraseGen" in a footnote on page 4)."""
    got = parsed(truth["file"]).code_url
    want = truth["code_url"]
    assert (got is None) == (want is None)
    assert (got or "").rstrip("/").lower() == (want or "").rstrip("/").lower()


def test_a_third_party_repository_is_still_listed(corpus_dir: Path) -> None:
    assert "https://github.com/arvind385801/paraphraseGen" in parsed("2202.00535v1.pdf").code_urls


def test_url_broken_over_three_lines_is_rejoined(corpus_dir: Path) -> None:
    urls = parsed("2203.00274v2.pdf").code_urls
    assert "https://github.com/google-research/tapas/blob/master/TABLEFORMER.md" in urls


def test_hyphen_broken_url_keeps_its_hyphen(corpus_dir: Path) -> None:
    assert parsed("good-robot-ral2020.pdf").code_urls[0] == "https://github.com/jhu-lcsr/good_robot"


@pytest.mark.parametrize(
    "truth", corpus_params("appendices", where=lambda r: r["text_layer"] and r["appendix_sections"])
)
def test_appendices_follow_the_references(truth: dict) -> None:
    """`appendix_sections` are the top-level headings printed after the reference list: each is an appendix,
    or end matter (acknowledgments) where it names one."""
    paper = parsed(truth["file"])
    refs = next(k for k, s in enumerate(paper.sections) if s.role == "references")
    after = [s for s in paper.sections[refs + 1 :] if s.level == 1 and s.role != "references"]
    assert [norm(strip_numbering(s.heading)) for s in after] == [norm(a) for a in truth["appendix_sections"]]
    assert {s.role for s in after} <= {"appendix", "end_matter"}


def test_references_are_kept_but_not_for_the_llm(corpus_dir: Path) -> None:
    paper = parsed("2020.acl-main.447.pdf")
    refs = [s for s in paper.sections if s.role == "references"]
    assert len(refs) == 1 and "Riaz Ahmad and Muhammad Tanvir Afzal" in refs[0].text
    assert refs[0] not in paper.body_sections()
    assert all(s.role != "references" for s in paper.body_sections())


def test_image_only_scan_raises_no_text_layer(corpus_dir: Path) -> None:
    with pytest.raises(NoTextLayerError) as err:
        read_paper(corpus_dir / "pdfs" / "lynch-mit-lcs-tm394-scan.pdf", ocr="never")
    assert err.value.reason.startswith("no text layer: this PDF needs OCR")


def test_poor_ocr_layer_parses(corpus_dir: Path) -> None:
    paper = parsed("zfn-54a-0272-scan-ocr.pdf")
    assert paper.sections and any(s.text for s in paper.sections)
    assert paper.abstract.startswith("We perform a computerized symbolic computation")


def test_reading_order_and_clean_text(corpus_dir: Path) -> None:
    """Columns read left then right; no margin stamp, running header or ligature survives."""
    paper = parsed("2020.acl-main.447.pdf")
    text = "\n".join(s.text for s in paper.sections)
    assert "ﬁ" not in text and "ﬂ" not in text
    intro = paper.sections[0].text
    # the first column's last words continue in the second column, not in the page's next row
    assert "Academic papers are an increasingly important textual domain" in intro
    stamped = parsed("2203.00274v2.pdf")
    assert all("arXiv:2203.00274" not in s.text for s in stamped.sections)
    timp = parsed("jss-v18i03-timp.pdf")
    header = "TIMP: Modeling Multi-way Spectroscopic Measurements in R"
    assert all(header not in s.text for s in timp.sections)


def test_captions_are_kept_apart(corpus_dir: Path) -> None:
    paper = parsed("2203.00274v2.pdf")
    assert any(c.startswith("Figure 1:") for c in paper.captions)
    assert all("Figure 1: Examples showing the limitations" not in s.text for s in paper.sections)


def test_captions_with_a_bold_label_and_no_punctuation_are_kept_apart(corpus_dir: Path) -> None:
    """olmOCR 2 prints "Table 1 Comparison ..." (bold label, small print, no colon); its body sentence
    "Table 3 presents a summary ..." stays in the text."""
    paper = parsed("olmocr2.pdf")
    body = " ".join(" ".join(s.text.split()) for s in paper.sections)
    for start in ("Table 1 Comparison of olmOCR 2", "Figure 3 HTML page generation", "Figure 1 Binary unit test"):
        assert any(c.startswith(start) for c in paper.captions), start
        assert start not in body
    assert "paired with the raw HTML serves as supervision" not in body  # the caption's last line, a block apart
    assert "Table 3 presents a summary of major development points" in body


def test_justified_two_column_prose_is_text_and_tables_are_not(corpus_dir: Path) -> None:
    """AAAI's justified lines have word gaps as wide as table columns; they are still prose."""
    paper = parsed("2202.00535v1.pdf")
    related = next(" ".join(s.text.split()) for s in paper.sections if s.heading == "Related Work")
    assert "used Statistical Machine Translation (SMT) methods for paraphrasing. More recent works typically" in related
    assert "utilize Seq2Seq models for paraphrase generation (Prakash et al. 2016; Cao et al. 2017;" in related
    body = " ".join(" ".join(s.text.split()) for s in paper.sections)
    assert "consider the generalized input prompt format formalization as discussed" in body
    for row in ("Adapter Tuning 25,303,040", "NC-RAPT (Med) 89.84", "Dataset Name Training"):
        assert row not in body, row
    acl = " ".join(" ".join(s.text.split()) for s in parsed("2020.acl-main.447.pdf").sections)
    for row in ("S2ORC (PDF-parse) 8.1M", "yes PubMed bio", "Inline cite spans (body) 45.2"):
        assert row not in acl, row


def test_roles_cover_the_usual_sections(corpus_dir: Path) -> None:
    roles = {s.heading: s.role for s in parsed("good-robot-ral2020.pdf").sections if s.level == 1}
    assert roles["I. INTRODUCTION"] == "introduction"
    assert roles["II. RELATED WORK"] == "related_work"
    assert roles["III. APPROACH"] == "method"
    assert roles["IV. SIMULATION EXPERIMENTS"] == "experiments"
    assert roles["VI. CONCLUSION"] == "conclusion"
    assert roles["REFERENCES"] == "references"
    zh = {s.heading: s.role for s in parsed("langgpt-zh.pdf").sections if s.level == 1}
    assert zh["1. 介绍"] == "introduction"
    assert zh["4 实验"] == "experiments"
    assert zh["5 结论"] == "conclusion"
