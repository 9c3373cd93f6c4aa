"""Canonical keys for contact values, so the same email or phone written two ways matches."""

from __future__ import annotations

import functools
import re

from policylint.normalise import CACHE_SIZE
from policylint.normalise.phone import parse_uk_phone

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Plainly written UK numbers: digits with spaces, hyphens or brackets.
_PLAIN_UK = re.compile(r"(?:\+44|0044)?[\d \t()-]+")
_TRUNK_ZERO = re.compile(r"\(0\)")
_NON_DIGIT = re.compile(r"\D")


def _fast_uk_key(value: str) -> str | None:
    """E.164 for the common 11-digit UK spellings without a full phonenumbers parse
    (which costs most of a register's load time); None when unsure."""
    text = _TRUNK_ZERO.sub("", value.strip())
    if not _PLAIN_UK.fullmatch(text):
        return None
    digits = _NON_DIGIT.sub("", text)
    if text.startswith(("+44", "0044")):
        national = digits[2:] if text.startswith("+") else digits[4:]
        return f"+44{national}" if len(national) == 10 and national[0] != "0" else None
    if len(digits) == 11 and digits[0] == "0" and digits[1] != "0":
        return f"+44{digits[1:]}"
    return None


@functools.lru_cache(maxsize=CACHE_SIZE)
def phone_key(value: str, region: str = "GB") -> str:
    """E.164 form (``+447700900123``) of a phone number, or ``""`` if it cannot be parsed.

    Every way of writing a number gives the same key: ``07723 456789``,
    ``+44 (0)7723 456 789`` and ``0044 7723 456789`` are all ``+447723456789``.
    Numbers that are parsed but not valid (drama ranges, wrong length) still get
    a key, so a register and a batch holding the same test number match.
    """
    if not value.strip():
        return ""
    if region == "GB":
        fast = _fast_uk_key(value)
        if fast is not None:
            return fast
    return parse_uk_phone(value, region).e164


def email_key(value: str) -> str:
    """Lower-cased, stripped email address (the whole address: mailboxes are
    case-insensitive in practice at every UK public-sector provider)."""
    return value.translate(_INVISIBLE).strip().lower()


def contact_key(kind: str, value: str) -> str:
    """The key a register indexes contacts by: ``kind`` is ``email`` or ``phone``."""
    if kind == "phone":
        return phone_key(value)
    return email_key(value)
