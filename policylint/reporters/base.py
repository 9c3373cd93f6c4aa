"""The Reporter interface: findings and a summary in, text out.

Also the small pieces every built-in format shares, so that they agree with
each other: where a finding points (:func:`position`), how dangerous
characters are neutralised (:func:`clean_text`, :func:`spreadsheet_safe`) and
the one-line summary (:func:`summary_line`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from policylint import __version__
from policylint.model import Finding, Severity, Summary

if TYPE_CHECKING:
    from policylint.engine.rule import Rule

SEVERITIES: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.INFO)


@dataclass(frozen=True)
class RuleInfo:
    """What a reporter may say about a rule (SARIF ``tool.driver.rules``).

    ``help`` is longer prose (the rule's docstring); ``help_uri`` a page about it.
    """

    name: str
    summary: str = ""
    default_severity: Severity = Severity.ERROR
    help: str = ""
    help_uri: str = ""

    @classmethod
    def from_rule(cls, rule: type[Rule]) -> RuleInfo:
        """Describe a :class:`~policylint.engine.rule.Rule` subclass."""
        doc = rule.doc()
        return cls(
            name=rule.name,
            summary=rule.summary,
            default_severity=rule.default_severity,
            help=doc if doc != rule.summary else "",
        )


class Reporter:
    """Base class for output formats. ``render`` returns the whole document as text.

    Findings arrive sorted and already masked (unless ``--show-values``);
    reporters must not add personal data of their own, and must neutralise
    control characters in every text field they print (see :func:`clean_text`).

    ``rules`` describes the rules that ran (name -> :class:`RuleInfo`); formats
    with rule metadata (SARIF) use it, others ignore it. ``tool_version``
    defaults to the installed policylint version.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def __init__(
        self,
        *,
        color: bool = False,
        tool_version: str = "",
        rules: Mapping[str, RuleInfo] | None = None,
    ) -> None:
        self.color = color
        self.tool_version = tool_version or __version__
        self.rules: Mapping[str, RuleInfo] = dict(rules or {})

    def render(self, findings: Sequence[Finding], summary: Summary) -> str:
        raise NotImplementedError


# --- where a finding points ------------------------------------------------------


def position(finding: Finding) -> tuple[int | None, int | None]:
    """``(line, column)`` to show for a finding, both 1-based, either may be None.

    A batch finding points at its row as a spreadsheet numbers it (the header is
    row 1), which is also the file line when no cell holds a quoted newline. A
    template finding points at its line and, when known, column. ``col`` is only
    reported together with ``line``: next to a row it would describe a position
    in rendered text, not in the file.
    """
    if finding.row is not None and finding.row >= 1:
        return finding.row, None
    if finding.line is not None and finding.line >= 1:
        col = finding.col if finding.col is not None and finding.col >= 1 else None
        return finding.line, col
    return None, None


# --- neutralising text -------------------------------------------------------------

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Format characters that reorder or hide text (Trojan Source, CVE-2021-42574) and
# the Unicode line/paragraph separators some viewers treat as new lines.
_INVISIBLE = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)


# What clean_text escapes, one character class searched in C: Unicode's Cc (C0/C1
# controls and DEL, U+0000-U+001F and U+007F-U+009F: ANSI escapes start with ESC or
# CSI), Cs (lone surrogates, U+D800-U+DFFF, which cannot be encoded and would crash
# the output), the two noncharacters U+FFFE and U+FFFF, and _INVISIBLE. (Asking
# unicodedata of each character cost a 30,000-finding report 1.5 s;
# tests/reporters/test_clean_text.py compares the class with the categories for every
# code point.)
_DANGEROUS = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    + "".join(f"\\u{ord(c):04x}" for c in sorted(_INVISIBLE)) + "]")


def _escape(ch: str) -> str:
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    if ord(ch) <= 0xFF:
        return f"\\x{ord(ch):02x}"
    return f"\\u{ord(ch):04x}"


def clean_text(value: object, *, keep: str = "") -> str:
    """``value`` as text with control characters made visible and harmless.

    Every control character (C0, DEL, C1: ESC, CSI, BEL, NUL...), lone surrogate
    and bidirectional-override character is replaced by its escape
    (``\\n``, ``\\x1b``, ``\\u202e``), so a message can neither break a one-line
    format, nor colour or rewrite a terminal, nor hide text. Characters in
    ``keep`` pass through unchanged (a format that escapes them itself).
    """
    text = "" if value is None else str(value)
    if _DANGEROUS.search(text) is None:
        return text
    return _DANGEROUS.sub(lambda m: m[0] if m[0] in keep else _escape(m[0]), text)


def _clean_optional(value: str | None) -> str | None:
    return None if value is None else clean_text(value)


def clean_finding(finding: Finding) -> Finding:
    """``finding`` with :func:`clean_text` applied to every text field."""
    return dataclasses.replace(
        finding,
        rule=clean_text(finding.rule),
        message=clean_text(finding.message),
        file=clean_text(finding.file),
        code=clean_text(finding.code),
        column=_clean_optional(finding.column),
        recipient_id=_clean_optional(finding.recipient_id),
        fingerprint=clean_text(finding.fingerprint),
        plugin=clean_text(finding.plugin),
    )


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A cell value a spreadsheet will show as text, never run as a formula.

    For CSV-like output (the built-in ``csv`` report, a plug-in's TSV): a value
    starting with ``= + - @``, TAB or CR gets a leading single quote (OWASP's advice
    against CSV injection); control characters are then escaped as by
    :func:`clean_text`.
    """
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return clean_text(text)


# --- the summary -------------------------------------------------------------------


def plural(count: int, noun: str) -> str:
    """``1 row``, ``2 rows``; ``info`` is uncountable (``2 info``)."""
    if count == 1 or noun == "info":
        return f"{count} {noun}"
    return f"{count} {noun}s"


def severity_counts(summary: Summary) -> dict[str, int]:
    """Shown findings per severity, always with all three keys, worst first."""
    return {sev.value: int(summary.counts.get(sev.value, 0)) for sev in SEVERITIES}


def failing_count(summary: Summary) -> int:
    """How many shown findings are at or above ``fail_on`` (what makes exit 1)."""
    counts = severity_counts(summary)
    return sum(counts[sev.value] for sev in SEVERITIES if sev.rank >= summary.fail_on.rank)


def checked_phrase(summary: Summary) -> str:
    """``Checked 212 rows in 1 file and 4 templates.``"""
    parts = []
    if summary.rows_checked or not summary.templates_checked:
        parts.append(
            f"{plural(summary.rows_checked, 'row')} in {plural(len(summary.files), 'file')}"
        )
    if summary.templates_checked:
        parts.append(plural(summary.templates_checked, "template"))
    return f"Checked {' and '.join(parts)}."


def findings_phrase(summary: Summary) -> str:
    """``Found 6 findings: 3 errors, 2 warnings, 1 info.`` or ``All clear: ...``.

    "All clear" is only said when nothing at all was found; findings below
    ``fail_on`` are still counted, with a note that none of them fails the run.
    """
    fail_on = summary.fail_on.value
    counts = severity_counts(summary)
    total = sum(counts.values())
    if total == 0:
        if not summary.complete:  # never "all clear" over rows nobody checked
            return "No findings in the rows that were checked."
        return f"All clear: no findings at or above {fail_on}."
    parts = [plural(n, sev) for sev, n in counts.items() if n]
    text = f"Found {plural(total, 'finding')}: {', '.join(parts)}."
    if failing_count(summary) == 0:
        text += f" None at or above {fail_on}."
    return text


def hidden_phrase(summary: Summary) -> str:
    """``2 suppressed, 1 in baseline.``, or ``""`` when nothing was hidden."""
    parts = []
    if summary.suppressed:
        parts.append(f"{summary.suppressed} suppressed")
    if summary.baselined:
        parts.append(f"{summary.baselined} in baseline")
    return f"{', '.join(parts)}." if parts else ""


def not_checked_phrase(summary: Summary) -> str:
    """``3 of 10 rows were not checked (rows 4, 7, 9).`` or ``""`` when all were."""
    count = summary.rows_not_checked
    if not count:
        return ""
    total = summary.rows_checked + count
    rows = ", ".join(str(r) for r in summary.first_not_checked)
    more = ", ..." if count > len(summary.first_not_checked) else ""
    where = f" (row{'s' if count > 1 else ''} {rows}{more})" if rows else ""
    verb = "was" if count == 1 else "were"
    return f"{count} of {plural(total, 'row')} {verb} not checked{where}."


def run_errors(summary: Summary) -> list[str]:
    """Why the run is incomplete, one line each: what exit 2 means in a report."""
    lines = list(summary.errors)
    phrase = not_checked_phrase(summary)
    if phrase:
        lines.append(f"{phrase} The batch must not be sent until every row is checked.")
    return lines


def summary_line(summary: Summary) -> str:
    """The plain one-line summary every human-readable format ends with."""
    if summary.errors:  # the run stopped: that is the one thing to say
        return f"Not checked: {summary.errors[0]}"
    pieces = [checked_phrase(summary), findings_phrase(summary), hidden_phrase(summary),
              not_checked_phrase(summary)]
    return " ".join(p for p in pieces if p)
