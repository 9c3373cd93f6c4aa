"""--jobs splits the batch across processes with identical output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from unittest.mock import patch

import pytest
from click.testing import CliRunner

from policylint.cli import cli
from policylint.io.register import scratch
from policylint.plugins import rule_registry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def check(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["check", *args, "--format", "json",
                                      "--today", "2026-11-26"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    return dict(json.loads(result.output))


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_jobs_give_the_same_findings_as_one_process(jobs: str) -> None:
    args = (str(EXAMPLES / "batch.csv"), "--policy", str(EXAMPLES / "policylint.yaml"))
    serial = check(*args)
    parallel = check(*args, "--jobs", jobs)
    assert parallel == serial
    split = {name for name, e in rule_registry().items() if e.rule.row_independent}
    fired = {f["rule"] for f in serial["findings"]}  # type: ignore[attr-defined]
    assert split & fired, "the example must exercise rules that --jobs splits"


@pytest.mark.parametrize("on_disk", [False, True])
def test_jobs_with_an_sqlite_register(tmp_path: Path, on_disk: bool) -> None:
    """A database connection is reopened in each worker rather than shared; indexes
    over a large register, kept in temporary files by the parent (here every register
    counts as large), are read by the forked workers as the parent left them."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    register = tmp_path / "register.sqlite"
    built = CliRunner().invoke(cli, ["register", "build", str(tmp_path / "examples" / "register"),
                                     "-o", str(register)])
    assert built.exit_code == 0, built.output
    args = (str(tmp_path / "examples" / "batch.csv"), "--policy",
            str(tmp_path / "examples" / "policylint.yaml"), "--register", str(register))
    with patch.object(scratch, "ON_DISK_FROM", 0 if on_disk else 10**9):
        assert check(*args, "--jobs", "2") == check(*args)
