"""Front-matter labels (chatpaper/pdf/labels.py): the abstract's label and heading share one vocabulary."""

from __future__ import annotations

import pytest

from chatpaper.pdf.headings import ABSTRACT_LABEL_ONLY_WORDS, ABSTRACT_WORDS, is_abstract_heading, role_from_heading
from chatpaper.pdf.labels import ABSTRACT_LABEL


@pytest.mark.parametrize("word", ABSTRACT_WORDS)
def test_every_abstract_heading_word_is_an_abstract_label(word: str) -> None:
    assert is_abstract_heading(word)
    m = ABSTRACT_LABEL.match(f"{word.capitalize()}: We measure tides.")
    assert m is not None and m.group(2) == "We measure tides."


@pytest.mark.parametrize("word", ABSTRACT_LABEL_ONLY_WORDS)
def test_other_languages_abstract_labels_are_labels_only(word: str) -> None:
    m = ABSTRACT_LABEL.match(f"{word} — Tekst.")
    assert m is not None and m.group(2) == "Tekst."
    assert role_from_heading(word) != "abstract"


@pytest.mark.parametrize(
    ("printed", "rest"),
    [
        ("摘 要：本文提出", "本文提出"),  # letter-spaced Chinese label
        ("A B S T R A C T", ""),  # letter-spaced Latin label, on its own line
        ("Resumo. O sucesso do método", "O sucesso do método"),
    ],
)
def test_printed_abstract_labels(printed: str, rest: str) -> None:
    m = ABSTRACT_LABEL.match(printed)
    assert m is not None and m.group(2) == rest


def test_a_word_that_only_begins_like_the_label_is_no_label() -> None:
    assert ABSTRACT_LABEL.match("Abstracts of talks were collected") is None
