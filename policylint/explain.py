"""``policylint explain NAME``: a rule, an engine check, or a finding code, as text.

What is explained comes from the rule itself: its docstring (converted from its
reST-style markup to plain text by :mod:`policylint.doctext`), its options
schema and its ``examples``. The documentation site renders the same sources as
Markdown (:mod:`policylint.docs_gen`).

Finding codes (``previous-address``) are not declared by rules, so the map from
a code to the rules that report it is built from what each rule already says
and does, in this order (a code may come from several):

1. ``codes`` on the rule class, if a rule declares them (a mapping of code to
   description, or a list of codes): the one source that cannot be incomplete.
2. The docstring: a bullet that starts with the code in bold or as a literal
   (``* **previous-address** (error): ...``), which also gives the code's
   description. This is how the rules document their codes today. A one-word
   head counts only under an intro that speaks of codes ("Codes:") or when
   another source knows the code: contact-validity heads its bullets with
   "email", "phone", "letters", which are topics, not codes.
3. The codes the rule's ``examples`` expect. Each example is run by the test
   suite (``tests/rules/test_examples.py``), which fails unless the bad case
   reports them, so these codes are proven; reading ``expect`` instead of
   running the examples keeps ``explain`` instant and unable to crash.
4. ``code="..."`` literals in the rule's own source module: codes a docstring
   forgot (contact-validity names only some of its codes).

A code is therefore resolved whenever any one source knows it, and a wrong code
is unlikely: every source is the rule's own word about itself. A code the
docstring only names in passing (````not-a-mobile```` inside the phone bullet)
takes that bullet as its description.

Last resort, for ``explain WORD`` only (never for the map): a rule whose source
holds WORD as a string literal (codes kept in a table of messages) is shown,
and the output says the code is undocumented.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import json
import re
import sys
import textwrap
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from policylint import doctext
from policylint.doctext import Block
from policylint.engine.rule import Case, Rule
from policylint.errors import PolicylintError

_CODE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
# The start of a bullet naming a code: **code** or ``code``, then (severity)? and ':'.
CODE_BULLET = re.compile(
    r"^(?:\*\*(?P<bold>[a-z][a-z0-9-]*)\*\*|``(?P<lit>[a-z][a-z0-9-]*)``)"
    r"\s*(?:\([^)]*\))?\s*:")
_BOLD_CODE = re.compile(r"\*\*([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\*\*")


# --- the engine's own checks --------------------------------------------------------


@dataclass(frozen=True)
class EngineCheck:
    """A check the engine itself makes, explained like a rule (same markup)."""

    name: str
    summary: str
    severity: str
    doc: str
    codes: Mapping[str, str] = field(default_factory=dict)


ENGINE_CHECKS: tuple[EngineCheck, ...] = (
    EngineCheck(
        name="render-error",
        summary="An item that could not be rendered, or whose attachments could not be "
                "read, so it was not checked.",
        severity="error",
        doc="""\
Every rule reads the rendered letter, email, text or voicemail script, and the
attachments sent with it. When a row's item cannot be rendered, or one of its
attachments cannot be read, the item cannot be checked completely, so the run
cannot pass: a ``render-error`` finding always makes ``policylint check``
exit 2. It cannot be switched off, suppressed or baselined, and
``--exit-zero`` does not hide it. Fix the template, the batch or the file and
run again.
""",
        codes={
            "missing-field": "the template uses a field the batch has no column for. "
                             "Reported once per template and field, at the field's line "
                             "in the template, with how many rows could not be rendered "
                             "and the first of them.",
            "unknown-template": "the row's ``template`` column names a template that is "
                                "not loaded (not in the policy's ``templates:`` and not "
                                "given with ``--template``).",
            "undefined-field": "a field the template uses has no value for this row.",
            "render-timeout": "rendering this row took too long (a loop that does not "
                              "end, or a very large one).",
            "output-too-large": "the rendered text is larger than any real letter.",
            "sandbox": "the template tried something the sandbox forbids: Python "
                       "internals, files or the environment.",
            "render-failed": "the template failed on this row (for example arithmetic on "
                             "a value that is not a number).",
            "template-unusable": "the template could not be parsed, so no row that uses "
                                 "it can be rendered.",
            "missing-attachment": "a file named in the row's ``attachments`` column does "
                                  "not exist (paths are relative to the batch).",
            "unreadable-attachment": "an attachment could not be read completely: "
                                     "damaged, not a regular file, or a scanned page with "
                                     "no text layer.",
            "encrypted-attachment": "an attachment is encrypted and could not be opened: "
                                    "give its password in the ``attachment_password`` "
                                    "column.",
            "unsupported-attachment": "an attachment of a kind policylint cannot read "
                                      "(PDF and Word .docx can be checked).",
        },
    ),
    EngineCheck(
        name="read-error",
        summary="A row that could not be read from the batch file, so it was not checked.",
        severity="error",
        doc="""\
The reader goes on to the end of the file and reports every row it could not
read (bad bytes for the file's encoding, a quoted cell that never ends, a
cell too large to be real), so a long export is fixed in one pass. Like
``render-error``, a ``read-error`` finding always makes the run exit 2 and
cannot be switched off, suppressed or baselined.
""",
        codes={
            "unreadable-row": "the row could not be read; the message gives the reason "
                              "and the column, never the cell's value.",
        },
    ),
    EngineCheck(
        name="batch-format",
        summary="A batch whose file may have changed its values: a warning, not an error.",
        severity="warning",
        doc="""\
A spreadsheet stores what looks like a number as a number, and drops what made
it an identifier: the leading zero of a phone number (07700 900123 becomes
7700900123) or of an account number. The row is still checked, but what is
checked may not be what was meant. Format such columns as Text in the workbook
(or give them a number format such as ``00000``) and export again.
""",
        codes={
            "stored-as-number": "a workbook column holds numbers shorter than its usual "
                                "length, as if leading zeros were lost (phone numbers, "
                                "account numbers stored as numbers); the finding gives "
                                "the count and the first row.",
        },
    ),
    EngineCheck(
        name="template-syntax",
        summary="A template that cannot be parsed: its syntax or its front matter is wrong.",
        severity="error",
        doc="""\
A template that cannot be parsed is reported once, at the line and column of
the problem: by ``policylint lint`` for every template it is given, and by
``policylint check`` for the templates the batch uses (an unused template
does not fail a run). No row that uses such a template can be rendered, so
those rows are not checked and ``check`` exits 2. Like ``render-error``, it
cannot be switched off, suppressed or baselined.
""",
        codes={
            "syntax": "the template's Jinja, GOV.UK Notify ``((field))`` or Word merge "
                      "fields are malformed (an unclosed ``{{``, an empty ``(( ))``, "
                      "Jinja in a Notify template...).",
            "front-matter": "the YAML front matter is not valid YAML, not a mapping, or "
                            "names a ``channel``, ``audience`` or ``syntax`` policylint "
                            "does not know.",
        },
    ),
    EngineCheck(
        name="policy",
        summary="Warnings about the policy itself: suppressions and baselines that no "
                "longer do what they say.",
        severity="warning",
        doc="""\
A suppression needs a reason and an expiry date, and a baseline hides findings
someone has already looked at. Neither may quietly hide a row that was not
checked, and neither should outlive its reason: these warnings say when one
does. They point at the policy file's line.
""",
        codes={
            "expired-suppression": "a suppression's ``expires`` date has passed: renew it "
                                   "with a new reason, or remove it.",
            "suppression-ignored": "a suppression matched a row that could not be checked "
                                   "(``render-error`` or ``read-error``) and was ignored: "
                                   "such rows always fail the run.",
            "baseline-ignored": "baseline entries matched rows that could not be checked "
                                "and were ignored: such rows always fail the run.",
            "stale-baseline": "baseline entries matched no finding: those problems are "
                              "gone; rewrite the baseline (``--write-baseline``) so it "
                              "hides only what is still there (info).",
        },
    ),
)

ENGINE_CHECK_NAMES = frozenset(check.name for check in ENGINE_CHECKS)


def engine_check(name: str) -> EngineCheck | None:
    return next((check for check in ENGINE_CHECKS if check.name == name), None)


# --- codes ----------------------------------------------------------------------------


def _doc_codes(blocks: Sequence[Block], known: Collection[str] = ()) -> dict[str, str]:
    """Codes a docstring documents: bullets that start with one (with the bullet as
    its description), and kebab-case codes set in bold inside a bullet.

    A one-word bullet head (``* **email**: ...``) is a code only when the list is
    introduced as codes ("Codes:") or another source knows the code: some rules
    head their bullets with what they check, not with a code.
    """
    found: dict[str, str] = {}
    intro = ""
    for block in blocks:
        if block.kind != "bullets":
            intro = block.text if block.kind == "para" else intro
            continue
        says_codes = "code" in intro.lower()
        for item in block.items:
            head = CODE_BULLET.match(item)
            if head:
                code = head.group("bold") or head.group("lit")
                if "-" in code or says_codes or code in known:
                    found.setdefault(code, item)
            for bold in _BOLD_CODE.findall(item):
                found.setdefault(bold, item)
    return found


def _declared_codes(rule: type[Rule]) -> dict[str, str]:
    declared = getattr(rule, "codes", None)
    if isinstance(declared, Mapping):
        return {str(k): str(v) for k, v in declared.items()}
    if isinstance(declared, list | tuple | frozenset | set):
        return {str(code): "" for code in declared}
    return {}


_SOURCE_CODES: dict[type[Rule], tuple[str, ...]] = {}


def _source_codes(rule: type[Rule]) -> tuple[str, ...]:
    """Cached: parsing a rule's source once per process is enough."""
    if rule not in _SOURCE_CODES:
        _SOURCE_CODES[rule] = _scan_source(rule)
    return _SOURCE_CODES[rule]


def _rule_tree(rule: type[Rule]) -> ast.AST | None:
    """The syntax tree of the rule's module (of its class alone when the module holds
    several rules); None when the source is not available."""
    module = sys.modules.get(rule.__module__)
    try:
        source = inspect.getsource(module) if module is not None else ""
        tree = ast.parse(source)
        rules_here = [n for n in tree.body if isinstance(n, ast.ClassDef)
                      and any(isinstance(s, ast.Assign) and any(
                          isinstance(t, ast.Name) and t.id == "name" for t in s.targets)
                          for s in n.body)]
        if len(rules_here) > 1:
            return ast.parse(inspect.cleandoc("\n" + inspect.getsource(rule)))
    except (OSError, TypeError, SyntaxError):
        return None
    return tree


def _scan_source(rule: type[Rule]) -> tuple[str, ...]:
    """``code="..."`` string literals in the rule's source."""
    tree = _rule_tree(rule)
    codes: list[str] = []
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.keyword) and node.arg == "code":
            value = node.value
            if (isinstance(value, ast.Constant) and isinstance(value.value, str)
                    and _CODE.fullmatch(value.value) and value.value not in codes):
                codes.append(value.value)
    return tuple(codes)


def _rules_quoting(word: str, registry: Mapping[str, Any]) -> list[str]:
    """Rules whose source holds ``word`` as a whole string literal: the last resort
    for a code a rule reports but documents nowhere (a table of codes and messages).
    Only used to answer ``explain WORD``, never to build the code map."""
    found = []
    for name, entry in registry.items():
        tree = _rule_tree(entry.rule)
        if tree is not None and any(isinstance(n, ast.Constant) and n.value == word
                                    for n in ast.walk(tree)):
            found.append(name)
    return found


def rule_codes(rule: type[Rule]) -> dict[str, str]:
    """Every code ``rule`` reports -> its description from the docstring ("" when the
    docstring does not describe it), documented codes first."""
    codes = dict(_declared_codes(rule))
    others = {*codes, *(c for ex in rule.examples for c in ex.bad.expect),
              *_source_codes(rule)}
    for code, text in _doc_codes(doctext.parse(rule.doc()), others).items():
        if not codes.get(code):
            codes[code] = text
    for example in rule.examples:
        for code in example.bad.expect:
            codes.setdefault(code, "")
    for code in _source_codes(rule):
        codes.setdefault(code, "")
    missing = [code for code, text in codes.items() if not text]
    if missing:
        # A code named in passing (``missing-email`` inside the email bullet): that
        # bullet or paragraph is its description.
        texts = [t for b in doctext.parse(rule.doc()) for t in (b.items or (b.text,))
                 if b.kind != "literal"]
        for code in missing:
            marked = (f"``{code}``", f"**{code}**")
            codes[code] = next((t for t in texts if any(m in t for m in marked)), "")
    return codes


def code_index(registry: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """code -> the names of the rules and engine checks that report it."""
    if registry is None:
        from policylint.plugins import rule_registry

        registry = rule_registry()
    index: dict[str, list[str]] = {}
    for name, entry in registry.items():
        for code in rule_codes(entry.rule):
            index.setdefault(code, []).append(name)
    for check in ENGINE_CHECKS:
        for code in check.codes:
            index.setdefault(code, []).append(check.name)
    return index


# --- options ----------------------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def option_kind(schema: Mapping[str, Any]) -> str:
    """A JSON Schema fragment in a few words: ``integer, at least 1``."""
    if "enum" in schema:
        kind = "one of " + ", ".join(_show(v) for v in schema["enum"] if v is not False)
    elif "const" in schema:
        kind = f"always {_show(schema['const'])}"
    else:
        kind = str(schema.get("type", "any"))
        if kind == "array":
            item = schema.get("items", {}).get("type")
            kind = f"list of {item}s" if item else "list"
        elif kind == "object":
            kind = "mapping"
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        kind += f", {_show(low)} to {_show(high)}"
    elif low is not None:
        kind += f", at least {_show(low)}"
    elif high is not None:
        kind += f", at most {_show(high)}"
    return kind


@dataclass(frozen=True)
class OptionDoc:
    name: str
    kind: str
    default: str | None
    description: str  # reST-style markup, like the docstring


def _options_paragraph(blocks: Sequence[Block], names: Sequence[str]) -> int | None:
    """The index of the docstring's "Options: ..." paragraph, when it only speaks
    about options in the schema (then the schema list replaces it)."""
    for index, block in enumerate(blocks):
        if block.kind == "para" and block.text.startswith("Options:"):
            mentioned = set(re.findall(r"``([a-z_][a-z0-9_]*)``", block.text))
            if mentioned and mentioned <= set(names):
                return index
    return None


def _clauses(text: str, names: Sequence[str]) -> dict[str, str]:
    """What an "Options:" paragraph says about each option: the words after
    ````name```` up to the next option, less a "(default ...)" the schema states."""
    spots = sorted((m.start(), m.end(), m.group(1))
                   for m in re.finditer(r"``([a-z_][a-z0-9_]*)``", text) if m.group(1) in names)
    out: dict[str, str] = {}
    for index, (_start, end, name) in enumerate(spots):
        stop = spots[index + 1][0] if index + 1 < len(spots) else len(text)
        words = text[end:stop]
        words = re.sub(r"\(default [^()]*\)", "", words)
        words = words.strip(" ;,.").removesuffix(" and").removesuffix(",").strip(" ;,")
        words = re.sub(r"^(?:and|or)\s+", "", words)
        if words:
            out[name] = words[0].upper() + words[1:] + ("" if words.endswith(".") else ".")
    return out


def rule_doc(rule: type[Rule]) -> tuple[list[Block], list[OptionDoc]]:
    """The rule's docstring blocks, and its options (listed once: a docstring
    paragraph that only restates the schema's options is folded into the list)."""
    blocks = doctext.parse(rule.doc())
    props: Mapping[str, Any] = rule.options_schema.get("properties", {})
    names = list(props)
    said: dict[str, str] = {}
    paragraph = _options_paragraph(blocks, names)
    if paragraph is not None:
        said = _clauses(blocks[paragraph].text, names)
        blocks = [b for i, b in enumerate(blocks) if i != paragraph]
    options = [OptionDoc(
        name=name, kind=option_kind(schema),
        default=_show(schema["default"]) if "default" in schema else None,
        description=str(schema.get("description") or said.get(name, "")))
        for name, schema in props.items()]
    return blocks, options


# --- text -------------------------------------------------------------------------------


def rows_csv(rows: Sequence[Mapping[str, str]]) -> str:
    import csv
    import io

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
            parts.append(f"  register {table}.csv:\n{_indent(rows_csv(rows))}")
    if case.template is not None:
        parts.append(f"  template:\n{_indent(case.template)}")
    if case.rows:
        parts.append(f"  batch.csv:\n{_indent(rows_csv(case.rows))}")
    if case.options:
        parts.append(f"  options: {json.dumps(dict(case.options))}\n")
    if case.expect:
        parts.append(f"  finds: {', '.join(case.expect)}\n")
    if case.note:
        parts.append(f"  ({doctext.inline_text(case.note)})\n")
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


def _wrap(text: str, indent: str, subsequent: str | None = None) -> str:
    return textwrap.fill(doctext.inline_text(text), width=doctext.WIDTH, initial_indent=indent,
                         subsequent_indent=indent if subsequent is None else subsequent,
                         break_on_hyphens=False, break_long_words=False)


def explain_rule(rule: type[Rule], plugin: str = "policylint") -> str:
    """Everything about one rule, as plain text for a terminal."""
    blocks, options = rule_doc(rule)
    lines = [f"{rule.name} ({rule.default_severity.value} by default, from {plugin})", "",
             doctext.to_text(blocks), ""]
    codes = rule_codes(rule)
    plain = doctext.inline_text(rule.doc())
    unmentioned = [c for c in codes if not re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])",
                                                     plain)]
    if unmentioned:
        lines += [_wrap("Also reports: " + ", ".join(unmentioned) + ".", ""), ""]
    if options:
        lines.append(f"Options (under rules: {rule.name}: in policylint.yaml):")
        for option in options:
            default = f", default {option.default}" if option.default is not None else ""
            lines.append(_wrap(f"{option.name}: {option.kind}{default}", "  ", "      "))
            if option.description:
                lines.append(_wrap(option.description, "      "))
        lines.append("")
    if rule.channels is not None:
        lines += [f"Applies to: {', '.join(sorted(rule.channels))}", ""]
    for number, example in enumerate(rule.examples, start=1):
        lines.append(f"Example {number}: {doctext.inline_text(example.title)}")
        lines.append("Bad:")
        lines.append(_case(example.bad).rstrip("\n"))
        lines.append("Good:")
        lines.append(_case(example.good).rstrip("\n"))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def explain_check(check: EngineCheck) -> str:
    """An engine check, as plain text, laid out like a rule."""
    lines = [f"{check.name} ({check.severity}; a check of the engine itself, not a rule)", "",
             doctext.to_text(doctext.parse(check.summary + "\n\n" + check.doc)), ""]
    if check.codes:
        lines.append("Codes:")
        lines += [_wrap(f"{code}: {text}", "  ", "    ") for code, text in check.codes.items()]
    return "\n".join(lines).rstrip() + "\n"


def _code_line(code: str, text: str) -> str:
    if not text:
        return f"  {code}: see the rule's description and examples below."
    text = doctext.inline_text(text)
    if not text.startswith(code):
        text = f"{code}: {text}"
    return textwrap.fill(text, width=doctext.WIDTH, initial_indent="  ",
                         subsequent_indent="    ", break_on_hyphens=False,
                         break_long_words=False)


def _describe_code(code: str, owner: str, registry: Mapping[str, Any]) -> str:
    check = engine_check(owner)
    text = check.codes.get(code, "") if check else rule_codes(registry[owner].rule).get(code, "")
    return _code_line(code, text)


def explain(name: str, registry: Mapping[str, Any] | None = None) -> str:
    """What ``policylint explain NAME`` prints. NAME is a rule, an engine check, a
    finding code, or ``rule[code]`` as the text output shows it."""
    if registry is None:
        from policylint.plugins import rule_registry

        registry = rule_registry()
    name = name.strip()
    pair = re.fullmatch(r"([\w.-]+)\[([\w.-]+)\]|([\w.-]+):([\w.-]+)", name)
    if pair:
        owner, code = pair.group(1) or pair.group(3), pair.group(2) or pair.group(4)
        if owner in registry or owner in ENGINE_CHECK_NAMES:
            return (f"Code {code}, reported by {owner}:\n"
                    f"{_describe_code(code, owner, registry)}\n\n{_explain_owner(owner, registry)}")
        name = code
    if name in registry or name in ENGINE_CHECK_NAMES:
        return _explain_owner(name, registry)
    owners = code_index(registry).get(name)
    if not owners and _CODE.fullmatch(name) and "-" in name:
        quoting = _rules_quoting(name, registry)
        if quoting:
            lines = [f"{name} is not a documented code, but the source of "
                     f"{' and '.join(quoting)} uses it.", ""]
            lines += [_explain_owner(owner, registry) for owner in quoting]
            return "\n".join(lines)
    if owners and len(owners) == 1:
        owner = owners[0]
        return (f"Code {name}, reported by {owner}:\n{_describe_code(name, owner, registry)}"
                f"\n\n{_explain_owner(owner, registry)}")
    if owners:
        lines = [f"Code {name} is reported by {len(owners)} rules:", ""]
        for owner in owners:
            lines += [f"{owner}:", _describe_code(name, owner, registry), ""]
        lines.append(f"Run `policylint explain {owners[0]}` (or another of them) for the "
                     "whole rule.")
        return "\n".join(lines) + "\n"
    known = [*registry, *ENGINE_CHECK_NAMES, *code_index(registry)]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else " (see `policylint rules`)"
    raise PolicylintError(f"unknown rule or code '{name}'{hint}")


def _explain_owner(name: str, registry: Mapping[str, Any]) -> str:
    check = engine_check(name)
    if check is not None:
        return explain_check(check)
    entry = registry[name]
    return explain_rule(entry.rule, entry.plugin)
