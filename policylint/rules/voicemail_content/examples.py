"""The rule's documented examples: ``policylint explain voicemail-content`` prints them and
the test suite runs them, bad and good."""

from __future__ import annotations

from policylint.engine.rule import Case, Example

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

EXAMPLES = (
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


