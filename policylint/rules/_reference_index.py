"""Every row's reference values -> the rows that carry them, for recipient-mismatch:
which other row's reference does this text carry?

A million-row batch has a million references, and each item's text is searched for
all of them. An Aho-Corasick trie of the values themselves finds them in one pass,
but costs a trie node per value (some 60 bytes, in small blocks that fragment the
heap: 90 MB of resident memory at a million rows). Here the values are kept as
numbers instead, 12 bytes each in two flat arrays:

- a 64-bit hash of each value (:func:`value_hash`, BLAKE2b: the same in every
  process, so a worker's part of the index means the same in the parent), with the
  row that carries it, sorted by hash once the batch has been read: a value's rows
  are one binary search away;
- an automaton of the values' *prefixes*, a few thousand of them at most (the
  longest prefix length whose distinct prefixes stay under :data:`MAX_PREFIXES`),
  each with the lengths of the values that start with it.

Searching a text runs the small automaton over it in one pass; at each prefix found
on a token boundary, each length of value that starts with it is tried: the text's
slice of that length, if it ends on a token boundary, is hashed and looked up. Every
occurrence of a value starts with one of its prefixes, so nothing the trie of whole
values finds is missed. A hit the hashes alone vouch for could be a collision of two
64-bit hashes: about once in 10^5 runs over a million rows, and only ever a finding
too many (a false alarm), never a value missed.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

import ahocorasick

from policylint.arrow import arrow
from policylint.rules._by_row import wide_enough
from policylint.rules._row_shift import MAX_ROWS_PER_VALUE

# The prefix lengths tried, longest kept: a longer prefix makes fewer false starts
# in a text, as long as there are few of them (a reference such as CT-00123456 has
# thousands of 6-character prefixes in a big batch, a few hundred of 5).
PREFIX_LENGTHS = (3, 4, 5, 6, 8)
MAX_PREFIXES = 1 << 13

# What a chunk's part of the index is, as plain data: (hashes, rows, prefixes by
# length: prefix -> bit mask of the lengths of the values that start with it, or None
# for a length that had too many prefixes).
ReferencePart = tuple["array[int]", "array[int]", dict[int, "dict[str, int] | None"]]


@dataclass(frozen=True)
class ReferenceHit:
    start: int  # offset in the searched text
    end: int  # exclusive
    value: str  # as folded (lower case)
    rows: tuple[int, ...]  # every row whose reference this is


def value_hash(key: str) -> int:
    """A signed 64-bit hash of a folded value, the same in every process and run."""
    digest = blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _digit_group_before(text: str, start: int) -> bool:
    """``"07700 900123"``: the hit is the tail of a longer number written in groups."""
    return start >= 2 and text[start - 1] == " " and text[start - 2].isdigit()


def _digit_group_after(text: str, stop: int) -> bool:
    return stop + 1 < len(text) and text[stop] == " " and text[stop + 1].isdigit()


class ReferenceIndex:
    """Reference value -> rows, searched in texts (see the module doc).

    Values shorter than ``min_length`` characters are not indexed ("12" is in
    too many letters to mean anything), nor values more than ``max_rows`` rows
    carry (a constant, not an identifier). Matching is case-insensitive and on
    whole tokens: a hit must not touch a letter or digit on either side, and a
    reference made only of digits must not be the end or the start of a longer
    number written in groups (``07700 900123`` does not carry ``900123``).

    Rows are added in increasing order (a row adding a value twice is listed
    once); :meth:`part` and :meth:`absorb` carry chunks' parts to one index, in row
    order. The first search (or :meth:`build`) sorts what was added; values added
    after it are sorted in at the next search.
    """

    def __init__(self, min_length: int, max_rows: int = MAX_ROWS_PER_VALUE) -> None:
        self.min_length = min_length
        self.max_rows = max_rows
        self._hashes = array("q")
        self._rows = array("I")  # "Q" once a row number passes 32 bits
        lengths = sorted({min(length, min_length) for length in PREFIX_LENGTHS})
        self._shortest = lengths[0]  # never given up: every value has this prefix
        self._prefixes: dict[int, dict[str, int] | None] = {n: {} for n in lengths}
        self._row = -1  # the row last added, and the hashes it added
        self._row_hashes: set[int] = set()
        # Made by _built: the automaton of prefixes, their length, how many values.
        self._made = False
        self._automaton: Any = None
        self._prefix_length = 0
        self._count = 0

    # --- adding ---------------------------------------------------------------------

    def add(self, value: str, row: int) -> None:
        key = value.strip().lower()
        if len(key) < self.min_length or not any(c.isalnum() for c in key):
            return
        digest = value_hash(key)
        if row != self._row:
            self._row, self._row_hashes = row, set()
        elif digest in self._row_hashes:
            return
        self._row_hashes.add(digest)
        self._hashes.append(digest)
        self._rows = wide_enough(self._rows, row)
        self._rows.append(row)
        bit = 1 << len(key)
        for length, seen in self._prefixes.items():
            if seen is not None:
                prefix = key[:length]
                seen[prefix] = seen.get(prefix, 0) | bit
                self._limit(length, seen)
        self._made = False

    def _limit(self, length: int, seen: dict[str, int]) -> None:
        """Give up a prefix length once it has too many prefixes (not the shortest)."""
        if len(seen) > MAX_PREFIXES and length != self._shortest:
            self._prefixes[length] = None

    def part(self) -> ReferencePart:
        """What was added, as data: one chunk's part of the index."""
        return self._hashes, self._rows, self._prefixes

    def absorb(self, part: ReferencePart) -> None:
        """Add another chunk's :meth:`part` (chunks in row order)."""
        hashes, rows, prefixes = part
        self._hashes.extend(hashes)
        if rows:
            self._rows = wide_enough(self._rows, max(rows))
            self._rows.extend(rows)
        for length, theirs in prefixes.items():
            mine = self._prefixes.get(length)
            if mine is None:
                continue
            if theirs is None:
                self._prefixes[length] = None
                continue
            for prefix, bits in theirs.items():
                mine[prefix] = mine.get(prefix, 0) | bits
            self._limit(length, mine)
        self._row = -1
        self._made = False

    # --- searching ------------------------------------------------------------------

    def __len__(self) -> int:
        """How many different values were added."""
        self._built()
        return self._count

    def build(self) -> None:
        """Make the index searchable now (rather than on the first search)."""
        self._built()

    def _built(self) -> Any:
        if self._made:
            return self._automaton
        self._sort()
        length = max(n for n, seen in self._prefixes.items() if seen is not None)
        prefixes = self._prefixes[length]
        assert prefixes is not None
        automaton = ahocorasick.Automaton()
        for prefix, bits in prefixes.items():
            automaton.add_word(prefix, tuple(n for n in range(bits.bit_length()) if bits >> n & 1))
        if len(automaton):
            automaton.make_automaton()
        self._automaton, self._prefix_length, self._made = automaton, length, True
        return automaton

    def _sort(self) -> None:
        """Sort the (hash, row) pairs by hash; drop a pair added twice (a row split
        between two parts); count the different hashes.

        Rows were added in increasing order and the sort is stable (Arrow's
        ``sort_indices``), so a value's rows stay in order and a pair added twice
        sits next to itself. The hashes are let go before the rows are read: at a
        million values the sort needs some 30 MB for a moment, not 60."""
        count = len(self._hashes)
        if not count:
            self._count = 0
            return
        pa = arrow()
        compute = pa.compute
        hashes = pa.Array.from_buffers(pa.int64(), count, [None, pa.py_buffer(self._hashes)])
        order = compute.sort_indices(hashes)
        sorted_hashes = compute.take(hashes, order)
        del hashes  # it holds the array's buffer: let go before replacing the array
        row_type = pa.uint32() if self._rows.typecode == "I" else pa.uint64()
        rows = pa.Array.from_buffers(row_type, count, [None, pa.py_buffer(self._rows)])
        sorted_rows = compute.take(rows, order)
        del rows, order
        twice = compute.and_(compute.equal(sorted_hashes[1:], sorted_hashes[:-1]),
                             compute.equal(sorted_rows[1:], sorted_rows[:-1]))
        if compute.any(twice).as_py():
            keep = pa.concat_arrays([pa.array([True]), compute.invert(twice)])
            sorted_hashes, sorted_rows = sorted_hashes.filter(keep), sorted_rows.filter(keep)
        del twice
        changes = compute.sum(compute.not_equal(sorted_hashes[1:], sorted_hashes[:-1]))
        self._count = 1 + (changes.as_py() or 0)
        self._hashes = _to_array("q", sorted_hashes)
        self._rows = _to_array(self._rows.typecode, sorted_rows)

    def rows_of(self, key: str) -> tuple[int, ...] | None:
        """The rows carrying folded value ``key``; None for none, or too many."""
        if not self._made:
            self._built()
        hashes = self._hashes
        digest = value_hash(key)
        first = bisect_left(hashes, digest)
        if first == len(hashes) or hashes[first] != digest:
            return None
        last = bisect_right(hashes, digest, first)
        if last - first > self.max_rows:
            return None
        return tuple(self._rows[first:last])

    def search(self, text: str) -> Iterator[ReferenceHit]:
        """Every indexed reference in ``text`` (whole tokens, any case)."""
        for start, end, key, rows in self._spans(text):
            yield ReferenceHit(start, end, key, rows)

    def other_rows_in(self, text: str, row: int) -> list[ReferenceHit]:
        """The references in ``text`` that are another row's, not ``row``'s own.

        A hit on a value ``row`` carries itself is never one (even when another row
        carries the same value: merge-integrity reports duplicate references); nor is
        another row's value written inside this row's own reference (``CT-1001``
        inside ``CT-1001-A``). Most texts hold only their row's own reference: no
        hit is made of it.
        """
        spans = self._spans(text)
        if not spans:
            return []
        own = [(start, end) for start, end, _key, rows in spans if row in rows]
        return [ReferenceHit(start, end, key, rows) for start, end, key, rows in spans
                if row not in rows
                and not any(s <= start and end <= e for s, e in own)]

    def _spans(self, text: str) -> list[tuple[int, int, str, tuple[int, ...]]]:
        """(start, end, value as folded, rows) of each indexed reference in ``text``,
        by end and then longest first (the order a trie of the values finds them in)."""
        automaton = self._built()
        if not len(automaton) or not text:
            return []
        lowered = text.lower()
        if len(lowered) != len(text):  # a character whose lower case is longer
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        size = len(lowered)
        prefix_length = self._prefix_length
        found: list[tuple[int, int, str, tuple[int, ...]]] = []
        for last, lengths in automaton.iter(lowered):
            start = last - prefix_length + 1
            if start > 0 and lowered[start - 1].isalnum():
                continue
            for length in lengths:
                end = start + length
                if end > size:
                    break  # lengths ascend: the rest are longer still
                if end < size and lowered[end].isalnum():
                    continue
                key = lowered[start:end]
                if key.isdigit() and (_digit_group_before(lowered, start)
                                      or _digit_group_after(lowered, end)):
                    continue
                rows = self.rows_of(key)
                if rows is not None:
                    found.append((start, end, key, rows))
        if len(found) > 1:
            found.sort(key=lambda span: (span[1], span[0]))
        return found


def _to_array(typecode: str, values: Any) -> array[int]:
    """A pyarrow array of fixed-width integers (no nulls) as an ``array.array``."""
    out = array(typecode)
    if len(values):
        buffer = values.buffers()[1]
        width = out.itemsize
        out.frombytes(memoryview(buffer)[values.offset * width:
                                         (values.offset + len(values)) * width])
    return out

