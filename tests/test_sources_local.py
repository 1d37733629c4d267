"""Local inputs: PDF discovery, problems for bad paths, safe report names, content hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from chatpaper.sources.local import NAME_MAX_BYTES, NAME_MAX_CHARS, file_sha256, find_pdfs, report_name


def touch(path: Path, data: bytes = b"%PDF-1.4\n%%EOF\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folders_are_searched_recursively_in_stable_order(tmp_path: Path) -> None:
    root = tmp_path / "papers"
    touch(root / "b.pdf")
    touch(root / "a.PDF")
    touch(root / "sub" / "c.pdf")
    touch(root / "notes.txt")
    touch(root / ".hidden" / "secret.pdf")
    touch(root / ".partial.pdf")

    refs, problems = find_pdfs([root])
    assert problems == []
    assert [Path(r.path).name for r in refs] == ["a.PDF", "b.pdf", "c.pdf"]
    assert [r.name for r in refs] == ["a", "b", "c"]
    assert refs[2].source == str(root / "sub" / "c.pdf")
    assert all(Path(r.path).is_absolute() for r in refs)


def test_missing_paths_and_empty_folders_are_problems_not_errors(tmp_path: Path) -> None:
    good = touch(tmp_path / "good.pdf")
    empty = tmp_path / "empty"
    empty.mkdir()
    refs, problems = find_pdfs([tmp_path / "nope.pdf", good, empty])
    assert [r.name for r in refs] == ["good"]
    assert problems == [
        (str(tmp_path / "nope.pdf"), "no such file or folder"),
        (str(empty), "no PDF files in this folder"),
    ]


def test_explicit_files_are_taken_as_given_and_deduplicated(tmp_path: Path) -> None:
    odd = touch(tmp_path / "scan.bin")  # the reader decides whether it is a PDF
    pdf = touch(tmp_path / "x" / "paper.pdf")
    other = touch(tmp_path / "y" / "paper.pdf")
    refs, problems = find_pdfs([odd, pdf, tmp_path / "x", other, str(pdf)])
    assert problems == []
    assert [r.name for r in refs] == ["scan", "paper", "paper-2"]  # unique names, one ref per file


def test_file_sha256(tmp_path: Path) -> None:
    data = b"%PDF-1.7 " + bytes(range(256)) * 5000
    path = touch(tmp_path / "p.pdf", data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2301.00001v2", "2301.00001v2"),
        ("hep-th/9901001", "hep-th_9901001"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "paper"),
        ("", "paper"),
        ("   ", "paper"),
        (".hidden", "hidden"),
        ("a\x00b\x1fc\nd", "a-b-c-d"),
        ("Attention Is All You Need!", "Attention-Is-All-You-Need"),
        ("Über Änderungen: 大型语言模型", "Über-Änderungen-大型语言模型"),
        ("CON", "CON_"),
        ("nul.txt", "nul.txt_"),
    ],
)
def test_report_name_is_filesystem_safe(text: str, expected: str) -> None:
    assert report_name(text) == expected


@pytest.mark.parametrize(
    "text",
    ["x" * 500, "大" * 300, "a/" * 200, "..." * 100, "-" * 50 + "b", "\u202e\u0000evil/../../x", "a" * 99 + "é" * 10],
)
def test_report_name_invariants(text: str) -> None:
    name = report_name(text)
    assert name
    assert "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith((".", "-"))
    assert all(ch.isprintable() for ch in name)
    assert len(name) <= NAME_MAX_CHARS
    assert len(name.encode("utf-8")) <= NAME_MAX_BYTES


def test_long_names_are_cut_with_a_hash_of_the_whole_text() -> None:
    first, second = "a" * 200 + "one", "a" * 200 + "two"
    assert report_name(first) == report_name(first)  # stable: a rerun finds its reports
    assert report_name(first) != report_name(second)  # unique: same start, different papers
    assert report_name(first).startswith("a" * 80)
    assert report_name("short-name") == "short-name"  # names within the caps are untouched


def test_symlink_loops_and_broken_links_are_problems_not_errors(tmp_path: Path) -> None:
    good = touch(tmp_path / "papers" / "good.pdf")
    (tmp_path / "papers" / "loop.pdf").symlink_to("loop.pdf")
    (tmp_path / "papers" / "ping.pdf").symlink_to("pong.pdf")
    (tmp_path / "papers" / "pong.pdf").symlink_to("ping.pdf")
    (tmp_path / "papers" / "gone.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (tmp_path / "top.pdf").symlink_to("top.pdf")
    refs, problems = find_pdfs([tmp_path / "papers", tmp_path / "top.pdf"])
    assert [r.path for r in refs] == [str(good)]
    reasons = {Path(source).name: reason for source, reason in problems}
    assert set(reasons) == {"loop.pdf", "ping.pdf", "pong.pdf", "gone.pdf", "top.pdf"}
    for name in ("loop.pdf", "ping.pdf", "pong.pdf", "top.pdf"):
        assert reasons[name].startswith("symbolic link loop"), reasons[name]
    assert reasons["gone.pdf"].startswith("broken symbolic link")
