"""A register in any database SQLAlchemy can reach (PostgreSQL, SQLite, MySQL...).

``register: postgresql://policylint_ro@db.internal/housing`` (or ``--register``)
opens the DESIGN §1 tables, or the tables and views a policy's mapping names
(:class:`~policylint.io.register.location.RegisterMapping`), through
SQLAlchemy Core. Three promises:

* **Read-only.** SQLite files are opened with ``mode=ro``; PostgreSQL and MySQL
  sessions are switched to read-only transactions as they connect. policylint
  only ever runs SELECTs; give it an account that can do nothing else.
* **Batched.** The engine calls :meth:`SqlRegister.prefetch` once per chunk of
  batch rows (:mod:`policylint.engine.prefetch`); it loads every table's rows
  for those people, and the contacts matching the rows' e-mail addresses and
  phone numbers, in a few ``IN (...)`` queries. The per-person methods answer
  from that cache; a key that was not prefetched costs one query (counted in
  :attr:`SqlRegister.misses`). Whole-table reads (all restrictions, the index
  of contact values) are one streamed query each, once per run.
* **The same answers** as the CSV and SQLite registers: rows are validated by
  the same code (:class:`~policylint.io.register.memory.RecordBuilder`,
  ``clean_values``), and come in a fixed order (SQLite: rowid; otherwise the
  table's primary key, else every column), so the same data gives the same
  findings whichever backend holds it.

Database values that are not text (dates, integers) are read as a person
would write them (``2024-03-31``, ``1043``). Error messages name the database
table and column, never a cell, and never the URL's password.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
import os
import re
import sqlite3
import threading
import weakref
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from policylint.errors import RegisterError
from policylint.hookspecs import hookimpl
from policylint.io.register.base import (
    ALL_COLUMNS,
    REQUIRED_COLUMNS,
    REQUIRED_TABLES,
    Address,
    Contact,
    PeopleSequence,
    Person,
    Representative,
    Restriction,
    columns_of,
)
from policylint.io.register.hashed import HashedRows, PackedStrings, contact_row_key
from policylint.io.register.location import (
    RegisterLocation,
    RegisterMapping,
    expand,
    is_url,
    mapping_of,
    mask_url,
    scrub,
)
from policylint.io.register.memory import (
    TABLES,
    Origin,
    RecordBuilder,
    RegisterRecord,
    clean_values,
    make_record,
)
from policylint.normalise.contact import contact_key

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.sql.elements import ColumnElement

__all__ = ["INSTALL_HINT", "SqlRegister", "open_sql_register", "policylint_open_register"]

INSTALL_HINT = "pip install 'policylint[sql]'"
# Keys per IN (...) list: under every database's limit (Oracle 1,000; old SQLite 999).
IN_LIMIT = 900
# Entries per cache generation before it is rotated anyway (lookups without prefetch).
GENERATION_LIMIT = 20_000
# Rows fetched from the server at a time in whole-table reads.
FETCH_ROWS = 1000
# Dialects that are databases (so the missing-extra error can name the extra).
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "mssql", "oracle")
PERSON_TABLES = ("addresses", "contacts", "restrictions", "representatives")

R = TypeVar("R", bound=RegisterRecord)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9.-]*)(?:\+[A-Za-z0-9_]+)?://")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")


# --------------------------------------------------------------------------- the hook


@hookimpl
def policylint_open_register(location: str) -> SqlRegister | None:
    """Database URLs (``postgresql://...``, ``sqlite:///...``), and any register with a
    tables/columns mapping; paths without one are left to the built-in backends."""
    if mapping_of(location) is None:
        text = expand(location)
        if not is_url(text):
            return None  # a path: the built-in backends'
        if not _is_database_scheme(text):
            # Plug-ins (registered later) were asked first; none took it. Said here, so
            # that the message masks a password (a typo in the scheme is the usual cause).
            scheme = text.split("://", 1)[0]
            raise RegisterError(
                f"no installed backend can open '{scheme}://' registers (database URLs look "
                "like postgresql://user@host/db or sqlite:///path.db; another kind needs "
                "its plugin)", file=mask_url(text))
    return open_sql_register(location)


def _is_database_scheme(location: str) -> bool:
    match = _SCHEME.match(location)
    if match is None:
        return False
    if match.group(1).lower() in DATABASE_SCHEMES:
        return True
    try:  # a third-party SQLAlchemy dialect (duckdb, snowflake...), if SQLAlchemy is here
        from sqlalchemy.dialects import registry
    except ImportError:
        return False
    try:
        registry.load(match.group(1).lower())
    except Exception:
        return False
    return True


def open_sql_register(location: str) -> SqlRegister:
    """Open the register at ``location`` (a URL, or an SQLite file with a mapping)."""
    mapping = mapping_of(location)
    url = expand(location)
    if not is_url(url):
        path = Path(url)
        if path.is_dir():
            raise RegisterError(
                "tables:/columns: rename the tables of a database; a CSV register's files "
                "are named after the tables (people.csv...)", file=url)
        if not path.exists():
            raise RegisterError("register not found", file=url)
        url = "sqlite:///" + str(path.resolve())
    return SqlRegister(url, mapping, location=location)


# --------------------------------------------------------------------------- helpers


def _import_sqlalchemy(shown: str) -> Any:
    try:
        import sqlalchemy
    except ImportError:
        raise RegisterError(
            f"opening a database register needs SQLAlchemy: {INSTALL_HINT}", file=shown
        ) from None
    return sqlalchemy


def _first_line(text: str) -> str:
    return " ".join(text.strip().splitlines()[:1]).strip() or "no reason given"


_ONLY_TEXT = frozenset({str})


def _as_text(value: object) -> str:
    """A database value as the text a person would write for it."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


@dataclass(frozen=True)
class _DbOrigin(Origin):
    """An Origin whose errors name the database's table and column, not the DESIGN's."""

    shown_table: str = ""
    shown_columns: Mapping[str, str] = field(default_factory=dict)

    def error(self, message: str, *, row: int | None = None, key: str | None = None
              ) -> RegisterError:
        if key is not None:
            mapped = self.shown_columns.get(key, key)
            message = f"{message} (table '{self.shown_table}', column '{mapped}'" + (
                f", {self.table}.{key})" if mapped != key or self.shown_table != self.table
                else ")")
        else:
            message = f"{message} (table '{self.shown_table}')"
        return RegisterError(message, file=self.file, row=row)


@dataclass
class _Table:
    """One DESIGN table as the database has it."""

    name: str  # DESIGN name
    shown: str  # the database's name, as messages show it
    clause: Any  # sqlalchemy TableClause
    columns: tuple[Any, ...]  # present columns (ColumnClause), in ALL_COLUMNS order
    slots: tuple[int | None, ...]  # per ALL_COLUMNS column: index into columns, or None
    order: tuple[Any, ...]
    origin: _DbOrigin
    # Per column looked up with WHERE ... IN (person_id; contacts' value): the
    # expression compared and how ("text", "integer": compared natively, so an
    # index serves; "other": compared as text).
    compare: dict[str, tuple[Any, str]] = field(default_factory=dict)
    # Every column's cell of a row at once (a row holding only text is the usual one);
    # None when a column is missing.
    pick: Callable[[Sequence[object]], tuple[Any, ...]] | None = field(
        init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        slots = self.slots
        pick = (operator.itemgetter(*slots) if len(slots) > 1 and None not in slots
                else None)
        object.__setattr__(self, "pick", pick)

    def where_in(self, column: str, name: str, dialect: str) -> Any:
        """``column IN (:name...)``; on PostgreSQL ``column = ANY(:name)``, one array
        parameter (no statement of 900 placeholders to build and plan per chunk)."""
        expression, kind = self.compare[column]
        import sqlalchemy

        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import ARRAY

            element = sqlalchemy.BigInteger() if kind == "integer" else sqlalchemy.Text()
            return expression == sqlalchemy.any_(sqlalchemy.bindparam(name, type_=ARRAY(element)))
        return expression.in_(sqlalchemy.bindparam(name, expanding=True))

    def keys_for(self, column: str, values: Iterable[str]) -> list[Any]:
        """The values as ``column`` compares them (text that cannot be in an integer
        column is left out: it matches nothing there)."""
        if self.compare[column][1] != "integer":
            return list(values)
        return [int(v) for v in values if _INTEGER.match(v)]


class _Generation:
    """One chunk's cache: answers per person and per contact key."""

    def __init__(self) -> None:
        self.people: dict[str, Person | None] = {}
        self.rows: dict[str, dict[str, tuple[RegisterRecord, ...]]] = {
            table: {} for table in PERSON_TABLES}
        self.owners: dict[tuple[str, str], tuple[Contact, ...]] = {}

    def __len__(self) -> int:
        return len(self.people) + len(self.owners) + sum(map(len, self.rows.values()))


# Registers still open, so that a forked child (--jobs) never touches its parent's
# connection: see _after_fork.
_LIVE: weakref.WeakSet[SqlRegister] = weakref.WeakSet()
_ABANDONED: list[object] = []
_FORK_HOOK = threading.Lock()
_fork_hook_set = False


def _after_fork_in_child() -> None:
    for register in list(_LIVE):
        register._abandon_after_fork()


# --------------------------------------------------------------------------- the register


class SqlRegister:
    """A :class:`~policylint.io.register.base.Register` in a database, through SQLAlchemy."""

    # scan() lists every row whatever folded_holds asks (see ColumnScans): an index may
    # take every address from a narrowed scan.
    narrows_scans = False
    # Caches stay small and, in a large register, whole-register indexes go to
    # temporary files (policylint.io.register.scratch): the records are the database's.
    records_on_disk = True

    def __init__(self, url: str, mapping: RegisterMapping | None = None, *,
                 location: str | None = None) -> None:
        self.url = url
        # As given (``${VAR}`` unexpanded): what a copy in another process reopens.
        self.location = location if location is not None else url
        self.source = mask_url(url)
        self.mapping = mapping or RegisterMapping()
        self.queries = 0  # statements sent (tests and --debug read these)
        self.misses = 0  # lookups that were not prefetched
        self._sa = _import_sqlalchemy(self.source)
        self._engine = self._create_engine()
        self._dialect = self._engine.dialect.name
        self._conn: Connection | None = None
        self._closed = False
        self._builder = RecordBuilder()
        self._builds = {table: self._builder.build(table) for table in TABLES}
        self._current = _Generation()
        self._previous = _Generation()
        self._value_index: _StoredValues | None = None
        self._people_ids: PackedStrings | None = None
        self._all_restrictions: tuple[Restriction, ...] | None = None
        try:
            self._tables = self._inspect()
        except BaseException:
            self.close()
            raise
        _register_fork_hook()
        _LIVE.add(self)

    # --- connecting -----------------------------------------------------------

    def _create_engine(self) -> Engine:
        sa = self._sa
        try:
            url = sa.engine.make_url(self.url)
        except Exception:
            raise RegisterError("not a valid database URL (expected e.g. "
                                "postgresql://user@host/database or sqlite:///path.db)",
                                file=self.source) from None
        backend = url.get_backend_name()
        if backend == "postgres":  # the old alias (Heroku-style URLs)
            url = url.set(drivername="postgresql" + url.drivername[len("postgres"):])
            backend = "postgresql"
        if url.drivername == "postgresql" and not _importable("psycopg2") and _importable(
                "psycopg"):
            url = url.set(drivername="postgresql+psycopg")
        options: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"}
        if backend == "sqlite":
            options["creator"] = self._sqlite_creator(url.database or "")
            url = sa.engine.make_url("sqlite+pysqlite://")
        elif backend == "postgresql" and "connect_timeout" not in url.query:
            options["connect_args"] = {"connect_timeout": 15}
        try:
            engine: Engine = sa.create_engine(url, **options)
        except ImportError as exc:
            raise RegisterError(
                f"no database driver for {backend} ({_first_line(str(exc))}): {INSTALL_HINT}",
                file=self.source) from None
        except Exception as exc:
            raise RegisterError(
                f"cannot use this database URL ({type(exc).__name__}: "
                f"{scrub(_first_line(str(exc)), self.url)})", file=self.source) from None
        sa.event.listen(engine, "connect", _read_only_session(backend))
        sa.event.listen(engine, "before_cursor_execute", self._count)
        return engine

    def _sqlite_creator(self, database: str) -> Callable[[], sqlite3.Connection]:
        if database in ("", ":memory:"):
            raise RegisterError("an in-memory SQLite database holds no register; give a file "
                                "(sqlite:///path/to/register.db)", file=self.source)
        path = Path(database)
        if not path.is_file():
            raise RegisterError("register database not found", file=self.source)
        uri = path.resolve().as_uri() + "?mode=ro"

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(uri, uri=True, check_same_thread=False)

        return connect

    def _count(self, *_: object) -> None:
        self.queries += 1

    def _connection(self) -> Connection:
        if self._closed:
            raise RegisterError("the register was closed", file=self.source)
        if self._conn is None:
            try:
                self._conn = self._engine.connect()
            except self._sa.exc.SQLAlchemyError as exc:
                raise RegisterError(
                    f"cannot connect to the register database ({self._reason(exc)})",
                    file=self.source) from None
        return self._conn

    def _reason(self, exc: BaseException, *, hide_values: bool = False) -> str:
        """A driver's error as one line, without the password (nor, for lookups,
        anything in quotes: a driver may quote the value it was given)."""
        orig = getattr(exc, "orig", None) or exc
        text = scrub(_first_line(str(orig)), self.url)
        if hide_values:
            text = _QUOTED.sub("'…'", text)
        return f"{type(orig).__name__}: {text}"

    def _unreadable(self, exc: BaseException) -> RegisterError:
        return RegisterError(
            f"cannot read the register database ({self._reason(exc, hide_values=True)})",
            file=self.source)

    def _execute(self, statement: Any, params: Mapping[str, Any]) -> Sequence[Any]:
        """Every row of a lookup, fetched at once on the register's connection."""
        try:
            return self._connection().execute(statement, params).all()
        except self._sa.exc.SQLAlchemyError as exc:
            raise self._unreadable(exc) from None

    def _stream(self, statement: Any) -> Iterator[Any]:
        """The rows of a whole-table read, a thousand at a time from the server, on a
        connection of their own (lookups may run while the read is under way)."""
        if self._closed:
            raise RegisterError("the register was closed", file=self.source)
        try:
            with self._engine.connect() as conn:
                if self._engine.dialect.name == "postgresql":
                    # A server-side cursor lives in a transaction (read-only, as
                    # every transaction of these sessions is).
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    result = conn.execution_options(
                        stream_results=True, yield_per=FETCH_ROWS).execute(statement)
                    yield from result
        except self._sa.exc.SQLAlchemyError as exc:
            raise self._unreadable(exc) from None

    # --- the schema -------------------------------------------------------------

    def _inspect(self) -> dict[str, _Table | None]:
        sa = self._sa
        conn = self._connection()
        try:
            inspector = sa.inspect(conn)
            found: dict[tuple[str | None, str], str] = {}
            views: set[tuple[str | None, str]] = set()
            schemas = {None} | {self._split(self.mapping.table(t))[0] for t in TABLES}
            for schema in schemas:
                for name in inspector.get_table_names(schema=schema):
                    found.setdefault((schema, name.lower()), name)
                for name in inspector.get_view_names(schema=schema):
                    found.setdefault((schema, name.lower()), name)
                    views.add((schema, name.lower()))
            tables: dict[str, _Table | None] = {}
            for table in TABLES:
                schema, wanted = self._split(self.mapping.table(table))
                actual = found.get((schema, wanted.lower()))
                shown = self.mapping.table(table)
                if actual is None:
                    if table in REQUIRED_TABLES or self.mapping.mapped(table):
                        what = f"'{shown}' (for {table})" if shown != table else f"'{table}'"
                        raise self._schema_error(f"no table or view {what}", table)
                    tables[table] = None
                    continue
                tables[table] = self._table(inspector, table, schema, actual,
                                            (schema, wanted.lower()) in views)
        except sa.exc.SQLAlchemyError as exc:
            raise RegisterError(
                f"cannot read the register database's tables ({self._reason(exc)})",
                file=self.source) from None
        return tables

    def _schema_error(self, message: str, table: str, column: str | None = None
                      ) -> RegisterError:
        """A missing table or column: blamed on the policy's mapping when it named it."""
        if column is not None and self.mapping.mapped(table, column):
            key = f"columns.{table}.{column}"
        elif self.mapping.mapped(table):
            key = f"tables.{table}"
        else:
            return RegisterError(f"register database has {message}", file=self.source)
        if self.mapping.file is None:
            return RegisterError(f"register database has {message}", file=self.source,
                                 key=f"register.{key}")
        return RegisterError(f"register database {self.source} has {message}",
                             file=self.mapping.file, line=self.mapping.line_of(key),
                             key=f"register.{key}")

    @staticmethod
    def _split(name: str) -> tuple[str | None, str]:
        schema, dot, table = name.rpartition(".")
        return (schema or None) if dot else None, table

    def _table(self, inspector: Any, table: str, schema: str | None, actual: str,
               is_view: bool) -> _Table:
        sa = self._sa
        reflected = inspector.get_columns(actual, schema=schema)
        by_name = {str(c["name"]).lower(): c for c in reflected}
        shown = self.mapping.table(table)
        wanted = {column: self.mapping.column(table, column) for column in ALL_COLUMNS[table]}
        for column in ALL_COLUMNS[table]:
            if wanted[column].lower() in by_name:
                continue
            if column in REQUIRED_COLUMNS[table] or self.mapping.mapped(table, column):
                mapped = f" (for {table}.{column})" if wanted[column] != column or (
                    shown != table) else ""
                raise self._schema_error(
                    f"no column '{wanted[column]}' in table '{shown}'{mapped}", table, column)
        columns: list[Any] = []
        slots: list[int | None] = []
        shown_columns: dict[str, str] = {}
        types: dict[str, Any] = {}
        for column in ALL_COLUMNS[table]:
            info = by_name.get(wanted[column].lower())
            if info is None:
                slots.append(None)
                continue
            slots.append(len(columns))
            columns.append(sa.column(str(info["name"])))
            shown_columns[column] = str(info["name"])
            types[column] = info["type"]
        clause = sa.table(actual, *columns, schema=schema)
        origin = _DbOrigin(self.source, table, in_database=True, shown_table=shown,
                           shown_columns=shown_columns)
        spec = _Table(table, shown, clause, tuple(clause.c[c.name] for c in columns),
                      tuple(slots), (), origin)
        spec.order = self._order(inspector, spec, schema, actual, is_view)
        for column in ("person_id", "value") if table == "contacts" else ("person_id",):
            spec.compare[column] = self._comparable(
                clause.c[shown_columns[column]], types[column])
        return spec

    def _comparable(self, column: ColumnElement[Any], kind: Any) -> tuple[Any, str]:
        types = self._sa.types
        if isinstance(kind, types.Integer):
            return column, "integer"  # compared natively: the index still serves
        if isinstance(kind, types.String | types.NullType):
            return column, "text"
        return self._sa.cast(column, types.String), "other"

    def _order(self, inspector: Any, spec: _Table, schema: str | None, actual: str,
               is_view: bool) -> tuple[Any, ...]:
        """A fixed row order: SQLite's rowid, else the primary key, else every column."""
        sa = self._sa
        if self._engine.dialect.name == "sqlite" and not is_view:
            rowid = sa.literal_column("rowid")
            try:  # a WITHOUT ROWID table has none
                self._connection().execute(sa.select(rowid).select_from(spec.clause).limit(0))
                return (rowid,)
            except sa.exc.SQLAlchemyError:
                pass
        if not is_view:
            with contextlib.suppress(NotImplementedError):
                key = inspector.get_pk_constraint(actual, schema=schema) or {}
                names = [str(n) for n in key.get("constrained_columns") or ()]
                if names:
                    return tuple(sa.column(n) for n in names)
        return spec.columns

    # --- reading rows -----------------------------------------------------------

    def _select(self, spec: _Table) -> Any:
        return self._sa.select(*spec.columns).select_from(spec.clause).order_by(*spec.order)

    def _record(self, spec: _Table, row: Sequence[object], number: int | None = None
                ) -> RegisterRecord:
        pick = spec.pick
        cells = pick(row) if pick is not None else None
        if cells is None or not _ONLY_TEXT.issuperset(map(type, cells)):
            # A column the table lacks, a NULL or a value that is not text: cell by cell.
            cells = tuple(
                None if slot is None else ("" if (v := row[slot]) is None
                                           else v if type(v) is str else _as_text(v))
                for slot in spec.slots
            )
        record = self._builds[spec.name](cells)
        if record is None:  # the reference path raises the exact error (or accepts)
            values = {column: cell for column, cell in zip(ALL_COLUMNS[spec.name], cells,
                                                           strict=True) if cell is not None}
            record = make_record(spec.name, clean_values(values, spec.origin, number))
        return record

    def _scan(self, table: str) -> Iterator[RegisterRecord]:
        spec = self._tables[table]
        if spec is None:
            return
        for row in self._stream(self._select(spec)):
            yield self._record(spec, row)

    def _by_person(self, table: str, person_ids: Collection[str]
                   ) -> dict[str, list[RegisterRecord]]:
        """Every row of ``table`` for these people, grouped by person in row order."""
        out: dict[str, list[RegisterRecord]] = {}
        spec = self._tables[table]
        if spec is None or not person_ids:
            return out
        statement = self._select(spec).where(spec.where_in("person_id", "keys", self._dialect))
        for part in _slices(sorted(person_ids)):
            keys = spec.keys_for("person_id", part)
            if not keys:
                continue
            for row in self._execute(statement, {"keys": keys}):
                record = self._record(spec, row)
                out.setdefault(record.person_id, []).append(record)
        return out

    # --- the cache --------------------------------------------------------------

    def prefetch(self, person_ids: Collection[str], emails: Collection[str] = (),
                 phones: Collection[str] = ()) -> None:
        """Load everything about these people and contact keys: a few queries per call."""
        if not person_ids and not emails and not phones:
            return  # the engine's call after a batch's last row: nothing to read
        self._previous, self._current = self._current, _Generation()
        keys = [("email", e) for e in emails if e] + [("phone", p) for p in phones if p]
        owners = self._load_owners(keys)
        self._load_people({*person_ids, *owners})

    def _load_owners(self, keys: Iterable[tuple[str, str]]) -> set[str]:
        """Cache contact_owners for ``keys``; return the owners' person ids."""
        current, previous = self._current.owners, self._previous.owners
        wanted: list[tuple[str, str]] = []
        owners: set[str] = set()
        for key in keys:
            found = current.get(key)
            if found is None and key in previous:
                found = current[key] = previous[key]
            if found is None:
                wanted.append(key)
            else:
                owners.update(c.person_id for c in found)
        if not wanted:
            return owners
        index = self._values()
        values = sorted({v for key in wanted for v in index.get(key)})
        matches: dict[tuple[str, str], list[Contact]] = {}
        spec = self._tables["contacts"]
        if values and spec is not None:
            statement = self._select(spec).where(spec.where_in("value", "values", self._dialect))
            for part in _slices(values):
                keys = spec.keys_for("value", part)
                if not keys:
                    continue
                for row in self._execute(statement, {"values": keys}):
                    contact = cast(Contact, self._record(spec, row))
                    key = (contact.kind, contact_key(contact.kind, contact.value))
                    matches.setdefault(key, []).append(contact)
        for key in wanted:
            found = current[key] = tuple(matches.get(key, ()))
            owners.update(c.person_id for c in found)
        return owners

    def _values(self) -> _StoredValues:
        """(kind, normalised value) -> the values as stored: one read of two columns of
        contacts, once per run. Normalising (E.164 phones) cannot be done in SQL."""
        if self._value_index is None:
            pairs: Iterator[tuple[str, str]] = iter(())
            spec = self._tables["contacts"]
            if spec is not None:
                kind_col, value_col = (spec.columns[cast(int, spec.slots[i])] for i in (1, 2))
                statement = self._sa.select(kind_col, value_col).select_from(spec.clause)
                pairs = ((str(kind).strip().lower(),
                          value if type(value) is str else _as_text(value))
                         for kind, value in self._stream(statement)
                         if kind is not None and value is not None)
            self._value_index = _StoredValues(pairs)
        return self._value_index

    def _load_people(self, person_ids: Iterable[str]) -> None:
        current, previous = self._current, self._previous
        wanted: set[str] = set()
        for person_id in person_ids:
            if not person_id or person_id in current.people:
                continue
            if person_id in previous.people and all(
                    person_id in previous.rows[t] for t in PERSON_TABLES):
                current.people[person_id] = previous.people[person_id]
                for table in PERSON_TABLES:
                    current.rows[table][person_id] = previous.rows[table][person_id]
            else:
                wanted.add(person_id)
        if not wanted:
            return
        found = self._by_person("people", wanted)
        for person_id in wanted:
            current.people[person_id] = self._one_person(found.get(person_id, ()))
        for table in PERSON_TABLES:
            rows = self._by_person(table, wanted)
            cache = current.rows[table]
            for person_id in wanted:
                cache[person_id] = tuple(rows.get(person_id, ()))

    def _one_person(self, records: Sequence[RegisterRecord]) -> Person | None:
        if len(records) > 1:
            spec = self._tables["people"]
            assert spec is not None
            raise spec.origin.error("a person_id appears in more than one row",
                                    key="person_id")
        if not records:
            return None
        person = records[0]
        assert isinstance(person, Person)
        return person

    def _miss(self) -> _Generation:
        """Note a lookup that was not prefetched; the generation to store it in."""
        self.misses += 1
        if len(self._current) > GENERATION_LIMIT:
            self._previous, self._current = self._current, _Generation()
        return self._current

    def _rows(self, table: str, person_id: str, kind: type[R]) -> tuple[R, ...]:
        if not person_id:
            return ()
        cached = self._current.rows[table].get(person_id)
        if cached is None:
            cached = self._previous.rows[table].get(person_id)
            if cached is None:
                generation = self._miss()
                found = self._by_person(table, [person_id])
                cached = generation.rows[table][person_id] = tuple(found.get(person_id, ()))
        return cast(tuple[R, ...], cached)

    # --- Register protocol ------------------------------------------------------

    def person(self, person_id: str) -> Person | None:
        if not person_id:
            return None
        current = self._current.people
        if person_id in current:
            return current[person_id]
        previous = self._previous.people
        if person_id in previous:
            return previous[person_id]
        generation = self._miss()
        found = self._by_person("people", [person_id])
        person = generation.people[person_id] = self._one_person(found.get(person_id, ()))
        return person

    def people(self) -> Iterator[Person]:
        spec = self._tables["people"]
        assert spec is not None
        seen: set[str] = set()
        for record in self._scan("people"):
            assert isinstance(record, Person)
            if record.person_id in seen:
                raise spec.origin.error("a person_id appears in more than one row",
                                        key="person_id")
            seen.add(record.person_id)
            yield record

    # --- indexes over the whole register (ColumnScans) ----------------------------

    def scan(self, table: str, columns: Sequence[str], *,
             folded_holds: Collection[str] | None = None) -> Iterator[tuple[Any, ...]]:
        """Every row of ``table`` (:func:`~policylint.io.register.base.columns_of`),
        validated as its record is. ``folded_holds`` is not used: every row is listed
        (the superset :class:`~policylint.io.register.base.ColumnScans` allows)."""
        if table == "people":
            self._ids_in_order()  # a person_id twice fails here, as people() fails
        return columns_of(self._scan(table), columns)

    def people_sequence(self) -> Sequence[Person]:
        """Everyone in the order of ``people()``: their ids packed, each person read
        (through the cache) when indexed."""
        ids = self._ids_in_order()
        return PeopleSequence(len(ids), lambda at: self._listed(ids.get(at)),
                              read=lambda indexes: self._read_people(map(ids.get, indexes)))

    def size_hint(self) -> int:
        """How many people the register holds (their ids are read once per run, for
        :meth:`people_sequence`, whoever asks first)."""
        return len(self._ids_in_order())

    def _read_people(self, person_ids: Iterable[str]) -> None:
        """Cache these people (the people table only), a few queries for all of them."""
        if len(self._current) > GENERATION_LIMIT:
            self._previous, self._current = self._current, _Generation()
        current, previous = self._current.people, self._previous.people
        wanted = {p for p in person_ids if p not in current and p not in previous}
        found = self._by_person("people", wanted)
        for person_id in wanted:
            current[person_id] = self._one_person(found.get(person_id, ()))

    def _listed(self, person_id: str) -> Person:
        person = self.person(person_id)
        if person is None:  # the table changed under the run: stop rather than guess
            raise RegisterError("the register changed while it was read (a person listed "
                                "a moment ago is gone)", file=self.source)
        return person

    def _ids_in_order(self) -> PackedStrings:
        if self._people_ids is None:
            spec = self._tables["people"]
            assert spec is not None
            # The ids alone, in the order of _scan: one column read, no records built
            # (a row they would reject is rejected when the rows are read).
            column = spec.columns[cast(int, spec.slots[0])]
            statement = self._sa.select(column).select_from(spec.clause).order_by(*spec.order)
            ids = PackedStrings.of(
                ("" if cell is None else cell if type(cell) is str else _as_text(cell)).strip()
                for (cell,) in self._stream(statement))
            seen = HashedRows(lambda at: ids.get(at) or None)  # "": no id, not a repeat
            seen.extend(ids.get(at) for at in range(len(ids)))
            seen.seal()
            if seen.first_repeat() is not None:
                raise spec.origin.error("a person_id appears in more than one row",
                                        key="person_id")
            self._people_ids = ids
        return self._people_ids

    def addresses(self, person_id: str) -> Sequence[Address]:
        return self._rows("addresses", person_id, Address)

    def contacts(self, person_id: str) -> Sequence[Contact]:
        return self._rows("contacts", person_id, Contact)

    def contact_owners(self, kind: str, normalised_value: str) -> Sequence[Contact]:
        if not normalised_value:
            return ()
        key = (kind, normalised_value)
        found = self._current.owners.get(key)
        if found is None:
            found = self._previous.owners.get(key)
        if found is None:
            self._miss()
            self._load_owners([key])
            found = self._current.owners[key]
        return found

    def restrictions(self) -> Sequence[Restriction]:
        if self._all_restrictions is None:
            self._all_restrictions = tuple(
                cast(Restriction, r) for r in self._scan("restrictions"))
            # Whoever a rule asks about next: the people restrictions protect, and those
            # they are protected from (the protected-address index reads them all).
            involved = {r.person_id for r in self._all_restrictions} | {
                r.other_person_id for r in self._all_restrictions if r.other_person_id}
            self._load_people(involved)
            self._load_owners({
                (c.kind, key) for person_id in involved
                for c in self._current.rows["contacts"].get(person_id, ())
                if isinstance(c, Contact) and (key := contact_key(c.kind, c.value))})
        return self._all_restrictions

    def restrictions_for(self, person_id: str) -> Sequence[Restriction]:
        return self._rows("restrictions", person_id, Restriction)

    def representatives(self, person_id: str) -> Sequence[Representative]:
        return self._rows("representatives", person_id, Representative)

    def close(self) -> None:
        self._closed = True
        conn, self._conn = self._conn, None
        with contextlib.suppress(Exception):
            if conn is not None:
                conn.close()
        with contextlib.suppress(Exception):
            self._engine.dispose()
        _LIVE.discard(self)

    # --- whole-table scans (used by check_register) ----------------------------

    def all_addresses(self) -> Iterator[Address]:
        return cast(Iterator[Address], self._scan("addresses"))

    def all_contacts(self) -> Iterator[Contact]:
        return cast(Iterator[Contact], self._scan("contacts"))

    def all_representatives(self) -> Iterator[Representative]:
        return cast(Iterator[Representative], self._scan("representatives"))

    # --- for tests ----------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self._engine

    def connection(self) -> Connection:
        """The register's own connection (read-only: see the module docstring)."""
        return self._connection()

    def _abandon_after_fork(self) -> None:
        """In a forked child: never use (or let the garbage collector close) the parent's
        connection; keep it referenced until the process ends, and connect afresh."""
        _ABANDONED.extend((self._conn, self._engine))
        self._conn = None
        self._engine = self._create_engine()

    def __reduce__(self) -> tuple[object, ...]:
        """A pickled register (sent to another process) is its location: the copy opens
        its own connection, reading any ``${VAR}`` from its own environment."""
        location = self.location
        if not isinstance(location, RegisterLocation):
            location = RegisterLocation(location, self.mapping)
        elif location.mapping is None:
            location = RegisterLocation(location, self.mapping, location.base)
        return (open_sql_register, (location,))

    def __enter__(self) -> SqlRegister:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlRegister({self.source!r})"


class _StoredValues:
    """(kind, normalised value) -> the contact values as stored, for every contact: the
    values packed (:class:`PackedStrings`), found by the sorted hashes of their keys,
    each hit confirmed by normalising its value again. A dict of them cost some 150
    MiB for a million contacts."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._kind_of = array("I")  # value number -> its kind's number
        kind_numbers: dict[str, int] = {}  # each kind of contact once ("email", "phone")
        self._keys = HashedRows(self._key_at)
        keys: list[str] = []

        def values() -> Iterator[str]:
            nonlocal keys
            for kind, text in pairs:
                key = contact_key(kind, text.strip())
                if not key:
                    continue
                self._kind_of.append(kind_numbers.setdefault(kind, len(kind_numbers)))
                keys.append(contact_row_key(kind, key))
                if len(keys) >= 8192:
                    self._keys.extend(keys)
                    keys = []
                yield text

        self._values = PackedStrings.of(values())
        self._kinds = list(kind_numbers)  # numbered in the order first seen
        self._keys.extend(keys)
        self._keys.seal()

    def _key_at(self, at: int) -> str:
        kind = self._kinds[self._kind_of[at]]
        return contact_row_key(kind, contact_key(kind, self._values.get(at).strip()))

    def get(self, key: tuple[str, str]) -> set[str]:
        return {self._values.get(at) for at in self._keys.every(contact_row_key(*key))}


def _slices(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), IN_LIMIT):
        yield values[start:start + IN_LIMIT]


def _importable(module: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _read_only_session(backend: str) -> Callable[[Any, Any], None]:
    """A ``connect`` listener that makes every transaction of the session read-only."""
    statement = {
        "postgresql": "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
        "mysql": "SET SESSION TRANSACTION READ ONLY",
        "mariadb": "SET SESSION TRANSACTION READ ONLY",
    }.get(backend)

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if statement is None:
            return  # SQLite: opened with mode=ro; others: use a SELECT-only account
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(statement)
        finally:
            cursor.close()
        # The driver may have opened a transaction for the SET; a session setting
        # outlives its commit (and SQLAlchemy switches to autocommit next).
        dbapi_connection.commit()

    return on_connect


def _register_fork_hook() -> None:
    global _fork_hook_set
    with _FORK_HOOK:
        if not _fork_hook_set and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _fork_hook_set = True
