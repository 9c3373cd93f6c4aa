"""``policylint init``: a commented starter policy, optionally fitted to a real batch.

The text is ``starter.yaml`` with two parts filled in: the ``fields:`` mapping
(commented defaults, or, with ``--from-batch``, the roles the batch's own header
plays) and every built-in rule listed, commented, with its default severity and
summary, so a new user sees everything that will run before changing anything.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from policylint.io.fields import DEFAULT_ROLE_HEADERS, resolve_fields


def starter_text(rules: Mapping[str, Any], header: Sequence[str] | None = None) -> str:
    """The starter policy. ``rules`` maps rule names to rule classes (the registry's
    ``.rule``); ``header`` is a batch's header row to fit ``fields:`` to."""
    text = resources.files("policylint.config").joinpath("starter.yaml").read_text("utf-8")
    return text.replace("@FIELDS@", _fields(header)).replace("@RULES@", _rules(rules))


def _fields(header: Sequence[str] | None) -> str:
    if header is None:
        return ("fields: {}\n"
                "#  recipient_id: [tenant_ref, person_id]\n"
                "#  reference: [account_ref, case_ref]\n"
                "#  email: email_address")
    from policylint.io.headers import variable_name

    names = [variable_name(h) for h in header]
    found = resolve_fields(names, {}, file="batch")
    lines: list[str] = []
    shown = dict(zip(names, header, strict=False))
    for role in DEFAULT_ROLE_HEADERS:
        if role == "reference":
            columns = [shown.get(c, c) for c in found.references]
        else:
            column = found.roles.get(role)
            columns = [shown.get(column, column)] if column else []
        if columns:
            # JSON strings are YAML strings: any header is written safely.
            value = (json.dumps(columns[0]) if len(columns) == 1
                     else "[" + ", ".join(json.dumps(c) for c in columns) + "]")
            lines.append(f"  {role}: {value}")
        else:
            lines.append(f"  # {role}: (no column found in the batch)")
    if not any(line.startswith("  ") and not line.startswith("  #") for line in lines):
        return "fields: {}\n" + "\n".join(lines)
    return "fields:\n" + "\n".join(lines)


def _rules(rules: Mapping[str, Any]) -> str:
    lines = []
    for name in sorted(rules):
        rule = rules[name]
        lines.append(f"  # {name}: {rule.default_severity.value}")
        lines.append(f"  #   {rule.summary}")
    return "\n".join(lines)


def read_header(path: Path) -> Sequence[str]:
    """The header row of a batch file, read with the reader `check` would use."""
    from policylint.engine.runner import open_batch

    reader = open_batch(path)
    try:
        return tuple(reader.header)
    finally:
        reader.close()
