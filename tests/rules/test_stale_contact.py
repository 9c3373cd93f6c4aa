"""stale-contact: emails, texts and voicemails that must be flagged and ones that must not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from policylint.engine.rule import Case
from policylint.masking import render_message
from policylint.model import Severity, Violation
from policylint.rules.stale_contact import StaleContact
from policylint.testing import codes, run_case

Table = list[dict[str, str]]


def person(pid: str, title: str, given: str, family: str, status: str = "active") -> dict[str, str]:
    return {"person_id": pid, "title": title, "given_name": given, "family_name": family,
            "date_of_birth": "1975-06-30", "status": status, "flags": ""}


def contact(pid: str, kind: str, value: str, status: str = "current",
            verified_on: str = "2026-06-01") -> dict[str, str]:
    return {"person_id": pid, "kind": kind, "value": value, "status": status,
            "verified_on": verified_on}


PEOPLE: Table = [
    person("P-1", "Mrs", "Sian", "Okafor"),
    person("P-2", "Mr", "Tomasz", "Nowak"),
    person("P-3", "Ms", "Priya", "Raman"),
]
CONTACTS: Table = [
    contact("P-1", "email", "sian.okafor@example.org", verified_on="2026-01-05"),
    contact("P-1", "email", "s.okafor@old-employer.example.com", status="previous",
            verified_on="2022-08-30"),
    contact("P-1", "phone", "07700 900123", verified_on="2026-06-12"),
    contact("P-1", "phone", "07700 900456", status="invalid", verified_on="2025-02-01"),
    contact("P-1", "phone", "01632 960001", status="previous", verified_on="2021-03-03"),
    contact("P-2", "email", "tomasz.nowak@example.net", verified_on="2026-03-03"),
    contact("P-2", "phone", "+44 7700 900777", verified_on="2026-03-03"),
    # P-3's only email is a previous one: no current email on record.
    contact("P-3", "email", "priya.raman@example.co.uk", status="previous",
            verified_on="2020-01-01"),
]
REGISTER: dict[str, Sequence[Mapping[str, str]]] = {"people": PEOPLE, "contacts": CONTACTS}


def email(recipient: str, value: str) -> dict[str, str]:
    return {"recipient_id": recipient, "channel": "email", "email": value, "phone": ""}


def text(recipient: str, value: str, channel: str = "sms") -> dict[str, str]:
    return {"recipient_id": recipient, "channel": channel, "email": "", "phone": value}


def check(*rows: Mapping[str, str], register: Mapping[str, Sequence[Mapping[str, str]]]
          | None = None, options: Mapping[str, Any] | None = None) -> list[Violation]:
    return run_case(StaleContact, Case(rows=list(rows), register=register or REGISTER),
                    options=options)


def only(violations: list[Violation], code: str) -> Violation:
    assert codes(violations) == [code], codes(violations)
    return violations[0]


# --- current contacts, however written: never flagged ----------------------------------

@pytest.mark.parametrize("row", [
    email("P-1", "sian.okafor@example.org"),
    email("P-1", "Sian.Okafor@Example.ORG"),
    email("P-1", "  sian.okafor@example.org "),
    text("P-1", "07700 900123"),
    text("P-1", "+44 7700 900123"),
    text("P-1", "+44 (0)7700 900 123"),
    text("P-1", "0044 7700 900123", channel="voicemail"),
    text("P-2", "07700900777"),
    text("P-2", "07700 900777", channel="voicemail"),
], ids=lambda row: f"{row['channel']}:{row['email'] or row['phone']}")
def test_current_contact_in_another_format_is_not_flagged(row: dict[str, str]) -> None:
    assert check(row) == []


def test_letters_and_unusable_values_are_left_to_other_rules() -> None:
    rows = [
        {"recipient_id": "P-1", "channel": "letter", "email": "s.okafor@old-employer.example.com",
         "phone": "07700 900456"},  # a letter: the email column is not where it goes
        email("P-1", ""),            # missing: contact-validity
        text("P-1", "not a number"),  # unreadable: contact-validity
        email("", "s.okafor@old-employer.example.com"),  # no recipient: merge-integrity
    ]
    assert check(*rows) == []


# --- must be flagged -----------------------------------------------------------------

def test_email_to_previous_address_says_when_it_was_replaced() -> None:
    violation = only(check(email("P-1", "S.Okafor@old-employer.example.com")),
                     "previous-contact")
    assert violation.severity is None  # the rule's default: error
    assert violation.column == "email"
    message = render_message(violation, show_values=False)
    assert message.startswith("This email goes to an address S. O. stopped using")
    assert "it was replaced on 2026-01-05" in message
    assert "Okafor" not in message and "old-employer" not in message
    assert "S.Okafor@old-employer.example.com" in render_message(violation, show_values=True)


def test_previous_contact_without_a_current_one() -> None:
    message = render_message(only(check(email("P-3", "priya.raman@example.co.uk")),
                                  "previous-contact"), False)
    assert "it is marked previous" in message
    assert "no current email address" in message


def test_voicemail_on_a_previous_number_warns_who_may_hear_it() -> None:
    violation = only(check(text("P-1", "01632 960001", channel="voicemail")),
                     "previous-contact")
    message = render_message(violation, show_values=False)
    assert message.startswith("This voicemail goes to a number")
    assert "whoever has the number now" in message
    assert "replaced on 2026-06-12" in message
    assert "960001" not in message and "001" in message  # last three digits only


def test_sms_to_an_invalid_number() -> None:
    violation = only(check(text("P-1", "+447700900456")), "invalid-contact")
    message = render_message(violation, show_values=False)
    assert "invalid" in message and "text message" in message
    assert violation.column == "phone"


def test_contact_not_on_the_persons_record() -> None:
    # P-2's current email, sent in P-1's row: not on P-1's record (recipient-mismatch
    # names the other owner; this rule only says it is not P-1's).
    violation = only(check(email("P-1", "tomasz.nowak@example.net")), "unknown-contact")
    message = render_message(violation, show_values=False)
    assert "is not on S. O.'s record" in message
    assert "Nowak" not in message and "T. N." not in message
    # A number for someone with no phone on record at all.
    found = check(text("P-3", "07700 900999"))
    assert "no phone number for them" in render_message(only(found, "unknown-contact"), False)


def test_deceased_recipient() -> None:
    register = {"people": [person("P-1", "Mrs", "Sian", "Okafor", status="deceased")],
                "contacts": CONTACTS}
    found = check(email("P-1", "sian.okafor@example.org"),
                  text("P-1", "07700 900456"), register=register)
    assert codes(found) == ["deceased", "deceased"]
    assert "do not send this email" in render_message(found[0], False)
    assert "do not send this text message" in render_message(found[1], False)


def test_unknown_recipient_is_a_warning_by_default_and_configurable() -> None:
    row = email("P-404", "someone@example.org")
    assert only(check(row), "unknown-recipient").severity is Severity.WARNING
    strict = check(row, options={"unknown_recipient_severity": "error"})
    assert only(strict, "unknown-recipient").severity is Severity.ERROR


# --- verification age ----------------------------------------------------------------

def test_stale_verification_is_a_warning() -> None:
    contacts = [contact("P-2", "phone", "07700 900777", verified_on="2025-11-01")]
    register = {"people": PEOPLE, "contacts": contacts}
    violation = only(check(text("P-2", "07700 900777"), register=register),
                     "unverified-contact")
    assert violation.severity is Severity.WARNING
    assert "2025-11-01" in render_message(violation, False)
    assert check(text("P-2", "07700 900777"), register=register,
                 options={"max_age_days": 730}) == []


def test_missing_verification_date() -> None:
    contacts = [contact("P-2", "email", "tomasz.nowak@example.net", verified_on="")]
    register = {"people": PEOPLE, "contacts": contacts}
    row = email("P-2", "tomasz.nowak@example.net")
    assert codes(check(row, register=register)) == ["unverified-contact"]
    assert check(row, register=register, options={"require_verified": False}) == []


def test_current_entry_wins_over_an_old_duplicate() -> None:
    # The same number once marked previous, later re-verified as current.
    contacts = [contact("P-2", "phone", "07700 900777", status="previous",
                        verified_on="2019-01-01"),
                contact("P-2", "phone", "+447700900777", verified_on="2026-09-09")]
    assert check(text("P-2", "07700 900777"),
                 register={"people": PEOPLE, "contacts": contacts}) == []
