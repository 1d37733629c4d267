"""Code links: which printed repository is the paper's own (chatpaper/pdf/links.py)."""

from __future__ import annotations

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
