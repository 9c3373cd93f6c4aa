"""A register kept in an SQLite file with the same tables and columns as the CSV register.

The file is opened read-only. Lookups are parameterised queries answered
from small per-register LRU caches; rows are validated as they are read, with
the same rules (and messages) as the CSV register, naming the SQLite rowid
as the row. Validation takes the same one-pass fast path as the CSV register
(:class:`~policylint.io.register.memory.RecordBuilder`) for rows whose cells
are all text, and the reference path (``clean_values``) for anything else.
Build such a file with :func:`policylint.io.register.build.build_sqlite`
(which adds the indexes these queries use), or bring your own.

Indexes over the whole register keep row ids, not records
(:class:`~policylint.io.register.base.ColumnScans`): a register of 1,370,000
people held as records costs some 800 MiB, which is what an SQLite register
is there to avoid. ``contact_owners`` finds its rows by their normalised keys:
for a large register kept with their rowids in a temporary file
(:class:`~policylint.io.register.scratch.ScratchKeys`), otherwise by the keys'
sorted hashes (:class:`~policylint.io.register.hashed.HashedRows`), each confirmed
against the row itself; ``people_sequence`` reads a person by rowid when asked.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from policylint.errors import RegisterError
from policylint.io.register.base import (
    ALL_COLUMNS,
    REQUIRED_TABLES,
    Address,
    Contact,
    PeopleSequence,
    Person,
    Representative,
    Restriction,
    values_of,
)
from policylint.io.register.hashed import HashedRows, contact_row_key
from policylint.io.register.memory import (
    ALLOWED_VALUES,
    DATE_COLUMNS,
    NON_EMPTY,
    TABLES,
    DuplicateIds,
    Origin,
    RecordBuilder,
    RegisterRecord,
    check_columns,
    clean_values,
    make_record,
)
from policylint.io.register.scratch import ScratchKeys, indexes_on_disk
from policylint.normalise.contact import contact_key

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R", bound=RegisterRecord)

_MISSING = object()
_KINDS: dict[str, type[RegisterRecord]] = {
    "people": Person, "addresses": Address, "contacts": Contact,
    "representatives": Representative}
# What scan() takes straight from the cells of a row it can vouch for (see
# SqliteRegister._vouched): each column's value in the record is the cell stripped
# (an enumeration vouched for is already canonical); an address's ``lines`` are its
# non-empty line cells, stripped.
_TAKEN_FROM_CELLS: dict[str, frozenset[str]] = {
    "people": frozenset({"person_id", "title", "given_name", "family_name", "status"}),
    "addresses": frozenset({"person_id", "lines", "postcode", "status"}),
    "contacts": frozenset({"person_id", "kind", "value", "status"}),
}
_LINES = tuple(f"line_{i}" for i in range(1, 7))


# Connections a forked worker inherited (see SqliteRegister.reconnect): referenced until
# the process ends, so that collecting one never closes the parent's file handle here.
_ABANDONED: list[sqlite3.Connection] = []

# People per read-ahead query: SQLite before 3.32 allows 999 parameters a statement.
_IDS_PER_QUERY = 400
# The read-ahead's list of ids, as a table the queries join (a name no register uses).
_WANTED = "policylint_wanted"

# Records kept per cache: four times the prefetch's 500 rows ahead (engine/prefetch.py)
# and the few neighbours a row-shift check reads; more bought nothing measurable, and
# eight caches of 4,096 held some 25 MiB at 1,000,000 rows (a third of the target).
RECORDS_CACHED = 2048


class LruCache(Generic[K, V]):
    """A small least-recently-used cache (per register, so closing one frees it)."""

    def __init__(self, maxsize: int = RECORDS_CACHED) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[K, V | object] = OrderedDict()

    def get(self, key: K, load: Callable[[K], V]) -> V:
        data = self._data
        value = data.get(key, _MISSING)  # not try/except: raising KeyError costs a miss ~1 µs
        if value is _MISSING:
            value = load(key)
            data[key] = value
            if len(data) > self.maxsize:
                data.popitem(last=False)
            return value
        data.move_to_end(key)
        return cast(V, value)

    def put(self, key: K, value: V) -> None:
        data = self._data
        data[key] = value
        data.move_to_end(key)
        if len(data) > self.maxsize:
            data.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqliteRegister:
    """A :class:`~policylint.io.register.base.Register` over an SQLite file."""

    # scan() lists every row whatever folded_holds asks (see ColumnScans): an index may
    # take every address from a narrowed scan.
    narrows_scans = False
    # Caches stay small and, in a large register, whole-register indexes go to
    # temporary files (policylint.io.register.scratch): memory is why a database is used.
    records_on_disk = True

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.source = str(path)
        if not self.path.is_file():
            raise RegisterError("register database not found", file=self.source)
        self._db = self._connect()
        self._quoted: dict[str, str] = {}  # table -> its actual name, quoted
        self._columns: dict[str, dict[str, str]] = {}  # table -> its columns, quoted
        try:
            self._select = self._inspect()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise RegisterError(f"not a readable SQLite database ({exc})", file=self.source
                                ) from None
        except RegisterError:
            self._db.close()
            raise
        # No read transaction is held open across lookups, although taking the file
        # lock per query costs about as much as the query: each query then checks
        # the file afresh, so a register damaged or replaced mid-run stops the run
        # (tests/security/test_fail_closed.py) instead of being read from cache.
        builder = RecordBuilder()  # shared: its caches of parsed dates serve every table
        self._builds = {table: builder.build(table) for table in TABLES}
        self._lookup = self._db.cursor()  # lookups fetch everything before returning
        self._by_person = {
            table: None if select is None else f"{select} WHERE {person_column} = ? ORDER BY rowid"
            for table, (select, person_column) in self._select.items()
        }
        self._person_cache: LruCache[str, Person | None] = LruCache()
        self._address_cache: LruCache[str, tuple[Address, ...]] = LruCache()
        self._contact_cache: LruCache[str, tuple[Contact, ...]] = LruCache()
        self._restriction_cache: LruCache[str, tuple[Restriction, ...]] = LruCache()
        self._representative_cache: LruCache[str, tuple[Representative, ...]] = LruCache()
        # Whole-register indexes, built on first use: rowids and hashes, no records.
        self._people_rowids: Sequence[int] | None = None
        self._owners: ScratchKeys[int] | _OwnersInMemory | None = None
        self._owner_cache: LruCache[tuple[str, str], tuple[Contact, ...]] = LruCache()
        self._by_rowid: dict[str, LruCache[int, RegisterRecord]] = {
            "people": LruCache(), "contacts": LruCache()}
        self._all_restrictions: tuple[Restriction, ...] | None = None
        self._joins: dict[str, str | None] = {}  # table -> its read-ahead query (_joined)

    def _connect(self) -> sqlite3.Connection:
        uri = self.path.resolve().as_uri() + "?mode=ro"
        try:
            return sqlite3.connect(uri, uri=True)
        except sqlite3.Error as exc:
            raise RegisterError(f"cannot open register database ({exc})", file=self.source
                                ) from None

    def reconnect(self) -> None:
        """In a forked worker (--jobs): a connection of its own, as SQLite requires (a
        connection must not cross a fork). The parent's is kept, never used or closed
        here; the caches and whole-register indexes the parent built are plain data and
        stay, so the workers neither rebuild them nor hold a second register."""
        _ABANDONED.append(self._db)
        self._db = self._connect()
        self._lookup = self._db.cursor()

    def _inspect(self) -> dict[str, tuple[str | None, str]]:
        """Check tables and columns; return each table's SELECT (None: table absent)
        and its person_id column, quoted.

        The SELECT gives the rowid, whether every cell is text (or NULL), then
        each column of ``ALL_COLUMNS`` in order, NULL (or absent) as ``''``.
        """
        names = {
            str(name).lower(): str(name)
            for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        selects: dict[str, tuple[str | None, str]] = {}
        for table in TABLES:
            actual = names.get(table)
            if actual is None:
                if table in REQUIRED_TABLES:
                    raise RegisterError(f"register database has no {table} table",
                                        file=self.source)
                selects[table] = (None, "")
                continue
            info = self._db.execute(f"PRAGMA table_info({_quote(actual)})").fetchall()
            columns = {str(row[1]).lower(): str(row[1]) for row in info}
            check_columns(columns, self._origin(table))
            present = [_quote(columns[column]) for column in ALL_COLUMNS[table]
                       if column in columns]
            plain = " AND ".join(f"typeof({name}) IN ('text', 'null')" for name in present)
            parts = ["rowid", f"({plain})"]
            for column in ALL_COLUMNS[table]:
                parts.append(f"coalesce({_quote(columns[column])}, '')" if column in columns
                             else "''")
            self._quoted[table] = _quote(actual)
            self._columns[table] = {column: _quote(columns[column]) for column in ALL_COLUMNS[table]
                                    if column in columns}
            selects[table] = (f"SELECT {', '.join(parts)} FROM {_quote(actual)}",
                              _quote(columns["person_id"]))
        return selects

    def _origin(self, table: str) -> Origin:
        return Origin(self.source, table, in_database=True)

    def _record(self, table: str, row: Sequence[object]) -> RegisterRecord:
        """The validated record for one row of a SELECT from :meth:`_inspect`."""
        if row[1]:  # every cell is text: the one-pass fast path, if the row is plain
            record = self._builds[table](row[2:])
            if record is not None:
                return record
        return self._checked(table, row)

    def _checked(self, table: str, row: Sequence[object]) -> RegisterRecord:
        """The reference path: validate as ``clean_values`` does (and raise as it does)."""
        values = {
            column: "" if cell is None else str(cell)
            for column, cell in zip(ALL_COLUMNS[table], row[2:], strict=True)
        }
        number = int(row[0])  # type: ignore[call-overload]
        return make_record(table, clean_values(values, self._origin(table), number))

    def _rows(self, sql: str) -> Iterator[Sequence[object]]:
        """The rows of a whole-table query, with database errors as RegisterError."""
        try:
            cursor = self._db.execute(sql)
            while rows := cursor.fetchmany(256):
                yield from rows
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None

    def _unreadable(self, exc: sqlite3.DatabaseError) -> RegisterError:
        return RegisterError(f"cannot read the register database ({exc})", file=self.source)

    def _fetch(self, table: str, person_id: str) -> list[Sequence[object]]:
        """Every row of ``table`` for one person, in rowid order."""
        sql = self._by_person[table]
        if sql is None:
            return []
        try:
            rows: list[Sequence[object]] = self._lookup.execute(sql, (person_id,)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None
        return rows

    def _where(self, table: str, person_id: str, kind: type[R]) -> tuple[R, ...]:
        # The same records the read-ahead (prefetch) builds from the same rows.
        return cast(tuple[R, ...], tuple(self._record(table, row)
                                         for row in self._fetch(table, person_id)))

    def _scan(self, table: str, kind: type[R]) -> Iterator[tuple[int, R]]:
        select = self._select[table][0]
        if select is None:
            return
        for row in self._rows(f"{select} ORDER BY rowid"):
            record = self._record(table, row)
            assert isinstance(record, kind)
            yield int(row[0]), record  # type: ignore[call-overload]

    # -- Register protocol -------------------------------------------------

    def person(self, person_id: str) -> Person | None:
        return self._person_cache.get(person_id, self._load_person)

    def _load_person(self, person_id: str) -> Person | None:
        found = self._fetch("people", person_id)
        records = [self._record("people", row) for row in found]
        if len(found) > 1:
            raise self._origin("people").error(
                f"person_id appears twice; first at row {found[0][0]}",
                row=found[1][0], key="person_id",  # type: ignore[arg-type]
            )
        if not found:
            return None
        person = records[0]
        assert isinstance(person, Person)
        return person

    def _load_addresses(self, person_id: str) -> tuple[Address, ...]:
        return self._where("addresses", person_id, Address)

    def _load_contacts(self, person_id: str) -> tuple[Contact, ...]:
        return self._where("contacts", person_id, Contact)

    def _load_restrictions(self, person_id: str) -> tuple[Restriction, ...]:
        return self._where("restrictions", person_id, Restriction)

    def _load_representatives(self, person_id: str) -> tuple[Representative, ...]:
        return self._where("representatives", person_id, Representative)

    def people(self) -> Iterator[Person]:
        duplicates = DuplicateIds(self._origin("people"))
        for rowid, person in self._scan("people", Person):
            duplicates.add(person.person_id, rowid)
            yield person

    def addresses(self, person_id: str) -> Sequence[Address]:
        return self._address_cache.get(person_id, self._load_addresses)

    def contacts(self, person_id: str) -> Sequence[Contact]:
        return self._contact_cache.get(person_id, self._load_contacts)

    def contact_owners(self, kind: str, normalised_value: str) -> Sequence[Contact]:
        if not normalised_value:
            return ()
        return self._owner_cache.get((kind, normalised_value), self._load_owners)

    def _load_owners(self, key: tuple[str, str]) -> tuple[Contact, ...]:
        return tuple(cast(Contact, self._at("contacts", rowid))
                     for rowid in self._owner_index().every(contact_row_key(*key)))

    def _owner_index(self) -> ScratchKeys[int] | _OwnersInMemory:
        """Every contact's (kind, normalised value) with its rowid: one scan of the table,
        the records let go as they are read (normalising a phone cannot be done in SQL)."""
        if self._owners is None:
            owners: ScratchKeys[int] | _OwnersInMemory = (
                ScratchKeys("the index of contact values") if indexes_on_disk(self)
                else _OwnersInMemory(self._owner_key_at))
            for rowid, (kind, value) in self._scan_columns("contacts", ("kind", "value")):
                key = contact_key(kind, value)
                if key:
                    owners.add(contact_row_key(kind, key), rowid)
            owners.seal()
            self._owners = owners
        return self._owners

    def _owner_key_at(self, rowid: int) -> str:
        contact = cast(Contact, self._at("contacts", rowid))
        return contact_row_key(contact.kind, contact_key(contact.kind, contact.value))

    def size_hint(self) -> int:
        """About how many people the register holds (the people table's largest rowid:
        one look-up, not a count)."""
        try:
            row = self._lookup.execute(
                f"SELECT max(rowid) FROM {self._quoted['people']}").fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None
        return int(row[0] or 0)

    def _at(self, table: str, rowid: int) -> RegisterRecord:
        """The record of one row, by rowid (a row an index found: it exists)."""
        return self._by_rowid[table].get(rowid, lambda _: self._load_at(table, rowid))

    def _load_at(self, table: str, rowid: int) -> RegisterRecord:
        select = self._select[table][0]
        assert select is not None
        try:
            row = self._lookup.execute(f"{select} WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None
        if row is None:  # the file changed under the run: stop rather than guess
            raise RegisterError(f"the register database changed while it was read ({table} "
                                f"row {rowid} is gone)", file=self.source)
        return self._record(table, row)

    # -- read-ahead (Prefetching) --------------------------------------------

    def prefetch(self, person_ids: Collection[str], emails: Collection[str] = (),
                 phones: Collection[str] = ()) -> None:
        """Read the records of a chunk's people (engine/prefetch.py) with one query per
        table, not one per person and table: each query costs about as much as taking
        the file's lock, and a letter's rules ask four of them. Only warms the caches
        the look-ups answer from: a row that does not validate, or a person_id held
        twice, is left to the look-up, which raises as it always did when (and if) it
        is asked. E-mail addresses and phone numbers are not read ahead: their owners
        are found through the contact index, usually among these people's contacts."""
        wanted = sorted({p for p in person_ids if p and p not in self._person_cache})
        if not wanted:
            # Nothing to read (the engine's call after a batch's last row, say): the file
            # must still read, or a register damaged since the last read-ahead would go
            # unnoticed where a look-up would have stopped the run.
            self._confirm_readable()
            return
        people = self._rows_by_person("people", wanted)
        if people is not None:
            for person_id in wanted:
                rows = people.get(person_id, [])
                if len(rows) > 1:
                    continue
                try:
                    person = cast(Person, self._record("people", rows[0])) if rows else None
                except RegisterError:
                    continue
                self._person_cache.put(person_id, person)
                if person is not None:
                    self._by_rowid["people"].put(cast(int, rows[0][0]), person)
        caches: tuple[tuple[str, LruCache[str, Any]], ...] = (
            ("addresses", self._address_cache), ("contacts", self._contact_cache),
            ("restrictions", self._restriction_cache),
            ("representatives", self._representative_cache))
        for table, cache in caches:
            found = self._rows_by_person(table, wanted)
            if found is None:
                continue
            for person_id in wanted:
                rows = found.get(person_id, [])
                try:
                    records = tuple(self._record(table, row) for row in rows)
                except RegisterError:
                    continue
                cache.put(person_id, records)
                if table == "contacts":  # what the contact index confirms its hits against
                    for row, record in zip(rows, records, strict=True):
                        self._by_rowid["contacts"].put(cast(int, row[0]), record)

    def _confirm_readable(self) -> None:
        try:
            self._lookup.execute(f"SELECT rowid FROM {self._quoted['people']} LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None

    def _rows_by_person(self, table: str, person_ids: Sequence[str]
                        ) -> dict[str, list[Sequence[object]]] | None:
        """The rows :meth:`_fetch` gives for each of ``person_ids``, in rowid order; None
        when they cannot be read ahead (no index on person_id that SQLite can search:
        one query per person is then no slower). SQLite matches them as it does there:
        the ids are joined as a table of values, so the person_id column's affinity and
        collation decide, as they do for ``= ?``."""
        if self._select[table][0] is None:
            return {}
        joined = self._joined(table)
        if joined is None:
            return None
        found: dict[str, list[Sequence[object]]] = {}
        for start in range(0, len(person_ids), _IDS_PER_QUERY):
            part = person_ids[start:start + _IDS_PER_QUERY]
            try:
                rows = self._lookup.execute(_with_ids(len(part)) + joined, part).fetchall()
            except sqlite3.OperationalError:
                # The file is busy, say: the look-ups will ask again, and say so.
                return None
            except sqlite3.DatabaseError as exc:
                raise self._unreadable(exc) from None
            for row in rows:
                found.setdefault(row[0], []).append(row[1:])
        return found

    def _joined(self, table: str) -> str | None:
        """The read-ahead's query for ``table`` after its ``WITH`` (see :func:`_with_ids`):
        its rows joined to the ids, each id looked up in an index whose first column is
        person_id, named, as SQLite's plan for the query confirms (a search, not a scan)
        once per register. Without statistics the planner may otherwise prefer an
        automatic index over the whole table (400 ids: 150 ms a query instead of 2)."""
        if table in self._joins:
            return self._joins[table]
        select, column = self._select[table]
        assert select is not None
        quoted = self._quoted[table]
        actual = quoted[1:-1].replace('""', '"')  # as plans name it
        searched = (f"SEARCH {actual} ", f"SEARCH TABLE {actual} ")  # SQLite >= / < 3.24
        chosen: str | None = None
        try:
            for _, name, *_rest in self._lookup.execute(
                    f"PRAGMA index_list({quoted})").fetchall():
                first = self._lookup.execute(f"PRAGMA index_info({_quote(name)})").fetchone()
                if first is None or _quote(str(first[2])).lower() != column.lower():
                    continue
                # The ids first (CROSS JOIN fixes the order), then the named index.
                query = (select.replace("SELECT ", f"SELECT {_WANTED}.id, ", 1)
                         .replace(f" FROM {quoted}", f" FROM {_WANTED} CROSS JOIN {quoted} "
                                  f"INDEXED BY {_quote(name)}", 1)
                         + f" ON {column} = {_WANTED}.id ORDER BY {quoted}.rowid")
                try:
                    plan = self._lookup.execute(
                        f"EXPLAIN QUERY PLAN {_with_ids(1)}{query}", ("",)).fetchall()
                except sqlite3.OperationalError:
                    continue  # a partial index, say: it cannot serve every id
                if any(str(step[-1]).startswith(searched) for step in plan):
                    chosen = query
                    break
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None
        self._joins[table] = chosen
        return chosen

    # -- indexes over the whole register (ColumnScans) ---------------------

    def scan(self, table: str, columns: Sequence[str], *,
             folded_holds: Collection[str] | None = None) -> Iterator[tuple[Any, ...]]:
        """Every row of ``table`` (:func:`~policylint.io.register.base.columns_of`),
        validated as its record is. ``folded_holds`` is not used: every row is listed
        (the superset :class:`~policylint.io.register.base.ColumnScans` allows)."""
        if table == "people":
            self._people_rows()  # a person_id twice fails here, as people() fails
        return (values for _, values in self._scan_columns(table, columns))

    def _scan_columns(self, table: str, columns: Sequence[str]
                      ) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(rowid, the values of ``columns``) of every row, in rowid order, as
        :meth:`scan` gives them. A row SQLite vouches for (:meth:`_vouched`) is read
        as those few cells; any other is read whole and validated, raising as a
        lookup of it would. Building a record costs most of a scan, and a register
        written by ``policylint register build`` holds only rows vouched for."""
        taken = _TAKEN_FROM_CELLS.get(table)
        present = self._columns.get(table)
        values = values_of(columns)
        if taken is None or present is None or not set(columns) <= taken:
            for rowid, record in self._scan(table, _KINDS[table]):
                yield rowid, values(record)
            return
        cells = list(dict.fromkeys(
            cell for wanted in columns for cell in (_LINES if wanted == "lines" else (wanted,))))
        at = {column: position for position, column in enumerate(cells, start=2)}
        selected = ", ".join(f"coalesce({present[c]}, '')" if c in present else "''"
                             for c in cells)
        sql = (f"SELECT rowid, {self._vouched(table, present, cells)}, {selected} "
               f"FROM {self._quoted[table]} ORDER BY rowid")
        lines = [at[line] for line in _LINES] if "lines" in columns else []
        places = [at.get(column, -1) for column in columns]
        for row in self._rows(sql):
            rowid = cast(int, row[0])
            if not row[1]:
                yield rowid, values(self._load_at(table, rowid))
                continue
            yield rowid, tuple(
                tuple(text for i in lines if (text := cast(str, row[i]).strip()))
                if place < 0 else cast(str, row[place]).strip() for place in places)

    @staticmethod
    def _vouched(table: str, present: dict[str, str], taken: Sequence[str]) -> str:
        """An SQL test true only of a row whose record is certain to be built, and to
        hold the cells ``taken`` stripped: those cells text (or NULL), each required
        one with a letter or digit, each enumeration written as it is kept, each date
        a real YYYY-MM-DD. (A number in any other cell is read as its text, which
        these tests then judge.) Stricter than the validation itself: a row it does
        not vouch for is simply validated."""
        tests = [f"typeof({present[column]}) IN ('text', 'null')" for column in taken
                 if column in present]
        for column in NON_EMPTY[table]:
            tests.append(f"{present[column]} GLOB '*[0-9A-Za-z]*'" if column in present
                         else "0")
        for column, allowed in ALLOWED_VALUES[table].items():
            listed = ", ".join(f"'{value}'" for value in allowed)
            tests.append(f"{present[column]} IN ({listed})" if column in present else "0")
        for column in DATE_COLUMNS[table]:
            if column in present:
                cell = present[column]
                tests.append(
                    f"(coalesce({cell}, '') = '' OR ({cell} GLOB "
                    "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND "
                    f"date(julianday({cell})) = {cell} AND {cell} >= '0001-01-01'))")
        return "(" + " AND ".join(tests) + ")"

    def people_sequence(self) -> Sequence[Person]:
        """Everyone in the order of ``people()``: rowids, each read when indexed."""
        rowids = self._people_rows()
        return PeopleSequence(len(rowids),
                              lambda at: cast(Person, self._at("people", rowids[at])))

    def _people_rows(self) -> Sequence[int]:
        """Every person's rowid, in order, once the table is known to hold each
        person_id once (the hashes of the ids, sorted, are compared in C; rows of
        equal hashes are read back). Rowids 1 to N, as ``register build`` writes
        them, are kept as a range: 11 MB less at 1,370,000 people."""
        if self._people_rowids is None:
            rowids = array("q")
            seen = HashedRows(lambda at: self._person_id_at(rowids[at]))
            for rowid, person_id in self._rows(
                    f"SELECT rowid, {self._select['people'][1]} FROM "
                    f"{self._quoted['people']} ORDER BY rowid"):
                rowids.append(cast(int, rowid))
                seen.add(_id_text(person_id))
            seen.seal()
            repeat = seen.first_repeat()
            if repeat is not None:
                raise self._origin("people").error(
                    f"person_id appears twice; first at row {rowids[repeat[0]]}",
                    row=rowids[repeat[1]], key="person_id")
            # Read in rowid order, each once: from 1 to the count means every one.
            dense = not rowids or (rowids[0] == 1 and rowids[-1] == len(rowids))
            self._people_rowids = range(1, len(rowids) + 1) if dense else rowids
        return self._people_rowids

    def _person_id_at(self, rowid: int) -> str | None:
        try:
            row = self._lookup.execute(
                f"SELECT {self._select['people'][1]} FROM {self._quoted['people']} "
                "WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._unreadable(exc) from None
        text = _id_text(row[0]) if row is not None else ""
        return text or None  # an empty id is the record's to reject, not a repeat

    def restrictions(self) -> Sequence[Restriction]:
        if self._all_restrictions is None:
            self._all_restrictions = tuple(
                record for _, record in self._scan("restrictions", Restriction)
            )
        return self._all_restrictions

    def restrictions_for(self, person_id: str) -> Sequence[Restriction]:
        return self._restriction_cache.get(person_id, self._load_restrictions)

    def representatives(self, person_id: str) -> Sequence[Representative]:
        return self._representative_cache.get(person_id, self._load_representatives)

    def close(self) -> None:
        self._db.close()
        if isinstance(self._owners, ScratchKeys):
            self._owners.close()

    # -- whole-table scans (used by check_register) ------------------------

    def all_addresses(self) -> Iterator[Address]:
        return (record for _, record in self._scan("addresses", Address))

    def all_contacts(self) -> Iterator[Contact]:
        return (record for _, record in self._scan("contacts", Contact))

    def all_representatives(self) -> Iterator[Representative]:
        return (record for _, record in self._scan("representatives", Representative))

    def __enter__(self) -> SqliteRegister:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteRegister({self.source!r})"


class _OwnersInMemory:
    """Contact key -> rowids for a register small enough to index in memory: the keys'
    64-bit hashes, sorted with their rowids (:class:`HashedRows`), each hit confirmed
    against its row (``key_at``)."""

    __slots__ = ("_index", "_rowids")

    def __init__(self, key_at: Callable[[int], str]) -> None:
        rowids = self._rowids = array("q")
        self._index = HashedRows(lambda at: key_at(rowids[at]))

    def add(self, key: str, rowid: int) -> None:
        self._rowids.append(rowid)
        self._index.add(key)

    def seal(self) -> None:
        self._index.seal()

    def every(self, key: str) -> list[int]:
        rowids = self._rowids
        return [rowids[at] for at in self._index.every(key)]


def _with_ids(count: int) -> str:
    """The read-ahead's ``count`` person_ids as a table of values, for :meth:`_joined`."""
    return f"WITH {_WANTED}(id) AS (VALUES {', '.join(['(?)'] * count)}) "


def _id_text(cell: object) -> str:
    """A person_id cell as its record holds it (text, stripped)."""
    return "" if cell is None else str(cell).strip()
