"""A paper's first figure as a PNG: found from its caption, cropped to the figure, rendered with PyMuPDF.

The figure is what is printed between its caption and the text above it (or below it, for a caption
printed over its figure): raster images and vector drawings, with the labels set among them; the
caption itself is left out. `figure_region` decides that region from boxes alone (pure, tested on
hand-made boxes); `render_first_figure` reads the page's drawing log and renders the region. Besides
`reader.py` this is the only module that imports PyMuPDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from chatpaper.captions import figure_number, is_first_figure
from chatpaper.models import Figure
from chatpaper.pdf.lines import Line
from chatpaper.pdf.reader import PdfDocument
from chatpaper.pdf.text import join_lines

# About 150 dpi, and never narrower than 600 px: a report is read on a laptop or a phone.
DPI = 150
MIN_WIDTH_PX = 600
# A figure's longest side is capped, so a poster-sized page cannot make a PNG of hundreds of MB.
MAX_SIDE_PX = 4000
# Captions tried before giving up: a figure-1 caption, then the next figure captions in reading order
# (a caption the reader mistook, or a figure 1 printed without graphics, costs a try, not the figure).
CAPTIONS_TRIED = 3
# What the page's drawing log calls graphics: paths, images, image masks, shadings.
_GRAPHIC_KINDS = frozenset({"fill-path", "stroke-path", "fill-image", "fill-imgmask", "fill-shade"})


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in PDF points, y growing downwards."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def overlaps_x(self, x0: float, x1: float) -> bool:
        return self.x0 < x1 and x0 < self.x1

    def contains_point(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


def _union(boxes: Sequence[Box]) -> Box:
    result = boxes[0]
    for box in boxes[1:]:
        result = result.union(box)
    return result


# --- where the figure is (pure) ------------------------------------------------------------------

# Page backgrounds and frames cover (nearly) the whole page; a figure never does, margins included.
_BACKGROUND_SHARE = 0.8
# A path thinner than this is a rule: a figure's axis or frame when it borders the figure's other
# graphics, otherwise a running header's or footnote's separator, which is no figure.
_RULE = 1.5
# Labels printed around a figure's graphics (axis titles, legends, panel letters) join it within this
# many body-text sizes of them.
_LABEL_REACH = 2.0
# Running headers and footers, with their rules and bars, sit in these shares of the page's height at
# its top and bottom; a graphic inside them is page furniture, not part of a figure.
_MARGIN_SHARE = 0.08
# Smaller than this (points) is an icon or a stray mark, not a figure.
_MIN_SIDE = 24.0


def _is_long(line: Line, body_size: float, band: float) -> bool:
    """A line of running text by itself: body-sized and long, unlike a label inside a figure."""
    if line.size < body_size * 0.88:
        return False
    words = len(line.text.split())
    return line.width >= 0.6 * band or words >= 10 or (words >= 6 and line.width >= 0.45 * band)


def _prose_lines(lines: Sequence[Line], body_size: float, band: float) -> set[int]:
    """Indices of the lines of running text beside a figure's labels: long lines; lines of a paragraph
    (body-sized lines of a few words, stacked at line spacing and starting at the same x: a narrow
    column's text); and the short lines that end such paragraphs ("and homogeneous.")."""
    body = [i for i, line in enumerate(lines) if line.size >= body_size * 0.88]
    prose = {i for i in body if _is_long(lines[i], body_size, band)}
    order = sorted(body, key=lambda i: lines[i].y0)

    def stacked(upper: Line, lower: Line) -> bool:
        gap = lower.y0 - upper.y1
        return -0.2 * lower.size <= gap <= 0.8 * lower.size and abs(upper.x0 - lower.x0) <= 2.0

    wordy = {i for i in body if len(lines[i].text.split()) >= 4}
    for k, i in enumerate(order):
        for j in order[k + 1 :]:
            if lines[j].y0 - lines[i].y1 > 0.8 * lines[j].size:
                break
            if stacked(lines[i], lines[j]) and i in wordy and j in wordy:
                prose.update((i, j))
    for k, i in enumerate(order):
        if i in prose:
            continue
        for j in reversed(order[:k]):
            if lines[i].y0 - lines[j].y1 > 0.8 * lines[i].size:
                break
            if j in prose and stacked(lines[j], lines[i]) and abs(lines[j].size - lines[i].size) <= 0.5:
                prose.add(i)
                break
    return prose


def _inside_graphic(line: Line, graphics: Sequence[Box]) -> bool:
    """Whether the line's middle lies on a graphic bigger than itself (the text of a diagram's box)."""
    x, y = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
    return any(g.contains_point(x, y) and g.width > line.width and g.height > line.height for g in graphics)


def _grow(
    caption: Box,
    lines: Sequence[Line],
    graphics: Sequence[Box],
    stops: Sequence[Box],
    body_size: float,
    margins: tuple[float, float],
    *,
    above: bool,
) -> Box | None:
    """The figure on one side of the caption: the graphics up to the first running text (or another
    caption) in the figure's columns, with the labels among them."""

    def near(box: Box) -> float:  # distance from the caption to the box's near edge, into the figure's side
        return caption.y0 - box.y1 if above else box.y0 - caption.y1

    def far(box: Box) -> float:  # ... and to its far edge
        return caption.y0 - box.y0 if above else box.y1 - caption.y1

    def in_caption(box: Box) -> bool:
        x, y = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        return any(stop.contains_point(x, y) for stop in stops)

    x0, x1 = caption.x0, caption.x1
    limit = float("inf")
    core: list[Box] = []
    rules: list[Box] = []
    prose: set[int] = set()
    for _ in range(4):  # the figure's width decides which text blocks it, and the other way round
        limit = float("inf")
        prose = _prose_lines(lines, body_size, x1 - x0)
        for i, line in enumerate(lines):
            box = Box(line.x0, line.y0, line.x1, line.y1)
            beside = near(box) >= -1 and box.overlaps_x(x0, x1) and not in_caption(box)
            if beside and i in prose and not _inside_graphic(line, graphics):
                limit = min(limit, near(box))
        for stop in stops:
            if near(stop) >= -1 and stop.overlaps_x(x0, x1):
                limit = min(limit, near(stop))
        members = [g for g in graphics if g.overlaps_x(x0, x1) and near(g) >= -2 and far(g) <= limit + 1]
        core = [g for g in members if g.width > _RULE and g.height > _RULE]
        rules = [g for g in members if g not in core]
        if not core:
            return None
        span = _union(core)
        wider = (min(x0, span.x0), max(x1, span.x1))
        if wider == (x0, x1):
            break
        x0, x1 = wider
    region = _union(core)
    # Rules bordering the figure (axes, frames) belong to it; a far-off separator does not.
    for g in rules:
        if g.y1 >= region.y0 - 6 and g.y0 <= region.y1 + 6:
            region = region.union(g)
    reach = _LABEL_REACH * body_size
    for i, line in enumerate(lines):
        box = Box(line.x0, line.y0, line.x1, line.y1)
        middle = (box.x0 + box.x1) / 2
        if not region.x0 - reach <= middle <= region.x1 + reach or in_caption(box):
            continue  # (a line mostly beside the figure belongs to the next column)
        if box.y1 < region.y0 - reach or box.y0 > region.y1 + reach or near(box) < -1 or far(box) > limit + 1:
            continue
        if i in prose and not _inside_graphic(line, graphics):
            continue
        if box.y1 < min(margins[0], region.y0) or box.y0 > max(margins[1], region.y1):
            continue  # a running header or footer the reader kept (a paper too short to tell them)
        region = region.union(box)
    if region.width < _MIN_SIDE or region.height < _MIN_SIDE:
        return None
    # A little white around it, but nothing of the caption or of the text beyond the figure.
    pad, room = 2.0, min(limit - 1.5, far(region) + 2.0)  # glyphs reach a little past their line's box
    if above:
        y0, y1 = max(region.y0 - pad, caption.y0 - room), min(region.y1 + pad, caption.y0 - 0.5)
    else:
        y0, y1 = max(region.y0 - pad, caption.y1 + 0.5), min(region.y1 + pad, caption.y1 + room)
    return Box(region.x0 - pad, y0, region.x1 + pad, y1)


def figure_region(
    caption: Box,
    lines: Sequence[Line],
    graphics: Sequence[Box],
    page: Box,
    body_size: float,
    *,
    stops: Sequence[Box] = (),
) -> Box | None:
    """The region of the figure a caption belongs to, or None when no graphics go with it.

    `lines` are the page's text lines (the caption's own left out), `graphics` the boxes of its
    images and paths, `stops` the other captions on the page. A caption is usually printed under its
    figure; one printed over it (as tables are) is taken when nothing is found above, or when the
    graphics below are much closer; one beside it when there is neither.
    """
    top, bottom = page.y0 + _MARGIN_SHARE * page.height, page.y1 - _MARGIN_SHARE * page.height
    usable = [
        _clip(g, page) for g in graphics if g.area < _BACKGROUND_SHARE * page.area and g.y1 > top and g.y0 < bottom
    ]
    kept = [g for g in usable if g is not None and (g.width > 0.5 or g.height > 0.5)]
    up = _grow(caption, lines, kept, stops, body_size, (top, bottom), above=True)
    down = _grow(caption, lines, kept, stops, body_size, (top, bottom), above=False)
    if down is not None and (up is None or (down.y0 - caption.y1) + 15 < (caption.y0 - up.y1)):
        return _clip(down, page)
    if up is not None:
        return _clip(up, page)
    # A caption set beside its figure (Springer's side captions): the figure starts level with the
    # caption's top, right of it; seen from an edge there, it is a figure below a caption.
    edge = Box(caption.x1 + 1, caption.y0, page.x1, caption.y0)
    side = _grow(edge, lines, kept, stops, body_size, (top, bottom), above=False)
    return _clip(side, page) if side is not None else None


def _clip(box: Box, page: Box) -> Box | None:
    clipped = Box(max(box.x0, page.x0), max(box.y0, page.y0), min(box.x1, page.x1), min(box.y1, page.y1))
    return clipped if clipped.x1 >= clipped.x0 and clipped.y1 >= clipped.y0 else None


# --- rendering -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaptionLines:
    """A caption the reader found: its text and its lines (all on one page)."""

    text: str
    lines: Sequence[Line]

    @property
    def page(self) -> int:
        return self.lines[0].page

    @property
    def box(self) -> Box:
        return _union([Box(ln.x0, ln.y0, ln.x1, ln.y1) for ln in self.lines])


def figure_captions(lines: Sequence[Line], spans: Sequence[tuple[int, int]]) -> list[CaptionLines]:
    """The figure captions among the reader's caption spans, the paper's first figure first.

    Figure 1 (or 1.1 in a thesis numbered by chapter) leads; the other figure captions follow in
    reading order, as stand-ins when figure 1's own caption was not found or has no graphics.
    """
    captions = []
    for start, end in spans:
        on_page = [ln for ln in lines[start:end] if ln.page == lines[start].page]
        text = join_lines([ln.text for ln in on_page])
        if on_page and figure_number(text) is not None:
            captions.append(CaptionLines(text, on_page))
    first = [c for c in captions if is_first_figure(figure_number(c.text) or "")]
    return first[:1] + [c for c in captions if c not in first[:1]]


def render_first_figure(
    path: Path,
    lines: Sequence[Line],
    spans: Sequence[tuple[int, int]],
    body_size: float,
) -> Figure | None:
    """The paper's first figure rendered to PNG, or None when it has no captioned figure with graphics.

    `lines` are the reader's lines in reading order and `spans` its caption line ranges. Raises the
    reader's `PdfError`s for a file that cannot be opened; a page that cannot be drawn gives None.
    """
    captions = figure_captions(lines, spans)[:CAPTIONS_TRIED]
    if not captions:
        return None
    stops_by_page: dict[int, list[Box]] = {}
    for start, end in spans:
        stops_by_page.setdefault(lines[start].page, []).append(
            _union([Box(ln.x0, ln.y0, ln.x1, ln.y1) for ln in lines[start:end] if ln.page == lines[start].page])
        )
    with PdfDocument(path) as doc:
        for caption in captions:
            page_lines = [ln for ln in lines if ln.page == caption.page and ln not in caption.lines]
            stops = [s for s in stops_by_page.get(caption.page, []) if s != caption.box]
            with doc.page(caption.page) as page:
                try:
                    figure = _render(page, caption, page_lines, stops, body_size)
                except (RuntimeError, ValueError):  # MuPDF failing on one page costs the figure only
                    figure = None
            if figure is not None:
                return figure
    return None


def _render(
    page: pymupdf.Page, caption: CaptionLines, lines: Sequence[Line], stops: Sequence[Box], body_size: float
) -> Figure | None:
    # Text, drawing log and images are all in the unrotated page's coordinates.
    frame = page.cropbox
    page_box = Box(frame.x0, frame.y0, frame.x1, frame.y1)
    graphics = [Box(*rect) for kind, rect in page.get_bboxlog() if kind in _GRAPHIC_KINDS]
    region = figure_region(caption.box, lines, graphics, page_box, body_size, stops=stops)
    if region is None:
        return None
    # Graphics' boxes ignore clipping and white fills, so the region may hold blank margins: render it,
    # find the ink, and render the inked part at the final size.
    ink = _inked(_pixmap(page, region, DPI / 72), region)
    if ink is None:
        return None
    pixmap = _pixmap(page, ink, max(DPI / 72, MIN_WIDTH_PX / max(ink.width, 1.0)))
    return Figure(
        caption=caption.text,
        page=caption.page,
        bbox=(round(ink.x0, 1), round(ink.y0, 1), round(ink.x1, 1), round(ink.y1, 1)),
        width=pixmap.width,
        height=pixmap.height,
        png=pixmap.tobytes("png"),
    )


def _pixmap(page: pymupdf.Page, region: Box, zoom: float) -> pymupdf.Pixmap:
    clip = pymupdf.Rect(region.x0, region.y0, region.x1, region.y1)
    if page.rotation:  # the region is in the unrotated page's coordinates, the clip in the rotated page's
        clip = clip * page.rotation_matrix
    zoom = min(zoom, MAX_SIDE_PX / max(clip.width, clip.height, 1.0))
    return page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=clip, alpha=False, annots=False)


_INK_PAD = 2.0  # points of white kept around the ink


def _inked(pixmap: pymupdf.Pixmap, region: Box) -> Box | None:
    """The part of `region` with anything but white on it (None when it is all white), in points."""
    width, height, n = pixmap.width, pixmap.height, pixmap.n
    stride = pixmap.stride
    samples = pixmap.samples
    white = b"\xff" * (width * n)
    top, bottom, left, right = None, None, width, 0
    for y in range(height):
        row = samples[y * stride : y * stride + width * n]
        if row == white:
            continue
        top = y if top is None else top
        bottom = y
        left = min(left, (width * n - len(row.lstrip(b"\xff"))) // n)
        right = max(right, (len(row.rstrip(b"\xff")) + n - 1) // n)
    if top is None or bottom is None:
        return None
    sx, sy = region.width / width, region.height / height
    return Box(
        max(region.x0, region.x0 + left * sx - _INK_PAD),
        max(region.y0, region.y0 + top * sy - _INK_PAD),
        min(region.x1, region.x0 + right * sx + _INK_PAD),
        min(region.y1, region.y0 + (bottom + 1) * sy + _INK_PAD),
    )
