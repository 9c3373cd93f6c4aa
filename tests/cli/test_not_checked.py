"""Fail closed through every path (issue 8): a row that was not checked is exit 2,
whatever a baseline, a suppression or an option says; the report is still written
and says so; identifiers are masked."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from tests.cli.mailing import TODAY, Invoke, good_row
from tests.reporters.test_sarif import SARIF_SUBSET

# The letter now needs a column the batch does not have: no row can be rendered.
UNRENDERABLE = ("---\nname: reminder\nchannel: letter\n---\n"
                "Dear {{ title }} {{ last_name }}, you owe {{ amount_due }}.\n")
# Renders for every row except one whose divisor is zero.
ONE_ROW_FAILS = ("---\nname: reminder\nchannel: letter\n---\n"
                 "Dear {{ title }} {{ last_name }}, {{ 100 // (account_ref[-1:] | int) }}\n")


def _template(project: Path, text: str) -> None:
    (project / "templates" / "reminder.letter.j2").write_text(text, encoding="utf-8")


def _json(invoke: Invoke, *args: str) -> tuple[int, dict[str, object]]:
    result = invoke("check", "batch.csv", "--today", TODAY, "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_an_unrenderable_batch_exits_2_with_a_not_checked_line(project: Path,
                                                                invoke: Invoke) -> None:
    _template(project, UNRENDERABLE)
    result = invoke("check", "batch.csv", "--today", TODAY)
    assert result.exit_code == 2
    assert "40 of 40 rows were not checked (rows 2, 3, 4" in result.stdout
    assert "All clear" not in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("policylint: error: 40 of 40 rows")


def test_one_row_that_does_not_render_fails_the_run_and_is_named(project: Path,
                                                                 invoke: Invoke) -> None:
    _template(project, ONE_ROW_FAILS)  # account refs end in 1..0: row 11 (ref ...10) fails
    code, doc = _json(invoke)
    assert code == 2
    summary = doc["summary"]
    assert isinstance(summary, dict)
    assert summary["rows_not_checked"] == 4 and summary["complete"] is False
    assert summary["first_not_checked"] == [11, 21, 31, 41]
    assert summary["rows_checked"] == 36
    assert doc["errors"] and "4 of 40 rows were not checked" in str(doc["errors"])


def test_a_baseline_never_hides_rows_that_were_not_checked(project: Path,
                                                           invoke: Invoke) -> None:
    _template(project, UNRENDERABLE)
    written = invoke("check", "batch.csv", "--today", TODAY,
                     "--write-baseline", "baseline.json")
    assert written.exit_code == 2
    assert "left out 1 finding(s) about rows that could not be checked" in written.stderr
    baseline = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert "render-error" not in json.dumps(baseline)
    result = invoke("check", "batch.csv", "--today", TODAY, "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert "All clear" not in result.stdout


def test_a_baseline_entry_matching_an_unchecked_row_is_ignored_with_a_warning(
        project: Path, invoke: Invoke) -> None:
    _template(project, ONE_ROW_FAILS)
    _code, doc = _json(invoke)
    findings = doc["findings"]
    assert isinstance(findings, list)
    prints = [f["fingerprint"] for f in findings if f["rule"] == "render-error"]
    assert len(prints) == 4
    (project / "baseline.json").write_text(
        json.dumps({"version": 1, "tool": "policylint",
                    "findings": [{"fingerprint": f, "rule": "render-error", "code": ""}
                                 for f in prints]}), encoding="utf-8")
    code, doc = _json(invoke, "--baseline", "baseline.json")
    assert code == 2
    rules = [f["rule"] for f in doc["findings"]]  # type: ignore[union-attr]
    assert rules.count("render-error") == 4
    warnings = [f for f in doc["findings"] if f["code"] == "baseline-ignored"]  # type: ignore
    assert len(warnings) == 1 and "4 baseline entries" in warnings[0]["message"]


def test_a_suppression_cannot_hide_rows_that_were_not_checked(project: Path,
                                                              invoke: Invoke) -> None:
    _template(project, ONE_ROW_FAILS)
    with (project / "policylint.yaml").open("a", encoding="utf-8") as policy:
        policy.write("suppressions:\n"
                     "  - {rule: render-error, reason: noisy, expires: 2099-01-01}\n")
    code, doc = _json(invoke)
    assert code == 2
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert sum(f["rule"] == "render-error" for f in findings) == 4
    ignored = [f for f in findings if f["code"] == "suppression-ignored"]
    assert len(ignored) == 1 and ignored[0]["line"] == 6
    assert doc["summary"]["suppressed"] == 0  # type: ignore[index]


def test_sarif_report_is_written_and_valid_on_exit_2(project: Path, invoke: Invoke) -> None:
    _template(project, UNRENDERABLE)
    result = invoke("check", "batch.csv", "--today", TODAY, "--format", "sarif",
                    "-o", "r.sarif")
    assert result.exit_code == 2
    sarif = json.loads((project / "r.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, SARIF_SUBSET)
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert notes[0]["level"] == "error" and "not checked" in notes[0]["message"]["text"]
    assert "r.sarif" in result.stderr  # the summary still reaches the terminal


def test_clean_sarif_says_the_execution_succeeded(project: Path, invoke: Invoke) -> None:
    result = invoke("check", "batch.csv", "--today", TODAY, "--format", "sarif",
                    "-o", "r.sarif")
    assert result.exit_code == 0
    invocation = json.loads((project / "r.sarif").read_text(encoding="utf-8"))[
        "runs"][0]["invocations"][0]
    assert invocation == {"executionSuccessful": True}


@pytest.mark.parametrize("fmt", ["sarif", "json", "junit", "text", "github"])
def test_a_run_that_stops_with_an_error_still_writes_its_report(project: Path,
                                                                invoke: Invoke,
                                                                fmt: str) -> None:
    (project / "policylint.yaml").write_text(
        "version: 1\nregister: ./no-such-register\ntemplates:\n  - {path: templates/*.j2}\n",
        encoding="utf-8")
    stale = project / "report.out"
    stale.write_text("last week's clean report", encoding="utf-8")
    result = invoke("check", "batch.csv", "--today", TODAY, "--format", fmt, "-o", str(stale))
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "no-such-register" in errors[0]
    text = stale.read_text(encoding="utf-8")
    assert "last week" not in text and "no-such-register" in text
    if fmt == "sarif":
        sarif = json.loads(text)
        jsonschema.validate(sarif, SARIF_SUBSET)
        assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    elif fmt == "json":
        assert json.loads(text)["errors"]
    elif fmt == "junit":
        root = ET.fromstring(text)
        assert root.get("errors") == "1" and root.find(".//error") is not None


def test_recipient_ids_are_masked_in_every_format(project: Path, invoke: Invoke) -> None:
    batch = project / "batch.csv"
    batch.write_text(batch.read_text(encoding="utf-8").replace("Okafor", "Okonkwo"),
                     encoding="utf-8")
    for fmt in ("text", "json", "sarif", "junit", "github"):
        result = invoke("check", "batch.csv", "--today", TODAY, "--format", fmt)
        assert result.exit_code == 1, result.output
        assert re.search(r"P-100[0-4][0-9]", result.output) is None, fmt
        assert "*****06" in result.output, fmt  # still tells rows apart: last two characters


def test_policy_may_show_opaque_ids_but_never_nhs_numbers(project: Path,
                                                          invoke: Invoke) -> None:
    nhs = "485 777 3007"
    for table in ("people", "addresses", "contacts"):
        path = project / "register" / f"{table}.csv"
        path.write_text(path.read_text(encoding="utf-8").replace("P-10006,", f"{nhs},"),
                        encoding="utf-8")
    batch = project / "batch.csv"
    text = batch.read_text(encoding="utf-8").replace("P-10006,", f"{nhs},")
    batch.write_text(text.replace("Okafor", "Okonkwo"), encoding="utf-8")
    with (project / "policylint.yaml").open("a", encoding="utf-8") as policy:
        policy.write("output: {show_ids: true}\n")
    result = invoke("check", "batch.csv", "--today", TODAY)
    assert result.exit_code == 1
    assert "P-10012" in result.stdout  # an opaque internal key, shown as the policy asks
    assert nhs not in result.stdout and "4857773007" not in result.stdout
    assert "*********07" in result.stdout
    shown = invoke("check", "batch.csv", "--today", TODAY, "--show-values")
    assert nhs in shown.stdout


def test_register_check_lists_every_unreadable_row(project: Path, invoke: Invoke) -> None:
    people = project / "register" / "people.csv"
    lines = people.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("active", "alive")  # row 4: bad status
    lines[7] = lines[7].replace("-01-", "-13-")  # row 8: bad date
    lines.append(lines[10])  # row 42: duplicate id
    people.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("register", "check", "register")
    assert result.exit_code == 2
    out = result.output.splitlines()
    assert [line.split(",")[1].strip() for line in out[:3]] == ["row 4", "row 8", "row 42"]
    assert "3 unreadable register row(s)" in out[-1]
    check = invoke("check", "batch.csv", "--today", TODAY)
    assert check.exit_code == 2
    assert "and 2 more unreadable register rows" in check.stderr


def test_register_check_masks_person_ids(project: Path, invoke: Invoke) -> None:
    addresses = project / "register" / "addresses.csv"
    with addresses.open("a", encoding="utf-8") as out:
        out.write("P-10003,9 Other Road,Kings Fenmarsh,,,,,PE30 4AB,current,2021-01-01,,"
                  "2026-09-01\n")
    result = invoke("register", "check", "register", "--today", TODAY)
    assert result.exit_code == 1
    assert "multiple-current-addresses" in result.output
    assert "P-10003" not in result.output and "*****03" in result.output
    shown = invoke("register", "check", "register", "--today", TODAY, "--show-values")
    assert "P-10003" in shown.output


def test_good_row_fixture_is_what_the_tests_above_assume() -> None:
    # Row n+1 carries account CT-4000000n: the last digit drives ONE_ROW_FAILS.
    assert good_row(10).rstrip().endswith("CT-40000010")
