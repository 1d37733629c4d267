"""Summarizing backends: the OpenAI-compatible client and the offline extractive one."""

from __future__ import annotations

from chatpaper.llm.backend import Backend, Draft
from chatpaper.settings import Settings


def make_backend(settings: Settings) -> Backend:
    """The backend the settings ask for (`auto`: the LLM when a key or base URL is set, else extractive)."""
    if settings.resolved_backend() == "openai":
        from chatpaper.llm.openai_backend import OpenAIBackend

        return OpenAIBackend(settings)
    from chatpaper.llm.extractive import ExtractiveBackend

    return ExtractiveBackend()


__all__ = ["Backend", "Draft", "make_backend"]
