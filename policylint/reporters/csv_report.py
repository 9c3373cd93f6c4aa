"""A spreadsheet for the person who fixes the data: one row per finding, sorted by row.

::

    row,column,recipient,rule,code,severity,problem,how to fix,file
    8,address_line_2,*****45,stale-address,previous-address,error,The letter goes to ...,...

Opens cleanly in Excel: UTF-8 with a byte-order mark (so accents survive a
double-click), CRLF line ends, and no cell starts with ``= + - @`` (OWASP's advice
against CSV injection: such a cell gets a leading apostrophe, see
:func:`~policylint.reporters.base.spreadsheet_safe`). Values are masked exactly as
in every other format.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from policylint.model import Finding, Summary
from policylint.reporters.base import Reporter, run_errors, spreadsheet_safe

COLUMNS = ("row", "column", "recipient", "rule", "code", "severity", "problem", "how to fix",
           "file")
BOM = "\ufeff"

# What to do, per rule: the message says what is wrong, this says where to fix it.
HOW_TO_FIX: Mapping[str, str] = {
    "stale-address": "Update the address from the register (or verify it), then re-export.",
    "stale-contact": "Use the register's current, verified email or phone for this person.",
    "protected-address": "Remove the protected details or send this item to someone who may "
                         "have them; ask the case owner before sending.",
    "voicemail-content": "Shorten the script to a first name, who is calling and a number to "
                         "call back.",
    "recipient-mismatch": "Check the row against the register: this item carries another "
                          "person's details or goes to the wrong person.",
    "contact-validity": "Correct the email, phone or address so it can be delivered.",
    "merge-integrity": "Fill the empty or null value, or fix the template field.",
    "handling-flags": "Follow the person's handling flag (post only, via representative, "
                      "large print).",
    "render-error": "Fix the template or add the missing column: this row was not checked.",
    "read-error": "Fix the row in the export (column count, encoding): it was not checked.",
    "policy": "Update the policy file as the message says.",
}


class CsvReporter(Reporter):
    """One spreadsheet row per finding (sorted by batch row), for the person fixing data."""

    name = "csv"
    description = "A spreadsheet (CSV, UTF-8 with BOM): one row per finding, sorted by row."

    def render(self, findings: Sequence[Finding], summary: Summary) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        ordered = sorted(findings, key=lambda f: (f.row is None, f.row or 0, f.file,
                                                  f.line or 0, f.rule, f.message))
        for finding in ordered:
            writer.writerow(spreadsheet_safe(value) for value in (
                finding.row if finding.row is not None else "",
                finding.column or "",
                finding.recipient_id or "",
                finding.rule,
                finding.code,
                finding.severity.value,
                finding.message,
                HOW_TO_FIX.get(finding.rule, ""),
                finding.file if finding.row is not None or finding.line is None
                else f"{finding.file}:{finding.line}",
            ))
        for error in run_errors(summary):
            writer.writerow(spreadsheet_safe(value) for value in (
                "", "", "", "policylint", "not-checked", "error", error,
                "Fix the problem and run the check again: the batch was not checked "
                "completely.", ""))
        return BOM + out.getvalue()
