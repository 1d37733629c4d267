"""The only module that talks to PyMuPDF: open and check a PDF, then stream its pages as lines, links and outline.

Pages are read one at a time and turned into small `Line` records straight away, so a 500-page
thesis never holds more than one MuPDF page (and its text page) in memory. Pages set in bitmap fonts
(dvips Type-3 output) are read from their glyphs instead of MuPDF's lines (see `glyphs`).
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pymupdf

from chatpaper.errors import BrokenPdfError, EncryptedPdfError, NotAPdfError
from chatpaper.pdf.fragments import WORD_GAP_EM
from chatpaper.pdf.glyphs import (
    TINY_DECLARED_SIZE,
    FontRepair,
    FontSizes,
    Frame,
    Run,
    build_lines,
    font_repair,
    main_direction,
)
from chatpaper.pdf.lines import Line, Link, Page, Span
from chatpaper.pdf.ocr import OCR_RESOLUTION, ocr_lines
from chatpaper.pdf.text import clean_text

# Ligatures are split by MuPDF (no PRESERVE_LIGATURES) and images are not collected: faster, and
# images are not text.
_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
_SPAN_PAGES = 2  # pages whose spans are kept for title/author/affiliation parsing
# Pages read from their glyphs (bitmap fonts, sideways sheets) also ask for the ink box of each glyph (its
# height stands in for the size a bitmap font does not declare) and for the bare code of a glyph without
# Unicode in place of U+FFFD (a TeX font's ligature codes, see `glyphs.font_repair`).
_GLYPH_FLAGS = _TEXT_FLAGS | pymupdf.TEXT_ACCURATE_BBOXES | pymupdf.TEXT_USE_CID_FOR_UNKNOWN_UNICODE
# The size given to a bitmap font that prints no letter to measure (rules, symbols): a common body size.
_UNKNOWN_BITMAP_SIZE = 10.0

# Weight and slant as font names print them. "Medium" is a text weight in many families (Stone Serif, Manrope)
# and "SemiCn" a width: only URW's "-Medi" abbreviation and "Semibold"/"Demi" mean bold, else MuPDF's flag
# decides. Advent 3B2 (Science, many journals) names its faces "AdvTT5f.B" / ".I" / ".BI"; TeX's EC and
# cm-super fonts "ecbx"/"sfbx" (bold), "ecti"/"sfti" (italic).
_BOLD_NAME = re.compile(
    r"(?i:bold|black|heavy|demi|semib|-medi(?:ital)?$|(?:cm|ec|sf)bx|cmb\d|[-_,.]bi?$)|(?<=[a-z])TBI?$"
)
_ITALIC_NAME = re.compile(
    r"(?i:italic|oblique|ital\b|(?:cm|ec|sf)(?:ti|sl)|[-_,.]b?i$|[-_,](?:bold|semibold)?it$)|(?<=[a-z])TB?I$"
)
_MONO_NAME = re.compile(r"mono|courier|cmtt|sftt|consol|inconsolata|menlo|typewriter|code", re.I)


@dataclass(slots=True)
class OutlineEntry:
    """One PDF bookmark: level (1 = top), title, 1-based page."""

    level: int
    title: str
    page: int


# PyMuPDF is not thread-safe and the pipeline reads papers from worker threads: every MuPDF call
# goes through this lock (a page at a time, so threads still interleave between pages).
_MUPDF_LOCK = threading.RLock()


@contextmanager
def _mupdf() -> Iterator[None]:
    """Hold the MuPDF lock, with MuPDF's own stderr warnings off (the library never prints)."""
    with _MUPDF_LOCK:
        errors = pymupdf.TOOLS.mupdf_display_errors()
        warnings = pymupdf.TOOLS.mupdf_display_warnings()
        pymupdf.TOOLS.mupdf_display_errors(False)
        pymupdf.TOOLS.mupdf_display_warnings(False)
        try:
            yield
        finally:
            pymupdf.TOOLS.mupdf_display_errors(errors)
            pymupdf.TOOLS.mupdf_display_warnings(warnings)
            pymupdf.TOOLS.reset_mupdf_warnings()


class PdfDocument:
    """An opened, checked PDF; use as a context manager so the file is closed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        check_pdf_file(path)
        with _mupdf():
            try:
                doc = pymupdf.open(path, filetype="pdf")
            except Exception as exc:  # MuPDF raises several types for unreadable files
                raise BrokenPdfError(
                    path, f"damaged PDF that cannot be opened ({_short(exc)}); download or export it again"
                ) from exc
            self._doc = doc
            if doc.needs_pass:
                doc.close()
                raise EncryptedPdfError(
                    path, "password-protected PDF; save an unprotected copy (e.g. qpdf --decrypt) and try again"
                )
            if doc.page_count == 0 or (doc.is_repaired and not _has_eof_marker(path)):
                doc.close()
                raise BrokenPdfError(path, "truncated or damaged PDF (no readable pages); download or export it again")
            self._page_count = doc.page_count
            self._font_repairs: dict[int, FontRepair] = {}  # per Type-3 font xref, see `_repairs`
            self._font_sizes = FontSizes()
            self._type3_name: dict[int, str] = {}  # per Type-3 font xref: its /Name ("" without one)
            self._bitmap_pages = False  # whether the last page read was set in bitmap fonts

    def __enter__(self) -> PdfDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        with _mupdf():
            self._doc.close()

    @property
    def page_count(self) -> int:
        return self._page_count

    def metadata_title(self) -> str:
        """The title in the document information, if any (often empty or a file name)."""
        try:
            with _mupdf():
                return clean_text(str((self._doc.metadata or {}).get("title") or "")).strip()
        except Exception:
            return ""

    def outline(self) -> list[OutlineEntry]:
        """The PDF's bookmarks (may be empty); entries pointing nowhere are dropped."""
        try:
            with _mupdf():
                toc = self._doc.get_toc(simple=True)
        except Exception:  # a broken outline is no reason to refuse the paper
            return []
        return [
            OutlineEntry(level=int(level), title=clean_text(str(title)).strip(), page=int(page))
            for level, title, page in toc
            if int(page) >= 1 and str(title).strip()
        ]

    @contextmanager
    def page(self, number: int) -> Iterator[pymupdf.Page]:
        """One MuPDF page (1-based), held under the library lock, for `figures.py` to draw from."""
        with _mupdf():
            page = self._doc.load_page(number - 1)
            try:
                yield page
            finally:
                del page

    def pages(self) -> Iterator[Page]:
        """Each page's text lines (not yet in reading order) and URI links, one page at a time."""
        for index in range(self._page_count):
            with _mupdf():
                try:
                    page = self._doc.load_page(index)
                    data, direction, repairs = self._page_text(page)
                    links = _uri_links(page, index + 1)
                    # text coordinates are those of the unrotated page
                    box = page.rect if page.rotation == 0 else page.cropbox
                    width, height = box.width, box.height
                    cover = 0.0 if _has_text(data) else _image_cover(page)
                    del page
                except Exception as exc:
                    raise BrokenPdfError(
                        self.path,
                        f"damaged PDF: page {index + 1} cannot be read ({_short(exc)}); download or export it again",
                    ) from exc
            keep_spans = index < _SPAN_PAGES
            # plain Python from here: outside the lock
            if direction is None:
                lines = _lines(data, index + 1, keep_spans=keep_spans)
            else:
                frame = Frame.along(direction, width, height)
                width, height = frame.width, frame.height
                lines = self._glyph_lines(data, frame, repairs, index + 1, keep_spans)
                links = [_turned_link(link, frame) for link in links]
            source = "text" if direction is None else "glyphs"
            yield Page(index + 1, width, height, lines, links, image_cover=cover, source=source)

    def ocr_page(self, number: int) -> Page:
        """Page `number` (1-based) read by OCR from its image, in the page's coordinates as displayed."""
        zoom = OCR_RESOLUTION / 72
        with _mupdf():
            try:
                page = self._doc.load_page(number - 1)
                pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csRGB, alpha=False)
                pixels, columns, rows = pix.samples, pix.width, pix.height
                width, height = page.rect.width, page.rect.height
                links = _uri_links(page, number) if page.rotation == 0 else []
                del page, pix
            except Exception as exc:
                raise BrokenPdfError(
                    self.path,
                    f"damaged PDF: page {number} cannot be drawn ({_short(exc)}); download or export it again",
                ) from exc
        lines = ocr_lines(pixels, columns, rows, number, 1 / zoom)  # outside the lock: seconds per page
        return Page(number, width, height, lines, links, image_cover=1.0, source="ocr")

    def _page_text(self, page: pymupdf.Page) -> tuple[dict, tuple[float, float] | None, dict[str, FontRepair]]:
        """The page's text dict, and for a page set in bitmap fonts the direction to read it in and its fonts'
        repairs (its dict then has ink boxes, or is a rawdict where a repair needs each glyph's width)."""
        guess = self._bitmap_pages  # the last page was set in bitmap fonts: the next one most likely is too
        data = page.get_text("dict", flags=_GLYPH_FLAGS if guess else _TEXT_FLAGS)
        type3 = self._type3_names(page) if _mostly_tiny(data) else {}
        direction = _bitmap_direction(data, type3)
        self._bitmap_pages = direction is not None
        if direction is None:
            if guess:
                data = page.get_text("dict", flags=_TEXT_FLAGS)
            return data, None, {}
        repairs = self._repairs(type3)
        if any(len(r.blanks) > 1 for r in repairs.values()):
            data = page.get_text("rawdict", flags=_GLYPH_FLAGS)  # blanks told apart by their widths
        elif not guess:
            data = page.get_text("dict", flags=_GLYPH_FLAGS)
        return data, direction, repairs

    def _type3_names(self, page: pymupdf.Page) -> dict[str, int]:
        """The page's Type-3 fonts by the name MuPDF gives their spans (their /Name, else 'Type3 (xref 0 R)')."""
        names: dict[str, int] = {}
        for xref, _ext, kind, *_ in page.get_fonts():
            if kind != "Type3":
                continue
            if xref not in self._type3_name:
                own = self._doc.xref_get_key(xref, "Name")
                self._type3_name[xref] = own[1].lstrip("/") if own[0] == "name" else ""
            names[f"Type3 ({xref} 0 R)"] = xref
            if self._type3_name[xref]:
                names[self._type3_name[xref]] = xref
        return names

    def _repairs(self, type3: dict[str, int]) -> dict[str, FontRepair]:
        """Per span font name: the characters its encoding makes the text layer get wrong, and what they are."""
        out = {}
        for name, xref in type3.items():
            if xref not in self._font_repairs:
                self._font_repairs[xref] = font_repair(*_encoding_facts(self._doc, xref))
            if self._font_repairs[xref]:
                out[name] = self._font_repairs[xref]
        return out

    def _glyph_lines(
        self, data: dict, frame: Frame, repairs: dict[str, FontRepair], page_no: int, keep_spans: bool
    ) -> list[Line]:
        """Lines rebuilt from the page's runs of glyphs in `frame` (see `glyphs`), built like any other page's."""
        runs: list[Run] = []
        bitmap_runs: list[Run] = []
        sizes = self._font_sizes
        upright = frame.upright
        scales: dict[str, float | None] = {}  # per font, page units per glyph width unit (see `_width_scale`)
        for block_no, block in enumerate(data.get("blocks", ())):
            if block.get("type", 0) != 0:
                continue
            for line in block.get("lines", ()):
                dx, dy = line.get("dir", (1.0, 0.0))
                if abs(dx - frame.dx) > 0.05 or abs(dy - frame.dy) > 0.05:
                    continue  # text at another angle: stamps, sideways labels
                for span in line["spans"]:
                    font = span["font"]
                    fixes = repairs.get(font)
                    if "chars" in span:  # a rawdict: glyph by glyph, for repairs that need their widths
                        chars = span["chars"]
                        if fixes is None:
                            text = "".join(ch["c"] for ch in chars)
                        else:
                            if font not in scales:
                                scales[font] = _width_scale(data, font, fixes, frame)
                            text = _repaired(chars, fixes, scales[font], frame)
                    else:
                        text = span["text"] if fixes is None else _repaired_text(span["text"], fixes)
                    if not text.strip():
                        continue
                    if upright:
                        x0, top, x1, _ = span["bbox"]
                        base = span["origin"][1]
                    else:
                        x0, top, x1, _ = frame.box(*span["bbox"])
                        base = frame.point(*span["origin"])[1]
                    run = Run(text, font, span["flags"], span["color"], span["size"], x0, x1, base, block_no)
                    runs.append(run)
                    if run.size < TINY_DECLARED_SIZE:
                        bitmap_runs.append(run)
                        if sizes.wants(font):
                            sizes.add(font, text, base - top)  # the ink above the baseline (ink boxes asked for)
        known: dict[str, float] = {}
        for run in bitmap_runs:
            size = known.get(run.font)
            if size is None:
                size = known[run.font] = sizes.size(run.font) or _UNKNOWN_BITMAP_SIZE
            run.size = size
        lines = []
        for block_no, raw in build_lines(runs):
            built = _line(raw, page_no, block_no, keep_spans)
            if built is not None:
                lines.append(built)
        return lines


def _repaired_text(text: str, repair: FontRepair) -> str:
    """`_repaired` for a span known by its text alone (its font has at most one blanked letter)."""
    if repair.blanks and " " in text:
        text = text.replace(" ", next(iter(repair.blanks.values())))
    return "".join(repair.chars.get(c, c) for c in text) if repair.chars else text


def _repaired(chars: list[dict], repair: FontRepair, scale: float | None, frame: Frame) -> str:
    """A span's text with what its font's encoding got wrong put right (see `glyphs.font_repair`)."""
    out = []
    for ch in chars:
        c = ch["c"]
        if c == " " and repair.blanks and not ch.get("synthetic"):
            x0, _, x1, _ = frame.box(*ch["bbox"])
            c = repair.blank(x1 - x0, scale) or " "
        else:
            c = repair.chars.get(c, c)
        out.append(c)
    return "".join(out)


_DIFFERENCES_TOKEN = re.compile(r"/[^\s/\[\]<>()]*|-?\d+")
_NAME_ESCAPE = re.compile(r"#([0-9A-Fa-f]{2})")
_CMAP_SECTION = re.compile(r"begin(bfchar|bfrange)(.*?)end\1", re.S)
_HEX = re.compile(r"<([0-9A-Fa-f]*)>")


def _encoding_facts(doc: pymupdf.Document, xref: int) -> tuple[dict[int, str], dict[int, str], dict[int, float]]:
    """A font's glyph names by code (its encoding's /Differences), its one-byte ToUnicode entries and its
    glyph widths by code."""
    names: dict[int, str] = {}
    kind, value = doc.xref_get_key(xref, "Encoding/Differences")
    if kind == "array":
        code = 0
        for token in _DIFFERENCES_TOKEN.findall(value):  # "[12 /#0C 14 /#0E /b]": a number sets the next code
            if token.startswith("/"):
                names[code] = _NAME_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), token[1:])
                code += 1
            else:
                code = int(token)
    to_unicode: dict[int, str] = {}
    kind, value = doc.xref_get_key(xref, "ToUnicode")
    if kind == "xref":
        try:
            cmap = doc.xref_stream(int(value.split()[0])).decode("latin-1")
        except Exception:  # an unreadable map repairs nothing
            cmap = ""
        for section, body in _CMAP_SECTION.findall(cmap):
            for entry in body.strip().splitlines():
                parts = _HEX.findall(entry)
                if section == "bfchar" and len(parts) == 2:
                    first = last = parts[0]
                elif section == "bfrange" and len(parts) == 3:
                    first, last = parts[0], parts[1]
                else:
                    continue
                target = parts[-1]
                if len(first) != 2 or len(last) != 2 or len(target) != 4:
                    continue  # one-byte codes to one UTF-16 unit: what the repairs look at
                for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                    to_unicode[code] = chr(int(target, 16) + offset)
    widths: dict[int, float] = {}
    kind, value = doc.xref_get_key(xref, "FirstChar")
    first_char = int(value) if kind == "int" else 0
    kind, value = doc.xref_get_key(xref, "Widths")
    if kind == "xref":
        kind, value = "array", doc.xref_object(int(value.split()[0]), compressed=True)
    if kind == "array":
        for offset, width in enumerate(value.strip("[] ").split()):
            with contextlib.suppress(ValueError):
                widths[first_char + offset] = float(width)
    return names, to_unicode, widths


def _width_scale(data: dict, font: str, repair: FontRepair, frame: Frame) -> float | None:
    """Page units per glyph-width unit of `font` on a page (a rawdict), from a letter whose code is its
    ASCII code: the advance of a glyph extracted as a blank then tells which letter it is."""
    for block in data.get("blocks", ()):
        for line in block.get("lines", ()):
            for span in line["spans"]:
                if span["font"] != font:
                    continue
                for ch in span["chars"]:
                    c = ch["c"]
                    if c.isascii() and c.isalpha() and repair.widths.get(ord(c), 0) > 0:
                        x0, _, x1, _ = frame.box(*ch["bbox"])  # the advance, along the text
                        return (x1 - x0) / repair.widths[ord(c)]
    return None


def _turned_link(link: Link, frame: Frame) -> Link:
    x0, y0, x1, y1 = frame.box(link.x0, link.y0, link.x1, link.y1)
    return Link(uri=link.uri, page=link.page, x0=x0, y0=y0, x1=x1, y1=y1)


def _mostly_tiny(data: dict) -> bool:
    """Whether most lines start in a font declaring a size under a point (told from one span per line: a
    bitmap-font page has nothing else, and other pages are done with at C speed)."""
    tiny = lines = 0
    for block in data.get("blocks", ()):
        for line in block.get("lines", ()):
            spans = line["spans"]
            if spans:
                lines += 1
                tiny += spans[0]["size"] < TINY_DECLARED_SIZE
    return tiny * 2 > lines


def _bitmap_direction(data: dict, type3: dict[str, int]) -> tuple[float, float] | None:
    """For a page whose text is mostly in bitmap fonts (Type-3 fonts declaring a size under a point), the
    direction most of its text runs in (a sideways sheet reads at 90 degrees); None for other pages."""
    if not type3:
        return None  # (nearly every page)
    directions: dict[tuple[float, float], int] = {}
    tiny = total = 0
    for block in data.get("blocks", ()):
        for line in block.get("lines", ()):
            chars = 0
            for span in line["spans"]:
                n = len(span["text"])
                chars += n
                if span["size"] < TINY_DECLARED_SIZE and span["font"] in type3:
                    tiny += n
            direction = line.get("dir", (1.0, 0.0))
            directions[direction] = directions.get(direction, 0) + chars
            total += chars
    return main_direction(directions) if tiny * 2 > total else None


def _has_text(data: dict, enough: int = 30) -> bool:
    """Whether the page has `enough` printed characters (stops counting there: most pages have thousands)."""
    chars = 0
    for block in data.get("blocks", ()):
        for line in block.get("lines", ()):
            for span in line.get("spans", ()):
                text = span["text"] if "text" in span else "".join(c["c"] for c in span.get("chars", ()))
                chars += len(text.strip())
                if chars >= enough:
                    return True
    return False


def _uri_links(page: pymupdf.Page, number: int) -> list[Link]:
    """Web links only. MuPDF's own link chain is walked: PyMuPDF's `Link.next` looks up the annotation
    list again for every link, which made a page with a few hundred citation links cost more than its text."""
    out = []
    link = pymupdf.mupdf.fz_load_links(page.this)
    while link.m_internal:
        uri = link.m_internal.uri or ""
        if uri.startswith(("http://", "https://", "www.")):
            r = link.rect()
            out.append(Link(uri=uri, page=number, x0=r.x0, y0=r.y0, x1=r.x1, y1=r.y1))
        link = link.next()
    return out


def _image_cover(page: pymupdf.Page) -> float:
    """Share of the page covered by images (only asked for pages with next to no text: scans)."""
    area = abs(page.rect) or 1.0
    covered = 0.0
    for info in page.get_image_info():
        box = pymupdf.Rect(info["bbox"]) & page.rect
        covered += abs(box)
    return min(1.0, covered / area)


def check_pdf_file(path: Path) -> None:
    """Raise NotAPdfError unless `path` is a readable file that starts like a PDF (its first KiB only)."""
    if not path.exists():
        raise NotAPdfError(path, "file not found; check the path")
    if not path.is_file():
        raise NotAPdfError(path, "not a file; give the path of a PDF")
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise NotAPdfError(path, f"cannot be read ({exc.strerror}); check its permissions") from exc
    if not head:
        raise NotAPdfError(path, "empty file (0 bytes); download or export the PDF again")
    if b"%PDF-" not in head:
        raise NotAPdfError(path, "not a PDF (no %PDF header); point chatpaper at the paper's PDF file")


def _has_eof_marker(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - 4096))
        return b"%%EOF" in fh.read()


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]


def _font_name(name: str) -> str:
    return name.split("+", 1)[1] if "+" in name[:8] else name


@functools.lru_cache(maxsize=512)
def _font_traits(font: str) -> tuple[bool, bool, bool]:
    """Bold, italic, monospace as the font's name says (flags are often missing in embedded fonts)."""
    return bool(_BOLD_NAME.search(font)), bool(_ITALIC_NAME.search(font)), bool(_MONO_NAME.search(font))


_WORDED = re.compile(r"[^\W\d_]{2}")
_NOTE_MARK = re.compile(r"^[\d,∗*†‡§¶]{1,6}$")
_NOTE_BEFORE = re.compile(r"(?:[^\W\d_]{2}|[,.;:)\]])$")


def _is_note_mark(text: str, before: str) -> bool:
    return bool(_NOTE_MARK.match(text.strip())) and bool(_NOTE_BEFORE.search(before))


def _is_tinted(color: int) -> bool:
    """A real colour, not black or a grey."""
    r, g, b = (color >> 16) & 255, (color >> 8) & 255, color & 255
    return max(r, g, b) - min(r, g, b) > 60


def _is_upper(text: str) -> bool:
    if not text.isupper():  # a lower-case letter, or no cased letter at all: the usual line, decided at C speed
        return False
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _lines(data: dict, page_no: int, *, keep_spans: bool) -> list[Line]:
    lines: list[Line] = []
    for block_no, block in enumerate(data.get("blocks", ())):
        if block.get("type", 0) != 0:
            continue
        for raw in block.get("lines", ()):
            dx, dy = raw.get("dir", (1.0, 0.0))
            if abs(dy) > 0.05 or dx <= 0:  # rotated text: arXiv stamps, sideways table headers
                continue
            line = _line(raw, page_no, block_no, keep_spans)
            if line is not None:
                lines.append(line)
    return lines


# Per (font name as embedded, flags): the name without its subset prefix, and bold, italic, monospace;
# per colour: whether it is a tint. A paper uses a few dozen of each against some hundred thousand
# spans, so each is worked out once; a long batch meets many subset fonts, so the tables stay bounded.
Style = tuple[str, bool, bool, bool]
_SPAN_STYLES: dict[tuple[str, int], Style] = {}
_TINTS: dict[int, bool] = {}
_TABLE_LIMIT = 4096


def _span_style(raw_font: str, flags: int) -> Style:
    key = (raw_font, flags)
    style = _SPAN_STYLES.get(key)
    if style is None:
        if len(_SPAN_STYLES) > _TABLE_LIMIT:
            _SPAN_STYLES.clear()
        font = _font_name(raw_font)
        named_bold, named_italic, named_mono = _font_traits(font)
        style = (font, bool(flags & 16) or named_bold, bool(flags & 2) or named_italic, bool(flags & 8) or named_mono)
        _SPAN_STYLES[key] = style
    return style


def _tinted(color: int) -> bool:
    tint = _TINTS.get(color)
    if tint is None:
        if len(_TINTS) > _TABLE_LIMIT:
            _TINTS.clear()
        tint = _TINTS[color] = _is_tinted(color)
    return tint


def _build_line(
    raw: dict,
    page_no: int,
    block_no: int,
    *,
    text: str,
    size: float,
    style: Style,
    head: Style | None,
    last: Style | None,
    colored: bool,
    spans: list[Span] | None = None,
    ink_x: tuple[float, float] | None = None,
) -> Line:
    """A Line from its text and styles; `head`/`last` are the styles of its first and last words (a
    run-in heading starts in bold or italic and goes on in plain text: "Datasets. We use")."""
    font, bold, italic, mono = style
    x0, y0, x1, y1 = raw["bbox"]
    if ink_x is not None:
        x0, x1 = ink_x
    return Line(
        page=page_no,
        x0=x0,
        y0=y0,
        x1=x1,
        y1=y1,
        text=text,
        size=size,
        font=font,
        bold=bold,
        italic=italic,
        mono=mono,
        block=block_no,
        spans=spans,
        styled_head=head is not None and (head[1] or head[2]),
        bold_head=head is not None and head[1],
        plain_tail=last is not None and not (last[1] or last[2]),
        colored=colored,
    )


def _uniform_line(raw: dict, page_no: int, block_no: int) -> Line | Literal[False] | None:
    """`_line` for the common line whose spans all share one font, size, flags and colour and whose text is
    plain ASCII: the same Line without weighing styles span by span. False when the line is not like that."""
    spans = raw["spans"]
    if not spans:
        return False
    first = spans[0]
    raw_font, flags, size, color = first["font"], first["flags"], first["size"], first["color"]
    if flags & 1 or not -1e9 < size < 1e9:
        return False  # superscripts may be footnote marks to drop
    for s in spans:
        if s["font"] != raw_font or s["flags"] != flags or s["size"] != size or s["color"] != color:
            return False
    parts = [s["text"] for s in spans]
    text = "".join(parts)
    if not text.isascii() or "`" in text:
        return False  # ligatures or spacing accents to clean, span by span
    if not text.strip():
        return None
    style = _span_style(raw_font, flags)
    worded = style if any(_WORDED.search(part) for part in parts) else None
    return _build_line(
        raw,
        page_no,
        block_no,
        text=text,
        size=round(size, 1),
        style=style,
        head=worded,
        last=worded,
        colored=bool(color) and _tinted(color),
    )


def _next_printed(spans: list[dict], after: dict) -> dict | None:
    """The first span after `after` with printed (non-blank) text."""
    seen = False
    for s in spans:
        if seen and s["text"].strip():
            return s
        seen = seen or s is after
    return None


def _line(raw: dict, page_no: int, block_no: int, keep_spans: bool) -> Line | None:
    if not keep_spans:
        line = _uniform_line(raw, page_no, block_no)
        if line is not False:
            return line
    parts: list[str] = []
    spans: list[Span] = []
    # weight per (size, font as embedded, flags); folded into the line's styles once at the end
    weights: dict[tuple[float, str, int], int] = {}
    looks: list[Style] = []  # the style of each part
    tinted = 0
    # where the printed glyphs start and end: a space glyph at either end may sit apart from them (a zero-size
    # space before every word, as some publishers draw), and the gap to the next piece of the row is what
    # tells a word break
    printed: list[float] = []
    for s in raw["spans"]:
        text = s["text"]
        if not text:
            continue
        size = s["size"]
        if not -1e9 < size < 1e9:  # NaN or infinite: a broken font matrix
            continue
        if size < TINY_DECLARED_SIZE and not text.strip() and printed:
            # a space glyph drawn at no size takes no room: the glyphs on either side tell whether a word
            # ends here (Elsevier draws one before every word, and some inside words after an accent)
            nxt = _next_printed(raw["spans"], s)
            if nxt is not None and nxt["bbox"][0] - printed[-1] < WORD_GAP_EM * nxt["size"]:
                continue
        raw_font = s["font"]
        flags = s["flags"]
        style = _span_style(raw_font, flags)
        font, bold, italic, _ = style
        if not text.isascii() or "`" in text:
            text = clean_text(text)
        if flags & 1 and parts and _is_note_mark(text, parts[-1]):
            # a footnote mark glued to prose ("S2ORC,1", "superconductors1") is not part of the text;
            # the span itself is kept below for author/affiliation markers
            if keep_spans:
                x0, y0, x1, y1 = s["bbox"]
                spans.append(Span(text, size, font, bold, italic, True, x0, x1, y0, y1))
            continue
        parts.append(text)
        looks.append(style)
        weight = len(text.strip())
        if weight:
            bx0, _, bx1, _ = s["bbox"]
            printed.append(bx0)
            printed.append(bx1)
            wkey = (size, raw_font, flags)
            weights[wkey] = weights.get(wkey, 0) + weight
            color = s["color"]
            if color and _tinted(color):
                tinted += weight
        if keep_spans:
            x0, y0, x1, y1 = s["bbox"]
            spans.append(Span(text, size, font, bold, italic, bool(flags & 1), x0, x1, y0, y1))
    text = "".join(parts)
    if not weights or not text.strip():
        return None
    styles: dict[tuple[float, str, bool, bool, bool], int] = {}
    for (size, raw_font, flags), weight in weights.items():
        font, bold, italic, mono = _span_style(raw_font, flags)
        skey = (round(size, 1), font, bold, italic, mono)
        styles[skey] = styles.get(skey, 0) + weight
    size, font, bold, italic, mono = max(styles.items(), key=lambda kv: kv[1])[0]
    if len(styles) > 1 and _is_upper(text):
        # small caps: the capitals' size, not the reduced size of the lower-case letters
        size = max(key[0] for key in styles)
    worded = [k for k in (0, -1) if _WORDED.search(parts[k])] if len(parts) > 1 else []
    if len(worded) < 2:  # usually the first and the last part are words; else look further in
        worded = [k for k, part in enumerate(parts) if _WORDED.search(part)]
    return _build_line(
        raw,
        page_no,
        block_no,
        text=text,
        size=size,
        style=(font, bold, italic, mono),
        head=looks[worded[0]] if worded else None,
        last=looks[worded[-1]] if worded else None,
        colored=tinted * 2 > sum(styles.values()),
        spans=spans if keep_spans else None,
        ink_x=(min(printed), max(printed)) if printed else None,
    )
