"""Hostile text in every output: reports, index.md, the digest page and its e-mail stay inert and read as written.

Paper titles, authors, abstracts and comments (arXiv or the PDF), the LLM's fields and code link,
and file names carry script, iframes, `javascript:`/`data:` links, `</details>`, Markdown headings,
pipes, backticks and comment openers. Each output is read the way a reader meets it: every `.md`
is converted by two Markdown readers (Python-Markdown with `extra`, as the e-mail does, and
markdown-it's CommonMark, GitHub's dialect), the e-mailed HTML is taken from a real SMTP server,
and the HTML is parsed with `html.parser`. What must hold: no script/iframe/style/object element,
no `on*` attribute, no link or source but http(s), mailto or a relative one; the heading outline is
exactly the template's; the `<details>` blocks balance; and the hostile text is there, as text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import markdown
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from chatpaper.cli import main
from chatpaper.models import ArxivEntry, PaperSummary, SummaryMeta, SummaryPoints
from chatpaper.render import DigestPage, DigestPaper, render_digest, render_report
from chatpaper.render.digest_html import html_document, render_digest_html
from chatpaper.render.safe import (
    LINK_SCHEMES,
    html_text,
    md_cell,
    md_code,
    md_link,
    md_link_text,
    md_paragraphs,
    md_text,
    one_line,
    safe_url,
    sanitize_html,
)
from tests.fakes.arxiv_server import FakeArxivServer, make_pdf
from tests.fakes.openai_server import FakeOpenAIServer, answer
from tests.test_mailer import Inbox, free_port, smtp_server  # noqa: F401  (fixture)

# --- hostile values ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
IFRAME = '<iframe src="https://evil.example/"></iframe>'
JS_LINK = "[click](javascript:alert(1))"
DATA_LINK = '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">open</a>'
DATA_IMAGE = "![pic](data:image/svg+xml;base64,PHN2Zz4=)"
CLOSE_DETAILS = "</details>"
HEADING = "# Heading"
INJECTED = "Results hold.\n## injected\n"
PIPE = "a | b | c"
BACKTICKS = "``` fence and `code` and ` lone"
COMMENT = "<!-- hidden"
AUTOLINK = "<javascript:alert(1)>"
DEFINITION = "[ref]: javascript:alert(1)"
BLOCKS = "- item\n> quote\n1. first\n---\n~~~\n: term"

HOSTILE = (
    SCRIPT,
    IMG,
    IFRAME,
    JS_LINK,
    DATA_LINK,
    DATA_IMAGE,
    CLOSE_DETAILS,
    HEADING,
    INJECTED,
    PIPE,
    BACKTICKS,
    COMMENT,
    AUTOLINK,
    DEFINITION,
    BLOCKS,
)


def hostile(start: int, label: str) -> str:
    """Every hostile value, each opening a line, the `start`-th first (so each gets to open a field)."""
    values = HOSTILE[start % len(HOSTILE) :] + HOSTILE[: start % len(HOSTILE)]
    return "\n".join(values) + f" ({label})"


# Sentences as papers write them: Markdown would misread none of them, so none may change at all.
ORDINARY = (
    "We propose SkimRAG (a two-stage method) that reads 38% fewer tokens, e.g. 2,480 vs. 4,000.",
    "Results on the dev-set [12] and test-set [13, 14] support the claim; see Sec. 3.2 - and Fig. 1.",
    "The loss L_total = L_ce + 0.5 * L_kd uses snake_case names and p < 0.05 throughout.",
    "C++ and Python 3.11: a 1-4 KB file, a->b mapping, x > y, 3 * 4 = 12, and 50% off!",
    "本文提出一种轻量级知识蒸馏方法 KD-Key（2200 万参数），并引入术语词典约束的解码策略。",
)


# --- reading the output as a reader does ---------------------------------------------------------

RUNS_CODE = {"script", "iframe", "style", "object", "embed", "frame", "frameset", "svg", "math", "base", "link", "meta"}
FORMS = {"form", "input", "button", "textarea", "select"}


@dataclass
class HtmlSeen:
    """What an HTML page holds, as html.parser finds it."""

    elements: Counter[str] = field(default_factory=Counter)
    closed: Counter[str] = field(default_factory=Counter)
    attributes: list[tuple[str, str, str]] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # the text of each <details>
    comments: list[str] = field(default_factory=list)
    deepest_details: int = 0
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.seen = HtmlSeen()
        self._heading: tuple[int, list[str]] | None = None
        self._open_details: list[list[str]] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.elements[tag] += 1
        self.seen.attributes.extend((tag, name, value or "") for name, value in attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = (int(tag[1]), [])
        if tag == "details":
            self._open_details.append([])
            self.seen.deepest_details = max(self.seen.deepest_details, len(self._open_details))

    def handle_endtag(self, tag: str) -> None:
        self.seen.closed[tag] += 1
        if self._heading and tag == f"h{self._heading[0]}":
            self.seen.headings.append((self._heading[0], " ".join("".join(self._heading[1]).split())))
            self._heading = None
        if tag == "details" and self._open_details:
            self.seen.details.append(" ".join("".join(self._open_details.pop()).split()))

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._heading:
            self._heading[1].append(data)
        for block in self._open_details:
            block.append(data)

    def handle_comment(self, data: str) -> None:
        self.seen.comments.append(data)


def read_html(html: str) -> HtmlSeen:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.seen.text = " ".join("".join(reader._text).split())
    return reader.seen


def body_of(document: str) -> str:
    """The <body> of an HTML page or e-mail; its <head> holds only chatpaper's own elements."""
    head, found, body = document.partition("<body>")
    assert found, document[:200]
    seen = read_html(head)
    assert set(seen.elements) == {"html", "head", "meta", "title", "style"}, seen.elements
    assert [(t, n) for t, n, _ in seen.attributes] == [
        ("html", "lang"), ("meta", "charset"), ("meta", "name"), ("meta", "content"),
    ]  # fmt: skip
    return body


def python_markdown(text: str) -> str:
    """A Python-Markdown reader with `extra`, Markdown inside <details> included (as the e-mail renders it)."""
    text = text.replace("<details>", '<details markdown="1">')
    return markdown.markdown(text, extensions=["extra", "sane_lists"], output_format="html")


def commonmark(text: str) -> str:
    """GitHub's dialect: CommonMark with tables, raw HTML passed through as GitHub's renderer receives it."""
    return MarkdownIt("commonmark").enable("table").render(text)


READERS = {"python-markdown": python_markdown, "commonmark": commonmark}


def assert_inert(html: str, *, outline: list[tuple[int, str]], details: int, where: str) -> HtmlSeen:
    """No live HTML or bad link in `html`, its headings exactly `outline`, `details` balanced blocks."""
    seen = read_html(html)
    assert not (set(seen.elements) & (RUNS_CODE | FORMS)), f"{where}: {set(seen.elements) & (RUNS_CODE | FORMS)}"
    handlers = [(tag, name) for tag, name, _ in seen.attributes if name.startswith("on") or name in ("style", "srcdoc")]
    assert not handlers, f"{where}: {handlers}"
    for tag, name, value in seen.attributes:
        if name in ("href", "src", "action", "formaction", "data", "poster", "background"):
            scheme = urlsplit(value.strip()).scheme.lower()
            assert scheme in ("", "http", "https", "mailto"), f"{where}: <{tag} {name}={value!r}>"
    assert seen.headings == outline, f"{where}: the outline changed"
    assert seen.elements["details"] == seen.closed["details"] == details, f"{where}: <details> do not balance"
    assert seen.deepest_details <= 1, f"{where}: a <details> opened inside another"
    assert not seen.comments, f"{where}: a comment hides text: {seen.comments}"
    return seen


def assert_markdown_inert(text: str, *, outline: list[tuple[int, str]], details: int, where: str) -> list[HtmlSeen]:
    return [
        assert_inert(convert(text), outline=outline, details=details, where=f"{where} ({name})")
        for name, convert in READERS.items()
    ]


def shown(value: str) -> str:
    """How a value reads on the page: its text on one line (newlines fold into spaces, as in Markdown)."""
    return " ".join(one_line(value).split())


# --- the escaping functions on their own ---------------------------------------------------------


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(
    "value", [*HOSTILE, hostile(0, "all"), "x {: onclick=alert(1)}", "C#", "x {0, 1}", "Title {a} and {b}"]
)
def test_escaped_text_is_one_paragraph_that_reads_as_written(value: str, reader: str) -> None:
    convert = READERS[reader]
    for make, wrap, tag in (
        (md_text, "{}", "p"),
        (md_text, "# {}", "h1"),
        (md_text, "- {}", "li"),
        (md_paragraphs, "{}", "p"),
    ):
        html = convert(f"Intro line.\n\n{wrap.format(make(value))}\n\nOutro line.\n")
        seen = assert_inert(
            html,
            outline=[(1, shown(value))] if tag == "h1" else [],
            details=0,
            where=f"{make.__name__} in {wrap!r}",
        )
        blocks = {
            t: n for t, n in seen.elements.items() if t in ("p", "h1", "li", "ul", "ol", "blockquote", "pre", "hr")
        }
        paragraphs = len(re.findall(r"\S(?:.|\n(?!\s*\n))*", value)) if make is md_paragraphs else 1
        want = {"p": 2 + paragraphs} if tag == "p" else {"p": 2, tag: 1, **({"ul": 1} if tag == "li" else {})}
        assert blocks == want, f"{make.__name__}({value!r}) in {wrap!r} made {blocks}"
        assert seen.text == f"Intro line. {shown(value)} Outro line.", seen.text
        assert not {"a", "img", "code"} & set(seen.elements)


@pytest.mark.parametrize("reader", sorted(READERS))
def test_cells_links_and_code_keep_their_text(reader: str) -> None:
    convert = READERS[reader]
    value = f"{PIPE} {JS_LINK} ] [ {BACKTICKS}"
    link = md_link(value, "paper.md", relative=True, in_table=True)
    table = f"| Paper | Result |\n|---|---|\n| {link} | {md_cell(value)} |\n"
    seen = assert_inert(convert(table), outline=[], details=0, where="table")
    assert seen.elements["td"] == 2 and seen.elements["a"] == 1
    assert seen.text == f"Paper Result {shown(value)} {shown(value)}"
    assert ("a", "href", "paper.md") in seen.attributes
    code = f"Source: {md_code('a``b`c <script>')} and {md_code('`tick`')}."
    seen = assert_inert(convert(code), outline=[], details=0, where="code")
    assert seen.text == "Source: a``b`c <script> and `tick`."


@pytest.mark.parametrize("reader", sorted(READERS))
def test_emphasis_in_text_takes_no_attributes(reader: str) -> None:
    """Emphasis is the one inline element text may still make; Python-Markdown's attr_list would dress it."""
    for wrap in ("{}", "# {}"):
        html = READERS[reader](wrap.format(md_text("a *em*{: onclick=alert(1) #x} b _u_{.c}")))
        seen = assert_inert(
            html, outline=[(1, "a em{: onclick=alert(1) #x} b u{.c}")] if "#" in wrap else [], details=0, where=wrap
        )
        assert seen.elements["em"] == 2 and [n for _, n, _ in seen.attributes] == []


def test_ordinary_sentences_are_not_escaped() -> None:
    for sentence in ORDINARY:
        assert md_text(sentence) == sentence
        assert md_paragraphs(sentence) == sentence
        assert md_cell(sentence) == sentence
    assert md_link_text("SkimRAG: Budgeted Evidence Skimming") == "SkimRAG: Budgeted Evidence Skimming"
    assert md_text("first paragraph\nwrapped\n\nsecond") == "first paragraph wrapped second"
    assert md_paragraphs("first paragraph\nwrapped\n\nsecond") == "first paragraph wrapped\n\nsecond"


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://github.com/example-lab/skimrag", "https://github.com/example-lab/skimrag"),
        ("http://arxiv.org/abs/2501.00001v2", "http://arxiv.org/abs/2501.00001v2"),
        ("https://doi.org/10.1000/x(1)<2> y", "https://doi.org/10.1000/x%281%29%3C2%3E%20y"),
        ("javascript:alert(1)", None),
        ("  JavaScript:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("data:text/html;base64,PHNjcmlwdD4=", None),
        ("vbscript:msgbox(1)", None),
        ("file:///etc/passwd", None),
        ("mailto:a@example.org", None),
        ("//evil.example/x", None),
        ("https://", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url_keeps_web_links_only(url: str | None, kept: str | None) -> None:
    assert safe_url(url) == kept


def test_safe_url_relative_and_mailto() -> None:
    assert safe_url("mailto:a@example.org", schemes=LINK_SCHEMES) == "mailto:a@example.org"
    assert safe_url("#p-2508-00001", relative=True) == "#p-2508-00001"
    assert safe_url("2025-08-20.md", relative=True) == "2025-08-20.md"
    assert safe_url("javascript:alert(1)", relative=True) is None
    # Markdown and HTML decode "&#58;" to ":": the entity is encoded away, so no scheme comes back.
    relative = safe_url("javascript&#58;alert(1)", relative=True)
    assert relative is not None and "&#" not in relative
    for reader in READERS.values():
        seen = read_html(reader(f"[x]({relative})"))
        assert all(urlsplit(v).scheme == "" for _, n, v in seen.attributes if n == "href")


def test_links_with_unsafe_urls_become_plain_text() -> None:
    assert md_link("Code", "javascript:alert(1)") == "Code"
    assert md_link("a [b] c", "https://x.example/a b") == "[a \\[b\\] c](https://x.example/a%20b)"


def test_html_text_and_the_sanitizer() -> None:
    assert (
        html_text(f"{CLOSE_DETAILS} & {SCRIPT}\nnext")
        == "&lt;/details&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; next"
    )
    dirty = (
        f"<p>ok {SCRIPT}{IMG}{IFRAME}{DATA_LINK}<a href='javascript:alert(1)'>js</a>"
        "<a href='https://arxiv.org/abs/1' onclick='x()'>fine</a><a href='#p-1' id='p-1'>anchor</a>"
        "<style>p{}</style><object data='x'></object><!-- c --><details open><summary>s</summary>d</details></p>"
    )
    clean = sanitize_html(dirty)
    seen = assert_inert(clean, outline=[], details=1, where="sanitized")
    hrefs = sorted(v for _, n, v in seen.attributes if n == "href")
    assert hrefs == ["#p-1", "https://arxiv.org/abs/1"]
    assert "alert" not in clean and "data:" not in clean


def test_raw_html_in_a_page_is_sanitized_even_unescaped() -> None:
    """The last line of defence: HTML nobody escaped still comes out of an HTML page inert."""
    raw = (SCRIPT, IMG, IFRAME, DATA_LINK, '<p onclick="alert(1)" style="x">e</p>', '<a href="vbscript:x">v</a>')
    page = "<h1>Day</h1>" + "".join(raw)
    assert_inert(body_of(html_document(SCRIPT, page)), outline=[(1, "Day")], details=0, where="html_document")


# --- a per-paper report and index.md, through the real pipeline ----------------------------------

LLM_FIELDS = {
    "title": hostile(7, "LLM title"),
    "authors": [IMG, f"Ada {JS_LINK}", PIPE],
    "first_author_affiliation": hostile(3, "affiliation"),
    "keywords": [SCRIPT, HEADING, BACKTICKS],
    "code_url": "javascript:alert(1)",
    "summary": {
        "background": hostile(0, "background"),
        "prior_work": hostile(8, "prior work"),
        "method": hostile(6, "method"),
        "results": hostile(9, "results"),
    },
}
REPORT_OUTLINE = [
    "1. Research background",
    "2. Past methods, their problems, and the motivation",
    "3. Proposed method",
    "4. Tasks and performance",
]


def report_outline(title: str) -> list[tuple[int, str]]:
    return [(1, shown(title))] + [(2, heading) for heading in REPORT_OUTLINE]


@pytest.fixture
def llm() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as fake:
        fake.default = answer(**LLM_FIELDS)
        yield fake


def llm_env(server: FakeOpenAIServer, tmp_path: Path) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": server.url,
        "OPENAI_API_KEY": "sk-test",
        "CHATPAPER_MODEL": "fake-model",
        "CHATPAPER_CACHE_DIR": str(tmp_path / "cache"),
    }


def test_local_pdfs_with_hostile_names_text_and_answers(llm: FakeOpenAIServer, tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    # The PDF prints hostile text where the reader takes the abstract from, and the code link the model names.
    body = f"Abstract\n{hostile(4, 'PDF abstract')}\nCode: javascript:alert(1)\n\n1 Introduction\nWe study things."
    name = "<script>alert(1)<\\script> `x` [y](javascript:alert(1)) | <!-- c\n## injected.pdf"  # no "/" in a name
    (folder / name).write_bytes(make_pdf(f"{IMG} A Title {HEADING}", body))
    (folder / f"{IMG} not really.pdf").write_bytes(b"%PDF-1.4 this is not a PDF at all")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, [str(folder), "-o", str(out)], env=llm_env(llm, tmp_path))
    assert result.exit_code == 3, result.output  # the broken PDF fails alone

    (report,) = [p for p in out.glob("*.md") if p.name != "index.md"]
    summary = PaperSummary.model_validate_json(report.with_suffix(".json").read_text(encoding="utf-8"))
    assert summary.abstract and "script" in summary.abstract  # the PDF's hostile text reached the report
    text = report.read_text(encoding="utf-8")
    for seen in assert_markdown_inert(text, outline=report_outline(summary.title), details=1, where=report.name):
        for value in (summary.title, *LLM_FIELDS["summary"].values(), LLM_FIELDS["first_author_affiliation"]):
            assert shown(value) in seen.text
        assert shown(summary.abstract) in seen.details[0]  # the whole abstract inside its block
        assert shown(summary.meta.source) in seen.text  # the file name, as written
        assert not any(v == "javascript:alert(1)" for _, n, v in seen.attributes)

    index = (out / "index.md").read_text(encoding="utf-8")
    for seen in assert_markdown_inert(
        index, outline=[(1, index.splitlines()[0][2:]), (2, "Failed in the last run")], details=0, where="index.md"
    ):
        assert seen.elements["tr"] == 3  # header + two papers: no cell split off a row
        assert ("a", "href", report.name) in seen.attributes
        assert f"{IMG} not really.pdf" in seen.text


def test_arxiv_metadata_in_the_report_and_index(llm: FakeOpenAIServer, tmp_path: Path) -> None:
    entry = ArxivEntry(
        arxiv_id="2508.00042",
        version=1,
        title=hostile(1, "arXiv title"),
        authors=[SCRIPT, f"Bo {DATA_LINK}"],
        abstract=hostile(5, "arXiv abstract"),
        categories=["cs.CL"],
        primary_category="cs.CL",
        published=datetime(2025, 8, 19, 12, tzinfo=UTC),
        comment=hostile(10, "comment"),
        doi="10.1000/x) [evil](javascript:alert(1)",
    )
    out = tmp_path / "reports"
    with FakeArxivServer([entry]) as arxiv:
        env = {**arxiv.env(delay=0.0, retries=1), **llm_env(llm, tmp_path)}
        result = CliRunner().invoke(main, ["--ids", entry.arxiv_id, "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    text = (out / f"{entry.versioned_id}.md").read_text(encoding="utf-8")
    for seen in assert_markdown_inert(text, outline=report_outline(entry.title), details=1, where="arXiv report"):
        assert shown(entry.abstract) in seen.details[0]
        for value in (entry.comment, *entry.authors, entry.doi):
            assert shown(value) in seen.text
        hrefs = [v for _, n, v in seen.attributes if n == "href"]
        assert hrefs[0] == f"https://arxiv.org/abs/{entry.versioned_id}"
        assert all(h.startswith("https://") for h in hrefs) and len(hrefs) == 2  # the paper and its DOI
    index = (out / "index.md").read_text(encoding="utf-8")
    for seen in assert_markdown_inert(index, outline=[(1, index.splitlines()[0][2:])], details=0, where="index.md"):
        assert seen.elements["tr"] == 2 and shown(entry.title) in seen.text


# --- the digest page and its e-mail, through the feed ---------------------------------------------

DAY = date(2025, 8, 20)


def digest_entry(number: int, title: str, abstract: str) -> ArxivEntry:
    return ArxivEntry(
        arxiv_id=f"2508.{number:05d}",
        version=1,
        title=title,
        authors=[IMG, f"Ada {JS_LINK}", PIPE],
        abstract=abstract,
        categories=["cs.CL"],
        primary_category="cs.CL",
        published=datetime(2025, 8, 19, 14, number, tzinfo=UTC),
        comment=COMMENT,
    )


def test_digest_page_index_and_email(llm: FakeOpenAIServer, tmp_path: Path, smtp_server: tuple[Inbox, int]) -> None:  # noqa: F811
    inbox, port = smtp_server
    entries = [
        digest_entry(1, f"Retrieval {hostile(2, 'first title')}", f"retrieval {hostile(11, 'first abstract')}"),
        digest_entry(2, f"{HEADING} retrieval {SCRIPT}", f"{CLOSE_DETAILS} retrieval {IFRAME}"),
    ]
    with FakeArxivServer(entries, announce_day=DAY) as arxiv:
        arxiv.missing_pdfs.add(entries[1].arxiv_id)  # the second stays on the page as "not summarized yet"
        env = {
            **arxiv.env(delay=0.0, retries=1),
            **llm_env(llm, tmp_path),
            "CHATPAPER_SMTP_HOST": "127.0.0.1",
            "CHATPAPER_SMTP_PORT": str(port),
            "CHATPAPER_SMTP_STARTTLS": "false",
            "CHATPAPER_SMTP_SENDER": "digest@example.org",
        }
        args = ["digest", "--state", str(tmp_path / "state.db"), "-o", str(tmp_path / "digests")]
        args += ["-c", "cs.CL", "--include", "retrieval", "--email", "me@example.org"]
        result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 3, result.output  # one paper failed; the page and the e-mail are still made

    first = entries[0]
    outline = [
        (1, f"arXiv digest · {DAY}"),
        (2, "Contents"),
        (2, "cs.CL"),
        (3, f"1. {shown(first.title)}"),
        (2, "Not summarized yet"),
    ]
    page = (tmp_path / "digests" / f"{DAY}.md").read_text(encoding="utf-8")
    # Long points fold into <details> (three of the four here) and the abstract has one.
    folded = sum(len(v) > 320 for v in LLM_FIELDS["summary"].values()) + 1
    for seen in assert_markdown_inert(page, outline=outline, details=folded, where="digest page"):
        check_digest_text(seen, first, entries[1])

    index = (tmp_path / "digests" / "index.md").read_text(encoding="utf-8")
    assert_markdown_inert(index, outline=[(1, "arXiv digests")], details=0, where="digest index")

    html_page = (tmp_path / "digests" / f"{DAY}.html").read_text(encoding="utf-8")
    seen = assert_inert(body_of(html_page), outline=outline, details=folded, where="HTML page")
    check_digest_text(seen, first, entries[1])
    index_page = (tmp_path / "digests" / "index.html").read_text(encoding="utf-8")
    assert_inert(body_of(index_page), outline=[(1, "arXiv digests")], details=0, where="index.html")

    # The e-mail is the HTML page without <details> (mail clients ignore them): every point in full.
    ((_, message),) = inbox.messages
    html = message.get_body(preferencelist=("html",)).get_content()
    seen = assert_inert(body_of(html), outline=outline, details=0, where="e-mail")
    check_digest_text(seen, first, entries[1], abstract=False)

    feed = feedparser.parse((tmp_path / "digests" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    (item,) = feed.entries  # the summarized paper only
    assert item.title == shown(first.title) and item.link == first.abs_url
    seen = assert_inert(item.content[0].value, outline=[], details=0, where="feed entry")
    for value in (*first.authors, *LLM_FIELDS["summary"].values()):
        assert shown(value) in seen.text


def check_digest_text(seen: HtmlSeen, first: ArxivEntry, second: ArxivEntry, *, abstract: bool = True) -> None:
    for value in (first.title, second.title, *first.authors, *LLM_FIELDS["summary"].values()):
        assert shown(value) in seen.text, value[:60]
    if abstract:
        assert any(shown(first.abstract) in block for block in seen.details)  # inside its <details>, whole
    hrefs = [v for _, n, v in seen.attributes if n == "href"]
    assert hrefs[0] == "#p-2508-00001"  # the contents link to the paper's anchor
    assert "javascript:alert(1)" not in hrefs
    assert {("a", "id", "p-2508-00001"), ("article", "id", "p-2508-00001")} & set(seen.attributes)  # its anchor


def test_digest_page_drops_unsafe_pdf_and_code_links() -> None:
    entry = ArxivEntry(
        arxiv_id="2508.00009", version=1, title="A Title", abstract="An abstract.", pdf_url="javascript:alert(1)"
    )
    summary = PaperSummary(
        title="A Title",
        title_translated=None,
        authors=["Ada Li"],
        first_author_affiliation=None,
        keywords=[],
        code_url="data:text/html;base64,PHNjcmlwdD4=",
        summary=SummaryPoints(background="B.", prior_work="P.", method="M.", results="R."),
        meta=SummaryMeta(
            source="2508.00009v1", sha256=None, backend="openai", model=SCRIPT, language="en", prompt_version="v1"
        ),
    )
    page = DigestPage(
        day="2025-08-20",
        source="feed",
        categories=("cs.CL",),
        topics=(HEADING,),
        announced=1,
        matched=1,
        papers=[DigestPaper(entry=entry, topic=HEADING, score=1.0, status="done", summary=summary)],
    )
    text = render_digest(page)
    outline = [(1, "arXiv digest · 2025-08-20"), (2, "Contents"), (2, HEADING), (3, "1. A Title")]
    for seen in assert_markdown_inert(text, outline=outline, details=1, where="digest"):
        hrefs = [v for _, n, v in seen.attributes if n == "href"]
        assert hrefs == ["#p-2508-00009", "https://arxiv.org/abs/2508.00009v1"]  # no PDF or Code link
        assert "PDF" in seen.text and SCRIPT in seen.text  # the model's name, as text
    seen = assert_inert(body_of(render_digest_html(page)), outline=outline, details=1, where="HTML page")
    hrefs = [v for _, n, v in seen.attributes if n == "href"]
    assert hrefs == ["#p-2508-00009", "https://arxiv.org/abs/2508.00009v1", "index.html", "feed.xml"]
    report = render_report(summary.model_copy(update={"paper_url": "vbscript:x", "abstract": None}))
    for seen in assert_markdown_inert(report, outline=report_outline("A Title"), details=0, where="report"):
        assert not [v for _, n, v in seen.attributes if n == "href"]
        assert "2508.00009v1" in seen.text  # the source stands in for the unsafe paper link
