"""The PDF reader: one call turns a paper's PDF into a `Paper` (metadata, sections, captions, code links).

    from chatpaper.pdf import read_paper
    paper = read_paper("paper.pdf")

`reader` is the only module that imports PyMuPDF; it hands over `lines` (spans, lines, links, pages).
`layout` (reading order) with `fragments` (pieces of one line) and `text` (clean-up, line joins), `sections`
(section tree and roles) with `typeset` (body style, headings by their type) and `outline` (headings from
bookmarks), `headings` (numbering and role words), `tables` (table rows as cells), `title` (title page, title),
`byline` (where the authors are) with `authors` (names and affiliations), `abstract` (abstract, keywords) with
`labels` (their labels), `links` (code links) and `language` are pure and work on the lines it produces.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from chatpaper.errors import NoTextLayerError, OcrError, UnreadableTextError
from chatpaper.models import Paper, Section
from chatpaper.pdf.abstract import extract_front_matter
from chatpaper.pdf.byline import find_authors
from chatpaper.pdf.confidence import is_scanned, lacks_text_layer, unreadable
from chatpaper.pdf.dates import find_year
from chatpaper.pdf.figures import render_first_figure
from chatpaper.pdf.language import detect_language
from chatpaper.pdf.layout import arrange_page, remove_furniture
from chatpaper.pdf.lines import Line, Link, Page
from chatpaper.pdf.links import find_code_links
from chatpaper.pdf.ocr import INSTALL_HINT, ocr_available
from chatpaper.pdf.reader import OutlineEntry, PdfDocument, check_pdf_file
from chatpaper.pdf.sections import extract_sections, join_paragraphs_paged
from chatpaper.pdf.tables import find_tables
from chatpaper.pdf.title import find_title
from chatpaper.pdf.typeset import BodyStyle, body_style

__all__ = ["NO_TEXT_LAYER", "OcrMode", "check_pdf_file", "read_paper"]

NO_TEXT_LAYER = "no text layer: this PDF needs OCR"
UNREADABLE = "text layer unreadable"

OcrMode = Literal["auto", "always", "never"]


@dataclass(slots=True)
class _Document:
    """What the reader takes from a PDF besides its pages."""

    outline: list[OutlineEntry]
    info_title: str
    page_count: int


def read_paper(
    path: Path | str,
    *,
    sha256: str | None = None,
    figures: bool = False,
    ocr: OcrMode = "auto",
    before_ocr: Callable[[int], None] | None = None,
) -> Paper:
    """Read a paper's PDF into a `Paper`; with `figures`, its first figure is rendered too (`Paper.figure`).

    `ocr`: "auto" reads pages without a text layer, and papers whose text layer fails the reading check
    (`confidence`), by OCR when the `chatpaper[ocr]` extra is installed; "always" reads every page by OCR;
    "never" only the text layer. `before_ocr(n)` is called before n pages are read by OCR (seconds each).

    Raises NotAPdfError, BrokenPdfError, EncryptedPdfError, NoTextLayerError or UnreadableTextError (all
    `PdfError`s) with a one-line reason; never returns an empty paper or one made of junk.
    """
    path = Path(path)
    can_ocr = ocr != "never" and ocr_available()
    if ocr == "never":
        hint = "try --ocr auto"
    elif not can_ocr:
        hint = f"install OCR with {INSTALL_HINT} and run again"
    else:
        hint = "OCR found no readable text either"
    try:
        document, pages = _read_pages(
            path, ocr="all" if ocr == "always" and can_ocr else "scans" if can_ocr else "", before_ocr=before_ocr
        )
        try:
            return _assemble(path, sha256, document, pages, hint, figures)
        except (NoTextLayerError, UnreadableTextError) as first:
            if ocr != "auto" or not can_ocr or all(page.source == "ocr" for page in pages):
                raise
            refusal = first
        # the text layer fails the check: the page images may still be read
        document, pages = _read_pages(path, ocr="all", before_ocr=before_ocr)
        try:
            return _assemble(path, sha256, document, pages, hint, figures)
        except (NoTextLayerError, UnreadableTextError):
            raise refusal from None  # what was wrong with the text layer says more than OCR's nothing
    except OcrError as exc:
        raise UnreadableTextError(path, f"{UNREADABLE}, and {exc}") from exc


def _read_pages(
    path: Path, *, ocr: str, before_ocr: Callable[[int], None] | None = None
) -> tuple[_Document, list[Page]]:
    """The PDF's pages as lines; `ocr` "all" reads every page by OCR, "scans" the pages that are only an
    image (`confidence.is_scanned`), "" none."""
    with PdfDocument(path) as doc:
        document = _Document(doc.outline(), doc.metadata_title(), doc.page_count)
        pages = list(doc.pages())  # small line records only; MuPDF pages are released one by one
        if ocr:
            chosen = {p.number for p in pages if ocr == "all" or is_scanned(p)}
            if chosen and before_ocr is not None:
                before_ocr(len(chosen))
            pages = [doc.ocr_page(p.number) if p.number in chosen else p for p in pages]
    return document, pages


def _assemble(
    path: Path, sha256: str | None, document: _Document, pages: list[Page], hint: str, figures: bool
) -> Paper:
    """The `Paper` from its pages, checked for readability (`hint` ends a refusal: what to try)."""
    lines: list[Line] = []
    links: list[Link] = []
    outline, info_title, page_count = document.outline, document.info_title, document.page_count
    if lacks_text_layer(pages):
        raise NoTextLayerError(path, f"{NO_TEXT_LAYER}: {hint}")
    bitmap = any(page.source == "glyphs" for page in pages)
    first_text = next((ln.text for page in pages for ln in page.lines if ln.text.strip()), "")
    remove_furniture(pages)  # before the layout, so running headers do not look like column text
    pages = [arrange_page(page) for page in pages]
    heights = {page.number: page.height or 792.0 for page in pages}
    for page in pages:
        lines.extend(page.lines)
        links.extend(page.links)
        page.lines = []  # the flat list owns the lines now
    if not lines:  # all the text there was is running headers, footers and page numbers
        raise NoTextLayerError(path, _only_furniture(first_text))

    body = body_style(lines)
    title = find_title(lines, body, heights)
    authors = find_authors(lines, title, body, heights)
    tree = extract_sections(
        lines,
        [(e.level, e.title, e.page) for e in outline],
        body,
        skip=set(title.indices) | title.cover | authors.used,  # cover pages and author lines are no headings
        title=title.text,
    )
    front = extract_front_matter(lines, title, authors, tree.front_end, body, abstract_from_heading=tree.abstract)
    sections = tree.sections
    # a thesis's table of contents before chapter 1 is navigation, not body text
    lead = _lead_section(lines, tree.front_end, front.used | set(title.indices) | tree.contents, body)
    if lead is not None:
        sections = [lead, *sections]
    references = (
        set(range(tree.references_start, tree.references_end or len(lines)))
        if tree.references_start is not None
        else set()
    )
    code = find_code_links(lines, links, references, title.text, title.page)
    fallback, fallback_source = _fallback_title(info_title, path)
    tables = find_tables(
        lines,
        [(at, s.heading) for at, s in zip(tree.starts, tree.sections, strict=True)],
        list(zip(tree.caption_spans, tree.captions, strict=True)),
    )
    figure = render_first_figure(path, lines, tree.caption_spans, body.size) if figures else None
    year = find_year(
        [ln for ln in lines[: tree.front_end] if ln.page <= title.page], [ln for ln in lines if ln.page == title.page]
    )
    paper = Paper(
        path=str(path),
        sha256=sha256 or _sha256(path),
        pages=page_count,
        title=title.text or fallback,
        title_source="printed" if title.text else fallback_source,
        authors=front.authors,
        first_author_affiliation=front.affiliation,
        abstract=front.abstract,
        abstract_page=(front.abstract_page or tree.abstract_page) if front.abstract else None,
        keywords=front.keywords,
        sections=sections,
        captions=tree.captions,
        tables=tables,
        code_urls=code.urls,
        code_url=code.own,
        language=detect_language(lines),
        has_outline=bool(outline),
        figure=figure,
        year=year,
    )
    cause = unreadable(paper, fallback_title=not title.text)
    if cause is not None:
        kind = "Type-3 bitmap fonts; " if bitmap else ""
        raise UnreadableTextError(path, f"{UNREADABLE} ({kind}{cause}): {hint}")
    return paper


def _only_furniture(sample: str) -> str:
    """Why a PDF whose text layer holds nothing but what repeats in every page's margin cannot be read."""
    shown = " ".join(sample.split())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return (
        f"no body text: the text layer holds only running headers and page numbers ('{shown}'), so the body "
        "must be images or outlines; run it through OCR (e.g. ocrmypdf) and try again"
    )


def _fallback_title(info_title: str, path: Path) -> tuple[str, Literal["document-info", "file-name"]]:
    """When no title is printed as one: the document information's title unless it is a file name."""
    if info_title and not re.search(r"\.(pdf|docx?|tex|dvi)$|^untitled|^microsoft word", info_title, re.I):
        return info_title, "document-info"
    return path.stem, "file-name"


def _lead_section(lines: list[Line], front_end: int, used: set[int], body: BodyStyle) -> Section | None:
    """Body text printed before the first heading (a letter or note without headings) as an unnamed section."""
    after = max(used, default=-1)  # what comes before the title and abstract is a title-page sidebar
    rest = [i for i in range(after + 1, front_end) if i not in used]
    prose = [i for i in rest if len(lines[i].text.split()) >= 6 and lines[i].size >= body.size * 0.88]
    if sum(len(lines[i].text) for i in prose) < 400:
        return None
    start = prose[0]
    text, text_pages = join_paragraphs_paged(lines, range(start, front_end), used, body)
    return Section(heading="", level=1, page=lines[start].page, text=text, role="other", text_pages=text_pages)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
