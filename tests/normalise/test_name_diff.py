"""describe_name_difference: what differs, in words that hold no part of either name."""

from __future__ import annotations

import pytest

from policylint.normalise.name_diff import (
    describe_name_difference,
    difference_clause,
    titles_compatible,
)

CASES = [
    # (batch name, register given, family, title, expected)
    ("Mrs Sian Bennett", "Sian", "Okafor", "Mrs", "the surname differs"),
    ("Mrs Sian Okeke", "Sian", "Okafor", "Mrs", "the surname differs (initial matches)"),
    ("Dr Peter Smith", "John Andrew", "Smith", "Dr", "the first name differs"),
    ("Jim Smith", "John", "Smith", "", "the first name differs (initial matches)"),
    ("Mrs Okafor", "Sian", "Okafor", "Mrs", "the first name is missing"),
    ("Sian", "Sian", "Okafor", "", "the surname is missing"),
    ("Mr Sian Okafor", "Sian", "Okafor", "Mrs", "the title differs"),
    ("K Okafor", "Sian", "Okafor", "", "the first initial differs"),
    ("", "Sian", "Okafor", "", "the name is missing"),
    ("Carl Carter", "Chris", "Cole", "",
     "the surname differs (initial matches); the first name differs (initial matches)"),
]


@pytest.mark.parametrize(("batch", "given", "family", "title", "expected"), CASES)
def test_what_differs(batch: str, given: str, family: str, title: str, expected: str) -> None:
    assert describe_name_difference(batch, given, family, title) == expected


@pytest.mark.parametrize(("batch", "given", "family"), [
    ("Mrs Siân OKAFOR", "Sian", "Okafor"),
    ("S. Okafor", "Sian", "Okafor"),
    ("OKAFOR, Sian", "Sian", "Okafor"),
    ("JA Smith", "John Andrew", "Smith"),
    ("Zoe O'Brien Hughes", "Zoë", "O'Brien-Hughes"),
])
def test_nothing_differs_for_spellings_of_the_same_name(batch: str, given: str,
                                                         family: str) -> None:
    assert describe_name_difference(batch, given, family) == ""
    assert difference_clause(batch, given, family) == ""


@pytest.mark.parametrize(("batch", "given", "family", "title"), [(*c[:4],) for c in CASES])
def test_the_words_hold_no_part_of_either_name(batch: str, given: str, family: str,
                                               title: str) -> None:
    described = describe_name_difference(batch, given, family, title).lower()
    for part in (batch + " " + given + " " + family).lower().replace(",", " ").split():
        if len(part) > 2 and part not in {"mrs", "mr", "dr"}:
            assert part not in described.split(), part


def test_titles_compatible() -> None:
    assert titles_compatible("mrs", "ms")
    assert titles_compatible("dr", "mr")
    assert titles_compatible("mr", "")
    assert not titles_compatible("mr", "mrs")
    assert not titles_compatible("miss", "mr")
