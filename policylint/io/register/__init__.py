"""Register backends: a directory of CSV files, or an SQLite file (DESIGN §1).

:func:`open_register` picks the backend from what is at the location; the
``policylint_open_register`` hook implementation below makes the built-in
backends a plugin like any other, leaving URLs (``scheme://...``) and
registers with a tables/columns mapping to plugins that understand them (the
database backend, :mod:`policylint.io.register.sql`, is one).
"""

from __future__ import annotations

from pathlib import Path

from policylint.errors import RegisterError
from policylint.hookspecs import hookimpl
from policylint.io.register.base import Register
from policylint.io.register.location import expand, mapping_of, mask_url

SQLITE_MAGIC = b"SQLite format 3\x00"

__all__ = ["SQLITE_MAGIC", "Register", "open_register", "policylint_open_register"]


def open_register(location: str | Path) -> Register:
    """Open the register at ``location``: a directory of CSV files or an SQLite file.

    Raises :class:`RegisterError` (one line naming the location) when nothing is
    there, or when it is neither a directory nor an SQLite file.
    """
    if isinstance(location, str) and "://" in location:
        raise RegisterError(
            "register URLs are opened by the database backend (policylint.io.register.sql); "
            "here give a directory of CSV files or an SQLite file",
            file=mask_url(location),
        )
    path = Path(location)
    if path.is_dir():
        from policylint.io.register.csvdir import open_csv_register

        return open_csv_register(path)
    if not path.exists():
        raise RegisterError("register not found", file=str(path))
    try:
        with open(path, "rb") as stream:
            magic = stream.read(len(SQLITE_MAGIC))
    except OSError as err:
        raise RegisterError(f"cannot read register: {err.strerror or err}", file=str(path)
                            ) from None
    if magic == SQLITE_MAGIC:
        from policylint.io.register.sqlite import SqliteRegister

        return SqliteRegister(path)
    hint = " (give the directory that holds it)" if path.suffix.lower() == ".csv" else ""
    raise RegisterError(
        f"not a register: expected a directory of CSV files or an SQLite file{hint}",
        file=str(path),
    )


@hookimpl
def policylint_open_register(location: str) -> Register | None:
    """The built-in backends: paths only; ``scheme://`` locations and registers with a
    tables/columns mapping are left to other plugins. ``${VAR}`` is expanded first."""
    if mapping_of(location) is not None:
        return None
    path = expand(location)
    if "://" in path:
        return None
    return open_register(path)
