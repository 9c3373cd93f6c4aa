"""Where each key of a batch is first seen, in memory that hardly grows with the batch.

A rule that flags repeats (the same recipient twice, a reference used twice)
needs, for every row, the first row its key appeared on. A dict from every key
to its first row costs some 250 bytes a row (a tuple, its strings, an int and
the dict's slot): 250 MB for a million-row batch. Here keys are kept as pyarrow
string arrays with their rows (about 30 bytes a key) until the batch has been
read; then one vectorised pass (a sort) finds the keys seen more than once, only
those are kept, in a dict, and the arrays are let go before the batch is checked.
Keys seen once need nothing: their first row is their own.

The answers are exact (the keys themselves are compared, not hashes of them).
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any, cast

from policylint.arrow import arrow
from policylint.heap import return_freed_memory

# Keys gathered in Python lists before they are packed into an array.
_PACK_EVERY = 8192


class FirstSeen:
    """``add(key, row)`` in row order; then ``first(key, row)``: the first row ``key``
    was added with (``row`` itself for a key added once, or never).

    ``part()`` gives what was added, compactly, and ``absorb(parts)`` takes the parts
    of other instances (other chunks of the batch), in row order: the chunked
    engine's first pass and merge. ``settle()`` (or the first lookup) ends the
    first pass: nothing can be added after it.
    """

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._rows = array("q")
        self._parts: list[tuple[Any, Any]] = []  # (keys, rows) arrays, in row order
        self._repeated: dict[str, int] | None = None

    def add(self, key: str, row: int) -> None:
        if self._repeated is not None:
            raise RuntimeError("a key added after the first pass was settled")
        self._keys.append(key)
        self._rows.append(row)
        if len(self._keys) >= _PACK_EVERY:
            self._pack()

    def _pack(self) -> None:
        if not self._keys:
            return
        pa = arrow()
        self._parts.append((pa.array(self._keys, pa.string()), pa.array(self._rows, pa.int64())))
        self._keys = []
        self._rows = array("q")

    def _joined(self) -> tuple[Any, Any]:
        """Everything added or absorbed, as one (keys, rows) pair of arrays."""
        pa = arrow()
        self._pack()
        if not self._parts:
            return pa.array([], pa.string()), pa.array([], pa.int64())
        if len(self._parts) > 1:
            keys = pa.concat_arrays([k for k, _ in self._parts])
            rows = pa.concat_arrays([r for _, r in self._parts])
            self._parts = [(keys, rows)]
        return self._parts[0]

    def part(self) -> tuple[Any, Any]:
        if self._repeated is not None:
            raise RuntimeError("the keys of a settled first pass were let go")
        return self._joined()

    def absorb(self, parts: Sequence[object]) -> None:
        if self._repeated is not None:
            raise RuntimeError("a part absorbed after the first pass was settled")
        self._pack()
        for part in parts:
            self._parts.append(cast(tuple[Any, Any], part))

    def settle(self) -> None:
        """End the first pass: find the repeated keys and let the rest go (else on the
        first lookup)."""
        if self._repeated is None:
            self._repeated = self._find_repeated()
            self._keys, self._rows, self._parts = [], array("q"), []
            return_freed_memory()  # the parts were small blocks in the heap

    def first(self, key: str, row: int) -> int:
        if self._repeated is None:
            self.settle()
        assert self._repeated is not None
        return self._repeated.get(key, row)

    def _find_repeated(self) -> dict[str, int]:
        """The keys added more than once, each with its first row. The keys are sorted
        (by index, in C) and each compared with the next, chunk by chunk where they were
        packed: a run of a million keys holds one sorted copy of them at a time, where
        counting them in a hash table (``value_counts``) held three and put a spike of
        some 60 MiB on top of the check."""
        pa = arrow()
        compute = pa.compute
        self._pack()
        keys = pa.chunked_array([k for k, _ in self._parts], pa.string())
        if len(keys) < 2:
            return {}
        ordered = keys.take(compute.sort_indices(keys))
        same = compute.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))
        again = ordered.slice(1).filter(same)
        del ordered, same
        if not len(again):
            return {}
        mask = compute.is_in(keys, value_set=compute.unique(again.combine_chunks()))
        rows = pa.chunked_array([r for _, r in self._parts], pa.int64())
        repeated: dict[str, int] = {}
        for key, row in zip(keys.filter(mask).to_pylist(), rows.filter(mask).to_pylist(),
                            strict=True):
            repeated.setdefault(key, row)  # in row order: the first stays
        return repeated

    def __len__(self) -> int:
        """How many keys were added (before :meth:`settle`), or are repeated (after)."""
        if self._repeated is not None:
            return len(self._repeated)
        return len(self._keys) + sum(len(keys) for keys, _ in self._parts)
