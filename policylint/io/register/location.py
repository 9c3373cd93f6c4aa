"""Where a register is: a path or a database URL, an optional schema mapping, credentials.

A policy's ``register:`` is either a plain string (a CSV directory, an SQLite
file or an SQLAlchemy URL) or a mapping::

    register:
      url: postgresql://policylint_ro:${REGISTER_PASSWORD}@db.internal/housing
      tables: {people: tenancy_party, addresses: party_address}
      columns: {people: {person_id: party_ref, family_name: surname}}

Both become a :class:`RegisterLocation`: a ``str`` (so it travels through the
engine and the ``policylint_open_register`` hook like any location) that also
carries the :class:`RegisterMapping`. ``${VAR}`` is expanded only when the
register is opened (:func:`expand`), so a password kept in the environment is
never part of the loaded policy, and :func:`mask_url` hides the password of a
URL in everything shown to a user.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from policylint.errors import RegisterError

__all__ = [
    "ENV_URL",
    "RegisterLocation",
    "RegisterMapping",
    "expand",
    "is_url",
    "mask_url",
    "scrub",
]

#: The environment variable a policy's ``register: {url: ...}`` defaults to.
ENV_URL = "POLICYLINT_REGISTER_URL"

_EMPTY: Mapping[str, str] = MappingProxyType({})
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# scheme://[user[:password]@]rest; the scheme as SQLAlchemy writes it (dialect+driver).
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9.+-]*)://")
_CREDENTIALS = re.compile(r"^([A-Za-z][A-Za-z0-9.+-]*://)([^/@?#]*?):([^/?#]*)@")


@dataclass(frozen=True)
class RegisterMapping:
    """Names of the DESIGN tables and columns in an existing database.

    ``tables`` maps a DESIGN table (``people``) to the database's table or view
    (``tenancy_party``, or ``housing.tenancy_party`` with its schema);
    ``columns`` maps a DESIGN table to {DESIGN column: database column}. What
    is not mapped keeps its DESIGN name. ``file``/``line`` name where the
    policy wrote ``register:`` and ``lines`` the line of each mapped name
    (``columns.people.person_id``), for error messages.
    """

    tables: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    columns: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    file: str | None = None
    line: int | None = None
    lines: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def line_of(self, key: str) -> int | None:
        """The policy line of ``tables.people`` or ``columns.people.person_id``."""
        return self.lines.get(key, self.line)

    def table(self, name: str) -> str:
        return self.tables.get(name, name)

    def column(self, table: str, name: str) -> str:
        return self.columns.get(table, _EMPTY).get(name, name)

    def __reduce__(self) -> tuple[object, ...]:  # read-only views do not pickle; dicts do
        return (_mapping, (dict(self.tables), {t: dict(c) for t, c in self.columns.items()},
                           self.file, self.line, dict(self.lines)))

    def mapped(self, table: str, column: str | None = None) -> bool:
        """Whether the policy named this table (or this column of it) explicitly."""
        if column is None:
            return table in self.tables
        return column in self.columns.get(table, _EMPTY)


def _mapping(tables: dict[str, str], columns: dict[str, dict[str, str]], file: str | None,
             line: int | None, lines: dict[str, int]) -> RegisterMapping:
    return RegisterMapping(MappingProxyType(tables),
                           MappingProxyType({t: MappingProxyType(c) for t, c in columns.items()}),
                           file, line, MappingProxyType(lines))


class RegisterLocation(str):
    """A register location (path or URL, ``${VAR}`` not yet expanded) with its mapping.

    ``base`` is the directory a relative path resolves against once ``${VAR}``
    is expanded (the policy file's directory).
    """

    mapping: RegisterMapping | None
    base: str | None

    def __new__(cls, value: str, mapping: RegisterMapping | None = None,
                base: str | None = None) -> RegisterLocation:
        self = super().__new__(cls, value)
        self.mapping = mapping
        self.base = base
        return self

    def __reduce__(self) -> tuple[object, ...]:  # survives pickling (--jobs, caches)
        return (RegisterLocation, (str(self), self.mapping, self.base))


def mapping_of(location: str) -> RegisterMapping | None:
    return location.mapping if isinstance(location, RegisterLocation) else None


def is_url(location: str) -> bool:
    """``scheme://...`` (a database URL) rather than a path."""
    return _URL.match(location) is not None


def expand(location: str) -> str:
    """``location`` with every ``${VAR}`` replaced by the environment's value.

    A variable that is not set is a :class:`RegisterError` naming the
    variable (never its value). A relative path that came from a policy
    resolves against the policy's directory.
    """
    missing: list[str] = []

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = os.environ.get(name)
        if found is None:
            missing.append(name)
            return ""
        return found

    text = _VAR.sub(value, str(location))
    if missing:
        hint = (" (it holds the register's database URL)" if missing[0] == ENV_URL
                else "")
        raise RegisterError(
            f"the register location uses ${{{missing[0]}}}, which is not set in the "
            f"environment{hint}", file=mask_url(str(location)))
    base = location.base if isinstance(location, RegisterLocation) else None
    if base and text != str(location) and not is_url(text):
        text = os.path.normpath(os.path.join(base, os.path.expanduser(text)))
    return text


def mask_url(text: str) -> str:
    """``postgresql://user:secret@host/db`` -> ``postgresql://user:***@host/db``.

    Also masks ``password=...`` given as a query parameter. Paths come back as they are.
    """
    if not is_url(text):
        return text
    masked = _CREDENTIALS.sub(lambda m: f"{m.group(1)}{m.group(2)}:***@", text, count=1)
    return re.sub(r"(?i)([?&](?:password|passwd|pwd)=)[^&#]*", r"\1***", masked)


def passwords_in(url: str) -> list[str]:
    """The password of ``url`` as written and percent-decoded (for :func:`scrub`)."""
    found: list[str] = []
    match = _CREDENTIALS.match(url)
    if match and match.group(3):
        found.append(match.group(3))
    for name, value in urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query):
        if name.lower() in ("password", "passwd", "pwd") and value:
            found.append(value)
    out: list[str] = []
    for secret in found:
        for form in (secret, urllib.parse.unquote(secret)):
            if form and form not in out:
                out.append(form)
    return sorted(out, key=len, reverse=True)


def scrub(message: str, url: str) -> str:
    """``message`` (a driver's error text) with the URL's password, if any, masked."""
    for secret in passwords_in(url):
        message = message.replace(secret, "***")
    return message
