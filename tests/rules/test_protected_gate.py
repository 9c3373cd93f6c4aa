"""protected-address settles the neighbour's letter without normalising it.

A letter to someone at the same postcode as a protected person, or at "12 High
Street" when she lives at "2 High Street", holds an anchor of her fingerprints;
the rule decides from who the item reaches and the recipient's own addresses
that none of them can be a finding, and must find exactly what the full search
finds whatever the item holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.engine.rule import Case
from policylint.io.register.memory import MemoryRegister
from policylint.masking import render_message
from policylint.model import Violation
from policylint.rules import protected_address
from policylint.rules._protected_index import ProtectedIndex, gate_fold, whole_numbers
from policylint.rules.protected_address import DO_NOT_DISCLOSE, PROTECTED_DETAIL, ProtectedAddress
from policylint.testing import codes, run_case

TODAY = date(2026, 11, 26)


def _person(pid: str, given: str, family: str) -> dict[str, str]:
    return {"person_id": pid, "title": "", "given_name": given, "family_name": family,
            "status": "active"}


def _address(pid: str, *lines: str, postcode: str) -> dict[str, str]:
    row = {"person_id": pid, "postcode": postcode, "status": "current"}
    row.update({f"line_{i}": line for i, line in enumerate(lines, start=1)})
    return row


REGISTER: dict[str, list[dict[str, str]]] = {
    "people": [
        _person("G-1", "Nadia", "Okoro"),     # confidential: 2 High Street
        _person("G-2", "Alan", "Price"),      # 12 High Street, the same postcode
        _person("G-3", "Beth", "Lowe"),       # Flat 1, 22 High Street, the same postcode
        _person("G-4", "Carl", "Dunn"),       # 2 High Street in another town
        _person("G-5", "Dev", "Shah"),        # G-1 must not be disclosed to him
        _person("G-6", "Erin", "Okoro"),      # lives with G-1
    ],
    "addresses": [
        _address("G-1", "2 High Street", "Fenmarsh", postcode="PE39 1QX"),
        _address("G-2", "12 High Street", "Fenmarsh", postcode="PE39 1QX"),
        _address("G-3", "Flat 1", "22 High Street", "Fenmarsh", postcode="PE39 1QX"),
        _address("G-4", "2 High Street", "Wexbridge", postcode="PE42 1FZ"),
        _address("G-5", "7 Mill Row", "Fenmarsh", postcode="PE39 2AB"),
        _address("G-6", "2 High Street", "Fenmarsh", postcode="PE39 1QX"),
    ],
    "contacts": [],
    "restrictions": [
        {"person_id": "G-1", "kind": "confidential_address", "other_person_id": ""},
        {"person_id": "G-1", "kind": "do_not_disclose_to", "other_person_id": "G-5"},
    ],
    "representatives": [],
}
HOMES = {"G-1": ("2 High Street", "Fenmarsh", "PE39 1QX"),
         "G-2": ("12 High Street", "Fenmarsh", "PE39 1QX"),
         "G-3": ("Flat 1, 22 High Street", "Fenmarsh", "PE39 1QX"),
         "G-4": ("2 High Street", "Wexbridge", "PE42 1FZ"),
         "G-5": ("7 Mill Row", "Fenmarsh", "PE39 2AB"),
         "G-6": ("2 High Street", "Fenmarsh", "PE39 1QX")}
LETTER = ("---\nname: t\nchannel: letter\n---\nDear {{ name }},\n{{ address_line_1 }}\n"
          "{{ address_line_2 }}\n{{ postcode }}\n{{ note }}\nYours, the Council (£12.50)\n")


def letter(pid: str, note: str = "", home: Sequence[str] | None = None) -> dict[str, str]:
    line_1, line_2, postcode = home if home is not None else HOMES[pid]
    return {"recipient_id": pid, "name": "A Person", "channel": "letter",
            "address_line_1": line_1, "address_line_2": line_2, "postcode": postcode,
            "note": note}


def check(rows: Sequence[Mapping[str, str]]) -> list[Violation]:
    return run_case(ProtectedAddress, Case(rows=rows, template=LETTER, register=REGISTER),
                    today=TODAY)


@contextmanager
def counting_searches() -> Iterator[list[int]]:
    """How many times the full search normalised a text."""
    calls = [0]
    original = protected_address._Source.prepare

    def prepare(self: protected_address._Source, *args: object, **kwargs: object) -> None:
        calls[0] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    protected_address._Source.prepare = prepare  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        protected_address._Source.prepare = original  # type: ignore[method-assign]


# --- must not flag, settled without the full search ---------------------------------------


@pytest.mark.parametrize("pid", ["G-2", "G-3", "G-4"])
def test_a_neighbours_own_letter_is_settled_without_searching(pid: str) -> None:
    with counting_searches() as searches:
        assert check([letter(pid, "Your bill is enclosed.")]) == []
    assert searches == [0]


# --- must flag: the gate never settles what the search would find --------------------------


def test_her_address_in_a_neighbours_letter_is_found() -> None:
    with counting_searches() as searches:
        found = check([letter("G-2", "Please contact your neighbour at 2 High Street.")])
    assert codes(found) == [PROTECTED_DETAIL]
    assert searches[0] > 0


def test_her_postcode_and_number_to_the_person_she_is_protected_from_are_found() -> None:
    found = check([letter("G-5", "Ms Okoro, 2 High Street, PE39 1QX")])
    assert DO_NOT_DISCLOSE in codes(found)


def test_a_letter_posted_to_her_home_for_someone_else_is_not_settled_by_the_postcode() -> None:
    # G-4 lives at 2 High Street in Wexbridge; the letter goes to her Fenmarsh home,
    # which is no address of his: her own postcode there is not his to carry.
    row = letter("G-4", "", home=HOMES["G-1"])
    with counting_searches() as searches:
        found = check([row])
    assert searches[0] > 0
    assert codes(found) == [PROTECTED_DETAIL]
    assert _keys(found) == _full_search([row])


# --- whole numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "numbers"), [
    ("12 High Street", {"12"}),
    ("Flat 1, 2 High St", {"1", "2"}),
    ("£12.50 by 21 December", {"12", "50", "21"}),
    ("no.7\x1f14–16 Mill Row", {"7", "14", "16"}),
    ("", set()),
])
def test_whole_numbers_are_every_run_of_digits(text: str, numbers: set[str]) -> None:
    assert whole_numbers(text) == numbers


@pytest.mark.parametrize("text", ["12½ High Street", "Flat ²", "Zoë at 2 High Street"])
def test_text_that_may_normalise_into_digits_has_no_answer(text: str) -> None:
    assert whole_numbers(text) is None


# --- the settled item is the full search's -------------------------------------------------


def _keys(found: list[Violation]) -> list[tuple[str, str, str | None, str]]:
    return sorted((v.code, v.fingerprint_extra, v.column, render_message(v, True))
                  for v in found)


def _full_search(rows: Sequence[Mapping[str, str]]) -> list[tuple[str, str, str | None, str]]:
    ProtectedAddress.gate = False
    try:
        return _keys(check(rows))
    finally:
        ProtectedAddress.gate = True


NOTES = ("2 High Street", "12 High Street", "22 High Street", "Flat 1", "Flat 2", "PE39 1QX",
         "pe391qx", "Fenmarsh", "Wexbridge", "PE42 1FZ", "2", "12", "1/2", "½", "£2", "no. 2",
         "High St", "HIGH ST.", "2A", "2 - 4", "7 Mill Row", "Okoro", "—", "’")
SEPARATORS = (" ", ", ", "\n", "", "; ", " – ")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    recipient=st.sampled_from(sorted(HOMES)),
    home=st.sampled_from(sorted(HOMES)),
    parts=st.lists(st.tuples(st.sampled_from(NOTES), st.sampled_from(SEPARATORS)),
                   max_size=8),
)
def test_the_gate_finds_what_the_full_search_finds(recipient: str, home: str,
                                                   parts: list[tuple[str, str]]) -> None:
    row = letter(recipient, "".join(piece + sep for piece, sep in parts), home=HOMES[home])
    assert _keys(check([row])) == _full_search([row])


# --- one automaton asks the three gates at once ------------------------------------------


def _index(emails: Sequence[str], phones: Sequence[str]) -> ProtectedIndex:
    tables = {name: [dict(row) for row in rows] for name, rows in REGISTER.items()}
    tables["contacts"] = [
        {"person_id": "G-1", "kind": "email", "value": value, "status": "current"}
        for value in emails] + [
        {"person_id": "G-1", "kind": "phone", "value": value, "status": "current"}
        for value in phones]
    return ProtectedIndex.build(MemoryRegister(tables, source="<test>"), TODAY, 0)


@pytest.mark.parametrize(("emails", "phones"), [
    (["nadia.okoro@example.org"], ["07700 900123"]),      # every detail has a folded piece
    (["nadia.okoro@exämple.org"], ["07700 900123"]),      # an e-mail that is not ASCII
    (["nadia.okoro@example.org"], ["+1 202 555 0143"]),   # a phone with no UK number
])
def test_the_gates_pass_every_text_holding_a_detail(emails: list[str], phones: list[str]
                                                    ) -> None:
    index = _index(emails, phones)
    holding = [f"Write to {emails[0].upper()} today", f"call {phones[0].replace(' ', '-')}",
               "Flat 1, 2 High Street", "Fenmarsh PE391QX"]
    for text in holding:
        assert index.may_hold_anything(text, gate_fold(text)), text
    nothing = "Your council tax bill for 2026 is enclosed (account CT-40010117)."
    # A number that is not a UK one has no national number to look for: every text is
    # searched for it.
    uk = phones[0].startswith("0")
    assert index.may_hold_anything(nothing, gate_fold(nothing)) is not uk
