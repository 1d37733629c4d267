"""Words and lines rebuilt from glyph positions, for text layers whose own words, lines and sizes are wrong.

dvips output with Type-3 bitmap fonts (1990s-2000s arXiv papers and tech reports) is the case this exists
for: every span declares a size of ~0.1-0.2 pt, the text layer breaks a word wherever TeX moved the pen
for a kern ("Lelew" + "er"), puts one word per line, gives span boxes the font's whole bounding box (up to
240 pt tall), and loses ligatures and digits to the fonts' odd encodings. Here the runs of glyphs the text
layer drew in one go (MuPDF's spans: a word or the piece of one between two kerns, each with its advance
box and baseline) become MuPDF-shaped line dicts again: rows by baseline, words by the gaps between runs,
a size from the glyphs' ink height. The reader then builds `Line`s from them exactly as it does for any
other page.

A page whose text mostly runs at 90 degrees (a landscape sheet) is read in the frame where that text is
horizontal, so the rest of the reader sees an ordinary page.

Pure module: no PDF library; `reader` extracts the glyphs and the font facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from chatpaper.pdf.fragments import WORD_GAP_EM

# TeX's OT1 text encoding below code 32: what a dvips font's control-code glyphs are when the text layer
# gives the bare code (no Unicode mapping) or a wrong one. The accents (18-24) are spacing accents, which
# the clean-up joins to their letter.
OT1_LOW_CODES = {
    0: "Γ", 1: "Δ", 2: "Θ", 3: "Λ", 4: "Ξ", 5: "Π", 6: "Σ", 7: "Υ", 8: "Φ", 9: "Ψ", 10: "Ω",
    11: "ff", 12: "fi", 13: "fl", 14: "ffi", 15: "ffl", 16: "ı", 17: "ȷ", 18: "`", 19: "´", 20: "ˇ", 21: "˘",
    22: "¯", 23: "˚", 24: "¸", 25: "ß", 26: "æ", 27: "œ", 28: "ø", 29: "Æ", 30: "Œ", 31: "Ø",
}  # fmt: skip

# A declared size below this is no type size (nothing is printed at under 1 pt): the font's scale lives
# in its matrix, as in dvips bitmap fonts, and the glyphs' own height has to stand in for it.
TINY_DECLARED_SIZE = 1.0

# Glyph ink height over the type size, for the letters used to estimate a size: x-height letters are the
# most frequent (Computer Modern 0.43-0.44 em, Times 0.45); capitals and ascenders next (0.68-0.70 em).
_X_LETTERS = frozenset("acemnorsuvwxz")
_TALL_LETTERS = frozenset("ABCDEFGHIKLMNOPRSTUVWXYZbdhkl")
_X_HEIGHT_EM = 0.44
_TALL_EM = 0.69
_MIN_SAMPLES = 3  # fewer x-height letters than this and the capitals decide
_ENOUGH_SAMPLES = 200  # glyphs per kind after which a font's size is settled (bitmap glyphs do not vary)

# Gaps between glyph runs on one baseline, in units of the type size: a word break from `WORD_GAP_EM` on
# (TeX's word space is 0.33 em and never shrinks below 0.22 em; kerns and italic corrections stay within
# +-0.1 em). A wider gap ends the piece of line: a column gutter or a table's column gap (the layout merges pieces
# of one printed line back together by its own rules, as it does for MuPDF's lines).
PIECE_GAP_EM = 1.2
# Glyphs whose baselines differ by less than this share a row (same line of text).
BASELINE_TOLERANCE_EM = 0.25
# The line box drawn around a row, from its baseline (what MuPDF reports for an ordinary font).
_ASCENT_EM = 0.8
_DESCENT_EM = 0.2


@dataclass(slots=True)
class Run:
    """Glyphs the text layer drew in one go (one MuPDF span), in the page's reading frame (x along the
    text, y down the page)."""

    text: str
    font: str
    flags: int
    color: int
    size: float  # the declared size; for a bitmap font the estimate from `FontSizes`
    x0: float  # the advance box along the baseline
    x1: float
    base: float  # the baseline
    block: int  # MuPDF's block it came in


@dataclass(slots=True)
class FontSizes:
    """Type sizes of bitmap fonts estimated from their glyphs' ink heights, gathered over a document so
    that a font keeps one size from page to page."""

    _x: dict[str, list[float]] = field(default_factory=dict)
    _tall: dict[str, list[float]] = field(default_factory=dict)

    def wants(self, font: str) -> bool:
        """Whether more glyphs of `font` would still tell its size better (a few hundred settle it)."""
        return len(self._x.get(font, ())) < _ENOUGH_SAMPLES or len(self._tall.get(font, ())) < _ENOUGH_SAMPLES

    def add(self, font: str, text: str, ink: float) -> None:
        """One run of the font's glyphs and the height of its tallest ink above the baseline."""
        if ink <= 0:
            return
        letters = [c for c in text if c.isalpha()]
        if not letters:
            return
        if all(c in _X_LETTERS for c in letters):
            self._x.setdefault(font, []).append(ink)
        elif any(c in _TALL_LETTERS for c in letters):
            self._tall.setdefault(font, []).append(ink)

    def size(self, font: str) -> float | None:
        """The font's type size, or None when none of its glyphs told it yet."""
        xs = self._x.get(font, ())
        if len(xs) >= _MIN_SAMPLES:
            return round(_median(xs) / _X_HEIGHT_EM, 1)
        tall = self._tall.get(font, ())
        if tall:
            return round(_median(tall) / _TALL_EM, 1)
        if xs:
            return round(_median(xs) / _X_HEIGHT_EM, 1)
        return None


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


# --- repairing what the fonts' encodings lose -------------------------------------------------------

_DECIMAL_NAME = re.compile(r"\d{1,3}")
# A glyph whose advance is within this share of a candidate's width is that candidate.
_WIDTH_MATCH = 0.1


@dataclass(slots=True)
class FontRepair:
    """What one Type-3 font's encoding makes the text layer get wrong (see `font_repair`)."""

    chars: dict[str, str] = field(default_factory=dict)  # extracted character -> what the glyph is
    blanks: dict[int, str] = field(default_factory=dict)  # code -> character, for glyphs extracted as a space
    widths: dict[int, float] = field(default_factory=dict)  # glyph widths by code, to tell blanks apart

    def __bool__(self) -> bool:
        return bool(self.chars or self.blanks)

    def blank(self, advance: float, scale: float | None) -> str | None:
        """The character a glyph extracted as a space stands for, from its advance (`scale`: page units per
        width unit, from another glyph of the font); None when it cannot be told."""
        if len(self.blanks) == 1:
            return next(iter(self.blanks.values()))
        if scale is None:
            return None
        fits = [
            ch
            for code, ch in self.blanks.items()
            if code in self.widths and abs(self.widths[code] * scale - advance) <= _WIDTH_MATCH * advance
        ]
        return fits[0] if len(fits) == 1 else None


def font_repair(names: dict[int, str], to_unicode: dict[int, str], widths: dict[int, float]) -> FontRepair:
    """What each wrongly extracted character of one Type-3 font should read, from the font's encoding.

    `names` are the glyph names of the encoding's /Differences (code -> name, '#xx' escapes decoded),
    `to_unicode` its one-byte ToUnicode entries (code -> text), `widths` its /Widths by code. MuPDF reads a
    glyph name made of decimal digits as a code point, so a font naming its glyphs by their codes ('/68'
    for 'D') gives U+000B for code 11, the 'ff' ligature, while a font naming them by the character ('/9')
    gives U+0009 for the digit nine. A glyph whose name MuPDF does not know has no Unicode and comes out
    as its bare code (the reader asks for codes in place of U+FFFD): below 32 that is a TeX ligature or
    accent. ToUnicode maps written by some Ghostscript versions send letters to control characters (code
    0x63 'c' to U+000D, which MuPDF turns into a space: 'S ien e') and the ligatures to whatever sits at
    their code elsewhere (0x0E 'ffi' to 'Æ').
    """
    repair = FontRepair(widths=widths)
    clashes: set[str] = set()

    def put(found: str, meant: str) -> None:
        if found == meant or found in clashes:
            return
        if repair.chars.get(found, meant) != meant:
            clashes.add(found)  # two glyphs extracted alike: neither can be told
            del repair.chars[found]
            return
        repair.chars[found] = meant

    by_code = any(len(n) >= 2 and _DECIMAL_NAME.fullmatch(n) for n in names.values())
    for code, name in names.items():
        if code in to_unicode:
            continue  # the ToUnicode entry wins over the name
        if _DECIMAL_NAME.fullmatch(name):
            point = int(name)
            if by_code and point in OT1_LOW_CODES:
                put(chr(point), OT1_LOW_CODES[point])  # '/11' is code 11 of the TeX font: ff
            elif not by_code and 1 <= point <= 9:
                put(chr(point), name)  # '/9' is the digit nine, read as U+0009
        elif code in OT1_LOW_CODES:
            put(chr(code), OT1_LOW_CODES[code])  # a name MuPDF does not know: the bare code comes out
    for code, text in to_unicode.items():
        if len(text) != 1:
            continue
        if ord(text) < 32:
            if code in OT1_LOW_CODES:
                repair.blanks[code] = OT1_LOW_CODES[code]
            elif 32 < code < 127:
                repair.blanks[code] = chr(code)  # what the code stands for in TeX's text fonts
        elif code in OT1_LOW_CODES:
            put(text, OT1_LOW_CODES[code])
    if repair.blanks:
        # the same writer maps brackets to look-alike symbols (0x5D ']' to U+2104 '℄'); only in a map
        # already shown broken by its blanks, as a symbol font may mean its symbols
        for code, text in to_unicode.items():
            if 32 < code < 127 and len(text) == 1 and unicodedata.category(text) == "So":
                put(text, chr(code))
    return repair


# --- the reading frame ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """Page coordinates turned so that text running along `direction` reads left to right."""

    dx: float
    dy: float
    width: float  # the page's size in the new frame
    height: float
    _off_u: float
    _off_v: float

    @classmethod
    def along(cls, direction: tuple[float, float], width: float, height: float) -> Frame:
        dx, dy = direction
        corners = [(0.0, 0.0), (width, 0.0), (0.0, height), (width, height)]
        us = [x * dx + y * dy for x, y in corners]
        vs = [-x * dy + y * dx for x, y in corners]
        return cls(dx, dy, max(us) - min(us), max(vs) - min(vs), -min(us), -min(vs))

    @property
    def upright(self) -> bool:
        return self.dx == 1.0 and self.dy == 0.0

    def point(self, x: float, y: float) -> tuple[float, float]:
        return x * self.dx + y * self.dy + self._off_u, -x * self.dy + y * self.dx + self._off_v

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        a, b = self.point(x0, y0), self.point(x1, y1)
        return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def main_direction(counts: dict[tuple[float, float], int]) -> tuple[float, float]:
    """The text direction holding most characters, snapped to a right angle; (1, 0) on a tie."""
    totals: dict[tuple[float, float], int] = {}
    for (dx, dy), n in counts.items():
        vertical = abs(dy) > abs(dx)
        snapped = (0.0, 1.0 if dy > 0 else -1.0) if vertical else (1.0 if dx > 0 else -1.0, 0.0)
        totals[snapped] = totals.get(snapped, 0) + n
    upright = totals.get((1.0, 0.0), 0)
    best = max(totals, key=lambda d: totals[d], default=(1.0, 0.0))
    return best if totals[best] > upright else (1.0, 0.0)


# --- rows, words and spans ------------------------------------------------------------------------


def build_lines(runs: Iterable[Run]) -> list[tuple[int, dict]]:
    """MuPDF-shaped line dicts (bbox, spans with text, size, font, flags, color, bbox), each with its block,
    from runs in the reading frame: rows by baseline, pieces split at wide gaps, words at word gaps."""
    rows: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: r.base):
        # runs come by baseline, so a run joins the last row or starts the next one; a raised superscript
        # starts its own row, a subscript stays with its line
        if rows and run.base - rows[-1][0].base <= BASELINE_TOLERANCE_EM * max(min(run.size, rows[-1][0].size), 1.0):
            rows[-1].append(run)
        else:
            rows.append([run])
    out: list[tuple[int, dict]] = []
    for row in rows:
        row.sort(key=lambda r: r.x0)
        piece: list[Run] = []
        for run in row:
            if piece and run.x0 - piece[-1].x1 > PIECE_GAP_EM * max(run.size, piece[-1].size):
                out.append(_line_dict(piece))
                piece = []
            piece.append(run)
        if piece:
            out.append(_line_dict(piece))
    return out


def _line_dict(piece: list[Run]) -> tuple[int, dict]:
    """One line dict from the runs of one printed line piece; runs of one style make one span."""
    spans: list[dict] = []
    prev: Run | None = None
    for run in piece:
        text = run.text
        if (
            prev is not None
            and not spans[-1]["text"].endswith(" ")
            and not text.startswith(" ")
            and run.x0 - prev.x1 >= WORD_GAP_EM * max(run.size, prev.size)
        ):
            spans[-1]["text"] += " "  # the space ends the span before it, as in MuPDF's spans
        style = (run.font, run.flags, run.color, run.size)
        last = spans[-1] if spans else None
        if last is not None and last["style"] == style:
            last["text"] += text
            last["x1"] = run.x1
        else:
            spans.append({"style": style, "text": text, "x0": run.x0, "x1": run.x1, "base": run.base})
        prev = run
    size = max((s["style"][3] for s in spans if s["text"].strip()), default=piece[0].size)
    base = _median([r.base for r in piece])
    out = []
    for s in spans:
        font, flags, color, span_size = s["style"]
        top, bottom = s["base"] - _ASCENT_EM * span_size, s["base"] + _DESCENT_EM * span_size
        out.append(
            {"text": s["text"], "size": span_size, "font": font, "flags": flags, "color": color,
             "bbox": (s["x0"], top, s["x1"], bottom)}
        )  # fmt: skip
    bbox = (piece[0].x0, base - _ASCENT_EM * size, max(r.x1 for r in piece), base + _DESCENT_EM * size)
    return piece[0].block, {"bbox": bbox, "dir": (1.0, 0.0), "spans": out}
