"""PersonIds (person_id key -> first person number, for the whole register) answers
as the dict it replaces would: exactly, whatever the hashes do."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.io.register import hashed
from policylint.rules._register_people import PersonIds


def _index(keys: list[str]) -> PersonIds:
    index = PersonIds()
    for key in keys:
        index.add(key)
    index.seal()
    return index


def test_the_first_person_with_a_key_is_found() -> None:
    index = _index(["p-1", "p-2", "p-1", "1001", "p-3"])
    assert [index.get(k) for k in ("p-1", "p-2", "1001", "p-3")] == [0, 1, 3, 4]
    assert index.get("p-4") is None and index.get("") is None
    assert index.get("P-2") is None  # keys are compared as given
    assert len(index) == 5


def test_an_empty_register() -> None:
    index = _index([])
    assert index.get("p-1") is None and len(index) == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["p-1", "p-2", "p-10", "10", "a", "é", "p-1 "]), max_size=60),
       st.booleans())
def test_look_ups_equal_a_dict(keys: list[str], collide: bool) -> None:
    """With real hashes, and with every key of a length hashing alike (collisions
    everywhere): each key finds its first person, and a key never added nothing."""
    expected: dict[str, int] = {}
    for number, key in enumerate(keys):
        expected.setdefault(key, number)
    with patch.object(hashed, "_hash", len if collide else hash):
        index = _index(keys)
        for key in ["p-1", "p-2", "p-10", "10", "a", "é", "p-1 ", "p-3", "zz"]:
            assert index.get(key) == expected.get(key)


def test_fifty_thousand_people_look_up_exactly() -> None:
    keys = [f"p-{n}" for n in range(50_000)] + ["p-7"]
    index = _index(keys)
    assert index.get("p-7") == 7 and index.get("p-49999") == 49_999
    assert index.get("p-50000") is None


def _reference_repeat(keys: list[str]) -> tuple[int, int] | None:
    firsts: dict[str, int] = {}
    for row, key in enumerate(keys):
        if not key:
            continue
        earlier = firsts.setdefault(key, row)
        if earlier != row:
            return earlier, row
    return None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["p-1", "p-2", "p-10", "10", "a", "é", ""]), max_size=40),
       st.booleans())
def test_the_first_repeated_key_is_found(keys: list[str], collide: bool) -> None:
    """HashedRows.first_repeat: the first row whose key an earlier row has, with that
    earlier row, as a walk in row order finds it; an empty key repeats nothing."""
    with patch.object(hashed, "_hash", len if collide else hash):
        rows = hashed.HashedRows(lambda row: keys[row] or None)
        rows.extend(keys)
        rows.seal()
        assert rows.first_repeat() == _reference_repeat(keys)
