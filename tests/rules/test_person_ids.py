"""PersonIds (person_id key -> first person number, for the whole register) answers
as the dict it replaces would: exactly, whatever the hashes do; PersonIdsOnDisk (the
same kept in a temporary SQLite file, for database registers) answers alike."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.io.register import hashed
from policylint.rules._register_people import PersonIds, PersonIdsOnDisk

KINDS = [PersonIds, PersonIdsOnDisk]


def _index(keys: list[str], kind: type[PersonIds | PersonIdsOnDisk] = PersonIds
           ) -> PersonIds | PersonIdsOnDisk:
    index = kind()
    for key in keys:
        index.add(key)
    index.seal()
    return index


@pytest.mark.parametrize("kind", KINDS)
def test_the_first_person_with_a_key_is_found(kind: type[PersonIds | PersonIdsOnDisk]) -> None:
    index = _index(["p-1", "p-2", "p-1", "1001", "p-3"], kind)
    assert [index.get(k) for k in ("p-1", "p-2", "1001", "p-3")] == [0, 1, 3, 4]
    assert index.get("p-4") is None and index.get("") is None
    assert index.get("P-2") is None  # keys are compared as given
    assert len(index) == 5


@pytest.mark.parametrize("kind", KINDS)
def test_an_empty_register(kind: type[PersonIds | PersonIdsOnDisk]) -> None:
    index = _index([], kind)
    assert index.get("p-1") is None and len(index) == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["p-1", "p-2", "p-10", "10", "a", "é", "p-1 "]), max_size=60),
       st.booleans())
def test_look_ups_equal_a_dict(keys: list[str], collide: bool) -> None:
    """With real hashes, and with every key of a length hashing alike (collisions
    everywhere): each key finds its first person, and a key never added nothing;
    the index on disk answers the same."""
    expected: dict[str, int] = {}
    for number, key in enumerate(keys):
        expected.setdefault(key, number)
    wanted = ["p-1", "p-2", "p-10", "10", "a", "é", "p-1 ", "p-3", "zz"]
    with patch.object(hashed, "_hash", len if collide else hash):
        index = _index(keys)
        assert [index.get(key) for key in wanted] == [expected.get(key) for key in wanted]
    on_disk = _index(keys, PersonIdsOnDisk)
    assert [on_disk.get(key) for key in wanted] == [expected.get(key) for key in wanted]


@pytest.mark.parametrize("kind", KINDS)
def test_fifty_thousand_people_look_up_exactly(kind: type[PersonIds | PersonIdsOnDisk]) -> None:
    keys = [f"p-{n}" for n in range(50_000)] + ["p-7"]
    index = _index(keys, kind)
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
