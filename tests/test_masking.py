"""Masking: a CI log must never become the breach (DESIGN §4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.masking import mask, render_message
from policylint.model import Personal, PersonalKind, Violation

K = PersonalKind


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        (K.NAME, "Mrs Jane Smith", "J. S."),
        (K.NAME, "Siobhán Ní Bhriain", "S. N. B."),
        (K.POSTCODE, "SW1A 1AA", "SW1A ***"),
        (K.POSTCODE, "ls14ap", "LS1 ***"),
        (K.POSTCODE, "LS1 4A", "LS1 ***"),     # invalid, but the district is still clear
        (K.POSTCODE, "Leeds", "***"),
        (K.EMAIL, "jane.smith@leeds.gov.uk", "j***@l***.gov.uk"),
        (K.EMAIL, "jane@mail.leeds.gov.uk", "j***@m***.gov.uk"),
        (K.EMAIL, "tom.wright@example.co.uk", "t***@e***.co.uk"),
        (K.EMAIL, "aisha.khan@gmail.com", "a***@g***.com"),
        (K.EMAIL, "admin@nhs.net", "a***@n***.net"),
        (K.EMAIL, "no-at-sign.example.com", "n***"),
        (K.PHONE, "07723 456789", "********789"),
        (K.PHONE, "+44 7723 456 789", "*********789"),
        (K.PHONE, "0113 242 1234", "********234"),
        (K.PHONE, "113 242 1234", "*******234"),
        (K.ADDRESS, "10 High St, Leeds LS1 4AP", "[address in LS1]"),
        (K.ADDRESS, "Flat 2\n10 High Street\nLeeds\nls14ap", "[address in LS1]"),
        (K.ADDRESS, "10 High Street, Leeds", "[address]"),
        (K.IDENTIFIER, "AB123456C", "*******6C"),
        (K.IDENTIFIER, "HB-2026-0042", "**********42"),
        (K.DATE, "1984-03-07", "**/**/****"),
        (K.TEXT, "fled to the refuge", "[18 characters hidden]"),
        (K.NAME, "", "(empty)"),
        (K.EMAIL, "   ", "(empty)"),
    ],
)
def test_mask(kind: PersonalKind, value: str, masked: str) -> None:
    assert mask(Personal(kind, value)) == masked


def test_render_message_masks_values_and_keeps_facts() -> None:
    v = Violation(
        code="previous-address",
        message="Letter to {name} at {postcode}: moved on {moved} ({count} letters).",
        values={"name": Personal(K.NAME, "Jane Smith"),
                "postcode": Personal(K.POSTCODE, "LS1 4AP")},
        facts={"moved": "2026-03-01", "count": 2},
    )
    assert render_message(v, show_values=False) == (
        "Letter to J. S. at LS1 ***: moved on 2026-03-01 (2 letters).")
    assert render_message(v, show_values=True) == (
        "Letter to Jane Smith at LS1 4AP: moved on 2026-03-01 (2 letters).")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Column {column} has {value}", "Column {x} has j***@e***.com"),
        ("Stray { brace and {value}", "Stray { brace and j***@e***.com"),
        ("Unknown {field} stays, {value}", "Unknown {field} stays, j***@e***.com"),
        ("Positional {} is left, {value}", "Positional {} is left, j***@e***.com"),
        ("Escaped {{value}} is literal", "Escaped {value} is literal"),
        ("Closing } alone, {value}", "Closing } alone, j***@e***.com"),
    ],
)
def test_render_message_is_robust_to_braces(message: str, expected: str) -> None:
    v = Violation(code="x", message=message,
                  values={"value": Personal(K.EMAIL, "jo@example.com")},
                  facts={"column": "{x}"})
    assert render_message(v, show_values=False) == expected


def test_personal_passed_as_a_fact_is_still_masked() -> None:
    v = Violation(code="x", message="to {who}", facts={"who": Personal(K.NAME, "Jane Smith")})
    assert render_message(v, show_values=False) == "to J. S."


def test_value_wins_over_fact_with_the_same_name() -> None:
    v = Violation(code="x", message="{email}",
                  values={"email": Personal(K.EMAIL, "jo@example.com")},
                  facts={"email": "jo@example.com"})
    assert render_message(v, show_values=False) == "j***@e***.com"


# --- property: the masked form never contains the plain value ----------------------

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12)
_NAMES = st.builds(lambda t, g, f: f"{t}{g.title()} {f.title()}",
                   st.sampled_from(["", "Mr ", "Mrs ", "Dr "]), _WORD, _WORD)
_PHONES = st.builds(lambda n, sep: f"07{n:09d}".replace("07", "07" + sep, 1),
                    st.integers(min_value=0, max_value=999_999_999), st.sampled_from(["", " "]))
_POSTCODES = st.builds(
    lambda a, d, s, u: f"{a}{d} {s}{u}",
    st.text(alphabet="ABCDEFGHJKLMNOPRSTUWYZ", min_size=1, max_size=2),
    st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=9),
    st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2))
_ADDRESS_LINES = st.builds(lambda n, w: f"{n} {w.title()} Street",
                           st.integers(min_value=1, max_value=999), _WORD)


@given(st.one_of(
    st.tuples(st.just(K.EMAIL), st.emails()),
    st.tuples(st.just(K.PHONE), _PHONES),
    st.tuples(st.just(K.POSTCODE), _POSTCODES),
    st.tuples(st.just(K.NAME), _NAMES),
    st.tuples(st.just(K.ADDRESS), _ADDRESS_LINES),
    st.tuples(st.just(K.ADDRESS), st.builds(lambda a, p: f"{a}, Leeds {p}",
                                             _ADDRESS_LINES, _POSTCODES)),
    st.tuples(st.just(K.IDENTIFIER), st.text(min_size=5, max_size=20).filter(str.strip)),
    st.tuples(st.just(K.TEXT), st.text(min_size=5, max_size=40).filter(str.strip)),
))
def test_masked_output_never_contains_the_value(pair: tuple[PersonalKind, str]) -> None:
    kind, value = pair
    masked = mask(Personal(kind, value))
    assert value.strip() not in masked
    # nor its tell-tale parts
    if kind is K.EMAIL:
        local = value.split("@")[0]
        # Only the first character is kept: a local part that is one character, or one
        # character then stars ("0*"), looks the same as its mask without leaking more.
        assert local not in masked or len(local) == 1 or set(local[1:]) <= {"*"}
    if kind is K.POSTCODE:
        assert value.split()[1] not in masked
    if kind is K.PHONE:
        assert value.replace(" ", "")[:-3] not in masked.replace("*", "")
    rendered = render_message(
        Violation(code="x", message="v={v}", values={"v": Personal(kind, value)}),
        show_values=False)
    assert value.strip() not in rendered
