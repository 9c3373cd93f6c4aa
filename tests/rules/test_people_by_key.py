"""PeopleByKey (the destinations index: postcode -> the people living there) answers as
the dict of lists it replaces: every id in the order added, an id repeated straight
after itself once, whatever is packed when, and ids that hold the separator too; so
does PeopleByKeyOnDisk, the same kept in a temporary file for a database register."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import example, given, settings
from hypothesis import strategies as st

from policylint.rules import _destinations
from policylint.rules._destinations import PeopleByKey, PeopleByKeyOnDisk

_IDS = st.sampled_from(["P-1", "P-2", "P-10", "P-1\x00P-2", "\x00", "é", "P"])


def _reference(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for key, person_id in pairs:
        bucket = index.setdefault(key, [])
        if not bucket or bucket[-1] != person_id:
            bucket.append(person_id)
    return index


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["PE11AA", "PE11AB", "LS12CD"]), _IDS),
                max_size=40),
       st.sampled_from([1, 2, 3, 16_384]))
# Two ids packed read like one id that holds the separator: not the same id.
@example([("PE11AA", "P-1"), ("PE11AA", "P-2"), ("PE11AA", "P-1\x00P-2")], 1)
@example([("PE11AA", "P-1\x00P-2"), ("PE11AA", "P-1\x00P-2"), ("PE11AA", "P-2")], 1)
def test_ids_by_key_equal_a_dict_of_lists(pairs: list[tuple[str, str]], every: int) -> None:
    expected = _reference(pairs)
    with patch.object(_destinations, "_PACK_EVERY", every):
        index = PeopleByKey()
        for number, (key, person_id) in enumerate(pairs):
            index.add(key, person_id)
            if number % 5 == 4:  # asked part way: what is added later still counts
                assert index.get(key) == _reference(pairs[:number + 1])[key]
        for key in ("PE11AA", "PE11AB", "LS12CD", "XX"):
            assert index.get(key) == expected.get(key, [])
        assert len(index) == len(expected)
    # kept in a temporary file (a database register), looked up once sealed: the same
    on_disk = PeopleByKeyOnDisk()
    for key, person_id in pairs:
        on_disk.add(key, person_id)
    on_disk.seal()
    for key in ("PE11AA", "PE11AB", "LS12CD", "XX"):
        assert on_disk.get(key) == expected.get(key, [])


def test_a_postcode_with_many_homes_is_packed_in_steps() -> None:
    """Fifty thousand people at one postcode (a sorting office's, a bad export),
    packed in steps as other keys come and go: every id kept, in order."""
    index = PeopleByKey()
    ids = [f"P-{n}" for n in range(50_000)]
    for number, person_id in enumerate(ids):
        index.add("NE991AA", person_id)
        index.add(f"K{number}", person_id)  # other keys, so that packing happens
    assert index.get("NE991AA") == ids
    assert index.get("K49999") == ["P-49999"] and len(index) == 50_001
