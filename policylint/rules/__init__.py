"""Built-in rules: registered through the same hook as a third-party plugin's."""

from __future__ import annotations

from collections.abc import Sequence

from policylint.engine.rule import Rule
from policylint.hookspecs import hookimpl
from policylint.rules.contact_validity import ContactValidity
from policylint.rules.merge_integrity import MergeIntegrity

BUILTIN_RULES: tuple[type[Rule], ...] = (ContactValidity, MergeIntegrity)


@hookimpl
def policylint_rules() -> Sequence[type[Rule]]:
    return BUILTIN_RULES
