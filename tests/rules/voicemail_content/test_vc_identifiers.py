"""Identifier detectors on their own: NHS and NI numbers, references, codes, long numbers
and what counts as the organisation's callback number."""

from __future__ import annotations

import pytest

from policylint.rules.voicemail_content.identifiers import (
    find_codes,
    find_long_numbers,
    find_ni_numbers,
    find_references,
    identifier_columns,
    nhs_number_valid,
    number_forms,
    phone_number_cell,
)
from policylint.rules.voicemail_content.text import ScriptText


def spans(hits: object) -> list[tuple[str, str]]:
    return [(h.code, h.value.value) for h in hits]  # type: ignore[attr-defined]


def test_nhs_checksum() -> None:
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("9434765918")
    assert not nhs_number_valid("943476591")
    assert not nhs_number_valid("94347659a9")


@pytest.mark.parametrize("written", ["943 476 5919", "9434765919", "943-476-5919"])
def test_nhs_number_however_spaced(written: str) -> None:
    assert spans(find_long_numbers(f"NHS {written}.", [], frozenset())) == [
        ("nhs-number", written)]


def test_long_numbers_and_what_is_excused() -> None:
    text = "Call 01632 960000 or 07700 900123 by 2026-12-01, room 12345."
    assert spans(find_long_numbers(text, [], frozenset())) == [
        ("long-number", "01632 960000"), ("long-number", "07700 900123")]
    allowed = number_forms("01632 960000")
    assert spans(find_long_numbers(text, [], allowed)) == [("long-number", "07700 900123")]
    assert spans(find_long_numbers(text, [(20, 33)], allowed)) == []


@pytest.mark.parametrize("written", ["JG 10 37 59 A", "JG103759A", "AB 12 34 56 C",
                                     "jg103759a", "JG 103759 A"])
def test_ni_numbers(written: str) -> None:
    assert [h.code for h in find_ni_numbers(f"NI {written} on file")] == ["ni-number"]


@pytest.mark.parametrize("text", ["QQ 12 34 56 C", "GB 12 34 56 A", "call at 10 30 00",
                                  "AB12", "jg 10 37 59 a"])
def test_not_ni_numbers(text: str) -> None:
    assert list(find_ni_numbers(text)) == []


def test_references_found_however_spaced_and_cheaply_skipped() -> None:
    view = ScriptText.of("About HRA 0012345 and hra0012345 today.")
    hits = list(find_references(view, [("account_ref", "Account Ref", "HRA-0012345")]))
    assert [view.text[h.start:h.end] for h in hits] == ["HRA 0012345", "hra0012345"]
    assert hits[0].column == "account_ref"
    assert list(find_references(view, [("case_ref", "Case", "HB/99/1")])) == []


@pytest.mark.parametrize("code", ["HB/2024/0071", "CT-3308817", "ABC123456", "TEN-00412-B"])
def test_codes_that_look_like_references(code: str) -> None:
    assert [h.value.value for h in find_codes(f"Note: {code}.")] == [code]  # type: ignore[union-attr]


@pytest.mark.parametrize("text", [
    "Press 1 for housing", "Call 01632 960000", "Room B12", "the M62", "at 9.30am",
    "COVID-19", "PE43 5PQ", "by 2026-12-01", "Flat 3/14", "Year 2026",
])
def test_not_codes(text: str) -> None:
    assert list(find_codes(text)) == []


def test_identifier_columns() -> None:
    headers = ("recipient_id", "tenancy_ref", "claim_number", "callback_number",
               "phone_number", "first_name", "nhs_number", "organisation")
    assert identifier_columns(headers) == (
        "recipient_id", "tenancy_ref", "claim_number", "nhs_number")


@pytest.mark.parametrize(("cell", "national"), [
    ("01632 960000", "01632960000"), ("+44 (0)1632 960000", "01632960000"),
    ("(01632) 960000", "01632960000"), ("0800 123 456", "0800123456"),
])
def test_phone_number_cells(cell: str, national: str) -> None:
    assert phone_number_cell(cell) == national


@pytest.mark.parametrize("cell", ["943 476 5919", "9434765919", "Call 01632 960000",
                                  "JG 10 37 59 A", "", "12345"])
def test_cells_that_are_not_a_phone_number(cell: str) -> None:
    assert phone_number_cell(cell) == ""
