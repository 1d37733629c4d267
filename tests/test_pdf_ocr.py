"""Scanned pages read by OCR (the `chatpaper[ocr]` extra; these tests skip without it)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pymupdf
import pytest

import chatpaper.pdf
from chatpaper.errors import NoTextLayerError
from chatpaper.models import Paper
from chatpaper.pdf import read_paper
from chatpaper.pdf.headings import strip_numbering
from chatpaper.pdf.ocr import ocr_available
from chatpaper.pdf.worker import PaperReader
from chatpaper.settings import ReaderSettings
from tests.conftest import CORPUS, EXAMPLES
from tests.corpus import norm

needs_ocr = pytest.mark.skipif(
    not ocr_available(), reason="the OCR extra is not installed: pip install 'chatpaper[ocr]'"
)
SAMPLE = EXAMPLES / "skimrag-long-document-qa.pdf"


def scan_of(source: Path, path: Path, pages: int, *, keep_text: int = 0) -> Path:
    """An image-only copy of `source`'s first pages (150 ppi pictures), the first `keep_text` kept as text."""
    src = pymupdf.open(source)
    doc = pymupdf.open()
    for number in range(pages):
        if number < keep_text:
            doc.insert_pdf(src, from_page=number, to_page=number)
            continue
        page = doc.new_page(width=src[number].rect.width, height=src[number].rect.height)
        page.insert_image(page.rect, pixmap=src[number].get_pixmap(dpi=150))
    doc.save(path)
    return path


def test_without_ocr_a_scan_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scan = scan_of(SAMPLE, tmp_path / "scan.pdf", 1)
    with pytest.raises(NoTextLayerError) as err:
        read_paper(scan, ocr="never")
    assert err.value.reason == "no text layer: this PDF needs OCR: try --ocr auto"
    monkeypatch.setattr(chatpaper.pdf, "ocr_available", lambda: False)
    with pytest.raises(NoTextLayerError) as err:
        read_paper(scan)
    assert (
        err.value.reason
        == "no text layer: this PDF needs OCR: install OCR with pip install 'chatpaper[ocr]' and run again"
    )


@needs_ocr
def test_a_scanned_paper_is_read_by_ocr(tmp_path: Path) -> None:
    text = read_paper(SAMPLE, ocr="never")
    # as the pipeline reads it, within a CPU budget sized for text layers (OCR takes up to 13 CPU seconds a
    # page): the pages read by OCR bring their own allowance
    paper = PaperReader(ReaderSettings(cpu_seconds=2)).read(scan_of(SAMPLE, tmp_path / "scan.pdf", 2))
    assert norm(paper.title) == norm(text.title)
    assert paper.authors == text.authors
    heads = [norm(strip_numbering(s.heading)) for s in paper.sections if s.level == 1]
    assert "relatedwork" in heads  # page 2's section heading, told by its bold strokes


@needs_ocr
def test_only_the_pages_without_a_text_layer_are_read_by_ocr(tmp_path: Path) -> None:
    mixed = read_paper(scan_of(SAMPLE, tmp_path / "mixed.pdf", 2, keep_text=1))
    plain = read_paper(SAMPLE, ocr="never")
    assert mixed.title == plain.title  # page 1: its text layer, letter for letter
    page_two = " ".join(s.text for s in mixed.sections if s.page == 2)
    assert len(page_two) > 1000  # page 2: read from its image


@needs_ocr
def test_a_blank_scan_still_fails_after_ocr(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 300, 400), False)
    pix.clear_with(255)
    page.insert_image(page.rect, pixmap=pix)
    doc.save(tmp_path / "blank.pdf")
    with pytest.raises(NoTextLayerError) as err:
        read_paper(tmp_path / "blank.pdf")
    assert err.value.reason == "no text layer: this PDF needs OCR: OCR found no readable text either"


# --- the corpus's two scans -----------------------------------------------------------------------------


@cache
def truth(name: str) -> dict:
    records = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))
    return next(r for r in records if r["file"] == name)


SCAN = "lynch-mit-lcs-tm394-scan.pdf"
# The cover, a blank page and the paper's first two pages: its title, author and first two section headings.
# OCR takes about 4 s a page, so the whole 30-page report (two minutes) is measured by `bench/parse.py --ocr auto`.
OPENING_PAGES = 4


@pytest.fixture(scope="module")
def scanned_opening(tmp_path_factory: pytest.TempPathFactory) -> Paper:
    if not (CORPUS / "pdfs" / SCAN).is_file():
        pytest.skip(f"real-paper corpus not found at {CORPUS} (it sits beside the repo in CI)")
    opening = pymupdf.open()
    opening.insert_pdf(pymupdf.open(CORPUS / "pdfs" / SCAN), to_page=OPENING_PAGES - 1)
    path = tmp_path_factory.mktemp("scan") / SCAN  # the excerpt is built here, never kept in the repo
    opening.save(path)
    return read_paper(path)


@needs_ocr
def test_the_image_only_report_gets_its_title(scanned_opening: Paper) -> None:
    """From the paper's own first page, not the report cover before it, which prints the title in capitals and
    the author's name short."""
    assert scanned_opening.title == truth(SCAN)["title"]
    assert scanned_opening.authors == truth(SCAN)["authors"]


@needs_ocr
def test_the_image_only_report_gets_its_section_headings(scanned_opening: Paper) -> None:
    """Its headings are told by their bold strokes (the text layer had none at all) and their numbering."""
    found = [norm(strip_numbering(s.heading)) for s in scanned_opening.sections if s.level == 1]
    assert found == [norm(h) for h in truth(SCAN)["sections"][:2]]


def test_a_poor_ocr_layer_that_reads_as_a_paper_is_kept_as_it_is(corpus_dir: Path) -> None:
    """zfn's invisible OCR layer is poor but passes the reading check: it is read, not OCR'd again."""
    name = "zfn-54a-0272-scan-ocr.pdf"
    assert read_paper(corpus_dir / "pdfs" / name) == read_paper(corpus_dir / "pdfs" / name, ocr="never")
