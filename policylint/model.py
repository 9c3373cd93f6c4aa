"""The values that flow through policylint: rows in, findings out.

Frozen dataclasses, so that a rule can never change what another rule sees.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    """How bad a finding is. Ordered: ``info < warning < error``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        return cls(value.strip().lower())


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

CHANNELS = ("letter", "email", "sms", "voicemail")

# Checks of the engine itself, not rules: a row they report was NOT checked, so
# no policy, suppression or baseline may hide them and they always mean exit 2.
RENDER_ERROR = "render-error"  # the row's template could not be rendered for it
READ_ERROR = "read-error"  # the row could not be read from the batch file
TEMPLATE_SYNTAX = "template-syntax"  # a template that cannot be parsed renders no row
# Not "not checked": a warning about how the batch file holds its values (a workbook
# column that looks like it lost leading zeros).
BATCH_FORMAT = "batch-format"
NOT_CHECKED_RULES = frozenset({RENDER_ERROR, READ_ERROR, TEMPLATE_SYNTAX})
AUDIENCES = ("recipient", "third_party")
# How a template's text is written; a Word .docx is known by its extension.
SYNTAXES = ("jinja", "notify")


class PersonalKind(str, enum.Enum):
    """What sort of personal value a :class:`Personal` holds; decides how it is masked."""

    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    POSTCODE = "postcode"
    ADDRESS = "address"
    IDENTIFIER = "identifier"
    DATE = "date"
    TEXT = "text"


@dataclass(frozen=True)
class Personal:
    """A personal value quoted in a finding message.

    Rules never put personal data into a message as plain text: they pass a
    ``Personal`` to :func:`policylint.masking.render_message`, which masks it
    unless the run was started with ``--show-values``.
    """

    kind: PersonalKind
    value: str


@dataclass(frozen=True)
class Violation:
    """What a rule reports: the engine turns it into a :class:`Finding`.

    ``message`` is a ``str.format`` template; its ``{name}`` fields are filled
    from ``values`` (masked unless ``--show-values``) and ``facts`` (never
    masked: counts, dates of moves, column names, rule names).

    ``code`` is a short stable key for the kind of problem (``previous-address``);
    it goes into the fingerprint, the message does not, so rewording a message
    does not invalidate baselines.
    """

    code: str
    message: str
    values: Mapping[str, Personal] = field(default_factory=dict)
    facts: Mapping[str, object] = field(default_factory=dict)
    column: str | None = None
    line: int | None = None
    col: int | None = None
    severity: Severity | None = None
    fingerprint_extra: str = ""
    # Only for violations a rule reports after the whole batch was seen
    # (``Rule.finish``); row-level checks get these from the item.
    row: int | None = None
    recipient_id: str | None = None
    # A template-level violation found while checking a batch names the template file.
    file: str | None = None


@dataclass(frozen=True)
class Finding:
    """One problem found, ready for a reporter. Messages are already masked."""

    rule: str
    severity: Severity
    message: str
    file: str
    code: str = ""
    row: int | None = None
    line: int | None = None
    col: int | None = None
    column: str | None = None
    recipient_id: str | None = None
    fingerprint: str = ""
    plugin: str = "policylint"

    def sort_key(self) -> tuple[str, int, int, int, str, str]:
        return (
            self.file,
            self.row or 0,
            self.line or 0,
            self.col or 0,
            self.rule,
            self.message,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "row": self.row,
            "line": self.line,
            "col": self.col,
            "column": self.column,
            "recipient_id": self.recipient_id,
            "code": self.code,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True)
class Row:
    """One batch row.

    ``number`` is the row a spreadsheet shows (the header is row 1, the first
    data row is row 2). ``line`` is the physical line in the file where the row
    starts (differs from ``number`` when cells contain quoted newlines).
    ``values`` maps normalised header (``address_line_1``) to the cell text.
    ``headers`` maps the same normalised header to the header as written.
    """

    number: int
    line: int
    values: Mapping[str, str]
    headers: Mapping[str, str]
    file: str

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass(frozen=True)
class RowProblem:
    """A batch row that could not be read (ragged, undecodable, over a limit).

    Readers record these and read on, so one run lists every bad row; the
    engine turns them into "not checked" errors (exit 2). ``reason`` never
    quotes a cell's value.
    """

    row: int  # as a spreadsheet shows it (header = row 1)
    line: int | None  # physical line in the file where the row starts, when known
    reason: str
    column: str | None = None


@dataclass(frozen=True)
class Summary:
    """Totals a reporter prints last."""

    files: tuple[str, ...] = ()
    rows_checked: int = 0
    templates_checked: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)  # severity value -> count shown
    suppressed: int = 0  # hidden by a policy suppression
    baselined: int = 0  # hidden by --baseline
    fail_on: Severity = Severity.ERROR
    # Rows that could not be read, rendered or checked: they make the run exit 2.
    rows_not_checked: int = 0
    first_not_checked: tuple[int, ...] = ()  # the first few such rows, in order
    # Errors that stopped the run (exit 2): one line each, no personal data.
    errors: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Every row was checked and nothing stopped the run."""
        return not self.rows_not_checked and not self.errors

    @property
    def total(self) -> int:
        return sum(self.counts.values())
