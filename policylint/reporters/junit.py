"""JUnit XML, for CI systems that show test results (GitLab, Jenkins, Azure DevOps).

::

    <testsuites name="policylint" tests="3" failures="2" errors="0" skipped="0">
      <testsuite name="policylint" tests="3" failures="2" errors="0" skipped="0">
        <testcase classname="batch.csv" name="stale-address row 14">
          <failure type="stale-address" message="Letter to a previous address">...</failure>
        </testcase>
        <testcase classname="batch.csv" name="merge-integrity row 20">
          <system-out>batch.csv:20: merge-integrity [info] ...</system-out>
        </testcase>
      </testsuite>
    </testsuites>

Every finding is a test case. A finding at or above ``fail_on`` is a
``<failure>``; one below it is a passing test case whose ``<system-out>``
carries the finding, so it is visible without failing the build (it is not
"skipped": the check ran). With no findings at all, one passing test case
``policylint: {files}`` shows that a run happened.

ElementTree escapes ``< > & "``; control characters (which XML 1.0 cannot
carry at all) are written as visible escapes by :func:`clean_text`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from policylint.model import Finding, Summary
from policylint.reporters.base import Reporter, clean_text, position, run_errors, summary_line
from policylint.reporters.text import TextReporter


def _case_name(finding: Finding) -> str:
    if finding.row is not None and finding.row >= 1:
        return f"{finding.rule} row {finding.row}"
    line, col = position(finding)
    if line is not None:
        return f"{finding.rule} line {line}" + (f" col {col}" if col is not None else "")
    return finding.rule


class JunitReporter(Reporter):
    """One test suite; one test case per finding; failures at or above ``fail_on``."""

    name = "junit"
    description = "JUnit XML: one test case per finding, failures at or above --fail-on."

    def build(self, findings: Sequence[Finding], summary: Summary) -> ET.Element:
        """The XML tree (root ``<testsuites>`` holding one ``<testsuite>``)."""
        text = TextReporter(color=False)
        suite = ET.Element("testsuite", name="policylint")
        failures = 0
        for finding in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=clean_text(finding.file) or "policylint",
                name=clean_text(_case_name(finding)),
            )
            detail = text.format_finding(finding)
            if finding.severity.rank >= summary.fail_on.rank:
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    type=clean_text(finding.rule),
                    message=clean_text(finding.message),
                )
                failure.text = detail
            else:
                ET.SubElement(case, "system-out").text = detail
        errors = run_errors(summary)
        for message in errors:
            case = ET.SubElement(suite, "testcase", classname="policylint",
                                 name="policylint: run not complete")
            error = ET.SubElement(case, "error", type="not-checked",
                                  message=clean_text(message))
            error.text = clean_text(message)
        if not findings and not errors:
            files = ", ".join(clean_text(f) for f in summary.files) or "no files"
            case = ET.SubElement(
                suite, "testcase", classname="policylint", name=f"policylint: {files}"
            )
            ET.SubElement(case, "system-out").text = summary_line(summary)
        counts = {
            "tests": str(len(suite)),
            "failures": str(failures),
            "errors": str(len(errors)),
            "skipped": "0",
        }
        suite.attrib.update(counts)
        root = ET.Element("testsuites", {"name": "policylint", **counts})
        root.append(suite)
        return root

    def render(self, findings: Sequence[Finding], summary: Summary) -> str:
        root = self.build(findings, summary)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
