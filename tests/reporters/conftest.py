"""Findings shared by the reporter tests: batch rows, template positions, hostile text."""

from __future__ import annotations

import pytest

from policylint.model import Finding, Severity, Summary

# Everything a message must survive: newlines, quotes, XML specials, percent,
# commas, colons, an ANSI colour escape, a bell, a bidi override, a formula.
NASTY = 'first line\nsecond\r line "q" \'s\' <b>&amp; 100% a,b c:d \x1b[31mred\x07 \u202eevil'
FORMULA = "=HYPERLINK(\"http://x\",\"click\")"


@pytest.fixture
def findings() -> list[Finding]:
    return [
        Finding(
            rule="stale-address",
            severity=Severity.ERROR,
            message="Letter to a previous address (moved 2025-03-01)",
            file="batch.csv",
            code="previous-address",
            row=14,
            column="address_line_1",
            recipient_id="P-1043",
            fingerprint="fp-stale-14",
        ),
        Finding(
            rule="voicemail-content",
            severity=Severity.WARNING,
            message="Voicemail script names a surname J. S***",
            file="batch.csv",
            code="surname",
            row=20,
            recipient_id="P-2001",
            fingerprint="fp-vm-20",
        ),
        Finding(
            rule="merge-integrity",
            severity=Severity.INFO,
            message="Unresolved placeholder {{ ref }}",
            file="templates/reminder.j2",
            code="placeholder",
            line=3,
            col=12,
            fingerprint="fp-merge-t3",
        ),
    ]


@pytest.fixture
def summary() -> Summary:
    return Summary(
        files=("batch.csv",),
        rows_checked=212,
        templates_checked=4,
        counts={"error": 1, "warning": 1, "info": 1},
        suppressed=2,
        baselined=1,
    )


@pytest.fixture
def nasty() -> list[Finding]:
    return [
        Finding(
            rule="recipient-mismatch",
            severity=Severity.ERROR,
            message=NASTY,
            file="dir, with: comma/batch 1.csv",
            code="name-differs",
            row=7,
            column="name\ncol",
            recipient_id="P,1:2",
            fingerprint="fp-nasty",
        ),
        Finding(
            rule="contact-validity",
            severity=Severity.WARNING,
            message=FORMULA,
            file="batch.csv",
            code="formula",
            row=8,
            fingerprint="fp-formula",
        ),
    ]


@pytest.fixture
def nasty_summary() -> Summary:
    return Summary(files=("batch.csv",), rows_checked=2, counts={"error": 1, "warning": 1})


@pytest.fixture
def empty_summary() -> Summary:
    return Summary(files=("batch.csv",), rows_checked=212, templates_checked=0, counts={})
