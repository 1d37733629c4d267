"""The heading vocabulary: numbering, role words, end matter (chatpaper/pdf/headings.py)."""

from __future__ import annotations

import pytest

from chatpaper.pdf.headings import (
    is_end_matter_section,
    is_front_matter_box,
    is_references_heading,
    is_supplement_section,
    names_a_list,
    names_contents,
    parse_numbering,
    role_from_heading,
    role_from_heading_stems,
    strip_numbering,
)

# --- numbering and roles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "label", "depth", "words"),
    [
        ("1 Introduction", "1", 1, "Introduction"),
        ("2.1 Datasets", "2.1", 2, "Datasets"),
        ("1. Introduction", "1.", 1, "Introduction"),
        ("IV. EXPERIMENTS", "IV.", 1, "EXPERIMENTS"),
        ("A. Ordered Phase", "A.", 1, "Ordered Phase"),
        ("B.2 Details", "B.2", 2, "Details"),
        ("C. Inference", "C.", 1, "Inference"),
        ("Appendix A: Proofs", "Appendix A:", 1, "Proofs"),
        ("3 面向大语言模型的框架", "3", 1, "面向大语言模型的框架"),
        ("二、实验结果", "二、", 1, "实验结果"),
    ],
)
def test_numbering(heading: str, label: str, depth: int, words: str) -> None:
    number, rest = parse_numbering(heading)
    assert number is not None and number.label == label and number.depth == depth
    assert rest == words == strip_numbering(heading)


@pytest.mark.parametrize("text", ["A Study of Things", "2 × 3 matrices", "0.7 points better", "40 papers were read"])
def test_not_numbering(text: str) -> None:
    assert parse_numbering(text)[0] is None


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("1 Introduction", "introduction"),
        ("II. RELATED WORK", "related_work"),
        ("Prior Work", "related_work"),
        ("Literature Review", "related_work"),
        ("3 Approach", "method"),
        ("Our Model", "method"),
        ("Proposed Method", "method"),
        ("Preliminaries", "background"),
        ("Problem Formulation", "background"),
        ("4 Evaluation", "experiments"),
        ("Experimental Setup", "experiments"),
        ("Experiments and Results", "experiments"),
        ("5.1 Main Results", "results"),
        ("Discussion & Future Work", "discussion"),
        ("Limitations", "discussion"),
        ("6 Conclusions", "conclusion"),
        ("References", "references"),
        ("Appendix B. Proofs", "appendix"),
        ("Acknowledgments", "other"),
        ("1 引言", "introduction"),
        ("2 相关工作", "related_work"),
        ("3 方法", "method"),
        ("4 实验", "experiments"),
        ("5 结论", "conclusion"),
        ("参考文献", "references"),
    ],
)
def test_roles_from_heading_words(heading: str, role: str) -> None:
    assert role_from_heading(heading) == role


def test_unknown_headings_have_no_role_of_their_own() -> None:
    assert role_from_heading("3 PaperPlain: Reading Support") is None


@pytest.mark.parametrize(
    "heading",
    [
        "Acknowledgments",
        "ACKNOWLEDGEMENT",
        "Funding",
        "Author Contributions",
        "Conflicts of Interest",
        "Competing interests",
        "Declaration of competing interest",
        "Ethical Considerations",
        "8.3 Ethical and Social Implications",
        "Broader Impact",
        "Limitations",
        "8.4 Limitations",
        "Data availability statement",
        "致 谢",
        "Notes",
        "Endnotes",
        "Consent for publication",
        "Informed Consent Statement",
        "Publisher's Note",
        "Author details",
        "Rights and permissions",
        "Abbreviations",
    ],
)
def test_end_matter_sections(heading: str) -> None:
    assert is_end_matter_section(heading)


@pytest.mark.parametrize(
    "heading",
    [
        "Limitations of the Study",
        "5.7 Limitations of the parser",
        "Funding models for open science",
        "Discussion",
        "Notes on the sampling design",
        "Open access to the archive",
        "Abbreviations used for the species",
    ],
)
def test_sections_that_discuss_limits_or_name_a_topic_are_not_end_matter(heading: str) -> None:
    """A 'Limitations' heading alone is the statement venues ask for; with more words it discusses results."""
    assert not is_end_matter_section(heading)


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("Supporting information", True),
        ("Supplementary data", True),
        ("Supplemental tables", True),
        ("Supplements", False),
    ],
)
def test_supplements(heading: str, role: bool) -> None:
    assert is_supplement_section(heading) is role


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("Modelling choices", "method"),
        ("Summary", "conclusion"),
        ("Preliminary definitions", "background"),
        ("Benchmarking the parser", "experiments"),
        ("Literature", "related_work"),
        ("Ada Lovelace, Alan Turing", None),
    ],
)
def test_roles_from_word_stems(heading: str, role: str | None) -> None:
    assert role_from_heading_stems(heading) == role


@pytest.mark.parametrize(
    "heading",
    [
        "Acknowledgments and Disclosure of Funding",
        "CRediT authorship contribution statement",
        "Authors' contributions",
        "Data and code availability",
        "NeurIPS Paper Checklist",
        "Inclusion and Diversity:",
    ],
)
def test_end_matter_the_prompt_left_out_too(heading: str) -> None:
    """One rule for the summary and the prompt (the prompt's own list had these)."""
    assert is_end_matter_section(heading)


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("1 Einleitung", "introduction"),
        ("Ergebnisse und Diskussion", "results"),
        ("Experimenteller Teil", "experiments"),
        ("Literaturverzeichnis", "references"),
        ("2. État de l'art", "related_work"),
        ("Références", "references"),
        ("3. Método", "method"),
        ("Bibliografía", "references"),
        ("1 INTRODUÇÃO", "introduction"),
        ("7 CONSIDERAÇÕES FINAIS", "conclusion"),
        ("Введение", "introduction"),
        ("Список литературы", "references"),
        ("Заключение", "conclusion"),
        ("はじめに", "introduction"),
        ("5 考察", "discussion"),
        ("引用文献", "references"),
        ("Anhang A Messdaten", "appendix"),
        ("Приложение Б. Исходные данные", "appendix"),
        ("付録A 計算の詳細", "appendix"),
    ],
)
def test_roles_in_other_languages(heading: str, role: str) -> None:
    assert role_from_heading(heading) == role


@pytest.mark.parametrize(
    ("heading", "label", "kind", "words"),
    [
        ("Kapitel 2 Grundlagen", "Kapitel 2", "arabic", "Grundlagen"),
        ("Глава 3. Численные эксперименты", "Глава 3.", "arabic", "Численные эксперименты"),
        ("Приложение В. Формат файлов", "Приложение В.", "appendix", "Формат файлов"),
        ("В.2. Схема данных", "В.2.", "letter", "Схема данных"),
        ("付録B 装置の改良", "付録B", "appendix", "装置の改良"),
        ("第2章 理論", "第2章", "zh", "理論"),
        ("AppendixA.Tables", "AppendixA.", "appendix", "Tables"),
    ],
)
def test_numbering_in_other_languages(heading: str, label: str, kind: str, words: str) -> None:
    number, rest = parse_numbering(heading)
    assert number is not None and (number.label, number.kind, rest) == (label, kind, words)


@pytest.mark.parametrize("text", ["Appendices", "Sections of a curve", "Chapters 2 and 3 show"])
def test_number_words_without_a_label_are_words(text: str) -> None:
    assert parse_numbering(text)[0] is None


@pytest.mark.parametrize(
    ("heading", "box"),
    [("In Brief:", True), ("Graphical Abstract", True), ("HIGHLIGHTS", True), ("Significance", True),
     ("Significance of the results", False), ("Introduction", False)],
)  # fmt: skip
def test_front_matter_boxes(heading: str, box: bool) -> None:
    assert is_front_matter_box(heading) is box


@pytest.mark.parametrize("heading", ["Contents", "TABLE OF CONTENTS", "目次", "Оглавление", "Table des matières"])
def test_tables_of_contents(heading: str) -> None:
    assert names_contents(heading) and not names_a_list(heading)


@pytest.mark.parametrize("heading", ["List of Figures", "插图清单", "Список таблиц", "Abbildungsverzeichnis"])
def test_lists_of_figures_and_tables(heading: str) -> None:
    assert names_a_list(heading) and not names_contents(heading)


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("Références", "references"), ("Bibliographie", "references"), ("Bibliografía", "references"),
        ("Referencias", "references"), ("Literatur", "references"), ("LITERATUR", "references"),
        ("Литература", "references"), ("Список литературы", "references"), ("参考文献", "references"),
        ("引用文献", "references"), ("Anhang", "appendix"), ("Annexe", "appendix"), ("Apêndice", "appendix"),
        ("Приложение", "appendix"), ("附录", "appendix"), ("付録", "appendix"),
    ],
)  # fmt: skip
def test_end_matter_in_other_languages(heading: str, role: str) -> None:
    """Reference lists in any language never reach the LLM (role references); appendices are marked."""
    assert role_from_heading(heading) == role
    assert is_references_heading(heading) is (role == "references")
