"""Section choice within a token budget, the answer's room and map chunks."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatpaper.llm.budget import (
    KEY_ROLES,
    ROLE_WEIGHT,
    WHOLE_PAPER_TEXT,
    Excerpt,
    answer_room,
    default_prompt_cap,
    fit_paper,
    key_sections_fit,
    own_method_names,
    select_excerpts,
    shorten,
    split_for_map,
    waterfill,
)
from chatpaper.models import Paper, Section, Table
from chatpaper.tokens import estimate_tokens


def para(topic: str, n: int) -> str:
    return "\n\n".join(
        f"Paragraph {i} about the {topic}. " + f"More detail on the {topic} here. " * 12 for i in range(n)
    )


def paper(sections: list[Section], **fields: object) -> Paper:
    return Paper(
        path="p.pdf", sha256="0" * 64, pages=10, title="T", abstract="An abstract. " * 10, sections=sections, **fields
    )


def typical() -> Paper:
    return paper(
        [
            Section(
                heading="1 Introduction",
                role="introduction",
                text=para("introduction", 8) + "\n\nOur contributions: X, Y.",
            ),
            Section(heading="2 Related Work", role="related_work", text=para("related work", 8)),
            Section(heading="3 Method", role="method", text=""),
            Section(heading="3.1 Encoder", level=2, role="method", text=para("encoder", 8)),
            Section(heading="3.2 Decoder", level=2, role="method", text=para("decoder", 8)),
            Section(heading="4 Experiments", role="experiments", text=para("experiments", 10)),
            Section(heading="5 Results", role="results", text=para("results", 8) + "\n\nOverall we gain 7.3 BLEU."),
            Section(heading="6 Conclusion", role="conclusion", text=para("conclusion", 2)),
            Section(heading="Acknowledgments", role="end_matter", text="We thank everyone. " * 20),
            Section(heading="References", role="references", text="[1] REFMARK. " * 300),
            Section(heading="A Appendix", role="appendix", text=para("appendix", 10)),
        ]
    )


def test_selection_covers_key_sections_and_never_references() -> None:
    text = fit_paper(typical(), 3000)
    roles = {e.role for e in text.excerpts}
    assert {"introduction", "method", "experiments", "results", "conclusion"} <= roles
    assert "references" not in roles and "appendix" not in roles
    assert all("REFMARK" not in e.text for e in text.excerpts)
    assert all(e.heading != "Acknowledgments" for e in text.excerpts)
    assert text.tokens <= 3000


def test_every_key_section_gets_its_opening_and_a_fair_share() -> None:
    text = fit_paper(typical(), 3000)
    by_heading = {e.heading: e for e in text.excerpts}
    for heading in ("1 Introduction", "3.1 Encoder", "3.2 Decoder", "4 Experiments", "5 Results"):
        assert by_heading[heading].text.startswith("Paragraph 0")
        assert by_heading[heading].tokens >= 150
    # The method, weighted highest, gets more than related work.
    method = sum(e.tokens for e in text.excerpts if e.role == "method")
    related = sum(e.tokens for e in text.excerpts if e.role == "related_work")
    assert method > related
    # A short conclusion is shown whole.
    assert not by_heading["6 Conclusion"].truncated


def test_intro_and_results_keep_their_closing_paragraph() -> None:
    text = fit_paper(typical(), 3000)
    by_heading = {e.heading: e for e in text.excerpts}
    assert "Our contributions: X, Y." in by_heading["1 Introduction"].text
    assert "7.3 BLEU" in by_heading["5 Results"].text
    assert "[...]" in by_heading["1 Introduction"].text


def test_parent_heading_is_kept_before_its_subsections() -> None:
    headings = [e.heading for e in fit_paper(typical(), 3000).excerpts]
    assert headings.index("3 Method") + 1 == headings.index("3.1 Encoder")


def test_appendix_only_with_budget_to_spare() -> None:
    text = fit_paper(typical(), 40_000)
    assert any(e.role == "appendix" for e in text.excerpts)
    assert not any(e.truncated for e in text.excerpts if e.role != "appendix")


def test_many_short_subsections_do_not_starve() -> None:
    sections = [Section(heading="1 Introduction", role="introduction", text=para("introduction", 6))]
    sections += [
        Section(heading=f"3.{i} Function {i}", level=2, role="method", text=para(f"function {i}", 3)) for i in range(40)
    ]
    text = fit_paper(paper(sections), 2500)
    method = [e for e in text.excerpts if e.role == "method"]
    assert 2 <= len(method) < 40
    assert all(e.tokens >= 40 for e in method)


def test_a_paper_without_roles_still_gets_its_text() -> None:
    text = fit_paper(paper([Section(heading="", role="other", text=para("everything", 20))]), 2000)
    assert text.excerpts and text.excerpts[0].text.startswith("Paragraph 0")


def test_front_matter_when_the_reader_found_no_affiliation() -> None:
    sections = [
        Section(heading="Ada Lovelace1, Alan Turing2", role="other", text="1 Analytical Engine Lab, London"),
        Section(heading="Introduction", role="introduction", text=para("introduction", 3)),
    ]
    text = fit_paper(paper(sections), 3000)
    assert "Analytical Engine Lab" in text.front_matter and "Ada Lovelace" in text.front_matter
    assert [e.heading for e in text.excerpts] == ["Introduction"]
    assert fit_paper(paper(sections, first_author_affiliation="Lab"), 3000).front_matter == ""


def test_waterfill_gives_short_items_all_they_need() -> None:
    assert waterfill([100, 1000, 1000], [1, 1, 1], 1100) == [100, 500, 500]
    assert waterfill([100, 1000], [1, 3], 10_000) == [100, 1000]
    assert sum(waterfill([5000, 5000, 5000], [1.5, 1.0, 0.5], 3000)) <= 3000
    assert waterfill([10, 10], [0, 1], 100) == [0, 10]


def test_shorten_cuts_at_a_sentence() -> None:
    text = "First sentence here. " * 100
    short = shorten(text, 50)
    assert estimate_tokens(short) <= 50 and short.endswith("[...]")
    assert shorten("short", 50) == "short"


def test_the_answer_keeps_a_third_of_a_small_window() -> None:
    assert answer_room(2048, 1500) == 682
    assert answer_room(128_000, 1500) == 1500


def test_key_sections_fit_decides_map_reduce() -> None:
    assert key_sections_fit(typical(), 3000)
    assert not key_sections_fit(typical(), 800)
    present = {s.role for s in typical().sections} & set(KEY_ROLES)
    assert present == set(KEY_ROLES)


def test_split_for_map_keeps_order_and_size() -> None:
    excerpts = select_excerpts(typical().sections, 6000)
    chunks = split_for_map(excerpts, 700)
    assert len(chunks) >= 6
    assert all(sum(e.tokens for e in chunk) <= 760 for chunk in chunks)
    flat = [e.heading for chunk in chunks for e in chunk]
    assert flat[0] == "1 Introduction" and "(continued)" in " ".join(flat)


def test_split_for_map_drops_heading_only_chunks() -> None:
    chunks = split_for_map([Excerpt("3 Method", 1, "method", ""), Excerpt("3.1 A", 2, "method", "text")], 500)
    assert chunks == [[Excerpt("3 Method", 1, "method", ""), Excerpt("3.1 A", 2, "method", "text")]]


# --- the whole paper on a large window -------------------------------------------------------------------


def test_a_16k_budget_carries_the_whole_body_and_the_appendix_when_room_is_left() -> None:
    text = fit_paper(typical(), WHOLE_PAPER_TEXT)
    shown = {e.heading: e for e in text.excerpts}
    for s in typical().sections:
        if s.role != "references" and s.heading != "Acknowledgments":
            assert shown[s.heading].text == s.text.strip() and not shown[s.heading].truncated
    assert text.abstract == typical().abstract.strip()  # the abstract whole, too
    assert text.tokens <= WHOLE_PAPER_TEXT


def test_default_prompt_cap_follows_the_window() -> None:
    assert default_prompt_cap(128_000, 800) == 800 + WHOLE_PAPER_TEXT
    assert default_prompt_cap(32_768, 800) == 800 + WHOLE_PAPER_TEXT
    assert default_prompt_cap(8_192, 800) == 3_500


# --- results tables ---------------------------------------------------------------------------------------

RESULTS_TABLE = Table(
    caption="Table 3: BLEU on the test sets.",
    label="Table 3",
    header=["Model", "WMT14", "WMT16"],
    rows=[[f"System {i}", f"{20 + i}.1", f"{30 + i}.2"] for i in range(150)] + [["Ours", "41.7", "44.0"]],
    page=6,
    section="5 Results",
)


def with_table(table: Table) -> Paper:
    sections = [s.model_copy() for s in typical().sections]
    sections[6] = sections[6].model_copy(update={"text": "As Table 3 shows, we win.\n\n" + sections[6].text})
    return typical().model_copy(update={"sections": sections, "tables": [table]})


def test_a_results_table_reaches_the_prompt_after_the_section_that_cites_it() -> None:
    text = fit_paper(with_table(RESULTS_TABLE), WHOLE_PAPER_TEXT)
    headings = [e.heading for e in text.excerpts]
    (table,) = [e for e in text.excerpts if e.table]
    assert table.text == RESULTS_TABLE.as_text() and table.role == "results"
    assert text.excerpts.index(table) == headings.index("5 Results") + 1


def test_a_cut_table_keeps_its_caption_header_and_whole_rows_inside_the_results_share() -> None:
    text = fit_paper(with_table(RESULTS_TABLE), 3000)
    (table,) = [e for e in text.excerpts if e.table]
    lines = table.text.splitlines()
    assert table.truncated and lines[:2] == ["Table 3: BLEU on the test sets.", "Model | WMT14 | WMT16"]
    assert lines[-1] == "[...]" and all(line.count(" | ") == 2 for line in lines[1:-1])
    results = sum(e.tokens for e in text.excerpts if e.role == "results")
    assert results <= 3000 * ROLE_WEIGHT["results"] / sum(ROLE_WEIGHT[r] for r in {e.role for e in text.excerpts})


def test_a_table_outside_the_results_is_not_sent() -> None:
    notation = RESULTS_TABLE.model_copy(
        update={"label": "Table 9", "caption": "Table 9: Notation.", "section": "3 Method"}
    )
    text = fit_paper(with_table(notation), WHOLE_PAPER_TEXT)
    assert not any(e.table for e in text.excerpts)


# --- the paper's own method first -----------------------------------------------------------------------


def own_method_paper() -> Paper:
    sections = paper(
        [
            Section(heading="1 Introduction", role="introduction", text=para("introduction", 4)),
            Section(heading="2 Baselines", role="method", text="We compare with two baselines."),
            Section(heading="2.1 Fine Tuning", level=2, role="method", text=para("fine tuning", 8)),
            Section(heading="2.2 Adapter Tuning", level=2, role="method", text=para("adapters", 8)),
            Section(heading="3 Proposed Approaches", role="method", text=""),
            Section(heading="3.1 Sparse Retrieval Tuning (SRT)", level=2, role="method", text=para("SRT", 8)),
            Section(heading="3.2 Gated SRT", level=2, role="method", text=para("gated SRT", 8)),
            Section(heading="4 Experiments", role="experiments", text=para("experiments", 6)),
            Section(heading="5 Conclusion", role="conclusion", text=para("conclusion", 2)),
        ]
    )
    return sections.model_copy(
        update={
            "title": "Sparse Retrieval Tuning for Paraphrase Generation",
            "abstract": "Paraphrasing matters. We propose Sparse Retrieval Tuning (SRT), a method for it.",
        }
    )


def test_own_method_names_come_from_the_title_and_abstract() -> None:
    names = own_method_names("Sparse Retrieval Tuning for Paraphrase Generation", own_method_paper().abstract)
    assert {"SRT", "Sparse Retrieval Tuning"} <= names
    # an abstract's field terms are not the paper's method
    assert "LLMs" not in own_method_names("A Study", "Large language models (LLMs) are popular. We test them.")
    assert "olmOCR 2" in own_method_names("olmOCR 2: Unit Test Rewards for Document OCR", "")


def test_a_cut_method_share_goes_to_the_papers_own_method_not_its_baselines() -> None:
    text = fit_paper(own_method_paper(), 2500)
    tokens = {e.heading: e.tokens for e in text.excerpts}
    own = tokens["3.1 Sparse Retrieval Tuning (SRT)"] + tokens["3.2 Gated SRT"]
    baselines = tokens.get("2.1 Fine Tuning", 0) + tokens.get("2.2 Adapter Tuning", 0)
    assert own > 2 * baselines


@pytest.mark.corpus
def test_rapt_and_nc_rapt_keep_the_method_share_of_2202_00535(corpus_dir: Path) -> None:
    from chatpaper.pdf import read_paper

    paper_2202 = read_paper(corpus_dir / "pdfs" / "2202.00535v1.pdf")
    text = fit_paper(paper_2202, 3000)
    method = {e.heading: e.tokens for e in text.excerpts if e.role == "method"}
    own = method["Retrieval Augmented Prompt Tuning (RAPT)"] + method["Novelty Conditioned RAPT (NC-RAPT)"]
    baselines = sum(method.get(h, 0) for h in ("Fine Tuning", "Adapter Tuning (AT)", "Low Rank Adaptation (LoRA)",
                                                "Prompt Tuning", "LoRA + Prompt Tuning (LPT)"))  # fmt: skip
    assert own >= 400 and own > 2 * baselines
    # and with the default budget of a large window, the whole method and the results tables are there
    whole = fit_paper(paper_2202, WHOLE_PAPER_TEXT)
    assert not any(e.truncated for e in whole.excerpts)
    assert any("SEPARATOR | 14.84 | 14.70 | 5.84" in e.text for e in whole.excerpts if e.table)


def test_a_long_unnamed_first_section_is_body_not_front_matter() -> None:
    # a magazine article whose headings were not found: its first pages are one unnamed page-1 section
    sections = [
        Section(heading="", role="other", text=para("opening", 30)),
        Section(heading="Related Work", role="related_work", text=para("related work", 3)),
    ]
    text = fit_paper(paper(sections), 16_000)
    assert text.front_matter == "" and text.excerpts[0].text == sections[0].text.strip()


def test_a_second_summary_in_other_words_is_sent_but_the_abstract_is_not_sent_twice() -> None:
    abstract = "We count hedgerow birds at dawn and find that wrens sing first in every month of the year."
    in_brief = "Lindgren et al. show that wrens open the dawn chorus, which matters for survey timing."
    sections = [
        Section(heading="Abstract", role="abstract", text=abstract),
        Section(heading="In Brief", role="abstract", text=in_brief),
        Section(heading="1 Introduction", role="introduction", text=para("introduction", 2)),
    ]
    text = fit_paper(paper(sections).model_copy(update={"abstract": abstract}), WHOLE_PAPER_TEXT)
    assert text.abstract == abstract
    assert [e.heading for e in text.excerpts] == ["In Brief", "1 Introduction"]
