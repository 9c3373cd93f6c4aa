"""The register: the organisation's system of record that batches are checked against.

One interface (:class:`Register`) in front of every backend, so rules never
know whether the data came from a directory of CSV files or an SQLite file.
Table and column contracts are in DESIGN §1.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, overload, runtime_checkable

# Required columns per table. Unknown columns are ignored; a missing required
# column is a RegisterError naming the file and column.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("person_id", "given_name", "family_name", "status"),
    "addresses": ("person_id", "line_1", "postcode", "status"),
    "contacts": ("person_id", "kind", "value", "status"),
    "restrictions": ("person_id", "kind"),
    "representatives": ("person_id", "representative_id"),
}
# Every column the DESIGN names, in order; optional ones may be absent.
ALL_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("person_id", "title", "given_name", "family_name", "date_of_birth", "status",
               "flags"),
    "addresses": ("person_id", "line_1", "line_2", "line_3", "line_4", "line_5", "line_6",
                  "postcode", "status", "valid_from", "valid_to", "verified_on"),
    "contacts": ("person_id", "kind", "value", "status", "verified_on"),
    "restrictions": ("person_id", "kind", "other_person_id", "note"),
    "representatives": ("person_id", "representative_id", "scope", "valid_to"),
}
# people is the only table a register must have; the others may be absent (empty).
REQUIRED_TABLES = ("people",)

# The records below use slots: a register holds hundreds of thousands of them, and a
# slotted record is about half the size of one with a __dict__ (they still pickle,
# for --jobs, and compare and hash as before).


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str
    title: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    status: str = "active"  # active | deceased
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


@dataclass(frozen=True, slots=True)
class Address:
    person_id: str
    lines: tuple[str, ...]  # line_1..line_6, empty lines dropped
    postcode: str
    status: str  # current | previous | gone_away
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    verified_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    person_id: str
    kind: str  # email | phone
    value: str  # as stored
    status: str  # current | previous | invalid
    verified_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Restriction:
    person_id: str
    kind: str  # confidential_address | do_not_disclose_to
    other_person_id: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Representative:
    person_id: str
    representative_id: str
    scope: str = ""
    valid_to: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.valid_to is None or self.valid_to >= day

    def covers(self, template_scope: str | None) -> bool:
        """May this representative receive items of a template with ``template_scope``?

        An empty or ``all`` scope covers everything; a template without a scope may go
        to any valid representative; otherwise the scopes must be equal (so a
        property-and-finance attorney does not receive a health and welfare letter).
        """
        mine = self.scope.strip().lower()
        wanted = (template_scope or "").strip().lower()
        return not wanted or mine in ("", "all") or mine == wanted


@runtime_checkable
class Register(Protocol):
    """What rules may ask of the system of record.

    Contact lookups take a *normalised* value: e-mail addresses lower-cased and
    stripped, phone numbers in E.164 (``+447700900123``); see
    :func:`policylint.normalise.contact_key`.
    """

    source: str  # path shown in messages

    def person(self, person_id: str) -> Person | None: ...

    def people(self) -> Iterator[Person]: ...

    def addresses(self, person_id: str) -> Sequence[Address]: ...

    def contacts(self, person_id: str) -> Sequence[Contact]: ...

    def contact_owners(self, kind: str, normalised_value: str) -> Sequence[Contact]: ...

    def restrictions(self) -> Sequence[Restriction]: ...

    def restrictions_for(self, person_id: str) -> Sequence[Restriction]: ...

    def representatives(self, person_id: str) -> Sequence[Representative]: ...

    def close(self) -> None: ...


@runtime_checkable
class Prefetching(Protocol):
    """A register that answers a chunk of rows faster when told their keys first.

    Optional: the engine calls :meth:`prefetch` once per chunk of batch rows
    (:mod:`policylint.engine.prefetch`) with every key the rules may look up
    for those rows: recipient and subject ids, and the normalised e-mail
    addresses and phone numbers the rows hold (see
    :func:`policylint.normalise.contact_key`). A database backend loads
    everything about those keys in a few ``IN (...)`` queries; the
    per-person methods then answer from that cache. A register held in
    memory has nothing to gain and need not implement it. ``prefetch`` only
    warms a cache: the answers of every other method are the same with or
    without it. After a batch's last row it is called once more with no keys:
    a register whose file may change under the run checks there that it can
    still be read (the rows since the last call were answered from its cache).
    """

    def prefetch(self, person_ids: Collection[str], emails: Collection[str] = (),
                 phones: Collection[str] = ()) -> None: ...


@runtime_checkable
class ColumnScans(Protocol):
    """A register that can list a few fields of every row without building records.

    Optional, for indexes over the whole register (the surnames recipient-mismatch
    searches for, the addresses protected-address and the destinations index):
    ``scan("addresses", ("person_id", "lines", "postcode", "status"))`` yields one
    tuple per row, in the order of ``all_addresses()``, each value what the record
    would hold (``lines``: the non-empty address lines, a tuple).
    ``folded_holds`` narrows a scan to the rows whose text, folded to ASCII letters
    and digits (lower case, everything else deleted, cells run together), may hold
    one of the given pieces: a superset, found without Python's help where it can be
    (a row that is not plain ASCII is always kept). ``people_sequence()`` gives
    everyone in the order of ``people()`` as a sequence that builds a record when
    indexed, so an index can keep row numbers instead of a copy of every record.
    Every built-in backend implements both: the columnar CSV register from its packed
    columns, the database registers by reading rows (``folded_holds`` unused) and
    people by rowid or id when asked. A backend that lists every row whatever
    ``folded_holds`` asks may say so with ``narrows_scans = False``: a caller may then
    index every row from a scan it narrowed (without it, a scan is taken to narrow).
    """

    def scan(self, table: str, columns: Sequence[str], *,
             folded_holds: Collection[str] | None = None) -> Iterator[tuple[Any, ...]]: ...

    def people_sequence(self) -> Sequence[Person]: ...


class PeopleSequence(Sequence[Person]):
    """Everyone in a register, in the order of ``people()``, each record built (or read)
    when indexed (:meth:`ColumnScans.people_sequence`): ``person_at(i)`` gives the
    i-th person of ``size``; ``every()``, when given, lists them all faster than one
    by one; ``read(indexes)``, when given, reads several people in one go."""

    def __init__(self, size: int, person_at: Callable[[int], Person],
                 every: Callable[[], Iterator[Person]] | None = None,
                 read: Callable[[Sequence[int]], None] | None = None) -> None:
        self._size = size
        self._person_at = person_at
        self._every = every
        self._read = read

    def read_ahead(self, indexes: Sequence[int]) -> None:
        """These people are asked for next: a database reads them in a few queries
        rather than one each (a family name that 13,700 people share)."""
        if self._read is not None:
            self._read(indexes)

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> Person: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Person]: ...

    def __getitem__(self, index: int | slice) -> Person | Sequence[Person]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._size))]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(index)
        return self._person_at(index)

    def __iter__(self) -> Iterator[Person]:
        return self._every() if self._every is not None else super().__iter__()


def values_of(columns: Sequence[str]) -> Callable[[object], tuple[Any, ...]]:
    """A record's values of ``columns`` (its fields; ``lines`` for an address), as a
    tuple however many columns there are: one row of :meth:`ColumnScans.scan`."""
    pick = operator.attrgetter(*columns)
    if len(columns) == 1:
        return lambda record: (pick(record),)
    return pick


def columns_of(records: Iterable[object], columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """:meth:`ColumnScans.scan` for a register that reads records: the values of
    ``columns`` (:func:`values_of`), each record let go once read, so an index over
    the whole register never holds them all."""
    return map(values_of(columns), records)
