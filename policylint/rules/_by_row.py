"""One short text per batch row (a recipient_id), packed: a million rows in megabytes.

A dict of row number -> text costs about 150 bytes a row (the int, the str, the
dict's slot); the text of a whole batch kept as UTF-8 in one buffer with an end
offset per row costs the text's own bytes and 4 more (8 once the buffer passes 4
GiB). Rows are numbered densely from the first one added, so a look-up is two
array reads and a slice; a row never added (an unreadable row, a row without a
recipient) reads as ``None``, as a dict's ``get`` would.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import overload

_MAX_32 = (1 << 32) - 1


def wide_enough(values: array[int], largest: int) -> array[int]:
    """``values`` as they are while ``largest`` fits them, else a 64-bit (``"Q"``) copy:
    offsets and row numbers kept in 32-bit (``"I"``) arrays cost 4 bytes each until
    one of them needs 8."""
    if largest > _MAX_32 and values.typecode == "I":
        return array("Q", values)
    return values


class ByRow:
    """Row number -> text, for rows added in increasing order (see the module doc)."""

    __slots__ = ("_data", "_ends", "_first")

    def __init__(self) -> None:
        self._first = 0  # the row number of _ends[0]
        self._data = bytearray()
        self._ends = array("I")  # where each row's text ends in _data ("Q" past 4 GiB)

    def add(self, row: int, text: str) -> None:
        """Set ``row``'s text; rows come in increasing order (a skipped row reads None)."""
        ends = self._ends
        if not ends:
            self._first = row
        index = row - self._first
        if index < len(ends):
            raise ValueError(f"row {row} added after row {self._first + len(ends) - 1}")
        end = ends[-1] if ends else 0
        ends.extend([end] * (index - len(ends)))  # rows in between: empty
        self._data += text.encode("utf-8", "surrogatepass")
        self._ends = wide_enough(self._ends, len(self._data))
        self._ends.append(len(self._data))

    def extend(self, texts: Sequence[str]) -> None:
        """Add ``texts`` as the rows after the last one added (from row 0 when none
        was): a block of rows encoded at once, its end offsets summed in C."""
        if not texts:
            return
        joined = "".join(texts)
        if joined.isascii():  # a byte per character: byte lengths are str lengths
            data = joined.encode("ascii")
            lengths: Iterable[int] = map(len, texts)
        else:
            encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
            data = b"".join(encoded)
            lengths = map(len, encoded)
        sums = accumulate(lengths, initial=len(self._data))
        next(sums)  # the initial value: where the block starts, not a row's end
        self._ends = wide_enough(self._ends, len(self._data) + len(data))
        self._ends.extend(sums)
        self._data += data

    @overload
    def get(self, row: int) -> str | None: ...
    @overload
    def get(self, row: int, default: str) -> str: ...

    def get(self, row: int, default: str | None = None) -> str | None:
        index = row - self._first
        ends = self._ends
        if not 0 <= index < len(ends):
            return default
        start = ends[index - 1] if index else 0
        end = ends[index]
        if start == end:
            return default
        return self._data[start:end].decode("utf-8", "surrogatepass")

    def absorb(self, parts: Iterable[ByRow]) -> None:
        """Append other stores whose rows all follow this one's (chunks, in order)."""
        for part in parts:
            if not part._ends:
                continue
            if not self._ends:
                self._first = part._first
            gap = part._first - (self._first + len(self._ends))
            if gap < 0:
                raise ValueError(f"row {part._first} absorbed out of order")
            offset = len(self._data)
            self._ends.extend([self._ends[-1] if self._ends else 0] * gap)
            self._data += part._data
            self._ends = wide_enough(self._ends, len(self._data))
            self._ends.extend(end + offset for end in part._ends)

    def __getstate__(self) -> tuple[int, bytes, str, bytes]:
        return self._first, bytes(self._data), self._ends.typecode, self._ends.tobytes()

    def __setstate__(self, state: tuple[int, bytes, str, bytes]) -> None:
        self._first, data, typecode, ends = state
        self._data = bytearray(data)
        self._ends = array(typecode)
        self._ends.frombytes(ends)
