"""Email addresses: would GOV.UK Notify accept this one?

``email_validator`` does the work, offline (no DNS look-ups), configured the way
Notify is: no display names, no quoted local parts, no IP-address domains, no
non-ASCII characters before the ``@``, a top-level domain required, no
consecutive or trailing dots. Surrounding whitespace (including zero-width
spaces pasted from Word) is stripped, as Notify does; whitespace inside is not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from policylint.normalise import CACHE_SIZE

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


@dataclass(frozen=True)
class EmailCheck:
    """``normalised`` is the address as it will be sent (domain lower-cased),
    or the stripped input when it is not valid; ``reason`` is ``""`` when valid
    and never quotes the address itself."""

    valid: bool
    normalised: str
    reason: str


def _safe_reason(reason: str, address: str) -> str:
    """email-validator's message, with any part of the address taken out of it."""
    local, _, domain = address.rpartition("@")
    for part in sorted({address, local, domain, *domain.split(".")}, key=len, reverse=True):
        if len(part) >= 3 and part in reason:
            reason = reason.replace(part, "…")
    return reason


@functools.lru_cache(maxsize=CACHE_SIZE)
def check_email(text: str) -> EmailCheck:
    """Validate one email address without network access."""
    address = text.translate(_INVISIBLE).strip()
    if not address:
        return EmailCheck(False, "", "no email address given")
    if any(c.isspace() for c in address):
        return EmailCheck(False, address, "an email address cannot contain spaces")
    if address.endswith("."):
        return EmailCheck(False, address, "an email address cannot end with a full stop")
    if "@" not in address:
        return EmailCheck(False, address, "an email address must contain an @ sign")
    # Imported here: it compiles its grammar on import (25 ms), which a run that never
    # validates an address (``policylint lint``) need not pay.
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(
            address,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError as err:
        return EmailCheck(False, address, _safe_reason(str(err), address))
    return EmailCheck(True, result.normalized, "")
