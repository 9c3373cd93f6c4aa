"""The default format: one line per finding, flake8/ruff style, summary last.

::

    batch.csv:14: stale-address[previous-address] [error] Previous address (recipient ****43)
    templates/reminder.j2:3:12: merge-integrity[placeholder] [warning] Unresolved placeholder
    Checked 212 rows in 1 file and 4 templates. Found 2 findings: 1 error, 1 warning.
"""

from __future__ import annotations

from collections.abc import Sequence

from policylint.model import Finding, Severity, Summary
from policylint.reporters.base import Reporter, clean_text, position, summary_line

_RESET = "\x1b[0m"
_DIM = "\x1b[2m"
_SEVERITY_STYLE = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[33m",
    Severity.INFO: "\x1b[36m",
}


ROW_LEGEND = ("(file:N: N is the row a spreadsheet shows, the header being row 1; "
              "file:N:C: line and column of a template)")


class TextReporter(Reporter):
    """``{file}:{row or line}[:{col}]: {rule}[{code}] [{severity}] {message}``, one line each.

    The number after a batch file is the row a spreadsheet shows (header = row 1);
    after a template, its line and column. ``rule[code]`` is what ``--select``,
    ``--ignore``, suppressions and ``policylint explain`` take.

    Colour (severity coloured, file name dim) only when ``color=True``; the CLI
    turns it on for a terminal. Control characters in any field are escaped,
    so every finding stays on one line and cannot drive the terminal.
    """

    name = "text"
    description = "One line per finding (file:row: rule [severity] message), summary last."

    def _paint(self, style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if self.color and text else text

    def format_finding(self, finding: Finding) -> str:
        """One finding as one line (no trailing newline)."""
        line, col = position(finding)
        where = self._paint(_DIM, clean_text(finding.file))
        if line is not None:
            where += f":{line}" + (f":{col}" if col is not None else "")
        severity = self._paint(
            _SEVERITY_STYLE[finding.severity], f"[{finding.severity.value}]"
        )
        name = clean_text(finding.rule)
        if finding.code:
            name += f"[{clean_text(finding.code)}]"
        text = f"{name} {severity} {clean_text(finding.message)}"
        if finding.file:
            text = f"{where}: {text}"
        extra = []
        if finding.column:
            extra.append(f"column {clean_text(finding.column)}")
        if finding.recipient_id:
            extra.append(f"recipient {clean_text(finding.recipient_id)}")
        if extra:
            text += f" ({', '.join(extra)})"
        return text

    # "row" or "rule": findings under one heading per row (or rule) instead of a flat list.
    group_by: str | None = None

    def render(self, findings: Sequence[Finding], summary: Summary) -> str:
        if self.group_by in ("row", "rule"):
            lines = self._grouped(findings, self.group_by)
        else:
            lines = [self.format_finding(f) for f in findings]
        if any(f.row is not None for f in findings):
            lines.append(ROW_LEGEND)
        lines.append(summary_line(summary))
        return "\n".join(lines) + "\n"

    def _grouped(self, findings: Sequence[Finding], by: str) -> list[str]:
        groups: dict[str, list[Finding]] = {}
        for finding in findings:
            if by == "rule":
                heading = clean_text(finding.rule)
            elif finding.row is not None:
                heading = f"{clean_text(finding.file)}, row {finding.row}"
            else:
                heading = clean_text(finding.file) or "policylint"
            groups.setdefault(heading, []).append(finding)
        ordered = sorted(groups.items()) if by == "rule" else list(groups.items())
        lines: list[str] = []
        for heading, members in ordered:
            count = f" ({len(members)})" if by == "rule" else ":"
            lines.append(self._paint(_DIM, heading) + count)
            lines.extend("  " + self.format_finding(f) for f in members)
        return lines
