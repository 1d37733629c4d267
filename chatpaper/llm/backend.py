"""What every summarizing backend offers the pipeline.

A backend turns a parsed `Paper` into a `Draft`: the model-written part of the summary plus what it
cost. The pipeline adds provenance (`SummaryMeta`) and arXiv metadata; backends never see files,
caches or reports. Backends are called from several worker threads at once and must be thread-safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chatpaper.models import ArxivEntry, BackendName, Language, Paper, SummaryAnswer


@dataclass(frozen=True)
class Draft:
    """A validated answer and its cost (`cached_tokens`: prompt tokens the server served from its cache)."""

    answer: SummaryAnswer
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached_tokens: int = 0


class Backend(Protocol):
    """A way of summarizing papers: the OpenAI-compatible client or the offline extractive one."""

    model: str
    prompt_version: str

    # Read-only: each backend names itself with one of the names (`name: Literal["openai"]`), which a
    # settable `name: BackendName` would refuse (a protocol's attribute must be writable with any name).
    @property
    def name(self) -> BackendName:
        """Which backend this is, as summaries record it (`SummaryMeta.backend`)."""
        ...

    def summarize(self, paper: Paper, language: Language, *, arxiv: ArxivEntry | None = None) -> Draft:
        """Summarize one paper. `arxiv`, when given, is authoritative metadata the prompt may show.

        Raises a `chatpaper.errors.PaperError` subclass when this paper cannot be summarized, and
        an `LLMServiceError` when no paper can be (the key was refused, no such model, nothing listening).
        """
        ...

    def estimate_prompt_tokens(
        self, paper: Paper | None, language: Language, *, arxiv: ArxivEntry | None = None
    ) -> int:
        """Prompt tokens one paper would cost (for `--dry-run`); `paper` is None when only
        metadata is known (the PDF is not downloaded yet), then a budget-based estimate."""
        ...
