"""stale-address and stale-contact through the real engine: CSV register, CSV batch, masking."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from policylint.engine.runner import CheckRequest, Outcome, run_check

PEOPLE = [
    ["person_id", "title", "given_name", "family_name", "date_of_birth", "status", "flags"],
    ["P-1", "Mrs", "Sian", "Okafor", "1980-02-03", "active", ""],
    ["P-2", "Mr", "Tomasz", "Nowak", "1975-11-20", "active", ""],
    ["P-3", "Ms", "Priya", "Raman", "1990-07-14", "deceased", ""],
]
ADDRESSES = [
    ["person_id", "line_1", "line_2", "postcode", "status", "valid_from", "valid_to",
     "verified_on"],
    ["P-1", "4 Mill Lane", "Kings Fenmarsh", "PE30 4AB", "current", "2025-03-14", "",
     "2026-02-01"],
    ["P-1", "27 Station Road", "Kings Fenmarsh", "PE30 2XY", "previous", "2019-06-01",
     "2025-03-14", "2024-05-02"],
    ["P-2", "Flat 2, 10 High Street", "Kings Lynn", "PE30 1AB", "current", "2023-01-09", "",
     "2026-09-15"],
    ["P-3", "9 Bridge Street", "Kings Lynn", "PE30 5DD", "current", "2010-01-01", "",
     "2026-01-01"],
]
CONTACTS = [
    ["person_id", "kind", "value", "status", "verified_on"],
    ["P-1", "email", "sian.okafor@example.org", "current", "2026-01-05"],
    ["P-1", "email", "s.okafor@old-employer.example.com", "previous", "2022-08-30"],
    ["P-2", "phone", "07700 900777", "current", "2026-03-03"],
    ["P-2", "phone", "07700 900456", "invalid", "2025-02-01"],
]
RESTRICTIONS = [
    ["person_id", "kind", "other_person_id", "note"],
    ["P-1", "confidential_address", "", "refuge"],
]
BATCH = [
    ["recipient_id", "channel", "address_line_1", "address_line_2", "address_line_3",
     "postcode", "email", "phone"],
    # row 2: Mrs Okafor's old address (she has a confidential address): error
    ["P-1", "letter", "Mrs S Okafor", "27 Station Road", "Kings Fenmarsh", "PE30 2XY", "", ""],
    # row 3: her current address, written differently: clean
    ["P-1", "letter", "Sian Okafor", "4 Mill Ln", "KINGS FENMARSH", "pe30 4ab", "", ""],
    # row 4: Mr Nowak without his flat number: error
    ["P-2", "letter", "Mr T Nowak", "10 High Street", "Kings Lynn", "PE30 1AB", "", ""],
    # row 5: email to Mrs Okafor's previous email: error
    ["P-1", "email", "", "", "", "", "S.Okafor@old-employer.example.com", ""],
    # row 6: text to Mr Nowak's current number in another format: clean
    ["P-2", "sms", "", "", "", "", "", "+44 7700 900777"],
    # row 7: text to his invalid number: error
    ["P-2", "sms", "", "", "", "", "", "07700 900456"],
    # row 8: a letter to someone who died: error
    ["P-3", "letter", "Ms P Raman", "9 Bridge Street", "Kings Lynn", "PE30 5DD", "", ""],
    # row 9: someone not in the register: warning
    ["P-404", "letter", "Mr A Nobody", "1 Nowhere Road", "Kings Lynn", "PE30 9ZZ", "", ""],
]

EXPECTED = [
    ("stale-address", 2, "previous-address", "error"),
    ("stale-address", 4, "unknown-address", "error"),
    ("stale-contact", 5, "previous-contact", "error"),
    ("stale-contact", 7, "invalid-contact", "error"),
    ("stale-address", 8, "deceased", "error"),
    ("stale-address", 9, "unknown-recipient", "warning"),
]
SURNAMES = ("Okafor", "Nowak", "Raman")
POSTCODES = ("PE30 2XY", "PE30 1AB", "PE30 5DD", "PE30 4AB")


def write_csv(path: Path, rows: Sequence[Sequence[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture
def mailing(tmp_path: Path) -> tuple[Path, Path]:
    register = tmp_path / "register"
    register.mkdir()
    write_csv(register / "people.csv", PEOPLE)
    write_csv(register / "addresses.csv", ADDRESSES)
    write_csv(register / "contacts.csv", CONTACTS)
    write_csv(register / "restrictions.csv", RESTRICTIONS)
    batch = tmp_path / "batch.csv"
    write_csv(batch, BATCH)
    return register, batch


def run(mailing: tuple[Path, Path], show_values: bool) -> Outcome:
    register, batch = mailing
    return run_check(CheckRequest(
        batches=[batch], register=str(register), select=["stale-address", "stale-contact"],
        today=date(2026, 11, 26), show_values=show_values))


def test_engine_reports_each_stale_row(mailing: tuple[Path, Path]) -> None:
    outcome = run(mailing, show_values=False)
    found = [(f.rule, f.row, f.code, f.severity.value) for f in outcome.findings]
    assert found == EXPECTED
    assert outcome.exit_code == 1
    by_row = {f.row: f for f in outcome.findings}
    assert "confidential address" in by_row[2].message
    assert by_row[2].recipient_id == "*-1"  # ids are masked like other identifiers
    for finding in outcome.findings:
        for secret in (*SURNAMES, *POSTCODES, "old-employer", "900456"):
            assert secret not in finding.message, (finding.row, finding.message)


def test_engine_shows_values_only_when_asked(mailing: tuple[Path, Path]) -> None:
    outcome = run(mailing, show_values=True)
    assert [(f.rule, f.row, f.code, f.severity.value) for f in outcome.findings] == EXPECTED
    by_row = {f.row: f for f in outcome.findings}
    assert "Okafor" in by_row[2].message
    assert "Nowak" in by_row[4].message and "PE30 1AB" in by_row[4].message
    assert "S.Okafor@old-employer.example.com" in by_row[5].message
    assert "07700 900456" in by_row[7].message
