"""stale-address: a letter to an address that is not the recipient's current one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from policylint.engine.rule import ADDRESS_ROLES, Case, Example, Item, Need, Rule, RunContext
from policylint.io.register.base import Address, Person, Register
from policylint.model import Personal, PersonalKind, Severity, Violation
from policylint.normalise.address import (
    AddressKey,
    address_key,
    same_address,
    written_as,
    written_form,
)
from policylint.normalise.postcode import postcode_key
from policylint.rules._stale import (
    COMMON_OPTIONS,
    date_text,
    deceased_violation,
    lookup_person,
    person_label,
    staleness,
)

# People whose register addresses are kept normalised; a batch usually holds a
# recipient's rows together, so a small cache catches the repeats.
ADDRESS_CACHE_SIZE = 4096

_PEOPLE = [
    {"person_id": "P-1", "title": "Mrs", "given_name": "Sian", "family_name": "Okafor",
     "date_of_birth": "1980-02-03", "status": "active", "flags": ""},
]
_MOVED = [
    {"person_id": "P-1", "line_1": "4 Mill Lane", "line_2": "Kings Fenmarsh",
     "postcode": "PE30 4AB", "status": "current", "valid_from": "2025-03-14", "valid_to": "",
     "verified_on": "2026-10-01"},
    {"person_id": "P-1", "line_1": "27 Station Road", "line_2": "Kings Fenmarsh",
     "postcode": "PE30 2XY", "status": "previous", "valid_from": "2019-06-01",
     "valid_to": "2025-03-14", "verified_on": "2024-05-02"},
]
_FLAT = [
    {"person_id": "P-2", "line_1": "Flat 2", "line_2": "10 High Street", "line_3": "Kings Lynn",
     "postcode": "PE30 1AB", "status": "current", "valid_from": "2023-01-09", "valid_to": "",
     "verified_on": "2026-09-15"},
]
_ANNEXE = [
    {"person_id": "P-3", "line_1": "The Annexe", "line_2": "40 Holt Road", "line_3": "Cromer",
     "postcode": "NR27 9JW", "status": "current", "valid_from": "2024-05-01", "valid_to": "",
     "verified_on": "2026-08-03"},
]
_PERSON_3 = {"person_id": "P-3", "title": "Mr", "given_name": "Peter", "family_name": "Gotts",
             "date_of_birth": "1946-08-30", "status": "active", "flags": ""}
_PERSON_2 = {"person_id": "P-2", "title": "Mr", "given_name": "Tomasz", "family_name": "Nowak",
             "date_of_birth": "1975-11-20", "status": "active", "flags": ""}


def _letter(recipient: str, *lines: str) -> dict[str, str]:
    row = {"recipient_id": recipient, "channel": "letter"}
    row.update({f"address_line_{i}": line for i, line in enumerate(lines, start=1)})
    return row


class StaleAddress(Rule):
    """A letter going to an address that is not the recipient's current address in the register.

    The letter's address (the batch's address lines and postcode) is compared
    with every address the register holds for the recipient. The postcode and
    every dwelling identifier must be the same: house and flat numbers (``12A``
    is not ``12``, ``12½`` is not ``12``, ``10 High St`` is not ``Flat 2, 10 High
    St``), Scottish tenement positions (``3F2`` is not ``2F3``, ``2/1`` is not
    ``1/2``), floors (``Ground Floor Flat`` is not ``First Floor Flat`` nor the
    whole house; ``GFF`` is ``Ground Floor Flat``), and annexes and rear units
    (``The Annexe, 40 Holt Road`` is not ``40 Holt Road``). Only the wording of
    street and town is compared fuzzily (``St``/``Street``, ``Rd``/``Road``,
    ``Kings Lynn``/``King's Lynn``, case, commas and line breaks do not matter).
    A first line naming the addressee (``Mrs S Okafor``, the GOV.UK Notify
    habit) is left out of the comparison.

    A letter to someone's old address is the breach ICO leaflet point 10
    ("keep your records up to date") names; double-checking the recipient
    before sending is point 1. For a person with a confidential address it is
    the worst case: the old address may be where the person they fled lives.

    Codes:

    * **previous-address** (error): the address is one the register marks
      ``previous``. The message says when the person moved and, for a person
      with a ``confidential_address`` restriction, that the letter may reach
      the person they fled.
    * **gone-away** (error): the register marks the address ``gone_away``.
    * **unknown-address** (error): the address is none of the person's
      register addresses (a different house number at the same postcode, a
      missing flat number, a typo in the postcode...).
    * **no-current-address** (error): the register has no current address for
      the person, so no letter address can be confirmed.
    * **deceased** (error): the person is recorded as deceased (reported
      whatever the address).
    * **unverified-address** (warning): the current address was last verified
      more than ``max_age_days`` ago, or never (``require_verified``).
    * **unknown-recipient** (``unknown_recipient_severity``, default warning):
      the recipient_id is not in the register.

    Applies to letters, and to rows with address lines and no channel. A letter
    with no address lines, or an empty recipient_id, is left to contact-validity
    and merge-integrity.

    Options: ``max_age_days`` (default 365), ``require_verified`` (default
    true), ``unknown_recipient_severity`` (error, warning or info; default
    warning), ``address_threshold`` (0-100, default 85: how alike the street
    and town wording must be).

    **Anti-pattern**: the batch was exported before Mrs Okafor's move was
    recorded, so her letter goes to her old address::

        recipient_id,channel,address_line_1,address_line_2,address_line_3,postcode
        P-1,letter,Mrs S Okafor,27 Station Road,Kings Fenmarsh,PE30 2XY

    **Best practice**: take the address from the register on the day of the
    mailing; the same address written differently is fine::

        recipient_id,channel,address_line_1,address_line_2,address_line_3,postcode
        P-1,letter,Mrs S Okafor,4 Mill Ln,KINGS FENMARSH,pe30 4ab
    """

    name: ClassVar[str] = "stale-address"
    summary: ClassVar[str] = (
        "Letters to an address that is not the recipient's current register address:"
        " previous, gone away, unknown or unverified; recipient deceased or not in the register."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": {
            **COMMON_OPTIONS,
            "address_threshold": {
                "type": "number", "minimum": 0, "maximum": 100, "default": 85,
                "description": "How alike (0-100) the street and town wording must be for two"
                               " addresses with the same postcode and numbers to be the same.",
            },
        },
        "additionalProperties": False,
    }
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "register"})
    row_independent: ClassVar[bool] = True
    examples: ClassVar[tuple[Example, ...]] = (
        Example(
            title="A letter to the address the person moved away from",
            bad=Case(
                rows=[_letter("P-1", "Mrs S Okafor", "27 Station Road", "Kings Fenmarsh",
                              "PE30 2XY")],
                register={"people": _PEOPLE, "addresses": _MOVED},
                expect=["previous-address"],
            ),
            good=Case(
                rows=[_letter("P-1", "Mrs S Okafor", "4 Mill Ln", "KINGS FENMARSH",
                              "pe30 4ab")],
                register={"people": _PEOPLE, "addresses": _MOVED},
            ),
        ),
        Example(
            title="The flat number is missing: the letter goes to the whole building",
            bad=Case(
                rows=[_letter("P-2", "Mr T Nowak", "10 High Street", "Kings Lynn", "PE30 1AB")],
                register={"people": [_PERSON_2], "addresses": _FLAT},
                expect=["unknown-address"],
            ),
            good=Case(
                rows=[_letter("P-2", "Tomasz Nowak", "Flat 2, 10 High St", "Kings Lynn",
                              "PE30 1AB")],
                register={"people": [_PERSON_2], "addresses": _FLAT},
            ),
        ),
        Example(
            title="Another dwelling at the same number: the house, not its annexe",
            bad=Case(
                rows=[_letter("P-3", "Mr P Gotts", "40 Holt Road", "Cromer", "NR27 9JW")],
                register={"people": [_PERSON_3], "addresses": _ANNEXE},
                expect=["unknown-address"],
            ),
            good=Case(
                rows=[_letter("P-3", "Mr P Gotts", "Annexe, 40 Holt Rd", "CROMER", "NR27 9JW")],
                register={"people": [_PERSON_3], "addresses": _ANNEXE},
            ),
        ),
        Example(
            title="A letter to someone the register records as deceased",
            bad=Case(
                rows=[_letter("P-2", "Mr T Nowak", "Flat 2", "10 High Street", "PE30 1AB")],
                register={"people": [{**_PERSON_2, "status": "deceased"}], "addresses": _FLAT},
                expect=["deceased"],
            ),
            good=Case(
                rows=[_letter("P-2", "Mr T Nowak", "Flat 2", "10 High Street", "PE30 1AB")],
                register={"people": [_PERSON_2], "addresses": _FLAT},
            ),
        ),
        Example(
            title="A current address nobody has confirmed for years",
            bad=Case(
                rows=[_letter("P-2", "Mr T Nowak", "Flat 2", "10 High Street", "PE30 1AB")],
                register={"people": [_PERSON_2],
                          "addresses": [{**_FLAT[0], "verified_on": "2023-01-09"}]},
                expect=["unverified-address"],
            ),
            good=Case(
                rows=[_letter("P-2", "Mr T Nowak", "Flat 2", "10 High Street", "PE30 1AB")],
                register={"people": [_PERSON_2], "addresses": _FLAT},
            ),
        ),
    )

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._max_age = int(self.options["max_age_days"])
        self._require_verified = bool(self.options["require_verified"])
        self._unknown_severity = Severity.parse(str(self.options["unknown_recipient_severity"]))
        self._threshold = float(self.options["address_threshold"])
        self._register_keys = functools.lru_cache(maxsize=ADDRESS_CACHE_SIZE)(
            self._compute_register_keys)

    # --- register side (cached per person) ------------------------------------------

    def _compute_register_keys(self, person_id: str) -> tuple[_RegisterAddress, ...]:
        register = self.context.register
        assert register is not None
        return tuple(_RegisterAddress(address) for address in register.addresses(person_id))

    # --- entry point -------------------------------------------------------------

    def check_item(self, item: Item) -> Iterator[Violation]:
        register = self.context.register
        lines = item.address_lines
        if register is None or not lines or not item.recipient_id:
            return
        if item.channel not in ("letter", None):
            return
        person, unknown = lookup_person(register, item, self._unknown_severity, "address")
        if person is None:
            if unknown is not None:
                yield unknown
            return
        if person.status == "deceased":
            yield deceased_violation(person, item, "letter")
            return
        names = _addressee_names(person, item.role("name"))
        keyed = self._register_keys(person.person_id)
        current = self._exactly_current(lines, names, keyed)
        if current is not None:  # the usual case, settled without keying either side
            yield from self._check_verified(item, person, current)
            return
        batch_key = address_key(lines, "", names)
        yield from self._compare(register, item, person, lines, batch_key, keyed)

    def _exactly_current(self, lines: Sequence[str], names: Sequence[str],
                         keyed: Sequence[_RegisterAddress]) -> Address | None:
        """The person's one current address, when the letter's lines are it as written
        (after an addressee line, if any): then comparing keys could only agree."""
        if self._threshold > 100:
            return None  # nothing matches, not even the same text
        current = [entry for entry in keyed if entry.address.status == "current"]
        if len(current) != 1:
            return None  # which of two matches is newer is _compare's to judge
        form = current[0].form()
        if form is None or not written_as(lines, form, names):
            return None
        return current[0].address

    def _check_verified(self, item: Item, person: Person, address: Address
                        ) -> Iterator[Violation]:
        reason = staleness(address.verified_on, self.context.today, self._max_age,
                           self._require_verified)
        if reason is None:
            return
        yield Violation(
            code="unverified-address",
            message=(
                "The letter goes to {name}'s current address in the register, but"
                " {reason}. Confirm the address with them (or another trusted"
                " source) and record the date it was verified."
            ),
            values={"name": person_label(person)},
            facts={"reason": reason, "max_age_days": self._max_age},
            column=_address_column(item),
            severity=Severity.WARNING,
        )

    def _compare(
        self,
        register: Register,
        item: Item,
        person: Person,
        lines: Sequence[str],
        batch_key: AddressKey,
        keyed: Sequence[_RegisterAddress],
    ) -> Iterator[Violation]:
        matched = [entry.address for entry in keyed
                   if entry.may_match(batch_key)
                   and same_address(batch_key, entry.key(), self._threshold)]
        matched_current = [a for a in matched if a.status == "current"]
        if matched_current:  # nothing else is needed to judge it
            yield from self._check_verified(item, person, max(matched_current, key=_recency))
            return
        current = [entry.address for entry in keyed if entry.address.status == "current"]
        column = _address_column(item)
        name = person_label(person)
        protected = any(r.kind == "confidential_address"
                        for r in register.restrictions_for(person.person_id))
        newest = max(current, key=_recency) if current else None
        previous = [a for a in matched if a.status == "previous"]
        if previous:
            old = max(previous, key=_recency)
            yield self._previous(old, newest, name, protected, column)
            return
        if any(a.status == "gone_away" for a in matched):
            yield self._gone_away(newest, name, protected, column)
            return
        protected_note = (
            " {name} has a confidential address: a letter to an address that is not on"
            " their record may reach someone they must be protected from." if protected else ""
        )
        if newest is None:
            yield Violation(
                code="no-current-address",
                message=(
                    "The register has no current address for {name}, and the letter's address"
                    " ({address}) is not one of their recorded addresses, so it cannot be"
                    " confirmed."
                    + protected_note
                    + " Confirm where they live and update the register before sending."
                ),
                values={"name": name, "address": _written(lines)},
                column=column,
            )
            return
        yield Violation(
            code="unknown-address",
            message=(
                "The letter's address ({address}) is not one of {name}'s addresses in the"
                " register{hint}."
                + protected_note
                + " Use their current address from the register, or correct the register"
                " if they have told you of a move."
            ),
            values={"name": name, "address": _written(lines)},
            facts={"hint": _difference_hint(batch_key, keyed, self._threshold)},
            column=column,
        )

    def _previous(self, old: Address, newest: Address | None, name: Personal,
                  protected: bool, column: str | None) -> Violation:
        moved_on = old.valid_to or (newest.valid_from if newest is not None else None)
        moved = f"on {moved_on.isoformat()}" if moved_on else "(the register does not say when)"
        facts = {"moved": moved, "moved_on": date_text(moved_on), "current": _current_note(newest)}
        if protected:
            return Violation(
                code="previous-address",
                message=(
                    "{name} has a confidential address and moved away from this address: a"
                    " letter here may reach the person they fled. They moved {moved}. Do not"
                    " send it here; use only the current address in the register."
                ),
                values={"name": name},
                facts=facts,
                column=column,
            )
        return Violation(
            code="previous-address",
            message=(
                "The letter goes to {name}'s previous address; they moved {moved}. {current}"
                " — update the batch from the register before sending."
            ),
            values={"name": name},
            facts=facts,
            column=column,
        )

    def _gone_away(self, newest: Address | None, name: Personal, protected: bool,
                   column: str | None) -> Violation:
        if protected:
            return Violation(
                code="gone-away",
                message=(
                    "{name} has a confidential address and is recorded as gone away from this"
                    " address: a letter here may reach the person they fled. Do not send it"
                    " here; use only the current address in the register."
                ),
                values={"name": name},
                column=column,
            )
        return Violation(
            code="gone-away",
            message=(
                "The register marks this address 'gone away': {name} no longer lives there."
                " {current} — update the batch from the register before sending."
            ),
            values={"name": name},
            facts={"current": _current_note(newest)},
            column=column,
        )


class _RegisterAddress:
    """A register address with its key, normalised only when a batch address could match it.

    A batch address whose postcode differs from the register's can never be the
    same place, so most previous addresses are never normalised at all.
    """

    __slots__ = ("_form", "_key", "address", "postcode")

    def __init__(self, address: Address) -> None:
        self.address = address
        self.postcode = postcode_key(address.postcode) if address.postcode.strip() else ""
        self._key: AddressKey | None = None
        self._form: tuple[str, ...] | None = None  # not worked out yet; () for none

    def form(self) -> tuple[str, ...] | None:
        """The address as a batch would print it (:func:`written_form`)."""
        if self._form is None:
            self._form = written_form(self.address.lines, self.address.postcode) or ()
        return self._form or None

    def may_match(self, batch: AddressKey) -> bool:
        return not (batch.postcode and self.postcode and batch.postcode != self.postcode)

    def key(self) -> AddressKey:
        if self._key is None:
            self._key = address_key(self.address.lines, self.address.postcode)
        return self._key


def _written(lines: Sequence[str]) -> Personal:
    return Personal(PersonalKind.ADDRESS, ", ".join(lines))


def _addressee_names(person: Person, batch_name: str) -> tuple[str, ...]:
    names: list[str] = []
    if person.full_name:
        names.append(person.full_name)
    if batch_name:
        names.append(batch_name)
    return tuple(names)


def _address_column(item: Item) -> str | None:
    for role in (*ADDRESS_ROLES, "postcode"):
        header = item.fields.header(role)
        if header is not None:
            return header
    return None


def _recency(address: Address) -> tuple[dt.date, dt.date]:
    return (address.valid_from or dt.date.min, address.verified_on or dt.date.min)


def _current_note(current: Address | None) -> str:
    if current is None:
        return "The register has no current address for them"
    if current.verified_on is None:
        return "Their current address has no verification date"
    return f"Their current address is verified ({current.verified_on.isoformat()})"


def _difference_hint(batch: AddressKey, keyed: Sequence[_RegisterAddress],
                     threshold: float) -> str:
    """How the address differs from a current one (no personal data), or ``""``."""
    current = [entry for entry in keyed if entry.address.status == "current"]
    for entry in current:
        if not batch.postcode or not entry.may_match(batch):
            continue
        key = entry.key()
        if key.postcode != batch.postcode:
            continue
        if sorted(key.numbers) != sorted(batch.numbers) or (
            key.units and batch.units and sorted(key.units) != sorted(batch.units)
        ):
            return (": the postcode is that of their current address, but the house or flat"
                    " number is not")
        if key.dwelling != batch.dwelling:
            return (": the house number and postcode are those of their current address, but"
                    " it names another dwelling there (a different floor, or the annexe, rear"
                    " or main part of the property)")
        return ": the postcode is that of their current address, but the street is not"
    no_postcode = dataclasses.replace(batch, postcode="")
    for entry in current:
        if same_address(no_postcode, entry.key(), threshold):
            return (": the house and street are those of their current address, but the"
                    " postcode is not")
    return ""
