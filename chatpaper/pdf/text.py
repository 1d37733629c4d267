"""Printed characters to running text: ligatures, odd spaces and spacing accents (`clean_text`), and printed
lines joined into sentences (`join_lines`: end-of-line hyphens, URLs broken over lines, scripts without spaces).

Pure module, no geometry: the reader cleans each span's text, and every module that reads a block of lines joins
them here.
"""

from __future__ import annotations

import re
import unicodedata

from chatpaper.scripts import is_wide

_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00ad": "",  # soft hyphen
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
        "\u00a0": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u2010": "-",
        "\u2011": "-",
    }
)

# TeX and some publishers draw accents as separate spacing glyphs ("Te\u02c7sanovi\u00b4c", "Ste\u00b4phane").
_SPACING_ACCENTS = {
    "\u00b4": "\u0301",  # acute
    "\u02ca": "\u0301",
    "`": "\u0300",  # grave
    "\u02cb": "\u0300",
    "\u02c7": "\u030c",  # caron
    "\u00a8": "\u0308",  # diaeresis
    "\u02dc": "\u0303",  # tilde
    "\u02c6": "\u0302",  # circumflex
    "\u00b8": "\u0327",  # cedilla
    "\u02d8": "\u0306",  # breve
    "\u02da": "\u030a",  # ring
    "\u02dd": "\u030b",  # double acute
}
_COMMON_ACCENTED = set("áéíóúýćńśźÁÉÍÓÚÝĆŃŚŹàèìòùÀÈÌÒÙčšžřěňďťČŠŽŘĚŇĎŤäëïöüÿÄËÏÖÜâêîôûÂÊÎÔÛãñõÃÑÕçşÇŞăğĂĞåůÅŮőűŐŰ")
_ACCENT_RE = re.compile("[" + "".join(re.escape(a) for a in _SPACING_ACCENTS) + "]")
# The grave is also the backtick, which papers print around code (`make`, `a`) and doubled as TeX quotes
# (``word''). A backtick is a grave accent only outside such pairs and runs: TeX's own graves sit inside a
# word ("Troisi`eme"), and a pair needs an opening one at a word start and a closing one at a word end.
_BACKTICKS = re.compile(r"``+|(?<![^\s(\[{\"'])`[^`\s](?:[^`]*?[^`\s])?`(?![^\s.,;:!?)\]}\"'])")


def _combine(letter: str, accent: str) -> str:
    # TeX puts an accent on a dotless i (\'{\i} comes out as "´ı"): the accent takes the dot's place
    letter = "i" if letter == "ı" else letter
    return unicodedata.normalize("NFC", letter + _SPACING_ACCENTS[accent])


def _join_spacing_accents(text: str) -> str:
    """Attach spacing accents to their letter: the following one (TeX) unless only the preceding one fits.
    Backticks in pairs or runs are code or quotes and stay as printed."""
    code: set[int] = set()
    if "`" in text:
        code = {k for m in _BACKTICKS.finditer(text) for k in range(m.start(), m.end()) if text[k] == "`"}
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch not in _SPACING_ACCENTS or i in code:
            out.append(ch)
            i += 1
            continue
        after = _combine(text[i + 1], ch) if i + 1 < n and text[i + 1].isalpha() else ""
        before = _combine(out[-1], ch) if out and out[-1].isalpha() else ""
        if after in _COMMON_ACCENTED:
            out.append(after)
            i += 2
        elif before in _COMMON_ACCENTED:
            out[-1] = before
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def clean_text(text: str) -> str:
    """Normalise ligatures, odd spaces and spacing accents; keep everything else as printed."""
    text = text.translate(_LIGATURES)
    if _ACCENT_RE.search(text):
        text = _join_spacing_accents(text)
    return text


def join_lines(lines: list[str]) -> str:
    """Join printed lines into running text: undo end-of-line hyphenation, keep URLs whole."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        if _url_continues(out, line):
            out += line  # a URL broken at the line end continues without a space
        elif out.endswith("-") and len(out) >= 2 and out[-2].isalpha() and line[0].islower():
            word = out.rsplit(None, 1)[-1]
            # "state-of-the-" + "art" keeps its hyphen; "approxi-" + "mation" loses it
            out = out + line if "-" in word[:-1] else out[:-1] + line
        elif out.endswith("-") and len(out) >= 2 and out[-2].isalpha() and line[0].isupper():
            out += line  # "Self-" + "Attention": a compound split at its own hyphen
        elif is_wide(out[-1]) and is_wide(line[0]):
            out += line
        else:
            out += " " + line
    return out


_URL_END = re.compile(r"(?:https?://|www\.)\S*$", re.I)
_URL_NEXT = re.compile(r"^[\w\-./#?=&%~+:@]+")


def _url_continues(out: str, line: str) -> bool:
    tail = out[out.rfind(" ") + 1 :]  # only the last word can be an unfinished URL
    m = _URL_END.search(tail) if ("://" in tail or "www." in tail) else None
    if not m:
        return False
    url = m.group(0)
    token = _URL_NEXT.match(line)
    if not token:
        return False
    token_text = token.group(0).rstrip(".,;:")
    host_open = "/" not in url.split("://", 1)[-1]  # "https://github." + "com/..."
    if url.endswith(("/", "-", "_", "#", "?", "=", "&")):
        return bool(re.search(r"[/._\-#]", token_text)) or url.endswith("-") or host_open
    return url.endswith(".") and host_open
