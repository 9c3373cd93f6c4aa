"""What locates a home besides its postcode and house number.

:func:`policylint.normalise.address.address_fingerprints` finds an address by
its postcode, by each house number with its street (``"14 rowan way"``) and, for
an address without numbers, by its house name with the next line. A home is
also found by a house or building name with the street it stands on, whether or
not the address has a number as well: ``"Beech House, Rowan Way"`` for Beech
House, 14 Rowan Way; ``"Alder Court, Rowan Way"`` for Flat 3, Alder Court, Rowan
Way (the building; ``"Flat 3, Alder Court"`` is already a fingerprint). This
module adds those, written the way :func:`normalise_address_text` writes text,
so that the same automaton finds them.

Exactness stays where it decides: a name is matched whole, on word boundaries
(``"Oak House, Rowan Way"`` is not Beech House), and :func:`other_unit` tells a
different flat in the same building apart (``"Flat 4, Alder Court"`` is not
Flat 3).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from policylint.normalise import CACHE_SIZE
from policylint.normalise.address import STREET_WORDS, UNIT_WORDS, normalise_address_text
from policylint.normalise.postcode import postcode_spans

# Words that describe where a dwelling is in a building, not what the building is
# called: "Ground Floor Flat" or "The Annexe" is no building name.
_POSITION_WORDS = frozenset({
    "the", "ground", "first", "second", "third", "fourth", "fifth", "top", "basement",
    "lower", "upper", "rear", "front", "garden", "annexe", "annex", "side", "back",
    "left", "right", "middle", "floor", "level", "and", "of", "at", "c", "o", "po", "box",
    "care",
})
_SEGMENT_SPLIT_RE = re.compile(r"[,;\n\r|]+")
_DIGIT_RE = re.compile(r"[0-9]")


def _segments(lines: Sequence[str]) -> list[list[str]]:
    """Token lists of each comma/line segment of an address, postcodes taken out."""
    segments: list[list[str]] = []
    for line in lines:
        spans = postcode_spans(line)
        for start, end, _ in reversed(spans):
            line = line[:start] + " " + line[end:]
        for piece in _SEGMENT_SPLIT_RE.split(line):
            tokens = normalise_address_text(piece).split()
            if tokens:
                segments.append(tokens)
    return segments


def _is_name(tokens: Sequence[str]) -> bool:
    return any(t not in _POSITION_WORDS and t not in UNIT_WORDS for t in tokens)


def building_names(lines: Sequence[str]) -> tuple[str, ...]:
    """House and building names written before the street (normalised, in order).

    ``("Flat 3", "Alder Court", "Rowan Way")`` -> ``("alder court",)``;
    ``("Beech House", "14 Rowan Way")`` -> ``("beech house",)``; an address whose
    first line is its street has none.
    """
    return _parse(tuple(lines))[0]


def street_of(lines: Sequence[str]) -> str:
    """The street's wording without its number (``"rowan way"``), or ``""``."""
    return _parse(tuple(lines))[1]


def street_and_town(lines: Sequence[str]) -> tuple[str, str]:
    """(street, the segment after it: its locality or town), either ``""`` if absent.

    ``("Beech House", "14 Rowan Way", "Leeds")`` -> ``("rowan way", "leeds")``.
    """
    _, street, town = _parse(tuple(lines))
    return street, town


@functools.lru_cache(maxsize=CACHE_SIZE)
def _parse(lines: tuple[str, ...]) -> tuple[tuple[str, ...], str, str]:
    names: list[str] = []
    segments = _segments(lines)
    for number, tokens in enumerate(segments):
        after = " ".join(segments[number + 1]) if number + 1 < len(segments) else ""
        numbered = [i for i, t in enumerate(tokens) if _DIGIT_RE.search(t)]
        if numbered:
            last = numbered[-1]
            rest = tokens[last + 1:]
            if not rest:
                continue  # "Flat 3", "12": the unit on a line of its own
            if tokens[last - 1:last] and tokens[last - 1] in UNIT_WORDS and (
                    rest[-1] not in STREET_WORDS):
                # "Flat 3 Alder Court": a flat in a named building.
                if _is_name(rest):
                    names.append(" ".join(rest))
                continue
            return tuple(names), " ".join(rest), after  # "14 rowan way"
        if tokens[-1] in STREET_WORDS:
            return tuple(names), " ".join(tokens), after
        if _is_name(tokens):
            names.append(" ".join(t for t in tokens if t != "the") if tokens[0] == "the"
                         and len(tokens) > 1 else " ".join(tokens))
    return (), "", ""  # no street found: the names cannot be tied to one


def building_locators(lines: Sequence[str]) -> frozenset[str]:
    """Each house or building name with its street: ``"beech house rowan way"``."""
    names, street, _ = _parse(tuple(lines))
    if not street:
        return frozenset()
    return frozenset(f"{name} {street}" for name in names)


def units_in(text: str) -> tuple[str, ...]:
    """Flat/unit identifiers named in normalised text (``"flat 4 alder court"`` -> ``("4",)``)."""
    tokens = text.split()
    return tuple(tokens[i + 1].upper() for i, t in enumerate(tokens[:-1])
                 if t in UNIT_WORDS and (len(tokens[i + 1]) == 1 or _DIGIT_RE.search(
                     tokens[i + 1])))


def other_unit(text: str, units: Sequence[str]) -> bool:
    """``text`` names a flat or unit, and none of them is one of ``units``.

    ``units`` are the protected home's flat numbers; a home with none is never
    "another unit" (a house is not told apart from a flat in it).
    """
    if not units:
        return False
    named = units_in(text)
    return bool(named) and not set(named) & set(units)
