"""Contact keys: the same phone or email written two ways has one key."""

from __future__ import annotations

import pytest

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
