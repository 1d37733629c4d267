"""Untrusted text into Markdown and HTML outputs: the one place that escapes, vets links and sanitizes.

Paper titles, authors, abstracts and comments come from arXiv or the PDF, the four points and the
code link from an LLM that read the paper, file names from the user's disk: none of it may become
live HTML, a `javascript:` link or a heading of its own in a report, an index, a digest page, a
feed or an e-mail. Templates use these functions as jinja filters (`chatpaper/render/environment.py`).

Two dialects read our Markdown: CommonMark/GFM (GitHub, editors) and Python-Markdown with `extra`
(the e-mail). Escapes are chosen to mean the same in both: a backslash only before a character both
treat as escapable, a character reference (`&lt;`, `&#126;`) elsewhere. Text is escaped only where a
Markdown reader would take it for syntax, so an ordinary sentence keeps its dots, dashes, brackets,
parentheses and underscores, and reads exactly as before.

For HTML outputs (a page, an Atom entry's content): a jinja environment with autoescape for text,
`safe_url(url, schemes=LINK_SCHEMES)` for every href/src, and `sanitize_html` over any HTML made
from Markdown before it is written.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit, urlunsplit

import nh3

# --- links ---------------------------------------------------------------------------------------

# Links a reader may follow: web pages. Anything else (javascript:, data:, vbscript:, file:, custom
# app schemes) can run code or reach into the reader's machine, so it is dropped, not escaped.
WEB_SCHEMES = frozenset({"http", "https"})
# Where an e-mail address makes sense (an HTML page, the e-mail itself), mailto: is harmless too.
LINK_SCHEMES = WEB_SCHEMES | {"mailto"}

# Kept as they are in a path, query or fragment; everything else is percent-encoded, so a URL can
# never close a Markdown link `(...)`, an HTML attribute or a `<...>` early: spaces, quotes, angle
# brackets and parentheses are encoded. "%" stays so an already-encoded URL is not encoded twice.
_URL_KEEP = "!#$%&'*+,/:;=?@~-._"
# A host as URLs spell it (IDNs in any script, IPv6 in brackets, user@ and :port); anything else
# in the authority is no host a browser would resolve the way the text reads.
_NETLOC = re.compile(r"[\w.\-~%!$&'*+,;=:@\[\]]+")
# Browsers drop these anywhere in a URL before they read its scheme ("java\nscript:" is javascript:).
_URL_DROPPED = re.compile(r"[\x00-\x20\x7f]")
# Markdown and HTML decode "&#58;" in a link to ":", so "javascript&#58;..." would get its scheme back.
_URL_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")


def safe_url(url: object, *, schemes: frozenset[str] = WEB_SCHEMES, relative: bool = False) -> str | None:
    """`url` if a reader may follow it, percent-encoded so it stays one token in Markdown and HTML; else None.

    Absolute URLs must use one of `schemes` (http(s) by default) and http(s) ones must name a host.
    `relative=True` also accepts a scheme-less reference (a sibling file, `#anchor`); a relative
    reference cannot change the scheme, so it is safe as long as it is encoded.
    """
    if url is None:
        return None
    text = _URL_DROPPED.sub(lambda m: "%20" if m.group() == " " else "", str(url).strip())
    text = _URL_ENTITY.sub("%26", text)
    if not text:
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # a malformed IPv6 host or port
        return None
    scheme = parts.scheme.lower()
    if scheme:
        if scheme not in schemes:
            return None
        if scheme in WEB_SCHEMES and not host:
            return None
    elif not relative or parts.netloc:  # "//host/path" borrows the page's scheme: absolute in disguise
        return None
    if parts.netloc and not _NETLOC.fullmatch(parts.netloc):
        return None
    return urlunsplit(
        (
            scheme,
            parts.netloc,
            quote(parts.path, safe=_URL_KEEP),
            quote(parts.query, safe=_URL_KEEP),
            quote(parts.fragment, safe=_URL_KEEP),
        )
    )


def relative_url(path: str) -> str:
    """A link to a file beside the page (`2025-08-20.md`, `paper.md`), encoded; ":" too, so it has no scheme."""
    return quote(path, safe="/#")


# --- Markdown text -------------------------------------------------------------------------------

# Control characters are invisible, and Python-Markdown uses \x02/\x03 to mark its own placeholders.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")

# A backslash before ASCII punctuation is an escape to Markdown; doubled, it reads as the text had it.
_ESCAPING_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
# "&lt;" or "&#60;" in the text would show as "<"; the reader should see what the text says.
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# "<" opens a tag, comment, autolink or HTML block only before a letter, "/", "!" or "?"; "p < 0.05" stays.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
# Python-Markdown's attr_list reads "{...}" as attributes straight after an inline element (in
# escaped text only emphasis can be one: "*x*{: onclick=...}") and, in a heading or table cell,
# after a space when the text ends with "}" ("### Title {0, 1}" would lose its set).
_ATTRIBUTE_AFTER_EMPHASIS = re.compile(r"(?<=[*_])\{(?=[^}]*\})")
_ATTRIBUTE_AT_END = re.compile(r"(?<= )\{(?=.*\}\s*$)")
# Trailing "#"s close an ATX heading (Python-Markdown drops them even without a space: "C#").
_TRAILING_HASHES = re.compile(r"#+$")
# What a line may start with to open a block. Untrusted text is one line per paragraph (newlines
# folded), so this is checked at its start only; the escape keeps the character visible.
_BLOCK_OPENER = re.compile(
    r"^(?:"
    r"[#>]"  # heading, quote
    r"|\[(?=[^\]]*\]:)"  # link, footnote or abbreviation definition ("[1] shows" is none)
    r"|[-+*](?=\s|$|\[)"  # bullet ("*[" is a Python-Markdown abbreviation definition)
    r"|([-*_])(?:\s*\1){2,}\s*$"  # thematic break, or "---" making the line above a heading
    r"|=+\s*$"  # "===" making the line above a heading
    r"|\d+[.)](?=\s|$)"  # ordered list
    r"|~~~"  # fenced code that would run to the end of the page
    r"|:(?=\s)"  # definition list (Python-Markdown extra)
    r")"
)
# Characters a backslash escapes in both dialects; the others get a character reference.
_BACKSLASH_ESCAPABLE = frozenset("\\`*_{}[]()>#+-.!|")


def one_line(value: object) -> str:
    """`value` as text on one line: newlines and runs of whitespace become one space, control characters go."""
    return _WHITESPACE.sub(" ", _CONTROL.sub("", str(value))).strip()


def _escape_char(char: str) -> str:
    return "\\" + char if char in _BACKSLASH_ESCAPABLE else f"&#{ord(char)};"


def _escape_inline(text: str, also: str) -> str:
    text = _ESCAPING_BACKSLASH.sub(r"\\\\", text)
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = _TAG_OPEN.sub("&lt;", text)
    text = re.sub(f"[`{re.escape(also)}]", lambda m: "\\" + m.group(), text)
    if "[" not in also:
        # "[x](javascript:...)" and "![x](...)": a "]" straight before "(" is what makes a link.
        text = text.replace("](", "]\\(")
    text = _ATTRIBUTE_AFTER_EMPHASIS.sub(r"\\{", text)
    text = _ATTRIBUTE_AT_END.sub(r"\\{", text)
    return _TRAILING_HASHES.sub(lambda m: "\\#" * len(m.group()), text)


def _escape_block_start(text: str) -> str:
    match = _BLOCK_OPENER.match(text)
    if not match:
        return text
    if text[0].isdigit():
        digits = len(match.group()) - 1
        return text[:digits] + _escape_char(text[digits]) + text[digits + 1 :]
    return _escape_char(text[0]) + text[1:]


def _escape(value: object, also: str = "") -> str:
    return _escape_block_start(_escape_inline(one_line(value), also))


def md_text(value: object) -> str:
    """Untrusted text for a Markdown line (heading, paragraph, list item): one line, read literally.

    It cannot open a heading, list, quote, table, code block or HTML, close a `<details>`, or link.
    """
    return _escape(value)


def md_paragraphs(value: object) -> str:
    """Like `md_text`, keeping the text's paragraph breaks (blank lines) for long fields such as the four points."""
    paragraphs = (_escape(part) for part in _BLANK_LINE.split(str(value).replace("\r\n", "\n")))
    return "\n\n".join(part for part in paragraphs if part)


def md_cell(value: object) -> str:
    """Untrusted text for a Markdown table cell: `md_text` with "|" escaped too."""
    return _escape(value, "|")


def md_link_text(value: object, *, in_table: bool = False) -> str:
    """Untrusted text between a link's brackets: `md_text` with "[" and "]" escaped (and "|" in a table)."""
    return _escape(value, "[]|" if in_table else "[]")


def md_code(value: object) -> str:
    """Inline code (file names, ids) that survives backticks in the text: the fence is longer than any run inside."""
    text = one_line(value)
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_link(
    label: object,
    url: object,
    *,
    relative: bool = False,
    schemes: frozenset[str] = WEB_SCHEMES,
    in_table: bool = False,
) -> str:
    """`[label](url)` when `safe_url` accepts the URL; the label alone, as text, when it does not."""
    target = safe_url(url, relative=relative, schemes=schemes)
    if target is None:
        return md_cell(label) if in_table else md_text(label)
    return f"[{md_link_text(label, in_table=in_table)}]({target})"


def html_text(value: object) -> str:
    """Untrusted text as an HTML element's content: one line, `& < >` escaped (quotes stay, as in prose).

    Also right for raw HTML inside a Markdown page (a `<summary>` line): neither dialect reads
    Markdown there, and "</details>" in the text cannot close the block. Not for attribute values.
    """
    return html.escape(one_line(value), quote=False)


# --- HTML and XML text ---------------------------------------------------------------------------

# What XML 1.0 forbids even as a character reference (control characters, lone surrogates, U+FFFE/F):
# one in a feed makes every reader refuse the whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """`value` without the characters XML cannot carry (autoescaped templates escape the rest)."""
    return _NOT_XML.sub("", str(value))


def text_paragraphs(value: object) -> list[str]:
    """Text split at its blank lines into paragraphs, each on one line (for `<p>` elements)."""
    parts = (one_line(part) for part in _BLANK_LINE.split(str(value).replace("\r\n", "\n")))
    return [part for part in parts if part]


# --- HTML ----------------------------------------------------------------------------------------

# What our pages are made of (from Markdown or from the HTML templates), images for figures included:
# nothing that runs code (script, on* handlers, style, iframe/object/embed, forms, SVG/MathML,
# meta/base/link). `class` only names the page's own CSS rules; it cannot run or load anything.
ALLOWED_TAGS = frozenset(
    {
        *("a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small"),
        *("strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"),
        *("article", "section", "nav", "header", "footer", "main", "figure", "figcaption", "div", "span"),
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "id"},  # id: the digest's per-paper anchors
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "details": {"open"},
    "article": {"id"},
    "section": {"id"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "*": {"class"},  # on any tag
}
# An e-mail shows its figures as parts of the message (`cid:`): a reference to the message itself.
EMAIL_PART_SCHEME = "cid"


def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},  # dropped with their text, which is code, not prose
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(LINK_SCHEMES | {EMAIL_PART_SCHEME}),
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


_CLEANER = _cleaner()


def sanitize_html(fragment: str) -> str:
    """HTML with only `ALLOWED_TAGS`/`ALLOWED_ATTRIBUTES` and http(s)/mailto/relative (and `cid:`) links left.

    The last line of defence before HTML is written or sent: whatever an escape upstream missed
    cannot run script or load a `javascript:`/`data:` URL here.
    """
    return _CLEANER.clean(fragment)
