"""recipient-mismatch: the item is not for the person it goes to."""

from __future__ import annotations

import functools
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from policylint.engine.rule import ADDRESS_ROLES, Case, Example, Item, Need, Rule, RunContext
from policylint.io.register.base import Address, Person, Representative
from policylint.model import Personal, PersonalKind, Severity, Violation
from policylint.normalise.address import (
    OCCUPIER_LINES,
    AddressKey,
    address_key,
    normalise_address_text,
    same_address,
)
from policylint.normalise.contact import contact_key
from policylint.normalise.name_diff import describe_name_difference, difference_clause
from policylint.normalise.names import name_tokens, names_match
from policylint.normalise.postcode import find_postcodes, normalise_postcode, squashed_text
from policylint.rules._by_row import ByRow
from policylint.rules._reference_index import ReferenceIndex, ReferencePart
from policylint.rules._register_people import (
    Occurrence,
    RegisterPeople,
    ids_in,
    locating_fingerprints,
)
from policylint.rules._row_shift import (
    MAX_GAP,
    NameIndex,
    ShiftKey,
    ShiftRun,
    ShiftTracker,
    distance_phrase,
    fold_spaced,
    fold_words,
    rows_phrase,
)

# Per-person look-ups are cached; neighbours are close together, so a small cache does.
_CACHE_SIZE = 4096
# A chunk's part of the first pass (recipients, subjects, references, names) and of
# the second (shift marks and gaps, name differences): plain data between processes.
_Observed = tuple[ByRow, ByRow, ReferencePart, tuple[ByRow, dict[str, "int | array[int]"]]]
_Summary = tuple[tuple[dict[ShiftKey, dict[int, bool]], dict[str, set[int]]], dict[int, str],
                 tuple[dict[str, str], dict[str, str], str, frozenset[str]]]
_CONTACT_KINDS = (("email", "email", PersonalKind.EMAIL, "email address"),
                  ("phone", "phone", PersonalKind.PHONE, "phone number"))
_NAME_ROLES = ("first_name", "last_name")


@dataclass(frozen=True)
class _Name:
    """The name a row prints: the whole text, and (role, header, value) per name column."""

    text: str
    columns: tuple[tuple[str, str, str], ...]


def _batch_name(item: Item) -> _Name | None:
    """The ``name`` column, or title + first_name + last_name; None when the row has none
    (or its last_name column is empty)."""
    # Straight from the row's cells: called twice per row, on every row.
    roles = item.fields.roles
    values = item.row.values
    header = roles.get("name")
    if header is not None:
        value = values.get(header, "").strip()
        if value:
            return _Name(value, (("name", header, value),))
    last = roles.get("last_name")
    if last is not None and not values.get(last, "").strip():
        return None  # an incomplete name is merge-integrity's (empty-field, "Dear Mrs ,")
    parts: list[str] = []
    columns: list[tuple[str, str, str]] = []
    for role in ("title", *_NAME_ROLES):
        role_header = roles.get(role)
        if role_header is None:
            continue
        value = values.get(role_header, "").strip()
        if not value:
            continue
        parts.append(value)
        if role != "title":
            columns.append((role, role_header, value))
    if not columns:
        return None
    return _Name(" ".join(parts), tuple(columns))


def _column_matches(role: str, value: str, person: Person, threshold: float) -> bool:
    """Does one name column fit ``person``? A first name is tested with the person's
    family name added, so that initials and middle names are tolerated as in a full name."""
    if role == "last_name":
        return names_match(value, "", person.family_name, threshold)
    if role == "first_name":
        return names_match(f"{value} {person.family_name}", person.given_name,
                           person.family_name, threshold)
    return names_match(value, person.given_name, person.family_name, threshold)


def _is_occupier(name: str) -> bool:
    """"The Occupier", "The Residents": addressed to nobody in particular."""
    return " ".join(name.lower().split()) in OCCUPIER_LINES


def _row_postcode(item: Item) -> str | None:
    """The row's postcode, canonical: the postcode column, else the last one in the address."""
    code = normalise_postcode(item.role("postcode")) if item.role("postcode") else None
    if code is not None:
        return code
    found = find_postcodes("\n".join(item.address_lines))
    return found[-1] if found else None


# Does a row's data fit the recipient ``other`` for a shift ``key``?
_Fits = Callable[[ShiftKey, str], bool]


def _n(row: int) -> str:
    return f"{row:,}"


def different_person(other: Person, person: Person, threshold: float) -> str:
    """``" (a different person: the surname differs)"``: how another register person's
    name differs from the recipient's, in words that hold no personal data (masked, two
    names may read alike)."""
    difference = describe_name_difference(other.full_name, person.given_name,
                                          person.family_name, "", threshold)
    if not difference:
        return " (a different person with the same name)"
    return f" (a different person: {difference})"


def scope_words(scope: str) -> str:
    """``"property_and_finance"`` -> ``"property and finance"`` (scopes are not personal)."""
    words = " ".join(scope.replace("_", " ").replace("-", " ").split())
    return words or "any"


# What marks a template line that a merge fills (Jinja, Notify, Word): other lines are
# rendered as written.
_FIELD_MARKS = ("{{", "{%", "{#", "((", "«", "<<", "MERGEFIELD", "[")
_GAP = "\n0\n"  # between text lines that were not next to each other


class _ItemText:
    """What the searches for other people's data read of one item, each worked out
    once and only when asked: the rendered text and the row's non-empty cells
    (reference columns apart: they are searched on their own). Register names are
    looked for in what the item shows: its text, and the name and address cells
    that address it; a cell the item does not use is not sent to anyone.

    Whatever a merge put into the text is on a line that differs from its template's
    own lines (``static``); names and postcodes are looked for on those lines and in
    the cells only, which halves the text to search. (A template's own wording, an
    officer's name or the council's postcode, is nobody's merged data.)
    """

    def __init__(self, text: str, cells: list[tuple[str, str]], static: frozenset[str],
                 printed: frozenset[str]) -> None:
        self.text = text
        self.cells = "\n".join([v for _, v in cells])
        # What the item shows besides its text: the name and address it is sent to
        # (a letter's address block is printed from the cells, not the template).
        # Without a text, every cell.
        self.shown = "\n".join([v for h, v in cells if h in printed]) if text else self.cells
        # The lines the merge filled; a "0" between two of them stands for the lines
        # left out, so that words they separated never read as one name.
        self.merged = _GAP.join([line for line in text.split("\n") if line not in static])

    @functools.cached_property
    def postcodes(self) -> set[str]:
        return set(find_postcodes(self.merged)) | set(find_postcodes(self.cells))

    @functools.cached_property
    def squashed(self) -> str | None:
        """The merged lines and the cells as :func:`squashed_text`: where the postcodes of
        the batch's rows are looked for all at once."""
        return squashed_text(f"{self.merged}\n{self.cells}")

    @functools.cached_property
    def folded(self) -> str:
        """Text and cells folded (:func:`fold_text`), each line's folding cached: a
        letter repeats its template's lines and a batch its towns and titles."""
        words = " ".join(w for w in (fold_words(self.text),
                                     fold_words(self.cells, by_line=False)) if w)
        return f" {words} "

    @functools.cached_property
    def spaced(self) -> str:
        """The merged lines and the cells, folded, words apart by runs of spaces
        (:func:`fold_spaced`): what register names are looked for in."""
        return f" {fold_spaced(self.merged + _GAP + self.shown)} "

    @functools.cached_property
    def ids(self) -> set[str]:
        return ids_in(self.text) | ids_in(self.cells)

    @functools.cached_property
    def address_text(self) -> str:
        return f" {normalise_address_text(self.text)} {normalise_address_text(self.cells)} "


_PEOPLE = [
    {"person_id": "P-1", "title": "Mrs", "given_name": "Sian", "family_name": "Okafor",
     "status": "active"},
    {"person_id": "P-2", "title": "Mr", "given_name": "Jan", "family_name": "Nowak",
     "status": "active"},
    {"person_id": "P-3", "title": "Ms", "given_name": "Priya", "family_name": "Patel",
     "status": "active"},
    {"person_id": "P-4", "title": "Mr", "given_name": "Arthur", "family_name": "Bell",
     "status": "active"},
]
_HOMES = [
    {"person_id": "P-1", "line_1": "14 Mill Lane", "postcode": "PE1 4AB", "status": "current"},
    {"person_id": "P-2", "line_1": "12 Mill Lane", "postcode": "PE1 4AB", "status": "current"},
]
_LETTER = ("Dear {{ name }},\nYour council tax account {{ account_ref }} is up to date.\n"
           "{{ note }}\n")


class RecipientMismatch(Rule):
    """The item is not for the person it goes to: the name, contact details or content
    belong to someone else, or a whole column of the batch slipped by a row.

    ICO leaflet point 1 ("Double check that you are providing the right information
    to the right people"), point 3 (autofill "could lead you to send an email to the
    wrong person by mistake") and point 8 (with a mail merge, "you should be
    confident that the systems you are using are working correctly"); point 5 for
    items about one person sent to another. A merge that slipped by one row sends
    every letter with the next person's name and details; an autofilled email
    address sends one person's letter to another. Each row is checked against the
    register record of its ``recipient_id`` and against the other rows of the batch.

    * **name-mismatch**: the name the item prints (the ``name`` column, or ``title``,
      ``first_name`` and ``last_name``) is not the register's name for the
      recipient. Titles, middle names, initials, case, accents and spacing are
      tolerated; the family name must reach ``name_threshold``. Rows with no name
      column, an empty ``last_name`` (merge-integrity's), "The Occupier", and unknown
      recipients (stale-address reports them) are skipped.
    * **contact-belongs-to-other**: the row's email or phone is a current contact of
      a different person in the register and not a current contact of the
      recipient (the autofill mistake). A household landline that is also the
      recipient's own contact is fine.
    * **subject-not-represented**: the item is about ``subject_id`` but goes to a
      recipient who is not the subject's current representative for it (the
      ``representatives`` table: ``valid_to`` empty or not yet passed, and a
      ``scope`` that covers the template's ``scope:``; a property-and-finance
      attorney does not receive a health and welfare letter).
    * **other-person-data**: the item (its text, and the name and address cells it
      is sent with) carries the name of a register person together with their
      current address (postcode and house number or name, exactly) or their
      person_id, and that person is not the recipient, the subject, someone living
      at the recipient's or subject's current address, or a valid, in-scope
      representative of either (nor someone the recipient represents): the next
      customer's details on a letter when that customer is not in the batch, a
      neighbour's name and house in a tenant's letter. A name is a family name with
      a given name, an initial or a title next to it; a family name alone, a name
      without its address, and a name that may be the recipient's own are not
      enough. Names in the template's own wording (an officer's signature) are not
      merged data. Protected people's details are protected-address's; another
      row's data is reported as another row's.
    * **other-row-reference**: the merge values or rendered text carry another
      row's reference (``reference`` columns), as a whole token (the template's
      own lines, the same in every item, are not another row's data). References shorter
      than ``min_reference_length`` characters are not looked for, nor values more
      than ten rows share (a constant is not an identifier), nor a numeric
      reference inside a longer number (``07700 900123``); a row's own reference,
      and another item to the same person, never count.
    * **other-row-name**: the item carries another row's full name together with
      that row's postcode, which is not this row's (a name on its own is not
      enough: two rows may be two different John Smiths).
    * **column-shift**: at least ``min_run`` consecutive rows each carry the name,
      email, phone, address or reference of the row 1 to ``max_shift`` rows above
      or below: one finding names the column, the offset and the row range, on the
      run's first row, followed by a **shifted-row** finding on each row of the
      run. A run goes on through rows whose value fits both their own recipient
      and the neighbour (two people in one household), a repeated row, and up to
      two rows that fit nobody (an empty cell; a row that was already wrong, which
      keeps its own name-mismatch). Shorter runs are reported row by row as
      name-mismatch,
      contact-belongs-to-other, other-row-reference or
      **address-of-other-recipient** (the address is the register's current
      address of a neighbouring row's recipient).

    Messages mask names to initials; when two names would read alike they say which
    part differs ("the surname differs", "the first name is missing").

    Options: ``name_threshold`` (0-100, default 90), ``max_shift`` (default 2),
    ``min_run`` (default 3), ``min_reference_length`` (default 6),
    ``search_register`` (default true: look for other register people's data).

    **Anti-pattern**: a spreadsheet sorted on the name column only, so that every
    row from row 120 on carries the name of the recipient one row below; an
    email field filled from the browser's autofill with a colleague's client's
    address.

    **Best practice**: merge from the system of record by ``recipient_id``, never
    from a hand-edited sheet; check a sample of items against the register before
    sending; keep representatives recorded with an end date.
    """

    name: ClassVar[str] = "recipient-mismatch"
    summary: ClassVar[str] = ("The item is not for its recipient: wrong name, someone else's "
                              "contact, another row's data, a shifted column")
    default_severity: ClassVar[Severity] = Severity.ERROR
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "rendered", "register", "batch"})
    chunked: ClassVar[bool] = True
    options_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "name_threshold": {
                "type": "number", "minimum": 0, "maximum": 100, "default": 90,
                "description": "How close (rapidfuzz ratio, 0-100) a family name must be to "
                               "the register's.",
            },
            "max_shift": {
                "type": "integer", "minimum": 1, "maximum": 5, "default": 2,
                "description": "How many rows above or below to look for the row whose data "
                               "a row carries.",
            },
            "min_run": {
                "type": "integer", "minimum": 2, "default": 3,
                "description": "Consecutive rows that make a column shift.",
            },
            "search_register": {
                "type": "boolean", "default": True,
                "description": "Look in every item for the name, with the address or "
                               "person_id, of any register person it should not carry.",
            },
            "min_reference_length": {
                "type": "integer", "minimum": 1, "default": 6,
                "description": "Shorter reference values are not searched for in other rows.",
            },
        },
        "additionalProperties": False,
    }
    examples: ClassVar[tuple[Example, ...]] = (
        Example(
            title="The name is not the recipient's",
            bad=Case(
                rows=[{"recipient_id": "P-1", "name": "Mrs Sian Bennett",
                       "email": "", "channel": "letter"}],
                register={"people": _PEOPLE},
                expect=["name-mismatch"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "name": "MRS SIÂN OKAFOR",
                       "email": "", "channel": "letter"}],
                register={"people": _PEOPLE},
            ),
        ),
        Example(
            title="An autofilled email address that belongs to someone else",
            bad=Case(
                rows=[{"recipient_id": "P-1", "name": "Sian Okafor",
                       "email": "jan.nowak@example.org", "channel": "email"}],
                register={"people": _PEOPLE, "contacts": [
                    {"person_id": "P-1", "kind": "email", "value": "s.okafor@example.org",
                     "status": "current"},
                    {"person_id": "P-2", "kind": "email", "value": "jan.nowak@example.org",
                     "status": "current"}]},
                expect=["contact-belongs-to-other"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "name": "Sian Okafor",
                       "email": "s.okafor@example.org", "channel": "email"}],
                register={"people": _PEOPLE, "contacts": [
                    {"person_id": "P-1", "kind": "email", "value": "s.okafor@example.org",
                     "status": "current"},
                    {"person_id": "P-2", "kind": "email", "value": "jan.nowak@example.org",
                     "status": "current"}]},
            ),
        ),
        Example(
            title="A letter about one person sent to someone who does not represent them",
            bad=Case(
                rows=[{"recipient_id": "P-3", "subject_id": "P-2", "name": "Ms Priya Patel",
                       "channel": "letter"}],
                register={"people": _PEOPLE, "representatives": [
                    {"person_id": "P-2", "representative_id": "P-3", "valid_to": "2025-01-31"}]},
                expect=["subject-not-represented"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-3", "subject_id": "P-2", "name": "Ms Priya Patel",
                       "channel": "letter"}],
                register={"people": _PEOPLE, "representatives": [
                    {"person_id": "P-2", "representative_id": "P-3", "valid_to": ""}]},
            ),
        ),
        Example(
            title="Another row's reference in the letter",
            bad=Case(
                rows=[{"recipient_id": "P-1", "name": "Sian Okafor", "account_ref": "CT-400118",
                       "note": "", "channel": "letter"},
                      {"recipient_id": "P-2", "name": "Jan Nowak", "account_ref": "CT-400231",
                       "note": "Your payment for CT-400118 was received.", "channel": "letter"}],
                template=_LETTER,
                register={"people": _PEOPLE},
                expect=["other-row-reference"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "name": "Sian Okafor", "account_ref": "CT-400118",
                       "note": "", "channel": "letter"},
                      {"recipient_id": "P-2", "name": "Jan Nowak", "account_ref": "CT-400231",
                       "note": "Your payment for CT-400231 was received.", "channel": "letter"}],
                template=_LETTER,
                register={"people": _PEOPLE},
            ),
        ),
        Example(
            title="A neighbour's name and address in the letter",
            bad=Case(
                rows=[{"recipient_id": "P-1", "name": "Mrs Sian Okafor",
                       "address_line_1": "14 Mill Lane", "postcode": "PE1 4AB",
                       "account_ref": "CT-400118", "channel": "letter",
                       "note": "Access is via your neighbour, Mr J Nowak, 12 Mill Lane, "
                               "PE1 4AB."}],
                template=_LETTER,
                register={"people": _PEOPLE, "addresses": _HOMES},
                expect=["other-person-data"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "name": "Mrs Sian Okafor",
                       "address_line_1": "14 Mill Lane", "postcode": "PE1 4AB",
                       "account_ref": "CT-400118", "channel": "letter",
                       "note": "Access is via your neighbour, Mr Nowak."}],
                template=_LETTER,
                register={"people": _PEOPLE, "addresses": _HOMES},
            ),
        ),
        Example(
            title="The surname column slipped down by one row",
            bad=Case(
                rows=[{"recipient_id": "P-1", "first_name": "Sian", "last_name": "Okafor"},
                      {"recipient_id": "P-2", "first_name": "Jan", "last_name": "Okafor"},
                      {"recipient_id": "P-3", "first_name": "Priya", "last_name": "Nowak"},
                      {"recipient_id": "P-4", "first_name": "Arthur", "last_name": "Patel"}],
                register={"people": _PEOPLE},
                expect=["column-shift", "shifted-row"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "first_name": "Sian", "last_name": "Okafor"},
                      {"recipient_id": "P-2", "first_name": "Jan", "last_name": "Nowak"},
                      {"recipient_id": "P-3", "first_name": "Priya", "last_name": "Patel"},
                      {"recipient_id": "P-4", "first_name": "Arthur", "last_name": "Bell"}],
                register={"people": _PEOPLE},
            ),
        ),
    )

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._threshold = float(self.options["name_threshold"])
        max_shift = int(self.options["max_shift"])
        self._offsets = tuple(o for d in range(1, max_shift + 1) for o in (-d, d))
        self._min_run = int(self.options["min_run"])
        # Per-batch indexes, filled by observe: small keys per row, never whole rows.
        self._recipients = ByRow()
        self._subjects = ByRow()  # only rows whose subject is not the recipient
        self._references = ReferenceIndex(int(self.options["min_reference_length"]))
        self._names = NameIndex()
        self._shifts = ShiftTracker()
        # The previous row's shift marks per kind, to carry a run through ambiguous rows.
        # (row, keys, rows skipped since the last mark)
        self._previous: dict[str, tuple[int, list[ShiftKey], int]] = {}
        self._last_row = 0  # the last row checked, for carry_out
        self._headers: dict[str, str] = {}
        self._roles_by_header: dict[str, str] = {}
        self._recipient_header = "recipient_id"
        self._people: dict[str, Person | None] = {}
        self._name_differences: dict[int, str] = {}  # row -> " (the surname differs)"
        # Every register person's name (built on first use) and what it needs per run.
        self._search_register = bool(self.options["search_register"])
        self._people_index: RegisterPeople | None = None
        self._template_names: dict[str, set[Occurrence]] = {}
        self._template_lines: dict[str, frozenset[str]] = {}
        self._printed: frozenset[str] = frozenset()  # headers of the name and address
        self._rep_links: dict[str, tuple[Representative, ...]] = {}
        self._current: dict[str, tuple[Address, ...]] = {}

    # --- first pass ------------------------------------------------------------

    def observe(self, item: Item) -> None:
        number = item.row.number
        recipient = item.recipient_id
        if recipient:
            self._recipients.add(number, recipient)
        subject = item.role("subject_id")
        if subject and subject != recipient:
            self._subjects.add(number, subject)
        for _, value in item.references:
            self._references.add(value, number)
        name = _batch_name(item)
        if name is not None and not _is_occupier(name.text):
            key = " ".join(name_tokens(name.text))
            postcode = _row_postcode(item)
            if key and postcode:
                self._names.add(key, postcode, number)

    def observed(self) -> object:
        return (self._recipients, self._subjects, self._references.part(),
                self._names.part())

    def absorb_observed(self, parts: Sequence[object]) -> None:
        for part in parts:
            recipients, subjects, references, names = cast(_Observed, part)
            self._recipients.absorb([recipients])
            self._subjects.absorb([subjects])
            self._references.absorb(references)
            self._names.absorb([names])

    # --- chunks: shifts are marked per row and resolved once, in finish ----------------

    def prepare_register(self) -> None:
        self._register_people()

    def prepare(self) -> None:
        self._register_people()
        self._references.build()

    def chunk_summary(self) -> object:
        # The batch's headers as written, for finish's messages (the same in every chunk).
        headers = (self._headers, self._roles_by_header, self._recipient_header,
                   self._printed)
        summary = (self._shifts.take(), self._name_differences, headers)
        self._name_differences = {}
        return summary

    def absorb_summaries(self, parts: Sequence[object]) -> None:
        for part in parts:
            shifts, differences, headers = cast(_Summary, part)
            self._shifts.absorb(shifts)
            self._name_differences.update(differences)
            if headers[0] and not self._headers:
                (self._headers, self._roles_by_header, self._recipient_header,
                 self._printed) = headers

    def carry_out(self) -> object:
        """A shift still running at the last row checked (it may go on past the chunk)."""
        carried = {kind: state for kind, state in self._previous.items()
                   if state[0] == self._last_row}
        return carried or None

    def carry_in(self, state: object) -> None:
        self._previous = dict(cast(dict[str, tuple[int, list[ShiftKey], int]], state or {}))

    # --- second pass -----------------------------------------------------------

    def check_item(self, item: Item) -> Iterator[Violation]:
        if not self._headers:
            self._headers = dict(item.row.headers)
            self._roles_by_header = {h: r for r, h in item.fields.roles.items()}
            self._recipient_header = self._display(item.fields.header("recipient_id")
                                                   or "recipient_id")
            self._printed = frozenset(
                h for r in ("name", "title", "first_name", "last_name", *ADDRESS_ROLES,
                            "postcode") if (h := item.fields.header(r)) is not None)
        self._last_row = item.row.number
        register = self.context.register
        recipient = item.recipient_id
        person = self._person(recipient) if register is not None and recipient else None
        if register is not None:
            yield from self._check_name(item, person)
            if person is not None:
                yield from self._check_contacts(item, person)
                self._check_address(item)
            else:
                self._gap("address", item.row.number)
            yield from self._check_subject(item)
        yield from self._check_other_rows(item)

    # name ----------------------------------------------------------------------

    def _check_name(self, item: Item, person: Person | None) -> Iterator[Violation]:
        number = item.row.number
        name = _batch_name(item)
        if (person is None or name is None or _is_occupier(name.text)
                or not person.family_name.strip()):
            self._gap("name", number)
            return
        if names_match(name.text, person.given_name, person.family_name, self._threshold):
            self._bridge(item, "name", lambda key, other: self._name_fits(item, key, other))
            return
        columns = tuple(c for c in name.columns
                        if not _column_matches(c[0], c[2], person, self._threshold)
                        ) or name.columns
        headers = tuple(c[1] for c in columns)
        keys: list[ShiftKey] = []
        for offset in self._offsets:
            other = self._neighbour(number, offset, item.recipient_id)
            if other is None or not other.family_name.strip():
                continue
            if all(_column_matches(role, value, other, self._threshold)
                   for role, _, value in columns):
                key = ShiftKey("name", headers, offset)
                self._shifts.mark(key, number)
                keys.append(key)
        if keys:
            self._remember("name", number, keys)
            # How the name differs, kept (no personal data) for a leftover finding.
            self._name_differences[number] = difference_clause(
                name.text, person.given_name, person.family_name, person.title,
                self._threshold)
            return  # reported in finish: as part of a column shift, or on its own
        self._gap("name", number)
        yield Violation(
            code="name-mismatch", column=headers[0],
            message=("The name {name} does not match the register's name for the recipient "
                     "{recipient_id}, {register_name}{difference}: check that this item "
                     "goes to the right person before sending"),
            values={"name": Personal(PersonalKind.NAME, name.text),
                    "register_name": Personal(PersonalKind.NAME, person.full_name)},
            facts={"recipient_id": item.recipient_id,
                   "difference": difference_clause(name.text, person.given_name,
                                                   person.family_name, person.title,
                                                   self._threshold)})

    def _name_fits(self, item: Item, key: ShiftKey, other: str) -> bool:
        person = self._person(other)
        if person is None or not person.family_name.strip():
            return False
        for header in key.columns:
            role = self._roles_by_header.get(header, "name")
            value = item.row.values.get(header, "").strip()
            if not value or not _column_matches(role, value, person, self._threshold):
                return False
        return True

    # contacts --------------------------------------------------------------------

    def _check_contacts(self, item: Item, person: Person) -> Iterator[Violation]:
        register = self.context.register
        assert register is not None
        number = item.row.number
        recipient = item.recipient_id
        for kind, role, personal_kind, what in _CONTACT_KINDS:
            value = item.role(role)
            header = item.fields.header(role)
            if not value or header is None:
                continue
            key = contact_key(kind, value)
            if not key:
                continue
            owners = sorted({c.person_id for c in register.contact_owners(kind, key)
                             if c.status == "current"})
            if not owners or recipient in owners:
                continue
            marked = False
            for offset in self._offsets:
                other = self._recipients.get(number + offset)
                if other and other != recipient and other in owners:
                    self._shifts.mark(ShiftKey("contact", (header,), offset), number)
                    marked = True
            if marked:
                continue
            owner = owners[0]
            more = len(owners) - 1
            yield self._contact_violation(
                header, what, owner, person, recipient,
                contact=Personal(personal_kind, value),
                extra=f" and {more} other {'person' if more == 1 else 'people'}" if more else "")

    def _contact_violation(self, header: str, what: str, owner: str, person: Person,
                           recipient: str, *, contact: Personal | None = None,
                           extra: str = "") -> Violation:
        owner_person = self._person(owner)
        values: dict[str, Personal] = {"recipient": Personal(PersonalKind.NAME,
                                                             person.full_name)}
        facts: dict[str, object] = {"what": what, "owner_id": owner, "extra": extra,
                                    "recipient_id": recipient, "owner": "another person",
                                    "contact": ""}
        if owner_person is not None and owner_person.full_name:
            values["owner"] = Personal(PersonalKind.NAME, owner_person.full_name)
            facts["different"] = different_person(owner_person, person, self._threshold)
        else:
            facts["different"] = " (a different person)"
        if contact is not None:
            values["contact"] = contact
        return Violation(
            code="contact-belongs-to-other", column=header,
            message=("This {what} " + ("{contact} " if contact is not None else "")
                     + "belongs to {owner} ({owner_id}){extra}, not to the recipient "
                       "{recipient} ({recipient_id}){different}: correct it before sending, "
                       "or the item goes to someone else"),
            values=values, facts=facts, fingerprint_extra=what)

    # subject ---------------------------------------------------------------------

    def _check_subject(self, item: Item) -> Iterator[Violation]:
        register = self.context.register
        assert register is not None
        subject = item.role("subject_id")
        recipient = item.recipient_id
        if not subject or not recipient or subject == recipient:
            return
        links = [r for r in register.representatives(subject)
                 if r.representative_id == recipient]
        scope = item.template.scope if item.template is not None else None
        active = [r for r in links if r.active_on(self.context.today)]
        if any(r.covers(scope) for r in active):
            return
        facts: dict[str, object] = {"subject_id": subject, "recipient_id": recipient}
        if active:
            # A valid link whose scope does not cover this letter: a property-and-finance
            # attorney must not receive a health and welfare letter. Scopes are not
            # personal data, so the message names them.
            facts["their_scope"] = " or ".join(sorted({scope_words(r.scope) for r in active}))
            facts["scope"] = scope_words(scope or "")
            yield Violation(
                code="subject-not-represented", column=item.fields.header("subject_id"),
                message=("This item is about {subject_id} and goes to their representative "
                         "{recipient_id}, but the representative's scope ({their_scope}) does "
                         "not cover this letter ({scope}): check who should receive it"),
                facts=facts, fingerprint_extra="scope")
            return
        ended = max((r.valid_to for r in links if r.valid_to is not None), default=None)
        message = ("This item is about {subject_id} but goes to {recipient_id}, who is not "
                   "their representative in the register")
        if ended is not None:
            message += " (the link ended on {ended})"
            facts["ended"] = ended.isoformat()
        message += ": check who should receive it, or record the representative first"
        yield Violation(code="subject-not-represented", column=item.fields.header("subject_id"),
                        message=message, facts=facts)

    # address (shift only: stale-address reports an address that is not current) ---

    def _check_address(self, item: Item) -> None:
        number = item.row.number
        postcode = _row_postcode(item)
        if postcode is None:
            self._gap("address", number)
            return
        recipient = item.recipient_id
        if any(normalise_postcode(a.postcode) == postcode for a in self._addresses(recipient)):
            self._bridge(item, "address", lambda key, other: any(
                normalise_postcode(a.postcode) == postcode for a in self._addresses(other)))
            return
        headers = tuple(h for role in (*ADDRESS_ROLES, "postcode")
                        if (h := item.fields.header(role)) is not None)
        name = _batch_name(item)
        row_key = None
        keys: list[ShiftKey] = []
        for offset in self._offsets:
            other = self._recipients.get(number + offset)
            if not other or other == recipient:
                continue
            for address in self._addresses(other):
                if normalise_postcode(address.postcode) != postcode:
                    continue
                if row_key is None:
                    row_key = address_key(item.address_lines,
                                          addressee_names=[name.text] if name else [])
                if same_address(row_key, address_key(address.lines, address.postcode)):
                    key = ShiftKey("address", headers, offset)
                    self._shifts.mark(key, number)
                    keys.append(key)
                    break
        if keys:
            self._remember("address", number, keys)
        else:
            self._gap("address", number)

    # other rows' identifiers ---------------------------------------------------------

    def _check_other_rows(self, item: Item) -> Iterator[Violation]:
        number = item.row.number
        own = {p for p in (item.recipient_id, item.role("subject_id")) if p}
        reference_headers = item.fields.references  # a column or two
        cells = [(h, v) for h, v in item.row.values.items()
                 if v and not v.isspace() and h not in reference_headers]
        # What goes with the item is sent too: its attachments' text is searched after
        # the letter's own (a bundle carrying the next customer's statement).
        text = item.sent_text()
        reported: set[str] = set()  # recipients of other rows reported for this item
        seen = _ItemText(text, cells, self._static_lines(item), self._printed)
        if len(self._references):
            # The template's own lines are the same in every item: not another row's.
            yield from self._reference_hits(number, own, cells, seen.merged, reported)
        if len(self._names):
            yield from self._name_hits(item, own, seen, reported)
        if (self._search_register or self._people_index is not None) and (
                self._register_people() is not None) and not _about_someone_unnamed(item):
            yield from self._register_hits(item, seen, reported)

    # another register person's data ---------------------------------------------------

    def _register_people(self) -> RegisterPeople | None:
        """The index of every register person's name, built on first use, once per run."""
        if self._people_index is None and self._search_register:
            register = self.context.register
            self._search_register = False  # build once, even if it comes out empty
            if register is not None:
                self._people_index = RegisterPeople.build(register)
        return self._people_index

    def _register_hits(self, item: Item, seen: _ItemText, reported: set[str]
                       ) -> Iterator[Violation]:
        """The name of a register person who is none of the people this item may name,
        with their postcode and house number or their person_id (DESIGN §2: another
        person's data, whether or not they are in the batch)."""
        index = self._people_index
        assert index is not None
        recipient = item.recipient_id
        subject = item.role("subject_id") or recipient
        own = index.numbers((recipient,) if subject == recipient else (recipient, subject))
        # Occurrences that may name the recipient or the subject are theirs.
        own_names = index.own(own)
        occurrences = index.occurrences(index.without_own(seen.spaced, own_names), own_names)
        if not occurrences:
            return
        template_own: set[Occurrence] | None = None
        pending: list[tuple[Occurrence, frozenset[int]]] = []
        for occurrence in occurrences:
            fits = index.fitting(occurrence)
            if not fits:
                continue
            if template_own is None:
                template_own = self._template_occurrences(item, index)
            if occurrence not in template_own:
                pending.append((occurrence, fits))
        pending.sort()
        if not pending:
            return
        scope = item.template.scope if item.template is not None else None
        allowed = set(index.numbers([
            r.representative_id for p in {recipient, subject} if p for r in self._links(p)
            if r.active_on(self.context.today) and r.covers(scope)]))
        homes = self._homes({recipient, subject} - {""})
        found: dict[int, set[str]] = {}
        ids: set[int] | None = None
        for occurrence, fits in pending:
            if fits & allowed:
                continue  # may name their representative
            local = index.local(occurrence, fits, seen.postcodes) if seen.postcodes else []
            if any(self._at_home(address, homes) for _, address in local):
                continue  # may name a member of their household
            for number, address in local:
                if any(f" {fingerprint} " in seen.address_text
                       for fingerprint in locating_fingerprints(address)):
                    found.setdefault(number, set()).add("address")
            if ids is None:
                ids = index.with_ids(seen.ids).difference(own)
            for number in fits & ids:
                found.setdefault(number, set()).add("reference")
        for number, what in sorted(found.items()):
            person = index.people[number]
            violation = self._other_person(item, person, what, homes, scope, reported)
            if violation is not None:
                yield violation

    def _other_person(self, item: Item, person: Person, what: set[str],
                      homes: Sequence[AddressKey], scope: str | None, reported: set[str]
                      ) -> Violation | None:
        person_id = person.person_id
        if person_id in reported or person_id in (item.recipient_id, item.role("subject_id")):
            return None  # reported as another row's data already
        number = item.row.number
        if any(self._recipients.get(number + offset) == person_id
               for offset in self._shifts.offsets(number)):
            return None  # part of a column shift (or reported as its leftover)
        if any(self._at_home(a, homes) for a in self._addresses(person_id)):
            return None  # household
        register = self.context.register
        if register is not None and register.restrictions_for(person_id):
            return None  # a protected person's details are protected-address's (DESIGN §2)
        today = self.context.today
        if any(r.representative_id == item.recipient_id and r.active_on(today)
               and r.covers(scope) for r in self._links(person_id)):
            return None  # the recipient acts for them
        carried = " and ".join(w for w in ("address", "reference") if w in what)
        values = {"other_name": Personal(PersonalKind.NAME, person.full_name),
                  "other_id": Personal(PersonalKind.IDENTIFIER, person_id)}
        return Violation(
            code="other-person-data",
            message=("The item carries the name and {carried} of another person in the "
                     "register, {other_name} ({other_id}), who is not the recipient, the "
                     "subject, a member of their household or their representative: it may "
                     "hold someone else's data (a slipped merge, the wrong record); check it "
                     "before sending"),
            values=values, facts={"carried": carried},
            fingerprint_extra=f"person:{person_id}")

    def _template_occurrences(self, item: Item, index: RegisterPeople) -> set[Occurrence]:
        """Names in the template's own wording (an officer's signature): not merge data."""
        template = item.template
        if template is None:
            return set()
        key = template.path or template.name
        found = self._template_names.get(key)
        if found is None:
            found = index.occurrences(f" {fold_spaced(template.source)} ")
            self._template_names[key] = found
        return found

    def _static_lines(self, item: Item) -> frozenset[str]:
        """The lines of the item's template that hold no field: rendered as they are."""
        template = item.template
        if template is None:
            return frozenset()
        key = template.path or template.name
        found = self._template_lines.get(key)
        if found is None:
            found = frozenset(line for line in template.source.split("\n")
                              if not any(mark in line for mark in _FIELD_MARKS))
            self._template_lines[key] = found
        return found

    def _links(self, person_id: str) -> tuple[Representative, ...]:
        cached = self._rep_links.get(person_id)
        if cached is None:
            register = self.context.register
            cached = tuple(register.representatives(person_id)) if register else ()
            if len(self._rep_links) >= _CACHE_SIZE:
                self._rep_links.clear()
            self._rep_links[person_id] = cached
        return cached

    def _homes(self, person_ids: set[str]) -> list[AddressKey]:
        return [address_key(a.lines, a.postcode) for p in sorted(person_ids)
                for a in self._addresses(p)]

    @staticmethod
    def _at_home(address: Address, homes: Sequence[AddressKey]) -> bool:
        key = address_key(address.lines, address.postcode)
        return any(same_address(key, home) for home in homes)

    def _same_people(self, row: int, own: set[str]) -> bool:
        """Is ``row`` about the same person as this one (a second item for them)?"""
        return (self._recipients.get(row) in own) or (self._subjects.get(row) in own)

    def _reference_hits(self, number: int, own: set[str], cells: list[tuple[str, str]],
                        text: str, reported: set[str]) -> Iterator[Violation]:
        starts: list[int] = []  # where each cell starts in ``joined``: made on the first hit
        joined = "\x00".join(v for _, v in cells)
        found: dict[int, tuple[str | None, str]] = {}  # other row -> (column, value)
        searches: list[tuple[str, bool]] = [(joined, True), (text, False)]
        for searched, in_cells in searches:
            for hit in self._references.other_rows_in(searched, number):
                if in_cells and not starts:
                    position = 0
                    for _, value in cells:
                        starts.append(position)
                        position += len(value) + 1
                column = cells[bisect_right(starts, hit.start) - 1][0] if in_cells else None
                for row in hit.rows:
                    if not self._same_people(row, own):
                        found.setdefault(row, (column, searched[hit.start:hit.end]))
        for row, (column, value) in sorted(found.items()):
            reported.add(self._recipients.get(row, ""))
            offset = row - number
            if column is not None and abs(offset) <= max(abs(o) for o in self._offsets):
                self._shifts.mark(ShiftKey("reference", (column,), offset), number)
                continue
            where = "Column {column} carries" if column is not None else "The text carries"
            yield Violation(
                code="other-row-reference", column=column,
                message=(where + " row {other_row}'s reference {reference}: this item may "
                         "hold another row's data; check the merge before sending"),
                values={"reference": Personal(PersonalKind.IDENTIFIER, value)},
                facts={"other_row": _n(row), "column": self._display(column or "")},
                fingerprint_extra=value.lower())

    def _name_hits(self, item: Item, own: set[str], seen: _ItemText, reported: set[str]
                   ) -> Iterator[Violation]:
        number = item.row.number
        # A name means something only with a postcode that is not this row's own: most
        # items carry none, and postcodes are found faster than names. Those of the
        # batch's rows are looked for first (all at once): a postcode no row has
        # names nobody the index holds.
        own_postcode = _row_postcode(item)
        squashed = seen.squashed
        if squashed is not None and not self._names.postcodes_in(squashed) - {own_postcode}:
            return
        postcodes = seen.postcodes - {own_postcode}
        if not postcodes:
            return
        found: dict[int, tuple[str, str]] = {}
        for row, key, postcode in self._names.found(seen.folded, postcodes):
            if row != number and not self._same_people(row, own):
                found[row] = (key, postcode)
        for row, (key, postcode) in sorted(found.items()):
            reported.add(self._recipients.get(row, ""))
            yield Violation(
                code="other-row-name",
                message=("The item carries the name and postcode of row {other_row}'s "
                         "recipient ({other_name}, {postcode}): this row may hold another "
                         "row's data; check the merge before sending"),
                values={"other_name": Personal(PersonalKind.NAME, key),
                        "postcode": Personal(PersonalKind.POSTCODE, postcode)},
                facts={"other_row": _n(row)},
                fingerprint_extra=f"{key}|{postcode}")

    # --- whole batch ------------------------------------------------------------------

    def finish(self) -> Iterator[Violation]:
        runs, leftovers = self._shifts.resolve(self._min_run)
        for run in runs:
            yield from self._run_violations(run)
        for row, key in leftovers:
            violation = self._leftover(row, key)
            if violation is not None:
                yield violation

    def _what(self, key: ShiftKey) -> str:
        if key.kind == "contact":
            role = self._roles_by_header.get(key.columns[0], "")
            return "phone number" if role == "phone" else "email address"
        return key.kind

    def _columns(self, key: ShiftKey) -> tuple[str, bool]:
        """How the message names the key's columns, and whether that is more than one."""
        shown = [self._display(h) for h in key.columns]
        if key.kind == "address" and len(shown) > 2:
            return f"{shown[0]} to {shown[-1]}", True
        return ", ".join(shown), len(shown) > 1

    def _run_violations(self, run: ShiftRun) -> Iterator[Violation]:
        key = run.key
        columns, plural = self._columns(key)
        what = self._what(key)
        whose = "the row" if key.kind == "reference" else "the recipient"
        span = f"{_n(run.first)}–{_n(run.last)}"
        yield Violation(
            code="column-shift", column=key.columns[0] if key.columns else None,
            row=run.first, recipient_id=self._recipients.get(run.first),
            message=("{noun} {column} {verb} shifted by {distance} from row {first} to row "
                     "{last}: each row carries the {what} of {whose} {direction}. Re-align "
                     "the column with {recipient_column} and merge again: none of the "
                     "{count} items in this range should be sent"),
            facts={"noun": "Columns" if plural else "Column", "column": columns,
                   "verb": "are" if plural else "is", "distance": distance_phrase(key.offset),
                   "first": _n(run.first), "last": _n(run.last), "what": what,
                   "whose": whose, "direction": rows_phrase(key.offset),
                   "recipient_column": self._recipient_header,
                   "count": _n(run.last - run.first + 1)},
            fingerprint_extra=f"{key.kind}:{key.offset}")
        for row in run.rows:
            other_row = row + key.offset
            other = self._recipients.get(other_row, "")
            if key.kind == "reference":
                carries = "row {other_row}'s reference"
            else:
                carries = "the {what} of row {other_row}'s recipient ({other_id})"
            yield Violation(
                code="shifted-row", column=key.columns[0] if key.columns else None,
                row=row, recipient_id=self._recipients.get(row),
                message=("Part of the column shift at rows {span}: {column} carries " + carries
                         + ", not this recipient's; do not send this item"),
                facts={"span": span, "column": columns, "what": what,
                       "other_row": _n(other_row), "other_id": other},
                fingerprint_extra=f"{key.kind}:{key.offset}")

    def _leftover(self, row: int, key: ShiftKey) -> Violation | None:
        """A row that carries a neighbour's data but is in no column shift."""
        other_row = row + key.offset
        recipient = self._recipients.get(row, "")
        other = self._recipients.get(other_row, "")
        column = key.columns[0] if key.columns else None
        columns, _ = self._columns(key)
        if key.kind == "reference":
            return Violation(
                code="other-row-reference", column=column, row=row, recipient_id=recipient,
                message=("Column {column} carries row {other_row}'s reference: this item may "
                         "hold another row's data; check the merge before sending"),
                facts={"column": columns, "other_row": _n(other_row)},
                fingerprint_extra=f"row{key.offset}")
        person = self._person(recipient)
        other_person = self._person(other)
        if person is None:
            return None
        other_name = other_person.full_name if other_person is not None else ""
        if key.kind == "contact":
            violation = self._contact_violation(column or "", self._what(key), other, person,
                                                recipient)
            return Violation(
                code=violation.code, column=violation.column, row=row, recipient_id=recipient,
                message=violation.message.replace(
                    "({owner_id})", "({owner_id}, the recipient of row {other_row})"),
                values=violation.values, facts={**violation.facts, "other_row": _n(other_row)},
                fingerprint_extra=violation.fingerprint_extra)
        values = {"register_name": Personal(PersonalKind.NAME, person.full_name),
                  "other_name": Personal(PersonalKind.NAME, other_name)}
        facts: dict[str, object] = {"column": columns, "recipient_id": recipient,
                                    "other_row": _n(other_row), "other_id": other}
        if key.kind == "address":
            return Violation(
                code="address-of-other-recipient", column=column, row=row,
                recipient_id=recipient,
                message=("The address is the register's current address of row {other_row}'s "
                         "recipient {other_name} ({other_id}), not of the recipient "
                         "{register_name} ({recipient_id}): correct it before sending"),
                values=values, facts=facts)
        facts["difference"] = self._name_differences.get(row, "")
        return Violation(
            code="name-mismatch", column=column, row=row, recipient_id=recipient,
            message=("The name in column {column} does not match the register's name for the "
                     "recipient {recipient_id}, {register_name}{difference}: it is the name "
                     "of row {other_row}'s recipient {other_name} ({other_id}), a different "
                     "person. Check that this item goes to the right person before sending"),
            values=values, facts=facts)

    # --- helpers ---------------------------------------------------------------------

    def _display(self, header: str) -> str:
        return self._headers.get(header, header)

    def _person(self, person_id: str) -> Person | None:
        if person_id in self._people:
            return self._people[person_id]
        register = self.context.register
        if register is None or not person_id:
            return None
        if len(self._people) >= _CACHE_SIZE:
            self._people.clear()
        person = register.person(person_id)
        self._people[person_id] = person
        return person

    def _addresses(self, person_id: str) -> tuple[Address, ...]:
        """The person's current addresses (cached)."""
        cached = self._current.get(person_id)
        if cached is not None:
            return cached
        register = self.context.register
        if register is None or not person_id:
            return ()
        if len(self._current) >= _CACHE_SIZE:
            self._current.clear()
        current = tuple(a for a in register.addresses(person_id) if a.status == "current")
        self._current[person_id] = current
        return current

    def _neighbour(self, number: int, offset: int, recipient: str) -> Person | None:
        other = self._recipients.get(number + offset)
        if not other or other == recipient:
            return None
        return self._person(other)

    def _remember(self, kind: str, number: int, keys: list[ShiftKey]) -> None:
        if keys:
            self._previous[kind] = (number, keys, 0)
        else:
            self._previous.pop(kind, None)

    def _gap(self, kind: str, number: int) -> None:
        """A row that could not be checked, or whose data fits no one: a shift may run
        through up to MAX_GAP of them (an empty cell, a row already wrong before the
        shift), so remember the previous row's shift past it."""
        self._shifts.gap(kind, number)
        previous = self._previous.get(kind)
        if previous is not None and previous[0] == number - 1 and previous[2] < MAX_GAP:
            self._previous[kind] = (number, previous[1], previous[2] + 1)
        else:
            self._previous.pop(kind, None)

    def _bridge(self, item: Item, kind: str, fits: _Fits) -> None:
        """This row's data is its own recipient's; if the previous row carried its
        neighbour's and this row's also fits its neighbour at the same offset (two
        neighbours sharing a surname or an address), let the run continue through it."""
        number = item.row.number
        previous = self._previous.get(kind)
        keys: list[ShiftKey] = []
        if previous is not None and previous[0] == number - 1:
            for key in previous[1]:
                other = self._recipients.get(number + key.offset)
                # the same recipient twice in a row (a repeated row) fits trivially
                if other and (other == item.recipient_id or fits(key, other)):
                    self._shifts.mark(key, number, ambiguous=True)
                    keys.append(key)
        self._remember(kind, number, keys)


def _about_someone_unnamed(item: Item) -> bool:
    """A third-party item (a referral to an agency) whose batch does not say whom it is
    about: another register person's details are its point, and no subject is known to
    tell the right person's from the wrong one. Give the batch a subject_id column and
    the search runs (the subject's details are then expected, anyone else's are not)."""
    template = item.template
    return (template is not None and template.audience == "third_party"
            and not item.has_role("subject_id"))
