"""Key -> row for a whole table in 16 bytes a key: 64-bit hashes, sorted.

A dict of a million string keys costs about 110 bytes each (the str, its slot, the
int); a register of 1,370,000 people spent 141 MiB on its person_id -> row dict. The
keys are usually already held somewhere else (the packed table itself), so only
their hashes are kept here, sorted with the row each came from. A look-up bisects
the hashes and confirms every candidate against the key read back from its row, so
the answers are those of the dict: exact, whatever the hashes collide on.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any

from policylint.arrow import arrow

_hash = hash  # a name of its own, so that a test can make every key collide


def contact_row_key(kind: str, key: str) -> str:
    """One string for a contact's (kind, normalised value), as the database registers'
    contact indexes hash it: a key is never the same string under two kinds."""
    return f"{kind}\x00{key}"


class HashedRows:
    """``get(key)``: the first row (counting from 0, in the order keys were added)
    whose key is ``key``, or None. ``key_of(row)`` reads a row's key back.

    Hashes are this process's (``hash``): the index is built where it is used and
    never sent to another process.
    """

    __slots__ = ("_hashes", "_key_of", "_rows")

    def __init__(self, key_of: Callable[[int], str | None]) -> None:
        self._key_of = key_of
        self._hashes = array("q")
        self._rows = array("Q")

    def extend(self, keys: Iterable[str]) -> None:
        """The keys of the next rows (call :meth:`seal` after the last)."""
        self._hashes.extend(map(_hash, keys))

    def add(self, key: str) -> None:
        """The key of the next row (call :meth:`seal` after the last)."""
        self._hashes.append(_hash(key))

    def seal(self) -> None:
        """Sort the hashes: a stable sort, so that among equal keys the first row is
        the one found."""
        count = len(self._hashes)
        if not count:
            return
        pa = arrow()
        hashes = pa.Array.from_buffers(pa.int64(), count, [None, pa.py_buffer(self._hashes)])
        order = pa.compute.sort_indices(hashes)
        self._hashes = _as_array("q", hashes.take(order), count)
        self._rows = _as_array("Q", order, count)

    def __len__(self) -> int:
        return len(self._hashes)

    def get(self, key: str) -> int | None:
        found = self._find(key, first=True)
        return found[0] if found else None

    def every(self, key: str) -> list[int]:
        """Every row whose key is ``key``, in the order they were added."""
        return self._find(key, first=False)

    def first_repeat(self) -> tuple[int, int] | None:
        """(earlier row, row): the first row, in the order added, whose key an earlier
        row has, or None when every key is once. Only rows of equal hashes are read
        back, so a table of distinct keys costs one pass over its hashes in C."""
        pa = arrow()
        hashes = self._hashes
        count = len(hashes)
        if count < 2:
            return None
        column = pa.Array.from_buffers(pa.int64(), count, [None, pa.py_buffer(hashes)])
        same = pa.compute.equal(column.slice(1), column.slice(0, count - 1))
        found: tuple[int, int] | None = None
        starts = sorted({_run_start(hashes, at) for at in
                         pa.compute.indices_nonzero(same).to_pylist()})
        for start in starts:
            firsts: dict[str, int] = {}  # along one run of equal hashes (rows ascend)
            at = start
            while at < count and hashes[at] == hashes[start]:
                row = self._rows[at]
                key = self._key_of(row)
                at += 1
                if key is None:
                    continue  # no key (an empty cell): not a repeat of anything
                earlier = firsts.setdefault(key, row)
                if earlier != row and (found is None or row < found[1]):
                    found = (earlier, row)
        return found

    def _find(self, key: str, *, first: bool) -> list[int]:
        """The rows whose key is ``key`` (only the first when ``first``): among the rows
        with its hash, those whose key read back is equal (equal hashes sit together,
        in row order). A loop, not a generator: several rules ask once or more a row."""
        hashes, digest = self._hashes, _hash(key)
        at = bisect_left(hashes, digest)
        size, rows, key_of = len(hashes), self._rows, self._key_of
        found: list[int] = []
        while at < size and hashes[at] == digest:
            row = rows[at]
            if key_of(row) == key:
                found.append(row)
                if first:
                    break
            at += 1
        return found


class PackedStrings:
    """A pyarrow string array's own buffers (its UTF-8 data and offsets), read back one
    string at a time: ``get(i)``, without a Python string per item held."""

    __slots__ = ("_data", "_offsets")

    def __init__(self, strings: Any) -> None:
        _validity, offsets, data = strings.buffers()
        start, count = strings.offset, len(strings)
        view = memoryview(offsets)
        cells = view.cast("q") if str(strings.type) == "large_string" else view.cast("i")
        self._offsets = array(cells.format, cells[start:start + count + 1])
        self._data = memoryview(data) if data is not None else memoryview(b"")

    @classmethod
    def of(cls, strings: Iterable[str], block: int = 8192) -> PackedStrings:
        """Strings packed as they come, a block at a time (never a list of them all)."""
        pa = arrow()
        blocks, pending = [], []
        for text in strings:
            pending.append(text)
            if len(pending) >= block:
                blocks.append(pa.array(pending, pa.large_string()))
                pending = []
        blocks.append(pa.array(pending, pa.large_string()))
        return cls(pa.concat_arrays(blocks))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def get(self, index: int) -> str:
        offsets = self._offsets
        return str(self._data[offsets[index]:offsets[index + 1]], "utf-8")


def _run_start(hashes: array[int], at: int) -> int:
    """Where the run of hashes equal to ``hashes[at]`` begins."""
    while at > 0 and hashes[at - 1] == hashes[at]:
        at -= 1
    return at


def _as_array(typecode: str, values: Any, count: int) -> array[int]:
    """A pyarrow array of 8-byte ints as a Python array (one copy of its buffer)."""
    out = array(typecode)
    data = values.buffers()[1]
    start = values.offset * 8
    out.frombytes(memoryview(data)[start:start + count * 8])
    return out
