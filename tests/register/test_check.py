"""check_register finds each inconsistency planted in a register, and nothing in a clean one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from policylint.io.register.base import (
    Address,
    Contact,
    Person,
    Register,
    Representative,
    Restriction,
)
from policylint.io.register.build import build_sqlite
from policylint.io.register.check import RegisterProblem, check_register, name_key
from policylint.io.register.csvdir import open_csv_register
from policylint.io.register.sqlite import SqliteRegister

Tables = dict[str, list[dict[str, str]]]
TODAY = dt.date(2026, 11, 2)


def test_clean_register_has_no_problems(register: Register) -> None:
    assert check_register(register, TODAY) == []


def _person(tables: Tables, person_id: str) -> dict[str, str]:
    return next(p for p in tables["people"] if p["person_id"] == person_id)


def _planted(clean: Tables) -> tuple[Tables, set[tuple[str, str, str]]]:
    tables = {name: [dict(r) for r in rows] for name, rows in clean.items()}
    expected: set[tuple[str, str, str]] = set()

    # The same resident entered twice, the second time in capitals without accents.
    original = _person(tables, "P-00005")
    twin = dict(original, person_id="P-90001", title="",
                given_name=original["given_name"].upper().replace("Â", "A").replace("Ë", "E"),
                family_name="  " + original["family_name"].upper().replace("'", "") + " ")
    tables["people"].append(twin)
    expected |= {("duplicate-person", "people", "P-00005"),
                 ("duplicate-person", "people", "P-90001")}
    # Not duplicates: same name, other date of birth; and two people with no date of birth.
    tables["people"].append(dict(original, person_id="P-90002", date_of_birth="2001-01-01"))
    tables["people"].append(dict(_person(tables, "P-00006"), person_id="P-90003",
                                 date_of_birth=""))
    _person(tables, "P-00006")["date_of_birth"] = ""

    # A second current address for P-00010.
    current = next(a for a in tables["addresses"]
                   if a["person_id"] == "P-00010" and a["status"] == "current")
    tables["addresses"].append(dict(current, line_1="7 Canal Side", valid_from="2026-06-01"))
    expected.add(("multiple-current-addresses", "addresses", "P-00010"))

    # A current address that ended in January.
    ended = next(a for a in tables["addresses"]
                 if a["person_id"] == "P-00020" and a["status"] == "current")
    ended["valid_to"] = "2026-01-31"
    expected.add(("current-address-ended", "addresses", "P-00020"))
    # Not a problem: a current address valid until today, or until next year.
    for person_id, valid_to in (("P-00021", TODAY.isoformat()), ("P-00022", "2027-03-31")):
        next(a for a in tables["addresses"]
             if a["person_id"] == person_id and a["status"] == "current")["valid_to"] = valid_to

    # Restrictions and representatives naming people the register does not hold.
    tables["restrictions"].append({"person_id": "P-00030", "kind": "do_not_disclose_to",
                                   "other_person_id": "P-77777", "note": "court order"})
    tables["restrictions"].append({"person_id": "P-55555", "kind": "confidential_address",
                                   "other_person_id": "", "note": ""})
    tables["representatives"].append({"person_id": "P-00040", "representative_id": "P-88888",
                                      "scope": "all", "valid_to": ""})
    tables["representatives"].append({"person_id": "P-66666", "representative_id": "P-00041",
                                      "scope": "council_tax", "valid_to": ""})
    tables["addresses"].append({"person_id": "P-44444", "line_1": "1 Market Place",
                                "postcode": "YO1 7HH", "status": "previous"})
    tables["contacts"].append({"person_id": "P-33333", "kind": "email",
                               "value": "lodger@example.org", "status": "previous"})
    expected |= {
        ("unknown-person", "restrictions", "P-00030"),
        ("unknown-person", "restrictions", "P-55555"),
        ("unknown-person", "representatives", "P-00040"),
        ("unknown-person", "representatives", "P-66666"),
        ("unknown-person", "addresses", "P-44444"),
        ("unknown-person", "contacts", "P-33333"),
    }

    # One current email claimed by two people (written differently).
    email = next(c for c in tables["contacts"]
                 if c["kind"] == "email" and c["status"] == "current"
                 and c["person_id"] != "P-00050")
    tables["contacts"].append({"person_id": "P-00050", "kind": "email",
                               "value": email["value"].strip().upper(), "status": "current",
                               "verified_on": "2026-10-01"})
    expected |= {("shared-contact", "contacts", "P-00050"),
                 ("shared-contact", "contacts", email["person_id"])}
    return tables, expected


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory, clean_tables: Tables, kit: Any
            ) -> tuple[Tables, Path, Path, set[tuple[str, str, str]]]:
    tables, expected = _planted(clean_tables)
    base = tmp_path_factory.mktemp("planted")
    directory = kit.write_register(base / "register", tables)
    build_sqlite(directory, base / "register.sqlite")
    return tables, directory, base / "register.sqlite", expected


@pytest.mark.parametrize("backend", ["csv", "sqlite"])
def test_finds_every_planted_problem(planted: Any, backend: str) -> None:
    tables, directory, database, expected = planted
    register: Register = (
        open_csv_register(directory) if backend == "csv" else SqliteRegister(database)
    )
    try:
        problems = check_register(register, TODAY)
    finally:
        register.close()
    assert {(p.code, p.table, p.person_id) for p in problems} == expected
    assert problems == sorted(problems, key=lambda p: (p.table, p.person_id, p.code, p.message))

    by_key = {(p.code, p.person_id): p for p in problems}
    assert by_key[("multiple-current-addresses", "P-00010")].message.startswith(
        "2 current addresses")
    assert "2026-01-31" in by_key[("current-address-ended", "P-00020")].message
    assert "other_person_id" in by_key[("unknown-person", "P-00030")].message
    assert "representative_id" in by_key[("unknown-person", "P-00040")].message
    assert "current email" in by_key[("shared-contact", "P-00050")].message

    personal = set()
    for person in tables["people"]:
        personal |= {person["given_name"], person["family_name"].strip()}
    for contact in tables["contacts"]:
        personal.add(contact["value"].strip())
    for address in tables["addresses"]:
        personal |= {address["line_1"], address["postcode"]}
    personal.discard("")
    for problem in problems:
        words = set(re.findall(r"[\w'@.+-]+", problem.message.casefold()))
        assert not [v for v in personal if v.casefold() in words], problem
        assert not [v for v in personal if " " in v and v.casefold() in problem.message.casefold()]


class _LookupsOnly:
    """A third-party backend with only the Register protocol (no whole-table scans)."""

    def __init__(self, inner: Register) -> None:
        self._inner = inner
        self.source = inner.source

    def person(self, person_id: str) -> Person | None:
        return self._inner.person(person_id)

    def people(self) -> Iterator[Person]:
        return self._inner.people()

    def addresses(self, person_id: str) -> Sequence[Address]:
        return self._inner.addresses(person_id)

    def contacts(self, person_id: str) -> Sequence[Contact]:
        return self._inner.contacts(person_id)

    def contact_owners(self, kind: str, normalised_value: str) -> Sequence[Contact]:
        return self._inner.contact_owners(kind, normalised_value)

    def restrictions(self) -> Sequence[Restriction]:
        return self._inner.restrictions()

    def restrictions_for(self, person_id: str) -> Sequence[Restriction]:
        return self._inner.restrictions_for(person_id)

    def representatives(self, person_id: str) -> Sequence[Representative]:
        return self._inner.representatives(person_id)

    def close(self) -> None:
        self._inner.close()


def test_protocol_only_backend_gets_every_check_it_can(planted: Any) -> None:
    _, directory, _, expected = planted
    register = _LookupsOnly(open_csv_register(directory))
    assert isinstance(register, Register)
    found = {(p.code, p.table, p.person_id) for p in check_register(register, TODAY)}
    # Rows of people the register does not hold cannot be reached person by person.
    unreachable = {
        ("unknown-person", "representatives", "P-66666"),
        ("unknown-person", "addresses", "P-44444"),
        ("unknown-person", "contacts", "P-33333"),
    }
    assert found == expected - unreachable


def test_name_key_ignores_accents_case_and_punctuation() -> None:
    assert name_key("Siân") == name_key("SIAN") == "sian"
    assert name_key("O'Brien") == name_key("OBRIEN")
    assert name_key("Smith-Jones") == name_key("smith  jones")
    assert name_key("Ó Súilleabháin") == "o suilleabhain"
    assert name_key("Sian") != name_key("Sion")


def test_problem_is_frozen() -> None:
    problem = RegisterProblem("shared-contact", "m", "contacts", "P-1")
    with pytest.raises(AttributeError):
        problem.code = "other"  # type: ignore[misc]


def test_build_then_check_small_register(tmp_path: Path, clean_tables: Tables,
                                         kit: Any) -> None:
    small = {name: rows[:0] for name, rows in clean_tables.items()}
    small["people"] = clean_tables["people"][:3]
    small["representatives"] = [{"person_id": "P-00001", "representative_id": "P-00002",
                                 "scope": "all", "valid_to": ""}]
    directory = kit.write_register(tmp_path / "reg", small)
    counts = build_sqlite(directory, tmp_path / "reg.db")
    assert counts["people"] == 3 and counts["representatives"] == 1
    with SqliteRegister(tmp_path / "reg.db") as reg:
        assert check_register(reg, TODAY) == []
