"""Finding personal values however they are written (used by redaction-residue and
secure-delivery): exact where it matters, word-bounded everywhere."""

from __future__ import annotations

import datetime as dt

import pytest

from policylint.model import PersonalKind
from policylint.rules._text_search import (
    TextView,
    find_dates,
    needle_for,
    nhs_number_valid,
    personal_kinds,
)


@pytest.mark.parametrize("text", ["born 03/02/1980", "3.2.1980", "1980-02-03", "3 Feb 1980",
                                  "3rd of February, 1980", "February 3, 1980", "03021980"])
def test_dates_in_any_common_form(text: str) -> None:
    assert dt.date(1980, 2, 3) in set(find_dates(text))


@pytest.mark.parametrize(("value", "text", "found"), [
    ("07700 900123", "ring +44 (0)7700 900 123 today", True),
    ("07700 900123", "ref 2231 07700 900123", True),
    ("07700 900123", "ring 07700 900124", False),
    ("PE30 4AB", "at pe30 4ab.", True),
    ("PE30 4AB", "at PE30 4AD", False),
    ("a.b@example.org", "mail A.B@Example.org now", True),
    ("a.b@example.org", "mail xa.b@example.org now", False),
    ("10 High Street", "lives at 10 high st", True),
    ("10 High Street", "lives at 110 High Street", False),
    ("2026-01-05", "seen 5 January 2026", True),
])
def test_values_by_kind(value: str, text: str, found: bool) -> None:
    needle = needle_for("x", value)
    assert needle is not None
    assert TextView(text).contains(needle) is found


def test_short_or_tiny_values_are_not_needles() -> None:
    assert needle_for("x", "Mr") is None
    assert needle_for("x", "12") is None
    assert needle_for("x", "  ") is None
    assert needle_for("x", "Jo", PersonalKind.NAME) is None


def test_personal_data_by_shape() -> None:
    assert nhs_number_valid("9434765919") and not nhs_number_valid("9434765918")
    kinds = [what for what, _, _ in personal_kinds(
        "NHS 943 476 5919, NI JG 10 37 59 A, DOB: 03/02/1980, ref 1234567890")]
    assert kinds == ["an NHS number", "a National Insurance number", "a date of birth"]
    assert list(personal_kinds("Opening 9-5, call 01632 960001, updated 03/02/1980")) == []
