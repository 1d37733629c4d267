"""Keyword matching and ranking: whole words, phrases across hyphens, weights, exclusion, ties; the digest's topics."""

from __future__ import annotations

import pytest

from chatpaper.errors import UsageError
from chatpaper.models import ArxivEntry
from chatpaper.ranking import (
    ABSTRACT_WEIGHT,
    PHRASE_WEIGHT,
    TITLE_WEIGHT,
    Topic,
    digest_topics,
    find_keywords,
    matches_all,
    rank_for_topics,
    score_entry,
)
from chatpaper.settings import DigestSettings, DigestTopic
from tests.test_digest import DAY1_PAPERS


def entry(title: str, abstract: str = "", arxiv_id: str = "2501.00001") -> ArxivEntry:
    return ArxivEntry(arxiv_id=arxiv_id, version=1, title=title, abstract=abstract, categories=["cs.CL"])


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


def test_ties_go_by_arxiv_id_whatever_the_feed_order() -> None:
    topic = Topic(None, ("cs.CL",), ("rag",), ("survey",))
    entries = [
        entry("RAG four", arxiv_id="2501.00004"),
        entry("plain one", arxiv_id="2501.00001"),
        entry("RAG two", arxiv_id="2501.00002"),
        entry("RAG survey five", arxiv_id="2501.00005"),
        entry("rag", "and rag again", arxiv_id="2501.00006"),
    ]
    picks = rank_for_topics(entries, [topic])
    assert [(p.entry.arxiv_id, p.score) for p in picks] == [
        ("2501.00006", TITLE_WEIGHT + ABSTRACT_WEIGHT),  # title + abstract
        ("2501.00002", TITLE_WEIGHT),  # title hits tie: lower id first
        ("2501.00004", TITLE_WEIGHT),
    ]  # no hit: off-topic for a topic with keywords; 'survey' excluded


def test_no_include_keywords_scores_zero_and_keeps_everything_by_id() -> None:
    entries = [entry(f"paper {i}", arxiv_id=f"2501.0000{i}") for i in (3, 1, 2)]
    picks = rank_for_topics(entries, [Topic(None, ("cs.CL",))])
    assert [p.entry.arxiv_id for p in picks] == ["2501.00001", "2501.00002", "2501.00003"]
    assert all(p.score == 0 and p.matched == () for p in picks)


def test_rank_scores_whole_words_and_drops_excluded() -> None:
    topic = Topic(None, ("cs.CL",), ("retrieval", "long context"), ("survey",))
    picks = rank_for_topics(DAY1_PAPERS, [topic])
    assert [(p.entry.arxiv_id, p.score, p.matched) for p in picks] == [
        ("2508.00001", 9.0, ("retrieval", "long context")),
        ("2508.00002", 4.0, ("retrieval",)),
        ("2508.00005", 1.0, ("retrieval",)),
    ]
    assert {p.topic for p in picks} == {"cs.CL"}  # the implicit topic groups by category


def test_a_paper_in_several_topics_appears_once_under_its_best() -> None:
    digest = DigestSettings(
        categories=["cs.CL"],
        exclude=["molecules"],
        topics=[
            DigestTopic(name="Speech", include=["speech", "retrieval"]),
            DigestTopic(name="Search", include=["retrieval", "dense"], exclude=["scale"]),
            DigestTopic(name="Bio", categories=["q-bio.BM"], include=["proteins"]),
        ],
    )
    topics = digest_topics(digest)
    assert topics[2].exclude == ("molecules",) and topics[0].categories == ("cs.CL",)
    picks = {p.entry.arxiv_id: p for p in rank_for_topics(DAY1_PAPERS, topics)}
    assert picks["2508.00002"].topic == "Speech"  # "Search" excludes "scale"
    assert picks["2508.00005"].topic == "Speech" and picks["2508.00005"].score == 5.0
    assert picks["2508.00001"].topic == "Speech"  # tie (retrieval in the abstract) goes to the first topic
    assert picks["2508.00006"].topic == "Bio"
    assert "2508.00004" not in picks  # matches no include keyword of any topic
    with pytest.raises(UsageError, match="no arXiv categories"):
        digest_topics(DigestSettings())
