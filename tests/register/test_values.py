"""Cell-level parsing shared by every backend: dates, flags, enumerations."""

from __future__ import annotations

import datetime as dt

import pytest

from policylint.errors import RegisterError
from policylint.io.register.memory import Origin, clean_values, parse_date, split_flags

PEOPLE = Origin("register/people.csv", "people")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1984-03-09", dt.date(1984, 3, 9)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("2024-02-29T00:00:00", dt.date(2024, 2, 29)),  # database export
        ("2024-02-29 13:45:00", dt.date(2024, 2, 29)),  # spreadsheet export
        ("", None),
    ],
)
def test_iso_dates(text: str, expected: dt.date | None) -> None:
    assert parse_date(text, PEOPLE, 5, "date_of_birth") == expected


@pytest.mark.parametrize(
    "text", ["09/03/1984", "1984-3-9", "2023-02-29", "19840309", "1984-03-09x", "9 March 1984"]
)
def test_not_iso_dates(text: str) -> None:
    with pytest.raises(RegisterError) as err:
        parse_date(text, PEOPLE, 5, "date_of_birth")
    assert str(err.value) == (
        "register/people.csv, row 5, key 'date_of_birth': "
        "not a valid ISO 8601 date (expected YYYY-MM-DD)"
    )


def test_flags_split_strip_lower_and_dedupe() -> None:
    assert split_flags(" No_Voicemail ;post_only;; NO_VOICEMAIL ; ") == (
        "no_voicemail", "post_only")
    assert split_flags("") == ()


def test_clean_values_canonicalises_a_row() -> None:
    clean = clean_values(
        {"person_id": " P-1043 ", "given_name": "Zoë", "family_name": "Nowak",
         "status": " Deceased", "date_of_birth": "1950-07-04T00:00:00",
         "flags": "Via_Representative", "ward": "Headingley"},
        PEOPLE, 9,
    )
    assert clean == {
        "person_id": "P-1043", "title": "", "given_name": "Zoë", "family_name": "Nowak",
        "date_of_birth": "1950-07-04", "status": "deceased", "flags": "via_representative",
    }


def test_database_errors_name_the_table() -> None:
    origin = Origin("register.sqlite", "contacts", in_database=True)
    with pytest.raises(RegisterError) as err:
        clean_values({"person_id": "P-1", "kind": "fax", "value": "x", "status": "current"},
                     origin, 12)
    assert str(err.value) == (
        "register.sqlite, row 12, key 'kind': unknown kind; expected one of: email, phone "
        "(table 'contacts')"
    )
