"""Run a rule on an in-memory Case: used by the test suite and by plugin authors.

It drives a rule the way the engine does (begin_batch, observe, check_item,
finish, each row rendered once), without files, so a rule's ``examples`` can
be executed as tests and shown by ``policylint explain``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policylint.engine.rule import BatchInfo, Case, Item, Rule, RunContext
from policylint.io.attachments import Attachment, AttachmentCache, split_names
from policylint.io.fields import resolve_fields
from policylint.io.headers import variable_name
from policylint.io.register.base import Register
from policylint.io.register.memory import MemoryRegister
from policylint.io.templates import RenderError, parse_template, render
from policylint.model import CHANNELS, Row, Violation

TODAY = dt.date(2026, 11, 26)


def case_register(case: Case) -> Register | None:
    if case.register is None:
        return None
    return MemoryRegister(case.register, source="<example register>")


def run_case(rule_cls: type[Rule], case: Case, *, today: dt.date = TODAY,
             options: Mapping[str, Any] | None = None,
             policy_fields: Mapping[str, tuple[str, ...]] | None = None,
             attachments_dir: Path | None = None) -> list[Violation]:
    """All violations ``rule_cls`` reports for ``case`` (template checks included).

    Rows naming attachments have them read from ``attachments_dir`` (an
    unreadable one raises AttachmentError, as the engine would stop the item).
    """
    register = case_register(case)
    context = RunContext(register=register, today=today)
    rule = rule_cls({**case.options, **(options or {})}, context)
    violations: list[Violation] = []
    template = None
    if case.template is not None:
        template = parse_template(case.template, Path("example.j2"))
        if template.problem is None:
            violations.extend(rule.check_template(template))
    headers: list[str] = []
    for raw in case.rows:
        headers.extend(h for h in raw if h not in headers)
    names = [variable_name(h) for h in headers]
    header_map = dict(zip(names, headers, strict=True))
    fields = resolve_fields(names, policy_fields or {}, file="batch.csv")
    templates = {template.name: template} if template else {}
    violations.extend(rule.begin_batch(BatchInfo(
        file="batch.csv", names=tuple(names), fields=fields, templates=templates,
        default_template=template)))
    rows = [Row(number=index + 2, line=index + 2,
                values={variable_name(h): raw.get(h, "") for h in headers},
                headers=header_map, file="batch.csv")
            for index, raw in enumerate(case.rows)]

    def item_for(row: Row, with_text: bool) -> Item:
        channel_value = row.get(fields.header("channel") or "").strip().lower()
        channel = channel_value if channel_value in CHANNELS else (
            template.channel if template else None)
        rendered = None
        if with_text and template is not None and template.compiled is not None:
            try:
                rendered = render(template, row.values)
            except RenderError:
                rendered = None
        attachments: tuple[Attachment, ...] = ()
        header = fields.header("attachments")
        if with_text and header and attachments_dir is not None:
            batch_file = str(attachments_dir / "batch.csv")
            password = row.get(fields.header("attachment_password") or "").strip()
            attachments = tuple(cache.load(name, index, batch_file, password) for index, name
                                in enumerate(split_names(row.get(header)), start=1))
        return Item(row=row, fields=fields, channel=channel, template=template,
                    rendered=rendered, attachments=attachments)

    cache = AttachmentCache()

    if "batch" in rule.needs:
        for row in rows:
            rule.observe(item_for(row, False))
    for row in rows:
        item = item_for(row, True)
        if rule.applies_to(item):
            violations.extend(rule.check_item(item))
    violations.extend(rule.finish())
    if register is not None:
        register.close()
    return violations


def codes(violations: list[Violation]) -> list[str]:
    return sorted(v.code for v in violations)
