"""The options a ruff or flake8 user types without thinking (issue 11)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint.cli import cli
from tests.cli.mailing import TODAY, Invoke

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _with_findings(project: Path) -> None:
    batch = project / "batch.csv"
    text = batch.read_text(encoding="utf-8")
    text = text.replace("Okafor", "Okonkwo").replace("3 Mill Lane", "33 Mill Lane")
    batch.write_text(text, encoding="utf-8")


def test_exit_zero_passes_findings_but_never_unchecked_rows(project: Path,
                                                            invoke: Invoke) -> None:
    _with_findings(project)
    assert invoke("check", "batch.csv", "--today", TODAY).exit_code == 1
    assert invoke("check", "batch.csv", "--today", TODAY, "--exit-zero").exit_code == 0
    (project / "templates" / "reminder.letter.j2").write_text(
        "---\nname: reminder\nchannel: letter\n---\n{{ no_such_column }}\n", encoding="utf-8")
    assert invoke("check", "batch.csv", "--today", TODAY, "--exit-zero").exit_code == 2


def test_statistics_counts_per_rule_and_code(project: Path, invoke: Invoke) -> None:
    _with_findings(project)
    full = json.loads(invoke("check", "batch.csv", "--today", TODAY, "--format",
                             "json").stdout)["findings"]
    result = invoke("check", "batch.csv", "--today", TODAY, "--statistics")
    lines = result.stdout.splitlines()
    counts = [int(line.split()[0]) for line in lines[:-1]]
    assert counts == sorted(counts, reverse=True) and sum(counts) == len(full)
    names = {line.split()[1] for line in lines[:-1]}
    assert names == {f"{f['rule']}[{f['code']}]" for f in full}
    assert lines[-1].startswith("Checked 40 rows")
    assert not any(line.startswith("batch.csv:") for line in lines)


def test_output_format_is_an_alias_of_format(project: Path, invoke: Invoke) -> None:
    result = invoke("check", "batch.csv", "--today", TODAY, "--output-format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["findings"] == []


@pytest.mark.parametrize(("args", "env", "coloured"), [
    (("--color", "always"), {}, True),
    (("--color", "never"), {"FORCE_COLOR": "1"}, False),
    ((), {}, False),  # not a terminal
    ((), {"FORCE_COLOR": "1"}, True),
    ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
])
def test_color(project: Path, invoke: Invoke, monkeypatch: pytest.MonkeyPatch,
               args: tuple[str, ...], env: dict[str, str], coloured: bool) -> None:
    _with_findings(project)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = invoke("check", "batch.csv", "--today", TODAY, *args)
    assert ("\x1b[" in result.stdout) is coloured


def test_group_by_row_and_rule(project: Path, invoke: Invoke) -> None:
    _with_findings(project)
    by_row = invoke("check", "batch.csv", "--today", TODAY, "--group-by", "row").stdout
    assert "batch.csv, row 4:" in by_row
    assert any(line.startswith("  batch.csv:4: ") for line in by_row.splitlines())
    by_rule = invoke("check", "batch.csv", "--today", TODAY, "--group-by", "rule").stdout
    headings = [line for line in by_rule.splitlines() if line and not line.startswith(" ")]
    assert any(h.startswith("recipient-mismatch (") for h in headings)
    assert any(h.startswith("stale-address (") for h in headings)


def test_csv_report_opens_in_a_spreadsheet(project: Path, invoke: Invoke) -> None:
    _with_findings(project)
    (project / "=cmd.csv").write_text((project / "batch.csv").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    result = invoke("check", "=cmd.csv", "--today", TODAY, "--format", "csv", "-o", "r.csv")
    assert result.exit_code == 1
    raw = (project / "r.csv").read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    as_json = json.loads(invoke("check", "=cmd.csv", "--today", TODAY, "--format",
                                "json").stdout)["findings"]
    assert len(rows) == len(as_json)
    assert [int(r["row"]) for r in rows] == sorted(int(r["row"]) for r in rows)
    assert {r["file"] for r in rows} == {"'=cmd.csv"}  # never run as a formula
    for row in rows:
        assert row["how to fix"] and row["problem"]
        assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())
        assert "P-100" not in row["recipient"]


def test_show_values_is_refused_in_ci(project: Path, invoke: Invoke,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    refused = invoke("check", "batch.csv", "--today", TODAY, "--show-values")
    assert refused.exit_code == 2 and "CI log" in refused.stderr
    allowed = invoke("check", "batch.csv", "--today", TODAY, "--show-values",
                     "--allow-show-values-in-ci")
    assert allowed.exit_code == 0
    monkeypatch.setenv("CI", "false")
    assert invoke("check", "batch.csv", "--today", TODAY, "--show-values").exit_code == 0


def test_github_format_writes_the_step_summary(project: Path, invoke: Invoke,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _with_findings(project)
    summary = project / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = invoke("check", "batch.csv", "--today", TODAY, "--format", "github")
    assert result.exit_code == 1
    table = summary.read_text(encoding="utf-8")
    assert table.startswith("## policylint") and "| findings | rule[code] | severity |" in table
    assert "`stale-address[" in table and "Okafor" not in table


def test_policy_is_found_next_to_the_batch_from_anywhere(invoke: Invoke,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.chdir("/")
    result = invoke("check", str(EXAMPLES / "batch.csv"), "--today", "2026-11-26", "-q")
    assert result.exit_code == 1, result.output
    assert "stale-address[" in result.stdout


def test_a_batch_from_stdin_is_named_by_stdin_filename(project: Path, invoke: Invoke) -> None:
    _with_findings(project)
    text = (project / "batch.csv").read_text(encoding="utf-8")
    from_file = invoke("check", "batch.csv", "--today", TODAY, "-q").stdout
    result = CliRunner().invoke(cli, ["check", "-", "--stdin-filename", "batch.csv",
                                      "--today", TODAY, "-q"], input=text)
    assert result.exit_code == 1
    assert result.stdout == from_file  # same findings, same file name
    unnamed = CliRunner().invoke(cli, ["check", "-", "--today", TODAY, "-q"], input=text)
    assert unnamed.exit_code == 1 and unnamed.stdout.startswith("stdin:")


@pytest.mark.parametrize("entry", [
    "{rule: recipient-mismatch, code: name-mismatch",
    "{rule: 'recipient-mismatch[name-mismatch]'",
])
def test_a_suppression_may_name_one_code(project: Path, invoke: Invoke, entry: str) -> None:
    _with_findings(project)
    before = json.loads(invoke("check", "batch.csv", "--today", TODAY, "--format",
                               "json").stdout)["findings"]
    names = [f for f in before if f["code"] == "name-mismatch"]
    assert names and any(f["code"] != "name-mismatch" for f in before)
    with (project / "policylint.yaml").open("a", encoding="utf-8") as policy:
        policy.write(f"suppressions:\n  - {entry}, reason: agreed, expires: 2099-01-01}}\n")
    after = json.loads(invoke("check", "batch.csv", "--today", TODAY, "--format",
                              "json").stdout)
    assert [f for f in after["findings"] if f["code"] == "name-mismatch"] == []
    assert len(after["findings"]) == len(before) - len(names)
    assert after["summary"]["suppressed"] == len(names)
