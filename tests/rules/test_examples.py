"""Every rule's documented examples are executed: bad ones must find what they
say, good ones must find nothing (so `policylint explain` cannot drift)."""

from __future__ import annotations

import pytest

from policylint.engine.rule import Rule
from policylint.plugins import rule_registry
from policylint.testing import codes, run_case

RULES = [entry.rule for entry in rule_registry().values()]
CASES = [
    pytest.param(rule, example, id=f"{rule.name}:{index}")
    for rule in RULES
    for index, example in enumerate(rule.examples)
]


def test_every_rule_has_docs_and_examples() -> None:
    for rule in RULES:
        assert rule.summary, rule.name
        assert "Anti-pattern" in rule.doc() or "Bad" in rule.doc(), rule.name
        assert rule.examples, f"{rule.name} has no examples"
        for example in rule.examples:
            assert example.bad.expect, f"{rule.name}: '{example.title}' expects nothing"


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_bad_example_is_flagged(rule: type[Rule], example: object) -> None:
    found = codes(run_case(rule, example.bad))  # type: ignore[attr-defined]
    for code in example.bad.expect:  # type: ignore[attr-defined]
        assert code in found, f"{rule.name}: expected {code}, found {found}"


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_good_example_is_clean(rule: type[Rule], example: object) -> None:
    assert codes(run_case(rule, example.good)) == []  # type: ignore[attr-defined]
