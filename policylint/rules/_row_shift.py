"""Helpers for recipient-mismatch: per-batch indexes of the rows' identifiers, and
the grouping of rows that carry a neighbouring row's data into column shifts.

Everything here stores small keys per row (row numbers, offsets, header names),
never whole rows. Text is searched with pyahocorasick, one pass per text, whatever
the number of rows in the batch.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick

from policylint.normalise import CACHE_SIZE
from policylint.rules._by_row import ByRow, wide_enough

# --- folding free text the way normalise.names folds a name ------------------------

_APOSTROPHES = "'’‘`´ʼ"
_NON_WORD = re.compile(r"[^0-9a-z]+")
# Combining marks of the Latin, Greek and Cyrillic scripts (what NFKD splits off
# accented letters). A regex keeps folding a whole letter at C speed.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold_text(text: str) -> str:
    """Free text folded like :func:`policylint.normalise.names.name_tokens` folds a
    name (accents dropped, case folded, apostrophes removed, every run of other
    characters one space), padded with a space at both ends so that a name
    searched as ``" john smith "`` only matches whole words.
    """
    return f" {fold_words(text)} "


def fold_words(text: str, *, by_line: bool = True) -> str:
    """:func:`fold_text` without the padding.

    ``by_line`` folds line by line, each line cached: a letter repeats its
    template's lines row after row (text that never repeats, such as a row's
    cells, is better folded whole). A line break is a run of other characters
    and ends every word, and nothing in the folding reaches over it, so the
    words of the whole are the words of its lines, in order.
    """
    if not by_line:
        return _fold_words(text)
    if "\n" not in text:  # a name, a cell: one line
        return _fold_line(text)
    return " ".join(folded for line in text.split("\n") if (folded := _fold_line(line)))


# ASCII folded at C speed: letters lower-cased, digits kept, apostrophes deleted
# (see _APOSTROPHES), every other byte a space (runs of spaces are split away after).
_ASCII_FOLD = bytes(
    c + 32 if 0x41 <= c <= 0x5A else c if (0x61 <= c <= 0x7A or 0x30 <= c <= 0x39) else 0x20
    for c in range(256))
_ASCII_APOSTROPHES = b"'`"
_SPECIAL_LETTERS = {"ß": "ss", "ø": "o", "Ø": "o", "ł": "l", "Ł": "L"}


def fold_spaced(text: str) -> str:
    """The words of :func:`fold_words`, but separated by *runs* of spaces, for text
    that rarely repeats (a rendered item with its cells) searched for words padded
    with a space: folded by ``bytes.translate`` at C speed, and the runs are not
    collapsed (a search for ``" smith "`` finds it all the same). The few characters
    that are not ASCII (after NFKD) go through :func:`_fold_unencodable`."""
    if not text.isascii() and "£" in text:  # in most council letters: no NFKD for it
        text = text.replace("£", " ")
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        data = text.encode("ascii", _FOLD_ERRORS)
    else:
        data = text.encode("ascii")
    return data.translate(_ASCII_FOLD, _ASCII_APOSTROPHES).decode("ascii")


def _fold_unencodable(error: UnicodeError) -> tuple[str, int]:
    """What :func:`_fold_words` makes of a run of non-ASCII characters (an encoding
    error handler): combining marks and apostrophes go, ``ß`` is ``ss``, ``ø`` and
    ``ł`` their letters, anything else a space."""
    assert isinstance(error, UnicodeEncodeError)
    run = error.object[error.start:error.end]
    out = [_SPECIAL_LETTERS.get(c, " ") for c in run
           if c not in _APOSTROPHES and not _COMBINING.match(c)]
    return "".join(out), error.end


_FOLD_ERRORS = "policylint-fold"
codecs.register_error(_FOLD_ERRORS, _fold_unencodable)


def _fold_words(text: str) -> str:
    """The words of a text, folded, single spaces between them (``""``: none)."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        # No letter decomposed ("£", "–"): no combining mark to look for, in most items.
        text = _COMBINING.sub("", decomposed) if decomposed != text or (
            _COMBINING.search(text)) else text
        text = (text.replace("ß", "ss").replace("ø", "o").replace("Ø", "o")
                .replace("ł", "l").replace("Ł", "L"))
    text = text.casefold()
    for apostrophe in _APOSTROPHES:  # str.replace is much faster than translate here
        if apostrophe in text:
            text = text.replace(apostrophe, "")
    return _NON_WORD.sub(" ", text).strip()


_fold_line = functools.lru_cache(maxsize=CACHE_SIZE)(_fold_words)


# A value more rows than this carry identifies no row (a constant column, a shared
# name at one postcode): it is not searched for.
MAX_ROWS_PER_VALUE = 10


# --- names with postcodes --------------------------------------------------------


class NameIndex:
    """Each row's full name (folded, at least two words) with its postcode, looked up
    by postcode: which rows at these postcodes have their name in this text?

    A name found means something only together with that row's postcode, and an
    item rarely carries a postcode other than its own, so names are kept per
    postcode rather than in one automaton of every name: a few dozen rows to test
    for the postcodes an item carries, never the whole batch. A (name, postcode)
    pair carried by more than ``max_rows`` rows identifies no row and is not found.

    Kept small (about 30 bytes a row): the names packed by row (:class:`ByRow`) and
    each postcode's rows in an array. Names are matched on word boundaries in folded
    text (:func:`fold_text`, padded with a space at both ends).
    """

    def __init__(self, max_rows: int = MAX_ROWS_PER_VALUE) -> None:
        self.max_rows = max_rows
        self._names = ByRow()  # row -> folded name
        self._rows: dict[str, int | array[int]] = {}  # postcode -> its rows, in order
        # A postcode with many rows: its names' automaton, built when first searched.
        self._automata: dict[str, Any] = {}
        # Every postcode squashed ("PE391FA"), made when first searched after an add.
        self._postcodes: Any = None

    def add(self, name_key: str, postcode: str, row: int) -> None:
        """Rows come in increasing order (as :class:`ByRow` needs)."""
        if name_key.count(" ") < 1:
            return  # one word ("Smith") names too many people
        self._names.add(row, name_key)
        self._add_row(postcode, row)

    def _add_row(self, postcode: str, row: int) -> None:
        self._postcodes = None
        held = self._rows.get(postcode)
        if held is None:
            self._rows[postcode] = row
        elif isinstance(held, int):
            pair = wide_enough(array("I"), row)  # rows ascend: row is the larger
            pair.extend((held, row))
            self._rows[postcode] = pair
        else:
            wider = wide_enough(held, row)
            if wider is not held:
                self._rows[postcode] = wider
            wider.append(row)

    def __len__(self) -> int:
        return len(self._rows)

    def part(self) -> tuple[ByRow, dict[str, int | array[int]]]:
        """What was added, as data: one chunk's part of the index."""
        return self._names, self._rows

    def absorb(self, parts: Iterable[tuple[ByRow, dict[str, int | array[int]]]]) -> None:
        """Add other chunks' :meth:`part`, chunks in row order."""
        for names, rows in parts:
            self._names.absorb([names])
            for postcode, more in rows.items():
                for row in (more,) if isinstance(more, int) else more:
                    self._add_row(postcode, row)

    def postcodes_in(self, squashed: str) -> set[str]:
        """The postcodes of the index (canonical) written in ``squashed`` text (see
        :func:`~policylint.normalise.postcode.squashed_text`): every one of them that
        :func:`~policylint.normalise.postcode.find_postcodes` finds in the text, and
        perhaps a few it does not (parts of longer words). One pass in C: most items
        carry no postcode of the batch but their own, and are then done with."""
        automaton = self._postcodes
        if automaton is None:
            automaton = ahocorasick.Automaton()
            for postcode in self._rows:
                automaton.add_word(postcode.replace(" ", ""), postcode)
            if self._rows:
                automaton.make_automaton()
            self._postcodes = automaton
        if not len(automaton):
            return set()
        return {postcode for _end, postcode in automaton.iter(squashed)}

    def found(self, folded: str, postcodes: Iterable[str]) -> Iterator[tuple[int, str, str]]:
        """(row, name, postcode) for each row at one of ``postcodes`` whose name is in
        ``folded`` as whole words, pairs more than ``max_rows`` rows carry apart."""
        for postcode in postcodes:
            held = self._rows.get(postcode)
            if held is None:
                continue
            rows = (held,) if isinstance(held, int) else held
            named = [(row, self._names.get(row, "")) for row in rows]
            if len(rows) > _MANY_AT_ONE_POSTCODE:
                automaton = self._automaton(postcode, {name for _, name in named})
                present = {folded[end - length + 2:end]
                           for end, length in automaton.iter(folded)}
            else:
                present = {name for _, name in named if f" {name} " in folded}
            if not present:
                continue
            carried = Counter(name for _, name in named if name in present)
            for row, name in named:
                if name in present and carried[name] <= self.max_rows:
                    yield row, name, postcode

    def _automaton(self, postcode: str, names: set[str]) -> Any:
        automaton = self._automata.get(postcode)
        if automaton is None:
            automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for name in names:
                automaton.add_word(f" {name} ", len(name) + 2)
            automaton.make_automaton()
            if len(self._automata) >= _AUTOMATA_KEPT:
                self._automata.clear()
            self._automata[postcode] = automaton
        return automaton


# A postcode holds 15 addresses on average; one with more rows than this (a block of
# flats, a care home) has its names searched all at once rather than one by one.
_MANY_AT_ONE_POSTCODE = 64
_AUTOMATA_KEPT = 256


# --- column shifts -----------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ShiftKey:
    """What a row was seen carrying: the ``kind`` of data (name, contact, reference,
    address) in ``columns`` (normalised headers) from the row ``offset`` rows away
    (+1: the row below)."""

    kind: str
    columns: tuple[str, ...]
    offset: int


@dataclass(frozen=True)
class ShiftRun:
    """Consecutive rows carrying the same kind of data from the same offset."""

    key: ShiftKey
    first: int
    last: int
    rows: tuple[int, ...]  # the rows that carry another row's data (not the ambiguous ones)


# A shift runs through at most this many consecutive rows that carry nobody's data
# (an empty cell, a row that was wrong before the shift).
MAX_GAP = 2


class ShiftTracker:
    """Rows that carry a neighbouring row's data, grouped into runs at the end.

    A row is *confirmed* when its data is not its own recipient's and is the
    neighbour's; *ambiguous* when it fits both (two neighbours sharing a surname),
    which lets a run continue through it without counting it.
    """

    def __init__(self) -> None:
        self._marks: dict[ShiftKey, dict[int, bool]] = {}  # row -> ambiguous
        self._gaps: dict[str, set[int]] = {}  # kind -> rows that fit no one

    def __bool__(self) -> bool:
        return bool(self._marks)

    def mark(self, key: ShiftKey, row: int, *, ambiguous: bool = False) -> None:
        rows = self._marks.setdefault(key, {})
        rows[row] = rows.get(row, True) and ambiguous

    def take(self) -> tuple[dict[ShiftKey, dict[int, bool]], dict[str, set[int]]]:
        """Everything marked so far, as data, and start again (one chunk's part)."""
        taken = (self._marks, self._gaps)
        self._marks, self._gaps = {}, {}
        return taken

    def absorb(self, part: tuple[dict[ShiftKey, dict[int, bool]], dict[str, set[int]]]
               ) -> None:
        """Add another chunk's :meth:`take` (chunks hold different rows)."""
        marks, gaps = part
        for key, rows in marks.items():
            self._marks.setdefault(key, {}).update(rows)
        for kind, gap_rows in gaps.items():
            self._gaps.setdefault(kind, set()).update(gap_rows)

    def offsets(self, row: int) -> set[int]:
        """The offsets at which ``row`` was seen carrying a neighbour's data."""
        return {key.offset for key, rows in self._marks.items() if row in rows}

    def gap(self, kind: str, row: int) -> None:
        """``row`` could not be checked for ``kind``, or its data fits no one nearby."""
        self._gaps.setdefault(kind, set()).add(row)

    def resolve(self, min_run: int) -> tuple[list[ShiftRun], list[tuple[int, ShiftKey]]]:
        """(runs of at least ``min_run`` confirmed rows, leftover (row, key) pairs).

        Longer runs win where runs of different offsets overlap. A leftover is a
        confirmed row in no accepted run of its kind; each row is left over at
        most once per kind, with its smallest offset.
        """
        candidates: list[ShiftRun] = []
        for key, marks in self._marks.items():
            gaps = self._gaps.get(key.kind, set())
            rows = sorted(marks.keys() | gaps) if gaps else sorted(marks)
            for segment in _segments(rows, marks):
                confirmed = tuple(r for r in segment if marks.get(r) is False)
                if len(confirmed) >= min_run:
                    candidates.append(ShiftRun(key, confirmed[0], confirmed[-1], confirmed))
        candidates.sort(key=lambda run: (-len(run.rows), run.first, abs(run.key.offset),
                                         run.key))
        consumed: set[tuple[str, int]] = set()
        runs: list[ShiftRun] = []
        for run in candidates:
            kind = run.key.kind
            if any((kind, r) in consumed for r in run.rows):
                continue
            consumed.update((kind, r) for r in run.rows)
            runs.append(run)
        runs.sort(key=lambda run: (run.first, run.key))
        leftovers: dict[tuple[str, int], ShiftKey] = {}
        for key in sorted(self._marks, key=lambda k: (abs(k.offset), k)):
            for row, ambiguous in self._marks[key].items():
                if ambiguous or (key.kind, row) in consumed:
                    continue
                leftovers.setdefault((key.kind, row), key)
        ordered = sorted(((row, key) for (_, row), key in leftovers.items()),
                         key=lambda pair: (pair[0], pair[1]))
        return runs, ordered


def _segments(rows: Sequence[int], marks: Mapping[int, bool]) -> Iterator[list[int]]:
    """Runs of consecutive marked rows (sorted ``rows``), bridging at most MAX_GAP
    consecutive unmarked rows; unmarked rows at either end are left out."""
    segment: list[int] = []
    streak: list[int] = []  # unmarked rows since the last marked one
    for row in rows:
        last = streak[-1] if streak else (segment[-1] if segment else None)
        if last is not None and row != last + 1:
            if segment:
                yield segment
            segment, streak = [], []
        if row in marks:
            if segment:
                segment.extend(streak)
            segment.append(row)
            streak = []
        else:
            streak.append(row)
            if len(streak) > MAX_GAP:
                if segment:
                    yield segment
                segment, streak = [], []
    if segment:
        yield segment


def rows_phrase(offset: int) -> str:
    """``"one row below"``, ``"two rows above"``."""
    words = {1: "one row", 2: "two rows", 3: "three rows"}
    distance = words.get(abs(offset), f"{abs(offset)} rows")
    return f"{distance} {'below' if offset > 0 else 'above'}"


def distance_phrase(offset: int) -> str:
    """``"one row"``, ``"two rows"``."""
    return rows_phrase(offset).rsplit(" ", 1)[0]
