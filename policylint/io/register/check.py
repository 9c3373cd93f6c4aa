"""Consistency checks on a register itself (``policylint register check``).

A register that contradicts itself makes every batch check against it weaker:
two records for one person split their history, two current addresses make
"is this the current address?" ambiguous, a restriction naming nobody protects
nobody. These checks report such problems; messages carry counts, column names
and dates of moves, never names, addresses or contact details.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from policylint.io.register.base import (
    Address,
    Contact,
    Person,
    Register,
    Representative,
)
from policylint.normalise.contact import contact_key


@dataclass(frozen=True)
class RegisterProblem:
    """One inconsistency in a register.

    ``code`` is stable (``duplicate-person``, ``multiple-current-addresses``,
    ``current-address-ended``, ``unknown-person``, ``shared-contact``);
    ``person_id`` is the record the problem is filed against.
    """

    code: str
    message: str
    table: str
    person_id: str


@runtime_checkable
class TableScans(Protocol):
    """Whole-table scans; the built-in backends have them, others are asked per person."""

    def all_addresses(self) -> Iterator[Address]: ...

    def all_contacts(self) -> Iterator[Contact]: ...

    def all_representatives(self) -> Iterator[Representative]: ...


def name_key(text: str) -> str:
    """Names compared for duplicates: accents, case, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(
        ch if ch.isalnum() else " "
        for ch in decomposed
        if not unicodedata.combining(ch) and ch not in "'’"
    )
    return " ".join(letters.casefold().split())


def _scan_addresses(register: Register, people: list[Person]) -> Iterator[Address]:
    if isinstance(register, TableScans):
        return register.all_addresses()
    return (a for p in people for a in register.addresses(p.person_id))


def _scan_contacts(register: Register, people: list[Person]) -> Iterator[Contact]:
    if isinstance(register, TableScans):
        return register.all_contacts()
    return (c for p in people for c in register.contacts(p.person_id))


def _scan_representatives(register: Register, people: list[Person]
                          ) -> Iterator[Representative]:
    if isinstance(register, TableScans):
        return register.all_representatives()
    return (r for p in people for r in register.representatives(p.person_id))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def check_register(register: Register, today: dt.date) -> list[RegisterProblem]:
    """Every inconsistency found in ``register``, sorted by table, person_id and code."""
    people = list(register.people())
    known = {p.person_id for p in people}
    problems: list[RegisterProblem] = []
    problems += _duplicate_people(people)
    problems += _address_problems(_scan_addresses(register, people), known, today)
    problems += _contact_problems(_scan_contacts(register, people), known)
    problems += _restriction_problems(register, known)
    problems += _representative_problems(_scan_representatives(register, people), known)
    return sorted(problems, key=lambda p: (p.table, p.person_id, p.code, p.message))


def _duplicate_people(people: list[Person]) -> Iterator[RegisterProblem]:
    groups: dict[tuple[str, str, dt.date], list[str]] = {}
    for person in people:
        if person.date_of_birth is None:
            continue
        given, family = name_key(person.given_name), name_key(person.family_name)
        if not (given or family):
            continue
        groups.setdefault((given, family, person.date_of_birth), []).append(person.person_id)
    for ids in groups.values():
        if len(ids) < 2:
            continue
        for person_id in ids:
            others = len(ids) - 1
            yield RegisterProblem(
                "duplicate-person",
                f"same name and date of birth as {_plural(others, 'other person')} "
                "with a different person_id",
                "people",
                person_id,
            )


def _unknown(table: str, column: str, person_id: str) -> RegisterProblem:
    return RegisterProblem(
        "unknown-person", f"{column} names no person in the people table", table, person_id
    )


def _address_problems(
    addresses: Iterator[Address], known: set[str], today: dt.date
) -> Iterator[RegisterProblem]:
    current: dict[str, int] = {}
    unknown: set[str] = set()
    for address in addresses:
        if address.person_id not in known:
            unknown.add(address.person_id)
        if address.status != "current":
            continue
        current[address.person_id] = current.get(address.person_id, 0) + 1
        if address.valid_to is not None and address.valid_to < today:
            yield RegisterProblem(
                "current-address-ended",
                f"current address has valid_to {address.valid_to.isoformat()}, in the past",
                "addresses",
                address.person_id,
            )
    for person_id, count in current.items():
        if count > 1:
            yield RegisterProblem(
                "multiple-current-addresses",
                f"{count} current addresses (a person has at most one)",
                "addresses",
                person_id,
            )
    for person_id in unknown:
        yield _unknown("addresses", "person_id", person_id)


def _contact_problems(contacts: Iterator[Contact], known: set[str]
                      ) -> Iterator[RegisterProblem]:
    claims: dict[tuple[str, str], set[str]] = {}
    unknown: set[str] = set()
    for contact in contacts:
        if contact.person_id not in known:
            unknown.add(contact.person_id)
        if contact.status != "current":
            continue
        key = contact_key(contact.kind, contact.value)
        if key:
            claims.setdefault((contact.kind, key), set()).add(contact.person_id)
    for (kind, _), owners in claims.items():
        if len(owners) < 2:
            continue
        for person_id in owners:
            others = len(owners) - 1
            yield RegisterProblem(
                "shared-contact",
                f"current {kind} is also current for {_plural(others, 'other person')}",
                "contacts",
                person_id,
            )
    for person_id in unknown:
        yield _unknown("contacts", "person_id", person_id)


def _restriction_problems(register: Register, known: set[str]) -> Iterator[RegisterProblem]:
    reported: set[tuple[str, str]] = set()
    for restriction in register.restrictions():
        for column, value in (
            ("person_id", restriction.person_id),
            ("other_person_id", restriction.other_person_id),
        ):
            if value and value not in known and (column, restriction.person_id) not in reported:
                reported.add((column, restriction.person_id))
                yield _unknown("restrictions", column, restriction.person_id)


def _representative_problems(
    representatives: Iterator[Representative], known: set[str]
) -> Iterator[RegisterProblem]:
    reported: set[tuple[str, str]] = set()
    for link in representatives:
        for column, value in (
            ("person_id", link.person_id),
            ("representative_id", link.representative_id),
        ):
            if value not in known and (column, link.person_id) not in reported:
                reported.add((column, link.person_id))
                yield _unknown("representatives", column, link.person_id)
