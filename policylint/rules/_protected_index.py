"""The index of protected people's details that protected-address searches for.

Built once per run from the register's restrictions (DESIGN §1):

* ``confidential_address`` on person P: P's current address, phone numbers and
  email addresses may go to nobody but P, the people who live with P and their
  valid, in-scope representatives;
* ``do_not_disclose_to`` (P, O): nothing that locates or reaches P may go to O.

Previous addresses and contacts are not protected details (DESIGN §2) unless the
rule's ``recent_days`` option keeps recently left ones protected.

Every address fingerprint (``"14 station road"``, ``"cf10 1ep"``, a building name
with its street, ``"beech house rowan way"``) goes into one
Aho-Corasick automaton, every email key into another, and every phone key
(E.164) into a dict, so that a row is searched for every protected detail at
once, whatever the size of the register.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

import ahocorasick

from policylint.io.register.base import Address, Register, Representative
from policylint.normalise.address import (
    ABBREVIATIONS,
    AddressKey,
    address_fingerprints,
    address_key,
    normalise_address_text,
    same_address,
)
from policylint.normalise.contact import email_key, phone_key
from policylint.normalise.locators import (
    building_locators,
    building_names,
    street_and_town,
    street_of,
)
from policylint.normalise.postcode import normalise_postcode
from policylint.rules._destinations import Place, scan_addresses

ADDRESS = "address"
PHONE = "phone"
EMAIL = "email"

# What an address fingerprint is, which decides what else the text must say:
POSTCODE_PRINT = "postcode"  # a postcode: needs the house number or name near it
PLACE_PRINT = "place"  # a house number, house or building name with its street
STREET_PRINT = "street"  # a short street with its town: locates only to a do-not-disclose
                         # target (to anyone else it says nothing about whom)

CONFIDENTIAL = "confidential_address"
DO_NOT_DISCLOSE = "do_not_disclose_to"

# UK phone numbers as people write them: "07700 900123", "+44 7700 900123",
# "+44 (0)7700 900123", "0044 7700 900123", "(01632) 960123", "01632-960-123",
# "07700.900.123". Nine or ten digits follow the trunk 0 or the country code,
# with at most a few separators between digits (never a line break).
_SEP = r"[ \t\u00a0\-.()\u2010-\u2014]{0,3}"
PHONE_RE = re.compile(
    r"(?<![0-9+])"
    r"(?:(?:\+|00)[ \t\u00a0]?44" + _SEP + r"(?:\(0\)" + _SEP + r")?|\(?0)"
    r"[0-9](?:" + _SEP + r"[0-9]){8,9}"
    r"(?![0-9])"
)
# Runs of digits and separators long enough to hold a phone number: a quick
# first pass, so that PHONE_RE only runs where a number may be.
_DIGIT_RUN_RE = re.compile(r"[0-9][0-9 \t\u00a0\-.()\u2010-\u2014]{8,}")
# PHONE_RE may start this many characters before a run's first digit ("+ 44", "(0").
_PREFIX_REACH = 2

# Characters that may sit right next to an email address in text without being
# part of it (anything else means the match is a piece of a longer address).
_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._%+-'!#$&*/=?^`{|}~")
_EMAIL_DOMAIN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")

# Words the address normaliser writes in place of an abbreviation ("rd" -> "road"):
# text may hold the abbreviation instead, so they cannot serve as anchors.
_EXPANDED_WORDS = frozenset(ABBREVIATIONS.values()) | {"saint", "street"}
# ASCII digits only: gate_fold drops every other character, "٣" among them.
_DIGITS_RE = re.compile(r"[0-9]+")
# Characters that hold no ASCII letter or digit even decomposed (NFKD keeps them, or
# makes them punctuation): dropped before folding, so that text holding only these
# apart from ASCII is folded without NFKD.
_NO_ASCII_PART = "£€•–—‘’“”…\u00a0"
# Every ASCII byte but a-z, 0-9 and \x1f: what gate_fold deletes (after lower-casing).
_NOT_ALNUM_BYTES = bytes(b for b in range(128)
                         if b not in b"abcdefghijklmnopqrstuvwxyz0123456789\x1f")


@dataclass(frozen=True, eq=False)
class GuardedAddress:
    """One address of a protected person, with what the rule needs to judge a hit."""

    person_id: str
    text: str  # the address as one line, for (masked) messages
    key: AddressKey
    postcodes: frozenset[str]  # canonical lower-case postcodes ("cf10 1ep")
    numbers: frozenset[str]  # house numbers (flat numbers only if nothing else), lower case
    premise: str  # house name of a numberless address ("rose cottage")
    names: tuple[str, ...]  # house/building names ("beech house", "alder court")
    units: tuple[str, ...]  # flat/unit identifiers ("3" of "Flat 3, Alder Court")
    current: bool
    left_on: dt.date | None  # valid_to of a previous address
    confidential: bool  # protected from everyone but P and P's representatives
    dnd_targets: frozenset[str]  # people this address must never reach


@dataclass(frozen=True, eq=False)
class GuardedContact:
    """One phone number or email address of a protected person."""

    person_id: str
    kind: str  # "phone" | "email"
    value: str  # as the register holds it
    key: str  # E.164 or lower-cased email
    current: bool
    confidential: bool
    dnd_targets: frozenset[str]


@dataclass(frozen=True)
class ProtectedPerson:
    person_id: str
    name: str
    confidential: bool
    dnd_targets: frozenset[str]
    representatives: tuple[Representative, ...]  # links active on the day of the run
    current_keys: tuple[AddressKey, ...]
    # The current addresses and contacts of the people P is protected from: an item
    # sent there reaches them, whoever it is addressed to.
    target_keys: tuple[tuple[str, AddressKey], ...] = ()
    target_contacts: frozenset[tuple[str, str, str]] = frozenset()  # (kind, key, person)


@dataclass(frozen=True)
class AddressHit:
    """A fingerprint found in normalised text: ``start``/``end`` include the padding spaces."""

    start: int
    end: int
    pattern: str  # " 14 station road " (padded)
    refs: tuple[tuple[GuardedAddress, str], ...]  # (address, POSTCODE_PRINT | ... )


@dataclass(frozen=True)
class ContactHit:
    start: int
    end: int
    key: str
    refs: tuple[GuardedContact, ...]


def address_display(address: Address) -> str:
    return ", ".join([*address.lines, *([address.postcode] if address.postcode else [])])


def _district(postcode: str) -> str:
    """The outward code of a register postcode (``"LS7"`` of ``"LS7 2AA"``), or ``""``."""
    squashed = "".join(postcode.split()).upper()
    return squashed[:-3] if len(squashed) > 4 else ""


def _postcodes_of(lines: Sequence[str], postcode: str) -> frozenset[str]:
    found: set[str] = set()
    for text in (postcode, *lines):
        canonical = normalise_postcode(text) if text else None
        if canonical:
            found.add(canonical.lower())
    return frozenset(found)


def _house_numbers(key: AddressKey) -> frozenset[str]:
    """The building's number ("14" of "Flat 2, 14 Station Road"), else the flat's."""
    numbers = list(key.numbers)
    for unit in key.units:
        if unit in numbers:
            numbers.remove(unit)
    return frozenset(n.lower() for n in (numbers or key.numbers))


def _usable_fingerprint(fingerprint: str) -> bool:
    """A postcode, or a house number/name with at least one word of street after it."""
    if normalise_postcode(fingerprint) is not None:
        return True
    tokens = fingerprint.split()
    return len(tokens) >= 2 and any(t.isalpha() and len(t) > 1 for t in tokens)


def anchor_of(fingerprint: str) -> str | None:
    """A piece of ``fingerprint`` that any text normalising to it contains literally.

    Text that holds none of the index's anchors (after the normaliser's folding:
    lower case, accents and apostrophes removed) cannot hold any fingerprint, so
    it need not be normalised. Anchors are looked for in text reduced to its
    letters and digits (:func:`gate_fold`), where ``"CF10 1EP"``, ``"cf10, 1ep"``
    and ``"CF101EP"`` all read ``"cf101ep"`` and a run of words reads as the words
    without their spaces. The anchor of a postcode is the postcode without its
    space; else it is the longest run of the fingerprint's words that the
    normaliser never rewrites (not an abbreviation's expansion), written without
    spaces (``"14station"`` of ``"14 station road"``), with what every spelling of
    an expansion next to the run has in common: its first letters after the run
    (``"r"`` for ``road``/``rd``), its last letters before it. The longer the
    anchor, the fewer texts pass the gate. ``None`` when there is no such piece.
    """
    if normalise_postcode(fingerprint) is not None:
        return fingerprint.replace(" ", "")
    tokens = fingerprint.split()
    best = ""
    start = 0
    while start < len(tokens):
        if _literal(tokens[start]) is None:
            start += 1
            continue
        end = start
        while end < len(tokens) and _literal(tokens[end]) is not None:
            end += 1
        run = "".join(str(_literal(t)) for t in tokens[start:end])
        before = _EXPANSION_ENDS[tokens[start - 1]][1] if start > 0 and (
            tokens[start - 1] in _EXPANSION_ENDS) else ""
        after = _EXPANSION_ENDS[tokens[end]][0] if end < len(tokens) and (
            tokens[end] in _EXPANSION_ENDS) else ""
        candidate = before + run + after
        if len(candidate) > len(best):
            best = candidate
        start = end
    if best:
        return best
    words = [t for t in tokens if t.isalpha() and len(t) >= 3 and t not in _EXPANDED_WORDS]
    if words:
        return max(words, key=len)
    digits = _DIGITS_RE.search(fingerprint)
    return digits.group() if digits else None


def _literal(token: str) -> str | None:
    """What a word of a fingerprint is in folded text when the normaliser writes it as
    it was (``"12-14"`` reads ``"1214"``); None for an expansion, or a word with
    characters the folding drops."""
    if token in _EXPANDED_WORDS:
        return None
    piece = token.replace("-", "")
    return piece if piece and piece.isascii() and piece.isalnum() else None


def _common_prefix(words: Sequence[str]) -> str:
    first = min(words)
    last = max(words)  # the prefix of these two is everyone's
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


def _common_ends(spellings: Iterable[str]) -> tuple[str, str]:
    """(common prefix, common suffix) of every spelling."""
    words = list(spellings)
    return _common_prefix(words), _common_prefix([w[::-1] for w in words])[::-1]


def _expansion_spellings() -> dict[str, set[str]]:
    """Each word the normaliser writes in place of an abbreviation -> every word it
    writes it for (``"road"`` -> ``{"road", "rd"}``)."""
    spellings: dict[str, set[str]] = {}
    for short, long in ABBREVIATIONS.items():
        spellings.setdefault(long, set()).add(short)
    for long, found in spellings.items():
        if long not in ABBREVIATIONS and long != "st":
            found.add(long)
    for long in ("saint", "street"):
        spellings.setdefault(long, set()).update({long, "st"})
    return spellings


# expansion -> (what all its spellings start with, what they all end with)
_EXPANSION_ENDS: dict[str, tuple[str, str]] = {
    long: _common_ends(found) for long, found in _expansion_spellings().items()}


def lowered_in_place(text: str) -> str:
    """``text`` in lower case, character for character: a character whose lower case
    is longer (``"İ"``) is kept as it is, so that offsets stay those of ``text``."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lowered


def gate_fold(text: str) -> str:
    """The address normaliser's folding, reduced to ASCII letters, digits and ``\\x1f``.

    Every token the normaliser writes (lower case, accents and apostrophes
    removed, split at anything else) is a piece of this, and so is every run of
    tokens written without their spaces: characters are only ever dropped, which
    joins their neighbours but never splits them.
    """
    if not text.isascii():  # "£", dashes and curly quotes: a letter has them in most rows
        for dropped in _NO_ASCII_PART:  # str.replace is much faster than str.translate
            if dropped in text:
                text = text.replace(dropped, "")
    if text.isascii():
        data = text.encode("ascii")
    else:
        data = unicodedata.normalize("NFKD", text).casefold().encode("ascii", "ignore")
    # bytes.translate deletes at C speed what a regex would remove match by match.
    return data.lower().translate(None, _NOT_ALNUM_BYTES).decode("ascii")


class ProtectedIndex:
    """Every protected detail in the register, searchable in one pass per text."""

    def __init__(self) -> None:
        self.people: dict[str, ProtectedPerson] = {}
        self.addresses: list[GuardedAddress] = []
        self.contacts: list[GuardedContact] = []
        self._address_patterns: dict[str, list[tuple[GuardedAddress, str]]] = {}
        self._email_patterns: dict[str, list[GuardedContact]] = {}
        self.phones: dict[str, tuple[GuardedContact, ...]] = {}
        self._address_automaton: ahocorasick.Automaton | None = None
        self._email_automaton: ahocorasick.Automaton | None = None
        self._anchors: set[str] = set()
        # anchor -> the patterns (``" 14 station road "``) whose anchor it is
        self._patterns_by_anchor: dict[str, list[str]] = {}
        self._anchor_automaton: ahocorasick.Automaton | None = None
        self._phone_anchor_automaton: ahocorasick.Automaton | None = None
        self._gate_automaton: ahocorasick.Automaton | None = None  # see _finish
        self._one_gate = False
        self._ungated = False  # some fingerprint has no anchor: normalise every text
        # (address, street, town, postcode district) of do-not-disclose people's homes
        self._street_candidates: list[tuple[GuardedAddress, str, str, str]] = []

    @property
    def empty(self) -> bool:
        return not self.people

    # --- building ------------------------------------------------------------------

    @classmethod
    def build(cls, register: Register, today: dt.date, recent_days: int,
              short_street_homes: int = 0,
              addresses: Callable[[Collection[str]], Iterable[Place | Address]] | None = None
              ) -> ProtectedIndex:
        """``recent_days`` > 0 keeps a previous address left within that many days (and
        previous contacts) protected; 0, the default, protects current details only.
        ``short_street_homes`` > 0 makes a street with its town locate a do-not-disclose
        person who lives on a street of at most that many registered homes.
        ``addresses(folded_holds)`` scans the register's addresses for that (default:
        :func:`scan_addresses`), for a caller that indexes them on the way."""
        index = cls()
        confidential: set[str] = set()
        targets: dict[str, set[str]] = {}
        for restriction in register.restrictions():
            if restriction.kind == CONFIDENTIAL:
                confidential.add(restriction.person_id)
            elif restriction.kind == DO_NOT_DISCLOSE and restriction.other_person_id:
                targets.setdefault(restriction.person_id, set()).add(
                    restriction.other_person_id)
        cutoff = today - dt.timedelta(days=recent_days) if recent_days > 0 else None
        for person_id in sorted(confidential | set(targets)):
            index._add_person(register, person_id, person_id in confidential,
                              frozenset(targets.get(person_id, ())), today, cutoff)
        index._add_short_streets(
            addresses or (lambda holds: scan_addresses(register, folded_holds=holds)),
            short_street_homes)
        index._finish()
        return index

    def _add_person(self, register: Register, person_id: str, confidential: bool,
                    dnd: frozenset[str], today: dt.date, cutoff: dt.date | None) -> None:
        person = register.person(person_id)
        representatives = tuple(
            r for r in register.representatives(person_id) if r.active_on(today))
        current_keys: list[AddressKey] = []
        # Addresses the people P must be protected from have (had) themselves: a home
        # P and O once shared is not news to O.
        their_addresses = {other: register.addresses(other) for other in sorted(dnd)}
        their_keys = {
            other: tuple(address_key(a.lines, a.postcode) for a in addresses)
            for other, addresses in their_addresses.items()
        }
        target_keys = tuple(
            (other, address_key(a.lines, a.postcode))
            for other, addresses in their_addresses.items()
            for a in addresses if a.status == "current")
        target_contacts = frozenset(
            (c.kind, contact_key, other)
            for other in sorted(dnd) for c in register.contacts(other)
            if c.status == "current" and c.kind in (PHONE, EMAIL)
            and (contact_key := phone_key(c.value) if c.kind == PHONE
                 else email_key(c.value)))
        for address in register.addresses(person_id):
            current = address.status == "current"
            if not current and (cutoff is None or (
                    address.valid_to is not None and address.valid_to < cutoff)):
                continue  # previous addresses are not protected details (DESIGN §2)
            key = address_key(address.lines, address.postcode)
            if current:
                current_keys.append(key)
            dnd_targets = dnd if current else frozenset(
                other for other in dnd
                if not any(same_address(key, theirs) for theirs in their_keys[other]))
            if not confidential and not dnd_targets:
                continue
            ref = GuardedAddress(
                person_id=person_id,
                text=address_display(address),
                key=key,
                postcodes=_postcodes_of(address.lines, address.postcode),
                numbers=_house_numbers(key),
                premise=key.premise,
                names=building_names(address.lines),
                units=tuple(u.upper() for u in key.units),
                current=current,
                left_on=None if current else address.valid_to,
                confidential=confidential,
                dnd_targets=dnd_targets,
            )
            self.addresses.append(ref)
            fingerprints = address_fingerprints(address.lines, address.postcode)
            fingerprints |= building_locators(address.lines)
            for fingerprint in sorted(fingerprints):
                if _usable_fingerprint(fingerprint):
                    kind = (POSTCODE_PRINT if normalise_postcode(fingerprint) is not None
                            else PLACE_PRINT)
                    self._add_pattern(fingerprint, ref, kind)
            if current and dnd_targets:
                street, town = street_and_town(address.lines)
                district = _district(address.postcode)
                if street and town and district:
                    self._street_candidates.append((ref, street, town, district))
        for contact in register.contacts(person_id):
            if contact.kind not in (PHONE, EMAIL) or not (
                    contact.status == "current"
                    or (contact.status == "previous" and cutoff is not None)):
                continue  # a previous phone or email no longer reaches P
            ckey = phone_key(contact.value) if contact.kind == PHONE else email_key(
                contact.value)
            if not ckey or (contact.kind == EMAIL and "@" not in ckey):
                continue
            owners = {c.person_id for c in register.contact_owners(contact.kind, ckey)}
            dnd_targets = frozenset(other for other in dnd if other not in owners)
            if not confidential and not dnd_targets:
                continue
            contact_ref = GuardedContact(
                person_id=person_id, kind=contact.kind, value=contact.value, key=ckey,
                current=contact.status == "current", confidential=confidential,
                dnd_targets=dnd_targets)
            self.contacts.append(contact_ref)
            if contact.kind == EMAIL:
                self._email_patterns.setdefault(ckey, []).append(contact_ref)
            else:
                self.phones[ckey] = (*self.phones.get(ckey, ()), contact_ref)
        self.people[person_id] = ProtectedPerson(
            person_id=person_id,
            name=person.full_name if person is not None else "",
            confidential=confidential,
            dnd_targets=dnd,
            representatives=representatives,
            current_keys=tuple(current_keys),
            target_keys=target_keys,
            target_contacts=target_contacts,
        )

    def _add_pattern(self, fingerprint: str, ref: GuardedAddress, kind: str,
                     anchor_from: str | None = None) -> None:
        """``anchor_from``: a leading part of ``fingerprint`` to take the anchor from
        (a street's words are rarer than its town's)."""
        anchor = anchor_of(anchor_from or fingerprint)
        pattern = f" {fingerprint} "
        if anchor is None:
            self._ungated = True
        else:
            self._anchors.add(anchor)
            patterns = self._patterns_by_anchor.setdefault(anchor, [])
            if pattern not in patterns:
                patterns.append(pattern)
        self._address_patterns.setdefault(pattern, []).append((ref, kind))

    def _add_short_streets(self, addresses: Callable[[Collection[str]], Iterable[Place | Address]],
                           max_homes: int) -> None:
        """``"rowan way leeds"`` for a do-not-disclose person on a street of at most
        ``max_homes`` homes in the register (same postcode district): there, a street
        and town all but name the door."""
        if max_homes <= 0 or not self._street_candidates:
            return
        wanted: dict[tuple[str, str], set[str]] = {}
        # district -> anchor -> its candidate streets ("": a street without an anchor,
        # which every address of its district may be on)
        anchors: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for _, street, _, district in self._street_candidates:
            wanted[(district, street)] = set()
            anchors.setdefault(district, {}).setdefault(anchor_of(street) or "", []).append(
                (district, street))
        # Only the addresses that may hold an anchor are read (the register finds them
        # in C where it can); each is still checked below against its own district's.
        # A street without an anchor lets every address of its district through: there,
        # the district itself (in every folded postcode) is what is looked for.
        every_anchor = set().union(*(set(found) if "" not in found else {district.lower()}
                                     for district, found in anchors.items()))
        for address in addresses(every_anchor):
            if address.status != "current":
                continue
            district = _district(address.postcode)
            streets = anchors.get(district)
            if streets is None:
                continue
            folded = gate_fold(" ".join(address.lines))
            # The candidate streets the address may be on: those whose anchor it holds
            # (a street's own name always holds its anchor).
            maybe = [s for anchor, found in streets.items() if anchor in folded for s in found]
            if all(len(wanted[s]) > max_homes for s in maybe):
                continue  # none (the usual address), or only streets already too long
            homes = wanted.get((district, street_of(address.lines)))
            if homes is not None:
                homes.add(normalise_address_text(", ".join(address.lines)))
        for ref, street, town, district in self._street_candidates:
            if len(wanted[(district, street)]) <= max_homes:
                self._add_pattern(f"{street} {town}", ref, STREET_PRINT, anchor_from=street)

    def _finish(self) -> None:
        self._address_automaton = _automaton(
            (p, (p, tuple(refs))) for p, refs in self._address_patterns.items())
        self._email_automaton = _automaton(
            (p, (p, tuple(refs))) for p, refs in self._email_patterns.items())
        self._anchor_automaton = _automaton((a, (a, ())) for a in self._anchors)
        # A phone's anchor is its national number (E.164 without "+44"); a key that is
        # not a UK number has none, and then every text is searched.
        national = [key[3:] for key in self.phones if key.startswith("+44") and key[3:]]
        if len(national) == len(self.phones):
            self._phone_anchor_automaton = _automaton((n, (n, ())) for n in national)
        # One automaton for may_hold_anything: the anchors, the national numbers, and
        # each e-mail address folded (folding a text folds each piece of it alike, so
        # an address in a text is, folded, in the folded text). Only when every
        # protected detail has such a piece: else the searches are asked one by one.
        folded_emails = [gate_fold(email) for email in self._email_patterns]
        if (not self._ungated and len(national) == len(self.phones)
                and all(email.isascii() for email in self._email_patterns)
                and all(folded_emails)):
            pieces = set(self._anchors) | set(national) | set(folded_emails)
            self._gate_automaton = _automaton((piece, (piece, ())) for piece in pieces)
            self._one_gate = True

    # --- searching -----------------------------------------------------------------

    def units_to_normalise(self, texts: Sequence[str], folded: str | None = None
                           ) -> set[int] | None:
        """Indexes of the texts (cells, each searched on its own) that may hold an
        address fingerprint (None: all of them). ``folded``, when given, is
        ``gate_fold("\x1f".join(texts))``."""
        if self._ungated:
            return None
        if self._anchor_automaton is None:
            return set()
        if folded is None:
            folded = gate_fold("\x1f".join(texts))
        if folded.count("\x1f") != len(texts) - 1:
            return None  # a text holds the separator itself: search everything
        found: set[int] = set()
        if next(self._anchor_automaton.iter(folded), None) is None:
            return found  # the usual case, found without splitting the text
        starts: list[int] = []
        position = 0
        for part in folded.split("\x1f"):
            starts.append(position)
            position += len(part) + 1
        for end, _ in self._anchor_automaton.iter(folded):
            found.add(bisect.bisect_right(starts, end) - 1)
        return found

    def may_hold_anything(self, raw: str, folded: str) -> bool:
        """False only when no protected detail can be in ``raw`` (a rendered text, or
        cells joined by ``"\\x1f"``, one separator between each two), whose
        :func:`gate_fold` is ``folded``: no anchor of an address fingerprint, no
        protected national phone number, no protected e-mail address. The gates
        of :meth:`units_to_normalise`, :meth:`may_hold_address` and
        :meth:`may_hold_phone` asked at once: most items carry nobody's protected
        details, and are then done with before anything is normalised."""
        if self._one_gate:
            gate = self._gate_automaton
            return gate is not None and next(gate.iter(folded), None) is not None
        if self._ungated:
            return True
        if self.may_hold_contact(raw, folded):
            return True
        anchors = self._anchor_automaton
        return anchors is not None and next(anchors.iter(folded), None) is not None

    def may_hold_contact(self, raw: str, folded: str) -> bool:
        """False only when no protected e-mail address or phone number can be in ``raw``
        (whose :func:`gate_fold` is ``folded``): the contact half of
        :meth:`may_hold_anything`."""
        emails = self._email_automaton
        if emails is not None and "@" in raw and next(
                emails.iter(lowered_in_place(raw)), None) is not None:
            return True
        return self.may_hold_phone(folded)

    def candidate_patterns(self, raw: str, folded: str, cells: Sequence[str] | None = None
                           ) -> list[tuple[str, list[tuple[GuardedAddress, str]]]] | None:
        """Every address pattern that can be in ``raw`` (whose :func:`gate_fold` is
        ``folded``), with its (address, kind) references: those whose anchor it holds
        and whose numbers are all written in it (:func:`whole_numbers`). With
        ``cells`` (``raw`` is them joined by ``"\\x1f"``, each searched on its own),
        in the cell that holds the anchor. None when that cannot be told (a
        fingerprint without an anchor)."""
        if self._ungated:
            return None
        anchors = self._anchor_automaton
        if anchors is None:
            return []
        # anchor -> the cells it is in (-1: the whole text)
        found: dict[str, set[int]] = {}
        for end, (anchor, _) in anchors.iter(folded):
            at = folded.count("\x1f", 0, end) if cells is not None else -1
            found.setdefault(anchor, set()).add(at)
        numbers: dict[int, set[str] | None] = {}
        patterns = self._address_patterns
        out: list[tuple[str, list[tuple[GuardedAddress, str]]]] = []
        listed: set[str] = set()
        for anchor in sorted(found):
            for pattern in self._patterns_by_anchor.get(anchor, ()):
                if pattern in listed:
                    continue
                # "2highst" is in "12highstreet" too: folding hides where numbers end.
                digits = [token for token in pattern.split() if token.isdigit()]
                if digits and not any(
                        written is None or all(d in written for d in digits)
                        for written in (_numbers_at(numbers, at, raw, cells)
                                        for at in found[anchor])):
                    continue
                listed.add(pattern)
                out.append((pattern, patterns[pattern]))
        return out

    def may_hold_address(self, text: str, folded: str | None = None) -> bool:
        """False only when no address fingerprint can be in ``text``: it holds none
        of the anchors (see :func:`anchor_of`), wherever its lines break."""
        if self._ungated or "\x1f" in text:
            return True  # a fingerprint without an anchor; a text holding the separator
        if self._anchor_automaton is None:
            return False
        if folded is None:
            folded = gate_fold(text)
        return next(self._anchor_automaton.iter(folded), None) is not None

    def may_hold_phone(self, folded: str | None) -> bool:
        """False only when no protected phone number can be in the text that folds to
        ``folded`` (:func:`gate_fold`): every UK spelling :data:`PHONE_RE` finds keeps
        the national number's digits together once separators are dropped
        (``"+44 (0)7700 900-123"`` folds to ``"4407700900123"``), so a text without
        any protected national number holds no protected phone."""
        if not self.phones:
            return False
        if folded is None or self._phone_anchor_automaton is None:
            return True
        return next(self._phone_anchor_automaton.iter(folded), None) is not None

    def find_addresses(self, padded: str) -> Iterator[AddressHit]:
        """Fingerprints in ``" " + normalise_address_text(text) + " "`` (word-bounded)."""
        if self._address_automaton is None:
            return
        for end, (pattern, refs) in self._address_automaton.iter(padded):
            yield AddressHit(end - len(pattern) + 1, end + 1, pattern, refs)

    def find_emails(self, lowered: str) -> Iterator[ContactHit]:
        """Protected email addresses in lower-cased text, not as part of a longer address."""
        if self._email_automaton is None or "@" not in lowered:
            return
        for end, (pattern, refs) in self._email_automaton.iter(lowered):
            start = end - len(pattern) + 1
            if _email_bounded(lowered, start, end + 1):
                yield ContactHit(start, end + 1, pattern, refs)

    def find_phones(self, text: str) -> Iterator[ContactHit]:
        """Protected phone numbers in text, whatever their spacing or prefix."""
        if not self.phones:
            return
        last_end = 0
        for run in _DIGIT_RUN_RE.finditer(text):
            start = max(run.start() - _PREFIX_REACH, last_end)
            for match in PHONE_RE.finditer(text, start, run.end()):
                last_end = match.end()
                key = phone_key(match.group())
                refs = self.phones.get(key) if key else None
                if refs:
                    yield ContactHit(match.start(), match.end(), key, refs)

    def patterns_in(self, padded: str, lowered: str, raw: str) -> frozenset[str]:
        """Every pattern found in a text (a template's own wording, say)."""
        found: set[str] = {hit.pattern for hit in self.find_addresses(padded)}
        found.update(hit.key for hit in self.find_emails(lowered))
        found.update(hit.key for hit in self.find_phones(raw))
        return frozenset(found)


def _numbers_at(memo: dict[int, set[str] | None], at: int, raw: str,
                cells: Sequence[str] | None) -> set[str] | None:
    if at not in memo:
        memo[at] = whole_numbers(raw if cells is None or at < 0 else cells[at])
    return memo[at]


def whole_numbers(text: str) -> set[str] | None:
    """Every number written in ``text`` (each run of digits, whole), or None when the
    text holds what normalising might turn into digits (``"½"``, ``"²"``).

    An address fingerprint's house number (``"2"`` of ``" 2 high street "``) is one
    of them whenever the fingerprint is in the text: the normaliser never splits a
    run of digits, and what it joins a number to (``"12 A"``: ``"12a"``) is no longer
    that number alone. Only the characters :func:`gate_fold` drops first (``"£"``,
    dashes, quotes) are let through, read as separators."""
    if not text.isascii():
        for dropped in _NO_ASCII_PART:
            if dropped in text:
                text = text.replace(dropped, " ")
        if not text.isascii():
            return None
    return set(_DIGITS_RE.findall(text))


def _automaton(
    patterns: Iterable[tuple[str, tuple[str, tuple[object, ...]]]],
) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    added = False
    for pattern, value in patterns:
        automaton.add_word(pattern, value)
        added = True
    if not added:
        return None
    automaton.make_automaton()
    return automaton


def _email_bounded(text: str, start: int, end: int) -> bool:
    if start > 0 and text[start - 1] in _EMAIL_LOCAL_CHARS:
        return False
    if end < len(text):
        after = text[end]
        if after in _EMAIL_DOMAIN_CHARS:
            return False
        if after == "." and end + 1 < len(text) and text[end + 1] in _EMAIL_DOMAIN_CHARS:
            return False
    return True

