"""The reading-confidence check: a paper whose text cannot be trusted fails alone with its reason, before
any LLM call (chatpaper/pdf/confidence.py, read_paper, the pipeline and the digest)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatpaper.cli import main
from chatpaper.errors import UnreadableTextError
from chatpaper.models import Paper, Section
from chatpaper.pdf import read_paper
from chatpaper.pdf.confidence import unreadable
from tests.conftest import CORPUS, EXAMPLES
from tests.corpus import corpus_params
from tests.fakes.arxiv_server import FakeArxivServer
from tests.fakes.dvips_pdf import write_dvips_pdf
from tests.fakes.openai_server import FakeOpenAIServer
from tests.test_digest import DAY1, DAY1_PAPERS
from tests.test_pdf_glyphs import dvips_paper

PROSE = (
    "We study how readers skim research papers and which parts they read first. Our method ranks the "
    "sections of a paper by how much of its argument they carry, and we test it on two corpora. "
)


def paper(title: str = "Skimming Research Papers Quickly", text: str = PROSE * 20, **fields: object) -> Paper:
    sections = [Section(heading="1 Introduction", level=1, page=1, text=text)] if text else []
    return Paper(path="x.pdf", sha256="0" * 64, pages=3, title=title, sections=sections, **fields)  # type: ignore[arg-type]


def test_a_paper_that_reads_like_one_passes() -> None:
    assert unreadable(paper(), fallback_title=False) is None
    # a letter without headings: no section title, but a body
    assert unreadable(paper(title="UDC 82-1:004.8"), fallback_title=False) is None


def test_junk_characters_fragments_and_wrong_letters_are_refused() -> None:
    junk = "".join(chr(c) for c in range(0x80, 0x9F)) + " \ufffd\ufffd ab "
    assert unreadable(paper(text=junk * 40), fallback_title=False).startswith("mostly garbage")  # type: ignore[union-attr]
    split = "T rees S ien e a n d b e t w e en wo rds "  # a text layer split at every kern
    assert unreadable(paper(text=split * 60), fallback_title=False).startswith("words in fragments")  # type: ignore[union-attr]
    wrong = PROSE.translate(str.maketrans("aeiouAEIOU", "bcdfgBCDFG"))  # a font whose codes hit other letters
    assert "not words" in (unreadable(paper(text=wrong * 20), fallback_title=False) or "")


def test_no_title_and_no_body_is_refused_either_alone_is_not() -> None:
    assert unreadable(paper(title="x.pdf", text=""), fallback_title=True) == "no title and no body text found"
    assert unreadable(paper(title="Skimming Research Papers", text=""), fallback_title=False) is None
    assert unreadable(paper(title="paper-2301", text=PROSE * 5), fallback_title=True) is None


def test_a_bitmap_font_paper_whose_codes_cannot_be_mapped_fails_with_its_reason(tmp_path: Path) -> None:
    pdf = write_dvips_pdf(tmp_path / "opaque.pdf", [dvips_paper()], naming="opaque")
    with pytest.raises(UnreadableTextError) as err:
        read_paper(pdf, ocr="never")
    assert err.value.reason.startswith("text layer unreadable (Type-3 bitmap fonts; mostly garbage")
    assert err.value.reason.endswith("try --ocr auto")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("truth", corpus_params("readable", where=lambda record: record["text_layer"]))
def test_no_corpus_paper_with_a_text_layer_is_refused(truth: dict) -> None:
    read_paper(CORPUS / "pdfs" / truth["file"], ocr="never")  # raises UnreadableTextError if refused


# --- no LLM call for a refused paper ---------------------------------------------------------------


def failed_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("failed: ")]


def test_run_makes_no_llm_call_for_an_unreadable_paper(tmp_path: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    write_dvips_pdf(folder / "opaque.pdf", [dvips_paper()], naming="opaque")
    shutil.copy(EXAMPLES / "skimrag-long-document-qa.pdf", folder)
    with FakeOpenAIServer() as llm:
        env = {"OPENAI_BASE_URL": llm.url, "CHATPAPER_CACHE_DIR": str(tmp_path / "cache")}
        args = [str(folder), "-o", str(tmp_path / "out"), "--ocr", "never"]
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
        asked = [r.prompt for r in llm.chat_requests]
    assert result.exit_code == 3, result.output
    (line,) = failed_lines(result.stderr)
    assert "opaque.pdf: text layer unreadable (Type-3 bitmap fonts" in line
    assert asked and all("SkimRAG" in prompt for prompt in asked)  # only the readable paper was sent
    assert not (tmp_path / "out" / "opaque.json").exists() and not (tmp_path / "out" / "opaque.md").exists()


def test_the_digest_makes_no_llm_call_for_an_unreadable_paper(tmp_path: Path) -> None:
    unreadable_pdf = write_dvips_pdf(tmp_path / "opaque.pdf", [dvips_paper()], naming="opaque").read_bytes()
    with (
        FakeArxivServer(DAY1_PAPERS, announce_day=DAY1, pdfs={"2508.00002": unreadable_pdf}) as arxiv,
        FakeOpenAIServer() as llm,
    ):
        env = {**arxiv.env(delay=0.0, retries=1), "OPENAI_BASE_URL": llm.url, "CHATPAPER_OCR": "never"}
        args = ["digest", "-c", "cs.CL", "--include", "retrieval", "--state", str(tmp_path / "state.db")]
        args += ["-o", str(tmp_path / "digests"), "--cache-dir", str(tmp_path / "cache")]
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
        titles = [re.search(r"^Title:\s*(.+)$", r.prompt, re.MULTILINE) for r in llm.chat_requests]
    assert result.exit_code == 3, result.output
    assert "failed: 2508.00002v1: " in result.stderr and "text layer unreadable" in result.stderr
    asked = {m.group(1).strip() for m in titles if m}
    assert asked and "Dense Retrieval at Scale" not in asked  # 2508.00002's title
