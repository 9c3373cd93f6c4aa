"""Machine-readable output: one JSON object with every finding and the summary.

::

    {"tool": "policylint", "version": "0.1.0",
     "findings": [{"rule": ..., "severity": ..., "message": ..., "file": ..., "row": ...,
                   "line": ..., "col": ..., "column": ..., "recipient_id": ...,
                   "code": ..., "fingerprint": ...}],
     "summary": {"files": [...], "rows_checked": 212, "templates_checked": 4,
                 "counts": {"error": 3, "warning": 2, "info": 1},
                 "suppressed": 2, "baselined": 1, "fail_on": "error"}}

Control characters in text fields are replaced by visible escapes
(:func:`clean_text`: a newline in a message arrives as the two characters
``\\n``), so even ``jq -r`` output cannot drive a terminal; the document itself
is pure ASCII, other non-ASCII characters written as JSON ``\\uXXXX`` escapes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from policylint.model import Finding, Summary
from policylint.reporters.base import (
    Reporter,
    clean_finding,
    clean_text,
    run_errors,
    severity_counts,
)


def summary_dict(summary: Summary) -> dict[str, object]:
    """The summary as JSON-ready data; ``counts`` always has all three severities."""
    return {
        "files": [clean_text(f) for f in summary.files],
        "rows_checked": summary.rows_checked,
        "templates_checked": summary.templates_checked,
        "counts": severity_counts(summary),
        "suppressed": summary.suppressed,
        "baselined": summary.baselined,
        "fail_on": summary.fail_on.value,
        "complete": summary.complete,
        "rows_not_checked": summary.rows_not_checked,
        "first_not_checked": list(summary.first_not_checked),
    }


class JsonReporter(Reporter):
    """One JSON object: ``tool``, ``version``, ``findings`` and ``summary``."""

    name = "json"
    description = "One JSON object with every finding and the summary."

    def render(self, findings: Sequence[Finding], summary: Summary) -> str:
        document = {
            "tool": "policylint",
            "version": self.tool_version,
            "findings": [clean_finding(f).to_dict() for f in findings],
            "summary": summary_dict(summary),
            # Why the run exits 2 (empty when every row was checked).
            "errors": [clean_text(e) for e in run_errors(summary)],
        }
        return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
