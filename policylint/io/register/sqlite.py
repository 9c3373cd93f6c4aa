"""A register kept in an SQLite file with the same tables and columns as the CSV register.

The file is opened read-only. Lookups are parameterised queries answered
from small per-register LRU caches; rows are validated as they are read, with
the same rules (and messages) as the CSV register, naming the SQLite rowid
as the row. Build such a file with :func:`policylint.io.register.build.build_sqlite`
(which adds the indexes these queries use), or bring your own.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from policylint.errors import RegisterError
from policylint.io.register.base import (
    ALL_COLUMNS,
    REQUIRED_TABLES,
    Address,
    Contact,
    Person,
    Representative,
    Restriction,
)
from policylint.io.register.memory import (
    TABLES,
    DuplicateIds,
    Origin,
    RegisterRecord,
    check_columns,
    clean_values,
    make_record,
)
from policylint.normalise.contact import contact_key

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R", bound=RegisterRecord)

CACHE_SIZE = 4096


class LruCache(Generic[K, V]):
    """A small least-recently-used cache (per register, so closing one frees it)."""

    def __init__(self, maxsize: int = CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, load: Callable[[K], V]) -> V:
        try:
            value = self._data[key]
        except KeyError:
            value = load(key)
            self._data[key] = value
            if len(self._data) > self.maxsize:
                self._data.popitem(last=False)
            return value
        self._data.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._data)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqliteRegister:
    """A :class:`~policylint.io.register.base.Register` over an SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.source = str(path)
        if not self.path.is_file():
            raise RegisterError("register database not found", file=self.source)
        uri = self.path.resolve().as_uri() + "?mode=ro"
        try:
            self._db = sqlite3.connect(uri, uri=True)
        except sqlite3.Error as exc:
            raise RegisterError(f"cannot open register database ({exc})", file=self.source
                                ) from None
        try:
            self._select = self._inspect()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise RegisterError(f"not a readable SQLite database ({exc})", file=self.source
                                ) from None
        except RegisterError:
            self._db.close()
            raise
        self._person_cache: LruCache[str, Person | None] = LruCache()
        self._address_cache: LruCache[str, tuple[Address, ...]] = LruCache()
        self._contact_cache: LruCache[str, tuple[Contact, ...]] = LruCache()
        self._restriction_cache: LruCache[str, tuple[Restriction, ...]] = LruCache()
        self._representative_cache: LruCache[str, tuple[Representative, ...]] = LruCache()
        self._owners: dict[tuple[str, str], tuple[Contact, ...]] | None = None
        self._all_restrictions: tuple[Restriction, ...] | None = None

    def _inspect(self) -> dict[str, str | None]:
        """Check tables and columns; return each table's SELECT (None: table absent)."""
        names = {
            str(name).lower(): str(name)
            for (name,) in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        selects: dict[str, str | None] = {}
        for table in TABLES:
            actual = names.get(table)
            if actual is None:
                if table in REQUIRED_TABLES:
                    raise RegisterError(f"register database has no {table} table",
                                        file=self.source)
                selects[table] = None
                continue
            info = self._db.execute(f"PRAGMA table_info({_quote(actual)})").fetchall()
            columns = {str(row[1]).lower(): str(row[1]) for row in info}
            check_columns(columns, self._origin(table))
            parts = ["rowid"]
            for column in ALL_COLUMNS[table]:
                parts.append(_quote(columns[column]) if column in columns else "NULL")
            selects[table] = f"SELECT {', '.join(parts)} FROM {_quote(actual)}"
        return selects

    def _origin(self, table: str) -> Origin:
        return Origin(self.source, table, in_database=True)

    def _query(self, table: str, where: str, params: Sequence[str]
               ) -> Iterator[tuple[int, RegisterRecord]]:
        """(rowid, validated record) for each row of ``table`` matching ``where``."""
        select = self._select[table]
        if select is None:
            return
        sql = f"{select}{where} ORDER BY rowid"
        origin = self._origin(table)
        columns = ALL_COLUMNS[table]
        try:
            cursor = self._db.execute(sql, tuple(params))
            for rowid, *cells in cursor:
                values = {
                    column: "" if cell is None else str(cell)
                    for column, cell in zip(columns, cells, strict=True)
                }
                number = int(rowid)
                yield number, make_record(table, clean_values(values, origin, number))
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"cannot read the register database ({exc})",
                                file=self.source) from None

    def _where(self, table: str, column: str, value: str, kind: type[R]) -> tuple[R, ...]:
        out: list[R] = []
        for _, record in self._query(table, f" WHERE {_quote(column)} = ?", (value,)):
            assert isinstance(record, kind)
            out.append(record)
        return tuple(out)

    def _scan(self, table: str, kind: type[R]) -> Iterator[tuple[int, R]]:
        for rowid, record in self._query(table, "", ()):
            assert isinstance(record, kind)
            yield rowid, record

    # -- Register protocol -------------------------------------------------

    def person(self, person_id: str) -> Person | None:
        return self._person_cache.get(person_id, self._load_person)

    def _load_person(self, person_id: str) -> Person | None:
        found = list(self._query("people", " WHERE person_id = ?", (person_id,)))
        if len(found) > 1:
            raise self._origin("people").error(
                f"person_id appears twice; first at row {found[0][0]}",
                row=found[1][0], key="person_id",
            )
        if not found:
            return None
        person = found[0][1]
        assert isinstance(person, Person)
        return person

    def people(self) -> Iterator[Person]:
        duplicates = DuplicateIds(self._origin("people"))
        for rowid, person in self._scan("people", Person):
            duplicates.add(person.person_id, rowid)
            yield person

    def addresses(self, person_id: str) -> Sequence[Address]:
        return self._address_cache.get(
            person_id, lambda pid: self._where("addresses", "person_id", pid, Address)
        )

    def contacts(self, person_id: str) -> Sequence[Contact]:
        return self._contact_cache.get(
            person_id, lambda pid: self._where("contacts", "person_id", pid, Contact)
        )

    def contact_owners(self, kind: str, normalised_value: str) -> Sequence[Contact]:
        if self._owners is None:
            index: dict[tuple[str, str], list[Contact]] = {}
            for _, contact in self._scan("contacts", Contact):
                key = contact_key(contact.kind, contact.value)
                if key:
                    index.setdefault((contact.kind, key), []).append(contact)
            self._owners = {k: tuple(v) for k, v in index.items()}
        return self._owners.get((kind, normalised_value), ())

    def restrictions(self) -> Sequence[Restriction]:
        if self._all_restrictions is None:
            self._all_restrictions = tuple(
                record for _, record in self._scan("restrictions", Restriction)
            )
        return self._all_restrictions

    def restrictions_for(self, person_id: str) -> Sequence[Restriction]:
        return self._restriction_cache.get(
            person_id, lambda pid: self._where("restrictions", "person_id", pid, Restriction)
        )

    def representatives(self, person_id: str) -> Sequence[Representative]:
        return self._representative_cache.get(
            person_id,
            lambda pid: self._where("representatives", "person_id", pid, Representative),
        )

    def close(self) -> None:
        self._db.close()

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
