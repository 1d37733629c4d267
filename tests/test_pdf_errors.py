"""Bad input fails alone, with a typed error and a one-line reason naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf
import pytest

from chatpaper.errors import BrokenPdfError, EncryptedPdfError, NotAPdfError, NoTextLayerError, PdfError
from chatpaper.pdf import read_paper
from tests.conftest import EXAMPLES

GOOD = EXAMPLES / "skimrag-long-document-qa.pdf"


def one_line_naming(exc: PdfError, path: Path) -> str:
    message = str(exc)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert exc.path == str(path)
    return exc.reason


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.pdf"
    with pytest.raises(NotAPdfError) as err:
        read_paper(path)
    assert "not found" in one_line_naming(err.value, path)


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(NotAPdfError) as err:
        read_paper(path)
    assert "empty" in one_line_naming(err.value, path)


def test_text_file_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("These are my reading notes, not a paper.\n" * 20, encoding="utf-8")
    with pytest.raises(NotAPdfError) as err:
        read_paper(path)
    assert "not a PDF" in one_line_naming(err.value, path)


def test_a_folder_is_not_a_pdf(tmp_path: Path) -> None:
    with pytest.raises(NotAPdfError):
        read_paper(tmp_path)


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_copy_of_a_good_pdf(tmp_path: Path, keep: float) -> None:
    data = GOOD.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(BrokenPdfError) as err:
        read_paper(path)
    reason = one_line_naming(err.value, path)
    assert "truncated" in reason or "damaged" in reason


def test_garbage_after_a_pdf_header(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with pytest.raises(BrokenPdfError):
        read_paper(path)


def test_password_protected(tmp_path: Path) -> None:
    doc = pymupdf.open(GOOD)
    path = tmp_path / "locked.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="secret")
    doc.close()
    with pytest.raises(EncryptedPdfError) as err:
        read_paper(path)
    assert "password" in one_line_naming(err.value, path)


def test_owner_password_only_still_reads(tmp_path: Path) -> None:
    """Restrictions without a user password do not stop reading (every viewer opens these)."""
    doc = pymupdf.open(GOOD)
    path = tmp_path / "restricted.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", permissions=0)
    doc.close()
    assert read_paper(path).title.startswith("SkimRAG")


def _image_only_pdf(path: Path, pages: int = 3) -> None:
    """A 'scan': each page is one picture of text, with no text layer."""
    source = pymupdf.open(GOOD)
    doc = pymupdf.open()
    for number in range(pages):
        pix = source[number].get_pixmap(dpi=50)
        page = doc.new_page(width=source[number].rect.width, height=source[number].rect.height)
        page.insert_image(page.rect, pixmap=pix)
    doc.save(path)
    source.close()
    doc.close()


def test_image_only_scan_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    _image_only_pdf(path)
    with pytest.raises(NoTextLayerError) as err:
        read_paper(path, ocr="never")  # (reading it by OCR: tests/test_pdf_ocr.py)
    reason = one_line_naming(err.value, path)
    assert reason.startswith("no text layer: this PDF needs OCR")
    assert reason.endswith("try --ocr auto")


def test_a_scan_with_a_stamp_still_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "stamped-scan.pdf"
    _image_only_pdf(path, pages=2)
    doc = pymupdf.open(path)
    for page in doc:
        page.insert_text((20, 20), "Scanned by Library", fontsize=6)
    stamped = tmp_path / "stamped.pdf"
    doc.save(stamped)
    doc.close()
    with pytest.raises(NoTextLayerError):
        read_paper(stamped, ocr="never")


def test_blank_pdf_needs_ocr(tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page()
    path = tmp_path / "blank.pdf"
    doc.save(path)
    doc.close()
    with pytest.raises(NoTextLayerError):
        read_paper(path)


def test_one_bad_file_does_not_spoil_the_next(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(PdfError):
        read_paper(bad)
    copy = tmp_path / "good.pdf"
    shutil.copy(GOOD, copy)
    assert read_paper(copy).authors == ["Mara Lindqvist", "Tomás Okafor", "Wei Zhang"]


def test_a_title_only_page_is_not_mistaken_for_a_scan(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 540, 160), "A Short Note", fontsize=16)
    path = tmp_path / "note.pdf"
    doc.save(path)
    doc.close()
    paper = read_paper(path)
    assert paper.title == "A Short Note"
    assert paper.pages == 1


def test_pages_with_only_a_running_header_say_so(tmp_path: Path) -> None:
    doc = pymupdf.open()
    for _ in range(5):
        doc.new_page().insert_text((200, 40), "Journal of Examples, Vol. 3", fontsize=9)
    path = tmp_path / "header-only.pdf"
    doc.save(path)
    doc.close()
    with pytest.raises(NoTextLayerError) as err:
        read_paper(path)
    reason = one_line_naming(err.value, path)
    assert reason.startswith("no body text: the text layer holds only running headers and page numbers")
    assert "'Journal of Examples, Vol. 3'" in reason and "OCR" in reason
