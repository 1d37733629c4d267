"""The OpenAI-compatible backend: one paper in, one validated `SummaryAnswer` out, usually in one call.

A paper's prompt carries its metadata, abstract and sections fitted to the prompt cap (`settings.prompt_tokens`
for the whole prompt; by default the whole paper up to 16k tokens on a window of 32k or more), within the
model's context window and counted with its own tokenizer when chatpaper ships it. Only when the
key sections cannot each get a useful share of the window (a small-context model) is the paper
summarized in two steps: notes on chunks of sections (map), then the summary from the notes (reduce).

One backend serves every worker thread: the HTTP client, the rate limiter, the answer format the
server accepts and the context window it reported are shared, and learned once for the whole run.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Literal

from chatpaper.errors import ConfigError, ContextLengthError, PaperError
from chatpaper.evidence import PaperIndex, check_quotes, mostly_unsupported, unsupported_quotes
from chatpaper.llm import prompts
from chatpaper.llm.backend import Draft
from chatpaper.llm.budget import (
    Excerpt,
    PaperText,
    answer_room,
    default_prompt_cap,
    fit_paper,
    key_sections_fit,
    split_for_map,
    text_room,
)
from chatpaper.llm.client import ChatClient, ContextTooLongError, Message, Usage, estimate_request_tokens
from chatpaper.llm.model_facts import context_window
from chatpaper.llm.structured import (
    MIN_TEXT_BUDGET,
    FormatChooser,
    FormatMode,
    answer_schema,
    answer_skeleton,
    ask_for_answer,
    response_format,
)
from chatpaper.models import ArxivEntry, Language, Paper, SummaryAnswer
from chatpaper.settings import LlmSettings
from chatpaper.tokens import trim_to_tokens

log = logging.getLogger(__name__)

MAP_ANSWER_MAX = 400  # tokens of notes per map call, at most
MIN_NOTE = 60  # tokens; shorter notes are not worth a call


class QuoteVet:
    """Whether an answer is worth the one re-ask because most of its quotes are not in the paper
    (the model paraphrased or made them up), and what to tell the model. The paper is indexed only
    when an answer comes to be vetted."""

    def __init__(self, paper: Paper, arxiv: ArxivEntry | None) -> None:
        self.paper, self.arxiv = paper, arxiv
        self._index: PaperIndex | None = None

    def __call__(self, answer: SummaryAnswer) -> str | None:
        if self._index is None:
            self._index = PaperIndex(self.paper, self.arxiv)
        evidence = check_quotes(self._index, answer.evidence)
        if not mostly_unsupported(evidence):
            return None
        missing = unsupported_quotes(evidence)
        example = missing[0][1].quote
        example = example if len(example) <= 100 else example[:97] + "..."
        return (
            f"most of its quotes are not in the paper ({len(missing)} of {len(evidence.quotes())} not found, "
            f'e.g. "{example}"): copy every quote in `evidence` word for word from the paper text given, '
            "and state only numbers the paper prints"
        )


@dataclass(frozen=True)
class _Plan:
    """How one paper will be summarized."""

    map_reduce: bool
    context: int
    output: int  # max_tokens of the answer
    budget: int  # paper text (one call) or notes (reduce) tokens
    chunks: tuple[tuple[Excerpt, ...], ...] = ()
    note_tokens: int = 0


class OpenAIBackend:
    """Summaries from any OpenAI-compatible chat completions server (OpenAI, DeepSeek, vLLM, Ollama...)."""

    name: Literal["openai"] = "openai"

    def __init__(self, settings: LlmSettings, *, client: ChatClient | None = None) -> None:
        if not settings.has_llm_endpoint:
            raise ConfigError(
                "no LLM endpoint configured: set OPENAI_API_KEY, or --base-url for a local server, "
                "or use --backend extractive"
            )
        self.settings = settings
        self.model = settings.model
        self.prompt_version = prompts.prompt_version(answer_schema())
        self._client = client or ChatClient(settings)
        self._counter = self._client.counter
        self._formats = FormatChooser(settings.structured)
        self._lock = threading.Lock()
        self._context = context_window(settings.model, settings.context_tokens)
        self._overheads: dict[tuple[str, str], int] = {}

    # --- the Backend protocol ------------------------------------------------------------------------

    def summarize(self, paper: Paper, language: Language, *, arxiv: ArxivEntry | None = None) -> Draft:
        """Summarize one paper; raises a PaperError subclass, or an LLMServiceError when no paper can be."""
        usage = Usage()
        try:
            plan = self._plan(paper, language, arxiv)
            try:
                answer = self._answer(paper, language, arxiv, plan, usage)
            except ContextLengthError:
                # A map step has no shrink of its own, and a one-call prompt shrinks only once (in
                # ask_for_answer): when the server named a smaller window than the plan assumed, plan once
                # more for it (a paper that fitted one call may now need map-reduce).
                if self.context >= plan.context:
                    raise
                plan = self._plan(paper, language, arxiv)
                answer = self._answer(paper, language, arxiv, plan, usage)
        except PaperError as exc:
            exc.prompt_tokens, exc.completion_tokens, exc.calls = (
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.calls,
            )
            raise
        return Draft(answer, usage.prompt_tokens, usage.completion_tokens, usage.calls, usage.cached_tokens)

    def _answer(
        self, paper: Paper, language: Language, arxiv: ArxivEntry | None, plan: _Plan, usage: Usage
    ) -> SummaryAnswer:
        if plan.map_reduce:
            return self._map_reduce(paper, language, arxiv, plan, usage)
        return ask_for_answer(
            self._client,
            self._formats,
            lambda mode, budget: self._one_call_prompt(paper, language, arxiv, mode, budget),
            budget=plan.budget,
            max_tokens=plan.output,
            context=plan.context,
            usage=usage,
            on_context_limit=self._learn_context,
            vet=QuoteVet(paper, arxiv),
        )

    def estimate_prompt_tokens(
        self, paper: Paper | None, language: Language, *, arxiv: ArxivEntry | None = None
    ) -> int:
        """Prompt tokens one paper would cost (schema included; map and reduce calls summed for a
        map-reduce paper); from the budget when `paper` is None. Raises ContextLengthError when the
        model's window cannot hold a prompt beside the answer at all."""
        mode = self._formats.mode
        if paper is None:
            context = self.context
            output = answer_room(context, self.settings.max_output_tokens)
            overhead = self._overhead(language, mode)
            return overhead + min(self._text_budget(overhead), text_room(context, output, overhead, self._counter))
        plan = self._plan(paper, language, arxiv)
        if not plan.map_reduce:
            messages, _ = self._one_call_prompt(paper, language, arxiv, mode, plan.budget)
            return estimate_request_tokens(messages, response_format(mode), self._counter)
        total = sum(
            estimate_request_tokens(
                self._map_prompt(paper.title, chunk, i + 1, len(plan.chunks), plan.note_tokens), None, self._counter
            )
            for i, chunk in enumerate(plan.chunks)
        )
        placeholder = ["x " * (plan.note_tokens * 2)] * len(plan.chunks)  # notes as long as they may be
        messages, _ = self._reduce_prompt(paper, language, arxiv, placeholder, mode, plan.budget)
        return total + estimate_request_tokens(messages, response_format(mode), self._counter)

    def close(self) -> None:
        """Release the HTTP connections."""
        self._client.close()

    # --- planning ------------------------------------------------------------------------------------

    @property
    def context(self) -> int:
        """The context window in use: the configured or known one, or smaller if the server said so."""
        with self._lock:
            return self._context

    def _learn_context(self, limit: int) -> None:
        with self._lock:
            if limit < self._context:
                log.info("the server reports a %d-token context window for %s; using it", limit, self.model)
                self._context = limit

    def _overhead(self, language: Language, mode: FormatMode) -> int:
        """Prompt tokens around the paper text: instructions, template and schema."""
        key = (language, mode)
        if key not in self._overheads:
            empty = PaperText("", [], None, "", "", [], [], [])
            messages = self._messages(language, mode, prompts.render("user.j2", prompts.user_vars(empty)))
            self._overheads[key] = estimate_request_tokens(messages, response_format(mode), self._counter)
        return self._overheads[key]

    def _plan(self, paper: Paper, language: Language, arxiv: ArxivEntry | None) -> _Plan:
        context = self.context
        output = answer_room(context, self.settings.max_output_tokens)
        overhead = self._overhead(language, self._formats.mode)
        room = text_room(context, output, overhead, self._counter)
        if key_sections_fit(paper, room, arxiv, self._counter) or self.settings.long_paper == "truncate":
            if room < MIN_TEXT_BUDGET:
                raise ContextLengthError(self._too_small(context))
            return _Plan(False, context, output, min(self._text_budget(overhead), room))

        # Map-reduce: notes on chunks of the sections a one-call prompt would have carried at full budget.
        header = fit_paper(paper.model_copy(update={"sections": []}), room, arxiv, self._counter).header_tokens
        notes_budget = room - header
        map_output = min(MAP_ANSWER_MAX, context // 4)
        map_overhead = estimate_request_tokens(self._map_prompt(paper.title, [], 1, 1, 100), None, self._counter)
        chunk_room = text_room(context, map_output, map_overhead, self._counter)
        if notes_budget < MIN_NOTE or chunk_room < MIN_TEXT_BUDGET // 2:
            raise ContextLengthError(self._too_small(context))
        excerpts = fit_paper(paper, self._text_budget(overhead), arxiv, self._counter).excerpts
        chunks = split_for_map(excerpts, chunk_room, self._counter)
        # Fewer, fuller chunks if the notes of all of them would not fit the reduce prompt.
        while chunks and notes_budget // len(chunks) < MIN_NOTE:
            chunks = chunks[: notes_budget // MIN_NOTE]
        note_tokens = min(map_output, notes_budget // max(1, len(chunks)))
        log.debug("map-reduce for %s: %d chunks, %d-token notes", paper.path, len(chunks), note_tokens)
        return _Plan(True, context, output, notes_budget, tuple(tuple(c) for c in chunks), note_tokens)

    def _text_budget(self, overhead: int) -> int:
        """Paper-text tokens within the prompt cap, which bounds the whole prompt the server bills
        (instructions and schema included), so a run's cost follows it: `settings.prompt_tokens`, or by
        default room for the whole paper on a large window and the role shares on a small one."""
        cap = self.settings.prompt_tokens or default_prompt_cap(self.context, overhead)
        return max(MIN_TEXT_BUDGET, cap - overhead)

    def _too_small(self, context: int) -> str:
        return (
            f"the {context}-token context window of {self.model} leaves no room for the paper beside "
            f"a {self.settings.max_output_tokens}-token answer: set --context-tokens to the model's real window, "
            "or lower max_output_tokens (CHATPAPER_MAX_OUTPUT_TOKENS, or in chatpaper.toml)"
        )

    # --- prompts -------------------------------------------------------------------------------------

    def _messages(self, language: Language, mode: FormatMode, user: str) -> list[Message]:
        skeleton = None if mode == "json_schema" else answer_skeleton()
        system = prompts.render("system.j2", prompts.system_vars(language, skeleton))
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    def _one_call_prompt(
        self, paper: Paper, language: Language, arxiv: ArxivEntry | None, mode: FormatMode, budget: int
    ) -> tuple[list[Message], int]:
        text = fit_paper(paper, budget, arxiv, self._counter)
        user = prompts.render("user.j2", prompts.user_vars(text))
        return self._messages(language, mode, user), text.tokens

    def _reduce_prompt(
        self,
        paper: Paper,
        language: Language,
        arxiv: ArxivEntry | None,
        notes: list[str],
        mode: FormatMode,
        budget: int,
    ) -> tuple[list[Message], int]:
        text = fit_paper(paper.model_copy(update={"sections": []}), budget, arxiv, self._counter)
        share = max(MIN_NOTE // 2, (budget - text.header_tokens) // max(1, len(notes)))
        fitted = [trim_to_tokens(note, share, self._counter) for note in notes]
        user = prompts.render("reduce.j2", prompts.reduce_vars(text, fitted))
        used = text.header_tokens + sum(self._counter.count(n) for n in fitted)
        return self._messages(language, mode, user), used

    def _map_prompt(
        self, title: str, chunk: tuple[Excerpt, ...] | list[Excerpt], part: int, parts: int, tokens: int
    ) -> list[Message]:
        words = max(40, tokens * 3 // 4)
        content = prompts.render("map.j2", prompts.map_vars(title or "(untitled)", chunk, part, parts, words))
        return [{"role": "user", "content": content}]

    def _map_reduce(
        self, paper: Paper, language: Language, arxiv: ArxivEntry | None, plan: _Plan, usage: Usage
    ) -> SummaryAnswer:
        notes: list[str] = []
        for i, chunk in enumerate(plan.chunks):
            messages = self._map_prompt(paper.title, chunk, i + 1, len(plan.chunks), plan.note_tokens)
            try:
                # A cut-off note is still a usable note: no length retry here.
                reply = self._client.chat(messages, max_tokens=plan.note_tokens + 50, usage=usage)
            except ContextTooLongError as exc:
                if exc.limit:
                    self._learn_context(exc.limit)
                raise ContextLengthError(f"{exc}: set --context-tokens to the model's real window") from None
            if reply.content.strip():
                notes.append(reply.content.strip())
        if not notes:
            notes = ["(no notes: the sections could not be read)"]
        # No quote vet here: the model sees notes, not the paper, so a re-ask for verbatim quotes would
        # pay for the same answer again.
        return ask_for_answer(
            self._client,
            self._formats,
            lambda mode, budget: self._reduce_prompt(paper, language, arxiv, notes, mode, budget),
            budget=plan.budget,
            max_tokens=plan.output,
            context=plan.context,
            usage=usage,
            on_context_limit=self._learn_context,
        )
