"""A progress bar on a terminal, nothing in a pipe (issue 11): real subprocesses, one
under a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.mailing import HEADER, TODAY, good_row, write_register

ROOT = Path(__file__).resolve().parents[2]
ROWS = 600  # a few updates' worth (one every 256 rows)


@pytest.fixture
def mailing(tmp_path: Path) -> Path:
    write_register(tmp_path / "register", 40)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "r.letter.j2").write_text(
        "---\nname: reminder\nchannel: letter\n---\nDear {{ title }} {{ last_name }}\n",
        encoding="utf-8")
    (tmp_path / "policylint.yaml").write_text(
        "version: 1\nregister: ./register\ntemplates:\n  - {path: templates/*.j2}\n",
        encoding="utf-8")
    rows = "".join(good_row(n % 40 + 1) for n in range(ROWS))
    (tmp_path / "batch.csv").write_text(HEADER + rows, encoding="utf-8")
    return tmp_path


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    return {**env, "PYTHONPATH": str(ROOT), "POLICYLINT_PROGRESS_DELAY": "0",
            "COLUMNS": "100", **extra}


def _args() -> list[str]:
    return [sys.executable, "-m", "policylint", "check", "batch.csv", "--today", TODAY,
            "--select", "merge-integrity", "-o", "report.txt"]


def _run_on_a_terminal(cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """stderr on a pseudo-terminal (what a person sees); stdout to a pipe."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(_args(), cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=terminal, stdin=subprocess.DEVNULL)
    os.close(terminal)
    seen = bytearray()
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed when the process ended
            break
        if not chunk:
            break
        seen += chunk
    code = process.wait(timeout=60)
    os.close(controller)
    assert process.stdout is not None
    process.stdout.close()
    return code, seen.decode("utf-8", "replace")


def test_a_progress_bar_appears_on_a_terminal(mailing: Path) -> None:
    code, terminal = _run_on_a_terminal(mailing, _env())
    assert code in (0, 1)
    assert "Checking batch.csv" in terminal and "rows" in terminal
    assert "/600" in terminal  # an estimated total, so a time left can be shown


def test_no_progress_bar_in_ci_even_on_a_terminal(mailing: Path) -> None:
    _code, terminal = _run_on_a_terminal(mailing, _env(CI="true"))
    assert "Checking batch.csv" not in terminal


def test_no_progress_bar_in_a_pipe(mailing: Path) -> None:
    done = subprocess.run(_args(), cwd=mailing, env=_env(), capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode in (0, 1)
    assert "Checking" not in done.stderr and "\x1b" not in done.stderr
    assert done.stderr.startswith("policylint: Checked 600 rows")
