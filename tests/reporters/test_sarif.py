"""SARIF 2.1.0: shape checked against a hand-written subset of the schema."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from policylint.model import Finding, Severity, Summary
from policylint.reporters.base import RuleInfo, clean_text
from policylint.reporters.sarif import SarifReporter, artifact_uri

_TEXT = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_LEVEL = {"enum": ["none", "note", "warning", "error"]}

# The parts of the SARIF 2.1.0 schema that policylint output must satisfy.
SARIF_SUBSET = {
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "$schema": {"const": "https://json.schemastore.org/sarif-2.1.0.json"},
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "version", "informationUri", "rules"],
                                "properties": {
                                    "name": {"const": "policylint"},
                                    "version": {"type": "string"},
                                    "informationUri": {"type": "string",
                                                       "pattern": "^https://"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription",
                                                         "defaultConfiguration"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": _TEXT,
                                                "fullDescription": _TEXT,
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "required": ["level"],
                                                    "properties": {"level": _LEVEL},
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "ruleIndex", "level", "message",
                                         "locations"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": _LEVEL,
                                "message": _TEXT,
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {
                                                            "uri": {"type": "string",
                                                                    "pattern": "^[^ \\\\]+$"}
                                                        },
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "required": ["startLine"],
                                                        "properties": {
                                                            "startLine": {"type": "integer",
                                                                          "minimum": 1},
                                                            "startColumn": {"type": "integer",
                                                                            "minimum": 1},
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                                "partialFingerprints": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                                "properties": {"type": "object"},
                            },
                        },
                    },
                },
            },
        },
    },
}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*_strings(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _render(findings: list[Finding], summary: Summary,
            rules: Mapping[str, RuleInfo] | None = None) -> Any:
    reporter = SarifReporter(tool_version="1.2.3", rules=rules)
    doc = json.loads(reporter.render(findings, summary))
    jsonschema.validate(doc, SARIF_SUBSET)
    return doc


def test_subset_schema_rejects_bad_shapes() -> None:
    # The schema used below must be able to fail.
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.1.0", "runs": []}, SARIF_SUBSET)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
             "runs": [{"tool": {"driver": {"name": "policylint", "version": "1",
                                           "informationUri": "https://x", "rules": []}},
                       "results": [{"ruleId": "r", "ruleIndex": 0, "level": "info",
                                    "message": {"text": "m"}, "locations": []}]}]},
            SARIF_SUBSET,
        )


def test_results_rules_and_locations(findings: list[Finding], summary: Summary) -> None:
    doc = _render(findings, summary)
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["version"] == "1.2.3"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == sorted({"stale-address", "voicemail-content", "merge-integrity"})
    results = run["results"]
    assert len(results) == 3
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    stale, voicemail, merge = results
    assert stale["level"] == "error"
    assert voicemail["level"] == "warning"
    assert merge["level"] == "note"
    assert stale["message"]["text"] == "Letter to a previous address (moved 2025-03-01)"
    assert stale["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "batch.csv"},
        "region": {"startLine": 14},
    }
    assert merge["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "templates/reminder.j2"},
        "region": {"startLine": 3, "startColumn": 12},
    }
    assert stale["partialFingerprints"] == {"policylint/v1": "fp-stale-14"}
    assert stale["properties"] == {
        "recipient_id": "P-1043", "row": 14, "column": "address_line_1",
        "code": "previous-address",
    }
    assert merge["properties"] == {"code": "placeholder"}


def test_rule_metadata_from_rule_info(findings: list[Finding], summary: Summary) -> None:
    rules = {
        "stale-address": RuleInfo(
            name="stale-address",
            summary="Letters go only to the register's current address.",
            default_severity=Severity.ERROR,
            help="Long help.\nSecond paragraph.",
            help_uri="https://example.org/rules/stale-address",
        ),
        "protected-address": RuleInfo(
            name="protected-address", summary="No confidential address to anyone else.",
            default_severity=Severity.WARNING,
        ),
    }
    doc = _render(findings, summary, rules=rules)
    driver = doc["runs"][0]["tool"]["driver"]
    by_id = {r["id"]: r for r in driver["rules"]}
    # Every rule given is listed, plus rules that only appear in findings.
    assert set(by_id) == {"stale-address", "protected-address", "voicemail-content",
                          "merge-integrity"}
    assert by_id["stale-address"] == {
        "id": "stale-address",
        "shortDescription": {"text": "Letters go only to the register's current address."},
        "fullDescription": {"text": "Long help.\nSecond paragraph."},
        "helpUri": "https://example.org/rules/stale-address",
        "defaultConfiguration": {"level": "error"},
    }
    assert by_id["protected-address"]["defaultConfiguration"] == {"level": "warning"}
    assert "fullDescription" not in by_id["protected-address"]
    for result in doc["runs"][0]["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_empty_run(empty_summary: Summary) -> None:
    doc = _render([], empty_summary)
    run = doc["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["properties"]["counts"] == {"error": 0, "warning": 0, "info": 0}


def test_hostile_text(nasty: list[Finding], nasty_summary: Summary) -> None:
    out = SarifReporter().render(nasty, nasty_summary)
    assert out.isascii()
    doc = _render(nasty, nasty_summary)
    assert all(clean_text(s) == s for s in _strings(doc))  # nothing dangerous once decoded
    first, second = doc["runs"][0]["results"]
    assert first["message"]["text"].startswith("first line\\nsecond\\r line \"q\"")
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir%2C%20with%3A%20comma/batch%201.csv"
    )
    assert first["properties"]["column"] == "name\\ncol"
    assert second["message"]["text"] == '=HYPERLINK("http://x","click")'


def test_finding_without_file_or_position() -> None:
    f = Finding(rule="r", severity=Severity.WARNING, message="m", file="")
    g = Finding(rule="r", severity=Severity.WARNING, message="m", file="policy.yaml")
    doc = _render([f, g], Summary(counts={"warning": 2}))
    first, second = doc["runs"][0]["results"]
    assert first["locations"] == []
    assert second["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "policy.yaml"}}}
    ]
    assert "partialFingerprints" not in first


def test_artifact_uri(tmp_path: Path) -> None:
    assert artifact_uri("a/b c.csv") == "a/b%20c.csv"
    assert artifact_uri(str(tmp_path / "sub" / "x.csv"), root=tmp_path) == "sub/x.csv"
    elsewhere = artifact_uri(str(tmp_path / "x.csv"), root=tmp_path / "other")
    assert elsewhere.startswith("file:///") and elsewhere.endswith("/x.csv")


def test_a_row_points_at_its_physical_line_and_keeps_its_spreadsheet_row() -> None:
    # Row 5 starts on line 7 of the file: two earlier cells held quoted newlines.
    finding = Finding(rule="stale-address", severity=Severity.ERROR, message="m",
                      file="batch.csv", code="previous-address", row=5, line=7)
    result = SarifReporter().build([finding], Summary())["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7}
    assert result["properties"]["row"] == 5
