"""Violations in, masked and fingerprinted findings out.

The collector is where a rule's :class:`~policylint.model.Violation` becomes a
:class:`~policylint.model.Finding`: the message is rendered with personal values
masked, identifiers are masked wherever they appear, suppressions are applied,
and rows that could not be checked are counted (they always make the run exit 2).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from policylint.config.policy import Policy, Suppression
from policylint.engine.fingerprint import fingerprint, fingerprint_key
from policylint.engine.rule import Rule
from policylint.masking import mask_identifier, render_message
from policylint.model import NOT_CHECKED_RULES, RENDER_ERROR, Finding, Severity, Violation
from policylint.normalise.identifiers import is_personal_identifier

POLICY_CHECK = "policy"
# How many not-checked rows the summary names; the count is always complete.
FIRST_ROWS_SHOWN = 10
# Facts under these keys are identifiers, whatever a rule meant by them.
IDENTIFIER_FACTS = ("recipient_id", "subject_id", "recipient", "subject", "reference")
_SHORTEST_SCRUBBED = 3  # "12" masks to "**" anyway; shorter ids would hit row numbers


@dataclass
class ActiveRule:
    """A rule instance as this run uses it: with the policy's severity for it."""

    rule: Rule
    severity: Severity
    plugin: str


class IdentifierMask:
    """How recipient ids, subject ids and references are shown.

    Masked (last two characters) by default. ``show_ids`` shows opaque internal
    keys in full, never one that is itself personal (an NHS or NI number, an
    email or a phone number); ``show_values`` shows everything.
    """

    def __init__(self, *, show_values: bool, show_ids: bool) -> None:
        self.show_values = show_values
        self.show_ids = show_ids

    def shown(self, value: str) -> str:
        if self.show_values or (self.show_ids and not is_personal_identifier(value)):
            return value
        return mask_identifier(value)

    def scrub(self, text: str, identifiers: Iterable[str]) -> str:
        """``text`` with every whole occurrence of an identifier shown as :meth:`shown`.

        A safety net under the rules: whatever way an id reached a message (a fact,
        a quoted cell), it does not reach a CI log in full.
        """
        if self.show_values:
            return text
        wanted = sorted({i.strip() for i in identifiers if len(i.strip()) >= _SHORTEST_SCRUBBED},
                        key=len, reverse=True)
        for identifier in wanted:
            if identifier not in text:
                continue
            shown = self.shown(identifier)
            if shown != identifier:
                pattern = re.compile(
                    rf"(?<![0-9A-Za-z]){re.escape(identifier)}(?![0-9A-Za-z])")
                # A function, not a replacement string: backslashes in an id are literal.
                text = pattern.sub(_constant(shown), text)
        return text


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


@dataclass
class NotChecked:
    """Rows that could not be read, rendered or checked: a count and the first few."""

    count: int = 0
    first: tuple[int, ...] = ()

    def add(self, row: int | None, count: int = 1) -> None:
        self.count += count
        if row is not None and len(self.first) < FIRST_ROWS_SHOWN:
            self.first = (*self.first, row)

    def absorb(self, other: NotChecked) -> None:
        """Add a later chunk's rows (the first few stay the first few)."""
        self.count += other.count
        room = FIRST_ROWS_SHOWN - len(self.first)
        if room > 0:
            self.first = (*self.first, *other.first[:room])


class Collector:
    """Turns violations into masked, fingerprinted findings and applies suppressions."""

    def __init__(self, policy: Policy, show_values: bool, today: dt.date) -> None:
        self.key = fingerprint_key(policy.fingerprint_key)
        self.show_values = show_values
        self.ids = IdentifierMask(show_values=show_values, show_ids=policy.show_ids)
        self.today = today
        self.suppressions = [s for s in policy.suppressions if not s.expired(today)]
        self.expired = [s for s in policy.suppressions if s.expired(today)]
        self.findings: list[Finding] = []
        self.suppressed = 0
        self.not_checked = NotChecked()
        self.ignored_suppressions: list[Suppression] = []

    def add(self, active: ActiveRule | None, violation: Violation, *,
            file: str, row: int | None = None, recipient_id: str | None = None,
            template: str = "", rule_name: str | None = None,
            severity: Severity | None = None, identifiers: Iterable[str] = (),
            physical_line: int | None = None) -> None:
        """Record one violation of ``active`` (None: the engine's own checks).
        ``identifiers`` are the row's ids and references, masked wherever they
        appear in the message; ``physical_line`` is the file line where the row starts
        (a quoted newline makes it differ from the row a spreadsheet shows)."""
        name = rule_name or (active.rule.name if active else RENDER_ERROR)
        recipient = violation.recipient_id or recipient_id or None
        target_file = violation.file or file
        row_number = violation.row if violation.row is not None else row
        if name in NOT_CHECKED_RULES:
            # A row that was not checked fails the run: nothing may hide it.
            self._note_ignored_suppressions(name, recipient, template)
            if row_number is not None:  # a template-wide one is counted by the engine
                self.not_checked.add(row_number)
        elif self._suppressed(name, violation.code, recipient, template):
            self.suppressed += 1
            return
        level = violation.severity or severity or (active.severity if active
                                                   else Severity.ERROR)
        scrubbed = [*identifiers, *(str(v) for k, v in violation.facts.items()
                                    if k in IDENTIFIER_FACTS and isinstance(v, str))]
        if recipient:
            scrubbed.append(recipient)
        self.findings.append(Finding(
            rule=name,
            severity=level,
            message=self.ids.scrub(render_message(violation, self.show_values), scrubbed),
            file=target_file,
            code=violation.code,
            row=row_number,
            line=violation.line if violation.line is not None or row_number is None
            else physical_line,
            col=violation.col,
            column=violation.column,
            recipient_id=self.ids.shown(recipient) if recipient else None,
            fingerprint=fingerprint(
                self.key, name, violation.code,
                # A row's finding is about a recipient, whatever today's batch file is
                # called; a template's finding is about that file.
                Path(target_file).name if row_number is None else "", recipient or "",
                violation.column or "", template, violation.fingerprint_extra),
            plugin=active.plugin if active else "policylint",
        ))

    def absorb(self, findings: Iterable[Finding], suppressed: int, not_checked: NotChecked,
               ignored_suppressions: Iterable[Suppression]) -> None:
        """Take in what another collector (a chunk's, in a worker) collected."""
        self.findings.extend(findings)
        self.suppressed += suppressed
        self.not_checked.absorb(not_checked)
        for s in ignored_suppressions:
            if s not in self.ignored_suppressions:
                self.ignored_suppressions.append(s)

    def _suppressed(self, rule: str, code: str, recipient: str | None, template: str) -> bool:
        return any(_matches(s, rule, recipient, template) and s.code in (None, code)
                   for s in self.suppressions)

    def _note_ignored_suppressions(self, rule: str, recipient: str | None,
                                   template: str) -> None:
        for s in self.suppressions:
            if _matches(s, rule, recipient, template) and s not in self.ignored_suppressions:
                self.ignored_suppressions.append(s)

    def report_policy_warnings(self) -> None:
        """Expired suppressions, and suppressions that tried to hide unchecked rows."""
        for s in self.expired:
            self._policy_warning(
                s, "expired-suppression",
                f"The suppression of {s.rule} for {self._target(s)} expired on "
                f"{s.expires.isoformat()}: renew it with a new reason or remove it")
        for s in self.ignored_suppressions:
            self._policy_warning(
                s, "suppression-ignored",
                f"The suppression of {s.rule} for {self._target(s)} was ignored: rows "
                "that could not be checked always fail the run. Fix the rows instead")

    def _target(self, s: Suppression) -> str:
        if s.recipient_id:
            return f"recipient {self.ids.shown(s.recipient_id)}"
        return f"template {s.template}" if s.template else "every item"

    def _policy_warning(self, s: Suppression, code: str, message: str) -> None:
        self.findings.append(Finding(
            rule=POLICY_CHECK,
            severity=Severity.WARNING,
            message=message,
            file=str(shown_path(Path(s.file))),
            code=code,
            line=s.line,
            fingerprint=fingerprint(self.key, POLICY_CHECK, code, s.rule,
                                    s.recipient_id or "", s.template or ""),
        ))


def _matches(s: Suppression, rule: str, recipient: str | None, template: str) -> bool:
    if s.rule != rule:
        return False
    if s.recipient_id is not None and s.recipient_id != recipient:
        return False
    return s.template is None or s.template == template


def shown_path(path: Path) -> Path:
    """A path as findings show it: relative to the working directory when inside it
    (policy globs are absolute once resolved)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
