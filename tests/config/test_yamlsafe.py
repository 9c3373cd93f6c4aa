"""Safe YAML loading: key lines, syntax errors, and the security limits."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.config.yamlsafe import MAX_BYTES, MAX_DEPTH, dotted, load_yaml
from policylint.errors import PolicyError


def _error(text: str, file: str = "policylint.yaml") -> PolicyError:
    with pytest.raises(PolicyError) as info:
        load_yaml(text, file)
    err = info.value
    assert "\n" not in str(err)
    assert str(err).startswith(file)
    return err


def test_key_lines_for_nested_keys_and_list_items() -> None:
    text = (
        "version: 1\n"
        "rules:\n"
        "  stale-address:\n"
        "    max_age_days: 365\n"
        "suppressions:\n"
        "  - rule: stale-address\n"
        "    reason: checked\n"
    )
    data, lines = load_yaml(text, "p.yaml")
    assert data == {
        "version": 1,
        "rules": {"stale-address": {"max_age_days": 365}},
        "suppressions": [{"rule": "stale-address", "reason": "checked"}],
    }
    assert lines[("version",)] == 1
    assert lines[("rules", "stale-address", "max_age_days")] == 4
    assert lines[("suppressions", "0")] == 6
    assert lines[("suppressions", "0", "reason")] == 7


def test_empty_document_is_none() -> None:
    assert load_yaml("# only a comment\n", "p.yaml") == (None, {})


def test_dates_load_as_dates() -> None:
    data, _ = load_yaml("expires: 2027-01-31\n", "p.yaml")
    assert data == {"expires": dt.date(2027, 1, 31)}


def test_syntax_error_names_file_and_line() -> None:
    err = _error("version: 1\nrules:\n  a: b\n  c: [1, 2\n")
    assert err.file == "policylint.yaml"
    assert err.line is not None and err.line >= 4
    assert "invalid YAML" in err.message


def test_syntax_error_line_of_bad_indentation() -> None:
    err = _error("version: 1\nrules:\n  a: b\n c: d\n")
    assert err.line == 4


def test_duplicate_key_names_key_and_both_lines() -> None:
    err = _error("rules:\n  stale-address: error\n  merge-integrity: off\n  stale-address: off\n")
    assert err.line == 4
    assert err.key == "rules.stale-address"
    assert "duplicate key 'stale-address'" in err.message
    assert "line 2" in err.message and "line 4" in err.message


def test_alias_bomb_is_rejected_at_the_first_anchor() -> None:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        levels.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    err = _error("\n".join(levels) + "\n")
    assert err.message.startswith("anchors and aliases are not supported")
    assert err.line == 1


def test_alias_without_anchor_rejected() -> None:
    err = _error("a: 1\nb: *nothing\n")
    assert "anchors and aliases are not supported" in err.message
    assert err.line == 2


def test_deep_nesting_rejected() -> None:
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    err = _error(text)
    assert f"deeper than {MAX_DEPTH}" in err.message


def test_nesting_at_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1  # plus the top-level mapping
    data, _ = load_yaml("a: " + "[" * depth + "]" * depth + "\n", "p.yaml")
    assert isinstance(data, dict)


def test_oversize_document_rejected() -> None:
    err = _error("a: '" + "x" * MAX_BYTES + "'\n")
    assert "limit" in err.message and err.line is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rules:\n  1: error\n", "read as int"),
        ("rules:\n  on: error\n", "read as bool"),
        ("rules:\n  ? [a, b]\n  : error\n", "keys must be strings"),
    ],
)
def test_non_string_keys_rejected(text: str, expected: str) -> None:
    err = _error(text)
    assert expected in err.message
    assert err.line == 2
    assert err.key == "rules"


def test_unsupported_tags_and_merge_keys_rejected() -> None:
    assert "!!set" in _error("a: !!set {x, y}\n").message
    assert "!!python/object" in _error("a: !!python/object:os.system []\n").message
    assert "merge keys" in _error("a:\n  <<: {b: 1}\n").message


def test_multiple_documents_rejected() -> None:
    err = _error("a: 1\n---\nb: 2\n")
    assert "single document" in err.message
    assert err.line == 2


def test_dotted() -> None:
    assert dotted(("rules", "stale-address", "max_age_days")) == "rules.stale-address.max_age_days"
    assert dotted(["suppressions", 0, "reason"]) == "suppressions[0].reason"
    assert dotted(("suppressions", "1")) == "suppressions[1]"


def test_control_character_names_line() -> None:
    err = _error("version: 1\nrules: {}\nname: a\x00b\n")
    assert err.line == 3
    assert "#x0000" in err.message


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(
        alphabet=st.sampled_from([*"ab:-[]{}&*!?|>'\"#%@`, \n\t0123456789.", "\x00", "é"]),
        max_size=60,
    )
)
def test_any_text_loads_or_raises_policy_error(text: str) -> None:
    try:
        load_yaml(text, "p.yaml")
    except PolicyError as err:
        assert "\n" not in str(err)
        assert str(err).startswith("p.yaml")
