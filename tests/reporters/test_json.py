"""JSON: one object with the exact keys, findings and summary."""

from __future__ import annotations

import json

from policylint.model import Finding, Summary
from policylint.reporters.base import clean_text
from policylint.reporters.json_report import JsonReporter

FINDING_KEYS = {"rule", "severity", "message", "file", "row", "line", "col", "column",
                "recipient_id", "code", "fingerprint"}
SUMMARY_KEYS = {"files", "rows_checked", "templates_checked", "counts", "suppressed",
                "baselined", "fail_on", "complete", "rows_not_checked", "first_not_checked"}


def test_document_shape(findings: list[Finding], summary: Summary) -> None:
    doc = json.loads(JsonReporter(tool_version="1.2.3").render(findings, summary))
    assert set(doc) == {"tool", "version", "findings", "summary", "errors"}
    assert doc["errors"] == []  # every row was checked
    assert doc["tool"] == "policylint"
    assert doc["version"] == "1.2.3"
    assert [set(f) for f in doc["findings"]] == [FINDING_KEYS] * 3
    assert doc["findings"] == [f.to_dict() for f in findings]
    assert set(doc["summary"]) == SUMMARY_KEYS
    assert doc["summary"] == {
        "files": ["batch.csv"],
        "rows_checked": 212,
        "templates_checked": 4,
        "counts": {"error": 1, "warning": 1, "info": 1},
        "suppressed": 2,
        "baselined": 1,
        "fail_on": "error",
        "complete": True,
        "rows_not_checked": 0,
        "first_not_checked": [],
    }


def test_empty_has_all_count_keys(empty_summary: Summary) -> None:
    doc = json.loads(JsonReporter().render([], empty_summary))
    assert doc["findings"] == []
    assert doc["summary"]["counts"] == {"error": 0, "warning": 0, "info": 0}


def test_hostile_text_round_trips_safely(nasty: list[Finding], nasty_summary: Summary) -> None:
    out = JsonReporter().render(nasty, nasty_summary)
    assert out.isascii()
    doc = json.loads(out)
    strings = [*doc["findings"][0].values(), *doc["findings"][1].values()]
    assert all(clean_text(s) == s for s in strings if isinstance(s, str))  # none when decoded
    first, second = doc["findings"]
    assert first["message"] == (
        'first line\\nsecond\\r line "q" \'s\' <b>&amp; 100% a,b c:d \\x1b[31mred\\x07 \\u202eevil'
    )
    assert first["column"] == "name\\ncol"
    assert first["recipient_id"] == "P,1:2"
    assert first["file"] == "dir, with: comma/batch 1.csv"
    assert second["message"] == '=HYPERLINK("http://x","click")'  # JSON is not a spreadsheet
    assert doc["summary"]["counts"] == {"error": 1, "warning": 1, "info": 0}


def test_non_ascii_survives(summary: Summary) -> None:
    from policylint.model import Severity

    f = Finding(rule="r", severity=Severity.INFO, message="Zoë – Ó Sé", file="b.csv", row=2)
    out = JsonReporter().render([f], summary)
    assert out.isascii()
    assert json.loads(out)["findings"][0]["message"] == "Zoë – Ó Sé"
