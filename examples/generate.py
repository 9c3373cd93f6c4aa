"""Generate the Fenmarsh District Council example: register, batch, templates, policy, README.

Run ``python examples/generate.py`` from anywhere: it overwrites the files next to
itself. Output is deterministic (fixed seed, fixed reference date, standard library
only), so the planted problems always sit on the same rows.

Everything here is fictional: the council, towns, streets and people are made up;
postcodes use the non-existent districts PE39-PE42; e-mail addresses use reserved
example domains; phone numbers come only from Ofcom's drama ranges (07700 900xxx,
01632 960xxx, ...), which are never allocated to a real line.

The building blocks (:class:`Factory`, :class:`RegisterWriter`, :class:`BatchWriter`,
``batch_row`` and the ``plant_*`` functions) are reused by ``benchmarks/gen_data.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from types import TracebackType

SEED = 20261126
# "Today" for the generated data: verification ages and suppression expiries are
# relative to it. Current details are verified 5-240 days before it (never before
# 2026-03-31), so the example stays clean under a 365-day freshness rule only until
# 2027-03-31. Tests should pin "today" to this date rather than use the clock.
REFERENCE_DATE = dt.date(2026, 11, 26)
DUE_DATES = (dt.date(2026, 12, 14), dt.date(2026, 12, 21))
COUNCIL = "Fenmarsh District Council"
CALLBACK_NUMBER = "01632 960000"  # the council's own (drama-range) number

Row = dict[str, str]

BATCH_COLUMNS: tuple[str, ...] = (
    "recipient_id", "subject_id", "title", "first_name", "last_name",
    "address_line_1", "address_line_2", "address_line_3", "address_line_4",
    "address_line_5", "address_line_6", "postcode", "email", "phone", "channel",
    "template", "account_ref", "amount_due", "due_date", "subject_name", "subject_address",
)
REGISTER_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("person_id", "title", "given_name", "family_name", "date_of_birth", "status",
               "flags"),
    "addresses": ("person_id", "line_1", "line_2", "line_3", "line_4", "line_5", "line_6",
                  "postcode", "status", "valid_from", "valid_to", "verified_on"),
    "contacts": ("person_id", "kind", "value", "status", "verified_on"),
    "restrictions": ("person_id", "kind", "other_person_id", "note"),
    "representatives": ("person_id", "representative_id", "scope", "valid_to"),
}

# Template names (the batch's ``template`` column holds these).
T_LETTER = "council-tax-reminder-letter"
T_EMAIL = "council-tax-reminder-email"
T_SMS = "council-tax-reminder-sms"
T_VOICEMAIL = "council-tax-reminder-voicemail"
T_ARREARS_VOICEMAIL = "council-tax-arrears-voicemail"
T_REPRESENTATIVE = "council-tax-reminder-representative"
T_OTHER_PARENT = "case-update-to-other-parent"
TEMPLATE_FOR_CHANNEL = {"letter": T_LETTER, "email": T_EMAIL, "sms": T_SMS,
                        "voicemail": T_VOICEMAIL}

# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class NameGroup:
    """Given names and surnames that plausibly occur together in one family."""

    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]  # "Kowalski|Kowalska" for gendered surnames

    def surname(self, rng: random.Random) -> str:
        return rng.choice(self.surnames)


NAME_GROUPS: tuple[NameGroup, ...] = (
    NameGroup(
        0.46,
        ("James", "Oliver", "Thomas", "George", "Harry", "David", "Michael", "Paul", "Mark",
         "Richard", "Peter", "Stephen", "Daniel", "Joseph", "Samuel", "Jack", "Graham",
         "Keith", "Alan", "Christopher"),
        ("Olivia", "Amelia", "Emily", "Sophie", "Charlotte", "Sarah", "Emma", "Rebecca",
         "Hannah", "Lucy", "Margaret", "Susan", "Karen", "Helen", "Joanne", "Zoë", "Renée",
         "Chloë", "Jean", "Pauline"),
        ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Johnson", "Walker", "Wright",
         "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood",
         "Harris", "Clarke", "Jackson", "Turner", "Hill", "Cooper", "Ward", "Morris", "King",
         "Baker", "Fenwick", "Ashworth", "Pickering", "Goodwin", "Fenwick-Hall",
         "Smith-Jones", "Lincoln", "Dunmore"),
    ),
    NameGroup(
        0.06,
        ("Rhys", "Dafydd", "Gareth", "Owain", "Iwan", "Gethin"),
        ("Siân", "Cerys", "Rhiannon", "Megan", "Angharad", "Bethan", "Eleri"),
        ("Davies", "Williams", "Lloyd", "Pritchard", "Llewellyn", "Morgan", "Price", "Rees"),
    ),
    NameGroup(
        0.09,
        ("Seán", "Ciarán", "Liam", "Patrick", "Callum", "Eoin", "Declan", "Ruairí"),
        ("Aoife", "Niamh", "Siobhán", "Orla", "Mairéad", "Róisín", "Fiona", "Eilidh"),
        ("O'Brien", "O'Connor", "O'Neill", "McCarthy", "MacDonald", "McLeod", "Brennan",
         "Gallagher", "Doherty", "Kelly", "Fitzgerald", "O'Keeffe"),
    ),
    NameGroup(
        0.09,
        ("Łukasz", "Piotr", "Tomasz", "Krzysztof", "Paweł", "Marek", "Jakub"),
        ("Agnieszka", "Katarzyna", "Małgorzata", "Joanna", "Zofia", "Ewa", "Magdalena"),
        ("Nowak", "Kowalski|Kowalska", "Wiśniewski|Wiśniewska", "Wójcik",
         "Kamiński|Kamińska", "Lewandowski|Lewandowska", "Zieliński|Zielińska",
         "Szymański|Szymańska"),
    ),
    NameGroup(
        0.05,
        ("João", "José", "Tiago", "Rui", "Sérgio"),
        ("Ana", "Inês", "Beatriz", "Maria", "Conceição"),
        ("Silva", "Santos", "Ferreira", "Gonçalves", "Rodrigues", "D'Souza", "Fernandes"),
    ),
    NameGroup(
        0.08,
        ("Chinedu", "Emeka", "Oluwaseun", "Tunde", "Ifeanyi", "Kwame", "Samuel"),
        ("Ngozi", "Chioma", "Adaeze", "Folake", "Funmilayo", "Grace", "Abena"),
        ("Okafor", "Adeyemi", "Adebayo", "Okonkwo", "Eze", "Balogun", "Nwosu", "Mensah"),
    ),
    NameGroup(
        0.12,
        ("Rajesh", "Sanjay", "Imran", "Mohammed", "Arjun", "Vikram", "Amir", "Harjit",
         "Tariq"),
        ("Priya", "Anjali", "Fatima", "Ayesha", "Nisha", "Sunita", "Shabana", "Gurpreet"),
        ("Patel", "Shah", "Khan", "Hussain", "Ahmed", "Singh", "Chaudhry", "Mistry", "Desai",
         "Begum"),
    ),
    NameGroup(
        0.05,
        ("Minh", "Duc", "Huy", "Wei", "Jun", "Hao"),
        ("Linh", "Mai", "Huong", "Mei", "Xiu", "Thao"),
        ("Nguyen", "Tran", "Le", "Pham", "Chen", "Wong", "Zhang"),
    ),
)
_GROUP_WEIGHTS = [g.weight for g in NAME_GROUPS]

_ASCII_FIX = str.maketrans({"Ł": "L", "ł": "l", "ø": "o", "ß": "ss", "đ": "d"})


def ascii_fold(text: str) -> str:
    """``Siân O'Brien`` -> ``Sian O'Brien``: what people type into an e-mail address."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_FIX))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def gendered(surname: str, sex: str) -> str:
    male, _, female = surname.partition("|")
    return (female or male) if sex == "F" else male


# ------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Town:
    name: str  # the locality printed on the address
    post_town: str  # "" when the locality is itself the post town
    outward: str  # postcode district (PE39-PE42 do not exist: fictional on purpose)


TOWNS: tuple[Town, ...] = (
    Town("Fenmarsh", "", "PE39"),
    Town("Saxby St Mary", "Fenmarsh", "PE40"),
    Town("Thornwick", "", "PE41"),
    Town("Hallow Fen", "Fenmarsh", "PE40"),
    Town("Wexbridge", "", "PE42"),
    Town("Coldham", "Thornwick", "PE41"),
    Town("Little Ousemere", "Wexbridge", "PE42"),
)
CORE_STREETS = ("High Street", "Station Road", "Church Lane", "Bridge Street",
                "St Guthlac's Way", "Market Place", "Mill Road")
STREET_STEMS = ("Reedmace", "Sedge", "Osier", "Willow", "Heron", "Bittern", "Marsh", "Fen",
                "Dyke", "Lode", "Ouse", "Samphire", "Lapwing", "Plover", "Curlew", "Teal",
                "Alder", "Hawthorn", "Rushmere", "Cowslip", "Kingfisher", "Ferry", "Chapel",
                "School", "Manor", "Orchard", "Granary", "Maltings", "Tithe", "Wherry",
                "Eel Catcher's", "Pingle", "Washway", "Sluice")
STREET_KINDS = ("Road", "Street", "Lane", "Close", "Way", "Drive", "Avenue", "Gardens",
                "Crescent", "Walk", "Row", "Drove", "Place")
HOUSE_NAMES = ("Rose Cottage", "The Old Forge", "Willow Barn", "Fen View", "The Granary",
               "Orchard House", "Lode End", "The Old School House", "Heron's Rest")
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters Royal Mail allows in the inward unit


@dataclass(frozen=True)
class Dwelling:
    lines: tuple[str, ...]  # register line_1.. (no postcode)
    postcode: str
    kind: str  # house | flat | named
    flat: int = 0  # flat number, 0 for houses
    flats_in_building: int = 0


class PostcodeSource:
    """Unique postcodes per district: sectors 1-9 then 0, units in a shuffled order."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._iters: dict[str, Iterator[str]] = {}

    def _units(self, outward: str) -> Iterator[str]:
        pairs = [a + b for a in UNIT_LETTERS for b in UNIT_LETTERS]
        area, district = outward[:2], int(outward[2:])
        # When a district is full, spill into PE49, PE59, ... (also non-existent), then
        # into areas that do not exist (PX, PY, PZ: a register of a million people).
        for spill_area in (area, area[0] + "X", area[0] + "Y", area[0] + "Z"):
            for spill in range(district, 99, 10):
                for sector in (1, 2, 3, 4, 5, 6, 7, 8, 9, 0):
                    order = pairs[:]
                    self._rng.shuffle(order)
                    for unit in order:
                        yield f"{spill_area}{spill} {sector}{unit}"
        raise RuntimeError(f"postcode district {outward} exhausted")

    def next(self, outward: str) -> str:
        if outward not in self._iters:
            self._iters[outward] = self._units(outward)
        return next(self._iters[outward])


class DwellingSource:
    """An endless, deterministic walk along fictional streets, one dwelling at a time.

    Consecutive dwellings are neighbours (same street, often the same postcode,
    flats in the same building), so consecutive households are neighbours too.
    """

    def __init__(self, rng: random.Random, vacancy: float) -> None:
        self._rng = rng
        self._vacancy = vacancy
        self._postcodes = PostcodeSource(rng)
        self._queue: deque[Dwelling] = deque()
        # A second walk, over other streets, for the addresses people moved away from.
        self._elsewhere: deque[Dwelling] = deque()
        self._streets = self._street_names()

    def _street_names(self) -> Iterator[tuple[Town, str]]:
        for k in range(len(CORE_STREETS)):  # each town's core streets, interleaved
            for j, town in enumerate(TOWNS):
                yield town, CORE_STREETS[(k + j) % len(CORE_STREETS)]
        combos = [f"{stem} {kind}" for stem in STREET_STEMS for kind in STREET_KINDS]
        # Each pass gives every name to a different town, so (town, street) never repeats:
        # about 55,000 streets, enough for a register of 1.4 million people.
        for shift in range(len(TOWNS)):
            for qualifier in ("", "Upper ", "Lower ", "Little ", "Old ", "New ", "North ",
                              "South ", "East ", "West ", "Great ", "Far ", "Middle ",
                              "Nether ", "Higher ", "Near ", "Long ", "Broad "):
                order = combos[:]
                self._rng.shuffle(order)
                for i, name in enumerate(order):
                    yield TOWNS[(i + shift) % len(TOWNS)], qualifier + name
        raise RuntimeError("street names exhausted")

    def _fill(self, queue: deque[Dwelling]) -> None:
        town, street = next(self._streets)
        rng = self._rng
        busy = street in ("High Street", "Market Place")
        flat_rate = 0.35 if busy else 0.08
        village = bool(town.post_town)
        tail = (town.name, town.post_town) if village else (town.name,)
        postcode = self._postcodes.next(town.outward)
        left_in_postcode = rng.randint(6, 14)
        names = list(HOUSE_NAMES)
        rng.shuffle(names)
        for number in range(1, rng.randint(10, 40) + 1):
            if left_in_postcode == 0:
                postcode = self._postcodes.next(town.outward)
                left_in_postcode = rng.randint(6, 14)
            left_in_postcode -= 1
            roll = rng.random()
            if village and names and roll < 0.08:
                queue.append(Dwelling((names.pop(), street, *tail), postcode, "named"))
            elif roll < flat_rate:
                flats = rng.randint(2, 5)
                for flat in range(1, flats + 1):
                    queue.append(Dwelling((f"Flat {flat}, {number} {street}", *tail),
                                          postcode, "flat", flat, flats))
            else:
                queue.append(Dwelling((f"{number} {street}", *tail), postcode, "house"))

    def next(self, *, occupied: bool = True) -> Dwelling:
        """The next dwelling along the walk; vacant ones (not in the register) are skipped
        unless ``occupied`` is False."""
        while True:
            if not self._queue:
                self._fill(self._queue)
            dwelling = self._queue.popleft()
            if not occupied or self._rng.random() >= self._vacancy:
                return dwelling

    def elsewhere(self) -> Dwelling:
        """A dwelling on another street: somewhere a household used to live."""
        if not self._elsewhere:
            self._fill(self._elsewhere)
        for _ in range(self._rng.randint(0, 3)):
            if len(self._elsewhere) > 1:
                self._elsewhere.popleft()
        return self._elsewhere.popleft()

    def next_flat_building(self, min_flats: int) -> Dwelling:
        """Skip ahead to Flat 1 of a building with at least ``min_flats`` flats."""
        while True:
            if not self._queue:
                self._fill(self._queue)
            dwelling = self._queue.popleft()
            if dwelling.kind == "flat" and dwelling.flat == 1 and \
                    dwelling.flats_in_building >= min_flats:
                return dwelling


# -------------------------------------------------------------------------- contacts

EMAIL_DOMAINS = ("example.org", "example.co.uk", "example.com", "fenmail.example",
                 "mail.example.net")
OLD_EMAIL_DOMAINS = ("oldisp.example", "example.net")
# Ofcom drama ranges: (prefix, digits still to add). Numbers ending 000-099 are kept
# back for the council itself (01632 960000 is its contact centre).
MOBILE_BLOCKS = ("07700 900",)
LANDLINE_BLOCKS = ("01632 960", "0113 496 0", "0114 496 0", "0115 496 0", "0116 496 0",
                   "0117 496 0", "0118 496 0", "0121 496 0", "0131 496 0", "0141 496 0",
                   "0151 496 0", "0161 496 0", "0191 498 0", "020 7946 0", "029 2018 0",
                   "028 9649 6")


class PhoneSource:
    """Unique drama-range numbers, handed out in a scrambled but fixed order."""

    def __init__(self) -> None:
        self._mobiles = self._numbers(MOBILE_BLOCKS)
        self._landlines = self._numbers(LANDLINE_BLOCKS)

    @staticmethod
    def _numbers(blocks: Sequence[str]) -> Iterator[str]:
        for block in blocks:
            for k in range(900):
                yield f"{block}{(k * 379) % 900 + 100:03d}"

    def mobile(self) -> str | None:
        return next(self._mobiles, None)

    def landline(self) -> str | None:
        return next(self._landlines, None)


class EmailSource:
    """Unique, plausible personal e-mail addresses on reserved example domains."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def make(self, given: str, family: str, *, domains: Sequence[str] = EMAIL_DOMAINS) -> str:
        rng = self._rng
        g = re.sub(r"[^a-z]", "", ascii_fold(given).lower())
        f = re.sub(r"[^a-z-]", "", ascii_fold(family).lower())
        style = rng.randrange(5)
        local = (f"{g}.{f}", f"{g[0]}{f}", f"{g}{f}{rng.randint(1, 99)}", f"{f}.{g}",
                 f"{g}_{f}")[style]
        domain = rng.choice(domains)
        value = f"{local}@{domain}"
        n = 2
        while value in self._used:
            value = f"{local}{n}@{domain}"
            n += 1
        self._used.add(value)
        return value


# ------------------------------------------------------------------------- register


@dataclass
class AddressRec:
    lines: tuple[str, ...]
    postcode: str
    status: str = "current"  # current | previous | gone_away
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    verified_on: dt.date | None = None


@dataclass
class ContactRec:
    kind: str  # email | phone
    value: str
    status: str = "current"  # current | previous | invalid
    verified_on: dt.date | None = None

    @property
    def is_mobile(self) -> bool:
        return self.kind == "phone" and self.value.startswith("07")


@dataclass
class Resident:
    """One person in the register, with their address history and contacts.

    ``hold`` is generator bookkeeping, never written: why this person gets no
    council-tax reminder of their own in the example batch ("" = they do).
    """

    person_id: str
    title: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    sex: str
    status: str = "active"
    flags: list[str] = field(default_factory=list)
    addresses: list[AddressRec] = field(default_factory=list)
    contacts: list[ContactRec] = field(default_factory=list)
    hold: str = ""
    household: int = 0

    @property
    def addressee(self) -> str:
        """The Notify-style first address line: ``Mrs S Okafor``."""
        return " ".join(p for p in (self.title, self.given_name[:1], self.family_name) if p)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age(self, on: dt.date) -> int:
        dob = self.date_of_birth
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))

    def address(self, status: str = "current") -> AddressRec | None:
        return next((a for a in reversed(self.addresses) if a.status == status), None)

    def contact(self, kind: str, status: str = "current", *,
                mobile: bool | None = None) -> ContactRec | None:
        for c in self.contacts:
            if c.kind == kind and c.status == status and \
                    (mobile is None or c.is_mobile == mobile):
                return c
        return None

    def best_phone(self) -> ContactRec | None:
        return self.contact("phone", mobile=True) or self.contact("phone", mobile=False)


@dataclass(frozen=True)
class Representative:
    person_id: str
    representative_id: str
    scope: str
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class Restriction:
    person_id: str
    kind: str  # confidential_address | do_not_disclose_to
    other_person_id: str = ""
    note: str = ""


@dataclass
class Household:
    residents: list[Resident]
    representatives: list[Representative] = field(default_factory=list)


@dataclass(frozen=True)
class Profile:
    """How the population looks: household mix and the rates of everything else."""

    kinds: tuple[tuple[str, float], ...]
    history_rate: float = 0.25
    vacancy: float = 0.25
    email_rate: float = 0.72
    mobile_rate: float = 0.78
    landline_rate: float = 0.18
    previous_email_rate: float = 0.10
    previous_phone_rate: float = 0.08
    invalid_contact_rate: float = 0.03
    no_voicemail_rate: float = 0.06
    post_only_rate: float = 0.04
    large_print_elderly_rate: float = 0.25


EXAMPLE_PROFILE = Profile(kinds=(("single", 0.30), ("couple", 0.28), ("family", 0.20),
                                 ("single_parent", 0.07), ("sharers", 0.07),
                                 ("elderly", 0.08)))
# At scale every person is an adult who can receive their own letter, so a batch can
# have as many rows as the register has people.
SCALE_PROFILE = Profile(kinds=(("single", 0.38), ("couple", 0.36), ("sharers", 0.14),
                               ("elderly", 0.12)), vacancy=0.15, large_print_elderly_rate=0.0)


def _date_str(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def eighteenth_birthday(dob: dt.date) -> dt.date:
    """When parental responsibility ends (29 February birthdays roll to 1 March)."""
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:
        return dt.date(dob.year + 18, 3, 1)


class Factory:
    """Makes people and households, consistently, from one seeded random stream."""

    def __init__(self, seed: int, profile: Profile, today: dt.date = REFERENCE_DATE) -> None:
        self.rng = random.Random(seed)
        self.profile = profile
        self.today = today
        self.dwellings = DwellingSource(self.rng, profile.vacancy)
        self.emails = EmailSource(self.rng)
        self.phones = PhoneSource()
        self._person_ids = count(10001)
        self._accounts = count(40010000)
        self._households = count(1)

    # -- small helpers
    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def recent(self, since: dt.date | None = None) -> dt.date:
        """A verification date 5-240 days ago (never before ``since``)."""
        oldest = 240 if since is None else max(5, min(240, (self.today - since).days))
        return self.days_ago(5, oldest)

    def next_account(self, prefix: str = "CT") -> str:
        number = next(self._accounts)
        for _ in range(self.rng.randint(0, 6)):
            number = next(self._accounts)
        return f"{prefix}-{number}"

    def amount(self) -> str:
        return f"£{self.rng.randint(3500, 98000) / 100:.2f}"

    def due_date(self) -> str:
        d = self.rng.choice(DUE_DATES)
        return f"{d.day} {d:%B %Y}"

    def group(self) -> NameGroup:
        return self.rng.choices(NAME_GROUPS, _GROUP_WEIGHTS)[0]

    # -- people
    def person(self, group: NameGroup, sex: str, age: int, *, family_name: str | None = None,
               married: bool = False) -> Resident:
        rng = self.rng
        given = rng.choice(group.female if sex == "F" else group.male)
        family = family_name if family_name is not None else gendered(group.surname(rng), sex)
        dob = self.today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        if age < 18:
            title = ""
        elif rng.random() < 0.04:
            title = "Dr"
        elif rng.random() < 0.015:
            title = "Mx"
        elif sex == "M":
            title = "Mr"
        elif married:
            title = "Mrs"
        else:
            title = "Miss" if age < 30 and rng.random() < 0.5 else "Ms"
        return Resident(f"P-{next(self._person_ids)}", title, given, family, dob, sex)

    def give_contacts(self, r: Resident, *, elderly: bool = False) -> None:
        p, rng = self.profile, self.rng
        if r.age(self.today) < 18:
            return
        if rng.random() < (p.email_rate * (0.5 if elderly else 1.0)):
            r.contacts.append(ContactRec("email", self.emails.make(r.given_name, r.family_name),
                                         verified_on=self.recent()))
            if rng.random() < p.previous_email_rate:
                old = self.emails.make(r.given_name, r.family_name, domains=OLD_EMAIL_DOMAINS)
                r.contacts.append(ContactRec("email", old, "previous", self.days_ago(900, 3000)))
        if rng.random() < p.mobile_rate * (0.6 if elderly else 1.0):
            number = self.phones.mobile()
            if number:
                r.contacts.append(ContactRec("phone", number, verified_on=self.recent()))
            if rng.random() < p.previous_phone_rate:
                old_number = self.phones.mobile()
                if old_number:
                    r.contacts.append(ContactRec("phone", old_number, "previous",
                                                 self.days_ago(800, 2500)))
        if rng.random() < (0.6 if elderly else p.landline_rate):
            number = self.phones.landline()
            if number:
                r.contacts.append(ContactRec("phone", number, verified_on=self.recent()))
        if rng.random() < p.invalid_contact_rate:
            bounced = self.emails.make(r.given_name, r.family_name, domains=OLD_EMAIL_DOMAINS)
            r.contacts.append(ContactRec("email", bounced, "invalid", self.days_ago(400, 1500)))

    def give_flags(self, r: Resident, *, elderly: bool = False) -> None:
        p, rng = self.profile, self.rng
        if r.age(self.today) < 18:
            return
        if rng.random() < p.no_voicemail_rate * (2 if elderly else 1):
            r.flags.append("no_voicemail")
        if rng.random() < p.post_only_rate * (2 if elderly else 1):
            r.flags.append("post_only")
        if elderly and rng.random() < p.large_print_elderly_rate:
            r.flags.append("large_print")
            r.hold = "large print: goes in the separate large-print run"

    def move_in(self, residents: Sequence[Resident], dwelling: Dwelling, *,
                moved_in: dt.date | None = None, history: bool | None = None) -> None:
        """Give ``residents`` ``dwelling`` as their current address (and maybe a previous one)."""
        rng = self.rng
        if moved_in is None:
            moved_in = self.days_ago(60, 9000)
        verified = self.recent(moved_in)
        if history is None:
            history = rng.random() < self.profile.history_rate
        previous = self.dwellings.elsewhere() if history else None
        prev_from = moved_in - dt.timedelta(days=rng.randint(400, 5000))
        for r in residents:
            if previous is not None and r.date_of_birth < moved_in:
                start = max(prev_from, r.date_of_birth)
                r.addresses.append(AddressRec(
                    previous.lines, previous.postcode, "previous", start,
                    moved_in - dt.timedelta(days=1),
                    start + dt.timedelta(days=rng.randint(0, max(0, (moved_in - start).days - 1)))))
            r.addresses.append(AddressRec(dwelling.lines, dwelling.postcode, "current",
                                          max(moved_in, r.date_of_birth), None, verified))

    # -- households
    def household(self, kind: str | None = None, *, dwelling: Dwelling | None = None,
                  max_members: int | None = None, sex: str | None = None) -> Household:
        """A new household at ``dwelling`` (default: the next one along the walk)."""
        rng = self.rng
        if kind is None:
            kinds, weights = zip(*self.profile.kinds, strict=True)
            kind = rng.choices(kinds, weights)[0]
        if max_members == 1:
            kind = "single"
        group = self.group()
        surname = group.surname(rng)  # raw: "Kowalski|Kowalska"
        adults: list[Resident] = []
        elderly = kind == "elderly"
        if kind == "single":
            s = sex or rng.choice("MF")
            adults.append(self.person(group, s, rng.randint(19, 85)))
        elif kind in ("couple", "family", "elderly"):
            if elderly:
                age = rng.randint(70, 92)
            elif kind == "family":
                age = rng.randint(24, 52)
            else:
                age = rng.randint(21, 78)
            partner_age = max(19, age + rng.randint(-6, 4))
            adults.append(self.person(group, "M", age, family_name=gendered(surname, "M")))
            if rng.random() < 0.15:  # partner kept their own name
                adults.append(self.person(self.group(), "F", partner_age))
            else:
                adults.append(self.person(group, "F", partner_age,
                                          family_name=gendered(surname, "F"), married=True))
            if elderly and rng.random() < 0.4:
                adults.pop(rng.randrange(2))
        elif kind == "single_parent":
            s = sex or ("F" if rng.random() < 0.85 else "M")
            adults.append(self.person(group, s, rng.randint(22, 48),
                                      family_name=gendered(surname, s)))
        elif kind == "sharers":
            for _ in range(rng.randint(2, 3)):
                adults.append(self.person(self.group(), rng.choice("MF"), rng.randint(19, 34)))
        else:
            raise ValueError(f"unknown household kind {kind!r}")
        if max_members is not None:
            adults = adults[:max_members]
        children: list[Resident] = []
        reps: list[Representative] = []
        if kind in ("family", "single_parent"):
            room = 3 if max_members is None else max(0, max_members - len(adults))
            youngest_parent = min(a.age(self.today) for a in adults)
            for _ in range(min(room, rng.randint(1, 3))):
                s = rng.choice("MF")
                child = self.person(group, s, rng.randint(0, min(16, youngest_parent - 18)),
                                    family_name=gendered(surname, s))
                child.hold = "child"
                children.append(child)
                for parent in adults:
                    reps.append(Representative(child.person_id, parent.person_id,
                                               "parental_responsibility",
                                               eighteenth_birthday(child.date_of_birth)))
        residents = adults + children
        number = next(self._households)
        for r in residents:
            r.household = number
            self.give_flags(r, elderly=elderly)
            self.give_contacts(r, elderly=elderly)
        self.move_in(residents, dwelling or self.dwellings.next())
        return Household(residents, reps)

    def add_previous_address(self, r: Resident) -> AddressRec:
        """Give ``r`` a previous address (just before their current one) if they have none."""
        existing = r.address("previous")
        if existing is not None:
            return existing
        current = r.address()
        moved_in = current.valid_from if current and current.valid_from else \
            self.days_ago(200, 2000)
        previous = self.dwellings.elsewhere()
        start = max(r.date_of_birth, moved_in - dt.timedelta(days=self.rng.randint(400, 3000)))
        rec = AddressRec(previous.lines, previous.postcode, "previous", start,
                         moved_in - dt.timedelta(days=1), start + dt.timedelta(days=20))
        r.addresses.insert(0, rec)
        return rec


# ---------------------------------------------------------------------------- batch


def one_line_address(a: AddressRec) -> str:
    return ", ".join([*a.lines, a.postcode])


def set_row_address(row: Row, addressee: str, address: AddressRec) -> None:
    lines = [addressee, *address.lines]
    for i in range(6):
        row[f"address_line_{i + 1}"] = lines[i] if i < len(lines) else ""
    row["postcode"] = address.postcode


def batch_row(f: Factory, recipient: Resident, *, channel: str = "letter",
              template: str | None = None, subject: Resident | None = None,
              account_ref: str | None = None) -> Row:
    """A clean row: everything as the register holds it for ``recipient`` today."""
    address = recipient.address()
    if address is None:
        raise ValueError(f"{recipient.person_id} has no current address")
    email = recipient.contact("email")
    phone = recipient.best_phone()
    row: Row = {
        "recipient_id": recipient.person_id,
        "subject_id": (subject or recipient).person_id,
        "title": recipient.title,
        "first_name": recipient.given_name,
        "last_name": recipient.family_name,
        "email": email.value if email else "",
        "phone": phone.value if phone else "",
        "channel": channel,
        "template": template or TEMPLATE_FOR_CHANNEL[channel],
        "account_ref": account_ref or f.next_account(),
        "amount_due": f.amount(),
        "due_date": f.due_date(),
        "subject_name": "",
        "subject_address": "",
    }
    set_row_address(row, recipient.addressee, address)
    if subject is not None:
        subject_address = subject.address()
        row["subject_name"] = subject.full_name
        row["subject_address"] = one_line_address(subject_address) if subject_address else ""
    return row


def set_channel(row: Row, r: Resident, channel: str) -> None:
    """Switch a clean row to another channel, using the recipient's current contact."""
    row["channel"] = channel
    row["template"] = TEMPLATE_FOR_CHANNEL[channel]
    if channel == "sms":
        mobile = r.contact("phone", mobile=True)
        row["phone"] = mobile.value if mobile else ""
    elif channel == "voicemail":
        phone = r.best_phone()
        row["phone"] = phone.value if phone else ""


_ABBREVIATIONS = ((re.compile(r"\bStreet$"), "St"), (re.compile(r"\bRoad$"), "Rd"),
                  (re.compile(r"\bAvenue$"), "Ave"))


def harmless_variant(row: Row, *, upper_first: bool = False) -> str | None:
    """Rewrite the row's address the way a person might type it (``Rd`` for ``Road``, an
    upper-case post town). Returns what was changed, or None if nothing applied."""
    last = max(i for i in range(2, 7) if row[f"address_line_{i}"])
    key = f"address_line_{last}"
    if upper_first and row[key] != row[key].upper():
        old, row[key] = row[key], row[key].upper()
        return f"{key} '{old}' written '{row[key]}'"
    for i in range(2, 7):
        key = f"address_line_{i}"
        for pattern, short in _ABBREVIATIONS:
            new = pattern.sub(short, row[key])
            if new != row[key]:
                old, row[key] = row[key], new
                return f"{key} '{old}' written '{new}'"
    if row[key] != row[key].upper():
        old, row[key] = row[key], row[key].upper()
        return f"{key} '{old}' written '{row[key]}'"
    return None


# --------------------------------------------------------------------------- writers


class RegisterWriter:
    """Streams the five register tables as CSV into one directory."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._files = {t: (directory / f"{t}.csv").open("w", encoding="utf-8", newline="")
                       for t in REGISTER_COLUMNS}
        self._writers = {t: csv.writer(fh, lineterminator="\n") for t, fh in self._files.items()}
        for table, columns in REGISTER_COLUMNS.items():
            self._writers[table].writerow(columns)

    def __enter__(self) -> RegisterWriter:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()

    def resident(self, r: Resident) -> None:
        self._writers["people"].writerow((r.person_id, r.title, r.given_name, r.family_name,
                                          _date_str(r.date_of_birth), r.status,
                                          ";".join(r.flags)))
        for a in r.addresses:
            lines = [*a.lines, "", "", "", "", "", ""][:6]
            self._writers["addresses"].writerow((r.person_id, *lines, a.postcode, a.status,
                                                 _date_str(a.valid_from), _date_str(a.valid_to),
                                                 _date_str(a.verified_on)))
        for c in r.contacts:
            self._writers["contacts"].writerow((r.person_id, c.kind, c.value, c.status,
                                                _date_str(c.verified_on)))

    def representative(self, rep: Representative) -> None:
        self._writers["representatives"].writerow((rep.person_id, rep.representative_id,
                                                   rep.scope, _date_str(rep.valid_to)))

    def restriction(self, res: Restriction) -> None:
        self._writers["restrictions"].writerow((res.person_id, res.kind, res.other_person_id,
                                                res.note))


class BatchWriter:
    """Writes a batch the way Excel saves "CSV UTF-8": BOM, CRLF, minimal quoting."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._fh, lineterminator="\r\n")
        self._writer.writerow(BATCH_COLUMNS)
        self.rows = 0

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._fh.close()

    def write(self, row: Row) -> int:
        """Write one row; returns its spreadsheet row number (header is row 1)."""
        self._writer.writerow([row.get(c, "") for c in BATCH_COLUMNS])
        self.rows += 1
        return self.rows + 1


# ---------------------------------------------------------------------------- plants


@dataclass
class Plant:
    """A deliberate problem, documented so tests and README can point at it."""

    rule: str
    column: str
    problem: str
    seen: str  # what a case worker opening the letter/e-mail would see
    recipient_id: str
    also: tuple[str, ...] = ()  # other rules that may reasonably fire on the same row
    emit_twice: bool = False  # the row is written twice (duplicate); the second is the plant
    row: int = 0  # spreadsheet row number, filled in when written

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "recipient_id": self.recipient_id, "column": self.column,
                "rule": self.rule, "also": list(self.also), "problem": self.problem,
                "seen": self.seen}


PlantFn = Callable[[Factory, Resident, Row], "Plant | None"]


def plant_previous_address(f: Factory, r: Resident, row: Row) -> Plant | None:
    previous = f.add_previous_address(r)
    set_row_address(row, r.addressee, previous)
    moved = previous.valid_to.isoformat() if previous.valid_to else "?"
    return Plant("stale-address", "address_line_2",
                 f"letter addressed to the recipient's previous address (moved out {moved})",
                 f"a reminder for {r.addressee} lands on the mat at {previous.lines[0]}, "
                 "where they no longer live", r.person_id)


def plant_gone_away(f: Factory, r: Resident, row: Row) -> Plant | None:
    current = r.address()
    if current is None:
        return None
    current.status = "gone_away"
    return Plant("stale-address", "address_line_2",
                 "letter to an address marked gone_away (earlier post returned 'not known at "
                 "this address')",
                 f"another returned envelope; the new occupier of {current.lines[0]} reads "
                 f"{r.addressee}'s arrears", r.person_id)


def plant_deceased(f: Factory, r: Resident, row: Row) -> Plant | None:
    r.status = "deceased"
    r.hold = "deceased"
    return Plant("stale-address", "recipient_id",
                 "recipient is recorded as deceased",
                 f"a Council Tax demand addressed to the late {r.addressee}, opened by the "
                 "bereaved family", r.person_id)


def plant_previous_email(f: Factory, r: Resident, row: Row) -> Plant | None:
    if r.contact("email") is None:
        r.contacts.append(ContactRec("email", f.emails.make(r.given_name, r.family_name),
                                     verified_on=f.recent()))
    old = r.contact("email", "previous")
    if old is None:
        old = ContactRec("email", f.emails.make(r.given_name, r.family_name,
                                                domains=OLD_EMAIL_DOMAINS),
                         "previous", f.days_ago(900, 3000))
        r.contacts.append(old)
    row["email"] = old.value
    set_channel(row, r, "email")
    return Plant("stale-contact", "email",
                 "e-mail sent to the recipient's previous e-mail address (register has a newer "
                 "one)", "the reminder goes to an inbox the resident gave up years ago",
                 r.person_id)


def plant_empty_last_name(f: Factory, r: Resident, row: Row) -> Plant | None:
    row["last_name"] = ""
    return Plant("merge-integrity", "last_name", "last_name is empty",
                 f"the letter opens 'Dear {row['title']} ,'", r.person_id,
                 also=("recipient-mismatch",))


def plant_na_value(f: Factory, r: Resident, row: Row) -> Plant | None:
    row["amount_due"] = "#N/A"
    return Plant("merge-integrity", "amount_due",
                 "amount_due holds Excel's #N/A (a failed VLOOKUP) and is printed",
                 "'your Council Tax instalment of #N/A has not been received'", r.person_id)


def plant_duplicate(f: Factory, r: Resident, row: Row) -> Plant | None:
    return Plant("merge-integrity", "recipient_id",
                 "the row is repeated on the next line (copy-paste): duplicate recipient",
                 f"{r.addressee} gets two identical reminders", r.person_id,
                 also=("recipient-mismatch",), emit_twice=True)


def plant_invalid_email(f: Factory, r: Resident, row: Row) -> Plant | None:
    email = r.contact("email")
    if email is None:
        email = ContactRec("email", f.emails.make(r.given_name, r.family_name),
                           verified_on=f.recent())
        r.contacts.append(email)
    local, _, domain = email.value.partition("@")
    email.value = f"{local}@{domain.split('.')[0]}"  # typed over the phone, TLD lost
    row["email"] = email.value
    set_channel(row, r, "email")
    return Plant("contact-validity", "email",
                 "e-mail address has no top-level domain (the register itself holds the typo)",
                 "the e-mail bounces; the resident never hears about the missed payment",
                 r.person_id)


def plant_sms_to_landline(f: Factory, r: Resident, row: Row) -> Plant | None:
    landline = r.contact("phone", mobile=False)
    if landline is None:
        number = f.phones.landline()
        if number is None:
            return None
        landline = ContactRec("phone", number, verified_on=f.recent())
        r.contacts.append(landline)
    for c in r.contacts:
        if c.is_mobile and c.status == "current":
            c.status = "previous"
    row["channel"], row["template"], row["phone"] = "sms", T_SMS, landline.value
    row["phone"] = landline.value
    return Plant("contact-validity", "phone", "SMS to a landline number",
                 "the text is read out by a robot voice to whoever answers the house phone",
                 r.person_id)


def plant_invalid_postcode(f: Factory, r: Resident, row: Row) -> Plant | None:
    row["postcode"] = row["postcode"][:-1]
    return Plant("contact-validity", "postcode",
                 f"postcode truncated to '{row['postcode']}' (last character lost)",
                 "Royal Mail cannot sort it; the letter is returned or mis-delivered",
                 r.person_id, also=("stale-address",))


def plant_formula(f: Factory, r: Resident, row: Row) -> Plant | None:
    row["amount_due"] = "=SUM(R2:S2)"
    return Plant("contact-validity", "amount_due",
                 "cell starts with '=' (a formula exported as text; runs when the batch is "
                 "opened in a spreadsheet)",
                 "'your Council Tax instalment of =SUM(R2:S2) has not been received'",
                 r.person_id, also=("merge-integrity",))


def plant_arrears_voicemail(f: Factory, r: Resident, row: Row) -> Plant | None:
    phone = r.best_phone()
    if phone is None:
        number = f.phones.mobile() or f.phones.landline()
        if number is None:
            return None
        phone = ContactRec("phone", number, verified_on=f.recent())
        r.contacts.append(phone)
    r.flags = [fl for fl in r.flags if fl not in ("no_voicemail", "post_only")]
    row["channel"], row["template"], row["phone"] = "voicemail", T_ARREARS_VOICEMAIL, \
        phone.value
    return Plant("voicemail-content", "template",
                 f"voicemail script '{T_ARREARS_VOICEMAIL}' says surname, 'arrears', the amount "
                 "and the account reference",
                 "anyone playing the answerphone hears that this household owes Council Tax "
                 "and how much", r.person_id)


def plant_old_surname(f: Factory, r: Resident, row: Row) -> Plant | None:
    new_surname = gendered(f.group().surname(f.rng), r.sex)
    if new_surname == r.family_name:
        return None
    old = r.family_name
    r.family_name = new_surname
    if r.sex == "F" and r.title in ("Miss", "Ms"):
        r.title = "Mrs"
    return Plant("recipient-mismatch", "last_name",
                 f"name on the row ('{row['title']} {row['first_name']} {old}') is not the "
                 f"register's ('{r.title} {r.given_name} {r.family_name}'); the batch came from "
                 "an extract taken before the change of name",
                 f"a letter to '{row['address_line_1']}', a name the council was told is no "
                 "longer used", r.person_id)


# Plants that need only one resident and their row; the benchmark cycles through them.
ROW_PLANTS: tuple[PlantFn, ...] = (
    plant_previous_address, plant_gone_away, plant_deceased, plant_previous_email,
    plant_empty_last_name, plant_na_value, plant_duplicate, plant_invalid_email,
    plant_sms_to_landline, plant_invalid_postcode, plant_formula, plant_arrears_voicemail,
    plant_old_surname,
)


def plant_other_persons_email(f: Factory, r: Resident, row: Row, other: Resident) -> Plant:
    email = other.contact("email")
    assert email is not None
    row["email"] = email.value
    set_channel(row, r, "email")
    return Plant("recipient-mismatch", "email",
                 f"e-mail address belongs to another resident ({other.person_id}): "
                 "autofill picked the wrong address",
                 f"{other.addressee} receives {r.addressee}'s Council Tax reminder",
                 r.person_id, also=("stale-contact",))


# ------------------------------------------------------------------------- templates

TEMPLATES: dict[str, str] = {
    "council-tax-reminder.letter.j2": f"""---
name: {T_LETTER}
channel: letter
audience: recipient
---
Council Tax reminder notice
Account reference: {{{{ account_ref }}}}

Dear {{{{ title }}}} {{{{ last_name }}}},

Our records show that your Council Tax instalment of {{{{ amount_due }}}} has not been
received. Please pay this amount by {{{{ due_date }}}}.

You can pay online at www.fenmarsh.example/pay, by phone on 01632 960001 (automated,
24 hours) or at any Post Office. Please quote your account reference when you pay.

If you have paid in the last few days, thank you, and please ignore this letter. If you
are finding it hard to pay, call us on {CALLBACK_NUMBER} as soon as you can: we can
often spread the cost or check whether you can get a discount.

Yours sincerely

Revenues Manager
{COUNCIL}
""",
    "council-tax-reminder.email.j2": f"""---
name: {T_EMAIL}
channel: email
audience: recipient
---
Dear {{{{ title }}}} {{{{ last_name }}}},

Your Council Tax instalment of {{{{ amount_due }}}} for account {{{{ account_ref }}}} has not
been received. Please pay by {{{{ due_date }}}} at https://www.fenmarsh.example/pay.

If you have already paid, thank you, and please ignore this e-mail. If you are finding it
hard to pay, call us on {CALLBACK_NUMBER}.

Revenues team, {COUNCIL}
This mailbox is not monitored. Please do not reply to this e-mail.
""",
    "council-tax-reminder.sms.j2": f"""---
name: {T_SMS}
channel: sms
audience: recipient
---
{COUNCIL}: your Council Tax payment of {{{{ amount_due }}}} is overdue. Please pay by \
{{{{ due_date }}}} at fenmarsh.example/pay or call {CALLBACK_NUMBER}.
""",
    "council-tax-reminder.voicemail.j2": f"""---
name: {T_VOICEMAIL}
channel: voicemail
audience: recipient
---
Hello, this is a message for {{{{ first_name }}}} from {COUNCIL}. Please call us back on \
{CALLBACK_NUMBER}, Monday to Friday, nine till five. Thank you.
""",
    # Deliberately non-compliant: used by one planted row (see README).
    "council-tax-arrears.voicemail.j2": f"""---
name: {T_ARREARS_VOICEMAIL}
channel: voicemail
audience: recipient
---
Hello {{{{ first_name }}}} {{{{ last_name }}}}, this is {COUNCIL} calling about your \
Council Tax arrears of {{{{ amount_due }}}} on account {{{{ account_ref }}}}. If this is not \
paid by {{{{ due_date }}}} we may apply to the magistrates' court for a liability order. \
Please call {CALLBACK_NUMBER}.
""",
    "council-tax-reminder-representative.letter.j2": f"""---
name: {T_REPRESENTATIVE}
channel: letter
audience: third_party
---
Council Tax reminder notice
Account reference: {{{{ account_ref }}}}

Dear {{{{ title }}}} {{{{ last_name }}}},

Council Tax for {{{{ subject_name }}}}, {{{{ subject_address }}}}

We are writing to you because our records show that you act for {{{{ subject_name }}}} in
Council Tax matters. An instalment of {{{{ amount_due }}}} on this account has not been
received. Please arrange payment by {{{{ due_date }}}}.

If you no longer act for {{{{ subject_name }}}}, please call us on {CALLBACK_NUMBER}.

Yours sincerely

Revenues Manager
{COUNCIL}
""",
    "case-update-to-other-parent.letter.j2": f"""---
name: {T_OTHER_PARENT}
channel: letter
audience: third_party
---
Council Tax Reduction: change in your household
Our reference: {{{{ account_ref }}}}

Dear {{{{ title }}}} {{{{ last_name }}}},

We have been told that {{{{ subject_name }}}} now lives at {{{{ subject_address }}}}.

This means {{{{ subject_name }}}} can no longer be counted as part of your household for
Council Tax Reduction. We will write to you separately about any change to your award.

If you think this is wrong, please contact the Benefits team on 01632 960002 within one
month, quoting the reference above.

Yours sincerely

Benefits team
{COUNCIL}
""",
}


def write_templates(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in TEMPLATES.items():
        (directory / name).write_text(text, encoding="utf-8")


# -------------------------------------------------------------------------- example


@dataclass
class Example:
    factory: Factory
    households: list[Household]
    restrictions: list[Restriction]
    rows: list[Row]
    plants: list[Plant]
    suppressed: list[tuple[str, str, str, str]]  # (rule, recipient_id, reason, expires)
    notes: list[str]  # must-not-flag rows worth knowing about


N_HOUSEHOLDS = 150


def build_example(seed: int = SEED) -> Example:
    f = Factory(seed, EXAMPLE_PROFILE)
    rng = f.rng
    households: list[Household] = []
    restrictions: list[Restriction] = []
    # Special rows: subject person_id -> (recipient, template, plant or None)
    special: dict[str, tuple[Resident, str, Plant | None]] = {}
    notes: list[str] = []
    state: dict[str, Resident] = {}
    old_home: dict[str, Dwelling] = {}

    def add(h: Household) -> Household:
        households.append(h)
        return h

    def adult(h: Household, index: int = 0) -> Resident:
        return [r for r in h.residents if r.age(f.today) >= 18][index]

    def relative_nearby() -> Resident:
        """An unremarkable adult from a recent household (a relative a few doors away)."""
        taken = {id(r) for r in state.values()}
        for h in reversed(households[:-3]):
            for r in h.residents:
                if not r.hold and not r.flags and r.age(f.today) >= 25 and id(r) not in taken:
                    state[f"helper{len(state)}"] = r
                    return r
        raise RuntimeError("no relative found")

    for i in range(N_HOUSEHOLDS):
        if i == 8:  # DA family 1, part 1: the ex-partner stays in the old family home
            home = f.dwellings.next()
            old_home["da1"] = home
            x1 = add(f.household("single", dwelling=home, sex="M")).residents[0]
            x1.hold = "receives only the planted case update in this run"
            state["x1"] = x1
        elif i == 62:  # DA family 1, part 2: victim and child, new (confidential) address
            group = f.group()
            v1 = f.person(group, "F", rng.randint(26, 40))
            c1 = f.person(group, "M", rng.randint(5, 9), family_name=v1.family_name)
            c1.hold = "child"
            x1 = state["x1"]
            for r in (v1, c1):
                f.give_contacts(r)
                r.household = 1000 + i
            moved = f.days_ago(150, 190)
            x1_since = x1.addresses[-1].valid_from or f.days_ago(3000, 4000)
            for r in (v1, c1):
                r.addresses.append(AddressRec(old_home["da1"].lines, old_home["da1"].postcode,
                                              "previous", max(x1_since, r.date_of_birth),
                                              moved - dt.timedelta(days=1),
                                              max(x1_since, r.date_of_birth)))
            f.move_in([v1, c1], f.dwellings.next(), moved_in=moved, history=False)
            eighteenth = eighteenth_birthday(c1.date_of_birth)
            add(Household([v1, c1], [
                Representative(c1.person_id, v1.person_id, "parental_responsibility",
                               eighteenth),
                Representative(c1.person_id, x1.person_id, "parental_responsibility",
                               eighteenth)]))
            restrictions += [
                Restriction(v1.person_id, "confidential_address", "",
                            "Domestic abuse: moved via refuge; MARAC case FDC-DA-0412"),
                Restriction(c1.person_id, "confidential_address", "",
                            "Lives with parent at confidential address (see mother's record)"),
                Restriction(v1.person_id, "do_not_disclose_to", x1.person_id,
                            "Non-molestation order 2026-06-12: do not disclose whereabouts"),
            ]
            da_plant = Plant(
                "protected-address", "subject_address",
                f"third-party letter to the child's father ({x1.person_id}, named in a "
                f"do_not_disclose_to restriction on the mother {v1.person_id}) prints the "
                "child's address, which is the mother's new confidential address",
                f"{x1.addressee} reads that his son now lives at {v1.addresses[-1].lines[0]}",
                x1.person_id)
            special[c1.person_id] = (x1, T_OTHER_PARENT, da_plant)
            state["v1"] = v1
            notes.append(f"{x1.person_id} holds parental responsibility for {c1.person_id}, so "
                         "recipient-mismatch must NOT fire on the protected-address row: the "
                         "breach is the mother's address, not the representative link")
        elif i == 20:  # DA family 2, part 1
            home = f.dwellings.next()
            old_home["da2"] = home
            state["x2"] = add(f.household("single", dwelling=home, sex="M")).residents[0]
        elif i == 84:  # DA family 2, part 2: victim in Flat 2 of a block, neighbours around
            flat1 = f.dwellings.next_flat_building(3)
            flat2 = f.dwellings.next(occupied=False)
            flat3 = f.dwellings.next(occupied=False)
            add(f.household("single", dwelling=flat1))
            group = f.group()
            v2 = f.person(group, "F", rng.randint(30, 55))
            v2.household = 1000 + i
            f.give_contacts(v2)
            x2 = state["x2"]
            moved = f.days_ago(90, 120)
            v2.addresses.append(AddressRec(old_home["da2"].lines, old_home["da2"].postcode,
                                           "previous", f.days_ago(3000, 5000),
                                           moved - dt.timedelta(days=1), f.days_ago(2000, 2900)))
            f.move_in([v2], flat2, moved_in=moved, history=False)
            add(Household([v2]))
            add(f.household("single", dwelling=flat3))
            restrictions += [
                Restriction(v2.person_id, "confidential_address", "",
                            "Domestic abuse: Sanctuary scheme; address withheld"),
                Restriction(v2.person_id, "do_not_disclose_to", x2.person_id,
                            "Ex-partner; police advice 2026-08: no contact, no whereabouts"),
            ]
            state["v2"] = v2
        elif i == 104:  # a confidential address with no named ex-partner
            h = add(f.household("single"))
            restrictions.append(Restriction(h.residents[0].person_id, "confidential_address",
                                            "", "Witness in criminal proceedings: police "
                                            "request, review 2027-04"))
            state["v3"] = h.residents[0]
        elif i == 40:  # mother and child; her ex-partner (not the father) lives elsewhere
            h = add(f.household("single_parent"))
            state["m3"] = adult(h)
            state["c3"] = next(r for r in h.residents if r.hold == "child")
        elif i == 72:
            x3 = add(f.household("single", sex="M")).residents[0]
            x3.hold = "receives only the planted case update in this run"
            c3 = state["c3"]
            child_plant = Plant(
                "recipient-mismatch", "recipient_id",
                f"letter about a child ({c3.person_id}) sent to the mother's former partner "
                f"({x3.person_id}), who has no parental responsibility or other "
                "representative link to the child",
                f"{x3.addressee} is told where a child he has no legal link to now lives",
                x3.person_id)
            special[c3.person_id] = (x3, T_OTHER_PARENT, child_plant)
        elif i in (14, 48):  # separated parents, both with parental responsibility (clean)
            h = add(f.household("single_parent"))
            state[f"sp{i}"] = adult(h)
            state[f"spc{i}"] = next(r for r in h.residents if r.hold == "child")
        elif i in (44, 78):  # ... and the other parent, elsewhere in the district
            j = 14 if i == 44 else 48
            child = state[f"spc{j}"]
            other = f.person(f.group(), "M", child.age(f.today) + rng.randint(24, 32))
            other.household = 1000 + i
            f.give_contacts(other)
            f.move_in([other], f.dwellings.next())
            other.hold = "receives the case update about his child instead"
            eighteenth = eighteenth_birthday(child.date_of_birth)
            add(Household([other], [Representative(child.person_id, other.person_id,
                                                   "parental_responsibility", eighteenth)]))
            special[child.person_id] = (other, T_OTHER_PARENT, None)
            notes.append(f"case update about {child.person_id} to {other.person_id}: other "
                         "parent with parental responsibility, no restrictions (clean)")
        elif i in (26, 56, 92):  # elderly residents whose affairs go through an appointee/LPA
            h = add(f.household("elderly"))
            subject = h.residents[0]
            subject.flags = [fl for fl in subject.flags if fl != "large_print"] + \
                ["via_representative"]
            for r in h.residents[1:]:
                if not r.hold:
                    r.hold = "household member of a via_representative subject (not liable)"
            subject.hold = "via_representative: the reminder goes to the representative"
            helper = relative_nearby()
            scope = "appointee" if i != 56 else "lasting_power_of_attorney"
            h.representatives.append(Representative(subject.person_id, helper.person_id,
                                                    scope, None))
            helper.hold = helper.hold or "receives the representative letter instead"
            special[subject.person_id] = (helper, T_REPRESENTATIVE, None)
        elif i == 110:  # a solicitor acting for a resident
            firm = f.dwellings.next()
            solicitor = f.person(NAME_GROUPS[6], "F", 46)
            solicitor.title = "Ms"
            solicitor.given_name, solicitor.family_name = "Rukhsana", "Chaudhry"
            solicitor.household = 1000 + i
            solicitor.contacts.append(ContactRec("email", "r.chaudhry@chaudhry-law.example",
                                                 verified_on=f.recent()))
            solicitor.addresses.append(AddressRec(("Chaudhry & Co Solicitors", *firm.lines),
                                                  firm.postcode, "current",
                                                  f.days_ago(2000, 3000), None, f.recent()))
            solicitor.hold = "professional representative only"
            client = add(f.household("single")).residents[0]
            client.flags.append("via_representative")
            client.hold = "via_representative"
            households.append(Household([solicitor], [Representative(
                client.person_id, solicitor.person_id, "solicitor", dt.date(2027, 6, 30))]))
            special[client.person_id] = (solicitor, T_REPRESENTATIVE, None)
        elif i == 33:  # an appointee whose appointment ended: person now deals directly
            h = add(f.household("single"))
            helper = relative_nearby()
            h.representatives.append(Representative(h.residents[0].person_id, helper.person_id,
                                                    "appointee", dt.date(2025, 3, 31)))
            notes.append(f"{h.residents[0].person_id} had an appointee until 2025-03-31; the "
                         "link has expired and they get their own reminder (clean)")
        else:
            add(f.household())

    people = {r.person_id: r for h in households for r in h.residents}
    involved = {rep.person_id for h in households for rep in h.representatives
                if rep.scope != "parental_responsibility"} | \
        {rep.representative_id for h in households for rep in h.representatives
         if rep.scope != "parental_responsibility"} | \
        {res.person_id for res in restrictions} | \
        {res.other_person_id for res in restrictions} | \
        {r.person_id for r, _, _ in special.values()} | \
        {r.person_id for r in state.values()}

    # A few people the run must leave alone (not in the batch).
    adults_pool = [r for h in households for r in h.residents if not r.hold and
                   r.age(f.today) >= 18 and r.person_id not in involved]
    rng.shuffle(adults_pool)
    for r in adults_pool[:2]:
        r.status, r.hold = "deceased", "deceased"
    for r in adults_pool[2:3]:
        current = r.address()
        assert current is not None
        current.status, r.hold = "gone_away", "gone away"
    for r in adults_pool[3:5]:
        current = r.address()
        assert current is not None
        current.verified_on = f.days_ago(420, 700)
        r.hold = "current address unverified for over a year: held back for checking"


    # Rows, in household order.
    rows: list[Row] = []
    row_of: dict[str, Row] = {}
    plants: list[Plant] = []
    plant_rows: list[tuple[Plant, Row]] = []
    for h in households:
        for r in h.residents:
            if r.person_id in special:
                recipient, template, special_plant = special[r.person_id]
                prefix = "CTR" if template == T_OTHER_PARENT else "CT"
                row = batch_row(f, recipient, template=template, subject=r,
                                account_ref=f.next_account(prefix))
                if template == T_OTHER_PARENT:
                    row["amount_due"] = row["due_date"] = ""
                rows.append(row)
                if special_plant:
                    plant_rows.append((special_plant, row))
            elif not r.hold:
                row = batch_row(f, r)
                rows.append(row)
                row_of[r.person_id] = row

    def moved_recently(r: Resident) -> bool:
        current = r.address()
        return bool(current and current.valid_from and
                    (f.today - current.valid_from).days < 1000)

    def ordinary(r: Resident) -> bool:
        return (not r.flags and r.person_id not in involved and r.status == "active"
                and r.person_id in row_of)

    # The suppressed one: address unverified for 500 days, but confirmed another way.
    candidates = [people[pid] for pid in row_of if ordinary(people[pid])]
    suppressed_person = candidates[len(candidates) // 3]
    current = suppressed_person.address()
    assert current is not None
    current.verified_on = REFERENCE_DATE - dt.timedelta(days=500)
    suppressed: list[tuple[str, str, str, str]] = [(
        "stale-address", suppressed_person.person_id,
        "Tenancy confirmed by Housing Options 2026-10-14; register update pending "
        "(ticket FDC-2211)", "2027-03-31")]
    used_households = {suppressed_person.household}

    # Row-local plants, spread across the batch, one per household.
    plan: list[tuple[str, PlantFn | None, Callable[[Resident], bool]]] = [
        ("previous_address", plant_previous_address, lambda r: moved_recently(r)),
        ("gone_away", plant_gone_away, lambda r: len(
            [p for p in people.values() if p.household == r.household]) == 1),
        ("deceased", plant_deceased, lambda r: r.age(f.today) >= 60),
        ("previous_email", plant_previous_email, lambda r: r.contact("email") is not None),
        ("empty_last_name", plant_empty_last_name, lambda r: r.title == "Mrs"),
        ("na_value", plant_na_value, lambda r: True),
        ("duplicate", plant_duplicate, lambda r: True),
        ("invalid_email", plant_invalid_email, lambda r: r.contact("email") is not None),
        ("sms_to_landline", plant_sms_to_landline,
         lambda r: r.contact("phone", mobile=False) is not None),
        ("invalid_postcode", plant_invalid_postcode, lambda r: True),
        ("formula", plant_formula, lambda r: True),
        ("arrears_voicemail", plant_arrears_voicemail, lambda r: r.best_phone() is not None),
        ("old_surname", plant_old_surname, lambda r: r.sex == "F" and r.title in ("Miss", "Ms")),
        ("other_email", None, lambda r: r.contact("email") is not None),
    ]
    rng.shuffle(plan)
    candidates = [people[pid] for pid in row_of if ordinary(people[pid])]
    segment = len(candidates) // len(plan)
    with_email = [p for p in candidates if p.contact("email")]
    for k, (_, fn, suits) in enumerate(plan):
        pool = candidates[k * segment:(k + 1) * segment]
        rng.shuffle(pool)
        target = next(p for p in [*pool, *candidates]
                      if suits(p) and p.household not in used_households)
        used_households.add(target.household)
        row = row_of[target.person_id]
        if fn is None:
            local = target.contact("email")
            assert local is not None
            others = [o for o in with_email if o.household not in used_households]
            same_initial = [o for o in others if o.given_name[0] == target.given_name[0]]
            other = (same_initial or others)[0]
            used_households.add(other.household)
            planted: Plant | None = plant_other_persons_email(f, target, row, other)
        else:
            planted = fn(f, target, row)
        assert planted is not None
        plant_rows.append((planted, row))
    planted_ids = {p.recipient_id for p, _ in plant_rows}

    # Clean non-letter channels and harmless spelling differences on untouched rows.
    clean = [people[pid] for pid in row_of if ordinary(people[pid]) and
             pid not in planted_ids and people[pid].household not in used_households]
    rng.shuffle(clean)
    wanted = {"email": 18, "sms": 9, "voicemail": 5}
    expired_target: Resident | None = None
    for r in clean:
        if wanted["email"] and r.contact("email"):
            set_channel(row_of[r.person_id], r, "email")
            wanted["email"] -= 1
            expired_target = expired_target or r
        elif wanted["sms"] and r.contact("phone", mobile=True):
            set_channel(row_of[r.person_id], r, "sms")
            wanted["sms"] -= 1
        elif wanted["voicemail"] and r.best_phone():
            set_channel(row_of[r.person_id], r, "voicemail")
            wanted["voicemail"] -= 1
    assert expired_target is not None
    suppressed.append(("stale-contact", expired_target.person_id,
                       "E-mail re-confirmed by phone 2026-01-12; register update pending",
                       "2026-06-30"))
    variants = 0
    for r in clean:
        row = row_of[r.person_id]
        if variants < 7 and row["channel"] == "letter" and r is not expired_target:
            change = harmless_variant(row, upper_first=variants % 3 == 2)
            if change:
                notes.append(f"{r.person_id}: {change} (same address: must NOT be flagged)")
                variants += 1

    # Duplicates are written twice, right after each other.
    final: list[Row] = []
    by_row = {id(row): plant for plant, row in plant_rows}
    for row in rows:
        final.append(row)
        dup = by_row.get(id(row))
        if dup is not None and dup.emit_twice:
            final.append(dict(row))
    for p, row in plant_rows:
        index = next(i for i, r in enumerate(final) if r is row)
        p.row = index + 2 + (1 if p.emit_twice else 0)
        plants.append(p)
    plants.sort(key=lambda p: p.row)

    # Near misses worth testing against.
    for key in ("v1", "v2"):
        victim = state[key]
        safe_home = victim.address()
        assert safe_home is not None
        building = safe_home.lines[0].partition(", ")[2] or safe_home.lines[0]
        same_building: list[str] = []
        same_postcode = 0
        for n, row in enumerate(final, start=2):
            if row["postcode"] != safe_home.postcode or row["recipient_id"] == victim.person_id:
                continue
            if row["subject_id"] != row["recipient_id"]:
                continue
            if building in row["address_line_2"] and row["address_line_2"] != safe_home.lines[0]:
                same_building.append(f"row {n} ({row['address_line_2']})")
            else:
                same_postcode += 1
        notes.append(f"{victim.person_id}'s confidential address is {safe_home.lines[0]}, "
                     f"{safe_home.postcode}. Neighbours' own letters in the same building: "
                     f"{', '.join(same_building) or 'none'}; {same_postcode} more rows share "
                     "the postcode. None of them may be flagged: house and flat numbers "
                     "compare exactly")
    for key in ("v1", "v2", "v3"):
        notes.append(f"{state[key].person_id} has a confidential address and gets their own "
                     "reminder at it (must NOT be flagged)")
    notes.append(f"{state['x2'].person_id} is named in a do_not_disclose_to restriction and "
                 "gets his own ordinary reminder, which says nothing about anyone else (clean)")
    return Example(f, households, restrictions, final, plants, suppressed, notes)


def write_register(example: Example, directory: Path) -> None:
    residents = sorted((r for h in example.households for r in h.residents),
                       key=lambda r: r.person_id)
    with RegisterWriter(directory) as out:
        for r in residents:
            out.resident(r)
        for h in example.households:
            for rep in h.representatives:
                out.representative(rep)
        for res in example.restrictions:
            out.restriction(res)


def policy_yaml(suppressions: Sequence[tuple[str, str, str, str]], *,
                header: str = "Generated by examples/generate.py: edit the generator, not "
                              "this file.") -> str:
    lines = [
        f"# policylint policy for {COUNCIL}'s outgoing correspondence run.",
        f"# {header}",
        "version: 1",
        "extends: [uk-local-gov]",
        "register: ./register",
        "fields:",
        "  reference: [account_ref]",
        "templates:",
        "  - {path: templates/*.j2}",
        "rules:",
        "  stale-address: {severity: error, max_age_days: 365}",
        "  stale-contact: {severity: error, max_age_days: 365}",
        "  # The example uses Ofcom drama-range numbers (07700 900xxx, 01632 960xxx),",
        "  # which are never allocated to a real person.",
        "  contact-validity: {allow_drama_numbers: true}",
        "  voicemail-content:",
        "    allowed_fields: [first_name]",
        "    sensitive_terms: [arrears, liability order, bailiff, enforcement agent, summons,",
        "                      court, refuge]",
        "  handling-flags: {severity: warning}",
    ]
    if suppressions:
        lines.append("suppressions:")
        for rule, pid, reason, expires in suppressions:
            lines += [f"  - rule: {rule}", f'    recipient_id: "{pid}"',
                      f'    reason: "{reason}"', f"    expires: {expires}"]
    return "\n".join(lines) + "\n"


def readme(example: Example) -> str:
    n_people = sum(len(h.residents) for h in example.households)
    channels: dict[str, int] = {}
    for row in example.rows:
        channels[row["channel"]] = channels.get(row["channel"], 0) + 1
    chan = ", ".join(f"{n} {c}" for c, n in sorted(channels.items(), key=lambda kv: -kv[1]))
    table = ["| Row | Recipient | Column | Rule | May also fire | What a case worker would see |",
             "|---:|---|---|---|---|---|"]
    for p in example.plants:
        also = ", ".join(p.also) or ""
        table.append(f"| {p.row} | {p.recipient_id} | `{p.column}` | **{p.rule}** | {also} | "
                     f"{p.seen}. *({p.problem})* |")
    (s_rule, s_pid, s_reason, s_exp), (e_rule, e_pid, _, e_exp) = example.suppressed
    s_row = next(i + 2 for i, r in enumerate(example.rows) if r["recipient_id"] == s_pid)
    e_row = next(i + 2 for i, r in enumerate(example.rows) if r["recipient_id"] == e_pid)
    notes = "\n".join(f"- {n}" for n in example.notes)
    return f"""# Example: {COUNCIL}'s Council Tax reminder run

A realistic (and entirely fictional) mailing for policylint to check: the weekly
correspondence run of a district council's Revenues & Benefits service, mostly
Council Tax reminders, with a few letters to representatives and Council Tax
Reduction case updates to the other parent of a child.

- `batch.csv`: {len(example.rows)} outgoing items ({chan}), one per row, saved the
  way Excel saves "CSV UTF-8" (BOM, CRLF). Header is row 1.
- `register/`: the council's system of record (DESIGN §1): `people.csv`
  ({n_people} people), `addresses.csv`, `contacts.csv`, `restrictions.csv`,
  `representatives.csv`.
- `templates/`: Jinja2 templates with YAML front matter; the batch's `template`
  column holds their `name`.
- `policylint.yaml`: the policy (`extends: [uk-local-gov]`, field mapping, rule
  options, two suppressions).
- `planted.json`: the planted problems below, machine-readable, for end-to-end tests.
- `generate.py`: writes every file here, deterministically (fixed seed, reference
  date {REFERENCE_DATE}).

Run it:

```
policylint check examples/batch.csv --policy examples/policylint.yaml
```

Regenerate (overwrites everything listed above except `generate.py`):

```
python examples/generate.py
```

Everything is fictional. Postcodes use the districts PE39-PE42, which do not exist;
e-mail domains are reserved example domains; every phone number is in one of Ofcom's
drama ranges (07700 900xxx, 01632 960xxx, ...), which are never given to a real
line, so the policy sets `contact-validity: {{allow_drama_numbers: true}}`.

## Planted problems

Every other row is clean and consistent with the register. Rows are numbered as a
spreadsheet shows them (header = row 1).

{chr(10).join(table)}

The template `templates/council-tax-arrears.voicemail.j2` is itself non-compliant
(surname, amount, account reference and "arrears" in a voicemail script), so
`policylint check` on the templates alone also reports **voicemail-content** there.

## Suppressions

- Row {s_row} ({s_pid}): the current address was last verified over a year ago, so
  **{s_rule}** would fire; it is suppressed until {s_exp} ("{s_reason}"). No finding.
- Row {e_row} ({e_pid}): a suppression of **{e_rule}** that expired on {e_exp}. The row
  itself is clean; policylint reports the expired suppression as a finding.

## Clean rows worth knowing about

These must **not** be flagged; they are the near misses a careless rule would trip on.

{notes}
- Households: several people at one address, each with their own row and account.
- Flats in the same building ("Flat 1, 10 High Street" vs "Flat 2, 10 High Street")
  are different addresses: numbers compare exactly.
- People flagged `large_print`, children, the deceased, gone-away people and people
  whose address is unverified are in the register but not in this run (the council
  sends large print separately and holds the others back).
"""


def main() -> None:
    here = Path(__file__).resolve().parent
    example = build_example()
    write_register(example, here / "register")
    with BatchWriter(here / "batch.csv") as out:
        for row in example.rows:
            out.write(row)
    write_templates(here / "templates")
    (here / "policylint.yaml").write_text(policy_yaml(example.suppressed), encoding="utf-8")
    (here / "planted.json").write_text(
        json.dumps([p.as_dict() for p in example.plants], indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    (here / "README.md").write_text(readme(example), encoding="utf-8")
    n_people = sum(len(h.residents) for h in example.households)
    print(f"wrote {n_people} people, {len(example.rows)} rows, {len(example.plants)} planted "
          f"problems to {here}")


if __name__ == "__main__":
    main()
