"""Contact keys: the same phone or email written two ways has one key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.normalise.contact import contact_key, email_key, phone_key


@pytest.mark.parametrize(
    "text", ["07723 456789", "+44 (0)7723 456 789", "0044 7723 456789", "447723456789"])
def test_phone_key_is_e164(text: str) -> None:
    assert phone_key(text) == "+447723456789"
    assert contact_key("phone", text) == "+447723456789"


def test_phone_key_of_test_numbers_and_junk() -> None:
    assert phone_key("07700 900123") == "+447700900123"  # drama, still keyed
    assert phone_key("") == ""
    assert phone_key("not a number") == ""


def test_email_key() -> None:
    assert email_key(" Jane.Smith@Leeds.GOV.UK\u200b") == "jane.smith@leeds.gov.uk"
    assert contact_key("email", "A@B.com") == email_key("a@b.COM")


@pytest.mark.parametrize("value", [
    "07700 900123", "+44 7700 900123", "+44 (0)7700 900123", "0044 7700 900 123",
    "07700-900-123", "(01632) 960123", "01632 960 123", "+441632960123", "07723.456.789",
    "0800 123 4567", "020 7946 0991", "0113 496 0000", "+44 20 7946 0991",
    "016977 4567", "0 7700 900123", "+44 0 7700 900123", "12345", "07700 90012",
])
def test_fast_path_gives_the_same_key_as_a_full_parse(value: str) -> None:
    from policylint.normalise.contact import _fast_uk_key
    from policylint.normalise.phone import parse_uk_phone

    fast = _fast_uk_key(value)
    if fast is not None:
        assert fast == parse_uk_phone(value).e164


@given(st.from_regex(r"(\+44 ?|0044 ?|0)[1-9][0-9]{2}[ -]?[0-9]{3}[ -]?[0-9]{4}", fullmatch=True))
def test_fast_path_agrees_with_phonenumbers_on_generated_numbers(value: str) -> None:
    from policylint.normalise.contact import _fast_uk_key
    from policylint.normalise.phone import parse_uk_phone

    fast = _fast_uk_key(value)
    assert fast is not None
    full = parse_uk_phone(value).e164
    assert full in ("", fast)  # phonenumbers may refuse an unallocated range outright
