"""Who an item really reaches: the register people whose current address or contact
its destination is (DESIGN §2, "judged by where the item really goes").

Built once per run, on first use: the register's current addresses are read in
one scan and bucketed by postcode, so that the owners of a destination address
are found by one dict look-up and a few exact comparisons (postcode and house
numbers exact, wording fuzzy: :func:`same_address`). Emails and phones use the
register's own owner index (``contact_owners``), current contacts only.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import NamedTuple

from policylint.io.register.base import Address, ColumnScans, Register
from policylint.io.register.check import TableScans
from policylint.io.register.scratch import ScratchKeys, indexes_on_disk
from policylint.normalise import CACHE_SIZE
from policylint.normalise.address import AddressKey, address_key, same_address

# Owners looked up are remembered for the rules of the same row and its neighbours.
CACHE_LIMIT = CACHE_SIZE


def _squash(postcode: str) -> str:
    return "".join(postcode.split()).upper()


class Place(NamedTuple):
    """What a whole-register index needs of an address: who, where, and whether current."""

    person_id: str
    lines: tuple[str, ...]
    postcode: str
    status: str


_PLACE = tuple(Place._fields)


def scan_addresses(register: Register, folded_holds: Collection[str] | None = None
                   ) -> Iterator[Place | Address]:
    """Every address in the register, in one scan where the backend has one; from a
    register that can scan columns (the columnar CSV register), without building
    a record for each. ``folded_holds`` lets such a register leave out the rows that
    cannot hold one of those pieces (see :class:`ColumnScans`); others list every
    address, so the caller still checks each one."""
    if isinstance(register, ColumnScans):
        return (Place(*values) for values in register.scan("addresses", _PLACE,
                                                           folded_holds=folded_holds))
    if isinstance(register, TableScans):
        return register.all_addresses()
    return (a for p in register.people() for a in register.addresses(p.person_id))


def scan_address_fields(register: Register, fields: Sequence[str]
                        ) -> Iterator[tuple[str, ...]]:
    """``fields`` (two or more, not ``lines``) of every address, in one scan: from a
    register that scans columns, as bare tuples (no line tuple or record built for
    each address, the cost of most of a scan)."""
    if isinstance(register, ColumnScans):
        return register.scan("addresses", fields)
    return map(operator.attrgetter(*fields), scan_addresses(register))


class PeopleByKey:
    """key -> person_ids, each key's ids packed in one string (``"P-1\\x00P-2"``): a
    register of 1,370,000 current addresses spent 105 MiB on a list of id strings
    per postcode; packed, some 30 MiB.

    Ids are added to short lists first, which are packed every ``_PACK_EVERY`` keys:
    appending to the packed string each time would copy a long one (a postcode
    with thousands of homes) once per id. An id that holds ``"\\x00"`` itself (a
    file may hold anything) keeps its key's ids as a tuple.
    """

    __slots__ = ("_packed", "_recent")

    def __init__(self) -> None:
        self._packed: dict[str, str | tuple[str, ...]] = {}
        self._recent: dict[str, list[str]] = {}  # ids added since the last packing

    def add(self, key: str, person_id: str) -> None:
        """``person_id`` under ``key``, unless it is the last one added there."""
        recent = self._recent.get(key)
        if recent is not None:
            if recent[-1] != person_id:
                recent.append(person_id)
            return
        if self._last(key) == person_id:
            return
        self._recent[key] = [person_id]
        if len(self._recent) >= _PACK_EVERY:
            self._pack()

    def _last(self, key: str) -> str | None:
        """The last id packed under ``key`` (a packed string holds no id with the
        separator in it: those go into a tuple)."""
        packed = self._packed.get(key)
        if packed is None:
            return None
        return packed[-1] if isinstance(packed, tuple) else packed.rpartition(_SEP)[2]

    def _pack(self) -> None:
        packed = self._packed
        for key, ids in self._recent.items():
            old = packed.get(key)
            if isinstance(old, tuple) or any(_SEP in i for i in ids):
                packed[key] = (*self._unpacked(old), *ids)
            else:
                packed[key] = _SEP.join(ids) if old is None else old + _SEP + _SEP.join(ids)
        self._recent = {}

    @staticmethod
    def _unpacked(packed: str | tuple[str, ...] | None) -> Sequence[str]:
        if packed is None:
            return ()
        return packed.split(_SEP) if isinstance(packed, str) else packed

    def get(self, key: str) -> list[str]:
        """The ids under ``key``, in the order added."""
        if self._recent:
            self._pack()
        return list(self._unpacked(self._packed.get(key)))

    def __len__(self) -> int:
        return len(self._packed) + sum(k not in self._packed for k in self._recent)

    def seal(self) -> None:
        """Nothing to do: look-ups pack what waits (see :class:`PeopleByKeyOnDisk`)."""


class PeopleByKeyOnDisk:
    """:class:`PeopleByKey` over a database register: the ids in a temporary file
    (:class:`~policylint.io.register.scratch.ScratchKeys`), looked up once sealed."""

    __slots__ = ("_ids",)

    def __init__(self) -> None:
        self._ids: ScratchKeys[str] = ScratchKeys("the index of addresses by postcode")

    def add(self, key: str, person_id: str) -> None:
        self._ids.add(key, person_id)

    def seal(self) -> None:
        self._ids.seal()

    def get(self, key: str) -> list[str]:
        """The ids under ``key``, in the order added, an id repeated straight after
        itself once (as :meth:`PeopleByKey.add` keeps them)."""
        ids = self._ids.every(key)
        return [i for n, i in enumerate(ids) if not n or ids[n - 1] != i]


_SEP = "\x00"
_PACK_EVERY = 16_384  # keys with ids waiting to be packed


class Destinations:
    """The register people whose *current* address, email or phone a destination is."""

    def __init__(self, register: Register) -> None:
        self._register = register
        self._by_postcode: PeopleByKey | PeopleByKeyOnDisk | None = None
        self._unposted: list[str] = []  # people with a current address without a postcode
        self._by_number: PeopleByKey | PeopleByKeyOnDisk | None = None
        self._address_cache: dict[AddressKey, frozenset[str]] = {}

    # --- addresses -----------------------------------------------------------------

    def _scan(self) -> Iterator[Place | Address]:
        return scan_addresses(self._register)

    def _new_index(self) -> PeopleByKey | PeopleByKeyOnDisk:
        return PeopleByKeyOnDisk() if indexes_on_disk(self._register) else PeopleByKey()

    def _postcode_index(self) -> PeopleByKey | PeopleByKeyOnDisk:
        if self._by_postcode is None:
            index, unposted = self._new_index(), list[str]()
            for person_id, postcode, status in scan_address_fields(
                    self._register, ("person_id", "postcode", "status")):
                _add_place(index, unposted, person_id, postcode, status)
            index.seal()
            self._by_postcode, self._unposted = index, unposted
        return self._by_postcode

    def indexing(self, places: Iterable[Place | Address]) -> Iterator[Place | Address]:
        """``places`` (every address of the register, in scan order) passed through,
        each also put in the people-by-postcode index, which is used from then on once
        they have all been read: a caller that reads every address anyway (a database
        register cannot narrow a scan) saves the index a scan of its own."""
        if self._by_postcode is not None:
            yield from places
            return
        index, unposted = self._new_index(), list[str]()
        for place in places:
            _add_place(index, unposted, place.person_id, place.postcode, place.status)
            yield place
        index.seal()
        self._by_postcode, self._unposted = index, unposted

    def _number_index(self) -> PeopleByKey | PeopleByKeyOnDisk:
        """House number or name -> people (only for a destination without a postcode)."""
        if self._by_number is None:
            index = self._new_index()
            for address in self._scan():
                if address.status == "current":
                    index.add(_ident(address_key(address.lines, address.postcode)),
                              address.person_id)
            index.seal()
            self._by_number = index
        return self._by_number

    def address_owners(self, key: AddressKey) -> frozenset[str]:
        """People whose current address is ``key`` (the same place, exactly numbered)."""
        cached = self._address_cache.get(key)
        if cached is not None:
            return cached
        if key.postcode:
            candidates = [*self._postcode_index().get(key.postcode), *self._unposted]
        else:
            candidates = self._number_index().get(_ident(key))
        owners: set[str] = set()
        register = self._register
        for person_id in dict.fromkeys(candidates):
            for address in register.addresses(person_id):
                if address.status == "current" and same_address(
                        address_key(address.lines, address.postcode), key):
                    owners.add(person_id)
                    break
        found = frozenset(owners)
        if len(self._address_cache) > CACHE_LIMIT:
            self._address_cache.clear()
        self._address_cache[key] = found
        return found

    # --- contacts ------------------------------------------------------------------

    def contact_owners(self, kind: str, key: str) -> frozenset[str]:
        """People whose current email or phone (normalised ``key``) this is."""
        if not key:
            return frozenset()
        return frozenset(c.person_id for c in self._register.contact_owners(kind, key)
                         if c.status == "current")


def _add_place(index: PeopleByKey | PeopleByKeyOnDisk, unposted: list[str], person_id: str,
               postcode: str, status: str) -> None:
    """A current address in the people-by-postcode index (without a postcode: apart)."""
    if status != "current":
        return
    squashed = _squash(postcode)
    if squashed:
        index.add(squashed, person_id)
    else:
        unposted.append(person_id)


def _ident(key: AddressKey) -> str:
    """What two keys of the same place always share: their numbers, else their name."""
    if key.numbers:
        return " ".join(sorted(key.numbers))
    return "name:" + (key.premise or key.words.split(" ", 1)[0])
