"""Answer schema, reply repair and validation, format fallback, limiter and prices: no server needed."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from chatpaper.llm.budget import KEY_ROLES
from chatpaper.llm.client import retry_after
from chatpaper.llm.limiter import RateLimiter
from chatpaper.llm.pricing import estimate_cost
from chatpaper.llm.structured import (
    AnswerError,
    FormatChooser,
    answer_schema,
    parse_answer,
    repair_json,
    response_format,
)
from chatpaper.models import SummaryAnswer
from chatpaper.settings import ModelPrice, Settings
from tests.fakes.clock import FakeClock


def answer_dict(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "T",
        "title_translated": None,
        "authors": ["A"],
        "first_author_affiliation": None,
        "keywords": ["k"],
        "code_url": None,
        "summary": {"background": "b", "prior_work": "p", "method": "m", "results": "r"},
    }
    data.update(overrides)
    return data


# --- the schema ---------------------------------------------------------------------------------------


def walk(node: Any) -> list[dict[str, Any]]:
    """Every schema node (a `properties` map is not a node, its values are)."""
    found = []
    if isinstance(node, dict):
        found.append(node)
        for key, value in node.items():
            children = list(value.values()) if key == "properties" else value
            found += walk(children)
    elif isinstance(node, list):
        for value in node:
            found += walk(value)
    return found


def test_schema_is_strict_compatible() -> None:
    schema = answer_schema()
    nodes = walk(schema)
    objects = [n for n in nodes if n.get("type") == "object"]
    assert len(objects) == 3  # the answer, its summary and its evidence, inlined
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    keys = {k for n in nodes for k in n}
    assert not keys & {"$ref", "$defs", "minLength", "maxItems", "title", "default"}
    assert set(schema["properties"]) == set(SummaryAnswer.model_fields)
    fmt = response_format("json_schema")
    assert fmt is not None and fmt["json_schema"]["strict"] is True
    assert response_format("prompt") is None


def test_schema_keeps_the_field_descriptions() -> None:
    summary = answer_schema()["properties"]["summary"]["properties"]
    assert "motivation" in summary["prior_work"]["description"]


# --- repair --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrap",
    [
        lambda s: s,
        lambda s: f"```json\n{s}\n```",
        lambda s: f"```\n{s}\n```",
        lambda s: f"Sure! Here is the JSON:\n{s}\nLet me know.",
        lambda s: f"<think>the user wants {{json}}</think>\n{s}",
        lambda s: f"```json\n{s}",  # unterminated fence
    ],
)
def test_wrapped_json_is_found(wrap: Any) -> None:
    assert parse_answer(wrap(json.dumps(answer_dict()))).title == "T"


def test_latex_backslashes_survive_and_json_escapes_still_work() -> None:
    raw = (
        '{"title": "On \\alpha-nets", "title_translated": null, "authors": ["A"], "first_author_affiliation": null,'
        ' "keywords": ["k"], "code_url": null, "summary": {"background": "uses \\frac{a}{b}, \\beta, \\theta,'
        ' \\nabla, \\rho and \\textbf{x}", "prior_work": "line one\\nline two \\"quoted\\" caf\\u00e9",'
        ' "method": "a path C:\\\\data and \\(x\\)", "results": "tab\\there"}}'
    )
    answer = parse_answer(raw)
    assert answer.title == "On \\alpha-nets"
    assert answer.summary.background == "uses \\frac{a}{b}, \\beta, \\theta, \\nabla, \\rho and \\textbf{x}"
    assert answer.summary.prior_work == 'line one\nline two "quoted" café'
    assert answer.summary.method == "a path C:\\data and \\(x\\)"
    assert answer.summary.results == "tab\there"  # \t followed by an ordinary word is a tab


def test_trailing_commas_and_raw_newlines_are_tolerated() -> None:
    raw = json.dumps(answer_dict()).replace('"r"}', '"r\nmore",}')
    assert parse_answer(raw).summary.results == "r\nmore"


def test_small_shape_slips_are_fixed_without_a_reask() -> None:
    flat = answer_dict()
    flat.update(flat.pop("summary"))
    del flat["code_url"]
    flat["keywords"] = ", ".join(f"k{i}" for i in range(20))
    answer = parse_answer(json.dumps({"paper_summary": flat}))
    assert answer.summary.method == "m" and answer.code_url is None and len(answer.keywords) == 12


def test_quotes_in_a_near_shape_are_read_without_a_reask() -> None:
    evidence = {"background": "One quote.", "method": [{"quote": "Q1", "page": 3}, "Q2"], "results": []}
    answer = parse_answer(json.dumps(answer_dict(evidence=evidence)))
    assert answer.evidence.background == ["One quote."] and answer.evidence.method == ["Q1", "Q2"]
    assert answer.evidence.prior_work == []  # a point without quotes: no evidence, no re-ask
    assert parse_answer(json.dumps(answer_dict())).evidence.results == []


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("", "empty"),
        (json.dumps(answer_dict(evidence={"background": 3})), "evidence.background"),
        ("no json here", "not valid JSON"),
        ('{"title": "T", "summary": {"background": "b"', "not valid JSON"),
        ("[1, 2]", "not an object"),
        (json.dumps(answer_dict(summary="text")), "summary"),
        (json.dumps(answer_dict(title="  ")), "title"),
        (json.dumps({**answer_dict(), "extra": 1}), "extra"),
    ],
)
def test_invalid_replies_say_what_is_wrong(reply: str, reason: str) -> None:
    with pytest.raises(AnswerError, match=reason):
        parse_answer(reply)


def test_repair_json_takes_the_outer_object() -> None:
    assert repair_json('text {"a": {"b": 1}} text') == '{"a": {"b": 1}}'


# --- format fallback ------------------------------------------------------------------------------------


def test_format_falls_back_once_for_all_threads() -> None:
    chooser = FormatChooser("auto")
    barrier = threading.Barrier(8)
    results = []

    def refuse() -> None:
        barrier.wait()
        results.append(chooser.fall_back("json_schema"))

    threads = [threading.Thread(target=refuse) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert chooser.mode == "json_object" and all(results)
    assert chooser.fall_back("json_object") and chooser.mode == "prompt"
    assert not chooser.fall_back("prompt")


def test_explicit_format_never_falls_back() -> None:
    chooser = FormatChooser("json_object")
    assert chooser.mode == "json_object" and not chooser.fall_back("json_object")


# --- retry-after, limiter, prices --------------------------------------------------------------------------


def test_retry_after_forms() -> None:
    assert retry_after({"retry-after": "2"}) == 2.0
    assert retry_after({"retry-after-ms": "1500"}) == 1.5
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert retry_after({}) is None


def test_limiter_spaces_requests_per_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rpm=60, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(4):
        limiter.acquire()
        starts.append(clock.now)
    assert starts == [0.0, 1.0, 2.0, 3.0]


def test_limiter_holds_tokens_per_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(tpm=6000, clock=clock, sleep=clock.sleep)  # 100 tokens/s, bucket of 6000
    limiter.acquire(6000)
    assert clock.now == 0.0
    limiter.acquire(1000)
    assert clock.now == pytest.approx(10.0)
    limiter.acquire(100_000)  # larger than the bucket: waits for a full bucket, never forever
    assert clock.now == pytest.approx(70.0)


def test_limiter_pause_holds_everyone() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    limiter.pause(2.5)
    assert limiter.acquire() == pytest.approx(2.5)
    assert limiter.acquire() == 0.0


def test_limiter_is_thread_safe() -> None:
    """Threads asking at the same instant each reserve their own slot, 0.1 s apart (no two share one)."""
    clock = FakeClock(frozen=True)
    limiter = RateLimiter(rpm=600, clock=clock, sleep=clock.sleep)  # 0.1 s apart
    start = threading.Barrier(5)
    waits: list[float] = []
    lock = threading.Lock()

    def go() -> None:
        start.wait()
        waited = limiter.acquire()
        with lock:
            waits.append(waited)

    threads = [threading.Thread(target=go) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])


def test_prices() -> None:
    assert estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000, {}) == pytest.approx(0.75)
    assert estimate_cost("gpt-4o-mini-2024-07-18", 1_000_000, 0, {}) == pytest.approx(0.15)
    assert estimate_cost("llama3.1:8b", 1000, 1000, {}) is None
    mine = {"llama3.1:8b": ModelPrice(input=0, output=0), "GPT-4o": ModelPrice(input=1, output=2)}
    assert estimate_cost("llama3.1:8b", 1000, 1000, mine) == 0.0
    assert estimate_cost("gpt-4o", 1_000_000, 1_000_000, mine) == pytest.approx(3.0)
    # prompt tokens served from the provider's cache cost the cached price where one is known, else the full one
    assert estimate_cost("gpt-4o-mini", 1_000_000, 0, {}, cached_tokens=400_000) == pytest.approx(0.12)
    assert estimate_cost("gpt-3.5-turbo", 1_000_000, 0, {}, cached_tokens=400_000) == pytest.approx(0.50)
    assert estimate_cost("llama3.1:8b", 1000, 0, mine, cached_tokens=1000) == 0.0


# --- the real corpus -------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_prompts_cover_key_sections_within_budget(corpus_dir: Path) -> None:
    from chatpaper.errors import PdfError
    from chatpaper.llm.budget import fit_paper
    from chatpaper.llm.openai_backend import OpenAIBackend
    from chatpaper.pdf import read_paper

    backend = OpenAIBackend(Settings(base_url="http://127.0.0.1:9/v1").llm)
    sizes = []
    for pdf in sorted((corpus_dir / "pdfs").glob("*.pdf")):
        try:
            paper = read_paper(pdf, ocr="never")  # the scan is left out, not read by OCR (minutes)
        except PdfError:
            continue
        sizes.append(backend.estimate_prompt_tokens(paper, "en"))
        shown = {e.role for e in fit_paper(paper, 3000).excerpts}
        present = {s.role for s in paper.sections if s.text.strip()} & set(KEY_ROLES)
        assert present <= shown, pdf.name
    # every prompt within the default cap: the instructions and 16k tokens of paper text at most
    assert sizes and max(sizes) <= backend.estimate_prompt_tokens(None, "en")
