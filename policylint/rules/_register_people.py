"""The index of every register person's name that recipient-mismatch searches items for.

A letter that carries another person's name *together with* their address or
their reference holds that person's data, whether or not they are in the batch
(the last row of a slipped print run, a batch split in two, the neighbour in the
same postcode). Built once per run from the register:

* every person's family name, folded as :func:`~policylint.rules._row_shift.fold_spaced`
  folds an item, goes into one Aho-Corasick automaton (``" smith "``), so that an
  item is searched for every family name in the register in one pass;
* a name is an *occurrence* only with the word before it (a given name, an
  initial, a title: ``"j smith"``, ``"mrs smith"``) or a given name after it
  (``"smith john"``); a family name alone names nobody;
* the people an occurrence fits are found per family name (a small map built the
  first time that family name is seen), and cached per occurrence;
* every person_id (lower case; the digits only for ids written in groups, such as
  an NHS number) maps to its person, so that the references in an item are looked
  up one token at a time.

The rule then keeps the occurrences that fit nobody the item may name (the
recipient, the subject, their household, their representatives) and confirms
each with the person's postcode and house number, or their person_id, in the item.
Nothing here holds more than the register already does: indexes of positions.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import ahocorasick

from policylint.io.register.base import (
    Address,
    ColumnScans,
    PeopleSequence,
    Person,
    Register,
)
from policylint.io.register.hashed import HashedRows
from policylint.io.register.scratch import ScratchKeys, indexes_on_disk, keeps_records_on_disk
from policylint.normalise.address import UNIT_WORDS, address_fingerprints
from policylint.normalise.name_diff import titles_compatible
from policylint.normalise.names import TITLES
from policylint.normalise.postcode import normalise_postcode
from policylint.rules._by_row import ByRow
from policylint.rules._row_shift import fold_words

# Tokens that may be a person_id in text: letters and digits, joined by - / _ . :
_ID_TOKEN_RE = re.compile(r"[0-9A-Za-z]+(?:[-/_.:][0-9A-Za-z]+)*")
# Ids written in digit groups ("943 476 5919"): looked up by their digits.
_DIGIT_GROUPS_RE = re.compile(r"(?<![0-9])[0-9]{2,}(?:[ \u00a0-][0-9]{2,})+(?![0-9])")
_GROUPED_ID_RE = re.compile(r"[0-9]+(?:[ \u00a0-][0-9]+)+")
# People whose current addresses are remembered (``places``). At 4,096 (with the
# occurrence caches, since weighed by people, bounded the same way) a 100,000-row
# check was 5-20% slower (2026-12-04).
_PLACES_KEPT = 1 << 14
# Family names this short are words too often ("le", "ng") to be found alone.
_MIN_FAMILY = 2
_NOBODY: frozenset[int] = frozenset()
_NO_NUMBERS: array[int] = array("l")  # shared, never appended to
# Above this many people, those an occurrence fits are mapped by postcode once.
_FEW = 16
# People (or people's addresses) the caches of whole families, fitting people and
# their postcodes hold at most, each. Counting entries was not enough: one entry
# ("mr smith") may hold thousands of people, and a 1,000,000-row batch touches most
# families of the register (it grew by 1.1 KB a row, 2026-12-04).
_PEOPLE_HELD = 1 << 18
# The same over a database register: its people are read from an SQLite page cache or
# a server when asked, so a smaller cache costs little time (200,000 rows against
# 1,370,000 people in SQLite: 131.6 s at the sizes above, 128.8 s at these) and holds
# peak RSS where the indexes put it (403 -> 329 MiB).
_PEOPLE_HELD_ON_DISK = 1 << 15
_PLACES_KEPT_ON_DISK = 1 << 12


K = TypeVar("K")
V = TypeVar("V")

# A family name found in folded text, with the word before it and the word after it
# (``""`` at either end): ``("smith", "j", "of")``.
Occurrence = tuple[str, str, str]


def may_name(occurrence: Occurrence, people: Sequence[tuple[str, list[str], str, str]]
             ) -> bool:
    """Does ``occurrence`` fit one of ``people`` (:meth:`RegisterPeople.own`)? The test
    :meth:`RegisterPeople.fitting` makes of everyone, for the few an item may name."""
    family, before, after = occurrence
    for own_family, given, initials, title in people:
        if family != own_family:
            continue
        if before in given or (after in given and len(after) > 1):
            return True
        if len(before) == 1 and before in initials:
            return True
        if len(initials) > 1 and before == initials:
            return True
        if before in TITLES:
            folded = fold_words(title).split()
            if titles_compatible(before, folded[0] if folded else ""):
                return True
    return False


def person_id_key(person_id: str) -> str:
    """How a person_id is looked up: lower case; digits only for digit groups."""
    text = person_id.strip()
    if text[:1].isdigit() and _GROUPED_ID_RE.fullmatch(text):
        return re.sub(r"[^0-9]", "", text)
    return text.lower()


def ids_in(text: str) -> set[str]:
    """Every token of ``text`` that could be a person_id, keyed like :func:`person_id_key`."""
    found = {token.lower() for token in _ID_TOKEN_RE.findall(text)}
    for match in _DIGIT_GROUPS_RE.finditer(text):
        found.add(re.sub(r"[^0-9]", "", match.group()))
    return found


def _given_words(person: Person) -> tuple[tuple[str, ...], set[str]]:
    """(given-name words, every word before a family name that fits this person)."""
    given = tuple(fold_words(person.given_name).split())
    words = set(given)
    words.update(g[0] for g in given)
    if len(given) > 1:
        words.add("".join(g[0] for g in given))  # "ja smith"
    return given, words


def locating_fingerprints(address: Address) -> tuple[str, ...]:
    """What in an item's text (normalised as an address) places it at ``address``:
    the house number with its street, or the house name with the next line; for a
    flat, only the fingerprints that name the flat. Postcodes are confirmed apart."""
    found = [f for f in address_fingerprints(address.lines, address.postcode)
             if normalise_postcode(f) is None]
    with_unit = [f for f in found if f.split()[0] in UNIT_WORDS]
    return tuple(sorted(with_unit or found))


class WeighedCache(Generic[K, V]):
    """A cache emptied when what it holds (each entry weighed by the caller: the people
    in it) passes ``limit``: rebuilding an entry is cheap, holding every family of a
    1,370,000-person register is not."""

    __slots__ = ("_entries", "_held", "_limit")

    def __init__(self, limit: int | None = None) -> None:
        self._entries: dict[K, V] = {}
        self._held = 0
        self._limit = _PEOPLE_HELD if limit is None else limit

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def put(self, key: K, value: V, weight: int) -> None:
        if self._held + weight > self._limit:
            self._entries.clear()
            self._held = 0
        self._entries[key] = value
        self._held += weight

    def __len__(self) -> int:
        return len(self._entries)


class PersonIds:
    """person_id key (:func:`person_id_key`) -> the first person number with it, for
    every register person in some 30 bytes each (a dict of them: about 140): the keys
    packed by number (:class:`ByRow`), found by their sorted hashes
    (:class:`~policylint.io.register.hashed.HashedRows`), exactly."""

    __slots__ = ("_index", "_keys", "_pending")

    def __init__(self) -> None:
        self._keys = ByRow()
        self._index = HashedRows(self._keys.get)
        self._pending: list[str] = []  # keys not yet packed (they are packed by block)

    def add(self, key: str) -> None:
        """The next person's key (person numbers count from 0)."""
        self._pending.append(key)
        if len(self._pending) >= _BLOCK:
            self._pack()

    def _pack(self) -> None:
        self._keys.extend(self._pending)
        self._index.extend(self._pending)
        self._pending = []

    def seal(self) -> None:
        self._pack()
        self._index.seal()

    def __len__(self) -> int:
        return len(self._index)

    def get(self, key: str) -> int | None:
        return self._index.get(key)


class PersonIdsOnDisk:
    """:class:`PersonIds` for a register kept in a database: the keys and their person
    numbers in a temporary file (:class:`ScratchKeys`), not some 30 bytes a person in
    memory."""

    __slots__ = ("_keys", "_next")

    def __init__(self) -> None:
        self._keys: ScratchKeys[int] = ScratchKeys("the index of person_ids")
        self._next = 0

    def add(self, key: str) -> None:
        self._keys.add(key, self._next)
        self._next += 1

    def seal(self) -> None:
        self._keys.seal()

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, key: str) -> int | None:
        return self._keys.first(key)


_BLOCK = 8192  # keys packed at a time
_READ_BLOCK = 512  # people of one family read from a database at a time


class RegisterPeople:
    """Every register person's family name, searchable in one pass per item."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.people: Sequence[Person] = []
        self.by_id: PersonIds | PersonIdsOnDisk = (
            PersonIdsOnDisk() if indexes_on_disk(register) else PersonIds())
        # The caches below are weighed by people; over a database register they hold
        # fewer (its records are read when asked, and memory is why it was chosen).
        small = keeps_records_on_disk(register)
        held = _PEOPLE_HELD_ON_DISK if small else _PEOPLE_HELD
        self._places_kept = _PLACES_KEPT_ON_DISK if small else _PLACES_KEPT
        # family name -> person numbers (in a temporary file over a large database register)
        self._by_family: dict[str, array[int]] | ScratchKeys[int] = {}
        # family -> (word before -> people, given name after -> people, titles)
        self._families: WeighedCache[str, tuple[dict[str, list[int]], dict[str, list[int]],
                                                list[tuple[int, str]]]] = WeighedCache(held)
        self._fits: WeighedCache[Occurrence, frozenset[int]] = WeighedCache(held)
        self._places: dict[int, tuple[tuple[Address, frozenset[str]], ...]] = {}
        self._by_code: WeighedCache[Occurrence, dict[str, list[tuple[int, Address]]]] = (
            WeighedCache(held))
        self._automaton: Any = None

    def __len__(self) -> int:
        return len(self.people)

    @classmethod
    def build(cls, register: Register) -> RegisterPeople:
        index = cls(register)
        # A register that builds records when asked (the columnar CSV register) gives
        # a sequence of them: the index keeps numbers, not a copy of everyone.
        kept: list[Person] = []
        by_id = index.by_id
        names: Iterator[tuple[str, str]]
        if isinstance(register, ColumnScans):
            names = register.scan("people", ("person_id", "family_name"))
        else:
            kept = list(register.people())
            names = ((p.person_id, p.family_name) for p in kept)
        families = index._index_names(names)
        if families:
            automaton = ahocorasick.Automaton()
            for family in families:
                automaton.add_word(f" {family} ", family)
            automaton.make_automaton()
            index._automaton = automaton
        by_id.seal()
        index.people = (register.people_sequence() if isinstance(register, ColumnScans)
                        else kept)
        return index

    def _index_names(self, names: Iterator[tuple[str, str]]) -> Collection[str]:
        """Fill :attr:`by_id` and each family name's people (in a temporary file over a
        database register); return the family names, for the automaton."""
        by_id = self.by_id
        on_disk: ScratchKeys[int] | None = (
            ScratchKeys("the index of family names") if isinstance(by_id, PersonIdsOnDisk)
            else None)
        by_family: dict[str, array[int]] = {}
        for number, (person_id, family_name) in enumerate(names):
            family = fold_words(family_name)
            by_id.add(person_id_key(person_id))
            if len(family) < _MIN_FAMILY:
                continue
            if on_disk is not None:
                on_disk.add(family, number)
                by_family.setdefault(family, _NO_NUMBERS)  # the name alone, for the automaton
                continue
            listed = by_family.get(family)
            if listed is None:
                by_family[family] = array("l", (number,))
            else:
                listed.append(number)
        if on_disk is not None:
            on_disk.seal()
        self._by_family = by_family if on_disk is None else on_disk
        return by_family.keys()

    # --- searching -------------------------------------------------------------------

    def occurrences(self, padded: str,
                    own: Sequence[tuple[str, list[str], str, str]] = ()) -> set[Occurrence]:
        """Every family name of the register in ``padded`` (folded words separated by
        runs of spaces, a space at both ends: :func:`fold_spaced`), with the words
        either side of it; but not those that may name one of ``own``
        (:meth:`own`: the recipient and the subject), which are theirs."""
        automaton = self._automaton
        if automaton is None:
            return set()
        found: set[Occurrence] = set()
        size = len(padded)
        for end, family in automaton.iter(padded):
            last = end - len(family) - 2  # the last character before the leading space
            while last >= 0 and padded[last] == " ":
                last -= 1
            before = padded[padded.rfind(" ", 0, last) + 1:last + 1] if last >= 0 else ""
            first = end + 1
            while first < size and padded[first] == " ":
                first += 1
            stop = padded.find(" ", first)
            occurrence = (family, before, padded[first:stop if stop >= 0 else size])
            if own and may_name(occurrence, own):
                continue
            found.add(occurrence)
        return found

    @staticmethod
    def without_own(padded: str, own: Sequence[tuple[str, list[str], str, str]]) -> str:
        """``padded`` with the plainest spellings of ``own`` names (``" sian okafor "``,
        ``" s okafor "``, ``" mrs okafor "``) replaced by ``" 0 "`` (nobody's name, so
        no two words become neighbours): the scan then meets them only when written
        otherwise, and most items carry no other name. A shortcut only: the scan
        still tells every occurrence apart with :func:`may_name`."""
        for family, given, initials, title in own:
            pattern = f" {family} "
            if pattern not in padded:
                continue
            folded_title = fold_words(title)
            for word in (*given, *initials, folded_title):
                if word:
                    spelled = f" {word}{pattern}"
                    if spelled in padded:
                        padded = padded.replace(spelled, " 0 ")
        return padded

    def own(self, numbers: Iterable[int]) -> list[tuple[str, list[str], str, str]]:
        """For a few people (the recipient and the subject): (family name, given names,
        initials, title), for :func:`may_name`."""
        out = []
        for number in numbers:
            person = self.people[number]
            given = fold_words(person.given_name).split()
            out.append((fold_words(person.family_name), given, "".join(g[0] for g in given),
                        person.title))
        return out

    def fitting(self, occurrence: Occurrence) -> frozenset[int]:
        """The people an occurrence may name (indexes into :attr:`people`)."""
        cached = self._fits.get(occurrence)
        if cached is not None:
            return cached
        family, before, after = occurrence
        before_map, after_map, titles = self._family(family)
        if before not in before_map and after not in after_map and before not in TITLES:
            return _NOBODY  # "12 fenwick avenue": a street, not a name
        fits: set[int] = set(before_map.get(before, ()))
        fits.update(after_map.get(after, ()))
        if before in TITLES:
            fits.update(n for n, title in titles if titles_compatible(before, title))
        result = frozenset(fits)
        self._fits.put(occurrence, result, len(result) + 1)
        return result

    def family_numbers(self, family: str) -> Sequence[int]:
        """The numbers of the people whose family name folds to ``family``, in order."""
        by_family = self._by_family
        if isinstance(by_family, ScratchKeys):
            return by_family.every(family)
        return by_family.get(family, _NO_NUMBERS)

    def _family(self, family: str) -> tuple[dict[str, list[int]], dict[str, list[int]],
                                            list[tuple[int, str]]]:
        built = self._families.get(family)
        if built is not None:
            return built
        before: dict[str, list[int]] = {}
        after: dict[str, list[int]] = {}
        titles: list[tuple[int, str]] = []
        numbers = self.family_numbers(family)
        people = self.people
        for start in range(0, len(numbers), _READ_BLOCK):
            block = numbers[start:start + _READ_BLOCK]
            if isinstance(people, PeopleSequence):
                people.read_ahead(block)
            for number in block:
                person = people[number]
                given, words = _given_words(person)
                for word in words:
                    before.setdefault(word, []).append(number)
                for word in given:
                    if len(word) > 1:
                        after.setdefault(word, []).append(number)
                title = fold_words(person.title).split()
                titles.append((number, title[0] if title else ""))
        built = (before, after, titles)
        self._families.put(family, built, len(titles) + 1)
        return built

    def numbers(self, person_ids: Iterable[str]) -> list[int]:
        """The indexes of the people with these person_ids (unknown ones left out)."""
        by_id = self.by_id
        return [n for p in person_ids
                if p and (n := by_id.get(person_id_key(p))) is not None]

    def with_ids(self, ids: Iterable[str]) -> set[int]:
        """The people whose person_id is among ``ids`` (see :func:`ids_in`)."""
        by_id = self.by_id
        return {n for i in ids if (n := by_id.get(i)) is not None}

    def places(self, number: int) -> tuple[tuple[Address, frozenset[str]], ...]:
        """A person's current addresses, each with its canonical postcode(s)."""
        cached = self._places.get(number)
        if cached is not None:
            return cached
        out = []
        for address in self.register.addresses(self.people[number].person_id):
            if address.status != "current":
                continue
            codes = {c for c in (normalise_postcode(address.postcode),) if c}
            if not codes:
                codes = {c for line in address.lines if (c := normalise_postcode(line))}
            out.append((address, frozenset(codes)))
        result = tuple(out)
        if len(self._places) >= self._places_kept:
            self._places.clear()
        self._places[number] = result
        return result

    def local(self, occurrence: Occurrence, fits: frozenset[int], postcodes: set[str]
              ) -> list[tuple[int, Address]]:
        """(person, current address) for each person ``occurrence`` fits (``fits``) who
        lives at one of ``postcodes`` (canonical)."""
        if len(fits) <= _FEW:
            return [(n, a) for n in sorted(fits) for a, codes in self.places(n)
                    if codes & postcodes]
        by_code = self._by_code.get(occurrence)
        if by_code is None:  # "mr smith": many people, mapped by postcode once
            by_code = {}
            held = 1
            for n in sorted(fits):
                for address, codes in self.places(n):
                    for code in codes:
                        by_code.setdefault(code, []).append((n, address))
                        held += 1
            self._by_code.put(occurrence, by_code, held)
        return [found for code in sorted(postcodes) for found in by_code.get(code, ())]
