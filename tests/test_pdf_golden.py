"""Golden section trees, one per layout family (one column, two columns, outline, Chinese).

The sample papers in examples/ always run; corpus papers run when ../shared/corpus is present.
After an intended reader change, rewrite the goldens and review the diff:

    CHATPAPER_UPDATE_GOLDEN=1 python -m pytest tests/test_pdf_golden.py
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from chatpaper.models import Paper
from chatpaper.pdf import read_paper
from tests.conftest import CORPUS, EXAMPLES

GOLDEN = Path(__file__).resolve().parent / "golden" / "sections"
# read at import: the autouse fixture clears CHATPAPER_* variables before each test runs
UPDATE = os.environ.get("CHATPAPER_UPDATE_GOLDEN") == "1"

CASES = {
    # name: (where, file, layout family)
    "skimrag": ("examples", "skimrag-long-document-qa.pdf", "two columns, numbered, running header"),
    "soil-moisture": ("examples", "soil-moisture-graph-gp.pdf", "one column, outline, ALL-CAPS Roman"),
    "keyphrase-zh": ("examples", "keyphrase-distillation-zh.pdf", "Chinese"),
    "acl-s2orc": ("corpus", "2020.acl-main.447.pdf", "two columns, no outline"),
    "revtex-bethe": ("corpus", "1111.2011v2.pdf", "two columns, outline"),
    "plos-one": ("corpus", "plos-one-wheat-coleoptiles.pdf", "one column, side bar, no outline"),
    "acm-paper-plain": ("corpus", "2203.00130v1.pdf", "one column, outline, ALL-CAPS headings"),
    "langgpt-zh": ("corpus", "langgpt-zh.pdf", "Chinese, outline"),
    "dvips-bitmap-rrt": ("corpus", "lavalle-1998-rrt-t3.pdf", "dvips Type-3 bitmap fonts, two columns"),
}


def snapshot(paper: Paper, family: str) -> dict:
    return {
        "family": family,
        "title": paper.title,
        "authors": paper.authors,
        "sections": [
            {
                "heading": s.heading,
                "level": s.level,
                "page": s.page,
                "role": s.role,
                "text": " ".join(s.text.split())[:80],
            }
            for s in paper.sections
        ],
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_section_tree_matches_golden(name: str) -> None:
    where, file, family = CASES[name]
    pdf = (EXAMPLES if where == "examples" else CORPUS / "pdfs") / file
    if where == "corpus" and not pdf.is_file():
        pytest.skip(f"real-paper corpus not found at {CORPUS} (it sits beside the repo in CI)")
    got = render(snapshot(read_paper(pdf), family))
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.is_file(), f"no golden for {name}; run with CHATPAPER_UPDATE_GOLDEN=1 to create it"
    want = path.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(
            difflib.unified_diff(
                want.splitlines(keepends=True), got.splitlines(keepends=True), f"golden/{name}.json", "parsed now"
            )
        )
        pytest.fail(
            f"section tree of {file} changed (CHATPAPER_UPDATE_GOLDEN=1 rewrites the golden):\n{diff}", pytrace=False
        )
