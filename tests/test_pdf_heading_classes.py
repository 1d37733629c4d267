"""Headings that are not "number + words on one line, bigger or bold than the text", built in tmp_path with
words of their own: each test is one class of papers the reader meets (issue 11, class 5)."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from chatpaper.models import Paper
from chatpaper.pdf import read_paper
from tests.fakes.pdfs import PROSE, japanese_heads_page, write_block

MEADOW = (
    "Upland meadows hold water in thin soils that dry within days of the last rain. We logged the moisture at "
    "depth every hour and compared the series with the rainfall recorded at the nearest station. "
)


def save(doc: pymupdf.Document, path: Path) -> Paper:
    doc.save(path)
    doc.close()
    return read_paper(path)


def headings(paper: Paper, level: int = 1) -> list[str]:
    return [s.heading for s in paper.sections if s.heading and s.level == level]


def test_unnumbered_bold_sentence_case_heads_smaller_than_the_text(tmp_path: Path) -> None:
    """Science and Nature: no numbers, no Introduction heading, bold heads a little smaller than the text and
    in sentence case, one wrapping onto a second line; the bold author line above is no heading."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 70), "ECOLOGY", fontname="tibo", fontsize=7, color=(0.7, 0.1, 0.1))
    page.insert_text((60, 96), "Meadow soils answer the rain within hours", fontname="tibo", fontsize=18)
    page.insert_text((60, 118), "A. B. Carter, D. E. Fisher, G. H. Irving*", fontname="tibo", fontsize=8)
    y = write_block(page, 140, MEADOW * 2, size=8)
    y = write_block(page, y + 10, PROSE * 8, size=9)
    titles = (
        "Sensors were placed along the three slopes of the valley",
        "Moisture follows rainfall with a lag",
        "Dry spells leave a mark for weeks",
    )
    for title in titles:
        page = doc.new_page(width=595, height=842)
        first, _, rest = title.partition(" the ")  # the first wraps before "the three slopes ..."
        page.insert_text((60, 80), first if rest else title, fontname="tibo", fontsize=8.5)
        y = 92.0
        if rest:
            page.insert_text((60, y), f"the {rest}", fontname="tibo", fontsize=8.5)
            y += 12
        write_block(page, y + 6, MEADOW * 10, size=9)
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Conclusions", fontname="tibo", fontsize=8.5)
    y = write_block(page, 94, PROSE * 4, size=9)
    # the back matter in the reference list's small type, its heads in bold capitals
    page.insert_text((60, y + 12), "REFERENCES AND NOTES", fontname="tibo", fontsize=6)
    y = write_block(page, y + 24, "1. R. Moss, Soil water in hills. J. Hydrol. 12, 40-51 (2001).", size=6)
    page.insert_text((60, y + 8), "ACKNOWLEDGMENTS", fontname="tibo", fontsize=6)
    write_block(page, y + 18, "We thank the farmers of the valley for access to their meadows.", size=6)

    paper = save(doc, tmp_path / "science-like.pdf")
    assert headings(paper) == [
        "Sensors were placed along the three slopes of the valley",
        "Moisture follows rainfall with a lag",
        "Dry spells leave a mark for weeks",
        "Conclusions",
        "REFERENCES AND NOTES",
        "ACKNOWLEDGMENTS",
    ]
    # acknowledgments after the reference list are end matter there too: never sent to the model
    assert [s.role for s in paper.sections[-2:]] == ["references", "end_matter"]


def test_regular_weight_heads_set_apart_by_size_and_end_matter_in_the_sub_heading_type(tmp_path: Path) -> None:
    """AI Magazine: heads in the text's regular weight, only bigger; one wraps onto two centred lines; the
    thanks and the notes after the conclusion are set like sub-headings but are sections of their own."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Reading Meadows from Orbit", fontname="tiro", fontsize=22)
    page.insert_text((60, 110), "Carla Mendes and Tariq Aziz", fontname="tiit", fontsize=12)
    write_block(page, 140, PROSE * 10, size=9)
    plan = [
        ("Learning the Slope Model", ["Priors from Old Surveys"]),
        ("Results on Two Valleys", ["Dry Summers"]),
        ("Related Work", []),
        ("Conclusions and|Future Work", []),
    ]
    for title, subs in plan:
        page = doc.new_page(width=595, height=842)
        y = 80.0
        for part in title.split("|"):
            page.insert_text((200, y), part, fontname="tiro", fontsize=13)
            y += 16
        y = write_block(page, y + 4, MEADOW * 3, size=9)
        for sub in subs:
            page.insert_text((60, y + 10), sub, fontname="tiro", fontsize=11)
            y = write_block(page, y + 26, MEADOW * 2, size=9)
    for end in ("Acknowledgments", "Notes"):
        page.insert_text((60, y + 10), end, fontname="tiro", fontsize=11)
        y = write_block(page, y + 26, "We thank the valley's farmers for access to their fields. ", size=9)
    page.insert_text((60, y + 10), "References", fontname="tiro", fontsize=11)
    write_block(page, y + 26, "Moss, R. 2001. Soil Water in Hills. Journal of Hydrology 12: 40-51.", size=8)

    paper = save(doc, tmp_path / "aimag-like.pdf")
    assert headings(paper) == [
        "Learning the Slope Model",
        "Results on Two Valleys",
        "Related Work",
        "Conclusions and Future Work",
        "Acknowledgments",
        "Notes",
        "References",
    ]
    assert headings(paper, level=2) == ["Priors from Old Surveys", "Dry Summers"]


def test_the_section_number_on_a_line_of_its_own(tmp_path: Path) -> None:
    """Workshop papers print the number above the heading; Japanese theses print it beside the heading in a
    Latin font whose box ends lower than the Japanese words' (so the two are not read as one line)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Counting Bees in Town Gardens", fontname="tibo", fontsize=18)
    page.insert_text((60, 104), "Lena Fischer", fontname="tiro", fontsize=11)
    y = 140.0
    for number, title in enumerate(("Overview of the survey", "Counting at dawn", "What the counts show"), 1):
        page.insert_text((60, y), str(number), fontname="tibo", fontsize=12)
        page.insert_text((60, y + 16), title, fontname="tibo", fontsize=12)
        y = write_block(page, y + 34, PROSE * 2)

    paper = save(doc, tmp_path / "number-above.pdf")
    assert headings(paper) == ["1 Overview of the survey", "2 Counting at dawn", "3 What the counts show"]

    doc = pymupdf.open()
    japanese_heads_page(doc, [("1", "緒言"), ("2", "理論"), ("3", "結言")])

    paper = save(doc, tmp_path / "number-beside.pdf")
    assert headings(paper) == ["1 緒言", "2 理論", "3 結言"]


def test_a_worded_appendix_label_set_apart_names_an_appendix(tmp_path: Path) -> None:
    """Theses set an appendix's label in its own box beside the title ("付録A" | "..."): the label joins the
    heading and makes it an appendix, not one more body section."""
    doc = pymupdf.open()
    japanese_heads_page(doc, [("1", "緒言"), ("2", "結言"), ("付録A", "実験装置の改良")])

    paper = save(doc, tmp_path / "appendix-beside.pdf")
    assert headings(paper) == ["1 緒言", "2 結言", "付録A 実験装置の改良"]
    assert [s.role for s in paper.sections if s.heading.startswith("付録")] == ["appendix"]


def test_a_numbered_heading_set_a_point_smaller_still_continues_the_sequence(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Hedgerow Birds Through the Year", fontname="tibo", fontsize=16)
    page.insert_text((60, 104), "Sofia Lindgren", fontname="tiro", fontsize=11)
    y = 140.0
    for number, title, size in ((1, "BACKGROUND", 12), (2, "FIELD WORK", 12), (3, "COUNTS", 12), (4, "CLOSING", 11)):
        if y > 640:
            page = doc.new_page(width=595, height=842)
            y = 80.0
        page.insert_text((60, y), f"{number}   {title}", fontname="tibo", fontsize=size)
        y = write_block(page, y + 18, PROSE * 3)

    paper = save(doc, tmp_path / "smaller-last.pdf")
    assert headings(paper) == ["1   BACKGROUND", "2   FIELD WORK", "3   COUNTS", "4   CLOSING"]


def test_an_outline_with_the_title_on_top_and_russian_chapters_is_a_hint(tmp_path: Path) -> None:
    """The outline's one top entry is the paper's title (Elsevier), its chapters wrap over lines in the body's
    size (Russian theses), and a bold 'Постановка задачи' inside a chapter that the outline does not list is a
    paragraph head, not a section."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 60), "JOURNAL OF FIELD STUDIES", fontname="tibo", fontsize=22)
    page.insert_text((60, 100), "Влажность почвы на горных лугах", fontname="japan", fontsize=14)  # (Cyrillic)
    toc = [[1, "Модель влажности почвы на горных лугах и её связь с осадками в долинах", 1]]  # a role word in it
    chapters = [
        ("Глава 1. Измерения влажности почвы|на трёх склонах долины", "Измерения влажности почвы на трёх склонах"),
        ("Глава 2. Связь влажности с осадками", "Связь влажности с осадками"),
        ("Заключение", "Заключение"),
    ]
    for k, (printed, listed) in enumerate(chapters):
        page = doc.new_page(width=595, height=842)
        y = 80.0
        for part in printed.split("|"):
            page.insert_text((60, y), part, fontname="japan", fontsize=11)
            y += 14
        y = write_block(page, y + 8, PROSE * 3)
        if k == 1:
            page.insert_text((60, y + 10), "Постановка задачи", fontname="japan", fontsize=11)
            write_block(page, y + 26, PROSE * 2)
        toc.append([2, listed, doc.page_count])
    doc.set_toc(toc)

    paper = save(doc, tmp_path / "outline-title.pdf")
    assert headings(paper) == [
        "Глава 1. Измерения влажности почвы на трёх склонах долины",
        "Глава 2. Связь влажности с осадками",
        "Заключение",
    ]


def test_summary_boxes_before_the_first_section_are_front_matter(tmp_path: Path) -> None:
    """Cell's In Brief and Graphical Abstract, Elsevier's Highlights: boxes beside the abstract, read like it,
    not sections of the paper."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Meadow Soils Answer the Rain", fontname="tibo", fontsize=18)
    page.insert_text((60, 104), "Lena Fischer", fontname="tiro", fontsize=11)
    y = 130.0
    for title, text in (
        ("Summary", MEADOW * 2),
        ("Highlights", "Soil moisture follows rain within hours on every slope we measured. "),
        ("In Brief", "Fischer shows that thin meadow soils answer rain within hours. "),
        ("Introduction", PROSE * 2),
        ("Results", MEADOW * 2),
        ("Discussion", PROSE),
    ):
        if y > 660:
            page = doc.new_page(width=595, height=842)
            y = 80.0
        page.insert_text((60, y), title, fontname="hebo", fontsize=12)
        y = write_block(page, y + 16, text) + 10

    paper = save(doc, tmp_path / "boxes.pdf")
    assert [s.heading for s in paper.sections if s.role != "abstract"] == ["Introduction", "Results", "Discussion"]
    assert paper.abstract.startswith("Upland meadows hold water")
    assert [s.heading for s in paper.sections if s.role == "abstract"] == ["Highlights", "In Brief"]


def test_body_size_bold_heads_and_bold_table_header_cells(tmp_path: Path) -> None:
    """Russian journals set everything in one size: heads are bold lines on their own; a table's bold header
    cells share a row with each other, page after page, and are no headings."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Counting Hedgehogs at Night", fontname="tibo", fontsize=14)
    page.insert_text((60, 100), "Omar Haddad", fontname="tiro", fontsize=14)
    y = 130.0
    for title in ("Introduction", "Transects", "Counts by month", "Closing remarks"):
        page = doc.new_page(width=595, height=842)
        page.insert_text((60, 80), title, fontname="tibo", fontsize=12)
        y = write_block(page, 100, PROSE * 3, size=12)
        page.insert_text((60, y + 10), "Table 1 - Hedgehogs seen per transect", fontname="tiro", fontsize=12)
        page.insert_text((70, y + 34), "Transect", fontname="tibo", fontsize=12)
        page.insert_text((220, y + 34), "Animals seen in the first hour", fontname="tibo", fontsize=12)
        for k, row in enumerate(("North", "South")):
            page.insert_text((70, y + 52 + 16 * k), row, fontname="tiro", fontsize=12)
            page.insert_text((220, y + 52 + 16 * k), str(3 + k), fontname="tiro", fontsize=12)
        write_block(page, y + 100, PROSE * 2, size=12)

    paper = save(doc, tmp_path / "one-size.pdf")
    assert headings(paper) == ["Introduction", "Transects", "Counts by month", "Closing remarks"]


def thesis_title_page(doc: pymupdf.Document) -> None:
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 100), "Bees in Town Gardens", fontname="tibo", fontsize=20)
    page.insert_text((60, 130), "A thesis by Lena Fischer", fontname="tiro", fontsize=12)


def test_a_table_of_contents_and_a_list_of_figures_are_no_sections(tmp_path: Path) -> None:
    """A thesis prints its contents with dot leaders, chapter entries in the chapters' own bold type, and a list
    of figures before chapter 1: neither is a section, and no entry is a heading (nor 'References' in the
    contents the start of the reference list); a list printed after the references is an appendix."""
    doc = pymupdf.open()
    thesis_title_page(doc)
    chapters = ["Introduction", "Counting at dawn", "What the counts show"]
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Contents", fontname="tibo", fontsize=14)
    y = 110.0
    for number, title in enumerate([*chapters, "References"], 1):
        # the entries in the chapters' own type, their page numbers set apart at the right, no leaders
        page.insert_text((60, y), f"{number} {title}" if title != "References" else title, fontname="tibo", fontsize=14)
        page.insert_text((520, y), str(2 + 2 * number), fontname="tibo", fontsize=14)
        page.insert_text((80, y + 18), f"{number}.1 Field notes", fontname="tiro", fontsize=12)
        page.insert_text((520, y + 18), str(3 + 2 * number), fontname="tiro", fontsize=12)
        y += 40
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "List of Figures", fontname="tibo", fontsize=14)
    page.insert_text((60, 120), "1.1 A garden at dawn " + ". " * 30 + "4", fontname="tiro", fontsize=11)
    for number, title in enumerate(chapters, 1):
        page = doc.new_page(width=595, height=842)
        page.insert_text((60, 80), f"{number} {title}", fontname="tibo", fontsize=14)
        write_block(page, 104, PROSE * 6)
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "References", fontname="tibo", fontsize=14)
    y = write_block(page, 104, "Moss, R. (2001). Bees in towns. Journal of Gardens 12: 40-51. " * 3)
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "List of Tables", fontname="tibo", fontsize=14)
    page.insert_text((60, 120), "2.1 Counts per garden " + ". " * 30 + "6", fontname="tiro", fontsize=11)

    paper = save(doc, tmp_path / "thesis.pdf")
    assert headings(paper) == ["1 Introduction", "2 Counting at dawn", "3 What the counts show", "References",
                               "List of Tables"]  # fmt: skip
    assert [s.role for s in paper.sections][-2:] == ["references", "appendix"]


def test_a_contents_page_before_chapter_one_is_no_body_text(tmp_path: Path) -> None:
    """A thesis's contents page without a "Contents" title (its entries spaced dot leaders, long enough to
    pass for prose) is navigation: it does not become an untitled first section the prompt would carry."""
    doc = pymupdf.open()
    thesis_title_page(doc)
    chapters = ["Introduction", "Counting the bees at dawn in town gardens", "What the counts show"]
    page = doc.new_page(width=595, height=842)
    y = 80.0
    for number, title in enumerate(chapters, 1):
        for sub in range(1, 6):
            entry = f"{number}.{sub} Notes on {title.lower()} and the gardens " + ". " * 20 + str(4 * number + sub)
            page.insert_text((60, y), entry, fontname="tiro", fontsize=11)
            y += 16
    for number, title in enumerate(chapters, 1):
        page = doc.new_page(width=595, height=842)
        page.insert_text((60, 80), f"{number} {title}", fontname="tibo", fontsize=14)
        write_block(page, 104, PROSE * 6)

    paper = save(doc, tmp_path / "thesis-contents.pdf")
    assert headings(paper) == [f"{n} {t}" for n, t in enumerate(chapters, 1)]
    assert not any(". . . ." in s.text for s in paper.sections)


def test_heads_in_the_texts_own_type_set_apart_by_space_and_chapter_running_heads(tmp_path: Path) -> None:
    """Typewritten reports and plain journals set heads like the text, a blank line above and below; a thesis
    repeats the chapter's name over each of its pages (not a heading either time)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Soil Moisture on Upland Meadows", fontname="tibo", fontsize=16)
    page.insert_text((60, 104), "Technical report by Dana Whitfield", fontname="tiro", fontsize=11)
    for number, name in enumerate(("Introduction", "Sites and sensors", "Results", "Conclusion"), 1):
        for part in range(2):
            page = doc.new_page(width=595, height=842)
            page.insert_text((60, 50), name, fontname="tiro", fontsize=10)  # the chapter's running head
            y = 90.0
            if part == 0:
                page.insert_text((60, y), f"{number} {name}", fontname="tiro", fontsize=10)
                y += 24
            write_block(page, y, MEADOW * 6)

    paper = save(doc, tmp_path / "plain-heads.pdf")
    assert headings(paper) == ["1 Introduction", "2 Sites and sensors", "3 Results", "4 Conclusion"]


def small_caps(page: pymupdf.Page, x: float, y: float, text: str, size: float = 10) -> None:
    """Small capitals as LaTeX and Word set them: each word's first letter at full size, the rest as capitals
    a size smaller, each run a piece of its own."""
    font = pymupdf.Font("tiro")
    for word in text.split():
        page.insert_text((x, y), word[0], fontname="tiro", fontsize=size)
        x += font.text_length(word[0], size)
        rest = word[1:].upper()
        if rest:
            page.insert_text((x, y), rest, fontname="tiro", fontsize=size * 0.8)
            x += font.text_length(rest, size * 0.8)
        x += font.text_length(" ", size)


def test_small_caps_heads_split_into_pieces(tmp_path: Path) -> None:
    """IEEE and amsart set their heads in small capitals at the text's size: pieces of two sizes."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Hedgerow Birds Through the Year", fontname="tibo", fontsize=16)
    page.insert_text((60, 104), "Sofia Lindgren", fontname="tiro", fontsize=11)
    y = 140.0
    heads = (("I.", "Introduction"), ("II.", "Related Work"), ("III.", "Field Counts"), ("IV.", "Conclusion"))
    for label, name in heads:
        if y > 640:
            page = doc.new_page(width=595, height=842)
            y = 80.0
        small_caps(page, 60, y, f"{label} {name}")
        y = write_block(page, y + 18, PROSE * 3)

    paper = save(doc, tmp_path / "small-caps.pdf")
    assert headings(paper) == ["I. INTRODUCTION", "II. RELATED WORK", "III. FIELD COUNTS", "IV. CONCLUSION"]
    assert [s.role for s in paper.sections] == ["introduction", "related_work", "method", "conclusion"]


def test_a_bold_run_in_start_that_fills_its_line_is_no_heading(tmp_path: Path) -> None:
    """A paragraph opening with a bold phrase long enough to fill its line of a narrow column ('Sensor placement
    along the three slopes of the' / 'valley and depths.' then the text) is a run-in head, not a section."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Meadow Soils Answer the Rain", fontname="tibo", fontsize=16)
    page.insert_text((60, 104), "Lena Fischer", fontname="tiro", fontsize=11)
    y = 140.0
    bold = pymupdf.Font("tibo")
    for title in ("Introduction", "Methods", "Results", "Discussion"):
        page.insert_text((60, y), title, fontname="tibo", fontsize=12)
        y = write_block(page, y + 18, MEADOW * 2, width=240)
        if title == "Methods":
            # the bold phrase wraps like the text: its first line is full, its second goes on in plain type
            words = ["Sensor", "placement", "along", "the", "three", "slopes", "of", "the", "valley", "and", "depths."]
            first = ""
            while words and bold.text_length(f"{first} {words[0]}".strip(), 10) <= 240:
                first = f"{first} {words.pop(0)}".strip()
            page.insert_text((60, y), first, fontname="tibo", fontsize=10)
            rest = " ".join(words)
            page.insert_text((60, y + 13), rest, fontname="tibo", fontsize=10)
            x = 60 + bold.text_length(f"{rest} ", 10)
            page.insert_text((x, y + 13), "We dug pits on each slope.", fontname="tiro", fontsize=10)
            y = write_block(page, y + 26, MEADOW * 2, width=240)
        y += 10

    paper = save(doc, tmp_path / "run-in.pdf")
    assert headings(paper) == ["Introduction", "Methods", "Results", "Discussion"]
    assert headings(paper, level=2) == []


def test_a_numbered_head_set_bigger_than_the_others_is_still_top_level(tmp_path: Path) -> None:
    """Numbering beats typography: one head set bigger than its siblings (an OCR'd size is off by up to a
    fifth; some papers enlarge one head) is the next top-level section, not left out."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Meadow soils answer the rain within hours", fontname="tibo", fontsize=18)
    page.insert_text((60, 104), "Ann Carter and Dan Fisher", fontname="tiro", fontsize=10)
    y = 130.0
    for number, title, size in (
        (1, "Introduction", 12),
        (2, "Sensors and slopes", 12),
        (3, "Future directions", 14.5),
        (4, "Conclusions", 12),
    ):
        page.insert_text((60, y), f"{number} {title}", fontname="tibo", fontsize=size)
        y = write_block(page, y + 14, MEADOW * 2, size=9) + 14
        if y > 700:
            page = doc.new_page(width=595, height=842)
            y = 80.0
    paper = save(doc, tmp_path / "bigger.pdf")
    assert headings(paper) == ["1 Introduction", "2 Sensors and slopes", "3 Future directions", "4 Conclusions"]


def test_a_medical_paper_opening_with_background_and_ending_with_publishers_back_matter(tmp_path: Path) -> None:
    """BMC and other medical journals print "Background" where others print "Introduction", a structured
    abstract with the same labels, and statements after the conclusions: the first section is the
    introduction, the labels in the abstract are no sections, the statements are end matter."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 100), "Meadow soils answer the rain within hours", fontname="hebo", fontsize=16)
    page.insert_text((60, 124), "Dana Whitfield and Ravi Menon", fontname="hebo", fontsize=10)
    page.insert_text((60, 150), "Abstract", fontname="hebo", fontsize=11)
    y = 168.0
    for label in ("Background", "Methods", "Results", "Conclusions"):
        page.insert_text((60, y), f"{label}:", fontname="hebo", fontsize=9)
        y = write_block(page, y + 12, MEADOW, size=9)
    y += 20
    heads = ["Background", "Methods", "Results", "Discussion", "Conclusions", "Abbreviations",
             "Consent for publication", "Competing interests", "References"]  # fmt: skip
    for head in heads:
        if y > 650:
            page = doc.new_page(width=595, height=842)
            y = 80.0
        page.insert_text((60, y), head, fontname="hebo", fontsize=12)
        y = write_block(page, y + 18, PROSE * 3)

    paper = save(doc, tmp_path / "bmc.pdf")
    roles = {s.heading: s.role for s in paper.sections}
    assert [s.heading for s in paper.sections] == heads
    assert roles["Background"] == "introduction"
    assert {roles[h] for h in ("Abbreviations", "Consent for publication", "Competing interests")} == {"end_matter"}


def test_methods_printed_after_the_references_are_body_and_their_own_references_are_references(
    tmp_path: Path,
) -> None:
    """Nature's journals print the Methods after the reference list, then the Methods' own references: the
    Methods are the paper's method (body, sent to the model), the second list is a reference list, and the
    statements around them are end matter; a lettered appendix after the references stays an appendix."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 100), "Meadow soils answer the rain within hours", fontname="hebo", fontsize=18)
    page.insert_text((60, 124), "Dana Whitfield, Ravi Menon and Ola Berg", fontname="helv", fontsize=10)
    y = write_block(page, 150, MEADOW * 3)
    state = {"page": page, "y": y}

    def section(heading: str, size: float = 12, text: str = PROSE * 3) -> None:
        if state["y"] > 650:
            state["page"] = doc.new_page(width=595, height=842)
            state["y"] = 80.0
        state["page"].insert_text((60, state["y"]), heading, fontname="hebo", fontsize=size)
        state["y"] = write_block(state["page"], state["y"] + 18, text)

    def references(first: int) -> None:
        entries = " ".join(
            f"{k}. Moss, R. & Hill, T. Soil in towns. J. Soils {k}, 40-51 (2003)." for k in range(first, first + 6)
        )
        section("References", text=entries)

    section("Results")
    section("Discussion")
    references(1)
    section("Methods")
    section("Field sites", 11)
    section("Data availability", 11, MEADOW)
    references(7)
    section("A Sensor calibration")

    paper = save(doc, tmp_path / "nature.pdf")
    roles = [(s.heading, s.role) for s in paper.sections]
    assert roles == [
        ("Results", "results"),
        ("Discussion", "discussion"),
        ("References", "references"),
        ("Methods", "method"),
        ("Field sites", "method"),
        ("Data availability", "end_matter"),
        ("References", "references"),
        ("A Sensor calibration", "appendix"),
    ]
