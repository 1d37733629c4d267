"""BibTeX for the summarized papers (`papers.bib`, a digest day's `.bib`), for Zotero, JabRef and biblatex.

arXiv papers are `@misc` entries with the eprint fields biblatex and Zotero read (`eprint`,
`archivePrefix`, `primaryClass`); a local PDF is a `@misc` with what the paper prints. Text is
UTF-8 with LaTeX's special characters escaped, so accented and CJK names stay as they are. Keys are
`surname` + `year` + first title word in ASCII, made unique by a letter in the order the papers were
first summarized, so a paper keeps its key from run to run as papers are added.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from anyascii import anyascii

from chatpaper.models import PaperSummary
from chatpaper.render.safe import one_line, safe_url
from chatpaper.scripts import CJK_LETTER_CHAR

# LaTeX's special characters, as text-mode commands biblatex and Zotero's importer both read. Braces
# become commands, not "\{": BibTeX counts every brace, escaped or not, so a lone "\}" would end the field.
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL = re.compile("[" + re.escape("".join(_SPECIALS)) + "]")
# Words a key skips when it takes the title's first word, as citation keys usually do.
_KEY_STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and", "towards", "toward", "with"})
_ARXIV_VERSION = re.compile(r"v\d+$")
# Fields biblatex reads verbatim (url, doi, eprint): nothing is escaped there, so what could end the
# field or start a command is dropped (a DOI or an arXiv id holds none of it).
_VERBATIM_UNSAFE = re.compile(r"[{}\\%\s]")


def latex_text(value: object) -> str:
    """Untrusted text for a BibTeX field: one line, LaTeX's special characters escaped, UTF-8 kept."""
    return _SPECIAL.sub(lambda m: _SPECIALS[m.group()], one_line(value))


def _ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits of `text` (accents dropped, other scripts transliterated)."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", anyascii(plain).lower())


def _surname(author: str) -> str:
    """The family name of "First Last" or "Last, First"; in Chinese, Japanese and Korean, where the family
    name comes first, the first word, or the first character of a name written without spaces (王小明)."""
    name = one_line(author)
    if "," in name:
        return name.split(",", 1)[0]
    parts = name.split()
    if not parts:
        return ""
    if CJK_LETTER_CHAR.match(parts[0]):
        return parts[0] if len(parts) > 1 else parts[0][0]
    return parts[-1]


def _first_title_word(title: str) -> str:
    for word in re.findall(r"[^\W_]+", one_line(title)):
        if CJK_LETTER_CHAR.match(word):
            word = word[:2]  # no spaces between words there: the first two characters, a word more often than not
        ascii_word = _ascii_word(word)
        if ascii_word and ascii_word not in _KEY_STOPWORDS:
            return ascii_word
    return ""


def base_key(summary: PaperSummary) -> str:
    """`surname` + `year` + first title word, in ASCII: "vaswani2017attention"."""
    surname = _ascii_word(_surname(summary.authors[0])) if summary.authors else ""
    year = str(summary.year) if summary.year else ""
    key = f"{surname or 'anon'}{year}{_first_title_word(summary.title)}"
    return key[:60]


def _identity(summary: PaperSummary) -> str:
    return summary.arxiv.id if summary.arxiv else (summary.meta.sha256 or summary.meta.source)


def bibtex_keys(summaries: Sequence[PaperSummary]) -> list[str]:
    """Unique keys, in the order of `summaries`: the first summarized paper with a key keeps it, later
    ones get "b", "c", ... so adding papers never renames the ones already cited."""
    order = sorted(range(len(summaries)), key=lambda i: (summaries[i].meta.created, _identity(summaries[i])))
    keys: list[str] = [""] * len(summaries)
    taken: set[str] = set()
    for i in order:
        base = base_key(summaries[i])
        key, n = base, 1
        while key in taken:
            n += 1
            key = base + _suffix(n)
        taken.add(key)
        keys[i] = key
    return keys


def _suffix(n: int) -> str:
    """2 -> "b", 26 -> "z", 27 -> "ab": a letter, as citation keys disambiguate a surname and year."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _verbatim(value: str) -> str:
    return _VERBATIM_UNSAFE.sub("", value)


def _author_field(authors: Sequence[str]) -> str:
    names = []
    for author in authors:
        name = latex_text(author)
        # BibTeX splits names at " and ": a name holding the word (an organisation) is kept whole in braces.
        names.append(f"{{{name}}}" if re.search(r"\sand\s", name, re.I) else name)
    return " and ".join(n for n in names if n)


def _entry(key: str, summary: PaperSummary) -> str:
    fields: list[tuple[str, str]] = [("title", latex_text(summary.title))]
    if summary.authors:
        fields.append(("author", _author_field(summary.authors)))
    if summary.year:
        fields.append(("year", str(summary.year)))
    arxiv = summary.arxiv
    if arxiv is not None:
        fields.append(("eprint", _verbatim(_ARXIV_VERSION.sub("", arxiv.id))))
        fields.append(("archivePrefix", "arXiv"))
        primary = arxiv.primary_category or (arxiv.categories[0] if arxiv.categories else None)
        if primary:
            fields.append(("primaryClass", latex_text(primary)))
        if arxiv.doi:
            fields.append(("doi", _verbatim(arxiv.doi)))
        if arxiv.journal_ref:
            fields.append(("note", latex_text(arxiv.journal_ref)))
    url = safe_url(summary.paper_url)  # percent-encoded: no brace or space left to end the field
    if url:
        fields.append(("url", url))
    if summary.keywords:
        fields.append(("keywords", latex_text(", ".join(summary.keywords))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def render_bibtex(summaries: Sequence[PaperSummary]) -> str:
    """A BibTeX file with one `@misc` entry per summary, in the order given."""
    keys = bibtex_keys(summaries)
    entries = [_entry(key, summary) for key, summary in zip(keys, summaries, strict=True)]
    header = "% Written by chatpaper: one entry per summarized paper. UTF-8; LaTeX specials escaped.\n\n"
    return header + "\n".join(entries)
