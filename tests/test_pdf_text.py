"""Printed text to running text: ligatures, spacing accents, backticks, line joins (chatpaper/pdf/text.py)."""

from __future__ import annotations

import pytest

from chatpaper.pdf.text import clean_text, join_lines


def test_ligatures_and_odd_spaces() -> None:
    assert clean_text("e\ufb03cient \ufb01eld \ufb02ow o\ufb00er") == "efficient field flow offer"
    assert clean_text("soft\u00adhyphen\u00a0space") == "softhyphen space"


def test_spacing_accents_join_their_letter() -> None:
    assert clean_text("Zlatko Te\u02c7sanovi\u00b4c") == "Zlatko Tešanović"  # TeX: accent before the letter
    assert clean_text("Ste\u00b4phane Universite\u00b4") == "Stéphane Université"  # accent after the letter
    assert clean_text("J\u00b4erome") == "Jérome"
    assert clean_text("Astronom\u00b4\u0131a y F\u00b4\u0131sica") == "Astronomía y Física"  # TeX's dotless i
    assert clean_text("K\u0131l\u0131\u00e7") == "Kılıç"  # a Turkish dotless i without an accent stays


@pytest.mark.parametrize(
    ("printed", "read"),
    [
        ("run `make` and then `echo`", None),  # code between backticks stays code
        ("the `a` flag (`use`).", None),
        ("``apple'' and ```python", None),  # TeX quotes and Markdown fences are runs of backticks
        ("x = `e`", None),
        ("the Troisi`eme Cycle", "the Troisième Cycle"),  # TeX's spacing grave inside a word: an accent
        ("J.L\u00b4eopold`es", "J.Léopoldès"),
        ("Gen`eve and `a Paris", "Genève and à Paris"),
    ],
)
def test_backticks_are_code_and_graves_are_accents(printed: str, read: str | None) -> None:
    assert clean_text(printed) == (read or printed)


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["an approxi-", "mation"], "an approximation"),
        (["a state-of-the-", "art model"], "a state-of-the-art model"),
        (["Self-", "Attention"], "Self-Attention"),
        (["at https://github.", "com/google-research/tapas/blob/master/", "TABLEFORMER.md"], None),
        (["at https://github.com/jhu-", "lcsr/good_robot."], "at https://github.com/jhu-lcsr/good_robot."),
        (["see https://example.org/x.", "We then"], "see https://example.org/x. We then"),
        (["中文的句子在行尾", "断开时不加空格"], "中文的句子在行尾断开时不加空格"),
        (["two words", "and more"], "two words and more"),
    ],
)
def test_join_lines(lines: list[str], joined: str | None) -> None:
    expected = joined or "at https://github.com/google-research/tapas/blob/master/TABLEFORMER.md"
    assert join_lines(lines) == expected
