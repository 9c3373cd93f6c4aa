"""UK phone numbers: is this a number a text or voicemail can really go to?

Parsing uses ``phonenumbers`` (Google's libphonenumber metadata) with region GB.
On top of that, numbers in the ranges Ofcom reserves for TV, radio and film
("drama numbers", e.g. ``07700 900123``, ``020 7946 0123``) are treated as not
real: they appear in test data and examples, never as somebody's phone.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, ValidationResult

from policylint.normalise import CACHE_SIZE

DRAMA_REASON = "Ofcom reserves this range for drama"

# National significant number prefixes (no leading 0) of Ofcom's drama ranges;
# each range is the prefix followed by digits up to a 10-digit number.
DRAMA_PREFIXES: tuple[str, ...] = (
    "7700900",  # 07700 900000-900999 (mobile)
    *(f"{area}4960" for area in ("113", "114", "115", "116", "117", "118",
                                 "121", "131", "141", "151", "161")),
    "2079460",  # 020 7946 0xxx (London)
    "1914980",  # 0191 498 0xxx (Tyneside)
    "2896496",  # 028 9649 6xxx (Northern Ireland)
    "2920180",  # 029 2018 0xxx (Cardiff)
    "1632960",  # 01632 960xxx (fictitious area code)
    "3069990",  # 0306 999 0xxx (non-geographic)
    "8081570",  # 0808 157 0xxx (freephone)
    "9098790",  # 0909 879 0xxx (premium rate)
)

# What may appear in a phone number cell besides digits (Notify's list, plus
# the dashes that word processors substitute for hyphens).
_DIGITS = frozenset("0123456789")
_ALLOWED_PUNCTUATION = frozenset(" \t\r\n+-()\u00a0\u2010\u2011\u2012\u2013\u2014\u2212")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_NOT_DIGIT = re.compile(r"[^0-9]")
_IDD_RE = re.compile(r"^\+?\s*0\s*0")
_BAD_CHARACTERS = "contains characters that are not part of a phone number"
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")

_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_NOT_PERSONAL_TYPES = {
    PhoneNumberType.PREMIUM_RATE: "premium-rate numbers cannot receive texts or voicemail",
    PhoneNumberType.SHARED_COST: "shared-cost numbers are not personal numbers",
}
_POSSIBLE_REASONS = {
    ValidationResult.TOO_SHORT: "too short to be a phone number",
    ValidationResult.TOO_LONG: "too long to be a phone number",
    ValidationResult.INVALID_LENGTH: "wrong number of digits for a phone number",
    ValidationResult.INVALID_COUNTRY_CODE: "not a known country code",
}


@dataclass(frozen=True)
class PhoneCheck:
    """The outcome of checking one phone number.

    ``valid`` says a message could reach it; ``e164`` is its canonical form
    (``+447723456789``) whenever it could be parsed, even if not valid;
    ``reason`` says why it is not valid (``""`` when it is). ``is_uk`` is True
    for numbers in the UK numbering plan (+44, including the Crown
    Dependencies, which share it).
    """

    valid: bool
    e164: str
    is_mobile: bool
    reason: str
    is_uk: bool = True
    is_drama: bool = False


def is_drama_number(national_number: str) -> bool:
    """True for a UK national significant number (no leading 0) in an Ofcom drama range."""
    return len(national_number) == 10 and national_number.startswith(DRAMA_PREFIXES)


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


@functools.lru_cache(maxsize=CACHE_SIZE)
def parse_uk_phone(text: str, region: str = "GB") -> PhoneCheck:
    """Check a phone number as GOV.UK Notify would, treating drama numbers as not real.

    Accepts the ways people write UK numbers (``07723 456789``, ``+44 (0)7723
    456 789``, ``0044 7723 456789``, ``7723456789``). A number that is not a
    valid UK number but is valid with a ``+`` in front (``1-202-555-0104``) is
    an international number: ``valid`` but ``is_uk`` False.
    """
    cleaned = text.translate(_INVISIBLE).translate(_DASHES).strip()
    if not cleaned:
        return PhoneCheck(False, "", False, "no phone number given")
    if any(c not in _DIGITS and c not in _ALLOWED_PUNCTUATION for c in cleaned):
        return PhoneCheck(False, "", False, _BAD_CHARACTERS)
    digits = _NOT_DIGIT.sub("", cleaned)
    if not digits:
        return PhoneCheck(False, "", False, "contains no digits")
    explicit_international = cleaned.startswith("+") or digits.startswith("00")
    cleaned = _IDD_RE.sub("+", cleaned)  # "0044 ...", "+0012..." -> "+44 ...", "+12..."

    number = _parse(cleaned, region)
    if (
        (number is None or not phonenumbers.is_valid_number(number))
        and not explicit_international
        and not digits.startswith("0")
    ):
        # "784951234567": not a UK number, but a valid one with a "+" in front.
        retry = _parse("+" + digits, region)
        if retry is not None and phonenumbers.is_valid_number(retry):
            number = retry
    if number is None:
        return PhoneCheck(False, "", False, "not a phone number")

    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(number)
    is_uk = number.country_code == 44
    if is_uk and is_drama_number(national):
        return PhoneCheck(False, e164, national.startswith("7"), DRAMA_REASON, True, True)
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != ValidationResult.IS_POSSIBLE and possible in _POSSIBLE_REASONS:
        return PhoneCheck(False, e164, False, _POSSIBLE_REASONS[possible], is_uk)
    if not phonenumbers.is_valid_number(number):
        where = "UK" if is_uk else "international"
        return PhoneCheck(False, e164, False, f"not a valid {where} phone number", is_uk)
    kind = phonenumbers.number_type(number)
    is_mobile = kind in _MOBILE_TYPES
    if kind in _NOT_PERSONAL_TYPES:
        return PhoneCheck(False, e164, False, _NOT_PERSONAL_TYPES[kind], is_uk)
    return PhoneCheck(True, e164, is_mobile, "", is_uk)
