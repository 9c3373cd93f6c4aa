"""The commands people use by hand and in CI: check, rules, explain, init, baselines."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from policylint import __version__
from policylint.plugins import rule_registry
from tests.cli.mailing import HEADER, Invoke, good_row

TODAY = "2026-11-26"


def write_batch(project: Path, rows: list[str], name: str = "batch.csv") -> None:
    (project / name).write_text(HEADER + "".join(rows), encoding="utf-8")


def with_cell(row: str, column: str, value: str) -> str:
    cells = row.rstrip("\n").split(",")
    cells[HEADER.rstrip("\n").split(",").index(column)] = value
    return ",".join(cells) + "\n"


def problem_rows() -> list[str]:
    """Forty clean rows with three planted problems at spreadsheet rows 4, 9 and 17."""
    rows = [good_row(n) for n in range(1, 41)]
    rows[2] = with_cell(rows[2], "last_name", "")  # "Dear Mr ,"
    rows[7] = with_cell(rows[7], "postcode", "PE30 4")  # cut short
    rows[15] = with_cell(rows[15], "address_line_2", "116 Mill Lane")  # not their address
    return rows


def findings(invoke: Invoke, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = invoke("check", *args, "--format", "json", "--today", TODAY)
    return result.exit_code, json.loads(result.output)["findings"]


def test_clean_batch_exits_zero(project: Path, invoke: Invoke) -> None:
    result = invoke("check", "batch.csv", "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert "Checked 40 rows in 1 file" in result.output


def test_text_output_names_rows_and_masks_values(project: Path, invoke: Invoke) -> None:
    write_batch(project, problem_rows())
    result = invoke("check", "batch.csv", "--today", TODAY)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for row, rule in ((4, "merge-integrity"), (9, "contact-validity"), (17, "stale-address")):
        start = re.compile(rf"batch\.csv:{row}: {rule}\[[a-z-]+\] \[error\]")
        assert any(start.match(line) for line in lines), (row, rule)
    assert "116 Mill Lane" not in result.output
    assert "PE30 4" not in result.output.replace("PE30 ***", "")
    assert lines[-1].startswith("Checked 40 rows in 1 file and 1 template. Found ")


def test_json_is_one_object_with_findings_and_summary(project: Path, invoke: Invoke) -> None:
    write_batch(project, problem_rows())
    result = invoke("check", "batch.csv", "--format", "json", "--today", TODAY)
    document = json.loads(result.output)
    assert set(document) >= {"findings", "summary"}
    for finding in document["findings"]:
        assert {"rule", "severity", "message", "file", "row", "recipient_id",
                "fingerprint"} <= set(finding)
    summary = document["summary"]
    assert summary["rows_checked"] == 40
    assert set(summary["counts"]) == {"error", "warning", "info"}
    assert summary["counts"]["error"] == sum(
        1 for f in document["findings"] if f["severity"] == "error")


def test_fingerprints_survive_resorting_the_batch(project: Path, invoke: Invoke) -> None:
    rows = problem_rows()
    write_batch(project, rows, "a.csv")
    shuffled = rows[:]
    random.Random(4).shuffle(shuffled)
    write_batch(project, shuffled, "b.csv")
    _, first = findings(invoke, "a.csv")
    _, second = findings(invoke, "b.csv")
    assert [f["row"] for f in first] != [f["row"] for f in second]
    assert sorted(str(f["fingerprint"]) for f in first) == sorted(
        str(f["fingerprint"]) for f in second)


def test_baseline_hides_known_findings_only(project: Path, invoke: Invoke) -> None:
    rows = problem_rows()
    write_batch(project, rows)
    written = invoke("check", "batch.csv", "--today", TODAY, "--write-baseline", "base.json")
    assert written.exit_code == 0
    assert invoke("check", "batch.csv", "--today", TODAY, "--baseline", "base.json"
                  ).exit_code == 0
    rows[30] = with_cell(rows[30], "address_line_2", "311 Mill Lane")  # a new problem
    write_batch(project, rows)
    code, remaining = findings(invoke, "batch.csv", "--baseline", "base.json")
    assert code == 1
    assert [(f["rule"], f["row"]) for f in remaining] == [("stale-address", 32)]


def test_fail_on_select_and_ignore(project: Path, invoke: Invoke) -> None:
    write_batch(project, problem_rows())
    code, only = findings(invoke, "batch.csv", "--select", "contact-validity")
    assert code == 1 and {f["rule"] for f in only} == {"contact-validity"}
    code, rest = findings(invoke, "batch.csv", "--ignore", "contact-validity,merge-integrity",
                          "--ignore", "stale-address")
    assert code == 0 and rest == []


def test_quiet_is_silent_when_clean(project: Path, invoke: Invoke) -> None:
    result = invoke("check", "batch.csv", "--today", TODAY, "-q")
    assert result.exit_code == 0 and result.output == ""


def test_output_file(project: Path, invoke: Invoke) -> None:
    write_batch(project, problem_rows())
    result = invoke("check", "batch.csv", "--today", TODAY, "--format", "sarif",
                    "-o", "out.sarif")
    assert result.exit_code == 1
    # stdout stays empty (the report is in the file); the summary goes to stderr.
    assert result.stdout == ""
    assert "Found 4 findings" in result.stderr and "out.sarif" in result.stderr
    sarif = json.loads((project / "out.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} >= {"stale-address"}


def test_rules_lists_every_rule(invoke: Invoke) -> None:
    result = invoke("rules")
    assert result.exit_code == 0
    for name, entry in rule_registry().items():
        line = next(line for line in result.output.splitlines() if line.startswith(name + " "))
        assert entry.rule.default_severity.value in line and "policylint" in line


def test_explain_shows_docs_options_and_both_examples(invoke: Invoke) -> None:
    for name in rule_registry():
        result = invoke("explain", name)
        assert result.exit_code == 0
        assert result.output.startswith(name)
        assert "Bad:" in result.output and "Good:" in result.output
        assert "finds: " in result.output


def test_explain_unknown_rule_suggests(invoke: Invoke) -> None:
    result = invoke("explain", "stale-adress")
    assert result.exit_code == 2
    assert "did you mean 'stale-address'" in result.output


def test_init_writes_a_starter_and_refuses_to_overwrite(project: Path, invoke: Invoke) -> None:
    target = project / "new" / "policylint.yaml"
    target.parent.mkdir()
    assert invoke("init", "--path", str(target)).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert "extends:" in text and "suppressions" in text
    again = invoke("init", "--path", str(target))
    assert again.exit_code == 2 and "not overwriting" in again.output
    assert target.read_text(encoding="utf-8") == text


def test_version(invoke: Invoke) -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_lint_reports_a_syntax_error_as_a_finding(project: Path, invoke: Invoke) -> None:
    (project / "broken.j2").write_text("Dear {{ title }\n", encoding="utf-8")
    result = invoke("lint", "broken.j2")
    assert result.exit_code == 1
    assert result.output.startswith("broken.j2:1:6: template-syntax[syntax] [error]")
