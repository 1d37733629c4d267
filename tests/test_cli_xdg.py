"""Where chatpaper keeps its files and reads its settings, through the installed console script:
XDG_CACHE_HOME, XDG_STATE_HOME and XDG_CONFIG_HOME are honoured, and the user's chatpaper.toml
sits under the project's (flag > env > project chatpaper.toml > user chatpaper.toml > defaults),
each value shown by `chatpaper config` with where it came from."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLES
from tests.fakes.arxiv_server import FakeArxivServer
from tests.test_digest import DAY1, DAY1_PAPERS

CONSOLE_SCRIPT = Path(sys.executable).with_name("chatpaper")


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd / "home")}
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *args], cwd=cwd, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def xdg(root: Path) -> dict[str, str]:
    return {
        "XDG_CACHE_HOME": str(root / "xdg-cache"),
        "XDG_STATE_HOME": str(root / "xdg-state"),
        "XDG_CONFIG_HOME": str(root / "xdg-config"),
    }


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_cache_and_digest_state_go_where_xdg_says(tmp_path: Path) -> None:
    pdf = tmp_path / "papers" / "paper.pdf"
    pdf.parent.mkdir()
    shutil.copy(sorted(EXAMPLES.glob("*.pdf"))[0], pdf)
    env = xdg(tmp_path)
    ran = run([str(pdf), "-o", "out"], tmp_path, env)
    assert ran.returncode == 0, ran.stderr
    with FakeArxivServer(DAY1_PAPERS, announce_day=DAY1) as arxiv:
        digest = run(["digest", "-c", "cs.CL", "-o", "digests"], tmp_path, {**env, **arxiv.env(delay=0.0, retries=1)})
    assert digest.returncode == 0, digest.stderr
    assert "chatpaper/summaries.db" in files_under(tmp_path / "xdg-cache")
    assert "chatpaper/state.db" in files_under(tmp_path / "xdg-state")
    home = tmp_path / "home"
    assert not [p for p in home.rglob("*") if "chatpaper" in p.name], files_under(home)  # nothing hard-coded

    shown = run(["config"], tmp_path, env).stdout
    assert re.search(
        rf"^cache_dir\s+= {re.escape(str(tmp_path / 'xdg-cache' / 'chatpaper'))}  \(default\)$", shown, re.M
    )
    state = re.escape(str(tmp_path / "xdg-state" / "chatpaper" / "state.db"))
    assert re.search(rf"^digest.state\s+= {state}  \(default\)$", shown, re.M)


def test_without_xdg_variables_the_usual_folders_under_home(tmp_path: Path) -> None:
    shown = run(["config"], tmp_path, {}).stdout
    home = tmp_path / "home"
    assert f"= {home / '.cache' / 'chatpaper'}  (default)" in shown
    assert f"= {home / '.local' / 'state' / 'chatpaper' / 'state.db'}  (default)" in shown
    assert (
        f"# config files, lowest first: {home / '.config' / 'chatpaper' / 'chatpaper.toml'} (user, none there)" in shown
    )


def test_the_user_config_sits_under_the_project_config_the_environment_and_flags(tmp_path: Path) -> None:
    env = xdg(tmp_path)
    user_file = tmp_path / "xdg-config" / "chatpaper" / "chatpaper.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text(
        'model = "user-model"\nlanguage = "zh"\nworkers = 3\ntimeout = 30\n'
        '[smtp]\nhost = "smtp.user.example"\n[prices."user-model"]\ninput = 1.0\noutput = 2.0\n',
        encoding="utf-8",
    )
    (tmp_path / "chatpaper.toml").write_text(
        'model = "project-model"\nworkers = 5\n[digest]\ncategories = ["cs.CL"]\n[prices."project-model"]\n'
        "input = 3.0\noutput = 4.0\n",
        encoding="utf-8",
    )
    shown = run(["config"], tmp_path, {**env, "CHATPAPER_WORKERS": "6"}).stdout

    def row(name: str) -> str:
        found = re.search(rf"^{re.escape(name)}\s+= (.*)$", shown, re.M)
        assert found, shown
        return found.group(1)

    assert row("model") == "project-model  (file chatpaper.toml)"  # the project's file over the user's
    assert row("language") == f"zh  (user file {user_file})"  # the user's file over the default
    assert row("timeout") == f"30.0  (user file {user_file})"
    assert row("workers") == "6  (env CHATPAPER_WORKERS)"  # the environment over both files
    assert row("smtp.host") == f"smtp.user.example  (user file {user_file})"  # tables add up
    assert row("digest.categories") == "cs.CL  (file chatpaper.toml)"
    assert "user-model" in row("prices") and "project-model" in row("prices")
    assert shown.startswith(f"# config files, lowest first: {user_file} (user, read) · chatpaper.toml (project, read)")

    # A flag over everything: the run's dry-run names the flag's model.
    pdf = tmp_path / "paper.pdf"
    shutil.copy(sorted(EXAMPLES.glob("*.pdf"))[0], pdf)
    dry = run(
        [str(pdf), "--dry-run", "-m", "flag-model", "--backend", "openai"], tmp_path, {**env, "OPENAI_API_KEY": "x"}
    )
    assert dry.returncode == 0, dry.stderr
    assert "would be summarized by flag-model" in dry.stdout


def test_a_broken_user_config_is_one_line_naming_it(tmp_path: Path) -> None:
    env = xdg(tmp_path)
    user_file = tmp_path / "xdg-config" / "chatpaper" / "chatpaper.toml"
    user_file.parent.mkdir(parents=True)
    user_file.write_text("model = \n", encoding="utf-8")
    ran = run(["config"], tmp_path, env)
    assert ran.returncode == 1
    assert ran.stderr.startswith(f"chatpaper: error: config file {user_file} is not valid TOML (")
    assert ran.stderr.rstrip().endswith("fix it or move it away") and len(ran.stderr.splitlines()) == 1
