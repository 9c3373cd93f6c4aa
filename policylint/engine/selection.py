"""``--select`` and ``--ignore``: rules, or single codes of a rule, as ruff takes them.

A name may be a rule (``stale-address``), a code (``previous-address``, as the text
output shows it in ``stale-address[previous-address]``), or that whole form. Selecting
a code runs its rule and keeps only that code's findings; ignoring a code runs the rule
and drops that code's findings. The engine's own checks (rows that were not checked)
are never selected away: they always fail the run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policylint.errors import PolicylintError
from policylint.model import NOT_CHECKED_RULES, Finding

_RULE_CODE_RE = re.compile(r"(?P<rule>[a-z0-9][a-z0-9-]*)\[(?P<code>[a-z0-9-]+)\]")


@dataclass(frozen=True)
class Selection:
    """Which rules run, and which of their codes are kept."""

    select_rules: frozenset[str] = frozenset()  # empty: every rule
    ignore_rules: frozenset[str] = frozenset()
    # rule -> the only codes kept (from --select CODE); a rule selected whole is absent.
    only_codes: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # (rule, code) pairs dropped (from --ignore CODE).
    ignored_codes: frozenset[tuple[str, str]] = frozenset()

    def keeps(self, finding: Finding) -> bool:
        if finding.rule in NOT_CHECKED_RULES:
            return True
        if (finding.rule, finding.code) in self.ignored_codes:
            return False
        only = self.only_codes.get(finding.rule)
        return only is None or finding.code in only


def parse_selection(select: Sequence[str], ignore: Sequence[str],
                    registry: Mapping[str, Any]) -> Selection:
    """Resolve each name to a rule or to (rule, code); an unknown name is a usage error
    naming the option and suggesting the nearest rule."""
    chosen_rules: set[str] = set()
    only: dict[str, set[str]] = {}
    for name in select:
        rule, code = _resolve("--select", name, registry)
        if code is None:
            chosen_rules.add(rule)
        else:
            only.setdefault(rule, set()).add(code)
    ignored_rules: set[str] = set()
    ignored_codes: set[tuple[str, str]] = set()
    for name in ignore:
        rule, code = _resolve("--ignore", name, registry)
        if code is None:
            ignored_rules.add(rule)
        else:
            ignored_codes.add((rule, code))
    return Selection(
        select_rules=frozenset(chosen_rules | set(only)),
        ignore_rules=frozenset(ignored_rules),
        only_codes={rule: frozenset(codes) for rule, codes in only.items()
                    if rule not in chosen_rules},
        ignored_codes=frozenset(ignored_codes),
    )


def _resolve(option: str, name: str, registry: Mapping[str, Any]) -> tuple[str, str | None]:
    if name in registry:
        return name, None
    matched = _RULE_CODE_RE.fullmatch(name)
    if matched and matched["rule"] in registry:
        return matched["rule"], matched["code"]
    from policylint.explain import code_index  # only when a name is not a rule

    rules = [r for r in code_index(registry).get(name, []) if r in registry]
    if len(rules) == 1:
        return rules[0], name
    if len(rules) > 1:
        raise PolicylintError(
            f"{option}: '{name}' is a code of several rules ({', '.join(rules)}): write "
            f"it as {rules[0]}[{name}]")
    import difflib

    close = difflib.get_close_matches(name, list(registry), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else " (see `policylint rules`)"
    raise PolicylintError(f"{option}: unknown rule or code '{name}'{hint}")
