"""Tell a database register which people a chunk of rows is about, before the rules ask.

A register behind a network connection answers a thousand questions slowly and
one question about a thousand people quickly. :func:`prefetched` reads rows
ahead in chunks, collects every key the rules may look up for them (recipient
and subject ids, the e-mail addresses and phone numbers the rows hold, in the
register's normalised form) and hands them to the register's optional
``prefetch`` (:class:`~policylint.io.register.base.Prefetching`) before
yielding the rows one by one, unchanged and in order, and once more with no
keys after the last row. A register without ``prefetch`` (CSV) gets the rows
straight through.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from policylint.engine.rule import FieldMap
from policylint.io.register.base import Prefetching, Register
from policylint.model import Row
from policylint.normalise.contact import email_key, phone_key

__all__ = ["CHUNK_ROWS", "chunk_keys", "prefetched"]

#: Rows per chunk: one chunk costs a database register a handful of queries.
CHUNK_ROWS = 500

_ID_ROLES = ("recipient_id", "subject_id")


def chunk_keys(rows: Iterable[Row], fields: FieldMap
               ) -> tuple[set[str], set[str], set[str]]:
    """(person ids, normalised e-mail addresses, E.164 phone numbers) of ``rows``."""
    id_headers = [h for role in _ID_ROLES if (h := fields.header(role))]
    email_header = fields.header("email")
    phone_header = fields.header("phone")
    people: set[str] = set()
    emails: set[str] = set()
    phones: set[str] = set()
    for row in rows:
        values = row.values
        for header in id_headers:
            if value := values.get(header, "").strip():
                people.add(value)
        if email_header and (value := values.get(email_header, "").strip()):
            emails.add(email_key(value))
        if phone_header and (value := values.get(phone_header, "").strip()):
            phones.add(phone_key(value))
    emails.discard("")
    phones.discard("")
    return people, emails, phones


def prefetched(rows: Iterable[Row], register: Register | None, fields: FieldMap,
               chunk_rows: int = CHUNK_ROWS) -> Iterator[Row]:
    """``rows`` unchanged, with ``register.prefetch`` called once per chunk ahead of them."""
    if register is None or not isinstance(register, Prefetching):
        yield from rows
        return
    source = iter(rows)
    read = False
    while chunk := list(islice(source, chunk_rows)):
        read = True
        people, emails, phones = chunk_keys(chunk, fields)
        register.prefetch(people, emails, phones)
        yield from chunk
    if read:
        # Once more, with no keys, after the last row: the rows since the last
        # read-ahead were answered from it, and a register damaged meanwhile must stop
        # the run as a look-up would have (SqliteRegister checks it still reads).
        register.prefetch((), (), ())
