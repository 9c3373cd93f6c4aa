"""UK phone numbers: Notify's accept/reject lists, plus Ofcom drama ranges as not real."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.normalise.phone import DRAMA_REASON, is_drama_number, parse_uk_phone

# GOV.UK Notify's valid UK mobiles: every spelling is +447723456789.
VALID_UK_MOBILES = [
    "7723456789",
    "07723456789",
    "07723 456789",
    "07723-456-789",
    "00447723456789",
    "00 44 7723456789",
    "+447723456789",
    "+44 7723 456 789",
    "+44 (0)7723 456 789",
    "\u200b\t\t+44 (0)7723 456 789\ufeff \r\n",
    "447723456789",
]

VALID_UK_LANDLINES = [
    ("0113 242 1234", "+441132421234"),   # Leeds
    ("029 2087 2087", "+442920872087"),   # Cardiff
    ("016064 1234", "+44160641234"),      # Brampton: one digit shorter than usual
    ("030 1234 5678", "+443012345678"),   # non-geographic
    ("0550 123 4567", "+445501234567"),   # corporate numbering / VoIP
    ("+44 117 496 1234", "+441174961234"),  # Bristol, outside the drama block
]

INVALID = [
    ("0400 123 4567", "not a valid UK phone number"),     # range not in use
    ("0600 123 4567", "not a valid UK phone number"),
    ("0300 46 46", "not a valid UK phone number"),
    ("0772345678", "not a valid UK phone number"),        # one digit short
    ("00447723456", "not a valid UK phone number"),
    ("0772345678910", "too long to be a phone number"),
    ("+44 (0)7723 456 789 10", "too long to be a phone number"),
    ("0900 123 4567", "premium-rate numbers cannot receive texts or voicemail"),
    ("07890x32109", "contains characters that are not part of a phone number"),
    ("07723 456789...", "contains characters that are not part of a phone number"),
    ("07723☟☜⬇⬆☞☝", "contains characters that are not part of a phone number"),
    ('07";DROP TABLE;"', "contains characters that are not part of a phone number"),
    ("ALPHANUM3R1C", "contains characters that are not part of a phone number"),
    ("0800 FLOWERS", "contains characters that are not part of a phone number"),
    ("", "no phone number given"),
]

# Ofcom's drama ranges (https://www.ofcom.org.uk, "TV and radio drama numbers").
DRAMA = [
    "07700 900000", "07700 900123", "+44 7700 900999", "447700900461",
    "0113 496 0000", "0114 496 0999", "0115 496 0123", "0116 496 0456",
    "0117 496 0860", "0118 496 0001", "0121 496 0123", "0131 496 0123",
    "0141 496 0123", "0151 496 0123", "0161 496 0123", "020 7946 0991",
    "0191 498 0123", "028 9649 6123", "029 2018 0123", "01632 960123",
    "0306 999 0123", "0808 157 0123", "0909 879 0123",
]
JUST_OUTSIDE_DRAMA = [
    ("07700 901000", False),   # not drama, and not a valid mobile either
    ("0113 496 1000", True),   # next block in Leeds
    ("020 7946 1000", True),
    ("0161 496 1000", True),
]

INTERNATIONAL = [
    ("+7 (8) (495) 123-45-67", "+74951234567"),   # Moscow
    ("784951234567", "+74951234567"),             # no + but not a UK number
    ("1-202-555-0104", "+12025550104"),           # USA
    ("1‑202–555—010−4", "+12025550104"),          # word processor dashes
    ("0012025550104", "+12025550104"),
    ("+0012025550104", "+12025550104"),
    ("+33122334455", "+33122334455"),             # Paris
    ("+43 676 111 222 333 4", "+436761112223334"),  # 13-digit Austrian
]


@pytest.mark.parametrize("text", VALID_UK_MOBILES)
def test_valid_uk_mobiles(text: str) -> None:
    check = parse_uk_phone(text)
    assert check == parse_uk_phone("07723456789")
    assert (check.valid, check.is_mobile, check.is_uk, check.e164) == (
        True, True, True, "+447723456789")
    assert check.reason == ""


@pytest.mark.parametrize(("text", "e164"), VALID_UK_LANDLINES)
def test_valid_uk_landlines_are_not_mobiles(text: str, e164: str) -> None:
    check = parse_uk_phone(text)
    assert check.valid and check.is_uk
    assert not check.is_mobile
    assert check.e164 == e164


@pytest.mark.parametrize(("text", "reason"), INVALID)
def test_invalid_numbers_say_why(text: str, reason: str) -> None:
    check = parse_uk_phone(text)
    assert not check.valid
    assert check.reason == reason


@pytest.mark.parametrize("text", DRAMA)
def test_drama_numbers_are_not_real(text: str) -> None:
    check = parse_uk_phone(text)
    assert not check.valid
    assert check.is_drama
    assert check.reason == DRAMA_REASON
    assert check.e164.startswith("+44")  # still keyed, so a register's test data matches


@pytest.mark.parametrize(("text", "valid"), JUST_OUTSIDE_DRAMA)
def test_numbers_next_to_drama_ranges_are_judged_normally(text: str, valid: bool) -> None:
    check = parse_uk_phone(text)
    assert not check.is_drama
    assert check.valid is valid


@pytest.mark.parametrize(("text", "e164"), INTERNATIONAL)
def test_international_numbers_parse_but_are_not_uk(text: str, e164: str) -> None:
    check = parse_uk_phone(text)
    assert check.valid
    assert not check.is_uk
    assert check.e164 == e164


def test_crown_dependency_mobile_is_in_the_uk_numbering_plan() -> None:
    check = parse_uk_phone("+447797292290")  # Jersey
    assert check.valid and check.is_mobile and check.is_uk


@given(st.integers(min_value=0, max_value=999))
def test_whole_mobile_drama_range(n: int) -> None:
    assert is_drama_number(f"7700900{n:03d}")
    assert parse_uk_phone(f"07700 900{n:03d}").reason == DRAMA_REASON


@given(st.integers(min_value=0, max_value=999_999))
def test_real_looking_mobiles_round_trip(n: int) -> None:
    national = f"07723{n:06d}"
    check = parse_uk_phone(national)
    assert check.valid and check.is_mobile
    assert check.e164 == "+44" + national[1:]
    assert parse_uk_phone(check.e164) == check


@given(st.text(max_size=30))
def test_never_raises(text: str) -> None:
    check = parse_uk_phone(text)
    assert check.valid is (check.reason == "")
