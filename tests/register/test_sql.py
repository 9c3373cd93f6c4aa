"""The database register (any SQLAlchemy URL): read-only, batched, mapped, credentials kept out.

Run against SQLite through SQLAlchemy always, and against a real PostgreSQL
server started for the session (tests/register/postgres.py) wherever one can start.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from policylint.cli import cli
from policylint.config.policy import load_policy
from policylint.engine.runner import CheckRequest, open_register, run_check
from policylint.errors import RegisterError
from policylint.io.register.base import Person, Prefetching, Register
from policylint.io.register.csvdir import open_csv_register
from policylint.io.register.location import RegisterLocation, RegisterMapping, mask_url
from policylint.io.register.memory import MemoryRegister
from policylint.io.register.sql import SqlRegister
from policylint.io.register.sqlite import SqliteRegister
from policylint.normalise.contact import contact_key
from tests.register.postgres import PostgresServer, load_tables

sa = pytest.importorskip("sqlalchemy", reason="the sql extra is not installed")

Tables = dict[str, list[dict[str, str]]]
TODAY = "2026-11-26"
SECRET = "Tr0ub4dor-and-3"


@pytest.fixture
def sql_sqlite(clean_sqlite: Path) -> Iterator[SqlRegister]:
    with SqlRegister(f"sqlite:///{clean_sqlite}") as reg:
        yield reg


# --- opening ------------------------------------------------------------------------


def test_urls_open_through_the_hook(clean_sqlite: Path, clean_dir: Path,
                                    clean_postgres: str) -> None:
    for url in (f"sqlite:///{clean_sqlite}", clean_postgres):
        reg = open_register(url)
        try:
            assert isinstance(reg, SqlRegister)
            assert isinstance(reg, Register) and isinstance(reg, Prefetching)
            assert reg.person("P-00001") is not None
        finally:
            reg.close()
    # Paths still go to the built-in backends: an SQLite file reads ahead too (one query
    # a table per chunk); a register held in memory has nothing to gain from it.
    plain = open_register(str(clean_sqlite))
    assert isinstance(plain, SqliteRegister) and isinstance(plain, Prefetching)
    plain.close()
    held = open_register(str(clean_dir))
    assert not isinstance(held, Prefetching)
    held.close()


def test_postgresql_url_without_a_driver_name_uses_psycopg(clean_postgres: str) -> None:
    bare = clean_postgres.replace("postgresql+psycopg://", "postgresql://")
    with SqlRegister(bare) as reg:
        assert reg.engine.dialect.driver in ("psycopg", "psycopg2")
        assert reg.person("P-00002") is not None


def test_unknown_schemes_are_refused_without_showing_the_password() -> None:
    with pytest.raises(RegisterError, match="no installed backend can open 's3://'"):
        open_register("s3://bucket/register")
    with pytest.raises(RegisterError) as err:
        open_register(f"postgrsql://ro:{SECRET}@db/housing")  # a typo
    assert SECRET not in str(err.value) and "ro:***@db" in str(err.value)


def test_missing_sqlite_file_and_bad_url(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match="register database not found"):
        open_register(f"sqlite:///{tmp_path}/nothing.db")
    with pytest.raises(RegisterError, match="in-memory"):
        open_register("sqlite://")
    with pytest.raises(RegisterError, match="not a valid database URL"):
        SqlRegister("postgresql://user@host:notaport/db")


def test_without_the_sql_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)  # as if not installed
    with pytest.raises(RegisterError) as err:
        open_register(f"postgresql://policylint:{SECRET}@db.internal/housing")
    line = str(err.value)
    assert "pip install 'policylint[sql]'" in line
    assert SECRET not in line and "\n" not in line
    result = CliRunner().invoke(cli, ["register", "check", "postgresql://db.internal/housing"])
    assert result.exit_code == 2
    assert "pip install 'policylint[sql]'" in result.output
    assert "Traceback" not in result.output


# --- read-only ------------------------------------------------------------------------


def test_sqlite_connection_refuses_writes(sql_sqlite: SqlRegister) -> None:
    conn = sql_sqlite.connection()
    for statement in ("DELETE FROM people", "INSERT INTO people (person_id) VALUES ('X')",
                      "CREATE TABLE t (x)"):
        with pytest.raises(sa.exc.OperationalError, match=r"readonly|read-only"):
            conn.execute(sa.text(statement))
    assert sql_sqlite.person("P-00001") is not None  # still readable afterwards


def test_postgresql_connection_refuses_writes(clean_postgres: str) -> None:
    with SqlRegister(clean_postgres) as reg:
        conn = reg.connection()
        for statement in ("DELETE FROM people", "UPDATE people SET status = 'deceased'",
                          "CREATE TABLE t (x int)"):
            with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
                conn.execute(sa.text(statement))
        # A whole-table read runs in a transaction of its own: read-only too.
        assert len(list(reg.people())) == 300
        other = reg.engine.connect()
        try:
            with pytest.raises(sa.exc.InternalError, match="read-only transaction"), \
                    other.begin():
                other.execute(sa.text("DELETE FROM contacts"))
        finally:
            other.close()
    check = sa.create_engine(clean_postgres)  # the superuser's own session: nothing changed
    with check.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM people")).scalar() == 300
    check.dispose()


def test_a_connection_lost_mid_run_stops_the_run(clean_postgres: str) -> None:
    """The server ends the register's session (a restart, an idle timeout): the next
    lookup is a RegisterError (exit 2), never an empty answer."""
    with SqlRegister(clean_postgres) as reg:
        assert reg.person("P-00001") is not None
        pid = reg.connection().execute(sa.text("SELECT pg_backend_pid()")).scalar()
        admin = sa.create_engine(clean_postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            # pg_terminate_backend(pid, timeout) waits until the session has ended.
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid, 30000)"),
                                {"pid": pid}).scalar()
        admin.dispose()
        with pytest.raises(RegisterError, match="cannot read the register database"):
            reg.person("P-00002")


# --- batched lookups --------------------------------------------------------------------


def _batch(path: Path, ids: list[str]) -> Path:
    lines = ["recipient_id,name,email,phone,channel"]
    lines += [f"{pid},Resident {i},person{i}@example.org,07700 900{i % 1000:03d},letter"
              for i, pid in enumerate(ids)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count_queries(reg: Register, counter: list[str]) -> None:
    assert isinstance(reg, SqlRegister)

    @sa.event.listens_for(reg.engine, "before_cursor_execute")
    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        counter.append(statement)


def test_queries_are_bounded_by_chunks_not_rows(
    tmp_path: Path, clean_sqlite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5,000 rows for 5,000 different recipients (300 in the register): a handful of
    queries per 500-row chunk, whatever the rules ask about each row."""
    ids = [f"P-{(i % 300) + 1:05d}" if i % 2 else f"P-{50000 + i:05d}" for i in range(5000)]
    batch = _batch(tmp_path / "batch.csv", ids)
    statements: list[str] = []
    registers: list[SqlRegister] = []
    import policylint.engine.runner as runner

    def opened(location: str) -> Register:
        reg = open_register(location)
        assert isinstance(reg, SqlRegister)
        _count_queries(reg, statements)
        registers.append(reg)
        return reg

    monkeypatch.setattr(runner, "open_register", opened)
    request = CheckRequest(
        batches=[batch], register=f"sqlite:///{clean_sqlite}",
        select=["stale-address", "stale-contact", "recipient-mismatch", "handling-flags"],
        today=dt.date(2026, 11, 26))
    outcome = run_check(request)
    assert outcome.summary.rows_checked == 5000
    chunks = 5000 // 500
    # Per chunk: contacts by value, then the five tables by person; plus the schema
    # inspection and one read of contact values for the whole run.
    assert len(statements) <= 10 * chunks + 40, len(statements)
    assert len(statements) < 5000 // 20
    assert registers[0].misses <= 2 * chunks  # neighbours across a chunk edge at most


def test_prefetched_answers_equal_single_lookups(clean_postgres: str,
                                                 clean_tables: Tables) -> None:
    ids = [p["person_id"] for p in clean_tables["people"][:40]] + ["P-77777"]
    keys = {contact_key(c["kind"], c["value"]) for c in clean_tables["contacts"][:80]}
    with SqlRegister(clean_postgres) as single, SqlRegister(clean_postgres) as batched:
        statements: list[str] = []
        _count_queries(batched, statements)
        batched.prefetch(ids, keys, keys)
        assert 0 < len(statements) <= 8  # owners' index, owners, five tables
        for person_id in ids:
            assert batched.person(person_id) == single.person(person_id)
            assert batched.addresses(person_id) == single.addresses(person_id)
            assert batched.contacts(person_id) == single.contacts(person_id)
            assert batched.representatives(person_id) == single.representatives(person_id)
            assert batched.restrictions_for(person_id) == single.restrictions_for(person_id)
        for key in keys:
            for kind in ("email", "phone"):
                assert batched.contact_owners(kind, key) == single.contact_owners(kind, key)
        assert batched.misses == 0 and len(statements) <= 8
        assert single.misses > 5 * len(ids)
        # The previous chunk stays answerable; two chunks on, it is fetched afresh.
        batched.prefetch(["P-00100"])
        assert batched.person(ids[0]) == single.person(ids[0]) and batched.misses == 0
        batched.prefetch(["P-00101"])
        assert batched.person(ids[0]) == single.person(ids[0]) and batched.misses == 1


def test_calls_without_keys_keep_what_was_read_ahead(sql_sqlite: SqlRegister) -> None:
    """The engine calls prefetch once more with no keys after a batch's last row (and
    after each chunk a worker checks): nothing to read, and nothing forgotten."""
    sql_sqlite.prefetch(["P-00001"])
    for _ in range(3):
        sql_sqlite.prefetch((), (), ())
    misses = sql_sqlite.misses
    assert sql_sqlite.person("P-00001") is not None
    assert sql_sqlite.misses == misses


def test_the_cache_holds_two_chunks_whatever_the_batch_size(sql_sqlite: SqlRegister) -> None:
    for start in range(0, 3000, 100):  # thirty chunks of a hundred people
        sql_sqlite.prefetch([f"P-{n:05d}" for n in range(start, start + 100)])
        assert sql_sqlite.person(f"P-{start + 1:05d}") is not None or start + 1 > 300
    held = len(sql_sqlite._current) + len(sql_sqlite._previous)
    assert held <= 2 * 100 * 5 + 10


def test_lookups_without_prefetch_are_bounded_too(sql_sqlite: SqlRegister,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import policylint.io.register.sql as sql

    monkeypatch.setattr(sql, "GENERATION_LIMIT", 50)
    for n in range(1, 301):
        sql_sqlite.addresses(f"P-{n:05d}")
    assert len(sql_sqlite._current) + len(sql_sqlite._previous) <= 2 * 51
    assert sql_sqlite.misses == 300


# --- values that are not text, mapping an existing schema -----------------------------------


def _housing(tables: Tables) -> Tables:
    """The clean register with numeric person ids (a housing system's party_ref)."""
    def number(pid: str) -> str:
        return str(int(pid[2:]) + 1000) if pid.startswith("P-") else pid

    out: Tables = {}
    for table, rows in tables.items():
        out[table] = [
            {k: number(v) if k in ("person_id", "representative_id", "other_person_id")
             else v for k, v in row.items()}
            for row in rows]
    return out


HOUSING_NAMES = {"people": "tenancy_party", "addresses": "party_address"}
HOUSING_COLUMNS = {"people": {"person_id": "party_ref", "family_name": "surname",
                              "date_of_birth": "dob"},
                   "addresses": {"person_id": "party_ref", "postcode": "post_code"}}
HOUSING_TYPES = {("people", "person_id"): "integer", ("people", "date_of_birth"): "date",
                 ("addresses", "person_id"): "bigint", ("addresses", "valid_from"): "date",
                 ("addresses", "verified_on"): "timestamp",
                 ("representatives", "valid_to"): "date"}


@pytest.fixture(scope="session")
def housing(postgres: PostgresServer, clean_tables: Tables,
            tmp_path_factory: pytest.TempPathFactory, kit: Any) -> tuple[str, Path]:
    """The housing register in PostgreSQL (renamed, typed columns; people behind a view)
    and the same rows as a CSV directory."""
    tables = _housing(clean_tables)
    url = postgres.create_database("housing")
    names = dict(HOUSING_NAMES, people="party_base")
    load_tables(url, tables, names=names, columns=HOUSING_COLUMNS, types=HOUSING_TYPES)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE VIEW tenancy_party AS SELECT * FROM party_base"))
    engine.dispose()
    return url, kit.write_register(tmp_path_factory.mktemp("housing") / "register", tables)


def _mapping(**changes: Any) -> RegisterMapping:
    return RegisterMapping(tables=changes.get("tables", HOUSING_NAMES),
                           columns=changes.get("columns", HOUSING_COLUMNS),
                           file=changes.get("file"), line=changes.get("line"),
                           lines=changes.get("lines", {}))


def test_mapped_schema_with_typed_columns_gives_the_same_answers(
    housing: tuple[str, Path], clean_tables: Tables
) -> None:
    url, directory = housing
    csv_register = open_csv_register(directory)
    with SqlRegister(url, _mapping()) as reg:
        ids = [str(1000 + i) for i in range(1, 302)] + ["abc", "01001", "1001.0"]
        reg.prefetch(ids[:150])
        for person_id in ids:
            assert reg.person(person_id) == csv_register.person(person_id), person_id
            assert reg.addresses(person_id) == csv_register.addresses(person_id)
            assert reg.contacts(person_id) == csv_register.contacts(person_id)
            assert reg.representatives(person_id) == csv_register.representatives(person_id)
        person = reg.person("1005")
        assert isinstance(person, Person) and person.date_of_birth is not None
        # A view has no key: its rows come in a fixed order of every column.
        assert sorted(p.person_id for p in reg.people()) == sorted(
            p.person_id for p in csv_register.people())


@pytest.mark.parametrize(("tables", "columns", "expected"), [
    ({"people": "tenancy_party", "addresses": "party_adress"}, HOUSING_COLUMNS,
     "no table or view 'party_adress' (for addresses)"),
    (HOUSING_NAMES, {"people": {"person_id": "party_id"}},
     "no column 'party_id' in table 'tenancy_party' (for people.person_id)"),
    (HOUSING_NAMES, {"people": {"person_id": "party_ref"}},
     "no column 'family_name' in table 'tenancy_party'"),  # not mapped, and not there
])
def test_a_missing_table_or_column_is_named(housing: tuple[str, Path], tables: Any,
                                            columns: Any, expected: str) -> None:
    url, _ = housing
    with pytest.raises(RegisterError) as err:
        SqlRegister(url, _mapping(tables=tables, columns=columns))
    assert expected in str(err.value)


def test_a_mapping_error_points_at_the_policy_line(housing: tuple[str, Path],
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    url, _ = housing
    monkeypatch.setenv("HOUSING_DB", url)
    policy = tmp_path / "policylint.yaml"
    policy.write_text(
        "version: 1\n"
        "register:\n"
        "  url: ${HOUSING_DB}\n"
        "  tables: {people: tenancy_party, addresses: party_address}\n"
        "  columns:\n"
        "    people:\n"
        "      person_id: party_ref\n"
        "      family_name: family\n"
        "      date_of_birth: dob\n"
        "    addresses: {person_id: party_ref, postcode: post_code}\n", encoding="utf-8")
    batch = _batch(tmp_path / "batch.csv", ["1001"])
    result = CliRunner().invoke(cli, ["check", str(batch), "--policy", str(policy),
                                      "--today", TODAY])
    assert result.exit_code == 2, result.output
    assert (f"{policy}, line 8, key 'register.columns.people.family_name': register database "
            in result.output)
    assert "no column 'family' in table 'tenancy_party' (for people.family_name)" in (
        result.output)
    assert "Traceback" not in result.output


def test_a_bad_row_names_the_table_and_column_not_the_value(postgres: PostgresServer,
                                                            clean_tables: Tables) -> None:
    tables = {name: [dict(r) for r in rows] for name, rows in clean_tables.items()}
    tables["addresses"][3]["status"] = "Moved-Away-Secretly"
    url = postgres.create_database("bad_row")
    load_tables(url, tables, names={"addresses": "party_address"},
                columns={"addresses": {"status": "addr_status"}})
    person_id = tables["addresses"][3]["person_id"]
    mapping = _mapping(tables={"addresses": "party_address"},
                       columns={"addresses": {"status": "addr_status"}})
    with SqlRegister(url, mapping) as reg, pytest.raises(RegisterError) as err:
        reg.addresses(person_id)
    line = str(err.value)
    assert "unknown status" in line and "table 'party_address', column 'addr_status'" in line
    assert "Secretly" not in line and person_id not in line


# --- credentials ------------------------------------------------------------------------


def test_mask_url() -> None:
    assert mask_url(f"postgresql://ro:{SECRET}@db/h") == "postgresql://ro:***@db/h"
    assert mask_url(f"postgresql://ro:p@ss{SECRET}@db:5432/h") == "postgresql://ro:***@db:5432/h"
    assert mask_url(f"postgresql://db/h?user=ro&password={SECRET}") == (
        "postgresql://db/h?user=ro&password=***")
    assert mask_url("postgresql://ro@db/h") == "postgresql://ro@db/h"
    assert mask_url("/srv/register") == "/srv/register"


def test_password_from_the_environment_is_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres: PostgresServer
) -> None:
    """A URL whose server refuses the connection: the error names the host, not the
    password, whether the password was written in the URL or came from ${VAR}."""
    bad = f"postgresql+psycopg://ro:{SECRET}@/nodb?host={tmp_path}/nosocket&connect_timeout=2"
    monkeypatch.setenv("REGISTER_PASSWORD", SECRET)
    batch = _batch(tmp_path / "batch.csv", ["P-00001"])
    for register in (bad, bad.replace(SECRET, "${REGISTER_PASSWORD}")):
        for args in (["check", str(batch), "--register", register, "--today", TODAY],
                     ["register", "check", register]):
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 2, result.output
            assert "cannot connect to the register database" in result.output
            if args[0] == "check":  # (`register check` echoes its argument as given)
                assert SECRET not in result.output


def test_an_unset_variable_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLICYLINT_REGISTER_URL", raising=False)
    policy = tmp_path / "policylint.yaml"
    policy.write_text("version: 1\nregister:\n  tables: {people: tenancy_party}\n",
                      encoding="utf-8")
    batch = _batch(tmp_path / "batch.csv", ["P-00001"])
    result = CliRunner().invoke(cli, ["check", str(batch), "--policy", str(policy)])
    assert result.exit_code == 2
    assert "uses ${POLICYLINT_REGISTER_URL}, which is not set" in result.output


def test_url_from_the_environment_variable(tmp_path: Path, clean_sqlite: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYLINT_REGISTER_URL", f"sqlite:///{clean_sqlite}")
    policy = tmp_path / "policylint.yaml"
    policy.write_text("version: 1\nregister: {}\n", encoding="utf-8")
    loaded = load_policy(policy)
    assert isinstance(loaded.register, RegisterLocation)
    assert loaded.register == "${POLICYLINT_REGISTER_URL}"
    reg = open_register(loaded.register)
    try:
        assert isinstance(reg, SqlRegister) and reg.person("P-00003") is not None
    finally:
        reg.close()


def test_policy_forms_of_register(tmp_path: Path, clean_sqlite: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "register.db"
    target.write_bytes(clean_sqlite.read_bytes())
    policy = tmp_path / "policylint.yaml"
    # A relative SQLite path with a mapping: opened by the database backend.
    policy.write_text("version: 1\nregister:\n  url: data/register.db\n"
                      "  tables: {people: people}\n", encoding="utf-8")
    loaded = load_policy(policy)
    assert loaded.register == str(target)
    mapping = getattr(loaded.register, "mapping", None)
    assert isinstance(mapping, RegisterMapping) and mapping.line == 2
    assert mapping.line_of("tables.people") == 4
    reg = open_register(loaded.register)
    assert isinstance(reg, SqlRegister)
    reg.close()
    # ${VAR} in a plain path: expanded when opened, relative to the policy.
    monkeypatch.setenv("REGISTER_DIR", "data")
    policy.write_text("version: 1\nregister: ${REGISTER_DIR}/register.db\n", encoding="utf-8")
    reg = open_register(load_policy(policy).register or "")
    assert isinstance(reg, SqliteRegister) and reg.source == str(target)
    reg.close()
    # A mapping cannot rename a CSV register's files.
    policy.write_text("version: 1\nregister: {url: data, tables: {people: people}}\n",
                      encoding="utf-8")
    with pytest.raises(RegisterError, match="CSV register"):
        open_register(load_policy(policy).register or "")


# --- the same findings, whichever backend ------------------------------------------------


def _findings(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch
              ) -> list[tuple[str, int | None, str, str]]:
    import json

    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(cli, [*args, "--format", "json", "--today", TODAY])
    assert result.exit_code in (0, 1), result.output
    return sorted(((f["rule"], f.get("row"), f["code"], f["message"])
                   for f in json.loads(result.output)["findings"]),
                  key=lambda f: (f[0], f[1] or 0, f[2], f[3]))


@pytest.fixture(scope="session")
def example_postgres(postgres: PostgresServer) -> str:
    from tests.register.postgres import read_csv_register

    url = postgres.create_database("example")
    load_tables(url, read_csv_register(Path(__file__).parents[2] / "examples" / "register"))
    return url


def test_example_gives_the_same_findings_through_every_backend(
    tmp_path: Path, example_postgres: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = Path(__file__).parents[2] / "examples"
    database = tmp_path / "example.db"
    CliRunner().invoke(cli, ["register", "build", str(examples / "register"), "-o",
                             str(database)], catch_exceptions=False)
    base = ["check", "batch.csv", "--policy", "policylint.yaml"]
    expected = _findings(base, examples, monkeypatch)
    assert len({f[0] for f in expected}) >= 5  # every register rule fires in the example
    for url in (f"sqlite:///{database}", example_postgres):
        assert _findings([*base, "--register", url], examples, monkeypatch) == expected, url
    # --jobs forks workers: each opens its own connection, the parent's is left alone.
    assert _findings([*base, "--register", example_postgres, "--jobs", "2"], examples,
                     monkeypatch) == expected
    # Dask workers read the register from the database themselves.
    assert _findings([*base, "--register", example_postgres, "--engine", "dask", "--jobs",
                      "2", "--chunk-rows", "9"], examples, monkeypatch) == expected


def test_example_through_a_mapped_housing_schema(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example register as a housing system keeps it (other table and column names,
    dates as dates, people behind a view), the password in the environment: the policy's
    mapping gives the same findings as the CSV register."""
    from tests.register.postgres import read_csv_register

    examples = Path(__file__).parents[2] / "examples"
    url = postgres.create_database("example_housing")
    names = {"people": "party_base", "addresses": "party_address",
             "contacts": "party_contact", "representatives": "party_agent"}
    columns = {"people": {"person_id": "party_ref", "family_name": "surname"},
               "addresses": {"person_id": "party_ref", "postcode": "post_code"},
               "contacts": {"value": "contact_value"}}
    types = {("people", "date_of_birth"): "date", ("addresses", "valid_to"): "date",
             ("addresses", "verified_on"): "date"}
    load_tables(url, read_csv_register(examples / "register"), names=names, columns=columns,
                types=types)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE VIEW tenancy_party AS SELECT * FROM party_base"))
        conn.execute(sa.text("CREATE ROLE policylint_ro LOGIN PASSWORD 'unused'"))
        conn.execute(sa.text("GRANT SELECT ON tenancy_party, party_address, party_contact, "
                             "restrictions, party_agent TO policylint_ro"))
    engine.dispose()
    host = url.split("@", 1)[1]
    monkeypatch.setenv("HOUSING_PASSWORD", SECRET)
    policy = tmp_path / "policylint.yaml"
    policy.write_text(
        f"version: 1\nextends: [{examples / 'policylint.yaml'}]\n"
        "register:\n"
        f"  url: postgresql+psycopg://policylint_ro:${{HOUSING_PASSWORD}}@{host}\n"
        "  tables: {people: tenancy_party, addresses: party_address, contacts: party_contact,"
        " representatives: party_agent}\n"
        "  columns:\n"
        "    people: {person_id: party_ref, family_name: surname}\n"
        "    addresses: {person_id: party_ref, postcode: post_code}\n"
        "    contacts: {value: contact_value}\n", encoding="utf-8")
    expected = _findings(["check", "batch.csv", "--policy", "policylint.yaml"], examples,
                         monkeypatch)
    assert _findings(["check", "batch.csv", "--policy", str(policy)], examples,
                     monkeypatch) == expected


def test_row_shift_scenario_through_postgresql(postgres: PostgresServer,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.register.postgres import read_csv_register

    scenario = Path(__file__).parents[1] / "scenarios" / "s04_print_run_one_row_out"
    url = postgres.create_database("s04")
    load_tables(url, read_csv_register(scenario / "register"))
    base = ["check", "batch.csv", "--policy", "policylint.yaml"]
    expected = _findings(base, scenario, monkeypatch)
    assert any(f[2] == "column-shift" for f in expected)
    assert _findings([*base, "--register", url], scenario, monkeypatch) == expected


def test_register_check_command_works_on_a_database(example_postgres: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    examples = Path(__file__).parents[2] / "examples"
    runner = CliRunner()
    by_csv = runner.invoke(cli, ["register", "check", str(examples / "register"),
                                 "--today", TODAY])
    by_url = runner.invoke(cli, ["register", "check", example_postgres, "--today", TODAY])
    assert by_url.exit_code == by_csv.exit_code
    strip = str(examples / "register")
    assert by_url.output.replace(example_postgres, "R") == by_csv.output.replace(strip, "R")


def test_a_register_sent_to_another_process_reopens_itself(
    housing: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pickled (as for a worker process), a database register is its location and mapping;
    the copy connects afresh, reading ${VAR} from its own environment."""
    import pickle

    url, _ = housing
    monkeypatch.setenv("HOUSING_URL", url)
    original = open_register(RegisterLocation("${HOUSING_URL}", _mapping()))
    try:
        data = pickle.dumps(original)
        assert url.encode() not in data  # the expanded URL (and any password) stays here
        copy = pickle.loads(data)
        try:
            assert isinstance(copy, SqlRegister) and copy is not original
            assert copy.person("1007") == original.person("1007") is not None
        finally:
            copy.close()
    finally:
        original.close()


def test_memory_register_needs_no_prefetch() -> None:
    reg = MemoryRegister({"people": []})
    assert not isinstance(reg, Prefetching)
