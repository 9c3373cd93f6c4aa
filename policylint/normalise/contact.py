"""Canonical keys for contact values, so the same email or phone written two ways matches."""

from __future__ import annotations

import functools

from policylint.normalise.phone import parse_uk_phone

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


@functools.lru_cache(maxsize=65536)
def phone_key(value: str, region: str = "GB") -> str:
    """E.164 form (``+447700900123``) of a phone number, or ``""`` if it cannot be parsed.

    Every way of writing a number gives the same key: ``07723 456789``,
    ``+44 (0)7723 456 789`` and ``0044 7723 456789`` are all ``+447723456789``.
    Numbers that are parsed but not valid (drama ranges, wrong length) still get
    a key, so a register and a batch holding the same test number match.
    """
    if not value.strip():
        return ""
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
