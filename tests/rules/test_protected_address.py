"""protected-address: items that must be flagged and items that must not, side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.engine.rule import Case
from policylint.masking import render_message
from policylint.model import Severity, Violation
from policylint.rules import BUILTIN_RULES
from policylint.rules._protected_index import ProtectedIndex
from policylint.rules.protected_address import (
    DO_NOT_DISCLOSE,
    PROTECTED_DETAIL,
    THIRD_PARTY_FIELD,
    ProtectedAddress,
)
from policylint.testing import codes, run_case

Table = list[dict[str, str]]
TODAY = date(2026, 11, 26)


def person(pid: str, title: str, given: str, family: str) -> dict[str, str]:
    return {"person_id": pid, "title": title, "given_name": given, "family_name": family,
            "status": "active"}


def address(pid: str, *lines: str, postcode: str, status: str = "current",
            valid_from: str = "", valid_to: str = "") -> dict[str, str]:
    row = {"person_id": pid, "postcode": postcode, "status": status,
           "valid_from": valid_from, "valid_to": valid_to}
    row.update({f"line_{i}": line for i, line in enumerate(lines, start=1)})
    return row


def contact(pid: str, kind: str, value: str, status: str = "current") -> dict[str, str]:
    return {"person_id": pid, "kind": kind, "value": value, "status": status}


PEOPLE: Table = [
    person("P-100", "Ms", "Sarah", "Okafor"),    # fled; confidential; do-not-disclose to P-101
    person("P-101", "Mr", "Mark", "Hollis"),     # her ex-partner
    person("P-102", "Miss", "Amy", "Okafor"),    # her daughter, same home
    person("P-103", "Mrs", "Joan", "Price"),     # next door: 16 Station Road, same postcode
    person("P-104", "Mr", "Idris", "Bevan"),     # her solicitor (representative)
    person("P-105", "Ms", "Gwen", "Rees"),       # her former representative (ended 2025)
    person("P-106", "Mr", "Tom", "Evans"),       # Flat 3 in the same building
    person("P-107", "Dr", "Priya", "Raman"),     # unrelated, Leeds
    person("P-108", "Mr", "Dylan", "Morgan"),    # 14 Station Road in Penarth
    person("P-110", "Mr", "Chris", "Wood"),      # lives where Sarah stayed until May
    person("P-200", "Mrs", "Helen", "Carter"),   # confidential address only
    person("P-203", "Mr", "Gary", "Holt"),       # father in care proceedings
    person("P-204", "Ms", "Lisa", "Holt"),       # mother: confidential address
]
ADDRESSES: Table = [
    address("P-100", "Flat 2", "14 Station Road", "Cardiff", postcode="CF10 1EP",
            valid_from="2026-06-01"),
    address("P-100", "3 Willow Court", "Bristol", postcode="BS1 4DJ", status="previous",
            valid_from="2026-02-01", valid_to="2026-05-31"),
    address("P-100", "27 Orchard Close", "Newport", postcode="NP20 4AB", status="previous",
            valid_from="2015-01-01", valid_to="2026-02-01"),
    address("P-100", "8 Heol Las", "Swansea", postcode="SA1 2CD", status="previous",
            valid_from="2012-01-01", valid_to="2021-06-30"),
    address("P-101", "3 Mill Lane", "Swansea", postcode="SA1 1AA", valid_from="2026-02-01"),
    address("P-101", "27 Orchard Close", "Newport", postcode="NP20 4AB", status="previous",
            valid_from="2015-01-01", valid_to="2026-02-01"),
    address("P-102", "Flat 2", "14 Station Road", "Cardiff", postcode="CF10 1EP"),
    address("P-103", "16 Station Road", "Cardiff", postcode="CF10 1EP"),
    address("P-104", "9 Heol Y Deri", "Cardiff", postcode="CF14 6HF"),
    address("P-105", "1 Park Place", "Cardiff", postcode="CF10 3AT"),
    address("P-106", "Flat 3", "14 Station Road", "Cardiff", postcode="CF10 1EP"),
    address("P-107", "22 High Street", "Leeds", postcode="LS1 4AP"),
    address("P-108", "14 Station Road", "Penarth", postcode="CF64 1AA"),
    address("P-110", "3 Willow Court", "Bristol", postcode="BS1 4DJ", valid_from="2026-07-01"),
    address("P-200", "Rose Cottage", "Church Lane", "Otley", postcode="LS21 3AB"),
    address("P-203", "5 Beech Grove", "Leeds", postcode="LS8 1PQ"),
    address("P-204", "12 Acacia Avenue", "Leeds", postcode="LS6 2QJ"),
]
CONTACTS: Table = [
    contact("P-100", "phone", "07700 900123"),
    contact("P-100", "phone", "07700 900124", status="previous"),
    contact("P-100", "email", "sarah.okafor@example.org"),
    contact("P-101", "phone", "07700 900461"),
    contact("P-200", "email", "helen.carter@example.net"),
    contact("P-200", "phone", "07700 900555", status="previous"),  # now Priya's number
    contact("P-107", "phone", "07700 900555"),
]
RESTRICTIONS: Table = [
    {"person_id": "P-100", "kind": "confidential_address", "other_person_id": "", "note": ""},
    {"person_id": "P-100", "kind": "do_not_disclose_to", "other_person_id": "P-101",
     "note": "non-molestation order"},
    {"person_id": "P-200", "kind": "confidential_address", "other_person_id": "", "note": ""},
    {"person_id": "P-204", "kind": "confidential_address", "other_person_id": "", "note": ""},
]
REPRESENTATIVES: Table = [
    {"person_id": "P-100", "representative_id": "P-104", "scope": "solicitor", "valid_to": ""},
    {"person_id": "P-100", "representative_id": "P-105", "scope": "advocate",
     "valid_to": "2025-12-31"},
]
REGISTER: dict[str, Table] = {
    "people": PEOPLE, "addresses": ADDRESSES, "contacts": CONTACTS,
    "restrictions": RESTRICTIONS, "representatives": REPRESENTATIVES,
}

SARAH_ADDRESS = "Flat 2, 14 Station Road, Cardiff CF10 1EP"
LETTER = ("---\nname: case-letter\nchannel: letter\n---\n"
          "Dear {{ name }},\n{{ note }}\nYours sincerely,\nFamily Support Team\n")


def check(rows: Sequence[Mapping[str, str]], template: str | None = None,
          options: Mapping[str, Any] | None = None) -> list[Violation]:
    case = Case(rows=rows, template=template, register=REGISTER)
    return run_case(ProtectedAddress, case, today=TODAY, options=options)


def letter_to(pid: str, name: str, note: str, **extra: str) -> dict[str, str]:
    return {"recipient_id": pid, "name": name, "channel": "letter", "note": note, **extra}


def only(violations: list[Violation], code: str) -> Violation:
    found = [v for v in violations if v.code == code]
    assert len(found) == 1, [(v.code, render_message(v, True)) for v in violations]
    return found[0]


def test_registered_with_documented_options() -> None:
    assert ProtectedAddress in BUILTIN_RULES
    assert ProtectedAddress.default_severity is Severity.ERROR
    assert ProtectedAddress.default_options() == {
        "recent_days": 0, "subject_contact_fields": [], "search_rendered": True,
        "short_street_homes": 5}
    doc = ProtectedAddress.doc()
    for word in ("Anti-pattern", "Best practice", PROTECTED_DETAIL, DO_NOT_DISCLOSE,
                 THIRD_PARTY_FIELD, "recent_days"):
        assert word in doc


# --- must be flagged ---------------------------------------------------------------------

def test_victims_new_address_in_letter_to_ex_partner() -> None:
    found = check([letter_to("P-101", "Mark Hollis", "Please see the enclosed order.",
                             subject_address="Flat 2, 14 Station Rd, Cardiff, CF10 1EP")],
                  LETTER)
    violation = only(found, DO_NOT_DISCLOSE)
    assert codes(found) == [DO_NOT_DISCLOSE]  # one finding, not one per fingerprint
    assert violation.column == "subject_address"
    assert violation.fingerprint_extra == "P-100:address"
    masked = render_message(violation, False)
    assert "P-101 must not be told where P-100 lives" in masked
    assert "M. H." in masked and "S. O." in masked
    for secret in ("Station", "Sarah", "Okafor", "1EP", "Hollis"):
        assert secret not in masked
    assert "14 Station Road" in render_message(violation, True)


def test_worst_case_message_reads_clearly() -> None:
    found = check([letter_to("P-107", "Priya Raman",
                             f"Ms Okafor asked us to write to her at {SARAH_ADDRESS}.")])
    violation = only(found, PROTECTED_DETAIL)
    assert violation.column == "note"
    assert violation.severity is None  # the rule's default, error
    assert render_message(violation, False).startswith(
        "This letter to P. R. contains S. O.'s confidential address (column note). "
        "S. O. has a confidential address: nobody but them, the people who live with them "
        "and their representatives may see it.")


def test_court_bundle_rendered_address_to_father() -> None:
    template = ("---\nname: court-bundle\nchannel: letter\n---\n"
                "Dear {{ name }},\nPlease find the court bundle enclosed.\n"
                "The mother's address for service is {{ number }} {{ street }}, {{ pc }}.\n")
    rows = [{"recipient_id": "P-203", "name": "Gary Holt", "number": "12",
             "street": "Acacia Ave", "pc": "LS6 2QJ"}]
    violation = only(check(rows, template), PROTECTED_DETAIL)
    # No single cell holds the address: only the rendered text does.
    assert violation.column is None
    assert "line 3 of the text" in render_message(violation, False)
    assert violation.fingerprint_extra == "P-204:address"
    # The same bundle with the address left out is fine.
    rows[0]["number"], rows[0]["street"], rows[0]["pc"] = "c/o", "the court", "office"
    assert check(rows, template) == []


def test_postcode_with_house_number_is_an_address() -> None:
    found = check([letter_to("P-107", "Priya Raman", "Complaint about no. 12, LS6 2QJ")])
    assert only(found, PROTECTED_DETAIL).fingerprint_extra == "P-204:address"


@pytest.mark.parametrize("channel,spelling", [
    ("sms", "Amy's mum's new number is 077009 00123"),
    ("voicemail", "call her back on plus... +44 7700 900 123, that's all"),
    ("sms", "ring (07700) 900-123"),
])
def test_victims_mobile_to_ex_partner_any_spacing(channel: str, spelling: str) -> None:
    found = check([{"recipient_id": "P-101", "channel": channel, "phone": "07700 900461",
                    "script": spelling}])
    violation = only(found, DO_NOT_DISCLOSE)
    assert violation.fingerprint_extra == "P-100:phone"
    assert "how to reach P-100" in render_message(violation, False)


def test_victims_email_in_email_to_someone_else() -> None:
    rows = [{"recipient_id": "P-107", "channel": "email", "email": "p.raman@example.com",
             "body": "Copy to Sarah.Okafor@Example.org for information."}]
    violation = only(check(rows), PROTECTED_DETAIL)
    assert violation.fingerprint_extra == "P-100:email"
    assert "s***@e***.org" in render_message(violation, False)


def test_email_must_stand_alone() -> None:
    for body in ("write to xsarah.okafor@example.org", "see sarah.okafor@example.org.uk",
                 "sarah.okafor@example.organic"):
        rows = [{"recipient_id": "P-107", "channel": "email", "email": "p@example.com",
                 "body": body}]
        assert check(rows) == [], body
    rows = [{"recipient_id": "P-107", "channel": "email", "email": "p@example.com",
             "body": "Email sarah.okafor@example.org."}]
    assert codes(check(rows)) == [PROTECTED_DETAIL]


def test_merge_shifted_address_in_unrelated_persons_letter() -> None:
    # Row 3 carries the row before's address lines: Priya's letter shows Sarah's home.
    rows = [
        {"recipient_id": "P-100", "name": "Sarah Okafor", "address_line_1": "Flat 2",
         "address_line_2": "14 Station Road", "address_line_3": "Cardiff",
         "postcode": "CF10 1EP"},
        {"recipient_id": "P-107", "name": "Priya Raman", "address_line_1": "Flat 2",
         "address_line_2": "14 Station Road", "address_line_3": "Cardiff",
         "postcode": "CF10 1EP"},
    ]
    found = check(rows)
    violation = only(found, PROTECTED_DETAIL)
    assert violation.column == "address_line_2"


def test_unknown_recipient_at_protected_address_is_flagged() -> None:
    rows = [{"recipient_id": "P-999", "name": "The Occupier", "address_line_1": "Flat 2",
             "address_line_2": "14 Station Road", "address_line_3": "Cardiff",
             "postcode": "CF10 1EP"}]
    assert codes(check(rows)) == [PROTECTED_DETAIL]


def test_former_representative_may_no_longer_see_it() -> None:
    found = check([letter_to("P-105", "Gwen Rees", f"Your client lives at {SARAH_ADDRESS}")])
    assert codes(found) == [PROTECTED_DETAIL]


def test_postcode_alone_to_ex_partner() -> None:
    found = check([letter_to("P-101", "Mark Hollis", "Contact centre near CF10 1EP")])
    assert codes(found) == [DO_NOT_DISCLOSE]
    # To anyone else a postcode on its own does not locate her.
    assert check([letter_to("P-107", "Priya Raman", "Contact centre near CF10 1EP")]) == []


def test_refuge_address_to_ex_partner_only_when_policy_keeps_it() -> None:
    # The refuge she left in May is a previous address: not a protected detail (DESIGN §2)
    # unless the policy keeps recently left addresses protected.
    row = letter_to("P-101", "Mark Hollis", "Forwarded from 3 Willow Court, Bristol")
    assert check([row]) == []
    violation = only(check([row], options={"recent_days": 730}), DO_NOT_DISCLOSE)
    assert "previous address" in render_message(violation, False)


def test_previous_contacts_are_not_protected_by_default() -> None:
    row = {"recipient_id": "P-101", "channel": "voicemail", "phone": "07700 900461",
           "script": "her old mobile 07700900124"}
    assert check([row]) == []
    assert codes(check([row], options={"recent_days": 730})) == [DO_NOT_DISCLOSE]


# --- must not be flagged ----------------------------------------------------------------

def test_neighbour_sharing_the_postcode() -> None:
    template = ("---\nname: rent\nchannel: letter\n---\n{{ address_line_1 }}\n"
                "{{ address_line_2 }}\n{{ postcode }}\nDear {{ name }}, your rent is due.\n")
    rows = [{"recipient_id": "P-103", "name": "Joan Price", "address_line_1": "16 Station Road",
             "address_line_2": "Cardiff", "postcode": "CF10 1EP"}]
    assert check(rows, template) == []
    # The same letter mentioning number 14 is about Sarah's home.
    rows[0]["note"] = "Re: noise from 14 Station Road"
    assert codes(check(rows, template)) == [PROTECTED_DETAIL]


def test_neighbour_in_the_same_building() -> None:
    rows = [{"recipient_id": "P-106", "name": "Tom Evans", "address_line_1": "Flat 3",
             "address_line_2": "14 Station Road", "address_line_3": "Cardiff",
             "postcode": "CF10 1EP"}]
    assert check(rows) == []
    rows[0]["note"] = "The leak came from Flat 2, 14 Station Road"
    assert codes(check(rows)) == [PROTECTED_DETAIL]


def test_protected_persons_own_letters() -> None:
    rows = [
        {"recipient_id": "P-100", "name": "Sarah Okafor", "channel": "letter",
         "address_line_1": "Flat 2", "address_line_2": "14 Station Road",
         "address_line_3": "Cardiff", "postcode": "CF10 1EP",
         "note": "We have your mobile 07700 900123 and sarah.okafor@example.org"},
        {"recipient_id": "P-100", "channel": "sms", "phone": "07700 900123",
         "message": "Your new number 07700 900123 is registered"},
    ]
    assert check(rows, LETTER) == []


def test_household_members_letters() -> None:
    rows = [{"recipient_id": "P-102", "name": "Amy Okafor", "address_line_1": "Flat 2",
             "address_line_2": "14 Station Road", "address_line_3": "Cardiff",
             "postcode": "CF10 1EP", "note": "Your school place at 14 Station Road"}]
    assert check(rows) == []


def test_letter_to_representative_with_the_address() -> None:
    rows = [letter_to("P-104", "Idris Bevan", f"Your client's address: {SARAH_ADDRESS}; "
                                              "mobile 07700 900123")]
    assert check(rows, LETTER) == []


def test_street_name_alone() -> None:
    for note in ("The High Street office is closed.", "Station Road is being resurfaced.",
                 "Works at 114 Station Road and at Flat 12, 14 Station Road, CF10 1EQ",
                 "Acacia Avenue residents' meeting", "Meeting at 14:00 on Station Road"):
        assert check([letter_to("P-107", "Priya Raman", note)]) == [], note


def test_same_street_line_elsewhere() -> None:
    # Dylan lives at 14 Station Road in Penarth: his own address is not Sarah's.
    rows = [{"recipient_id": "P-108", "name": "Dylan Morgan", "address_line_1": "14 Station Road",
             "address_line_2": "Penarth", "postcode": "CF64 1AA"}]
    assert check(rows) == []
    # And "14 Station Road" followed by another postcode is somewhere else.
    rows = [letter_to("P-107", "Priya Raman", "Our Penarth office: 14 Station Road, CF64 1AA")]
    assert check(rows) == []


def test_previous_address_recent_days() -> None:
    old = letter_to("P-107", "Priya Raman", "Records from 8 Heol Las, Swansea SA1 2CD")
    recent = letter_to("P-107", "Priya Raman", "Records from 3 Willow Court, Bristol BS1 4DJ")
    # By default previous addresses are not protected details.
    assert check([old]) == [] and check([recent]) == []
    keep = {"recent_days": 730}
    assert check([old], options=keep) == []  # left in 2021, outside 730 days
    violation = only(check([recent], options=keep), PROTECTED_DETAIL)
    assert "They left it on 2026-05-31" in render_message(violation, False)
    assert check([recent], options={"recent_days": 90}) == []
    assert codes(check([old], options={"recent_days": 3000})) == [PROTECTED_DETAIL]


def test_relet_home_new_occupier() -> None:
    rows = [{"recipient_id": "P-110", "name": "Chris Wood", "address_line_1": "3 Willow Court",
             "address_line_2": "Bristol", "postcode": "BS1 4DJ",
             "note": "Welcome to 3 Willow Court"}]
    assert check(rows) == []


def test_shared_home_is_not_news_to_ex_partner() -> None:
    keep = {"recent_days": 730}
    rows = [letter_to("P-101", "Mark Hollis", "Council tax for 27 Orchard Close, NP20 4AB")]
    assert check(rows) == [] and check(rows, options=keep) == []
    # With recently left addresses kept protected, to anyone else the home she left in
    # February still is; by default a previous address is not a protected detail.
    rows = [letter_to("P-107", "Priya Raman", "Council tax for 27 Orchard Close, NP20 4AB")]
    assert check(rows) == []
    assert codes(check(rows, options=keep)) == [PROTECTED_DETAIL]


def test_number_the_recipient_now_has() -> None:
    # Helen's previous number is Priya's now (protected only when the policy keeps
    # previous contacts protected).
    keep = {"recent_days": 730}
    rows = [{"recipient_id": "P-107", "channel": "sms", "phone": "07700 900555",
             "message": "Reply to 07700 900555 to confirm"}]
    assert check(rows, options=keep) == []
    rows[0]["recipient_id"] = "P-203"
    assert check(rows) == []
    assert codes(check(rows, options=keep)) == [PROTECTED_DETAIL]


def test_template_own_wording_is_not_a_leak() -> None:
    template = ("---\nname: footer\nchannel: letter\n---\nDear {{ name }},\n{{ note }}\n"
                "Cardiff Family Hub, 14 Station Road, Cardiff\n")
    rows = [letter_to("P-107", "Priya Raman", "Your appointment is confirmed.")]
    assert check(rows, template) == []
    rows = [letter_to("P-107", "Priya Raman", "Ms Okafor lives at Flat 2, 14 Station Road")]
    assert codes(check(rows, template)) == [PROTECTED_DETAIL]


def test_house_name_address() -> None:
    assert check([letter_to("P-107", "Priya Raman", "Church Lane bins are collected Monday")]) == []
    found = check([letter_to("P-107", "Priya Raman", "Mrs Carter, Rose Cottage, Church Lane")])
    assert only(found, PROTECTED_DETAIL).fingerprint_extra == "P-200:address"
    found = check([letter_to("P-107", "Priya Raman", "Rose Cottage, LS21 3AB")])
    assert codes(found) == [PROTECTED_DETAIL]
    # Written over lines, blank ones between, in the rendered text only.
    template = ("---\nname: t\nchannel: letter\n---\n{{ house }}\n\n\n\n-\n\n{{ street }}\n"
                "Dear {{ name }}\n")
    rows = [{"recipient_id": "P-107", "name": "Priya Raman", "house": "Rose Cottage",
             "street": "Church Lane"}]
    violation = only(check(rows, template), PROTECTED_DETAIL)
    assert violation.column is None


def test_search_rendered_off() -> None:
    template = ("---\nname: court-bundle\nchannel: letter\n---\n"
                "Address: {{ number }} {{ street }}, {{ pc }}\n")
    rows = [{"recipient_id": "P-203", "name": "Gary Holt", "number": "12",
             "street": "Acacia Avenue", "pc": "LS6 2QJ"}]
    assert codes(check(rows, template)) == [PROTECTED_DETAIL]
    assert check(rows, template, options={"search_rendered": False}) == []


def test_no_register_no_findings() -> None:
    case = Case(rows=[letter_to("P-107", "Priya Raman", SARAH_ADDRESS)])
    assert run_case(ProtectedAddress, case, today=TODAY) == []


def test_cells_do_not_run_together() -> None:
    # "14" ends one cell and "Station Road, CF10 1EP" starts the next.
    rows = [{"recipient_id": "P-107", "name": "Priya Raman", "amount": "14",
             "note": "Station Road, CF10 1EP"}]
    assert check(rows) == []


# --- third-party templates ---------------------------------------------------------------

THIRD_PARTY = ("---\nname: school-notice\nchannel: letter\naudience: third_party\n---\n"
               "Dear {{ name }},\n"
               "About {{ child }}: the mother lives at {{ subject_address_line_1 }},\n"
               "{{ postcode }}. Her mobile is {{ subject_phone }}; mum: {{ mum_mobile }}.\n")


def test_third_party_template_contact_fields() -> None:
    rows = [{"recipient_id": "P-107", "name": "Priya Raman", "child": "Amy",
             "subject_address_line_1": "c/o", "postcode": "LS1 4AP", "subject_phone": "-",
             "mum_mobile": "-"}]
    found = [v for v in check(rows, THIRD_PARTY) if v.code == THIRD_PARTY_FIELD]
    assert [(v.facts["field"], v.line, v.col) for v in found] == [
        ("subject_address_line_1", 7, 43), ("postcode", 8, 4), ("subject_phone", 8, 34)]
    found = [v for v in check(rows, THIRD_PARTY, options={"subject_contact_fields": [
        "mum_mobile"]}) if v.code == THIRD_PARTY_FIELD]
    assert [v.facts["field"] for v in found][-1] == "mum_mobile"
    assert "audience third_party" in render_message(found[0], False)
    assert {v.severity for v in found} == {Severity.WARNING}


def test_third_party_template_linted_without_a_register() -> None:
    # `policylint lint` has no register and no batch: every use is reported.
    case = Case(rows=[], template=THIRD_PARTY)
    found = run_case(ProtectedAddress, case, today=TODAY)
    assert [(v.facts["field"], v.line) for v in found] == [
        ("subject_address_line_1", 7), ("postcode", 8), ("subject_phone", 8)]
    assert {v.code for v in found} == {THIRD_PARTY_FIELD}


REP_TEMPLATE = ("---\nname: to-representative\nchannel: letter\naudience: third_party\n---\n"
                "Dear {{ name }},\nCouncil Tax for {{ subject_name }}, {{ subject_address }}\n")


def test_third_party_template_sent_only_to_representatives() -> None:
    # Sarah's solicitor may see her address: neither the row nor the template is reported.
    rows = [{"recipient_id": "P-104", "subject_id": "P-100", "name": "Idris Bevan",
             "subject_name": "Sarah Okafor", "subject_address": SARAH_ADDRESS}]
    assert check(rows, REP_TEMPLATE) == []
    # Her daughter lives with her: fine too.
    rows[0].update(recipient_id="P-102", name="Amy Okafor")
    assert check(rows, REP_TEMPLATE) == []


def test_third_party_template_sent_to_someone_else() -> None:
    rows = [{"recipient_id": "P-104", "subject_id": "P-100", "name": "Idris Bevan",
             "subject_name": "Sarah Okafor", "subject_address": SARAH_ADDRESS},
            {"recipient_id": "P-101", "subject_id": "P-100", "name": "Mark Hollis",
             "subject_name": "Sarah Okafor", "subject_address": SARAH_ADDRESS}]
    found = check(rows, REP_TEMPLATE)
    assert codes(found) == [DO_NOT_DISCLOSE, THIRD_PARTY_FIELD]
    template_finding = only(found, THIRD_PARTY_FIELD)
    assert template_finding.file == "example.j2" and template_finding.line == 7
    assert template_finding.row is None and template_finding.facts["row"] == 3
    # A rep of a child who is named in a do-not-disclose on the mother (her address is
    # the child's): the row is flagged, so is the template.
    rows = [{"recipient_id": "P-101", "subject_id": "P-102", "name": "Mark Hollis",
             "subject_name": "Amy Okafor", "subject_address": SARAH_ADDRESS}]
    register = {**REGISTER, "representatives": [*REPRESENTATIVES, {
        "person_id": "P-102", "representative_id": "P-101", "scope": "parental_responsibility",
        "valid_to": ""}]}
    found = run_case(ProtectedAddress, Case(rows=rows, template=REP_TEMPLATE,
                                            register=register), today=TODAY)
    assert codes(found) == [DO_NOT_DISCLOSE, THIRD_PARTY_FIELD]


def test_recipient_template_may_use_address_fields() -> None:
    template = THIRD_PARTY.replace("audience: third_party", "audience: recipient")
    rows = [{"recipient_id": "P-107", "name": "Priya Raman", "child": "Amy",
             "subject_address_line_1": "22 High Street", "postcode": "LS1 4AP",
             "subject_phone": "-", "mum_mobile": "-"}]
    assert check(rows, template) == []


# --- scale ------------------------------------------------------------------------------

PREFIXES = ("Ash", "Oak", "Elm", "Birch", "Hazel", "Rowan", "Alder", "Holly", "Willow", "Beech",
            "Cedar", "Maple", "Larch", "Hawthorn", "Juniper", "Laurel", "Poplar", "Yew",
            "Linden", "Aspen")
SUFFIXES = ("field", "wood", "ley", "ton", "bury", "dale", "mere", "brook", "croft", "ham")
TYPES = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Grove", "Crescent",
         "Terrace")
INWARD = "ABDEFGHJLNPQRSTUWXYZ"


def drama_phone(i: int) -> str:
    return f"07700 900{i:03d}" if i < 1000 else f"01632 960{i - 1000:03d}"


def postcode(i: int, area: str) -> str:
    return f"{area}{1 + i % 20} {(i // 20) % 10}{INWARD[(i // 200) % 20]}A"


@pytest.mark.slow
def test_two_thousand_protected_people(monkeypatch: pytest.MonkeyPatch) -> None:
    n = 2000
    builds: list[int] = []
    real_build = ProtectedIndex.build.__func__  # type: ignore[attr-defined]

    def counting_build(cls: type[ProtectedIndex], *args: Any, **kwargs: Any) -> ProtectedIndex:
        builds.append(1)
        result: ProtectedIndex = real_build(cls, *args, **kwargs)
        return result

    monkeypatch.setattr(ProtectedIndex, "build", classmethod(counting_build))
    people: Table = []
    addresses: Table = []
    contacts: Table = []
    restrictions: Table = []
    streets = []
    for i in range(n):
        street = f"{PREFIXES[i % 20]}{SUFFIXES[(i // 20) % 10]} {TYPES[(i // 200) % 10]}"
        streets.append(street)
        people.append(person(f"S-{i}", "Ms", f"Given{i}", f"Family{i}"))
        addresses.append(address(f"S-{i}", f"{1 + i % 97} {street}", "Leeds",
                                 postcode=postcode(i, "LS")))
        contacts.append(contact(f"S-{i}", "phone", drama_phone(i)))
        restrictions.append({"person_id": f"S-{i}", "kind": "confidential_address"})
        people.append(person(f"R-{i}", "Mr", f"Other{i}", f"Person{i}"))
        addresses.append(address(f"R-{i}", f"{1 + i % 50} Mill Street", "Bradford",
                                 postcode=postcode(i, "BD")))
    register = {"people": people, "addresses": addresses, "contacts": contacts,
                "restrictions": restrictions}
    rows: list[dict[str, str]] = []
    expected: set[str] = set()
    for i in range(n):
        j = (i * 7) % n  # the protected person this row mentions
        number = 1 + j % 97
        row = {"recipient_id": f"R-{i}", "name": f"Other{i} Person{i}",
               "address_line_1": f"{1 + i % 50} Mill Street", "address_line_2": "Bradford",
               "postcode": postcode(i, "BD"), "note": "Nothing to report."}
        if i % 10 == 1:
            row["note"] = f"Visit to {number} {streets[j]}, Leeds {postcode(j, 'LS')}"
            expected.add(f"S-{j}:address")
        elif i % 10 == 2:
            digits = drama_phone(j).replace(" ", "")
            row["note"] = f"Call {digits[:3]} {digits[3:7]} {digits[7:]}"  # other spacing
            expected.add(f"S-{j}:phone")
        elif i % 10 == 3:
            row["note"] = f"Works on {streets[j]} next week"  # a street alone
        elif i % 10 == 4:  # the protected person's own letter
            row = {"recipient_id": f"S-{j}", "name": f"Given{j} Family{j}",
                   "address_line_1": f"{number} {streets[j]}", "address_line_2": "Leeds",
                   "postcode": postcode(j, "LS"), "note": f"Your phone {drama_phone(j)}"}
        rows.append(row)
    found = run_case(ProtectedAddress, Case(rows=rows, register=register), today=TODAY)
    # Each protected person is mentioned by at most one row, so the person and kind
    # of each finding say which row it came from.
    assert sorted(v.fingerprint_extra for v in found) == sorted(expected)
    assert all(v.code == PROTECTED_DETAIL for v in found)
    assert builds == [1]


# --- the anchor gate never changes a finding --------------------------------------------

PIECES = ("Flat 2", "flat 2", "Apt 2", "14", "No. 14", "Station Road", "Station Rd", "STATION RD.",
          "Cardiff", "CF10 1EP", "cf101ep", "CF10  1EP", "Rose Cottage", "Church Lane",
          "Church Ln", "LS21 3AB", "12 Acacia Ave", "12", "LS6 2QJ", "3 Willow Court",
          "BS1 4DJ", "27 Orchard Close", "NP20 4AB", "Café", "St John's", "114", "16",
          "High Street", "Dear Sir", "£14.00", "LS1 4AP", "22", "07700 900123",
          "+44 (0)7700 900-123", "07700", "900123", "077009\u00a000123", "helen.carter@example.net",
          "O’Brien’s", "£", "Helen.Carter@Example.NET", "@", "14–16")
SEPARATORS = (" ", ", ", "\n", "\n\n", "; ", " - ", "", "\t", "\n\n\n\n", "\n—\n\n-\n\n",
              "\nالعربية\n")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    recipient=st.sampled_from(["P-101", "P-103", "P-106", "P-107", "P-203"]),
    parts=st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(SEPARATORS)),
                   min_size=1, max_size=12),
    split=st.integers(min_value=0, max_value=12),
)
def test_gate_finds_what_a_full_search_finds(
        recipient: str, parts: list[tuple[str, str]], split: int) -> None:
    # Pieces before ``split`` share one cell; the rest get a cell each, so that an
    # address they make up together is only in the rendered text.
    together = "".join(piece + sep for piece, sep in parts[:split])
    row = {"recipient_id": recipient, "name": "A Person", "note": together}
    body = "{{ note }}"
    for number, (piece, sep) in enumerate(parts[split:]):
        column = f"part_{'abcdefghijklm'[number]}"
        row[column] = piece
        body += f"{{{{ {column} }}}}{sep}"
    template = f"---\nname: t\nchannel: letter\n---\nDear {{{{ name }}}},\n{body}\nEnd\n"

    def findings() -> list[tuple[str, str, str | None, str]]:
        return sorted((v.code, v.fingerprint_extra, v.column, render_message(v, True))
                      for v in check([row], template))

    gated = findings()
    ProtectedAddress.gate = False
    try:
        full = findings()
    finally:
        ProtectedAddress.gate = True
    assert gated == full


def test_postcode_needs_the_building_number_not_the_flat_number() -> None:
    # Sarah lives at Flat 2, 14 Station Road: "2 March" next to her postcode is a date.
    assert check([letter_to("P-107", "Priya Raman", "Drop-in on 2 March, CF10 1EP")]) == []
    found = check([letter_to("P-107", "Priya Raman", "Complaint about no. 14, CF10 1EP")])
    assert codes(found) == [PROTECTED_DETAIL]


# --- where the item really goes (DESIGN §2: judged by the destination's owners) ----------

DEST_PEOPLE: Table = [
    person("V-1", "Ms", "Kirsty", "Falconer"),   # fled; confidential; do-not-disclose to V-2
    person("V-2", "Mr", "Darren", "Falconer"),   # her ex-partner, still at the old home
    person("V-3", "Miss", "Mia", "Falconer"),    # her daughter, lives with her
    person("V-4", "Mrs", "Sunita", "Bhardwaj"),  # next door to the old home
    person("V-5", "Mr", "Owen", "Tudor"),        # her solicitor (scope all)
    person("V-6", "Ms", "Ruth", "Penn"),         # her property and finance attorney
    person("V-7", "Mr", "Alan", "Marsh"),        # her advocate until 2025
    person("V-8", "Dr", "Nia", "Hughes"),        # her health and welfare deputy
    person("M-1", "Mrs", "Anna", "Kowalska"),    # a mother...
    person("C-1", "Master", "Jan", "Kowalski"),  # ...whose child has a confidential address
    person("S-1", "Ms", "Jo", "Bright"),         # the mother's solicitor
    person("B-1", "Ms", "Erin", "Lake"),         # confidential: Flat 3, Alder Court
    person("B-2", "Mr", "Femi", "Adeyemi"),      # Flat 4, Alder Court
    person("H-1", "Mr", "Colm", "Reilly"),       # confidential: Beech House, 14 Rowan Way
    person("H-2", "Mrs", "Ivy", "Stone"),        # Oak House, 12 Rowan Way, same postcode
]
DEST_ADDRESSES: Table = [
    address("V-1", "Flat 4", "9 Kestrel Way", "Oakhurst", postcode="PE44 7LB",
            valid_from="2026-09-15"),
    address("V-1", "12 Alder Close", "Wrenbury", postcode="PE43 2TX", status="previous",
            valid_from="2019-03-01", valid_to="2026-09-14"),
    address("V-2", "12 Alder Close", "Wrenbury", postcode="PE43 2TX"),
    address("V-3", "Flat 4", "9 Kestrel Way", "Oakhurst", postcode="PE44 7LB"),
    address("V-4", "14 Alder Close", "Wrenbury", postcode="PE43 2TX"),
    address("V-5", "Tudor & Co Solicitors", "2 Bank Street", "Oakhurst", postcode="PE44 1AA"),
    address("V-6", "5 Mill Row", "Oakhurst", postcode="PE44 2BB"),
    address("V-7", "7 Mill Row", "Oakhurst", postcode="PE44 2BB"),
    address("V-8", "3 Surgery Lane", "Oakhurst", postcode="PE44 3CC"),
    address("M-1", "40 Holt Road", "Leeds", postcode="LS8 4DD"),
    address("C-1", "40 Holt Road", "Leeds", postcode="LS8 4DD"),
    address("S-1", "1 Park Square", "Leeds", postcode="LS1 2NE"),
    address("B-1", "Flat 3", "Alder Court", "Rowan Way", "Leeds", postcode="LS6 1XY"),
    address("B-2", "Flat 4", "Alder Court", "Rowan Way", "Leeds", postcode="LS6 1XY"),
    address("H-1", "Beech House", "14 Rowan Way", "Leeds", postcode="LS7 2AA"),
    address("H-2", "Oak House", "12 Rowan Way", "Leeds", postcode="LS7 2AA"),
]
DEST_CONTACTS: Table = [
    contact("V-1", "phone", "07700 900301"),
    contact("V-1", "phone", "07700 900300", status="previous"),  # she gave it up; his now
    contact("V-1", "email", "kirsty.f@example.org"),
    contact("V-2", "phone", "07700 900300"),
    contact("V-2", "email", "darren.f@example.net"),
    contact("V-4", "phone", "07700 900320"),
    contact("V-4", "email", "sunita.b@example.com"),
]
DEST_REGISTER: dict[str, Table] = {
    "people": DEST_PEOPLE, "addresses": DEST_ADDRESSES, "contacts": DEST_CONTACTS,
    "restrictions": [
        {"person_id": "V-1", "kind": "confidential_address"},
        {"person_id": "V-1", "kind": "do_not_disclose_to", "other_person_id": "V-2"},
        {"person_id": "C-1", "kind": "confidential_address"},
        {"person_id": "B-1", "kind": "confidential_address"},
        {"person_id": "H-1", "kind": "confidential_address"},
    ],
    "representatives": [
        {"person_id": "V-1", "representative_id": "V-5", "scope": "all", "valid_to": ""},
        {"person_id": "V-1", "representative_id": "V-6", "scope": "property_and_finance",
         "valid_to": ""},
        {"person_id": "V-1", "representative_id": "V-7", "scope": "",
         "valid_to": "2025-12-31"},
        {"person_id": "V-1", "representative_id": "V-8", "scope": "health_and_welfare",
         "valid_to": "2027-06-30"},
        {"person_id": "M-1", "representative_id": "S-1", "scope": "", "valid_to": ""},
    ],
}
NEW_HOME = "Flat 4, 9 Kestrel Way, Oakhurst, PE44 7LB"
OLD_HOME = {"address_line_1": "12 Alder Close", "address_line_2": "Wrenbury",
            "postcode": "PE43 2TX"}
HER_HOME = {"address_line_1": "Flat 4", "address_line_2": "9 Kestrel Way",
            "address_line_3": "Oakhurst", "postcode": "PE44 7LB"}
MOVE_LETTER = ("---\nname: address-change\nchannel: letter\n---\n"
               "Dear {{ name }},\nWe have opened an account for your new address:\n"
               "{{ new_address }}\n")


def dest_check(rows: Sequence[Mapping[str, str]], template: str | None = MOVE_LETTER,
               options: Mapping[str, Any] | None = None) -> list[Violation]:
    case = Case(rows=rows, template=template, register=DEST_REGISTER)
    return run_case(ProtectedAddress, case, today=TODAY, options=options)


def her_letter(where: Mapping[str, str], **extra: str) -> dict[str, str]:
    return {"recipient_id": "V-1", "name": "Kirsty Falconer", "new_address": NEW_HOME,
            **where, **extra}


def test_her_own_letter_posted_to_the_home_of_the_man_she_fled() -> None:
    violation = only(dest_check([her_letter(OLD_HOME)]), DO_NOT_DISCLOSE)
    assert violation.facts["owner_id"] == "V-2"
    masked = render_message(violation, False)
    assert ("this discloses K. F.'s address to D. F., who lives at the address it is sent "
            "to") in masked
    assert "V-2 must not be told where V-1 lives" in masked
    for secret in ("Falconer", "Kestrel", "Alder", "7LB", "2TX"):
        assert secret not in masked
    shown = render_message(violation, True)
    assert "12 Alder Close" in shown and "Darren Falconer" in shown


def test_her_own_letter_to_her_own_home_is_fine() -> None:
    assert dest_check([her_letter(HER_HOME)]) == []
    # The address block written differently is still her home.
    assert dest_check([her_letter({"address_line_1": "Flat 4, 9 Kestrel Wy",
                                   "address_line_2": "OAKHURST PE44 7LB"})]) == []


def test_her_own_letter_posted_to_a_neighbours_home() -> None:
    where = {"address_line_1": "14 Alder Close", "address_line_2": "Wrenbury",
             "postcode": "PE43 2TX"}
    violation = only(dest_check([her_letter(where)]), PROTECTED_DETAIL)
    assert violation.facts["owner_id"] == "V-4"
    assert "this discloses K. F.'s address to S. B., who lives at the address it is sent to" \
        in render_message(violation, False)


def test_letter_to_her_household_is_fine() -> None:
    # Her daughter lives with her: a letter to her carrying the address is no disclosure.
    rows = [{"recipient_id": "V-3", "name": "Mia Falconer", "new_address": NEW_HOME,
             **HER_HOME}]
    assert dest_check(rows) == []
    # ...but the daughter's letter posted to her father's home is.
    rows = [{"recipient_id": "V-3", "name": "Mia Falconer", "new_address": NEW_HOME,
             **OLD_HOME}]
    assert codes(dest_check(rows)) == [DO_NOT_DISCLOSE]


def test_representative_link_and_scope() -> None:
    health = MOVE_LETTER.replace("channel: letter", "channel: letter\nscope: health_and_welfare")
    money = MOVE_LETTER.replace("channel: letter",
                                "channel: letter\nscope: property_and_finance")

    def to(rep: str, template: str) -> list[Violation]:
        return dest_check([{"recipient_id": rep, "name": "A Representative",
                            "new_address": NEW_HOME}], template)

    assert to("V-8", health) == []   # health and welfare deputy, health letter
    assert to("V-5", health) == []   # scope all
    assert to("V-6", money) == []    # property and finance attorney, finance letter
    assert to("V-6", MOVE_LETTER) == []  # a template without a scope: any valid link
    # A property and finance attorney must not receive a health and welfare letter.
    violation = only(to("V-6", health), PROTECTED_DETAIL)
    assert violation.facts["target_id"] == "V-6"
    assert codes(to("V-8", money)) == [PROTECTED_DETAIL]
    # A link that ended is no link.
    assert codes(to("V-7", MOVE_LETTER)) == [PROTECTED_DETAIL]


def test_household_members_representative_may_receive_it() -> None:
    # A letter about the mother to her own solicitor; her son (confidential address)
    # lives with her, so the address is hers too.
    rows = [{"recipient_id": "S-1", "subject_id": "M-1", "name": "Jo Bright",
             "new_address": "40 Holt Road, Leeds LS8 4DD"}]
    assert dest_check(rows) == []
    rows[0].update(recipient_id="V-4", name="Sunita Bhardwaj")
    assert only(dest_check(rows), PROTECTED_DETAIL).fingerprint_extra == "C-1:address"


def test_previous_address_is_not_a_protected_detail() -> None:
    # A letter to the ex-partner at his own home, which was once hers.
    rows = [{"recipient_id": "V-2", "name": "Darren Falconer", "new_address":
             "12 Alder Close, Wrenbury PE43 2TX", **OLD_HOME}]
    assert dest_check(rows) == []
    # The same letter carrying where she lives now is the breach.
    rows[0]["new_address"] = NEW_HOME
    violation = only(dest_check(rows), DO_NOT_DISCLOSE)
    assert "owner_id" not in violation.facts  # he is the recipient: no destination clause


def test_email_destination_owned_by_the_ex_partner() -> None:
    template = ("---\nname: email-move\nchannel: email\n---\nDear {{ name }}, your new "
                "address {{ new_address }} is on our records.\n")
    row = {"recipient_id": "V-1", "name": "Kirsty Falconer", "email": "Darren.F@example.net",
           "new_address": NEW_HOME}
    violation = only(dest_check([row], template), DO_NOT_DISCLOSE)
    assert "who owns the email address it goes to" in render_message(violation, False)
    assert "D***@e***.net" in render_message(violation, False)
    row["email"] = "kirsty.f@example.org"
    assert dest_check([row], template) == []


def test_phone_destination_owned_by_someone_else() -> None:
    template = ("---\nname: keys\nchannel: voicemail\n---\nHello {{ first_name }}, the keys "
                "to {{ new_address }} are ready.\n")
    row = {"recipient_id": "V-1", "first_name": "Kirsty", "phone": "07700 900300",
           "new_address": NEW_HOME}
    violation = only(dest_check([row], template), DO_NOT_DISCLOSE)
    assert "who owns the phone number it goes to" in render_message(violation, False)
    assert violation.facts["owner_id"] == "V-2"
    row["phone"] = "07700 900301"
    assert dest_check([row], template) == []
    # Her new mobile texted to a neighbour's phone.
    sms = {"recipient_id": "V-1", "channel": "sms", "phone": "07700 900320",
           "message": "Your new mobile 07700 900301 is registered"}
    violation = only(dest_check([sms], None), PROTECTED_DETAIL)
    assert violation.fingerprint_extra == "V-1:phone"
    assert violation.facts["owner_id"] == "V-4"
    sms["phone"] = "07700 900301"
    assert dest_check([sms], None) == []


def test_destination_nobody_is_registered_at() -> None:
    # Her letter to an address the register has for nobody: stale-address's finding
    # (not current), not a disclosure to a known person.
    where = {"address_line_1": "99 Nowhere Street", "address_line_2": "Oakhurst",
             "postcode": "PE44 9ZZ"}
    assert dest_check([her_letter(where)]) == []


# --- what locates a home ------------------------------------------------------------------

def note_to_neighbour(note: str) -> list[Violation]:
    return dest_check([{"recipient_id": "V-4", "name": "Sunita Bhardwaj", "new_address": note,
                        "address_line_1": "14 Alder Close", "address_line_2": "Wrenbury",
                        "postcode": "PE43 2TX"}])


@pytest.mark.parametrize("note,whose", [
    ("Beech House, Rowan Way, Leeds", "H-1"),
    ("Beech House, 14 Rowan Way", "H-1"),
    ("Beech House, LS7 2AA", "H-1"),
    ("14 Rowan Way, Leeds", "H-1"),
    ("Flat 3, Alder Court", "B-1"),
    ("Flat 3 Alder Ct, Rowan Way", "B-1"),
    ("Alder Court, Rowan Way, Leeds", "B-1"),
    ("Alder Court, LS6 1XY", "B-1"),
])
def test_building_names_locate_a_home(note: str, whose: str) -> None:
    violation = only(note_to_neighbour(note), PROTECTED_DETAIL)
    assert violation.fingerprint_extra == f"{whose}:address"


@pytest.mark.parametrize("note", [
    "Oak House, Rowan Way, Leeds",         # the house next door
    "12 Rowan Way, Leeds LS7 2AA",         # the next number, same postcode
    "Oak House, LS7 2AA",
    "Flat 4, Alder Court, Rowan Way",      # the flat next door
    "Flat 4, Alder Court, LS6 1XY",
    "Rowan Way, Leeds",                    # a street on its own
    "Beech House, Holt Road, Leeds",       # the same house name on another street
    "Alder Court residents' meeting",
    "Works on Rowan Way, LS7 2AA",         # a postcode with no number or name
])
def test_neighbours_and_look_alikes_are_not_her_home(note: str) -> None:
    assert note_to_neighbour(note) == []


def test_neighbours_own_letters_in_the_same_building_and_postcode() -> None:
    rows = [{"recipient_id": "B-2", "name": "Femi Adeyemi", "new_address": "",
             "address_line_1": "Flat 4", "address_line_2": "Alder Court",
             "address_line_3": "Rowan Way", "address_line_4": "Leeds", "postcode": "LS6 1XY"},
            {"recipient_id": "H-2", "name": "Ivy Stone", "new_address": "",
             "address_line_1": "Oak House", "address_line_2": "12 Rowan Way",
             "address_line_3": "Leeds", "postcode": "LS7 2AA"}]
    assert dest_check(rows) == []


def test_third_party_template_to_out_of_scope_representative() -> None:
    # The subject's health and welfare letter to her property and finance attorney:
    # the template that prints her address field is reported once the batch sends it.
    template = ("---\nname: care-plan\nchannel: letter\naudience: third_party\n"
                "scope: health_and_welfare\n---\nDear {{ name }},\nThe care plan for "
                "{{ subject_name }} at {{ subject_address }} is enclosed.\n")
    rows = [{"recipient_id": "V-8", "subject_id": "V-1", "name": "Nia Hughes",
             "subject_name": "Kirsty Falconer", "subject_address": "c/o the care team"}]
    assert dest_check(rows, template) == []
    rows[0].update(recipient_id="V-6", name="Ruth Penn")
    assert codes(dest_check(rows, template)) == [THIRD_PARTY_FIELD]


def test_short_street_with_town_locates_her_to_the_ex_partner() -> None:
    # She is the only home the register has on Kestrel Way, Oakhurst: to the man she is
    # protected from, the street and town all but name the door.
    to_him = [{"recipient_id": "V-2", "name": "Darren Falconer", **OLD_HOME,
               "new_address": "somewhere on Kestrel Way, Oakhurst"}]
    violation = only(dest_check(to_him), DO_NOT_DISCLOSE)
    assert violation.fingerprint_extra == "V-1:address"
    assert dest_check(to_him, options={"short_street_homes": 0}) == []
    # To anyone else a street says nothing about whom.
    to_neighbour = [{**to_him[0], "recipient_id": "V-4", "name": "Sunita Bhardwaj",
                     "address_line_1": "14 Alder Close"}]
    assert dest_check(to_neighbour) == []
    # The same street elsewhere (another postcode follows) is not hers.
    to_him[0]["new_address"] = "Kestrel Way, Oakhurst PE49 1AA"
    assert dest_check(to_him) == []


def test_long_street_with_town_does_not_locate_her() -> None:
    homes = [address(f"K-{n}", f"{n} Kestrel Way", "Oakhurst", postcode="PE44 7LD")
             for n in range(1, 12)]
    register = {**DEST_REGISTER, "addresses": [*DEST_ADDRESSES, *homes],
                "people": [*DEST_PEOPLE, *(person(f"K-{n}", "Mr", "A", f"Resident{n}")
                                           for n in range(1, 12))]}
    rows = [{"recipient_id": "V-2", "name": "Darren Falconer", **OLD_HOME,
             "new_address": "somewhere on Kestrel Way, Oakhurst"}]
    case = Case(rows=rows, template=MOVE_LETTER, register=register)
    assert run_case(ProtectedAddress, case, today=TODAY) == []
    # ...while her street number with the street still does.
    rows[0]["new_address"] = "9 Kestrel Way"
    case = Case(rows=rows, template=MOVE_LETTER, register=register)
    assert codes(run_case(ProtectedAddress, case, today=TODAY)) == [DO_NOT_DISCLOSE]


def test_another_flat_in_her_building_is_not_her_home() -> None:
    # Sarah lives at Flat 2, 14 Station Road: Flat 12 of the same building is not hers.
    for note in ("Repairs to Flat 12, 14 Station Road, CF10 1EP",
                 "Repairs to Flat 12, 14 Station Road"):
        assert check([letter_to("P-107", "Priya Raman", note)]) == [], note
    for note in ("Repairs to Flat 2, 14 Station Road, CF10 1EP",
                 "Repairs to Flat 2, 14 Station Road"):
        assert codes(check([letter_to("P-107", "Priya Raman", note)])) == [PROTECTED_DETAIL]


def test_destination_decides_without_a_recipient_id() -> None:
    # No recipient_id column: the email goes to whoever owns the address it is sent to.
    template = ("---\nname: email-move\nchannel: email\n---\nYour new address "
                "{{ new_address }} is on our records.\n")
    row = {"email": "darren.f@example.net", "new_address": NEW_HOME}
    violation = only(dest_check([row], template), DO_NOT_DISCLOSE)
    assert violation.facts["owner_id"] == "V-2"
    row["email"] = "kirsty.f@example.org"
    assert dest_check([row], template) == []


class _ProtocolOnly:
    """A register with only the Register protocol (no whole-table scans)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.source = "protocol-only"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("all_"):
            raise AttributeError(name)
        return getattr(self._inner, name)


@pytest.mark.parametrize("wrap", [False, True])
def test_destination_owners(wrap: bool) -> None:
    from policylint.io.register.memory import MemoryRegister
    from policylint.normalise.address import address_key
    from policylint.rules._destinations import Destinations

    register: Any = MemoryRegister(DEST_REGISTER, source="<test>")
    places = Destinations(_ProtocolOnly(register) if wrap else register)
    # Her current home: her and her daughter; written another way, the same.
    assert places.address_owners(address_key(["Flat 4", "9 Kestrel Way"], "PE44 7LB")) == {
        "V-1", "V-3"}
    assert places.address_owners(address_key(["Flat 4, 9 Kestrel Wy", "Oakhurst"])) == {
        "V-1", "V-3"}
    # Her previous home is his current one: only current addresses count.
    assert places.address_owners(address_key(["12 Alder Close"], "PE43 2TX")) == {"V-2"}
    # The flat next door, and number 12 in another postcode, are nobody's.
    assert places.address_owners(address_key(["Flat 5", "9 Kestrel Way"], "PE44 7LB")) == set()
    assert places.address_owners(address_key(["12 Alder Close"], "PE43 2TY")) == set()
    # Her old mobile is his now: current owners only.
    assert places.contact_owners("phone", "+447700900300") == {"V-2"}
    assert places.contact_owners("email", "kirsty.f@example.org") == {"V-1"}
