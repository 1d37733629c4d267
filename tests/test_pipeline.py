"""Pipeline rules that no single backend owns: which code link a report may carry, papers in parallel."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from chatpaper import pipeline
from chatpaper.llm.backend import Draft
from chatpaper.llm.extractive import ExtractiveBackend
from chatpaper.models import Paper, PaperRef, Section, SummaryAnswer, SummaryPoints
from chatpaper.pdf import read_paper
from chatpaper.pipeline import build_summary
from chatpaper.settings import Settings
from tests.conftest import EXAMPLES
from tests.fakes.openai_server import FakeOpenAIServer, answer
from tests.fakes.readers import FakeReader

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


def test_a_slow_parse_does_not_hold_up_other_papers_llm_calls(tmp_path: Path) -> None:
    """Worker threads parse and call independently: while one paper is still being read, another's
    request is already at the server (checked by order of events, not by timing)."""
    slow, quick = tmp_path / "slow.pdf", tmp_path / "quick.pdf"
    shutil.copy(EXAMPLES / "skimrag-long-document-qa.pdf", slow)
    shutil.copy(EXAMPLES / "soil-moisture-graph-gp.pdf", quick)
    seen_while_parsing: list[int] = []

    with FakeOpenAIServer() as server:

        def before(path: Path) -> None:
            if path.name == "slow.pdf":
                deadline = time.monotonic() + 20
                while not server.chat_requests and time.monotonic() < deadline:
                    time.sleep(0.01)
                seen_while_parsing.append(len(server.chat_requests))

        settings = Settings(
            base_url=server.url, api_key="sk-test", workers=2, out=tmp_path / "out", cache_dir=tmp_path / "cache"
        )
        result = pipeline.summarize_batch(
            [PaperRef(source=str(p), name=p.stem, path=str(p)) for p in (slow, quick)],
            settings,
            reader=FakeReader(before),
        )
    assert [o.status for o in result.outcomes] == ["done", "done"]
    assert seen_while_parsing == [1]


def test_the_next_paper_is_read_while_the_llm_answers(tmp_path: Path) -> None:
    """With one LLM worker, paper 2 is parsed during paper 1's call, not after it (order of events)."""
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    shutil.copy(EXAMPLES / "skimrag-long-document-qa.pdf", first)
    shutil.copy(EXAMPLES / "soil-moisture-graph-gp.pdf", second)
    out = tmp_path / "out"
    seen: list[tuple[int, bool]] = []

    with FakeOpenAIServer() as server:
        server.script(answer(delay=1.0))  # long enough for the read-ahead to get to paper 2

        def before(path: Path) -> None:
            if path.name == "second.pdf":
                seen.append((len(server.chat_requests), (out / "first.json").exists()))

        settings = Settings(base_url=server.url, api_key="sk-test", workers=1, out=out, cache_dir=tmp_path / "cache")
        refs = [PaperRef(source=str(p), name=p.stem, path=str(p)) for p in (first, second)]
        reader = FakeReader(before)
        result = pipeline.summarize_batch(refs, settings, reader=reader)
    assert [o.status for o in result.outcomes] == ["done", "done"]
    assert sorted(p.name for p in reader.paths) == ["first.pdf", "second.pdf"]  # read through the reader given
    (parsed_when,) = seen
    assert parsed_when[1] is False  # paper 1's answer had not come back yet


# --- whose title and authors a report carries ----------------------------------------------------------


def test_the_reader_is_authoritative_for_a_local_pdf_it_read_with_confidence(tmp_path: Path) -> None:
    pdf = tmp_path / "skimrag.pdf"
    shutil.copy(EXAMPLES / "skimrag-long-document-qa.pdf", pdf)
    read = read_paper(pdf)
    assert read.title_source == "printed" and read.authors
    with FakeOpenAIServer() as server:
        # a model that rephrases the title into a sentence and gets the authors wrong
        server.script(answer(title="This paper studies long documents.", authors=["Someone Else"]))
        settings = Settings(base_url=server.url, api_key="sk-test", out=tmp_path / "out", cache_dir=tmp_path / "c")
        result = pipeline.summarize_batch([PaperRef(source=str(pdf), name="skimrag", path=str(pdf))], settings)
        prompt = server.chat_requests[0].prompt
    (outcome,) = result.outcomes
    assert outcome.summary is not None
    assert (outcome.summary.title, outcome.summary.authors) == (read.title, read.authors)
    assert "printed on the paper: copy as given" in prompt  # and the prompt told the model so
    report = (tmp_path / "out" / "skimrag.md").read_text(encoding="utf-8")
    assert read.title in report and "This paper studies long documents." not in report


@pytest.mark.parametrize("source", ["file-name", "document-info"])
def test_the_model_fills_what_the_reader_did_not_find(source: str) -> None:
    guessed = paper([]).model_copy(update={"title": "final-v2", "title_source": source, "authors": []})
    summary = build_summary(draft(None), guessed, PaperRef(source="p.pdf", name="p"), ExtractiveBackend(), Settings())
    assert (summary.title, summary.authors) == ("A Paper", ["A. Author"])  # the model's, not "final-v2"
    found = guessed.model_copy(update={"authors": ["R. Eader"]})
    summary = build_summary(draft(None), found, PaperRef(source="p.pdf", name="p"), ExtractiveBackend(), Settings())
    assert (summary.title, summary.authors) == ("A Paper", ["R. Eader"])  # authors found: the reader's
