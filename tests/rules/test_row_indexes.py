"""The per-batch indexes recipient-mismatch keeps of every row, kept small.

ByRow (row -> recipient), ReferenceIndex (reference -> rows) and NameIndex
(postcode -> rows and their names) hold a million rows in a few hundred megabytes less
than plain dicts of tuples did. Each is checked here against the plain structure
it replaces: same answers, including the cases the compact form sets aside
(several rows, long values, very large row numbers) and across chunk merges.
"""

from __future__ import annotations

import itertools
import pickle
import re
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.rules import _row_shift
from policylint.rules._by_row import ByRow
from policylint.rules._row_shift import NameIndex, ReferenceHit, ReferenceIndex, fold_text

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


# --- ReferenceIndex -------------------------------------------------------------------


def _naive_search(values: dict[str, list[int]], text: str, max_rows: int
                  ) -> list[tuple[int, int, str, tuple[int, ...]]]:
    """What the index must find: every value as a whole token (no letter or digit either
    side), any case, digit-only values not inside a number written in groups."""
    lowered = text.lower()
    found = []
    for key, rows in values.items():
        if len(rows) > max_rows:
            continue
        for match in re.finditer(re.escape(key), lowered):
            start, end = match.start(), match.end()
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
    return sorted(found)


def _hits(hits: list[ReferenceHit]) -> list[tuple[int, int, str, tuple[int, ...]]]:
    return sorted((h.start, h.end, h.value, h.rows) for h in hits)


def test_references_one_row_several_rows_and_long_values() -> None:
    index = ReferenceIndex(min_length=4)
    long_value = "REF-" + "9" * 200  # too long to pack: kept aside
    index.add("CT-1001", 2)
    index.add("CT-1002", 3)
    index.add("ct-1002", 9)  # the same value on another row
    index.add(long_value, 4)
    index.add("AB-77", 20_000_000)  # a row number past what packs
    text = f"Ref CT-1001, ct-1002 and {long_value.lower()}; also ab-77."
    assert _hits(list(index.search(text))) == [
        (4, 11, "ct-1001", (2,)), (13, 20, "ct-1002", (3, 9)),
        (25, 25 + len(long_value), long_value.lower(), (4,)),
        (len(text) - 6, len(text) - 1, "ab-77", (20_000_000,))]


def test_references_are_whole_tokens() -> None:
    index = ReferenceIndex(min_length=4)
    index.add("900123", 2)
    index.add("CT-1001", 3)
    assert list(index.search("07700 900123 and XCT-1001 and CT-10011")) == []
    assert _hits(list(index.search("ref 900123."))) == [(4, 10, "900123", (2,))]


_REFERENCES = st.sampled_from(["ct-1001", "CT-1002", "900123", "ab 12", "REF-" + "7" * 130,
                               "x1", "1001", "ct-10011"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_REFERENCES, st.integers(min_value=1, max_value=40)), max_size=25),
       st.lists(st.sampled_from(["ct-1001", "CT-1002", " ", "900", "123", "900123", "ab 12",
                                 "REF-" + "7" * 130, "x", "1001", ",", "0", "ct-10011"]),
                max_size=12).map("".join),
       st.integers(min_value=0, max_value=25),
       st.sampled_from([1, 2, 3, 1 << 14]))
def test_reference_search_equals_a_plain_search(
        added: list[tuple[str, int]], text: str, cut: int, flush_every: int) -> None:
    """Added in two chunks and merged, the index finds what a plain search finds, each
    value's rows listed once each, in order; however often values move from the
    pending dict into the trie (``_FLUSH_EVERY``), and whether a value's rows go
    past ``max_rows`` before or after it is kept aside."""
    added = sorted(added, key=lambda pair: pair[1])
    chunks = (added[:cut], added[cut:])
    expected: dict[str, list[int]] = {}
    for value, row in added:
        key = value.strip().lower()
        if len(key) >= 4:
            rows = expected.setdefault(key, [])
            if not rows or rows[-1] != row:
                rows.append(row)
    with patch.object(_row_shift, "_FLUSH_EVERY", flush_every):
        whole = ReferenceIndex(4, max_rows=3)
        merged = ReferenceIndex(4, max_rows=3)
        for chunk in chunks:
            part = ReferenceIndex(4, max_rows=3)
            for value, row in chunk:
                part.add(value, row)
                whole.add(value, row)
            merged.absorb(pickle.loads(pickle.dumps(part.values())))
        plain = _naive_search(expected, text, 3)
        assert _hits(list(merged.search(text))) == plain
        assert _hits(list(whole.search(text))) == plain
        assert len(whole) == len(merged) == len(expected)


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
    """The trie is made searchable again when values come after a search."""
    index = ReferenceIndex(min_length=4)
    index.add("CT-1001", 2)
    assert _hits(list(index.search("CT-1001 CT-1002"))) == [(0, 7, "ct-1001", (2,))]
    index.add("CT-1002", 3)
    index.add("CT-1001", 5)
    assert _hits(list(index.search("CT-1001 CT-1002"))) == [(0, 7, "ct-1001", (2, 5)),
                                                            (8, 15, "ct-1002", (3,))]


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
