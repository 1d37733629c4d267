"""Prompt templates render with exactly the variables the code passes, under StrictUndefined."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
import pytest

from chatpaper.llm import prompts
from chatpaper.llm.budget import Excerpt, PaperText
from chatpaper.llm.structured import answer_schema, answer_skeleton
from chatpaper.models import JUDGEMENT_QUESTIONS, ArxivEntry

REPO = Path(__file__).resolve().parents[1]


def sample_text(*, arxiv: bool = False, sparse: bool = False) -> PaperText:
    entry = ArxivEntry(arxiv_id="2401.00001", version=1, title="arXiv Title", authors=["A. Author"]) if arxiv else None
    if sparse:  # what a scan with nothing found looks like
        return PaperText("", [], None, "", "", [], [], [Excerpt("", 1, "other", "Body text.")], entry)
    return PaperText(
        title="Sparse Widgets",
        authors=["Ada Lovelace", "Alan Turing"],
        affiliation="Analytical Engine Lab",
        front_matter="Ada Lovelace, Analytical Engine Lab",
        abstract="We present widgets.",
        keywords=["widgets", "gadgets"],
        code_urls=["https://github.com/example/widgets"],
        excerpts=[
            Excerpt("1 Introduction", 1, "introduction", "Widgets matter."),
            Excerpt("3.1 Encoder", 2, "method", "The encoder [...]", truncated=True),
        ],
        arxiv=entry,
    )


def variants() -> list[tuple[str, dict[str, Any]]]:
    """Every template with the variables the code builds, in each shape the code can produce."""
    cases: list[tuple[str, dict[str, Any]]] = []
    for language in ("en", "zh"):
        for fmt in (None, answer_skeleton()):
            cases.append(("system.j2", prompts.system_vars(language, fmt)))
    for arxiv in (False, True):
        for sparse in (False, True):
            text = sample_text(arxiv=arxiv, sparse=sparse)
            cases.append(("user.j2", prompts.user_vars(text)))
            cases.append(("reduce.j2", prompts.reduce_vars(text, ["note one", "note two"])))
    cases.append(("map.j2", prompts.map_vars("Sparse Widgets", sample_text().excerpts, 1, 3, 120)))
    cases.append(("reask.j2", prompts.reask_vars("summary: Field required")))
    return cases


@pytest.mark.parametrize(("name", "variables"), variants(), ids=lambda v: v if isinstance(v, str) else "")
def test_template_renders_with_exactly_the_code_variables(name: str, variables: dict[str, Any]) -> None:
    assert prompts.template_variables(name) == set(variables)
    text = prompts.render(name, variables)
    assert text and "\n\n\n" not in text


def test_every_template_has_a_variable_builder() -> None:
    on_disk = {p.name for p in prompts.prompts_dir().glob("*.j2") if not p.name.startswith("_")}
    assert on_disk == set(prompts.TEMPLATES) == set(prompts.VARIABLE_BUILDERS)


def test_a_missing_variable_is_an_error() -> None:
    variables = prompts.user_vars(sample_text())
    del variables["abstract"]
    with pytest.raises(jinja2.UndefinedError):
        prompts.render("user.j2", variables)


def test_user_prompt_shows_metadata_sections_and_links() -> None:
    text = prompts.render("user.j2", prompts.user_vars(sample_text()))
    for part in (
        "Title: Sparse Widgets",
        "Authors: Ada Lovelace, Alan Turing",
        "Analytical Engine Lab",
        "We present widgets.",
        "https://github.com/example/widgets",
        "## 1 Introduction",
        "### 3.1 Encoder",
    ):
        assert part in text


def test_arxiv_metadata_replaces_the_pdf_title() -> None:
    text = prompts.render("user.j2", prompts.user_vars(sample_text(arxiv=True)))
    assert "arXiv metadata (authoritative" in text and "Title: arXiv Title" in text
    assert "Title: Sparse Widgets" not in text


def test_chinese_system_prompt_keeps_terms_in_english_and_translates_the_title() -> None:
    zh = prompts.render("system.j2", prompts.system_vars("zh", None))
    assert "简体中文" in zh and "in English" in zh and "title_translated" in zh
    en = prompts.render("system.j2", prompts.system_vars("en", None))
    assert "简体中文" not in en and "null" in en


def test_instructions_stay_compact() -> None:
    from chatpaper.tokens import estimate_tokens

    system = prompts.render("system.j2", prompts.system_vars("zh", None))
    frame = prompts.render("user.j2", prompts.user_vars(sample_text(sparse=True)))
    assert estimate_tokens(system) + estimate_tokens(frame) < 500  # 450 before the evidence instruction


# The visible definitions, pinned: servers that use the schema only to constrain decoding (vLLM, Ollama)
# never show it to the model, so the system prompt itself must say what each point is and ask both questions.
DEFINITIONS = {
    "background": "(1) The research background: the problem and why it matters.",
    "prior_work": "(2) Past methods and their problems; then answer, with a reason: Is the paper's motivation sound?",
    "method": "(3) The method the paper proposes: what it is and how it works.",
    "results": "(4) The tasks, datasets and performance achieved, with the key numbers; then answer, with a reason: "
    "Do the results support the paper's goals?",
}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("mode", ["json_schema", "json_object", "prompt"])
def test_system_prompt_defines_the_four_points_and_asks_both_questions(language: str, mode: str) -> None:
    skeleton = None if mode == "json_schema" else answer_skeleton()
    system = prompts.render("system.j2", prompts.system_vars(language, skeleton))  # type: ignore[arg-type]
    for name, definition in DEFINITIONS.items():
        assert f"- {name}: {definition}" in system
    for question in JUDGEMENT_QUESTIONS.values():
        assert question in system
    assert "in words" in system
    # every point's evidence is asked for in words too: verbatim quotes, in the paper's own language
    assert "back each point with 1-3 short quotes copied verbatim from the paper, in its own language" in system
    assert "Every quote and number is checked against the paper." in system
    if skeleton:
        assert '"evidence": {' in system and '"results": list of strings: Quotes supporting point (4).' in system


def test_the_definitions_have_one_owner() -> None:
    # the schema the server enforces and the visible prompt say the same, because both read SummaryPoints
    points = answer_schema()["properties"]["summary"]["properties"]
    assert {name: p["description"] for name, p in points.items()} == DEFINITIONS


def test_the_paper_comes_last_after_a_fixed_opening() -> None:
    user = prompts.render("user.j2", prompts.user_vars(sample_text()))
    assert user.startswith("Summarize this paper.\n")
    assert user.endswith("The encoder [...]")  # the last section's text closes the prompt
    reduce = prompts.render("reduce.j2", prompts.reduce_vars(sample_text(), ["note one", "note two"]))
    assert reduce.startswith("Summarize this paper") and reduce.endswith("note two")


def test_the_reader_title_and_authors_are_marked_printed_or_a_guess() -> None:
    printed = prompts.render("user.j2", prompts.user_vars(sample_text()))
    assert "printed on the paper: copy as given" in printed and "a guess" not in printed
    guessed = replace(sample_text(), title="paper-final-v2", title_source="file-name", authors=[])
    text = prompts.render("user.j2", prompts.user_vars(guessed))
    assert "Title: paper-final-v2\n(The title above is a guess" in text
    assert "Authors: (not found: take them from the first page)" in text


def test_prompt_version_is_a_short_hash_that_follows_the_schema() -> None:
    version = prompts.prompt_version(answer_schema())
    assert re.fullmatch(r"[0-9a-f]{12}", version)
    assert prompts.prompt_version(answer_schema()) == version
    assert prompts.prompt_version({**answer_schema(), "x": 1}) != version


def test_templates_ship_inside_the_wheel() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    included = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert included["prompts"] == "chatpaper/prompts"
    assert prompts.prompts_dir().name == "prompts"
