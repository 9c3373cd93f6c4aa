"""Running a check in one pass and in chunks, for the chunked engine's tests."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policylint.cli import cli

TESTS = Path(__file__).resolve().parents[1]
EXAMPLES = TESTS.parent / "examples"
SCENARIOS = sorted(p.parent for p in (TESTS / "scenarios").glob("*/expected.yaml"))
SHIFTED = TESTS / "scenarios" / "s04_print_run_one_row_out"
TODAY = "2026-11-26"


def run(directory: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(directory)
    return CliRunner().invoke(cli, ["check", "batch.csv", "--policy", "policylint.yaml",
                                    "--format", "json", "--today", TODAY, *args],
                              catch_exceptions=False)


def same_in_chunks(directory: Path, monkeypatch: pytest.MonkeyPatch,
                   *variants: Sequence[str]) -> str:
    whole = run(directory, monkeypatch=monkeypatch)
    assert whole.exit_code in (0, 1), whole.output
    for variant in variants:
        split = run(directory, *variant, monkeypatch=monkeypatch)
        assert split.exit_code == whole.exit_code, (variant, split.output)
        assert split.output == whole.output, variant
    return whole.output


def write_spanning(directory: Path) -> Path:
    """s04's 200 letters (names shifted from row 150), changed: the address columns are
    also shifted one row up from row 40 to row 90, row 120 repeats row 20's recipient,
    and row 130 row 25's reference."""
    shutil.copytree(SHIFTED, directory)
    path = directory / "batch.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    header = list(rows[0])
    address = [h for h in header if h.startswith("address_line") or h == "postcode"]
    for index in range(38, 89):  # spreadsheet rows 40-90
        for column in address:
            rows[index][column] = rows[index + 1][column]
    rows[118]["recipient_id"] = rows[18]["recipient_id"]
    reference = next(h for h in header if h.endswith("_ref") or h == "reference")
    rows[128][reference] = rows[23][reference]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, header)
        writer.writeheader()
        writer.writerows(rows)
    return directory
