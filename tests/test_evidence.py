"""Looking a summary's quotes and numbers up in the paper (chatpaper/evidence.py): what matches, what
never does, where a quote is printed, and which numbers count as printed. Real corpus papers check
the pages against the PDF's own text (skipped when the corpus is absent)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

import pytest

from chatpaper.errors import ChatpaperError
from chatpaper.evidence import PaperIndex, check_summary, find_numbers, match_key, mostly_unsupported
from chatpaper.llm.sentences import split_sentences
from chatpaper.models import ArxivEntry, Paper, PointQuotes, Section, SummaryPoints, Table
from chatpaper.pdf import read_paper
from chatpaper.pdf.reader import PdfDocument
from tests.conftest import CORPUS
from tests.corpus import corpus_params

INTRO = (
    "Large language models (LLMs) hallucinate facts [12]. Retrieval-augmented generation (RAG) grounds "
    "the answer in retrieved passages (Lewis et al., 2020), and it has become the standard approxi-\nmation "
    "for knowledge-intensive tasks.\n\nWe evaluate on three datasets."
)
METHOD = (
    "We propose an “eﬃcient” two-stage retriever—it first collects candidates with BM25.\n\n"
    "The reranker is trained on 12,345 question–passage pairs with a learning rate of 1e-4."
)
RESULTS = "Our model reaches 97.3% accuracy, 4.2 points above the baseline, and runs 3.5× faster."
REFERENCES = "[1] A. Author. A paper that reports 88.8% in 2019. Journal 12(3):45-67."


def make_paper(**fields: object) -> Paper:
    values: dict[str, object] = {
        "path": "/papers/test.pdf",
        "sha256": "0" * 64,
        "pages": 6,
        "title": "Grounded Answers with GPT-4",
        "abstract": "We study retrieval for question answering. Our reranker improves exact match by 4.2%.",
        "abstract_page": 1,
        "sections": [
            Section(heading="1 Introduction", page=1, text=INTRO, role="introduction", text_pages=[(0, 1), (120, 2)]),
            Section(heading="3 Method", page=3, text=METHOD, role="method"),
            Section(heading="4 Results", page=4, text=RESULTS, role="results"),
            Section(heading="References", page=6, text=REFERENCES, role="references"),
        ],
        "captions": ["Figure 2: Accuracy over 1,024 runs on the dev set."],
        "tables": [
            Table(
                caption="Table 1: Main results.",
                label="Table 1",
                header=["Model", "EM", "F1"],
                rows=[["BM25", "41.7", "52.06"], ["Ours", "45.9", "57.80"]],
                page=5,
                section="4 Results",
            )
        ],
    }
    values.update(fields)
    return Paper(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def index() -> PaperIndex:
    return PaperIndex(make_paper())


# --- quotes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        "Retrieval-augmented generation (RAG) grounds the answer in retrieved passages",  # as printed
        "retrieval-augmented   GENERATION (rag)\ngrounds the answer",  # case, spaces, line breaks
        "the standard approximation for knowledge-intensive tasks",  # line-end hyphenation undone
        'We propose an "efficient" two-stage retriever - it first collects',  # ligature, quote marks, dash
        "the reranker is trained on 12,345 question-passage pairs",  # en dash as a hyphen
        "Large language models (LLMs) hallucinate facts.",  # the citation marker left out
        "grounds the answer in retrieved passages, and it has become",  # an author-year citation left out
        "2020), and it has become the standard",  # a quote that begins inside a citation
        "Large language models ... hallucinate facts",  # an elided part
        "Large language models [...] grounds the answer",  # a cut marker, as the prompt prints one
    ],
)
def test_a_faithful_copy_is_found(index: PaperIndex, quote: str) -> None:
    assert index.find_quote(quote).found


@pytest.mark.parametrize(
    "quote",
    [
        "Our model reaches 97.8% accuracy",  # one digit changed
        "Our model reaches 973% accuracy",  # the decimal point dropped
        "Our model reaches 97.3% precision",  # one word changed
        "We propose a two-stage retriever",  # a word left out without an ellipsis
        "Our model ... 88.8%",  # a number from the reference list
        "A paper that reports 88.8% in 2019.",  # the reference list is not the paper's own text
        "hallucinate facts ... Large language models",  # elided parts out of order
        "   ",
    ],
)
def test_a_changed_or_foreign_quote_is_not_found(index: PaperIndex, quote: str) -> None:
    evidence = index.find_quote(quote)
    assert not evidence.found and evidence.section is None and evidence.page is None


def test_a_quote_is_traced_to_its_section_and_the_page_it_is_printed_on(index: PaperIndex) -> None:
    first = index.find_quote("Large language models (LLMs) hallucinate facts")
    assert (first.section, first.page) == ("1 Introduction", 1)
    # the introduction's text moves on to page 2 at character 120
    later = index.find_quote("We evaluate on three datasets.")
    assert (later.section, later.page) == ("1 Introduction", 2)
    method = index.find_quote("The reranker is trained on 12,345 question–passage pairs")
    assert (method.section, method.page) == ("3 Method", 3)
    abstract = index.find_quote("Our reranker improves exact match by 4.2%.")
    assert (abstract.section, abstract.page) == ("Abstract", 1)
    row = index.find_quote("Ours | 45.9 | 57.80")  # a table row, as the prompt prints it
    assert (row.section, row.page) == ("4 Results", 5)
    caption = index.find_quote("Accuracy over 1,024 runs on the dev set")
    assert caption.found and caption.section is None and caption.page is None
    assert index.find_quote("  Our model   reaches 97.3% accuracy ").quote == "Our model reaches 97.3% accuracy"


def test_the_arxiv_abstract_counts_without_a_page() -> None:
    entry = ArxivEntry(arxiv_id="2401.00001", title="T", abstract="A revised abstract says 61.5% now.")
    evidence = PaperIndex(make_paper(), entry).find_quote("A revised abstract says 61.5% now")
    assert (evidence.found, evidence.section, evidence.page) == (True, "Abstract", None)


def test_the_match_key_keeps_letters_digits_and_decimal_points_only() -> None:
    key, where = match_key("Eﬀective: 97.3% (n = 1,000).")
    assert key == "effective97.3n1000"
    assert len(where) == len(key) and where[0] == 0 and where[-1] == len("Eﬀective: 97.3% (n = 1,00")


# --- numbers --------------------------------------------------------------------------------------


def stated(text: str) -> list[str]:
    return [n.text for n in find_numbers(text)]


def test_numbers_a_summary_states_are_found_in_their_forms() -> None:
    text = (
        "It reaches 97.3% on 12,345 images, .95 AUC and 0.91 F1, is 3.2x faster, uses a 7B model, 12k steps, "
        "5ms per query, 10-20 epochs, 10–20% gains and a rate of 1 × 10^-4 (p < 0.05)."
    )
    assert stated(text) == [
        "97.3%",
        "12,345",
        ".95",
        "0.91",
        "3.2x",
        "7B",
        "12k",
        "5ms",
        "10-20",
        "10–20%",
        "1 × 10^-4",
        "0.05",
    ]
    values = {n.text: [q.value for q in n.parts] for n in find_numbers(text)}
    assert values["7B"] == [Decimal(7 * 10**9)] and values["12k"] == [Decimal(12000)]
    assert values["10–20%"] == [Decimal(10), Decimal(20)] and values["1 × 10^-4"] == [Decimal("0.0001")]


def test_a_number_that_opens_the_text_is_checked() -> None:
    assert stated("97.3% of the answers") == ["97.3%"] and stated("12 layers") == ["12"]


def test_years_names_and_words_are_not_checked() -> None:
    text = "Since 2017, GPT-4, ResNet-50, COVID-19, F1, v1.5, 3D scenes, the 2nd stage and three datasets."
    assert stated(text) == []


def test_numbers_in_chinese_text_are_checked() -> None:
    assert stated("在3个数据集上准确率达到97.3%") == ["3", "97.3%"]
    # full-width digits and points are the same numbers, on either side
    index = PaperIndex(make_paper(abstract="精度は９７．３％、データは１２３件。"))
    assert check(index, "97.3% on １２３ records") == []


def check(index: PaperIndex, text: str) -> list[str]:
    points = SummaryPoints(background="b", prior_work="p", method="m", results=text)
    _, checks = check_summary(index, points, PointQuotes())
    return [n.number for n in checks.numbers_unsupported]


@pytest.mark.parametrize(
    "text",
    [
        "It reaches 97.3% accuracy and 4.2 points more.",  # as printed
        "It reaches 97.30% accuracy.",  # the same value
        "It reaches 0.973 accuracy.",  # a fraction for a percentage
        "It scores 45.9 EM and 57.8 F1 on 12345 pairs.",  # table cells, a trailing zero, grouping dropped
        "It reaches 97% accuracy.",  # rounded, as a percentage
        "It reaches about 96% accuracy.",  # a hedge allows 10%
        "Over 12,000 pairs, under 50 runs.",  # a bound: on the stated side (12,345; 45.9)
        "Three datasets, trained at 1e-4, over 1,024 runs, 3.5× faster, 3 datasets.",  # words, captions
        "With GPT-4.",  # in the title
    ],
)
def test_numbers_the_paper_prints_are_supported(index: PaperIndex, text: str) -> None:
    assert check(index, text) == []


@pytest.mark.parametrize(
    ("text", "unsupported"),
    [
        ("It reaches 97.8% accuracy.", ["97.8%"]),
        ("It reaches 88.8% accuracy.", ["88.8%"]),  # only in the reference list
        ("It reaches 98% accuracy.", ["98%"]),  # 97.3 does not round to 98
        ("Trained on 7,318,265 pairs.", ["7,318,265"]),
        ("Gains of 61.27–64.93 points.", ["61.27–64.93"]),
        ("Gains of 4.2–64.93 points.", ["4.2–64.93"]),  # a range is supported only if both ends are
        ("It runs 8.35× faster.", ["8.35×"]),
        ("It uses 45 layers and 45 heads.", ["45"]),  # listed once per point
        ("Under 12,000 pairs, over 60 runs.", ["12,000", "60"]),  # a bound on the wrong side
        ("An awesome 93 points.", ["93"]),  # no hedge inside a word
    ],
)
def test_numbers_the_paper_does_not_print_are_unsupported(index: PaperIndex, text: str, unsupported: list[str]) -> None:
    assert check(index, text) == unsupported


def test_check_summary_counts_and_names_the_points(index: PaperIndex) -> None:
    points = SummaryPoints(
        background="Hallucination is common.",
        prior_work="Prior work reports 93.1% recall.",
        method="Trained on 12,345 pairs.",
        results="It reaches 97.3% and 99.9%.",
    )
    quotes = PointQuotes(
        background=["Large language models (LLMs) hallucinate facts", "LLMs never hallucinate."],
        method=["The reranker is trained on 12,345 question–passage pairs", ""],
        results=["Our model reaches 97.3% accuracy", "Our model reaches 97.3% accuracy"],
    )
    evidence, checks = check_summary(index, points, quotes)
    assert [(n.point, n.number) for n in checks.numbers_unsupported] == [("prior_work", "93.1%"), ("results", "99.9%")]
    assert (checks.numbers_checked, checks.quotes_checked, checks.quotes_unsupported) == (4, 4, 1)
    assert [e.found for e in evidence.background] == [True, False]
    assert len(evidence.results) == 1 and evidence.prior_work == []  # blanks and repeats dropped
    assert not mostly_unsupported(evidence)
    _, none = check_summary(index, points, PointQuotes())
    assert none.quotes_checked == 0


def test_most_quotes_unsupported_is_more_than_half(index: PaperIndex) -> None:
    made_up = PointQuotes(
        background=["Nothing like this is printed.", "Nor this."], results=["Our model reaches 97.3% accuracy"]
    )
    evidence, _ = check_summary(index, SummaryPoints(background="b", prior_work="p", method="m", results="r"), made_up)
    assert mostly_unsupported(evidence)
    half = made_up.model_copy(update={"background": ["Nor this."]})
    evidence, _ = check_summary(index, SummaryPoints(background="b", prior_work="p", method="m", results="r"), half)
    assert not mostly_unsupported(evidence)


# --- real papers: the page a quote is printed on ---------------------------------------------------


@cache
def corpus_paper(name: str) -> Paper | None:
    try:
        return read_paper(CORPUS / "pdfs" / name)
    except ChatpaperError:
        return None


@pytest.mark.corpus
@pytest.mark.parametrize("truth", corpus_params("evidence_pages", where=lambda record: record["text_layer"]))
def test_sentences_of_a_real_paper_are_found_on_the_page_the_pdf_prints_them(truth: dict) -> None:
    """Every third sentence of each section is found, and where the PDF's own text (PyMuPDF's lines,
    page by page, not the reader's) prints its opening on one page only, that is the page reported."""
    paper = corpus_paper(truth["file"])
    assert paper is not None
    with PdfDocument(CORPUS / "pdfs" / truth["file"]) as doc:
        pages = {page.number: match_key("".join(line.text for line in page.lines))[0] for page in doc.pages()}
    index = PaperIndex(paper)
    checked = 0
    for section in paper.body_sections():
        for sentence in split_sentences(section.text)[::3]:
            key = match_key(sentence)[0]
            if len(key) < 40:
                continue
            evidence = index.find_quote(sentence)
            assert evidence.found, sentence
            printed = [number for number, text in pages.items() if key[:30] in text]
            if len(printed) == 1:
                checked += 1
                assert evidence.page == printed[0], (sentence, evidence.section)
    # Type-3 bitmap papers (issue 11) read as fragments: few sentences to check there.
    assert checked or truth["file"].endswith("-t3.pdf")


@pytest.mark.corpus
@pytest.mark.parametrize("truth", corpus_params("evidence_numbers", where=lambda record: record["text_layer"]))
def test_every_number_a_real_paper_prints_counts_as_printed(truth: dict) -> None:
    """Each sentence of the abstract, sections, captions and tables read as a summary would state it:
    every number found in it is supported (what a summary copies from the paper is never flagged)."""
    paper = corpus_paper(truth["file"])
    assert paper is not None
    index = PaperIndex(paper)
    texts = [paper.abstract, *(s.text for s in paper.body_sections()), *paper.captions]
    texts += [t.as_text() for t in paper.tables]
    numbers = [n for text in texts for sentence in split_sentences(text) for n in find_numbers(sentence)]
    unsupported = [n.text for n in numbers if not all(index.supports(q) for q in n.parts)]
    assert unsupported == []
    assert numbers or truth["file"].endswith("-t3.pdf")
