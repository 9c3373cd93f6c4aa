"""The number a voicemail is left on: the person's current, recently verified one, and
not for a person who asked for no voicemails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence

from policylint.engine.rule import Item
from policylint.io.register.base import Contact, Person, Register
from policylint.model import Personal, PersonalKind, Severity, Violation
from policylint.normalise.contact import contact_key
from policylint.rules.voicemail_content.identifiers import quick_uk
from policylint.rules.voicemail_content.text import NON_DIGIT_RE

_STATUS_ORDER = {"current": 0, "previous": 1, "invalid": 2}


def person_label(person: Person) -> Personal:
    name = " ".join(p for p in (person.title, person.given_name, person.family_name) if p)
    if name:
        return Personal(PersonalKind.NAME, name)
    return Personal(PersonalKind.IDENTIFIER, person.person_id)


def same_number(phone: str, contacts: Sequence[Contact]) -> list[Contact]:
    """The contacts holding ``phone``, however either is written."""
    quick = quick_uk(phone)
    if quick:
        matched = [c for c in contacts if quick_uk(c.value) == quick]
        if matched:
            return matched
    key = contact_key("phone", phone)
    if not key:
        digits = NON_DIGIT_RE.sub("", phone)
        return [c for c in contacts if NON_DIGIT_RE.sub("", c.value) == digits]
    return [c for c in contacts if contact_key("phone", c.value) == key]


def check_number(register: Register, item: Item, person: Person | None, today: dt.date,
                 max_age: int) -> Iterator[Violation]:
    phone = item.role("phone")
    column = item.fields.header("phone")
    if person is None:
        yield Violation(
            code="unknown-recipient",
            message=("The recipient_id is not in the register, so nobody can tell whether"
                     + (" the number {phone}" if phone else " the number")
                     + " is still theirs. Correct the recipient_id or add the person to"
                     " the register before leaving a voicemail."),
            values={"phone": Personal(PersonalKind.PHONE, phone)} if phone else {},
            column=item.fields.header("recipient_id"),
            severity=Severity.WARNING,
        )
        return
    label = person_label(person)
    if "no_voicemail" in person.flags:
        yield Violation(
            code="no-voicemail",
            message=("{name} has asked not to be left voicemails (register flag"
                     " no_voicemail): do not leave this message. Contact them the way their"
                     " record says."),
            values={"name": label},
            column=item.fields.header("recipient_id"),
        )
    if not NON_DIGIT_RE.sub("", phone):
        return  # no number: contact-validity reports it
    phones = [c for c in register.contacts(person.person_id) if c.kind == "phone"]
    matched = same_number(phone, phones)
    values = {"name": label, "phone": Personal(PersonalKind.PHONE, phone)}
    current = sorted((c for c in phones if c.status == "current"),
                     key=lambda c: c.verified_on or dt.date.min, reverse=True)
    if not matched or all(c.status != "current" for c in matched):
        yield _not_current(matched, current, values, column)
        return
    contact = next(c for c in matched if c.status == "current")
    verified = contact.verified_on
    if verified is not None and (today - verified).days <= max_age:
        return
    if verified is None:
        when = "the register has no date it was last verified"
    else:
        age = (today - verified).days
        when = (f"it was last verified on {verified.isoformat()}, {age} days ago"
                f" (the policy allows {max_age})")
    yield Violation(
        code="unverified-number",
        message=("The voicemail goes to {phone}, {name}'s current number in the register,"
                 " but {when}. A voicemail is heard by whoever has the phone now: confirm"
                 " the number with them before leaving a message, and record the date."),
        values=values, facts={"when": when}, column=column,
    )


def _not_current(matched: list[Contact], current: list[Contact],
                 values: Mapping[str, Personal], column: str | None) -> Violation:
    if matched:
        status = min(matched, key=lambda c: _STATUS_ORDER.get(c.status, 3)).status
        state = ("a number {name} no longer uses (marked previous in the register)"
                 if status == "previous" else
                 "a number the register marks invalid for {name}")
    else:
        state = "a number that is not on {name}'s record in the register"
    all_values = dict(values)
    if current:
        advice = " Use their current number, {current}, if it was verified recently."
        all_values["current"] = Personal(PersonalKind.PHONE, current[0].value)
    else:
        advice = " The register has no current number for them: confirm one first."
    return Violation(
        code="not-current-number",
        message=("The voicemail goes to {phone}, " + state + ". A voicemail on an old"
                 " number is exactly the incident in the ICO leaflet: whoever has the"
                 " number now hears the message." + advice),
        values=all_values, column=column,
    )
