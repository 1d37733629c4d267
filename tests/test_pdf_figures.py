"""Figure 1: found from its caption, cropped to the figure (graphics and labels, no caption, no running text),
rendered to a PNG of at least 600 px; on hand-made boxes, built PDFs and real papers."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from chatpaper.captions import figure_number, is_first_figure
from chatpaper.pdf import read_paper
from chatpaper.pdf.figures import MIN_WIDTH_PX, Box, figure_region
from chatpaper.pdf.lines import Line
from tests.conftest import EXAMPLES

PAGE = Box(0, 0, 612, 792)
BODY = 10.0
PROSE = "We measure the effect of the budget on every benchmark and report the mean over five runs here."


def line(x0: float, y0: float, x1: float, text: str, size: float = BODY) -> Line:
    return Line(
        page=1, x0=x0, y0=y0, x1=x1, y1=y0 + size * 1.2, text=text, size=size, font="Times", bold=False,
        italic=False, mono=False, block=0,
    )  # fmt: skip


def paragraph(x0: float, y0: float, x1: float, count: int) -> list[Line]:
    return [line(x0, y0 + k * 12, x1, PROSE) for k in range(count)]


# --- the region, from boxes ------------------------------------------------------------------------


def test_the_figure_is_the_graphics_between_the_text_above_and_the_caption() -> None:
    text = paragraph(72, 80, 540, 5)  # ends at y 140
    plot = [Box(100, 160, 500, 380), Box(120, 170, 480, 370)]
    labels = [line(280, 384, 330, "Epochs", 8), line(90, 150, 110, "(a)", 8)]
    caption = Box(72, 400, 540, 412)
    after = paragraph(72, 430, 540, 5)
    region = figure_region(caption, text + labels + after, plot, PAGE, BODY)
    assert region is not None
    assert region.y0 >= 140 and region.y1 <= caption.y0  # neither the paragraph above nor the caption
    assert region.x0 <= 90 and region.y0 <= 150  # the panel letter beside the plot
    assert region.y1 >= 384 + 8  # the axis title under it
    assert region.x1 <= 502


def test_a_paragraphs_short_last_line_is_running_text_not_a_label() -> None:
    text = [*paragraph(72, 80, 540, 3), line(72, 116, 160, "and homogeneous.")]
    caption = Box(72, 300, 540, 312)
    region = figure_region(caption, text, [Box(100, 150, 500, 290)], PAGE, BODY)
    assert region is not None and region.y0 >= 116 + 12


def test_a_caption_over_its_figure_takes_the_graphics_below() -> None:
    text = paragraph(72, 80, 540, 5)
    caption = Box(72, 150, 540, 162)
    graphics = [Box(100, 170, 500, 360)]
    after = paragraph(72, 380, 540, 5)
    region = figure_region(caption, text + after, graphics, PAGE, BODY)
    assert region is not None
    assert region.y0 >= caption.y1 and region.y1 <= 380
    assert region.y0 <= 170 and region.y1 >= 360


def test_in_two_columns_the_other_columns_text_and_graphics_stay_out() -> None:
    left = paragraph(72, 80, 300, 5)
    right = paragraph(312, 80, 540, 30)
    caption = Box(72, 330, 300, 342)
    graphics = [Box(80, 160, 290, 320), Box(330, 500, 530, 600)]  # the second: another column's figure
    region = figure_region(caption, left + right, graphics, PAGE, BODY)
    assert region is not None and region.x1 <= 300 and region.y1 <= caption.y0 and region.y0 >= 140


def test_a_full_width_figure_under_a_short_centred_caption() -> None:
    text = [*paragraph(72, 80, 300, 5), *paragraph(312, 80, 540, 5)]
    caption = Box(250, 420, 360, 432)
    graphics = [Box(80, 160, 290, 400), Box(320, 160, 530, 400)]  # two panels side by side
    region = figure_region(caption, text, graphics, PAGE, BODY)
    assert region is not None and region.x0 <= 80 and region.x1 >= 530


def test_a_side_caption_takes_the_figure_beside_it() -> None:
    text = paragraph(72, 80, 540, 5)
    caption = Box(72, 200, 160, 212)
    side = [line(72, 214 + 12 * k, 160, "currents of the channel") for k in range(6)]
    graphics = [Box(180, 200, 540, 420)]
    region = figure_region(caption, text + side, graphics, PAGE, BODY)
    assert region is not None and region.x0 >= 170 and region.y0 >= 195 and region.y1 >= 420


def test_running_headers_rules_and_page_backgrounds_are_no_figure() -> None:
    caption = Box(72, 400, 540, 412)
    text = paragraph(72, 200, 540, 10)
    furniture = [Box(0, 0, 612, 792), Box(72, 40, 540, 40.5), Box(72, 30, 300, 55)]
    assert figure_region(caption, text, furniture, PAGE, BODY) is None
    assert figure_region(caption, text, [], PAGE, BODY) is None


def test_another_caption_above_stops_the_figure() -> None:
    first, second = Box(72, 250, 540, 262), Box(72, 500, 540, 512)
    graphics = [Box(100, 60, 500, 240), Box(100, 280, 500, 490)]
    region = figure_region(second, [], graphics, PAGE, BODY, stops=[first])
    assert region is not None and region.y0 >= first.y1 and region.y1 <= second.y0


# --- which caption -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caption", "number"),
    [
        ("Figure 1: Overview.", "1"),
        ("FIG. 1. Schematic", "1"),
        ("Fig 1.1: Flow curves", "1.1"),
        ("Abb. 1 Ansicht der Ionenpaare", "1"),
        ("Abbildung 2: Aufbau", "2"),
        ("Figura 1: Mapas de Carrington", "1"),
        ("Рисунок 1 – График распределения", "1"),
        ("Рис. 1.1. Элементы маршрута", "1.1"),
        ("图 1：编程语言和自然语言提示之间的类比", "1"),
        ("図1 実験装置", "1"),
        ("Table 1: Results", None),
        ("Fig1.2(a) において", None),  # a reference in running text
        ("figure 1 shows the pipeline", None),
    ],
)
def test_figure_numbers_in_every_language(caption: str, number: str | None) -> None:
    assert figure_number(caption) == number


def test_the_first_figure_is_1_or_chapter_1s_first() -> None:
    assert [n for n in ("1", "1.1", "1-1", "I", "2", "1.2", "10") if is_first_figure(n)] == ["1", "1.1", "1-1", "I"]


# --- built PDFs ------------------------------------------------------------------------------------

TITLE = "A Study of Budgeted Retrieval for Long Documents"


def _text(page: pymupdf.Page, y: float, count: int, x0: float = 72, x1: float = 540) -> float:
    for _ in range(count):
        page.insert_text((x0, y), PROSE if x1 - x0 > 400 else PROSE[:48], fontsize=10, fontname="tiro")
        y += 12
    return y


def _raster(width: int = 200, height: int = 120) -> pymupdf.Pixmap:
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, width, height), False)
    pixmap.clear_with(90)  # a grey photograph, as far as anyone can tell
    return pixmap


def build_paper(
    path: Path, *, kind: str = "vector", caption: str = "Figure 1: The pipeline of the system.", over: bool = False
) -> dict[str, pymupdf.Rect]:
    """A one-column paper whose second page has a figure between two paragraphs; returns where things are."""
    doc = pymupdf.open()
    first = doc.new_page()
    first.insert_text((72, 90), TITLE, fontsize=18, fontname="tibo")
    first.insert_text((72, 120), "Ada Lovelace, Alan Turing", fontsize=11, fontname="tiro")
    first.insert_text((72, 160), "1 Introduction", fontsize=12, fontname="tibo")
    _text(first, 180, 40)
    page = doc.new_page()
    y = _text(page, 80, 8)
    figure = pymupdf.Rect(150, y + 20, 460, y + 220)
    caption_at = figure.y1 + 20 if not over else y + 20
    if over:
        figure = pymupdf.Rect(150, caption_at + 20, 460, caption_at + 220)
    if kind == "vector":
        page.draw_rect(figure, color=(0, 0, 0), width=1)
        page.draw_line((figure.x0 + 20, figure.y1 - 20), (figure.x1 - 20, figure.y0 + 20), color=(1, 0, 0), width=2)
        page.draw_circle((figure.x0 + 80, figure.y0 + 80), 30, color=(0, 0, 1), fill=(0.6, 0.8, 1))
        page.insert_text((figure.x0 + 60, figure.y1 + 12), "tokens (thousands)", fontsize=7, fontname="helv")
    else:
        page.insert_image(figure, pixmap=_raster(), keep_proportion=False)
    page.insert_text((72, caption_at + (0 if over else 14)), caption, fontsize=9, fontname="tiro")
    _text(page, max(figure.y1, caption_at) + 50, 8)
    doc.save(path)
    return {"figure": figure, "caption": pymupdf.Rect(72, caption_at - 9, 300, caption_at + 14)}


def _png(png: bytes) -> pymupdf.Pixmap:
    return pymupdf.Pixmap(png)


def _inked_share(pixmap: pymupdf.Pixmap) -> float:
    samples = pixmap.samples
    return sum(1 for b in samples[:: pixmap.n * 7] if b < 250) / max(1, len(samples[:: pixmap.n * 7]))


@pytest.mark.parametrize("kind", ["vector", "raster"])
def test_a_built_papers_figure_is_cropped_to_the_figure(tmp_path: Path, kind: str) -> None:
    where = build_paper(tmp_path / "paper.pdf", kind=kind)
    paper = read_paper(tmp_path / "paper.pdf", figures=True)
    figure = paper.figure
    assert figure is not None and figure.page == 2
    assert figure.caption == "Figure 1: The pipeline of the system."
    x0, y0, x1, y1 = figure.bbox
    drawn = where["figure"]
    assert x0 <= drawn.x0 + 1 and y0 <= drawn.y0 + 1 and x1 >= drawn.x1 - 1 and y1 >= drawn.y1 - 1
    assert x0 >= drawn.x0 - 5 and x1 <= drawn.x1 + 5  # cropped: not the text's width
    assert y0 >= drawn.y0 - 25 and y1 < where["caption"].y0 + 9  # no paragraph above, no caption below
    pixmap = _png(figure.png)
    assert (pixmap.width, pixmap.height) == (figure.width, figure.height)
    assert pixmap.width >= MIN_WIDTH_PX
    assert abs(pixmap.width / pixmap.height - (x1 - x0) / (y1 - y0)) < 0.02
    assert _inked_share(pixmap) > 0.05


def test_a_caption_over_its_figure(tmp_path: Path) -> None:
    where = build_paper(tmp_path / "paper.pdf", over=True, caption="Abbildung 1: Der Aufbau des Systems.")
    figure = read_paper(tmp_path / "paper.pdf", figures=True).figure
    assert figure is not None and figure.caption.startswith("Abbildung 1")
    assert figure.bbox[1] >= where["caption"].y0 and figure.bbox[3] >= where["figure"].y1 - 1


def test_only_when_asked(tmp_path: Path) -> None:
    build_paper(tmp_path / "paper.pdf")
    assert read_paper(tmp_path / "paper.pdf").figure is None


def test_a_rotated_page_renders_as_it_is_shown(tmp_path: Path) -> None:
    build_paper(tmp_path / "paper.pdf", kind="raster")
    doc = pymupdf.open(tmp_path / "paper.pdf")
    doc[1].set_rotation(90)
    doc.save(tmp_path / "rotated.pdf")
    upright = read_paper(tmp_path / "paper.pdf", figures=True).figure
    turned = read_paper(tmp_path / "rotated.pdf", figures=True).figure
    assert upright is not None and turned is not None
    # found the same way (text and graphics share unrotated coordinates); the ink is cropped to the pixel
    assert all(abs(a - b) <= 2 for a, b in zip(upright.bbox, turned.bbox, strict=True))
    assert turned.height > turned.width and upright.width > upright.height  # shown as the reader sees the page
    assert _inked_share(_png(turned.png)) > 0.5  # the grey picture, not a blank strip beside it


def test_no_figure_no_image(tmp_path: Path) -> None:
    build_paper(tmp_path / "paper.pdf", caption="Table 1: The datasets and their sizes.")
    assert read_paper(tmp_path / "paper.pdf", figures=True).figure is None
    assert read_paper(EXAMPLES / "keyphrase-distillation-zh.pdf", figures=True).figure is None


def test_a_sample_papers_vector_chart(tmp_path: Path) -> None:
    figure = read_paper(EXAMPLES / "skimrag-long-document-qa.pdf", figures=True).figure
    assert figure is not None and figure.caption.startswith("Figure 1: Median time to answer")
    assert figure.width >= MIN_WIDTH_PX


# --- real papers -----------------------------------------------------------------------------------


def _graphics(pdf: Path, page: int) -> list[tuple[str, pymupdf.Rect]]:
    with pymupdf.open(pdf) as doc:
        return [(kind, pymupdf.Rect(rect)) for kind, rect in doc[page - 1].get_bboxlog() if kind != "fill-text"]


def _words_inside(pdf: Path, page: int, bbox: tuple[float, float, float, float]) -> list[str]:
    """The lines of ten words or more printed inside the box: running text, if any."""
    with pymupdf.open(pdf) as doc:
        blocks = doc[page - 1].get_text("dict")["blocks"]
    inside = pymupdf.Rect(bbox)
    found = []
    for block in blocks:
        for raw in block.get("lines", ()):
            text = "".join(span["text"] for span in raw["spans"])
            if len(text.split()) >= 10 and inside.contains(pymupdf.Rect(raw["bbox"])):
                found.append(text)
    return found


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "kind", "caption"),
    [
        ("good-robot-ral2020.pdf", "fill-image", "Fig. 1. Robot-created stacks"),  # a photograph
        ("2020.acl-main.447.pdf", "fill-image", "Figure 1: Inline citations"),  # a raster diagram
        ("1111.2011v2.pdf", "fill-path", "FIG. 1. Schematic depiction"),  # vector
        ("amsart-arxiv-2015-influential-nodes.pdf", "stroke-path", "Figure 1. A sample network"),  # vector
        ("ru-poetry-topic-modeling.pdf", "fill-image", "Рисунок 1 – График"),  # Russian
        ("langgpt-zh.pdf", "fill-image", "图 1：编程语言"),  # Chinese
    ],
)
def test_real_papers_first_figure(corpus_dir: Path, name: str, kind: str, caption: str) -> None:
    pdf = corpus_dir / "pdfs" / name
    figure = read_paper(pdf, figures=True).figure
    assert figure is not None and figure.caption.startswith(caption)
    box = pymupdf.Rect(figure.bbox)
    drawn = [r for k, r in _graphics(pdf, figure.page) if k == kind and r.intersects(box) and r.get_area() < 2e5]
    assert drawn, f"no {kind} in the figure"
    largest = max(drawn, key=lambda r: r.get_area())
    assert (largest & box).get_area() >= 0.9 * largest.get_area()  # the biggest graphic is in the picture
    assert not _words_inside(pdf, figure.page, figure.bbox)
    assert figure.width >= MIN_WIDTH_PX and _inked_share(_png(figure.png)) > 0.02


@pytest.mark.corpus
def test_a_paper_with_tables_only_has_no_figure(corpus_dir: Path) -> None:
    assert read_paper(corpus_dir / "pdfs" / "2202.00535v1.pdf", figures=True).figure is None
