"""secure-delivery: personal data emailed unencrypted, passwords in the body, links
outside the portal and webmail destinations are caught; protected sends pass."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from policylint.engine.rule import Case
from policylint.masking import render_message
from policylint.model import Violation
from policylint.rules.secure_delivery import SecureDelivery
from policylint.testing import codes, run_case
from tests.io.attachment_files import write_docx, write_pdf

PEOPLE = [
    {"person_id": "P-1", "title": "Ms", "given_name": "Priya", "family_name": "Patel",
     "date_of_birth": "1990-11-30", "status": "active", "flags": ""},
]
ADDRESSES = [
    {"person_id": "P-1", "line_1": "4 Mill Lane", "line_2": "Fenmarsh", "postcode": "PE30 4AB",
     "status": "current", "valid_from": "2019-01-01", "valid_to": "", "verified_on": ""},
]
REGISTER = {"people": PEOPLE, "addresses": ADDRESSES}
EMAIL = ("---\nname: statement\nchannel: email\n---\nDear {{ name }},\n"
         "Please find your statement attached.\n{{ extra }}\n")
REFERRAL = ("---\nname: referral\nchannel: email\naudience: third_party\n---\n"
            "Referral attached for our mutual client.\n")
SECURE = {"secure_domains": ["gov.uk", "nhs.net", "gcsx.gov.uk"]}


def check(tmp: Path, *, attachments: str = "", extra: str = "", template: str = EMAIL,
          options: Mapping[str, Any] | None = None, email: str = "priya.patel@example.org",
          row: Mapping[str, str] | None = None, register: bool = True) -> list[Violation]:
    cells = {"recipient_id": "P-1", "name": "Ms Patel", "email": email, "extra": extra,
             "channel": "email", **(row or {})}
    if attachments:
        cells["attachments"] = attachments
    case = Case(rows=[cells], template=template, register=REGISTER if register else None,
                options=options or {})
    return run_case(SecureDelivery, case, attachments_dir=tmp)


STATEMENT = ["Council tax statement", "Ms Priya Patel", "4 Mill Lane, Fenmarsh PE30 4AB",
             "Balance due: 412.00"]


@pytest.mark.parametrize("lines", [
    STATEMENT,
    ["Statement for account", "Ms Patel"],  # the row's name column
    ["Patient details", "NHS number 943 476 5919"],
    ["Employee record", "NI: JG 10 37 59 A"],
    ["Application", "Date of birth: 30 November 1990"],
    ["Your account", "Postcode pe304ab"],
])
def test_unencrypted_pdf_with_personal_data_is_flagged(tmp_path: Path, lines: list[str]
                                                       ) -> None:
    write_pdf(tmp_path / "s.pdf", [["Cover"], lines])
    found = check(tmp_path, attachments="s.pdf")
    assert codes(found) == ["unprotected-attachment"], lines
    message = render_message(found[0], show_values=False)
    assert "page 2" in message and "Attachment 1" in message
    assert "943 476 5919" not in message and "JG 10" not in message


def test_unencrypted_docx_with_personal_data_is_flagged(tmp_path: Path) -> None:
    write_docx(tmp_path / "s.docx", ["Council tax statement"], table=[["Name", "Priya Patel"]])
    assert codes(check(tmp_path, attachments="s.docx")) == ["unprotected-attachment"]


def test_pdf_that_opens_without_a_password_is_not_protected(tmp_path: Path) -> None:
    write_pdf(tmp_path / "s.pdf", [STATEMENT], password="")  # owner password only
    assert codes(check(tmp_path, attachments="s.pdf")) == ["unprotected-attachment"]


def test_encrypted_attachments_pass(tmp_path: Path) -> None:
    write_pdf(tmp_path / "s.pdf", [STATEMENT], password="Fen-2026")
    write_docx(tmp_path / "s.docx", STATEMENT, password="Fen-2026")
    for name in ("s.pdf", "s.docx"):
        assert check(tmp_path, attachments=name,
                     row={"attachment_password": "Fen-2026"}) == [], name


@pytest.mark.parametrize("lines", [
    ["Recycling collection days", "Fenmarsh Council, King's Court, PE30 1EX",
     "Call 01553 616200"],  # the council's own details are not personal data
    ["Reference 1234567890"],  # ten digits that are not a valid NHS number
    # a date that is not a birth date; "born" with no full date
    ["Opening hours 9 to 5", "Updated 30 November 2020", "Born on 1 May"],
])
def test_attachment_without_personal_data_passes(tmp_path: Path, lines: list[str]) -> None:
    write_pdf(tmp_path / "leaflet.pdf", [lines])
    assert check(tmp_path, attachments="leaflet.pdf") == []


def test_only_email_items_are_checked(tmp_path: Path) -> None:
    write_pdf(tmp_path / "s.pdf", [STATEMENT])
    letter = EMAIL.replace("channel: email", "channel: letter")
    assert check(tmp_path, attachments="s.pdf", template=letter,
                 row={"channel": "letter"}) == []


def test_portal_links(tmp_path: Path) -> None:
    portal = {"portal_domains": ["portal.fenmarsh.gov.uk"]}
    ok = "https://portal.fenmarsh.gov.uk/documents/8812"
    assert check(tmp_path, attachments=ok, options=portal) == []
    assert check(tmp_path, attachments="https://eu.portal.fenmarsh.gov.uk/d/1",
                 options=portal) == []
    for bad in ("https://wetransfer.com/downloads/abc", "http://portal.fenmarsh.gov.uk/d/1",
                "https://portal.fenmarsh.gov.uk.evil.example/d/1"):
        found = check(tmp_path, attachments=bad, options=portal)
        assert codes(found) == ["unapproved-link"], bad
        assert "wetransfer" not in render_message(found[0], show_values=False)


@pytest.mark.parametrize("extra", [
    "Password: Blue42Sky",
    "The password is Fen-2026.",
    "The password to open the statement is: tulips",
    "PIN = 4471",
    "Your passcode is 'x7Q!pz'",
])
def test_password_in_body_is_caught(tmp_path: Path, extra: str) -> None:
    found = check(tmp_path, extra=extra)
    assert codes(found) == ["password-in-body"], extra
    assert "Blue42Sky" not in render_message(found[0], show_values=False)


@pytest.mark.parametrize("extra", [
    "We will send the password separately.",
    "The password is your date of birth in the form DDMMYYYY.",
    "The password has been sent to you by text message.",
    "If you forgot your password, reset it on our website.",
    "Password protected documents are sent by secure email.",
    "The password is case-sensitive.",
    "Your PIN number will be sent in a separate letter.",
])
def test_password_instructions_are_not_flagged(tmp_path: Path, extra: str) -> None:
    assert check(tmp_path, extra=extra) == [], extra


def test_the_attachments_own_password_in_the_body(tmp_path: Path) -> None:
    write_pdf(tmp_path / "s.pdf", [STATEMENT], password="Kestrel")
    found = check(tmp_path, attachments="s.pdf", extra="Use Kestrel to open it.",
                  row={"attachment_password": "Kestrel"})
    assert codes(found) == ["password-in-body"]


@pytest.mark.parametrize(("email", "kind"), [
    ("sw.jones@gmail.com", "personal webmail"),
    ("sw.jones@hotmail.co.uk", "personal webmail"),
    ("s.jones@fenmarsh-care.co.uk", "outside them"),
])
def test_insecure_destination_for_partner_agencies(tmp_path: Path, email: str, kind: str
                                                   ) -> None:
    found = check(tmp_path, template=REFERRAL, options=SECURE, email=email)
    assert codes(found) == ["insecure-destination"]
    message = render_message(found[0], show_values=False)
    assert kind in message and "sw.jones" not in message


@pytest.mark.parametrize("email", ["s.jones@fenmarsh.gcsx.gov.uk", "team@nhs.net",
                                   "a.b@norfolk.gov.uk"])
def test_secure_destinations_pass(tmp_path: Path, email: str) -> None:
    assert check(tmp_path, template=REFERRAL, options=SECURE, email=email) == []


def test_secure_email_only_where_the_policy_requires_it(tmp_path: Path) -> None:
    # A resident's own statement to their gmail address is their choice.
    assert check(tmp_path, options=SECURE, email="priya@gmail.com") == []
    by_template = {**SECURE, "secure_templates": ["statement"]}
    assert codes(check(tmp_path, options=by_template, email="priya@gmail.com")) == [
        "insecure-destination"]


def test_without_a_register_the_rows_values_are_used(tmp_path: Path) -> None:
    write_pdf(tmp_path / "s.pdf", [["Statement", "Ms Patel, account 77"]])
    assert codes(check(tmp_path, attachments="s.pdf", register=False)) == [
        "unprotected-attachment"]


def test_protect_audiences(tmp_path: Path) -> None:
    write_pdf(tmp_path / "s.pdf", [STATEMENT])
    only_third = {"protect_audiences": ["third_party"]}
    assert check(tmp_path, attachments="s.pdf", options=only_third) == []
    referral = REFERRAL.replace("client.\n", "client.\n{{ extra }}\n")
    assert codes(check(tmp_path, attachments="s.pdf", options=only_third,
                       template=referral)) == ["unprotected-attachment"]
