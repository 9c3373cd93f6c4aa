"""End-to-end scenarios: a register, a batch, templates and a policy, checked by the real CLI.

Each directory under ``tests/scenarios/`` that holds an ``expected.yaml`` is one
scenario, modelled on a published ICO reprimand or breach pattern (or, for the
clean ones, on the everyday mailing that must not raise a false alarm). The test
runs::

    policylint check batch.csv --policy policylint.yaml --format json --today 2026-11-26

in the scenario's directory and requires **exactly** the findings that
``expected.yaml`` lists: the set of (rule, row, code) of every finding at any
severity, so a scenario fails on a miss and on a false alarm alike.

``expected.yaml``::

    story: >-            # which reprimand or breach pattern this is, 2-3 sentences
      ...
    findings:            # [] for a scenario that must come out clean
      - {rule: stale-address, row: 2, code: previous-address}
      - {rule: protected-address, row: null, code: third-party-contact-field}  # template finding
      - {rule: recipient-mismatch, rows: "150-200", code: shifted-row}          # one per row
    known_issue: "..."   # optional: a rule bug this scenario exposes (see below)

``rows`` takes ranges and single rows separated by commas (``"120-10001"``,
``"3, 5-7"``) and stands for one finding per row, so a shifted 10,000-row run
stays one line.

``known_issue`` marks a scenario that shows a real bug. The expectation stays
what it truly should be; the test is marked ``xfail(strict=True)``, so it starts
failing (XPASS) once the rule is fixed and the marker can go. It may be a plain
string, or a mapping ``{reason, extra, missing}`` naming the findings the bug
adds or loses: then the scenario xfails only while the run differs from the
expectation by exactly those findings, and any other difference is a real
failure (a new regression is not hidden behind the known one).

Besides the findings, every scenario checks that the exit code is 1 when there is
an error finding and 0 otherwise, and that no finding's message contains the
family name of anyone in the scenario's register (personal data is masked by
default, DESIGN §4).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from policylint.cli import cli

HERE = Path(__file__).resolve().parent
TODAY = "2026-11-26"

Finding = tuple[str, int | None, str]  # (rule, row, code)


class KnownIssueStillPresent(Exception):
    """The run differs from the expectation by exactly the scenario's known issue."""


@dataclass(frozen=True)
class Scenario:
    path: Path
    story: str
    expected: frozenset[Finding]
    known_issue: str | None
    known_extra: frozenset[Finding] | None
    known_missing: frozenset[Finding] | None


def parse_rows(spec: object) -> list[int]:
    """``"120-125, 130"`` -> [120, ..., 125, 130]."""
    rows: list[int] = []
    for part in str(spec).split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            first, last = (int(p) for p in part.split("-", 1))
            if last < first:
                raise ValueError(f"row range {part!r} runs backwards")
            rows.extend(range(first, last + 1))
        else:
            rows.append(int(part))
    return rows


def parse_findings(entries: Iterable[Mapping[str, Any]] | None, where: str) -> frozenset[Finding]:
    out: set[Finding] = set()
    for entry in entries or ():
        keys = set(entry)
        if not {"rule", "code"} <= keys or keys - {"rule", "code", "row", "rows"}:
            raise ValueError(f"{where}: each finding needs rule, code and row or rows: {entry}")
        if ("row" in keys) == ("rows" in keys):
            raise ValueError(f"{where}: give either row or rows: {entry}")
        rows: list[int | None] = (list(parse_rows(entry["rows"])) if "rows" in keys
                                  else [entry["row"]])
        for row in rows:
            finding = (str(entry["rule"]), row, str(entry["code"]))
            if finding in out:
                raise ValueError(f"{where}: {finding} is listed twice")
            out.add(finding)
    return frozenset(out)


def load(path: Path) -> Scenario:
    data = yaml.safe_load((path / "expected.yaml").read_text(encoding="utf-8"))
    where = str(path / "expected.yaml")
    if not isinstance(data, dict) or not str(data.get("story", "")).strip():
        raise ValueError(f"{where}: needs a story")
    if "findings" not in data:
        raise ValueError(f"{where}: needs findings (an empty list for a clean scenario)")
    issue = data.get("known_issue")
    reason: str | None = None
    extra = missing = None
    if isinstance(issue, dict):
        reason = str(issue["reason"])
        extra = parse_findings(issue.get("extra"), where)
        missing = parse_findings(issue.get("missing"), where)
    elif issue is not None:
        reason = str(issue)
    return Scenario(path, str(data["story"]), parse_findings(data["findings"], where),
                    reason, extra, missing)


def discover() -> list[Any]:
    params = []
    for path in sorted(p for p in HERE.iterdir() if (p / "expected.yaml").is_file()):
        scenario = load(path)
        marks = []
        if scenario.known_issue is not None:
            marks.append(pytest.mark.xfail(
                strict=True, reason=scenario.known_issue,
                raises=KnownIssueStillPresent if scenario.known_extra is not None
                else AssertionError))
        params.append(pytest.param(scenario, id=path.name, marks=marks))
    return params


SCENARIOS = discover()


def family_names(path: Path) -> list[str]:
    with (path / "register" / "people.csv").open(encoding="utf-8-sig", newline="") as f:
        return sorted({row["family_name"].strip() for row in csv.DictReader(f)
                       if row["family_name"].strip()}, key=len, reverse=True)


def describe(findings: Iterable[Finding]) -> str:
    return "\n".join(f"  {rule} row {row}: {code}" for rule, row, code in
                     sorted(findings, key=lambda f: (f[1] or 0, f[0], f[2]))) or "  (none)"


def test_scenarios_are_there() -> None:
    assert len(SCENARIOS) >= 14
    clean = [p for p in SCENARIOS if not p.values[0].expected]
    assert len(clean) >= 6


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(scenario.path)
    result = CliRunner().invoke(
        cli, ["check", "batch.csv", "--policy", "policylint.yaml", "--format", "json",
              "--today", TODAY], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    findings = report["findings"]

    # Masking: no family name of anyone in the register reaches a message.
    names = family_names(scenario.path)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    leaks = [(f["rule"], f["row"], f["code"], m.group(0)) for f in findings
             if (m := pattern.search(f["message"]))]
    assert not leaks, f"family names in messages: {leaks[:5]}"

    has_error = any(f["severity"] == "error" for f in findings)
    assert result.exit_code == (1 if has_error else 0)

    actual = frozenset((f["rule"], f["row"], f["code"]) for f in findings)
    missing = scenario.expected - actual
    extra = actual - scenario.expected
    if scenario.known_extra is not None and (missing, extra) == (
            scenario.known_missing, scenario.known_extra) and (missing or extra):
        raise KnownIssueStillPresent(scenario.known_issue)
    assert not missing and not extra, (
        f"{scenario.path.name}: findings differ from expected.yaml\n"
        f"missing (expected, not found):\n{describe(missing)}\n"
        f"extra (found, not expected):\n{describe(extra)}")
