"""Build an SQLite register from a directory of register CSV files.

Every row is validated exactly as the CSV register validates it, so a register
that would fail to load never gets built. Rows stream from each CSV into the
database in chunks; the database is written to a temporary file next to the
output and moved into place only when complete, so a failed build leaves no
half-written register behind (and an existing one untouched).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from policylint.errors import RegisterError
from policylint.io.batch import CsvBatchReader
from policylint.io.register.base import ALL_COLUMNS
from policylint.io.register.csvdir import table_files
from policylint.io.register.memory import (
    TABLES,
    DuplicateIds,
    Origin,
    RecordBuilder,
    cell_picker,
    check_columns,
    clean_values,
)

CHUNK_ROWS = 2000
SCHEMA_VERSION = 1

# (index name, table, columns, unique)
INDEXES: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("people_person_id", "people", ("person_id",), True),
    ("addresses_person_id", "addresses", ("person_id",), False),
    ("addresses_postcode", "addresses", ("postcode",), False),
    ("contacts_person_id", "contacts", ("person_id",), False),
    ("contacts_kind_value", "contacts", ("kind", "value"), False),
    ("restrictions_person_id", "restrictions", ("person_id",), False),
    ("restrictions_other_person_id", "restrictions", ("other_person_id",), False),
    ("representatives_person_id", "representatives", ("person_id",), False),
    ("representatives_representative_id", "representatives", ("representative_id",), False),
)


def create_schema(db: sqlite3.Connection) -> None:
    """Create the five register tables (every DESIGN column, as TEXT)."""
    for table in TABLES:
        columns = ", ".join(
            f"{column} TEXT NOT NULL" if column == "person_id" else f"{column} TEXT"
            for column in ALL_COLUMNS[table]
        )
        db.execute(f"CREATE TABLE {table} ({columns})")


def create_indexes(db: sqlite3.Connection) -> None:
    for name, table, columns, unique in INDEXES:
        kind = "UNIQUE INDEX" if unique else "INDEX"
        db.execute(f"CREATE {kind} {name} ON {table} ({', '.join(columns)})")


def _clean_rows(path: Path, table: str) -> Iterator[tuple[str | None, ...]]:
    """Validated, canonical rows of one CSV table, ready to insert (empty cell -> NULL)."""
    origin = Origin(str(path), table)
    builder = RecordBuilder()
    with CsvBatchReader(path, display=str(path), allow_no_rows=True) as reader:
        check_columns(reader.names, origin)
        names = reader.names
        duplicates = DuplicateIds(origin) if table == "people" else None
        columns = ALL_COLUMNS[table]
        pick = cell_picker(names, table)
        width = len(names)
        for number, _line, cells in reader.cell_rows():
            # cell_rows() never gives a row shorter than the header.
            row = builder.canonical(table, pick(cells)) if len(cells) >= width else None
            if row is None:  # not plain: the reference path raises the exact error
                clean = clean_values(dict(zip(names, cells, strict=False)), origin, number)
                row = tuple(clean[column] or None for column in columns)
            if duplicates is not None:
                duplicates.add(row[0] or "", number)
            yield row


def _insert(db: sqlite3.Connection, table: str, rows: Iterator[tuple[str | None, ...]]) -> int:
    columns = ALL_COLUMNS[table]
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    count = 0
    chunk: list[tuple[str | None, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            db.executemany(sql, chunk)
            count += len(chunk)
            chunk.clear()
    if chunk:
        db.executemany(sql, chunk)
        count += len(chunk)
    return count


def _check_output(out: Path, sources: list[Path], force: bool) -> None:
    if out.is_dir():
        raise RegisterError("output is a directory, not a file", file=str(out))
    resolved = out.resolve()
    if any(resolved == source.resolve() for source in sources):
        raise RegisterError("output would overwrite one of the register's CSV files",
                            file=str(out))
    if (out.exists() or out.is_symlink()) and not force:
        raise RegisterError("output file already exists (use --force to replace it)",
                            file=str(out))
    if not out.parent.is_dir():
        raise RegisterError("output directory does not exist", file=str(out))


def build_sqlite(src_dir: Path, out: Path, *, force: bool = False) -> dict[str, int]:
    """Build the SQLite register ``out`` from the ``<table>.csv`` files in ``src_dir``.

    Returns the number of rows written per table (every table is created,
    absent ones empty). Raises :class:`RegisterError` for an invalid register
    (nothing is written) and when ``out`` exists, unless ``force``.
    """
    src_dir = Path(src_dir)
    out = Path(out)
    paths = table_files(src_dir)
    _check_output(out, list(paths.values()), force)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as err:
        raise RegisterError(f"cannot write output: {err.strerror or err}", file=str(out)
                            ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    counts: dict[str, int] = {}
    try:
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            create_schema(db)
            for table in TABLES:
                path = paths.get(table)
                counts[table] = _insert(db, table, _clean_rows(path, table)) if path else 0
            create_indexes(db)
            db.commit()
        finally:
            db.close()
        with open(tmp, "rb+") as stream:
            os.fsync(stream.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, out)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, (OSError, sqlite3.Error)):
            raise RegisterError(f"cannot write output: {err}", file=str(out)) from None
        raise
    return counts
