"""protected-address: a confidential address or contact detail in an item sent to someone else."""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from policylint.engine.rule import BatchInfo, Case, Example, Item, Need, Rule, RunContext
from policylint.io.register.base import Address, Register
from policylint.io.templates import Template, VariableRef
from policylint.model import Personal, PersonalKind, Severity, Violation
from policylint.normalise.address import (
    AddressKey,
    address_fingerprints,
    address_key,
    normalise_address_text,
    same_address,
)
from policylint.normalise.contact import email_key, phone_key
from policylint.normalise.locators import other_unit
from policylint.normalise.postcode import find_postcodes, normalise_postcode
from policylint.rules._destinations import Destinations, Place, scan_addresses
from policylint.rules._protected_index import (
    ADDRESS,
    EMAIL,
    PHONE,
    POSTCODE_PRINT,
    STREET_PRINT,
    AddressHit,
    ContactHit,
    GuardedAddress,
    GuardedContact,
    ProtectedIndex,
    ProtectedPerson,
    gate_fold,
    lowered_in_place,
)

PROTECTED_DETAIL = "protected-detail"
DO_NOT_DISCLOSE = "do-not-disclose"
THIRD_PARTY_FIELD = "third-party-contact-field"

# Fields a third-party template may not print (besides the policy's own list).
CONTACT_FIELDS = frozenset({
    *(f"address_line_{i}" for i in range(1, 8)), "postcode", "email", "phone",
})
CONTACT_FIELD_PREFIXES = ("subject_address", "subject_postcode", "subject_email",
                          "subject_phone")

# Cells are joined with this between them: it is no word character, so no
# fingerprint, email address or phone number can run from one cell into the next.
CELL_BARRIER = "\x1f"
# How far (in normalised characters) around a postcode a house number still
# belongs to it ("14 station road cardiff cf10 1ep"), and how far after a street
# line its postcode is looked for.
NUMBER_WINDOW_BEFORE = 70
NUMBER_WINDOW_AFTER = 25
POSTCODE_LOOKAHEAD = 45
# How far before a street line a flat number still belongs to it ("flat 4 14 station road").
UNIT_LOOKBEHIND = 12
# A party reached as the item's recipient (the others own its destination).
RECIPIENT = "recipient"

CHANNEL_NOUNS = {"letter": "letter", "email": "email", "sms": "text message",
                 "voicemail": "voicemail script"}


class _Source:
    """Text searched as one: the row's cells (barriers between them) or the rendered text.

    ``padded`` is the normalised text (``" " + ... + " "``) the address automaton
    runs over; ``lowered``/``raw`` are what emails and phone numbers are found in.
    """

    def __init__(self, labels: Sequence[str], texts: Sequence[str], *, rendered: bool,
                 raw: str | None = None) -> None:
        """``raw`` may be given when it is already at hand: the texts joined as below."""
        self.is_rendered = rendered
        self.in_attachment = False  # labels then say which attachment and page
        self.labels = labels
        self.texts = texts
        raw_join = "\n" if rendered else CELL_BARRIER
        self._raw_starts: tuple[int, ...] | None = None
        self.raw = raw_join.join(texts) if raw is None else raw
        self._lowered: str | None = None
        self.padded = " "
        self.padded_starts: tuple[int, ...] = ()
        self.may_hold_phone = True

    @property
    def lowered(self) -> str:
        """``raw`` in lower case, character for character (only emails are searched in
        it, so it is made only for text with an ``@``)."""
        if self._lowered is None:
            if "@" not in self.raw:
                self._lowered = ""  # no character lower-cases to "@": no email to find
            else:
                self._lowered = lowered_in_place(self.raw)
        return self._lowered

    @property
    def raw_starts(self) -> tuple[int, ...]:
        if self._raw_starts is None:
            self._raw_starts = _starts(self.texts, 1, 0)  # both joins are one character
        return self._raw_starts

    def prepare(self, index: ProtectedIndex, gate: bool = True) -> None:
        """Normalise for the address search, skipping what cannot hold a fingerprint.

        Only cells holding an anchor of some fingerprint (see
        :meth:`ProtectedIndex.units_to_normalise`) are normalised: a cell is
        judged on its own text alone, so the outcome is that of searching
        everything. A rendered text is normalised whole if it holds an anchor
        anywhere (lines through the cache of :func:`normalise_address_text`), and
        not at all if it holds none, when no fingerprint can be in it.
        """
        # One folding serves every gate (the cells' raw text is joined with "\x1f").
        folded = gate_fold(self.raw) if gate else None
        self.may_hold_phone = index.may_hold_phone(folded)
        if self.is_rendered:
            # An address may run over lines: a text holding any anchor is normalised
            # whole (a letter's lines are mostly its template's, and cached).
            self._normalise(None if not gate or index.may_hold_address(self.raw, folded)
                            else set())
            return
        wanted = index.units_to_normalise(self.texts, folded) if gate else None
        # A cell is searched on its own: nothing else bears on its hits.
        self._normalise(wanted)

    def _normalise(self, only: set[int] | None) -> None:
        if only is not None and not only:  # nothing to normalise
            self.padded = "  "
            self.padded_starts = (1,) * len(self.texts)
            return
        sep = " " if self.is_rendered else f" {CELL_BARRIER} "
        step = len(sep)
        pieces: list[str] = []
        starts: list[int] = []
        position = 1
        for number, text in enumerate(self.texts):
            starts.append(position)
            if only is not None and number not in only:
                continue
            normal = normalise_address_text(text)
            if normal:
                pieces.append(normal)
                position += len(normal) + step
        self.padded = f" {sep.join(pieces)} "
        self.padded_starts = tuple(starts)

    def label_at_padded(self, position: int) -> str:
        return self.labels[max(bisect.bisect_right(self.padded_starts, position) - 1, 0)]

    def label_at_raw(self, position: int) -> str:
        return self.labels[max(bisect.bisect_right(self.raw_starts, position) - 1, 0)]


@functools.lru_cache(maxsize=64)
def _line_labels(count: int) -> tuple[str, ...]:
    """``("1", "2", ...)``: the labels of a rendered text's lines."""
    return tuple(str(n) for n in range(1, count + 1))


def _starts(parts: Sequence[str], sep: int, offset: int) -> tuple[int, ...]:
    starts: list[int] = []
    position = offset
    for part in parts:
        starts.append(position)
        position += len(part) + sep
    return tuple(starts)


class _Own:
    """An address the item's recipient has: wording found in it is theirs, not P's.

    Each form is made when first asked for: a neighbour's shared postcode needs only
    the postcodes (and the key, to tell the homes apart), never the wording."""

    __slots__ = ("_key", "_padded", "_postcodes", "lines", "postcode")

    def __init__(self, lines: Sequence[str], postcode: str) -> None:
        self.lines = lines
        self.postcode = postcode
        self._key: AddressKey | None = None
        self._padded: str | None = None
        self._postcodes: frozenset[str] | None = None

    @property
    def key(self) -> AddressKey:
        if self._key is None:
            self._key = address_key(self.lines, self.postcode)
        return self._key

    @property
    def postcodes(self) -> frozenset[str]:
        if self._postcodes is None:
            lines, postcode = self.lines, self.postcode
            text = " ".join(filter(None, [*lines, postcode]))
            postcodes = {p.lower() for p in find_postcodes(text)}
            if postcode and (canonical := normalise_postcode(postcode)):
                postcodes.add(str(canonical).lower())
            self._postcodes = frozenset(postcodes)
        return self._postcodes

    @property
    def padded(self) -> str:
        if self._padded is None:
            lines, postcode = self.lines, self.postcode
            # The fingerprints keep "flat 2" joined to "14 station road" as the index does.
            fingerprints = " ".join(sorted(address_fingerprints(lines, postcode)))
            self._padded = f" {normalise_address_text(', '.join(lines))} {fingerprints} "
        return self._padded


@dataclass
class _Found:
    code: str
    person_id: str
    kind: str
    detail: str
    label: str
    is_rendered: bool
    party: _Party | None  # who it is disclosed to (None: nobody the register knows)
    address: GuardedAddress | None = None
    places: list[str] = field(default_factory=list)
    # Other protected people whose address this is too (a mother and her child).
    sharers: list[str] = field(default_factory=list)
    street_only: bool = False  # only the street and town were found (a short street)


def _examples() -> tuple[Example, ...]:
    people = [
        {"person_id": "P-2001", "title": "Ms", "given_name": "Sarah", "family_name": "Okafor",
         "status": "active"},
        {"person_id": "P-2002", "title": "Mr", "given_name": "Mark", "family_name": "Hollis",
         "status": "active"},
        {"person_id": "P-2003", "title": "Mrs", "given_name": "Joan", "family_name": "Price",
         "status": "active"},
        {"person_id": "P-2004", "title": "Mr", "given_name": "Idris", "family_name": "Bevan",
         "status": "active"},
    ]
    addresses = [
        {"person_id": "P-2001", "line_1": "14 Station Road", "line_2": "Cardiff",
         "postcode": "CF10 1EP", "status": "current", "valid_from": "2026-06-01"},
        {"person_id": "P-2002", "line_1": "3 Mill Lane", "line_2": "Swansea",
         "postcode": "SA1 1AA", "status": "current"},
        {"person_id": "P-2003", "line_1": "16 Station Road", "line_2": "Cardiff",
         "postcode": "CF10 1EP", "status": "current"},
        {"person_id": "P-2004", "line_1": "Flat 1, 9 Heol Y Deri", "line_2": "Cardiff",
         "postcode": "CF14 6HF", "status": "current"},
        {"person_id": "P-2001", "line_1": "3 Mill Lane", "line_2": "Swansea",
         "postcode": "SA1 1AA", "status": "previous", "valid_to": "2026-05-31"},
    ]
    contacts = [
        {"person_id": "P-2001", "kind": "phone", "value": "07700 900123",
         "status": "current"},
        {"person_id": "P-2001", "kind": "email", "value": "sarah.okafor@example.org",
         "status": "current"},
    ]
    register: dict[str, list[dict[str, str]]] = {
        "people": people, "addresses": addresses, "contacts": contacts,
        "restrictions": [
            {"person_id": "P-2001", "kind": "confidential_address"},
            {"person_id": "P-2001", "kind": "do_not_disclose_to",
             "other_person_id": "P-2002", "note": "non-molestation order"},
        ],
        "representatives": [
            {"person_id": "P-2001", "representative_id": "P-2004", "scope": "solicitor"},
        ],
    }
    letter = ("---\nname: hearing-notice\nchannel: letter\n---\n"
              "Dear {{ name }},\nThe hearing about {{ child }} is on 4 December.\n"
              "{{ case_notes }}\n")
    moved = ("---\nname: address-change\nchannel: letter\n---\n"
             "Dear {{ name }},\nWe have opened your account for {{ new_address }}.\n")
    third_party = ("---\nname: contact-notice\nchannel: letter\naudience: third_party\n---\n"
                   "Dear {{ name }},\nThe child's mother can be reached at "
                   "{{ subject_address }}.\n")
    return (
        Example(
            title="A victim's new address in a letter to her ex-partner",
            bad=Case(
                rows=[{"recipient_id": "P-2002", "name": "Mark Hollis", "child": "Amy",
                       "subject_address": "14 Station Rd, Cardiff, CF10 1EP",
                       "case_notes": ""}],
                template=letter, register=register, expect=[DO_NOT_DISCLOSE],
            ),
            good=Case(
                rows=[{"recipient_id": "P-2002", "name": "Mark Hollis", "child": "Amy",
                       "subject_address": "c/o Family Court Team, County Hall",
                       "case_notes": ""},
                      {"recipient_id": "P-2004", "name": "Idris Bevan", "child": "Amy",
                       "subject_address": "14 Station Road, Cardiff CF10 1EP",
                       "case_notes": "Your client's address is on file."}],
                template=letter, register=register,
                note="the solicitor representing her may see her address",
            ),
        ),
        Example(
            title="Her own change-of-address letter posted to the home she fled, now his",
            bad=Case(
                rows=[{"recipient_id": "P-2001", "name": "Sarah Okafor",
                       "address_line_1": "3 Mill Lane", "address_line_2": "Swansea",
                       "postcode": "SA1 1AA",
                       "new_address": "14 Station Road, Cardiff CF10 1EP"}],
                template=moved, register=register, expect=[DO_NOT_DISCLOSE],
            ),
            good=Case(
                rows=[{"recipient_id": "P-2001", "name": "Sarah Okafor",
                       "address_line_1": "14 Station Road", "address_line_2": "Cardiff",
                       "postcode": "CF10 1EP",
                       "new_address": "14 Station Road, Cardiff CF10 1EP"}],
                template=moved, register=register,
                note="the same letter to where she lives now",
            ),
        ),
        Example(
            title="A confidential address in another resident's letter",
            bad=Case(
                rows=[{"recipient_id": "P-2003", "name": "Joan Price", "child": "",
                       "case_notes": "Noise complaint from no. 14 Station Road CF10 1EP",
                       "subject_address": ""}],
                template=letter, register=register, expect=[PROTECTED_DETAIL],
            ),
            good=Case(
                rows=[{"recipient_id": "P-2003", "name": "Joan Price", "child": "",
                       "address_line_1": "16 Station Road", "address_line_2": "Cardiff",
                       "postcode": "CF10 1EP",
                       "case_notes": "Noise complaint from a neighbour", "subject_address": ""}],
                template=letter, register=register,
                note="the next-door neighbour shares the postcode: her own letter is fine",
            ),
        ),
        Example(
            title="A victim's new mobile in a text to her ex-partner",
            bad=Case(
                rows=[{"recipient_id": "P-2002", "channel": "sms", "phone": "07700 900461",
                       "message": "Amy's mum asks you to ring her on 077009 00123"}],
                register=register, expect=[DO_NOT_DISCLOSE],
            ),
            good=Case(
                rows=[{"recipient_id": "P-2001", "channel": "sms", "phone": "07700 900123",
                       "message": "Your new number 07700 900123 is registered"}],
                register=register,
            ),
        ),
        Example(
            title="A third-party letter printing the subject's address field",
            bad=Case(
                rows=[{"recipient_id": "P-2003", "subject_id": "P-2004", "name": "Joan Price",
                       "subject_address": "c/o the council"}],
                template=third_party, register=register, expect=[THIRD_PARTY_FIELD],
            ),
            good=Case(
                rows=[{"recipient_id": "P-2003", "subject_id": "P-2004",
                       "name": "Joan Price", "contact_route": "the family court team"}],
                template=("---\nname: contact-notice\nchannel: letter\naudience: "
                          "third_party\n---\nDear {{ name }},\nThe child's mother can be "
                          "reached through {{ contact_route }}.\n"),
                register=register,
            ),
        ),
    )


class ProtectedAddress(Rule):
    """A protected person's address, phone or email in an item sent to someone else.

    ICO leaflet points 6, 5 and 7: "some individuals do not want their partner
    or family member knowing certain things about them... be sure to redact an
    individual's address from documents sent to their ex-partner". The register's
    ``restrictions`` table says who is protected:

    * ``confidential_address`` on a person: their current address (and anything
      that locates it), current phone numbers and email addresses go to nobody
      but them, the people who currently live at that address, and the valid,
      in-scope representatives of either. Every other item is searched for them.
    * ``do_not_disclose_to`` (person, other person): nothing may reach the other
      person that locates or reaches the person: their current address, the
      postcode on its own, their current phone numbers and emails. This outranks
      every household and representative link.

    Who an item reaches is judged by where it really goes, not only by its
    ``recipient_id``: the register's people whose *current* address is the
    item's address block (a letter), whose current email it goes to (an email),
    or whose current phone it goes to (a text or voicemail). Her own
    change-of-address letter posted to the home she shared with him, or a
    voicemail about her new flat left on her old mobile that is now his, is a
    ``do-not-disclose`` finding that names whose destination it is: "this
    discloses her address to him, who lives at the address it is sent to".
    (A destination the register has for nobody is stale-address's finding.)

    Representatives: a link counts while ``valid_to`` is empty or not past, and
    only for templates its ``scope`` covers (``scope: all`` or empty covers
    everything; a template without ``scope:`` may go to any valid link; else the
    scopes must be equal), so a property and finance attorney does not receive a
    health and welfare letter carrying the address.

    Every cell of the row (whatever its column: ``case_notes``, ``subject_address``,
    a shifted ``address_line_3``) and the rendered text are searched, all protected
    details at once. Addresses are found by their postcode together with the
    house number, house name or building name; by the house number with its
    street (``14 Station Rd`` matches ``14 station road``; ``114 Station Road`` and
    a street name alone do not); by a house or building name with its street
    (``Beech House, Rowan Way``; ``Flat 3, Alder Court``). Numbers compare exactly
    and a different flat is a different home (``Flat 4, Alder Court`` is not
    Flat 3; ``Oak House`` is not ``Beech House``). Phone numbers match however
    they are spaced (``07700 900123``, ``+44 7700 900 123``, ``(01632) 960123``).

    Not flagged: the protected person's own items sent to their own address,
    email or phone; items to the people living with them and to valid,
    in-scope representatives; a neighbour's letter, which carries the shared
    postcode and their own house number; a previous address (not a protected
    detail: a letter to the ex-partner at his own home, once hers, is fine);
    wording that is part of the template itself (the council's own address in
    the footer); a phone or email the recipient has too.

    Codes:

    * ``protected-detail``: a confidential address, phone or email goes to someone
      who may not see it. The message names whose detail it is (initials) and
      where it is (the column, or the line of the rendered text).
    * ``do-not-disclose``: an item to someone named in a ``do_not_disclose_to``
      restriction carries the protected person's whereabouts or contact details.
      A do-not-disclose restriction outranks representative and household links.
    * ``third-party-contact-field`` (a warning): a template whose audience is
      ``third_party`` (it is about ``subject_id`` and goes to someone else) prints
      an address, postcode, email or phone field (``address_line_1``..
      ``address_line_7``, ``postcode``, ``email``, ``phone``, any field starting
      with ``subject_address``, ``subject_postcode``, ``subject_email`` or
      ``subject_phone``, and the policy's ``subject_contact_fields``), reported at
      the field's line and column. ``policylint lint`` reports every such field;
      ``policylint check`` reports the template once the batch sends it to
      someone other than the subject, their representative or their household
      (or a row of it was flagged above): a Council Tax bill to an appointee
      rightly names the person's property.

    **Anti-pattern**: a court bundle covering letter to the father that quotes the
    mother's new address, kept confidential after she fled::

        recipient_id,subject_id,name,case_notes
        P-2002,P-2001,Mark Hollis,"Mother now lives at 14 Station Road, Cardiff CF10 1EP"

    **Best practice**: the letter says where the mother can be contacted through
    the council, never where she lives; the restriction sits in the register so
    every mailing is checked::

        recipient_id,subject_id,name,case_notes
        P-2002,P-2001,Mark Hollis,"Contact arrangements go through the family court team"

    Options: ``recent_days`` (default 0: previous details are not protected)
    keeps a previous address protected for that many days after the person left
    it, and previous phones and emails protected, for a policy that wants it;
    ``subject_contact_fields`` adds field
    names a third-party template may not print; ``search_rendered`` (default
    true) searches the rendered text as well as the merge values.
    """

    name: ClassVar[str] = "protected-address"
    summary: ClassVar[str] = (
        "A confidential address, phone or email (or a do-not-disclose person's whereabouts)"
        " in an item sent to anyone else."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "recent_days": {
                "type": "integer", "minimum": 0, "default": 0,
                "description": "0 (default): previous addresses and contacts are not "
                               "protected details. N: a previous address stays protected "
                               "for N days after the person left it (and previous phone "
                               "numbers and emails stay protected).",
            },
            "subject_contact_fields": {
                "type": "array", "items": {"type": "string"}, "default": [],
                "description": "More field names a third_party template may not print.",
            },
            "short_street_homes": {
                "type": "integer", "minimum": 0, "default": 5,
                "description": "A street with its town locates a do-not-disclose person "
                               "who lives on a street with at most this many homes in the "
                               "register (0: never).",
            },
            "search_rendered": {
                "type": "boolean", "default": True,
                "description": "Search the rendered text as well as the merge values.",
            },
        },
        "additionalProperties": False,
    }
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "rendered", "template", "register"})
    chunked: ClassVar[bool] = True
    examples: ClassVar[tuple[Example, ...]] = _examples()
    # Skip normalising text that holds no anchor of any fingerprint (same findings,
    # less work); tests switch it off to prove the findings are the same.
    gate: ClassVar[bool] = True

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._recent_days = int(self.options.get("recent_days", 0))
        self._search_rendered = bool(self.options.get("search_rendered", True))
        self._extra_fields = frozenset(
            str(f).strip().lower() for f in self.options.get("subject_contact_fields") or ())
        self._index: ProtectedIndex | None = None
        self._destinations: Destinations | None = None
        self._allowed: dict[tuple[str, str | None], frozenset[str]] = {}
        self._households: dict[str, frozenset[str]] = {}
        self._address_keys: dict[str, tuple[tuple[AddressKey, bool], ...]] = {}
        self._boilerplate: dict[tuple[str, str], frozenset[str]] = {}
        # Third-party templates with contact fields, and the first row that sent
        # one to somebody who may not see the subject's details.
        self._exposed: dict[tuple[str, str], tuple[Template, int]] = {}
        self._templates: dict[str, Template] = {}  # the batch's, by name (for merging)

    # --- index -------------------------------------------------------------------

    @property
    def index(self) -> ProtectedIndex | None:
        """Built on first use, once per run."""
        register = self.context.register
        if register is None:
            return None
        if self._index is None:
            self._index = ProtectedIndex.build(
                register, self.context.today, self._recent_days,
                int(self.options.get("short_street_homes", 5)),
                addresses=self._scan_shared(register))
        return self._index

    def _scan_shared(self, register: Register
                     ) -> Callable[[Collection[str]], Iterable[Place | Address]] | None:
        """A register that reads every address whatever a scan asks for (a database:
        ``narrows_scans = False``) has the index's one scan of the addresses build the
        destinations' index by postcode too, rather than reading them all twice."""
        places = self.destinations
        if places is None or getattr(register, "narrows_scans", True):
            return None
        return lambda holds: places.indexing(scan_addresses(register, folded_holds=holds))

    @property
    def destinations(self) -> Destinations | None:
        """Who owns a destination address, email or phone (built on first use, once)."""
        register = self.context.register
        if register is None:
            return None
        if self._destinations is None:
            self._destinations = Destinations(register)
        return self._destinations

    def household(self, person: ProtectedPerson) -> frozenset[str]:
        """The people whose current address is one of P's current addresses (P too)."""
        found = self._households.get(person.person_id)
        if found is None:
            places = self.destinations
            owners: set[str] = {person.person_id}
            if places is not None:
                for key in person.current_keys:
                    owners |= places.address_owners(key)
            found = self._households[person.person_id] = frozenset(owners)
        return found

    def allowed(self, person: ProtectedPerson, scope: str | None) -> frozenset[str]:
        """Who may see P's protected details in an item of this template scope: P, the
        people living at P's address, and their representatives whose link is valid
        today and covers ``scope`` (DESIGN §1 representatives)."""
        key = (person.person_id, scope)
        found = self._allowed.get(key)
        if found is None:
            register = self.context.register
            today = self.context.today
            members = self.household(person)
            ids = set(members)
            for member in sorted(members):
                links = (person.representatives if member == person.person_id else
                         register.representatives(member) if register is not None else ())
                ids.update(r.representative_id for r in links
                           if r.active_on(today) and r.covers(scope))
            found = self._allowed[key] = frozenset(ids)
        return found

    def _keys_of(self, person_id: str, *, with_previous: bool = False
                 ) -> tuple[AddressKey, ...]:
        """Keys of a person's current addresses (and, if asked, every address they had)."""
        keys = self._address_keys.get(person_id)
        if keys is None:
            register = self.context.register
            keys = () if register is None else tuple(
                (address_key(a.lines, a.postcode), a.status == "current")
                for a in register.addresses(person_id))
            if len(self._address_keys) > 50_000:
                self._address_keys.clear()
            self._address_keys[person_id] = keys
        return tuple(key for key, current in keys if current or with_previous)

    # --- templates ---------------------------------------------------------------

    def check_template(self, template: Template) -> Iterator[Violation]:
        """Linting a template on its own: any contact field in a third-party template.

        With a register (``policylint check``) the batch decides instead: the
        template is reported once the batch sends it to someone who may not see
        the subject's details (see :meth:`finish`).
        """
        if self.context.register is not None:
            return
        for ref in self._contact_refs(template):
            yield Violation(
                code=THIRD_PARTY_FIELD,
                message=("Template {template} is about someone else (audience third_party) "
                         "but prints the field {field}: a letter about a person must not "
                         "carry their address, postcode, email or phone to someone who may "
                         "not see it. Take the field out, send the template only to the "
                         "person's representatives, or set audience: recipient if it only "
                         "ever goes to the person it is about"),
                facts={"template": template.name, "field": ref.name},
                line=ref.line, col=ref.col, severity=Severity.WARNING,
                fingerprint_extra=ref.name)

    # --- chunks: the third-party tally is the one thing that spans rows -------------

    def prepare_register(self) -> None:
        _ = self.index, self.destinations

    def prepare(self) -> None:
        self.prepare_register()  # built already when the engine called it (both cached)

    def begin_batch(self, batch: BatchInfo) -> Iterator[Violation]:
        self._templates = dict(batch.templates)
        return iter(())

    def chunk_summary(self) -> object:
        summary = {key: row for key, (_template, row) in self._exposed.items()}
        self._exposed = {}
        return summary

    def absorb_summaries(self, parts: Sequence[object]) -> None:
        for part in parts:  # in row order: the first row that exposed a template stays
            for key, row in cast(dict[tuple[str, str], int], part).items():
                template = self._templates.get(key[1])
                if template is not None and key not in self._exposed:
                    self._exposed[key] = (template, row)

    def finish(self) -> Iterator[Violation]:
        """Third-party templates with contact fields that the batch sent to a third party."""
        for template, row in self._exposed.values():
            for ref in self._contact_refs(template):
                yield Violation(
                    code=THIRD_PARTY_FIELD,
                    message=("Template {template} is about someone else (audience "
                             "third_party) and prints the field {field}; row {row} sends it "
                             "to someone who is not the person it is about, their "
                             "representative or their household. Take the field out, or send "
                             "this template only to the person's representatives"),
                    facts={"template": template.name, "field": ref.name, "row": row},
                    line=ref.line, col=ref.col, severity=Severity.WARNING,
                    file=template.path, fingerprint_extra=ref.name)

    def _contact_refs(self, template: Template) -> list[VariableRef]:
        if template.audience != "third_party":
            return []
        return [ref for ref in template.variables if self._is_contact_field(ref.name)]

    def _note_third_party(self, item: Item, flagged: bool) -> None:
        """Remember a third-party template with contact fields sent to a third party."""
        template = item.template
        if template is None or template.audience != "third_party":
            return
        key = (template.path, template.name)
        if key in self._exposed or not self._contact_refs(template):
            return
        if flagged or not self._may_see_subject(item):
            self._exposed[key] = (template, item.row.number)

    def _may_see_subject(self, item: Item) -> bool:
        """The recipient is the subject, their representative, or lives with them."""
        subject = item.role("subject_id")
        recipient = item.recipient_id
        register = self.context.register
        if not subject or not recipient or register is None:
            return False
        if subject == recipient:
            return True
        scope = item.template.scope if item.template is not None else None
        if any(r.representative_id == recipient and r.active_on(self.context.today)
               and r.covers(scope) for r in register.representatives(subject)):
            return True
        theirs = self._keys_of(subject)
        return any(same_address(mine, key) for mine in self._keys_of(recipient)
                   for key in theirs)

    def _is_contact_field(self, name: str) -> bool:
        lowered = name.lower()
        return (lowered in CONTACT_FIELDS or lowered.startswith(CONTACT_FIELD_PREFIXES)
                or lowered in self._extra_fields)

    # --- rows --------------------------------------------------------------------

    def check_item(self, item: Item) -> list[Violation]:
        found = self._check_item(item)
        self._note_third_party(item, bool(found))
        return found

    def _check_item(self, item: Item) -> list[Violation]:
        index = self.index
        if index is None or index.empty:
            return []
        # Every cell, empty ones too: they hold nothing to find, and filtering them
        # costs more than carrying them.
        cells = item.row.values
        values = list(cells.values())
        joined = CELL_BARRIER.join(values)
        settled, check = self._settled(index, item, values, joined)
        if settled:
            return []
        headers = list(cells)
        sources = [_Source(headers, values, rendered=False, raw=joined)]
        boilerplate: frozenset[str] = frozenset()
        if self._search_rendered and item.rendered is not None:
            text = item.rendered.text
            lines = text.split("\n")
            sources.append(_Source(_line_labels(len(lines)), lines, rendered=True, raw=text))
            boilerplate = self._template_patterns(index, item.rendered.template)
        # What goes with the item is sent too: each attachment page is searched as text.
        attachments = [_Source([where], [part], rendered=True, raw=part)
                       for where, part in item.attachment_texts()]
        for source in attachments:
            source.in_attachment = True
        sources += attachments
        if check is None:
            check = _ItemCheck(self, index, item)
        for source in sources:
            skip = (boilerplate if source.is_rendered and not source.in_attachment
                    else frozenset())
            source.prepare(index, self.gate)
            for hit in index.find_addresses(source.padded):
                if hit.pattern not in skip:
                    check.address(source, hit)
            for contact in index.find_emails(source.lowered):
                if contact.key not in skip:
                    check.contact(source, contact)
            if not source.may_hold_phone:
                continue
            for contact in index.find_phones(source.raw):
                if contact.key not in skip:
                    check.contact(source, contact)
        return [self._violation(item, index, found) for found in check.found.values()]

    def _settled(self, index: ProtectedIndex, item: Item, values: list[str], joined: str
                 ) -> tuple[bool, _ItemCheck | None]:
        """(True, _) when the item's cells and text (its attachments apart) can carry no
        protected detail that it may not carry, told without normalising them:

        - they hold no anchor of any fingerprint and no protected e-mail or phone
          (:meth:`ProtectedIndex.may_hold_anything`): the usual item, settled with one
          folding of each;
        - or they hold no protected contact, and every fingerprint whose anchor they
          hold is one the search below would pass over wherever it was found
          (:meth:`_ItemCheck.passes_over`): the recipient's own street or postcode,
          shared with a protected neighbour.

        False whenever a text holds the cell barrier itself, when the search decides;
        the check made on the way (who the item reaches) is handed on to it."""
        if not self.gate or item.attachments or joined.count(CELL_BARRIER) != len(values) - 1:
            return False, None
        texts: list[tuple[str, str, Sequence[str] | None]] = [
            (joined, gate_fold(joined), values)]
        if self._search_rendered and item.rendered is not None:
            text = item.rendered.text
            if CELL_BARRIER in text:
                return False, None
            texts.append((text, gate_fold(text), None))
        if not any(index.may_hold_anything(raw, folded) for raw, folded, _ in texts):
            return True, None
        if any(index.may_hold_contact(raw, folded) for raw, folded, _ in texts):
            return False, None
        check = _ItemCheck(self, index, item)
        for raw, folded, cells in texts:
            candidates = index.candidate_patterns(raw, folded, cells)
            if candidates is None:
                return False, check
            for pattern, refs in candidates:
                for address, kind in refs:
                    if not check.passes_over(pattern, address, kind):
                        return False, check
        return True, check

    def _template_patterns(self, index: ProtectedIndex, template: Template) -> frozenset[str]:
        """Protected patterns written into the template itself (letterhead, footer)."""
        key = (template.path, template.name)
        found = self._boilerplate.get(key)
        if found is None:
            source = template.source
            found = index.patterns_in(" " + normalise_address_text(source) + " ",
                                      source.lower(), source)
            self._boilerplate[key] = found
        return found

    # --- messages ----------------------------------------------------------------

    def _violation(self, item: Item, index: ProtectedIndex, found: _Found) -> Violation:
        person = index.people[found.person_id]
        values: dict[str, Personal] = {}
        party = found.party
        facts: dict[str, object] = {
            "channel": CHANNEL_NOUNS.get(item.channel or "", "item"),
            "protected_id": found.person_id,
            "target_id": party.person_id if party is not None else "its recipient",
        }
        recipient_name = self._recipient_name(item)
        if recipient_name:
            values["recipient"] = Personal(PersonalKind.NAME, recipient_name)
        else:
            facts["recipient"] = item.recipient_id or "its recipient"
        if person.name:
            values["protected"] = Personal(PersonalKind.NAME, person.name)
        else:
            facts["protected"] = found.person_id
        kind = {ADDRESS: PersonalKind.ADDRESS, PHONE: PersonalKind.PHONE,
                EMAIL: PersonalKind.EMAIL}[found.kind]
        values["detail"] = Personal(kind, found.detail)
        if found.label.startswith("in attachment "):
            where = found.label
        elif found.is_rendered:
            where = f"line {found.label} of the text"
        else:
            where = f"column {item.row.headers.get(found.label, found.label)}"
        others = [p for p in found.places if p != where]
        if others:
            where += "; also " + ", ".join(others[:3]) + (" and more" if len(others) > 3
                                                          else "")
        facts["where"] = where
        facts["what"] = _describe(found)
        facts["recent_days"] = self._recent_days
        address = found.address
        left = ""
        if address is not None and not address.current:
            facts["left_on"] = address.left_on.isoformat() if address.left_on else "unknown"
            left = (" They left it on {left_on}; the policy keeps an address protected for "
                    "{recent_days} days after a move.")
        if found.sharers:
            facts["sharers"] = len(found.sharers)
            left += (" It is also the protected address of {sharers} other "
                     + ("person" if len(found.sharers) == 1 else "people") + " living there.")
        # Reached through its destination: say whose it is, and what that discloses.
        disclosed = ""
        if party is not None and party.via != RECIPIENT:
            owner = self._person_name(party.person_id)
            if owner:
                values["owner"] = Personal(PersonalKind.NAME, owner)
            else:
                facts["owner"] = party.person_id
            facts["owner_id"] = party.person_id
            destination = self._destination_text(item, party.via)
            values["destination"] = Personal(
                {ADDRESS: PersonalKind.ADDRESS, PHONE: PersonalKind.PHONE,
                 EMAIL: PersonalKind.EMAIL}[party.via], destination)
            facts["thing"] = {ADDRESS: "address", PHONE: "phone number",
                              EMAIL: "email address"}[found.kind]
            facts["relation"] = {
                ADDRESS: "lives at the address it is sent to",
                PHONE: "owns the phone number it goes to",
                EMAIL: "owns the email address it goes to"}[party.via]
            disclosed = (" It is sent to {destination}, the register's current "
                         + {ADDRESS: "address", PHONE: "number", EMAIL: "email"}[party.via]
                         + " of {owner} ({owner_id}): this discloses {protected}'s {thing} "
                           "to {owner}, who {relation}.")
        if found.code == DO_NOT_DISCLOSE:
            told = ("where {protected_id} lives" if found.kind == ADDRESS
                    else "how to reach {protected_id}")
            message = ("This {channel} to {recipient} contains {protected}'s {what} {detail} "
                       "({where})." + disclosed + left + " {target_id} must not be told "
                       + told + " (do_not_disclose_to restriction in the register): "
                       + ("do not send it there" if disclosed else
                          "take it out before the {channel} is sent"))
        else:
            why = ("{protected} has a confidential address: nobody but them, the people who "
                   "live with them and their representatives may see it." if found.kind == ADDRESS
                   else "{protected}'s address and contact details are confidential: nobody "
                        "but them, the people who live with them and their representatives "
                        "may see them.")
            message = ("This {channel} to {recipient} contains {protected}'s {what} "
                       "({where})." + disclosed + " " + why + left
                       + (" Send it only to where {protected} lives, or remove {detail}"
                          if disclosed else " Remove {detail} before the {channel} is sent"))
        return Violation(
            code=found.code, message=message, values=values, facts=facts,
            column=None if found.is_rendered else found.label,
            fingerprint_extra=f"{found.person_id}:{found.kind}",
        )

    def _person_name(self, person_id: str) -> str:
        register = self.context.register
        person = register.person(person_id) if register is not None else None
        return person.full_name if person is not None else ""

    @staticmethod
    def _destination_text(item: Item, via: str) -> str:
        if via == EMAIL:
            return item.role("email")
        if via == PHONE:
            return item.role("phone")
        return ", ".join(item.address_lines)

    def _recipient_name(self, item: Item) -> str:
        register = self.context.register
        if register is not None and item.recipient_id:
            person = register.person(item.recipient_id)
            if person is not None and person.full_name:
                return person.full_name
        return item.role("name") or " ".join(
            p for p in (item.role("first_name"), item.role("last_name")) if p)


def _describe(found: _Found) -> str:
    """"confidential address", "previous address", "confidential phone number"..."""
    confidential = "confidential " if found.code == PROTECTED_DETAIL else ""
    if found.kind == ADDRESS:
        address = found.address
        if address is not None and not address.current:
            return f"{confidential}previous address"
        if found.street_only:
            return ("street and town, where theirs is one of the few homes the register "
                    "has; it locates their current address")
        return "confidential address" if confidential else "current address"
    noun = "phone number" if found.kind == PHONE else "email address"
    return confidential + noun


@dataclass(frozen=True)
class _Party:
    """Someone an item reaches: its recipient, or an owner of its destination."""

    person_id: str
    via: str  # RECIPIENT, or the destination's kind: ADDRESS, EMAIL, PHONE


class _ItemCheck:
    """Judges the hits of one item: who it reaches, and whether each hit is really P's."""

    def __init__(self, rule: ProtectedAddress, index: ProtectedIndex, item: Item) -> None:
        self.rule = rule
        self.index = index
        self.item = item
        self.scope = item.template.scope if item.template is not None else None
        self.found: dict[tuple[str, str, str], _Found] = {}
        self._parties: tuple[_Party, ...] | None = None
        self._destination: tuple[str, str, str] | None = None
        self._destination_known = False
        self._own: tuple[_Own, ...] | None = None
        self._row_key: AddressKey | None = None
        self._dnd: dict[tuple[str, frozenset[str]], _Party | None] = {}

    # --- where the item goes ---------------------------------------------------------

    @property
    def row_key(self) -> AddressKey | None:
        if self._row_key is None and self.item.address_lines:
            name = self.item.role("name")
            self._row_key = address_key(self.item.address_lines, "", (name,) if name else ())
        return self._row_key

    @property
    def destination(self) -> tuple[str, str, str] | None:
        """(kind, value as written, normalised key) of where the item is delivered:
        the email for an email, the phone for a text or voicemail, else the address
        block (key ``""``: :attr:`row_key` is the address's key)."""
        if not self._destination_known:
            item = self.item
            found: tuple[str, str, str] | None = None
            if item.channel == "email":
                email = item.role("email")
                if email and "@" in (key := email_key(email)):
                    found = (EMAIL, email, key)
            elif item.channel in ("sms", "voicemail"):
                phone = item.role("phone")
                if phone and (key := phone_key(phone)):
                    found = (PHONE, phone, key)
            elif item.address_lines and self.row_key is not None:
                found = (ADDRESS, ", ".join(item.address_lines), "")
            self._destination = found
            self._destination_known = True
        return self._destination

    @property
    def parties(self) -> tuple[_Party, ...]:
        """The recipient, then the register's current owners of the destination."""
        if self._parties is None:
            parties: list[_Party] = []
            recipient = self.item.recipient_id
            if recipient:
                parties.append(_Party(recipient, RECIPIENT))
            destination = self.destination
            if destination is not None:
                kind, _, key = destination
                places = self.rule.destinations
                owners: frozenset[str] = frozenset()
                if places is not None:
                    if kind == ADDRESS and self.row_key is not None:
                        owners = places.address_owners(self.row_key)
                    elif kind != ADDRESS:
                        owners = places.contact_owners(kind, key)
                parties.extend(_Party(owner, kind) for owner in sorted(owners)
                               if owner != recipient)
            self._parties = tuple(parties)
        return self._parties

    def dnd_party(self, person: ProtectedPerson, targets: frozenset[str]) -> _Party | None:
        """A person P is protected from whom the item reaches (cheap: no register scan).

        The recipient, or the destination when it is a target's current address,
        email or phone (her letter posted to the home she fled, now his).
        """
        if not targets:
            return None
        memo_key = (person.person_id, targets)
        if memo_key in self._dnd:
            return self._dnd[memo_key]
        found: _Party | None = None
        recipient = self.item.recipient_id
        if recipient in targets:
            found = _Party(recipient, RECIPIENT)
        else:
            destination = self.destination
            if destination is not None and destination[0] == ADDRESS:
                mine = self.row_key
                for other, theirs in person.target_keys:
                    if other in targets and mine is not None and (
                            not theirs.postcode or not mine.postcode
                            or theirs.postcode == mine.postcode) and same_address(theirs, mine):
                        found = _Party(other, ADDRESS)
                        break
            elif destination is not None:
                kind, _, key = destination
                for c_kind, c_key, other in sorted(person.target_contacts):
                    if c_kind == kind and c_key == key and other in targets:
                        found = _Party(other, kind)
                        break
        self._dnd[memo_key] = found
        return found

    def own_addresses(self) -> tuple[_Own, ...]:
        """The recipient's current addresses (register) and the address the row goes to."""
        if self._own is None:
            own: list[_Own] = []
            register = self.rule.context.register
            recipient = self.item.recipient_id
            if register is not None and recipient:
                for address in register.addresses(recipient):
                    if address.status == "current":
                        own.append(_Own(address.lines, address.postcode))
            if self.item.address_lines:
                own.append(_Own(self.item.address_lines, ""))
            self._own = tuple(own)
        return self._own

    # --- may the item carry this person's details? ---------------------------------

    def verdict(self, person_id: str, confidential: bool, targets: frozenset[str],
                address: GuardedAddress | None = None,
                contact: GuardedContact | None = None) -> tuple[str, _Party | None] | None:
        """(code, who it discloses to) when the detail must not be in this item.

        A person P is protected from comes first, whoever the item is for; then,
        for a confidential detail, anyone the item reaches who is not P, someone
        living at P's address, or a valid in-scope representative of one of them.
        """
        person = self.index.people[person_id]
        party = self.dnd_party(person, targets)
        if party is not None:
            return DO_NOT_DISCLOSE, party
        if not confidential:
            return None
        parties = self.parties
        if not parties:
            return PROTECTED_DETAIL, None  # nobody the register knows: fail closed
        allowed = self.rule.allowed(person, self.scope)
        for party in parties:
            if party.person_id in allowed:
                continue
            if contact is not None and self._has_contact(party.person_id, contact):
                continue  # a shared landline or family email they have too
            if address is not None and not address.current and self._lives_at(
                    party.person_id, address.key):
                continue  # a home they shared, or a re-let home: their own address
            return PROTECTED_DETAIL, party
        return None

    def _has_contact(self, person_id: str, contact: GuardedContact) -> bool:
        register = self.rule.context.register
        return register is not None and any(
            c.person_id == person_id
            for c in register.contact_owners(contact.kind, contact.key))

    def _lives_at(self, person_id: str, key: AddressKey) -> bool:
        """The party lives or lived at this (previous) address of the protected person."""
        if any(same_address(theirs, key)
               for theirs in self.rule._keys_of(person_id, with_previous=True)):
            return True
        row_key = self.row_key
        return row_key is not None and same_address(row_key, key)

    # --- hits ----------------------------------------------------------------------

    def passes_over(self, pattern: str, address: GuardedAddress, kind: str) -> bool:
        """Whether :meth:`address` passes over every hit of ``pattern`` that refers to
        ``address`` (as a ``kind`` fingerprint), wherever in the item it is: nobody
        the item reaches is protected from the person, the detail is not
        confidential (or only a street), or the wording is the recipient's own."""
        person = self.index.people[address.person_id]
        dnd = self.dnd_party(person, address.dnd_targets) is not None
        if not (dnd or address.confidential) or (kind == STREET_PRINT and not dnd):
            return True
        return self._recipients_own(pattern, address, kind == POSTCODE_PRINT)

    def address(self, source: _Source, hit: AddressHit) -> None:
        for address, kind in hit.refs:
            # Cheap checks first: most hits are a neighbour's shared postcode.
            person = self.index.people[address.person_id]
            dnd = self.dnd_party(person, address.dnd_targets) is not None
            if not (dnd or address.confidential) or (kind == STREET_PRINT and not dnd):
                continue
            is_postcode = kind == POSTCODE_PRINT
            if not _text_locates(source.padded, hit, address, is_postcode, dnd):
                continue
            if self._recipients_own(hit.pattern, address, is_postcode):
                continue
            verdict = self.verdict(address.person_id, address.confidential,
                                   address.dnd_targets, address=address)
            if verdict is None:
                continue
            code, party = verdict
            key = (address.person_id, ADDRESS, code)
            label = source.label_at_padded(hit.start + 1)
            if key not in self.found:
                shared = self._same_place(address, code)
                if shared is not None:
                    if address.person_id not in shared.sharers:
                        shared.sharers.append(address.person_id)
                    continue
            if key in self.found:
                if kind != STREET_PRINT:
                    self.found[key].street_only = False
                self._also(key, source, label)
                continue
            self.found[key] = _Found(code, address.person_id, ADDRESS, address.text, label,
                                     source.is_rendered, party, address,
                                     street_only=kind == STREET_PRINT)

    def contact(self, source: _Source, hit: ContactHit) -> None:
        for contact in hit.refs:
            verdict = self.verdict(contact.person_id, contact.confidential,
                                   contact.dnd_targets, contact=contact)
            if verdict is None:
                continue
            code, party = verdict
            key = (contact.person_id, contact.kind, code)
            label = source.label_at_raw(hit.start)
            if key in self.found:
                self._also(key, source, label)
                continue
            self.found[key] = _Found(code, contact.person_id, contact.kind, contact.value,
                                     label, source.is_rendered, party)

    def _same_place(self, address: GuardedAddress, code: str) -> _Found | None:
        """A finding already made for the same home of another protected person."""
        for found in self.found.values():
            if (found.code == code and found.address is not None
                    and found.person_id != address.person_id
                    and same_address(found.address.key, address.key)):
                return found
        return None

    def _also(self, key: tuple[str, str, str], source: _Source, label: str) -> None:
        found = self.found[key]
        if source.is_rendered:
            return  # the rendered text repeats the merge values; the column says more
        place = f"column {self.item.row.headers.get(label, label)}"
        if label != found.label and place not in found.places:
            found.places.append(place)

    def _recipients_own(self, pattern: str, address: GuardedAddress,
                        is_postcode: bool) -> bool:
        """The wording found (``pattern``) belongs to an address the recipient has (not
        P's own)."""
        own = self.own_addresses()
        if is_postcode:
            canonical = normalise_postcode(pattern.strip())
            if not canonical:
                return False
            # The recipient's own postcode: a neighbour's letter.
            code = str(canonical).lower()
            return any(code in o.postcodes and not same_address(o.key, address.key)
                       for o in own)
        # The same street line is part of the recipient's own address.
        return any(pattern in o.padded and not same_address(o.key, address.key)
                   for o in own)


def _text_locates(padded: str, hit: AddressHit, address: GuardedAddress, is_postcode: bool,
                  dnd: bool) -> bool:
    """Whether the text around the fingerprint says it is the protected address."""
    if is_postcode:
        if dnd:
            return True  # to the person they fled, a postcode narrows it to a few doors
        window = _cell(padded, hit.start - NUMBER_WINDOW_BEFORE,
                       hit.end + NUMBER_WINDOW_AFTER, hit.start)
        if other_unit(window, address.units):
            return False  # "Flat 4, Alder Court, LS1 4AP": the flat next door
        if set(window.split()) & address.numbers:
            return True
        spaced = f" {window} "
        if address.premise and f" {address.premise} " in spaced:
            return True
        return any(f" {name} " in spaced for name in address.names)
    if address.units:
        # "Flat 4, 14 Station Road" names another flat in the building.
        before = _cell(padded, hit.start - UNIT_LOOKBEHIND, hit.end, hit.start + 1)
        if other_unit(before, address.units):
            return False
    if address.postcodes:
        after = _cell(padded, hit.end - 1, hit.end + POSTCODE_LOOKAHEAD, hit.end - 1)
        codes = find_postcodes(after)
        if codes and codes[0].lower() not in address.postcodes:
            return False  # "14 Station Road, Leeds LS1 4AP": the same street elsewhere
    return True


def _cell(padded: str, start: int, end: int, anchor: int) -> str:
    """``padded[start:end]`` cut at the cell barriers on either side of ``anchor``."""
    start = max(start, 0)
    left = padded.rfind(CELL_BARRIER, start, anchor)
    if left != -1:
        start = left + 1
    right = padded.find(CELL_BARRIER, anchor, end)
    if right != -1:
        end = right
    return padded[start:end]
