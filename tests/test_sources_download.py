"""PDF downloads against the fake server: cache reuse, no partial files, retries, errors, concurrency cap."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatpaper.errors import SourceError
from chatpaper.models import ArxivEntry
from chatpaper.settings import ArxivSettings, Settings
from chatpaper.sources.download import download_pdf, is_complete_pdf, pdf_path
from tests.fakes.arxiv_server import FakeArxivServer, make_entries, make_pdf


@pytest.fixture
def server() -> Iterator[FakeArxivServer]:
    with FakeArxivServer(make_entries(8)) as fake:
        yield fake


@pytest.fixture
def settings(server: FakeArxivServer, tmp_path: Path) -> ArxivSettings:
    return Settings(cache_dir=tmp_path / "cache", **server.settings_overrides(delay=0.05, retries=2)).arxiv


def entry_for(server: FakeArxivServer, arxiv_id: str) -> ArxivEntry:
    entry = server.find(arxiv_id)
    assert entry is not None
    return entry.model_copy(update={"pdf_url": server.pdf_url(entry.versioned_id)})


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_download_then_reuse_without_a_request(
    server: FakeArxivServer, settings: ArxivSettings, tmp_path: Path
) -> None:
    entry = entry_for(server, "2501.00003")
    cache = tmp_path / "cache"
    path = download_pdf(entry, cache, settings)
    assert path == cache / "pdfs" / f"2501.00003v{entry.version}.pdf"
    assert path.read_bytes().startswith(b"%PDF-") and is_complete_pdf(path)
    assert server.pdf_requests[0].user_agent.startswith("chatpaper/")

    assert download_pdf(entry, cache, settings) == path
    assert len(server.pdf_requests) == 1
    assert leftovers(cache) == [path.name]


def test_old_style_ids_get_a_flat_file_name(settings: ArxivSettings, tmp_path: Path) -> None:
    old = ArxivEntry(arxiv_id="hep-th/9901001", version=2, title="Strings", abstract="On strings.")
    with FakeArxivServer([old]) as fake:
        entry = old.model_copy(update={"pdf_url": fake.pdf_url(old.versioned_id)})
        path = download_pdf(entry, tmp_path / "c", settings)
        assert path.name == "hep-th_9901001v2.pdf"
        assert fake.pdf_requests[0].path == "/pdf/hep-th/9901001v2"


def test_truncated_download_is_retried_and_never_left_behind(
    server: FakeArxivServer, settings: ArxivSettings, tmp_path: Path
) -> None:
    entry = entry_for(server, "2501.00001")
    server.truncate_pdf("2501.00001", times=1)
    path = download_pdf(entry, tmp_path / "cache", settings)
    assert [r.status for r in server.pdf_requests] == [200, 200]
    assert is_complete_pdf(path)
    assert leftovers(tmp_path / "cache") == [path.name]


def test_always_truncated_download_fails_cleanly(
    server: FakeArxivServer, settings: ArxivSettings, tmp_path: Path
) -> None:
    entry = entry_for(server, "2501.00002")
    server.truncate_pdf(times=10)
    with pytest.raises(SourceError, match=r"^2501\.00002v1: PDF download failed after 3 attempts: download truncat"):
        download_pdf(entry, tmp_path / "cache", settings)
    assert len(server.pdf_requests) == 3
    assert leftovers(tmp_path / "cache") == []


def test_non_pdf_bytes_are_retried_then_refused(
    server: FakeArxivServer, settings: ArxivSettings, tmp_path: Path
) -> None:
    entry = entry_for(server, "2501.00004")
    server.pdfs["2501.00004"] = b"<html><body>Rate limited</body></html>"
    with pytest.raises(SourceError) as err:
        download_pdf(entry, tmp_path / "cache", settings)
    assert str(err.value) == (
        f"2501.00004v1: PDF download failed after 3 attempts: {entry.pdf_url} sent not a PDF (maybe a rate-limit "
        "page); try again later"
    )
    assert len(server.pdf_requests) == 3
    assert leftovers(tmp_path / "cache") == []


def test_a_rate_limit_page_once_is_waited_out(server: FakeArxivServer, settings: ArxivSettings, tmp_path: Path) -> None:
    entry = entry_for(server, "2501.00004")
    server.respond_raw(b"<html>rate limited</html>", route="pdf", content_type="text/html")
    path = download_pdf(entry, tmp_path / "cache", settings)
    assert is_complete_pdf(path)
    requests = server.pdf_requests
    assert [r.status for r in requests] == [200, 200]
    assert requests[1].time - requests[0].time >= 0.05 / 2  # backed off, not hammered


def test_a_link_that_cannot_be_requested_fails_alone_without_a_retry(settings: ArxivSettings, tmp_path: Path) -> None:
    entry = ArxivEntry(arxiv_id="2501.00009", version=1, title="T", abstract="A.", pdf_url="http://127.0.0.1:99999/x")
    with pytest.raises(SourceError, match=r"^2501\.00009v1: PDF download from .* failed \(InvalidURL: .*check the PDF"):
        download_pdf(entry, tmp_path / "cache", settings)


def test_404_names_the_id_and_is_not_retried(server: FakeArxivServer, settings: ArxivSettings, tmp_path: Path) -> None:
    entry = entry_for(server, "2501.00005")
    server.missing_pdfs.add("2501.00005")
    # "<versioned id>: ", the paper's source: the pipeline strips it instead of naming the paper twice
    with pytest.raises(SourceError, match=r"^2501\.00005v1: arXiv has no PDF at .*\(HTTP 404\)"):
        download_pdf(entry, tmp_path / "cache", settings)
    assert len(server.pdf_requests) == 1
    assert leftovers(tmp_path / "cache") == []


def test_503_and_429_are_retried(server: FakeArxivServer, settings: ArxivSettings, tmp_path: Path) -> None:
    entry = entry_for(server, "2501.00006")
    server.fail("pdf", 503)
    server.fail("pdf", 429, retry_after=0)
    assert download_pdf(entry, tmp_path / "cache", settings).is_file()
    assert [r.status for r in server.pdf_requests] == [503, 429, 200]


def test_a_damaged_cached_file_is_downloaded_again(
    server: FakeArxivServer, settings: ArxivSettings, tmp_path: Path
) -> None:
    entry = entry_for(server, "2501.00007")
    target = pdf_path(entry, tmp_path / "cache")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"%PDF-1.7\nhalf a file")
    path = download_pdf(entry, tmp_path / "cache", settings)
    assert len(server.pdf_requests) == 1 and is_complete_pdf(path)


def test_test_supplied_pdf_bytes_are_served(server: FakeArxivServer, settings: ArxivSettings, tmp_path: Path) -> None:
    data = make_pdf("A Given Title", "Given body.")
    server.pdfs["2501.00008"] = data
    path = download_pdf(entry_for(server, "2501.00008"), tmp_path / "cache", settings)
    assert path.read_bytes() == data


def test_concurrent_downloads_are_capped(tmp_path: Path) -> None:
    entries = make_entries(6, first_id="2503.00001")
    with FakeArxivServer(entries) as fake:
        fake.slow("pdf", 0.15)
        settings = Settings(cache_dir=tmp_path, **fake.settings_overrides(delay=0.05)).arxiv  # the default: 2
        wanted = [e.model_copy(update={"pdf_url": fake.pdf_url(e.versioned_id)}) for e in entries]
        wanted += wanted[:2]  # two workers asking for the same paper share one download
        errors: list[BaseException] = []

        def work(entry: ArxivEntry) -> None:
            try:
                download_pdf(entry, tmp_path, settings)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(e,)) for e in wanted]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert fake.peak_in_flight("pdf") == 2
        assert len(fake.pdf_requests) == 6
        assert len(leftovers(tmp_path / "pdfs")) == 6


def test_a_300_character_id_gets_a_short_unique_stable_cache_name(settings: ArxivSettings, tmp_path: Path) -> None:
    # Hostile metadata: ids far past a file name's 255 bytes, the same for their first 250 characters.
    long_ids = ["9" * 250 + "." + "1" * 49, "9" * 250 + "." + "2" * 49]
    entries = [ArxivEntry(arxiv_id=i, version=1, title=f"Paper {n}", abstract="A.") for n, i in enumerate(long_ids)]
    with FakeArxivServer(entries) as fake:
        paths = []
        for entry in entries:
            linked = entry.model_copy(update={"pdf_url": fake.pdf_url(entry.versioned_id)})
            paths.append(download_pdf(linked, tmp_path / "c", settings))
    assert paths[0] != paths[1]
    assert all(len(p.name.encode()) <= 120 and is_complete_pdf(p) for p in paths)
    assert [pdf_path(e, tmp_path / "c") for e in entries] == paths  # the same name on the next run
