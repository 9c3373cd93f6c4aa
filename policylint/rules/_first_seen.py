"""Where each key of a batch is first seen, in memory that hardly grows with the batch.

A rule that flags repeats (the same recipient twice, a reference used twice)
needs, for every row, the first row its key appeared on. A dict from every key
to its first row costs some 250 bytes a row (a tuple, its strings, an int and
the dict's slot): 250 MB for a million-row batch. Here each key is kept as its
128-bit BLAKE2b digest (two 64-bit ints) with its row, 24 bytes a key in flat
arrays, until the batch has been read; then one vectorised pass (a sort of the
digests' first halves) finds the keys seen more than once, only those are kept,
in a dict, and the arrays are let go before the batch is checked. Keys seen once
need nothing: their first row is their own.

Keys are equal exactly when their digests are: two different keys with the same
128-bit digest would have to be found first (nobody has found one for BLAKE2b),
so the answers are those of comparing the keys. Sorting 8-byte numbers rather than
the keys themselves keeps the settling pass small: at a million keys, some 16 MB
for a moment where sorting the strings took some 100.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from hashlib import blake2b
from typing import cast

from policylint.arrow import arrow
from policylint.heap import return_freed_memory

# One chunk's part: (first halves, second halves, rows), in the order added.
FirstSeenPart = tuple["array[int]", "array[int]", "array[int]"]


def _digest(key: str) -> bytes:
    return blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class FirstSeen:
    """``add(key, row)`` in row order; then ``first(key, row)``: the first row ``key``
    was added with (``row`` itself for a key added once, or never).

    ``part()`` gives what was added, compactly, and ``absorb(parts)`` takes the parts
    of other instances (other chunks of the batch), in row order: the chunked
    engine's first pass and merge. ``settle()`` (or the first lookup) ends the
    first pass: nothing can be added after it.
    """

    def __init__(self) -> None:
        self._high = array("q")  # each digest's first 8 bytes, as a signed int
        self._low = array("q")  # and its last 8
        self._rows = array("q")
        self._repeated: dict[bytes, int] | None = None  # digest -> first row

    def add(self, key: str, row: int) -> None:
        if self._repeated is not None:
            raise RuntimeError("a key added after the first pass was settled")
        digest = _digest(key)
        self._high.append(int.from_bytes(digest[:8], "little", signed=True))
        self._low.append(int.from_bytes(digest[8:], "little", signed=True))
        self._rows.append(row)

    def part(self) -> FirstSeenPart:
        if self._repeated is not None:
            raise RuntimeError("the keys of a settled first pass were let go")
        return self._high, self._low, self._rows

    def absorb(self, parts: Sequence[object]) -> None:
        if self._repeated is not None:
            raise RuntimeError("a part absorbed after the first pass was settled")
        for part in parts:
            high, low, rows = cast(FirstSeenPart, part)
            self._high.extend(high)
            self._low.extend(low)
            self._rows.extend(rows)

    def settle(self) -> None:
        """End the first pass: find the repeated keys and let the rest go (else on the
        first lookup)."""
        if self._repeated is None:
            self._repeated = self._find_repeated()
            self._high, self._low, self._rows = array("q"), array("q"), array("q")
            return_freed_memory()  # the arrays were grown in steps, in the heap

    def first(self, key: str, row: int) -> int:
        if self._repeated is None:
            self.settle()
        assert self._repeated is not None
        return self._repeated.get(_digest(key), row)

    def _find_repeated(self) -> dict[bytes, int]:
        """The digests added more than once, each with its first row: the first halves
        sorted (by index, in C) and each compared with the next; only the entries of
        runs of equal first halves (the repeats, and nothing else but by a 2^-64
        chance) are read back in Python."""
        count = len(self._high)
        if count < 2:
            return {}
        pa = arrow()
        compute = pa.compute
        high = pa.Array.from_buffers(pa.int64(), count, [None, pa.py_buffer(self._high)])
        order = compute.sort_indices(high)
        ordered = compute.take(high, order)
        del high
        same = compute.equal(ordered.slice(1), ordered.slice(0, count - 1))
        del ordered
        positions = compute.indices_nonzero(same).to_pylist()
        del same
        if not positions:
            return {}
        entries = sorted({at for p in positions for at in (p, p + 1)})
        originals = compute.take(order, pa.array(entries, pa.uint64())).to_pylist()
        del order
        highs, lows, rows = self._high, self._low, self._rows
        firsts: dict[bytes, int] = {}
        counts: dict[bytes, int] = {}
        for at in sorted(originals):  # in the order added: rows ascend
            digest = (highs[at].to_bytes(8, "little", signed=True)
                      + lows[at].to_bytes(8, "little", signed=True))
            firsts.setdefault(digest, rows[at])
            counts[digest] = counts.get(digest, 0) + 1
        return {digest: row for digest, row in firsts.items() if counts[digest] > 1}

    def __len__(self) -> int:
        """How many keys were added (before :meth:`settle`), or are repeated (after)."""
        if self._repeated is not None:
            return len(self._repeated)
        return len(self._high)
