"""The pre-commit hook through the real pre-commit client (``pre-commit try-repo``), as a
template repository would run it: quiet on a clean template, the line of a broken one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOOD = "---\nname: reminder\nchannel: letter\n---\nDear {{ title }} {{ last_name }},\n"
BROKEN = "---\nname: broken\nchannel: letter\n---\nDear {{ title }} {{ last_name },\n"


def _pre_commit() -> list[str]:
    found = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("pre-commit is not installed: it is part of the `test` extra")
    return [found]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _template_repo(root: Path, files: dict[str, str]) -> Path:
    (root / "templates").mkdir(parents=True)
    for name, text in files.items():
        (root / "templates" / name).write_text(text, encoding="utf-8")
    (root / "policylint.yaml").write_text("version: 1\n", encoding="utf-8")
    git = ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "templates"], cwd=root, check=True)
    return root


def _try_repo(repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [*_pre_commit(), "try-repo", str(ROOT), "policylint", "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_the_hook_passes_a_clean_template(tmp_path: Path, home: Path) -> None:
    repo = _template_repo(tmp_path / "repo", {"reminder.letter.j2": GOOD})
    done = _try_repo(repo, home, "templates/reminder.letter.j2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout


def test_the_hook_fails_a_broken_template_naming_its_line(tmp_path: Path, home: Path) -> None:
    repo = _template_repo(tmp_path / "repo", {"broken.letter.j2": BROKEN,
                                              "reminder.letter.j2": GOOD})
    done = _try_repo(repo, home, "templates/broken.letter.j2", "templates/reminder.letter.j2")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "templates/broken.letter.j2:5:6: template-syntax[syntax] [error]" in done.stdout
    assert "reminder.letter.j2" not in done.stdout.split("Failed", 1)[1]
