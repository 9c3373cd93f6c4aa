"""A realistic council register, generated deterministically, and helpers to write it.

Three hundred residents with address histories (previous, current, gone away),
current/previous/invalid contacts written the ways people type them,
confidential-address and do-not-disclose restrictions, and representatives
(some whose authority has lapsed). Nothing in the clean register is
inconsistent: ``check_register`` must find no problem in it.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from policylint.io.register.base import ALL_COLUMNS, Register
from policylint.io.register.build import build_sqlite
from policylint.io.register.csvdir import open_csv_register
from policylint.io.register.memory import MemoryRegister
from policylint.io.register.sql import SqlRegister
from policylint.io.register.sqlite import SqliteRegister
from tests.register.postgres import PostgresServer, load_tables, start_postgres

Tables = dict[str, list[dict[str, str]]]

TODAY = dt.date(2026, 11, 2)

GIVEN = [
    "Oliver", "Amelia", "Mohammed", "Isla", "Noah", "Ava", "Siân", "Dafydd", "Zoë",
    "Séamus", "Aoife", "Priya", "Tomasz", "Agnieszka", "Chidi", "Ngozi", "Margaret",
    "George", "Eleanor", "Harold", "Jean-Luc", "Bethan", "Callum", "Fatima", "Yusuf",
    "Grace", "Rhys", "Hannah", "Kwame", "Li", "Mei", "Arjun", "Sophie", "Declan",
]
FAMILY = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Roberts", "Johnson", "Lewis", "Walker", "Robinson", "O'Brien", "Smith-Jones",
    "Patel", "Khan", "Nowak", "Okafor", "MacDonald", "Ó Súilleabháin", "Hughes", "Edwards",
    "Green", "Hall", "Wood", "Clarke", "Jackson", "Chen", "Ahmed", "Kowalski",
]
TITLES = ["Mr", "Mrs", "Ms", "Miss", "Dr", "Mx", ""]
STREETS = [
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane",
    "Park Avenue", "Queen's Drive", "Manor Close", "The Crescent", "Albert Terrace",
    "Heol y Parc", "Bryn Road", "Oakfield Way", "Canal Side", "Market Place",
]
TOWNS = [
    ("Leeds", "LS"), ("Cardiff", "CF"), ("Swansea", "SA"), ("Bristol", "BS"),
    ("Sheffield", "S"), ("Norwich", "NR"), ("York", "YO"), ("Exeter", "EX"),
]
DOMAINS = ["example.org", "example.net", "mail.example.com", "example.co.uk"]
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _postcode(rng: random.Random, area: str) -> str:
    return (
        f"{area}{rng.randint(1, 29)} {rng.randint(1, 9)}"
        f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
    )


def _address(rng: random.Random, person_id: str, status: str) -> dict[str, str]:
    town, area = rng.choice(TOWNS)
    number = rng.randint(1, 240)
    street = rng.choice(STREETS)
    row = {"person_id": person_id, "status": status}
    if rng.random() < 0.3:
        # A flat: line_1 is the flat, line_2 the building number and street.
        lines = [f"Flat {rng.randint(1, 12)}", f"{number} {street}", "", town]
    else:
        # Some exports leave line_2 empty and put the town on line_3.
        lines = [f"{number} {street}", "", town, ""]
    for i, text in enumerate(lines, start=1):
        row[f"line_{i}"] = text
    row["postcode"] = _postcode(rng, area)
    return row


def _phone_variants(rng: random.Random, serial: int) -> str:
    digits = f"{serial:03d}"
    return rng.choice([
        f"07700 900{digits}",
        f"+44 7700 900{digits}",
        f"07700900{digits}",
        f"(07700) 900 {digits}",
        f"+447700900{digits}",
    ])


def make_tables(n_people: int = 300, seed: int = 20261102) -> Tables:
    """The clean register: every table as a list of rows (column -> text)."""
    rng = random.Random(seed)
    tables: Tables = {name: [] for name in ALL_COLUMNS}
    seen: set[tuple[str, str, str]] = set()
    phone_serial = 0
    for index in range(1, n_people + 1):
        person_id = f"P-{index:05d}"
        while True:
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 27000))
            key = (given, family, born.isoformat())
            if key not in seen:
                seen.add(key)
                break
        flags = []
        if rng.random() < 0.1:
            flags.append("no_voicemail")
        if rng.random() < 0.05:
            flags.append("Post_Only")
        if rng.random() < 0.05:
            flags.append("large_print")
        status = "deceased" if index % 47 == 0 else rng.choice(["active", "Active", "active"])
        tables["people"].append({
            "person_id": person_id,
            "title": rng.choice(TITLES),
            "given_name": given,
            "family_name": family,
            "date_of_birth": born.isoformat(),
            "status": status,
            "flags": "; ".join(flags),
        })

        moved_in = TODAY - dt.timedelta(days=rng.randint(30, 4000))
        if rng.random() < 0.6:
            previous = _address(rng, person_id, "previous")
            previous["valid_from"] = (moved_in - dt.timedelta(days=rng.randint(400, 5000))
                                      ).isoformat()
            previous["valid_to"] = (moved_in - dt.timedelta(days=1)).isoformat()
            previous["verified_on"] = ""
            tables["addresses"].append(previous)
        if rng.random() < 0.05:
            gone = _address(rng, person_id, "gone_away")
            gone["valid_from"] = ""
            gone["valid_to"] = (moved_in - dt.timedelta(days=500)).isoformat()
            gone["verified_on"] = ""
            tables["addresses"].append(gone)
        current = _address(rng, person_id, "current")
        current["valid_from"] = moved_in.isoformat()
        current["valid_to"] = ""
        current["verified_on"] = (
            "" if rng.random() < 0.1
            else (TODAY - dt.timedelta(days=rng.randint(0, 900))).isoformat()
        )
        tables["addresses"].append(current)

        local = f"{given}.{family}".lower().replace("'", "").replace(" ", "")
        local = local.encode("ascii", "ignore").decode() or "resident"
        if rng.random() < 0.7:
            tables["contacts"].append({
                "person_id": person_id, "kind": "email",
                "value": f"  {local.title()}{index}@{rng.choice(DOMAINS)} "
                if rng.random() < 0.3 else f"{local}{index}@{rng.choice(DOMAINS)}",
                "status": "current",
                "verified_on": (TODAY - dt.timedelta(days=rng.randint(0, 700))).isoformat(),
            })
        if rng.random() < 0.25:
            tables["contacts"].append({
                "person_id": person_id, "kind": "email",
                "value": f"{local}.old{index}@{rng.choice(DOMAINS)}",
                "status": rng.choice(["previous", "invalid"]), "verified_on": "",
            })
        if rng.random() < 0.8:
            phone_serial += 1
            tables["contacts"].append({
                "person_id": person_id, "kind": "phone",
                "value": _phone_variants(rng, phone_serial),
                "status": "current",
                "verified_on": (TODAY - dt.timedelta(days=rng.randint(0, 1200))).isoformat(),
            })
        if rng.random() < 0.1:
            tables["contacts"].append({
                "person_id": person_id, "kind": "phone", "value": "0113 496 0000x",
                "status": "invalid", "verified_on": "",
            })

    # A reassigned number: P-00002's old phone is now somebody else's current one.
    current_phones = [c for c in tables["contacts"]
                      if c["kind"] == "phone" and c["status"] == "current"
                      and c["person_id"] != "P-00002"]
    tables["contacts"].append({
        "person_id": "P-00002", "kind": "phone",
        "value": current_phones[10]["value"].replace(" ", ""),
        "status": "previous", "verified_on": "2019-05-01",
    })

    ids = [p["person_id"] for p in tables["people"]]
    for person_id in rng.sample(ids, 10):
        tables["restrictions"].append({
            "person_id": person_id, "kind": "confidential_address", "other_person_id": "",
            "note": "refuge placement",
        })
    for _ in range(6):
        victim, other = rng.sample(ids, 2)
        tables["restrictions"].append({
            "person_id": victim, "kind": "do_not_disclose_to", "other_person_id": other,
            "note": "non-molestation order",
        })
    for _ in range(15):
        person_id, rep = rng.sample(ids, 2)
        lapsed = rng.random() < 0.3
        tables["representatives"].append({
            "person_id": person_id, "representative_id": rep,
            "scope": rng.choice(["all", "council_tax", "lasting power of attorney"]),
            "valid_to": (TODAY - dt.timedelta(days=90)).isoformat() if lapsed else "",
        })
    return tables


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None,
              *, encoding: str = "utf-8", headers: dict[str, str] | None = None) -> Path:
    """Write ``rows`` as a CSV file (``headers`` renames columns as a user might)."""
    if columns is None:
        columns = list(rows[0]) if rows else []
    headers = headers or {}
    with open(path, "w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([headers.get(c, c) for c in columns])
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def write_register(directory: Path, tables: Tables) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        write_csv(directory / f"{name}.csv", rows, list(ALL_COLUMNS[name]))
    return directory


@pytest.fixture(scope="session")
def clean_tables() -> Tables:
    return make_tables()


@pytest.fixture(scope="session")
def clean_dir(tmp_path_factory: pytest.TempPathFactory, clean_tables: Tables) -> Path:
    return write_register(tmp_path_factory.mktemp("register") / "register", clean_tables)


@pytest.fixture(scope="session")
def clean_sqlite(tmp_path_factory: pytest.TempPathFactory, clean_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("sqlite") / "register.sqlite"
    build_sqlite(clean_dir, out)
    return out


OpenBackend = Callable[[], "MemoryRegister | SqliteRegister"]
BACKENDS = ["csv", "sqlite", "sql-sqlite", "sql-postgresql"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of our own for the session (skipped, with the reason, when
    none can be started on this machine)."""
    server = start_postgres()
    if isinstance(server, str):
        pytest.skip(f"no PostgreSQL server could be started: {server}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def clean_postgres(postgres: PostgresServer, clean_tables: Tables) -> str:
    """The clean register in a PostgreSQL database: its URL."""
    url = postgres.create_database("clean")
    load_tables(url, clean_tables)
    return url


def open_backend(name: str, request: pytest.FixtureRequest) -> Register:
    """The clean register from one backend: csv, sqlite, sql-sqlite or sql-postgresql."""
    if name == "csv":
        return open_csv_register(request.getfixturevalue("clean_dir"))
    if name == "sqlite":
        return SqliteRegister(request.getfixturevalue("clean_sqlite"))
    if name == "sql-sqlite":
        return SqlRegister(f"sqlite:///{request.getfixturevalue('clean_sqlite')}")
    assert name == "sql-postgresql"
    return SqlRegister(request.getfixturevalue("clean_postgres"))


@pytest.fixture(params=BACKENDS)
def register(request: pytest.FixtureRequest) -> Iterator[Register]:
    """The clean register from the CSV directory, the SQLite file built from it, that file
    through SQLAlchemy, and the same rows in PostgreSQL."""
    reg = open_backend(request.param, request)
    yield reg
    reg.close()


class RegisterKit:
    """Helpers for tests (a fixture, since test modules are imported without packages)."""

    today = TODAY
    make_tables = staticmethod(make_tables)
    open_backend = staticmethod(open_backend)
    write_csv = staticmethod(write_csv)
    write_register = staticmethod(write_register)


@pytest.fixture(scope="session")
def kit() -> type[RegisterKit]:
    return RegisterKit
