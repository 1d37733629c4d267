"""Keyword matching and ranking: whole words, phrases across hyphens, weights, exclusion, stable ties."""

from __future__ import annotations

import pytest

from chatpaper.models import ArxivEntry
from chatpaper.ranking import (
    ABSTRACT_WEIGHT,
    PHRASE_WEIGHT,
    TITLE_WEIGHT,
    find_keywords,
    matches_all,
    rank_entries,
    score_entry,
)


def entry(title: str, abstract: str = "", arxiv_id: str = "2501.00001") -> ArxivEntry:
    return ArxivEntry(arxiv_id=arxiv_id, version=1, title=title, abstract=abstract)


@pytest.mark.parametrize(
    ("text", "keyword", "hit"),
    [
        ("RAG for question answering", "rag", True),
        ("We study fragmented memory", "rag", False),
        ("a fragment of text", "rag", False),
        ("Storage and drag", "rag", False),
        ("RAGs are popular", "rag", True),  # a plural is the same topic
        ("LLMs can reason", "LLM", True),
        ("in-context learning works", "in context learning", True),
        ("in\ncontext   learning", "in-context learning", True),
        ("incontext learning", "in-context learning", True),
        ("fine\u2011tuning (non-breaking hyphen)", "fine-tuning", True),
        ("large language models", "language model", True),
        ("language modelling", "language model", False),
        ("C++ templates", "c++", True),
        ("the cpp file", "c++", False),
        ("multi-agent systems", "multiagent", False),  # the keyword has no break to bridge
    ],
)
def test_find_keywords_whole_words(text: str, keyword: str, hit: bool) -> None:
    assert (find_keywords(text, [keyword]) == [keyword]) is hit


def test_find_keywords_keeps_keyword_order_and_ignores_blanks_and_duplicates() -> None:
    text = "Diffusion models meet retrieval-augmented generation"
    assert find_keywords(text, ["retrieval augmented generation", " ", "diffusion", "DIFFUSION", "gan"]) == [
        "retrieval augmented generation",
        "diffusion",
    ]


def test_matches_all_needs_every_keyword() -> None:
    e = entry("RAG for code", "We use retrieval.")
    assert matches_all(e, ["rag", "retrieval"])
    assert not matches_all(e, ["rag", "graph"])
    assert matches_all(e, [])


def test_title_hits_weigh_more_than_abstract_hits() -> None:
    in_title = score_entry(entry("Robust RAG"), ["rag"], [])
    in_abstract = score_entry(entry("Robust retrieval", "We build a RAG system."), ["rag"], [])
    assert in_title is not None and in_abstract is not None
    assert in_title.score == TITLE_WEIGHT
    assert in_abstract.score == ABSTRACT_WEIGHT
    both = score_entry(entry("RAG", "A RAG system."), ["rag"], [])
    assert both is not None and both.score == TITLE_WEIGHT + ABSTRACT_WEIGHT


def test_phrases_weigh_more_than_single_words() -> None:
    phrase = score_entry(entry("x", "graph neural networks"), ["graph neural network"], [])
    word = score_entry(entry("x", "graph methods"), ["graph"], [])
    assert phrase is not None and word is not None
    assert phrase.score == PHRASE_WEIGHT * ABSTRACT_WEIGHT > word.score
    assert phrase.matched == ["graph neural network"]


def test_exclusion_drops_the_entry_wherever_the_word_is() -> None:
    assert score_entry(entry("A survey of RAG"), ["rag"], ["survey"]) is None
    assert score_entry(entry("RAG", "This survey covers..."), ["rag"], ["survey"]) is None
    # whole words for exclusion too: "surveyed" is not "survey"
    kept = score_entry(entry("RAG", "We surveyed users."), ["rag"], ["survey"])
    assert kept is not None and kept.matched == ["rag"]


def test_rank_is_stable_and_keeps_feed_order_on_ties() -> None:
    entries = [
        entry("plain one", arxiv_id="2501.00001"),
        entry("RAG two", arxiv_id="2501.00002"),
        entry("plain three", arxiv_id="2501.00003"),
        entry("RAG four", arxiv_id="2501.00004"),
        entry("RAG survey five", arxiv_id="2501.00005"),
        entry("rag", "and rag again", arxiv_id="2501.00006"),
    ]
    ranked = rank_entries(entries, ["rag"], ["survey"], top=10)
    assert [s.entry.arxiv_id for s in ranked] == [
        "2501.00006",  # title + abstract
        "2501.00002",  # title hits tie: feed order
        "2501.00004",
        "2501.00001",  # no hits: feed order, after the hits
        "2501.00003",
    ]
    assert [s.entry.arxiv_id for s in rank_entries(entries, ["rag"], [], top=2)] == ["2501.00006", "2501.00002"]
    matched_only = rank_entries(entries, ["rag"], ["survey"], require_match=True)
    assert [s.entry.arxiv_id for s in matched_only] == ["2501.00006", "2501.00002", "2501.00004"]


def test_no_include_keywords_scores_zero_and_keeps_order() -> None:
    entries = [entry(f"paper {i}", arxiv_id=f"2501.0000{i}") for i in range(1, 6)]
    ranked = rank_entries(entries, [], [], top=3, require_match=True)
    assert [s.entry.arxiv_id for s in ranked] == ["2501.00001", "2501.00002", "2501.00003"]
    assert all(s.score == 0 and s.matched == [] for s in ranked)
    assert rank_entries(entries, [], [], top=0) == []
