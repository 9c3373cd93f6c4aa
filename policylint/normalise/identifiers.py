"""UK personal identifiers recognised by their shape: NHS and National Insurance numbers.

Used where an identifier must stay masked even when a policy lets opaque internal
ids be shown (``output: {show_ids: true}``): an NHS number used as a recipient_id
is personal data in a CI log whatever the policy says.
"""

from __future__ import annotations

import re

from policylint.normalise.phone import parse_uk_phone

# HMRC's prefix rules: first letter not D F I Q U V, second not D F I O Q U V, never
# BG GB KN NK NT TN ZZ; six digits; suffix A-D (sometimes left off).
NI_NUMBER_RE = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|KN|NK|NT|TN|ZZ)"
    r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ \u00a0]?"
    r"[0-9]{2}[ \u00a0]?[0-9]{2}[ \u00a0]?[0-9]{2}(?:[ \u00a0]?[A-D])?"
    r"(?![A-Za-z0-9])"
)
# Shaped like one, prefix rules aside: HMRC's own examples (QQ 12 34 56 C) and
# temporary numbers are still someone's number in a log.
_NI_SHAPE_RE = re.compile(r"[A-Z]{2}[0-9]{6}[A-D]?")
_SEPARATORS = str.maketrans("", "", " \u00a0-")


def nhs_number_valid(digits: str) -> bool:
    """True for ten digits whose last is the NHS modulus 11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def is_nhs_number(value: str) -> bool:
    """``943 476 5919``, ``943-476-5919`` or ``9434765919`` with a valid check digit."""
    return nhs_number_valid(value.strip().translate(_SEPARATORS))


def is_ni_number(value: str) -> bool:
    """Shaped like a National Insurance number, spaced or not (``QQ 12 34 56 C``)."""
    return _NI_SHAPE_RE.fullmatch(value.upper().translate(_SEPARATORS)) is not None


def is_contact_value(value: str) -> bool:
    """Anything shaped like an email address or a phone number (valid or not: a
    mistyped one still reaches or names a person)."""
    text = value.strip()
    local, at, domain = text.rpartition("@")
    if at:
        return bool(local) and "." in domain
    digits = sum(c.isdigit() for c in text)
    return digits >= 10 and bool(parse_uk_phone(text).e164)


def is_personal_identifier(value: str) -> bool:
    """An id that identifies a person to anyone who reads it: NHS or NI number,
    email or phone. Such ids are masked even where internal ids may be shown."""
    return is_nhs_number(value) or is_ni_number(value) or is_contact_value(value)
