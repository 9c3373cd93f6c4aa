"""UK postcodes: exact recognition and canonical form, Notify's accepted shapes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.normalise.postcode import (
    _IN_TEXT_RE,
    _postcode_matches,
    find_postcodes,
    is_uk_postcode,
    normalise_postcode,
    postcode_district,
    postcode_key,
    squashed_text,
)

VALID = [
    ("SW1A 1AA", "SW1A 1AA"),       # Buckingham Palace: AANA NAA
    ("sw1a1aa", "SW1A 1AA"),
    ("  SW1A   1AA ", "SW1A 1AA"),
    ("\u200bLS1 4AP\ufeff", "LS1 4AP"),  # zero-width space pasted from Word
    ("M1 1AE", "M1 1AE"),           # AN NAA
    ("B33 8TH", "B33 8TH"),         # ANN NAA
    ("CR2 6XH", "CR2 6XH"),         # AAN NAA
    ("DN55 1PT", "DN55 1PT"),       # AANN NAA
    ("W1A 0AX", "W1A 0AX"),         # ANA NAA
    ("cf10 1ep", "CF10 1EP"),
    ("GIR 0AA", "GIR 0AA"),         # Girobank
    ("gir0aa", "GIR 0AA"),
    ("BFPO 1234", "BFPO 1234"),     # British Forces Post Office, as Notify accepts
    ("bfpo 2", "BFPO 2"),
    ("BFPO C/O 105", "BFPO C/O 105"),
]
INVALID = [
    "",
    "   ",
    "SW1A",            # outward code only
    "SW1A 1A",         # inward code too short
    "SW1A 1AAA",
    "LS1 4CP",         # C is never used in the inward unit
    "LS1 4AI",         # nor I
    "1SW 1AA",
    "Leeds",
    "NFA",
    "BFPO 12345",      # BFPO numbers are at most 4 digits
    "LS1-4AP",
    "LS1 4AP UK",
]


@pytest.mark.parametrize(("text", "canonical"), VALID)
def test_valid_postcodes_are_canonicalised(text: str, canonical: str) -> None:
    assert normalise_postcode(text) == canonical
    assert is_uk_postcode(text)


@pytest.mark.parametrize("text", INVALID)
def test_invalid_postcodes_are_rejected(text: str) -> None:
    assert normalise_postcode(text) is None
    assert not is_uk_postcode(text)


@pytest.mark.parametrize(
    ("text", "district"),
    [("SW1A 1AA", "SW1A"), ("sw1a1aa", "SW1A"), ("M1 1AE", "M1"), ("DN55 1PT", "DN55"),
     ("BFPO 1234", "BFPO"), ("GIR 0AA", "GIR"), ("not a postcode", "")],
)
def test_postcode_district(text: str, district: str) -> None:
    assert postcode_district(text) == district


@pytest.mark.parametrize(
    ("a", "b"),
    [("SW1A 1AA", "sw1a1aa"), ("LS1 4AP", " ls1  4ap "), ("BFPO 12", "bfpo12")],
)
def test_postcode_key_ignores_case_and_spacing(a: str, b: str) -> None:
    assert postcode_key(a) == postcode_key(b)
    assert " " not in postcode_key(a)
    assert postcode_key(a) == postcode_key(a).upper()


def test_postcode_key_keeps_different_postcodes_apart() -> None:
    assert postcode_key("LS1 4AP") != postcode_key("LS1 4AQ")
    assert postcode_key("LS14AP") == "LS14AP"


def test_find_postcodes_in_free_text() -> None:
    text = "Moved from 10 High St, Leeds ls1 4ap to Flat 2, York YO1 7HH last May."
    assert find_postcodes(text) == ["LS1 4AP", "YO1 7HH"]
    assert find_postcodes("Reference AB123456C, amount 12.50") == []


_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@given(
    area=st.text(alphabet="ABCDEFGHIJKLMNOPRSTUWYZ", min_size=1, max_size=2),
    district=st.integers(min_value=0, max_value=99),
    sector=st.integers(min_value=0, max_value=9),
    unit=st.text(alphabet=_LETTERS, min_size=2, max_size=2),
    spaces=st.text(alphabet=" ", max_size=3),
    lower=st.booleans(),
)
def test_any_spelling_normalises_to_single_space_upper(
    area: str, district: int, sector: int, unit: str, spaces: str, lower: bool
) -> None:
    canonical = f"{area}{district} {sector}{unit}"
    written = f"{area}{district}{spaces}{sector}{unit}"
    if lower:
        written = written.lower()
    assert normalise_postcode(written) == canonical
    assert postcode_key(written) == canonical.replace(" ", "")
    assert normalise_postcode(canonical) == canonical  # idempotent


# --- finding postcodes in text: the hint-anchored search equals a plain finditer ------

_PIECES = st.sampled_from([
    "SW1A", "1AA", "PE39", "1FA", "pe39", "1fa", "M1", "1AE", "GIR", "0AA", "BFPO", "bfpo",
    "c/o", "C/O", "1234", "A", "B", "9", "AB1", "2CD", "2DD", " ", "  ", "\n", "\t", "\u00a0",
    "\u2003", "\x1f", ",", ".", "-", "£", "é", "Flat", "Road", "x", "12", "3",
])


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_postcode_search_finds_what_the_full_pattern_finds(text: str) -> None:
    expected = [(m.start(1), m.end(1)) for m in _IN_TEXT_RE.finditer(text)]
    assert [(m.start(1), m.end(1)) for m in _postcode_matches(text)] == expected


@pytest.mark.parametrize(("text", "found"), [
    ("Mr S Brown\n1 High Street\nPE39 1FA\n", ["PE39 1FA"]),
    ("SW1A     1AA and pe39 1fa", ["SW1A 1AA", "PE39 1FA"]),   # long runs of spaces
    ("SW1A\u00a01AA", ["SW1A 1AA"]),                              # a no-break space
    ("GIR 0AA, BFPO 1234", ["GIR 0AA", "BFPO 1234"]),            # BFPO takes the full scan
    ("AB1 2DD 3EE", ["AB1 2DD"]),                                  # no overlapping second
    ("XPE39 1FA", []),                                             # not on a word boundary
    ("PE39 1FAX", []),
    ("Room 101AB", []),
])
def test_postcodes_in_text(text: str, found: list[str]) -> None:
    assert find_postcodes(text) == found


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES | st.sampled_from(["\u200b", "\ufeff", "ß", "bfp", "Ø"]),
                max_size=14).map("".join))
def test_squashed_text_holds_every_postcode_found(text: str) -> None:
    """A search of the squashed text for squashed postcodes misses none that
    find_postcodes finds (it is a gate in front of it), or declines (BFPO)."""
    squashed = squashed_text(text)
    if squashed is None:
        assert "BFP" in text.upper()
        return
    for postcode in find_postcodes(text):
        assert postcode.replace(" ", "") in squashed, (postcode, text)


def test_squashed_text() -> None:
    assert squashed_text("Leeds\npe39\u00a0 1fa,\u200b") == "LEEDSPE391FA,"
    assert squashed_text("BFPO 1234") is None
    assert squashed_text("bfp c/o 12") is None
