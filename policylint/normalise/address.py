"""Postal addresses: a key two spellings of the same address share.

What decides whether two addresses are the same place is compared exactly:
the postcode, and every dwelling identifier: house, flat, unit or apartment
numbers (``12A``, ``10-12``, ``Flat B``, ``12½``), Scottish tenement positions
(``3F2``, ``2/1``), floors (``Ground Floor Flat``, ``Basement``) and the words that
make a separate dwelling of part of a property (``The Annexe``, ``Rear of``,
``Flat Above``). Only the wording (street, locality, town) is compared fuzzily,
after expanding the usual abbreviations (``St`` → ``street``, ``Rd`` → ``road``,
``Apt`` → ``flat``, ``1st`` → ``first``). ``10 High St`` is not ``Flat 2, 10 High
Street``, ``12A`` is not ``12``, and ``The Annexe, 40 Holt Road`` is not ``40 Holt
Road``.

How identifiers are read (one reading for every spelling, so each compares exactly):

* ``40 A`` is ``40A``; ``12½``, ``12 ½`` and ``12 1/2`` are one number, not ``12``.
* ``a/b`` is an ordered pair and stays one: ``2/1`` is not ``1/2``, and not the
  range ``2-1``; Glasgow's sides too (``2/L`` is not ``2/R``). In Glasgow
  ``Flat 2/1`` is floor 2, door 1; in Edinburgh ``10/3 Easter Road`` is flat 3
  of number 10. The two cannot be told apart, so a pair is never turned into a
  floor: ``2/1`` equals only ``2/1`` (``Flat 2/1`` included), never ``Flat 1,
  Second Floor``.
* Edinburgh's ``3F2`` is third floor, flat 2 (``GF1`` ground, ``BF1`` basement,
  ``PF1`` principal floor, ``TF1`` top floor, ``1FL``/``1FR`` first floor
  left/right): it equals ``Flat 2, Third Floor`` and ``Third Floor Flat 2``, and
  not ``2F3`` nor ``3/2`` (which may be number 3, flat 2).
* Floors: ``GFF``/``GF`` = ``Ground Floor Flat``; ``FFF``/``FF`` = ``1st Floor
  Flat`` = ``First Floor``; ``SFF`` = ``Second Floor Flat``; ``Floor 3`` =
  ``Level 3`` = ``3rd Floor``. ``TFF`` is top *or* third floor flat, so it equals
  only ``TFF``. Basement, lower ground, upper ground, top, upper, lower, garden
  and attic floors are each their own floor (a basement flat marketed as
  "lower ground" is not proved the same flat). A side after a floor or before
  "flat" (``First Floor Left``, ``Front Flat``) is part of the identifier.
* A floor on one side only is a different dwelling (``Ground Floor Flat, 40
  Holt Road`` is not ``40 Holt Road``), as a missing flat number is; so is
  ``Flat 2, First Floor`` against ``Flat 2``: only the same identifiers prove
  the same door.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from rapidfuzz import fuzz

from policylint.normalise import CACHE_SIZE
from policylint.normalise.dwelling import dwelling_parts
from policylint.normalise.names import name_tokens, names_match
from policylint.normalise.postcode import normalise_postcode, postcode_key, postcode_spans

ABBREVIATIONS: dict[str, str] = {
    "rd": "road", "ave": "avenue", "av": "avenue", "avn": "avenue", "ln": "lane",
    "dr": "drive", "drv": "drive", "ct": "court", "crt": "court", "cres": "crescent",
    "cresc": "crescent", "cr": "crescent", "pl": "place", "gdns": "gardens",
    "gdn": "garden", "sq": "square", "terr": "terrace", "ter": "terrace",
    "tce": "terrace", "cl": "close", "grn": "green", "gn": "green", "pk": "park",
    "hse": "house", "ho": "house", "apt": "flat", "apartment": "flat", "flt": "flat",
    "gro": "grove", "gv": "grove", "blvd": "boulevard", "wy": "way", "mt": "mount",
    "cott": "cottage", "cotts": "cottages", "est": "estate", "ind": "industrial",
    "bldg": "building", "bldgs": "buildings", "hts": "heights", "pde": "parade",
    "prom": "promenade", "wlk": "walk", "wk": "walk", "yd": "yard", "upr": "upper",
    "lwr": "lower", "gt": "great", "nth": "north", "sth": "south", "rm": "room",
    "ste": "suite", "mkt": "market", "br": "bridge", "cnr": "corner", "fm": "farm",
    "hosp": "hospital", "ctr": "centre", "cntr": "centre", "center": "centre",
    "twr": "tower", "vw": "view", "vlg": "village", "mws": "mews", "clo": "close",
    # floors: one word each (a one-word expansion keeps the protected-address gate exact)
    "flr": "floor", "grd": "ground", "grnd": "ground", "gnd": "ground", "bsmt": "basement",
    "annex": "annexe",
    "1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth",
    "6th": "sixth", "7th": "seventh", "8th": "eighth", "9th": "ninth", "10th": "tenth",
}
# Words after which the next token names a flat or unit ("Flat B", "Unit 4").
UNIT_WORDS = frozenset({
    "flat", "unit", "suite", "room", "studio", "maisonette", "block", "floor", "bedsit",
})
# Last words of a street name: a numberless first line ending in one is a street,
# not a house name.
STREET_WORDS = frozenset({
    "street", "road", "avenue", "lane", "drive", "crescent", "place", "gardens", "square",
    "terrace", "close", "green", "park", "grove", "way", "walk", "row", "hill", "mews",
    "parade", "boulevard", "rise", "view", "vale", "wynd", "gate", "promenade", "yard",
    "bank", "brow", "circus", "embankment", "highway", "approach", "croft", "fold",
})
# Titles that mark a first line as the addressee ("Mr J Smith"); not "Lord", "Major"
# or "Lady", which also start street and building names.
ADDRESSEE_TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "rev", "revd", "sir", "dame",
    "cllr",
})
# First lines that address nobody in particular (dropped like a name line).
OCCUPIER_LINES = frozenset({
    "the occupier", "the occupiers", "the occupant", "the occupants", "the resident",
    "the residents", "the householder", "the owner", "the owners", "occupier",
})

_APOSTROPHE_CHARS = "'’‘`´ʼ"
# "10-12" (a range) and "2/1" (an ordered pair: Glasgow floor/door, Edinburgh
# number/flat), spaces around the separator dropped.
# Glasgow also writes the door as a side: "2/L", "0/R", "1/M".
_RANGE_RE = re.compile(r"\b(\d+[a-z]?)\s*([-–—‐‑/])\s*(\d+[a-z]?|[lrm])\b")
_SPLIT_NUMBER_LETTER_RE = re.compile(r"\b(\d+) ([a-z])\b(?! ?[-–—‐‑/])")
# What every match of the two above contains (searched first: much cheaper than a sub).
_RANGE_HINT_RE = re.compile(r"\d[a-z]?\s*[-–—‐‑/]")
_SPLIT_HINT_RE = re.compile(r"\d [a-z]")
# Written fractions: "½" is read as " 1/2" before folding (NFKD would make "12½"
# read "121⁄2"), then "12 1/2" is written "12½".
_VULGAR_FRACTIONS = str.maketrans({"½": " 1/2", "¼": " 1/4", "¾": " 3/4", "⁄": "/"})
_FRACTION_RE = re.compile(r"\b(\d+) +([13]/[24])\b(?![/\d])")
_FRACTION_SYMBOLS = {"1/2": "½", "1/4": "¼", "3/4": "¾"}
_FRACTION_TEXT = ("½", "¼", "¾", "⁄")
_TOKEN_RE = re.compile(r"\d+[a-z]?-\d+[a-z]?|\d+[a-z]?/(?:\d+[a-z]?|[lrm]\b)|\d+[½¼¾]|[a-z0-9]+")
_NUMBER_RE = re.compile(r"\d+[a-z]?(?:-\d+[a-z]?|/(?:\d+[a-z]?|[lrm]))?|\d+[½¼¾]")
_SEGMENT_SPLIT_RE = re.compile(r"[,;\n\r|]+")
_WORDS_RE = re.compile(r"[a-z]+")
_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]+")
_ASCII_DIGIT_RE = re.compile(r"[0-9]")


@dataclass(frozen=True)
class AddressKey:
    """What an address is compared by.

    ``postcode`` is :func:`postcode_key` (``"SW1A1AA"``) or ``""``; ``numbers``
    every house/flat/unit number in the order written (``("2", "10")``);
    ``words`` the normalised wording without numbers, postcode or dwelling
    words; ``premise`` the house name of an address with no numbers at all
    (``"rose cottage"``); ``units`` the numbers that follow a flat/unit word
    (``("2",)`` for ``Flat 2, 10 High St``), so that flat 2 at number 10 is not
    flat 10 at number 2; ``dwelling`` the sorted dwelling identifiers written as
    words (``("floor:0",)`` for ``Ground Floor Flat`` or ``GFF``, ``("annexe",)``,
    ``("rear",)``; see :mod:`policylint.normalise.dwelling`).
    """

    postcode: str
    numbers: tuple[str, ...]
    words: str
    premise: str = ""
    units: tuple[str, ...] = ()
    dwelling: tuple[str, ...] = ()


def _fold(text: str) -> str:
    if text.isascii():  # nothing to decompose; casefold is lower; two apostrophes
        text = text.lower()
        return text.replace("'", "").replace("`", "") if "'" in text or "`" in text else text
    decomposed = unicodedata.normalize("NFKD", text)
    # Combining marks are never ASCII: only the non-ASCII runs are looked at.
    ascii_ish = _NON_ASCII_RUN_RE.sub(_drop_combining, decomposed).casefold()
    for apostrophe in _APOSTROPHE_CHARS:  # str.replace is much faster than translate
        if apostrophe in ascii_ish:
            ascii_ish = ascii_ish.replace(apostrophe, "")
    return ascii_ish


def _drop_combining(match: re.Match[str]) -> str:
    return "".join(c for c in match.group() if not unicodedata.combining(c))


def _is_number(token: str) -> bool:
    return _NUMBER_RE.fullmatch(token) is not None


def _expand(tokens: list[str]) -> list[str]:
    """Expand abbreviations. ``St`` is ``saint`` when it starts a name
    (first word, or right after a house number, with a word following), else ``street``."""
    if "st" not in tokens:
        return [ABBREVIATIONS.get(token, token) for token in tokens]
    out: list[str] = []
    for i, token in enumerate(tokens):
        if token == "st":
            starts_name = (i == 0 or _is_number(tokens[i - 1])) and i + 1 < len(tokens)
            out.append("saint" if starts_name else "street")
        else:
            out.append(ABBREVIATIONS.get(token, token))
    return out


def _range_or_pair(match: re.Match[str]) -> str:
    separator = "/" if match.group(2) == "/" else "-"
    return f"{match.group(1)}{separator}{match.group(3)}"


def _fraction(match: re.Match[str]) -> str:
    return match.group(1) + _FRACTION_SYMBOLS[match.group(2)]


@functools.lru_cache(maxsize=CACHE_SIZE)
def _segment_tokens(segment: str) -> tuple[str, ...]:
    if not segment.isascii() and any(c in segment for c in _FRACTION_TEXT):
        segment = segment.translate(_VULGAR_FRACTIONS)
    text = _fold(segment)
    # Each substitution only where a cheap search finds what it needs (most text has
    # no number range and no "12 A"): re.sub costs microseconds even when it finds nothing.
    if _RANGE_HINT_RE.search(text):
        text = _RANGE_RE.sub(_range_or_pair, text)
        if "/" in text:
            text = _FRACTION_RE.sub(_fraction, text)
    if _SPLIT_HINT_RE.search(text):
        text = _SPLIT_NUMBER_LETTER_RE.sub(r"\1\2", text)
    return tuple(_expand(_TOKEN_RE.findall(text)))


@functools.lru_cache(maxsize=CACHE_SIZE)
def normalise_address_text(text: str) -> str:
    """Free text normalised the way :func:`address_fingerprints` are written.

    Lower case, accents and punctuation removed, abbreviations expanded, single
    spaces. Search the result for fingerprints on word boundaries (pad both
    with spaces), so that ``10 high street`` is not found in ``110 high street``.
    """
    return " ".join(chain.from_iterable(map(_segment_tokens, _SEGMENT_SPLIT_RE.split(text))))


def _has_digit(text: str) -> bool:
    if text.isascii():
        return _ASCII_DIGIT_RE.search(text) is not None
    return any(c.isdigit() for c in text)


def _addressee_line(line: str) -> bool | None:
    """True for a line that addresses someone whatever their name ("Mr J Smith", "The
    Occupier"); False for one that cannot be a name line; None when only the names
    of the addressee can tell."""
    if _has_digit(line):
        return False
    folded = " ".join(_fold(line).replace(".", " ").split())
    if folded in OCCUPIER_LINES:
        return True
    words = _WORDS_RE.findall(folded)
    if not words:
        return False
    if words[0] in ADDRESSEE_TITLES and len(words) <= 6 and words[-1] not in STREET_WORDS:
        return True
    return None


def _addressed_to_anyone(line: str) -> bool:
    return _addressee_line(line) is True


def _looks_like_addressee(line: str, addressee_names: Sequence[str]) -> bool:
    verdict = _addressee_line(line)
    if verdict is not None:
        return verdict
    tokens = name_tokens(line)
    for name in addressee_names:
        candidate = name_tokens(name)
        if not tokens or not candidate:
            continue
        if fuzz.token_sort_ratio(" ".join(tokens), " ".join(candidate)) >= 90:
            return True
        if len(candidate) >= 2 and names_match(line, " ".join(candidate[:-1]), candidate[-1]):
            return True
    return False


def _strip_postcodes(line: str) -> tuple[str, list[str]]:
    spans = postcode_spans(line)
    if not spans:
        return line, []
    parts: list[str] = []
    last = 0
    for start, end, _ in spans:
        parts.append(line[last:start])
        last = end
    parts.append(line[last:])
    return " ".join(parts), [canonical for _, _, canonical in spans]


@functools.lru_cache(maxsize=CACHE_SIZE)
def _line_segments(line: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """(postcodes found in an address line, token lists of its segments without them)."""
    text, codes = _strip_postcodes(line)
    segments = tuple(
        tokens for segment in _SEGMENT_SPLIT_RE.split(text) if (tokens := _segment_tokens(segment))
    )
    return tuple(codes), segments


def _segments(
    lines: Sequence[str], postcode: str, addressee_names: Sequence[str]
) -> tuple[str, list[tuple[str, ...]]]:
    """(postcode key, token lists of each comma/line segment), name line dropped."""
    kept = [line.strip() for line in lines if line and line.strip()]
    if len(kept) > 1 and _looks_like_addressee(kept[0], addressee_names):
        kept = kept[1:]
    found: list[str] = []
    segments: list[tuple[str, ...]] = []
    for line in kept:
        codes, line_segments = _line_segments(line)
        found.extend(codes)
        segments.extend(line_segments)
    if postcode.strip():
        key = postcode_key(postcode)
    elif found:
        key = postcode_key(found[-1])
    else:
        key = ""
    return key, segments


@functools.lru_cache(maxsize=CACHE_SIZE)
def _segment_parts(
    tokens: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(numbers, numbers following a unit word, other words, dwelling labels) of one
    segment; a dwelling identifier's words are neither numbers nor wording."""
    numbers: list[str] = []
    units: list[str] = []
    words: list[str] = []
    identifiers = set(_identifier_positions(tokens))
    dwelling = dwelling_parts(tokens, identifiers, STREET_WORDS)
    doors = dict(dwelling.doors) if dwelling.doors else {}
    for i, token in enumerate(tokens):
        if i in doors:  # "3F2": flat 2 (its floor is a dwelling label)
            numbers.append(doors[i])
            units.append(doors[i])
            if i == 0 or tokens[i - 1] not in UNIT_WORDS:
                words.append("flat")  # worded as "Flat 2, Third Floor" would be
        elif i in dwelling.consumed:
            continue
        elif i in identifiers:
            numbers.append(token.upper())
            if i > 0 and tokens[i - 1] in UNIT_WORDS:
                units.append(token.upper())
        else:
            words.append(token)
    return tuple(numbers), tuple(units), tuple(words), dwelling.labels


def _identifier_positions(tokens: Sequence[str]) -> list[int]:
    """Indexes of house/flat numbers and unit identifiers ("B" in "Flat B")."""
    return [
        i for i, token in enumerate(tokens)
        if _is_number(token) or (
            i > 0 and tokens[i - 1] in UNIT_WORDS
            and (len(token) == 1 or any(c.isdigit() for c in token))
        )
    ]


def _has_street_words(tail: Sequence[str], identifiers: Sequence[int], start: int) -> bool:
    ids = {i - start for i in identifiers}
    return any(i not in ids and t not in UNIT_WORDS for i, t in enumerate(tail))


def _premise(segments: list[tuple[str, ...]], has_numbers: bool) -> str:
    """The house name a numberless address's fingerprints start with (first segment)."""
    if has_numbers or not segments or segments[0][-1] in STREET_WORDS:
        return ""
    return " ".join(t for t in segments[0] if t != "the")


def _key_premise(segment_words: list[tuple[str, ...]]) -> str:
    """The house name of a numberless address: the first segment with words once its
    dwelling words are set aside ("Rose Court" of "Ground Floor Flat, Rose Court")."""
    for words in segment_words:
        if words:
            return "" if words[-1] in STREET_WORDS else " ".join(t for t in words if t != "the")
    return ""


def address_key(
    lines: Sequence[str], postcode: str = "", addressee_names: Sequence[str] = ()
) -> AddressKey:
    """The key of an address given as lines (and optionally a separate postcode).

    A first line naming the addressee (``"Mr J Smith"``, one of
    ``addressee_names``, ``"The Occupier"``) is left out, as is the postcode
    wherever it appears; line breaks and commas do not matter.
    """
    return _address_key(tuple(lines), postcode, tuple(addressee_names))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _address_key(
    lines: tuple[str, ...], postcode: str, addressee_names: tuple[str, ...]
) -> AddressKey:
    key, segments = _segments(lines, postcode, addressee_names)
    numbers: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    segment_words: list[tuple[str, ...]] = []
    dwelling: tuple[str, ...] = ()
    for segment_numbers, segment_units, words, labels in map(_segment_parts, segments):
        numbers += segment_numbers  # a handful of short tuples: += beats list building
        units += segment_units
        segment_words.append(words)
        dwelling += labels
    return AddressKey(
        postcode=key,
        numbers=numbers,
        words=" ".join(chain.from_iterable(segment_words)),
        premise="" if numbers else _key_premise(segment_words),
        units=units,
        dwelling=_dwelling_labels(dwelling) if dwelling else (),
    )


def written_form(lines: Sequence[str], postcode: str) -> tuple[str, ...] | None:
    """The address as a batch would print it (its non-empty lines, then the postcode),
    when that spelling is certain to key exactly like ``address_key(lines, postcode)``;
    None when it is not (no postcode, a postcode that is not one, a first line that
    reads as an addressee). See :func:`written_as`."""
    kept = tuple(line.strip() for line in lines if line and line.strip())
    code = postcode.strip()
    if not kept or not code or _addressed_to_anyone(kept[0]):
        return None
    codes, segments = _line_segments(code)
    if segments or len(codes) != 1 or postcode_key(codes[0]) != postcode_key(code):
        return None  # the postcode line would leave words behind, or key differently
    return (*kept, code)


def written_as(lines: Sequence[str], form: tuple[str, ...],
               addressee_names: Sequence[str] = ()) -> bool:
    """True when ``address_key(lines, "", addressee_names)`` is certain to equal the key
    of the address whose :func:`written_form` is ``form``: the lines are that form,
    character for character, with at most a first line addressing someone ("Mr S
    Brown", "The Occupier") before it. Equal keys are the same address under any
    :func:`same_address` threshold up to 100.

    A shortcut only: False says nothing (the keys may still be the same place).
    """
    kept = [line.strip() for line in lines if line and line.strip()]
    extra = len(kept) - len(form)
    if extra == 1:
        # A first line dropped for whoever it names; the rest then keys as the form.
        return _addressed_to_anyone(kept[0]) and tuple(kept[1:]) == form
    if extra == 0:
        # Kept whole: unless the first line names the addressee (the register's own
        # first line never reads as an addressee: written_form declines it).
        return tuple(kept) == form and not _looks_like_addressee(kept[0], addressee_names)
    return False


def _dwelling_labels(labels: tuple[str, ...]) -> tuple[str, ...]:
    """Sorted, once each; an unnumbered "flat" says nothing more next to another
    identifier ("Rear Flat" is the rear unit, like "Rear of")."""
    found = set(labels)
    if len(found) > 1:
        found.discard("flat")
    return tuple(sorted(found))


def same_address(a: AddressKey, b: AddressKey, threshold: float = 85) -> bool:
    """True when two keys are the same place.

    Postcodes must be equal when both have one; the dwelling identifiers
    written as words (floors, annexe, rear) must be the same; house/flat numbers
    must be the same multiset (and so must flat/unit numbers, when both name them); the
    wording must reach ``threshold`` with rapidfuzz's ``token_set_ratio`` (so a
    missing town or county does not matter). For addresses without numbers the
    house names must match too.
    """
    if a.postcode and b.postcode and a.postcode != b.postcode:
        return False
    if a.dwelling != b.dwelling:
        return False  # "The Annexe, 40 Holt Road" is not "40 Holt Road"; GFF is not FFF
    if a.numbers != b.numbers and sorted(a.numbers) != sorted(b.numbers):
        return False  # not the same multiset of numbers
    if a.units and b.units and a.units != b.units and sorted(a.units) != sorted(b.units):
        return False  # "Flat 2, 10 High St" is not "Flat 10, 2 High St"
    if (a.premise or b.premise) and not a.numbers and (
        fuzz.token_set_ratio(a.premise, b.premise) < max(threshold, 90)
    ):
        return False
    if not a.words and not b.words:
        return True
    if not _street_types_agree(a.words, b.words):
        return False  # "4 Mill Lane" is not "4 Mill Road", however alike the rest reads
    return bool(fuzz.token_set_ratio(a.words, b.words) >= threshold)


def _street_types_agree(a_words: str, b_words: str) -> bool:
    """The street-type words (lane, road, close...) of one address contain the other's.

    Fuzzy wording alone scores "mill lane fenmarsh" and "mill road fenmarsh" as
    near-identical; a different street type at the same postcode and number is a
    different street. One side may name more (a building called "Park House").
    """
    a_types = set(a_words.split()) & STREET_WORDS
    b_types = set(b_words.split()) & STREET_WORDS
    return not a_types or not b_types or a_types <= b_types or b_types <= a_types


def address_fingerprints(
    lines: Sequence[str], postcode: str = "", addressee_names: Sequence[str] = ()
) -> set[str]:
    """Strings that locate this address in free text (see :func:`normalise_address_text`).

    The postcode (with and without its space) and each house number with the
    street words after it (``"10 high street"``, ``"flat 2 10 high street"``);
    for an address without numbers, the house name with the next line
    (``"rose cottage church lane"``). Never a street name alone.
    """
    return set(_address_fingerprints(tuple(lines), postcode, tuple(addressee_names)))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _address_fingerprints(
    lines: tuple[str, ...], postcode: str, addressee_names: tuple[str, ...]
) -> frozenset[str]:
    fingerprints: set[str] = set()
    codes = [postcode] if postcode.strip() else []
    for line in lines:
        codes.extend(_line_segments(line)[0])  # the postcodes in the line
    for code in codes:
        canonical = normalise_postcode(code)
        if canonical:
            fingerprints.add(canonical.lower())
            fingerprints.add(canonical.replace(" ", "").lower())
    _, segments = _segments(lines, postcode, addressee_names)
    has_numbers = any(_identifier_positions(tokens) for tokens in segments)
    for index, tokens in enumerate(segments):
        identifiers = _identifier_positions(tokens)
        if not identifiers:
            continue
        start = identifiers[0]
        if start > 0 and tokens[start - 1] in UNIT_WORDS:
            start -= 1
        tail = list(tokens[start:])
        if not _has_street_words(tail, identifiers, start):
            # "Flat 2", "10," on their own run on into the next segment.
            if index + 1 >= len(segments):
                continue
            tail += segments[index + 1]
        fingerprints.add(" ".join(tail))
    premise = _premise(segments, has_numbers)
    if premise and len(segments) > 1:
        fingerprints.add(" ".join([*segments[0], *segments[1]]))
    return frozenset(fingerprints)
