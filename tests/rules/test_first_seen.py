"""FirstSeen (the first row of each key, kept compactly) answers as a plain dict would.

merge-integrity's duplicate-recipient and duplicate-reference read their first
rows from it, in one pass and from the chunks of a batch merged in order.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.rules._first_seen import FirstSeen


def _reference(pairs: list[tuple[str, int]]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for key, row in pairs:
        seen.setdefault(key, row)
    return seen


def test_a_repeated_key_answers_its_first_row_and_a_single_key_its_own() -> None:
    seen = FirstSeen()
    for key, row in [("a", 2), ("b", 3), ("a", 4), ("A", 5), ("a\x00x", 6), ("a", 7)]:
        seen.add(key, row)
    assert len(seen) == 6
    assert seen.first("a", 4) == 2  # must flag: row 4 repeats row 2
    assert seen.first("a", 7) == 2
    assert seen.first("a", 2) == 2  # the first itself: not a repeat
    assert seen.first("b", 3) == 3  # once only: not a repeat
    assert seen.first("A", 5) == 5  # case differs: another key
    assert seen.first("a\x00x", 6) == 6
    assert seen.first("never", 9) == 9
    assert len(seen) == 1  # settled: only "a" is kept


def test_the_first_lookup_ends_the_first_pass() -> None:
    """Settled, only the repeated keys are kept: a key added after that could not be
    told apart from one seen once before, so it is refused rather than misread."""
    seen = FirstSeen()
    seen.add("k", 2)
    seen.add("j", 3)
    seen.add("k", 4)
    assert seen.first("k", 4) == 2
    assert len(seen) == 1  # "k", the one repeated key; "j" was let go
    for late in (lambda: seen.add("j", 5), lambda: seen.absorb([]), seen.part):
        with pytest.raises(RuntimeError, match="settled"):
            late()


def test_many_keys_are_packed_and_still_exact() -> None:
    seen = FirstSeen()
    rows = 3 * 8192 + 17
    for row in range(rows):
        seen.add(f"P-{row % 5000}", row)
    assert seen.first("P-17", 5017) == 17
    assert seen.first("P-4999", 4999) == 4999
    assert seen.first(f"P-{rows % 5000}", rows) == rows % 5000


@settings(max_examples=200, deadline=None)
@given(pairs=st.lists(st.tuples(st.sampled_from(["a", "b", "c", "", "a\x00", "é"]),
                                st.just(0)), max_size=40),
       cuts=st.lists(st.integers(0, 40), max_size=4))
def test_chunks_merged_in_order_answer_as_one_pass(pairs: list[tuple[str, int]],
                                                   cuts: list[int]) -> None:
    numbered = [(key, row) for row, (key, _) in enumerate(pairs, start=2)]
    expected = _reference(numbered)
    bounds = [0, *sorted(c for c in cuts if c <= len(numbered)), len(numbered)]
    parts = []
    for start, stop in pairwise(bounds):
        chunk = FirstSeen()
        for key, row in numbered[start:stop]:
            chunk.add(key, row)
        parts.append(chunk.part())
    merged = FirstSeen()
    merged.absorb(parts)
    again = FirstSeen()
    again.absorb([merged.part()])  # what a spawned or Dask worker is sent
    merged.settle()
    for key, row in numbered:
        assert merged.first(key, row) == expected[key]
        assert again.first(key, row) == expected[key]


def test_a_large_batch_answers_as_a_dict_would() -> None:
    """Sixty thousand keys, some once, some many times, one on every row: the sort of
    digests finds each repeat's first row, in the order added."""
    pairs = [(f"P-{(row * 7) % 20_011}" if row % 3 else "letter|P-1", row)
             for row in range(60_000)]
    expected = _reference(pairs)
    seen = FirstSeen()
    for key, row in pairs:
        seen.add(key, row)
    assert all(seen.first(key, row) == expected[key] for key, row in pairs)
    assert seen.first("letter|P-1", 59_999) == 0
    assert len(seen) == sum(1 for n in Counter(k for k, _ in pairs).values() if n > 1)


def test_a_key_added_twice_on_one_row_is_not_a_repeat_of_itself() -> None:
    seen = FirstSeen()
    seen.add("CT-1", 4)
    seen.add("CT-1", 4)
    seen.add("CT-2", 5)
    assert seen.first("CT-1", 4) == 4
    assert seen.first("CT-2", 5) == 5
