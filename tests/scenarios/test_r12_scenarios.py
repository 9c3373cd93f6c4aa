"""End-to-end scenarios with attachments (ICO leaflet points 4 and 7).

Like the scenarios beside them (see test_scenarios.py), each ``r12_*`` directory
holds a register, a batch, templates and a policy, and the exact findings the
real CLI must report. Their attachments are not stored: ``scenario.yaml``
describes each PDF and Word file and this test builds them (reportlab,
python-docx) in a copy of the directory before running::

    policylint check batch.csv --policy policylint.yaml --format json --today 2026-11-26
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from policylint.cli import cli
from tests.io.attachment_files import write_docx, write_pdf
from tests.scenarios.test_scenarios import TODAY, describe, family_names, parse_findings

HERE = Path(__file__).resolve().parent
SCENARIOS = sorted(p for p in HERE.glob("r12_*") if (p / "scenario.yaml").is_file())


def build(directory: Path, specs: dict[str, dict[str, Any]]) -> None:
    for name, spec in specs.items():
        path = directory / name
        if name.endswith(".pdf"):
            write_pdf(path, spec["pages"], password=spec.get("password"),
                      boxed=[tuple(p) for p in spec.get("boxed", [])],
                      removed=[tuple(p) for p in spec.get("removed", [])])
        else:
            write_docx(path, spec.get("paragraphs", []), comment=spec.get("comment", ""),
                       deleted=spec.get("deleted", ""), password=spec.get("password"))


def test_r12_scenarios_are_there() -> None:
    assert len(SCENARIOS) >= 2


@pytest.mark.parametrize("source", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_r12_scenario(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = yaml.safe_load((source / "scenario.yaml").read_text(encoding="utf-8"))
    directory = tmp_path / source.name
    shutil.copytree(source, directory)
    build(directory, data.get("attachments") or {})
    monkeypatch.chdir(directory)
    result = CliRunner().invoke(
        cli, ["check", "batch.csv", "--policy", "policylint.yaml", "--format", "json",
              "--today", TODAY], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)["findings"]

    names = family_names(directory)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    leaks = [(f["rule"], f["row"], m.group(0)) for f in findings
             if (m := pattern.search(f["message"]))]
    assert not leaks, f"family names in messages: {leaks[:5]}"
    has_error = any(f["severity"] == "error" for f in findings)
    assert result.exit_code == (1 if has_error else 0)

    expected = parse_findings(data["findings"], str(source / "scenario.yaml"))
    actual = frozenset((f["rule"], f["row"], f["code"]) for f in findings)
    assert actual == expected, (
        f"{source.name}: findings differ from scenario.yaml\n"
        f"missing:\n{describe(expected - actual)}\nextra:\n{describe(actual - expected)}")
