"""What a summary cost: its tokens at the model's price (`chatpaper.llm.model_facts`, extended or
overridden by `settings.prices`). An unknown model costs `None` (reports then show tokens only)
rather than a guessed number.
"""

from __future__ import annotations

from collections.abc import Mapping

from chatpaper.llm.model_facts import model_price
from chatpaper.settings import ModelPrice


def estimate_cost(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    prices: Mapping[str, ModelPrice],
    cached_tokens: int = 0,
) -> float | None:
    """Estimated USD cost of the given usage, or None when the model's price is unknown. `cached_tokens`
    (part of `prompt_tokens`) cost the cached price when the model has one."""
    price = model_price(model, prices)
    if price is None:
        return None
    cached = min(cached_tokens, prompt_tokens)
    cached_price = price.input if price.cached_input is None else price.cached_input
    prompt_cost = (prompt_tokens - cached) * price.input + cached * cached_price
    return (prompt_cost + completion_tokens * price.output) / 1_000_000
