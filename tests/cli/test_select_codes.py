"""--select and --ignore take codes as the text output shows them (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policylint.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def findings(*args: str) -> tuple[int, list[tuple[str, str]], str]:
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "batch.csv"), "--policy",
                                      str(EXAMPLES / "policylint.yaml"), "--today",
                                      "2026-11-26", "--format", "json", *args])
    if result.exit_code == 2:
        return 2, [], result.output
    # The policy's own warnings (an expired suppression) are not a rule's: always shown.
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] != "policy"]
    return result.exit_code, [(f["rule"], f["code"]) for f in found], result.output


@pytest.fixture(scope="module")
def everything() -> list[tuple[str, str]]:
    return findings()[1]


@pytest.mark.parametrize("name", ["previous-address", "stale-address[previous-address]"])
def test_select_a_code(everything: list[tuple[str, str]], name: str) -> None:
    code, found, _ = findings("--select", name)
    assert code == 1
    assert found and set(found) == {("stale-address", "previous-address")}
    assert len(found) == everything.count(("stale-address", "previous-address"))


def test_ignore_a_code_keeps_the_rules_other_codes(everything: list[tuple[str, str]]) -> None:
    _code, found, _ = findings("--ignore", "stale-address[previous-address]")
    assert ("stale-address", "previous-address") not in found
    others = [f for f in everything if f[0] == "stale-address" and f[1] != "previous-address"]
    assert others and all(f in found for f in others)


def test_a_rule_and_one_of_its_codes_select_the_whole_rule(
        everything: list[tuple[str, str]]) -> None:
    _code, found, _ = findings("--select", "stale-address,previous-address")
    assert sorted(found) == sorted(f for f in everything if f[0] == "stale-address")


def test_an_unknown_name_is_a_usage_error_with_a_suggestion() -> None:
    code, _found, output = findings("--select", "stale-adress")
    assert code == 2 and "unknown rule or code 'stale-adress'" in output
    assert "did you mean 'stale-address'" in output
