"""A CSV register read in C (pyarrow) and kept as columns, not objects.

A register of 137,000 people is some 430,000 rows. Read row by row into
Python objects it took about 4 s and 6x its CSV size in memory; here each
table is parsed by pyarrow's CSV reader, validated column by column, and kept
as one packed UTF-8 buffer per table (each row's cells joined by a separator)
with hash indexes from person id to rows. A record is built only when a rule
asks for it, and the few records a row needs are cached while it is checked.

This is the fast path, not a second set of rules. :func:`read_columnar`
returns ``None`` for anything it is not sure it reads exactly as the
reference path (:class:`~policylint.io.register.memory.MemoryRegister` over
:class:`~policylint.io.batch.CsvBatchReader`) would: a file that is not clean
UTF-8/cp1252/UTF-16, a header not on line 1, quoting Python's ``csv`` module
would reject, ragged or blank rows, a cell that fails validation, a repeated
person id. The caller then loads the register the reference way, which gives
the exact error (file, row, column) or the same records more slowly. So every
message and every record is the reference path's; only clean files are fast.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from array import array
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from policylint.arrow import arrow
from policylint.io.batch import CsvBatchReader
from policylint.io.register.base import (
    ALL_COLUMNS,
    REQUIRED_COLUMNS,
    Address,
    Contact,
    PeopleSequence,
    Person,
    Representative,
    Restriction,
)
from policylint.io.register.hashed import HashedRows, PackedStrings, contact_row_key
from policylint.io.register.memory import (
    ALLOWED_VALUES,
    DATE_COLUMNS,
    NON_EMPTY,
    split_flags,
)
from policylint.normalise.contact import contact_key

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["PYTHON_WHITESPACE", "ColumnarRegister", "read_columnar"]

# Exactly the characters str.strip() removes (str.isspace() in Python 3.11+), so a
# cell trimmed in C equals the reference path's cell.strip().
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Joins a row's cells in the packed buffer; a cell holding it sends the file the
# reference way (it is whitespace to str.strip, so a register will hardly hold one).
_SEPARATOR = "\x1f"
# A date cell the reference path accepts: YYYY-MM-DD, optionally a time after it.
# ASCII digits only (RE2's \d); Python's \d also takes other scripts' digits, and
# such a file goes the reference way, which accepts it.
_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.+\-Z]*)?$"
# Records built for lookups since the caches were last emptied: a chunk of rows asks
# about a few hundred people, many times each; the register is never copied whole.
_CACHE_LIMIT = 4096

R = TypeVar("R")


class _NotExact(Exception):
    """The fast reader cannot vouch for this file: load it the reference way."""


def _strict_csv(delimiter: str) -> re.Pattern[bytes]:
    """The whole file as Python's csv (strict, ``"`` quoting, doubled quotes) reads it.

    pyarrow is lenient where ``csv.reader(strict=True)`` raises (text after a
    closing quote: ``"Flat 1,"2 High St``); a file this does not match goes the
    reference way, which reports the row. Possessive quantifiers: no
    backtracking, so a 30 MB file takes a fraction of a second.
    """
    d = re.escape(delimiter.encode())
    field = rb'(?:"(?:[^"]++|"")*+"|[^' + d + rb'"\r\n][^' + d + rb"\r\n]*+|)"
    record = field + rb"(?:" + d + field + rb")*+"
    return re.compile(rb"(?:" + record + rb"(?:\r\n|\n|\r))*+" + record)


class _Packed(PackedStrings):
    """A table's rows as one UTF-8 buffer: row ``i`` is ``cells(i)``, a list of
    its cells in ``ALL_COLUMNS`` order (already trimmed and canonical).

    Every cell is followed by the separator, so a run of rows decodes and
    splits in one go (:meth:`rows`, for whole-table scans).
    """

    __slots__ = ("size", "width")

    def __init__(self, joined: pa.Array, width: int) -> None:
        super().__init__(joined)  # the buffer itself, not a copy: it lives with the register
        self.size = len(joined)
        self.width = width

    def cells(self, index: int) -> list[str]:
        offsets = self._offsets
        return str(self._data[offsets[index]:offsets[index + 1] - 1], "utf-8").split(_SEPARATOR)

    def first_cell(self, index: int) -> str:
        """``cells(index)[0]``, without splitting the rest."""
        offsets = self._offsets
        row = str(self._data[offsets[index]:offsets[index + 1] - 1], "utf-8")
        return row.partition(_SEPARATOR)[0]

    def rows(self, block: int = 4096) -> Iterator[list[str]]:
        """Every row's cells, in order, decoded ``block`` rows at a time."""
        offsets, data, width = self._offsets, self._data, self.width
        for start in range(0, self.size, block):
            stop = min(start + block, self.size)
            flat = str(data[offsets[start]:offsets[stop]], "utf-8").split(_SEPARATOR)
            for at in range(0, (stop - start) * width, width):
                yield flat[at:at + width]

    def may_hold(self, pieces: Collection[str]) -> list[int]:
        """The rows whose text, folded to ASCII letters and digits (lower case, the rest
        deleted), may hold one of ``pieces`` (each made of ``[a-z0-9]``): found in C, for
        a scan that wants few rows of many. A row with a character that is not ASCII is
        always listed (folding it is not arrow's to judge), so the list is a superset.
        """
        if not pieces:
            return []
        if not all(_FOLDED_PIECE.fullmatch(piece) for piece in pieces):
            return list(range(self.size))  # "": every row; anything else: unsure
        pa = arrow()
        compute = pa.compute
        kind = pa.large_string() if self._offsets.typecode == "q" else pa.string()
        strings = pa.Array.from_buffers(kind, self.size, [
            None, pa.py_buffer(self._offsets), pa.py_buffer(self._data)])
        # A piece of the folded text is its characters in the lower-cased text with only
        # other characters between them: matched as such, rather than folding every row
        # first (a regex replace over the table costs ten times the search).
        lowered = compute.ascii_lower(strings)
        wanted = compute.invert(compute.string_is_ascii(strings))
        for group in _pattern_groups(sorted(set(pieces))):
            pattern = "|".join(_ANYTHING_ELSE.join(piece) for piece in group)
            wanted = compute.or_(wanted, compute.match_substring_regex(lowered, pattern))
        return list(compute.indices_nonzero(wanted).to_pylist())


# Characters of pieces in one regex. RE2 (arrow's regex engine) runs a pattern as a DFA
# while the DFA fits its memory budget, and falls back to a far slower engine when it
# does not: 818 street anchors in one pattern took 157 s over 1,700,000 addresses, in
# groups of 800 characters 3 s, of 1,200 characters 2.5 s, of 2,400 characters 99 s again.
_PATTERN_CHARACTERS = 800


def _pattern_groups(pieces: Sequence[str]) -> Iterator[list[str]]:
    """``pieces`` in groups of at most ``_PATTERN_CHARACTERS`` characters (a longer
    piece on its own)."""
    group: list[str] = []
    size = 0
    for piece in pieces:
        if group and size + len(piece) > _PATTERN_CHARACTERS:
            yield group
            group, size = [], 0
        group.append(piece)
        size += len(piece)
    if group:
        yield group


_KEY_BLOCK = 65_536  # keys made Python strings at a time while they are hashed
_FOLDED_PIECE = re.compile(r"[a-z0-9]+")
_ANYTHING_ELSE = "[^a-z0-9]*"


class _Groups:
    """Which rows of a grouped table belong to a person.

    Rows are grouped per person id; ``group[p]`` is the group of people row
    ``p`` (-1: none) and group ``g`` is rows ``bounds[g]`` to ``bounds[g + 1]``.
    Ids with rows here but no row in people (the register check reports them)
    are looked up by id.
    """

    __slots__ = ("_bounds", "_group", "_others")

    def __init__(self, group: array[int], bounds: array[int], others: dict[str, int]) -> None:
        self._group = group
        self._bounds = bounds
        self._others = others

    def span(self, person_row: int | None, person_id: str) -> range:
        group = self._others.get(person_id, -1) if person_row is None else self._group[person_row]
        if group < 0:
            return range(0)
        return range(self._bounds[group], self._bounds[group + 1])


def _ints(values: pa.Array | pa.ChunkedArray) -> array[int]:
    """A pyarrow integer array without nulls as a compact Python ``array('q')``."""
    pa = arrow()
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    values = values.cast(pa.int64())
    if not len(values):
        return array("q")
    data = values.buffers()[1]
    return array("q", memoryview(data).cast("q")[values.offset:values.offset + len(values)])


def _read_bytes(reader: CsvBatchReader) -> bytes:
    """The file as UTF-8 without a BOM, as pyarrow needs it."""
    data = reader.path.read_bytes()
    encoding = reader.encoding.lower().replace("_", "-")
    if encoding in ("utf-8", "utf8"):
        return data
    if encoding == "utf-8-sig":
        return data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    # cp1252, UTF-16: decode as the reference path does (strictly: the reader found no
    # problem) and hand pyarrow UTF-8.
    text = data.decode(reader.encoding)
    return text.removeprefix("\ufeff").encode()


def _table(reader: CsvBatchReader, table: str) -> pa.Table:
    """``table``'s columns from the reader's file, trimmed like ``str.strip``.

    A required column missing from the header, or a column the reference path
    would read differently, raises :class:`_NotExact`.
    """
    pa = arrow()
    if not reader.decodes_cleanly or reader.header_row != 1 or reader.header_line != 1:
        raise _NotExact
    data = _read_bytes(reader)
    if b'"' in data[:data.find(b"\n")] or b"\x00" in data or _SEPARATOR.encode() in data:
        raise _NotExact  # a quoted header can span lines; csv rejects NUL
    if b'"' in data and _strict_csv(reader.delimiter).fullmatch(data) is None:
        raise _NotExact
    where = {name: index for index, name in enumerate(reader.names)}
    columns = ALL_COLUMNS[table]
    if any(column not in where for column in REQUIRED_COLUMNS[table]):
        raise _NotExact
    raw_names = [f"c{index}" for index in range(reader.header_width)]
    limits = reader.limits
    # A file this big could hold a cell or a row beyond the reader's limits: read every
    # column to measure them.
    checked = len(data) > min(limits.max_cell_chars, limits.max_row_chars // 2)
    wanted = {column: raw_names[where[column]] for column in columns if column in where}
    try:
        read = pa.csv.read_csv(
            pa.BufferReader(data),
            read_options=pa.csv.ReadOptions(column_names=raw_names, skip_rows=1),
            parse_options=pa.csv.ParseOptions(
                delimiter=reader.delimiter, quote_char='"', double_quote=True,
                escape_char=False, newlines_in_values=True, ignore_empty_lines=True),
            convert_options=pa.csv.ConvertOptions(
                include_columns=raw_names if checked else sorted(set(wanted.values())),
                column_types={name: pa.string() for name in raw_names},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowException, ValueError):
        raise _NotExact from None  # a ragged row, say: the reference path names it
    del data
    compute = pa.compute
    if checked:
        _within_limits(read, limits.max_cell_chars, limits.max_row_chars)
    out = {}
    empty = None
    for column in columns:
        if column in wanted:
            out[column] = compute.utf8_trim(read.column(wanted[column]),
                                            characters=PYTHON_WHITESPACE)
        else:
            if empty is None:
                empty = pa.array([""] * read.num_rows, pa.string())
            out[column] = empty
    return pa.table(out)


def _within_limits(read: pa.Table, max_cell_chars: int, max_row_chars: int) -> None:
    """Raise :class:`_NotExact` if a cell may be over the cell limit or a record over
    the row limit (counted generously: every cell quoted, every quote doubled)."""
    compute = arrow().compute
    row_chars = None
    for cells in read.columns:
        lengths = compute.utf8_length(cells)
        longest = compute.max(lengths).as_py()
        if longest is not None and longest > max_cell_chars:
            raise _NotExact
        row_chars = lengths if row_chars is None else compute.add(row_chars, lengths)
    if row_chars is not None and len(row_chars):
        widest = compute.max(row_chars).as_py()
        if 2 * widest + 3 * read.num_columns > max_row_chars:
            raise _NotExact


def _validated(reader: CsvBatchReader, table: str) -> pa.Table:
    """The table with enumerated values lower-cased and dates as ``YYYY-MM-DD``:
    what ``clean_values`` gives for every row, or :class:`_NotExact`."""
    pa = arrow()
    compute = pa.compute
    read = _table(reader, table)
    if read.num_rows == 0:
        return read

    def any_of(mask: Any) -> bool:
        return bool(compute.any(mask).as_py())

    for column in NON_EMPTY[table]:
        if any_of(compute.equal(read.column(column), "")):
            raise _NotExact
    for column, allowed in ALLOWED_VALUES[table].items():
        cells = read.column(column)
        if not compute.all(compute.string_is_ascii(cells)).as_py():
            raise _NotExact  # Python's and ICU's lower() agree on ASCII
        lowered = compute.ascii_lower(cells)
        if not compute.all(compute.is_in(lowered, value_set=pa.array(allowed))).as_py():
            raise _NotExact
        read = read.set_column(read.schema.get_field_index(column), column, lowered)
    for column in DATE_COLUMNS[table]:
        cells = read.column(column)
        given = compute.not_equal(cells, "")
        if not any_of(given):
            continue
        if any_of(compute.and_(given, compute.invert(
                compute.match_substring_regex(cells, _DATE_PATTERN)))):
            raise _NotExact
        day = compute.utf8_slice_codeunits(cells, 0, 10)
        if any_of(compute.starts_with(day, "0000")):
            raise _NotExact  # year 0: arrow parses it, Python's date does not
        written = day.filter(given)
        try:  # a strict cast: 2025-02-29 fails (strptime would make it 1 March)
            parsed = written.cast(pa.date32())
        except (pa.ArrowInvalid, ValueError):
            raise _NotExact from None
        if not compute.all(compute.equal(parsed.cast(pa.string()), written)).as_py():
            raise _NotExact
        read = read.set_column(read.schema.get_field_index(column), column, day)
    if table == "restrictions":
        unnamed = compute.and_(compute.equal(read.column("kind"), "do_not_disclose_to"),
                               compute.equal(read.column("other_person_id"), ""))
        if any_of(unnamed):
            raise _NotExact
    return read


def _pack(read: pa.Table, table: str) -> _Packed:
    pa = arrow()
    columns = ALL_COLUMNS[table]
    # A last, empty cell: every cell, the last included, ends with the separator.
    joined = pa.compute.binary_join_element_wise(
        *(read.column(column) for column in columns), "", _SEPARATOR)
    return _Packed(joined.combine_chunks(), len(columns))


def _grouped(read: pa.Table, people_ids: pa.Array) -> tuple[pa.Table, _Groups, pa.Array]:
    """The table with each person's rows together (people in order of first
    appearance, each person's rows in file order, as MemoryRegister keeps them),
    where each person's rows are, and the new position of every file row."""
    pa = arrow()
    compute = pa.compute
    encoded = read.column("person_id").combine_chunks().dictionary_encode()
    first_seen, rank = encoded.dictionary, encoded.indices  # ids in order of first appearance
    counts = compute.value_counts(rank).field("counts") if len(rank) else pa.array([], pa.int64())
    bounds = array("q", [0])
    bounds.extend(_ints(compute.cumulative_sum(counts)))
    group = _ints(compute.index_in(people_ids, value_set=first_seen).fill_null(-1))
    orphans = compute.invert(compute.is_in(first_seen, value_set=people_ids))
    others = {person_id: index for index, person_id in zip(
        compute.indices_nonzero(orphans).to_pylist(),
        first_seen.filter(orphans).to_pylist(), strict=True)}
    if len(rank) < 2 or compute.all(compute.greater_equal(
            rank.slice(1), rank.slice(0, len(rank) - 1))).as_py():
        # Already grouped (an export sorted by person): nothing moves.
        return read, _Groups(group, bounds, others), pa.array(range(len(rank)), pa.int64())
    order = compute.sort_indices(rank)  # stable: file order within a person
    return read.take(order), _Groups(group, bounds, others), compute.sort_indices(order)


def _contact_keys(read: pa.Table) -> pa.Array:
    """``contact_key(kind, value)`` of every contact, in file order: in C for plain
    ASCII e-mail addresses and the usual spellings of UK numbers (as
    ``_fast_uk_key`` reads them), in Python for the rest."""
    pa = arrow()
    compute = pa.compute
    kinds = read.column("kind").combine_chunks()
    values = read.column("value").combine_chunks()
    ascii_ = compute.string_is_ascii(values)
    is_email = compute.equal(kinds, "email")
    text = compute.replace_substring(values, "(0)", "")
    digits = text  # for a plain text below, what is left once its spacers go
    for spacer in ("+", " ", "\t", "(", ")", "-"):
        digits = compute.replace_substring(digits, spacer, "")
    plain = compute.and_(ascii_, compute.match_substring_regex(
        text, r"^(?:\+44|0044)?[0-9 \t()\-]+$"))
    plus, double_zero = compute.starts_with(text, "+44"), compute.starts_with(text, "0044")
    national = compute.if_else(plus, compute.utf8_slice_codeunits(digits, 2),
                               compute.if_else(double_zero, compute.utf8_slice_codeunits(
                                   digits, 4), compute.utf8_slice_codeunits(digits, 1)))
    shaped = compute.if_else(compute.or_(plus, double_zero),
                             compute.match_substring_regex(national, r"^[1-9][0-9]{9}$"),
                             compute.match_substring_regex(digits, r"^0[1-9][0-9]{9}$"))
    phone = compute.and_(compute.and_(plain, shaped), compute.invert(is_email))
    missing = pa.scalar(None, pa.string())
    keys = compute.if_else(
        compute.and_(is_email, ascii_), compute.ascii_lower(values),
        compute.if_else(phone, compute.binary_join_element_wise("+44", national, ""), missing))
    left = compute.indices_nonzero(compute.is_null(keys))
    if not len(left):
        return keys
    listed: list[str] = keys.to_pylist()
    for row, kind, value in zip(left.to_pylist(), kinds.take(left).to_pylist(),
                                values.take(left).to_pylist(), strict=True):
        listed[row] = contact_key(kind, value)
    return pa.array(listed, pa.string())


class _Owners:
    """Contact key -> the rows of the contacts with it (in file order), as
    MemoryRegister's ``contact_owners`` keeps them: the keys packed as arrow holds them
    and found by their sorted hashes (a dict of them cost 137 MiB at 1,078,251
    contacts)."""

    __slots__ = ("_index", "_keys", "_rows")

    def __init__(self, keys: pa.Array | pa.ChunkedArray, rows: pa.Array) -> None:
        if isinstance(keys, arrow().ChunkedArray):
            keys = keys.combine_chunks()
        self._keys = PackedStrings(keys)
        self._index = _hashed(keys, self._keys.get)
        self._rows = _ints(rows)

    def rows(self, key: str) -> list[int]:
        return [self._rows[entry] for entry in self._index.every(key)]

    def keys(self) -> set[str]:
        """Every key held (a whole scan: for checks, not look-ups)."""
        return {self._keys.get(entry) for entry in range(len(self._rows))}


def _hashed(keys: pa.Array, key_of: Callable[[int], str]) -> HashedRows:
    """``keys`` (a string array, row ``i``'s key at ``i``) found by their hashes, each
    confirmed with ``key_of``; made Python strings a block at a time to be hashed."""
    index = HashedRows(key_of)
    for start in range(0, len(keys), _KEY_BLOCK):
        index.extend(keys.slice(start, _KEY_BLOCK).to_pylist())
    index.seal()
    return index


def _owner_index(contacts: pa.Table, position: pa.Array) -> dict[str, _Owners]:
    """kind -> the owner index of its contacts (rows in the grouped table)."""
    compute = arrow().compute
    keys = _contact_keys(contacts)
    kinds = contacts.column("kind").combine_chunks()
    owners: dict[str, _Owners] = {}
    for kind in ALLOWED_VALUES["contacts"]["kind"]:
        mine = compute.and_(compute.equal(kinds, kind), compute.not_equal(keys, ""))
        owners[kind] = _Owners(keys.filter(mine), position.filter(mine))
    return owners


def _packed_groups(table: str, table_of: Callable[[str], pa.Table], people_ids: pa.Array
                   ) -> tuple[_Packed, _Groups, dict[str, _Owners]]:
    """A table grouped per person and packed, and (contacts only) its owner index."""
    read = table_of(table)
    ordered, groups, position = _grouped(read, people_ids)
    owners = _owner_index(read, position) if table == "contacts" else {}
    del read
    packed = _pack(ordered, table)
    del ordered
    # The table's short-lived copies go back to the OS before the next table is read
    # (glibc's malloc_trim under the system allocator): the load's peak is then about
    # one table's, not the heap every table left behind.
    arrow().default_memory_pool().release_unused()
    return packed, groups, owners


def read_columnar(paths: Mapping[str, Path], source: str) -> ColumnarRegister | None:
    """The register in ``paths`` (table -> CSV file), or ``None`` when it must be
    loaded the reference way. Errors in a header raise as the reference path's."""
    try:
        pa = arrow()
    except ImportError:
        return None
    readers: dict[str, CsvBatchReader] = {}
    try:
        for table, path in paths.items():
            readers[table] = CsvBatchReader(path, display=str(path), allow_no_rows=True)
        register = ColumnarRegister(
            lambda table: _validated(readers[table], table) if table in readers else None,
            source=source)
    except (_NotExact, pa.ArrowException):
        # ArrowException: a column past pyarrow's 2 GiB string limit, say. The reference
        # path reads what it can and reports the rest with file, row and column.
        return None
    finally:
        for reader in readers.values():
            reader.close()
    # With the system allocator this is glibc's malloc_trim: the heap left by the
    # load's short-lived copies goes back to the OS (about 60-80 MiB at 137,000 people).
    pa.default_memory_pool().release_unused()
    return register


class ColumnarRegister:
    """A :class:`~policylint.io.register.base.Register` over validated pyarrow tables.

    Build it with :func:`read_columnar`; every row was validated there. It
    answers exactly as :class:`~policylint.io.register.memory.MemoryRegister`
    over the same files (the same records, in the same order).
    """

    def __init__(self, load: Callable[[str], pa.Table | None], *, source: str) -> None:
        """``load(table)`` gives a table validated (or ``None``: absent, so empty).

        Tables are loaded, packed and let go one at a time: the load's peak
        memory is the largest table's, not the sum of them all.
        """
        lib = arrow()
        self.source = source

        def table_of(name: str) -> pa.Table:
            read = load(name)
            if read is None:
                return lib.table({c: lib.array([], lib.string()) for c in ALL_COLUMNS[name]})
            return read

        people = table_of("people")
        people_ids = people.column("person_id").combine_chunks()
        if lib.compute.count_distinct(people_ids).as_py() != len(people_ids):
            raise _NotExact  # a person_id twice: the reference path names both rows
        self._people = _pack(people, "people")
        del people
        # person_id -> row without a dict of every id (141 MiB at 1,370,000 people):
        # hashes, each hit confirmed against the packed row's own id.
        self._people_rows = _hashed(people_ids, self._people.first_cell)
        self._addresses, self._address_groups, _ = _packed_groups(
            "addresses", table_of, people_ids)
        self._contacts, self._contact_groups, self._owners = _packed_groups(
            "contacts", table_of, people_ids)
        self._representatives, self._representative_groups, _ = _packed_groups(
            "representatives", table_of, people_ids)
        restrictions = _pack(table_of("restrictions"), "restrictions")
        self._restrictions = tuple(map(_restriction, restrictions.rows()))
        restrictions_by: dict[str, list[Restriction]] = {}
        for restriction in self._restrictions:
            restrictions_by.setdefault(restriction.person_id, []).append(restriction)
        self._restrictions_by = {k: tuple(v) for k, v in restrictions_by.items()}
        self._dates = _Dates()
        self._flags = _Flags()
        # Records built for recent lookups: a chunk of rows asks about each of its
        # people several times (once per rule).
        self._person_cache: dict[str, Person] = {}
        self._recent_rows: dict[str, int | None] = {}
        self._address_cache: dict[str, tuple[Address, ...]] = {}
        self._contact_cache: dict[str, tuple[Contact, ...]] = {}
        self._representative_cache: dict[str, tuple[Representative, ...]] = {}
        self._owner_cache: dict[str, tuple[Contact, ...]] = {}

    def __repr__(self) -> str:
        return f"ColumnarRegister({self.source!r}, people={self._people.size})"

    # -- building records ---------------------------------------------------

    def _person(self, cells: list[str]) -> Person:
        person_id, title, given, family, born, status, flags = cells
        return Person(person_id, title, given, family, self._dates[born], status,
                      self._flags[flags])

    def _address(self, cells: list[str]) -> Address:
        dates = self._dates
        return Address(cells[0], tuple(filter(None, cells[1:7])), cells[7], cells[8],
                       dates[cells[9]], dates[cells[10]], dates[cells[11]])

    def _contact(self, cells: list[str]) -> Contact:
        person_id, kind, value, status, verified_on = cells
        return Contact(person_id, kind, value, status, self._dates[verified_on])

    def _representative(self, cells: list[str]) -> Representative:
        person_id, representative_id, scope, valid_to = cells
        return Representative(person_id, representative_id, scope, self._dates[valid_to])

    def _remember(self, cache: dict[str, R], key: str, value: R) -> R:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = value
        return value

    def _rows_of(self, person_id: str, cache: dict[str, tuple[R, ...]], groups: _Groups,
                 packed: _Packed, build: Callable[[list[str]], R]) -> tuple[R, ...]:
        """A person's rows of a grouped table as records, from ``cache`` if there."""
        found = cache.get(person_id)
        if found is not None:
            return found
        cells = packed.cells
        span = groups.span(self._row_of(person_id), person_id)
        return self._remember(cache, person_id, tuple(build(cells(row)) for row in span))

    def _row_of(self, person_id: str) -> int | None:
        """The person's row, remembered: the rules ask for a recipient's record, addresses,
        contacts and representatives one after another, each a search of the hashes."""
        recent = self._recent_rows
        if person_id in recent:
            return recent[person_id]
        if len(recent) >= _CACHE_LIMIT:
            recent.clear()
        row = recent[person_id] = self._people_rows.get(person_id)
        return row

    # -- Register protocol -------------------------------------------------

    def person(self, person_id: str) -> Person | None:
        found = self._person_cache.get(person_id)
        if found is not None:
            return found
        row = self._row_of(person_id)
        if row is None:
            return None
        return self._remember(self._person_cache, person_id,
                              self._person(self._people.cells(row)))

    def people(self) -> Iterator[Person]:
        return map(self._person, self._people.rows())

    def scan(self, table: str, columns: Sequence[str], *,
             folded_holds: Collection[str] | None = None) -> Iterator[tuple[Any, ...]]:
        """Every row of ``table`` (people, addresses, contacts, representatives), as the
        values of ``columns``: canonical text, as the records hold it (``lines``: an
        address's non-empty lines, a tuple). For indexes over the whole register,
        which need a few fields of every row and none of its dates: no records are
        built, which makes a scan several times faster. ``folded_holds``: only rows
        that may hold one of these pieces (see :class:`ColumnScans`)."""
        names = ALL_COLUMNS[table]
        packed = {"people": self._people, "addresses": self._addresses,
                  "contacts": self._contacts, "representatives": self._representatives}[table]
        rows = (packed.rows() if folded_holds is None
                else map(packed.cells, packed.may_hold(folded_holds)))
        if table == "addresses" and "lines" in columns:
            where = columns.index("lines")
            before = [names.index(c) for c in columns[:where]]
            after = [names.index(c) for c in columns[where + 1:]]
            for cells in rows:
                yield (*[cells[i] for i in before], tuple(filter(None, cells[1:7])),
                       *[cells[i] for i in after])
            return
        indexes = [names.index(column) for column in columns]
        if len(indexes) == 1:
            only = indexes[0]
            yield from ((cells[only],) for cells in rows)
            return
        yield from map(operator.itemgetter(*indexes), rows)

    def people_sequence(self) -> Sequence[Person]:
        """Everyone, in order, as a sequence whose records are built when indexed:
        an index over the whole register keeps row numbers, not 137,000 records."""
        return PeopleSequence(self._people.size, self._person_at, self.people)

    def _person_at(self, index: int) -> Person:
        cells = self._people.cells(index)
        # The rules look their recipients up by id first: often the record exists.
        found = self._person_cache.get(cells[0])
        return found if found is not None else self._person(cells)

    def addresses(self, person_id: str) -> Sequence[Address]:
        return self._rows_of(person_id, self._address_cache, self._address_groups,
                             self._addresses, self._address)

    def contacts(self, person_id: str) -> Sequence[Contact]:
        return self._rows_of(person_id, self._contact_cache, self._contact_groups,
                             self._contacts, self._contact)

    def contact_owners(self, kind: str, normalised_value: str) -> Sequence[Contact]:
        owners = self._owners.get(kind)
        if owners is None or not normalised_value:
            return ()
        # An email or text is asked about by several rules (who owns where it goes).
        key = contact_row_key(kind, normalised_value)
        found = self._owner_cache.get(key)
        if found is None:
            found = self._remember(self._owner_cache, key, tuple(
                self._contact(self._contacts.cells(row))
                for row in owners.rows(normalised_value)))
        return found

    def restrictions(self) -> Sequence[Restriction]:
        return self._restrictions

    def restrictions_for(self, person_id: str) -> Sequence[Restriction]:
        return self._restrictions_by.get(person_id, ())

    def representatives(self, person_id: str) -> Sequence[Representative]:
        return self._rows_of(person_id, self._representative_cache,
                             self._representative_groups, self._representatives,
                             self._representative)

    def close(self) -> None:
        """Nothing to release; present for the protocol."""

    # -- whole-table scans (used by check_register) ------------------------

    def all_addresses(self) -> Iterator[Address]:
        return map(self._address, self._addresses.rows())

    def all_contacts(self) -> Iterator[Contact]:
        return map(self._contact, self._contacts.rows())

    def all_representatives(self) -> Iterator[Representative]:
        return map(self._representative, self._representatives.rows())

    def __enter__(self) -> ColumnarRegister:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()



class _Dates(dict[str, "dt.date | None"]):
    """Each distinct date text parsed once (a register has a few thousand distinct
    days); the empty cell is no date. Looked up as ``dates[text]``, in C."""

    def __init__(self) -> None:
        super().__init__({"": None})

    def __missing__(self, text: str) -> dt.date:
        day = self[text] = dt.date.fromisoformat(text)
        return day


class _Flags(dict[str, frozenset[str]]):
    """Each distinct flags text split once."""

    def __missing__(self, text: str) -> frozenset[str]:
        flags = self[text] = frozenset(split_flags(text))
        return flags


def _restriction(cells: list[str]) -> Restriction:
    person_id, kind, other_person_id, note = cells
    return Restriction(person_id, kind, other_person_id, note)

