"""Dwelling identifiers written as words: what each reads as, and what is left as wording."""

from __future__ import annotations

import pytest

from policylint.normalise.address import STREET_WORDS
from policylint.normalise.dwelling import NOTHING, dwelling_parts


def parts(text: str, identifiers: tuple[int, ...] = ()) -> tuple[tuple[str, ...], list[str]]:
    """(labels, the words left) of one segment already folded and expanded."""
    tokens = text.split()
    found = dwelling_parts(tokens, identifiers, STREET_WORDS)
    doors = dict(found.doors)
    left = [t for i, t in enumerate(tokens) if i not in found.consumed and i not in doors]
    return found.labels, left


@pytest.mark.parametrize(("text", "labels", "left"), [
    ("ground floor flat", ("floor:0",), []),
    ("gff", ("floor:0",), []),
    ("gf flat", ("floor:0",), []),
    ("first floor", ("floor:1",), []),
    ("fff", ("floor:1",), []),
    ("11th floor", ("floor:11",), []),
    ("floor 3", ("floor:3",), []),
    ("level 12", ("floor:12",), []),
    ("the basement flat", ("floor:basement",), []),
    ("basement", ("floor:basement",), []),
    ("lower ground floor flat", ("floor:lower ground",), []),
    ("upper maisonette", ("floor:upper",), []),
    ("top flat", ("floor:top",), []),
    ("garden flat", ("floor:garden",), []),
    ("tff", ("floor:tff",), []),
    ("the annexe", ("annexe",), []),
    ("granny annexe", ("annexe",), []),
    ("rear of", ("rear",), []),
    ("back of", ("rear",), []),
    ("r o", ("rear",), []),
    ("flat above", ("above",), []),
    ("the flat", ("flat",), []),
    ("3f2", ("floor:3",), []),
    ("pf1", ("floor:principal",), []),
])
def test_dwelling_words(text: str, labels: tuple[str, ...], left: list[str]) -> None:
    assert parts(text) == (labels, left)


@pytest.mark.parametrize("text", [
    "high street", "garden street", "upper street", "lower road", "back lane", "rear lane",
    "annexe road", "flat lane", "first avenue", "ground", "sports ground", "top", "back",
])
def test_street_and_place_words_are_not_dwellings(text: str) -> None:
    assert dwelling_parts(text.split(), (), STREET_WORDS) is NOTHING


def test_a_flat_word_before_its_number_stays_for_the_number() -> None:
    # "Ground Floor Flat 1": the floor is a label, "flat 1" stays a numbered flat.
    assert parts("ground floor flat 1", identifiers=(3,)) == (("floor:0",), ["flat", "1"])
    assert parts("flat 2", identifiers=(1,)) == ((), ["flat", "2"])


def test_edinburgh_position_gives_its_door() -> None:
    found = dwelling_parts(["flat", "3f2"], (1,), STREET_WORDS)
    assert found.doors == ((1, "2"),)
    assert found.labels == ("floor:3",)
