"""Template metadata from front matter or the policy, and representative scope."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policylint.io.register.base import Representative
from policylint.io.templates import TemplateMeta, parse_template


def test_scope_and_syntax_come_from_front_matter() -> None:
    template = parse_template("---\nscope: health_and_welfare\nsyntax: jinja\n---\nHi",
                              Path("t.j2"))
    assert template.scope == "health_and_welfare"
    assert template.syntax == "jinja"
    assert template.problem is None


def test_policy_metadata_applies_when_front_matter_is_silent() -> None:
    meta = TemplateMeta(channel="email", audience="third_party", scope="property_and_finance")
    template = parse_template("Hello {{ name }}", Path("t.j2"), meta)
    assert (template.channel, template.audience, template.scope) == (
        "email", "third_party", "property_and_finance")


def test_front_matter_wins_over_policy_metadata() -> None:
    meta = TemplateMeta(scope="property_and_finance")
    template = parse_template("---\nscope: all\n---\nHi", Path("t.j2"), meta)
    assert template.scope == "all"


def test_unknown_syntax_is_a_front_matter_problem() -> None:
    template = parse_template("---\nname: x\nsyntax: mustache\n---\nHi", Path("t.j2"))
    assert template.problem is not None
    assert template.problem.code == "front-matter"
    assert template.problem.line == 3


@pytest.mark.parametrize(("held", "wanted", "covers"), [
    ("", None, True),
    ("all", "health_and_welfare", True),
    ("", "health_and_welfare", True),
    ("property_and_finance", None, True),
    ("property_and_finance", "property_and_finance", True),
    ("Property_and_Finance ", "property_and_finance", True),
    ("property_and_finance", "health_and_welfare", False),
    ("health_and_welfare", "property_and_finance", False),
])
def test_representative_scope_covers(held: str, wanted: str | None, covers: bool) -> None:
    link = Representative("P-1", "P-2", scope=held, valid_to=dt.date(2030, 1, 1))
    assert link.covers(wanted) is covers
