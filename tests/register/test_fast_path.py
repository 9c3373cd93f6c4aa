"""The one-pass loaders mean exactly what the reference validation means.

Registers are loaded through :class:`RecordBuilder` (one pass per row, dates
parsed once) and, for rows it does not take, through ``clean_values`` +
``make_record``. These tests hold the fast path to the reference: for any row,
either both raise the same error or both give the same record (and
``build_sqlite`` stores the same text). The CSV register reads positional cells
instead of Row objects; that too must change nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import sqlite3
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from policylint.errors import RegisterError
from policylint.io.batch import CsvBatchReader
from policylint.io.register.base import ALL_COLUMNS, REQUIRED_COLUMNS, columns_of
from policylint.io.register.build import build_sqlite
from policylint.io.register.csvdir import open_csv_register
from policylint.io.register.memory import (
    ALLOWED_VALUES,
    DATE_COLUMNS,
    NON_EMPTY,
    TABLES,
    CellTable,
    MemoryRegister,
    Origin,
    RecordBuilder,
    build_record,
    clean_values,
    gc_paused,
    make_record,
)
from policylint.io.register.sqlite import _KINDS, SqliteRegister

Tables = dict[str, list[dict[str, str]]]

# Cells that sit on the edges of the rules: case and padding of enumerations
# (including Unicode spaces str.strip() removes), dates with times, Unicode
# digits, impossible days, flags with repeats, empty and blank cells.
TRICKY = [
    "", " ", "\u00a0", "\t", "active", " Active ", "ACTIVE\u2003", "deceased", "alive",
    "current", "Current", "previous ", "GONE_AWAY", "gone away", "invalid", "email",
    " Phone", "fax", "confidential_address", "Do_Not_Disclose_To", "do_not_disclose_to ",
    "İ", "ΑΣ", "2024-02-29", " 2024-02-29 ", "2023-02-29", "2024-2-9", "2024-01-01T10:00:00",
    "2024-01-01 09:30", "2024-01-01Z", "2024-01-01 x", "20240101", "01/02/2024",
    "\u0662\u0660\u0662\u0664-01-05", "0000-01-01", "9999-12-31", "no_voicemail; Post_Only;;",
    ";", " ; ", "LARGE_PRINT;large_print", "P-10001", " P-10002 ", "Flat 2", "PE39 1FA",
    "07700 900123", "ann@example.org",
]
cell = st.one_of(st.sampled_from(TRICKY), st.text(max_size=6))
# None: the column is absent from the row.
maybe_cell = st.one_of(st.none(), cell, cell, cell)
# One builder across examples, so its caches of dates and flags fill as a register's do.
SHARED = RecordBuilder()


def _plausible(table: str, column: str) -> st.SearchStrategy[str | None]:
    """Mostly valid cells for ``column``, written the ways exports write them."""
    allowed = ALLOWED_VALUES[table].get(column)
    if allowed:
        return st.sampled_from(allowed).flatmap(lambda v: st.sampled_from(
            [v, v.upper(), f" {v} ", v.title(), f"{v}\u00a0", f"\t{v}"]))
    if column in DATE_COLUMNS[table]:
        return st.sampled_from([None, "", "2024-02-29", " 1999-12-31 ", "2024-01-01T00:00:00",
                                "1961-07-04 13:45", "2000-01-01"])
    if column == "flags":
        return st.sampled_from([None, "", "no_voicemail", " Post_Only ; no_voicemail;",
                                "LARGE_PRINT;large_print"])
    if column in NON_EMPTY[table]:
        return st.sampled_from(["P-1", " P-2 ", "x", "07700 900123", "ann@example.org"])
    if column in REQUIRED_COLUMNS[table]:
        return st.text(max_size=5)
    return st.one_of(st.none(), st.text(max_size=5))


@st.composite
def _row(draw: st.DrawFn, table: str) -> list[str | None]:
    """A plausible row with up to two cells replaced by edge cases."""
    columns = ALL_COLUMNS[table]
    row = [draw(_plausible(table, column)) for column in columns]
    for index, value in draw(st.lists(st.tuples(st.integers(0, len(columns) - 1), maybe_cell),
                                      max_size=2)):
        row[index] = value
    return row


SETTINGS = settings(max_examples=250, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _outcome(run: Any) -> tuple[str, Any]:
    try:
        return "record", run()
    except RegisterError as err:
        return "error", str(err)
    except Exception as err:  # e.g. a non-text cell: both paths must fail alike
        return "crash", type(err).__name__


@SETTINGS
@given(table=st.sampled_from(TABLES), data=st.data())
def test_fast_record_is_the_reference_record(table: str, data: st.DataObject) -> None:
    cells = data.draw(_row(table))
    values = {column: value for column, value in zip(ALL_COLUMNS[table], cells, strict=True)
              if value is not None}
    values["ward"] = "Headingley"  # unknown columns are ignored
    origin = Origin("register/x.csv", table)
    reference = _outcome(lambda: make_record(table, clean_values(values, origin, 9)))
    fast = _outcome(lambda: build_record(table, values, origin, 9))
    assert fast == reference
    event(f"{table}: {reference[0]}")
    # The builder alone either declines or agrees with the reference.
    cells_in_order = tuple(values.get(c) for c in ALL_COLUMNS[table])
    for builder in (RecordBuilder(), SHARED):
        record = builder.build(table)(cells_in_order)
        if record is not None:
            assert reference == ("record", record)
            assert {f.name: type(getattr(record, f.name)) for f in fields(record)} == {
                f.name: type(getattr(reference[1], f.name)) for f in fields(reference[1])}


@SETTINGS
@given(table=st.sampled_from(TABLES), data=st.data())
def test_canonical_row_is_what_clean_values_stores(table: str, data: st.DataObject) -> None:
    columns = ALL_COLUMNS[table]
    cells = data.draw(_row(table))
    values = {c: v for c, v in zip(columns, cells, strict=True) if v is not None}
    origin = Origin("register/x.csv", table)
    in_order = tuple(values.get(c) for c in columns)
    results = {RecordBuilder().canonical(table, in_order), SHARED.canonical(table, in_order)}
    try:
        clean = clean_values(values, origin, 3)
    except RegisterError:
        assert results == {None}
        return
    assert results <= {None, tuple(clean[c] or None for c in columns)}


def test_fast_path_takes_ordinary_rows(clean_tables: Tables) -> None:
    """The realistic register goes (almost) entirely through the fast path."""
    builder = RecordBuilder()
    taken = 0
    total = 0
    for table, rows in clean_tables.items():
        build = builder.build(table)
        for row in rows:
            cells = tuple(row.get(c) for c in ALL_COLUMNS[table])
            total += 1
            taken += build(cells) is not None and builder.canonical(table, cells) is not None
    assert taken == total > 1000


def test_non_text_values_are_not_taken() -> None:
    builder = RecordBuilder()
    assert builder.person(("P-1", 0, "Ann", "Lee", None, "active", None)) is None
    assert builder.person(("P-1", "", "Ann", "Lee", b"2020-01-01", "active", None)) is None
    assert builder.contact(("P-1", "email", 7, "current", None)) is None
    assert builder.address(("P-1", None, None, None, None, None, None, "PE1 1AA", "current",
                            None, None, None)) is None  # line_1 is a required column
    assert builder.canonical("people", ("P-1", 0, "Ann", "Lee", None, "active", None)) is None
    with pytest.raises(AttributeError):
        build_record("people", {"person_id": "P-1", "given_name": 5, "family_name": "Lee",
                                "status": "active"},  # type: ignore[dict-item]
                     Origin("x", "people"), 2)


def test_csv_register_equals_register_from_mappings(clean_tables: Tables,
                                                    clean_dir: Path) -> None:
    from_files = open_csv_register(clean_dir)
    from_dicts = MemoryRegister(clean_tables)
    assert list(from_files.people()) == list(from_dicts.people())
    assert list(from_files.restrictions()) == list(from_dicts.restrictions())
    assert list(from_files.all_addresses()) == list(from_dicts.all_addresses())
    assert list(from_files.all_contacts()) == list(from_dicts.all_contacts())
    assert list(from_files.all_representatives()) == list(from_dicts.all_representatives())
    for kind, by_key in from_dicts._owners.items():
        assert from_files._owners[kind].keys() == set(by_key)
        for key, owners in by_key.items():
            assert from_files.contact_owners(kind, key) == owners


def test_cell_table_rows_mean_their_mapping() -> None:
    names = ["given_name", "person_id", "family_name", "status", "notes"]
    rows = [(2, 2, ["Ann", "A1", "Lee", "Active", "x"]),
            (3, 3, ["Bob", "B2", "Ray", "active", "", "", ""]),  # trailing empty cells
            (4, 4, ["Cy", "C3"])]  # short: family_name and status are missing
    with pytest.raises(RegisterError) as err:
        MemoryRegister({"people": CellTable(names, rows)}, files={"people": "p.csv"})
    assert str(err.value) == "p.csv, row 4, key 'family_name': required column is missing"
    reg = MemoryRegister({"people": CellTable(names, rows[:2])})
    person = reg.person("A1")
    assert person is not None and (person.given_name, person.status) == ("Ann", "active")
    assert reg.person("B2") is not None
    with pytest.raises(RegisterError) as err:
        MemoryRegister({"people": CellTable(["person_id", "status"], [])},
                       files={"people": "p.csv"})
    assert "'given_name'" in str(err.value)


def test_cell_rows_are_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "Person ID;Given Name;Family-Name;Status\n"
        'P-1;"Siân\nMair";Hughes;active\n'
        "\n"
        "P-2;Rhys;Evans;deceased;;\n",
        encoding="utf-8",
    )
    with CsvBatchReader(path, allow_no_rows=True) as reader:
        rows = list(reader.rows())
        cells = list(reader.cell_rows())
    assert [(r.number, r.line) for r in rows] == [(n, line) for n, line, _ in cells] == [
        (2, 2), (4, 5)]
    for row, (_, _, values) in zip(rows, cells, strict=True):
        assert dict(zip(reader.names, values, strict=False)) == row.values
    reader.close()
    with pytest.raises(ValueError, match="closed"):
        reader.cell_rows()


def test_sqlite_non_text_cells_keep_their_meaning(tmp_path: Path) -> None:
    path = tmp_path / "reg.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE people (person_id TEXT, title, given_name TEXT, "
               "family_name TEXT, status TEXT, date_of_birth TEXT)")
    db.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)", [
        ("P-1", 0, "Ann", "Lee", "active", None),  # an integer title is its text, "0"
        ("P-2", None, None, "Ray", "Active", "1970-01-02"),  # NULL given_name is ""
        ("P-3", 1.5, "Cy", "Fox", "deceased", ""),
    ])
    db.commit()
    db.close()
    with SqliteRegister(path) as reg:
        assert reg.person("P-1") is not None and reg.person("P-1").title == "0"  # type: ignore[union-attr]
        p2 = reg.person("P-2")
        assert p2 is not None
        assert (p2.title, p2.given_name, p2.status) == ("", "", "active")
        assert p2.date_of_birth == dt.date(1970, 1, 2)
        assert [p.title for p in reg.people()] == ["0", "", "1.5"]


def test_gc_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RegisterError), gc_paused():
        raise RegisterError("x")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
    with pytest.raises(RegisterError):
        MemoryRegister({"people": [{"person_id": "A1"}]})
    assert gc.isenabled()


def test_built_database_holds_canonical_text(tmp_path: Path, clean_tables: Tables,
                                             kit: Any) -> None:
    directory = kit.write_register(tmp_path / "reg", clean_tables)
    out = tmp_path / "reg.sqlite"
    build_sqlite(directory, out)
    db = sqlite3.connect(out)
    try:
        for table in TABLES:
            columns = ALL_COLUMNS[table]
            stored = db.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
            origin = Origin("x", table)
            expected = []
            for number, row in enumerate(clean_tables[table], start=2):
                clean = clean_values(row, origin, number)
                expected.append(tuple(clean[c] or None for c in columns))
            assert stored == expected, table
    finally:
        db.close()


# --- a database register's scans: cells of rows SQLite vouches for, else records -----------

SCANNED = {
    "people": [("person_id", "family_name"), ("person_id",), ("given_name", "title", "status")],
    "addresses": [("person_id", "lines", "postcode", "status"), ("person_id", "postcode"),
                  ("lines",)],
    "contacts": [("kind", "value"), ("person_id", "value", "status")],
}


@SETTINGS
@given(table=st.sampled_from(sorted(SCANNED)), data=st.data())
def test_a_database_scan_gives_what_the_records_hold(table: str, data: st.DataObject) -> None:
    rows = data.draw(st.lists(_row(table), min_size=1, max_size=6))
    number = data.draw(st.sampled_from([None, 7, 2.5]))  # a cell stored as a number
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "reg.db"
        db = sqlite3.connect(path)
        columns = ALL_COLUMNS[table]
        db.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
        if table != "people":
            db.execute("CREATE TABLE people (person_id, given_name, family_name, status)")
        if number is not None:
            rows = [*rows, [*rows[0][:-1], number]]  # type: ignore[list-item]
        db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})", rows)
        db.commit()
        db.close()
        for wanted in SCANNED[table]:
            with SqliteRegister(path) as fast, SqliteRegister(path) as reference:
                got = _outcome(lambda w=wanted: [v for _, v in fast._scan_columns(table, w)])
                expected = _outcome(lambda w=wanted: list(columns_of(
                    (r for _, r in reference._scan(table, _KINDS[table])), w)))
            assert got == expected
            event(f"{table}: {expected[0]}")


def test_a_built_register_is_scanned_from_its_cells(tmp_path: Path, clean_dir: Path,
                                                    clean_tables: Tables,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``register build`` writes rows SQLite vouches for: no row is read whole; a date
    SQLite itself would take (30 February) is not vouched for, and stops the scan."""
    path = tmp_path / "reg.db"
    build_sqlite(clean_dir, path)
    with SqliteRegister(path) as register:
        read_whole: list[int] = []
        original = register._load_at

        def load_at(table: str, rowid: int) -> object:
            read_whole.append(rowid)
            return original(table, rowid)

        monkeypatch.setattr(register, "_load_at", load_at)
        addresses = list(register.scan("addresses", ("person_id", "lines", "postcode", "status")))
        assert len(addresses) == len(clean_tables["addresses"]) and read_whole == []
    db = sqlite3.connect(path)
    db.execute("UPDATE addresses SET valid_from = '2023-02-30' WHERE rowid = 1")
    db.commit()
    db.close()
    with SqliteRegister(path) as register, pytest.raises(RegisterError, match="valid_from"):
        list(register.scan("addresses", ("person_id", "postcode")))
