"""``policylint explain RULE``: a rule's own docs, options and examples as text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence

from policylint.engine.rule import Case, Rule


def _csv(rows: Sequence[Mapping[str, str]]) -> str:
    headers: list[str] = []
    for row in rows:
        headers.extend(k for k in row if k not in headers)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line if line.strip() else line
                   for line in text.splitlines(keepends=True))


def _case(case: Case) -> str:
    parts: list[str] = []
    if case.register:
        for table, rows in case.register.items():
            parts.append(f"  register {table}.csv:\n{_indent(_csv(rows))}")
    if case.template is not None:
        parts.append(f"  template:\n{_indent(case.template)}")
    if case.rows:
        parts.append(f"  batch.csv:\n{_indent(_csv(case.rows))}")
    if case.options:
        parts.append(f"  options: {json.dumps(dict(case.options))}\n")
    if case.expect:
        parts.append(f"  finds: {', '.join(case.expect)}\n")
    if case.note:
        parts.append(f"  ({case.note})\n")
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


def explain_rule(rule: type[Rule], plugin: str = "policylint") -> str:
    lines = [
        f"{rule.name} ({rule.default_severity.value} by default, from {plugin})",
        "",
        rule.doc(),
        "",
    ]
    props = rule.options_schema.get("properties", {})
    if props:
        lines.append("Options (set under rules: in policylint.yaml):")
        for option, schema in props.items():
            kind = schema.get("type", "any")
            default = f" (default {json.dumps(schema['default'])})" if "default" in schema else ""
            description = f": {schema['description']}" if "description" in schema else ""
            lines.append(f"  {option}: {kind}{default}{description}")
        lines.append("")
    if rule.channels is not None:
        lines.append(f"Applies to: {', '.join(sorted(rule.channels))}")
        lines.append("")
    for number, example in enumerate(rule.examples, start=1):
        lines.append(f"Example {number}: {example.title}")
        lines.append("Bad:")
        lines.append(_case(example.bad).rstrip("\n"))
        lines.append("Good:")
        lines.append(_case(example.good).rstrip("\n"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
