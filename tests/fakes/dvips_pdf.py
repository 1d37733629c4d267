"""PDFs set the way dvips sets old TeX papers: Type-3 bitmap-style fonts, a declared size of a fraction of a
point, every word (and every word piece between two kerns) drawn on its own, ligatures at their TeX codes.

    write_dvips_pdf(path, [page_lines, ...], naming="codes", sideways=False)

`page_lines` are `TextLine(x, y, text, font)` with y the baseline from the top of an upright page and font
a key of `FONTS`. The glyphs are filled boxes as tall as a real font's letters (x-height, capitals,
descenders), so a reader can measure them. `naming` chooses how the encoding names its glyphs, as the two
dvips-to-PDF routes in the corpus do: by decimal code ('/68' for 'D', so MuPDF gives U+000C for the 'fi'
ligature at code 12) or by the character ('/D', '/1', and '/#0C' for the ligature); "opaque" numbers the
glyphs from 128 on in order of use and names them '/g128'..., which no reader can map back to letters (a
text layer of junk). `sideways` draws the whole page turned by 90 degrees on a landscape sheet (a 2-up
print of the 1990s).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pymupdf

UNITS_PER_EM = 50  # glyph units per em: the text matrix scales them by size / 50, the declared size
LIGATURES = {"ffi": 14, "ffl": 15, "ff": 11, "fi": 12, "fl": 13}  # TeX's OT1 codes


@dataclass(frozen=True)
class FontSpec:
    size: float  # points
    bold: bool = False


FONTS = {"title": FontSpec(14.4, bold=True), "head": FontSpec(12, bold=True), "body": FontSpec(10)}


@dataclass(frozen=True)
class TextLine:
    x: float
    y: float  # baseline, from the top of the upright page
    text: str
    font: str = "body"


_X = set("acemnorsuvwxz")
_ASCENDERS = set("bdfhklt")
_DESCENDERS = set("gjpqy")


def _glyph_box(code: int) -> tuple[int, int, int]:
    """Width, bottom and top of the glyph at `code`, in glyph units (a plain Roman face's proportions)."""
    if code in LIGATURES.values():
        return 28 if code < 14 else 40, 0, 35
    ch = chr(code)
    if ch in "il.,;:'!|":
        width = 14
    elif ch in "mwMW":
        width = 40
    elif ch.isupper():
        width = 36
    else:
        width = 25
    if ch in _X:
        return width, 0, 22
    if ch in _DESCENDERS:
        return width, -10, 22
    if ch in _ASCENDERS or ch.isupper() or ch.isdigit() or ch in "()[]/?!":
        return width, 0, 35
    if ch in ".,;:":
        return width, 0, 5
    return width, 0, 20


def _codes(text: str) -> list[int]:
    out, i = [], 0
    while i < len(text):
        for lig, code in LIGATURES.items():
            if text.startswith(lig, i):
                out.append(code)
                i += len(lig)
                break
        else:
            out.append(ord(text[i]))
            i += 1
    return out


def _name(code: int, naming: str) -> str:
    if naming == "opaque":
        return f"/g{code}"
    if naming == "codes":
        return f"/{code}"
    ch = chr(code)
    return "/" + (ch if ch.isalnum() else f"#{code:02X}")


def write_dvips_pdf(path: Path, pages: list[list[TextLine]], *, naming: str = "codes", sideways: bool = False) -> Path:
    width, height = 612.0, 792.0
    doc = pymupdf.open()
    used = sorted({code for lines in pages for ln in lines for word in ln.text.split() for code in _codes(word)})
    # the code each glyph is drawn with: its own, or (opaque) its place among the glyphs used, from 128
    drawn = {code: 128 + k if naming == "opaque" else code for k, code in enumerate(used)}
    fonts: dict[str, int] = {}
    for key, spec in FONTS.items():
        procs = []
        for code in used:
            w, lo, hi = _glyph_box(code)
            ink = w - 3 if spec.bold else w - 5  # a bold face inks more of its width
            proc = doc.get_new_xref()
            doc.update_object(proc, "<<>>")
            doc.update_stream(proc, f"{w} 0 1 {lo} {ink + 1} {hi} d1 1 {lo} {ink} {hi - lo} re f".encode(), new=True)
            procs.append(f"{_name(drawn[code], naming)} {proc} 0 R")
        by_drawn = {drawn[c]: c for c in used}
        first, last = min(by_drawn), max(by_drawn)
        widths = " ".join(str(_glyph_box(by_drawn.get(c, 32))[0]) for c in range(first, last + 1))
        differences = " ".join(f"{drawn[c]} {_name(drawn[c], naming)}" for c in used)
        font = doc.get_new_xref()
        doc.update_object(
            font,
            f"<< /Type /Font /Subtype /Type3 /FontBBox [0 -12 44 37] /FontMatrix [1 0 0 -1 0 0] "
            f"/CharProcs << {' '.join(procs)} >> /Encoding << /Type /Encoding /Differences [{differences}] >> "
            f"/FirstChar {first} /LastChar {last} /Widths [{widths}] /Resources << >> >>",
        )
        fonts[key] = font
    for lines in pages:
        page = doc.new_page(width=height if sideways else width, height=width if sideways else height)
        ops = ["q", f"0 1 -1 0 {height} 0 cm" if sideways else "1 0 0 1 0 0 cm"]
        for ln in lines:
            spec = FONTS[ln.font]
            scale = spec.size / UNITS_PER_EM
            x = ln.x
            for word in ln.text.split():
                codes = _codes(word)
                # dvips moves the pen between the pieces of a word around a kern: each piece is drawn on its own
                pieces = [codes[:4], codes[4:]] if len(codes) > 5 else [codes]
                for piece in pieces:
                    if not piece:
                        continue
                    hexed = "".join(f"{drawn[c]:02x}" for c in piece)
                    ops.append(f"BT /{ln.font} 1 Tf {scale:.4f} 0 0 {-scale:.4f} {x:.2f} {height - ln.y:.2f} Tm")
                    ops.append(f"<{hexed}> Tj ET")
                    x += sum(_glyph_box(c)[0] for c in piece) * scale - 0.02 * spec.size  # the kern
                x += (0.333 + 0.02) * spec.size  # TeX's word space
        ops.append("Q")
        resources = " ".join(f"/{key} {xref} 0 R" for key, xref in fonts.items())
        doc.xref_set_key(page.xref, "Resources", f"<< /Font << {resources} >> >>")
        contents = doc.get_new_xref()
        doc.update_object(contents, "<<>>")
        doc.update_stream(contents, "\n".join(ops).encode(), new=True)
        doc.xref_set_key(page.xref, "Contents", f"{contents} 0 R")
    doc.save(path)
    doc.close()
    return path
