"""The sample papers in examples/ parse perfectly (they always exist, so these run on a fresh clone)."""

from __future__ import annotations

import importlib.util
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pymupdf
import pytest

from chatpaper.models import Paper
from chatpaper.pdf import read_paper
from chatpaper.pdf.reader import PdfDocument
from tests.conftest import EXAMPLES

SKIM = "skimrag-long-document-qa.pdf"
SOIL = "soil-moisture-graph-gp.pdf"
ZH = "keyphrase-distillation-zh.pdf"


@cache
def parsed(name: str) -> Paper:
    return read_paper(EXAMPLES / name)


def headings(paper: Paper, level: int | None = None) -> list[str]:
    return [s.heading for s in paper.sections if level is None or s.level == level]


def test_two_column_paper() -> None:
    paper = parsed(SKIM)
    assert paper.title == "SkimRAG: Budgeted Evidence Skimming for Long-Document Question Answering"
    assert paper.authors == ["Mara Lindqvist", "Tomás Okafor", "Wei Zhang"]
    assert paper.first_author_affiliation == "Department of Computer Science, Northbridge University"
    assert paper.keywords == [
        "long-document question answering",
        "retrieval",
        "token budget",
        "submodular selection",
    ]
    assert paper.abstract.startswith("Question answering over long documents such as contracts")
    assert paper.abstract.endswith("Code is available at https://github.com/example-lab/skimrag.")
    assert paper.code_urls == ["https://github.com/example-lab/skimrag"]
    assert paper.language == "en" and not paper.has_outline and paper.pages == 4
    assert headings(paper, 1) == [
        "1 Introduction",
        "2 Related Work",
        "3 Method",
        "4 Experiments",
        "5 Conclusion",
        "Limitations",
        "Acknowledgments",
        "References",
        "A Implementation Details",
        "B Dataset Statistics",
    ]
    assert headings(paper, 2) == [
        "3.1 Skimming with a Sparse Encoder",
        "3.2 Budgeted Coverage Selection",
        "3.3 Training the Skimmer",
        "4.1 Datasets and Baselines",
        "4.2 Main Results",
        "4.3 Ablations",
        "4.4 Error Analysis",
    ]
    roles = {s.heading: s.role for s in paper.sections}
    assert roles["1 Introduction"] == "introduction"
    assert roles["2 Related Work"] == "related_work"
    assert roles["3 Method"] == roles["3.2 Budgeted Coverage Selection"] == "method"
    assert roles["4 Experiments"] == "experiments"
    assert roles["4.2 Main Results"] == "results"
    assert roles["5 Conclusion"] == "conclusion"
    assert roles["References"] == "references"
    assert roles["A Implementation Details"] == roles["B Dataset Statistics"] == "appendix"


def test_one_column_paper_with_outline() -> None:
    paper = parsed(SOIL)
    assert paper.title == (
        "Forecasting Soil Moisture from Sparse Sensor Networks with Physics-Guided Graph Gaussian Processes"
    )
    assert paper.authors == ["Ines Carvalho", "Jonas Brandt", "Priya Raman"]
    assert paper.first_author_affiliation == (
        "Institute of Environmental Sensing, Lakeside Technical University, Porto, Portugal"
    )
    assert paper.keywords == ["soil moisture", "Gaussian processes", "sensor networks", "graph kernels", "irrigation"]
    assert paper.has_outline
    assert paper.code_urls == ["https://github.com/example-lab/soilgp"]
    assert headings(paper, 1) == [
        "I. INTRODUCTION",
        "II. RELATED WORK",
        "III. PROPOSED METHOD",
        "IV. EXPERIMENTS",
        "V. DISCUSSION",
        "VI. CONCLUSION",
        "ACKNOWLEDGMENT",
        "REFERENCES",
        "APPENDIX A. HYPERPARAMETERS",
        "APPENDIX B. DATA PREPROCESSING",
    ]
    assert headings(paper, 2)[:3] == ["A. Graph of Sensor Sites", "B. Water Balance Kernel", "C. Inference"]
    roles = {s.heading: s.role for s in paper.sections}
    assert roles["III. PROPOSED METHOD"] == "method"
    assert roles["C. Results"] == "results"
    assert roles["APPENDIX B. DATA PREPROCESSING"] == "appendix"


def test_the_same_paper_without_its_outline_gives_the_same_tree(tmp_path: Path) -> None:
    doc = pymupdf.open(EXAMPLES / SOIL)
    doc.set_toc([])
    plain = tmp_path / "no-outline.pdf"
    doc.save(plain)
    doc.close()
    without = read_paper(plain)
    assert not without.has_outline
    with_outline = parsed(SOIL)
    assert [(s.heading, s.level, s.page) for s in without.sections] == [
        (s.heading, s.level, s.page) for s in with_outline.sections
    ]


def test_chinese_paper() -> None:
    paper = parsed(ZH)
    assert paper.language == "zh"
    assert paper.title == "基于轻量级知识蒸馏的中文科技论文关键词抽取"
    assert paper.authors == ["张明远", "李思涵", "王晓峰"]
    assert paper.first_author_affiliation == "北方理工大学 计算机学院，北京 100081"
    assert paper.keywords == ["关键词抽取", "知识蒸馏", "科技文献", "序列标注"]
    assert paper.abstract.startswith("关键词是科技文献检索和知识组织的重要依据")
    assert paper.code_urls == ["https://github.com/example-lab/kd-keyphrase"]
    assert headings(paper, 1) == ["1 引言", "2 相关工作", "3 方法", "4 实验", "5 结论", "参考文献", "附录 A 训练细节"]
    roles = {s.heading: s.role for s in paper.sections}
    assert roles["1 引言"] == "introduction"
    assert roles["2 相关工作"] == "related_work"
    assert roles["4.2 主要结果"] == "results"
    assert roles["参考文献"] == "references"
    assert roles["附录 A 训练细节"] == "appendix"
    # a line broken inside a word joins without a space, and no character is lost at a line end
    text = "".join(s.text for s in paper.sections)
    assert "训练目标包括三部分：与人工标签的交叉熵" in text


@pytest.mark.parametrize("name", [SKIM, SOIL, ZH])
def test_clean_body_text(name: str) -> None:
    paper = parsed(name)
    body = "\n".join(s.text for s in paper.body_sections())
    # running headers, page numbers and captions stay out of the text the LLM reads
    assert "SkimRAG: Budgeted Evidence Skimming for Long-Document QA" not in body
    assert "中文信息处理学报（示例）" not in body
    assert "Page 2" not in body
    assert not any(caption in body for caption in paper.captions)
    assert paper.captions
    # references are kept, but not for the LLM
    assert sum(s.role == "references" for s in paper.sections) == 1
    assert all(s.role != "references" for s in paper.body_sections())


def test_hyphenation_across_lines_is_undone() -> None:
    text = " ".join(s.text for s in parsed(SKIM).sections)
    # make_papers.py hyphenates long words at line ends ("Repla-" / "cing")
    assert "Repla-" not in text and "Replacing sub-intent coverage" in text
    assert "- " not in text.replace(" - ", "")


def test_extractive_material_is_there() -> None:
    """The offline summarizer picks sentences by role: each role it needs has real prose."""
    paper = parsed(SKIM)
    by_role: dict[str, str] = {}
    for s in paper.body_sections():
        by_role[s.role] = by_role.get(s.role, "") + s.text
    assert "we propose SkimRAG" in by_role["introduction"]
    assert "However" in by_role["related_work"]
    assert "greedy algorithm" in by_role["method"]
    assert "47.9" not in by_role["results"]  # table cells are not prose ...
    assert "4.6 points" in by_role["results"]  # ... the sentences about them are


def test_papers_read_from_worker_threads_come_out_the_same() -> None:
    """The pipeline reads papers on a thread pool; MuPDF itself is not thread-safe."""
    names = [SKIM, SOIL, ZH] * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        papers = list(pool.map(lambda name: read_paper(EXAMPLES / name), names))
    for name, paper in zip(names, papers, strict=True):
        assert paper.model_dump() == parsed(name).model_dump()


def test_make_papers_is_deterministic(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_papers", EXAMPLES / "make_papers.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    module.build_skimrag(tmp_path / SKIM)
    module.build_chinese(tmp_path / ZH)
    assert (tmp_path / SKIM).read_bytes() == (EXAMPLES / SKIM).read_bytes()
    assert (tmp_path / ZH).read_bytes() == (EXAMPLES / ZH).read_bytes()


def test_long_paper_streams_page_by_page(tmp_path: Path) -> None:
    """A 150-page document parses; pages come from a generator, one MuPDF page at a time."""
    doc = pymupdf.open()
    words = "Long documents are read one page at a time so that memory does not grow with the page count. "
    for number in range(150):
        page = doc.new_page()
        if number == 0:
            page.insert_text((72, 80), "A Very Long Technical Report", fontname="hebo", fontsize=18)
            page.insert_text((72, 104), "Ada Lovelace and Charles Babbage", fontname="helv", fontsize=11)
        if number % 10 == 0:
            page.insert_text((72, 140), f"{number // 10 + 1} Chapter {number // 10 + 1}", fontname="hebo", fontsize=14)
        page.insert_textbox(pymupdf.Rect(72, 160, 540, 740), words * 12, fontname="helv", fontsize=10)
        page.insert_text((300, 780), str(number + 1), fontname="helv", fontsize=9)
    path = tmp_path / "long.pdf"
    doc.save(path)
    doc.close()
    with PdfDocument(path) as opened:
        pages = opened.pages()
        assert iter(pages) is pages  # lazy: nothing is read before it is asked for
        first = next(pages)
        assert first.number == 1
    paper = read_paper(path)
    assert paper.pages == 150
    assert paper.title == "A Very Long Technical Report"
    assert paper.authors == ["Ada Lovelace", "Charles Babbage"]
    assert [s.heading for s in paper.sections if s.level == 1] == [f"{n} Chapter {n}" for n in range(1, 16)]
    assert all(s.page == 10 * k + 1 for k, s in enumerate(paper.sections))
