"""stale-contact: an email, text or voicemail to a contact the recipient no longer uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from policylint.engine.rule import Case, Example, Item, Need, Rule, RunContext
from policylint.io.register.base import Contact
from policylint.model import Personal, PersonalKind, Severity, Violation
from policylint.normalise.contact import contact_key
from policylint.rules._stale import (
    COMMON_OPTIONS,
    deceased_violation,
    lookup_person,
    person_label,
    staleness,
)

# channel -> (register contact kind, batch role, what is sent, what the value is)
_CHANNELS: dict[str, tuple[str, str, str, str]] = {
    "email": ("email", "email", "email", "email address"),
    "sms": ("phone", "phone", "text message", "phone number"),
    "voicemail": ("phone", "phone", "voicemail", "phone number"),
}
_PERSONAL_KIND = {"email": PersonalKind.EMAIL, "phone": PersonalKind.PHONE}
# Status precedence when one value is on the record more than once.
_STATUS_ORDER = {"current": 0, "previous": 1, "invalid": 2}

_PEOPLE = [
    {"person_id": "P-1", "title": "Mrs", "given_name": "Sian", "family_name": "Okafor",
     "date_of_birth": "1980-02-03", "status": "active", "flags": ""},
]
_CONTACTS = [
    {"person_id": "P-1", "kind": "email", "value": "sian.okafor@example.org",
     "status": "current", "verified_on": "2026-01-05"},
    {"person_id": "P-1", "kind": "email", "value": "s.okafor@old-employer.example.com",
     "status": "previous", "verified_on": "2022-08-30"},
    {"person_id": "P-1", "kind": "phone", "value": "07700 900123", "status": "current",
     "verified_on": "2026-06-12"},
    {"person_id": "P-1", "kind": "phone", "value": "07700 900456", "status": "invalid",
     "verified_on": "2025-02-01"},
]


class StaleContact(Rule):
    """An email, text message or voicemail going to a contact that is not the recipient's
    current one in the register.

    The row's email address (for an ``email``) or phone number (for an ``sms``
    or a ``voicemail``) is compared with the contacts the register holds for
    the recipient. Emails compare case-insensitively; phone numbers compare in
    E.164 form, so ``07700 900123``, ``+44 7700 900123`` and ``0044 7700
    900 123`` are the same number.

    An email to an address someone stopped using, or a voicemail on a number
    they gave up, delivers their personal data to whoever has it now: ICO
    leaflet point 10 ("keep your records up to date") names exactly this.

    Codes:

    * **previous-contact** (error): the register marks the email or number
      ``previous``; the message says when it was replaced.
    * **invalid-contact** (error): the register marks it ``invalid`` (an email
      that bounced, a number that is not in service).
    * **unknown-contact** (error): it is not among the person's contacts at
      all. (If it belongs to someone else, recipient-mismatch says so.)
    * **deceased** (error): the person is recorded as deceased.
    * **unverified-contact** (warning): current, but last verified more than
      ``max_age_days`` ago, or never (``require_verified``).
    * **unknown-recipient** (``unknown_recipient_severity``, default warning):
      the recipient_id is not in the register.

    An empty or unreadable email or phone number is contact-validity's to
    report; an empty recipient_id is merge-integrity's.

    Options: ``max_age_days`` (default 365), ``require_verified`` (default
    true), ``unknown_recipient_severity`` (error, warning or info; default
    warning).

    **Anti-pattern**: the batch still holds the work email Mrs Okafor left
    behind when she changed jobs::

        recipient_id,channel,email
        P-1,email,s.okafor@old-employer.example.com

    **Best practice**: take contact details from the register on the day of
    the mailing; the same number or address written differently is fine::

        recipient_id,channel,email,phone
        P-1,email,Sian.Okafor@example.org,
        P-1,sms,,+44 7700 900123
    """

    name: ClassVar[str] = "stale-contact"
    summary: ClassVar[str] = (
        "Emails, texts and voicemails to a contact that is not the recipient's current one:"
        " previous, invalid, unknown or unverified; recipient deceased or not in the register."
    )
    default_severity: ClassVar[Severity] = Severity.ERROR
    options_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "properties": dict(COMMON_OPTIONS),
        "additionalProperties": False,
    }
    needs: ClassVar[frozenset[Need]] = frozenset({"row", "register"})
    row_independent: ClassVar[bool] = True
    channels: ClassVar[frozenset[str] | None] = frozenset(_CHANNELS)
    examples: ClassVar[tuple[Example, ...]] = (
        Example(
            title="An email to the address the person stopped using",
            bad=Case(
                rows=[{"recipient_id": "P-1", "channel": "email",
                       "email": "s.okafor@old-employer.example.com"}],
                register={"people": _PEOPLE, "contacts": _CONTACTS},
                expect=["previous-contact"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "channel": "email",
                       "email": "Sian.Okafor@example.org"}],
                register={"people": _PEOPLE, "contacts": _CONTACTS},
            ),
        ),
        Example(
            title="A text to a number the register marks invalid",
            bad=Case(
                rows=[{"recipient_id": "P-1", "channel": "sms", "phone": "07700 900456"}],
                register={"people": _PEOPLE, "contacts": _CONTACTS},
                expect=["invalid-contact"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "channel": "sms", "phone": "+44 7700 900123"}],
                register={"people": _PEOPLE, "contacts": _CONTACTS},
            ),
        ),
        Example(
            title="A voicemail on a number that is not on the person's record",
            bad=Case(
                rows=[{"recipient_id": "P-1", "channel": "voicemail",
                       "phone": "07700 900789"}],
                register={"people": _PEOPLE, "contacts": _CONTACTS},
                expect=["unknown-contact"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "channel": "voicemail",
                       "phone": "07700900123"}],
                register={"people": _PEOPLE, "contacts": _CONTACTS},
            ),
        ),
        Example(
            title="A number nobody has confirmed for years",
            bad=Case(
                rows=[{"recipient_id": "P-1", "channel": "sms", "phone": "07700 900123"}],
                register={"people": _PEOPLE, "contacts": [
                    {**_CONTACTS[2], "verified_on": "2023-04-18"}]},
                expect=["unverified-contact"],
            ),
            good=Case(
                rows=[{"recipient_id": "P-1", "channel": "sms", "phone": "07700 900123"}],
                register={"people": _PEOPLE, "contacts": [_CONTACTS[2]]},
            ),
        ),
    )

    def __init__(self, options: Mapping[str, Any], context: RunContext) -> None:
        super().__init__(options, context)
        self._max_age = int(self.options["max_age_days"])
        self._require_verified = bool(self.options["require_verified"])
        self._unknown_severity = Severity.parse(str(self.options["unknown_recipient_severity"]))

    def check_item(self, item: Item) -> Iterator[Violation]:
        register = self.context.register
        spec = _CHANNELS.get(item.channel or "")
        if register is None or spec is None or not item.recipient_id:
            return
        kind, role, sending, what = spec
        value = item.role(role)
        key = contact_key(kind, value) if value else ""
        if not key:
            return  # empty or unreadable: contact-validity reports it
        person, unknown = lookup_person(register, item, self._unknown_severity, what)
        if person is None:
            if unknown is not None:
                yield unknown
            return
        if person.status == "deceased":
            yield deceased_violation(person, item, sending)
            return
        same_kind = [c for c in register.contacts(person.person_id) if c.kind == kind]
        matched = [c for c in same_kind if contact_key(kind, c.value) == key]
        column = item.fields.header(role)
        values = {"name": person_label(person),
                  "value": Personal(_PERSONAL_KIND[kind], value)}
        facts: dict[str, object] = {"sending": sending, "what": what}
        if not matched:
            yield Violation(
                code="unknown-contact",
                message=(
                    "The {what} {value} is not on {name}'s record in the register"
                    + ("" if same_kind else " (the register has no {what} for them at all)")
                    + ": check it is theirs before sending this {sending}, and record it in"
                    " the register if it is."
                ),
                values=values, facts=facts, column=column,
            )
            return
        contact = min(matched, key=lambda c: (_STATUS_ORDER.get(c.status, 3), _newest_first(c)))
        if contact.status == "current":
            reason = staleness(contact.verified_on, self.context.today, self._max_age,
                               self._require_verified)
            if reason is not None:
                yield Violation(
                    code="unverified-contact",
                    message=(
                        "The {what} {value} is {name}'s current one in the register, but"
                        " {reason}. Confirm it with them before sending this {sending}, and"
                        " record the date."
                    ),
                    values=values, facts={**facts, "reason": reason}, column=column,
                    severity=Severity.WARNING,
                )
            return
        if contact.status == "previous":
            yield self._previous(same_kind, kind, sending, values, facts, column)
            return
        yield Violation(
            code="invalid-contact",
            message=(
                "The register marks the {what} {value} as invalid for {name} ({why}):"
                " this {sending} will not reach them. Use a current contact from the register."
            ),
            values=values, column=column,
            facts={**facts, "why": "for example it bounced" if kind == "email"
                   else "for example it is not in service"},
        )

    def _previous(self, same_kind: list[Contact], kind: str, sending: str,
                  values: Mapping[str, Personal], facts: Mapping[str, object],
                  column: str | None) -> Violation:
        dated = [c.verified_on for c in same_kind
                 if c.status == "current" and c.verified_on is not None]
        replaced = (f"it was replaced on {max(dated).isoformat()}" if dated
                    else "it is marked previous in the register")
        has_current = any(c.status == "current" for c in same_kind)
        advice = (f"Send it to their current {facts['what']} from the register instead."
                  if has_current else
                  f"The register has no current {facts['what']} for them: confirm how to"
                  " reach them first.")
        where = "an address" if kind == "email" else "a number"
        warning = (" A message left there may be heard by whoever has the number now."
                   if sending == "voicemail" else "")
        return Violation(
            code="previous-contact",
            message=(
                "This {sending} goes to {where} {name} stopped using ({value}); {replaced}."
                "{warning} {advice}"
            ),
            values=values,
            facts={**facts, "where": where, "replaced": replaced, "advice": advice,
                   "warning": warning},
            column=column,
        )


def _newest_first(contact: Contact) -> int:
    day = contact.verified_on or dt.date.min
    return -day.toordinal()
