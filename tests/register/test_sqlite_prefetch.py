"""The SQLite register reads a chunk's people ahead, one query per table (engine/prefetch.py),
and a forked worker reconnects it rather than open a second one.

``prefetch`` only warms the caches the look-ups answer from: every answer must be
the one a register that was never told gives, person for person, whatever the
person_id column's type affinity and collation, and a row that does not validate
(or a person_id held twice) must still raise at its look-up, as it did before.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.errors import RegisterError
from policylint.io.register import sqlite as sqlite_module
from policylint.io.register.base import Prefetching
from policylint.io.register.sqlite import SqliteRegister
from tests.register.conftest import Tables

LOOKUPS = ("person", "addresses", "contacts", "restrictions_for", "representatives")


def _statements(register: SqliteRegister) -> list[str]:
    """Every SQL statement ``register`` runs from now on."""
    seen: list[str] = []
    register._db.set_trace_callback(seen.append)
    return seen


def _answers(register: SqliteRegister, person_id: str) -> list[object]:
    out: list[object] = []
    for lookup in LOOKUPS:
        try:
            out.append(getattr(register, lookup)(person_id))
        except RegisterError as exc:
            out.append(("raises", str(exc)))
    return out


def _assert_same_answers(path: Path, ids: Sequence[str], asked: Sequence[str] | None = None
                         ) -> list[str]:
    """Prefetch ``ids`` into one register; every look-up of ``asked`` (default: ``ids``)
    must equal a fresh register's. Returns the statements the look-ups ran."""
    with SqliteRegister(path) as told, SqliteRegister(path) as plain:
        told.prefetch(ids)
        statements = _statements(told)
        for person_id in asked if asked is not None else ids:
            assert _answers(told, person_id) == _answers(plain, person_id), person_id
        return statements


def test_the_sqlite_register_can_be_told_a_chunk(clean_sqlite: Path) -> None:
    with SqliteRegister(clean_sqlite) as register:
        assert isinstance(register, Prefetching)


def test_prefetched_answers_equal_single_lookups(clean_sqlite: Path,
                                                 clean_tables: Tables) -> None:
    ids = [*(p["person_id"] for p in clean_tables["people"][:120]), "P-77777", "p-00001"]
    with SqliteRegister(clean_sqlite) as told:
        statements = _statements(told)
        told.prefetch(ids)
        # One query a table: 122 ids fit in one (400 at most).
        reads = [s for s in statements if "policylint_wanted" in s]
        assert len(reads) == 5
    after = _assert_same_answers(clean_sqlite, ids)
    assert after == []  # every answer came from what was read ahead


def test_more_ids_than_one_query_takes(clean_sqlite: Path, clean_tables: Tables) -> None:
    ids = [p["person_id"] for p in clean_tables["people"]][:300] * 3  # repeats are asked once
    ids += [f"Q-{n}" for n in range(600)]  # unknown people: answered as unknown
    with SqliteRegister(clean_sqlite) as told:
        statements = _statements(told)
        told.prefetch(ids)
        assert len([s for s in statements if "policylint_wanted" in s]) == 5 * 3
    _assert_same_answers(clean_sqlite, ids, asked=ids[:50] + ids[-50:])


def _database(path: Path, person_id_type: str, rows: Sequence[tuple[object, ...]],
              index: str | None = "CREATE INDEX people_id ON people (person_id)",
              addresses: Sequence[tuple[object, ...]] = ()) -> Path:
    db = sqlite3.connect(path)
    db.execute(f"CREATE TABLE people (person_id {person_id_type}, title TEXT, "
               "given_name TEXT, family_name TEXT, status TEXT, date_of_birth TEXT)")
    db.execute(f"CREATE TABLE addresses (person_id {person_id_type}, line_1 TEXT, "
               "postcode TEXT, status TEXT)")
    if index is not None:
        db.execute(index)
        db.execute(index.replace("people_id", "addresses_id").replace("people (", "addresses ("))
    db.executemany("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO addresses VALUES (?, ?, ?, ?)", addresses)
    db.commit()
    db.close()
    return path


PEOPLE = [("P-1", "Ms", "Ann", "Lee", "active", None),
          ("p-2", "Mr", "Ray", "Fox", "active", None)]
HOMES = [("P-1", "1 Mill Lane", "PE30 4AB", "current"),
         ("p-2", "2 Mill Lane", "PE30 4AB", "current"),
         ("P-2", "3 Mill Lane", "PE30 4AB", "previous")]
ASKED = ["P-1", "p-1", "P-2", "p-2", "P-3"]


@pytest.mark.parametrize("person_id_type", ["TEXT", "TEXT COLLATE NOCASE",
                                            "TEXT COLLATE RTRIM"])
def test_matches_as_the_column_compares(tmp_path: Path, person_id_type: str) -> None:
    """A case-insensitive column answers "p-1" with P-1's rows: read ahead, too."""
    path = _database(tmp_path / "reg.sqlite", person_id_type, PEOPLE, addresses=HOMES)
    statements = _assert_same_answers(path, [*ASKED, "P-1 "])
    assert not [s for s in statements if "FROM" in s and "people" in s]


def test_numbers_stored_as_numbers_match_as_they_do_one_by_one(tmp_path: Path) -> None:
    rows = [(123, "Ms", "Ann", "Lee", "active", None), ("0456", "Mr", "Ray", "Fox", "active",
                                                         None)]
    path = _database(tmp_path / "reg.sqlite", "INTEGER", rows,
                     addresses=[(123, "1 Mill Lane", "PE30 4AB", "current")])
    _assert_same_answers(path, ["123", "0123", "123.0", "0456", "456"])


@pytest.mark.parametrize("index", [
    None,  # nothing to look ids up by: one query a person is no slower
    "CREATE INDEX people_id ON people (person_id COLLATE NOCASE)",  # cannot serve "="
    "CREATE INDEX people_id ON people (person_id) WHERE status = 'active'",  # partial
])
def test_without_a_usable_index_the_lookups_ask_themselves(tmp_path: Path,
                                                           index: str | None) -> None:
    path = _database(tmp_path / "reg.sqlite", "TEXT", PEOPLE, index=index, addresses=HOMES)
    statements = _assert_same_answers(path, ASKED)
    assert [s for s in statements if "FROM" in s and '"people"' in s]  # asked one by one


def test_a_bad_row_is_left_to_its_lookup(tmp_path: Path) -> None:
    rows = [*PEOPLE, ("P-9", "Mr", "Cy", "Fox", "zombie", None),  # not a status
            ("P-7", "Ms", "Di", "Ng", "active", None), ("P-7", "Ms", "Di", "Ng", "active", None)]
    addresses = [*HOMES, ("P-8", "8 Mill Lane", "PE30 4AB", "someday")]  # not a status
    path = _database(tmp_path / "reg.sqlite", "TEXT", rows, addresses=addresses)
    with SqliteRegister(path) as told:
        told.prefetch(["P-1", "P-7", "P-8", "P-9"])  # reads ahead; raises nothing
        for person_id, message in (("P-9", "status"), ("P-7", "appears twice")):
            with pytest.raises(RegisterError, match=message):
                told.person(person_id)
        with pytest.raises(RegisterError, match="status"):
            told.addresses("P-8")
    _assert_same_answers(path, ["P-1", "P-7", "P-8", "P-9"])


def test_people_read_ahead_serve_the_people_sequence(clean_sqlite: Path,
                                                     clean_tables: Tables) -> None:
    """recipient-mismatch reads the recipient by rowid (``people_sequence``)."""
    ids = [p["person_id"] for p in clean_tables["people"][:20]]
    with SqliteRegister(clean_sqlite) as told, SqliteRegister(clean_sqlite) as plain:
        everyone = told.people_sequence()
        told.prefetch(ids)
        statements = _statements(told)
        assert [everyone[n] for n in range(20)] == [plain.people_sequence()[n]
                                                    for n in range(20)]
        assert statements == []


@pytest.mark.parametrize("damage", ["garbage", "truncate"])
def test_with_nothing_to_read_the_file_must_still_read(tmp_path: Path, damage: str) -> None:
    """The engine's call after a batch's last row: the rows since the last read-ahead were
    answered from it, so a file damaged meanwhile must stop the run there."""
    path = _database(tmp_path / "reg.sqlite", "TEXT", PEOPLE, addresses=HOMES)
    with SqliteRegister(path) as told:
        told.prefetch(["P-1"])
        told.prefetch(["P-1"])  # already read: nothing to read, and the file reads
        with open(path, "r+b") as f:
            if damage == "garbage":
                f.write(b"\xde\xad\xbe\xef" * 4096)
            else:
                f.truncate(0)
        assert told.person("P-1") is not None  # answered from what was read ahead
        with pytest.raises(RegisterError, match="cannot read the register database"):
            told.prefetch([])


def _in_a_forked_child(path: Path, register: SqliteRegister, person_id: str,
                       out: Any) -> None:
    inherited = register._db
    register.reconnect()
    fresh = SqliteRegister(path)
    out.send((register._db is not inherited,
              inherited in sqlite_module._ABANDONED,
              register._people_rowids is not None,
              register.person(person_id) == fresh.person(person_id),
              register.addresses(person_id) == fresh.addresses(person_id)))


def test_a_forked_worker_reconnects_and_keeps_what_the_parent_built(
        clean_sqlite: Path, clean_tables: Tables) -> None:
    """--jobs: SQLite's connections must not cross a fork. The worker connects afresh;
    the indexes the parent built (and the rules hold) stay; the parent's connection is
    neither used nor closed by the worker."""
    person_id = clean_tables["people"][5]["person_id"]
    with SqliteRegister(clean_sqlite) as register:
        register.people_sequence()  # a whole-register index, built in the parent
        parent_end, child_end = multiprocessing.get_context("fork").Pipe()
        child = multiprocessing.get_context("fork").Process(
            target=_in_a_forked_child, args=(clean_sqlite, register, person_id, child_end))
        child.start()
        answers = parent_end.recv()
        child.join(timeout=60)
        assert child.exitcode == 0
        assert answers == (True, True, True, True, True)
        # The parent's connection still reads after the worker has gone.
        assert register.person(clean_tables["people"][6]["person_id"]) is not None


_ID_PIECES = st.sampled_from(["P-1", "p-1", "P-1 ", " P-1", "P-2", "7", "07", "7.0", "x"])
_STORED = st.one_of(_ID_PIECES, st.sampled_from([7, 7.0, 12]))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(["TEXT", "TEXT COLLATE NOCASE", "TEXT COLLATE RTRIM",
                               "INTEGER", "NUMERIC", ""]),
       stored=st.lists(_STORED, min_size=1, max_size=6),
       homes=st.lists(_STORED, max_size=6),
       asked=st.lists(_ID_PIECES, min_size=1, max_size=6))
def test_read_ahead_answers_as_the_lookups_do(tmp_path_factory: pytest.TempPathFactory,
                                               column: str, stored: list[object],
                                               homes: list[object], asked: list[str]) -> None:
    """Whatever the ids stored (text, numbers, case and space variants, repeats) and the
    person_id column's affinity and collation, every look-up after a read-ahead answers
    as a register that was never told, raising where it raises."""
    path = tmp_path_factory.mktemp("prefetch") / "reg.sqlite"
    people = [(person_id, "Ms", "Ann", "Lee", "active", None) for person_id in stored]
    addresses = [(person_id, f"{n} Mill Lane", "PE30 4AB", "current")
                 for n, person_id in enumerate(homes, start=1)]
    _database(path, column, people, addresses=addresses)
    _assert_same_answers(path, asked)
