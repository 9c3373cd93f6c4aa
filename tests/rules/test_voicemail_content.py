"""voicemail-content: scripts and numbers that must be flagged, and ones that must not."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.engine.rule import Case, FieldMap, Item, RunContext
from policylint.io.register.memory import MemoryRegister
from policylint.io.templates import Rendered, parse_template
from policylint.masking import render_message
from policylint.model import Row, Severity, Violation
from policylint.rules.voicemail_content import VoicemailContent, nhs_number_valid
from policylint.testing import TODAY, codes, run_case

Table = list[dict[str, str]]

PEOPLE: Table = [
    {"person_id": "P-2001", "title": "Ms", "given_name": "Sian", "family_name": "Hughes",
     "date_of_birth": "1980-02-03", "status": "active", "flags": ""},
    {"person_id": "P-2002", "title": "Mr", "given_name": "Tomasz", "family_name": "Nowak",
     "date_of_birth": "1966-11-20", "status": "active", "flags": "no_voicemail"},
    {"person_id": "P-2003", "title": "Mrs", "given_name": "Priya", "family_name": "Raman",
     "date_of_birth": "1958-07-14", "status": "active", "flags": ""},
    {"person_id": "P-2004", "title": "Mr", "given_name": "Liam", "family_name": "O'Brien",
     "date_of_birth": "1991-12-01", "status": "active", "flags": ""},
    {"person_id": "P-2005", "title": "Ms", "given_name": "Pip", "family_name": "Day",
     "date_of_birth": "1985-05-05", "status": "active", "flags": ""},
]
CONTACTS: Table = [
    {"person_id": "P-2001", "kind": "phone", "value": "07700 900123", "status": "current",
     "verified_on": "2026-10-01"},
    {"person_id": "P-2001", "kind": "phone", "value": "07700 900456", "status": "previous",
     "verified_on": "2024-05-02"},
    {"person_id": "P-2001", "kind": "phone", "value": "01632 960999", "status": "invalid",
     "verified_on": "2023-01-09"},
    {"person_id": "P-2002", "kind": "phone", "value": "07700 900777", "status": "current",
     "verified_on": "2026-09-15"},
    {"person_id": "P-2003", "kind": "phone", "value": "07700 900888", "status": "current",
     "verified_on": "2025-01-10"},
    {"person_id": "P-2004", "kind": "phone", "value": "07700 900321", "status": "current",
     "verified_on": ""},
    {"person_id": "P-2005", "kind": "phone", "value": "07700 900555", "status": "current",
     "verified_on": "2026-11-01"},
]
ADDRESSES: Table = [
    {"person_id": "P-2001", "line_1": "14 Mill Lane", "line_2": "Fenmarsh",
     "postcode": "FE1 2AB", "status": "current", "verified_on": "2026-01-01"},
    {"person_id": "P-2001", "line_1": "Flat 3, Kingsmead Court", "line_2": "Fenmarsh",
     "postcode": "FE2 7QT", "status": "previous"},
]
REGISTER: dict[str, Sequence[Mapping[str, str]]] = {
    "people": PEOPLE, "contacts": CONTACTS, "addresses": ADDRESSES}

HEADER = "---\nname: callback\nchannel: voicemail\n---\n"
COMPLIANT = (HEADER + "Hello, this is a message for {{ first_name }} from Fenmarsh District"
             " Council. Please call us back on {{ callback_number }}. Thank you.\n")
ROW = {"recipient_id": "P-2001", "phone": "07700 900123", "first_name": "Sian",
       "last_name": "Hughes", "callback_number": "01632 960000"}


def run(template: str, *rows: Mapping[str, str], options: Mapping[str, Any] | None = None,
        register: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
        today: dt.date = TODAY) -> list[Violation]:
    case = Case(rows=list(rows) or [ROW], template=template,
                register=REGISTER if register is None else register)
    return run_case(VoicemailContent, case, options=options, today=today)


def scan(script: str, row: Mapping[str, str] | None = None,
         options: Mapping[str, Any] | None = None, register: bool = True) -> list[Violation]:
    """The rule on one voicemail whose whole script came from the row (no template
    text to excuse anything), the way a script merged from a CRM column arrives."""
    cells = dict(ROW if row is None else row)
    roles = {r: r for r in ("recipient_id", "phone", "first_name", "last_name", "name",
                            "address_line_1", "address_line_2", "address_line_3",
                            "postcode") if r in cells}
    refs = tuple(h for h in ("reference", "account_ref", "case_ref") if h in cells)
    item_row = Row(number=2, line=2, values=cells, headers={k: k for k in cells},
                   file="batch.csv")
    template = parse_template("{{ script }}", Path("script.j2"))
    item = Item(row=item_row, fields=FieldMap(roles=roles, references=refs),
                channel="voicemail", template=None,
                rendered=Rendered(template=template, text=script))
    context = RunContext(register=MemoryRegister(REGISTER) if register else None, today=TODAY)
    return list(VoicemailContent(options or {}, context).check_item(item))


def only(violations: list[Violation], code: str) -> Violation:
    found = [v for v in violations if v.code == code]
    assert len(found) == 1, codes(violations)
    return found[0]


def content(violations: list[Violation]) -> list[str]:
    """Codes of script findings (template checks left out)."""
    return codes([v for v in violations if v.code != "field-not-allowed"])


# --- the compliant voicemail ---------------------------------------------------------

def test_compliant_voicemail_produces_no_finding() -> None:
    violations = run(COMPLIANT)
    assert violations == []


def test_compliant_script_text_is_what_the_brief_describes() -> None:
    good = ("Hello, this is a message for Sian from Fenmarsh District Council. Please call"
            " us back on 01632 960000. Thank you.")
    assert scan(good) == []
    assert codes(scan(good.replace("Sian", "Sian Hughes"))) == ["surname"]


def test_compliant_voicemail_with_organisation_column_and_plus_44_callback() -> None:
    template = (HEADER + "Hello {{ first_name }}, this is {{ organisation }}. Please call"
                " {{ callback_number }}.")
    row = {**ROW, "organisation": "Fenmarsh District Council",
           "callback_number": "+44 1632 960000"}
    assert run(template, row) == []


# --- surname -------------------------------------------------------------------------

@pytest.mark.parametrize("script", [
    "This is a message for Ms Hughes from the council.",
    "This is a message for MS HUGHES from the council.",
    "Message for hughes, please call back.",
])
def test_surname_is_flagged_in_any_case(script: str) -> None:
    violation = only(scan(script), "surname")
    assert violation.column == "last_name"


def test_full_name_is_one_finding_not_two() -> None:
    violations = scan("This is a message for Sian Hughes.")
    assert codes(violations) == ["surname"]
    assert "full name" in render_message(violations[0], show_values=False)


def test_surname_from_register_when_the_row_has_none() -> None:
    row = {"recipient_id": "P-2001", "phone": "07700 900123", "first_name": "Sian"}
    assert codes(scan("Hello Sian Hughes, please call us.", row)) == ["surname"]
    assert scan("Hello Sian, please call us.", row) == []


@pytest.mark.parametrize("spelling", ["O'Brien", "O’Brien", "OBrien", "obrien"])
def test_apostrophe_surnames_match_however_written(spelling: str) -> None:
    row = {"recipient_id": "P-2004", "phone": "07700 900321", "first_name": "Liam",
           "last_name": "O'Brien"}
    found = scan(f"A message for Mr {spelling}.", row)
    assert "surname" in codes(found)


def test_first_name_alone_and_similar_words_are_not_flagged() -> None:
    # "Hughesdon" is not "Hughes"; the first name is allowed.
    assert scan("A message for Sian about Hughesdon Park library.") == []


def test_surname_that_equals_the_first_name_is_only_flagged_as_the_full_name() -> None:
    row = {**ROW, "first_name": "Thomas", "last_name": "Thomas"}
    assert content(scan("A message for Thomas, please call back.", row,
                        register=False)) == []
    assert codes(scan("A message for Thomas Thomas.", row, register=False)) == ["surname"]


def test_full_name_merged_into_first_name_is_still_a_surname() -> None:
    template = HEADER + "Hello {{ first_name }}, please call {{ callback_number }}."
    assert codes(run(template, {**ROW, "first_name": "Sian Hughes"})) == ["surname"]


def test_surname_that_is_an_everyday_word_in_the_template_is_not_flagged() -> None:
    template = HEADER + "Hello {{ first_name }}, have a good day. Call {{ callback_number }}."
    row = {"recipient_id": "P-2005", "phone": "07700 900555", "first_name": "Pip",
           "last_name": "Day", "callback_number": "01632 960000"}
    assert run(template, row) == []
    # ...but the same surname merged in from the row is.
    merged = HEADER + "Hello {{ first_name }} {{ last_name }}, have a good day."
    assert content(run(merged, row)) == ["surname"]


# --- address -------------------------------------------------------------------------

ADDRESS_ROW = {**ROW, "address_line_1": "Ms S Hughes", "address_line_2": "14 Mill Lane",
               "address_line_3": "Fenmarsh", "postcode": "FE1 2AB"}


@pytest.mark.parametrize("script", [
    "We called at 14 Mill Lane today.",
    "We called at 14 Mill Ln today.",
    "We called at 14, Mill Lane, Fenmarsh today.",
])
def test_address_line_is_flagged(script: str) -> None:
    assert codes(scan(script, ADDRESS_ROW)) == ["address"]


def test_postcode_is_flagged_even_if_not_the_persons() -> None:
    assert codes(scan("Our letter to FE1 2AB came back.", ADDRESS_ROW)) == ["address"]
    assert codes(scan("Please come to our office at LS1 4AP.", ADDRESS_ROW)) == ["address"]


def test_previous_address_from_the_register_is_flagged() -> None:
    assert codes(scan("About Flat 3, Kingsmead Court.")) == ["address"]


def test_town_and_addressee_line_are_not_address_findings() -> None:
    # "Fenmarsh" is the town line and part of the council's name: not an address leak.
    assert scan("This is Fenmarsh District Council for Sian.", ADDRESS_ROW) == []


def test_other_house_number_on_the_same_street_is_not_the_address() -> None:
    assert scan("Our office is at 140 Mill Lane.", ADDRESS_ROW) == []


# --- identifiers ---------------------------------------------------------------------

def test_nhs_checksum() -> None:
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("9434765918")
    assert not nhs_number_valid("943476591")


@pytest.mark.parametrize("written", ["943 476 5919", "9434765919", "943-476-5919"])
def test_nhs_number_with_valid_checksum_is_flagged(written: str) -> None:
    violation = only(scan(f"Your NHS number is {written}, call us."), "nhs-number")
    assert violation.values["value"].value == written


def test_ten_digits_with_a_bad_checksum_are_a_long_number_not_an_nhs_number() -> None:
    assert codes(scan("Your number is 943 476 5918, call us.")) == ["long-number"]


@pytest.mark.parametrize("written", ["JG 10 37 59 A", "JG103759A", "AB 12 34 56 C"])
def test_ni_number_is_flagged(written: str) -> None:
    assert codes(scan(f"Your NI number {written} is on file.")) == ["ni-number"]


@pytest.mark.parametrize("written", ["QQ 12 34 56 C", "GB 12 34 56 A", "DA 12 34 56 A"])
def test_invalid_ni_prefixes_are_not_ni_numbers_but_still_long_numbers(written: str) -> None:
    assert codes(scan(f"Code {written} is on file.")) == ["long-number"]


@pytest.mark.parametrize("written", ["HRA-0012345", "HRA 0012345", "hra0012345"])
def test_reference_is_flagged_however_spaced(written: str) -> None:
    row = {**ROW, "account_ref": "HRA-0012345"}
    violation = only(scan(f"About account {written}, please call.", row), "reference")
    assert violation.column == "account_ref"
    assert "long-number" not in codes(scan(f"About account {written}.", row))


def test_other_long_numbers_are_flagged_but_not_the_callback_number() -> None:
    assert scan("Please call us back on 01632 960000.") == []
    assert scan("Please call us back on +44 (0)1632 960000.") == []
    violations = scan("We tried 07700 900123 and 01632 960000.")
    assert codes(violations) == ["long-number"]
    assert violations[0].values["value"].value == "07700 900123"


def test_allowed_numbers_option() -> None:
    script = "Or call our switchboard on 0808 157 0192."
    assert codes(scan(script)) == ["long-number"]
    assert scan(script, options={"allowed_numbers": ["0808 157 0192"]}) == []


def test_short_numbers_and_other_dates_are_not_long_numbers() -> None:
    assert scan("Call between 9 and 5, before 2026-12-01, on 14/12/2026, room 12345.") == []


# --- amounts and dates of birth ------------------------------------------------------

@pytest.mark.parametrize("amount", ["£412.50", "£1,200", "£ 75", "12.50 GBP", "412 pounds",
                                    "GBP 40"])
def test_amounts_are_flagged(amount: str) -> None:
    assert codes(scan(f"You have {amount} to pay.")) == ["amount"]


def test_time_and_counts_are_not_amounts() -> None:
    assert scan("Please call within 10 days, from 9am to 5pm.") == []


@pytest.mark.parametrize("written", ["03/02/1980", "3/2/80", "3 February 1980",
                                     "3rd Feb 1980", "February 3, 1980", "1980-02-03",
                                     "03.02.1980"])
def test_date_of_birth_from_register_is_flagged(written: str) -> None:
    violations = scan(f"We have your date of birth as {written}.")
    assert codes(violations) == ["date-of-birth"]


def test_date_of_birth_from_the_row_and_not_other_dates() -> None:
    row = {"recipient_id": "P-9999", "phone": "07700 900111", "first_name": "Sian",
           "dob": "14/07/1958"}
    assert codes(scan("Born 14 July 1958.", row, register=False)) == ["date-of-birth"]
    assert scan("Your appointment is on 14 July 2026.", row, register=False) == []


# --- sensitive terms -----------------------------------------------------------------

@pytest.mark.parametrize("word", ["arrears", "eviction", "refuge", "Universal Credit",
                                  "debts", "social worker", "non-molestation", "PIP"])
def test_sensitive_terms_are_flagged(word: str) -> None:
    violation = only(scan(f"Hello Sian, this is about your {word}."), "sensitive-term")
    assert violation.facts["term"].lower() == word.lower()


def test_everyday_words_and_names_are_not_sensitive() -> None:
    assert scan("We look forward to hearing from you, Sian.") == []
    assert scan("Hello Courtney, please call back.", {**ROW, "first_name": "Courtney"}) == []
    # "Pip" the person is not PIP the benefit.
    pip = {"recipient_id": "P-2005", "phone": "07700 900555", "first_name": "Pip"}
    assert scan("Hello Pip, please call back.", pip) == []
    assert codes(scan("Hello Pip, about your PIP claim.", pip)) == ["sensitive-term"]


def test_allowed_terms_phrase_excuses_only_its_own_words() -> None:
    script = "Please come to Kingsmead Court reception for your court date."
    assert codes(scan(script)) == ["sensitive-term", "sensitive-term"]
    allowed = scan(script, options={"allowed_terms": ["Kingsmead Court"]})
    assert codes(allowed) == ["sensitive-term"]
    assert allowed[0].col == script.index("court date") + 1
    assert scan(script, options={"allowed_terms": ["court"]}) == []


def test_policy_terms_are_added_to_the_defaults() -> None:
    script = "This is about your council tax and arrears."
    assert codes(scan(script)) == ["sensitive-term"]
    added = scan(script, options={"sensitive_terms": ["council tax"]})
    assert codes(added) == ["sensitive-term", "sensitive-term"]


def test_sensitive_term_in_a_voicemail_template_is_reported_once_for_the_template() -> None:
    template = HEADER + "Hello {{ first_name }},\nthis is about your arrears.\n"
    rows = [ROW, {**ROW, "phone": "+44 7700 900123"}]
    violation = only(run(template, *rows), "sensitive-term")
    assert (violation.line, violation.col) == (6, 20)  # line 6 of the file: after front matter
    assert violation.fingerprint_extra


def test_sensitive_term_is_flagged_per_row_when_the_template_is_not_a_voicemail_one() -> None:
    template = "Hello {{ first_name }}, this is about your arrears.\n"
    rows = [{**ROW, "channel": "voicemail"}, {**ROW, "channel": "voicemail"}]
    assert codes(run(template, *rows)) == ["sensitive-term", "sensitive-term"]


def test_sensitive_term_in_an_address_is_reported_as_the_address() -> None:
    assert codes(scan("About Flat 3, Kingsmead Court.")) == ["address"]


# --- where, masking, fingerprints -----------------------------------------------------

def test_span_is_reported_as_line_and_column_and_in_the_message() -> None:
    script = "Hello Sian,\nthis is for Ms Hughes."
    violation = only(scan(script), "surname")
    assert (violation.line, violation.col) == (2, 16)
    text = render_message(violation, show_values=False)
    assert "at line 2, characters 16–21 of the script" in text


def test_personal_values_are_masked_and_terms_are_not() -> None:
    row = {**ROW, "account_ref": "HRA-0012345"}
    script = "Sian Hughes, account HRA-0012345 owes £412.50 in arrears. NHS 943 476 5919."
    violations = scan(script, row)
    assert content(violations) == ["amount", "nhs-number", "reference", "sensitive-term",
                                   "sensitive-term", "surname"]
    masked = " ".join(render_message(v, show_values=False) for v in violations)
    for secret in ("Hughes", "HRA-0012345", "412.50", "943 476 5919"):
        assert secret not in masked
    assert '"arrears"' in masked and '"owes"' in masked
    shown = " ".join(render_message(v, show_values=True) for v in violations)
    assert "HRA-0012345" in shown


def test_fingerprint_extra_is_code_and_span_start() -> None:
    violation = only(scan("For Ms Hughes."), "surname")
    assert violation.fingerprint_extra == "surname:7"


# --- the number ------------------------------------------------------------------------

def test_old_number_is_not_current() -> None:
    violation = only(run(COMPLIANT, {**ROW, "phone": "07700 900456"}), "not-current-number")
    assert violation.severity is None  # the rule's default: error
    assert "exactly the incident in the ICO leaflet" in violation.message
    assert violation.column == "phone"


@pytest.mark.parametrize("phone", ["01632 960999", "07700 900999"])
def test_invalid_or_unknown_number_is_not_current(phone: str) -> None:
    assert codes(run(COMPLIANT, {**ROW, "phone": phone})) == ["not-current-number"]


def test_current_number_written_another_way_is_fine() -> None:
    assert run(COMPLIANT, {**ROW, "phone": "0044 7700 900 123"}) == []


def test_number_verified_too_long_ago_or_never_is_unverified() -> None:
    old = only(run(COMPLIANT, {**ROW, "recipient_id": "P-2003", "phone": "07700 900888",
                               "first_name": "Priya"}), "unverified-number")
    assert "2025-01-10" in render_message(old, show_values=False)
    never = only(run(COMPLIANT, {**ROW, "recipient_id": "P-2004", "phone": "07700 900321",
                                 "first_name": "Liam"}), "unverified-number")
    assert "no date" in render_message(never, show_values=False)


def test_verification_age_boundary_and_option() -> None:
    row = {**ROW}  # verified 2026-10-01
    day_90 = dt.date(2026, 10, 1) + dt.timedelta(days=90)
    assert run(COMPLIANT, row, today=day_90) == []
    assert codes(run(COMPLIANT, row, today=day_90 + dt.timedelta(days=1))) == [
        "unverified-number"]
    assert codes(run(COMPLIANT, row, options={"max_age_days": 30})) == ["unverified-number"]


def test_no_voicemail_flag() -> None:
    row = {**ROW, "recipient_id": "P-2002", "phone": "07700 900777", "first_name": "Tomasz"}
    assert codes(run(COMPLIANT, row)) == ["no-voicemail"]


def test_unknown_recipient_is_a_warning() -> None:
    violation = only(run(COMPLIANT, {**ROW, "recipient_id": "P-0404"}), "unknown-recipient")
    assert violation.severity is Severity.WARNING


def test_other_channels_are_not_checked() -> None:
    template = "Dear {{ first_name }} {{ last_name }}, your arrears are £412.50."
    assert run(template, {**ROW, "channel": "letter", "phone": "07700 900456"}) == []


# --- templates -----------------------------------------------------------------------

def test_template_field_not_allowed_has_its_position() -> None:
    template = HEADER + "Hello {{ first_name }}\n{{ last_name }} call {{ callback_number }}"
    violation = only(run(template, ROW), "field-not-allowed")
    assert (violation.line, violation.col) == (6, 4)
    assert violation.facts["field"] == "last_name"


def test_allowed_fields_option_decides_which_fields_may_be_said() -> None:
    template = HEADER + "Hello {{ first_name }}, call {{ callback_number }}."
    strict = run(template, ROW, options={"allowed_fields": ["callback_number"]})
    assert codes(strict) == ["field-not-allowed"]


def test_templates_for_other_channels_are_not_checked() -> None:
    rule = VoicemailContent({}, RunContext(register=None, today=TODAY))
    letter = parse_template("---\nchannel: letter\n---\nDear {{ last_name }}, arrears",
                            Path("letter.j2"))
    assert list(rule.check_template(letter)) == []


# --- more must / must-not pairs --------------------------------------------------------

def test_persons_own_postcode_in_lower_case_is_flagged_but_codes_like_room_numbers_are_not(
) -> None:
    assert codes(scan("Our letter to fe1 2ab came back.", ADDRESS_ROW)) == ["address"]
    assert scan("Please come to Room B1 2nd floor.", ADDRESS_ROW) == []


def test_house_name_address_is_flagged() -> None:
    row = {**ROW, "address_line_1": "Rose Cottage", "address_line_2": "Church Lane",
           "address_line_3": "Fenmarsh", "postcode": "FE3 9XY"}
    assert codes(scan("We called at Rose Cottage, Church Lane.", row)) == ["address"]
    assert scan("We called at the cottage car park on Church Lane.", row) == []


def test_organisation_whose_name_holds_a_sensitive_word() -> None:
    template = (HEADER + "Hello {{ first_name }}, this is {{ organisation }}."
                " Call {{ callback_number }}.")
    row = {**ROW, "organisation": "Kingsmead Court Housing Office"}
    assert codes(run(template, row)) == ["sensitive-term"]
    assert run(template, row, options={"allowed_terms": ["Kingsmead Court"]}) == []


def test_sensitive_term_merged_from_a_row_is_flagged_per_row_even_in_a_voicemail_template(
) -> None:
    template = HEADER + "Hello {{ first_name }}, about {{ topic }}. Call {{ callback_number }}."
    rows = [{**ROW, "topic": "your eviction"}, {**ROW, "topic": "your library books"}]
    violations = run(template, *rows, options={"allowed_fields": [
        "first_name", "topic", "callback_number"]})
    assert codes(violations) == ["sensitive-term"]


def test_number_written_in_the_template_is_not_personal_but_the_same_from_a_row_is() -> None:
    template = HEADER + "Hello {{ first_name }}, call 0808 157 0192 or {{ callback_number }}."
    assert run(template, ROW) == []
    merged = HEADER + "Hello {{ first_name }}, call {{ other }} or {{ callback_number }}."
    found = run(merged, {**ROW, "other": "0808 157 0192"})
    assert content(found) == ["long-number"]


def test_unknown_recipient_without_a_phone_says_so_plainly() -> None:
    violation = only(run(COMPLIANT, {**ROW, "recipient_id": "P-0404", "phone": ""}),
                     "unknown-recipient")
    assert "(empty)" not in render_message(violation, show_values=False)


def test_no_register_means_only_the_script_is_checked() -> None:
    row = {**ROW, "recipient_id": "P-0404", "phone": "07700 900456"}
    assert codes(scan("For Ms Hughes, about £20.", row, register=False)) == [
        "amount", "surname"]
    assert codes(scan("For Ms Hughes, about £20.", row)) == [
        "amount", "surname", "unknown-recipient"]


def _with_check_digit(first_nine: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return None if check == 10 else first_nine + str(check)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda s: s[0] != "0"))
@settings(max_examples=60, deadline=None)
def test_any_valid_nhs_number_is_flagged_and_any_other_ten_digits_are_long(nine: str) -> None:
    number = _with_check_digit(nine)
    if number is None:
        return
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert codes(scan(f"Reference {spaced}.", register=False)) == ["nhs-number"]
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    assert codes(scan(f"Reference {wrong}.", register=False)) == ["long-number"]
