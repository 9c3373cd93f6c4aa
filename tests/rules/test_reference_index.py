"""The references' index: hashes of every row's reference values, found in a text
through an automaton of their prefixes (policylint/rules/_reference_index.py).

Checked against a plain search of every value (``re.finditer``), which is what the
index must find: whole tokens, any case, rows listed once each, in the order a trie
of the whole values reports them, however the batch was split into chunks and
whichever prefix length the index settled on.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import tracemalloc
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.rules import _reference_index
from policylint.rules._reference_index import ReferenceHit, ReferenceIndex, value_hash


def _naive_search(values: dict[str, list[int]], text: str, max_rows: int
                  ) -> list[tuple[int, int, str, tuple[int, ...]]]:
    """What the index must find: every value as a whole token (no letter or digit either
    side), any case, digit-only values not inside a number written in groups; by end,
    then longest first. Offsets are the text's own: a character whose lower case is
    longer ("İ") is compared as it is."""
    lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    found = []
    for key, rows in values.items():
        if len(rows) > max_rows:
            continue
        for match in re.finditer(f"(?={re.escape(key)})", lowered):
            start = match.start()
            end = start + len(key)
            if start > 0 and lowered[start - 1].isalnum():
                continue
            if end < len(lowered) and lowered[end].isalnum():
                continue
            if key.isdigit() and (
                    (start >= 2 and lowered[start - 1] == " " and lowered[start - 2].isdigit())
                    or (end + 1 < len(lowered) and lowered[end] == " "
                        and lowered[end + 1].isdigit())):
                continue
            found.append((start, end, key, tuple(rows)))
    return sorted(found, key=lambda hit: (hit[1], hit[0]))


def _hits(hits: list[ReferenceHit]) -> list[tuple[int, int, str, tuple[int, ...]]]:
    return [(h.start, h.end, h.value, h.rows) for h in hits]


def test_one_row_several_rows_long_values_and_large_row_numbers() -> None:
    index = ReferenceIndex(min_length=4)
    long_value = "REF-" + "9" * 200
    index.add("CT-1001", 2)
    index.add("CT-1002", 3)
    index.add("ct-1002", 9)  # the same value on another row
    index.add(long_value, 4)
    index.add("AB-77", 20_000_000_000)  # a row number past 32 bits
    text = f"Ref CT-1001, ct-1002 and {long_value.lower()}; also ab-77."
    assert _hits(list(index.search(text))) == [
        (4, 11, "ct-1001", (2,)), (13, 20, "ct-1002", (3, 9)),
        (25, 25 + len(long_value), long_value.lower(), (4,)),
        (len(text) - 6, len(text) - 1, "ab-77", (20_000_000_000,))]
    assert len(index) == 4


def test_references_are_whole_tokens() -> None:
    index = ReferenceIndex(min_length=4)
    index.add("900123", 2)
    index.add("CT-1001", 3)
    assert list(index.search("07700 900123 and XCT-1001 and CT-10011 and 900123 45")) == []
    assert _hits(list(index.search("ref 900123."))) == [(4, 10, "900123", (2,))]
    assert _hits(list(index.search("CT-1001"))) == [(0, 7, "ct-1001", (3,))]


def test_hits_come_by_end_then_longest_first() -> None:
    """The order a trie of the whole values reports them in: a row's first hit in a
    text decides which column recipient-mismatch names, so it must not change."""
    index = ReferenceIndex(min_length=4)
    index.add("AB-12-CD", 1)
    index.add("12-CD", 2)
    index.add("XY-99", 3)
    # "12-cd" inside "ab-12-cd" touches a hyphen, not a letter: both end at 14.
    assert _hits(list(index.search("xy-99 AB-12-CD"))) == [
        (0, 5, "xy-99", (3,)), (6, 14, "ab-12-cd", (1,)), (9, 14, "12-cd", (2,))]
    assert _hits(list(index.search("ab 12-cd"))) == [(3, 8, "12-cd", (2,))]


def test_a_value_more_rows_carry_than_max_rows_is_not_searched_for() -> None:
    index = ReferenceIndex(min_length=4, max_rows=3)
    for row in (1, 2, 3):
        index.add("SHARED-1", row)
    for row in (4, 5, 6, 7):
        index.add("CONSTANT", row)
    assert _hits(list(index.search("shared-1 constant"))) == [(0, 8, "shared-1", (1, 2, 3))]
    assert index.rows_of("constant") is None
    assert index.rows_of("nothing") is None


def test_a_row_adding_a_value_twice_is_listed_once() -> None:
    index = ReferenceIndex(min_length=4)
    index.add("CT-1001", 2)
    index.add(" ct-1001 ", 2)
    index.add("CT-1001", 5)
    assert index.rows_of("ct-1001") == (2, 5)


def test_a_values_rows_stay_in_order_in_a_large_sort() -> None:
    """The sort by hash keeps each value's rows in the order added (it is stable),
    also for arrays large enough for Arrow to sort them another way."""
    index = ReferenceIndex(min_length=4, max_rows=10_000)
    for row in range(60_000):
        index.add(f"CT-{row % 12:04d}", row)  # 12 values, 5,000 rows each, interleaved
    for value in range(12):
        assert index.rows_of(f"ct-{value:04d}") == tuple(range(value, 60_000, 12))
    assert len(index) == 12


def test_a_row_split_between_two_parts_is_listed_once() -> None:
    first, second, merged = (ReferenceIndex(min_length=4) for _ in range(3))
    first.add("CT-1001", 1)
    second.add("CT-1001", 1)  # the same row's value again, in the next part
    second.add("CT-1001", 2)
    merged.absorb(first.part())
    merged.absorb(second.part())
    assert merged.rows_of("ct-1001") == (1, 2)
    assert len(merged) == 1


def test_short_and_punctuation_only_values_are_not_indexed() -> None:
    index = ReferenceIndex(min_length=4)
    index.add("CT1", 1)
    index.add("----", 2)
    index.add("   ", 3)
    assert len(index) == 0
    assert list(index.search("CT1 ---- ")) == []


_REFERENCES = st.sampled_from(["ct-1001", "CT-1002", "900123", "ab 12", "REF-" + "7" * 130,
                               "x1", "1001", "ct-10011", "900", "ab-12-ct-1001", "12-ct",
                               "cT-1", "ÄB-12", "ß-100"])


@settings(max_examples=250, deadline=None)
@given(st.lists(st.tuples(_REFERENCES, st.integers(min_value=1, max_value=40)), max_size=25),
       st.lists(st.sampled_from(["ct-1001", "CT-1002", " ", "900", "123", "900123", "ab 12",
                                 "REF-" + "7" * 130, "x", "1001", ",", "0", "ct-10011",
                                 "ab-12-", "ct", "äb-12", "SS-100", "ß-100", "İ"]),
                max_size=12).map("".join),
       st.integers(min_value=0, max_value=25),
       st.sampled_from([1, 2, 3, 4, 6]),
       st.sampled_from([1, 2, 1 << 13]))
def test_search_equals_a_plain_search(added: list[tuple[str, int]], text: str, cut: int,
                                      min_length: int, max_prefixes: int) -> None:
    """Added in two chunks (pickled, as a worker sends them) and merged, or all in one
    index, it finds what a plain search finds, in the same order; whichever prefix
    length it settles on (few prefixes allowed: the shortest)."""
    added = sorted(added, key=lambda pair: pair[1])
    expected: dict[str, list[int]] = {}
    for value, row in added:
        key = value.strip().lower()
        if len(key) >= min_length and any(c.isalnum() for c in key):
            rows = expected.setdefault(key, [])
            if not rows or rows[-1] != row:
                rows.append(row)
    with patch.object(_reference_index, "MAX_PREFIXES", max_prefixes):
        whole = ReferenceIndex(min_length, max_rows=3)
        merged = ReferenceIndex(min_length, max_rows=3)
        for chunk in (added[:cut], added[cut:]):
            part = ReferenceIndex(min_length, max_rows=3)
            for value, row in chunk:
                part.add(value, row)
                whole.add(value, row)
            merged.absorb(pickle.loads(pickle.dumps(part.part())))
        plain = _naive_search(expected, text, 3)
        assert _hits(list(merged.search(text))) == plain
        assert _hits(list(whole.search(text))) == plain
        assert len(whole) == len(merged) == len(expected)


def test_many_prefixes_fall_back_to_a_shorter_prefix_and_stay_exact() -> None:
    """Ten thousand references with as many 6-character prefixes: the automaton holds
    the 3-character ones instead, and every reference is still found, none invented."""
    index = ReferenceIndex(min_length=6)
    values = [f"{n:06d}X" for n in range(0, 10_000_000, 997)]  # 10,031 prefixes of 6
    for row, value in enumerate(values):
        index.add(value, row)
    index.build()
    assert index._prefix_length < 6
    for row in (0, 17, len(values) - 1):
        text = f"Your reference is {values[row]}; not {values[row][:-1]}Y"
        assert _hits(index.other_rows_in(text, -1)) == [
            (18, 18 + len(values[row]), values[row].lower(), (row,))]


def test_another_rows_references_not_the_rows_own() -> None:
    index = ReferenceIndex(min_length=4)
    index.add("CT-1001", 2)
    index.add("CT-1001-A", 3)  # row 2's reference is written inside it
    index.add("CT-1002", 3)
    index.add("CT-2000", 2)
    index.add("CT-2000", 4)  # a value both row 2 and row 4 carry
    text = "CT-1001 CT-1001-A CT-1002 CT-2000"
    # Row 2's own references, and the one another row shares with it, are not hits.
    assert _hits(index.other_rows_in(text, 2)) == [
        (8, 17, "ct-1001-a", (3,)), (18, 25, "ct-1002", (3,))]
    # Row 3's own "CT-1001-A" holds row 2's "CT-1001" inside it: not row 2's data there.
    assert _hits(index.other_rows_in("CT-1001-A", 3)) == []
    assert _hits(index.other_rows_in("CT-1001 and CT-1001-A", 3)) == [(0, 7, "ct-1001", (2,))]
    assert index.other_rows_in("nothing here", 2) == []
    assert _hits(index.other_rows_in(text, 9)) == _hits(list(index.search(text)))


def test_values_added_after_a_search_are_found() -> None:
    """The index is sorted again when values come after a search."""
    index = ReferenceIndex(min_length=4)
    index.add("CT-1001", 2)
    assert _hits(list(index.search("CT-1001 CT-1002"))) == [(0, 7, "ct-1001", (2,))]
    index.add("CT-1002", 3)
    index.add("CT-1001", 5)
    assert _hits(list(index.search("CT-1001 CT-1002"))) == [(0, 7, "ct-1001", (2, 5)),
                                                            (8, 15, "ct-1002", (3,))]


def test_the_hash_is_the_same_in_another_process() -> None:
    """A worker's part of the index is looked up in the parent: the hash must not
    depend on the process (Python's own ``hash`` of a str is salted per process)."""
    values = ["ct-1001", "ärger-1", "900123"]
    code = ("import sys; from policylint.rules._reference_index import value_hash; "
            "print([value_hash(v) for v in sys.argv[1:]])")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, *values], env=env, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == str([value_hash(v) for v in values])
    assert len({value_hash(v) for v in values}) == 3


def test_a_hundred_thousand_references_take_about_twelve_bytes_each() -> None:
    """The point of the design: 8 bytes of hash and 4 of row a value, in flat arrays
    (a trie of the values took some 60 bytes a value, in small blocks)."""
    tracemalloc.start()
    try:
        index = ReferenceIndex(min_length=6)
        for row in range(100_000):
            index.add(f"CT-{row * 7 + 1_000_000:08d}", row)
        index.build()
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(index) == 100_000
    assert held < 100_000 * 16  # the arrays, the automaton of prefixes, a few dicts
