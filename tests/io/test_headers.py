"""Header normalisation: what rules and templates call a column."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.io.headers import header_key, variable_name

NAMES = [
    # (as written in a real export, variable name)
    ("AddressLine1", "address_line_1"),
    ("address_line1", "address_line_1"),
    ("Address Line 1", "address_line_1"),
    ("ADDRESS LINE 1", "address_line_1"),
    ("address-line-1", "address_line_1"),
    ("Address.Line.2", "address_line_2"),
    ("  Address  Line 3 ", "address_line_3"),
    ("E-mail", "e_mail"),
    ("Email", "email"),
    ("eMail", "e_mail"),
    ("Email Address", "email_address"),
    ("Post Code", "post_code"),
    ("Postcode", "postcode"),
    ("POSTCODE", "postcode"),
    ("first_name", "first_name"),
    ("FirstName", "first_name"),
    ("First Name", "first_name"),
    ("RecipientID", "recipient_id"),
    ("Recipient ID", "recipient_id"),
    ("NHSNumber", "nhs_number"),
    ("NHS No.", "nhs_no"),
    ("PersonIDs", "person_ids"),
    ("Tel. No (mobile)", "tel_no_mobile"),
    ("Amount £", "amount"),
    ("__ref__", "ref"),
    ("Case/Ref", "case_ref"),
    ("1st Line", "_1_st_line"),
    ("2024 Balance", "_2024_balance"),
    ("Prénom", "prénom"),
    ("Cyfeiriad (Llinell 1)", "cyfeiriad_llinell_1"),
    ("", ""),
    ("   ", ""),
    ("#", ""),
    ("---", ""),
]


@pytest.mark.parametrize(("header", "expected"), NAMES)
def test_variable_name(header: str, expected: str) -> None:
    assert variable_name(header) == expected


@pytest.mark.parametrize(("header", "_expected"), NAMES)
def test_variable_name_is_an_identifier_or_empty(header: str, _expected: str) -> None:
    name = variable_name(header)
    assert name == "" or name.isidentifier()


@pytest.mark.parametrize(
    "spellings",
    [
        ("Email", "E-mail", "e_mail", "EMAIL", "e mail", "eMail"),
        ("Address Line 1", "AddressLine1", "address_line1", "ADDRESS-LINE-1", "addressline1"),
        ("Post Code", "postcode", "POST_CODE", "Post-code"),
        ("recipient_id", "RecipientID", "Recipient Id", "recipient-id"),
    ],
)
def test_header_key_matches_spellings_of_one_column(spellings: tuple[str, ...]) -> None:
    keys = {header_key(s) for s in spellings}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Address Line 1", "Address Line 2"),
        ("first_name", "last_name"),
        ("email", "email_address"),
        ("phone", "phone_number"),
    ],
)
def test_header_key_keeps_different_columns_apart(left: str, right: str) -> None:
    assert header_key(left) != header_key(right)


def test_header_key_of_a_variable_name_is_the_header_key() -> None:
    # fields.py matches policy headers against Row keys (variable names).
    for header, _ in NAMES:
        assert header_key(variable_name(header)) == header_key(header)


@given(st.text(max_size=40))
def test_any_header_gives_an_identifier_or_empty(header: str) -> None:
    name = variable_name(header)
    assert name == "" or name.isidentifier()
    assert "__" not in name.lstrip("_")
    assert not name.endswith("_")


@given(st.text(max_size=40))
def test_variable_name_is_idempotent(header: str) -> None:
    name = variable_name(header)
    assert variable_name(name) == name
