"""Names: titles, accents, case and initials tolerated; family names must be close."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.normalise.names import (
    SUFFIXES,
    TITLES,
    initials,
    name_tokens,
    names_match,
    normalise_name,
)


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("Mrs Jane Smith", "jane smith"),
        ("Dr  JOHN   Smith Jr.", "john smith"),
        ("Mr. J. Smith", "j smith"),
        ("Zoë O'Brien", "zoe obrien"),
        ("Siobhán Ní Bhriain", "siobhan ni bhriain"),
        ("Prof Sir Anthony Hopkins OBE", "anthony hopkins"),
        ("Rev. Dr Mary-Anne Jones-Williams", "mary anne jones williams"),
        ("Smith, John", "john smith"),
        ("John Smith, OBE", "john smith"),
        ("Henry Tudor VIII", "henry tudor viii"),  # not a suffix we strip
        ("Charles Windsor III", "charles windsor"),
        ("Mx Sam Taylor", "sam taylor"),
        ("Miss", ""),
        ("Mr Lord", "lord"),  # a surname that is also a title
        ("John Major", "john major"),
        ("", ""),
    ],
)
def test_normalise_name(text: str, normal: str) -> None:
    assert normalise_name(text) == normal
    assert name_tokens(text) == tuple(normal.split())


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Mr John Smith", "J. S."), ("jane smith", "J. S."), ("Dr Zoë Ólafsdóttir", "Z. O."),
     ("Mrs", ""), ("Aisha Khan-Patel", "A. K. P.")],
)
def test_initials(text: str, expected: str) -> None:
    assert initials(text) == expected


MATCH = [
    ("Mrs Jane Smith", "Jane", "Smith"),
    ("JANE SMITH", "Jane", "Smith"),
    ("J Smith", "Jane", "Smith"),
    ("J. Smith", "Jane", "Smith"),
    ("Mrs Smith", "Jane", "Smith"),
    ("Jane Elizabeth Smith", "Jane", "Smith"),
    ("Jane E. Smith", "Jane Elizabeth", "Smith"),
    ("Elizabeth Smith", "Jane Elizabeth", "Smith"),  # goes by her middle name
    ("Zoe OBrien", "Zoë", "O'Brien"),
    ("Siobhan Ni Bhriain", "Siobhán", "Ní Bhriain"),
    ("Mary Smith-Jones", "Mary", "Smith Jones"),
    ("Mary Smithjones", "Mary", "Smith-Jones"),
    ("SMITH, Jane", "Jane", "Smith"),
    ("SMITH Jane", "Jane", "Smith"),
    ("Mohammed Al-Hassan", "Mohammed", "Al Hassan"),
    ("Katharine Macdonald", "Katharine", "MacDonald"),
]
NO_MATCH = [
    ("John Smith", "Jane", "Smith"),       # different given name
    ("J Smith", "Peter", "Smith"),         # initial contradicts
    ("Jane Smithers", "Jane", "Smith"),    # different family
    ("Jane Smyth", "Jane", "Smith"),       # close, but a different family name
    ("Jane Brown", "Jane", "Smith"),
    ("Mrs", "Jane", "Smith"),
    ("", "Jane", "Smith"),
    ("Jane Smith", "Jane", ""),
]


@pytest.mark.parametrize(("batch", "given_name", "family"), MATCH)
def test_names_that_match(batch: str, given_name: str, family: str) -> None:
    assert names_match(batch, given_name, family)


@pytest.mark.parametrize(("batch", "given_name", "family"), NO_MATCH)
def test_names_that_do_not_match(batch: str, given_name: str, family: str) -> None:
    assert not names_match(batch, given_name, family)


def test_threshold_loosens_family_comparison() -> None:
    assert not names_match("Jane Smyth", "Jane", "Smith")
    assert names_match("Jane Smyth", "Jane", "Smith", threshold=75)


_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12).filter(
    lambda n: n not in TITLES and n not in SUFFIXES)
_TITLE = st.sampled_from(["", "Mr ", "Mrs ", "Ms ", "Dr ", "Miss ", "Mx "])


@given(given_name=_NAME, family=_NAME, title=_TITLE, upper=st.booleans())
def test_a_person_matches_their_own_name_however_written(
    given_name: str, family: str, title: str, upper: bool
) -> None:
    written = f"{title}{given_name.title()} {family.title()}"
    if upper:
        written = written.upper()
    assert names_match(written, given_name, family)
    assert names_match(f"{title}{given_name[0].upper()} {family}", given_name, family)
