"""Shared pieces: escaping, positions, the summary wording, rule metadata, registration."""

from __future__ import annotations

import pluggy
import pytest

import policylint.hookspecs
import policylint.reporters
from policylint.engine.rule import Rule
from policylint.model import Finding, Severity, Summary
from policylint.reporters import BUILTIN_REPORTERS, Reporter
from policylint.reporters.base import (
    RuleInfo,
    clean_finding,
    clean_text,
    position,
    spreadsheet_safe,
    summary_line,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text, 100% <ok> & \"fine\"", "plain text, 100% <ok> & \"fine\""),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("bell\x07 nul\x00 del\x7f csi\x9b", "bell\\x07 nul\\x00 del\\x7f csi\\x9b"),
        ("abc\u202edcba\u2066", "abc\\u202edcba\\u2066"),
        ("line\u2028sep", "line\\u2028sep"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("Zoë Ó Sé – ok", "Zoë Ó Sé – ok"),
    ],
)
def test_clean_text_escapes_control_characters(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_keep_leaves_chosen_characters() -> None:
    assert clean_text("a\nb\x1b", keep="\n") == "a\nb\\x1b"


def test_clean_text_none_is_empty() -> None:
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+44 20", "'+44 20"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\\tx"),
        ("\rx", "'\\rx"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_safe_defuses_formulas(raw: str, expected: str) -> None:
    assert spreadsheet_safe(raw) == expected


def test_clean_finding_cleans_every_text_field() -> None:
    f = Finding(
        rule="r\x1b", severity=Severity.ERROR, message="m\n", file="f\x00", code="c\x07",
        column="col\n", recipient_id="id\r", fingerprint="fp\x1b", plugin="p\x7f",
    )
    cleaned = clean_finding(f)
    for value in (cleaned.rule, cleaned.message, cleaned.file, cleaned.code, cleaned.column,
                  cleaned.recipient_id, cleaned.fingerprint, cleaned.plugin):
        assert value is not None
        assert clean_text(value) == value
    assert cleaned.message == "m\\n"
    assert cleaned.severity is Severity.ERROR


def test_position_prefers_row_and_pairs_col_with_line_only() -> None:
    base = Finding(rule="r", severity=Severity.ERROR, message="m", file="f")
    assert position(base) == (None, None)
    assert position(Finding(**{**base.__dict__, "row": 5, "col": 3})) == (5, None)
    assert position(Finding(**{**base.__dict__, "line": 2, "col": 3})) == (2, 3)
    assert position(Finding(**{**base.__dict__, "line": 2})) == (2, None)
    assert position(Finding(**{**base.__dict__, "row": 9, "line": 2, "col": 3})) == (9, None)


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (
            Summary(files=("b.csv",), rows_checked=212, templates_checked=4,
                    counts={"error": 3, "warning": 2, "info": 1}, suppressed=2, baselined=1),
            "Checked 212 rows in 1 file and 4 templates. "
            "Found 6 findings: 3 errors, 2 warnings, 1 info. 2 suppressed, 1 in baseline.",
        ),
        (
            Summary(files=("b.csv",), rows_checked=1, counts={"error": 1}),
            "Checked 1 row in 1 file. Found 1 finding: 1 error.",
        ),
        (
            Summary(files=("a.csv", "b.csv"), rows_checked=10),
            "Checked 10 rows in 2 files. All clear: no findings at or above error.",
        ),
        (
            Summary(templates_checked=1, counts={"warning": 2, "error": 0}),
            "Checked 1 template. Found 2 findings: 2 warnings. None at or above error.",
        ),
        (
            Summary(files=("b.csv",), rows_checked=3, counts={"info": 2}, baselined=4,
                    fail_on=Severity.INFO),
            "Checked 3 rows in 1 file. Found 2 findings: 2 info. 4 in baseline.",
        ),
        (
            Summary(files=("b.csv",), rows_checked=3, suppressed=1, fail_on=Severity.WARNING),
            "Checked 3 rows in 1 file. All clear: no findings at or above warning. 1 suppressed.",
        ),
    ],
)
def test_summary_line_wording(summary: Summary, expected: str) -> None:
    assert summary_line(summary) == expected


def test_summary_line_never_says_all_clear_when_something_was_found() -> None:
    s = Summary(files=("b.csv",), rows_checked=3, counts={"info": 1})
    line = summary_line(s)
    assert "All clear" not in line
    assert "Found 1 finding" in line


def test_rule_info_from_rule_class() -> None:
    class Demo(Rule):
        """Letters must go to the current address.

        Longer explanation.
        """

        name = "demo-rule"
        summary = "Letters must go to the current address."
        default_severity = Severity.WARNING

    info = RuleInfo.from_rule(Demo)
    assert info.name == "demo-rule"
    assert info.summary == "Letters must go to the current address."
    assert info.default_severity is Severity.WARNING
    assert "Longer explanation." in info.help


def test_reporter_defaults_to_installed_version_and_keeps_rules() -> None:
    rules = {"r": RuleInfo(name="r")}
    reporter = Reporter(rules=rules)
    assert reporter.tool_version == policylint.__version__
    assert reporter.rules == rules
    assert Reporter(tool_version="9.9").tool_version == "9.9"
    with pytest.raises(NotImplementedError):
        reporter.render([], Summary())


def test_builtin_reporters_are_registered_through_the_hook() -> None:
    pm = pluggy.PluginManager(policylint.hookspecs.PROJECT)
    pm.add_hookspecs(policylint.hookspecs)
    pm.register(policylint.reporters)
    results = pm.hook.policylint_reporters()
    assert [tuple(r) for r in results] == [BUILTIN_REPORTERS]
    names = [r.name for r in BUILTIN_REPORTERS]
    assert names == ["text", "json", "sarif", "junit", "github", "csv"]
    assert all(r.description for r in BUILTIN_REPORTERS)
    assert all(issubclass(r, Reporter) for r in BUILTIN_REPORTERS)
