"""Every `--flag` a message tells the user to use is a real option of some chatpaper command.

Advice naming a flag that does not exist sends a researcher to a usage error; settings without a flag
are named by their CHATPAPER_* variable or chatpaper.toml key instead.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import click

from chatpaper.cli import main

PACKAGE = Path(__file__).resolve().parents[1] / "chatpaper"
# Flags of other programs that messages mention on purpose.
OTHER_PROGRAMS = {"--decrypt"}  # qpdf --decrypt, for a password-protected PDF
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*[a-z]")


def cli_flags() -> set[str]:
    flags = {"--help"}

    def walk(command: click.Command) -> None:
        for param in command.params:
            flags.update(o for o in [*param.opts, *param.secondary_opts] if o.startswith("--"))
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                walk(sub)

    walk(main)
    return flags


def flags_in_strings(path: Path) -> set[str]:
    found = set()
    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type in kinds:
            found.update(FLAG.findall(token.string))
    return found


def test_messages_name_only_flags_that_exist() -> None:
    known = cli_flags() | OTHER_PROGRAMS
    unknown = {
        f"{path.relative_to(PACKAGE.parent)}: {flag}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for flag in flags_in_strings(path)
        if flag not in known
    }
    assert not unknown, sorted(unknown)


def test_the_check_sees_flags_inside_f_strings(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('x = 1\nmsg = f"{x} tokens: raise --max-widgets or --rpm"\n', encoding="utf-8")
    assert flags_in_strings(sample) == {"--max-widgets", "--rpm"}
