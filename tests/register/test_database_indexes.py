"""Database registers' whole-register answers without a copy of the register in memory.

Indexes over every person (recipient-mismatch's names, the destinations and
protected-address indexes) read a database register by scanning columns and keep
rowids (SQLite) or packed ids (SQLAlchemy); contact owners are found by sorted
hashes of their keys. Each answer must be the one the records give, including
when every hash collides, and a person_id written twice must still stop the run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest

from policylint.errors import RegisterError
from policylint.io.register import hashed, scratch
from policylint.io.register.base import (
    ALL_COLUMNS,
    Address,
    ColumnScans,
    Contact,
    Person,
    Register,
)
from policylint.io.register.check import TableScans
from policylint.io.register.csvdir import open_csv_register
from policylint.io.register.memory import MemoryRegister
from policylint.io.register.sql import SqlRegister
from policylint.io.register.sqlite import SqliteRegister
from policylint.normalise.contact import contact_key
from policylint.rules._destinations import (
    PeopleByKey,
    PeopleByKeyOnDisk,
    scan_address_fields,
    scan_addresses,
)
from policylint.rules._register_people import (
    PersonIds,
    PersonIdsOnDisk,
    RegisterPeople,
    person_id_key,
)
from tests.register.postgres import read_csv_register

Tables = dict[str, list[dict[str, str]]]


def _columns(record: object, columns: tuple[str, ...]) -> tuple[object, ...]:
    return tuple(getattr(record, column) for column in columns)


DATABASES = ["sqlite", "sql-sqlite", "sql-postgresql"]


@pytest.fixture(params=DATABASES)
def database(request: pytest.FixtureRequest, kit: Any) -> Iterator[Register]:
    """The clean register in each database backend."""
    register = kit.open_backend(request.param, request)
    yield register
    register.close()


def test_a_database_register_scans_columns_as_its_records_hold_them(
        database: Register) -> None:
    register = database
    assert isinstance(register, ColumnScans)
    people = list(register.people())
    assert len(people) == 300
    columns = ("person_id", "family_name", "given_name")
    assert list(register.scan("people", columns)) == [
        _columns(p, columns) for p in people]
    assert list(register.scan("people", ("person_id",))) == [
        (p.person_id,) for p in people]
    places = ("person_id", "lines", "postcode", "status")
    assert isinstance(register, TableScans)
    addresses = list(register.all_addresses())
    assert len(addresses) > 300
    # folded_holds is a hint a backend may ignore: every row, never fewer.
    assert list(register.scan("addresses", places, folded_holds={"nowhere"})) == [
        _columns(a, places) for a in addresses]
    sequence = register.people_sequence()
    assert len(sequence) == 300
    assert list(sequence) == people
    assert sequence[-1] == people[-1] and sequence[10:13] == people[10:13]


@pytest.mark.parametrize("on_disk", [False, True])
def test_indexes_over_a_database_register_equal_the_csv_registers(
        clean_dir: Path, database: Register, on_disk: bool) -> None:
    """In memory or (a large database register: here every one) in temporary files."""
    csv_register = open_csv_register(clean_dir)
    register = database
    with patch.object(scratch, "ON_DISK_FROM", 0 if on_disk else 10**9):
        fast, reference = RegisterPeople.build(register), RegisterPeople.build(csv_register)
    # rowids or packed ids, each person read when asked: not a list of everyone
    assert isinstance(fast.people, Sequence) and not isinstance(fast.people, list)
    assert len(fast.by_id) == len(reference.by_id) == 300
    # a large database register's ids are kept in a temporary file, the CSV register's
    # (and a small database register's) in memory
    assert type(fast.by_id) is (PersonIdsOnDisk if on_disk else PersonIds)
    assert isinstance(reference.by_id, PersonIds)
    assert register.size_hint() == 300  # type: ignore[attr-defined]
    for person in reference.people:
        key = person_id_key(person.person_id)
        assert fast.by_id.get(key) == reference.by_id.get(key) is not None
    # family names and their people: in a temporary file, here as in memory there
    assert isinstance(reference._by_family, dict) and reference._by_family
    assert {family: list(fast.family_numbers(family)) for family in reference._by_family} == {
        family: list(numbers) for family, numbers in reference._by_family.items()}
    assert list(fast.family_numbers("nosuchfamily")) == []
    assert len(fast._automaton) == len(reference._automaton)
    assert list(fast.people) == list(reference.people)
    assert [_columns(a, _PLACE) for a in scan_addresses(register)] == [
        _columns(a, _PLACE) for a in scan_addresses(csv_register)]
    fields = ("person_id", "postcode", "status")
    expected = [_columns(a, fields) for a in scan_addresses(csv_register)]
    assert list(scan_address_fields(register, fields)) == expected
    assert list(scan_address_fields(csv_register, fields)) == expected
    memory = MemoryRegister(read_csv_register(clean_dir), source="<memory>")
    assert list(scan_address_fields(memory, fields)) == expected


_PLACE = ("person_id", "lines", "postcode", "status")


@pytest.mark.parametrize(("collide", "on_disk"), [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("backend", DATABASES)
def test_contact_owners_are_those_of_the_records(
        clean_tables: Tables, clean_dir: Path, backend: str, collide: bool, on_disk: bool,
        request: pytest.FixtureRequest, kit: Any) -> None:
    """Every contact key of the register, and keys nobody has, answered as the CSV
    register answers them: from an index in memory (with every key of a length
    hashing alike, too) or in a temporary file (a large register)."""
    csv_register = open_csv_register(clean_dir)
    keys = {(row["kind"], contact_key(row["kind"], row["value"]))
            for row in clean_tables["contacts"]}
    keys |= {("email", "nobody@example.org"), ("phone", "+447700900000"),
             ("phone", next(k for kind, k in keys if kind == "email"))}
    expected = {key: list(csv_register.contact_owners(*key)) for key in keys}
    shared = 0
    register = kit.open_backend(backend, request)
    with patch.object(hashed, "_hash", len if collide else hash), patch.object(
            scratch, "ON_DISK_FROM", 0 if on_disk else 10**9):
        for kind, key in sorted(keys):
            owners = list(register.contact_owners(kind, key))
            assert owners == expected[kind, key], (kind, key)
            assert all(isinstance(c, Contact) and c.kind == kind for c in owners)
            shared += len(owners) > 1
        assert not register.contact_owners("email", "")
    register.close()
    assert shared  # the clean register has numbers that two people have had


def _people_file(tmp_path: Path, people: list[dict[str, str]]) -> Path:
    """A register of people only, as someone may bring it: no constraint on the ids
    (a file from build_sqlite refuses a person_id twice)."""
    database = tmp_path / "people.db"
    with sqlite3.connect(database) as db:
        db.execute(f"CREATE TABLE people ({', '.join(ALL_COLUMNS['people'])})")
        db.executemany(f"INSERT INTO people VALUES ({', '.join('?' * 7)})",
                       [tuple(p[c] for c in ALL_COLUMNS["people"]) for p in people])
    db.close()
    return database


def _person(person_id: str, family: str = "Lee") -> dict[str, str]:
    return {"person_id": person_id, "title": "", "given_name": "Ann", "family_name": family,
            "date_of_birth": "", "status": "active", "flags": ""}


@pytest.mark.parametrize("collide", [False, True])
@pytest.mark.parametrize(("through", "said"), [
    # SQLite names rows by rowid: the first repeat in row order, and where it was first.
    ("sqlite", "person_id appears twice; first at row 7, row 40"),
    ("sqlalchemy", "a person_id appears in more than one row"),
])
def test_a_person_id_twice_stops_an_index_over_everyone(tmp_path: Path, collide: bool,
                                                        through: str, said: str) -> None:
    people = [_person(f"P-{n}", f"Lee{n}") for n in range(1, 40)]
    people += [_person(" P-7 ", "Other"), _person("P-3", "Other")]  # rows 40 and 41
    database = _people_file(tmp_path, people)
    opened = (SqliteRegister(database) if through == "sqlite"
              else SqlRegister(f"sqlite:///{database}"))
    with patch.object(hashed, "_hash", len if collide else hash), opened as register:
        with pytest.raises(RegisterError) as caught:
            RegisterPeople.build(register)
        with pytest.raises(RegisterError) as listed:  # as people() says it
            list(register.people())
    assert str(caught.value) == str(listed.value)
    message = str(caught.value)
    assert all(part in message for part in said.split(", ")), message


@pytest.mark.parametrize("collide", [False, True])
def test_distinct_ids_that_hash_alike_are_not_repeats(tmp_path: Path, collide: bool) -> None:
    people = [_person(f"P-{n}") for n in range(10, 99)]  # every id of one length
    database = _people_file(tmp_path, people)
    for opened in (SqliteRegister(database), SqlRegister(f"sqlite:///{database}")):
        with patch.object(hashed, "_hash", len if collide else hash), opened as register:
            index = RegisterPeople.build(register)
            assert len(index.people) == 89
            assert index.numbers(["P-10", "p-98", "P-99"]) == [0, 88]
            assert isinstance(index.people[5], Person)
            assert index.people[5].person_id == "P-15"


def test_an_empty_person_id_is_the_records_to_reject(tmp_path: Path) -> None:
    """Two rows without an id are two bad rows, not one id twice."""
    database = _people_file(tmp_path, [_person("P-1"), _person(""), _person("")])
    for opened in (SqliteRegister(database), SqlRegister(f"sqlite:///{database}")):
        with opened as register, pytest.raises(RegisterError) as caught:
            list(register.scan("people", ("person_id",)))
        message = str(caught.value)
        assert "twice" not in message and "more than one" not in message, message
        assert "person_id" in message


@pytest.mark.parametrize("deleted", [(), (1,), (2, 5, 300)])
def test_the_people_sequence_follows_rowids_with_gaps(clean_sqlite: Path, tmp_path: Path,
                                                      deleted: tuple[int, ...]) -> None:
    """Rowids 1 to N (as ``register build`` writes them) are kept as a range, not an
    array of every one; rows deleted leave gaps the sequence must follow."""
    database = tmp_path / "copy.db"
    database.write_bytes(clean_sqlite.read_bytes())
    with sqlite3.connect(database) as db:
        db.executemany("DELETE FROM people WHERE rowid = ?", [(r,) for r in deleted])
    with SqliteRegister(database) as register:
        people = list(register.people())
        sequence = register.people_sequence()
        assert len(people) == 300 - len(deleted)
        assert list(sequence) == people
        assert [sequence[i] for i in (0, len(people) // 2, -1)] == [
            people[0], people[len(people) // 2], people[-1]]
        assert isinstance(register._people_rows(), range) == (not deleted)


def test_a_row_gone_while_the_run_reads_stops_it(clean_sqlite: Path, tmp_path: Path) -> None:
    database = tmp_path / "copy.db"
    database.write_bytes(clean_sqlite.read_bytes())
    with SqliteRegister(database) as register:
        sequence = register.people_sequence()
        with sqlite3.connect(database) as db:
            db.execute("DELETE FROM people WHERE rowid = (SELECT max(rowid) FROM people)")
        with pytest.raises(RegisterError, match="changed while it was read"):
            sequence[len(sequence) - 1]


def test_addresses_scanned_are_addresses_of_the_records(clean_sqlite: Path) -> None:
    with SqliteRegister(clean_sqlite) as register:
        for values, record in zip(register.scan("addresses", _PLACE),
                                  register.all_addresses(), strict=True):
            assert isinstance(record, Address) and values == _columns(record, _PLACE)


def test_a_crowded_family_is_read_from_the_database_in_a_few_queries(tmp_path: Path) -> None:
    """Who a family name may name is worked out from everyone with it: 1,200 Lees are
    read in a few queries (IN lists of at most 900 ids), not 1,200, and fit as they do
    when read one by one from SQLite."""
    people = [_person(f"P-{n}", "Lee") for n in range(1_200)]
    people += [_person(f"Q-{n}", f"Other{n}") for n in range(50)]
    database = _people_file(tmp_path, people)
    with SqlRegister(f"sqlite:///{database}") as register, SqliteRegister(database) as local:
        index, reference = RegisterPeople.build(register), RegisterPeople.build(local)
        before = register.queries
        fits = index.fitting(("lee", "ann", ""))
        assert register.queries - before <= 4
        assert fits == reference.fitting(("lee", "ann", "")) and len(fits) == 1_200
        assert index.fitting(("lee", "mr", "")) == reference.fitting(("lee", "mr", ""))


def test_what_the_name_index_remembers_is_weighed_by_the_people_in_it(
        tmp_path: Path) -> None:
    """The caches of families, fitting people and their postcodes are emptied by how
    many people they hold, not how many entries (one "mr lee" holds every Mr Lee):
    with room for a few dozen people, every answer is still the same."""
    from policylint.rules import _register_people
    from policylint.rules._register_people import WeighedCache

    cache: WeighedCache[str, int] = WeighedCache(limit=10)
    cache.put("a", 1, 6)
    cache.put("b", 2, 4)
    assert (cache.get("a"), cache.get("b"), len(cache)) == (1, 2, 2)
    cache.put("c", 3, 1)  # 11 people: emptied first
    assert (cache.get("a"), cache.get("c"), len(cache)) == (None, 3, 1)

    people = [_person(f"P-{n}", "Lee" if n % 3 else f"Other{n % 7}") for n in range(300)]
    database = _people_file(tmp_path, people)
    occurrences = [("lee", "ann", ""), ("lee", "a", ""), ("other1", "ann", ""),
                   ("lee", "", "ann"), ("other2", "mrs", "")]
    with SqliteRegister(database) as register:
        roomy = RegisterPeople.build(register)
        expected = [roomy.fitting(o) for o in occurrences]
        with patch.object(_register_people, "_PEOPLE_HELD_ON_DISK", 40):
            tight = RegisterPeople.build(register)
            for _ in range(3):
                assert [tight.fitting(o) for o in occurrences] == expected
            assert len(tight._families) <= 1 and len(tight._fits) <= 2
    assert len(expected[0]) == 200


@pytest.mark.parametrize("backend", ["csv", *DATABASES])
def test_protected_address_reads_a_database_registers_addresses_once(
        backend: str, clean_dir: Path, request: pytest.FixtureRequest, kit: Any) -> None:
    """A database lists every address whatever a scan asks for: protected-address's one
    scan for short streets builds the destinations' index by postcode too, the same
    index a scan of its own gives. The columnar CSV register narrows that scan, so its
    index waits for its own (full) scan."""
    from policylint.engine.rule import RunContext
    from policylint.rules._destinations import Destinations
    from policylint.rules.protected_address import ProtectedAddress

    register = kit.open_backend(backend, request)
    scans: list[str] = []
    real_scan = register.scan

    def counting_scan(table: str, *args: Any, **kwargs: Any) -> Iterator[tuple[Any, ...]]:
        scans.append(table)
        return real_scan(table, *args, **kwargs)

    register.scan = counting_scan
    rule = ProtectedAddress({}, RunContext(register=register, today=kit.today))
    with patch.object(scratch, "ON_DISK_FROM", 0):  # a database register counts as large
        index = rule.index
    assert index is not None and index._street_candidates  # a scan for short streets ran
    places = rule.destinations
    assert places is not None
    reference = Destinations(open_csv_register(clean_dir))
    expected = reference._postcode_index()
    if backend == "csv":
        assert places._by_postcode is None  # narrowed: not every address was read
    else:
        assert places._by_postcode is not None and scans.count("addresses") == 1
    built = places._postcode_index()
    built.get(""), expected.get("")  # ids still waiting are packed on a look-up
    assert expected._packed and places._unposted == reference._unposted
    if backend == "csv":
        assert isinstance(built, PeopleByKey) and built._packed == expected._packed
    else:  # a database register's index is kept in a temporary file
        assert isinstance(built, PeopleByKeyOnDisk)
        assert {key: built.get(key) for key in expected._packed} == {
            key: expected.get(key) for key in expected._packed}
        assert built.get("NOSUCHCODE") == []
    register.close()
