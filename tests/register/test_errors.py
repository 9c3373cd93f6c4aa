"""A register that cannot be trusted stops the run with one line naming file, row and column.

No message may quote a cell: a cell in the wrong column is as likely to hold
a date of birth or an address as the status it should have held.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from policylint.errors import InputError, RegisterError
from policylint.io.register import open_register
from policylint.io.register.base import ALL_COLUMNS
from policylint.io.register.build import build_sqlite
from policylint.io.register.csvdir import open_csv_register
from policylint.io.register.memory import MemoryRegister
from policylint.io.register.sqlite import SqliteRegister

Tables = dict[str, list[dict[str, str]]]


def _one_line(err: pytest.ExceptionInfo[RegisterError]) -> str:
    text = str(err.value)
    assert "\n" not in text
    return text


def _copy(tables: Tables) -> Tables:
    return {name: [dict(row) for row in rows] for name, rows in tables.items()}


@pytest.fixture
def small(clean_tables: Tables) -> Tables:
    """The first 40 people and everything that refers only to them."""
    ids = {p["person_id"] for p in clean_tables["people"][:40]}
    out = {name: [dict(r) for r in rows if r["person_id"] in ids]
           for name, rows in clean_tables.items()}
    out["restrictions"] = [r for r in out["restrictions"]
                           if not r["other_person_id"] or r["other_person_id"] in ids]
    out["representatives"] = [r for r in out["representatives"]
                              if r["representative_id"] in ids]
    return out


def _both_fail(directory: Path, tmp_path: Path) -> list[str]:
    """Loading and building must fail alike, and building must leave nothing behind."""
    messages = []
    with pytest.raises(RegisterError) as loading:
        open_csv_register(directory)
    messages.append(_one_line(loading))
    out = tmp_path / "out.sqlite"
    with pytest.raises(RegisterError) as building:
        build_sqlite(directory, out)
    messages.append(_one_line(building))
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.sqlite")]
    return messages


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(RegisterError) as err:
        open_register(tmp_path / "no-such-register")
    assert _one_line(err) == f"{tmp_path / 'no-such-register'}: register not found"


def test_missing_people_csv(tmp_path: Path, small: Tables, kit: Any) -> None:
    directory = tmp_path / "reg"
    directory.mkdir()
    kit.write_csv(directory / "addresses.csv", small["addresses"])
    for message in _both_fail(directory, tmp_path):
        assert message.startswith(str(directory))
        assert "people.csv" in message


def test_missing_required_column_in_addresses(tmp_path: Path, small: Tables, kit: Any) -> None:
    directory = kit.write_register(tmp_path / "reg", small)
    columns = [c for c in ALL_COLUMNS["addresses"] if c != "postcode"]
    kit.write_csv(directory / "addresses.csv", small["addresses"], columns)
    for message in _both_fail(directory, tmp_path):
        assert str(directory / "addresses.csv") in message
        assert "'postcode'" in message
        assert "missing" in message


def test_missing_required_column_in_empty_table(tmp_path: Path, small: Tables, kit: Any) -> None:
    directory = kit.write_register(tmp_path / "reg", small)
    kit.write_csv(directory / "restrictions.csv", [], ["person_id", "other_person_id"])
    for message in _both_fail(directory, tmp_path):
        assert "restrictions.csv" in message
        assert "'kind'" in message


def test_bad_date_names_file_row_and_column(tmp_path: Path, small: Tables, kit: Any) -> None:
    tables = _copy(small)
    tables["people"][6]["date_of_birth"] = "31/02/1961"
    directory = kit.write_register(tmp_path / "reg", tables)
    for message in _both_fail(directory, tmp_path):
        assert message.startswith(f"{directory / 'people.csv'}, row 8, key 'date_of_birth': ")
        assert "1961" not in message


def test_impossible_date(tmp_path: Path, small: Tables, kit: Any) -> None:
    tables = _copy(small)
    tables["addresses"][3]["valid_to"] = "2025-02-29"
    directory = kit.write_register(tmp_path / "reg", tables)
    for message in _both_fail(directory, tmp_path):
        assert "addresses.csv, row 5, key 'valid_to'" in message
        assert "2025" not in message


def test_unknown_status(tmp_path: Path, small: Tables, kit: Any) -> None:
    tables = _copy(small)
    tables["contacts"][2]["status"] = "Current (unverified)"
    directory = kit.write_register(tmp_path / "reg", tables)
    for message in _both_fail(directory, tmp_path):
        assert "contacts.csv, row 4, key 'status'" in message
        assert "current, previous, invalid" in message
        assert "unverified" not in message


def test_status_holding_personal_data_is_not_quoted(tmp_path: Path, small: Tables,
                                                     kit: Any) -> None:
    # A row whose cells slipped one column: the status cell holds a date of birth.
    tables = _copy(small)
    row = tables["people"][0]
    row["status"] = row["date_of_birth"]
    directory = kit.write_register(tmp_path / "reg", tables)
    for message in _both_fail(directory, tmp_path):
        assert "people.csv, row 2, key 'status'" in message
        assert row["date_of_birth"] not in message


def test_unknown_kind_and_empty_person_id(tmp_path: Path, small: Tables, kit: Any) -> None:
    tables = _copy(small)
    tables["restrictions"][0]["kind"] = "confidential"
    directory = kit.write_register(tmp_path / "reg", tables)
    for message in _both_fail(directory, tmp_path):
        assert "restrictions.csv, row 2, key 'kind'" in message

    tables = _copy(small)
    tables["addresses"][1]["person_id"] = "  "
    directory = kit.write_register(tmp_path / "reg2", tables)
    for message in _both_fail(directory, tmp_path):
        assert "addresses.csv, row 3, key 'person_id'" in message


def test_duplicate_person_id(tmp_path: Path, small: Tables, kit: Any) -> None:
    tables = _copy(small)
    tables["people"][9]["person_id"] = tables["people"][2]["person_id"]
    directory = kit.write_register(tmp_path / "reg", tables)
    for message in _both_fail(directory, tmp_path):
        assert "people.csv, row 11, key 'person_id'" in message
        assert "first at row 4" in message


def test_do_not_disclose_needs_the_other_person(tmp_path: Path, small: Tables,
                                                kit: Any) -> None:
    tables = _copy(small)
    tables["restrictions"].append({"person_id": "P-00001", "kind": "do_not_disclose_to",
                                   "other_person_id": "", "note": ""})
    directory = kit.write_register(tmp_path / "reg", tables)
    for message in _both_fail(directory, tmp_path):
        assert f"restrictions.csv, row {len(tables['restrictions']) + 1}" in message
        assert "other_person_id" in message


def test_a_file_that_is_not_a_register(tmp_path: Path) -> None:
    notes = tmp_path / "register.txt"
    notes.write_text("person_id,given_name\nP-1,Ann\n")
    with pytest.raises(RegisterError) as err:
        open_register(notes)
    assert _one_line(err).startswith(f"{notes}: not a register")
    people = tmp_path / "people.csv"
    people.write_text("person_id,given_name\n")
    with pytest.raises(RegisterError) as err:
        open_register(people)
    assert "directory that holds it" in _one_line(err)


def test_not_a_database(tmp_path: Path) -> None:
    fake = tmp_path / "register.db"
    fake.write_bytes(b"this is a spreadsheet export, honestly" * 50)
    with pytest.raises(RegisterError) as err:
        SqliteRegister(fake)
    assert _one_line(err).startswith(f"{fake}: ")
    assert "database" in str(err.value)


def test_damaged_database(tmp_path: Path) -> None:
    damaged = tmp_path / "register.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(RegisterError) as err:
        open_register(damaged)
    assert _one_line(err).startswith(f"{damaged}: ")


def test_output_exists_without_force(clean_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "register.sqlite"
    out.write_bytes(b"previous build")
    with pytest.raises(RegisterError) as err:
        build_sqlite(clean_dir, out)
    assert _one_line(err).startswith(f"{out}: ")
    assert "exists" in str(err.value)
    assert out.read_bytes() == b"previous build"


def test_output_must_not_overwrite_a_source(tmp_path: Path, small: Tables, kit: Any) -> None:
    directory = kit.write_register(tmp_path / "reg", small)
    before = (directory / "people.csv").read_bytes()
    with pytest.raises(RegisterError):
        build_sqlite(directory, directory / "people.csv", force=True)
    assert (directory / "people.csv").read_bytes() == before


def _sqlite_with(path: Path, ddl: list[str], rows: list[tuple[str, list[tuple[Any, ...]]]]
                 ) -> Path:
    db = sqlite3.connect(path)
    for statement in ddl:
        db.execute(statement)
    for sql, values in rows:
        db.executemany(sql, values)
    db.commit()
    db.close()
    return path


def test_sqlite_missing_column_names_table_and_column(tmp_path: Path) -> None:
    path = _sqlite_with(tmp_path / "reg.db", [
        "CREATE TABLE people (person_id TEXT, given_name TEXT, family_name TEXT, status TEXT)",
        "CREATE TABLE addresses (person_id TEXT, line_1 TEXT, status TEXT)",
    ], [])
    with pytest.raises(RegisterError) as err:
        open_register(path)
    message = _one_line(err)
    assert message.startswith(f"{path}, key 'postcode': ")
    assert "addresses" in message


def test_sqlite_without_people_table(tmp_path: Path) -> None:
    path = _sqlite_with(tmp_path / "reg.db", ["CREATE TABLE notes (text TEXT)"], [])
    with pytest.raises(RegisterError) as err:
        SqliteRegister(path)
    assert "people" in _one_line(err)


def test_sqlite_bad_row_names_rowid(tmp_path: Path) -> None:
    path = _sqlite_with(tmp_path / "reg.db", [
        "CREATE TABLE People (Person_ID TEXT, Given_Name TEXT, Family_Name TEXT, "
        "Status TEXT, Date_Of_Birth TEXT)",
    ], [("INSERT INTO People VALUES (?, ?, ?, ?, ?)", [
        ("P-1", "Bethan", "Hughes", "active", "1975-06-01"),
        ("P-2", "Callum", "Reid", "active", "01/06/1975"),
        ("P-3", "Ngozi", "Okafor", "alive", "1981-01-20"),
    ])])
    with SqliteRegister(path) as reg:
        person = reg.person("P-1")
        assert person is not None and person.family_name == "Hughes"
        assert reg.addresses("P-1") == ()  # absent table: empty
        with pytest.raises(RegisterError) as err:
            reg.person("P-2")
        message = _one_line(err)
        assert message.startswith(f"{path}, row 2, key 'date_of_birth': ")
        assert "table 'people'" in message
        assert "1975" not in message
        with pytest.raises(RegisterError) as err:
            list(reg.people())
        assert "row 2" in _one_line(err)
        with pytest.raises(RegisterError) as err:
            reg.person("P-3")
        assert ", row 3, key 'status'" in _one_line(err)


def test_sqlite_integer_ids_and_duplicates(tmp_path: Path) -> None:
    path = _sqlite_with(tmp_path / "reg.db", [
        "CREATE TABLE people (person_id INTEGER, given_name TEXT, family_name TEXT, "
        "status TEXT)",
    ], [("INSERT INTO people VALUES (?, ?, ?, ?)", [
        (1043, "Grace", "Hall", "active"),
        (1044, "Rhys", "Evans", "deceased"),
        (1044, "Rhys", "Evans", "active"),
    ])])
    with SqliteRegister(path) as reg:
        person = reg.person("1043")
        assert person is not None and person.person_id == "1043"
        with pytest.raises(RegisterError) as err:
            reg.person("1044")
        assert "row 3, key 'person_id'" in _one_line(err)
        assert "first at row 2" in str(err.value)
        with pytest.raises(RegisterError):
            list(reg.people())


def test_memory_register_errors_name_the_given_file() -> None:
    with pytest.raises(RegisterError) as err:
        MemoryRegister({"addresses": []}, source="crm-export")
    assert _one_line(err) == "crm-export: register has no people table"
    with pytest.raises(RegisterError) as err:
        MemoryRegister(
            {"people": [{"person_id": "A1", "given_name": "Ada", "family_name": "Byron",
                         "status": "active", "date_of_birth": "10 Dec 1815"}]},
            files={"people": "crm/people.csv"},
            row_numbers={"people": [17]},
        )
    assert _one_line(err).startswith("crm/people.csv, row 17, key 'date_of_birth': ")
    with pytest.raises(RegisterError) as err:
        MemoryRegister(
            {"people": [{"person_id": "A1", "family_name": "Byron", "status": "active"}]},
            files={"people": "crm/people.csv"},
        )
    assert "crm/people.csv, row 2, key 'given_name'" in _one_line(err)


def test_register_error_is_an_input_error() -> None:
    assert issubclass(RegisterError, InputError)
    assert RegisterError("x").exit_code == 2


def test_url_is_for_the_database_backend() -> None:
    # The path backends' own opener refuses URLs (the hook hands them to the
    # database backend), without showing a password.
    with pytest.raises(RegisterError) as err:
        open_register("postgresql://council:s3cret@db/register")
    line = _one_line(err)
    assert "database backend" in line
    assert "s3cret" not in line and "council:***@db" in line
