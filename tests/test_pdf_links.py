"""Code links: which printed repository is the paper's own (chatpaper/pdf/links.py)."""

from __future__ import annotations

import pytest

from chatpaper.pdf.links import find_code_links
from tests.fakes.lines import line


def test_a_repository_is_the_papers_own_only_when_the_paper_says_so() -> None:
    """Named like the paper but printed in a dataset footnote on page 4: someone else's repository, listed
    but not the paper's code; offered as "Code is available at" (or named like the paper on its title
    page): the paper's own."""
    title = "Novelty Controlled Paraphrase Generation"
    dataset = [
        line("Paraphrase generation is a long-standing task in natural language processing.", 60, 100, 500),
        line("We evaluate on the QQP and MSRPC datasets.", 60, 400, 500, page=4),
        line("3https://github.com/arvind385801/paraphraseGen", 60, 700, 300, page=4),
    ]
    found = find_code_links(dataset, [], set(), title)
    assert found.urls == ["https://github.com/arvind385801/paraphraseGen"]
    assert found.own is None
    offered = [*dataset, line("Code is available at https://github.com/lab/novelty-tool.", 60, 300, 500, page=6)]
    assert find_code_links(offered, [], set(), title).own == "https://github.com/lab/novelty-tool"
    title_page = [*dataset, line("https://github.com/lab/paraphrase-novelty", 60, 200, 300)]
    assert find_code_links(title_page, [], set(), title).own == "https://github.com/lab/paraphrase-novelty"


def test_the_journals_home_page_in_the_banner_is_not_the_papers_code() -> None:
    """Elsevier prints 'journal homepage: www.elsevier.com/locate/...' over the title; the abstract ends with
    'Our codes and data can be accessed at https://github.com/...'."""
    lines = [
        line("journal homepage: www.publisher.example/locate/meadows", 60, 60, 400),
        line("Meadow soils answer the rain", 60, 100, 400, size=16),
        line("We log soil moisture on three slopes. Our codes and data can be accessed at", 60, 300, 500),
        line("https://github.com/fieldlab/meadow-moisture/.", 60, 312, 300),
    ]
    found = find_code_links(lines, [], set(), "Meadow soils answer the rain")
    assert found.own == "https://github.com/fieldlab/meadow-moisture/"
    assert found.urls == ["https://github.com/fieldlab/meadow-moisture/"]


@pytest.mark.parametrize(
    "offer",
    ["The source code is available in [2].", "Исходный код доступен в [2].", "Der Quellcode ist unter [2] verfügbar."],
)
def test_code_offered_through_a_citation_is_the_papers_own_though_in_the_references(offer: str) -> None:
    """Theses cite their own repository: the sentence offers the code, the reference entry holds the link;
    the other entries' repositories stay someone else's."""
    lines = [
        line("We solve the tour with branch and bound. " + offer, 60, 100, 500, page=3),
        line("References", 60, 100, 200, page=9),
        line("1. Moss R. A solver for tours. 2019. URL: https://github.com/moss/tours.", 60, 120, 500, page=9),
        line("2. Carter A. Branch and bound for tours. 2021. URL:", 60, 140, 500, page=9),
        line("https://github.com/acarter/tour-bnb.", 80, 152, 300, page=9),
    ]
    found = find_code_links(lines, [], {1, 2, 3, 4}, "Тур")
    assert found.own == "https://github.com/acarter/tour-bnb"
    assert found.urls[0] == "https://github.com/acarter/tour-bnb"
