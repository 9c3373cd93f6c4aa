"""Policy schema errors: one line naming the file, the line and the key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from policylint.config.policy import load_policy
from policylint.config.schema import POLICY_SCHEMA, describe, jsonable
from policylint.errors import PolicyError

Write = Callable[[str, str], Path]


def _error(write: Write, text: str) -> PolicyError:
    path = write("policylint.yaml", text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    err = info.value
    assert "\n" not in str(err)
    assert err.file == str(path)
    assert str(err).startswith(f"{path}, line {err.line}, key '{err.key}': ")
    return err


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(POLICY_SCHEMA)
    assert POLICY_SCHEMA["$schema"].endswith("2020-12/schema")


def test_unknown_top_level_key_suggests_closest(write: Write) -> None:
    err = _error(write, "version: 1\nrulez:\n  stale-address: error\n")
    assert err.line == 2
    assert err.key == "rulez"
    assert "unknown key 'rulez'" in err.message
    assert "did you mean 'rules'?" in err.message


def test_unknown_top_level_key_without_close_match_lists_keys(write: Write) -> None:
    err = _error(write, "version: 1\nzzzzzz: 1\n")
    assert "did you mean" not in err.message
    assert "suppressions" in err.message


def test_wrong_severity_value(write: Write) -> None:
    err = _error(write, "rules:\n  stale-address:\n    severity: fatal\n    max_age_days: 3\n")
    assert err.line == 3
    assert err.key == "rules.stale-address.severity"
    assert "expected one of 'error', 'warning', 'info', 'off'" in err.message
    assert "got 'fatal'" in err.message


def test_wrong_type_of_severity(write: Write) -> None:
    err = _error(write, "rules:\n  stale-address:\n    severity: [error]\n")
    assert err.line == 3
    assert err.key == "rules.stale-address.severity"
    assert "got a list" in err.message


def test_wrong_rule_value(write: Write) -> None:
    err = _error(write, "rules:\n  stale-address: 3\n")
    assert (err.line, err.key) == (2, "rules.stale-address")
    assert "expected off, a severity" in err.message and "got 3" in err.message


def test_suppression_missing_reason(write: Write) -> None:
    text = "version: 1\nsuppressions:\n  - rule: stale-address\n    expires: 2027-01-31\n"
    err = _error(write, text)
    assert err.line == 3
    assert err.key == "suppressions[0].reason"
    assert err.message == "missing required key 'reason'"


def test_suppression_blank_reason(write: Write) -> None:
    err = _error(write, "suppressions:\n  - {rule: a, reason: '  ', expires: 2027-01-31}\n")
    assert (err.line, err.key, err.message) == (2, "suppressions[0].reason", "must not be empty")


@pytest.mark.parametrize("value", ["next year", "2027-02-30", "2027-01-31 10:00:00", "31/01/2027"])
def test_expires_not_a_date(write: Write, value: str) -> None:
    text = f"suppressions:\n  - rule: a\n    reason: ok\n    expires: {value}\n"
    err = _error(write, text)
    assert err.line == 4
    assert err.key == "suppressions[0].expires"
    assert "expected a date (YYYY-MM-DD)" in err.message


def test_unquoted_number_where_string_expected_hints_to_quote(write: Write) -> None:
    text = "suppressions:\n  - {rule: a, reason: ok, expires: 2027-01-31, recipient_id: 1043}\n"
    err = _error(write, text)
    assert err.key == "suppressions[0].recipient_id"
    assert err.message == "expected a string, got 1043 (quote the value)"


def test_unknown_role_in_fields(write: Write) -> None:
    err = _error(write, "fields:\n  emial: email_address\n")
    assert (err.line, err.key) == (2, "fields.emial")
    assert "did you mean 'email'?" in err.message


def test_template_channel_enum_and_required_path(write: Write) -> None:
    err = _error(write, "templates:\n  - path: a/*.j2\n    channel: fax\n")
    assert (err.line, err.key) == (3, "templates[0].channel")
    err = _error(write, "templates:\n  - {path: a.j2}\n  - {channel: sms}\n")
    assert (err.line, err.key) == (3, "templates[1].path")


def test_version_must_be_1(write: Write) -> None:
    err = _error(write, "version: 2\n")
    assert (err.line, err.key) == (1, "version")
    assert "expected 1, got 2" in err.message


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(PolicyError, match="must be a mapping") as info:
        load_policy(path)
    assert info.value.line == 1


def test_off_written_bare_or_quoted_is_accepted(write: Write) -> None:
    path = write("p.yaml", "rules:\n  a: off\n  b: 'off'\n  c: {severity: off}\n  d: on\n")
    policy = load_policy(path)
    assert [policy.rules[n].enabled for n in "abcd"] == [False, False, False, True]


def test_jsonable_and_describe() -> None:
    import datetime as dt

    assert jsonable({"a": [dt.date(2027, 1, 2)]}) == {"a": ["2027-01-02"]}
    assert describe("a year") == "'a year'"
    assert describe(None) == "null"
    assert describe({"a": 1}) == "a mapping"
