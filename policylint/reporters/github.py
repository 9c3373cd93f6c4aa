"""GitHub Actions workflow commands: findings appear as annotations on the run and the PR.

::

    ::error file=batch.csv,line=14,title=stale-address::Letter to a previous address
    ::notice file=templates/a.j2,line=3,col=12,title=merge-integrity::Unresolved placeholder
    Checked 212 rows in 1 file. Found 2 findings: 1 error, 1 info.

Severities map to commands: error -> ``::error``, warning -> ``::warning``,
info -> ``::notice``. Escaping follows the runner's rules (``actions/toolkit``
``command.ts``): in the message ``%``, CR and LF become ``%25``, ``%0D``,
``%0A``; in property values also ``:`` and ``,`` become ``%3A`` and ``%2C``.
Other control characters are escaped by :func:`clean_text` first, so no
message can start a line of its own and smuggle in a command.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from policylint.model import Finding, Severity, Summary
from policylint.reporters.base import Reporter, clean_text, position, run_errors, summary_line
from policylint.reporters.text import TextReporter

_NEWLINES = "\r\n"  # escaped by escape_data, so clean_text leaves them alone
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# GitHub Actions shows at most 10 annotations of each kind per step (and 50 per job).
ANNOTATIONS_PER_STEP = 10


def escape_data(value: str) -> str:
    """Escape a workflow command's message (after ``::``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value (``file=``, ``title=``...)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    """``::error file=...,line=...,col=...,title=RULE::message`` per finding, summary last."""

    name = "github"
    description = "GitHub Actions annotations (::error / ::warning / ::notice), summary last."

    def format_finding(self, finding: Finding) -> str:
        line, col = position(finding)
        props: list[tuple[str, str]] = []
        if finding.file:
            props.append(("file", finding.file))
        if finding.file and line is not None:
            props.append(("line", str(line)))
            if col is not None:
                props.append(("col", str(col)))
        props.append(("title", finding.rule))
        prop_text = ",".join(
            f"{key}={escape_property(clean_text(value, keep=_NEWLINES))}" for key, value in props
        )
        message = finding.message
        extra = []
        if finding.column:
            extra.append(f"column {finding.column}")
        if finding.recipient_id:
            extra.append(f"recipient {finding.recipient_id}")
        if extra:
            message += f" ({', '.join(extra)})"
        data = escape_data(clean_text(message, keep=_NEWLINES))
        return f"::{COMMANDS[finding.severity]} {prop_text}::{data}"

    def render(self, findings: Sequence[Finding], summary: Summary) -> str:
        lines: list[str] = []
        shown: Counter[str] = Counter()
        beyond: Counter[str] = Counter()
        for finding in findings:
            command = COMMANDS[finding.severity]
            if shown[command] < ANNOTATIONS_PER_STEP:
                shown[command] += 1
                lines.append(self.format_finding(finding))
            else:
                # GitHub drops annotations past its per-step limit: say them as plain
                # log lines, then say how many were not annotated.
                beyond[command] += 1
                lines.append(TextReporter().format_finding(finding))
        for command, count in sorted(beyond.items()):
            lines.append(f"::notice title=policylint::{count} more {command} finding(s) are "
                         f"in the log above but not annotated (GitHub shows "
                         f"{ANNOTATIONS_PER_STEP} per step); see the full report")
        lines.extend(f"::error title=policylint::{escape_data(clean_text(e, keep=_NEWLINES))}"
                     for e in run_errors(summary))
        lines.append(summary_line(summary))
        return "\n".join(lines) + "\n"
