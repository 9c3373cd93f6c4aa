"""`policylint explain`: readable text for every rule, engine check and finding code."""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from click.testing import CliRunner

from policylint import doctext
from policylint.cli import cli
from policylint.engine.rule import Case, Example, Item, Rule
from policylint.explain import ENGINE_CHECKS, code_index, explain, explain_rule, rule_codes
from policylint.model import Violation
from policylint.plugins import rule_registry

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = rule_registry()
NAMES = [*REGISTRY, *(check.name for check in ENGINE_CHECKS)]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["explain", *args])
    return result.exit_code, result.output


# --- readable text --------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_explain_prints_no_rest_markup(name: str) -> None:
    code, text = run(name)
    assert code == 0
    assert "``" not in text
    assert "**" not in text
    assert not re.search(r"::\s*$", text, flags=re.MULTILINE), "a reST literal marker"
    assert not re.search(r":[a-z]+:`", text), "a Sphinx role"
    assert not re.search(r"(?<![\w*])\*[A-Za-z][^*\n]*\*(?![\w*])", text), "*emphasis*"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_options_are_listed_once(name: str) -> None:
    rule = REGISTRY[name].rule
    _, text = run(name)
    assert not re.search(r"^Options:", text, flags=re.MULTILINE), "docstring Options: kept"
    for option in rule.options_schema.get("properties", {}):
        assert len(re.findall(rf"^  {option}: ", text, flags=re.MULTILINE)) == 1, option


class _OptionsRule(Rule):
    """A rule whose docstring also describes its options.

    * **odd-value**: a value is odd.

    Options: ``alpha`` (default true) makes odd values a warning; ``beta``
    (default 3) is how odd.
    """

    name = "options-rule"
    options_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {
        "alpha": {"type": "boolean", "default": True},
        "beta": {"type": "integer", "minimum": 1, "default": 3,
                 "description": "How odd a value must be."},
    }}


def test_options_paragraph_folds_into_the_schema_list() -> None:
    text = explain_rule(_OptionsRule)
    assert "Options:" not in text.split("Options (under rules:")[0]
    block = text.split("Options (under rules: options-rule: in policylint.yaml):\n")[1]
    assert block.startswith(
        "  alpha: boolean, default true\n"
        "      Makes odd values a warning.\n"
        "  beta: integer, at least 1, default 3\n"
        "      How odd a value must be.\n")
    assert "Also reports" not in text


@pytest.mark.parametrize("name", list(REGISTRY))
def test_literal_blocks_stay_verbatim_and_indented(name: str) -> None:
    _, text = run(name)
    for block in doctext.parse(REGISTRY[name].rule.doc()):
        if block.kind == "literal":
            assert textwrap.indent(block.text, "    ", lambda line: bool(line.strip())) in text


# --- codes ----------------------------------------------------------------------------


def scenario_findings() -> Iterator[tuple[str, str, str]]:
    scenarios = ROOT / "tests" / "scenarios"
    for expected in sorted([*scenarios.glob("*/expected.yaml"),
                            *scenarios.glob("*/scenario.yaml")]):
        data = yaml.safe_load(expected.read_text(encoding="utf-8"))
        for finding in data.get("findings") or []:
            yield expected.parent.name, finding["rule"], finding["code"]


# Codes a rule reports but neither documents nor uses in its examples, so `explain`
# cannot find them yet. Fix: list them in the rule's docstring ("Codes:" bullets
# starting with the code in bold) or declare them (`codes = {...}`), then delete
# them here (the test below fails until you do, so this list only shrinks).
KNOWN_UNDOCUMENTED: set[tuple[str, str]] = set()


def test_every_code_in_the_scenarios_resolves_to_its_rule() -> None:
    index = code_index()
    seen = list(scenario_findings())
    assert len(seen) > 20
    unresolved = {(rule, code) for _scenario, rule, code in seen
                  if rule not in index.get(code, [])}
    assert unresolved - KNOWN_UNDOCUMENTED == set(), "codes `policylint explain` cannot find"
    assert KNOWN_UNDOCUMENTED - unresolved == set(), "documented now: drop from the list"


def test_an_undocumented_code_is_still_explained_from_the_rules_source(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A code only the rule's source knows (a plug-in that documents nothing) is still
    found, and said to be undocumented."""
    from policylint.rules.redaction_residue import RedactionResidue

    doc = RedactionResidue.__doc__ or ""
    monkeypatch.setattr(RedactionResidue, "__doc__", doc.split("Codes for text")[0])
    exit_code, text = run("text-under-box")
    assert exit_code == 0
    assert text.startswith("text-under-box is not a documented code, but the source of "
                           "redaction-residue uses it.\n\nredaction-residue (")


def test_every_example_code_resolves_to_its_rule() -> None:
    index = code_index()
    for name, entry in REGISTRY.items():
        for example in entry.rule.examples:
            for code in example.bad.expect:
                assert name in index[code], (name, code)


def test_documented_codes_come_with_their_description() -> None:
    codes = rule_codes(REGISTRY["stale-address"].rule)
    assert codes["previous-address"].startswith("**previous-address**")
    assert codes["gone-away"].startswith("**gone-away**")
    # protected-address writes its codes as ``literals``, not bold
    assert set(rule_codes(REGISTRY["protected-address"].rule)) >= {
        "protected-detail", "do-not-disclose", "third-party-contact-field"}


def test_codes_a_docstring_omits_are_found_in_the_rules_source() -> None:
    # contact-validity names some codes only in passing, others not at all
    codes = rule_codes(REGISTRY["contact-validity"].rule)
    assert {"address-too-short", "invalid-postcode", "formula-in-address"} <= set(codes)


class _QuietRule(Rule):
    """A rule that documents one code of two.

    * **loud-code**: documented.
    """

    name = "quiet-rule"

    def check_item(self, item: Item) -> Iterable[Violation]:
        yield Violation(code="quiet-code", message="never documented")


def test_undocumented_codes_are_listed_after_the_docs() -> None:
    assert list(rule_codes(_QuietRule)) == ["loud-code", "quiet-code"]
    assert "\nAlso reports: quiet-code.\n" in explain_rule(_QuietRule)


def test_bullet_heads_that_are_not_codes_are_not_taken_for_codes() -> None:
    # contact-validity heads its bullets with what it checks ("email", "phone",
    # "letters"), not with codes; one-word heads count only under "Codes:".
    codes = rule_codes(REGISTRY["contact-validity"].rule)
    assert not {"email", "phone", "letters"} & set(codes)
    assert {"surname", "address", "amount"} <= set(rule_codes(REGISTRY["voicemail-content"].rule))
    assert "deceased" in rule_codes(REGISTRY["stale-address"].rule)


def test_a_code_named_in_passing_is_described_by_its_bullet() -> None:
    code, text = run("not-a-mobile")
    assert code == 0
    head = text.split("\n\n")[0]
    assert head.startswith("Code not-a-mobile, reported by contact-validity:\n  not-a-mobile")
    assert "see the rule's description" not in head and "mobile" in head[40:]


class _DeclaredRule(Rule):
    """A third-party rule that declares its codes.

    * **first-code**: documented here too.
    """

    name = "declared-rule"
    codes: ClassVar[dict[str, str]] = {"first-code": "declared description",
                                       "second-code": "declared too"}
    examples = (Example("x", bad=Case(rows=[{"a": "1"}], expect=["third-code"]),
                        good=Case(rows=[{"a": "1"}])),)


def test_declared_codes_come_first_and_keep_their_description() -> None:
    codes = rule_codes(_DeclaredRule)
    assert codes == {"first-code": "declared description", "second-code": "declared too",
                     "third-code": ""}


def test_a_code_explains_the_rule_that_reports_it() -> None:
    code, text = run("previous-address")
    assert code == 0
    assert text.startswith("Code previous-address, reported by stale-address:\n"
                           "  previous-address (error): ")
    assert "\nstale-address (error by default, from policylint)\n" in text
    assert "Example 1:" in text


def test_rule_and_code_as_the_text_output_shows_them() -> None:
    for spelling in ("stale-address[previous-address]", "stale-address:previous-address"):
        code, text = run(spelling)
        assert code == 0
        assert text.startswith("Code previous-address, reported by stale-address:")


def test_a_code_several_rules_report_lists_each() -> None:
    code, text = run("unknown-recipient")
    assert code == 0
    assert text.startswith("Code unknown-recipient is reported by 3 rules:")
    for rule in ("stale-address:", "stale-contact:", "voicemail-content:"):
        assert f"\n{rule}\n  unknown-recipient" in text


@pytest.mark.parametrize("check", ENGINE_CHECKS, ids=lambda c: c.name)
def test_engine_checks_and_their_codes_are_explained(check: object) -> None:
    name = check.name  # type: ignore[attr-defined]
    code, text = run(name)
    assert code == 0 and text.startswith(f"{name} (")
    for finding_code in check.codes:  # type: ignore[attr-defined]
        assert f"  {finding_code}: " in text
        code, text_for_code = run(finding_code)
        assert code == 0
        assert text_for_code.startswith(f"Code {finding_code}, reported by {name}:")


def test_unknown_name_is_exit_2_with_a_suggestion() -> None:
    code, text = run("previous-adress")
    assert code == 2
    assert "unknown rule or code 'previous-adress'; did you mean 'previous-address'?" in text
    assert run("no-such-thing-at-all")[0] == 2


def _engine_codes() -> Iterator[tuple[str, str, str]]:
    """(file, code, check) for every code the engine and template loaders emit, read
    from their source, so a new engine code without documentation fails here."""
    sources = [*sorted((ROOT / "policylint" / "engine").glob("*.py")),
               *sorted((ROOT / "policylint" / "io" / "templates").glob("*.py")),
               *sorted((ROOT / "policylint" / "io").glob("attachments*.py"))]
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            args = [a.value for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if called in ("RenderError", "AttachmentError") and args:
                yield path.name, args[0], "render-error"
            elif called == "TemplateProblem" and args:
                yield path.name, args[0], "template-syntax"
            elif called == "_policy_warning" and args:
                yield path.name, args[0], "policy"
            elif called == "Violation" and path.parent.name == "engine":
                for keyword in node.keywords:
                    value = keyword.value
                    if (keyword.arg == "code" and isinstance(value, ast.Constant)
                            and isinstance(value.value, str)):
                        yield path.name, value.value, ""
            if called in ("Finding", "_baseline_note"):  # the latter wraps a Finding
                for keyword in node.keywords:
                    value = keyword.value
                    if (keyword.arg == "code" and isinstance(value, ast.Constant)
                            and isinstance(value.value, str)):
                        yield path.name, value.value, "policy"


def test_every_engine_code_is_documented() -> None:
    found = list(_engine_codes())
    assert {"missing-field", "unknown-template", "unreadable-row", "syntax",
            "baseline-ignored", "missing-attachment"} <= {code for _, code, _ in found}
    index = code_index()
    documented = {check.name for check in ENGINE_CHECKS}
    for file, code, check in found:
        owners = [o for o in index.get(code, []) if o in documented]
        assert owners, f"{file}: engine code '{code}' is not in policylint.explain.ENGINE_CHECKS"
        if check:
            assert check in owners, (file, code, owners)


# --- the markup converter -----------------------------------------------------------------

SAMPLE = """\
Summary line.

A paragraph with ``12A`` and ``10 High St``, **bold**, *emphasis* and
:class:`~policylint.model.Finding`.

Codes:

* **first-code** (error): a bullet that
  goes on.
* ``second-code``: another.

**Anti-pattern**: a literal block follows::

    a,b
    1,2

Just a marker:

::

    kept as it is
"""


def test_markup_to_text() -> None:
    text = doctext.to_text(doctext.parse(SAMPLE))
    assert text == (
        "Summary line.\n\n"
        "A paragraph with 12A and '10 High St', bold, emphasis and Finding.\n\n"
        "Codes:\n\n"
        "  - first-code (error): a bullet that goes on.\n"
        "  - second-code: another.\n\n"
        "Anti-pattern: a literal block follows:\n\n"
        "    a,b\n    1,2\n\n"
        "Just a marker:\n\n"
        "    kept as it is")


def test_markup_to_markdown() -> None:
    markdown = doctext.to_markdown(doctext.parse(SAMPLE))
    assert "A paragraph with `12A` and `10 High St`, **bold**, *emphasis* and `Finding`." \
        in markdown
    assert "- **first-code** (error): a bullet that goes on.\n- `second-code`: another." \
        in markdown
    assert "```csv\na,b\n1,2\n```" in markdown
    assert "```text\nkept as it is\n```" in markdown
    assert "::" not in markdown


def test_markdown_is_escaped_where_words_would_become_markup() -> None:
    markdown = doctext.to_markdown(doctext.parse("1. not a list <b>x</b> a\\b ``<kept>``"))
    assert markdown == "1\\. not a list &lt;b>x&lt;/b> a\\\\b `<kept>`"
    assert doctext.fence("a ``` b") == "````text\na ``` b\n````"


def test_explain_function_matches_the_command() -> None:
    assert explain("stale-address") == run("stale-address")[1]
