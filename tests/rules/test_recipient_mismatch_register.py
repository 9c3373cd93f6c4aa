"""recipient-mismatch: another register person's data (not only another row's), the
representative's scope, and masked messages that still say what differs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from policylint.engine.rule import Case
from policylint.masking import render_message
from policylint.model import Violation
from policylint.rules.recipient_mismatch import RecipientMismatch
from policylint.testing import codes, run_case

Table = list[dict[str, str]]


def person(pid: str, title: str, given: str, family: str) -> dict[str, str]:
    return {"person_id": pid, "title": title, "given_name": given, "family_name": family,
            "status": "active"}


def home(pid: str, line_1: str, postcode: str, town: str = "Kelby") -> dict[str, str]:
    return {"person_id": pid, "line_1": line_1, "line_2": town, "postcode": postcode,
            "status": "current"}


PEOPLE: Table = [
    person("P-101", "Mrs", "Sian", "Okafor"),
    person("P-102", "Mr", "Tomos", "Okafor"),       # lives with P-101
    person("P-103", "Mr", "Daniel", "Whitaker"),    # next door, same postcode
    person("P-104", "Mr", "Marek", "Nowicki"),      # another customer, not in the batch
    person("P-105", "Mr", "John", "Smith"),
    person("P-106", "Mr", "John", "Smith"),         # another John Smith elsewhere
    person("P-107", "Ms", "Priya", "Patel"),        # P-101's representative
    person("P-108", "Ms", "Grace", "Mensah"),       # lives at the council's postcode
]
ADDRESSES: Table = [
    home("P-101", "14 Mill Lane", "PE1 4AB"),
    home("P-102", "14 Mill Lane", "PE1 4AB"),
    home("P-103", "12 Mill Lane", "PE1 4AB"),
    home("P-104", "3 Oak Road", "PE9 9ZZ", "Hatherby"),
    home("P-105", "2 Elm Grove", "PE2 2AA"),
    home("P-106", "7 Ash Way", "PE3 3AA"),
    home("P-107", "40 Castle Street", "PE7 1BQ"),
    home("P-108", "5 Market Street", "PE1 1AA"),
]
REPRESENTATIVES: Table = [
    {"person_id": "P-101", "representative_id": "P-107", "scope": "all", "valid_to": ""},
]
LETTER = """---
name: annual-bill
channel: letter
---
Council Tax bill
Dear {{ title }} {{ last_name }},
{{ note }}
Yours sincerely
John Smith, Revenues Manager
Kelby District Council, Civic Centre, 1 Market Street, Kelby PE1 1AA
"""


def row(pid: str = "P-101", note: str = "", **cells: str) -> dict[str, str]:
    """A letter to P-101 (Mrs Sian Okafor) at her own address, with a free-text note."""
    values = {"recipient_id": pid, "title": "Mrs", "first_name": "Sian", "last_name": "Okafor",
              "address_line_1": "14 Mill Lane", "address_line_2": "Kelby",
              "postcode": "PE1 4AB", "note": note}
    values.update(cells)
    return values


def run(rows: Sequence[Mapping[str, str]], template: str = LETTER,
        register: Mapping[str, Table] | None = None, **options: Any) -> list[Violation]:
    tables = {"people": PEOPLE, "addresses": ADDRESSES, "representatives": REPRESENTATIVES,
              **(register or {})}
    return run_case(RecipientMismatch, Case(rows=rows, register=tables, template=template),
                    options=options)


def only(violations: list[Violation], code: str) -> Violation:
    found = [v for v in violations if v.code == code]
    assert len(found) == 1, codes(violations)
    return found[0]


def text(violation: Violation) -> str:
    return render_message(violation, show_values=False)


# --- another register person's data: must flag ----------------------------------------

@pytest.mark.parametrize("note", [
    "A copy goes to your neighbour Mr Daniel Whitaker, 12 Mill Lane, Kelby PE1 4AB.",
    "Mr D Whitaker\n12 Mill Lane\nKelby\nPE1 4AB",
    "WHITAKER, Daniel - 12 Mill Ln, PE14AB",
])
def test_a_neighbours_name_and_address_in_the_letter_is_flagged(note: str) -> None:
    violation = only(run([row(note=note)]), "other-person-data")
    message = text(violation)
    assert "name and address of another person in the register, D. W. (***03)" in message
    assert "Whitaker" not in message and "Mill" not in message
    assert "Whitaker" in render_message(violation, show_values=True)


def test_a_customer_not_in_the_batch_with_their_reference_is_flagged() -> None:
    # The last row of a slipped print run: the next customer's name and reference.
    note = "Customer: Mr Marek Nowicki (ref P-104)"
    violation = only(run([row(note=note)]), "other-person-data")
    assert "name and reference of another person" in text(violation)


def test_the_next_customers_address_block_on_the_last_row_is_flagged() -> None:
    shifted = row(title="Mr", first_name="Marek", last_name="Nowicki",
                  address_line_1="3 Oak Road", address_line_2="Hatherby", postcode="PE9 9ZZ")
    found = run([shifted])
    assert "other-person-data" in codes(found)
    assert "name-mismatch" in codes(found)


# --- must not flag ------------------------------------------------------------------------

@pytest.mark.parametrize("note", [
    "Mr Smith from our team will call you.",                  # a common surname alone
    "Smith, 2 Elm Grove, PE2 2AA",                            # a surname alone, even here
    "Your neighbour Mr Daniel Whitaker has also been told.",  # the name without the address
    "Mr Daniel Whitaker, Mill Lane, PE1 4AB",                 # no house number
    "Mr Daniel Whitaker, 14 Mill Lane, PE1 4AB",              # her own address
    "John Smith visited on 3 November.",                      # two John Smiths: name only
    "Please contact Ms Grace Mensah on 01632 960000.",        # the council's postcode only
])
def test_look_alikes_are_not_flagged(note: str) -> None:
    assert codes(run([row(note=note)])) == []


def test_the_recipients_own_household_named_in_the_letter_is_not_flagged() -> None:
    note = "Mr Tomos Okafor, 14 Mill Lane, Kelby PE1 4AB is also liable."
    assert codes(run([row(note=note)])) == []


def test_the_representatives_name_and_address_care_of_them_is_not_flagged() -> None:
    care_of = row(address_line_1="c/o Ms Priya Patel", address_line_2="40 Castle Street",
                  postcode="PE7 1BQ", note="Sent care of Ms P Patel, 40 Castle Street PE7 1BQ")
    assert "other-person-data" not in codes(run([care_of]))


def test_an_expired_representatives_details_are_flagged() -> None:
    expired: Table = [{"person_id": "P-101", "representative_id": "P-107", "scope": "all",
                       "valid_to": "2025-01-31"}]
    note = "Copy to Ms Priya Patel, 40 Castle Street, Kelby PE7 1BQ"
    found = run([row(note=note)], register={"representatives": expired})
    assert codes(found) == ["other-person-data"]


def test_the_councils_own_address_and_an_officers_name_are_not_flagged() -> None:
    # The template signs as John Smith and prints the council's address: its own
    # wording, not merged data; and no John Smith lives at the council's address.
    assert codes(run([row(pid="P-105", title="Mr", first_name="John", last_name="Smith",
                          address_line_1="2 Elm Grove", postcode="PE2 2AA")])) == []
    assert codes(run([row()])) == []


def test_a_letter_to_one_john_smith_is_not_another_john_smiths() -> None:
    letter = row(pid="P-106", title="Mr", first_name="John", last_name="Smith",
                 address_line_1="7 Ash Way", postcode="PE3 3AA",
                 note="Mr John Smith, 7 Ash Way, PE3 3AA")
    assert codes(run([letter])) == []


def test_the_subject_of_a_third_party_letter_is_not_flagged() -> None:
    about = row(pid="P-107", title="Ms", first_name="Priya", last_name="Patel",
                address_line_1="40 Castle Street", postcode="PE7 1BQ", subject_id="P-101",
                note="Council Tax for Mrs Sian Okafor, 14 Mill Lane, Kelby PE1 4AB")
    assert codes(run([about])) == []


def test_search_register_option_turns_the_search_off() -> None:
    note = "Copy to Mr Daniel Whitaker, 12 Mill Lane, Kelby PE1 4AB"
    assert codes(run([row(note=note)], search_register=False)) == []


def test_another_rows_data_is_reported_once_as_another_rows() -> None:
    # P-104 is in the batch: other-row-name says it; the register search stays quiet.
    rows = [row(pid="P-104", title="Mr", first_name="Marek", last_name="Nowicki",
                address_line_1="3 Oak Road", address_line_2="Hatherby", postcode="PE9 9ZZ"),
            row(note="Copy to Mr Marek Nowicki, 3 Oak Road, Hatherby PE9 9ZZ")]
    assert codes(run(rows)) == ["other-row-name"]


def test_a_neighbour_in_the_batch_at_the_same_postcode_is_found_in_the_register() -> None:
    # other-row-name needs a postcode that is not the row's own; the register search
    # confirms the house number instead.
    rows = [row(pid="P-103", title="Mr", first_name="Daniel", last_name="Whitaker",
                address_line_1="12 Mill Lane"),
            row(note="Copy to Mr Daniel Whitaker, 12 Mill Lane, Kelby PE1 4AB")]
    violation = only(run(rows), "other-person-data")
    assert violation.fingerprint_extra == "person:P-103"


# --- representatives' scope -------------------------------------------------------------

SCOPED_LETTER = """---
name: care-review
channel: letter
scope: health_and_welfare
---
Dear {{ title }} {{ last_name }}, this is about the care of your relative.
"""


def _to_attorney(scope: str, valid_to: str = "", template: str = SCOPED_LETTER
                 ) -> list[Violation]:
    reps: Table = [{"person_id": "P-101", "representative_id": "P-107", "scope": scope,
                    "valid_to": valid_to}]
    letter = row(pid="P-107", subject_id="P-101", title="Ms", first_name="Priya",
                 last_name="Patel", address_line_1="40 Castle Street", postcode="PE7 1BQ")
    return run([letter], template=template, register={"representatives": reps})


def test_a_representative_whose_scope_does_not_cover_the_letter_is_flagged() -> None:
    violation = only(_to_attorney("property_and_finance"), "subject-not-represented")
    assert ("the representative's scope (property and finance) does not cover this letter "
            "(health and welfare)") in text(violation)


@pytest.mark.parametrize("scope", ["health_and_welfare", "all", "", "Health_And_Welfare"])
def test_a_representative_whose_scope_covers_the_letter_is_not_flagged(scope: str) -> None:
    assert codes(_to_attorney(scope)) == []


def test_a_template_without_scope_may_go_to_any_valid_representative() -> None:
    unscoped = SCOPED_LETTER.replace("scope: health_and_welfare\n", "")
    assert codes(_to_attorney("property_and_finance", template=unscoped)) == []


def test_an_expired_representative_in_scope_is_flagged() -> None:
    violation = only(_to_attorney("health_and_welfare", valid_to="2026-11-25"),
                     "subject-not-represented")
    assert "the link ended on 2026-11-25" in text(violation)


# --- masked messages say what differs ---------------------------------------------------

def test_a_name_mismatch_whose_masked_names_look_alike_says_what_differs() -> None:
    people = [*PEOPLE, person("P-120", "Mr", "Chris", "Cole")]
    letter = {"recipient_id": "P-120", "name": "Carl Carter"}
    violation = only(run([letter], template=None, register={"people": people}),
                     "name-mismatch")
    message = text(violation)
    assert "C. C." in message and "Carter" not in message
    assert ("the surname differs (initial matches); the first name differs (initial "
            "matches)") in message


@pytest.mark.parametrize(("name", "phrase"), [
    ("Mrs Sian Bennett", "(the surname differs)"),
    ("Mrs Siân Okeke", "(the surname differs (initial matches))"),
    ("Mr Tomos Okafor", "(the first name differs; the title differs)"),
    ("Sian", "(the surname is missing)"),
])
def test_name_mismatch_messages_name_the_part_that_differs(name: str, phrase: str) -> None:
    violation = only(run([{"recipient_id": "P-101", "name": name}], template=None),
                     "name-mismatch")
    assert phrase in text(violation)


def test_a_contact_of_someone_else_says_it_is_a_different_person() -> None:
    contacts: Table = [
        {"person_id": "P-105", "kind": "email", "value": "john.smith@example.org",
         "status": "current"}]
    letter = {"recipient_id": "P-106", "name": "Mr John Smith",
              "email": "john.smith@example.org", "channel": "email"}
    violation = only(run([letter], template=None, register={"contacts": contacts}),
                     "contact-belongs-to-other")
    message = text(violation)
    assert "belongs to J. S. (P-105), not to the recipient J. S. (P-106)" in message
    assert "a different person with the same name" in message


def _with_enclosure(tmp_path: Any, lines: list[str]) -> list[Violation]:
    from pathlib import Path

    from tests.io.attachment_files import write_pdf

    write_pdf(Path(tmp_path) / "statement.pdf", [["Statement of account"], lines])
    tables = {"people": PEOPLE, "addresses": ADDRESSES, "representatives": REPRESENTATIVES}
    return run_case(RecipientMismatch, Case(rows=[row(attachments="statement.pdf")],
                                            register=tables, template=LETTER),
                    attachments_dir=Path(tmp_path))


def test_another_customers_statement_enclosed_with_the_letter_is_flagged(tmp_path: Any
                                                                         ) -> None:
    found = _with_enclosure(tmp_path, ["Mr Marek Nowicki", "3 Oak Road, Hatherby PE9 9ZZ"])
    assert "other-person-data" in codes(found)


def test_an_enclosure_about_the_recipient_herself_is_not_flagged(tmp_path: Any) -> None:
    found = _with_enclosure(tmp_path, ["Mrs Sian Okafor", "14 Mill Lane, Kelby PE1 4AB"])
    assert codes(found) == []


THIRD_PARTY = LETTER.replace("channel: letter\n", "channel: letter\naudience: third_party\n")


def test_a_referral_about_an_undeclared_subject_is_left_alone() -> None:
    # Sent to an agency about someone the batch does not name: their details are its point.
    note = "Referral about Mr Daniel Whitaker, 12 Mill Lane, Kelby PE1 4AB"
    assert "other-person-data" not in codes(run([row(note=note)], template=THIRD_PARTY))


def test_a_referral_with_a_subject_still_catches_anyone_else() -> None:
    note = ("Referral about Mr Tomos Okafor. Also at risk: Mr Daniel Whitaker, "
            "12 Mill Lane, Kelby PE1 4AB")
    found = run([row(note=note, subject_id="P-102")], template=THIRD_PARTY)
    assert "other-person-data" in codes(found)
