"""Addresses: postcode and every house/flat number exact; only wording fuzzy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.normalise.address import (
    AddressKey,
    address_fingerprints,
    address_key,
    normalise_address_text,
    same_address,
)


def key(*lines: str, postcode: str = "", names: tuple[str, ...] = ()) -> AddressKey:
    return address_key(list(lines), postcode, names)


def test_key_parts() -> None:
    k = key("Mr J Smith", "Flat 2", "10 High St.", "LEEDS", "ls1 4ap")
    assert k.postcode == "LS14AP"
    assert k.numbers == ("2", "10")
    assert k.words == "flat high street leeds"


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("12A Park Road", ("12A",)),
        ("12 a Park Road", ("12A",)),
        ("10-12 Market Place", ("10-12",)),
        ("10 – 12 Market Place", ("10-12",)),
        ("Flat B, 4 Church Lane", ("B", "4")),
        ("Apartment 7, Quayside House", ("7",)),
        ("Unit 3b Riverside Estate", ("3B",)),
        ("1st Floor, 22 Queen St", ("22",)),
        ("Rose Cottage, Church Ln", ()),
    ],
)
def test_numbers_are_found_in_order(text: str, numbers: tuple[str, ...]) -> None:
    assert key(text, postcode="YO1 7HH").numbers == numbers


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("10 High St", "10 High Street"),
        ("4 Station Rd", "4 Station Road"),
        ("9 Elm Ave", "9 Elm Avenue"),
        ("2 Mill Ln", "2 Mill Lane"),
        ("7 Park Dr", "7 Park Drive"),
        ("3 Kings Ct", "3 Kings Court"),
        ("5 Moor Cres", "5 Moor Crescent"),
        ("6 Abbey Pl", "6 Abbey Place"),
        ("8 Rose Gdns", "8 Rose Gardens"),
        ("1 Market Sq", "1 Market Square"),
        ("11 Albion Terr", "11 Albion Terrace"),
        ("11 Albion Ter", "11 Albion Terrace"),
        ("12 Beech Cl", "12 Beech Close"),
        ("14 Village Grn", "14 Village Green"),
        ("15 Roundhay Pk", "15 Roundhay Park"),
        ("Apt 4, Civic Hse", "Flat 4, Civic House"),
        ("Flt 4, Civic Hse", "Apartment 4, Civic House"),
    ],
)
def test_abbreviations_expand(short: str, long: str) -> None:
    assert key(short).words == key(long).words
    assert same_address(key(short, postcode="LS1 4AP"), key(long, postcode="LS1 4AP"))


def test_st_is_saint_before_a_name_and_street_after_one() -> None:
    assert key("10 St Mary's Rd").words == "saint marys road"
    assert key("10 High St", "St Albans").words == "high street saint albans"


SAME = [
    # (batch lines, batch postcode, register lines, register postcode)
    (["10 High St", "Leeds"], "LS1 4AP", ["10 High Street", "LEEDS"], "ls14ap"),
    (["10 High Street, Leeds"], "LS1 4AP",
     ["10 High Street", "Leeds", "West Yorkshire"], "LS1 4AP"),
    (["Mrs Jane Smith", "10 High Street", "Leeds", "LS1 4AP"], "",
     ["10 High St", "Leeds"], "LS1 4AP"),
    (["The Occupier", "10 High Street", "Leeds"], "LS1 4AP", ["10 High St"], "LS1 4AP"),
    (["Flat 2", "10 High St", "Leeds"], "LS1 4AP", ["Flat 2, 10 High Street, Leeds"], "LS1 4AP"),
    (["Rose Cottage", "Church Ln", "Little Snoring"], "NR21 0AA",
     ["Rose Cottage, Church Lane", "Little Snoring", "Fakenham"], "NR21 0AA"),
    (["Flat 2, 10 High St"], "LS1 4AP", ["10 High Street", "Flat 2"], "LS1 4AP"),
    (["2, 10 High St"], "LS1 4AP", ["Flat 2", "10 High Street"], "LS1 4AP"),
    (["10 Hihg Street", "Leeds"], "LS1 4AP", ["10 High Street", "Leeds"], "LS1 4AP"),  # typo
    (["Flat B, Rose Court", "Cardiff"], "CF10 1EP", ["Flat B", "Rose Ct", "CARDIFF"], "CF10 1EP"),
]
DIFFERENT = [
    (["10 High St", "Leeds"], "LS1 4AP", ["Flat 2, 10 High Street", "Leeds"], "LS1 4AP"),
    (["12A Park Road"], "YO1 7HH", ["12 Park Road"], "YO1 7HH"),
    (["12 Park Road"], "YO1 7HH", ["21 Park Road"], "YO1 7HH"),
    (["10 High St", "Leeds"], "LS1 4AP", ["10 High St", "Leeds"], "LS1 4AQ"),  # postcode exact
    (["Flat A, Rose Court"], "CF10 1EP", ["Flat B, Rose Court"], "CF10 1EP"),
    (["Flat 2, 10 High St"], "LS1 4AP", ["Flat 10, 2 High St"], "LS1 4AP"),
    (["10 High St", "Leeds"], "LS1 4AP", ["10 Station Road", "Leeds"], "LS1 4AP"),
    (["Rose Cottage", "Church Lane"], "NR21 0AA", ["Ivy Cottage", "Church Lane"], "NR21 0AA"),
]


@pytest.mark.parametrize(("a_lines", "a_pc", "b_lines", "b_pc"), SAME)
def test_same_address(a_lines: list[str], a_pc: str, b_lines: list[str], b_pc: str) -> None:
    a, b = address_key(a_lines, a_pc), address_key(b_lines, b_pc)
    assert same_address(a, b)
    assert same_address(b, a)


@pytest.mark.parametrize(("a_lines", "a_pc", "b_lines", "b_pc"), DIFFERENT)
def test_different_address(a_lines: list[str], a_pc: str, b_lines: list[str], b_pc: str) -> None:
    a, b = address_key(a_lines, a_pc), address_key(b_lines, b_pc)
    assert not same_address(a, b)
    assert not same_address(b, a)


def test_addressee_line_dropped_only_when_it_is_a_name() -> None:
    with_name = key("Aisha Khan", "3 Mill Lane", "Swansea", names=("Ms Aisha Khan",))
    assert with_name.words == "mill lane swansea"
    # Not one of the addressee's names and no title: kept.
    kept = key("Aisha Khan", "3 Mill Lane", "Swansea", names=("Tom Wright",))
    assert "aisha" in kept.words
    assert key("Dr A Khan", "3 Mill Lane").words == "mill lane"
    assert key("Mr J Smith").words == "mr j smith"  # a lone line is never dropped
    # Streets and buildings that start like a title are kept.
    assert key("Lord Street", "Southport").words == "lord street southport"
    assert key("Major Road", "Leeds").words == "major road leeds"
    assert key("Sir Thomas Street", "Liverpool").words == "sir thomas street liverpool"
    assert key("Lady Margaret Hall", "Oxford").words == "lady margaret hall oxford"


def test_postcode_found_in_lines_when_not_given() -> None:
    assert key("10 High St", "Leeds LS1 4AP").postcode == "LS14AP"
    assert key("10 High St", "Leeds").postcode == ""
    assert "ls1" not in key("10 High St", "Leeds LS1 4AP").words


def test_missing_postcode_on_one_side_does_not_block_a_match() -> None:
    with_postcode = key("10 High Street", "Leeds", postcode="LS1 4AP")
    assert same_address(key("10 High St", "Leeds"), with_postcode)


def test_fingerprints() -> None:
    fps = address_fingerprints(["Flat 2", "10 High St", "Leeds"], "LS1 4AP")
    assert {"ls1 4ap", "ls14ap", "10 high street", "flat 2 10 high street"} <= fps
    assert "high street" not in fps
    assert "leeds" not in fps
    assert all(any(c.isdigit() for c in fp) for fp in fps)


def test_fingerprints_named_house_and_never_street_alone() -> None:
    fps = address_fingerprints(["Rose Cottage", "Church Ln", "Little Snoring"], "NR21 0AA")
    assert "rose cottage church lane" in fps
    assert "church lane" not in fps
    assert address_fingerprints(["High Street", "Leeds"], "") == set()
    named = address_fingerprints(
        ["Aisha Khan", "Rose Cottage", "Church Lane"], "", addressee_names=["Ms Aisha Khan"])
    assert named == {"rose cottage church lane"}


@pytest.mark.parametrize(
    "text",
    [
        "She now lives at Flat 2, 10 High St., Leeds LS1 4AP.",
        "Address: FLAT 2 10 HIGH STREET LEEDS",
        "c/o 10 High Street\nLeeds",
    ],
)
def test_fingerprints_are_found_in_normalised_text(text: str) -> None:
    haystack = f" {normalise_address_text(text)} "
    fps = address_fingerprints(["Flat 2", "10 High St", "Leeds"], "LS1 4AP")
    assert any(f" {fp} " in haystack for fp in fps)


def test_fingerprint_needs_word_boundaries() -> None:
    haystack = f" {normalise_address_text('110 High Street, Leeds')} "
    assert " 10 high street " not in haystack


_STREETS = st.sampled_from(["High Street", "Station Road", "Church Lane", "Park Avenue"])


@given(
    number=st.integers(min_value=1, max_value=400),
    other=st.integers(min_value=1, max_value=400),
    street=_STREETS,
    upper=st.booleans(),
)
def test_numbers_decide_exactly(number: int, other: int, street: str, upper: bool) -> None:
    a = key(f"{number} {street}", "Leeds", postcode="LS1 4AP")
    written = f"{other} {street}, LEEDS" if upper else f"{other} {street}, Leeds"
    b = key(written, postcode="ls1 4ap")
    assert same_address(a, b) is (number == other)


@pytest.mark.parametrize(("a", "b", "same"), [
    (["4 Mill Lane", "Kings Fenmarsh"], ["4 Mill Road", "Kings Fenmarsh"], False),
    (["4 Mill Lane", "Kings Fenmarsh"], ["4 Mill Ln", "KINGS FENMARSH"], True),
    (["Park House", "4 Mill Lane", "Kings Fenmarsh"], ["4 Mill Lane", "Kings Fenmarsh"], True),
    (["4 Church Close", "Fenmarsh"], ["4 Church Street", "Fenmarsh"], False),
    (["4 Mill", "Kings Fenmarsh"], ["4 Mill Lane", "Kings Fenmarsh"], True),
])
def test_a_different_street_type_is_a_different_street(a: list[str], b: list[str],
                                                       same: bool) -> None:
    assert same_address(address_key(a, "PE30 4AB"), address_key(b, "PE30 4AB")) is same
