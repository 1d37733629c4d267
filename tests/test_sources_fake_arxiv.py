"""The fake arXiv server itself: other suites (CLI --query, digest) rely on its query semantics."""

from __future__ import annotations

from datetime import UTC, datetime

import pymupdf
import pytest
import requests

from chatpaper.models import ArxivEntry
from tests.fakes.arxiv_server import FakeArxivServer, QueryError, compile_query, make_entries, matches

PAPER = ArxivEntry(
    arxiv_id="2401.01234",
    version=2,
    title="Retrieval-Augmented Generation for Code",
    authors=["Adrian Del Maestro", "Ann Lee"],
    abstract="We combine a retriever with a large language model to write code.",
    categories=["cs.SE", "cs.CL"],
    primary_category="cs.SE",
    published=datetime(2024, 1, 15, 10, 30, tzinfo=UTC),
    comment="12 pages",
)


@pytest.mark.parametrize(
    ("query", "hit"),
    [
        ("ti:retrieval", True),
        ("ti:retriever", False),
        ("abs:retriever", True),
        ('ti:"augmented generation"', True),
        ('ti:"generation augmented"', False),
        ("au:del_maestro", True),
        ("au:maestro AND ti:code", True),
        ("au:maestro ANDNOT ti:code", False),
        ("ti:zebra OR cat:cs.CL", True),
        ("cat:cs.*", True),
        ("cat:cs", False),
        ("(ti:zebra OR abs:language) AND co:pages", True),
        ("all:retr*", True),
        ("language", True),
        ("submittedDate:[202401150000 TO 202401152359]", True),
        ("submittedDate:[202401160000 TO 202401312359]", False),
        ("ti:code cat:cs.SE", True),
    ],
)
def test_query_evaluation(query: str, hit: bool) -> None:
    assert matches(compile_query(query), PAPER) is hit


@pytest.mark.parametrize("query", ["(ti:a", "ti:a AND", "OR ti:a", "ti:a )"])
def test_unreadable_queries(query: str) -> None:
    with pytest.raises(QueryError):
        compile_query(query)


def test_api_paging_ids_errors_and_pdfs() -> None:
    with FakeArxivServer([PAPER, *make_entries(7)]) as fake:
        page = requests.get(fake.api_url, params={"search_query": "all:benchmarks", "start": 5, "max_results": 5})
        assert page.status_code == 200
        assert b"<opensearch:totalResults>7</opensearch:totalResults>" in page.content
        assert page.content.count(b"<entry>") == 2

        by_id = requests.get(fake.api_url, params={"id_list": "2401.01234v1", "max_results": 10})
        assert b"<id>http://arxiv.org/abs/2401.01234v1</id>" in by_id.content
        assert f'href="{fake.pdf_url("2401.01234v1")}"'.encode() in by_id.content

        bad = requests.get(fake.api_url, params={"id_list": "abc"})
        assert bad.status_code == 400 and b"incorrect id format for abc" in bad.content

        pdf = requests.get(fake.pdf_url("2401.01234v2"))
        assert pdf.headers["Content-Type"] == "application/pdf"
        with pymupdf.open(stream=pdf.content, filetype="pdf") as doc:
            assert doc.page_count == 1
            assert "Retrieval-Augmented Generation for Code" in doc[0].get_text()

        assert requests.get(f"{fake.base_url}/nowhere").status_code == 404
        assert [r.route for r in fake.requests] == ["api", "api", "api", "pdf", "other"]


def test_env_and_overrides_point_at_the_server() -> None:
    with FakeArxivServer() as fake:
        env = fake.env(delay=0.2)
        assert env["CHATPAPER_ARXIV_API_URL"] == fake.api_url
        assert env["CHATPAPER_ARXIV_RSS_URL"] == fake.rss_url
        assert env["CHATPAPER_ARXIV_DELAY"] == "0.2"
