"""voicemail-content, the whole rule: personal data is found by kind wherever in the
rendered script it came from; ``allowed_fields`` says which fields a script may use,
not that anything in them may be said (DESIGN §2, Decisions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from policylint.config.policy import load_policy, validate_rule_settings
from policylint.engine.rule import Case
from policylint.errors import PolicyError
from policylint.masking import render_message
from policylint.model import Violation
from policylint.rules.voicemail_content import PERSONAL_KINDS, VoicemailContent
from policylint.testing import codes, run_case

Table = list[dict[str, str]]

PEOPLE: Table = [
    {"person_id": "P-2001", "title": "Ms", "given_name": "Sian", "family_name": "Hughes",
     "date_of_birth": "1980-02-03", "status": "active", "flags": ""},
    {"person_id": "P-2006", "title": "Mr", "given_name": "Dylan", "family_name": "Hughes",
     "date_of_birth": "1978-04-01", "status": "active", "flags": ""},
    {"person_id": "P-2007", "title": "Mrs", "given_name": "Ngozi", "family_name": "Okafor",
     "date_of_birth": "1971-09-30", "status": "active", "flags": ""},
    {"person_id": "P-2008", "title": "Ms", "given_name": "Holly", "family_name": "Grange",
     "date_of_birth": "1990-06-06", "status": "active", "flags": ""},
]
CONTACTS: Table = [
    {"person_id": "P-2001", "kind": "phone", "value": "07700 900123", "status": "current",
     "verified_on": "2026-10-01"},
    {"person_id": "P-2006", "kind": "phone", "value": "07700 900999", "status": "current",
     "verified_on": "2026-10-01"},
    {"person_id": "P-2007", "kind": "phone", "value": "07700 900321", "status": "current",
     "verified_on": "2026-10-01"},
    {"person_id": "P-2008", "kind": "phone", "value": "07700 900654", "status": "current",
     "verified_on": "2026-10-01"},
]
ADDRESSES: Table = [
    {"person_id": "P-2001", "line_1": "14 Mill Lane", "line_2": "Fenmarsh",
     "postcode": "FE1 2AB", "status": "current", "verified_on": "2026-01-01"},
    {"person_id": "P-2008", "line_1": "Holly Cottage", "line_2": "Church Lane",
     "line_3": "Fenmarsh", "postcode": "FE3 9XY", "status": "current"},
]
REGISTER: dict[str, Sequence[Mapping[str, str]]] = {
    "people": PEOPLE, "contacts": CONTACTS, "addresses": ADDRESSES}

HEADER = "---\nname: callback\nchannel: voicemail\n---\n"
WITH_NOTE = (HEADER + "Hello {{ first_name }}, this is {{ organisation }}. {{ note }}"
             " Please call us back on {{ callback_number }}. Thank you.\n")
NOTE_ALLOWED = {"allowed_fields": ["first_name", "organisation", "callback_number", "note"]}
ROW = {"recipient_id": "P-2001", "phone": "07700 900123", "first_name": "Sian",
       "last_name": "Hughes", "organisation": "Fenmarsh District Council",
       "callback_number": "01632 960000", "note": "", "account_ref": "HRA-0012345"}


def run(row: Mapping[str, str], template: str = WITH_NOTE,
        options: Mapping[str, Any] | None = None,
        register: Mapping[str, Sequence[Mapping[str, str]]] | None = REGISTER
        ) -> list[Violation]:
    case = Case(rows=[row], template=template, register=register)
    return run_case(VoicemailContent, case, options={**NOTE_ALLOWED, **(options or {})})


def script(row: Mapping[str, str], **kwargs: Any) -> list[str]:
    """Codes of the findings in the script (the template is clean)."""
    return codes([v for v in run(row, **kwargs) if v.code != "field-not-allowed"])


# --- the compliant script stays clean -------------------------------------------------

@pytest.mark.parametrize("callback", ["01632 960000", "+44 (0)1632 960000", "(01632) 960000",
                                      "0044 1632 960000", "0800 123 456", "01632960000"])
def test_organisations_callback_number_however_written_is_not_a_finding(callback: str) -> None:
    assert run({**ROW, "callback_number": callback}) == []


def test_office_number_in_another_allowed_field_is_not_a_finding() -> None:
    template = HEADER + ("Hello {{ first_name }}, call {{ callback_number }} or our office on"
                         " {{ office_phone }}.")
    row = {**ROW, "office_phone": "01632 960001"}
    assert run(row, template, {"allowed_fields": ["first_name", "callback_number",
                                                  "office_phone"]}) == []


@pytest.mark.parametrize("note", [
    "We are open between 9am and 5pm, or from 10:30 on Saturdays.",
    "Press 1 for housing, press 2 for council tax.",
    "Your appointment is on 14 December 2026 at 2.30pm.",
    "Please have your date of birth ready when you call.",
    "This is Fenmarsh District Council, Fenmarsh.",
    "Hello again Sian.",
    "Croeso, Sian. Dyma Gyngor Fenmarsh. Am resymau diogelu data, ffoniwch ni'n ôl.",
    "We tried to call you on Monday 7 December.",
    "The Mill Lane surgery is open.",
])
def test_everyday_notes_are_not_findings(note: str) -> None:
    assert run({**ROW, "note": note}) == []


def test_first_name_that_is_a_street_or_house_word_is_the_greeting() -> None:
    row = {"recipient_id": "P-2008", "phone": "07700 900654", "first_name": "Holly",
           "last_name": "Grange", "organisation": "Fenmarsh District Council",
           "callback_number": "01632 960000", "note": ""}
    assert run(row) == []
    assert script({**row, "note": "We called at Holly Cottage, Church Lane."}) == ["address"]


# --- an allowed field does not excuse what is in it ------------------------------------

def test_callback_number_cell_holding_an_nhs_number() -> None:
    found = run({**ROW, "callback_number": "943 476 5919"})
    assert codes(found) == ["nhs-number"]


def test_callback_number_cell_holding_someone_elses_number_or_the_number_called() -> None:
    # The register holds 07700 900999 as Dylan Hughes's phone: not the organisation's.
    assert codes(run({**ROW, "callback_number": "07700 900999"})) == ["long-number"]
    assert codes(run({**ROW, "callback_number": "07700 900123"})) == ["long-number"]


def test_callback_number_cell_holding_an_ni_number_or_a_reference() -> None:
    assert codes(run({**ROW, "callback_number": "JG 10 37 59 A"})) == ["ni-number"]
    assert codes(run({**ROW, "callback_number": "HRA-0012345"})) == ["reference"]


@pytest.mark.parametrize("organisation", ["14 Mill Lane", "14 Mill Lane, Fenmarsh",
                                          "Mill Lane", "FE1 2AB"])
def test_organisation_cell_holding_the_persons_address(organisation: str) -> None:
    found = run({**ROW, "organisation": organisation})
    assert codes(found) == ["address"]


@pytest.mark.parametrize(("note", "code"), [
    ("Re Ms Hughes.", "surname"),
    ("Spoke to hughes.", "surname"),
    ("About account HRA-0012345.", "reference"),
    ("About account HRA 0012345.", "reference"),
    ("Housing benefit claim HB/2024/0071.", "reference"),
    ("Letter returned from FE1 2AB.", "address"),
    ("Keys for 14 Mill Lane are ready.", "address"),
    ("Keys for Mill Lane, Fenmarsh are ready.", "address"),
    ("We have your DOB as 03/02/1980.", "date-of-birth"),
    ("Born 3rd February 1980.", "date-of-birth"),
    ("DOB 12/05/1975 on file.", "date-of-birth"),
    ("NI JG 10 37 59 A.", "ni-number"),
    ("NHS number 943 476 5919.", "nhs-number"),
    ("You have £412.50 to pay.", "amount"),
    ("Call 07700 900999 for your brother.", "long-number"),
])
def test_free_text_note_holding_personal_data(note: str, code: str) -> None:
    found = script({**ROW, "note": note})
    assert code in found, found


@pytest.mark.parametrize("note", [
    "Your sexual health clinic results are in.",
    "The drug and alcohol service called.",
    "Neges gan y gwasanaeth prawf.",
    "Ynglŷn â'ch ôl-ddyledion rhent.",
    "About your probation appointment.",
])
def test_free_text_note_holding_sensitive_terms(note: str) -> None:
    assert script({**ROW, "note": note}) == ["sensitive-term"]


# --- a first-name field holding a title and surname ------------------------------------

@pytest.mark.parametrize(("first_name", "recipient"), [
    ("Mrs Okafor", "P-2007"), ("Mrs N Okafor", "P-2007"), ("Okafor", "P-2007"),
    ("Ms Hughes", "P-2001"),
])
def test_first_name_field_holding_a_title_and_surname(first_name: str, recipient: str) -> None:
    row = {**ROW, "recipient_id": recipient, "first_name": first_name, "last_name": "",
           "phone": "07700 900321" if recipient == "P-2007" else "07700 900123"}
    found = [v for v in run(row) if v.code == "surname"]
    assert len(found) == 1
    assert found[0].column == "first_name"
    assert "the surname" in render_message(found[0], show_values=False)


def test_title_and_surname_in_first_name_without_a_register() -> None:
    row = {**ROW, "recipient_id": "", "first_name": "Mr J Smith", "last_name": ""}
    assert codes(run(row, register=None)) == ["surname"]
    assert run({**row, "first_name": "John"}, register=None) == []


# --- allowed_personal -------------------------------------------------------------------

def test_allowed_personal_allows_only_the_kinds_named() -> None:
    row = {**ROW, "note": "You have £412.50 to pay, Ms Hughes."}
    assert codes(run(row)) == ["amount", "surname"]
    assert codes(run(row, options={"allowed_personal": ["amount"]})) == ["surname"]


def test_allowed_personal_postcode_is_not_the_whole_address() -> None:
    row = {**ROW, "note": "Keys for 14 Mill Lane, FE1 2AB."}
    assert codes(run(row)) == ["address", "address"]  # the street and the postcode
    assert codes(run(row, options={"allowed_personal": ["postcode"]})) == ["address"]
    assert codes(run({**ROW, "note": "Keys for FE1 2AB."},
                     options={"allowed_personal": ["postcode"]})) == []


def test_allowed_personal_is_validated_by_the_rules_options_schema(tmp_path: Path) -> None:
    policy = tmp_path / "policylint.yaml"
    policy.write_text("version: 1\nrules:\n  voicemail-content:\n"
                      "    allowed_personal: [amounts]\n", encoding="utf-8")
    schemas = {"voicemail-content": VoicemailContent.options_schema}
    with pytest.raises(PolicyError) as raised:
        validate_rule_settings(load_policy(policy), schemas)
    assert raised.value.key is not None and "allowed_personal" in raised.value.key
    policy.write_text("version: 1\nrules:\n  voicemail-content:\n"
                      f"    allowed_personal: [{', '.join(PERSONAL_KINDS)}]\n",
                      encoding="utf-8")
    validate_rule_settings(load_policy(policy), schemas)


def test_personal_values_stay_masked() -> None:
    row = {**ROW, "callback_number": "943 476 5919", "organisation": "14 Mill Lane",
           "note": "DOB 03/02/1980, ref HB/2024/0071"}
    found = run(row)
    masked = " ".join(render_message(v, show_values=False) for v in found)
    for secret in ("943 476 5919", "14 Mill Lane", "03/02/1980", "HB/2024/0071"):
        assert secret not in masked


# --- more look-alikes -------------------------------------------------------------------

def test_surname_that_is_a_word_of_the_organisations_name() -> None:
    people = [{**PEOPLE[0], "family_name": "Hall"}]
    register = {"people": people, "contacts": CONTACTS[:1], "addresses": ADDRESSES[:1]}
    row = {**ROW, "last_name": "Hall", "organisation": "Fenmarsh Town Hall"}
    assert run(row, register=register) == []
    # ...but the surname said on its own, or a cell holding only it, is still a finding.
    assert script({**row, "note": "For Ms Hall."}, register=register) == ["surname"]
    assert script({**row, "organisation": "Hall"}, register=register) == ["surname"]


@pytest.mark.parametrize("callback", ["01632 960000 ext 214", "01632 960000 x214",
                                      "01632 960000 extension 2"])
def test_callback_number_with_an_extension(callback: str) -> None:
    assert run({**ROW, "callback_number": callback}) == []


@pytest.mark.parametrize("hours", ["0900-1700", "09:00 - 17:00", "0830 to 1730"])
def test_opening_hours_are_not_long_numbers(hours: str) -> None:
    assert run({**ROW, "note": f"We are open {hours}."}) == []


def test_house_number_column_is_not_a_reference() -> None:
    row = {**ROW, "house_number": "Flat 2", "note": "Flat 2 is ready."}
    assert "reference" not in script(row)


def test_other_identifier_columns_are_references() -> None:
    row = {**ROW, "claim_number": "HB-77/12", "note": "Claim HB 77 12 is ready."}
    found = [v for v in run(row) if v.code == "reference"]
    assert [v.column for v in found] == ["claim_number"]
