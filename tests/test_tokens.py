"""Token counts: OpenAI's own encodings from the bpe-openai wheel for OpenAI models, the estimate for others."""

from __future__ import annotations

import pytest

from chatpaper.tokens import ESTIMATE, counter_for, estimate_tokens, model_encoding, trim_to_tokens

ENGLISH = "We propose a retrieval augmented prompt tuning method and evaluate it on three paraphrase datasets. "
CHINESE = "我们提出了一种检索增强的提示调优方法，并在三个复述数据集上进行了评估。"


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o-mini", "o200k_base"),
        ("openai/gpt-4o-2024-08-06", "o200k_base"),
        ("gpt-4.1-nano", "o200k_base"),
        ("gpt-5-mini", "o200k_base"),
        ("o4-mini", "o200k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("qwen2.5:7b", None),
        ("deepseek-chat", None),
        ("llama3.1:8b", None),
    ],
)
def test_openai_models_use_their_own_encoding(model: str, encoding: str | None) -> None:
    assert model_encoding(model) == encoding
    assert counter_for(model).name == (encoding or "estimate")


def test_real_counts_are_exact_for_known_strings() -> None:
    o200k = counter_for("gpt-4o-mini")
    assert o200k.count("hello world") == 2
    assert o200k.count("") == 0
    # a special token printed in a paper is plain text, not an error
    assert o200k.count("<|endoftext|>") > 1


def test_real_counts_are_not_the_estimate() -> None:
    o200k, cl100k = counter_for("gpt-4o"), counter_for("gpt-4")
    text = ENGLISH * 20
    assert o200k.count(text) < estimate_tokens(text) * 0.9  # English prose: the estimate over-counts o200k
    chinese = CHINESE * 20
    assert o200k.count(chinese) < cl100k.count(chinese) != estimate_tokens(chinese)  # two vocabularies


def test_head_is_the_longest_prefix_within_the_count() -> None:
    for counter in (ESTIMATE, counter_for("gpt-4o-mini")):
        for text in (ENGLISH * 10, CHINESE * 10):
            head = counter.head(text, 50)
            assert text.startswith(head) and counter.count(head) <= 50
            assert counter.count(text[: len(head) + 8]) > 50


def test_trim_cuts_at_a_sentence_with_either_counter() -> None:
    for counter in (ESTIMATE, counter_for("gpt-4o-mini")):
        trimmed = trim_to_tokens(ENGLISH * 10, 60, counter)
        assert counter.count(trimmed) <= 60 and trimmed.endswith("datasets.")
        assert trim_to_tokens("short", 60, counter) == "short"
