"""Pipeline rules that no single backend owns: which code link a report may carry."""

from __future__ import annotations

import pytest

from chatpaper.llm.backend import Draft
from chatpaper.llm.extractive import ExtractiveBackend
from chatpaper.models import Paper, PaperRef, Section, SummaryAnswer, SummaryPoints
from chatpaper.pipeline import build_summary
from chatpaper.settings import Settings

OWN = "https://github.com/example-lab/skimrag"
THIRD_PARTY = "https://github.com/huggingface/transformers"


def paper(code_urls: list[str], text: str = "") -> Paper:
    return Paper(
        path="p.pdf",
        sha256="0" * 64,
        pages=1,
        title="A Paper",
        sections=[Section(heading="Introduction", role="introduction", text=text or "We build on prior work.")],
        code_urls=code_urls,
    )


def draft(code_url: str | None) -> Draft:
    points = SummaryPoints(background="b", prior_work="p", method="m", results="r")
    answer = SummaryAnswer(
        title="A Paper",
        title_translated=None,
        authors=["A. Author"],
        first_author_affiliation=None,
        keywords=["k"],
        code_url=code_url,
        summary=points,
    )
    return Draft(answer)


@pytest.mark.parametrize(
    ("claimed", "printed", "text", "kept"),
    [
        (OWN, [OWN, THIRD_PARTY], "", OWN),  # printed as a link
        (OWN + "/", [OWN], "", OWN + "/"),  # a trailing slash is the same link
        (OWN, [], f"Code is at {OWN.removeprefix('https://')}.", OWN),  # printed in the text only
        ("https://github.com/made-up/repo", [OWN], "", None),  # invented: dropped, not swapped for another
        (None, [THIRD_PARTY], "", None),  # the model saw the links and said none is the paper's own
    ],
)
def test_code_url_is_kept_only_when_the_paper_prints_it(
    claimed: str | None, printed: list[str], text: str, kept: str | None
) -> None:
    summary = build_summary(
        draft(claimed), paper(printed, text), PaperRef(source="p.pdf", name="p"), ExtractiveBackend(), Settings()
    )
    assert summary.code_url == kept
