"""A throwaway PostgreSQL server for the tests, and loading a register into a database.

:func:`start_postgres` runs the machine's own ``initdb`` and ``pg_ctl`` (Debian's
``/usr/lib/postgresql/<version>/bin``, ``pg_config --bindir``, or ``PATH``) on a
fresh data directory, listening only on a Unix socket in that directory. initdb
refuses to run as root, so as root the server runs as the ``postgres`` user
(else ``nobody``) through ``runuser``. It returns the reason when no server can
be started, and the tests that need one are skipped with that reason.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from policylint.io.register.base import ALL_COLUMNS

Tables = Mapping[str, Sequence[Mapping[str, str]]]


def _bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                        key=lambda p: [int(x) for x in Path(p).parent.name.split(".")
                                       if x.isdigit()], reverse=True)
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                               timeout=10, check=True).stdout.strip()
        candidates.append(found)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for candidate in candidates:
        path = Path(candidate)
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    return None


def _free_port() -> int:
    # The server listens on a Unix socket only, but its socket file and shared
    # memory are named after the port: give each server (one per xdist worker) its own.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    bindir: Path
    directory: Path  # holds data/ and the socket
    port: int
    run_as: str | None  # the unprivileged user the server runs as (when we are root)

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@/{database}?host={self.directory}&port={self.port}"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False)

    def start(self) -> str | None:
        """Start the server; None on success, else why it could not start."""
        data = self.directory / "data"
        made = self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust",
                         "-E", "UTF8", "--locale=C", "--no-sync")
        if made.returncode != 0:
            return f"initdb failed: {_tail(made.stderr)}"
        options = (f"-k {self.directory} -p {self.port} -c listen_addresses='' -F "
                   "-c max_connections=20 -c shared_buffers=16MB")
        started = self._run("pg_ctl", "-D", str(data), "-o", options, "-w", "-t", "60",
                            "-l", str(self.directory / "server.log"), "start", timeout=90)
        if started.returncode != 0:
            log = self.directory / "server.log"
            detail = log.read_text(errors="replace") if log.exists() else started.stderr
            return f"pg_ctl start failed: {_tail(detail)}"
        return None

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL (for the superuser ``postgres``)."""
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-3:]) or "no output"


def start_postgres() -> PostgresServer | str:
    """A running server, or the reason none could be started."""
    try:
        import psycopg  # noqa: F401
        import sqlalchemy  # noqa: F401
    except ImportError as exc:
        return f"the sql extra is not installed ({exc.name}): pip install -e '.[test]'"
    bindir = _bindir()
    if bindir is None:
        return ("no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin, "
                "pg_config --bindir or PATH")
    run_as: str | None = None
    owner = None
    if os.geteuid() == 0:
        for name in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                owner = pwd.getpwnam(name)
                run_as = name
                break
        if run_as is None or shutil.which("runuser") is None:
            return "running as root without a postgres/nobody user and runuser for initdb"
    directory = Path(tempfile.mkdtemp(prefix="policylint-pg-"))
    if owner is not None:
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    directory.chmod(0o755)
    server = PostgresServer(bindir, directory, _free_port(), run_as)
    try:
        problem = server.start()
    except (OSError, subprocess.SubprocessError) as exc:
        problem = f"{type(exc).__name__}: {exc}"
    if problem is not None:
        server.stop()
        return problem
    return server


def load_tables(url: str, tables: Tables, *, names: Mapping[str, str] | None = None,
                columns: Mapping[str, Mapping[str, str]] | None = None,
                types: Mapping[tuple[str, str], str] | None = None,
                order_key: bool = True, indexes: bool = True) -> None:
    """Create the register tables in the database at ``url`` and insert ``tables``.

    ``names``/``columns`` rename tables and columns (as a council's schema would);
    ``types`` gives a column an SQL type other than text (``("people", "date_of_birth"):
    "date"``); ``order_key`` adds a serial primary key, so rows keep the order given;
    ``indexes`` indexes person_id (and contacts' value), as a council's database would.
    """
    import sqlalchemy as sa

    names = names or {}
    columns = columns or {}
    types = types or {}
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for table, rows in tables.items():
                rename = columns.get(table, {})
                actual = names.get(table, table)
                defs = ["row_id serial PRIMARY KEY"] if order_key else []
                for column in ALL_COLUMNS[table]:
                    kind = types.get((table, column), "text")
                    defs.append(f'"{rename.get(column, column)}" {kind}')
                conn.execute(sa.text(f'CREATE TABLE "{actual}" ({", ".join(defs)})'))
                for column in ("person_id", "value") if indexes else ():
                    if column in ALL_COLUMNS[table]:
                        name = rename.get(column, column)
                        conn.execute(sa.text(
                            f'CREATE INDEX "{actual}_{name}" ON "{actual}" ("{name}")'))
                if not rows:
                    continue
                cols = [rename.get(c, c) for c in ALL_COLUMNS[table]]
                marks = ", ".join(
                    f"CAST(:c{i} AS {types.get((table, c), 'text')})"
                    for i, c in enumerate(ALL_COLUMNS[table]))
                quoted = ", ".join(f'"{c}"' for c in cols)
                statement = sa.text(f'INSERT INTO "{actual}" ({quoted}) VALUES ({marks})')
                conn.execute(statement, [
                    {f"c{i}": (row.get(c) or None) if (table, c) in types else row.get(c, "")
                     for i, c in enumerate(ALL_COLUMNS[table])}
                    for row in rows])
    finally:
        engine.dispose()


def read_csv_register(directory: Path) -> dict[str, list[dict[str, str]]]:
    """A register directory's tables as rows (column -> text), as written."""
    import csv

    tables: dict[str, list[dict[str, str]]] = {}
    for table in ALL_COLUMNS:
        path = directory / f"{table}.csv"
        if path.exists():
            with open(path, newline="", encoding="utf-8-sig") as stream:
                tables[table] = [dict(row) for row in csv.DictReader(stream)]
    return tables
