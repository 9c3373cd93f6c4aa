"""JUnit XML: parses, counts match, failures only at or above fail_on."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from policylint.model import Finding, Severity, Summary
from policylint.reporters.junit import JunitReporter


def _suite(out: str) -> ET.Element:
    root = ET.fromstring(out.split("?>", 1)[1])
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "policylint"
    for key in ("tests", "failures", "errors", "skipped"):
        assert root.get(key) == suite.get(key)
    return suite


def test_counts_and_cases(findings: list[Finding], summary: Summary) -> None:
    out = JunitReporter().render(findings, summary)
    assert out.startswith("<?xml version='1.0' encoding='utf-8'?>")
    suite = _suite(out)
    cases = suite.findall("testcase")
    assert suite.get("tests") == str(len(cases)) == "3"
    assert suite.get("failures") == "1"  # only the error is at or above fail_on=error
    assert suite.get("errors") == "0" and suite.get("skipped") == "0"
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("batch.csv", "stale-address row 14"),
        ("batch.csv", "voicemail-content row 20"),
        ("templates/reminder.j2", "merge-integrity line 3 col 12"),
    ]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "stale-address"
    assert failure.get("message") == "Letter to a previous address (moved 2025-03-01)"
    assert failure.text is not None and "recipient P-1043" in failure.text
    # Below fail_on: passing cases that still carry the finding.
    for case in cases[1:]:
        assert case.find("failure") is None
        out_el = case.find("system-out")
        assert out_el is not None and out_el.text
    assert "[warning]" in (cases[1].findtext("system-out") or "")


def test_fail_on_lowers_threshold(findings: list[Finding], summary: Summary) -> None:
    lenient = Summary(**{**summary.__dict__, "fail_on": Severity.INFO})
    suite = _suite(JunitReporter().render(findings, lenient))
    assert suite.get("failures") == "3"
    assert len(suite.findall("testcase/failure")) == 3


def test_empty_shows_one_passing_case() -> None:
    summary = Summary(files=("a.csv", "b.csv"), rows_checked=5)
    suite = _suite(JunitReporter().render([], summary))
    cases = suite.findall("testcase")
    assert len(cases) == 1
    assert cases[0].get("name") == "policylint: a.csv, b.csv"
    assert cases[0].find("failure") is None
    assert suite.get("tests") == "1" and suite.get("failures") == "0"
    assert "All clear" in (cases[0].findtext("system-out") or "")


def test_hostile_text_is_escaped_and_parses(nasty: list[Finding],
                                            nasty_summary: Summary) -> None:
    out = JunitReporter().render(nasty, nasty_summary)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "<b>" not in out  # markup in a message is escaped, never live
    suite = _suite(out)
    failure = suite.find("testcase/failure")
    assert failure is not None
    message = failure.get("message")
    assert message == (
        'first line\\nsecond\\r line "q" \'s\' <b>&amp; 100% a,b c:d \\x1b[31mred\\x07 \\u202eevil'
    )
    case = suite.find("testcase")
    assert case is not None and case.get("classname") == "dir, with: comma/batch 1.csv"
    second = suite.findall("testcase")[1]
    assert '=HYPERLINK("http://x","click")' in (second.findtext("system-out") or "")
    assert suite.get("failures") == "1"
