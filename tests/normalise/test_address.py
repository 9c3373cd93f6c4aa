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


# --- every dwelling identifier compares exactly ---------------------------------------

# (a, b): the same dwelling written two ways. Must not be flagged.
SAME_DWELLING = [
    # Edinburgh tenement positions: 3F2 is third floor, flat 2.
    (["3F2, 14 Marchmont Rd"], ["Flat 3F2", "14 Marchmont Road"]),
    (["3F2, 14 Marchmont Rd"], ["3f2 14 Marchmont Road"]),
    (["3F2, 14 Marchmont Rd"], ["Flat 2, Third Floor", "14 Marchmont Road"]),
    (["3F2, 14 Marchmont Rd"], ["Third Floor Flat 2, 14 Marchmont Road"]),
    (["GF1, 14 Marchmont Rd"], ["Ground Floor Flat 1, 14 Marchmont Road"]),
    # Glasgow floor/door pairs.
    (["Flat 2/1", "88 Dumbarton Rd"], ["2/1, 88 Dumbarton Road"]),
    (["Flat 2 / 1, 88 Dumbarton Rd"], ["Flat 2/1", "88 Dumbarton Road"]),
    (["0/1, 88 Dumbarton Rd"], ["Flat 0/1", "88 Dumbarton Road"]),
    (["Flat 2/L, 88 Dumbarton Rd"], ["2/L 88 Dumbarton Road"]),
    (["Flat 2 / L, 88 Dumbarton Rd"], ["Flat 2/l", "88 Dumbarton Road"]),
    (["1FL, 14 Marchmont Rd"], ["Flat 1FL", "14 Marchmont Road"]),
    # Floors.
    (["GFF, 40 Holt Road"], ["Ground Floor Flat", "40 Holt Road"]),
    (["Gnd Flr Flat, 40 Holt Road"], ["GFF, 40 Holt Road"]),
    (["First Floor Left, 12 Byres Rd"], ["1st Floor Left", "12 Byres Road"]),
    (["Rear Flat, 12 Byres Rd"], ["Back Flat, 12 Byres Road"]),
    (["Rear Flat, 12 Byres Rd"], ["Rear of 12 Byres Road"]),
    (["12 Left Lane"], ["12 Left Ln"]),
    (["2 Front Street"], ["2 Front St"]),
    (["GFF 40 Holt Rd"], ["Ground Floor Flat, 40 Holt Road"]),
    (["Grd Flr Flat, 40 Holt Road"], ["Ground Floor Flat, 40 Holt Road"]),
    (["First Floor Flat, 40 Holt Road"], ["1st Floor Flat, 40 Holt Road"]),
    (["FFF, 40 Holt Road"], ["1st Floor Flat", "40 Holt Rd"]),
    (["First Floor, 40 Holt Road"], ["1st Flr Flat, 40 Holt Road"]),
    (["SFF, 40 Holt Road"], ["Second Floor Flat, 40 Holt Road"]),
    (["Top Floor Flat, 40 Holt Road"], ["Top Flat, 40 Holt Road"]),
    (["Basement Flat, 40 Holt Road"], ["Basement, 40 Holt Road"]),
    (["Lower Ground Floor Flat, 40 Holt Road"], ["LGF, 40 Holt Road"]),
    (["Floor 3, 22 Queen St"], ["3rd Floor, 22 Queen Street"]),
    (["Level 3, 22 Queen St"], ["Third Floor, 22 Queen Street"]),
    (["Ground Floor Flat, Rose Court", "Church Lane"], ["GFF, Rose Ct, Church Ln"]),
    # Annexes, rear units and flats above.
    (["The Annexe, 40 Holt Road"], ["Annexe", "40 Holt Rd"]),
    (["The Annex, 40 Holt Road"], ["Granny Annexe, 40 Holt Road"]),
    (["Rear of 40 Holt Road"], ["R/O 40 Holt Rd"]),
    (["Rear of 40 Holt Road"], ["Rear, 40 Holt Road"]),
    (["Flat Above, 12 High St"], ["Flat Over 12 High Street"]),
    (["The Flat, 40 Holt Road"], ["Flat, 40 Holt Road"]),
    # House numbers written differently.
    (["40 A Holt Road"], ["40A Holt Road"]),
    (["12½ Cliff Road"], ["12 1/2 Cliff Road"]),
    (["12 ½ Cliff Road"], ["12 1/2 Cliff Rd"]),
    (["12½ Cliff Road"], ["12 ½ Cliff Road"]),
    # Street and town wording stays fuzzy.
    (["10 High St", "Kings Lynn"], ["10 High Street", "King's Lynn"]),
    (["Annexe Road 4"], ["4 Annexe Road"]),   # a street called Annexe Road
    (["4 Rear Lane"], ["4 Rear Ln"]),
    (["9 Garden Street"], ["9 Garden St"]),
    (["6 Upper Street"], ["6 Upper St"]),
]
# (a, b): two dwellings of one building, or a dwelling and the whole building. Must be flagged.
OTHER_DWELLING = [
    (["3F2, 14 Marchmont Rd"], ["2F3, 14 Marchmont Rd"]),
    (["3F2, 14 Marchmont Rd"], ["3F1, 14 Marchmont Rd"]),
    (["3F2, 14 Marchmont Rd"], ["2F2, 14 Marchmont Rd"]),
    (["3F2, 14 Marchmont Rd"], ["3/2, 14 Marchmont Rd"]),   # 3/2 may be number 3, flat 2
    (["3F2, 14 Marchmont Rd"], ["14 Marchmont Rd"]),
    (["Flat 2/1, 88 Dumbarton Rd"], ["Flat 1/2, 88 Dumbarton Rd"]),
    (["2/1, 88 Dumbarton Rd"], ["88 Dumbarton Rd"]),
    (["10/12 Market Place"], ["10-12 Market Place"]),       # number/flat is not a range
    (["Flat 2/L, 88 Dumbarton Rd"], ["Flat 2/R, 88 Dumbarton Rd"]),
    (["Flat 2/L, 88 Dumbarton Rd"], ["Flat 2, 88 Dumbarton Rd"]),
    (["1FL, 14 Marchmont Rd"], ["1FR, 14 Marchmont Rd"]),
    (["First Floor Left, 12 Byres Rd"], ["First Floor Right, 12 Byres Rd"]),
    (["First Floor Left, 12 Byres Rd"], ["First Floor, 12 Byres Rd"]),
    (["Front Flat, 12 Byres Rd"], ["Back Flat, 12 Byres Rd"]),
    (["Ground Floor Flat, 40 Holt Road"], ["First Floor Flat, 40 Holt Road"]),
    (["GFF, 40 Holt Road"], ["FFF, 40 Holt Road"]),
    (["Basement Flat, 40 Holt Road"], ["Ground Floor Flat, 40 Holt Road"]),
    (["Basement Flat, 40 Holt Road"], ["Lower Ground Floor Flat, 40 Holt Road"]),
    (["Top Floor Flat, 40 Holt Road"], ["Second Floor Flat, 40 Holt Road"]),
    (["TFF, 40 Holt Road"], ["Third Floor Flat, 40 Holt Road"]),   # TFF: top or third?
    (["Ground Floor Flat, 40 Holt Road"], ["40 Holt Road"]),
    (["Top Floor Flat, 40 Holt Road"], ["40 Holt Road"]),
    (["Flat 2, First Floor, 10 High St"], ["Flat 2, 10 High St"]),
    (["Upper Flat, 40 Holt Road"], ["Lower Flat, 40 Holt Road"]),
    (["Ground Floor Flat, Rose Court", "Church Lane"], ["First Floor Flat, Rose Court",
                                                         "Church Lane"]),
    (["The Annexe, 40 Holt Road"], ["40 Holt Road"]),
    (["The Annexe, Rose Cottage", "Church Lane"], ["Rose Cottage", "Church Lane"]),
    (["Rear of 40 Holt Road"], ["40 Holt Road"]),
    (["Rear of 40 Holt Road"], ["The Annexe, 40 Holt Road"]),
    (["Flat Above, 12 High St"], ["12 High St"]),
    (["The Flat, 40 Holt Road"], ["40 Holt Road"]),
    (["40A Holt Road"], ["40 Holt Road"]),
    (["40 A Holt Road"], ["40 Holt Road"]),
    (["12½ Cliff Road"], ["12 Cliff Road"]),
    (["12½ Cliff Road"], ["12¼ Cliff Road"]),
    (["12½ Cliff Road"], ["1/2, 12 Cliff Road"]),   # Glasgow flat 1/2 at number 12
    (["10 High St"], ["Flat 2, 10 High Street"]),
]


@pytest.mark.parametrize(("a_lines", "b_lines"), SAME_DWELLING)
def test_same_dwelling_written_differently(a_lines: list[str], b_lines: list[str]) -> None:
    a, b = address_key(a_lines, "NR27 9JW"), address_key(b_lines, "nr27 9jw")
    assert same_address(a, b)
    assert same_address(b, a)


@pytest.mark.parametrize(("a_lines", "b_lines"), OTHER_DWELLING)
def test_another_dwelling_of_the_building(a_lines: list[str], b_lines: list[str]) -> None:
    a, b = address_key(a_lines, "NR27 9JW"), address_key(b_lines, "NR27 9JW")
    assert not same_address(a, b)
    assert not same_address(b, a)


@pytest.mark.parametrize(("lines", "numbers", "units", "dwelling", "words"), [
    (["3F2", "14 Marchmont Rd"], ("2", "14"), ("2",), ("floor:3",), "flat marchmont road"),
    (["Flat 2/1, 88 Dumbarton Rd"], ("2/1", "88"), ("2/1",), (), "flat dumbarton road"),
    (["GFF", "40 Holt Rd"], ("40",), (), ("floor:0",), "holt road"),
    (["The Annexe", "40 Holt Rd"], ("40",), (), ("annexe",), "holt road"),
    (["Rear of 40 Holt Rd"], ("40",), (), ("rear",), "holt road"),
    (["12½ Cliff Rd"], ("12½",), (), (), "cliff road"),
    (["Floor 3, 22 Queen St"], ("22",), (), ("floor:3",), "queen street"),
    (["Ground Floor Flat 1", "40 Holt Rd"], ("1", "40"), ("1",), ("floor:0",),
     "flat holt road"),
])
def test_dwelling_parts_of_the_key(lines: list[str], numbers: tuple[str, ...],
                                   units: tuple[str, ...], dwelling: tuple[str, ...],
                                   words: str) -> None:
    k = key(*lines)
    assert (k.numbers, k.units, k.dwelling, k.words) == (numbers, units, dwelling, words)


def test_premise_is_the_building_not_the_floor() -> None:
    assert key("Ground Floor Flat", "Rose Court", "Church Lane").premise == "rose court"
    assert key("GFF, Rose Court", "Church Lane").premise == "rose court"
    assert key("Rose Cottage", "Church Lane").premise == "rose cottage"


@pytest.mark.parametrize(("text", "normal"), [
    ("12½ Cliff Rd", "12½ cliff road"),
    ("12 ½ Cliff Rd", "12½ cliff road"),
    ("12 1/2 Cliff Rd", "12½ cliff road"),
    ("Flat 2 / 1, 88 Dumbarton Rd", "flat 2/1 88 dumbarton road"),
    ("10 – 12 Market Place", "10-12 market place"),
    ("1st Flr Flat", "first floor flat"),
])
def test_normalised_text_writes_identifiers_one_way(text: str, normal: str) -> None:
    assert normalise_address_text(text) == normal


def test_fingerprints_of_tenement_and_fraction_addresses_are_found() -> None:
    for lines, text in [
        (["Flat 2/1", "88 Dumbarton Rd", "Glasgow"], "She lives at 2/1, 88 Dumbarton Road."),
        (["12½ Cliff Road", "Cromer"], "Her home is 12 1/2 Cliff Rd, Cromer"),
    ]:
        haystack = f" {normalise_address_text(text)} "
        assert any(f" {fp} " in haystack for fp in address_fingerprints(lines, ""))


@pytest.mark.parametrize(("a_lines", "b_lines"), SAME_DWELLING)
def test_the_protected_address_gate_still_passes_what_the_fingerprints_find(
        a_lines: list[str], b_lines: list[str]) -> None:
    """Texts that hold a fingerprint hold its anchor (the new abbreviations included)."""
    from policylint.rules._protected_index import anchor_of, gate_fold

    for register, written in ((a_lines, b_lines), (b_lines, a_lines)):
        text = ", ".join(written)
        haystack = f" {normalise_address_text(text)} "
        for fingerprint in address_fingerprints(register, "NR27 9JW"):
            anchor = anchor_of(fingerprint)
            if f" {fingerprint} " in haystack and anchor is not None:
                assert anchor in gate_fold(text), (fingerprint, anchor, text)


@given(st.text(alphabet=st.sampled_from(
    [*"aZ9 .,'\n\x1f", *"£€•–—‘’“”…\u00a0", *"ée\u0301ßİ½ﬁØ"]),
    max_size=40))
def test_the_gate_folding_drops_only_what_nfkd_would(text: str) -> None:
    """gate_fold drops "£", dashes and curly quotes before deciding whether NFKD is
    needed: the folding is the one NFKD, case folding and ASCII alone give."""
    import unicodedata

    from policylint.rules._protected_index import _NOT_ALNUM_BYTES, gate_fold

    reference = (unicodedata.normalize("NFKD", text).casefold().encode("ascii", "ignore")
                 .lower().translate(None, _NOT_ALNUM_BYTES).decode("ascii"))
    assert gate_fold(text) == reference
