"""Find given personal values in free text, however they were written.

Used by redaction-residue (values that must not appear) and secure-delivery
(is there personal data in an attachment?). A value is turned into a
:class:`Needle` keyed the way its kind compares: postcodes and phone numbers
exactly after normalisation (``pe304ab`` is ``PE30 4AB``, ``+44 7700 900123`` is
``07700900123``), dates by the day they name (``3 Feb 1980`` is ``03/02/1980``),
emails case-insensitively, and names, address lines and phrases as whole words
after folding case, accents, punctuation, abbreviations and line breaks
(``Jane\\nSmith``, ``14, Acacia Ave.``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from policylint.model import PersonalKind
from policylint.normalise.address import normalise_address_text
from policylint.normalise.contact import phone_key
from policylint.normalise.postcode import find_postcodes, normalise_postcode

_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# Runs of digit groups a phone number may be written as (spaces, dots, brackets,
# hyphens, line breaks between groups; +44 or 0044 in front).
_DIGIT_GROUPS_RE = re.compile(r"(?:\+|00)?\d+(?:[\s().\-\u00a0]{1,3}\d+)*")
_GROUP_RE = re.compile(r"\d+")
_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
    ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
    ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), start=1) for name in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NUMERIC_DATE_RE = re.compile(
    r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})(?!\d)")
_ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DAY_MONTH_RE = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?,?\s+(\d{{4}})(?!\d)",
    re.IGNORECASE)
_MONTH_DAY_RE = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
_COMPACT_DATE_RE = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")
_COMPACT_MIN = 10
# A word broken over a line with a hyphen ("Smi-\nth").
_SOFT_BREAK_RE = re.compile(r"(\w)-[ \t]*\r?\n[ \t]*(\w)")


@dataclass(frozen=True)
class Needle:
    """One value to look for: ``what`` says whose and which detail (a fact, never
    personal), ``value`` is the value as written (shown masked), ``key`` how it compares."""

    what: str
    kind: PersonalKind
    value: str
    key: str
    match: str  # phrase | postcode | phone | email | date


def _date(year: int, month: int, day: int) -> dt.date | None:
    if year < 100:
        year += 1900 if year > (dt.date.today().year % 100) else 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """A date written on its own (ISO or day-first), or None."""
    text = text.strip()
    for found in find_dates(text):
        return found
    return None


def find_dates(text: str) -> Iterator[dt.date]:
    for m in _ISO_DATE_RE.finditer(text):
        if (day := _date(int(m[1]), int(m[2]), int(m[3]))) is not None:
            yield day
    for m in _NUMERIC_DATE_RE.finditer(text):
        if (day := _date(int(m[3]), int(m[2]), int(m[1]))) is not None:
            yield day
    for m in _DAY_MONTH_RE.finditer(text):
        if (day := _date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))) is not None:
            yield day
    for m in _MONTH_DAY_RE.finditer(text):
        if (day := _date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))) is not None:
            yield day
    for m in _COMPACT_DATE_RE.finditer(text):
        if (day := _date(int(m[3]), int(m[2]), int(m[1]))) is not None:
            yield day


def fold(text: str) -> str:
    """Lower case, accents, punctuation and abbreviations folded, single spaces,
    padded with a space each side so that phrases match on word boundaries."""
    if len(text) > _UNCACHED:
        # A page of an attachment: not kept in normalise's cache of short values,
        # which would otherwise hold every page of every attachment of the run.
        return f" {_normalise_uncached(text)} "
    return f" {normalise_address_text(text)} "


_UNCACHED = 512
_normalise_uncached = getattr(normalise_address_text, "__wrapped__", normalise_address_text)


def phrase_needle(what: str, kind: PersonalKind, value: str) -> Needle | None:
    key = fold(value)
    # One or two characters (an initial, "Mr") would be found everywhere.
    if len(key.strip().replace(" ", "")) < 3:
        return None
    return Needle(what, kind, value, key, "phrase")


def needle_for(what: str, value: str, kind: PersonalKind | None = None) -> Needle | None:
    """A needle for ``value``, its kind guessed from its shape unless given."""
    value = value.strip()
    if not value:
        return None
    if kind in (None, PersonalKind.POSTCODE) and (code := normalise_postcode(value)):
        return Needle(what, PersonalKind.POSTCODE, value, code, "postcode")
    if kind in (None, PersonalKind.EMAIL) and _EMAIL_RE.fullmatch(value):
        return Needle(what, PersonalKind.EMAIL, value, value.casefold(), "email")
    if kind in (None, PersonalKind.PHONE):
        digits = re.sub(r"\D", "", value)
        if 10 <= len(digits) <= 13 and re.fullmatch(r"[\d\s().+\-]+", value):
            key = phone_key(value)
            if key:
                return Needle(what, PersonalKind.PHONE, value, key, "phone")
    if kind in (None, PersonalKind.DATE) and (day := parse_date(value)) is not None \
            and re.fullmatch(r"[\w\s/.,\-]+", value) and any(c.isdigit() for c in value):
        return Needle(what, PersonalKind.DATE, value, day.isoformat(), "date")
    if kind is PersonalKind.DATE:
        return None
    if value.isdigit() and len(value) < 4:
        return None  # a small number is in every letter
    return phrase_needle(what, kind or PersonalKind.TEXT, value)


class TextView:
    """The normalised views of one text, each worked out only when asked for."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def folded(self) -> str:
        text = self.text
        joined = _SOFT_BREAK_RE.sub(r"\1\2", text)
        if joined != text:
            return fold(text) + fold(joined)
        return fold(text)

    @cached_property
    def postcodes(self) -> frozenset[str]:
        return frozenset(find_postcodes(self.text))

    @cached_property
    def emails(self) -> frozenset[str]:
        return frozenset(m.group().casefold() for m in _EMAIL_RE.finditer(self.text))

    @cached_property
    def phones(self) -> frozenset[str]:
        keys: set[str] = set()
        for run in _DIGIT_GROUPS_RE.finditer(self.text):
            text = run.group()
            groups = _GROUP_RE.findall(text)
            plus = "+" if text.startswith("+") else ""
            # Every window of neighbouring groups: a number next to another number
            # ("ref 2231 07700 900123") is still found.
            for start in range(len(groups)):
                digits = ""
                for end in range(start, len(groups)):
                    digits += groups[end]
                    if len(digits) > 14:
                        break
                    if len(digits) >= 10:
                        prefix = plus if start == 0 else ""
                        key = phone_key(prefix + digits)
                        if key:
                            keys.add(key)
        return frozenset(keys)

    @cached_property
    def kinds(self) -> tuple[tuple[str, PersonalKind, str], ...]:
        """Personal data recognisable by its shape (see :func:`personal_kinds`)."""
        return tuple(personal_kinds(self.text))

    @cached_property
    def dates(self) -> frozenset[str]:
        return frozenset(d.isoformat() for d in find_dates(self.text))

    def contains(self, needle: Needle) -> bool:
        if needle.match == "postcode":
            return needle.key in self.postcodes
        if needle.match == "email":
            return needle.key in self.emails
        if needle.match == "phone":
            return needle.key in self.phones
        if needle.match == "date":
            return needle.key in self.dates
        if needle.key in self.folded:
            return True
        # Text pulled out of a PDF sometimes has spaces inside words ("Whit lock"): a
        # long phrase without digits is also looked for with every space removed.
        # (Never one with digits: "9elmroad" is inside "19elmroad".)
        compact = needle.key.replace(" ", "")
        if len(compact) < _COMPACT_MIN or any(c.isdigit() for c in compact):
            return False
        text, starts, ends = self.compact
        at = text.find(compact)
        while at >= 0:
            # Still whole words at both ends: "Whitlock" is not in "Whitlocke".
            if at in starts and at + len(compact) in ends:
                return True
            at = text.find(compact, at + 1)
        return False

    @cached_property
    def compact(self) -> tuple[str, frozenset[int], frozenset[int]]:
        """The folded text with no spaces, and where its words start and end."""
        starts: set[int] = set()
        ends: set[int] = set()
        position = 0
        for word in self.folded.split():
            starts.add(position)
            position += len(word)
            ends.add(position)
        return "".join(self.folded.split()), frozenset(starts), frozenset(ends)


@functools.lru_cache(maxsize=256)
def shared_view(text: str) -> TextView:
    """The view of an attachment's text, shared by every row that sends the same
    file (a leaflet sent with 20,000 letters is folded once, not 20,000 times)."""
    return TextView(text)


def find_needles(needles: Iterable[Needle], views: Iterable[tuple[str, TextView]]
                 ) -> Iterator[tuple[Needle, str, int]]:
    """(needle, first place found, number of places) for each needle found."""
    views = list(views)
    for needle in needles:
        places = [where for where, view in views if view.contains(needle)]
        if places:
            yield needle, places[0], len(places)


# --- personal data by kind (no list of values needed) ---------------------------------

# National Insurance number: HMRC's prefix rules, six digits, optional suffix A-D.
_NI_RE = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)"
    r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ \u00a0]?"
    r"[0-9]{2}[ \u00a0]?[0-9]{2}[ \u00a0]?[0-9]{2}(?:[ \u00a0]?[A-D])?"
    r"(?![A-Za-z0-9])")
_NHS_RE = re.compile(r"(?<![0-9])[0-9]{3}[ \u00a0-]?[0-9]{3}[ \u00a0-]?[0-9]{4}(?![0-9])")
_DOB_LABEL_RE = re.compile(r"\b(?:date\s+of\s+birth|d\.?\s?o\.?\s?b\b\.?|born(?:\s+on)?)",
                           re.IGNORECASE)


def nhs_number_valid(digits: str) -> bool:
    """Ten digits whose last is the NHS modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return check != 10 and check == int(digits[9])


def personal_kinds(text: str) -> Iterator[tuple[str, PersonalKind, str]]:
    """(what, kind, value) for personal data recognisable by its shape: NHS numbers
    (valid check digit), National Insurance numbers, dates labelled as a birth date."""
    for m in _NHS_RE.finditer(text):
        if nhs_number_valid(re.sub(r"\D", "", m.group())):
            yield "an NHS number", PersonalKind.IDENTIFIER, m.group()
    for m in _NI_RE.finditer(text):
        yield "a National Insurance number", PersonalKind.IDENTIFIER, m.group()
    for m in _DOB_LABEL_RE.finditer(text):
        following = text[m.end():m.end() + 40]
        for day in find_dates(following):
            yield "a date of birth", PersonalKind.DATE, day.isoformat()
            break
