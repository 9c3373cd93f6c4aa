"""The documentation site's generated pages, and the mkdocs hook that adds them.

One page per rule, from the rule's own docstring, options schema and examples
(the same sources as ``policylint explain``, written as Markdown); one page per
engine check; an index of both; and the policy reference, from the policy's
JSON Schema. They are generated on every ``mkdocs build`` (``hooks:`` in
``mkdocs.yml``), never committed, so they cannot go stale.

A rule's page is ``rules/<rule>/``: the address SARIF's ``helpUri`` gives
(:func:`policylint.reporting.docs_uri`). Engine checks live beside the rules
(``rules/render-error/``), so every name a finding's ``rule`` can hold has a
page at the same place.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

if __name__ != "policylint.docs_gen":  # loaded by mkdocs as a hook file
    # Document this checkout's code, whatever policylint is installed elsewhere.
    _ROOT = str(Path(__file__).resolve().parent.parent)
    if _ROOT not in sys.path:
        sys.path.insert(0, _ROOT)

from policylint import doctext
from policylint.engine.rule import Case, Example, Rule
from policylint.explain import (
    CODE_BULLET,
    ENGINE_CHECKS,
    EngineCheck,
    option_kind,
    rows_csv,
    rule_codes,
    rule_doc,
)

RULES_DIR = "rules"
CHECKS_PAGE = "engine-checks.md"
POLICY_PAGE = "policy.md"


def builtin_rules() -> dict[str, type[Rule]]:
    """The built-in rules by name (installed plug-ins are left out: the site
    documents this project, and must build the same everywhere)."""
    from policylint.plugins import rule_registry

    return {name: entry.rule for name, entry in rule_registry().items()
            if entry.plugin == "policylint"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _codes_list(codes: Iterable[str]) -> str:
    return ", ".join(f"`{code}`" for code in codes)


# --- a rule's page ----------------------------------------------------------------------


def _case_markdown(case: Case, verdict: str) -> str:
    head = f"**{verdict}**"
    if case.expect:
        head += f": finds {_codes_list(case.expect)}"
    parts = [head]
    if case.note:
        parts.append(doctext.inline_markdown(case.note))
    for table, rows in (case.register or {}).items():
        parts += [f"Register table `{table}.csv`:", doctext.fence(rows_csv(rows), "csv")]
    if case.template is not None:
        parts += ["Template:", doctext.fence(case.template, "jinja")]
    if case.rows:
        parts += ["Batch `batch.csv`:", doctext.fence(rows_csv(case.rows), "csv")]
    if case.options:
        import yaml

        options = yaml.safe_dump(dict(case.options), sort_keys=False,
                                 default_flow_style=False).rstrip()
        parts += ["Options:", doctext.fence(options, "yaml")]
    return "\n\n".join(parts)


def _example_markdown(number: int, example: Example) -> str:
    return "\n\n".join([
        f"### {number}. {doctext.inline_markdown(example.title)}",
        _case_markdown(example.bad, "Bad"),
        _case_markdown(example.good, "Good"),
    ])


def _anchor_for(item: str) -> str | None:
    """The code a bullet documents (``* **code** (error): ...``): its anchor, so
    ``rules/<rule>/#<code>`` leads to the code's own words."""
    head = CODE_BULLET.match(item)
    return (head.group("bold") or head.group("lit")) if head else None


def code_anchors(rule: type[Rule]) -> set[str]:
    """Codes with an anchor on the rule's page (the bullets that document them)."""
    return {code for block in doctext.parse(rule.doc()) if block.kind == "bullets"
            for item in block.items if (code := _anchor_for(item))}


def _codes_anchor(rule: type[Rule]) -> Callable[[str], str | None]:
    codes = rule_codes(rule)
    return lambda item: code if (code := _anchor_for(item)) in codes else None


def rule_page(rule: type[Rule]) -> str:
    """A rule's page: what it catches, its codes, options and examples."""
    blocks, options = rule_doc(rule)
    summary, body = (blocks[0], blocks[1:]) if blocks and blocks[0].kind == "para" else (
        None, blocks)
    codes = list(rule_codes(rule))
    anchors = code_anchors(rule) & set(codes)
    facts = [("Default severity", f"`{rule.default_severity.value}`")]
    if rule.channels is not None:
        facts.append(("Channels", ", ".join(sorted(rule.channels))))
    facts += [
        ("Reads", ", ".join(sorted(rule.needs))),
        ("Codes", ", ".join(f"[`{c}`](#{c})" if c in anchors else f"`{c}`" for c in codes)
         or "none"),
    ]
    parts = [f"# {rule.name}"]
    if summary is not None:
        parts.append(f"*{doctext.inline_markdown(summary.text)}*")
    parts.append("| | |\n|---|---|\n" + "\n".join(f"| {k} | {_cell(v)} |" for k, v in facts))
    if body:
        parts.append(doctext.to_markdown(body, anchor=_codes_anchor(rule)))
    parts.append("## Options")
    if options:
        rows = ["| option | type | default | what it does |", "|---|---|---|---|"]
        for option in options:
            default = f"`{option.default}`" if option.default is not None else ""
            rows.append(f"| `{option.name}` | {_cell(option.kind)} | {_cell(default)} | "
                        f"{_cell(doctext.inline_markdown(option.description))} |")
        parts.append("\n".join(rows))
        first = options[0]
        value = first.default if first.default is not None else "..."
        parts.append("Set them under the rule's name in `policylint.yaml`, with its "
                     "severity if you change it:")
        parts.append(doctext.fence(
            f"rules:\n  {rule.name}: {{severity: {rule.default_severity.value}, "
            f"{first.name}: {value}}}", "yaml"))
    else:
        parts.append("None besides `severity`:")
        parts.append(doctext.fence(f"rules:\n  {rule.name}: warning   # or off", "yaml"))
    if rule.examples:
        parts.append("## Examples")
        parts.append("Each example is run by the test suite: the bad case must report what "
                     "it says, the good case nothing.")
        parts += [_example_markdown(n, ex) for n, ex in enumerate(rule.examples, start=1)]
    parts.append(f"In a terminal: `policylint explain {rule.name}`, or "
                 f"`policylint explain CODE` for any of its codes.")
    return "\n\n".join(parts) + "\n"


def check_page(check: EngineCheck) -> str:
    parts = [
        f"# {check.name}",
        f"*{doctext.inline_markdown(check.summary)}*",
        f"A check of the engine itself, not a rule. Severity: `{check.severity}`.",
        doctext.to_markdown(doctext.parse(check.doc)),
        "## Codes",
        "\n".join(f'- <a id="{code}"></a>`{code}`: {doctext.inline_markdown(text)}'
                  for code, text in check.codes.items()),
        f"In a terminal: `policylint explain {check.name}`.",
    ]
    return "\n\n".join(parts) + "\n"


def rules_index(rules: Mapping[str, type[Rule]]) -> str:
    rows = ["| rule | default | what it catches |", "|---|---|---|"]
    rows += [f"| [{name}]({name}.md) | `{rule.default_severity.value}` | "
             f"{_cell(doctext.inline_markdown(rule.summary))} |"
             for name, rule in rules.items()]
    checks = ["| check | codes |", "|---|---|"]
    checks += [f"| [{c.name}]({c.name}.md) | {_codes_list(c.codes)} |" for c in ENGINE_CHECKS]
    return "\n\n".join([
        "# Rules",
        "Every rule is on by default at the severity shown; a policy changes a severity, "
        "switches a rule `off`, or sets its options (see the "
        f"[policy reference](../{POLICY_PAGE})). Each finding names its rule and code, "
        "as `stale-address[previous-address]`; `policylint explain` takes either.",
        "\n".join(rows),
        "## Engine checks",
        "Findings of the engine itself: rows and templates that could not be checked, "
        "and warnings about the batch file and the policy. They are not rules and cannot "
        f"be switched off (see [engine checks](../{CHECKS_PAGE})).",
        "\n".join(checks),
    ]) + "\n"


def checks_index() -> str:
    items = "\n".join(f"- [{c.name}]({RULES_DIR}/{c.name}.md): "
                      f"{doctext.inline_markdown(c.summary)}" for c in ENGINE_CHECKS)
    return "\n\n".join([
        "# Engine checks",
        "Besides the rules, policylint reports what it could not check, and warns about "
        "the batch file and the policy itself. A row that could not be read or rendered, "
        "or a template that cannot be parsed, is never a finding you can baseline, "
        "suppress or switch off: the run exits 2 until it is fixed, because a row that "
        "was not checked must not pass.",
        items,
    ]) + "\n"


# --- the policy reference ----------------------------------------------------------------

# What each key means, by dotted path (``[]`` for a list's items, ``<name>`` for a
# mapping's free keys). The JSON Schema says the shape; these say the purpose. A key
# the schema gains without an entry here is still listed, with its type.
POLICY_KEYS: dict[str, str] = {
    "version": "The policy format's version. Always `1`.",
    "extends": "Policies this one builds on: built-in packs by name, or paths relative "
               "to this file. Merged in order, then this file on top.",
    "register": "The register (system of record) to check against: a directory of CSV "
                "tables or an SQLite file (relative to this file), a database URL, or a "
                "mapping of `url`, `tables` and `columns`.",
    "register.url": "A database URL (SQLAlchemy), read-only. `${NAME}` is read from the "
                    "environment; without it, `POLICYLINT_REGISTER_URL` is used.",
    "register.tables": "The database's table or view for each register table, when its "
                       "name differs.",
    "register.tables.<table>": "The table or view (`schema.name` allowed) holding it.",
    "register.columns": "The database's column for each register column, per table, when "
                        "its name differs.",
    "register.columns.*": "The columns of this register table (see [the register]"
                          "(register.md)).",
    "register.columns.*.<column>": "The database column holding it.",
    "fields": "Which batch column plays which role, when your headers differ from the "
              "defaults (`recipient_id`, `address_line_1`...).",
    "fields.<role>": "The column (or columns) holding this role.",
    "templates": "The templates a batch may use, by path or glob relative to this file, "
                 "with what their front matter would otherwise say.",
    "templates[].path": "A template file, or a glob of them.",
    "templates[].channel": "How items from it are sent.",
    "templates[].audience": "`recipient`: about the person it goes to. `third_party`: "
                            "about `subject_id`, sent to someone else.",
    "templates[].name": "The name the batch's `template` column uses (default: the file "
                        "name without its extension).",
    "templates[].scope": "Which representatives may receive it, matched against the "
                         "register's `representatives.scope` (default: any).",
    "templates[].syntax": "How its fields are written: Jinja `{{ field }}` or GOV.UK "
                          "Notify `((field))`.",
    "rules": "Per rule: `off`, a severity, or a mapping of `severity` and the rule's "
             "own options (listed on each [rule's page](rules/index.md)).",
    "rules.<rule>": "`off`, `error`, `warning`, `info`, or `{severity: ..., option: ...}`.",
    "rules.<rule>.severity": "The rule's severity, or `off`. The rest of the mapping "
                             "is the rule's options.",
    "suppressions": "Findings a person has checked and accepted, each with a reason and "
                    "an expiry date. An expired suppression is itself reported.",
    "suppressions[].rule": "The rule whose findings it hides.",
    "suppressions[].recipient_id": "Only for this recipient.",
    "suppressions[].template": "Only for items from this template.",
    "suppressions[].code": "Only this code of the rule (also written "
                           "`rule: stale-address[previous-address]`).",
    "suppressions[].reason": "Why: who checked what, and when.",
    "suppressions[].expires": "The last day it applies (YYYY-MM-DD).",
    "fingerprint_key": "The secret that keys finding fingerprints (baselines). Prefer "
                       "the `POLICYLINT_FINGERPRINT_KEY` environment variable.",
    "record": "Append one line per checked item to this dispatch record.",
    "record_key_file": "The file holding the dispatch record's key.",
    "output": "How findings are shown.",
    "output.show_ids": "Show opaque internal recipient and subject ids in full. Ids "
                       "that are NHS or NI numbers, emails or phone numbers stay masked.",
}

# A mapping with at least this many keys, all alike, is shown as one ``<name>`` row.
_COLLAPSE = 3


def _kind(schema: Mapping[str, Any]) -> str:
    if "anyOf" in schema or "oneOf" in schema:
        branches = schema.get("anyOf") or schema.get("oneOf") or []
        kinds: list[str] = []
        for branch in branches:
            if (shown := _kind(branch)) not in kinds:
                kinds.append(shown)
        return " or ".join(kinds)
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"] if v is not False)
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        inner = _kind(items)
        plural = {"string": "strings", "mapping": "mappings", "integer": "integers"}
        return f"list of {plural.get(inner, inner)}"
    if kind == "string" and schema.get("format") == "date":
        return "date"
    if kind == "object":
        return "mapping"
    return option_kind(schema) if kind else "any"


def _free_name(path: str) -> str:
    """What a key chosen by the user stands for, by where it is."""
    names = {"fields": "<role>", "rules": "<rule>", "register.tables": "<table>"}
    if path.startswith("register.columns."):
        return "<column>"
    return names.get(path, "<name>")


def _described(path: str) -> str:
    """The entry of POLICY_KEYS for ``path``; ``*`` there stands for any one key."""
    if path in POLICY_KEYS:
        return POLICY_KEYS[path]
    parts = path.split(".")
    for pattern, text in POLICY_KEYS.items():
        wanted = pattern.split(".")
        if len(wanted) == len(parts) and all(
                w in ("*", p) for w, p in zip(wanted, parts, strict=True)):
            return text
    return ""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _walk(schema: Mapping[str, Any], path: str) -> Iterable[tuple[str, Mapping[str, Any],
                                                                  bool]]:
    """(dotted path, schema, required) for every key below ``schema``."""
    branches = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    for branch in branches:
        if branch.get("type") == "array" and isinstance(branch.get("items"), Mapping):
            yield from _walk(branch["items"], f"{path}[]")
        props: Mapping[str, Any] = branch.get("properties", {})
        required = set(branch.get("required", []))
        if len(props) >= _COLLAPSE and all(p == next(iter(props.values()))
                                          for p in props.values()):
            yield _join(path, _free_name(path)), {**next(iter(props.values())),
                                                  "x-names": list(props)}, False
            continue
        for key, sub in props.items():
            child = _join(path, key)
            yield child, sub, key in required
            yield from _walk(sub, child)
        extra = branch.get("additionalProperties")
        if isinstance(extra, Mapping) and path:
            child = _join(path, _free_name(path))
            yield child, extra, False
            yield from _walk(extra, child)


def policy_keys(schema: Mapping[str, Any] | None = None) -> list[tuple[str, str, str]]:
    """(key, type, description) for every key of the policy schema, in order."""
    if schema is None:
        from policylint.config.schema import POLICY_SCHEMA

        schema = POLICY_SCHEMA
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for path, sub, required in _walk(schema, ""):
        if path in seen:
            continue
        seen.add(path)
        kind = _kind(sub) + (" (required)" if required else "")
        described = _described(path)
        names = sub.get("x-names")
        if names:
            described = (described + " " if described else "") + \
                "One of: " + ", ".join(f"`{n}`" for n in names) + "."
        if not described and sub.get("description"):
            text = str(sub["description"])
            described = text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
        rows.append((path, kind, described))
    return rows


def policy_page() -> str:
    from policylint.config.policy import available_packs

    packs = ", ".join(f"`{p}`" for p in available_packs())
    rows = ["| key | type | what it is |", "|---|---|---|"]
    rows += [f"| `{key}` | {_cell(kind)} | {_cell(text)} |" for key, kind, text in policy_keys()]
    return "\n\n".join([
        "# Policy reference",
        "A policy is a YAML file, `policylint.yaml` (or `.policylint.yaml`), found in the "
        "batch's directory or a parent, or given with `--policy`. It may also be a "
        "`[tool.policylint]` table in `pyproject.toml`. It is validated against a JSON "
        "Schema; an error names the file, the line and the key. This page is generated "
        "from that schema.",
        doctext.fence(_EXAMPLE_POLICY, "yaml"),
        f"Built-in packs for `extends:`: {packs}.",
        "## Keys",
        "`[]` stands for each item of a list, `<name>` for a key you choose.",
        "\n".join(rows),
        "Each rule's options are on [its page](rules/index.md) and in "
        "`policylint explain RULE`.",
    ]) + "\n"


_EXAMPLE_POLICY = """\
version: 1
extends: [uk-local-gov]          # built-in packs, or relative paths, merged in order
register: ./register             # directory of CSVs or an .sqlite file; relative to this file
fields:                          # map roles to your column names when they differ
  recipient_id: tenant_ref
  reference: [account_ref, case_ref]
templates:
  - {path: templates/*.j2}
  - {path: third-party/*.j2, audience: third_party, channel: letter}
rules:
  stale-address: {severity: error, max_age_days: 365}
  voicemail-content: {allowed_fields: [first_name, callback_number], sensitive_terms: [refuge]}
  merge-integrity: off
suppressions:
  - {rule: stale-address, recipient_id: "P-1043", reason: "verified by phone 2026-11-02",
     expires: 2027-01-31}
output: {show_ids: false}"""


# --- all pages, and the mkdocs hook ------------------------------------------------------------


def generated_pages() -> dict[str, str]:
    """Every generated page: its path under ``docs/`` -> its Markdown."""
    rules = builtin_rules()
    pages = {f"{RULES_DIR}/index.md": rules_index(rules), CHECKS_PAGE: checks_index(),
             POLICY_PAGE: policy_page()}
    for name, rule in rules.items():
        pages[f"{RULES_DIR}/{name}.md"] = rule_page(rule)
    for check in ENGINE_CHECKS:
        pages[f"{RULES_DIR}/{check.name}.md"] = check_page(check)
    return pages


def _expand_nav(nav: Sequence[Any], rules: Sequence[str]) -> list[Any]:
    """The nav with the Rules and Engine checks entries opened into one page each."""
    out: list[Any] = []
    for entry in nav:
        if isinstance(entry, Mapping) and len(entry) == 1:
            (title, target), = entry.items()
            if target == f"{RULES_DIR}/index.md":
                entry = {title: [f"{RULES_DIR}/index.md",
                                 *({n: f"{RULES_DIR}/{n}.md"} for n in rules)]}
            elif target == CHECKS_PAGE:
                entry = {title: [CHECKS_PAGE, *({c.name: f"{RULES_DIR}/{c.name}.md"}
                                                for c in ENGINE_CHECKS)]}
            elif isinstance(target, list):
                entry = {title: _expand_nav(target, rules)}
        out.append(entry)
    return out


def on_config(config: Any) -> Any:
    """mkdocs hook: list every rule and engine check in the navigation."""
    if config.get("nav"):
        config["nav"] = _expand_nav(config["nav"], list(builtin_rules()))
    return config


def on_files(files: Any, config: Any) -> Any:
    """mkdocs hook: add the generated pages (they replace any file of the same name)."""
    from mkdocs.structure.files import File

    for path, content in generated_pages().items():
        existing = files.get_file_from_path(path)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, path, content=content))
    return files
