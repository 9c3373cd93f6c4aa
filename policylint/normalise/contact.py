"""Canonical keys for contact values, so the same email or phone written two ways matches."""

from __future__ import annotations

import functools

import phonenumbers


@functools.lru_cache(maxsize=65536)
def phone_key(value: str, region: str = "GB") -> str:
    """E.164 form (``+447700900123``) of a phone number, or ``""`` if it cannot be parsed."""
    text = value.strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email_key(value: str) -> str:
    """Lower-cased, stripped email address (the whole address: mailboxes are
    case-insensitive in practice at every UK public-sector provider)."""
    return value.strip().lower()


def contact_key(kind: str, value: str) -> str:
    """The key a register indexes contacts by: ``kind`` is ``email`` or ``phone``."""
    if kind == "phone":
        return phone_key(value)
    return email_key(value)
