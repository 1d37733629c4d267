"""The OpenAI-compatible backend against the fake server, through the real openai client."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chatpaper.errors import (
    ConfigError,
    ContextLengthError,
    LLMAuthError,
    LLMModelError,
    LLMOutputError,
    LLMRequestError,
    LLMUnavailableError,
    LLMUnreachableError,
    PaperError,
)
from chatpaper.llm.budget import WHOLE_PAPER_TEXT
from chatpaper.llm.client import ChatClient
from chatpaper.llm.limiter import RateLimiter
from chatpaper.llm.openai_backend import OpenAIBackend
from chatpaper.models import ArxivEntry, Paper, Section
from chatpaper.settings import Settings
from chatpaper.tokens import counter_for
from tests.fakes.clock import FakeClock
from tests.fakes.openai_server import (
    FakeOpenAIServer,
    answer,
    bad_request,
    content,
    context_length_error,
    echo_credentials,
    format_unsupported,
    hang,
    http_error,
    model_not_found,
    prompt_tokens,
    rate_limited,
    server_error,
    trickle,
    truncated,
    unauthorized,
)

REFERENCE_MARKER = "ZZREFERENCEZZ"


def make_paper(title: str = "Sparse Widgets for Dense Gadgets", scale: int = 1) -> Paper:
    """A paper with the usual sections, each longer than its share of the default budget."""

    def body(topic: str, paragraphs: int) -> str:
        para = f"This paragraph describes the {topic} of the work in some detail, with numbers like 42.1%. " * 6
        return "\n\n".join(f"{para} (paragraph {i})" for i in range(paragraphs * scale))

    return Paper(
        path="widgets.pdf",
        sha256="a" * 64,
        pages=12,
        title=title,
        authors=["Ada Lovelace", "Alan Turing"],
        first_author_affiliation="Analytical Engine Lab",
        abstract="We present sparse widgets. They make gadgets dense. " * 8,
        code_urls=["https://github.com/example/widgets"],
        sections=[
            Section(heading="1 Introduction", role="introduction", text=body("introduction", 6)),
            Section(heading="2 Related Work", role="related_work", text=body("related work", 5)),
            Section(heading="3 Method", role="method", text=body("method", 10)),
            Section(heading="4 Experiments", role="experiments", text=body("experiments", 10)),
            Section(heading="5 Conclusion", role="conclusion", text=body("conclusion", 2)),
            Section(heading="References", role="references", text=f"[1] {REFERENCE_MARKER} et al. 2020. " * 50),
            Section(heading="A Proofs", role="appendix", text=body("appendix", 10)),
        ],
    )


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        yield fake


def make_backend(server: FakeOpenAIServer, *, clock: FakeClock | None = None, **overrides: Any) -> OpenAIBackend:
    """A backend on the fake server with quick backoff, so retry tests take milliseconds, not seconds; with
    `clock`, its waits (Retry-After, the rate limiter) go to that fake clock instead of the real one."""
    values: dict[str, Any] = {"base_url": server.url, "api_key": "sk-test", "timeout": 5.0, **overrides}
    settings = Settings(**values).llm
    if clock is None:
        return OpenAIBackend(settings, client=ChatClient(settings, backoff_base=0.05))
    limiter = RateLimiter(settings.rpm, settings.tpm, clock=clock, sleep=clock.sleep)
    return OpenAIBackend(settings, client=ChatClient(settings, limiter=limiter, backoff_base=0.05, sleep=clock.sleep))


def reported_prompt_tokens(requests: list) -> int:
    return sum(prompt_tokens(r.body) for r in requests)


# --- the happy path ----------------------------------------------------------------------------------


def test_schema_conforming_reply_is_one_call_with_a_strict_schema(server: FakeOpenAIServer) -> None:
    draft = make_backend(server).summarize(make_paper(), "en")

    assert draft.answer.title == "Sparse Widgets for Dense Gadgets"
    assert draft.answer.authors == ["Ada Lovelace", "Alan Turing"]
    assert draft.calls == 1
    (request,) = server.chat_requests
    fmt = request.body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert request.body["model"] == "gpt-4o-mini"
    assert request.headers["authorization"] == "Bearer sk-test"
    # The usage recorded is what the server reported.
    assert draft.prompt_tokens == prompt_tokens(request.body)
    assert draft.completion_tokens > 0


def test_prompt_carries_key_sections_code_urls_and_never_references(server: FakeOpenAIServer) -> None:
    make_backend(server, prompt_tokens=3500).summarize(make_paper(), "en")
    prompt = server.chat_requests[0].prompt
    for heading in ("1 Introduction", "3 Method", "4 Experiments", "5 Conclusion"):
        assert heading in prompt
    assert "https://github.com/example/widgets" in prompt
    assert "Analytical Engine Lab" in prompt
    assert "We present sparse widgets" in prompt
    assert REFERENCE_MARKER not in prompt
    assert "A Proofs" not in prompt  # the appendix waits for spare budget, and there is none


def test_a_large_window_gets_the_whole_paper_and_the_appendix_by_default(server: FakeOpenAIServer) -> None:
    paper = make_paper()
    make_backend(server).summarize(paper, "en")  # gpt-4o-mini: a 128k window
    prompt = server.chat_requests[0].prompt
    for section in paper.sections:
        if section.role != "references":
            assert section.text in prompt, section.heading  # whole, not shortened
    assert REFERENCE_MARKER not in prompt


def test_a_large_window_caps_paper_text_at_16k_tokens(server: FakeOpenAIServer) -> None:
    make_backend(server).summarize(make_paper(scale=4), "en")
    (request,) = server.chat_requests
    counter = counter_for("gpt-4o-mini")
    paper_text = counter.count(request.messages[-1]["content"])
    assert 14_000 <= paper_text <= WHOLE_PAPER_TEXT + 100  # the user message is the paper and its frame
    assert "[...]" in request.prompt and "A Proofs" not in request.prompt


def test_small_window_prompts_stay_under_4000_tokens(server: FakeOpenAIServer) -> None:
    backend = make_backend(server, model="llama3:8b")  # an 8k window keeps the role shares
    for i in range(3):
        backend.summarize(make_paper(title=f"Paper {i}", scale=i + 1), "en")
    sizes = [prompt_tokens(r.body) for r in server.chat_requests]
    assert len(sizes) == 3
    assert sum(sizes) / len(sizes) <= 4000


def test_chinese_output_asks_for_chinese_and_a_translated_title(server: FakeOpenAIServer) -> None:
    draft = make_backend(server).summarize(make_paper(), "zh")
    system = server.chat_requests[0].messages[0]["content"]
    assert "简体中文" in system and "English" in system
    assert draft.answer.title_translated


def test_arxiv_metadata_is_shown_as_authoritative(server: FakeOpenAIServer) -> None:
    entry = ArxivEntry(arxiv_id="2401.00001", version=2, title="Widgets, Officially", authors=["A. Lovelace"])
    make_backend(server).summarize(make_paper(), "en", arxiv=entry)
    prompt = server.chat_requests[0].prompt
    assert "arXiv metadata (authoritative" in prompt
    assert "Widgets, Officially" in prompt and "2401.00001v2" in prompt


def test_keyless_base_url_works_with_a_placeholder_key(server: FakeOpenAIServer) -> None:
    settings = Settings(base_url=server.url).llm
    draft = OpenAIBackend(settings).summarize(make_paper(), "en")
    assert draft.calls == 1
    assert server.chat_requests[0].headers["authorization"] == "Bearer no-key"


def test_no_key_and_no_base_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        OpenAIBackend(Settings().llm)


# --- answers that need repair or a re-ask ------------------------------------------------------------


def valid_json(**overrides: Any) -> str:
    data = {
        "title": "Sparse Widgets",
        "title_translated": None,
        "authors": ["Ada Lovelace"],
        "first_author_affiliation": None,
        "keywords": ["widgets"],
        "code_url": None,
        "summary": {"background": "b", "prior_work": "p", "method": "m", "results": "r"},
    }
    data.update(overrides)
    return json.dumps(data)


def test_invalid_then_valid_reasks_with_the_validation_error(server: FakeOpenAIServer) -> None:
    server.script(content(valid_json(summary="just a string")), answer())
    draft = make_backend(server).summarize(make_paper(), "en")

    assert draft.calls == 2
    first, second = server.chat_requests
    reask = second.messages[-1]
    assert reask["role"] == "user"
    assert "summary" in reask["content"] and "schema" in reask["content"]
    assert second.messages[-2] == {"role": "assistant", "content": valid_json(summary="just a string")}
    assert draft.prompt_tokens == reported_prompt_tokens([first, second])


def test_always_invalid_fails_after_two_attempts(server: FakeOpenAIServer) -> None:
    server.default = content("I am sorry, I cannot produce JSON today.")
    with pytest.raises(LLMOutputError) as caught:
        make_backend(server).summarize(make_paper(), "en")
    assert caught.value.attempts == 2
    assert "not valid JSON" in str(caught.value)
    assert len(server.chat_requests) == 2


def test_fenced_json_is_repaired_without_a_reask(server: FakeOpenAIServer) -> None:
    server.script(content(f"Here is the summary:\n```json\n{valid_json()}\n```\nHope this helps."))
    draft = make_backend(server).summarize(make_paper(), "en")
    assert draft.calls == 1 and draft.answer.title == "Sparse Widgets"


def test_latex_backslashes_are_repaired(server: FakeOpenAIServer) -> None:
    raw = valid_json().replace('"m"', '"minimizes \\\\mathcal{L}"')  # a valid JSON escape stays as is
    raw = raw.replace('"b"', r'"with $\alpha \leq \beta$ and \frac{1}{2}, \theta, \nabla f"')
    server.script(content(raw))
    draft = make_backend(server).summarize(make_paper(), "en")
    assert draft.calls == 1
    assert draft.answer.summary.background == r"with $\alpha \leq \beta$ and \frac{1}{2}, \theta, \nabla f"
    assert draft.answer.summary.method == r"minimizes \mathcal{L}"


def test_cut_off_answer_is_retried_with_more_room(server: FakeOpenAIServer) -> None:
    server.script(truncated(), answer())
    draft = make_backend(server).summarize(make_paper(), "en")
    first, second = server.chat_requests
    assert second.body["max_tokens"] > first.body["max_tokens"]
    assert draft.calls == 2


# --- HTTP failures ----------------------------------------------------------------------------------


def test_server_error_then_success(server: FakeOpenAIServer) -> None:
    server.script(server_error(500), answer())
    draft = make_backend(server).summarize(make_paper(), "en")
    assert draft.calls == 2 and len(server.chat_requests) == 2
    assert draft.prompt_tokens == prompt_tokens(server.chat_requests[1].body)  # a 500 reports no usage


def test_rate_limit_honours_retry_after(server: FakeOpenAIServer) -> None:
    server.script(rate_limited(retry_after=1), answer())
    clock = FakeClock()
    draft = make_backend(server, clock=clock).summarize(make_paper(), "en")
    assert draft.calls == 2 and len(server.chat_requests) == 2
    (waited,) = clock.slept  # the second request waited what the server asked (plus jitter), and only that
    assert 1.0 <= waited <= 1.1


def test_persistent_failures_stop_after_max_attempts(server: FakeOpenAIServer) -> None:
    server.default = server_error(503, "overloaded")
    with pytest.raises(LLMUnavailableError, match="HTTP 503: overloaded"):
        make_backend(server, max_attempts=3).summarize(make_paper(), "en")
    assert len(server.chat_requests) == 3


def test_hung_server_times_out_and_is_retried(server: FakeOpenAIServer) -> None:
    server.script(hang(3), answer())
    draft = make_backend(server, timeout=0.5).summarize(make_paper(), "en")
    assert draft.calls == 2


# --- deadlines: --timeout bounds the whole request, and a paper's failed requests in all ----------------


def test_a_reply_trickled_slower_than_the_deadline_is_cut_off(server: FakeOpenAIServer) -> None:
    # Four bytes every 0.1 s: each wait is a fifth of the deadline, the whole reply (~1.5 KB) over 30 s.
    server.default = trickle(size=4, gap=0.1)
    with pytest.raises(LLMUnavailableError) as caught:
        make_backend(server, timeout=0.5, max_attempts=2).summarize(make_paper(), "en")
    assert len(server.chat_requests) == 2
    assert "failed 2 requests for this paper, the last with no complete answer within 0.5 s" in str(caught.value)
    assert caught.value.calls == 2


def test_a_reply_trickled_within_the_deadline_is_kept(server: FakeOpenAIServer) -> None:
    server.script(trickle(size=256, gap=0.05))  # slow bytes, but all of them well within the deadline
    draft = make_backend(server, timeout=10).summarize(make_paper(), "en")
    assert draft.calls == 1 and draft.answer.title == "Sparse Widgets for Dense Gadgets"


def test_a_server_that_never_answers_costs_max_attempts_requests(server: FakeOpenAIServer) -> None:
    server.default = hang()
    with pytest.raises(LLMUnavailableError, match=r"failed 3 requests .* no complete answer within 0\.5 s"):
        make_backend(server, timeout=0.5, max_attempts=3).summarize(make_paper(), "en")
    assert len(server.chat_requests) == 3


def test_a_paper_s_calls_share_one_budget_of_failed_requests(server: FakeOpenAIServer) -> None:
    # A 503, then an answer that does not validate, then a 503 on the re-ask: two failed requests in
    # all, so with max_attempts=2 the paper fails although neither call failed twice on its own.
    server.script(server_error(503, "overloaded"), content("not JSON"), server_error(503, "overloaded"), answer())
    with pytest.raises(LLMUnavailableError, match=r"failed 2 requests for this paper, the last with HTTP 503"):
        make_backend(server, max_attempts=2).summarize(make_paper(), "en")
    assert len(server.chat_requests) == 3


def test_a_failed_summary_counts_answers_and_requests_truly(server: FakeOpenAIServer) -> None:
    # A cut-off answer retried with more room, a 500, then two answers that do not validate.
    server.script(truncated(), server_error(500), content("not JSON"), content("still not JSON"))
    with pytest.raises(LLMOutputError, match=r"not a valid summary after 3 answers in 4 requests") as caught:
        make_backend(server).summarize(make_paper(), "en")
    assert caught.value.attempts == 3 and len(server.chat_requests) == 4


def test_credentials_in_the_base_url_and_echoed_key_starts_stay_out_of_messages() -> None:
    key = "sk-live-Q7vX2mLr9TzK4hWc"
    with FakeOpenAIServer() as fake:
        fake.script(echo_credentials(502, prefix=12))
        backend = make_backend(fake, api_key=key, max_attempts=1)
        with pytest.raises(LLMUnavailableError) as echoed:
            backend.summarize(make_paper(), "en")
        fake.script(http_error(404, "no such route"))
        relay = make_backend(fake, base_url=fake.url_with_credentials("relay-user", "relay-pw-77"), max_attempts=1)
        with pytest.raises(LLMModelError) as missing:
            relay.summarize(make_paper(), "en")
        url = fake.url_with_credentials("relay-user", "relay-pw-77")
    with pytest.raises(LLMUnreachableError) as unreachable:
        make_backend(fake, base_url=url, max_attempts=1).summarize(make_paper(), "en")
    assert "HTTP 502: upstream refused the credentials ***... for this model" in str(echoed.value)
    assert f"HTTP 404 from {fake.url.replace('http://', 'http://***@')}" in str(missing.value)
    assert f"nothing answers at {fake.url.replace('http://', 'http://***@')}" in str(unreachable.value)
    for error in (echoed.value, missing.value, unreachable.value):
        assert key[:6] not in str(error) and "relay-pw" not in str(error)


def test_bad_request_is_not_retried(server: FakeOpenAIServer) -> None:
    server.script(bad_request("Invalid 'temperature-ish' thing."))
    with pytest.raises(LLMRequestError, match="HTTP 400: Invalid 'temperature-ish' thing"):
        make_backend(server).summarize(make_paper(), "en")
    assert len(server.chat_requests) == 1


def test_unauthorized_raises_auth_error_without_the_key(server: FakeOpenAIServer) -> None:
    secret = "sk-live-DO-NOT-LEAK-123456"
    server.api_key = "sk-the-right-one"  # the server echoes the wrong key in its message, as OpenAI does
    with pytest.raises(LLMAuthError) as caught:
        make_backend(server, api_key=secret).summarize(make_paper(), "en")
    message = str(caught.value)
    assert secret not in message and "DO-NOT-LEAK" not in message
    assert "OPENAI_API_KEY" in message and "\n" not in message
    assert len(server.chat_requests) == 1
    assert not isinstance(caught.value, PaperError)  # it stops the batch instead of failing one paper


def test_scripted_401(server: FakeOpenAIServer) -> None:
    server.script(unauthorized("sk-x"))
    with pytest.raises(LLMAuthError):
        make_backend(server, api_key="sk-x").summarize(make_paper(), "en")


# --- budgets and formats ----------------------------------------------------------------------------


def test_context_length_error_shrinks_the_prompt_once(server: FakeOpenAIServer) -> None:
    server.script(context_length_error(limit=3400, requested=4500), answer())
    backend = make_backend(server)
    draft = backend.summarize(make_paper(), "en")
    first, second = server.chat_requests
    assert second.size < first.size
    assert draft.calls == 2
    # The window the server named is remembered: the next paper fits from the start.
    assert backend.context == 3400
    backend.summarize(make_paper(title="Another"), "en")
    assert len(server.chat_requests) == 3
    assert server.chat_requests[2].size < first.size


def test_context_length_errors_after_a_shrink_and_a_new_plan_fail_the_paper(server: FakeOpenAIServer) -> None:
    # The window the server names (8192) is smaller than the model's known one: after the shrink fails,
    # the paper is planned once more for 8192 (with its own one shrink); when that is refused too, it fails.
    server.script(*[context_length_error()] * 4)
    with pytest.raises(ContextLengthError):
        make_backend(server).summarize(make_paper(), "en")
    sizes = [r.size for r in server.chat_requests]
    assert len(sizes) == 4 and sizes == sorted(sizes, reverse=True) and sizes[1] < sizes[0]  # never grown


def test_server_with_a_real_small_window_is_fitted() -> None:
    # The server enforces 4096 tokens but the model name suggests 128k: the first error teaches us.
    with FakeOpenAIServer(context_tokens=4096) as fake:
        draft = make_backend(fake).summarize(make_paper(), "en")
        assert draft.calls == 2


def test_cut_off_answer_after_a_shrink_stays_inside_the_window_the_server_named() -> None:
    # The model name suggests 128k; the server enforces 4096 and names it in its first refusal.
    with FakeOpenAIServer(context_tokens=4096) as fake:
        fake.script(truncated(), answer())  # the first answer that fits is cut off
        draft = make_backend(fake).summarize(make_paper(), "en")
        refused, cut_off, retried = fake.chat_requests
    assert draft.calls == 3
    assert prompt_tokens(refused.body) + refused.body["max_tokens"] > 4096
    for request in (cut_off, retried):
        assert prompt_tokens(request.body) + request.body["max_tokens"] <= 4096


def test_cut_off_answer_with_no_room_to_grow_gets_a_shorter_input() -> None:
    with FakeOpenAIServer(context_tokens=4096) as fake:
        fake.script(truncated(), answer())
        make_backend(fake, context_tokens=4096).summarize(make_paper(), "en")
        first, second = fake.chat_requests
    assert prompt_tokens(second.body) < prompt_tokens(first.body)
    assert second.body["max_tokens"] > first.body["max_tokens"]
    assert prompt_tokens(second.body) + second.body["max_tokens"] <= 4096


def test_forbidden_is_not_retried(server: FakeOpenAIServer) -> None:
    server.script(http_error(403))
    with pytest.raises(LLMRequestError, match="forbidden"):
        make_backend(server).summarize(make_paper(), "en")
    assert len(server.chat_requests) == 1


def test_not_found_names_the_model_or_the_endpoint_and_is_not_retried(server: FakeOpenAIServer) -> None:
    """A 404 hits every paper alike (no such model, or no chat endpoint at the URL): an LLMServiceError
    that names what to check, after one request."""
    server.script(model_not_found("gpt-9-mini"))
    with pytest.raises(LLMModelError) as unknown:
        make_backend(server, model="gpt-9-mini").summarize(make_paper(), "en")
    assert f"the LLM server at {server.url} has no model 'gpt-9-mini'" in str(unknown.value)
    assert "check --model" in str(unknown.value)
    server.script(http_error(404, "Not Found"))
    with pytest.raises(LLMModelError) as no_route:
        make_backend(server).summarize(make_paper(), "en")
    assert f"HTTP 404 from {server.url}/chat/completions (Not Found): no chat endpoint there" in str(no_route.value)
    assert len(server.chat_requests) == 2


def test_json_schema_unsupported_falls_back_to_json_object_for_the_run() -> None:
    with FakeOpenAIServer(formats={"json_object"}) as fake:
        backend = make_backend(fake)
        backend.summarize(make_paper(), "en")
        backend.summarize(make_paper(title="Second"), "en")
        kinds = [r.response_format for r in fake.chat_requests]
        assert kinds == ["json_schema", "json_object", "json_object"]
        # Without a schema the server enforces, the prompt describes the answer.
        assert '"prior_work"' in fake.chat_requests[1].messages[0]["content"]


def test_scripted_format_refusal_then_prompt_only(server: FakeOpenAIServer) -> None:
    server.script(format_unsupported("json_schema"), format_unsupported("json_object"))
    backend = make_backend(server)
    draft = backend.summarize(make_paper(), "en")
    assert [r.response_format for r in server.chat_requests] == ["json_schema", "json_object", None]
    assert draft.answer.title
    backend.summarize(make_paper(), "en")
    assert server.chat_requests[-1].response_format is None


def test_explicit_format_is_not_changed(server: FakeOpenAIServer) -> None:
    server.script(format_unsupported("json_schema"))
    with pytest.raises(LLMRequestError, match="--structured"):
        make_backend(server, structured="json_schema").summarize(make_paper(), "en")
    assert len(server.chat_requests) == 1


def test_format_fallback_is_shared_by_threads() -> None:
    with FakeOpenAIServer(formats={"json_object"}) as fake:
        backend = make_backend(fake)
        threads = [threading.Thread(target=backend.summarize, args=(make_paper(), "en")) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        kinds = [r.response_format for r in fake.chat_requests]
        assert kinds.count("json_object") == 6
        assert set(kinds) <= {"json_schema", "json_object"}


def test_long_paper_in_a_small_window_is_map_reduced(server: FakeOpenAIServer) -> None:
    backend = make_backend(server, context_tokens=2048, max_output_tokens=600)
    draft = backend.summarize(make_paper(scale=3), "en")

    *maps, reduce = server.chat_requests
    assert len(maps) >= 2
    assert all(r.response_format is None and "JSON" not in r.prompt for r in maps)
    assert reduce.response_format == "json_schema"
    assert "Notes taken on the paper's sections" in reduce.prompt
    assert draft.calls == len(maps) + 1
    assert all(prompt_tokens(r.body) + r.body["max_tokens"] <= 2048 for r in server.chat_requests)
    assert backend.estimate_prompt_tokens(make_paper(scale=3), "en") > prompt_tokens(reduce.body)


def test_a_map_step_too_long_for_the_real_window_is_planned_again_for_it() -> None:
    # Settings say 2900 tokens (map-reduce, in parts sized for it); the server really has 2000 and names it.
    with FakeOpenAIServer(context_tokens=2000) as fake:
        # a model chatpaper has no tokenizer for: its budget is estimated, with the estimate's wide margin
        backend = make_backend(fake, model="fake-model", context_tokens=2900, max_output_tokens=600)
        draft = backend.summarize(make_paper(scale=3), "en")
        refused, *rest = fake.chat_requests
    assert prompt_tokens(refused.body) + refused.body["max_tokens"] > 2000 and refused.response_format is None
    assert backend.context == 2000
    assert all(prompt_tokens(r.body) + r.body["max_tokens"] <= 2000 for r in rest)
    assert rest[-1].response_format == "json_schema" and draft.calls == len(rest) + 1


def test_same_paper_with_the_default_window_is_one_call(server: FakeOpenAIServer) -> None:
    make_backend(server).summarize(make_paper(scale=3), "en")
    assert len(server.chat_requests) == 1


def test_truncate_mode_keeps_one_call_in_a_small_window(server: FakeOpenAIServer) -> None:
    make_backend(server, context_tokens=2048, max_output_tokens=600, long_paper="truncate").summarize(
        make_paper(scale=3), "en"
    )
    (request,) = server.chat_requests
    assert prompt_tokens(request.body) + request.body["max_tokens"] <= 2048


def test_estimate_prompt_tokens_matches_the_request(server: FakeOpenAIServer) -> None:
    backend = make_backend(server)
    paper = make_paper()
    estimate = backend.estimate_prompt_tokens(paper, "en")
    backend.summarize(paper, "en")
    assert estimate == prompt_tokens(server.chat_requests[0].body)
    # Before the PDF is read: the cap, the whole paper's room on a large window, the role shares on a small one.
    assert WHOLE_PAPER_TEXT < backend.estimate_prompt_tokens(None, "en") <= WHOLE_PAPER_TEXT + 2500
    assert 1000 < make_backend(server, model="llama3:8b").estimate_prompt_tokens(None, "en") <= 3500


def test_a_one_call_prompt_too_long_for_the_real_window_is_planned_again_for_it() -> None:
    # Settings say 4000 tokens, enough for one call; the server really has 1800 and names it: a
    # shrink cannot fit the paper beside the answer, so the paper is planned again for 1800 (in parts).
    with FakeOpenAIServer(context_tokens=1800) as fake:
        backend = make_backend(fake, context_tokens=4000, max_output_tokens=600)
        draft = backend.summarize(make_paper(), "en")
        refused, *rest = fake.chat_requests
    assert refused.response_format == "json_schema" and backend.context == 1800
    first_map = next(i for i, r in enumerate(rest) if r.response_format is None)  # planned again: map-reduce
    assert all(prompt_tokens(r.body) + r.body["max_tokens"] <= 1800 for r in rest[first_map:])
    assert rest[-1].response_format == "json_schema" and draft.answer.title


# --- limits and concurrency --------------------------------------------------------------------------


def test_rpm_limiter_spaces_requests(server: FakeOpenAIServer) -> None:
    clock = FakeClock(frozen=True)  # the four papers ask at the same instant
    backend = make_backend(server, clock=clock, rpm=240)  # one request every 0.25 s
    threads = [threading.Thread(target=backend.summarize, args=(make_paper(), "en")) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(server.chat_requests) == 4
    assert sorted(clock.slept) == pytest.approx([0.25, 0.5, 0.75])  # the first goes at once


def test_many_threads_with_faults_account_for_every_call() -> None:
    with FakeOpenAIServer(latency=0.02, fault_rate=0.3, seed=7, fault_retry_after=0.1) as fake:
        backend = make_backend(fake, max_attempts=6)
        results: list[Any] = []
        lock = threading.Lock()

        def work(i: int) -> None:
            try:
                outcome: Any = backend.summarize(make_paper(title=f"Paper {i}"), "en")
            except PaperError as exc:
                outcome = exc
            with lock:
                results.append(outcome)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        drafts = [r for r in results if not isinstance(r, Exception)]
        assert len(results) == 24
        assert len(drafts) >= 20  # a paper fails only if both its answers are broken
        assert all(isinstance(r, LLMOutputError) for r in results if isinstance(r, Exception))
        assert sum(fake.faults.values()) > 0
        # No answer went to the wrong paper, and no call went unaccounted for.
        assert sorted(d.answer.title for d in drafts) == sorted({d.answer.title for d in drafts})
        assert sum(d.calls for d in drafts) <= len(fake.chat_requests)


def test_refused_parameters_are_adapted_once_for_the_run(server: FakeOpenAIServer) -> None:
    server.script(
        bad_request(
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens'."
        ),
        bad_request("Unsupported value: 'temperature' does not support 0.2 with this model."),
    )
    backend = make_backend(server)
    draft = backend.summarize(make_paper(), "en")
    backend.summarize(make_paper(), "en")
    first, second, third, fourth = server.chat_requests
    assert "max_tokens" in first.body and "max_completion_tokens" in second.body and "temperature" in second.body
    assert "max_completion_tokens" in third.body and "temperature" not in third.body
    assert "max_tokens" not in fourth.body and "temperature" not in fourth.body
    assert draft.calls == 3


def test_nothing_listening_is_said_at_once_and_a_server_lost_later_is_retried() -> None:
    """Before the server ever answered, a refused connection means nothing listens there: every paper
    would wait out its retries for the same answer, so it is one LLMUnreachableError at once. Once it
    has answered, a lost connection is a hiccup, retried like a 5xx."""
    with FakeOpenAIServer() as fake:
        url = fake.url
    settings = Settings(base_url=url, max_attempts=2, timeout=2.0).llm
    backend = OpenAIBackend(settings, client=ChatClient(settings, backoff_base=0.05))
    with pytest.raises(LLMUnreachableError, match=f"nothing answers at {url} \\(connection refused\\): start"):
        backend.summarize(make_paper(), "en")

    with FakeOpenAIServer() as fake:
        settings = Settings(base_url=fake.url, max_attempts=2, timeout=2.0).llm
        client = ChatClient(settings, backoff_base=0.05)
        backend = OpenAIBackend(settings, client=client)
        backend.summarize(make_paper(), "en")
    with pytest.raises(LLMUnavailableError, match="cannot connect") as lost:
        backend.summarize(make_paper(title="Second"), "en")
    assert "failed 2 requests" in str(lost.value)


# --- what the model is shown --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formats", "mode"), [(("json_schema",), "json_schema"), (("json_object",), "json_object"), ((), None)]
)
def test_every_answer_format_shows_the_definitions_and_both_questions(
    formats: tuple[str, ...], mode: str | None
) -> None:
    from chatpaper.models import JUDGEMENT_QUESTIONS, SummaryPoints

    with FakeOpenAIServer(formats=formats) as fake:
        make_backend(fake).summarize(make_paper(), "en")
        final = fake.chat_requests[-1]
    assert final.response_format == mode
    system = final.messages[0]["content"]
    for name, field in SummaryPoints.model_fields.items():
        assert f"- {name}: {field.description}" in system
    assert all(question in system for question in JUDGEMENT_QUESTIONS.values())


def test_the_fixed_part_comes_first_so_a_prompt_cache_can_serve_it() -> None:
    with FakeOpenAIServer(prompt_cache=True) as fake:
        backend = make_backend(fake)
        first = backend.summarize(make_paper(title="First"), "en")
        second = backend.summarize(make_paper(title="Second"), "en")
        a, b = fake.chat_requests
    assert a.messages[0] == b.messages[0]  # the same system message and schema lead every request
    assert a.messages[-1]["content"].endswith(make_paper().sections[-1].text)  # the paper closes the prompt
    assert first.cached_tokens == 0
    # below OpenAI's 1,024-token minimum the fixed part alone is not cached; what the server said is recorded
    fixed = prompt_tokens({**b.body, "messages": b.messages[:1]})
    assert second.cached_tokens == (fixed // 128 * 128 if fixed >= 1024 else 0)


def test_a_reask_is_served_from_the_prompt_cache_and_recorded() -> None:
    with FakeOpenAIServer(prompt_cache=True) as fake:
        fake.script(content('{"title": "only a title"}'), answer())
        draft = make_backend(fake).summarize(make_paper(), "en")
        first, again = fake.chat_requests
    assert again.messages[:2] == first.messages  # the re-ask continues the same conversation
    assert draft.cached_tokens == prompt_tokens(first.body) // 128 * 128 > 1024
    assert draft.prompt_tokens == prompt_tokens(first.body) + prompt_tokens(again.body)
