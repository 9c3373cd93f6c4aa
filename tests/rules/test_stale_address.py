"""stale-address: letters that must be flagged and letters that must not, side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest

from policylint.engine.rule import Case, FieldMap, Item, RunContext
from policylint.io.register.memory import MemoryRegister
from policylint.masking import render_message
from policylint.model import Row, Severity, Violation
from policylint.normalise.address import address_key
from policylint.rules.stale_address import StaleAddress
from policylint.testing import codes, run_case

Table = list[dict[str, str]]


def person(pid: str, title: str, given: str, family: str, status: str = "active") -> dict[str, str]:
    return {"person_id": pid, "title": title, "given_name": given, "family_name": family,
            "date_of_birth": "1980-02-03", "status": status, "flags": ""}


def address(pid: str, *lines: str, postcode: str, status: str = "current",
            valid_from: str = "", valid_to: str = "", verified_on: str = "2026-10-01"
            ) -> dict[str, str]:
    row = {"person_id": pid, "postcode": postcode, "status": status, "valid_from": valid_from,
           "valid_to": valid_to, "verified_on": verified_on}
    row.update({f"line_{i}": line for i, line in enumerate(lines, start=1)})
    return row


PEOPLE: Table = [
    person("P-1", "Mrs", "Sian", "Okafor"),
    person("P-2", "Mr", "Tomasz", "Nowak"),
    person("P-3", "Ms", "Priya", "Raman"),
    person("P-4", "Mr", "Gareth", "Pryce"),
    person("P-5", "Miss", "Hannah", "Lloyd"),
]
ADDRESSES: Table = [
    # P-1 moved on 2025-03-14 from Station Road to Mill Lane.
    address("P-1", "4 Mill Lane", "Kings Fenmarsh", postcode="PE30 4AB",
            valid_from="2025-03-14", verified_on="2026-02-01"),
    address("P-1", "27 Station Road", "Kings Fenmarsh", postcode="PE30 2XY",
            status="previous", valid_from="2019-06-01", valid_to="2025-03-14",
            verified_on="2024-05-02"),
    # P-2 lives in a flat.
    address("P-2", "Flat 2", "10 High Street", "Kings Lynn", postcode="PE30 1AB",
            valid_from="2023-01-09", verified_on="2026-09-15"),
    # P-3 and P-4 share a house (a household: each is addressed on their own).
    address("P-3", "12A Church Road", "Downham Market", postcode="PE38 9QT",
            valid_from="2021-04-01", verified_on="2026-07-07"),
    address("P-4", "12A Church Road", "Downham Market", postcode="PE38 9QT",
            valid_from="2021-04-01", verified_on="2026-07-07"),
    # P-5: letters to the old address came back.
    address("P-5", "8 Orchard Close", "Hunstanton", postcode="PE36 6JR",
            status="gone_away", valid_from="2018-02-01", verified_on="2022-01-10"),
    address("P-5", "31 Lynn Road", "Hunstanton", postcode="PE36 5HY",
            valid_from="2024-08-01", verified_on="2026-08-20"),
]
REGISTER: dict[str, Sequence[Mapping[str, str]]] = {"people": PEOPLE, "addresses": ADDRESSES}


def letter(recipient: str, *lines: str, postcode: str = "", **extra: str) -> dict[str, str]:
    row = {"recipient_id": recipient, "channel": "letter"}
    row.update({f"address_line_{i}": line for i, line in enumerate(lines, start=1)})
    if postcode:
        row["postcode"] = postcode
    row.update(extra)
    return row


def check(*rows: Mapping[str, str], register: Mapping[str, Sequence[Mapping[str, str]]]
          | None = None, options: Mapping[str, Any] | None = None) -> list[Violation]:
    return run_case(StaleAddress, Case(rows=list(rows), register=register or REGISTER),
                    options=options)


def only(violations: list[Violation], code: str) -> Violation:
    assert codes(violations) == [code], codes(violations)
    return violations[0]


# --- the same current address written differently: never flagged ----------------------

@pytest.mark.parametrize("row", [
    letter("P-1", "Mrs S Okafor", "4 Mill Lane", "Kings Fenmarsh", postcode="PE30 4AB"),
    letter("P-1", "4 Mill Ln", "Kings Fenmarsh", "PE30 4AB"),
    letter("P-1", "Sian Okafor", "4 mill lane", "kings fenmarsh", "pe30 4ab"),
    letter("P-1", "MRS SIAN OKAFOR", "4, MILL LANE, KINGS FENMARSH", postcode="PE304AB"),
    letter("P-1", "4 Mill Lane, Kings Fenmarsh, Norfolk", postcode="PE30 4AB"),
    letter("P-2", "Mr T Nowak", "Flat 2, 10 High Street", "Kings Lynn", postcode="PE30 1AB"),
    letter("P-2", "Flat 2", "10 High St", "Kings Lynn", postcode="PE30 1AB"),
    letter("P-2", "Tomasz Nowak", "flat 2 10 high st", "PE30 1AB"),
    letter("P-2", "Apartment 2", "10 High Street", "Kings Lynn", postcode="PE30 1AB"),
    letter("P-3", "Ms P Raman", "12a Church Rd", "Downham Market", postcode="PE38 9QT"),
], ids=lambda row: " | ".join(v for k, v in row.items() if k.startswith(("address", "post"))))
def test_current_address_written_differently_is_not_flagged(row: dict[str, str]) -> None:
    assert check(row) == []


def test_household_each_addressed_correctly_is_not_flagged() -> None:
    rows = [
        letter("P-3", "Ms P Raman", "12A Church Road", "Downham Market", postcode="PE38 9QT"),
        letter("P-4", "Mr G Pryce", "12A Church Road", "Downham Market", postcode="PE38 9QT"),
    ]
    assert check(*rows) == []


def test_rows_for_other_channels_or_without_address_are_ignored() -> None:
    rows = [
        {"recipient_id": "P-1", "channel": "email", "email": "sian@example.org",
         "address_line_1": "27 Station Road", "address_line_2": "PE30 2XY"},
        {"recipient_id": "P-1", "channel": "letter"},
        {"recipient_id": "", "channel": "letter", "address_line_1": "27 Station Road",
         "postcode": "PE30 2XY"},
    ]
    assert check(*rows) == []


def test_row_without_channel_but_with_address_is_checked() -> None:
    found = check({"recipient_id": "P-1", "address_line_1": "27 Station Road",
                   "address_line_2": "Kings Fenmarsh", "postcode": "PE30 2XY"})
    assert codes(found) == ["previous-address"]


# --- must be flagged -----------------------------------------------------------------

def test_previous_address_says_when_they_moved() -> None:
    found = check(letter("P-1", "Mrs S Okafor", "27 Station Road", "Kings Fenmarsh",
                         postcode="PE30 2XY"))
    violation = only(found, "previous-address")
    assert violation.severity is None  # the rule's default: error
    message = render_message(violation, show_values=False)
    assert "previous address" in message
    assert "moved on 2025-03-14" in message
    assert "verified (2026-02-01)" in message
    assert "update the batch" in message
    assert "Okafor" not in message and "S. O." in message
    assert violation.column == "address_line_1"


def test_previous_address_without_end_date_uses_the_current_address_start() -> None:
    addresses = [{**a, "valid_to": ""} if a["status"] == "previous" else a
                 for a in ADDRESSES if a["person_id"] == "P-1"]
    found = check(letter("P-1", "27 Station Road", "Kings Fenmarsh", postcode="PE30 2XY"),
                  register={"people": PEOPLE, "addresses": addresses})
    assert "moved on 2025-03-14" in render_message(only(found, "previous-address"), False)


def test_protected_person_to_previous_address_is_the_worst_case() -> None:
    register = {**REGISTER, "restrictions": [
        {"person_id": "P-1", "kind": "confidential_address", "other_person_id": "",
         "note": "fled domestic abuse"}]}
    found = check(letter("P-1", "27 Station Road", "Kings Fenmarsh", postcode="PE30 2XY"),
                  register=register)
    message = render_message(only(found, "previous-address"), show_values=False)
    assert "confidential address" in message
    assert "the person they fled" in message
    # The restriction of another kind (or on someone else) does not change the message.
    other = {**REGISTER, "restrictions": [
        {"person_id": "P-2", "kind": "confidential_address", "other_person_id": "",
         "note": ""}]}
    found = check(letter("P-1", "27 Station Road", "Kings Fenmarsh", postcode="PE30 2XY"),
                  register=other)
    assert "confidential" not in render_message(only(found, "previous-address"), False)


@pytest.mark.parametrize(("row", "hint"), [
    # a different house number at the same postcode
    (letter("P-1", "6 Mill Lane", "Kings Fenmarsh", postcode="PE30 4AB"), "house or flat number"),
    # the flat number is missing
    (letter("P-2", "10 High Street", "Kings Lynn", postcode="PE30 1AB"), "house or flat number"),
    # flat and house numbers swapped
    (letter("P-2", "Flat 10", "2 High Street", "Kings Lynn", postcode="PE30 1AB"),
     "house or flat number"),
    # 12 is not 12A
    (letter("P-3", "12 Church Road", "Downham Market", postcode="PE38 9QT"),
     "house or flat number"),
    # the right street and number in the wrong postcode
    (letter("P-1", "4 Mill Lane", "Kings Fenmarsh", postcode="PE30 4AX"), "postcode"),
    # the postcode lost its last character (not a postcode at all any more)
    (letter("P-1", "4 Mill Lane", "Kings Fenmarsh", "PE30 4A"), ""),
    # somewhere else entirely
    (letter("P-1", "14 Wootton Road", "Gaywood", postcode="PE30 4DJ"), ""),
    # a different street at the same postcode
    (letter("P-1", "4 Tennyson Avenue", "Kings Fenmarsh", postcode="PE30 4AB"), "street"),
])
def test_address_not_on_the_record_is_flagged(row: dict[str, str], hint: str) -> None:
    violation = only(check(row), "unknown-address")
    message = render_message(violation, show_values=False)
    assert "not one of" in message
    if hint:
        assert f"but the {hint}" in message
    else:
        assert "but the" not in message


def test_gone_away_address_is_flagged() -> None:
    found = check(letter("P-5", "Miss H Lloyd", "8 Orchard Close", "Hunstanton",
                         postcode="PE36 6JR"))
    message = render_message(only(found, "gone-away"), show_values=False)
    assert "gone away" in message and "Lloyd" not in message
    # ... and her current address is fine.
    assert check(letter("P-5", "31 Lynn Rd", "Hunstanton", postcode="PE36 5HY")) == []


def test_deceased_is_reported_even_at_the_current_address() -> None:
    people = [person("P-1", "Mrs", "Sian", "Okafor", status="deceased")]
    register = {"people": people, "addresses": ADDRESSES}
    current = check(letter("P-1", "4 Mill Lane", "Kings Fenmarsh", postcode="PE30 4AB"),
                    register=register)
    assert "deceased" in render_message(only(current, "deceased"), False)
    old = check(letter("P-1", "27 Station Road", "Kings Fenmarsh", postcode="PE30 2XY"),
                register=register)
    assert codes(old) == ["deceased"]  # one finding, not a pile


def test_unknown_recipient_is_a_warning_by_default_and_configurable() -> None:
    row = letter("P-999", "1 Nowhere Street", "Kings Lynn", postcode="PE30 1AA")
    default = only(check(row), "unknown-recipient")
    assert default.severity is Severity.WARNING
    assert "not in the register" in render_message(default, show_values=False)
    assert default.column == "recipient_id"
    strict = only(check(row, options={"unknown_recipient_severity": "error"}),
                  "unknown-recipient")
    assert strict.severity is Severity.ERROR
    relaxed = only(check(row, options={"unknown_recipient_severity": "info"}),
                   "unknown-recipient")
    assert relaxed.severity is Severity.INFO


def test_person_without_a_current_address() -> None:
    addresses = [a for a in ADDRESSES if a["person_id"] != "P-1" or a["status"] != "current"]
    register = {"people": PEOPLE, "addresses": addresses}
    unknown = check(letter("P-1", "4 Mill Lane", "Kings Fenmarsh", postcode="PE30 4AB"),
                    register=register)
    assert codes(unknown) == ["no-current-address"]
    # Matching the previous address is still called a previous address, with no current one.
    old = check(letter("P-1", "27 Station Road", "Kings Fenmarsh", postcode="PE30 2XY"),
                register=register)
    message = render_message(only(old, "previous-address"), False)
    assert "no current address" in message
    nobody = check(letter("P-2", "Flat 2", "10 High Street", postcode="PE30 1AB"),
                   register={"people": PEOPLE})
    assert codes(nobody) == ["no-current-address"]


# --- verification age ----------------------------------------------------------------

def test_stale_verification_is_a_warning() -> None:
    addresses = [address("P-2", "Flat 2", "10 High Street", postcode="PE30 1AB",
                         verified_on="2025-11-25")]
    register = {"people": PEOPLE, "addresses": addresses}
    row = letter("P-2", "Flat 2", "10 High Street", postcode="PE30 1AB")
    violation = only(check(row, register=register), "unverified-address")
    assert violation.severity is Severity.WARNING
    message = render_message(violation, show_values=False)
    assert "2025-11-25" in message and "366 days ago" in message
    # One day younger is within the default 365 days.
    fresh = [{**addresses[0], "verified_on": "2025-11-26"}]
    assert check(row, register={"people": PEOPLE, "addresses": fresh}) == []
    # A longer allowance accepts the older date.
    assert check(row, register=register, options={"max_age_days": 400}) == []


def test_missing_verification_date() -> None:
    addresses = [address("P-2", "Flat 2", "10 High Street", postcode="PE30 1AB",
                         verified_on="")]
    register = {"people": PEOPLE, "addresses": addresses}
    row = letter("P-2", "Flat 2", "10 High Street", postcode="PE30 1AB")
    assert codes(check(row, register=register)) == ["unverified-address"]
    assert check(row, register=register, options={"require_verified": False}) == []


def test_address_threshold_option_decides_the_wording() -> None:
    row = letter("P-1", "4 Mill Lne", "Kings Fenmarch", postcode="PE30 4AB")  # typos
    assert check(row) == []
    assert codes(check(row, options={"address_threshold": 100})) == ["unknown-address"]


# --- caching -------------------------------------------------------------------------

def test_register_addresses_are_normalised_once_per_person() -> None:
    register = MemoryRegister(REGISTER)
    rule = StaleAddress({}, RunContext(register=register, today=date(2026, 11, 26)))
    first = rule._register_keys("P-1")
    second = rule._register_keys("P-1")
    assert first is second
    assert rule._register_keys.cache_info().hits == 1


def _checked_keys(*lines: str, postcode: str, register: Mapping[str, Sequence[Mapping[str, str]]]
                  = REGISTER, pid: str = "P-1") -> tuple[list[Violation], list[Any]]:
    """(what the rule finds for one letter, the person's register addresses afterwards)."""
    rule = StaleAddress({}, RunContext(register=MemoryRegister(register),
                                       today=date(2026, 11, 26)))
    values = letter(pid, *lines, postcode=postcode)
    roles = {k: k for k in values}
    row = Row(number=2, line=2, values=values, headers=roles, file="batch.csv")
    found = list(rule.check_item(Item(row=row, fields=FieldMap(roles=roles), channel="letter")))
    return found, list(rule._register_keys(pid))


def test_a_letter_printed_as_the_register_holds_it_is_settled_without_keys() -> None:
    found, (current, previous) = _checked_keys("Mrs S Okafor", "4 Mill Lane", "Kings Fenmarsh",
                                               postcode="PE30 4AB")
    assert found == []
    assert current._key is None and previous._key is None  # the exact-text shortcut


# The shortcut must still flag what the full comparison flags, and leave to it
# everything that is not exactly the one current address.
def test_the_shortcut_still_warns_of_an_unverified_current_address() -> None:
    register = {"people": PEOPLE, "addresses": [
        address("P-2", "Flat 2", "10 High Street", "Kings Lynn", postcode="PE30 1AB",
                verified_on="2023-01-09")]}
    found, (entry,) = _checked_keys("Mr T Nowak", "Flat 2", "10 High Street", "Kings Lynn",
                                    postcode="PE30 1AB", register=register, pid="P-2")
    assert codes(found) == ["unverified-address"] and entry._key is None
    assert found[0].severity is Severity.WARNING


@pytest.mark.parametrize(("lines", "postcode", "expected"), [
    # the previous address, printed exactly: not current, so the long way
    (("Mrs S Okafor", "27 Station Road", "Kings Fenmarsh"), "PE30 2XY", ["previous-address"]),
    # the current address with a flat number the register does not have
    (("Mrs S Okafor", "Flat 1", "4 Mill Lane", "Kings Fenmarsh"), "PE30 4AB",
     ["unknown-address"]),
    # the current address with another house number
    (("Mrs S Okafor", "14 Mill Lane", "Kings Fenmarsh"), "PE30 4AB", ["unknown-address"]),
])
def test_what_is_not_printed_as_the_current_address_goes_the_long_way(
        lines: tuple[str, ...], postcode: str, expected: list[str]) -> None:
    found, (current, previous) = _checked_keys(*lines, postcode=postcode)
    assert codes(found) == expected
    assert current._key is not None or previous._key is not None  # compared by key


def test_with_two_current_addresses_the_newer_verified_one_decides() -> None:
    """Which current address a letter matches is the full comparison's to judge: both
    spellings match, and the one verified more recently counts (no warning)."""
    register = {"people": PEOPLE, "addresses": [
        address("P-1", "4 Mill Lane", "Kings Fenmarsh", postcode="PE30 4AB",
                verified_on="2020-01-01"),
        address("P-1", "4 Mill Ln", "Kings Fenmarsh", postcode="PE30 4AB",
                valid_from="2025-03-14", verified_on="2026-10-01")]}
    found, (first, second) = _checked_keys("Mrs S Okafor", "4 Mill Lane", "Kings Fenmarsh",
                                           postcode="PE30 4AB", register=register)
    assert found == []
    assert first._key is not None and second._key is not None


def test_addresses_at_another_postcode_are_never_normalised() -> None:
    rule = StaleAddress({}, RunContext(register=MemoryRegister(REGISTER), today=date(2026, 11, 26)))
    # Written otherwise than the register has it (so compared by key, not as text).
    values = letter("P-1", "Mrs S Okafor", "4 Mill Ln", "Kings Fenmarsh", postcode="PE30 4AB")
    roles = {k: k for k in values}
    row = Row(number=2, line=2, values=values, headers=roles, file="batch.csv")
    assert list(rule.check_item(Item(row=row, fields=FieldMap(roles=roles),
                                     channel="letter"))) == []
    current, previous = rule._register_keys("P-1")
    assert (current.address.status, previous.address.status) == ("current", "previous")
    assert current._key is not None and previous._key is None  # never normalised
    # Without a postcode in the batch, every register address is a candidate.
    assert previous.may_match(address_key(["27 Station Road", "Kings Fenmarsh"]))


def test_protected_person_at_an_unknown_address_is_warned_about() -> None:
    register = {**REGISTER, "restrictions": [
        {"person_id": "P-2", "kind": "confidential_address", "other_person_id": "",
         "note": ""}]}
    found = check(letter("P-2", "14 Wootton Road", "Kings Lynn", postcode="PE30 4DJ"),
                  register=register)
    message = render_message(only(found, "unknown-address"), show_values=False)
    assert "confidential address" in message
    assert "PE30 4DJ" not in message and "[address in PE30]" in message


# --- dwelling identifiers: the flat, floor, annexe or tenement position decides ----------

# One person per dwelling kind, each at a current address with such an identifier.
DWELLING_PEOPLE: Table = [
    person("D-1", "Ms", "Eilidh", "Fraser"),
    person("D-2", "Mr", "Callum", "Docherty"),
    person("D-3", "Mrs", "Ruth", "Aldous"),
    person("D-4", "Mr", "Peter", "Gotts"),
    person("D-5", "Miss", "Jade", "Bunting"),
    person("D-6", "Mr", "Ashok", "Varma"),
    person("D-7", "Ms", "Imogen", "Thwaite"),
]
DWELLING_ADDRESSES: Table = [
    address("D-1", "3F2", "14 Marchmont Road", "Edinburgh", postcode="EH9 1HD"),
    address("D-2", "Flat 2/1", "88 Dumbarton Road", "Glasgow", postcode="G11 6NX"),
    # D-3 moved upstairs in 2025: the ground floor flat is her previous address.
    address("D-3", "First Floor Flat", "40 Holt Road", "Cromer", postcode="NR27 9JW",
            valid_from="2025-06-02"),
    address("D-3", "Ground Floor Flat", "40 Holt Road", "Cromer", postcode="NR27 9JW",
            status="previous", valid_from="2012-02-01", valid_to="2025-06-02",
            verified_on="2024-11-05"),
    address("D-4", "The Annexe", "22 Norwich Road", "Cromer", postcode="NR27 0EX"),
    address("D-5", "Rear of 7 Church Street", "Sheringham", postcode="NR26 8QS"),
    address("D-6", "12½ Cliff Road", "Cromer", postcode="NR27 0AD"),
    address("D-7", "Basement Flat", "3 Royal Crescent", "Bath", postcode="BA1 2LR"),
]
DWELLINGS: dict[str, Sequence[Mapping[str, str]]] = {
    "people": DWELLING_PEOPLE, "addresses": DWELLING_ADDRESSES}


@pytest.mark.parametrize("row", [
    letter("D-1", "Ms E Fraser", "Flat 3F2", "14 Marchmont Rd", "Edinburgh", postcode="EH9 1HD"),
    letter("D-1", "3f2, 14 Marchmont Road", "EDINBURGH", postcode="eh91hd"),
    letter("D-1", "Flat 2, Third Floor", "14 Marchmont Road", postcode="EH9 1HD"),
    letter("D-2", "Mr C Docherty", "2/1, 88 Dumbarton Rd", "Glasgow", postcode="G11 6NX"),
    letter("D-2", "Flat 2 / 1", "88 Dumbarton Road", postcode="G11 6NX"),
    letter("D-3", "Mrs R Aldous", "FFF", "40 Holt Rd", "Cromer", postcode="NR27 9JW"),
    letter("D-3", "1st Floor Flat, 40 Holt Road", "Cromer", postcode="NR27 9JW"),
    letter("D-3", "First Floor, 40 Holt Rd", postcode="NR27 9JW"),
    letter("D-4", "Mr P Gotts", "Annexe, 22 Norwich Rd", "CROMER", postcode="NR27 0EX"),
    letter("D-4", "The Annex", "22 Norwich Road", postcode="NR27 0EX"),
    letter("D-5", "Miss J Bunting", "R/O 7 Church St", "Sheringham", postcode="NR26 8QS"),
    letter("D-5", "Rear of, 7 Church Street", postcode="NR26 8QS"),
    letter("D-6", "Mr A Varma", "12 1/2 Cliff Rd", "Cromer", postcode="NR27 0AD"),
    letter("D-6", "12 ½ Cliff Road", postcode="NR27 0AD"),
    letter("D-7", "Ms I Thwaite", "Basement", "3 Royal Cres", "Bath", postcode="BA1 2LR"),
], ids=lambda row: " | ".join(v for k, v in row.items() if k.startswith(("address", "post"))))
def test_same_dwelling_written_differently_is_not_flagged(row: dict[str, str]) -> None:
    assert check(row, register=DWELLINGS) == []


@pytest.mark.parametrize(("row", "code", "hint"), [
    (letter("D-1", "Ms E Fraser", "2F3", "14 Marchmont Rd", postcode="EH9 1HD"),
     "unknown-address", "house or flat number"),
    (letter("D-1", "3F1, 14 Marchmont Rd", postcode="EH9 1HD"),
     "unknown-address", "house or flat number"),
    (letter("D-1", "2F2, 14 Marchmont Rd", postcode="EH9 1HD"),
     "unknown-address", "another dwelling"),
    (letter("D-1", "14 Marchmont Rd", "Edinburgh", postcode="EH9 1HD"),
     "unknown-address", "house or flat number"),
    (letter("D-2", "Mr C Docherty", "Flat 1/2", "88 Dumbarton Rd", postcode="G11 6NX"),
     "unknown-address", "house or flat number"),
    (letter("D-2", "88 Dumbarton Road", "Glasgow", postcode="G11 6NX"),
     "unknown-address", "house or flat number"),
    (letter("D-3", "Mrs R Aldous", "GFF", "40 Holt Rd", postcode="NR27 9JW"),
     "previous-address", ""),
    (letter("D-3", "Ground Floor Flat, 40 Holt Road", postcode="NR27 9JW"),
     "previous-address", ""),
    (letter("D-3", "Second Floor Flat, 40 Holt Road", postcode="NR27 9JW"),
     "unknown-address", "another dwelling"),
    (letter("D-3", "40 Holt Road", "Cromer", postcode="NR27 9JW"),
     "unknown-address", "another dwelling"),
    (letter("D-4", "Mr P Gotts", "22 Norwich Road", "Cromer", postcode="NR27 0EX"),
     "unknown-address", "another dwelling"),
    (letter("D-5", "7 Church Street", "Sheringham", postcode="NR26 8QS"),
     "unknown-address", "another dwelling"),
    (letter("D-6", "12 Cliff Road", "Cromer", postcode="NR27 0AD"),
     "unknown-address", "house or flat number"),
    (letter("D-7", "Ground Floor Flat", "3 Royal Crescent", postcode="BA1 2LR"),
     "unknown-address", "another dwelling"),
    (letter("D-7", "Lower Ground Floor Flat", "3 Royal Crescent", postcode="BA1 2LR"),
     "unknown-address", "another dwelling"),
    (letter("D-7", "3 Royal Crescent", "Bath", postcode="BA1 2LR"),
     "unknown-address", "another dwelling"),
], ids=lambda value: value if isinstance(value, str) else " | ".join(
    v for k, v in value.items() if k.startswith(("address", "post"))))
def test_another_dwelling_at_the_same_number_is_flagged(row: dict[str, str], code: str,
                                                        hint: str) -> None:
    violation = only(check(row, register=DWELLINGS), code)
    message = render_message(violation, show_values=False)
    if hint:
        assert hint in message
    # Masked: the message says what differs, never the address or the name.
    for value in ("Marchmont", "Dumbarton", "Holt", "Norwich", "Church", "Cliff", "Royal",
                  "Fraser", "Docherty", "Aldous", "Gotts", "Bunting", "Varma", "Thwaite"):
        assert value not in message
