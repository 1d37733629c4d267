"""Summarizing backends: the OpenAI-compatible client and the offline extractive one."""

from __future__ import annotations

from chatpaper.llm.backend import Backend, Draft
from chatpaper.settings import Settings


def make_backend(settings: Settings) -> Backend:
    """The backend the settings ask for (`auto`: the LLM when a key or base URL is set, else extractive)."""
    if settings.resolved_backend() == "openai":
        from chatpaper.llm.openai_backend import OpenAIBackend

        return OpenAIBackend(settings.llm)
    from chatpaper.llm.extractive import ExtractiveBackend

    return ExtractiveBackend()


def make_prompt_estimator(settings: Settings) -> Backend:
    """A backend that can size the prompts an LLM run would send, even when none is configured.

    `--dry-run` without a key still answers "what would this cost with a model"; estimating never
    opens a connection, so a placeholder endpoint is enough.
    """
    from chatpaper.llm.openai_backend import OpenAIBackend

    llm = settings.llm
    if llm.has_llm_endpoint:
        return OpenAIBackend(llm)
    return OpenAIBackend(llm.model_copy(update={"base_url": "http://127.0.0.1:9/v1"}))


__all__ = ["Backend", "Draft", "make_backend", "make_prompt_estimator"]
