"""What every template syntax produces: the Template, its fields and its rendering.

A Jinja file compiles to a sandboxed ``jinja2.Template``; a GOV.UK Notify file or
a Word .docx compiles to a :class:`MergeProgram`: literal text and fields, nothing
that can run. Rules see the same :class:`Template` and :class:`Rendered` whatever
the syntax.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from policylint.io.headers import header_key, variable_name

if TYPE_CHECKING:
    import jinja2

MAX_OUTPUT_CHARS = 1_000_000
# Jinja written into a Notify or Word template: printed as it is in every letter.
JINJA_TAG_RE = re.compile(r"\{\{[^{}\n]{0,80}\}\}|\{%[^\n]{0,80}?%\}")

JINJA = "jinja"
NOTIFY = "notify"
WORD = "word"  # known by the .docx extension, never written in front matter or a policy

# Fields a merge tool spells loosely (GOV.UK Notify: case-, space-, ``_``- and
# ``-``-insensitive; Word: whatever the spreadsheet header was) that every batch
# names one way: ``((addressline1))`` is the ``address_line_1`` column.
_WELL_KNOWN = (
    *(f"address_line_{n}" for n in range(1, 8)), "postcode", "first_name", "last_name",
    "full_name", "title", "name", "email_address", "email", "phone_number", "phone",
    "mobile", "recipient_id", "subject_id", "reference", "account_ref", "case_ref",
)
_CANONICAL = {header_key(name): name for name in _WELL_KNOWN}


def field_variable(raw: str) -> str:
    """The batch variable a Notify placeholder or Word merge field names ("" if none).

    ``((First name))``, ``MERGEFIELD First_Name`` and ``«first-name»`` are all
    ``first_name``: the normalisation the batch applies to its headers
    (:func:`policylint.io.headers.variable_name`), with GOV.UK Notify's looser
    spellings of the well-known columns folded onto their usual names.
    """
    name = variable_name(raw)
    return _CANONICAL.get(header_key(name), name) if name else ""


@dataclass(frozen=True)
class VariableRef:
    """A variable a template reads, with where it appears in the file (1-based).

    For a Word .docx the line is the paragraph number (see :mod:`.word`).
    """

    name: str
    line: int
    col: int


@dataclass(frozen=True)
class TemplateProblem:
    """Why a template cannot be used: reported as a finding by ``lint``, exit 2 by ``check``."""

    code: str
    message: str
    line: int | None = None
    col: int | None = None


@dataclass(frozen=True)
class TemplateMeta:
    """What a policy's ``templates:`` entry says about the files it matches.

    Front matter wins over these; None means "not set here".
    """

    channel: str | None = None
    audience: str | None = None
    scope: str | None = None
    syntax: str | None = None


@dataclass(frozen=True)
class Literal:
    text: str


@dataclass(frozen=True)
class Field:
    """A merge field: the row's value of ``name``, Word's ``\\b``/``\\f`` text around
    it when it is not empty, and Word's ``\\*`` case format."""

    name: str
    before: str = ""
    after: str = ""
    case: str = ""  # "", "upper", "lower", "caps", "firstcap"


@dataclass(frozen=True)
class Conditional:
    """GOV.UK Notify's ``((name??text))``: ``text`` when the value says yes."""

    name: str
    text: str


@dataclass(frozen=True)
class AddressBlock:
    """The address GOV.UK Notify prints at the top of every letter (address_line_1..7
    or postcode), one line each, blank lines left out."""


@dataclass(frozen=True)
class IfField:
    """Word's ``IF left op right "then" "else"``: each side and branch is literal
    text and merge fields. Compared as numbers when both sides are numbers, else as
    text (case-sensitive, as Word does); ``=`` and ``<>`` against a quoted text
    with ``*`` or ``?`` are wildcard matches."""

    left: tuple[Part, ...]
    op: str  # = <> < <= > >=
    right: tuple[Part, ...]
    then: tuple[Part, ...]
    otherwise: tuple[Part, ...]
    wildcards: bool = False  # the right side was quoted text with * or ?


Part = Literal | Field | Conditional | AddressBlock | IfField


@dataclass(frozen=True)
class MergeProgram:
    """A template that is plain substitution: parts rendered in order."""

    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Template:
    name: str
    path: str
    channel: str | None
    audience: str
    # The text rules scan for what the template itself says. For Jinja, the whole
    # file, front matter included. For Notify and Word, the same text in Jinja
    # notation: each field written ``{{name}}`` on its own line (a .docx's lines are
    # its paragraphs), so a scan for foreign placeholders or for the template's own
    # words works unchanged.
    source: str
    body_offset: int = 0  # lines taken by the front matter
    variables: tuple[VariableRef, ...] = ()
    front_matter: Mapping[str, object] = field(default_factory=dict)
    problem: TemplateProblem | None = None
    compiled: jinja2.Template | MergeProgram | None = field(default=None, compare=False,
                                                             repr=False)
    # Which representatives may receive it (matched against representatives.scope);
    # None: any valid representative.
    scope: str | None = None
    syntax: str = JINJA  # jinja | notify | word

    @property
    def variable_names(self) -> frozenset[str]:
        return frozenset(v.name for v in self.variables)

    def positions(self, name: str) -> tuple[VariableRef, ...]:
        return tuple(v for v in self.variables if v.name == name)

    def missing_fields(self, names: Collection[str]) -> list[str]:
        """The fields this template reads that no column in ``names`` (normalised batch
        headers) provides. Jinja names are exact; Notify and Word match columns case-,
        space-, ``_``- and ``-``-insensitively, as those tools do (and as rendering does)."""
        wanted = set(self.variable_names) - set(names)
        if wanted and self.syntax != JINJA:
            loose = {header_key(name) for name in names}
            wanted = {name for name in wanted if header_key(name) not in loose}
        return sorted(wanted)


@dataclass(frozen=True)
class Rendered:
    """A template rendered for one row. ``text`` is what the recipient gets."""

    template: Template
    text: str


class RenderError(Exception):
    """A row could not be rendered; ``code`` says why (never includes cell values)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


# GOV.UK Notify shows conditional text for these values (notifications_utils
# field.str2bool), compared lower-cased; Notify strips every cell first.
NOTIFY_YES = frozenset({"yes", "y", "true", "t", "1", "include", "show"})


class _Values:
    """A row's values looked up as a merge tool does: the exact variable first, then
    case-, space-, ``_``- and ``-``-insensitively (GOV.UK Notify's rule)."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values
        self._loose: dict[str, str] | None = None

    def get(self, name: str) -> str | None:
        value = self._values.get(name)
        if value is not None:
            return value
        if self._loose is None:
            self._loose = {}
            for key, item in self._values.items():
                self._loose.setdefault(header_key(key), item)
        return self._loose.get(header_key(name))

    def need(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            # The same words as a Jinja template's StrictUndefined: a field name only.
            raise RenderError("undefined-field", f"template field '{name}' is undefined "
                                                 "for this row")
        return value


def _cased(value: str, case: str) -> str:
    if case == "upper":
        return value.upper()
    if case == "lower":
        return value.lower()
    if case == "caps":
        return " ".join(word[:1].upper() + word[1:] for word in value.split(" "))
    if case == "firstcap":
        return value[:1].upper() + value[1:]
    return value


def _address_block(values: _Values) -> str:
    """Notify's address block: lines 1-6 and line 7 (or postcode when there is no
    line 7), whitespace collapsed, trailing commas dropped, empty lines left out."""
    keys = [f"address_line_{n}" for n in range(1, 7)]
    keys.append("address_line_7" if values.get("address_line_7") is not None else "postcode")
    lines = (" ".join((values.get(key) or "").split()).rstrip(" ,") for key in keys)
    return "\n".join(line for line in lines if line)


def run_program(program: MergeProgram, row: Mapping[str, str]) -> str:
    """Plain substitution: values are inserted as they are, never interpreted."""
    out: list[str] = []
    _run_parts(program.parts, _Values(row), out, [0])
    return "".join(out)


def _run_parts(parts: tuple[Part, ...], values: _Values, out: list[str],
               size: list[int]) -> None:
    for part in parts:
        if isinstance(part, Literal):
            text = part.text
        elif isinstance(part, Field):
            value = _cased(values.need(part.name), part.case)
            text = f"{part.before}{value}{part.after}" if value else ""
        elif isinstance(part, Conditional):
            text = part.text if values.need(part.name).strip().lower() in NOTIFY_YES else ""
        elif isinstance(part, IfField):
            _run_parts(part.then if _holds(part, values) else part.otherwise, values, out, size)
            continue
        else:
            text = _address_block(values)
        size[0] += len(text)
        if size[0] > MAX_OUTPUT_CHARS:
            raise RenderError("output-too-large",
                              f"rendered text exceeds {MAX_OUTPUT_CHARS} characters")
        out.append(text)


def _side(parts: tuple[Part, ...], values: _Values) -> str:
    out: list[str] = []
    _run_parts(parts, values, out, [0])
    return "".join(out)


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "").lstrip("£$€"))
    except ValueError:
        return None


def _holds(test: IfField, values: _Values) -> bool:
    left, right = _side(test.left, values), _side(test.right, values)
    if test.wildcards and test.op in ("=", "<>"):
        # fnmatch's translation has no catastrophic backtracking; [ is literal in Word.
        equal = fnmatch.fnmatchcase(left, right.replace("[", "[[]"))
        return equal if test.op == "=" else not equal
    a, b = _number(left), _number(right)
    if a is not None and b is not None:
        order = (a > b) - (a < b)
    else:
        order = (left > right) - (left < right)
    return {"=": order == 0, "<>": order != 0, "<": order < 0, "<=": order <= 0,
            ">": order > 0, ">=": order >= 0}[test.op]
