"""The default text format: one line per finding, summary last, colour only on request."""

from __future__ import annotations

import re

from policylint.model import Finding, Severity, Summary
from policylint.reporters.text import ROW_LEGEND, TextReporter

ANSI = re.compile("\x1b\\[[0-9;]*m")


def test_one_line_per_finding_then_summary(findings: list[Finding], summary: Summary) -> None:
    out = TextReporter().render(findings, summary)
    assert out.endswith("\n")
    assert out.splitlines() == [
        "batch.csv:14: stale-address[previous-address] [error] Letter to a previous address"
        " (moved 2025-03-01) (column address_line_1, recipient P-1043)",
        "batch.csv:20: voicemail-content[surname] [warning] Voicemail script names a surname"
        " J. S*** (recipient P-2001)",
        "templates/reminder.j2:3:12: merge-integrity[placeholder] [info] Unresolved placeholder"
        " {{ ref }}",
        ROW_LEGEND,
        "Checked 212 rows in 1 file and 4 templates. Found 3 findings: 1 error, 1 warning,"
        " 1 info. 2 suppressed, 1 in baseline.",
    ]


def test_no_colour_unless_asked(findings: list[Finding], summary: Summary) -> None:
    assert "\x1b" not in TextReporter().render(findings, summary)


def test_colour_marks_severity_and_dims_file(findings: list[Finding], summary: Summary) -> None:
    out = TextReporter(color=True).render(findings, summary)
    first = out.splitlines()[0]
    assert first.startswith("\x1b[2mbatch.csv\x1b[0m:14:")
    assert "\x1b[1;31m[error]\x1b[0m" in first
    assert "\x1b[33m[warning]\x1b[0m" in out
    assert "\x1b[36m[info]\x1b[0m" in out
    # Without the escapes it reads exactly like the plain output.
    assert ANSI.sub("", out) == TextReporter().render(findings, summary)


def test_empty_is_all_clear(empty_summary: Summary) -> None:
    out = TextReporter().render([], empty_summary)
    assert out == "Checked 212 rows in 1 file. All clear: no findings at or above error.\n"


def test_hostile_text_stays_on_one_line_and_cannot_colour(nasty: list[Finding],
                                                          nasty_summary: Summary) -> None:
    out = TextReporter(color=False).render(nasty, nasty_summary)
    lines = out.splitlines()
    assert len(lines) == 4  # two findings, legend, summary: embedded newlines split nothing
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\r" not in out
    assert lines[0].startswith(
        "dir, with: comma/batch 1.csv:7: recipient-mismatch[name-differs] [error] ")
    assert "first line\\nsecond\\r line" in lines[0]
    assert '"q" \'s\' <b>&amp; 100% a,b c:d \\x1b[31mred\\x07 \\u202eevil' in lines[0]
    assert lines[0].endswith("(column name\\ncol, recipient P,1:2)")
    assert lines[1].endswith('[warning] =HYPERLINK("http://x","click")')


def test_finding_without_position_or_file() -> None:
    reporter = TextReporter()
    no_pos = Finding(rule="r", severity=Severity.ERROR, message="m", file="policy.yaml")
    assert reporter.format_finding(no_pos) == "policy.yaml: r [error] m"
    no_file = Finding(rule="r", severity=Severity.INFO, message="m", file="")
    assert reporter.format_finding(no_file) == "r [info] m"


def test_on_a_terminal_long_lines_wrap_with_an_indent() -> None:
    from policylint.reporting import wrap_for_terminal

    line = "batch.csv:8: stale-address[previous-address] [error] " + "word " * 40
    wrapped = wrap_for_terminal(line + "\nsummary\n", width=60).splitlines()
    assert all(len(w) <= 60 for w in wrapped) and len(wrapped) > 3
    assert wrapped[0].startswith("batch.csv:8: ") and wrapped[1].startswith("    ")
    assert wrapped[-1] == "summary"
