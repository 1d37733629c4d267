"""The digest's other outputs, from arXiv's recorded announcement feed through the fake arXiv server: the HTML page
per day and index.html (static, self-contained, Figure 1 included), the Atom feed (read by feedparser without
errors), the day's BibTeX, and the e-mail (the HTML page without <details>, figures as parts of the message)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import feedparser
import pymupdf
import pytest
from click.testing import CliRunner
from pybtex.database import parse_string

from chatpaper.cli import main
from chatpaper.models import PaperSummary
from chatpaper.pdf.figures import MIN_WIDTH_PX
from chatpaper.sources.feed import parse_announcement_feed
from tests.conftest import CORPUS
from tests.fakes.arxiv_server import FakeArxivServer
from tests.test_mailer import Inbox, free_port, smtp_server  # noqa: F401  (fixture)

RECORDED = CORPUS / "atom" / "arxiv_rss_cs.AI_2025-08-20.xml"
DAY = "2025-08-20"
# Papers of the recorded feed served with real PDFs: a photograph, a vector drawing, tables only.
PDFS = {
    "2508.14001v1": "good-robot-ral2020.pdf",
    "2508.14002v1": "1111.2011v2.pdf",
    "2508.13426v1": "2202.00535v1.pdf",
}
WITH_FIGURES = ("2508.14001v1", "2508.14002v1")


def clean_env(**extra: str) -> dict[str, str | None]:
    """No CHATPAPER_/OPENAI_ variable of the machine leaks into the run (module-scoped fixtures have no monkeypatch)."""
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith(("CHATPAPER_", "OPENAI_"))}
    return {**unset, **extra}


@dataclass
class Digest:
    folder: Path
    summaries: list[PaperSummary]
    stderr: str

    def text(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8")


def run_digest(root: Path, *extra: str, env: dict[str, str] | None = None) -> Digest:
    if not RECORDED.is_file() or not (CORPUS / "pdfs").is_dir():
        pytest.skip(f"recorded feed and corpus PDFs not found at {CORPUS} (they sit beside the repo in CI)")
    raw = RECORDED.read_bytes()
    with FakeArxivServer(
        parse_announcement_feed(raw, cross_lists=True).entries, announce_day=date(2025, 8, 21)
    ) as arxiv:
        arxiv.respond_raw(raw, route="rss", times=3)
        for versioned, name in PDFS.items():
            arxiv.pdfs[versioned] = (CORPUS / "pdfs" / name).read_bytes()
        args = ["digest", "-c", "cs.AI", "--cross-lists", "--state", str(root / "state.db"), "-o", str(root / "out")]
        args += ["--cache-dir", str(root / "cache"), "--backend", "extractive", *extra]
        environ = clean_env(HOME=str(root), **arxiv.env(delay=0.0, retries=1), **(env or {}))
        result = CliRunner().invoke(main, args, env=environ, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    folder = root / "out"
    data = (folder / f"{DAY}.json").read_text(encoding="utf-8")
    summaries = [PaperSummary.model_validate(item) for item in __import__("json").loads(data)]
    return Digest(folder, summaries, result.stderr)


@pytest.fixture(scope="module")
def digest(tmp_path_factory: pytest.TempPathFactory) -> Digest:
    return run_digest(tmp_path_factory.mktemp("digest"))


# --- the HTML page -------------------------------------------------------------------------------


def test_the_page_has_every_paper_its_figures_and_the_four_points(digest: Digest) -> None:
    page = digest.text(f"{DAY}.html")
    assert len(digest.summaries) == 7  # 2 new + 5 cross-lists, all kept without keywords
    for summary in digest.summaries:
        assert re.sub(r"\s+", " ", summary.title).strip().replace("&", "&amp;") in page
    for label in ("Research background.", "Past methods, their problems, and the motivation.", "Proposed method."):
        assert page.count(f"<b>{label}</b>") == 7
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', page)
    assert [src for src, _ in images] == [f"figures/{vid}.fig1.png" for vid in WITH_FIGURES]
    for src, alt in images:
        assert alt.startswith(("Fig. 1. Robot-created", "FIG. 1. Schematic"))
        assert pymupdf.Pixmap((digest.folder / src).read_bytes()).width >= MIN_WIDTH_PX
    assert "<h2>Contents</h2>" in page and len(re.findall(r'<li><a href="#p-2508-', page)) == 7
    assert page.count("<details>") == 7 + sum(  # each abstract, and each long point
        len(getattr(s.summary, n)) > 320
        for s in digest.summaries
        for n in ("background", "prior_work", "method", "results")
    )


def test_the_page_is_static_and_self_contained(digest: Digest) -> None:
    for name in (f"{DAY}.html", "index.html"):
        page = digest.text(name)
        assert "<script" not in page and "<link" not in page and "@import" not in page and "url(" not in page
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert "<style>" in page
        sources = re.findall(r'src="([^"]+)"', page)
        assert all(not re.match(r"[a-z]+:", src) for src in sources)  # images are files beside the page
        for src in sources:
            assert (digest.folder / src).is_file()


def test_index_html_lists_the_days_and_the_feed(digest: Digest) -> None:
    index = digest.text("index.html")
    assert re.search(rf'<a href="{DAY}.html"[^>]*>{DAY}</a>', index)
    assert re.search(r'<a href="feed.xml"[^>]*>Atom feed</a>', index)
    assert "<td>7</td>" in index


def test_the_markdown_page_shows_the_figures_too(digest: Digest) -> None:
    markdown = digest.text(f"{DAY}.md")
    assert [m for m in re.findall(r"\]\((figures/[^)]+)\)", markdown)] == [
        f"figures/{vid}.fig1.png" for vid in WITH_FIGURES
    ]


# --- the feed ------------------------------------------------------------------------------------


def test_the_atom_feed_is_read_without_errors(digest: Digest) -> None:
    feed = feedparser.parse(digest.text("feed.xml"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.title == "arXiv digest: cs.AI"
    assert len(feed.entries) == 7
    by_link = {entry.link: entry for entry in feed.entries}
    for summary in digest.summaries:
        assert summary.arxiv is not None
        entry = by_link[f"https://arxiv.org/abs/{summary.arxiv.id}"]
        assert entry.title == re.sub(r"\s+", " ", summary.title).strip()
        assert entry.published.startswith("2025-08-20T04:00:00") and entry.published_parsed.tm_year == 2025
        assert [a.name for a in entry.authors] == summary.authors
        content = entry.content[0]
        assert content.type == "text/html"
        for label in ("Research background.", "Proposed method.", "Tasks and performance."):
            assert f"<b>{label}</b>" in content.value
        assert "<details>" not in content.value


def test_the_feed_keeps_the_newest_100_and_never_changes_by_itself(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from chatpaper.models import ArxivEntry, SummaryMeta, SummaryPoints
    from chatpaper.render.digest_view import DigestPaper
    from chatpaper.render.feed import FEED_ENTRIES, FeedItem, render_atom_feed

    def item(n: int) -> FeedItem:
        entry = ArxivEntry(
            arxiv_id=f"2508.{n:05d}", version=1, title=f"Paper {n}", authors=["Ada Li"],
            published=datetime(2025, 8, 1, tzinfo=UTC) + timedelta(hours=n), categories=["cs.AI"],
        )  # fmt: skip
        summary = PaperSummary(
            title=entry.title, title_translated=None, authors=entry.authors, first_author_affiliation=None,
            keywords=[], code_url=None, summary=SummaryPoints(background="b", prior_work="p", method="m", results="r"),
            meta=SummaryMeta(source="x", sha256=None, backend="extractive", model="extractive", language="en",
                             prompt_version="1"),
        )  # fmt: skip
        return FeedItem("2025-08-20", DigestPaper(entry=entry, topic="cs.AI", score=0, status="done", summary=summary))

    items = [item(n) for n in range(150, 0, -1)]
    first = render_atom_feed(items, title="t", site_url="https://me.example.org/digests/")
    assert first == render_atom_feed(items, title="t", site_url="https://me.example.org/digests/")
    feed = feedparser.parse(first)
    assert not feed.bozo and len(feed.entries) == FEED_ENTRIES == 100
    assert feed.entries[0].title == "Paper 150" and feed.feed.updated.startswith("2025-08-07T06:00:00")
    assert any(
        link.rel == "self" and link.href == "https://me.example.org/digests/feed.xml" for link in feed.feed.links
    )


# --- BibTeX --------------------------------------------------------------------------------------


def test_the_day_has_its_bibtex(digest: Digest) -> None:
    entries = parse_string(digest.text(f"{DAY}.bib"), "bibtex").entries
    assert len(entries) == 7
    eprints = sorted(e.fields["eprint"] for e in entries.values())
    assert eprints == sorted(s.arxiv.id.removesuffix("v1") for s in digest.summaries if s.arxiv)
    assert {e.fields["archivePrefix"] for e in entries.values()} == {"arXiv"}
    assert all(e.fields["year"] == "2025" for e in entries.values())


# --- turning figures off, and the e-mail ---------------------------------------------------------


def test_no_figures_on_the_digest(tmp_path: Path) -> None:
    off = run_digest(tmp_path, "--no-figures")
    assert "<img" not in off.text(f"{DAY}.html") and "![" not in off.text(f"{DAY}.md")
    assert not (off.folder / "figures").exists()


@pytest.fixture
def mailed(tmp_path: Path, smtp_server: tuple[Inbox, int]) -> Iterator[tuple[Digest, object]]:  # noqa: F811
    inbox, port = smtp_server
    env = {
        "CHATPAPER_SMTP_HOST": "127.0.0.1",
        "CHATPAPER_SMTP_PORT": str(port),
        "CHATPAPER_SMTP_STARTTLS": "false",
        "CHATPAPER_SMTP_SENDER": "digest@example.org",
    }
    result = run_digest(tmp_path, "--email", "me@example.org", env=env)
    ((_, message),) = inbox.messages
    yield result, message


def test_the_email_is_the_page_without_details_with_its_figures(mailed: tuple[Digest, object]) -> None:
    digest, message = mailed
    related = message.get_body(preferencelist=("related",))  # type: ignore[attr-defined]
    html_part, *pictures = list(related.iter_parts())
    html = html_part.get_content()
    assert "<details>" not in html and "<summary>" not in html  # every point in full
    for summary in digest.summaries:
        assert summary.summary.method.split(".")[0][:60].replace("&", "&amp;") in html
    cids = re.findall(r'<img src="cid:([^"]+)"', html)
    assert len(cids) == 2 and [p["Content-ID"] for p in pictures] == [f"<{cid}>" for cid in cids]
    for picture, vid in zip(pictures, WITH_FIGURES, strict=True):
        assert picture.get_content() == (digest.folder / f"figures/{vid}.fig1.png").read_bytes()
    text = message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[attr-defined]
    # plain text with every point in full: no Markdown or HTML for a text-only mail client to show raw
    assert text.startswith(f"arXiv digest · {DAY}\n")
    assert "<details>" not in text and "**" not in text
    for summary in digest.summaries:
        assert summary.title in text
