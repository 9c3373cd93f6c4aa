"""Dwelling identifiers written as words: floors, annexes, rear units, tenement positions.

A house number says which building; these say which dwelling in or at it, and
compare exactly like a flat number (see :mod:`policylint.normalise.address` for
the conventions). :func:`dwelling_parts` reads them from the tokens of one
address segment as :mod:`~policylint.normalise.address` writes them (folded,
abbreviations expanded: ``1st`` is already ``first``, ``flr`` is ``floor``).
Each is a label (``"floor:0"``, ``"annexe"``); the words that make it are taken
out of the address's wording, so that ``GFF`` and ``Ground Floor Flat`` leave the
same street words behind.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

# Floors named by a word: "<word> floor", and for the unnumbered ones also
# "<word> flat" ("Top Flat", "Garden Flat", "Basement Flat").
NUMBERED_FLOORS = {
    "ground": "0", "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5",
    "sixth": "6", "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10",
}
NAMED_FLOORS = {
    "basement": "basement", "top": "top", "upper": "upper", "lower": "lower",
    "mezzanine": "mezzanine", "attic": "attic", "garden": "garden", "principal": "principal",
}
# Estate-agent and council shorthand, one token each. "TFF" is top floor flat to
# some and third floor flat to others: it equals only itself.
ABBREVIATED_FLOORS = {
    "gff": "0", "gf": "0", "fff": "1", "ff": "1", "sff": "2", "tff": "tff",
    "lgf": "lower ground", "lgff": "lower ground", "ugf": "upper ground", "ugff": "upper ground",
}
# Edinburgh tenement position: floor, "f", door ("3f2", "gf1", "pf1").
_EDINBURGH_RE = re.compile(r"(\d{1,2}|g|b|p|t)f(\d{1,2}|l|r)")
_EDINBURGH_FLOORS = {"g": "0", "b": "basement", "p": "principal", "t": "top"}
_ORDINAL_RE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)")
# A token that is an Edinburgh position or an ordinal ("11th").
_SPECIAL_RE = re.compile(r"(?:\d{1,2}|[gbpt])f(?:\d{1,2}|[lr])|\d{1,2}(?:st|nd|rd|th)")
# Which side of the landing: after a floor ("First Floor Left") or before "flat".
SIDES = {
    "left": "side:left", "right": "side:right", "centre": "side:centre",
    "middle": "side:centre", "front": "side:front", "rear": "rear", "back": "rear",
}
_FLAT_NOUNS = frozenset({"flat", "maisonette"})
_FLOOR_NOUNS = _FLAT_NOUNS | {"floor"}


@dataclass(frozen=True)
class DwellingParts:
    """What :func:`dwelling_parts` found in one segment.

    ``labels``: each dwelling identifier (``"floor:0"``, ``"floor:basement"``,
    ``"annexe"``, ``"rear"``, ``"above"`` for a flat above a shop, ``"flat"`` for
    an unnumbered flat); ``consumed``: positions of the words that made them
    (not street wording, not numbers); ``doors``: position -> flat number read
    from an Edinburgh position (``"3f2"`` gives door ``"2"`` on ``"floor:3"``).
    """

    labels: tuple[str, ...] = ()
    consumed: frozenset[int] = frozenset()
    doors: tuple[tuple[int, str], ...] = ()


NOTHING = DwellingParts()
# Words that can start a dwelling identifier: a segment holding none (most of them)
# is passed over with one regex search of its joined tokens.
_STARTS = frozenset(
    {*NUMBERED_FLOORS, *NAMED_FLOORS, *ABBREVIATED_FLOORS, *_FLOOR_NOUNS, "level", "annexe",
     "rear", "back", "r", *SIDES})
_START_RE = re.compile(
    r"(?<![^ ])(?:" + "|".join(sorted(_STARTS, key=len, reverse=True))
    + "|" + _SPECIAL_RE.pattern + r")(?![^ ])")


def dwelling_parts(tokens: Sequence[str], identifiers: Collection[int],
                   street_words: Collection[str]) -> DwellingParts:
    """The dwelling identifiers among ``tokens`` (one segment of an address).

    ``identifiers`` are the positions of house/flat numbers and unit letters
    (``"2"`` in ``flat 2``); ``street_words`` end a street name, so that
    ``Annexe Road`` or ``Rear Lane`` are streets, not dwellings.
    """
    if _START_RE.search(" ".join(tokens)) is None:
        return NOTHING
    starts = [i for i, t in enumerate(tokens) if t in _STARTS or _SPECIAL_RE.fullmatch(t)]
    if all(tokens[i] in _FLAT_NOUNS and i + 1 in identifiers for i in starts):
        return NOTHING  # "Flat 2": a numbered flat, the usual case
    reader = _Reader(tokens, identifiers, street_words)
    reader.read(starts)
    if not reader.labels:
        return NOTHING
    return DwellingParts(tuple(reader.labels), frozenset(reader.consumed), tuple(reader.doors))


class _Reader:
    """One pass over a segment's tokens, left to right."""

    def __init__(self, tokens: Sequence[str], identifiers: Collection[int],
                 street_words: Collection[str]) -> None:
        self.tokens = tokens
        self.identifiers = identifiers
        self.street_words = street_words
        self.labels: list[str] = []
        self.consumed: set[int] = set()
        self.doors: list[tuple[int, str]] = []

    def _at(self, i: int) -> str:
        return self.tokens[i] if 0 <= i < len(self.tokens) else ""

    def _label(self, label: str, first: int, last: int) -> int:
        """Record ``label`` made of tokens ``first..last``; a "the" before it goes too."""
        self.labels.append(label)
        self.consumed.update(range(first, last + 1))
        if self._at(first - 1) == "the":
            self.consumed.add(first - 1)
        return last + 1

    def _floor(self, floor: str, first: int, last: int) -> int:
        """A floor label, with the side written after it ("First Floor Left")."""
        side = SIDES.get(self._at(last + 1))
        if side is None:
            return self._label(f"floor:{floor}", first, last)
        self._label(side, last + 1, last + 1)
        return self._label(f"floor:{floor}", first, last + 1)

    def _nouns_after(self, i: int) -> int:
        """The last position of "floor" and/or "flat" from ``i`` on (``i - 1`` if none).
        A flat word followed by its number stays: it names the flat ("Flat 1")."""
        last = i - 1
        if self._at(i) == "floor":
            last = i
            i += 1
        if self._at(i) in _FLAT_NOUNS and (i + 1) not in self.identifiers:
            last = i
        return last

    def read(self, starts: Sequence[int]) -> None:
        """Read from each possible start in turn, skipping words already read."""
        after = 0
        for i in starts:
            if i >= after:
                after = self._step(i)

    def _step(self, i: int) -> int:
        t = self.tokens[i]
        nxt = self._at(i + 1)
        if t in ABBREVIATED_FLOORS:
            return self._floor(ABBREVIATED_FLOORS[t], i, max(i, self._nouns_after(i + 1)))
        edinburgh = _EDINBURGH_RE.fullmatch(t)
        if edinburgh:
            floor, door = edinburgh.groups()
            self.doors.append((i, str(int(door)) if door.isdigit() else door.upper()))
            self.labels.append(f"floor:{_EDINBURGH_FLOORS.get(floor) or str(int(floor))}")
            return i + 1
        if t in ("lower", "upper") and nxt == "ground" and self._at(i + 2) in _FLOOR_NOUNS:
            return self._floor(f"{t} ground", i, self._nouns_after(i + 2))
        ordinal = _ORDINAL_RE.fullmatch(t)
        numbered = NUMBERED_FLOORS.get(t) or (str(int(ordinal.group(1))) if ordinal else None)
        if numbered is not None and nxt == "floor":
            return self._floor(numbered, i, self._nouns_after(i + 1))
        if t in NAMED_FLOORS and (nxt in _FLOOR_NOUNS or t == "basement"):
            return self._floor(NAMED_FLOORS[t], i, max(i, self._nouns_after(i + 1)))
        if t in ("floor", "level") and nxt.isdigit():
            return self._floor(str(int(nxt)), i, i + 1)
        if t == "annexe" and nxt not in self.street_words:
            start = i - 1 if self._at(i - 1) == "granny" else i
            return self._label("annexe", start, i)
        if (t == "rear" and nxt not in self.street_words) or (
                t in ("back", "r") and nxt == ("of" if t == "back" else "o")):
            return self._label("rear", i, i + 1 if nxt in ("of", "o") else i)
        if t in SIDES and nxt in _FLAT_NOUNS:  # "Front Flat", "Back Flat", "Rear Maisonette"
            return self._label(SIDES[t], i, max(i, self._nouns_after(i + 1)))
        if t in _FLAT_NOUNS and nxt in ("above", "over"):
            return self._label("above", i, i + 1)
        if t in _FLAT_NOUNS and (i + 1) not in self.identifiers and nxt not in self.street_words:
            return self._label("flat", i, i)
        return i + 1
