"""Every real paper in ../shared/corpus against its hand-checked truth (skipped when the corpus is absent)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from chatpaper.errors import NoTextLayerError
from chatpaper.models import Paper
from chatpaper.pdf import read_paper
from chatpaper.pdf.sections import strip_numbering
from tests.conftest import CORPUS

pytestmark = pytest.mark.corpus


def norm(text: str | None) -> str:
    """Case, accents (also spacing accents), spaces and punctuation do not count."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", "", text.casefold())


@cache
def parsed(name: str) -> Paper:
    return read_paper(CORPUS / "pdfs" / name)


def top_level_window(paper: Paper) -> list[str]:
    """Level-1 headings after the abstract and before the references, numbers stripped (the truth's window)."""
    out = []
    for section in paper.sections:
        if section.role == "references":
            break
        if section.level == 1 and section.heading.strip() and section.role != "abstract":
            out.append(strip_numbering(section.heading))
    return out


def test_every_text_layer_paper(corpus_truth: list[dict]) -> None:
    problems = []
    for truth in corpus_truth:
        if not truth["text_layer"]:
            continue
        paper = parsed(truth["file"])
        name = truth["file"]
        if paper.pages != truth["pages"]:
            problems.append(f"{name}: {paper.pages} pages")
        if norm(paper.title) != norm(truth["title"]):
            problems.append(f"{name}: title {paper.title!r}")
        if [norm(a) for a in paper.authors] != [norm(a) for a in truth["authors"]]:
            problems.append(f"{name}: authors {paper.authors}")
        if [norm(h) for h in top_level_window(paper)] != [norm(h) for h in truth["sections"]]:
            problems.append(f"{name}: sections {top_level_window(paper)}")
        if paper.language != truth["language"] or paper.has_outline != truth["has_outline"]:
            problems.append(f"{name}: language {paper.language} outline {paper.has_outline}")
    assert not problems, "\n".join(problems)


def test_affiliation_and_abstract(corpus_truth: list[dict]) -> None:
    problems = []
    for truth in corpus_truth:
        if not truth["text_layer"]:
            continue
        paper = parsed(truth["file"])
        if norm(paper.first_author_affiliation) != norm(truth["first_author_affiliation"]):
            problems.append(f"{truth['file']}: affiliation {paper.first_author_affiliation!r}")
        first = truth["abstract_first_sentence"]
        if first and not norm(paper.abstract).startswith(norm(first)):
            problems.append(f"{truth['file']}: abstract {paper.abstract[:100]!r}")
    assert not problems, "\n".join(problems)


def test_own_code_url_comes_first(corpus_truth: list[dict]) -> None:
    for truth in corpus_truth:
        if truth["text_layer"] and truth["code_url"]:
            paper = parsed(truth["file"])
            assert paper.code_urls, truth["file"]
            assert paper.code_urls[0].rstrip("/").lower() == truth["code_url"].rstrip("/").lower(), truth["file"]


def test_the_papers_own_code_link_is_told_from_third_party_ones(corpus_truth: list[dict]) -> None:
    """`code_url` is the truth's own repository, and None where every printed GitHub URL is someone else's
    (2202.00535 names a dataset's repository "paraphraseGen" in a footnote on page 4)."""
    problems = []
    for truth in corpus_truth:
        if not truth["text_layer"]:
            continue
        got = parsed(truth["file"]).code_url
        want = truth["code_url"]
        if (got or "").rstrip("/").lower() != (want or "").rstrip("/").lower() or (got is None) != (want is None):
            problems.append(f"{truth['file']}: {got!r}, truth {want!r}")
    assert not problems, "\n".join(problems)
    assert "https://github.com/arvind385801/paraphraseGen" in parsed("2202.00535v1.pdf").code_urls  # still listed


def test_url_broken_over_three_lines_is_rejoined(corpus_dir: Path) -> None:
    urls = parsed("2203.00274v2.pdf").code_urls
    assert "https://github.com/google-research/tapas/blob/master/TABLEFORMER.md" in urls


def test_hyphen_broken_url_keeps_its_hyphen(corpus_dir: Path) -> None:
    assert parsed("good-robot-ral2020.pdf").code_urls[0] == "https://github.com/jhu-lcsr/good_robot"


def test_appendices_follow_the_references(corpus_truth: list[dict]) -> None:
    for truth in corpus_truth:
        if not truth["text_layer"] or not truth["appendix_sections"]:
            continue
        paper = parsed(truth["file"])
        after = [s for s in paper.sections if s.role == "appendix" and s.level == 1]
        assert [norm(strip_numbering(s.heading)) for s in after] == [norm(a) for a in truth["appendix_sections"]]


def test_references_are_kept_but_not_for_the_llm(corpus_dir: Path) -> None:
    paper = parsed("2020.acl-main.447.pdf")
    refs = [s for s in paper.sections if s.role == "references"]
    assert len(refs) == 1 and "Riaz Ahmad and Muhammad Tanvir Afzal" in refs[0].text
    assert refs[0] not in paper.body_sections()
    assert all(s.role != "references" for s in paper.body_sections())


def test_image_only_scan_raises_no_text_layer(corpus_dir: Path) -> None:
    with pytest.raises(NoTextLayerError) as err:
        read_paper(corpus_dir / "pdfs" / "lynch-mit-lcs-tm394-scan.pdf")
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
