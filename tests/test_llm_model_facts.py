"""Model facts: context windows and prices by model name, and the settings that override them."""

from __future__ import annotations

import pytest

from chatpaper.llm.model_facts import DEFAULT_CONTEXT, context_window, model_price
from chatpaper.settings import ModelPrice


@pytest.mark.parametrize(
    ("model", "tokens"),
    [
        ("gpt-4o-mini", 128_000),
        ("gpt-4o-2024-08-06", 128_000),
        ("gpt-4.1-nano", 1_047_576),
        ("gpt-3.5-turbo", 16_385),
        ("deepseek-chat", 65_536),
        ("qwen2.5:7b", 32_768),
        ("Qwen/Qwen2.5-7B-Instruct", 32_768),
        ("llama3", 8_192),
        ("llama3.1:8b", 131_072),
        ("my-own-finetune", DEFAULT_CONTEXT),
    ],
)
def test_context_windows(model: str, tokens: int) -> None:
    assert context_window(model) == tokens


def test_configured_context_window_wins() -> None:
    assert context_window("gpt-4o", 4096) == 4096


def test_prices_by_name_snapshot_and_the_users_table() -> None:
    assert model_price("gpt-4o-mini") == ModelPrice(input=0.15, output=0.60, cached_input=0.075)
    assert model_price("gpt-4o-mini-2024-07-18") == model_price("gpt-4o-mini")  # a dated snapshot: its alias
    assert model_price("llama3.1:8b") is None
    mine = {"llama3.1:8b": ModelPrice(input=0, output=0), "GPT-4o": ModelPrice(input=1, output=2)}
    assert model_price("llama3.1:8b", mine) == ModelPrice(input=0, output=0)
    assert model_price("gpt-4o", mine) == ModelPrice(input=1, output=2)  # the user's table first, any case
