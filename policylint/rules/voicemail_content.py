"""voicemail-content: a voicemail script saying more than the policy allows, or left on a
number that may no longer be the person's."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import ahocorasick

from policylint.engine.rule import Case, Example, Item, Need, Rule, RunContext
from policylint.io.register.base import Contact, Person, Register
from policylint.io.templates import Template, split_front_matter
from policylint.model import Personal, PersonalKind, Severity, Violation
from policylint.normalise.address import (
    ADDRESSEE_TITLES,
    OCCUPIER_LINES,
    address_fingerprints,
    normalise_address_text,
)
from policylint.normalise.contact import contact_key, phone_key
from policylint.normalise.names import name_tokens
from policylint.normalise.postcode import normalise_postcode, postcode_spans
from policylint.rules._protected_index import anchor_of, gate_fold
from policylint.rules._sensitive_terms import (
    CATEGORY_ABOUT,
    DEFAULT_ALLOWED_PHRASES,
    POLICY_CATEGORY,
    default_terms,
)

DEFAULT_ALLOWED_FIELDS = ("first_name", "organisation", "callback_number")
# Allowed fields that hold a first name: the script may say them, but a surname
# inside one (a full name merged into first_name) is still reported.
GIVEN_NAME_FIELDS = frozenset({
    "first_name", "given_name", "forename", "forenames", "first_names", "preferred_name",
    "known_as",
})
# Batch columns that may hold the person's date of birth.
DOB_COLUMNS = ("date_of_birth", "dob", "birth_date", "birthdate")
# Surname particles never searched for on their own ("de" of "de la Cruz").
NAME_PARTICLES = frozenset({
    "de", "la", "le", "du", "da", "di", "del", "della", "van", "von", "der", "den", "ten",
    "ter", "st", "san", "bin", "binti", "al", "el", "mac", "mc", "ap", "ab",
})

# Order in which overlapping findings win (lower first): an NHS number inside a
# reference is reported as the reference; a sensitive word inside an address as
# the address.
_PRIORITY = {
    "reference": 0, "nhs-number": 1, "ni-number": 2, "date-of-birth": 3, "address": 4,
    "surname": 5, "amount": 6, "long-number": 7, "sensitive-term": 8,
}

# --- patterns ------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+")
# National Insurance number: HMRC's prefix rules (first letter not D F I Q U V,
# second not D F I O Q U V, never BG GB KN NK NT TN ZZ), six digits, suffix A-D.
_NI_RE = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)"
    r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ \u00a0]?"
    r"[0-9]{2}[ \u00a0]?[0-9]{2}[ \u00a0]?[0-9]{2}(?:[ \u00a0]?[A-D])?"
    r"(?![A-Za-z0-9])"
)
# Money: £12.50, £ 1,200, GBP 40, $5, 12.50 GBP, 412 pounds, 80 quid, 50p, 75 pence.
# Each number is found first, then what is written before or after it.
_MONEY_NUMBER_RE = re.compile(
    r"(?<![0-9.,])(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?(?![0-9])")
_MONEY_BEFORE_RE = re.compile(r"(?:£|\$|€|\bGBP|\bEUR|\bUSD)[ \u00a0]?\Z", re.IGNORECASE)
_MONEY_AFTER_RE = re.compile(
    r"[ \u00a0]?(?:GBP|pounds?|quid|pence|sterling)\b|p\b(?!\.?m\b)", re.IGNORECASE)
_MONEY_SCALE_RE = re.compile(r"[ \u00a0]?(?:k|m|bn)\b", re.IGNORECASE)
# Dates that are not the person's date of birth: kept out of long-number
# (``2026-12-01`` is a date, not an eight-digit number).
_DATE_RE = re.compile(
    r"(?<![0-9])(?:[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}|[0-9]{1,2}[-/.][0-9]{1,2}[-/.]"
    r"(?:[0-9]{4}|[0-9]{2}))(?![0-9])"
)
# A run of digits, possibly broken by spaces, hyphens or brackets ("01632 960000",
# "943-476-5919", "+44 (0)1632 960000").
_DIGIT_RUN_RE = re.compile(r"[0-9]+(?:[ \u00a0\-\u2010\u2011\u2013\u2014()]{1,3}[0-9]+)*")
_NON_DIGIT_RE = re.compile(r"[^0-9]")
_DIGITS_RE = re.compile(r"[0-9]+")
# Template tags: comments are dropped; in {{ }} and {% %} only string literals are text.
_TAG_RE = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_STRING_RE = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", re.DOTALL)

# Text as the term automaton sees it: lower case, one kind of apostrophe and
# hyphen, whitespace as single spaces (length-preserving until collapsed).
_TERM_TABLE = str.maketrans({
    "\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'",
    "\u2010": "-", "\u2011": "-", "\u2013": "-", "\u2014": "-",
    "\n": " ", "\r": " ", "\t": " ", "\u00a0": " ",
})
_TERM_TABLE_CHARS = "".join(map(chr, _TERM_TABLE))
_NEEDS_COLLAPSE_RE = re.compile(r"[^\S ]| {2}")
_APOSTROPHE_CHARS = "'’‘`´ʼ"
_APOSTROPHES = dict.fromkeys(map(ord, _APOSTROPHE_CHARS), None)
_LETTERS_RE = re.compile(r"[a-z]+")

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y",
                 "%B %d %Y", "%d/%m/%y", "%Y/%m/%d")
_STATUS_ORDER = {"current": 0, "previous": 1, "invalid": 2}


# --- text views ----------------------------------------------------------------------

@functools.lru_cache(maxsize=65536)
def _fold(token: str) -> str:
    """A word as names and references are compared: lower case, no accents."""
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFKD", token)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("ß", "ss").replace("ø", "o").replace("Ø", "o")
    return "".join(c for c in stripped.casefold() if c.isalnum())


@functools.lru_cache(maxsize=1 << 14)
def _compact(text: str) -> str:
    """Letters and digits only, folded: how a name or reference is searched for."""
    if any(apostrophe in text for apostrophe in _APOSTROPHE_CHARS):
        text = text.translate(_APOSTROPHES)
    return "".join(_fold(m.group()) for m in _WORD_RE.finditer(text))


@dataclass
class _Text:
    """A text split into words, searchable on word boundaries whatever the spacing.

    ``compact`` is every word folded and run together, so ``O'Brien``,
    ``OBrien`` and ``o brien`` are the same, and ``HB/2024/0071`` is
    ``HB 2024 0071``; a match must start and end on word boundaries.
    ``spaced`` is the folded words with single spaces (for sequences such as
    dates, where the words must stay apart). ``offsets[i]`` is where word ``i``
    starts in ``compact`` (and ``offsets[i] + i + 1`` where it starts in ``spaced``).
    """

    text: str
    starts: list[int]
    ends: list[int]
    words: list[str]
    offsets: list[int]
    compact: str
    spaced: str

    @classmethod
    def of(cls, text: str) -> _Text:
        if text.isascii():
            matches = list(_WORD_RE.finditer(text.lower()))
            words = [m.group() for m in matches]
        else:
            matches = []
            words = []
            for match in _WORD_RE.finditer(text):
                word = match.group()
                word = word.lower() if word.isascii() else _fold(word)  # as _fold does
                if word:
                    matches.append(match)
                    words.append(word)
        return cls(
            text=text,
            starts=[m.start() for m in matches],
            ends=[m.end() for m in matches],
            words=words,
            offsets=list(itertools.accumulate((len(w) for w in words), initial=0)),
            compact="".join(words),
            spaced=" " + " ".join(words) + " ",
        )

    @functools.cached_property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.words)

    @functools.cached_property
    def numbers(self) -> frozenset[str]:
        """Every run of digits in the text."""
        return frozenset(_DIGITS_RE.findall(self.text))

    def _word_at(self, position: int) -> int | None:
        """The word starting at ``position`` of ``compact`` (or ending there, as the
        word before the next), or None inside a word."""
        index = bisect.bisect_left(self.offsets, position)
        if index < len(self.offsets) and self.offsets[index] == position:
            return index
        return None

    def find_compact(self, needle: str) -> list[tuple[int, int]]:
        """Spans (in ``text``) where ``needle`` (compact, folded) starts and ends on words."""
        spans: list[tuple[int, int]] = []
        if not needle:
            return spans
        position = self.compact.find(needle)
        while position >= 0:
            first = self._word_at(position)
            after = self._word_at(position + len(needle)) if first is not None else None
            if first is not None and after is not None:
                spans.append((self.starts[first], self.ends[after - 1]))
            position = self.compact.find(needle, position + 1)
        return spans

    def find_words(self, needle: str) -> list[tuple[int, int]]:
        """Spans where the space-separated folded words of ``needle`` appear in order."""
        spans: list[tuple[int, int]] = []
        count = needle.count(" ") + 1
        position = self.spaced.find(f" {needle} ")
        while position >= 0:
            # the word starting at spaced offset position + 1 has i words and spaces before it
            first = self.spaced.count(" ", 0, position + 1) - 1
            spans.append((self.starts[first], self.ends[first + count - 1]))
            position = self.spaced.find(f" {needle} ", position + 1)
        return spans

    def words_in(self, start: int, end: int) -> str:
        """The folded words inside ``text[start:end]``, space-separated."""
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_right(self.ends, end)
        return " ".join(self.words[first:last])

    def count_words(self, needle: str) -> int:
        return self.spaced.count(f" {needle} ") if needle else 0


def _term_view(text: str) -> tuple[str, list[int] | None]:
    """(text as the term automaton sees it, map from its offsets to ``text``'s, or None
    when the offsets are the same)."""
    # A translate costs far more than looking for the few characters it replaces.
    translated = text.translate(_TERM_TABLE) if any(
        c in text for c in _TERM_TABLE_CHARS) else text
    lowered = translated.lower()
    if len(lowered) != len(translated):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in translated)
    if not _NEEDS_COLLAPSE_RE.search(lowered):
        return lowered, None
    out: list[str] = []
    index: list[int] = []
    previous_space = False
    for position, char in enumerate(lowered):
        if char.isspace():
            if previous_space:
                continue
            previous_space = True
            out.append(" ")
        else:
            previous_space = False
            out.append(char)
        index.append(position)
    return "".join(out), index


def _term_key(term: str) -> str:
    view, _ = _term_view(term.strip())
    return view.strip()


def _term_variants(term: str) -> set[str]:
    """Spellings of a term: hyphen or space, with or without an apostrophe."""
    key = _term_key(term)
    variants = {key, key.replace("-", " "), key.replace(" ", "-") if " " in key else key}
    variants |= {v.replace("'", "") for v in variants}
    return {v for v in variants if v}


# --- small helpers -----------------------------------------------------------------

def nhs_number_valid(digits: str) -> bool:
    """True for ten digits whose last is the NHS modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


@functools.lru_cache(maxsize=65536)
def _dob_needles(day: dt.date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(word sequences, single words) that spell ``day`` the ways people write a date."""
    days = (str(day.day), f"{day.day:02d}")
    spoken_days = (*days, f"{day.day}{_ordinal(day.day)}")
    months = (str(day.month), f"{day.month:02d}")
    month_name = _MONTHS[day.month - 1]
    names = {month_name, month_name[:3]} | ({"sept"} if day.month == 9 else set())
    year = f"{day.year:04d}"
    years = (year, year[2:])
    sequences: set[str] = set()
    for d in days:
        for m in months:
            for y in years:
                sequences.add(f"{d} {m} {y}")
            sequences.add(f"{year} {m} {d}")
    for d in spoken_days:
        for name in names:
            for y in years:
                sequences.update({f"{d} {name} {y}", f"{d} of {name} {y}", f"{name} {d} {y}",
                                  f"the {d} of {name} {y}"})
    singles = (f"{day.day:02d}{day.month:02d}{year}", f"{year}{day.month:02d}{day.day:02d}",
               f"{day.day:02d}{day.month:02d}{year[2:]}")
    return tuple(sorted(sequences, key=len, reverse=True)), singles


@functools.lru_cache(maxsize=65536)
def _parse_date(text: str) -> dt.date | None:
    cleaned = " ".join(text.replace(",", " ").split())
    cleaned = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", cleaned, flags=re.IGNORECASE)
    if not cleaned:
        return None
    iso = re.match(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", cleaned)
    if iso:
        cleaned = iso.group(1)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


@functools.lru_cache(maxsize=4096)
def _number_forms(value: str) -> frozenset[str]:
    """Digit strings a phone number may be read out as: as written, national, +44."""
    forms = set()
    digits = _NON_DIGIT_RE.sub("", value)
    if len(digits) >= 6:
        forms.add(digits)
    key = phone_key(value) if digits else ""
    if key.startswith("+44"):
        forms.update({"44" + key[3:], "0" + key[3:]})
    elif key:
        forms.add(key[1:])
    return frozenset(f for f in forms if len(f) >= 6)


def _where(text: str, start: int, end: int) -> tuple[int, int, str]:
    """(line, column, 'at line L, characters A–B of the script') for a span, 1-based."""
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    last = max(start, end - 1)
    end_line = text.count("\n", 0, last) + 1
    end_col = last - (text.rfind("\n", 0, last) + 1) + 1
    if end_line == line:
        where = (f"at line {line}, character {col} of the script" if end_col == col else
                 f"at line {line}, characters {col}–{end_col} of the script")
    else:
        where = (f"from line {line}, character {col} to line {end_line}, character"
                 f" {end_col} of the script")
    return line, col, where


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _literal_text(template: Template) -> str:
    """The template body with every tag blanked (same length, same line breaks), keeping
    string literals inside tags: the words every recipient hears."""
    _, body, _ = split_front_matter(template.source)

    def blank(match: re.Match[str]) -> str:
        tag = match.group()
        out = ["\n" if c == "\n" else " " for c in tag]
        if not tag.startswith("{#"):
            for literal in _STRING_RE.finditer(tag):
                inner = literal.group()[1:-1]
                out[literal.start() + 1:literal.end() - 1] = list(inner)
        return "".join(out)

    return _TAG_RE.sub(blank, body)


def _person_label(person: Person) -> Personal:
    name = " ".join(p for p in (person.title, person.given_name, person.family_name) if p)
    if name:
        return Personal(PersonalKind.NAME, name)
    return Personal(PersonalKind.IDENTIFIER, person.person_id)


@dataclass(frozen=True)
class _Hit:
    """Something in the script the policy does not allow, before it becomes a Violation."""

    code: str
    start: int
    end: int
    message: str
    value: Personal | None = None
    facts: Mapping[str, object] = field(default_factory=dict)
    column: str | None = None


@dataclass(frozen=True)
class _Term:
    term: str
    about: str
    allow: bool  # an allowed phrase: hits inside it are not reported


# --- messages --------------------------------------------------------------------------

_SURNAME = ("The voicemail says {what} {value} {where}. Whoever hears the message learns who"
            " it is for: say the first name only, and take the surname out of the script.")
_ADDRESS = ("The voicemail says {what} {value} {where}. Anyone with the phone would hear where"
            " the person lives: take the address out of the script.")
_NHS = ("The voicemail reads out an NHS number {value} {where}. Never leave an identifier on"
        " a voicemail: ask the person to call back and confirm who they are then.")
_NI = ("The voicemail reads out a National Insurance number {value} {where}. Never leave an"
       " identifier on a voicemail: ask the person to call back and confirm who they are then.")
_REFERENCE = ("The voicemail reads out the reference {value} from column {column_name} {where}."
              " A reference lets whoever hears it act on the person's account: take it out of"
              " the script and ask the person to call back.")
_LONG_NUMBER = ("The voicemail reads out the number {value} {where}, which is not the callback"
                " number. Take it out of the script; if it is one of your organisation's own"
                " phone numbers, add it to voicemail-content's allowed_numbers option.")
_AMOUNT = ("The voicemail says an amount of money {value} {where}. Whoever hears it learns"
           " about the person's finances: take the amount out of the script.")
_DOB = ("The voicemail says the person's date of birth {value} {where}. Take it out of the"
        " script; confirm identity when they call back.")
_TERM = ("The voicemail mentions \"{term}\" {where}, which tells whoever hears it about {about}."
         " Leave only a first name, who is calling and a number to call back; if the words are"
         " a name (your building's, say), add them to voicemail-content's allowed_terms.")

# --- documented examples (run by the test suite) ------------------------------------

_PEOPLE = [
    {"person_id": "P-2001", "title": "Ms", "given_name": "Sian", "family_name": "Hughes",
     "date_of_birth": "1980-02-03", "status": "active", "flags": ""},
    {"person_id": "P-2002", "title": "Mr", "given_name": "Tomasz", "family_name": "Nowak",
     "date_of_birth": "1966-11-20", "status": "active", "flags": "no_voicemail"},
    {"person_id": "P-2003", "title": "Mrs", "given_name": "Priya", "family_name": "Raman",
     "date_of_birth": "1958-07-14", "status": "active", "flags": ""},
]
_CONTACTS = [
    {"person_id": "P-2001", "kind": "phone", "value": "07700 900123", "status": "current",
     "verified_on": "2026-10-01"},
    {"person_id": "P-2001", "kind": "phone", "value": "07700 900456", "status": "previous",
     "verified_on": "2024-05-02"},
    {"person_id": "P-2002", "kind": "phone", "value": "07700 900777", "status": "current",
     "verified_on": "2026-09-15"},
    {"person_id": "P-2003", "kind": "phone", "value": "07700 900888", "status": "current",
     "verified_on": "2025-01-10"},
]
_ADDRESSES = [
    {"person_id": "P-2001", "line_1": "14 Mill Lane", "line_2": "Fenmarsh",
     "postcode": "FE1 2AB", "status": "current"},
]
_REGISTER = {"people": _PEOPLE, "contacts": _CONTACTS}
_SIAN = {"people": _PEOPLE[:1], "contacts": _CONTACTS[:1], "addresses": _ADDRESSES}
_GOOD_SCRIPT = (
    "---\nname: callback-request\nchannel: voicemail\n---\n"
    "Hello, this is a message for {{ first_name }} from Fenmarsh District Council."
    " Please call us back on {{ callback_number }}. Thank you.\n"
)
_ROW = {"recipient_id": "P-2001", "phone": "07700 900123", "first_name": "Sian",
        "last_name": "Hughes", "callback_number": "01632 960000"}
_ACCOUNT_ROW = {**_ROW, "account_ref": "HRA-0012345", "balance": "412.50"}

_EXAMPLES = (
    Example(
        title="A script that says who the person is and what the call is about",
        bad=Case(
            rows=[_ROW],
            template=(
                "---\nname: arrears-call\nchannel: voicemail\n---\n"
                "Hello, this is a message for {{ first_name }} {{ last_name }} from Fenmarsh"
                " District Council about your rent arrears. Please call us back on"
                " {{ callback_number }}.\n"
            ),
            register=_SIAN,
            expect=["field-not-allowed", "surname", "sensitive-term"],
        ),
        good=Case(rows=[_ROW], template=_GOOD_SCRIPT, register=_SIAN),
    ),
    Example(
        title="An account reference and a balance read out",
        bad=Case(
            rows=[_ACCOUNT_ROW],
            template=(
                "---\nname: balance-call\nchannel: voicemail\n---\n"
                "Hello {{ first_name }}, this is Fenmarsh District Council. Account"
                " {{ account_ref }} has £{{ balance }} to pay. Please call us back on"
                " {{ callback_number }}.\n"
            ),
            register=_SIAN,
            expect=["field-not-allowed", "reference", "amount"],
        ),
        good=Case(rows=[_ACCOUNT_ROW], template=_GOOD_SCRIPT, register=_SIAN),
    ),
    Example(
        title="A voicemail on an old number, an unverified one, or for someone who asked for none",
        bad=Case(
            rows=[
                {**_ROW, "phone": "07700 900456"},
                {**_ROW, "recipient_id": "P-2002", "first_name": "Tomasz",
                 "last_name": "Nowak", "phone": "07700 900777"},
                {**_ROW, "recipient_id": "P-2003", "first_name": "Priya",
                 "last_name": "Raman", "phone": "07700 900888"},
            ],
            template=_GOOD_SCRIPT,
            register=_REGISTER,
            expect=["not-current-number", "no-voicemail", "unverified-number"],
        ),
        good=Case(rows=[{**_ROW, "phone": "+44 7700 900123"}], template=_GOOD_SCRIPT,
                  register=_SIAN),
    ),
)


class VoicemailContent(Rule):
    """A voicemail that says more than the policy allows, or is left on a number that may
    no longer be the person's.

    A voicemail is heard by whoever has the phone: a partner, a parent, a
    colleague, or a stranger who now has the number. ICO leaflet point 10
    names "leaving a voicemail containing personal data on someone's old
    number" as a breach to prevent, and point 5 (treat data in confidence)
    applies to everyone else who hears the message. So a voicemail script may
    say only the fields the policy allows (by default the first name, the
    organisation and the callback number), and it is only left on a number
    the register holds as the person's current one, recently verified.

    Codes found in the rendered script (``line``/``col`` is where in the
    script; the message repeats it, since a batch finding is shown by row):

    * **surname**: the row's ``last_name`` or the register's family name, or
      the full name, as a word (any case; ``O'Brien`` = ``OBrien``).
    * **address**: a house number with its street, a house name, an address
      line of the row or the register, or any UK postcode.
    * **nhs-number**: ten digits (``943 476 5919``) with a valid NHS check
      digit. Ten digits that fail the check are a **long-number**.
    * **ni-number**: a National Insurance number (``JG 10 37 59 A``; HMRC's
      prefix rules).
    * **reference**: the value of one of the row's reference columns.
    * **long-number**: any other run of 6 or more digits (spaces and hyphens
      inside do not matter), unless it is the callback number (the value of an
      allowed field) or one of ``allowed_numbers``.
    * **amount**: money: ``£412.50``, ``£1,200``, ``12.50 GBP``, ``412 pounds``.
    * **date-of-birth**: the register's date of birth or the row's
      ``date_of_birth``/``dob``, written any usual way (``03/02/1980``,
      ``3 February 1980``, ``1980-02-03``).
    * **sensitive-term**: a word that reveals debts or arrears, benefits,
      health, safeguarding, domestic abuse, housing or eviction, or court
      proceedings (the built-in list, plus ``sensitive_terms``, less
      ``allowed_terms``). Reported once per template for words written in a
      voicemail template, and per row for words that come from the row.

    Codes about the number and the person (needs the register):

    * **not-current-number** (error): the register holds the phone number as
      ``previous`` or ``invalid``, or not at all: a voicemail on an old number
      is exactly the incident in the ICO leaflet.
    * **unverified-number** (error): the number is current but was last
      verified more than ``max_age_days`` ago, or never.
    * **no-voicemail** (error): the person is flagged ``no_voicemail``.
    * **unknown-recipient** (warning): the recipient_id is not in the register.

    An empty recipient_id is merge-integrity's to report, an empty or
    unreadable phone number contact-validity's; a row that cannot be
    rendered is reported by the engine, and its script cannot be checked.
    A voicemail to someone recorded as deceased is stale-contact's.

    Codes in voicemail templates (``policylint lint``; ``line``/``col`` in
    the template file):

    * **field-not-allowed**: the template uses a field that is not in
      ``allowed_fields``.
    * **sensitive-term**: the template's own text contains a sensitive term.

    What is not reported: text that is the same for every recipient because
    it is written in the template (a surname that is also an everyday word,
    your office's phone number) is not the recipient's personal data; an
    allowed field's value may be said, but a surname inside ``first_name``
    (a full name merged into it) is still reported; a sensitive word that is
    the person's own first name ("Pip") is not reported. Sensitive terms are
    never excused by an allowed field: an organisation called "Fenmarsh
    Magistrates' Court" does tell the listener about a court case. When a
    building's name contains such a word, list the phrase in ``allowed_terms``
    (``allowed_terms: ["Kingsmead Court"]``): a phrase excuses only the words
    inside it, while a single listed term (``court``) is taken off the list
    everywhere. Everyday phrases ("hearing from you") are excused by default.

    Options: ``allowed_fields`` (default first_name, organisation,
    callback_number), ``allowed_numbers`` (your organisation's phone numbers),
    ``sensitive_terms`` (added to the built-in list), ``allowed_terms``,
    ``max_age_days`` (default 90).

    **Anti-pattern**: a script that tells whoever picks up the phone who the
    person is, where they live and what they owe::

        Hello, this is a message for Sian Hughes of 14 Mill Lane about rent
        arrears of £412.50 on account HRA-0012345. Please call 01632 960000.

    **Best practice**: a first name, who is calling and a callback number,
    left on a number verified in the last three months::

        Hello, this is a message for Sian from Fenmarsh District Council.
        Please call us back on 01632 960000. Thank you.
    """

    name: ClassVar[str] = "voicemail-content"
    summary: ClassVar[str] = (
        "Voicemails saying more than the policy allows (surname, address, identifiers,"
        " amounts, dates of birth, sensitive terms) or left on a number that is not the"
        " person's current, recently verified one."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            "allowed_fields": {
                "type": "array", "items": {"type": "string"},
                "default": list(DEFAULT_ALLOWED_FIELDS),
                "description": "The only template fields a voicemail may say.",
            },
            "allowed_numbers": {
                "type": "array", "items": {"type": "string"}, "default": [],
                "description": "Your organisation's phone numbers, which a script may read out.",
            },
            "sensitive_terms": {
                "type": "array", "items": {"type": "string"}, "default": [],
                "description": "Words and phrases added to the built-in sensitive terms.",
            },
            "allowed_terms": {
                "type": "array", "items": {"type": "string"}, "default": [],
                "description": "A built-in term taken off the list, or a phrase (a building's"
                               " name) whose words are not reported.",
            },
            "max_age_days": {
                "type": "integer", "minimum": 1, "default": 90,
                "description": "A current number last verified longer ago than this is"
                               " reported as unverified.",
            },
        },
        "additionalProperties": False,
    }
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "rendered", "template", "register"})
    row_independent: ClassVar[bool] = True
    channels: ClassVar[frozenset[str] | None] = frozenset({"voicemail"})
    examples: ClassVar[Sequence[Example]] = _EXAMPLES

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._allowed_fields: tuple[str, ...] = tuple(
            str(f) for f in self.options.get("allowed_fields") or ())
        self._allowed_label = ", ".join(self._allowed_fields) or "(nothing)"
        self._max_age = int(self.options.get("max_age_days") or 90)
        self._allowed_number_forms: frozenset[str] = frozenset(
            form for number in self.options.get("allowed_numbers") or ()
            for form in _number_forms(str(number)))
        self._automaton = self._build_automaton(
            [str(t) for t in self.options.get("sensitive_terms") or ()],
            [str(t) for t in self.options.get("allowed_terms") or ()])
        self._literal_cache: dict[tuple[str, str], tuple[str, _Text]] = {}
        self._allowed_cache: dict[tuple[str, ...], frozenset[str]] = {}

    # --- the term automaton ----------------------------------------------------------

    @staticmethod
    def _build_automaton(extra: Sequence[str], allowed: Sequence[str]) -> Any:
        terms: dict[str, _Term] = {}
        for term, category in default_terms().items():
            for key in _term_variants(term):
                terms[key] = _Term(term, CATEGORY_ABOUT[category], allow=False)
        for term in extra:
            for key in _term_variants(term):
                terms.setdefault(key, _Term(term.strip(), POLICY_CATEGORY, allow=False))
        for phrase in allowed:
            variants = _term_variants(phrase)
            if variants & set(terms):
                for key in variants:
                    terms.pop(key, None)  # a listed term: off the list everywhere
            else:
                for key in variants:
                    terms[key] = _Term(key, "", allow=True)  # a phrase: excuses its words
        for phrase in DEFAULT_ALLOWED_PHRASES:
            for key in _term_variants(phrase):
                terms.setdefault(key, _Term(key, "", allow=True))
        if not terms:
            return None
        automaton = ahocorasick.Automaton()
        for key, value in terms.items():
            automaton.add_word(key, (len(key), value))
        automaton.make_automaton()
        return automaton

    def _find_terms(self, text: str) -> list[tuple[int, int, _Term]]:
        """(start, end, term) for each sensitive term in ``text`` on word boundaries,
        a plural s/es allowed; hits inside an allowed phrase are dropped."""
        if self._automaton is None or not text:
            return []
        view, index = _term_view(text)
        size = len(view)
        hits: list[tuple[int, int, _Term]] = []
        allowed: list[tuple[int, int]] = []
        for last, (length, term) in self._automaton.iter(view):
            start, end = last - length + 1, last + 1
            if start > 0 and view[start - 1].isalnum():
                continue
            if end < size and view[end].isalnum():
                for suffix in ("s", "es"):
                    stop = end + len(suffix)
                    if view.startswith(suffix, end) and (stop == size or not view[stop].isalnum()):
                        end = stop
                        break
                else:
                    continue
            if index is not None:
                start, end = index[start], index[end - 1] + 1
            if term.allow:
                allowed.append((start, end))
            else:
                hits.append((start, end, term))
        hits.sort(key=lambda h: (h[0], h[0] - h[1]))
        kept: list[tuple[int, int, _Term]] = []
        reach = -1
        for hit in hits:
            if hit[1] <= reach or any(a <= hit[0] and hit[1] <= b for a, b in allowed):
                continue  # inside a longer term ("arrears" of "rent arrears") or a phrase
            kept.append(hit)
            reach = hit[1]
        return kept

    # --- templates --------------------------------------------------------------------

    def _literal(self, template: Template) -> tuple[str, _Text]:
        key = (template.path, template.source)
        cached = self._literal_cache.get(key)
        if cached is None:
            text = _literal_text(template)
            cached = (text, _Text.of(text))
            if len(self._literal_cache) > 256:
                self._literal_cache.clear()
            self._literal_cache[key] = cached
        return cached

    def check_template(self, template: Template) -> Iterable[Violation]:
        if template.channel != "voicemail":
            return []
        out: list[Violation] = []
        seen: dict[str, int] = {}
        for ref in template.variables:
            if ref.name in self._allowed_fields:
                continue
            seen[ref.name] = seen.get(ref.name, 0) + 1
            out.append(Violation(
                code="field-not-allowed",
                message=("The voicemail template says the field '{field}' (line {line}, column"
                         " {col}), but a voicemail may only say: {allowed}. Whoever hears a"
                         " voicemail may not be the person: take the field out of the script,"
                         " or add it to voicemail-content's allowed_fields if the policy"
                         " really allows it."),
                facts={"field": ref.name, "line": ref.line, "col": ref.col,
                       "allowed": self._allowed_label},
                line=ref.line, col=ref.col,
                fingerprint_extra=f"{ref.name}#{seen[ref.name]}",
            ))
        literal, _ = self._literal(template)
        for start, end, term in self._find_terms(literal):
            line, col = _line_col(literal, start)
            line += template.body_offset
            out.append(Violation(
                code="sensitive-term",
                message=("The voicemail template says \"{term}\" (line {line}, column {col}),"
                         " which tells whoever hears the message about {about}. Leave only a"
                         " first name, who is calling and a number to call back; if the words"
                         " are a name (your building's, say), add them to voicemail-content's"
                         " allowed_terms."),
                facts={"term": " ".join(literal[start:end].split()), "about": term.about,
                       "line": line, "col": col},
                line=line, col=col,
                fingerprint_extra=f"sensitive-term:{start}",
            ))
        return out

    # --- rows ---------------------------------------------------------------------------

    def check_item(self, item: Item) -> Iterable[Violation]:
        register = self.context.register
        person: Person | None = None
        out: list[Violation] = []
        if register is not None and item.recipient_id:
            person = register.person(item.recipient_id)
            out.extend(self._check_number(register, item, person))
        if item.rendered is not None and item.rendered.text.strip():
            out.extend(self._check_script(item, item.rendered.text, person, register))
        return out

    # --- the number ---------------------------------------------------------------------

    def _check_number(self, register: Register, item: Item,
                      person: Person | None) -> Iterator[Violation]:
        phone = item.role("phone")
        column = item.fields.header("phone")
        if person is None:
            yield Violation(
                code="unknown-recipient",
                message=("The recipient_id is not in the register, so nobody can tell whether"
                         + (" the number {phone}" if phone else " the number")
                         + " is still theirs. Correct the recipient_id or add the person to"
                         " the register before leaving a voicemail."),
                values={"phone": Personal(PersonalKind.PHONE, phone)} if phone else {},
                column=item.fields.header("recipient_id"),
                severity=Severity.WARNING,
            )
            return
        label = _person_label(person)
        if "no_voicemail" in person.flags:
            yield Violation(
                code="no-voicemail",
                message=("{name} has asked not to be left voicemails (register flag"
                         " no_voicemail): do not leave this message. Contact them the way their"
                         " record says."),
                values={"name": label},
                column=item.fields.header("recipient_id"),
            )
        if not _NON_DIGIT_RE.sub("", phone):
            return  # no number: contact-validity reports it
        phones = [c for c in register.contacts(person.person_id) if c.kind == "phone"]
        matched = _same_number(phone, phones)
        values = {"name": label, "phone": Personal(PersonalKind.PHONE, phone)}
        current = sorted((c for c in phones if c.status == "current"),
                         key=lambda c: c.verified_on or dt.date.min, reverse=True)
        if not matched or all(c.status != "current" for c in matched):
            yield self._not_current(matched, current, values, column)
            return
        contact = next(c for c in matched if c.status == "current")
        verified = contact.verified_on
        if verified is not None and (self.context.today - verified).days <= self._max_age:
            return
        if verified is None:
            when = "the register has no date it was last verified"
        else:
            age = (self.context.today - verified).days
            when = (f"it was last verified on {verified.isoformat()}, {age} days ago"
                    f" (the policy allows {self._max_age})")
        yield Violation(
            code="unverified-number",
            message=("The voicemail goes to {phone}, {name}'s current number in the register,"
                     " but {when}. A voicemail is heard by whoever has the phone now: confirm"
                     " the number with them before leaving a message, and record the date."),
            values=values, facts={"when": when}, column=column,
        )

    @staticmethod
    def _not_current(matched: list[Contact], current: list[Contact],
                     values: Mapping[str, Personal], column: str | None) -> Violation:
        if matched:
            status = min(matched, key=lambda c: _STATUS_ORDER.get(c.status, 3)).status
            state = ("a number {name} no longer uses (marked previous in the register)"
                     if status == "previous" else
                     "a number the register marks invalid for {name}")
        else:
            state = "a number that is not on {name}'s record in the register"
        all_values = dict(values)
        if current:
            advice = " Use their current number, {current}, if it was verified recently."
            all_values["current"] = Personal(PersonalKind.PHONE, current[0].value)
        else:
            advice = " The register has no current number for them: confirm one first."
        return Violation(
            code="not-current-number",
            message=("The voicemail goes to {phone}, " + state + ". A voicemail on an old"
                     " number is exactly the incident in the ICO leaflet: whoever has the"
                     " number now hears the message." + advice),
            values=all_values, column=column,
        )

    # --- the script ---------------------------------------------------------------------

    def _check_script(self, item: Item, text: str, person: Person | None,
                      register: Register | None) -> list[Violation]:
        view = _Text.of(text)
        hits: list[_Hit] = []
        hits.extend(self._references(item, view))
        hits.extend(self._ni_numbers(text))
        hits.extend(self._dates_of_birth(item, view, person))
        hits.extend(self._amounts(text))
        hits.extend(self._postcodes(item, text, person, register))
        hits.extend(self._addresses(item, text, view, person, register))
        hits.extend(self._surnames(item, view, person, register))
        hits.extend(self._numbers(item, text, hits))
        terms = self._terms(item, text)

        literal: _Text | None = None
        if item.template is not None and item.template.compiled is not None:
            literal = self._literal(item.template)[1]
        allowed_regions = self._allowed_regions(item, view)
        personal = [h for h in hits
                    if not any(a <= h.start and h.end <= b for a, b in allowed_regions)]
        candidates = _outermost(personal + terms)
        if literal is None:
            return [self._violation(text, h) for h in candidates]
        voicemail_template = item.template is not None and item.template.channel == "voicemail"

        def explained(hit: _Hit) -> bool:
            """Said as often in the template's own text as in this script, outside other
            findings: the words come from the template, not from this person's data."""
            assert literal is not None
            words = view.words_in(hit.start, hit.end)
            if not words:
                return False
            said = sum(1 for a, b in view.find_words(words)
                       if not any(o is not hit and o.start <= a and b <= o.end
                                  for o in candidates))
            return said <= literal.count_words(words)

        return [self._violation(text, h) for h in candidates
                if not ((h.code != "sensitive-term" or voicemail_template) and explained(h))]

    def _violation(self, text: str, hit: _Hit) -> Violation:
        line, col, where = _where(text, hit.start, hit.end)
        return Violation(
            code=hit.code,
            message=hit.message,
            values={"value": hit.value} if hit.value is not None else {},
            facts={**hit.facts, "where": where},
            column=hit.column,
            line=line, col=col,
            fingerprint_extra=f"{hit.code}:{hit.start}",
        )

    def _allowed_regions(self, item: Item, view: _Text) -> list[tuple[int, int]]:
        """Where the script says the value of an allowed field (not a first name)."""
        regions: list[tuple[int, int]] = []
        for name in self._allowed_fields:
            if name in GIVEN_NAME_FIELDS:
                continue
            value = item.row.values.get(name, "").strip()
            needle = _compact(value)
            if len(needle) >= 2:
                regions.extend(view.find_compact(needle))
        return regions

    def _references(self, item: Item, view: _Text) -> Iterator[_Hit]:
        for header, value in item.references:
            needle = _compact(value)
            if len(needle) < 3:
                continue
            for start, end in view.find_compact(needle):
                yield _Hit("reference", start, end, _REFERENCE,
                           Personal(PersonalKind.IDENTIFIER, view.text[start:end]),
                           {"column_name": item.row.headers.get(header, header)}, header)

    @staticmethod
    def _ni_numbers(text: str) -> Iterator[_Hit]:
        for match in _NI_RE.finditer(text):
            yield _Hit("ni-number", match.start(), match.end(), _NI,
                       Personal(PersonalKind.IDENTIFIER, match.group()))

    def _dates_of_birth(self, item: Item, view: _Text, person: Person | None) -> Iterator[_Hit]:
        sources: list[tuple[str | None, dt.date | None, str]] = []
        if person is not None and person.date_of_birth is not None:
            sources.append((None, person.date_of_birth, ""))
        for column in DOB_COLUMNS:
            value = item.row.values.get(column, "").strip()
            if value:
                sources.append((column, _parse_date(value), value))
        found: set[tuple[int, int]] = set()
        for header, day, raw in sources:
            spans: list[tuple[int, int]] = []
            if day is not None:
                year = f"{day.year:04d}"
                # Every spelling holds the year, as a word or inside "03021980".
                if year not in view.compact and year[2:] not in view.numbers:
                    continue
                sequences, singles = _dob_needles(day)
                for needle in sequences:
                    if needle in view.spaced:
                        spans.extend(view.find_words(needle))
                for single in singles:
                    if single in view.numbers:
                        spans.extend(view.find_words(single))
            elif raw:
                spans.extend(view.find_compact(_compact(raw)))
            for start, end in spans:
                if (start, end) in found:
                    continue
                found.add((start, end))
                yield _Hit("date-of-birth", start, end, _DOB,
                           Personal(PersonalKind.DATE, view.text[start:end]), column=header)

    @staticmethod
    def _amounts(text: str) -> Iterator[_Hit]:
        for match in _MONEY_NUMBER_RE.finditer(text):
            start, end = match.span()
            before = _MONEY_BEFORE_RE.search(text, max(0, start - 5), start)
            if before is not None:
                start = before.start()
                scale = _MONEY_SCALE_RE.match(text, end)
                end = scale.end() if scale is not None else end
            else:
                if start > 0 and (text[start - 1].isalpha() or text[start - 1] == "_"):
                    continue  # "B12p" is a code, not money
                after = _MONEY_AFTER_RE.match(text, end)
                if after is None:
                    continue
                end = after.end()
            yield _Hit("amount", start, end, _AMOUNT,
                       Personal(PersonalKind.TEXT, text[start:end]))

    @staticmethod
    def _postcodes(item: Item, text: str, person: Person | None,
                   register: Register | None) -> Iterator[_Hit]:
        """Every UK postcode written in capitals, and the person's own in any case
        ("room b1 2nd floor" is not a postcode; "fe1 2ab" is, when it is theirs)."""
        spans = postcode_spans(text)
        if not spans:
            return
        own: set[str] = set()
        if any(text[start:end] != text[start:end].upper() for start, end, _ in spans):
            for line in item.address_lines:
                own.update(canonical for _, _, canonical in postcode_spans(line))
            if person is not None and register is not None:
                for address in register.addresses(person.person_id):
                    own.add(normalise_postcode(address.postcode) or "")
        for start, end, canonical in spans:
            if text[start:end] != text[start:end].upper() and canonical not in own:
                continue
            yield _Hit("address", start, end, _ADDRESS,
                       Personal(PersonalKind.POSTCODE, canonical), {"what": "the postcode"})

    def _addresses(self, item: Item, text: str, view: _Text, person: Person | None,
                   register: Register | None) -> Iterator[_Hit]:
        names = [n for n in (item.role("name"),
                             f"{item.role('first_name')} {item.role('last_name')}".strip(),
                             person.full_name if person is not None else "") if n]
        lines = item.address_lines
        candidates: list[tuple[Sequence[str], str, Sequence[str]]] = []
        row_possible = bool(lines) and _may_contain(view, lines)
        if row_possible:
            candidates.append((lines, "", names))
        if person is not None and register is not None:
            for address in register.addresses(person.person_id):
                if _may_contain(view, address.lines):
                    candidates.append((address.lines, address.postcode, ()))
        fingerprints: set[str] = set()
        for address_lines, postcode, addressees in candidates:
            fingerprints |= address_fingerprints(address_lines, postcode, addressees)
        fingerprints = {fp for fp in fingerprints if normalise_postcode(fp) is None}
        spans: list[tuple[int, int]] = []
        # Text without a fingerprint's anchor cannot hold it (see anchor_of): most
        # scripts need not be normalised at all.
        folded = gate_fold(text) if fingerprints else ""
        possible = [fp for fp in fingerprints
                    if (anchor := _anchor(fp)) is None or anchor in folded]
        if possible:
            normal = f" {normalise_address_text(text)} "
            for fp in sorted(possible, key=len, reverse=True):
                if f" {fp} " in normal:
                    spans.append(_locate_fingerprint(text, view, fp))
        # Whole address lines said as written: the first line after the addressee
        # (house and street, or house name) and any line with a number in it.
        for index, line in enumerate(_street_lines(lines, names) if row_possible else ()):
            needle = _compact(line)
            has_digit = any(c.isdigit() for c in needle)
            if len(needle) < 4 or needle.isdigit() or not (has_digit or index == 0):
                continue
            spans.extend(view.find_compact(needle))
        for start, end in dict.fromkeys(spans):
            yield _Hit("address", start, end, _ADDRESS,
                       Personal(PersonalKind.ADDRESS, text[start:end]),
                       {"what": "part of the address"})

    def _surnames(self, item: Item, view: _Text, person: Person | None,
                  register: Register | None) -> Iterator[_Hit]:
        people = [person] if person is not None else []
        if register is not None and item.subject_id and item.subject_id != item.recipient_id:
            subject = register.person(item.subject_id)
            if subject is not None:
                people.append(subject)
        given = set(name_tokens(item.role("first_name")))
        for p in people:
            given |= set(name_tokens(p.given_name))
        surnames: dict[str, str | None] = {}  # compact needle -> column it came from
        full: dict[str, str | None] = {}
        last = item.role("last_name")
        name = item.role("name")
        sources: list[tuple[str, str | None]] = [(last, item.fields.header("last_name"))]
        sources += [(p.family_name, None) for p in people]
        name_words = name_tokens(name)
        if len(name_words) >= 2:
            sources.append((name_words[-1], item.fields.header("name")))
            full["".join(name_words)] = item.fields.header("name")
        first_last = name_tokens(f"{item.role('first_name')} {last}")
        if len(first_last) >= 2 and last:
            full.setdefault("".join(first_last), item.fields.header("last_name"))
        for p in people:
            words = name_tokens(p.full_name)
            if len(words) >= 2:
                full.setdefault("".join(words), None)
        for surname, column in sources:
            words = name_tokens(surname)
            if not words:
                continue
            whole = "".join(words)
            if len(whole) >= 2 and not (len(words) == 1 and whole in given):
                surnames.setdefault(whole, column)
            if len(words) > 1:
                for word in words:
                    if len(word) >= 3 and word not in NAME_PARTICLES and word not in given:
                        surnames.setdefault(word, column)
        for needle, column in full.items():
            for start, end in view.find_compact(needle):
                yield _Hit("surname", start, end, _SURNAME,
                           Personal(PersonalKind.NAME, view.text[start:end]),
                           {"what": "the full name"}, column)
        for needle, column in surnames.items():
            for start, end in view.find_compact(needle):
                yield _Hit("surname", start, end, _SURNAME,
                           Personal(PersonalKind.NAME, view.text[start:end]),
                           {"what": "the surname"}, column)

    def _numbers(self, item: Item, text: str, found: Sequence[_Hit]) -> Iterator[_Hit]:
        """NHS numbers and other long numbers, outside what other checks already found
        (an NI number, a reference, a date) and outside allowed numbers."""
        runs = [m for m in _DIGIT_RUN_RE.finditer(text)
                if len(_NON_DIGIT_RE.sub("", m.group())) >= 6]
        if not runs:
            return
        taken = bytearray(len(text))
        for hit in found:
            taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
        for match in _DATE_RE.finditer(text):
            taken[match.start():match.end()] = b"\x01" * (match.end() - match.start())
        allowed = self._allowed_numbers_for(
            tuple(item.row.values.get(name, "") for name in self._allowed_fields))
        for match in runs:
            positions = [match.start() + i for i, c in enumerate(match.group()) if c.isdigit()]
            segment: list[int] = []
            for position in [*positions, -1]:
                if position >= 0 and not taken[position]:
                    segment.append(position)
                    continue
                if len(segment) >= 6:
                    yield from self._digit_segment(text, segment, allowed)
                segment = []

    def _allowed_numbers_for(self, values: tuple[str, ...]) -> frozenset[str]:
        """Digit strings the script may read out: ``allowed_numbers`` and the numbers in
        the allowed fields' values (the callback number). Cached: these rarely vary."""
        cached = self._allowed_cache.get(values)
        if cached is None:
            forms = set(self._allowed_number_forms)
            for value in values:
                if value:
                    forms |= _number_forms(value)
            cached = frozenset(forms)
            if len(self._allowed_cache) > 4096:
                self._allowed_cache.clear()
            self._allowed_cache[values] = cached
        return cached

    @staticmethod
    def _digit_segment(text: str, segment: list[int],
                       allowed: frozenset[str]) -> Iterator[_Hit]:
        digits = "".join(text[p] for p in segment)
        covered = bytearray(len(digits))
        for form in allowed:
            position = digits.find(form)
            while position >= 0:
                covered[position:position + len(form)] = b"\x01" * len(form)
                position = digits.find(form, position + 1)
        start = 0
        while start < len(digits):
            if covered[start]:
                start += 1
                continue
            stop = start
            while stop < len(digits) and not covered[stop]:
                stop += 1
            piece = digits[start:stop]
            if len(piece) >= 6:
                first, last = segment[start], segment[stop - 1] + 1
                value = Personal(PersonalKind.IDENTIFIER, text[first:last])
                if nhs_number_valid(piece):
                    yield _Hit("nhs-number", first, last, _NHS, value)
                else:
                    yield _Hit("long-number", first, last, _LONG_NUMBER, value)
            start = stop

    def _terms(self, item: Item, text: str) -> list[_Hit]:
        found = self._find_terms(text)
        if not found:
            return []
        first_names = {item.row.values.get(f, "").strip() for f in GIVEN_NAME_FIELDS}
        first_names.discard("")
        return [
            _Hit("sensitive-term", start, end, _TERM,
                 facts={"term": " ".join(text[start:end].split()), "about": term.about})
            for start, end, term in found
            if text[start:end] not in first_names  # "Pip" the person, not PIP the benefit
        ]


def _quick_uk(value: str) -> str:
    """A UK number as national digits ("07700900123") without the cost of a full parse,
    for the common spellings (07700 900123, +44 7700 900123, 0044..., +44 (0)7700...);
    "" when unsure."""
    digits = _NON_DIGIT_RE.sub("", value)
    international = value.lstrip().startswith("+")
    if digits.startswith("00"):
        digits, international = digits[2:], True
    if international:
        if not digits.startswith("44"):
            return ""
        digits = digits[2:]
        digits = digits[1:] if digits.startswith("0") else digits
        digits = "0" + digits
    return digits if digits.startswith("0") and len(digits) in (10, 11) else ""


def _same_number(phone: str, contacts: Sequence[Contact]) -> list[Contact]:
    """The contacts holding ``phone``, however either is written."""
    quick = _quick_uk(phone)
    if quick:
        matched = [c for c in contacts if _quick_uk(c.value) == quick]
        if matched:
            return matched
    key = contact_key("phone", phone)
    if not key:
        digits = _NON_DIGIT_RE.sub("", phone)
        return [c for c in contacts if _NON_DIGIT_RE.sub("", c.value) == digits]
    return [c for c in contacts if contact_key("phone", c.value) == key]


_anchor = functools.lru_cache(maxsize=1 << 14)(anchor_of)


def _street_lines(lines: Sequence[str], names: Sequence[str]) -> list[str]:
    """Address lines without the addressee line and without postcode-only lines."""
    kept = [line.strip() for line in lines if line.strip()]
    if len(kept) > 1 and _is_addressee(kept[0], names):
        kept = kept[1:]
    return [line for line in kept if normalise_postcode(line) is None]


def _is_addressee(line: str, names: Sequence[str]) -> bool:
    if any(c.isdigit() for c in line):
        return False
    folded = " ".join(_LETTERS_RE.findall(line.lower()))
    if folded in OCCUPIER_LINES:
        return True
    words = folded.split()
    if words and words[0] in ADDRESSEE_TITLES:
        return True
    tokens = set(name_tokens(line))
    return any(tokens and tokens <= set(name_tokens(n)) | {t[:1] for t in name_tokens(n)}
               for n in names)


def _may_contain(view: _Text, lines: Sequence[str]) -> bool:
    """Cheap test before computing an address's fingerprints: a fingerprint always holds
    the address's house or flat number, or (for an address without numbers) its words.
    Postcodes are left out here: they are searched for on their own."""
    numbers: list[str] = []
    words: list[str] = []
    wordy = 0
    for line in lines:
        if normalise_postcode(line) is not None:
            continue
        found = _DIGITS_RE.findall(line)
        numbers.extend(found)
        if not found and not numbers and wordy < 2:  # a house name, not the town
            wordy += 1
            words.extend(_fold(m.group()) for m in _WORD_RE.finditer(line))
    return (any(n in view.numbers for n in numbers)
            or any(len(w) >= 3 and w in view.word_set for w in words))


def _locate_fingerprint(text: str, view: _Text, fp: str) -> tuple[int, int]:
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


def _outermost(hits: list[_Hit]) -> list[_Hit]:
    """Drop hits inside another (a surname inside the full name, "court" inside an
    address); of two with the same span, the higher-priority code wins."""
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start), _PRIORITY[h.code]))
    kept: list[_Hit] = []
    reach = -1
    for hit in ordered:
        if hit.end <= reach:
            continue
        kept.append(hit)
        reach = max(reach, hit.end)
    return kept
