"""The language of a paper from its text (chatpaper/pdf/language.py)."""

from __future__ import annotations

from chatpaper.pdf.language import detect_language
from tests.fakes.lines import line


def test_language() -> None:
    zh = [line("大语言模型在不同领域都表现出了优异的性能，然而提示设计仍然依赖经验。", 60, 100, 500)]
    en = [line("Large language models perform well across many domains.", 60, 100, 500)]
    assert detect_language(zh) == "zh"
    assert detect_language(en) == "en"
