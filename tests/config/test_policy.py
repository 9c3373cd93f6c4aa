"""Loading policies: extends, merging, path resolution, rule-option validation."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.config import starter_policy
from policylint.config.policy import (
    Policy,
    available_packs,
    builtin_pack_dir,
    empty_policy,
    load_policy,
    validate_rule_settings,
)
from policylint.errors import PolicyError
from policylint.model import Severity

Write = Callable[[str, str], Path]

SCHEMAS: dict[str, dict[str, Any]] = {
    "stale-address": {
        "type": "object",
        "properties": {"max_age_days": {"type": "integer", "minimum": 1, "default": 365}},
    },
    "stale-contact": {"properties": {"max_age_days": {"type": "integer"}}},
    "merge-integrity": {"type": "object", "properties": {}},
    "contact-validity": {"type": "object", "properties": {}},
    "protected-address": {"type": "object", "properties": {}},
    "voicemail-content": {
        "type": "object",
        "properties": {
            "allowed_fields": {"type": "array", "items": {"type": "string"}},
            "max_age_days": {"type": "integer"},
            "sensitive_terms": {"type": "array", "items": {"type": "string"}},
        },
    },
    "recipient-mismatch": {
        "type": "object",
        "properties": {"name_threshold": {"type": "integer", "minimum": 0, "maximum": 100}},
    },
}


def _raises(func: Any, *args: Any) -> PolicyError:
    with pytest.raises(PolicyError) as info:
        func(*args)
    assert "\n" not in str(info.value)
    return info.value


# --- extends and merging ---------------------------------------------------------


def test_extends_chain_order_and_per_key_merge(write: Write, tmp_path: Path) -> None:
    write(
        "base/base.yaml",
        "rules:\n"
        "  stale-address: {severity: error, max_age_days: 365}\n"
        "  merge-integrity: warning\n"
        "fields: {recipient_id: person_id, email: email_address}\n"
        "templates: [{path: base/*.j2}]\n"
        "suppressions: [{rule: stale-address, reason: base, expires: 2027-01-01}]\n"
        "register: base-register\n",
    )
    write(
        "mid.yaml",
        "extends: base/base.yaml\n"
        "rules:\n"
        "  stale-address: {max_age_days: 180}\n"
        "  merge-integrity: off\n"
        "fields: {email: mail}\n",
    )
    top = write(
        "policylint.yaml",
        "extends: [mid.yaml]\n"
        "rules:\n"
        "  merge-integrity: {severity: info}\n"
        "  protected-address: error\n"
        "templates: [{path: letters/*.j2, channel: letter}]\n"
        "suppressions: [{rule: merge-integrity, reason: top, expires: 2027-02-01}]\n",
    )
    policy = load_policy(top)
    assert policy.files == (
        str(tmp_path / "base" / "base.yaml"),
        str(tmp_path / "mid.yaml"),
        str(top),
    )
    stale = policy.setting("stale-address")
    assert stale is not None
    assert (stale.enabled, stale.severity, dict(stale.options)) == (
        True,
        Severity.ERROR,
        {"max_age_days": 180},
    )
    assert stale.file == str(tmp_path / "mid.yaml") and stale.line == 3
    assert stale.option_origins["max_age_days"] == (str(tmp_path / "mid.yaml"), 3)
    merge = policy.setting("merge-integrity")
    assert merge is not None and merge.enabled and merge.severity is Severity.INFO
    assert policy.setting("nonexistent") is None
    assert dict(policy.fields) == {"recipient_id": ("person_id",), "email": ("mail",)}
    assert [t.pattern for t in policy.templates] == [
        os.path.join(str(tmp_path), "base", "base", "*.j2"),
        os.path.join(str(tmp_path), "letters", "*.j2"),
    ]
    assert policy.templates[1].channel == "letter"
    assert (policy.templates[0].file, policy.templates[0].line) == (
        str(tmp_path / "base" / "base.yaml"),
        5,
    )
    assert [s.reason for s in policy.suppressions] == ["base", "top"]
    assert policy.suppressions[0].file == str(tmp_path / "base" / "base.yaml")
    assert policy.register == str(tmp_path / "base" / "base-register")


def test_off_then_options_keeps_rule_off_until_a_severity(write: Write) -> None:
    write("a.yaml", "rules: {stale-address: off}\n")
    write("b.yaml", "extends: a.yaml\nrules: {stale-address: {max_age_days: 3}}\n")
    top = write("c.yaml", "extends: b.yaml\nrules: {stale-address: {severity: warning}}\n")
    b = load_policy(Path(str(top).replace("c.yaml", "b.yaml"))).setting("stale-address")
    assert b is not None and b.enabled is False
    c = load_policy(top).setting("stale-address")
    assert c is not None and c.enabled and c.severity is Severity.WARNING
    assert dict(c.options) == {"max_age_days": 3}


def test_later_extends_win_and_diamond_merged_once(write: Write, tmp_path: Path) -> None:
    write("d.yaml", "rules: {r: info}\ntemplates: [{path: d.j2}]\n")
    write("b.yaml", "extends: d.yaml\nrules: {r: warning}\n")
    write("c.yaml", "extends: ./d.yaml\nrules: {q: error}\n")
    top = write("a.yaml", "extends: [b.yaml, c.yaml]\n")
    policy = load_policy(top)
    assert [Path(f).name for f in policy.files] == ["d.yaml", "b.yaml", "c.yaml", "a.yaml"]
    r = policy.setting("r")
    assert r is not None and r.severity is Severity.WARNING
    assert len(policy.templates) == 1


def test_relative_register_resolves_against_the_file_that_wrote_it(
    write: Write, tmp_path: Path
) -> None:
    top = write("project/conf/policylint.yaml", "register: ../data/register\n")
    policy = load_policy(top)
    assert policy.register == str(tmp_path / "project" / "data" / "register")
    assert os.path.isabs(policy.register)


def test_register_url_and_absolute_path_left_alone(write: Write, tmp_path: Path) -> None:
    url = write("u.yaml", "register: 'sqlite:///registers/people.db'\n")
    assert load_policy(url).register == "sqlite:///registers/people.db"
    absolute = write("a.yaml", f"register: {tmp_path / 'reg.sqlite'}\n")
    assert load_policy(absolute).register == str(tmp_path / "reg.sqlite")


def test_relative_policy_path_from_cwd(
    write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("sub/base.yaml", "register: reg\n")
    write("sub/policylint.yaml", "extends: ./base.yaml\n")
    monkeypatch.chdir(tmp_path)
    policy = load_policy(Path("sub/policylint.yaml"))
    assert policy.source == os.path.join("sub", "policylint.yaml")
    assert policy.files == (
        os.path.join("sub", "base.yaml"),
        os.path.join("sub", "policylint.yaml"),
    )
    assert policy.register == str(tmp_path / "sub" / "reg")


def test_extends_cycle_names_the_chain(write: Write) -> None:
    write("a.yaml", "extends: b.yaml\n")
    write("b.yaml", "version: 1\nextends: [c.yaml]\n")
    write("c.yaml", "extends: a.yaml\n")
    top = write("policylint.yaml", "extends: a.yaml\n")
    err = _raises(load_policy, top)
    assert err.message.startswith("extends cycle: ")
    assert "a.yaml -> " in err.message and "b.yaml -> " in err.message
    assert err.message.endswith("c.yaml -> " + str(top.parent / "a.yaml"))
    assert err.file is not None and err.file.endswith("c.yaml")
    assert (err.line, err.key) == (1, "extends")


def test_self_extension_is_a_cycle(write: Write) -> None:
    top = write("policylint.yaml", "extends:\n  - ./policylint.yaml\n")
    err = _raises(load_policy, top)
    assert "extends cycle" in err.message
    assert (err.file, err.line, err.key) == (str(top), 2, "extends[0]")


def test_unknown_pack_lists_available_packs(write: Write) -> None:
    top = write("policylint.yaml", "version: 1\nextends: [uk-local-govt]\n")
    err = _raises(load_policy, top)
    assert (err.file, err.line, err.key) == (str(top), 2, "extends[0]")
    assert "unknown policy pack 'uk-local-govt'" in err.message
    assert "did you mean 'uk-local-gov'?" in err.message
    assert "available packs: " in err.message and "strict" in err.message


def test_missing_extended_file(write: Write) -> None:
    top = write("policylint.yaml", "extends: shared/base.yaml\n")
    err = _raises(load_policy, top)
    assert (err.file, err.line, err.key) == (str(top), 1, "extends")
    assert "file not found" in err.message


def test_error_in_extended_file_names_that_file(write: Write) -> None:
    base = write("base.yaml", "rules:\n  x: sometimes\n")
    top = write("policylint.yaml", "extends: base.yaml\n")
    err = _raises(load_policy, top)
    assert (err.file, err.line, err.key) == (str(base), 2, "rules.x")


def test_pack_dirs_searched_before_builtin(write: Write, tmp_path: Path) -> None:
    write("packs/uk-local-gov.yaml", "rules: {only-mine: error}\n")
    write("packs/house.yaml", "rules: {house-rule: warning}\n")
    top = write("policylint.yaml", "extends: [uk-local-gov, house]\n")
    policy = load_policy(top, pack_dirs=[tmp_path / "packs"])
    assert set(policy.rules) == {"only-mine", "house-rule"}
    assert "house" in available_packs([tmp_path / "packs"])


def test_missing_and_unreadable_policy(tmp_path: Path) -> None:
    err = _raises(load_policy, tmp_path / "nope.yaml")
    assert err.file == str(tmp_path / "nope.yaml") and "not found" in err.message
    err = _raises(load_policy, tmp_path)
    assert "directory" in err.message
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"version: 1\nrules: {}\n# caf\xe9\n")
    err = _raises(load_policy, bad)
    assert (err.line, err.message) == (3, "policy file is not UTF-8 text")


def test_empty_file_is_an_empty_policy(write: Write) -> None:
    policy = load_policy(write("policylint.yaml", "# nothing yet\n"))
    assert policy.rules == {} and policy.files == (policy.source,)


def test_suppression_fields_and_expiry(write: Write) -> None:
    top = write(
        "policylint.yaml",
        "suppressions:\n"
        "  - rule: stale-address\n"
        "    recipient_id: P-1043\n"
        "    template: council-tax-reminder\n"
        "    reason: ' verified by phone '\n"
        "    expires: 2027-01-31\n",
    )
    (sup,) = load_policy(top).suppressions
    assert (sup.rule, sup.recipient_id, sup.template, sup.reason) == (
        "stale-address",
        "P-1043",
        "council-tax-reminder",
        "verified by phone",
    )
    assert sup.expires == dt.date(2027, 1, 31)
    assert (sup.file, sup.line) == (str(top), 2)
    assert not sup.expired(dt.date(2027, 1, 31))
    assert sup.expired(dt.date(2027, 2, 1))


def test_quoted_expires_string_is_parsed(write: Write) -> None:
    top = write("p.yaml", "suppressions: [{rule: a, reason: r, expires: '2027-01-31'}]\n")
    assert load_policy(top).suppressions[0].expires == dt.date(2027, 1, 31)


def test_empty_policy() -> None:
    policy = empty_policy()
    assert isinstance(policy, Policy)
    assert (policy.source, policy.register, policy.files, policy.rules) == (None, None, (), {})
    assert policy.setting("stale-address") is None


# --- validate_rule_settings ------------------------------------------------------


def test_validate_unknown_rule_suggests(write: Write) -> None:
    top = write("policylint.yaml", "version: 1\nrules:\n  stale-adress: error\n")
    err = _raises(validate_rule_settings, load_policy(top), SCHEMAS)
    assert (err.file, err.line, err.key) == (str(top), 3, "rules.stale-adress")
    assert err.message == "unknown rule 'stale-adress'; did you mean 'stale-address'?"


def test_validate_unknown_option(write: Write) -> None:
    top = write("p.yaml", "rules:\n  stale-address:\n    severity: error\n    max_age: 3\n")
    err = _raises(validate_rule_settings, load_policy(top), SCHEMAS)
    assert (err.file, err.line, err.key) == (str(top), 4, "rules.stale-address.max_age")
    assert "unknown option 'max_age' for rule 'stale-address'" in err.message
    assert "did you mean 'max_age_days'?" in err.message


def test_validate_option_for_rule_without_options(write: Write) -> None:
    top = write("policylint.yaml", "rules:\n  protected-address: {threshold: 3}\n")
    err = _raises(validate_rule_settings, load_policy(top), SCHEMAS)
    assert (err.line, err.key) == (2, "rules.protected-address.threshold")
    assert "takes no options" in err.message


def test_validate_wrong_option_type(write: Write) -> None:
    top = write(
        "policylint.yaml",
        "version: 1\n"
        "rules:\n"
        "  merge-integrity: error\n"
        "  stale-address:\n"
        "    severity: error\n"
        "    max_age_days: a year\n",
    )
    err = _raises(validate_rule_settings, load_policy(top), SCHEMAS)
    assert str(err) == (
        f"{top}, line 6, key 'rules.stale-address.max_age_days': expected an integer, got 'a year'"
    )


def test_validate_option_error_points_at_the_file_that_set_it(write: Write) -> None:
    base = write("base.yaml", "rules:\n  recipient-mismatch:\n    name_threshold: 900\n")
    top = write("policylint.yaml", "extends: base.yaml\nrules:\n  recipient-mismatch: warning\n")
    err = _raises(validate_rule_settings, load_policy(top), SCHEMAS)
    assert (err.file, err.line) == (str(base), 3)
    assert err.key == "rules.recipient-mismatch.name_threshold"
    assert "at most 100" in err.message


def test_validate_nested_option_item(write: Write) -> None:
    top = write("p.yaml", "rules:\n  voicemail-content:\n    allowed_fields: [first_name, 3]\n")
    err = _raises(validate_rule_settings, load_policy(top), SCHEMAS)
    assert (err.line, err.key) == (3, "rules.voicemail-content.allowed_fields[1]")
    assert "expected a string, got 3" in err.message


def test_validate_suppression_of_unknown_rule(write: Write) -> None:
    top = write(
        "p.yaml",
        "suppressions:\n  - {rule: stale-adress, reason: r, expires: 2027-01-01}\n",
    )
    err = _raises(validate_rule_settings, load_policy(top), SCHEMAS)
    assert (err.line, err.key) == (2, "suppressions[0].rule")
    assert "did you mean 'stale-address'?" in err.message


def test_validate_accepts_good_settings(write: Write) -> None:
    top = write("p.yaml", "rules:\n  stale-address: {max_age_days: 10}\n  merge-integrity: off\n")
    validate_rule_settings(load_policy(top), SCHEMAS)  # no error


# --- shipped packs and the starter ------------------------------------------------


def test_builtin_pack_dir_holds_the_packs() -> None:
    directory = builtin_pack_dir()
    assert (directory / "uk-local-gov.yaml").is_file()
    assert {"uk-local-gov", "strict"} <= set(available_packs())


def real_schemas() -> dict[str, Any]:
    """The options schemas of the rules that are really installed."""
    from policylint.plugins import rule_registry

    return {name: entry.rule.options_schema for name, entry in rule_registry().items()}


@pytest.mark.parametrize("pack", ["uk-local-gov", "strict"])
def test_shipped_packs_load_and_validate(write: Write, pack: str) -> None:
    policy = load_policy(write("policylint.yaml", f"extends: {pack}\n"))
    schemas = real_schemas()
    validate_rule_settings(policy, schemas)
    assert set(policy.rules) == set(schemas), "every built-in rule is configured by the pack"
    assert all(s.enabled for s in policy.rules.values())


def test_strict_is_stricter_than_uk_local_gov(write: Write) -> None:
    base = load_policy(write("a.yaml", "extends: uk-local-gov\n"))
    strict = load_policy(write("b.yaml", "extends: strict\n"))
    assert all(s.severity is Severity.ERROR for s in strict.rules.values())
    for rule in ("stale-address", "stale-contact", "voicemail-content"):
        assert strict.rules[rule].options["max_age_days"] < base.rules[rule].options["max_age_days"]
    assert (
        strict.rules["recipient-mismatch"].options["name_threshold"]
        > base.rules["recipient-mismatch"].options["name_threshold"]
    )


def test_uk_local_gov_maps_every_leaflet_point() -> None:
    text = (builtin_pack_dir() / "uk-local-gov.yaml").read_text(encoding="utf-8")
    for point in range(1, 11):
        assert f"\n# {point:>2}. " in text or f"\n#  {point}. " in text, point


def test_starter_loads(write: Write, tmp_path: Path) -> None:
    top = write("policylint.yaml", starter_policy())
    policy = load_policy(top)
    validate_rule_settings(policy, real_schemas())
    assert policy.files[0].endswith("uk-local-gov.yaml")
    assert policy.register == str(tmp_path / "register")
    # The starter changes no rule: the pack's settings (and the rules' defaults) apply.
    pack = load_policy(Path(policy.files[0]))
    assert {n: (r.severity, dict(r.options)) for n, r in policy.rules.items()} == {
        n: (r.severity, dict(r.options)) for n, r in pack.rules.items()}
    assert policy.suppressions == ()
    assert policy.fields == {}


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 400),
    st.sampled_from(["off", "error", "warning", "info", "", " ", "a year", "2027-01-31", "x/y.j2"]),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
)
_KEYS = st.sampled_from(
    [
        "version",
        "extends",
        "register",
        "fields",
        "templates",
        "rules",
        "suppressions",
        "fingerprint_key",
        "severity",
        "path",
        "channel",
        "rule",
        "reason",
        "expires",
        "recipient_id",
        "email",
        "stale-address",
        "max_age_days",
    ]
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(_KEYS, _VALUES, max_size=5))
def test_any_policy_shape_loads_or_raises_policy_error(data: dict[str, Any]) -> None:
    text = yaml.dump(data, Dumper=_NoAliases)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "policylint.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            policy = load_policy(path)
        except PolicyError as err:
            assert "\n" not in str(err)
            assert err.file is not None
            return
        assert policy.files[-1] == str(path)
