"""Title pages, titles, author lines, affiliations and abstracts of house styles built in tmp_path.

One small PDF per class of front matter the reader meets in the wild (archive covers, journal mastheads,
thesis title pages, author lines under the title, hard author lines, structured abstracts), with other
names and words than the corpus papers of that class: a rule must hold for the class, not for one paper.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pymupdf
import pytest

from chatpaper.pdf import read_paper
from chatpaper.pdf.authors import affiliation_segments, is_name, join_address, read_author_line, tidy_affiliation
from chatpaper.pdf.lines import Line, Span
from tests.fakes.pdfs import japanese_heads_page, write_block

PROSE = (
    "Coastal sediment moves with every tide, and most surveys only measure it once a season. Earlier "
    "models treated the shore as a fixed line, which misses how storms reshape it within hours. "
)


def body_pages(doc: pymupdf.Document, page: pymupdf.Page, y: float, headings: tuple[str, ...]) -> None:
    """Numbered sections of prose after the front matter."""
    for number, heading in enumerate(headings, 1):
        if y > 680:
            page = doc.new_page(width=595, height=842)
            y = 80
        page.insert_text((60, y + 8), f"{number} {heading}", fontname="tibo", fontsize=12)
        y = write_block(page, y + 26, PROSE * 4)


def save(doc: pymupdf.Document, path: Path) -> Path:
    doc.save(path)
    doc.close()
    return path


# --- covers and title pages ----------------------------------------------------------------------


def test_a_repository_cover_in_front_of_the_paper_is_skipped(tmp_path: Path) -> None:
    """ResearchGate-style cover: the mixed-case title, counts, an author grid with profile boxes and a
    different spelling of a name; the paper's own first page follows."""
    doc = pymupdf.open()
    cover = doc.new_page(width=595, height=842)
    cover.insert_text(
        (40, 70), "See discussions, stats, and author profiles for this publication at: https://www.rg.example/1",
        fontname="helv", fontsize=6,
    )  # fmt: skip
    cover.insert_text((40, 95), "Tidal Sediment Transport on Open Beaches", fontname="helv", fontsize=13)
    cover.insert_text((40, 125), "Article · March 2019", fontname="hebo", fontsize=7)
    cover.insert_text((40, 150), "CITATIONS", fontname="helv", fontsize=5)
    cover.insert_text((300, 150), "READS", fontname="helv", fontsize=5)
    for x, name, place in ((66, "Ingrid Solberg Haug", "Nordic Coastal Institute"), (324, "Tomas Eklund", "Bay Lab")):
        cover.insert_text((x, 200), name, fontname="helv", fontsize=7)
        cover.insert_text((x, 211), place, fontname="helv", fontsize=7)
        cover.insert_text((x, 223), "14 PUBLICATIONS   88 CITATIONS", fontname="helv", fontsize=6)
        cover.insert_text((x + 7, 240), "SEE PROFILE", fontname="helv", fontsize=5)
    cover.insert_text(
        (40, 800), "All content following this page was uploaded by Tomas Eklund on 2 April 2019.",
        fontname="helv", fontsize=7,
    )  # fmt: skip
    page = doc.new_page(width=595, height=842)
    page.insert_text((90, 120), "TIDAL SEDIMENT TRANSPORT ON OPEN BEACHES", fontname="tibo", fontsize=14)
    page.insert_text((70, 160), "Ingrid Haug", fontname="tibo", fontsize=12)
    page.insert_text((70, 178), "ingrid.haug@ncoast.example", fontname="tiro", fontsize=12)
    page.insert_text((70, 196), "Nordic Coastal Institute, Department of Geosciences", fontname="tiro", fontsize=12)
    page.insert_text((70, 214), "Harbour Road 4, 5003 Bergen, Norway", fontname="tiro", fontsize=12)
    page.insert_text((70, 232), "Tomas Eklund", fontname="tibo", fontsize=12)
    y = write_block(page, 262, "Abstract. " + PROSE * 2, x=70, width=460, size=11)
    body_pages(doc, page, y + 10, ("Introduction", "Field sites", "Results"))
    paper = read_paper(save(doc, tmp_path / "cover.pdf"))

    assert paper.title == "TIDAL SEDIMENT TRANSPORT ON OPEN BEACHES"
    assert paper.authors == ["Ingrid Haug", "Tomas Eklund"]
    assert paper.first_author_affiliation == (
        "Nordic Coastal Institute, Department of Geosciences, Harbour Road 4, 5003 Bergen, Norway"
    )
    assert paper.abstract.startswith("Coastal sediment moves")
    assert [s.heading for s in paper.sections][:3] == ["1 Introduction", "2 Field sites", "3 Results"]


def test_a_journal_masthead_bigger_than_the_title_and_authors_right_under_it(tmp_path: Path) -> None:
    """Elsevier-style banner: the journal's name (bigger than the title) between two venue lines; title and
    author line in the same regular face; the abstract beside an article-info column."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((220, 60), "Contents lists available at ScienceDirect", fontname="tiro", fontsize=8)
    page.insert_text((200, 85), "Quantitative Seascapes", fontname="tiro", fontsize=15)
    page.insert_text((200, 112), "journal homepage: www.example.org/locate/qs", fontname="tiro", fontsize=8)
    page.insert_text((40, 160), "Wave-driven mixing of estuarine plumes over", fontname="tiro", fontsize=13.4)
    page.insert_text((40, 177), "a sloping shelf", fontname="tiro", fontsize=13.4)
    page.insert_text((40, 196), "Maria Lopez, Kenji Sato *", fontname="tiro", fontsize=10.6)
    page.insert_text(
        (40, 212), "School of Ocean Sciences, Bangor Marine University, Menai Bridge LL59 5AB, UK",
        fontname="tiit", fontsize=6.4,
    )  # fmt: skip
    page.insert_text((40, 240), "A R T I C L E   I N F O", fontname="tiro", fontsize=9)
    page.insert_text((200, 240), "A B S T R A C T", fontname="tiro", fontsize=9)
    page.insert_text((40, 258), "Keywords:", fontname="tiit", fontsize=6.4)
    for k, word in enumerate(("Plumes", "Shelf mixing", "Waves")):
        page.insert_text((40, 268 + 9 * k), word, fontname="tiro", fontsize=6.4)
    y = write_block(page, 258, PROSE * 3, x=200, width=350, size=7.2)
    body_pages(doc, page, y + 20, ("Introduction", "Data", "Model"))
    paper = read_paper(save(doc, tmp_path / "masthead.pdf"))

    assert paper.title == "Wave-driven mixing of estuarine plumes over a sloping shelf"
    assert paper.authors == ["Maria Lopez", "Kenji Sato"]
    assert paper.first_author_affiliation == (
        "School of Ocean Sciences, Bangor Marine University, Menai Bridge LL59 5AB, UK"
    )
    assert paper.abstract.startswith("Coastal sediment moves with every tide")


def test_an_author_manuscript_banner_is_not_the_title(tmp_path: Path) -> None:
    """PubMed Central author manuscripts: a 22-pt banner and its notes above the paper's own title."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((130, 40), "NIH Public Access", fontname="hebo", fontsize=22)
    page.insert_text((130, 62), "Author manuscript", fontname="tiro", fontsize=14)
    page.insert_text((90, 92), "Published in final edited form as:", fontname="tiro", fontsize=10)
    page.insert_text((95, 104), "Mar Biol. 2021 May 3; 12(4): 210-219. doi:10.0000/mb.2021.0042.", fontsize=10)
    page.insert_text((90, 140), "Larval settlement cues in reef-building corals", fontname="hebo", fontsize=14)
    page.insert_text((90, 164), "Ana Costa1,2, Lee Park2, Rosa Ibarra1", fontname="hebo", fontsize=10)
    page.insert_text((90, 182), "1Department of Zoology, University of Lisbon, Portugal", fontname="helv", fontsize=10)
    page.insert_text((90, 196), "2Reef Ecology Laboratory, Cairns, Australia", fontname="helv", fontsize=10)
    page.insert_text((90, 226), "Summary:", fontname="hebo", fontsize=12)
    y = write_block(page, 244, PROSE * 2, x=108, width=400)
    body_pages(doc, page, y + 10, ("Introduction", "Results", "Discussion"))
    paper = read_paper(save(doc, tmp_path / "manuscript.pdf"))

    assert paper.title == "Larval settlement cues in reef-building corals"
    assert paper.authors == ["Ana Costa", "Lee Park", "Rosa Ibarra"]
    assert paper.first_author_affiliation == "Department of Zoology, University of Lisbon, Portugal"
    assert paper.abstract.startswith("Coastal sediment moves")


def test_a_thesis_title_page(tmp_path: Path) -> None:
    """The degree label and the university are the biggest text, the author's name is as big as the title
    and printed above it, the supervisor's name is in a labelled block."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((150, 70), "Northland University of Technology", fontname="tiro", fontsize=14)
    page.insert_text((150, 88), "Faculty of Marine Robotics", fontname="tiro", fontsize=14)
    page.insert_text((200, 170), "MASTER'S THESIS", fontname="tibo", fontsize=20)
    page.insert_text((210, 250), "Helena Virtanen", fontname="tiro", fontsize=16)
    page.insert_text((110, 320), "Autonomous Docking of Small Survey Vessels", fontname="tibo", fontsize=16)
    page.insert_text((180, 340), "in Tidal Harbours", fontname="tibo", fontsize=16)
    page.insert_text((330, 600), "Supervisor:", fontname="tiro", fontsize=12)
    page.insert_text((330, 616), "Prof. Otto Lindqvist", fontname="tiro", fontsize=12)
    page.insert_text((250, 760), "Northland 2023", fontname="tiro", fontsize=12)
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Abstract", fontname="tibo", fontsize=16)
    y = write_block(page, 110, PROSE * 3)
    body_pages(doc, page, y + 10, ("Introduction", "Related work", "Docking controller", "Sea trials"))
    paper = read_paper(save(doc, tmp_path / "thesis.pdf"))

    assert paper.title == "Autonomous Docking of Small Survey Vessels in Tidal Harbours"
    assert paper.authors == ["Helena Virtanen"]
    assert paper.first_author_affiliation == "Northland University of Technology, Faculty of Marine Robotics"
    assert paper.abstract.startswith("Coastal sediment moves")


def test_an_english_thesis_with_its_author_after_by_and_a_field_of_study_alone_on_a_line(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((120, 120), "Learning to Forecast River Floods", fontname="tibo", fontsize=20)
    page.insert_text((150, 145), "from Sparse Gauge Networks", fontname="tibo", fontsize=20)
    y = write_block(
        page, 220, "A thesis submitted in partial fulfilment of the requirements for the degree of",
        x=140, width=320, size=12,
    )  # fmt: skip
    page.insert_text((220, y + 10), "Doctor of Philosophy", fontname="tiro", fontsize=12)
    page.insert_text((250, y + 30), "in", fontname="tiro", fontsize=12)
    page.insert_text((215, y + 50), "Machine Learning", fontname="tiro", fontsize=12)
    page.insert_text((275, 400), "by", fontname="tiro", fontsize=12)
    page.insert_text((235, 420), "Tomás Øvergaard", fontname="tiro", fontsize=14)
    page.insert_text((180, 520), "School of Computing, Highland University", fontname="tiro", fontsize=12)
    page.insert_text((260, 700), "June 2022", fontname="tiro", fontsize=12)
    page = doc.new_page(width=595, height=842)
    page.insert_text((60, 80), "Abstract", fontname="tibo", fontsize=16)
    y = write_block(page, 110, PROSE * 3)
    body_pages(doc, page, y + 10, ("Introduction", "Background", "Data"))
    paper = read_paper(save(doc, tmp_path / "thesis-en.pdf"))

    assert paper.title == "Learning to Forecast River Floods from Sparse Gauge Networks"
    assert paper.authors == ["Tomás Øvergaard"]
    assert paper.first_author_affiliation == "School of Computing, Highland University"


def test_a_conference_banner_bigger_than_the_title(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((60, 50), "EMNLP 2031", fontname="hebo", fontsize=26)
    page.insert_text((60, 110), "Counting Syllables in Low-Resource Poetry", fontname="tibo", fontsize=15)
    page.insert_text((60, 132), "Amara Okafor, Jun Watanabe, Elif Demir", fontname="tiro", fontsize=11)
    page.insert_text((60, 148), "Department of Linguistics, Lagos State University", fontname="tiit", fontsize=10)
    page.insert_text((60, 180), "Abstract", fontname="tibo", fontsize=12)
    y = write_block(page, 198, PROSE * 2)
    body_pages(doc, page, y + 10, ("Introduction", "Method"))
    paper = read_paper(save(doc, tmp_path / "banner.pdf"))

    assert paper.title == "Counting Syllables in Low-Resource Poetry"
    assert paper.authors == ["Amara Okafor", "Jun Watanabe", "Elif Demir"]


def test_a_draft_stamp_and_a_logo_word_are_not_the_title_and_authors_may_stand_above_it(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((60, 60), "nature", fontname="hebo", fontsize=40)
    page.insert_text((400, 60), "DRAFT", fontname="hebo", fontsize=36)
    page.insert_text((60, 110), "Giovanni d'Amico and Layla al-Rashid", fontname="tiro", fontsize=11)
    page.insert_text((60, 140), "Tidal Rhythms in Deep-Sea Fish Behaviour", fontname="tibo", fontsize=18)
    page.insert_text((60, 160), "Corresponding Author", fontname="tiro", fontsize=11)
    page.insert_text((60, 176), "Marine Biology Station, University of Naples, Italy", fontname="tiit", fontsize=9)
    y = write_block(page, 210, PROSE * 2)
    body_pages(doc, page, y + 10, ("Introduction", "Methods"))
    paper = read_paper(save(doc, tmp_path / "stamped.pdf"))

    assert paper.title == "Tidal Rhythms in Deep-Sea Fish Behaviour"
    assert paper.authors == ["Giovanni d'Amico", "Layla al-Rashid"]


def test_a_subtitle_shaped_like_a_name_is_no_author(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((60, 80), "Harbour Seal Counts from Aerial Images:", fontname="tibo", fontsize=18)
    page.insert_text((60, 102), "A Case Study", fontname="tiro", fontsize=13)
    page.insert_text((60, 126), "Mia Holm, Per Lund", fontname="tiit", fontsize=11)
    page.insert_text((60, 142), "Institute of Marine Research, Bergen, Norway", fontname="tiro", fontsize=9)
    y = write_block(page, 170, "Abstract. " + PROSE * 2)
    body_pages(doc, page, y + 10, ("Introduction", "Methods"))
    paper = read_paper(save(doc, tmp_path / "subtitle.pdf"))

    assert paper.authors == ["Mia Holm", "Per Lund"]
    assert paper.first_author_affiliation == "Institute of Marine Research, Bergen, Norway"


def _cyrillic(page: pymupdf.Page) -> None:
    page.insert_font(fontname="cjk", fontbuffer=pymupdf.Font("cjk").buffer)


def test_a_russian_article_with_a_code_line_above_the_title_and_glued_initials(tmp_path: Path) -> None:
    """Everything at one size: a UDC code line first, the title, 'В.П. Смирнов' with a marker, a marked
    note repeating the author's name and position, a run-in 'Аннотация:'."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    _cyrillic(page)
    page.insert_text((72, 60), "УДК 004.912", fontname="cjk", fontsize=14)
    page.insert_text((80, 96), "АНАЛИЗ ТОНАЛЬНОСТИ ОТЗЫВОВ О ГОРОДСКИХ", fontname="cjk", fontsize=14)
    page.insert_text((230, 116), "ПАРКАХ", fontname="cjk", fontsize=14)
    page.insert_text((240, 150), "В.П. Смирнов", fontname="cjk", fontsize=14)
    page.insert_text((338, 146), "1", fontname="cjk", fontsize=8)
    page.insert_text((150, 174), "1", fontname="cjk", fontsize=7)
    page.insert_text((155, 178), "Смирнов Виктор Петрович – аспирант,", fontname="cjk", fontsize=12)
    page.insert_text((150, 196), "кафедра прикладной математики,", fontname="cjk", fontsize=12)
    page.insert_text((150, 214), "e-mail: smirnov@example.ru", fontname="cjk", fontsize=12)
    page.insert_text((150, 232), "Северный государственный университет,", fontname="cjk", fontsize=12)
    page.insert_text((150, 250), "г. Архангельск", fontname="cjk", fontsize=12)
    text = (
        "Аннотация: в работе рассматривается автоматический анализ тональности отзывов посетителей "
        "городских парков. Отзывы собраны на картографических сервисах и размечены вручную. "
    )
    write_block(page, 290, text * 2, x=72, width=450, size=14, font="cjk")
    paper = read_paper(save(doc, tmp_path / "ru.pdf"))

    assert paper.title == "АНАЛИЗ ТОНАЛЬНОСТИ ОТЗЫВОВ О ГОРОДСКИХ ПАРКАХ"
    assert paper.authors == ["В.П. Смирнов"]
    assert paper.first_author_affiliation == (
        "кафедра прикладной математики, Северный государственный университет, г. Архангельск"
    )
    assert paper.abstract.startswith("в работе рассматривается автоматический анализ")


def test_a_second_language_title_of_the_same_size_is_left_out(tmp_path: Path) -> None:
    """A German paper prints its bold German title, then the English one in the same size, regular."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((48, 90), "Über die Löslichkeit von Kalkspat in", fontname="tibo", fontsize=15)
    page.insert_text((48, 106), "salzhaltigem Grundwasser [1]", fontname="tibo", fontsize=15)
    page.insert_text((48, 138), "On the Solubility of Calcite in Saline", fontname="tiro", fontsize=15)
    page.insert_text((48, 154), "Groundwater [1]", fontname="tiro", fontsize=15)
    page.insert_text((48, 180), "Jonas Weber, Lea Hoffmann", fontname="tibo", fontsize=10.7)
    page.insert_text((48, 198), "Institut für Geochemie, Universität Kiel", fontname="tiro", fontsize=8.5)
    y = write_block(page, 230, "Abstract. " + PROSE * 2, size=8.5)
    body_pages(doc, page, y + 10, ("Einleitung", "Ergebnisse"))
    paper = read_paper(save(doc, tmp_path / "de.pdf"))

    assert paper.title == "Über die Löslichkeit von Kalkspat in salzhaltigem Grundwasser"
    assert paper.authors == ["Jonas Weber", "Lea Hoffmann"]
    assert paper.first_author_affiliation == "Institut für Geochemie, Universität Kiel"


def test_a_japanese_title_in_kanji_and_kana_outweighs_a_smaller_heading_in_kanji(tmp_path: Path) -> None:
    """Japanese titles run kanji and kana together ("庭のハチを数える"); counted by kanji alone, the title weighed
    less than a smaller section heading written mostly in kanji on the same page."""
    doc = pymupdf.open()
    japanese_heads_page(doc, [("1", "緒言"), ("2", "観測の記録"), ("3", "結言")])
    paper = read_paper(save(doc, tmp_path / "ja.pdf"))

    assert paper.title == "庭のハチを数える"
    assert [s.heading for s in paper.sections] == ["1 緒言", "2 観測の記録", "3 結言"]


# --- author lines under the title ----------------------------------------------------------------


def test_a_bold_author_line_under_a_kicker_and_title_is_no_heading(tmp_path: Path) -> None:
    """Springer/Birkhäuser style: a kicker in the title's face, a bold author line at body size with
    middle dots and markers, a structured abstract, affiliations as footnotes of the first column."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((50, 70), "Original Article", fontname="tibo", fontsize=18)
    page.insert_text((50, 100), "Seasonal shifts in the gut flora of", fontname="tibo", fontsize=18)
    page.insert_text((50, 120), "hibernating bats", fontname="tibo", fontsize=18)
    x = 50.0
    for name, mark in (("Ines Moreau", "1"), (" · Rafael Quintero", "2"), (" · Yuki Tanaka", "1")):
        page.insert_text((x, 146), name, fontname="tibo", fontsize=10)
        x += pymupdf.Font("tibo").text_length(name, 10)
        page.insert_text((x, 142), mark, fontname="tibo", fontsize=7)
        x += pymupdf.Font("tibo").text_length(mark, 7) + 1
    page.insert_text((50, 180), "Abstract", fontname="tibo", fontsize=10)
    y = write_block(page, 196, "Purpose  " + PROSE, width=490)
    y = write_block(page, y, "Methods  " + PROSE, width=490)
    page.insert_text((50, 700), "1", fontname="tiro", fontsize=6)
    page.insert_text((55, 703), "Laboratory of Animal Physiology, University of Lyon,", fontname="tiro", fontsize=8.5)
    page.insert_text((55, 713), "Lyon, France", fontname="tiro", fontsize=8.5)
    page.insert_text((50, 725), "2", fontname="tiro", fontsize=6)
    page.insert_text((55, 728), "Wildlife Institute, Mexico City, Mexico", fontname="tiro", fontsize=8.5)
    body_pages(doc, page, y + 10, ("Introduction", "Methods"))
    paper = read_paper(save(doc, tmp_path / "springer.pdf"))

    assert paper.title == "Seasonal shifts in the gut flora of hibernating bats"
    assert paper.authors == ["Ines Moreau", "Rafael Quintero", "Yuki Tanaka"]
    assert paper.first_author_affiliation == "Laboratory of Animal Physiology, University of Lyon, Lyon, France"
    assert paper.abstract.startswith("Coastal sediment moves")
    assert paper.sections[0].heading == "1 Introduction"


def test_an_unmarked_footnote_affiliation_shared_by_all_authors(tmp_path: Path) -> None:
    """Science style: a bold author line with dagger marks, an unlabelled abstract, and the one affiliation
    in small print at the foot of the first column."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((40, 50), "ECOLOGY", fontname="hebo", fontsize=8)
    page.insert_text((40, 76), "Kelp forests recover faster where", fontname="helv", fontsize=18)
    page.insert_text((40, 98), "otters return", fontname="helv", fontsize=18)
    page.insert_text((40, 122), "P. Laurent†, M.-A. Dubois†, K. Ferreira*", fontname="hebo", fontsize=8)
    y = write_block(page, 144, PROSE * 2, x=40, width=330, size=8, font="hebo")
    y = write_block(page, y + 12, PROSE * 3, x=40, width=160, size=8.7)
    page.insert_text((40, 560), "Institute of Marine Biology, University of Brest,", fontname="helv", fontsize=6.7)
    page.insert_text((40, 568), "Brest, France.", fontname="helv", fontsize=6.7)
    page.insert_text((40, 578), "*Corresponding author. Email: kf@example.org", fontname="helv", fontsize=6.2)
    page.insert_text((40, 586), "†These authors contributed equally to this work.", fontname="helv", fontsize=6.2)
    write_block(page, 60, PROSE * 8, x=400, width=170, size=8.7)
    paper = read_paper(save(doc, tmp_path / "science.pdf"))

    assert paper.title == "Kelp forests recover faster where otters return"
    assert paper.authors == ["P. Laurent", "M.-A. Dubois", "K. Ferreira"]
    assert paper.first_author_affiliation == "Institute of Marine Biology, University of Brest, Brest, France."


def test_a_magazine_side_bar_abstract_and_an_affiliation_only_in_the_bios(tmp_path: Path) -> None:
    """AI Magazine style: an author line wrapping onto a second line with a one-word name, an unlabelled
    side-bar abstract opening with an ornament, affiliations only in the author bios at the end."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=801)
    page.insert_text((150, 90), "Teaching Robots to Fold Laundry", fontname="tibo", fontsize=24)
    page.insert_text((160, 140), "Hana Kimura, Leo Brandt, Bo Chen,", fontname="tibi", fontsize=12)
    page.insert_text((200, 155), "Suharto, and Ivo Petrov", fontname="tibi", fontsize=12)
    page.insert_text((75, 250), "n", fontname="zadb", fontsize=8)
    write_block(page, 250, " " * 3 + PROSE * 3, x=85, width=150, size=8, font="tiit")
    write_block(page, 250, PROSE * 6, x=260, width=290, size=9)
    page = doc.new_page(width=612, height=801)
    y = write_block(page, 80, PROSE * 6, x=60, width=490, size=9)
    bio = (
        "Hana Kimura is a research scientist at the Tidewater Institute of Robotics in Norfolk. "
        "Leo Brandt is a graduate student at the same institute."
    )
    write_block(page, y + 20, bio, x=60, width=490, size=8)
    paper = read_paper(save(doc, tmp_path / "magazine.pdf"))

    assert paper.title == "Teaching Robots to Fold Laundry"
    assert paper.authors == ["Hana Kimura", "Leo Brandt", "Bo Chen", "Suharto", "Ivo Petrov"]
    assert paper.abstract.startswith("Coastal sediment moves")
    assert paper.first_author_affiliation == "Tidewater Institute of Robotics in Norfolk"


def test_an_author_line_read_after_a_side_bar(tmp_path: Path) -> None:
    """The author line sits under the title in the right column; the left column's side bar comes first
    in reading order, and it is prose."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((120, 80), "Soundscapes of Coral Reefs at Night", fontname="tibo", fontsize=22)
    page.insert_text((330, 112), "Noor Hassan, Emil Sandberg", fontname="tiit", fontsize=11)
    write_block(page, 110, PROSE * 4, x=50, width=220, size=8, font="tiit")
    write_block(page, 140, PROSE * 6, x=330, width=230, size=9)
    paper = read_paper(save(doc, tmp_path / "sidebar.pdf"))

    assert paper.title == "Soundscapes of Coral Reefs at Night"
    assert paper.authors == ["Noor Hassan", "Emil Sandberg"]


# --- hard author lines ---------------------------------------------------------------------------


def test_an_author_grid_in_two_rows_of_three(tmp_path: Path) -> None:
    """ACM/ACL author blocks: names on shared baselines, each with its address lines centred below it."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((120, 70), "Scheduling Ferries under Uncertain Weather", fontname="hebo", fontsize=17)
    people = (
        ("Aino Korhonen", "Sea Lab", "12 Quay Street", "00100 Helsinki, Finland", "ak@sea.example"),
        ("Bram de Vries", "Port Institute", "Havenweg 3", "3011 Rotterdam, Netherlands", "bdv@port.example"),
        ("Chiara Russo", "Ferry Systems Group", "Via Marina 8", "80133 Napoli, Italy", "cr@fsg.example"),
        ("Dmitri Volkov", "Sea Lab", "12 Quay Street", "00100 Helsinki, Finland", "dv@sea.example"),
        ("Emma Lindahl", "Port Institute", "Havenweg 3", "3011 Rotterdam, Netherlands", "el@port.example"),
        ("Farid Haddad", "Ferry Systems Group", "Via Marina 8", "80133 Napoli, Italy", "fh@fsg.example"),
    )
    for k, block in enumerate(people):
        centre, top = 110 + 196 * (k % 3), 120 + 80 * (k // 3)
        for n, text in enumerate(block):
            size = 12 if n in (0, 4) else 10
            width = pymupdf.Font("helv").text_length(text, size)
            page.insert_text((centre - width / 2, top + 12 * n), text, fontname="helv", fontsize=size)
    page.insert_text((54, 300), "ABSTRACT", fontname="tibo", fontsize=12)
    y = write_block(page, 318, PROSE * 2, x=54, width=240, size=9)
    body_pages(doc, page, y + 10, ("INTRODUCTION", "MODEL"))
    paper = read_paper(save(doc, tmp_path / "grid.pdf"))

    assert paper.authors == [p[0] for p in people]
    assert paper.first_author_affiliation == "Sea Lab, 12 Quay Street, 00100 Helsinki, Finland"


def _marked(page: pymupdf.Page, x: float, y: float, parts: tuple[str, ...], font: str, size: float) -> None:
    """An author line whose odd parts are raised marks ("Priya Nair", "a", ", Lukas Bauer", "b,*")."""
    measure = pymupdf.Font(font) if font != "cjk" else pymupdf.Font("cjk")
    for k, text in enumerate(parts):
        mark = k % 2 == 1
        page.insert_text((x, y - 3 if mark else y), text, fontname=font, fontsize=size * 0.65 if mark else size)
        x += measure.text_length(text, size * 0.65 if mark else size)


def _wiley(page: pymupdf.Page) -> None:
    page.insert_text((50, 125), "Hannah Kowalski1 | Diego Ferreira2 | Amina Yusuf1", fontname="helv", fontsize=10)
    page.insert_text(
        (50, 145), "1Department of Biology, University of Gdansk, Gdansk, Poland", fontname="helv", fontsize=8
    )
    page.insert_text((50, 155), "2Marine Station, Lisbon, Portugal", fontname="helv", fontsize=8)


def _cell(page: pymupdf.Page) -> None:
    parts = ("Hao Tan,", "1,2,5", " Rafael Ortiz,", "3", " and Mia Berg", "1,4,*")
    _marked(page, 50, 125, parts, "helv", 10)
    page.insert_text((50, 700), "1Department of Neuroscience, Columbia University, New York, NY 10027, USA", fontsize=7)
    page.insert_text((50, 710), "2Howard Hughes Medical Institute, Chevy Chase, MD, USA", fontname="helv", fontsize=7)


def _aps(page: pymupdf.Page) -> None:
    page.insert_text((120, 125), "Ana Lima,1,* Ben Cole,2 and Chen Wu1", fontname="tiro", fontsize=10)
    page.insert_text((130, 140), "1Department of Physics, University of Porto, 4169-007 Porto, Portugal", fontsize=9)
    page.insert_text((130, 152), "2Institut Laue-Langevin, 38042 Grenoble, France", fontname="tiit", fontsize=9)
    page.insert_text((150, 166), "(Received 3 May 2011; published 1 June 2011)", fontname="tiro", fontsize=9)


def _mdpi(page: pymupdf.Page) -> None:
    _marked(page, 60, 125, ("Lena Vogel", "1,*", ", Marco Bianchi", "2", " and Sara Lind", "1"), "hebo", 10)
    page.insert_text((60, 145), "1", fontname="tiro", fontsize=6)
    page.insert_text(
        (66, 147), "Department of Soil Science, University of Hohenheim, 70599 Stuttgart, Germany; lv@uni.example",
        fontname="tiro", fontsize=8,
    )  # fmt: skip
    page.insert_text((60, 157), "2", fontname="tiro", fontsize=6)
    page.insert_text((66, 159), "CNR Institute for Agriculture, 00185 Rome, Italy", fontname="tiro", fontsize=8)
    page.insert_text((60, 171), "* Correspondence: lv@uni.example", fontname="tiro", fontsize=8)


def _lncs(page: pymupdf.Page) -> None:
    page.insert_text((150, 125), "Alice Smith1, Bob Jones2(B), and Carol White1", fontname="tiro", fontsize=10)
    page.insert_text((170, 142), "1 University of Bremen, Bremen, Germany", fontname="tiro", fontsize=9)
    page.insert_text((190, 154), "{alice,carol}@uni-bremen.example", fontname="tiro", fontsize=9)
    page.insert_text((180, 166), "2 Formal Methods Lab, Oslo, Norway", fontname="tiro", fontsize=9)


def _columns(page: pymupdf.Page) -> None:
    """NeurIPS-style: names side by side, each over its own address lines."""
    people = (
        ("Alice Smith", "Dept. of Statistics", "Univ. of Leeds", "alice@leeds.example"),
        ("Bob Jones", "Google Research", "London, UK", "bob@google.example"),
        ("Carol White", "CS Department", "Zurich Polytechnic", "cw@zp.example"),
    )
    for k, (name, *rest) in enumerate(people):
        page.insert_text((110 + 150 * k, 125), name, fontname="tibo", fontsize=10)
        for n, text in enumerate(rest, 1):
            page.insert_text((110 + 150 * k, 125 + 12 * n), text, fontname="tiro", fontsize=10 if n < 3 else 9)


def _chinese(page: pymupdf.Page) -> None:
    _cyrillic(page)
    page.insert_text((230, 125), "张伟1，李娜2，王芳1", fontname="cjk", fontsize=11)
    page.insert_text(
        (120, 145), "（1. 清华大学 自动化系，北京 100084；2. 北京交通大学 交通运输学院，北京 100044）",
        fontname="cjk", fontsize=9,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("style", "authors", "affiliation"),
    [
        (_wiley, ["Hannah Kowalski", "Diego Ferreira", "Amina Yusuf"],
         "Department of Biology, University of Gdansk, Gdansk, Poland"),
        (_cell, ["Hao Tan", "Rafael Ortiz", "Mia Berg"],
         "Department of Neuroscience, Columbia University, New York, NY 10027, USA"),
        (_aps, ["Ana Lima", "Ben Cole", "Chen Wu"],
         "Department of Physics, University of Porto, 4169-007 Porto, Portugal"),
        (_mdpi, ["Lena Vogel", "Marco Bianchi", "Sara Lind"],
         "Department of Soil Science, University of Hohenheim, 70599 Stuttgart, Germany"),
        (_lncs, ["Alice Smith", "Bob Jones", "Carol White"], "University of Bremen, Bremen, Germany"),
        (_columns, ["Alice Smith", "Bob Jones", "Carol White"], "Dept. of Statistics, Univ. of Leeds"),
        (_chinese, ["张伟", "李娜", "王芳"], "清华大学 自动化系，北京 100084"),
    ],
    ids=lambda v: v.__name__.strip("_") if callable(v) else "",
)  # fmt: skip
def test_author_blocks_of_common_house_styles(
    tmp_path: Path, style: Callable[[pymupdf.Page], None], authors: list[str], affiliation: str
) -> None:
    """Wiley's pipes, Cell's marks after commas, APS marks as plain text, MDPI's e-mail after the address,
    LNCS's '(B)', names in columns over their addresses, a Chinese journal's numbered address list."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_text((50, 90), "Coastal Sediment Budgets from Drone Surveys", fontname="hebo", fontsize=18)
    style(page)
    page.insert_text((50, 200), "Abstract", fontname="hebo", fontsize=10)
    y = write_block(page, 216, PROSE * 2, x=50, width=480, size=9)
    body_pages(doc, page, y + 10, ("Introduction", "Methods"))
    paper = read_paper(save(doc, tmp_path / "style.pdf"))

    assert paper.title == "Coastal Sediment Budgets from Drone Surveys"
    assert paper.authors == authors
    assert paper.first_author_affiliation == affiliation


def test_line_numbers_running_title_and_key_words_above_the_authors(tmp_path: Path) -> None:
    """bioRxiv submissions: every line numbered in the margin; a running title and key words between the
    title and the author list."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    rows = [
        (72, "Grazing pressure reshapes alpine seed banks", "tibo", 16),
        (100, "Running title: Grazing and seed banks", "tiro", 10),
        (116, "Key words: grazing, seed bank, alpine meadows", "tiro", 10),
        (140, "Nora Blake1, Arjun Mehta2 and Sofie Dahl1*", "tiro", 11),
        (158, "1 Department of Plant Ecology, University of Tromsø, Norway", "tiit", 9),
        (172, "2 Himalayan Field Station, Dehradun, India", "tiit", 9),
    ]
    for n, (y, text, font, size) in enumerate(rows, 1):
        page.insert_text((30, y), str(n), fontname="tiro", fontsize=7)
        page.insert_text((72, y), text, fontname=font, fontsize=size)
    page.insert_text((72, 200), "Abstract", fontname="tibo", fontsize=12)
    y = write_block(page, 218, PROSE * 2, x=72, width=460)
    body_pages(doc, page, y + 10, ("Introduction", "Methods"))
    paper = read_paper(save(doc, tmp_path / "biorxiv.pdf"))

    assert paper.title == "Grazing pressure reshapes alpine seed banks"
    assert paper.authors == ["Nora Blake", "Arjun Mehta", "Sofie Dahl"]
    assert paper.first_author_affiliation == "Department of Plant Ecology, University of Tromsø, Norway"
    assert paper.keywords == ["grazing", "seed bank", "alpine meadows"]


def test_a_chinese_affiliation_list_in_parentheses() -> None:
    parts = affiliation_segments(
        line_of(("（1. 清华大学 计算机系，北京 100084；2. 北京大学 数学学院，北京 100871）", 9, False))
    )
    assert parts == [("1", "清华大学 计算机系，北京 100084"), ("2", "北京大学 数学学院，北京 100871")]


def line_of(*parts: tuple[str, float, bool], size: float = 10.0) -> Line:
    """A Line made of spans (text, size, superscript), laid out left to right."""
    spans, x = [], 50.0
    for text, span_size, sup in parts:
        width = len(text) * span_size * 0.5
        spans.append(Span(text, span_size, "Times-Roman", False, False, sup, x, x + width, 100.0, 100.0 + span_size))
        x += width
    return Line(
        page=1,
        x0=50.0,
        y0=100.0,
        x1=x,
        y1=100.0 + size,
        text="".join(p[0] for p in parts),
        size=size,
        font="Times-Roman",
        bold=False,
        italic=False,
        mono=False,
        block=0,
        spans=spans,
    )


@pytest.mark.parametrize(
    ("parts", "names"),
    [
        # a footnote mark 'a' glued after the comma, hyphenated initials, a final ", and"
        (
            [("P. Laurent,", 10, False), ("a", 7, True), ("\ufffd", 7, True),
             ("M.-A. Dubois, K. Ferreira, and X.-Y. Chen", 10, False)],
            ["P. Laurent", "M.-A. Dubois", "K. Ferreira", "X.-Y. Chen"],
        ),
        # capitals with '1,∗' marks and a capital AND
        (
            [("OLGA PETROVA", 9, False), ("1,∗", 6, True), (", DMITRI ORLOV", 9, False), ("1", 6, True),
             (", AND NINA VOLKOVA", 9, False), ("2,3", 6, True)],
            ["OLGA PETROVA", "DMITRI ORLOV", "NINA VOLKOVA"],
        ),
        # affiliation numbers glued on as plain text
        ([("Alexis R. Moreno1,2,4, Joon Park3, Tariq Aziz1", 10, False)],
         ["Alexis R. Moreno", "Joon Park", "Tariq Aziz"]),
        # initials glued to the surname, an '&' before the last
        ([("Yu.B.Kuznetsov, P.Novak & T.R. Aguilar", 10, False)], ["Yu.B.Kuznetsov", "P.Novak", "T.R. Aguilar"]),
        # middle dots (Springer) and a one-word name between full names
        ([("Ines Moreau · Sukarno · Rafael Quintero", 10, False)], ["Ines Moreau", "Sukarno", "Rafael Quintero"]),
        # particles and a generational suffix
        ([("B. Van der Berg, W. Manchester IV and Ana de la Cruz", 10, False)],
         ["B. Van der Berg", "W. Manchester IV", "Ana de la Cruz"]),
        # degrees in medicine, semicolons between authors
        ([("Jane Roe, MD, PhD; Carlos Ruiz, MSc; Li Wei, MPH", 10, False)], ["Jane Roe", "Carlos Ruiz", "Li Wei"]),
        # Cyrillic with glued initials, Chinese names with glued numbers
        ([("А.Д. Соколова1, В.П. Смирнов2", 10, False)], ["А.Д. Соколова", "В.П. Смирнов"]),
        ([("王小明1, 李华2, 欧阳娜娜1", 10, False)], ["王小明", "李华", "欧阳娜娜"]),
        # IEEE society grades between the names
        ([("Jane Roe, Member, IEEE, Karl Stein, Senior Member, IEEE, and Ola Berg, Fellow, IEEE", 10, False)],
         ["Jane Roe", "Karl Stein", "Ola Berg"]),
        # Spanish "y" between the last two names
        ([("Lucía Gómez, Pablo Ortega y Marta Ruiz", 10, False)], ["Lucía Gómez", "Pablo Ortega", "Marta Ruiz"]),
    ],
)  # fmt: skip
def test_hard_author_lines(parts: list[tuple[str, float, bool]], names: list[str]) -> None:
    assert read_author_line(line_of(*parts)).names == names


@pytest.mark.parametrize(
    "text",
    [
        "38330 Montbonnot Saint-Martin, France",  # an address line in an author grid
        "Received 27 March 2021; accepted 2 May 2021",
        "Northwind Robotics, Seattle",  # a company
        "SEE PROFILE",  # a repository cover's profile box
        "12 PUBLICATIONS 40 CITATIONS",
        "Institute of Marine Biology, Brest",
        "A Case Study",  # a subtitle
        "Corresponding Author",
    ],
)
def test_lines_that_are_not_author_lines(text: str) -> None:
    assert read_author_line(line_of((text, 10, False))).names == []


def test_a_one_word_name_needs_names_around_it() -> None:
    assert read_author_line(line_of(("Mausam", 10, False))).names == []
    assert read_author_line(line_of(("Sukarno, and Oren Levi", 10, False)), continued=True).names == [
        "Sukarno",
        "Oren Levi",
    ]
    assert is_name("Oren Levi") and not is_name("Sukarno")


@pytest.mark.parametrize(
    ("printed", "author", "kept"),
    [
        (
            "School of Medicine, Denmark Hill, London SE5 9PJ, UK, Tel: +44 20 1234, Fax: +44 20 5678, "
            "e-mail: r.quinn@example.ac.uk",
            "R. Quinn",
            "School of Medicine, Denmark Hill, London SE5 9PJ, UK",
        ),
        (
            "Dept. of Computing, Lakeside University, Madison, WI 53706 http://www.cs.lakeside.example/groups/db/",
            "Omar Haddad",
            "Dept. of Computing, Lakeside University, Madison, WI 53706",
        ),
        # a thesis-style note repeating the author's name and position before the address
        (
            "Соколова Анна Дмитриевна – студентка, кафедра физики, e-mail: sokolova@example.ru, "
            "Томский государственный университет",
            "А.Д. Соколова",
            "кафедра физики, Томский государственный университет",
        ),
    ],
)
def test_an_affiliation_keeps_the_institution_and_address(printed: str, author: str, kept: str) -> None:
    assert tidy_affiliation(printed, author) == kept


@pytest.mark.parametrize(
    ("printed", "joined"),
    [
        (["Department of Zoology,", "University of Lisbon, Portugal"],
         "Department of Zoology, University of Lisbon, Portugal"),
        (["Sea Lab", "12 Quay Street", "00100 Helsinki, Finland"], "Sea Lab, 12 Quay Street, 00100 Helsinki, Finland"),
        (["Departments of Medicine and Pediatrics, Section", "of Endocrinology, University of Chicago"],
         "Departments of Medicine and Pediatrics, Section of Endocrinology, University of Chicago"),
        (["Государственное учреждение «Северный университет имени", "Ломоносова», кафедра физики"],
         "Государственное учреждение «Северный университет имени Ломоносова», кафедра физики"),
    ],
)  # fmt: skip
def test_the_printed_lines_of_an_affiliation_are_joined_as_printed(printed: list[str], joined: str) -> None:
    assert join_address(printed) == joined
