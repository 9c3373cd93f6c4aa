"""Both register backends answer every Register question identically and correctly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from policylint.io.register import open_register, policylint_open_register
from policylint.io.register.base import Address, Contact, Person, Prefetching, Register
from policylint.io.register.build import build_sqlite
from policylint.io.register.columnar import ColumnarRegister
from policylint.io.register.csvdir import open_csv_register
from policylint.io.register.memory import MemoryRegister
from policylint.io.register.sqlite import SqliteRegister
from policylint.normalise.contact import contact_key

Tables = dict[str, list[dict[str, str]]]


def _ids(tables: Tables) -> list[str]:
    ids = [p["person_id"] for p in tables["people"]]
    # Plus ids the register does not know (including ones in other tables only).
    return [*ids, "P-99999", "", "p-00001", " P-00001"]


def _answers(reg: Register, tables: Tables, *, prefetch: bool = False) -> dict[str, object]:
    """Every question the Register protocol answers, asked about every id and contact
    in ``tables`` (plus ids the register does not know); with ``prefetch``, the keys
    are given to ``reg.prefetch`` first, as the engine does for a chunk of rows."""
    if prefetch:
        assert isinstance(reg, Prefetching)
        keys = {contact_key(c["kind"], c["value"]) for c in tables["contacts"]}
        reg.prefetch(_ids(tables), keys, keys)
    out: dict[str, object] = {
        "people": list(reg.people()),
        "restrictions": list(reg.restrictions()),
    }
    for person_id in _ids(tables):
        out[f"person {person_id!r}"] = reg.person(person_id)
        out[f"addresses {person_id!r}"] = list(reg.addresses(person_id))
        out[f"contacts {person_id!r}"] = list(reg.contacts(person_id))
        out[f"restrictions_for {person_id!r}"] = list(reg.restrictions_for(person_id))
        out[f"representatives {person_id!r}"] = list(reg.representatives(person_id))
    for row in tables["contacts"]:
        for kind in ("email", "phone"):
            key = contact_key(row["kind"], row["value"])
            out[f"owners {kind} {key!r}"] = list(reg.contact_owners(kind, key))
    out["all_addresses"] = sorted(map(repr, reg.all_addresses()))  # type: ignore[attr-defined]
    out["all_contacts"] = sorted(map(repr, reg.all_contacts()))  # type: ignore[attr-defined]
    return out


@pytest.mark.parametrize(("backend", "prefetch"), [
    ("sqlite", False), ("sql-sqlite", False), ("sql-sqlite", True), ("sql-postgresql", True),
])
def test_backends_agree_on_every_method(
    backend: str, prefetch: bool, clean_tables: Tables, clean_dir: Path,
    request: pytest.FixtureRequest, kit: Any,
) -> None:
    """The same questions to the CSV register and to each other backend: equal answers
    (a database answers from its prefetched cache exactly as from single lookups)."""
    expected = _answers(open_csv_register(clean_dir), clean_tables)
    assert len(expected["people"]) == 300  # type: ignore[arg-type]
    reg = kit.open_backend(backend, request)
    try:
        got = _answers(reg, clean_tables, prefetch=prefetch)
        if prefetch:
            assert reg.misses == 0  # every question was answered from the cache
    finally:
        reg.close()
    assert got.keys() == expected.keys()
    for question, answer in expected.items():
        assert got[question] == answer, question


def test_every_backend_satisfies_the_protocol(register: Register) -> None:
    assert isinstance(register, Register)


def test_person_fields_are_parsed(register: Register, clean_tables: Tables) -> None:
    row = clean_tables["people"][0]
    person = register.person(row["person_id"])
    assert person is not None
    assert person.given_name == row["given_name"]
    assert person.family_name == row["family_name"]
    assert person.date_of_birth == dt.date.fromisoformat(row["date_of_birth"])
    assert person.status in {"active", "deceased"}
    assert register.person("P-99999") is None


def test_status_and_flags_are_normalised(register: Register, clean_tables: Tables) -> None:
    capitalised = next(p for p in clean_tables["people"] if p["status"] == "Active")
    person = register.person(capitalised["person_id"])
    assert person is not None and person.status == "active"
    flagged = next(p for p in clean_tables["people"] if "Post_Only" in p["flags"])
    person = register.person(flagged["person_id"])
    assert person is not None
    assert "post_only" in person.flags
    assert all(flag == flag.strip().lower() and flag for flag in person.flags)
    deceased = register.person("P-00047")
    assert deceased is not None and deceased.status == "deceased"


def test_addresses_keep_register_order_and_drop_empty_lines(
    register: Register, clean_tables: Tables
) -> None:
    for person in clean_tables["people"][:60]:
        rows = [a for a in clean_tables["addresses"] if a["person_id"] == person["person_id"]]
        got = register.addresses(person["person_id"])
        assert [a.status for a in got] == [r["status"] for r in rows]
        assert [a.postcode for a in got] == [r["postcode"] for r in rows]
        for address, row in zip(got, rows, strict=True):
            assert address.lines == tuple(
                row[f"line_{i}"] for i in range(1, 7) if row.get(f"line_{i}")
            )
            assert "" not in address.lines
        assert sum(a.status == "current" for a in got) == 1


def test_previous_address_has_its_move_date(register: Register, clean_tables: Tables) -> None:
    row = next(a for a in clean_tables["addresses"] if a["status"] == "previous")
    previous = [a for a in register.addresses(row["person_id"]) if a.status == "previous"]
    assert previous[0].valid_to == dt.date.fromisoformat(row["valid_to"])
    assert previous[0].verified_on is None


def test_contact_owners_match_however_the_number_was_written(
    register: Register, clean_tables: Tables
) -> None:
    phones = [c for c in clean_tables["contacts"]
              if c["kind"] == "phone" and c["status"] == "current"]
    assert len({p["value"][:3] for p in phones}) > 1  # several spellings in the data
    for row in phones:
        e164 = contact_key("phone", row["value"])
        assert e164.startswith("+447700900")
        owners = register.contact_owners("phone", e164)
        assert row["person_id"] in {o.person_id for o in owners}
        assert all(isinstance(o, Contact) for o in owners)


def test_reassigned_number_has_two_owners(register: Register, clean_tables: Tables) -> None:
    old = next(c for c in clean_tables["contacts"]
               if c["person_id"] == "P-00002" and c["status"] == "previous"
               and c["kind"] == "phone")
    owners = register.contact_owners("phone", contact_key("phone", old["value"]))
    assert len(owners) == 2
    assert {o.status for o in owners} == {"previous", "current"}
    assert "P-00002" in {o.person_id for o in owners}


def test_email_lookup_is_by_normalised_value(register: Register, clean_tables: Tables) -> None:
    padded = next(c for c in clean_tables["contacts"]
                  if c["kind"] == "email" and c["value"] != c["value"].strip())
    key = contact_key("email", padded["value"])
    owners = register.contact_owners("email", key)
    assert [o.person_id for o in owners] == [padded["person_id"]]
    assert owners[0].value == padded["value"].strip()
    assert register.contact_owners("email", padded["value"]) == ()
    assert register.contact_owners("phone", key) == ()
    assert register.contact_owners("phone", "") == ()


def test_restrictions_and_representatives(register: Register, clean_tables: Tables) -> None:
    assert len(register.restrictions()) == len(clean_tables["restrictions"])
    dnd = next(r for r in clean_tables["restrictions"] if r["kind"] == "do_not_disclose_to")
    found = register.restrictions_for(dnd["person_id"])
    assert any(r.other_person_id == dnd["other_person_id"] for r in found)
    link = clean_tables["representatives"][0]
    reps = register.representatives(link["person_id"])
    assert link["representative_id"] in {r.representative_id for r in reps}
    lapsed = next(r for r in clean_tables["representatives"] if r["valid_to"])
    rep = next(r for r in register.representatives(lapsed["person_id"])
               if r.valid_to is not None)
    assert not rep.active_on(dt.date(2026, 11, 2))


def test_repeated_lookups_are_stable(register: Register) -> None:
    first = [register.person(f"P-{i:05d}") for i in range(1, 301)]
    again = [register.person(f"P-{i:05d}") for i in range(300, 0, -1)][::-1]
    assert first == again
    assert all(isinstance(p, Person) for p in first)


def test_build_reports_row_counts(clean_tables: Tables, clean_sqlite: Path,
                                  clean_dir: Path, tmp_path: Path) -> None:
    counts = build_sqlite(clean_dir, tmp_path / "again.db")
    assert counts == {name: len(rows) for name, rows in clean_tables.items()}
    assert clean_sqlite.read_bytes()[:16] == b"SQLite format 3\x00"
    assert [p.name for p in tmp_path.iterdir()] == ["again.db"]  # no temp file left


def test_build_with_force_replaces_existing(clean_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "register.db"
    out.write_text("old build")
    build_sqlite(clean_dir, out, force=True)
    with SqliteRegister(out) as reg:
        assert reg.person("P-00001") is not None


def test_sqlite_register_is_read_only(clean_sqlite: Path) -> None:
    import sqlite3

    with SqliteRegister(clean_sqlite) as reg, pytest.raises(sqlite3.OperationalError):
        reg._db.execute("DELETE FROM people")


def test_open_register_picks_the_backend(clean_dir: Path, clean_sqlite: Path) -> None:
    csv_reg = open_register(clean_dir)
    sql_reg = open_register(str(clean_sqlite))
    assert isinstance(csv_reg, ColumnarRegister)
    assert isinstance(sql_reg, SqliteRegister)
    assert csv_reg.source == str(clean_dir)
    assert sql_reg.source == str(clean_sqlite)
    sql_reg.close()
    hooked = policylint_open_register(str(clean_dir))
    assert isinstance(hooked, ColumnarRegister)
    assert policylint_open_register("postgresql://council/register") is None


def test_absent_tables_are_empty(tmp_path: Path, clean_tables: Tables, kit: Any) -> None:
    directory = tmp_path / "people-only"
    directory.mkdir()
    kit.write_csv(directory / "People.CSV", clean_tables["people"][:5])
    kit.write_csv(directory / "restrictions.csv", [], ["person_id", "kind", "other_person_id"])
    reg = open_csv_register(directory)
    assert [p.person_id for p in reg.people()] == [f"P-{i:05d}" for i in range(1, 6)]
    assert reg.addresses("P-00001") == ()
    assert reg.restrictions() == ()
    build_sqlite(directory, tmp_path / "small.db")
    with SqliteRegister(tmp_path / "small.db") as sql:
        assert [p.person_id for p in sql.people()] == [f"P-{i:05d}" for i in range(1, 6)]
        assert sql.contacts("P-00001") == ()
        assert sql.restrictions() == ()


def test_cp1252_people_file(tmp_path: Path, kit: Any) -> None:
    directory = tmp_path / "welsh"
    directory.mkdir()
    rows = [
        {"person_id": "C-101", "title": "Ms", "given_name": "Siân",
         "family_name": "Prydderch", "date_of_birth": "1984-03-09", "status": "active",
         "flags": ""},
        {"person_id": "C-102", "title": "Mr", "given_name": "Rhodri", "family_name": "Hâf",
         "date_of_birth": "1990-12-31", "status": "active", "flags": "large_print"},
    ]
    path = kit.write_csv(directory / "people.csv", rows, encoding="cp1252",
                     headers={"person_id": "Person ID", "given_name": "Given Name",
                              "family_name": "Family-Name", "date_of_birth": "Date of Birth"})
    assert "Siân".encode("cp1252") in path.read_bytes()
    reg = open_csv_register(directory)
    person = reg.person("C-101")
    assert person is not None
    assert person.given_name == "Siân"
    assert person.date_of_birth == dt.date(1984, 3, 9)
    assert reg.person("C-102") == Person("C-102", "Mr", "Rhodri", "Hâf", dt.date(1990, 12, 31),
                                         "active", frozenset({"large_print"}))


def test_memory_register_from_dicts_with_row_numbers() -> None:
    reg = MemoryRegister(
        {
            "people": [{"person_id": "A1", "given_name": "Ada", "family_name": "Lovelace",
                        "status": "active"}],
            "addresses": [{"person_id": "A1", "line_1": "12 St James's Square",
                           "postcode": "SW1Y 4JH", "status": "current", "extra": "ignored"}],
        },
        source="inline",
    )
    assert reg.person("A1") == Person("A1", given_name="Ada", family_name="Lovelace")
    assert reg.addresses("A1") == (Address("A1", ("12 St James's Square",), "SW1Y 4JH",
                                           "current"),)


def test_write_register_round_trip(tmp_path: Path, clean_tables: Tables, kit: Any) -> None:
    small = {name: rows[:20] for name, rows in clean_tables.items()}
    reg = open_csv_register(kit.write_register(tmp_path / "small", small))
    assert len(list(reg.people())) == 20
