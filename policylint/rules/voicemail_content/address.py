"""Address detector: postcodes, address lines and anything else that says where the
person lives, wherever in the script it is.

* Any UK postcode written in capitals, and the person's own in any case.
* A house or flat number with its street, a house name with its street, an address
  line of the row or the register (current or previous), as the address normaliser
  fingerprints them (``14 Mill Ln`` = ``14, Mill Lane``).
* The person's street with their town ("Mill Lane, Fenmarsh").
* The person's street on its own when a batch cell holding exactly that street (an
  organisation column filled from the address) is said.

A street or town alone is not an address (the council's name holds the town), nor is
another house number on the same street.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from policylint.model import Personal, PersonalKind
from policylint.normalise import CACHE_SIZE
from policylint.normalise.address import (
    ADDRESSEE_TITLES,
    OCCUPIER_LINES,
    STREET_WORDS,
    address_fingerprints,
    normalise_address_text,
)
from policylint.normalise.names import name_tokens
from policylint.normalise.postcode import normalise_postcode, postcode_spans
from policylint.rules._protected_index import anchor_of, gate_fold
from policylint.rules.voicemail_content.hits import Hit
from policylint.rules.voicemail_content.text import (
    DIGITS_RE,
    WORD_RE,
    ScriptText,
    compact,
    fold,
)

ADDRESS_MESSAGE = (
    "The voicemail says {what} {value} {where}. Anyone with the phone would hear where the"
    " person lives: take the address out of the script.")

# Last words of a street (or a building that names one, "Chandlers Court").
STREET_ENDINGS = STREET_WORDS | frozenset({
    "court", "chase", "heights", "wharf", "quay", "meadows", "mead", "cottages",
})

_anchor = functools.lru_cache(maxsize=CACHE_SIZE)(anchor_of)


@dataclass(frozen=True)
class AddressSource:
    """One address of the person: the row's lines (with the addressee names, to drop a
    name line) or one of the register's addresses."""

    lines: Sequence[str]
    postcode: str = ""
    addressees: Sequence[str] = ()
    from_row: bool = False


def find_postcodes(text: str, own: Callable[[], set[str]]) -> Iterator[Hit]:
    """Every UK postcode written in capitals, and the person's own (``own()``, asked
    for only when needed) in any case ("room b1 2nd floor" is not a postcode; "fe1
    2ab" is, when it is theirs)."""
    spans = postcode_spans(text)
    if not spans:
        return
    mine: set[str] = set()
    if any(text[start:end] != text[start:end].upper() for start, end, _ in spans):
        mine = own()
    for start, end, canonical in spans:
        if text[start:end] != text[start:end].upper() and canonical not in mine:
            continue
        yield Hit("address", start, end, ADDRESS_MESSAGE,
                  Personal(PersonalKind.POSTCODE, canonical), {"what": "the postcode"},
                  kind="postcode")


def find_addresses(text: str, view: ScriptText, sources: Iterable[AddressSource],
                   cells: Mapping[str, str] | None = None,
                   skip: Collection[str] = ()) -> Iterator[Hit]:
    """Address lines and fingerprints of ``sources`` said in ``text``. ``cells`` are the
    row's cells (column -> value; the address columns in ``skip`` left out): one holding
    exactly the person's street makes the street alone a finding, with that column."""
    candidates = [s for s in sources if s.lines and may_contain(view, s.lines)]
    fingerprints: set[str] = set()
    for source in candidates:
        fingerprints |= address_fingerprints(source.lines, source.postcode, source.addressees)
    fingerprints = {fp for fp in fingerprints if normalise_postcode(fp) is None}
    spans: list[tuple[int, int]] = []
    # Text without a fingerprint's anchor cannot hold it (see anchor_of): most
    # scripts need not be normalised at all.
    folded = gate_fold(text) if fingerprints else ""
    possible = [fp for fp in fingerprints if (anchor := _anchor(fp)) is None or anchor in folded]
    if possible:
        normal = f" {normalise_address_text(text)} "
        for fp in sorted(possible, key=len, reverse=True):
            if f" {fp} " in normal:
                spans.append(locate_fingerprint(text, view, fp))
    # Whole address lines said as written: the first line after the addressee
    # (house and street, or house name) and any line with a number in it.
    for source in candidates:
        if not source.from_row:
            continue
        for index, line in enumerate(street_lines(source.lines, source.addressees)):
            needle = compact(line)
            has_digit = any(c.isdigit() for c in needle)
            if len(needle) < 4 or needle.isdigit() or not (has_digit or index == 0):
                continue
            spans.extend(view.find_compact(needle))
    found = [Hit("address", start, end, ADDRESS_MESSAGE,
                 Personal(PersonalKind.ADDRESS, text[start:end]),
                 {"what": "part of the address"}) for start, end in dict.fromkeys(spans)]
    found.extend(_streets(view, sources, cells or {}, skip))
    yield from _merged(text, found)


def _merged(text: str, hits: list[Hit]) -> Iterator[Hit]:
    """Overlapping address hits as one ("14, Mill Lane" and "Mill Lane, Fenmarsh" are
    one mention of the address), keeping the first one's wording and column."""
    hits.sort(key=lambda h: (h.start, -h.end))
    current: Hit | None = None
    for hit in hits:
        if current is not None and hit.start < current.end:
            if hit.end > current.end:
                current = Hit("address", current.start, hit.end, ADDRESS_MESSAGE,
                              Personal(PersonalKind.ADDRESS, text[current.start:hit.end]),
                              current.facts, current.column or hit.column)
            continue
        if current is not None:
            yield current
        current = hit
    if current is not None:
        yield current


def street_and_town(lines: Sequence[str]) -> tuple[str, str] | None:
    """(street, town) of an address: see :func:`_street_and_town`."""
    return _street_and_town(tuple(lines))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _street_and_town(lines: tuple[str, ...]) -> tuple[str, str] | None:
    """(street, town) of an address, compact: the street name without its house number
    (``"milllane"`` of ``"14 Mill Lane"``) and the next line without digits (the
    locality or town), or "" when there is none. None when no line is a street.

    Cheap on purpose (it runs for every row whose script says a street word): a line
    is the street when it ends in a street word and does not start with a title.
    """
    for index, line in enumerate(lines):
        words = [fold(w) for w in WORD_RE.findall(line)]
        if len(words) < 2 or words[-1] not in STREET_ENDINGS or words[0] in ADDRESSEE_TITLES:
            continue
        street: list[str] = []
        for word in words:  # drop "Flat 2", "14", "14a" before the street's words
            if street or not (word[:1].isdigit() or word in ("flat", "unit", "apartment")):
                street.append(word)
        if len(street) < 2 or any(w[:1].isdigit() for w in street):
            continue
        town = ""
        for later in lines[index + 1:]:
            if later.strip() and not any(c.isdigit() for c in later):
                town = compact(later)
                break
        return "".join(street), town
    return None


def _streets(view: ScriptText, sources: Iterable[AddressSource],
             cells: Mapping[str, str], skip: Collection[str]) -> Iterator[Hit]:
    endings = view.word_set & STREET_ENDINGS
    if not endings:
        return  # the cheap test: a street is only found with its street word
    for source in sources:
        if not any(ending in line.lower() for line in source.lines for ending in endings):
            continue  # none of its lines ends in a street word the script says
        found = street_and_town(source.lines)
        if found is None:
            continue
        street, town = found
        if street not in view.compact:
            continue  # the cheap test: most scripts never say the street
        if town and town not in street:
            for start, end in view.find_compact(street + town):
                yield Hit("address", start, end, ADDRESS_MESSAGE,
                          Personal(PersonalKind.ADDRESS, view.text[start:end]),
                          {"what": "the street and town"})
        columns = [c for c, v in cells.items()
                   if v and c not in skip and compact(v) == street]
        if columns:
            for start, end in view.find_compact(street):
                yield Hit("address", start, end, ADDRESS_MESSAGE,
                          Personal(PersonalKind.ADDRESS, view.text[start:end]),
                          {"what": "the street"}, columns[0])


def street_lines(lines: Sequence[str], names: Sequence[str]) -> list[str]:
    """Address lines without the addressee line and without postcode-only lines."""
    kept = [line.strip() for line in lines if line.strip()]
    if len(kept) > 1 and is_addressee(kept[0], names):
        kept = kept[1:]
    return [line for line in kept if normalise_postcode(line) is None]


def is_addressee(line: str, names: Sequence[str]) -> bool:
    if any(c.isdigit() for c in line):
        return False
    folded = " ".join(m.group() for m in WORD_RE.finditer(line.lower()))
    if folded in OCCUPIER_LINES:
        return True
    words = folded.split()
    if words and words[0] in ADDRESSEE_TITLES:
        return True
    tokens = set(name_tokens(line))
    return any(tokens and tokens <= set(name_tokens(n)) | {t[:1] for t in name_tokens(n)}
               for n in names)


def may_contain(view: ScriptText, lines: Sequence[str]) -> bool:
    """Cheap test before computing an address's fingerprints: a fingerprint always holds
    the address's house or flat number, or (for an address without numbers) its words.
    Postcodes are left out here: they are searched for on their own."""
    numbers, words = _needles(lines)
    return (any(n in view.numbers for n in numbers)
            or any(w in view.word_set for w in words))


def _needles(lines: Sequence[str]) -> tuple[list[str], list[str]]:
    """(house and flat numbers, words of a house name) of an address."""
    numbers: list[str] = []
    words: list[str] = []
    wordy = 0
    for line in lines:
        postcode, found, folded = _line_needles(line)
        if postcode:
            continue
        numbers.extend(found)
        if not found and not numbers and wordy < 2:  # a house name, not the town
            wordy += 1
            words.extend(folded)
    return numbers, words


@functools.lru_cache(maxsize=CACHE_SIZE)
def _line_needles(line: str) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    """(is a postcode, its numbers, its words of three letters or more) of one address
    line: towns and streets repeat from row to row, and the batch's and the register's
    copy of an address share their lines."""
    return (normalise_postcode(line) is not None, tuple(DIGITS_RE.findall(line)),
            tuple(w for m in WORD_RE.finditer(line) if len(w := fold(m.group())) >= 3))


def locate_fingerprint(text: str, view: ScriptText, fp: str) -> tuple[int, int]:
    """Where in ``text`` an address fingerprint (found in its normalised form) is."""
    needle = f" {fp} "
    head = fp.split()[0]
    size = fp.count(" ") + 1
    # Try the words that can start it first ("14" for "14 mill lane"; "st" for "saint").
    for first, word in enumerate(view.words):
        if not (word == head or head.startswith(word) or word.startswith(head)):
            continue
        for last in range(first, min(len(view.words), first + 2 * size + 2)):
            start, end = view.starts[first], view.ends[last]
            if needle in f" {normalise_address_text(text[start:end])} ":
                return start, end
    for last in range(len(view.ends)):
        end = view.ends[last]
        if needle not in f" {normalise_address_text(text[:end])} ":
            continue
        for first in range(last, -1, -1):
            start = view.starts[first]
            if needle in f" {normalise_address_text(text[start:end])} ":
                return start, end
        return 0, end
    return 0, len(text)
