"""GitHub workflow commands: one annotation per finding, escaped per the runner's rules."""

from __future__ import annotations

import pytest

from policylint.model import Finding, Severity, Summary
from policylint.reporters.github import GithubReporter, escape_data, escape_property


def test_annotations_and_summary(findings: list[Finding], summary: Summary) -> None:
    out = GithubReporter().render(findings, summary)
    assert out.splitlines() == [
        "::error file=batch.csv,line=14,title=stale-address::"
        "Letter to a previous address (moved 2025-03-01) (column address_line_1, recipient P-1043)",
        "::warning file=batch.csv,line=20,title=voicemail-content::"
        "Voicemail script names a surname J. S*** (recipient P-2001)",
        "::notice file=templates/reminder.j2,line=3,col=12,title=merge-integrity::"
        "Unresolved placeholder {{ ref }}",
        "Checked 212 rows in 1 file and 4 templates. Found 3 findings: 1 error, 1 warning,"
        " 1 info. 2 suppressed, 1 in baseline.",
    ]


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("100%", "100%25", "100%25"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("%0A", "%250A", "%250A"),  # an already-escaped-looking value is not un-escaped
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_hostile_text_cannot_start_a_new_command(nasty: list[Finding],
                                                 nasty_summary: Summary) -> None:
    out = GithubReporter().render(nasty, nasty_summary)
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0] == (
        "::error file=dir%2C with%3A comma/batch 1.csv,line=7,title=recipient-mismatch::"
        "first line%0Asecond%0D line \"q\" 's' <b>&amp; 100%25 a,b c:d "
        "\\x1b[31mred\\x07 \\u202eevil (column name%0Acol, recipient P,1:2)"
    )
    assert lines[1] == (
        '::warning file=batch.csv,line=8,title=contact-validity::=HYPERLINK("http://x","click")'
    )
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out


def test_empty_prints_only_the_summary(empty_summary: Summary) -> None:
    out = GithubReporter().render([], empty_summary)
    assert out == "Checked 212 rows in 1 file. All clear: no findings at or above error.\n"


def test_no_file_or_position() -> None:
    reporter = GithubReporter()
    assert reporter.format_finding(
        Finding(rule="r", severity=Severity.INFO, message="m", file="")
    ) == "::notice title=r::m"
    assert reporter.format_finding(
        Finding(rule="r", severity=Severity.WARNING, message="m", file="p.yaml", line=4)
    ) == "::warning file=p.yaml,line=4,title=r::m"


def test_annotations_beyond_githubs_per_step_limit_are_summarised() -> None:
    findings = [Finding(rule="stale-address", severity=Severity.ERROR, message=f"m{n}",
                        file="batch.csv", code="previous-address", row=n + 2)
                for n in range(13)]
    findings.append(Finding(rule="merge-integrity", severity=Severity.WARNING, message="w",
                            file="batch.csv", code="null-value", row=40))
    lines = GithubReporter().render(findings, Summary(counts={"error": 13})).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 10 and errors[-1].endswith("::m9")
    assert "batch.csv:14: stale-address[previous-address] [error] m12" in lines
    assert any(line.startswith("::warning ") for line in lines)  # its own limit
    notice = [line for line in lines if line.startswith("::notice title=policylint::")]
    assert notice == ["::notice title=policylint::3 more error finding(s) are in the log "
                      "above but not annotated (GitHub shows 10 per step); see the full "
                      "report"]
