"""recipient-mismatch: must-flag and must-not-flag cases side by side."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from policylint.engine.rule import Case
from policylint.masking import render_message
from policylint.model import Violation
from policylint.rules.recipient_mismatch import RecipientMismatch
from policylint.testing import codes, run_case

Table = list[dict[str, str]]

SURNAMES = (
    "Okafor", "Nowak", "Patel", "Bell", "Hughes", "Kowalski", "Achterberg", "Dubois",
    "Fitzgerald", "Mensah", "Lindqvist", "Rahman", "Castellano", "Whitaker", "Zielinski",
    "Thornbury", "Abernethy", "Brennan", "Ekwueme", "Haverford", "Ingleby", "Jablonski",
    "Kavanagh", "Llewellyn", "Montague", "Nakamura", "Oyelaran", "Pemberton", "Quayle",
    "Rosenthal", "Sandoval", "Trevelyan", "Underwood", "Vasquez", "Wojcik", "Xiang", "Yardley",
    "Zamora", "Ashcombe", "Bhattacharya", "Cartwright", "Drummond", "Ellison", "Fairweather",
    "Gallagher", "Holloway", "Iwu", "Jarvis",
)
GIVEN = (
    "Amara", "Ben", "Chloe", "Dev", "Elif", "Farah", "Gareth", "Hana", "Idris", "Jonah",
    "Kiran", "Lena", "Marek", "Nia",
)


def person(pid: str, given: str, family: str, title: str = "") -> dict[str, str]:
    return {"person_id": pid, "title": title, "given_name": given, "family_name": family,
            "status": "active"}


PEOPLE: Table = [
    person("P-1", "Sian", "Okafor", "Mrs"),
    person("P-2", "Jan", "Nowak", "Mr"),
    person("P-3", "Priya", "Patel", "Ms"),
    person("P-4", "John Andrew", "Smith", "Dr"),
    person("P-5", "Tomos", "Okafor", "Mr"),  # lives with P-1
    person("P-6", "John", "Smith", "Mr"),
    person("P-7", "Zoë", "O'Brien-Hughes", "Ms"),
]


def run(rows: Sequence[Mapping[str, str]], register: Mapping[str, Table] | None = None,
        template: str | None = None, **options: Any) -> list[Violation]:
    tables = {"people": PEOPLE, **(register or {})}
    return run_case(RecipientMismatch, Case(rows=rows, register=tables, template=template),
                    options=options)


def only(violations: list[Violation], code: str) -> Violation:
    found = [v for v in violations if v.code == code]
    assert len(found) == 1, codes(violations)
    return found[0]


def text(violation: Violation) -> str:
    return render_message(violation, show_values=False)


# --- name-mismatch ---------------------------------------------------------------

@pytest.mark.parametrize(("pid", "name"), [
    ("P-1", "Mrs Siân Okafor"),
    ("P-1", "MRS SIAN OKAFOR"),
    ("P-1", "sian  okafor"),
    ("P-1", "Mrs S. Okafor"),
    ("P-1", "Mrs Okafor"),
    ("P-1", "Sian Adaeze Okafor"),
    ("P-1", "Okafor, Sian"),
    ("P-4", "DR J A SMITH"),
    ("P-4", "John Smith"),
    ("P-4", "Andrew Smith"),
    ("P-7", "Ms Zoe O'Brien Hughes"),
    ("P-7", "ZOË OBRIEN-HUGHES"),
])
def test_name_variants_of_the_register_name_are_not_flagged(pid: str, name: str) -> None:
    assert codes(run([{"recipient_id": pid, "name": name}])) == []


@pytest.mark.parametrize(("pid", "name"), [
    ("P-1", "Mrs Sian Bennett"),
    ("P-1", "Mrs Siân Okeke"),
    ("P-4", "DR J A SMYTHE-JONES"),
    ("P-4", "Dr Peter Smith"),  # a different given name is a different person
    ("P-2", "Sian Okafor"),
])
def test_a_different_name_is_flagged(pid: str, name: str) -> None:
    violation = only(run([{"recipient_id": pid, "name": name}]), "name-mismatch")
    assert violation.column == "name"
    assert violation.facts["recipient_id"] == pid


def test_name_columns_title_first_last_are_compared_together() -> None:
    good = run([{"recipient_id": "P-1", "title": "Mrs", "first_name": "Siân",
                 "last_name": "OKAFOR"}])
    bad = run([{"recipient_id": "P-1", "title": "Mrs", "first_name": "Sian",
                "last_name": "Bennett"}])
    assert codes(good) == []
    assert only(bad, "name-mismatch").column == "last_name"


def test_message_masks_both_names() -> None:
    violation = only(run([{"recipient_id": "P-1", "name": "Mrs Sian Bennett"}]),
                     "name-mismatch")
    message = text(violation)
    assert "S. B." in message and "S. O." in message and "P-1" in message
    assert "Bennett" not in message and "Okafor" not in message
    assert "Bennett" in render_message(violation, show_values=True)


def test_rows_without_names_unknown_recipients_and_the_occupier_are_skipped() -> None:
    rows = [
        {"recipient_id": "P-1", "name": "", "email": "s@example.org"},
        {"recipient_id": "P-999", "name": "Mrs Sian Bennett", "email": ""},
        {"recipient_id": "P-2", "name": "The Occupier", "email": ""},
    ]
    assert codes(run(rows)) == []
    empty_surname = [{"recipient_id": "P-1", "title": "Mrs", "first_name": "Sian",
                      "last_name": ""}]
    assert codes(run(empty_surname)) == []  # merge-integrity's empty-field
    assert codes(run([{"recipient_id": "P-1", "email": "s@example.org"}])) == []


def test_name_threshold_option_tolerates_a_typo_only_when_asked() -> None:
    row = [{"recipient_id": "P-3", "name": "Priya Pattel"}]
    assert codes(run(row)) == []  # ratio 91: within the default
    row = [{"recipient_id": "P-2", "name": "Jan Novak"}]  # ratio 80
    assert codes(run(row)) == ["name-mismatch"]
    assert codes(run(row, name_threshold=75)) == []


# --- contact-belongs-to-other -----------------------------------------------------

CONTACTS: Table = [
    {"person_id": "P-1", "kind": "email", "value": "s.okafor@example.org", "status": "current"},
    {"person_id": "P-2", "kind": "email", "value": "Jan.Nowak@example.org", "status": "current"},
    {"person_id": "P-2", "kind": "email", "value": "old.jan@example.org", "status": "previous"},
    # a household landline shared by P-1 and P-5
    {"person_id": "P-1", "kind": "phone", "value": "01632 960001", "status": "current"},
    {"person_id": "P-5", "kind": "phone", "value": "01632 960001", "status": "current"},
    # P-5's own mobile
    {"person_id": "P-5", "kind": "phone", "value": "07700 900123", "status": "current"},
]


def test_email_of_another_person_is_flagged_and_names_both_people() -> None:
    found = run([{"recipient_id": "P-1", "name": "Sian Okafor",
                  "email": "jan.nowak@EXAMPLE.org"}], {"contacts": CONTACTS})
    violation = only(found, "contact-belongs-to-other")
    message = text(violation)
    assert "belongs to J. N. (P-2)" in message
    assert "not to the recipient S. O. (P-1)" in message
    assert "jan.nowak" not in message
    assert violation.column == "email"


def test_own_email_and_someone_elses_previous_email_are_not_flagged() -> None:
    rows = [
        {"recipient_id": "P-1", "name": "Sian Okafor", "email": "S.Okafor@example.org"},
        {"recipient_id": "P-3", "name": "Priya Patel", "email": "old.jan@example.org"},
    ]
    assert codes(run(rows, {"contacts": CONTACTS})) == []


def test_household_landline_that_is_also_the_recipients_is_not_flagged() -> None:
    rows = [{"recipient_id": "P-1", "name": "Sian Okafor", "phone": "+44 1632 960001"}]
    assert codes(run(rows, {"contacts": CONTACTS})) == []


def test_household_member_mobile_is_flagged() -> None:
    rows = [{"recipient_id": "P-1", "name": "Sian Okafor", "phone": "07700900123"}]
    violation = only(run(rows, {"contacts": CONTACTS}), "contact-belongs-to-other")
    assert "phone number ********123 belongs to T. O. (P-5)" in text(violation)


def test_shared_contact_not_of_the_recipient_counts_the_other_owners() -> None:
    rows = [{"recipient_id": "P-3", "name": "Priya Patel", "phone": "01632 960001"}]
    violation = only(run(rows, {"contacts": CONTACTS}), "contact-belongs-to-other")
    assert "(P-1) and 1 other person" in text(violation)


# --- subject-not-represented --------------------------------------------------------

def _about_p2(valid_to: str | None) -> list[Violation]:
    reps: Table = [] if valid_to is None else [
        {"person_id": "P-2", "representative_id": "P-3", "valid_to": valid_to}]
    rows = [{"recipient_id": "P-3", "subject_id": "P-2", "name": "Ms Priya Patel"}]
    return run(rows, {"representatives": reps})


def test_subject_with_a_current_representative_is_not_flagged() -> None:
    assert codes(_about_p2("")) == []
    assert codes(_about_p2("2026-11-26")) == []  # valid to today inclusive
    assert codes(_about_p2("2030-01-01")) == []


def test_subject_with_an_expired_representative_is_flagged() -> None:
    violation = only(_about_p2("2026-11-25"), "subject-not-represented")
    assert text(violation).startswith(
        "This item is about P-2 but goes to P-3, who is not their representative")
    assert "2026-11-25" in text(violation)
    assert violation.column == "subject_id"


def test_subject_with_no_link_is_flagged() -> None:
    assert codes(_about_p2(None)) == ["subject-not-represented"]


def test_representative_of_someone_else_does_not_count() -> None:
    reps: Table = [{"person_id": "P-1", "representative_id": "P-3", "valid_to": ""}]
    rows = [{"recipient_id": "P-3", "subject_id": "P-2", "name": "Ms Priya Patel"}]
    assert codes(run(rows, {"representatives": reps})) == ["subject-not-represented"]


def test_subject_who_is_the_recipient_is_not_flagged() -> None:
    rows = [{"recipient_id": "P-3", "subject_id": "P-3", "name": "Ms Priya Patel"},
            {"recipient_id": "P-2", "subject_id": "", "name": "Jan Nowak"}]
    assert codes(run(rows)) == []


# --- other rows' references and names --------------------------------------------------

LETTER = ("Dear {{ name }},\nYour account {{ account_ref }} is up to date.\n{{ note }}\n"
          "{{ address_line_1 }}\n{{ postcode }}\n")


def _batch(notes: Mapping[int, str], refs: Mapping[int, str] | None = None,
           count: int = 10) -> list[dict[str, str]]:
    """Rows 2..count+1 for ``count`` people, each with their own account reference."""
    rows = []
    for i in range(count):
        number = i + 2
        rows.append({
            "recipient_id": f"Q-{i}", "name": f"{GIVEN[i]} {SURNAMES[i]}",
            "account_ref": (refs or {}).get(number, f"CT-40{number:04d}"),
            "note": notes.get(number, ""), "address_line_1": f"{i + 1} Mill Lane",
            "postcode": f"PE{i + 1} 4AB",
        })
    return rows


def test_another_rows_reference_in_the_text_is_flagged() -> None:
    rows = _batch({9: "We also wrote about CT-400002 last month."})
    violation = only(run(rows, template=LETTER), "other-row-reference")
    assert violation.facts["other_row"] == "2"
    assert violation.column == "note"
    assert "row 2's reference *******02" in text(violation)


def test_another_rows_reference_only_in_the_rendered_text_is_flagged() -> None:
    rows = _batch({})
    template = LETTER + "{% if account_ref == 'CT-400009' %}See CT-400003.{% endif %}\n"
    violation = only(run(rows, template=template), "other-row-reference")
    assert text(violation).startswith("The text carries row 3's reference")
    assert violation.column is None


def test_own_reference_short_numbers_and_phone_numbers_are_not_flagged() -> None:
    refs = {5: "12", 6: "900123", 7: "CT-400007-A"}
    notes = {
        2: "Your reference is CT-400002 (again).",  # its own
        3: "Flat 12, see page 12.",  # row 5's reference is too short to index
        4: "Call us on 07700 900123.",  # row 6's numeric reference inside a phone number
        7: "CT-400007-A is your new number.",  # its own
    }
    rows = _batch(notes, refs)
    assert codes(run(rows, template=LETTER)) == []


def test_other_rows_reference_inside_own_longer_reference_is_not_flagged() -> None:
    refs = {2: "CT-400118", 9: "CT-400118-B"}
    rows = _batch({}, refs)
    assert codes(run(rows, template=LETTER)) == []


def test_short_references_are_indexed_when_asked() -> None:
    rows = _batch({9: "See also A-12 for details."}, {3: "A-12"})
    assert codes(run(rows, template=LETTER)) == []
    assert codes(run(rows, template=LETTER, min_reference_length=4)) == [
        "other-row-reference"]


def test_reference_of_another_item_to_the_same_person_is_not_flagged() -> None:
    rows = _batch({9: "This replaces letter CT-400002."})
    rows[7]["recipient_id"] = rows[0]["recipient_id"]  # row 9 goes to row 2's recipient too
    rows[7]["name"] = rows[0]["name"]
    assert codes(run(rows, template=LETTER)) == []


def test_two_different_john_smiths_are_not_flagged() -> None:
    rows = _batch({})
    rows[1].update(name="John Smith", address_line_1="4 Mill Lane", postcode="PE30 4AB")
    rows[6].update(name="Mr John Smith", address_line_1="9 Station Road",
                   postcode="LS1 4AP")
    assert codes(run(rows, template=LETTER)) == []


def test_another_rows_name_with_its_postcode_is_flagged() -> None:
    rows = _batch({})
    rows[6]["note"] = f"Copy to {rows[1]['name']}, {rows[1]['postcode']}."
    violation = only(run(rows, template=LETTER), "other-row-name")
    assert violation.facts["other_row"] == "3"
    message = text(violation)
    assert "PE2 ***" in message and SURNAMES[1] not in message


@pytest.mark.parametrize("spelling", [
    lambda code: code.lower(),                        # any case
    lambda code: code.replace(" ", "\u00a0\u00a0"),  # other spaces
    lambda code: code.replace(" ", "\u200b "),       # a zero-width space in it
    lambda code: code.replace(" ", "\n"),            # over two lines
])
def test_another_rows_postcode_is_found_however_it_is_written(
        spelling: Callable[[str], str]) -> None:
    rows = _batch({})
    rows[6]["note"] = f"Copy to {rows[1]['name']}, {spelling(rows[1]['postcode'])}."
    assert only(run(rows, template=LETTER), "other-row-name").facts["other_row"] == "3"


def test_a_postcode_no_row_has_names_nobody() -> None:
    rows = _batch({})
    rows[6]["note"] = f"Copy to {rows[1]['name']}, SW1A 1AA."  # the name, another postcode
    assert codes(run(rows, template=LETTER)) == []


def test_another_rows_name_without_its_postcode_is_not_flagged() -> None:
    rows = _batch({})
    rows[6]["note"] = f"Copy to {rows[1]['name']}."
    assert codes(run(rows, template=LETTER)) == []


# --- column shifts ---------------------------------------------------------------------

def _shift_batch(count: int, start: int, offset: int, column: str = "last_name"
                 ) -> tuple[list[dict[str, str]], Table]:
    """``count`` rows (rows 2..count+1); from row ``start`` on, ``column`` carries the
    value of the row ``offset`` away (a row with no such neighbour keeps its own)."""
    people: Table = []
    own: list[dict[str, str]] = []
    for i in range(count):
        family = f"{SURNAMES[i % len(SURNAMES)]}-{SURNAMES[(i // len(SURNAMES)) % len(SURNAMES)]}"
        given = GIVEN[i % len(GIVEN)]
        pid = f"R-{i:05d}"
        people.append(person(pid, given, family))
        own.append({"recipient_id": pid, "first_name": given, "last_name": family})
    rows = [dict(r) for r in own]
    for index in range(count):
        number = index + 2
        source = index + offset
        if number >= start and 0 <= source < count:
            rows[index][column] = own[source][column]
    return rows, people


def _run_shift(rows: list[dict[str, str]], people: Table, **options: Any) -> list[Violation]:
    return run_case(RecipientMismatch, Case(rows=rows, register={"people": people}),
                    options=options)


def test_a_200_row_batch_shifted_by_one_gives_one_column_shift() -> None:
    rows, people = _shift_batch(200, 40, -1)
    found = _run_shift(rows, people)
    shift = only(found, "column-shift")
    assert shift.row == 40
    assert shift.column == "last_name"
    assert text(shift).startswith(
        "Column last_name is shifted by one row from row 40 to row 201: each row carries the "
        "name of the recipient one row above")
    shifted = [v for v in found if v.code == "shifted-row"]
    assert [v.row for v in shifted] == list(range(40, 202))
    assert all("rows 40–201" in text(v) for v in shifted)
    assert shifted[0].recipient_id == "R-00038"
    assert "name-mismatch" not in codes(found)
    assert set(codes(found)) == {"column-shift", "shifted-row"}


def test_a_shift_to_the_row_below_names_the_direction() -> None:
    rows, people = _shift_batch(60, 10, +1)
    found = _run_shift(rows, people)
    shift = only(found, "column-shift")
    # row 61 has no row below it: it keeps its own name, and the run ends at row 60
    assert (shift.row, shift.facts["first"], shift.facts["last"]) == (10, "10", "60")
    assert "one row below" in text(shift)
    assert codes(found).count("shifted-row") == 51


def test_a_shift_by_two_rows_is_found_and_max_shift_limits_it() -> None:
    rows, people = _shift_batch(40, 5, -2)
    shift = only(_run_shift(rows, people), "column-shift")
    assert "shifted by two rows" in text(shift) and "two rows above" in text(shift)
    narrow = _run_shift(rows, people, max_shift=1)
    assert "column-shift" not in codes(narrow)
    assert codes(narrow).count("name-mismatch") == 37  # rows 5 to 41


def test_a_whole_name_column_shift_is_reported_on_the_name_column() -> None:
    rows, people = _shift_batch(30, 2, -1)
    merged = [{"recipient_id": r["recipient_id"], "full_name":
               f"{r['first_name']} {r['last_name']}"} for r in rows]
    # only the surname moved, so the merged name fits nobody: use a real whole-name shift
    for index in range(len(merged) - 1, 0, -1):
        prev = people[index - 1]
        merged[index]["full_name"] = f"{prev['given_name']} {prev['family_name']}"
    shift = only(_run_shift(merged, people), "column-shift")
    assert shift.column == "full_name" and shift.row == 3


def test_two_mismatching_rows_are_not_a_shift() -> None:
    rows, people = _shift_batch(20, 0, 0)
    rows[5]["last_name"] = rows[4]["last_name"]  # rows 7 and 8 carry the row above's
    rows[6]["last_name"] = rows[5]["last_name"]
    found = _run_shift(rows, people)
    assert codes(found) == ["name-mismatch", "name-mismatch"]
    assert [v.row for v in found] == [7, 8]
    assert "it is the name of row 6's recipient" in text(found[0])


def test_min_run_option() -> None:
    rows, people = _shift_batch(20, 0, 0)
    rows[5]["last_name"] = people[4]["family_name"]
    rows[6]["last_name"] = people[5]["family_name"]
    found = _run_shift(rows, people, min_run=2)
    assert codes(found) == ["column-shift", "shifted-row", "shifted-row"]


def test_a_shift_continues_through_neighbours_sharing_a_surname() -> None:
    rows, people = _shift_batch(30, 0, 0)
    # rows 12 and 13 are a couple: same surname, so row 13 carrying row 12's name fits both
    people[11]["family_name"] = people[10]["family_name"]
    people[11]["given_name"] = people[10]["given_name"]
    for index in range(len(rows)):
        rows[index]["last_name"] = people[index]["family_name"]
        rows[index]["first_name"] = people[index]["given_name"]
    for index in range(len(rows) - 1, 4, -1):
        rows[index]["last_name"] = people[index - 1]["family_name"]
    found = _run_shift(rows, people)
    shift = only(found, "column-shift")
    assert (shift.facts["first"], shift.facts["last"]) == ("7", "31")
    assert 13 not in [v.row for v in found if v.code == "shifted-row"]
    assert codes(found).count("shifted-row") == 24


def test_an_email_column_shift() -> None:
    rows, people = _shift_batch(12, 0, 0)
    contacts: Table = [{"person_id": p["person_id"], "kind": "email",
                        "value": f"person{i}@example.org", "status": "current"}
                       for i, p in enumerate(people)]
    for index, row in enumerate(rows):
        source = index + 1 if index >= 3 and index + 1 < len(rows) else index
        row["email"] = f"person{source}@example.org"
    found = run_case(RecipientMismatch, Case(rows=rows, register={
        "people": people, "contacts": contacts}))
    shift = only(found, "column-shift")
    assert "Column email is shifted by one row from row 5 to row 12" in text(shift)
    assert "email address of the recipient one row below" in text(shift)
    assert "contact-belongs-to-other" not in codes(found)


def test_an_address_column_shift_and_a_single_wrong_address() -> None:
    rows, people = _shift_batch(12, 0, 0)
    addresses: Table = [{"person_id": p["person_id"], "line_1": f"{i + 1} Mill Lane",
                         "line_2": "King's Lynn", "postcode": f"PE{i + 1} 4AB",
                         "status": "current"} for i, p in enumerate(people)]
    for index, row in enumerate(rows):
        source = index - 1 if index >= 6 else index
        row["address_line_1"] = f"{source + 1} Mill Lane"
        row["address_line_2"] = "King's Lynn"
        row["postcode"] = f"PE{source + 1} 4AB"
    found = run_case(RecipientMismatch, Case(rows=rows, register={
        "people": people, "addresses": addresses}))
    shift = only(found, "column-shift")
    assert text(shift).startswith(
        "Columns address_line_1 to postcode are shifted by one row from row 8 to row 13")
    # one row only: reported on its own
    rows2, _ = _shift_batch(12, 0, 0)
    for index, row in enumerate(rows2):
        source = index + 1 if index == 4 else index
        row.update(address_line_1=f"{source + 1} Mill Lane", postcode=f"PE{source + 1} 4AB")
    found = run_case(RecipientMismatch, Case(rows=rows2, register={
        "people": people, "addresses": addresses}))
    assert codes(found) == ["address-of-other-recipient"]
    assert found[0].row == 6


def test_a_10000_row_batch_with_a_shift_runs_through() -> None:
    rows, people = _shift_batch(10_000, 120, -1)
    found = _run_shift(rows, people)
    shift = only(found, "column-shift")
    assert (shift.row, shift.facts["first"], shift.facts["last"]) == (120, "120", "10,001")
    assert "from row 120 to row 10,001" in text(shift)
    assert codes(found).count("shifted-row") == 10_001 - 120 + 1
    assert "name-mismatch" not in codes(found)


def test_a_clean_batch_finds_nothing() -> None:
    rows, people = _shift_batch(300, 0, 0)
    assert _run_shift(rows, people) == []


def test_a_value_many_rows_share_is_not_an_identifier() -> None:
    rows = _batch({}, count=14)
    for row in rows[:-1]:
        row["account_ref"] = "COUNCILTAX-2026"  # a constant, not a row's reference
    rows[-1]["note"] = "This is about COUNCILTAX-2026."
    assert codes(run(rows, template=LETTER)) == []
    few = _batch({})
    for row in few[:3]:
        row["account_ref"] = "COUNCILTAX-2026"
    few[-1]["note"] = "This is about COUNCILTAX-2026."
    assert [v.code for v in run(few, template=LETTER)] == ["other-row-reference"] * 3


def test_the_occupier_in_every_row_is_neither_a_mismatch_nor_another_rows_name() -> None:
    rows = _batch({})
    for index, row in enumerate(rows):
        row["name"] = "The Occupier"
        row["note"] = f"Copy sent to the occupier at {rows[(index + 5) % 10]['postcode']}"
    assert codes(run(rows, template=LETTER)) == []


def test_a_shift_runs_through_an_empty_cell_a_repeated_row_and_a_row_wrong_before() -> None:
    original, people = _shift_batch(40, 0, 0)
    # row 26 repeats row 25 (the same recipient twice, copy-pasted)
    original[24] = dict(original[23])
    original[19]["last_name"] = "Quigley"  # row 21 was wrong before the shift
    original[13]["last_name"] = ""  # row 15 had no surname, so row 16 gets none
    rows = [dict(r) for r in original]
    for index in range(len(rows) - 1, 4, -1):  # from row 7, the surname of the row above
        rows[index]["last_name"] = original[index - 1]["last_name"]
    found = _run_shift(rows, people)
    shift = only(found, "column-shift")
    assert (shift.facts["first"], shift.facts["last"]) == ("7", "41")
    assert "none of the 35 items in this range" in text(shift)
    # row 22 carries "Quigley", which fits nobody: reported on its own, inside the range
    assert [v.facts["recipient_id"] for v in found if v.code == "name-mismatch"] == [
        original[20]["recipient_id"]]
    shifted = [v.row for v in found if v.code == "shifted-row"]
    assert not {16, 22, 26} & set(shifted)
    assert len(shifted) == 35 - 3


def test_three_unrelated_rows_do_not_join_two_short_runs() -> None:
    rows, people = _shift_batch(30, 0, 0)
    for index in (5, 6):  # rows 7, 8 carry the row above's surname
        rows[index]["last_name"] = people[index - 1]["family_name"]
    for index in (10, 11):  # rows 12, 13 too, four rows later
        rows[index]["last_name"] = people[index - 1]["family_name"]
    for index in (7, 8, 9):  # rows 9-11 carry names that fit nobody
        rows[index]["last_name"] = "Quigley"
    found = _run_shift(rows, people)
    assert "column-shift" not in codes(found)
    assert codes(found) == ["name-mismatch"] * 7
