"""Key -> values for a whole register, kept in a temporary file rather than in memory.

A register kept in a database is chosen so that a run does not hold every person in
memory; the run-wide indexes built over it (every person_id, every contact's
normalised value) would still cost tens of MiB each as Python arrays at a million
people. :class:`ScratchKeys` keeps them in a private, temporary SQLite database
(the empty file name: deleted when closed), with a page cache of a few MiB, and
answers each look-up with one indexed query (about 2 µs): exact (keys compare as
strings), values (row numbers, person_ids) in the order they were added.

Whether a register wants this is :func:`indexes_on_disk`: a database register
(``records_on_disk = True``) of at least :data:`ON_DISK_FROM` people. Building an
index on disk costs about 1 µs a key more than in memory (a 10-row check against
137,000 people took 3.5 s instead of 2.7 s), which only a large register repays:
at 1,370,000 people the indexes in memory held some 100 MiB. The CSV registers, held
in memory for speed, keep their indexes in memory too.
"""

from __future__ import annotations

import itertools
import sqlite3
from typing import Generic, TypeVar, cast

from policylint.errors import RegisterError

V = TypeVar("V", int, str)

# Rows inserted at a time, and the page cache of the temporary database (KiB).
_BLOCK = 8192
_CACHE_KIB = 4096
_names = itertools.count(1)


# People from which a database register's whole-register indexes go to temporary files.
ON_DISK_FROM = 500_000


def keeps_records_on_disk(register: object) -> bool:
    """Does ``register`` read records from a database when asked (rather than hold
    them in memory)? Caches over it are then kept small."""
    return bool(getattr(register, "records_on_disk", False))


def indexes_on_disk(register: object) -> bool:
    """Keep indexes over the whole of ``register`` in temporary files: a database
    register of at least :data:`ON_DISK_FROM` people (``size_hint()``, when it has
    one; a register that cannot tell is taken to be large)."""
    if not keeps_records_on_disk(register):
        return False
    size_hint = getattr(register, "size_hint", None)
    return size_hint is None or int(size_hint()) >= ON_DISK_FROM


class ScratchKeys(Generic[V]):
    """``add(key, value)`` for every row, :meth:`seal`, then ``first(key)`` and
    ``every(key)``: the values added under ``key``, in the order added.

    One temporary database per index: nothing here is shared with a register's own
    connection, which is read-only. Built in the process that uses it (a forked
    worker reads it as the parent left it: it is never written after :meth:`seal`).
    """

    def __init__(self, what: str) -> None:
        self._what = what  # for messages: "the index of person_ids"
        self._pending: list[tuple[str, V]] = []
        self._count = 0
        self._sealed = False
        try:
            self._db = sqlite3.connect("")
            self._db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._table = f"keys_{next(_names)}"
            # the rowid is the order of adding
            self._db.execute(f"CREATE TABLE {self._table} (key TEXT NOT NULL, value NOT NULL)")
        except sqlite3.Error as exc:
            raise self._failed(exc) from None
        self._first = f"SELECT value FROM {self._table} WHERE key = ? ORDER BY rowid LIMIT 1"
        self._every = f"SELECT value FROM {self._table} WHERE key = ? ORDER BY rowid"
        self._cursor = self._db.cursor()

    def _failed(self, exc: sqlite3.Error) -> RegisterError:
        # A temporary file that cannot be written (a full disk) stops the run: an
        # index that misses rows would miss findings.
        return RegisterError(f"cannot keep {self._what} in a temporary file ({exc})")

    def add(self, key: str, value: V) -> None:
        if self._sealed:
            raise RuntimeError("ScratchKeys.add after seal")
        self._pending.append((key, value))
        if len(self._pending) >= _BLOCK:
            self._flush()

    def _flush(self) -> None:
        try:
            self._db.executemany(f"INSERT INTO {self._table} VALUES (?, ?)", self._pending)
        except sqlite3.Error as exc:
            raise self._failed(exc) from None
        self._count += len(self._pending)
        self._pending = []

    def seal(self) -> None:
        """Index what was added; no more can be."""
        if self._sealed:
            return
        self._flush()
        try:
            self._db.execute(f"CREATE INDEX {self._table}_key ON {self._table} (key)")
            self._db.commit()
        except sqlite3.Error as exc:
            raise self._failed(exc) from None
        self._sealed = True

    def __len__(self) -> int:
        return self._count + len(self._pending)

    def first(self, key: str) -> V | None:
        """The first value added under ``key``, or None."""
        row = self._query(self._first, key).fetchone()
        return None if row is None else cast(V, row[0])

    def every(self, key: str) -> list[V]:
        """Every value added under ``key``, in the order added."""
        return [cast(V, value) for (value,) in self._query(self._every, key).fetchall()]

    def _query(self, sql: str, key: str) -> sqlite3.Cursor:
        if not self._sealed:
            raise RuntimeError("ScratchKeys looked up before seal")
        try:
            return self._cursor.execute(sql, (key,))
        except sqlite3.Error as exc:
            raise self._failed(exc) from None

    def close(self) -> None:
        self._db.close()
