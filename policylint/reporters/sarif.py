"""SARIF 2.1.0, for GitHub code scanning and other static-analysis dashboards.

One run; ``tool.driver.rules`` lists every rule the reporter was told about
plus any rule that produced a finding, sorted by id, and each result points at
its rule by ``ruleId`` and ``ruleIndex``. A rule the reporter was not told
about gets the severity of its first finding as its default level.

Locations: SARIF lines and columns are 1-based. A batch finding's
``region.startLine`` is the physical line of the file where its row starts (a
quoted newline in an earlier cell makes it differ from the row); the row as a
spreadsheet numbers it (the header is row 1) is in ``properties.row``. A
template finding's ``startLine`` is its line and ``startColumn`` its column (in
Unicode code points) when known.
A finding with no row or line points at the whole file.

``partialFingerprints["policylint/v1"]`` is the finding's fingerprint (stable
across re-sorting the batch), so dashboards track a finding across runs.

Control characters in text fields are replaced by visible escapes
(:func:`~policylint.reporters.base.clean_text`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePath
from urllib.parse import quote

from policylint.model import Finding, Severity, Summary
from policylint.reporters.base import (
    Reporter,
    RuleInfo,
    clean_finding,
    clean_text,
    position,
    run_errors,
    severity_counts,
)

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/policylint/policylint"  # the project's home page
FINGERPRINT_KEY = "policylint/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(file: str, *, root: Path | None = None) -> str:
    """``file`` as a relative, ``/``-separated, percent-encoded URI reference.

    An absolute path under ``root`` (default: the working directory) is made
    relative to it; any other absolute path becomes a ``file://`` URI.
    """
    path = PurePath(file)
    if path.is_absolute():
        base = root if root is not None else Path.cwd()
        try:
            path = path.relative_to(base)
        except ValueError:
            return Path(file).as_uri()
    return quote(path.as_posix(), safe="/")


class SarifReporter(Reporter):
    """SARIF 2.1.0: one run, rule metadata, one result per finding."""

    name = "sarif"
    description = "SARIF 2.1.0 (GitHub code scanning and other dashboards)."

    def _rule_ids(self, findings: Sequence[Finding]) -> list[str]:
        return sorted({clean_text(r) for r in self.rules} | {f.rule for f in findings})

    def _rule_descriptor(self, rule_id: str, used: dict[str, Severity]) -> dict[str, object]:
        info = self.rules.get(rule_id) or RuleInfo(
            name=rule_id, default_severity=used.get(rule_id, Severity.ERROR)
        )
        descriptor: dict[str, object] = {
            "id": rule_id,
            "shortDescription": {"text": clean_text(info.summary or rule_id)},
        }
        if info.help:
            descriptor["fullDescription"] = {"text": clean_text(info.help, keep="\n")}
        if info.help_uri:
            descriptor["helpUri"] = clean_text(info.help_uri)
        descriptor["defaultConfiguration"] = {"level": LEVELS[info.default_severity]}
        return descriptor

    def _result(self, finding: Finding, rule_index: int) -> dict[str, object]:
        result: dict[str, object] = {
            "ruleId": finding.rule,
            "ruleIndex": rule_index,
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message},
        }
        locations: list[dict[str, object]] = []
        if finding.file:
            physical: dict[str, object] = {
                "artifactLocation": {"uri": artifact_uri(finding.file)}
            }
            line, col = position(finding)
            if finding.row is not None and finding.line is not None:
                line = finding.line  # the physical line; the spreadsheet row is a property
            if line is not None:
                region: dict[str, int] = {"startLine": line}
                if col is not None:
                    region["startColumn"] = col
                physical["region"] = region
            locations.append({"physicalLocation": physical})
        result["locations"] = locations
        if finding.fingerprint:
            result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
        properties = {
            key: value
            for key, value in (
                ("recipient_id", finding.recipient_id),
                ("row", finding.row),
                ("column", finding.column),
                ("code", finding.code),
            )
            if value
        }
        if properties:
            result["properties"] = properties
        return result

    def _invocation(self, summary: Summary) -> dict[str, object]:
        """executionSuccessful is false whenever the run exits 2: not every row checked."""
        invocation: dict[str, object] = {"executionSuccessful": summary.complete}
        errors = run_errors(summary)
        if errors:
            invocation["toolExecutionNotifications"] = [
                {"level": "error", "message": {"text": clean_text(e)}} for e in errors]
        return invocation

    def build(self, findings: Sequence[Finding], summary: Summary) -> dict[str, object]:
        """The SARIF log as JSON-ready data."""
        findings = [clean_finding(f) for f in findings]
        rule_ids = self._rule_ids(findings)
        index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
        used: dict[str, Severity] = {}
        for f in findings:
            used.setdefault(f.rule, f.severity)
        run: dict[str, object] = {
            "tool": {
                "driver": {
                    "name": "policylint",
                    "version": self.tool_version,
                    "informationUri": INFORMATION_URI,
                    "rules": [self._rule_descriptor(r, used) for r in rule_ids],
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": [self._result(f, index[f.rule]) for f in findings],
            "invocations": [self._invocation(summary)],
            "properties": {
                "rows_checked": summary.rows_checked,
                "templates_checked": summary.templates_checked,
                "counts": severity_counts(summary),
                "suppressed": summary.suppressed,
                "baselined": summary.baselined,
                "fail_on": summary.fail_on.value,
                "rows_not_checked": summary.rows_not_checked,
            },
        }
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}

    def render(self, findings: Sequence[Finding], summary: Summary) -> str:
        return json.dumps(self.build(findings, summary), indent=2, ensure_ascii=True) + "\n"
