"""Property tests: policies of every shape, hostile ones included.

Invariants: loading a policy (and validating its rule options) either succeeds
or raises PolicyError, with one line; alias bombs, deep nesting and unknown tags
fail fast; through the CLI every policy gives exit 0, 1 or 2 with no traceback.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.config.policy import load_policy, validate_rule_settings
from policylint.config.yamlsafe import MAX_DEPTH, load_yaml
from policylint.errors import PolicyError, PolicylintError
from policylint.plugins import rule_registry
from tests.property.support import (
    HEADER,
    Project,
    assert_cli_contract,
    good_row,
    invoke,
    make_project,
)

SETTINGS = settings(max_examples=150, deadline=timedelta(seconds=2),
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
CLI_SETTINGS = settings(max_examples=40, deadline=timedelta(seconds=5),
                        suppress_health_check=[HealthCheck.function_scoped_fixture,
                                               HealthCheck.too_slow])

KEYS = ["version", "extends", "register", "fields", "templates", "rules", "suppressions",
        "fingerprint_key", "path", "channel", "audience", "severity", "rule", "reason",
        "expires", "recipient_id", "template", "stale-address", "merge-integrity",
        "contact-validity", "max_age_days", "uk-local-gov"]
# No "/" and no "**": a random glob must not walk the whole file system.
safe_text = st.text(alphabet="abcxyz019-_.*? é", max_size=12)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=True), safe_text, st.sampled_from(KEYS),
                    st.sampled_from(["off", "error", "warning", "info", "2027-01-31",
                                     "2027-02-30", "templates/*.j2", "register", "1"]))
structures = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), safe_text), children, max_size=4)),
    max_leaves=25)
policies = st.dictionaries(st.sampled_from(KEYS), structures, max_size=6)

yamlish = st.lists(st.sampled_from([
    "version: 1\n", "rules:\n", "  ", "- ", ": ", "&a ", "*a ", "<<: ", "!!python/object ",
    "!!binary ", "!!set ", "{", "}", "[", "]", ",", "'", '"', "\t", "\n", "---\n", "...\n",
    "yes: ", "1: ", "? ", "|", ">", "#", "%YAML 1.1\n", "\x00", "\ufeff", "é", "off",
    "extends: [uk-local-gov]\n", "extends: [./policylint.yaml]\n", "templates: [{path: x}]\n",
]), max_size=40).map("".join)


def _bomb(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for i in range(levels):
        name = f"l{i}"
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
        prev = name
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("policyprop"))
    (proj.root / "batch.csv").write_text(HEADER + good_row(1) + good_row(2), encoding="utf-8")
    invoke(proj.check_args(proj.root / "batch.csv"))
    return proj


def _load(path: Path) -> None:
    policy = load_policy(path)
    validate_rule_settings(policy, {n: e.rule.options_schema for n, e in rule_registry().items()})


@SETTINGS
@given(text=yamlish)
def test_yamlish_text_only_raises_policy_error(text: str) -> None:
    try:
        load_yaml(text, "p.yaml")
    except PolicyError as err:
        assert "\n" not in str(err)
        assert str(err).startswith("p.yaml")


@SETTINGS
@given(data=policies)
def test_random_structures_load_or_raise_policy_error(tmp_path: Path, data: dict[str, Any]
                                                      ) -> None:
    path = tmp_path / "policylint.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        _load(path)
    except PolicylintError as err:
        assert isinstance(err, PolicyError), type(err)
        assert "\n" not in str(err)


@SETTINGS
@given(raw=st.binary(max_size=400))
def test_random_bytes_as_policy(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "policylint.yaml"
    path.write_bytes(raw)
    try:
        _load(path)
    except PolicyError as err:
        assert "\n" not in str(err)


@settings(max_examples=10, deadline=timedelta(seconds=2))
@given(levels=st.integers(1, 12))
def test_alias_bombs_are_refused_before_expanding(levels: int) -> None:
    with pytest.raises(PolicyError, match="anchors and aliases"):
        load_yaml(_bomb(levels), "bomb.yaml")


@settings(max_examples=20, deadline=timedelta(seconds=5))  # PyYAML scans ~1 s at worst
@given(depth=st.integers(MAX_DEPTH + 1, 5000), flow=st.booleans())
def test_deep_nesting_is_refused(depth: int, flow: bool) -> None:
    text = ("a: " + "[" * depth + "]" * depth + "\n") if flow else "".join(
        "  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"
    with pytest.raises(PolicyError):
        load_yaml(text, "deep.yaml")


@CLI_SETTINGS
@given(data=st.one_of(policies.map(lambda d: yaml.safe_dump(d, allow_unicode=True)), yamlish,
                      st.integers(1, 8).map(_bomb)))
def test_cli_with_any_policy_keeps_the_contract(project: Project, data: str) -> None:
    policy = project.root / "random-policy.yaml"
    policy.write_text(data, encoding="utf-8")
    args = project.check_args(project.root / "batch.csv")
    args[args.index("--policy") + 1] = str(policy)
    result = invoke(args)
    assert_cli_contract(result)


def test_extends_cycle_is_one_line(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("version: 1\nextends: [./b.yaml]\n", encoding="utf-8")
    b.write_text("version: 1\nextends: [./a.yaml]\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="cycle") as err:
        load_policy(a)
    assert "\n" not in str(err.value)


def test_python_tags_are_refused() -> None:
    for text in ("x: !!python/object/apply:os.system ['echo pwned']\n",
                 "x: !!python/name:os.system\n", "x: !!binary aGk=\n"):
        with pytest.raises(PolicyError, match=r"tag|constructor|could not determine"):
            load_yaml(text, "tags.yaml")
