"""Bounded reading: every PDF is read in its own child process within a memory and CPU-time budget, so a
hostile or broken file (a decompression bomb, text drawn over itself, a reader crash) costs its own paper only.

The hostile PDFs are built here with pymupdf, small enough that each test takes seconds; the budgets are
lowered so that they are reached quickly (the defaults are measured on a 510-page thesis, see the README).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from chatpaper import pipeline
from chatpaper.cli import main
from chatpaper.digest import run_digest
from chatpaper.errors import BrokenPdfError, NotAPdfError, ReadBudgetError
from chatpaper.pdf import read_paper
from chatpaper.pdf.ocr import ocr_available
from chatpaper.pdf.worker import PaperReader
from chatpaper.settings import ReaderSettings
from tests.conftest import EXAMPLES
from tests.fakes.arxiv_server import FakeArxivServer
from tests.test_digest import DAY1, DAY1_PAPERS, DAY2, StubBackend, make_settings

GOOD = EXAMPLES / "skimrag-long-document-qa.pdf"
OTHER = EXAMPLES / "soil-moisture-graph-gp.pdf"


def pdf_with_content(path: Path, content: bytes) -> Path:
    """A one-page PDF whose page content stream is `content` (Flate-compressed), with one font named /F1."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "A Title", fontsize=16)  # gives the page a font resource to refer to
    font = page.get_fonts()[0][4]
    doc.update_stream(page.get_contents()[0], content.replace(b"/F1", b"/" + font.encode()))
    doc.save(path, deflate=True)
    doc.close()
    return path


def memory_bomb(path: Path, copies: int = 60_000) -> Path:
    """A few kilobytes of PDF whose page draws `copies` runs of text: MuPDF holds every glyph of them at once
    (the real one held 1 GiB of text operators in 3 MB and grew to 23.7 GB)."""
    run = b"(" + b"A" * 60 + b") Tj 0 0 Td\n"
    return pdf_with_content(path, b"BT /F1 10 Tf 72 400 Td\n" + run * copies + b"ET")


def overprinted(path: Path, copies: int) -> Path:
    """A paper title, then one line of body text drawn `copies` times over itself at the same place."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 100), "Reading Overprinted Text Once", fontsize=18)
    page.insert_text((72, 160), "Abstract. A body paragraph that a reader should see once.", fontsize=10)
    font = page.get_fonts()[0][4]
    ops = b"BT /%s 10 Tf 72 500 Td (Text drawn over itself many times at one place.) Tj ET\n" % font.encode()
    xref = page.get_contents()[0]
    doc.update_stream(xref, doc.xref_stream(xref) + b"\n" + ops * copies)
    doc.save(path, deflate=True)
    doc.close()
    return path


def test_a_paper_is_read_as_read_paper_reads_it() -> None:
    paper = PaperReader(ReaderSettings()).read(GOOD)
    assert paper == read_paper(GOOD)


def test_pdf_errors_come_back_typed_and_named_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.pdf").write_text("reading notes, not a paper\n" * 10, encoding="utf-8")
    with pytest.raises(NotAPdfError) as err:
        PaperReader(ReaderSettings()).read("notes.pdf")
    assert str(err.value) == "notes.pdf: not a PDF (no %PDF header); point chatpaper at the paper's PDF file"


def test_a_memory_bomb_fails_alone_with_what_to_raise(tmp_path: Path) -> None:
    reader = PaperReader(ReaderSettings(memory_mb=128))
    with pytest.raises(ReadBudgetError) as err:
        reader.read(memory_bomb(tmp_path / "bomb.pdf"))
    reason = err.value.reason
    assert "needs more than the 128 MiB of memory the reader may use" in reason
    assert "[reader] memory_mb in chatpaper.toml or CHATPAPER_READER_MEMORY_MB" in reason
    assert reader.read(GOOD).title.startswith("SkimRAG")  # the next paper is read as usual


def test_ocr_over_the_memory_budget_says_what_to_raise(tmp_path: Path) -> None:
    """OCR (ONNX Runtime, C++) reports a refused allocation as std::bad_alloc: the user is told about the
    budget in one line, not shown the engine's traceback."""
    if not ocr_available():
        pytest.skip("the OCR extra is not installed (pip install 'chatpaper[ocr]')")
    scan = pymupdf.open()
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 1200, 1600), False)
    pix.clear_with(255)
    scan.new_page().insert_image(pymupdf.Rect(0, 0, 612, 792), pixmap=pix)
    scan.save(tmp_path / "scan.pdf")
    # OCR needs some 700 MiB (its models and a page image at 200 ppi): 150 + 150 is well short
    with pytest.raises(ReadBudgetError) as err:
        PaperReader(ReaderSettings(memory_mb=150, ocr_memory_mb=150)).read(tmp_path / "scan.pdf", ocr="always")
    assert err.value.reason.startswith("reading it by OCR needs more than the 300 MiB of memory the reader may use")
    assert "raise [reader] ocr_memory_mb in chatpaper.toml or CHATPAPER_READER_OCR_MEMORY_MB" in err.value.reason
    assert "\n" not in str(err.value) and "Traceback" not in str(err.value)


def test_a_pdf_over_the_cpu_budget_fails_alone(tmp_path: Path) -> None:
    reader = PaperReader(ReaderSettings(cpu_seconds=1))
    with pytest.raises(ReadBudgetError) as err:  # some 200 MB of glyphs take far more than a CPU second
        reader.read(memory_bomb(tmp_path / "slow.pdf"))
    reason = err.value.reason
    assert "took more than the 1 CPU seconds the reader may use" in reason
    assert "[reader] cpu_seconds in chatpaper.toml or CHATPAPER_READER_CPU_SECONDS" in reason
    assert reader.read(GOOD).title.startswith("SkimRAG")


def test_text_drawn_over_itself_thousands_of_times_is_read_once(tmp_path: Path) -> None:
    path = overprinted(tmp_path / "overprinted.pdf", copies=5000)
    paper = PaperReader(ReaderSettings()).read(path)
    assert paper.title == "Reading Overprinted Text Once"
    text = " ".join([paper.abstract, *(s.text for s in paper.sections)])
    assert text.count("Text drawn over itself many times at one place.") == 1


def test_a_reader_that_dies_costs_its_paper_only(tmp_path: Path) -> None:
    """A child killed by a signal (here SIGSEGV, as a MuPDF crash would) fails its paper as damaged; the
    reader goes on with the next paper."""
    reader = PaperReader(ReaderSettings())
    slow = memory_bomb(tmp_path / "crashing.pdf", copies=200_000)  # seconds of work: time to kill it
    killed: list[int] = []

    def kill_the_child() -> None:
        deadline = time.monotonic() + 120
        while not killed and time.monotonic() < deadline:
            for child in multiprocessing.active_children():
                if child.name.startswith("chatpaper-read-crashing"):
                    os.kill(child.pid, signal.SIGSEGV)  # type: ignore[arg-type]
                    killed.append(child.pid)  # type: ignore[arg-type]
            time.sleep(0.01)

    killer = threading.Thread(target=kill_the_child)
    killer.start()
    with pytest.raises(BrokenPdfError) as err:
        reader.read(slow)
    killer.join()
    assert killed
    assert err.value.reason == "damaged PDF: the reader crashed on it (signal SIGSEGV); download or export it again"
    assert reader.read(OTHER).title.startswith("Forecasting Soil Moisture")


def test_a_memory_bomb_in_a_batch_fails_alone_and_the_index_lists_everything(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(GOOD, papers / "good.pdf")
    shutil.copy(OTHER, papers / "other.pdf")
    memory_bomb(papers / "bomb.pdf")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [str(papers), "-o", str(out), "--cache-dir", str(tmp_path / "cache")],
        env={"CHATPAPER_READER_MEMORY_MB": "128"},
    )
    assert result.exit_code == 3, result.output
    assert "bomb.pdf: reading it needs more than the 128 MiB of memory the reader may use" in result.stderr
    assert "2 done" in result.stderr and "1 failed" in result.stderr
    index = (out / "index.md").read_text(encoding="utf-8")
    assert all(name in index for name in ("good.md", "other.md", "bomb.pdf"))
    assert "needs more than the 128 MiB" in index
    assert (out / "good.md").is_file() and (out / "other.md").is_file() and not (out / "bomb.md").exists()


def test_the_digest_reads_within_the_budget(tmp_path: Path) -> None:
    bomb = memory_bomb(tmp_path / "bomb.pdf").read_bytes()
    with FakeArxivServer(DAY1_PAPERS, announce_day=DAY1, pdfs={"2508.00002v1": bomb}) as server:
        settings = make_settings(server, tmp_path).model_copy(update={"reader": ReaderSettings(memory_mb=128)})
        backend = StubBackend()
        result = run_digest(settings, backend=backend, today=DAY2)
    assert backend.calls == ["2508.00001"]
    [failed] = result.failed
    assert failed.source == "2508.00002v1"
    assert failed.reason and "needs more than the 128 MiB of memory the reader may use" in failed.reason
    page = (tmp_path / "digests" / f"{DAY1}.md").read_text(encoding="utf-8")
    assert "1 summarized · 1 not summarized yet" in page and "needs more than the 128 MiB" in page


def test_dry_run_and_parse_read_within_the_budget(tmp_path: Path) -> None:
    bomb = memory_bomb(tmp_path / "bomb.pdf")
    env = {"CHATPAPER_READER_MEMORY_MB": "128"}
    planned = CliRunner().invoke(main, [str(bomb), "--dry-run", "--cache-dir", str(tmp_path / "c")], env=env)
    assert "cannot read: reading it needs more than the 128 MiB" in planned.output
    parsed = CliRunner().invoke(main, ["parse", str(bomb)], env=env)
    assert parsed.exit_code == 1
    assert "bomb.pdf: reading it needs more than the 128 MiB of memory" in parsed.stderr


def test_a_file_that_is_no_pdf_is_refused_before_it_is_hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 20 GB file that is no PDF would be hashed in full for nothing: its first bytes are checked first."""
    big = tmp_path / "backup.pdf"
    big.write_bytes(b"\0" * 4096)  # stands for the 20 GB one
    hashed: list[Path] = []
    real_hash = pipeline.file_sha256
    monkeypatch.setattr(pipeline, "file_sha256", lambda path: hashed.append(Path(path)) or real_hash(path))
    shutil.copy(GOOD, tmp_path / "good.pdf")
    result = CliRunner().invoke(main, [str(big), str(tmp_path / "good.pdf"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 3, result.output
    assert "backup.pdf: not a PDF (no %PDF header)" in result.stderr
    assert hashed == [tmp_path / "good.pdf"]
