"""Email addresses: what GOV.UK Notify accepts, we accept; what it rejects, we reject."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.normalise.email import check_email

# GOV.UK Notify's own lists (notifications-utils recipient validation tests).
NOTIFY_VALID = [
    "email@domain.com",
    "email@domain.COM",
    "firstname.lastname@domain.com",
    "firstname.o'lastname@domain.com",
    "email@subdomain.domain.com",
    "firstname+lastname@domain.com",
    "1234567890@domain.com",
    "email@domain-one.com",
    "_______@domain.com",
    "email@domain.name",
    "email@domain.superlongtld",
    "email@domain.co.jp",
    "firstname-lastname@domain.com",
    "info@german-financial-services.vermögensberatung",
    "info@german-financial-services.reallylongarbitrarytldthatiswaytoohugejustincase",
    "japanese-info@例え.テスト",
    "email@double--hyphen.com",
]
NOTIFY_INVALID = [
    "email@123.123.123.123",
    "email@[123.123.123.123]",
    "plainaddress",
    "@no-local-part.com",
    "Outlook Contact <outlook-contact@domain.com>",
    "no-at.domain.com",
    "no-tld@domain",
    ";beginning-semicolon@domain.co.uk",
    "middle-semicolon@domain.co;uk",
    "trailing-semicolon@domain.com;",
    '"email+leading-quotes@domain.com',
    'email+middle"-quotes@domain.com',
    '"quoted-local-part"@domain.com',
    '"quoted@domain.com"',
    "lots-of-dots@domain..gov..uk",
    "two-dots..in-local@domain.com",
    "multiple@domains@domain.com",
    "spaces in local@domain.com",
    "spaces-in-domain@dom ain.com",
    "underscores-in-domain@dom_ain.com",
    "pipe-in-domain@example.com|gov.uk",
    "comma,in-local@gov.uk",
    "comma-in-domain@domain,gov.uk",
    "pound-sign-in-local£@domain.com",
    "local-with-’-apostrophe@domain.com",
    "local-with-”-quotes@domain.com",
    "domain-starts-with-a-dot@.domain.com",
    "brackets(in)local@domain.com",
    f"email-too-long-{'a' * 320}@example.com",
    "incorrect-punycode@xn---something.com",
    # and ours
    "trailing-dot@leeds.gov.uk.",
    "",
    "   ",
]


@pytest.mark.parametrize("address", NOTIFY_VALID)
def test_notify_valid_addresses_are_accepted(address: str) -> None:
    check = check_email(address)
    assert check.valid, check.reason
    assert check.reason == ""


@pytest.mark.parametrize("address", NOTIFY_INVALID)
def test_notify_invalid_addresses_are_rejected(address: str) -> None:
    check = check_email(address)
    assert not check.valid
    assert check.reason


@pytest.mark.parametrize(
    "address",
    [" email@domain.com ", "\temail@domain.com", "\temail@domain.com\n",
     "\u200bemail@domain.com\u200b"],
)
def test_surrounding_whitespace_is_stripped(address: str) -> None:
    assert check_email(address) == check_email("email@domain.com")
    assert check_email(address).normalised == "email@domain.com"


def test_domain_is_lower_cased_local_part_kept() -> None:
    assert check_email("Jane.Smith@Leeds.GOV.UK").normalised == "Jane.Smith@leeds.gov.uk"


@pytest.mark.parametrize(
    ("address", "fragment"),
    [("jane smith@leeds.gov.uk", "spaces"),
     ("jane..smith@leeds.gov.uk", "two periods"),
     ("jane.smith@leeds", "period"),
     ("jane.smith@leeds.gov.uk.", "full stop"),
     ("jane.smith.leeds.gov.uk", "@")],
)
def test_reasons_are_specific(address: str, fragment: str) -> None:
    assert fragment in check_email(address).reason


@pytest.mark.parametrize(
    "address", ["jane.smith@leeds..gov.uk", "jane.smith@dom_ain.gov.uk", "hello@例え..テスト"])
def test_reason_never_quotes_the_address(address: str) -> None:
    reason = check_email(address).reason
    assert "jane.smith" not in reason
    assert "leeds" not in reason
    assert "gov.uk" not in reason


@given(st.emails())
def test_generated_ascii_addresses_never_crash(address: str) -> None:
    check = check_email(address)
    assert check.valid is (check.reason == "")
