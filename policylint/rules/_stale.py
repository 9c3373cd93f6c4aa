"""What stale-address and stale-contact share: the recipient lookup and verification age."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from policylint.engine.rule import Item
from policylint.io.register.base import Person, Register
from policylint.model import Personal, PersonalKind, Severity, Violation

SEVERITIES = ("error", "warning", "info")

# Options both rules take (JSON Schema properties).
COMMON_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "max_age_days": {
        "type": "integer", "minimum": 1, "default": 365,
        "description": "A current address or contact last verified longer ago than this "
                       "(days before the run's date) is reported as unverified.",
    },
    "unknown_recipient_severity": {
        "type": "string", "enum": list(SEVERITIES), "default": "warning",
        "description": "Severity of unknown-recipient (the recipient_id is not in the "
                       "register).",
    },
    "require_verified": {
        "type": "boolean", "default": True,
        "description": "A current address or contact with no verified_on date is reported "
                       "as unverified.",
    },
}


def person_label(person: Person) -> Personal:
    """The person as a message names them (masked to initials by default)."""
    name = " ".join(p for p in (person.title, person.given_name, person.family_name) if p)
    if name:
        return Personal(PersonalKind.NAME, name)
    return Personal(PersonalKind.IDENTIFIER, person.person_id)


def lookup_person(
    register: Register, item: Item, severity: Severity, what: str
) -> tuple[Person | None, Violation | None]:
    """(person, None), or (None, unknown-recipient violation) when the id is not in the register.

    ``what`` names what could not be checked ("address", "email address").
    """
    person = register.person(item.recipient_id)
    if person is not None:
        return person, None
    return None, Violation(
        code="unknown-recipient",
        message=(
            "The recipient_id is not in the register, so the {what} cannot be checked"
            " against it. Correct the recipient_id or add the person to the register"
            " before sending."
        ),
        facts={"what": what},
        column=item.fields.header("recipient_id"),
        severity=severity,
    )


def deceased_violation(person: Person, item: Item, sending: str) -> Violation:
    """``sending`` is what goes out: "letter", "email", "text message", "voicemail"."""
    return Violation(
        code="deceased",
        message=(
            "{name} is recorded as deceased in the register: do not send this {sending}."
            " Remove the row (correspondence about their estate goes to the executor"
            " through the bereavement process)."
        ),
        values={"name": person_label(person)},
        facts={"sending": sending},
        column=item.fields.header("recipient_id"),
    )


def staleness(
    verified_on: dt.date | None, today: dt.date, max_age_days: int, require_verified: bool
) -> str | None:
    """Why a current record counts as unverified (a sentence fragment), or None if it is fine."""
    if verified_on is None:
        return "the register has no date it was last verified" if require_verified else None
    age = (today - verified_on).days
    if age > max_age_days:
        return (f"it was last verified on {verified_on.isoformat()}, {age} days ago"
                f" (the policy allows {max_age_days})")
    return None


def date_text(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else ""
