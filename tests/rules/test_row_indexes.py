"""The per-batch indexes recipient-mismatch keeps of every row, kept small.

ByRow (row -> recipient) and NameIndex (postcode -> rows and their names) hold a
million rows in a few hundred megabytes less than plain dicts of tuples did (the
references' index has its own tests: test_reference_index.py). Each is checked
here against the plain structure it replaces: same answers, including the cases
the compact form sets aside (several rows, long values, very large row numbers)
and across chunk merges.
"""

from __future__ import annotations

import itertools
import pickle
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.rules import _by_row
from policylint.rules._by_row import ByRow
from policylint.rules._row_shift import NameIndex, fold_text

# --- ByRow ---------------------------------------------------------------------------


def test_rows_read_back_and_gaps_read_none() -> None:
    store = ByRow()
    store.add(2, "P-1")
    store.add(3, "")      # a row without a recipient
    store.add(6, "Siân")  # rows 4 and 5 never added (unreadable)
    assert [store.get(row) for row in range(0, 8)] == [None, None, "P-1", None, None, None,
                                                       "Siân", None]
    assert store.get(4, "") == "" and store.get(2, "") == "P-1"


def test_rows_must_come_in_order() -> None:
    store = ByRow()
    store.add(5, "a")
    with pytest.raises(ValueError, match="row 4 added after row 5"):
        store.add(4, "b")


def test_a_store_survives_pickling_with_any_text() -> None:
    store = ByRow()
    for row, text in enumerate(["P-1", "Zoë", "\udcff", "x" * 1000], start=10):
        store.add(row, text)
    copy = pickle.loads(pickle.dumps(store))
    assert [copy.get(r) for r in range(10, 14)] == ["P-1", "Zoë", "\udcff", "x" * 1000]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=3), st.text(max_size=6)),
                max_size=40),
       st.lists(st.integers(min_value=0, max_value=40), max_size=4))
def test_chunks_absorbed_in_order_equal_one_store(steps: list[tuple[int, str]],
                                                  cuts: list[int]) -> None:
    """Rows added with gaps, cut into chunks anywhere, absorbed in order: the same
    answers as a dict of the non-empty texts."""
    expected: dict[int, str] = {}
    rows: list[tuple[int, str]] = []
    row = 1
    for gap, text in steps:
        row += gap
        rows.append((row, text))
        if text:
            expected[row] = text
    bounds = sorted({0, len(rows), *(c for c in cuts if c <= len(rows))})
    parts = []
    for start, stop in itertools.pairwise(bounds):
        part = ByRow()
        for number, text in rows[start:stop]:
            part.add(number, text)
        parts.append(pickle.loads(pickle.dumps(part)))
    whole = ByRow()
    whole.absorb(parts)
    assert {r: t for r in range(0, row + 3) if (t := whole.get(r)) is not None} == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(max_size=5), max_size=6), max_size=5), st.booleans())
def test_blocks_extended_equal_rows_added_one_by_one(blocks: list[list[str]],
                                                     start_with_add: bool) -> None:
    """``extend`` (ASCII blocks summed in C, others encoded text by text) reads back
    as ``add`` of each text in turn; empty texts read as None either way."""
    one_by_one, by_block = ByRow(), ByRow()
    row = 0
    if start_with_add:
        one_by_one.add(0, "P-0")
        by_block.add(0, "P-0")
        row = 1
    for block in blocks:
        by_block.extend(block)
        for text in block:
            one_by_one.add(row, text)
            row += 1
    assert [by_block.get(r) for r in range(row + 1)] == [
        one_by_one.get(r) for r in range(row + 1)]


def test_offsets_widen_to_64_bits_past_4_gib() -> None:
    """End offsets are 32-bit until the text passes 4 GiB (here: 10 bytes), then
    64-bit, whichever way rows came in; the answers do not change, nor after pickling."""
    texts = [f"P-{n}" for n in range(8)]
    with patch.object(_by_row, "_MAX_32", 10):
        added, extended, absorbed = ByRow(), ByRow(), ByRow()
        for row, text in enumerate(texts):
            added.add(row, text)
        extended.extend(texts[:2])
        extended.extend(texts[2:])
        first, second = ByRow(), ByRow()
        first.extend(texts[:2])  # 6 bytes: still 32-bit
        for row, text in enumerate(texts[2:], start=2):
            second.add(row, text)
        absorbed.absorb([first, second])
        for store in (added, extended, absorbed, pickle.loads(pickle.dumps(absorbed))):
            assert store._ends.typecode == "Q"
            assert [store.get(r) for r in range(9)] == [*texts, None]
        assert first._ends.typecode == "I"


# --- NameIndex ------------------------------------------------------------------------


def _found(index: NameIndex, text: str, postcodes: list[str]) -> set[tuple[int, str, str]]:
    return set(index.found(fold_text(text), postcodes))


def test_names_with_postcodes() -> None:
    index = NameIndex(max_rows=2)
    index.add("sian okafor", "PE30 4AB", 2)
    index.add("jan nowak", "PE30 1AB", 3)
    index.add("okafor", "PE30 4AB", 4)   # one word: not indexed
    index.add("sian okafor", "PE30 4AB", 7)
    index.add("sian okafor", "PE38 9QT", 9)
    for row in range(10, 13):             # three rows at one postcode: names nobody
        index.add("ann lee", "PE1 1AA", row)
    text = "Dear Sian Okafor, re: Jan Nowak and Ann Lee"
    assert _found(index, text, ["PE30 4AB"]) == {(2, "sian okafor", "PE30 4AB"),
                                                 (7, "sian okafor", "PE30 4AB")}
    assert _found(index, text, ["PE38 9QT", "PE30 1AB"]) == {
        (9, "sian okafor", "PE38 9QT"), (3, "jan nowak", "PE30 1AB")}
    assert _found(index, text, ["PE1 1AA", "PE99 9ZZ"]) == set()
    assert _found(index, "Sian Okaforth", ["PE30 4AB"]) == set()  # whole words only
    assert _found(index, "Okafor, Sian", ["PE30 4AB"]) == set()   # the words in order


def test_names_on_rows_past_32_bits() -> None:
    """A postcode's rows are a 32-bit array until a row number needs 64 bits."""
    index = NameIndex()
    big = 1 << 32  # the first row past 32 bits (rows are numbered densely from the first)
    index.add("sian okafor", "PE30 4AB", big - 2)
    index.add("jan nowak", "PE30 4AB", big - 1)
    index.add("ann lee", "PE30 4AB", big)
    index.add("tom hale", "PE1 1AA", big + 1)
    index.add("bea moss", "PE1 1AA", big + 2)
    text = "Sian Okafor, Jan Nowak, Ann Lee, Tom Hale and Bea Moss"
    assert _found(index, text, ["PE30 4AB", "PE1 1AA"]) == {
        (big - 2, "sian okafor", "PE30 4AB"), (big - 1, "jan nowak", "PE30 4AB"),
        (big, "ann lee", "PE30 4AB"), (big + 1, "tom hale", "PE1 1AA"),
        (big + 2, "bea moss", "PE1 1AA")}


def test_names_absorbed_from_chunks_equal_one_index() -> None:
    whole, first, second = NameIndex(), NameIndex(), NameIndex()
    entries = [("sian okafor", "PE30 4AB", 2), ("jan nowak", "PE30 1AB", 3),
               ("sian okafor", "PE30 4AB", 8), ("priya raman", "PE38 9QT", 9)]
    for name, postcode, row in entries:
        whole.add(name, postcode, row)
        (first if row < 5 else second).add(name, postcode, row)
    merged = NameIndex()
    merged.absorb([pickle.loads(pickle.dumps(first.part())), second.part()])
    text = "Sian Okafor, Priya Raman"
    postcodes = ["PE30 4AB", "PE38 9QT", "PE30 1AB"]
    assert _found(merged, text, postcodes) == _found(whole, text, postcodes) == {
        (2, "sian okafor", "PE30 4AB"), (8, "sian okafor", "PE30 4AB"),
        (9, "priya raman", "PE38 9QT")}


_NAMES = ["ann lee", "ann leech", "lee ann", "jo ann lee", "sian okafor", "jan nowak"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_NAMES), st.sampled_from(["A", "B"])),
                max_size=90),
       st.lists(st.sampled_from(_NAMES), max_size=4),
       st.lists(st.integers(min_value=0, max_value=90), max_size=3))
def test_names_found_are_those_of_a_plain_search(rows: list[tuple[str, str]],
                                                 written: list[str], cuts: list[int]) -> None:
    """Names overlapping each other ("ann lee", "jo ann lee", "lee ann"), postcodes
    with few and with many rows (searched one by one or with an automaton), pairs
    past ``max_rows``, chunks cut anywhere: the rows found are those a plain search
    of every row finds."""
    text = fold_text(" and ".join(written))
    whole = NameIndex(max_rows=3)
    for row, (name, postcode) in enumerate(rows):
        whole.add(name, postcode, row)
    merged = NameIndex(max_rows=3)
    bounds = [0, *sorted(cuts), len(rows)]
    parts = []
    for low, high in itertools.pairwise(bounds):
        part = NameIndex(max_rows=3)
        for row in range(low, min(high, len(rows))):
            part.add(*rows[row], row)
        parts.append(pickle.loads(pickle.dumps(part.part())))
    merged.absorb(parts)
    carried = {pair: sum(1 for r in rows if r == pair) for pair in set(rows)}
    expected = {(row, name, postcode) for row, (name, postcode) in enumerate(rows)
                if f" {name} " in text and carried[(name, postcode)] <= 3}
    assert set(whole.found(text, ["A", "B"])) == expected
    assert set(merged.found(text, ["A", "B"])) == expected


def test_a_postcode_with_many_rows_is_searched_all_at_once() -> None:
    """A block of flats: 200 rows at one postcode. Its names go into an automaton
    (kept for the next item) and answer as a row-by-row search would."""
    index = NameIndex(max_rows=2)
    for row in range(200):
        index.add(f"resident number{row}", "PE1 1AA", row)
    index.add("ann lee", "PE1 1AA", 200)
    index.add("ann lee", "PE1 1AA", 201)
    index.add("ann lee", "PE1 1AA", 202)  # three rows: past max_rows
    text = fold_text("Resident Number7, resident number70 and Ann Lee")
    for _ in range(2):
        assert set(index.found(text, ["PE1 1AA"])) == {
            (7, "resident number7", "PE1 1AA"), (70, "resident number70", "PE1 1AA")}
    assert "PE1 1AA" in index._automata
