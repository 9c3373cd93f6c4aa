"""Register backends: a directory of CSV files, or an SQLite file (DESIGN §1).

:func:`open_register` picks the backend from what is at the location; the
``policylint_open_register`` hook implementation below makes the built-in
backends a plugin like any other, leaving URLs (``scheme://...``) to plugins
that understand them.
"""

from __future__ import annotations

from pathlib import Path

from policylint.errors import RegisterError
from policylint.hookspecs import hookimpl
from policylint.io.register.base import Register

SQLITE_MAGIC = b"SQLite format 3\x00"

__all__ = ["SQLITE_MAGIC", "Register", "open_register", "policylint_open_register"]


def open_register(location: str | Path) -> Register:
    """Open the register at ``location``: a directory of CSV files or an SQLite file.

    Raises :class:`RegisterError` (one line naming the location) when nothing is
    there, or when it is neither a directory nor an SQLite file.
    """
    if isinstance(location, str) and "://" in location:
        raise RegisterError(
            "register URLs need a plugin that understands them; "
            "give a directory of CSV files or an SQLite file",
            file=location,
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
    """The built-in backends: paths only; ``scheme://`` locations are left to other plugins."""
    if "://" in location:
        return None
    return open_register(location)
