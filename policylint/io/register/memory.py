"""A register held in memory, and the row validation every backend shares.

:class:`MemoryRegister` is what a directory of CSV files becomes
(:func:`policylint.io.register.csvdir.open_csv_register`), and what tests and
plugins build directly from dictionaries. The ``clean_*``/``make_*`` functions
below are also used by the SQLite backend and by ``build_sqlite``, so that a
row means the same thing (and fails the same way) whichever backend holds it.

Error messages name the file, row and column but never quote a cell: a cell
of a register is as likely to hold a date of birth as a status.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import operator
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from policylint.errors import RegisterError, RegisterErrors
from policylint.io.register.base import (
    ALL_COLUMNS,
    REQUIRED_COLUMNS,
    REQUIRED_TABLES,
    Address,
    Contact,
    Person,
    Representative,
    Restriction,
)
from policylint.model import Row
from policylint.normalise.contact import contact_key

TABLES: tuple[str, ...] = tuple(ALL_COLUMNS)

# Allowed values of the enumerated columns (DESIGN §1), per table.
ALLOWED_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "people": {"status": ("active", "deceased")},
    "addresses": {"status": ("current", "previous", "gone_away")},
    "contacts": {"kind": ("email", "phone"), "status": ("current", "previous", "invalid")},
    "restrictions": {"kind": ("confidential_address", "do_not_disclose_to")},
    "representatives": {},
}
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("date_of_birth",),
    "addresses": ("valid_from", "valid_to", "verified_on"),
    "contacts": ("verified_on",),
    "restrictions": (),
    "representatives": ("valid_to",),
}
# Columns that must hold a value in every row (an empty cell is an error).
NON_EMPTY: dict[str, tuple[str, ...]] = {
    "people": ("person_id", "status"),
    "addresses": ("person_id", "status"),
    "contacts": ("person_id", "kind", "value", "status"),
    "restrictions": ("person_id", "kind"),
    "representatives": ("person_id", "representative_id"),
}

# Bad rows collected before loading stops: enough to fix a whole export in one go.
MAX_BAD_REGISTER_ROWS = 1000
# YYYY-MM-DD, optionally followed by a time (as database and spreadsheet exports write it).
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?\Z")

RegisterRecord: TypeAlias = Person | Address | Contact | Restriction | Representative
TableRow: TypeAlias = Mapping[str, str] | Row


@dataclass(frozen=True)
class Origin:
    """Where a table's rows come from, for error messages.

    ``file`` is what the message names first (a CSV path, or the SQLite file);
    ``in_database`` adds the table name to the message, since one database
    file holds every table and its row numbers are SQLite rowids.
    """

    file: str
    table: str
    in_database: bool = False

    def error(self, message: str, *, row: int | None = None, key: str | None = None
              ) -> RegisterError:
        if self.in_database:
            message = f"{message} (table '{self.table}')"
        return RegisterError(message, file=self.file, row=row, key=key)


def check_columns(columns: Iterable[str], origin: Origin) -> None:
    """Raise if a required column of ``origin.table`` is not among ``columns``."""
    present = set(columns)
    for column in REQUIRED_COLUMNS[origin.table]:
        if column not in present:
            raise origin.error("required column is missing", key=column)


def parse_date(text: str, origin: Origin, row: int | None, key: str) -> dt.date | None:
    """An ISO 8601 date (``2024-03-31``), ``None`` for an empty cell."""
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match is not None:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise origin.error("not a valid ISO 8601 date (expected YYYY-MM-DD)", row=row, key=key)


def clean_values(values: Mapping[str, str], origin: Origin, row: int | None) -> dict[str, str]:
    """Validate one row and return every DESIGN column as canonical text.

    Cells are stripped; enumerated values lower-cased and checked; dates
    checked and written back as ``YYYY-MM-DD``; flags lower-cased and joined
    by ``;``. Missing optional columns become ``""``. Unknown columns are
    dropped.
    """
    table = origin.table
    out: dict[str, str] = {}
    for column in ALL_COLUMNS[table]:
        raw = values.get(column)
        if raw is None:
            if column in REQUIRED_COLUMNS[table]:
                raise origin.error("required column is missing", row=row, key=column)
            raw = ""
        out[column] = raw.strip()
    for column in NON_EMPTY[table]:
        if not out[column]:
            raise origin.error("empty cell in a column that needs a value", row=row, key=column)
    for column, allowed in ALLOWED_VALUES[table].items():
        value = out[column].lower()
        if value not in allowed:
            raise origin.error(
                f"unknown {column}; expected one of: {', '.join(allowed)}", row=row, key=column
            )
        out[column] = value
    for column in DATE_COLUMNS[table]:
        day = parse_date(out[column], origin, row, column)
        out[column] = day.isoformat() if day is not None else ""
    if table == "people":
        out["flags"] = ";".join(split_flags(out["flags"]))
    elif table == "restrictions" and out["kind"] == "do_not_disclose_to" and not out[
        "other_person_id"
    ]:
        raise origin.error(
            "do_not_disclose_to needs the person not to disclose to", row=row,
            key="other_person_id",
        )
    return out


def split_flags(text: str) -> tuple[str, ...]:
    """``"No_Voicemail; post_only"`` -> ``("no_voicemail", "post_only")``.

    Order is kept; repeats and empty parts are dropped.
    """
    seen: dict[str, None] = {}
    for part in text.split(";"):
        flag = part.strip().lower()
        if flag:
            seen[flag] = None
    return tuple(seen)


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def make_record(table: str, clean: Mapping[str, str]) -> RegisterRecord:
    """The dataclass for a row already passed through :func:`clean_values`."""
    if table == "people":
        return Person(
            person_id=clean["person_id"],
            title=clean["title"],
            given_name=clean["given_name"],
            family_name=clean["family_name"],
            date_of_birth=_date(clean["date_of_birth"]),
            status=clean["status"],
            flags=frozenset(split_flags(clean["flags"])),
        )
    if table == "addresses":
        lines = tuple(clean[f"line_{i}"] for i in range(1, 7) if clean[f"line_{i}"])
        return Address(
            person_id=clean["person_id"],
            lines=lines,
            postcode=clean["postcode"],
            status=clean["status"],
            valid_from=_date(clean["valid_from"]),
            valid_to=_date(clean["valid_to"]),
            verified_on=_date(clean["verified_on"]),
        )
    if table == "contacts":
        return Contact(
            person_id=clean["person_id"],
            kind=clean["kind"],
            value=clean["value"],
            status=clean["status"],
            verified_on=_date(clean["verified_on"]),
        )
    if table == "restrictions":
        return Restriction(
            person_id=clean["person_id"],
            kind=clean["kind"],
            other_person_id=clean["other_person_id"],
            note=clean["note"],
        )
    if table == "representatives":
        return Representative(
            person_id=clean["person_id"],
            representative_id=clean["representative_id"],
            scope=clean["scope"],
            valid_to=_date(clean["valid_to"]),
        )
    raise ValueError(f"unknown register table {table!r}")


# --------------------------------------------------------------------------- fast path
#
# Loading a register validates every cell of every row, so the per-row cost
# decides how long a 100,000-person register takes to open. The builders below
# validate a row and build its record in one pass, parsing each date once (and
# each distinct date text only once per register). They accept only rows that
# clean_values() accepts, and give the record make_record() would give; for any
# other row (a missing column, an empty or unknown value, an odd date, a cell
# that is not text) they return None, and the caller runs clean_values() and
# make_record(), which raise the exact error (or build the record) as before.

# A row's cells in ALL_COLUMNS[table] order, None for an absent column. Any, not str:
# the builders must cope with whatever a caller or a database gives.
Cells: TypeAlias = Sequence[Any]
_NO_FLAGS: frozenset[str] = frozenset()
# Distinct date and flag texts remembered per builder; past this, parsed afresh.
_CACHE_LIMIT = 100_000


class _NotPlain(Exception):
    """A row the fast path leaves to clean_values()."""


class RecordBuilder:
    """Validate-and-build for each table, with per-register caches of parsed dates and flags.

    ``build(table)`` gives a function from a row's cells (``ALL_COLUMNS[table]``
    order; ``None`` for a column the source does not have) to its record, or
    ``None`` when the row must go through :func:`clean_values`.

    With ``intern=True`` (a whole register loaded into memory) equal texts that
    repeat across rows (ids, names, towns, postcodes, address lines shared by a
    household) come out as one shared object: the records are equal to those
    built without it, in a fraction of the memory. The tables that do this
    live as long as the builder, so a long-lived builder (the SQLite backend's)
    does not intern.
    """

    def __init__(self, *, intern: bool = False) -> None:
        self._dates: dict[str, dt.date] = {}
        self._flags: dict[str, frozenset[str]] = {}
        # keep(text, text) -> the shared equal text; ident(id) likewise for ids, which
        # repeat across tables. Without interning both give back what they are given.
        strings: dict[str, str] = {}
        lines: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._keep: Callable[[str, str], str] = strings.setdefault if intern else strings.get
        self._keep_lines: Callable[[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = (
            lines.setdefault if intern else lines.get)
        self._ident: Callable[[str], str] = sys.intern if intern else str
        self._builders: dict[str, Callable[[Cells], RegisterRecord | None]] = {
            "people": self.person,
            "addresses": self.address,
            "contacts": self.contact,
            "restrictions": self.restriction,
            "representatives": self.representative,
        }

    def build(self, table: str) -> Callable[[Cells], RegisterRecord | None]:
        return self._builders[table]

    def _date(self, raw: Any) -> dt.date | None:
        """The date in an optional date cell (``None`` or empty: no date)."""
        if raw is None or raw == "":
            return None
        day = self._dates.get(raw)
        if day is not None:
            return day
        text = raw.strip()
        if not text:
            return None
        match = _ISO_DATE.match(text)
        if match is None:
            raise _NotPlain
        try:
            day = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise _NotPlain from None
        if len(self._dates) < _CACHE_LIMIT:
            self._dates[raw] = day
        return day

    def _flag_set(self, raw: Any) -> frozenset[str]:
        if raw is None or raw == "":
            return _NO_FLAGS
        flags = self._flags.get(raw)
        if flags is None:
            flags = frozenset(split_flags(raw.strip()))
            if len(self._flags) < _CACHE_LIMIT:
                self._flags[raw] = flags
        return flags

    def person(self, cells: Cells) -> Person | None:
        try:
            person_id, title, given, family, born, status, flags = cells
            # Required columns: an absent one (None) fails here and goes the slow way.
            person_id = person_id.strip()
            status = status.strip()
            status = _PERSON_STATUS.get(status) or _PERSON_STATUS.get(status.lower())
            if status is None or not person_id:
                return None
            keep = self._keep
            title = title.strip() if title is not None else ""
            given = given.strip()
            family = family.strip()
            return Person(
                self._ident(person_id),
                keep(title, title),
                keep(given, given),
                keep(family, family),
                self._date(born),
                status,
                self._flag_set(flags),
            )
        except Exception:  # anything unusual: clean_values() decides
            return None

    def address(self, cells: Cells) -> Address | None:
        try:
            (person_id, line_1, line_2, line_3, line_4, line_5, line_6, postcode, status,
             valid_from, valid_to, verified_on) = cells
            person_id = person_id.strip()
            status = status.strip()
            status = _ADDRESS_STATUS.get(status) or _ADDRESS_STATUS.get(status.lower())
            if status is None or not person_id:
                return None
            keep = self._keep
            lines = tuple(filter(None, (
                line_1.strip(),
                keep(t2 := line_2.strip(), t2) if line_2 is not None else "",
                keep(t3 := line_3.strip(), t3) if line_3 is not None else "",
                keep(t4 := line_4.strip(), t4) if line_4 is not None else "",
                keep(t5 := line_5.strip(), t5) if line_5 is not None else "",
                keep(t6 := line_6.strip(), t6) if line_6 is not None else "",
            )))
            postcode = postcode.strip()
            return Address(
                self._ident(person_id),
                self._keep_lines(lines, lines),  # one tuple for a household
                keep(postcode, postcode),
                status,
                self._date(valid_from),
                self._date(valid_to),
                self._date(verified_on),
            )
        except Exception:
            return None

    def contact(self, cells: Cells) -> Contact | None:
        try:
            person_id, kind, value, status, verified_on = cells
            person_id = person_id.strip()
            value = value.strip()
            kind = kind.strip()
            kind = _CONTACT_KIND.get(kind) or _CONTACT_KIND.get(kind.lower())
            status = status.strip()
            status = _CONTACT_STATUS.get(status) or _CONTACT_STATUS.get(status.lower())
            if kind is None or status is None or not person_id or not value:
                return None
            return Contact(
                self._ident(person_id),
                kind,
                value,
                status,
                self._date(verified_on),
            )
        except Exception:
            return None

    def restriction(self, cells: Cells) -> Restriction | None:
        try:
            person_id, kind, other, note = cells
            person_id = person_id.strip()
            kind = kind.strip()
            kind = _RESTRICTION_KINDS.get(kind) or _RESTRICTION_KINDS.get(kind.lower())
            other = other.strip() if other is not None else ""
            if kind is None or not person_id or (kind == "do_not_disclose_to" and not other):
                return None
            return Restriction(
                self._ident(person_id),
                kind,
                self._ident(other),
                note.strip() if note is not None else "",
            )
        except Exception:
            return None

    def representative(self, cells: Cells) -> Representative | None:
        try:
            person_id, representative_id, scope, valid_to = cells
            person_id = person_id.strip()
            representative_id = representative_id.strip()
            if not person_id or not representative_id:
                return None
            scope = scope.strip() if scope is not None else ""
            return Representative(
                self._ident(person_id),
                self._ident(representative_id),
                self._keep(scope, scope),
                self._date(valid_to),
            )
        except Exception:
            return None

    def canonical(self, table: str, cells: Cells) -> tuple[str | None, ...] | None:
        """The row as :func:`clean_values` writes it, in ``ALL_COLUMNS[table]``
        order with ``None`` for an empty cell (what ``build_sqlite`` stores), or
        ``None`` when the row must go through :func:`clean_values`."""
        out: list[str | None] = []
        try:
            for raw, (kind, required, non_empty, allowed) in zip(
                cells, _CANONICAL[table], strict=True
            ):
                if raw is None:
                    if required:
                        return None
                    out.append(None)
                    continue
                text = raw.strip()
                if not text:
                    if non_empty or kind == "enum":
                        return None
                    out.append(None)
                    continue
                if kind == "enum":
                    if text not in allowed:
                        text = text.lower()
                        if text not in allowed:
                            return None
                elif kind == "date":
                    day = self._date(text)
                    assert day is not None
                    text = day.isoformat()
                elif kind == "flags":
                    text = ";".join(split_flags(text)) or None
                out.append(text)
        except Exception:  # anything unusual: clean_values() decides
            return None
        if table == "restrictions" and out[1] == "do_not_disclose_to" and not out[2]:
            return None
        return tuple(out)


# Per table, per column of ALL_COLUMNS: (kind, required column, needs a value, allowed values).
_CANONICAL: dict[str, tuple[tuple[str, bool, bool, frozenset[str]], ...]] = {
    table: tuple(
        (
            "enum" if column in ALLOWED_VALUES[table]
            else "date" if column in DATE_COLUMNS[table]
            else "flags" if (table, column) == ("people", "flags")
            else "text",
            column in REQUIRED_COLUMNS[table],
            column in NON_EMPTY[table],
            frozenset(ALLOWED_VALUES[table].get(column, ())),
        )
        for column in columns
    )
    for table, columns in ALL_COLUMNS.items()
}
# Each allowed value mapped to itself: a lookup both checks a cell and gives the one
# shared copy of its text.
_PERSON_STATUS = {v: v for v in ALLOWED_VALUES["people"]["status"]}
_ADDRESS_STATUS = {v: v for v in ALLOWED_VALUES["addresses"]["status"]}
_CONTACT_KIND = {v: v for v in ALLOWED_VALUES["contacts"]["kind"]}
_CONTACT_STATUS = {v: v for v in ALLOWED_VALUES["contacts"]["status"]}
_RESTRICTION_KINDS = {v: v for v in ALLOWED_VALUES["restrictions"]["kind"]}


def build_record(table: str, values: Mapping[str, str], origin: Origin, row: int | None,
                 builder: RecordBuilder | None = None) -> RegisterRecord:
    """The validated record for one row: the same as ``make_record(table,
    clean_values(values, origin, row))``, raising the same errors, in one pass."""
    builder = builder or RecordBuilder()
    record = builder.build(table)(tuple(map(values.get, ALL_COLUMNS[table])))
    if record is None:
        record = make_record(table, clean_values(values, origin, row))
    return record


def numbered(rows: Iterable[TableRow], numbers: Sequence[int] | None = None
             ) -> Iterator[tuple[int, Mapping[str, str]]]:
    """Pair each row with the row number a spreadsheet shows (header is row 1).

    A :class:`~policylint.model.Row` carries its own number; plain mappings
    take ``numbers[i]`` when given, else ``i + 2``.
    """
    for index, row in enumerate(rows):
        if isinstance(row, Row):
            yield row.number, row.values
        else:
            yield (numbers[index] if numbers is not None else index + 2), row


class DuplicateIds:
    """Remembers each person_id's row, to reject a second row with the same id."""

    def __init__(self, origin: Origin) -> None:
        self._origin = origin
        self._first: dict[str, int] = {}

    def add(self, person_id: str, row: int) -> None:
        first = self._first.get(person_id)
        if first is None:
            self._first[person_id] = row
        else:
            raise self._origin.error(
                f"person_id appears twice; first at row {first}", row=row, key="person_id"
            )


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a register's records are created.

    Loading creates hundreds of thousands of long-lived objects and no cycles;
    left running, the collector would walk them all again and again (a third
    of the load time). It runs again as before afterwards, also on error.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass(frozen=True)
class CellTable:
    """One table's rows as positional cells, the way a file reader gives them.

    ``names`` is the table's header (normalised column names, as
    :attr:`CsvBatchReader.names <policylint.io.batch.CsvBatchReader.names>`
    gives them); ``rows`` yields ``(row number, physical line, cells)`` with
    cell ``i`` under ``names[i]`` (as :meth:`CsvBatchReader.cell_rows
    <policylint.io.batch.CsvBatchReader.cell_rows>` yields them). Each row
    means exactly what the mapping ``dict(zip(names, cells))`` means.
    """

    names: Sequence[str]
    rows: Iterable[tuple[int, int, Sequence[str]]]


def cell_picker(names: Sequence[str], table: str) -> Callable[[Sequence[str]], Cells]:
    """A function from a row's cells (under the header ``names``) to the cells of
    ``ALL_COLUMNS[table]`` in order, ``None`` for a column the header lacks."""
    where = {name: index for index, name in enumerate(names)}
    indexes = [where.get(column) for column in ALL_COLUMNS[table]]
    present = [index for index in indexes if index is not None]
    if len(present) == len(indexes) and len(indexes) > 1:
        return operator.itemgetter(*present)

    def pick(cells: Sequence[str]) -> Cells:
        return tuple(None if index is None else cells[index] for index in indexes)

    return pick


def _mapping_rows(rows: Iterable[TableRow], numbers: Sequence[int] | None, table: str
                  ) -> Iterator[tuple[int, Cells, Mapping[str, str]]]:
    """(row number, cells in ALL_COLUMNS order, the row) for rows given as mappings."""
    names = ALL_COLUMNS[table]
    for index, row in enumerate(rows):
        if isinstance(row, Row):
            number, values = row.number, row.values
        else:
            number = numbers[index] if numbers is not None else index + 2
            values = row
        yield number, tuple(map(values.get, names)), values


def _cell_rows(source: CellTable, table: str) -> Iterator[tuple[int, Cells, Sequence[str]]]:
    """(row number, cells in ALL_COLUMNS order, the row's cells) for a CellTable."""
    names = source.names
    pick = cell_picker(names, table)
    width = len(names)
    columns = ALL_COLUMNS[table]
    for number, _line, cells in source.rows:
        if len(cells) >= width:
            yield number, pick(cells), cells
        else:  # a short row: its missing cells are missing columns
            yield number, tuple(map(dict(zip(names, cells, strict=False)).get, columns)), cells


def _reference_only(cells: Cells) -> None:
    """A builder that takes no row: every row goes the reference way."""
    return None


class MemoryRegister:
    """A :class:`~policylint.io.register.base.Register` over rows held in memory.

    ``tables`` maps a table name to its rows (column -> text, or batch
    :class:`~policylint.model.Row` objects, which carry their row number), or
    to a :class:`CellTable` (positional cells under a header, as the CSV
    register gives them). Only ``people`` is required; absent tables are
    empty; unknown tables and columns are ignored. ``files`` names the file
    each table came from and ``row_numbers`` the row each plain mapping came
    from (default: the i-th row is row ``i + 2``, as under a header row).
    ``columns`` lists each table's header, so a required column missing from a
    table with no rows is still reported (a :class:`CellTable`'s header is
    always checked). ``fast=False`` validates and builds every row the
    reference way (``clean_values`` + ``make_record``), to hold the fast path
    to it in tests.

    Every row is validated and every index is built here, once.
    """

    def __init__(
        self,
        tables: Mapping[str, Iterable[TableRow] | CellTable],
        *,
        source: str = "<memory>",
        files: Mapping[str, str] | None = None,
        row_numbers: Mapping[str, Sequence[int]] | None = None,
        columns: Mapping[str, Sequence[str]] | None = None,
        fast: bool = True,
    ) -> None:
        self.source = source
        files = files or {}
        row_numbers = row_numbers or {}
        columns = columns or {}
        for table in REQUIRED_TABLES:
            if table not in tables:
                raise RegisterError(
                    f"register has no {table} table", file=files.get(table, source)
                )
        with gc_paused():
            self._load(tables, source, files, row_numbers, columns, fast)

    def _load(
        self,
        tables: Mapping[str, Iterable[TableRow] | CellTable],
        source: str,
        files: Mapping[str, str],
        row_numbers: Mapping[str, Sequence[int]],
        columns: Mapping[str, Sequence[str]],
        fast: bool,
    ) -> None:
        people: dict[str, Person] = {}
        addresses: dict[str, list[Address]] = {}
        contacts: dict[str, list[Contact]] = {}
        # kind -> normalised value -> contacts: no (kind, value) tuple per contact.
        owners: dict[str, dict[str, list[Contact]]] = {"email": {}, "phone": {}}
        restrictions: list[Restriction] = []
        restrictions_by: dict[str, list[Restriction]] = {}
        representatives: dict[str, list[Representative]] = {}

        problems: list[RegisterError] = []
        builder = RecordBuilder(intern=True)  # lives for this load only
        for table in TABLES:
            if table not in tables:
                continue
            origin = Origin(files.get(table, f"{source}:{table}"), table)
            given = tables[table]
            rows: Iterator[tuple[int, Cells, Mapping[str, str] | Sequence[str]]]
            header: Sequence[str] | None = None  # set: rows are cells under this header
            if isinstance(given, CellTable):
                check_columns(given.names, origin)
                rows = _cell_rows(given, table)
                header = given.names
            else:
                if table in columns:
                    check_columns(columns[table], origin)
                rows = _mapping_rows(given, row_numbers.get(table), table)
            build = builder.build(table) if fast else _reference_only
            duplicates = DuplicateIds(origin)
            for number, cells, raw in rows:
                record = build(cells)
                try:
                    if record is None:
                        # Not plain: the reference path raises the exact error (or accepts).
                        values: Mapping[str, str] = (
                            raw if header is None  # type: ignore[assignment]
                            else dict(zip(header, raw, strict=False))
                        )
                        record = make_record(table, clean_values(values, origin, number))
                    if table == "people":
                        duplicates.add(record.person_id, number)
                except RegisterError as exc:
                    # Read on: one run lists every bad row, not one per run.
                    problems.append(exc)
                    if len(problems) >= MAX_BAD_REGISTER_ROWS:
                        raise RegisterErrors(problems, stopped=True) from None
                    continue
                person_id = record.person_id
                if table == "people":
                    assert isinstance(record, Person)
                    people[person_id] = record
                elif table == "addresses":
                    assert isinstance(record, Address)
                    addresses.setdefault(person_id, []).append(record)
                elif table == "contacts":
                    assert isinstance(record, Contact)
                    contacts.setdefault(person_id, []).append(record)
                    key = contact_key(record.kind, record.value)
                    if key:
                        if key == record.value:  # most e-mail addresses: share the text
                            key = record.value
                        owners[record.kind].setdefault(key, []).append(record)
                elif table == "restrictions":
                    assert isinstance(record, Restriction)
                    restrictions.append(record)
                    restrictions_by.setdefault(person_id, []).append(record)
                else:
                    assert isinstance(record, Representative)
                    representatives.setdefault(person_id, []).append(record)

        if problems:
            raise RegisterErrors(problems)
        self._people = people
        self._addresses = {k: tuple(v) for k, v in addresses.items()}
        self._contacts = {k: tuple(v) for k, v in contacts.items()}
        self._owners = {kind: {k: tuple(v) for k, v in by_key.items()}
                        for kind, by_key in owners.items()}
        self._restrictions = tuple(restrictions)
        self._restrictions_by = {k: tuple(v) for k, v in restrictions_by.items()}
        self._representatives = {k: tuple(v) for k, v in representatives.items()}

    def __repr__(self) -> str:
        return f"MemoryRegister({self.source!r}, people={len(self._people)})"

    # -- Register protocol -------------------------------------------------

    def person(self, person_id: str) -> Person | None:
        return self._people.get(person_id)

    def people(self) -> Iterator[Person]:
        return iter(self._people.values())  # never changes after __init__

    def addresses(self, person_id: str) -> Sequence[Address]:
        return self._addresses.get(person_id, ())

    def contacts(self, person_id: str) -> Sequence[Contact]:
        return self._contacts.get(person_id, ())

    def contact_owners(self, kind: str, normalised_value: str) -> Sequence[Contact]:
        by_key = self._owners.get(kind)
        return by_key.get(normalised_value, ()) if by_key is not None else ()

    def restrictions(self) -> Sequence[Restriction]:
        return self._restrictions

    def restrictions_for(self, person_id: str) -> Sequence[Restriction]:
        return self._restrictions_by.get(person_id, ())

    def representatives(self, person_id: str) -> Sequence[Representative]:
        return self._representatives.get(person_id, ())

    def close(self) -> None:
        """Nothing to release; present for the protocol."""

    # -- whole-table scans (used by check_register) ------------------------

    def all_addresses(self) -> Iterator[Address]:
        for rows in self._addresses.values():
            yield from rows

    def all_contacts(self) -> Iterator[Contact]:
        for rows in self._contacts.values():
            yield from rows

    def all_representatives(self) -> Iterator[Representative]:
        for rows in self._representatives.values():
            yield from rows

    def __enter__(self) -> MemoryRegister:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
