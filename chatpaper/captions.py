"""What starts a figure or table caption: the label words of every language the reader knows, and the number.

Pure module below `pdf/` and `llm/`, the one owner of the caption vocabulary: the section tree uses it to keep
captions out of the body text, the figure finder (`pdf/figures.py`) to find the paper's first figure, the
sentence filter (`llm/sentences.py`) to leave captions that reached the text out of quotes.
"""

from __future__ import annotations

import re

from chatpaper.scripts import HAN

# Words that label a figure: English, German (Abbildung, Abb.), Spanish/Portuguese/Italian (Figura),
# Scandinavian (Figur), Russian (Рисунок, Рис.), Chinese (图/圖), Japanese (図), Korean (그림).
FIGURE_WORDS = r"fig(?:ure|ura|ur)?\.?|abb(?:ildung)?\.?|рис(?:унок)?\.?|图|圖|図|그림"
# Words that label a table or another float: Tabelle, Tabla, Tabela, Tabella, Tableau, Таблица, 表.
FLOAT_WORDS = r"tab(?:le|elle|la|ela|ella|leau|\.)|таблица|algorithm|listing|chart|plate|scheme|exhibit|表"
_LABEL = rf"(?:{FIGURE_WORDS}|{FLOAT_WORDS})"
# "1", "IV", "A.2", "S1" (supplementary), with a sub-number: "1.2", "3-1" (Japanese theses).
_NUMBER = r"(?>(?:\d+|[IVXL]+|[A-Z]\.?\d*)(?:[.-]\d+)?)"  # atomic: "Fig1.2(a)" is no "Fig1" + "."

# A caption starts with a capital: "fig. 3" or "рис. 3.10, ..." at a line start is a reference in running text.
_CAPITAL = r"(?-i:(?![a-zà-ÿа-яё]))"  # scoped: the patterns below ignore case

# A caption's first line: the label, its number, then punctuation, nothing, or Chinese/Japanese text
# straight after the number ("图1系统架构").
CAPTION = re.compile(rf"^{_CAPITAL}{_LABEL}\s*{_NUMBER}(?:\s*[:.|—–：-]|\s*$|(?=[{HAN}]))", re.I)

# A label with no punctuation after its number ("Table 1 Comparison of ..."): a caption only when the
# label is bold or the line is small print and the text goes on with a capital, so that "Table 1 shows
# ..." in the body font stays prose (the section tree decides with the line's style).
BARE_CAPTION = re.compile(rf"^{_CAPITAL}(?i:{_LABEL})\s*{_NUMBER}\s+(?![a-zà-ÿа-яё])\S")

# The label and number alone on a line, the caption's text on the next one ("Abb. 1" / "Figure 3.").
LABEL_ONLY = re.compile(rf"^{_CAPITAL}{_LABEL}\s*[\dIVXL]+(?:[.-]\d+)?\.?$", re.I)

_FIGURE = re.compile(rf"^{_CAPITAL}(?:{FIGURE_WORDS})\s*({_NUMBER})(?![A-Za-z0-9(])", re.I)


def figure_number(caption: str) -> str | None:
    """The number of a figure caption ("1", "1.1", "IV"), or None for a table or anything else."""
    match = _FIGURE.match(caption.strip())
    return match.group(1) if match else None


def is_first_figure(number: str) -> bool:
    """Whether a figure number is the paper's first figure: 1, or 1.1 / 1-1 in a thesis numbered by chapter."""
    return re.fullmatch(r"0*1(?:[.-]0*1)?|I", number) is not None
