"""redaction-residue: values marked for redaction, however written, and text hidden
under black boxes are caught; a proper redaction and near-miss values are not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from policylint.engine.rule import Case
from policylint.masking import render_message
from policylint.model import Severity, Violation
from policylint.rules.redaction_residue import RedactionResidue
from policylint.testing import codes, run_case
from tests.io.attachment_files import write_docx, write_pdf, write_pdf_with_annotation

PEOPLE = [
    {"person_id": "P-1", "title": "Ms", "given_name": "Dana", "family_name": "Whitlock",
     "date_of_birth": "1988-04-12", "status": "active", "flags": ""},
    {"person_id": "P-2", "title": "Mr", "given_name": "Carl", "family_name": "Whitlock",
     "date_of_birth": "1985-09-30", "status": "active", "flags": ""},
    {"person_id": "P-3", "title": "Mrs", "given_name": "Ruth", "family_name": "Okonjo",
     "date_of_birth": "1960-01-05", "status": "active", "flags": ""},
]
ADDRESSES = [
    {"person_id": "P-1", "line_1": "9 Elm Road", "line_2": "Fenmarsh", "postcode": "PE31 6XY",
     "status": "current", "valid_from": "2026-03-01", "valid_to": "", "verified_on": ""},
    {"person_id": "P-1", "line_1": "4 Mill Lane", "line_2": "Fenmarsh", "postcode": "PE30 4AB",
     "status": "previous", "valid_from": "2019-01-01", "valid_to": "2026-02-28",
     "verified_on": ""},
    {"person_id": "P-2", "line_1": "4 Mill Lane", "line_2": "Fenmarsh", "postcode": "PE30 4AB",
     "status": "current", "valid_from": "2019-01-01", "valid_to": "", "verified_on": ""},
    {"person_id": "P-3", "line_1": "Flat 3, 22 Quay Street", "line_2": "Kingsford",
     "postcode": "PE32 1QT", "status": "current", "valid_from": "2010-01-01", "valid_to": "",
     "verified_on": ""},
]
CONTACTS = [
    {"person_id": "P-1", "kind": "phone", "value": "07700 900123", "status": "current",
     "verified_on": "2026-03-01"},
    {"person_id": "P-1", "kind": "email", "value": "dana.w@example.org", "status": "current",
     "verified_on": "2026-03-01"},
]
REGISTER = {"people": PEOPLE, "addresses": ADDRESSES, "contacts": CONTACTS}
TEMPLATE = ("---\nname: case-update\nchannel: letter\naudience: third_party\n---\n"
            "Dear Mr Whitlock,\nYour case review is on 4 March.\n{{ notes }}\n")
SUBJECT = {"redact": [{"audience": "third_party", "subject": [
    "name", "address", "phone", "email", "date_of_birth"]}]}


def check(notes: str = "", options: Mapping[str, Any] = SUBJECT, *,
          attachments: str = "", tmp: Path | None = None, template: str = TEMPLATE,
          extra: Mapping[str, str] | None = None) -> list[Violation]:
    row = {"recipient_id": "P-2", "subject_id": "P-1", "notes": notes, **(extra or {})}
    if attachments:
        row["attachments"] = attachments
    case = Case(rows=[row], template=template, register=REGISTER, options=options)
    return run_case(RedactionResidue, case, attachments_dir=tmp)


@pytest.mark.parametrize("notes", [
    "She now lives at 9 Elm Road.",
    "She now lives at 9, ELM   ROAD.",
    "She now lives at 9 Elm Rd",
    "Postcode pe316xy",
    "Postcode PE31\n6XY",
    "Call her on +44 7700 900 123",
    "Call her on 07700-900-123",
    "Email DANA.W@example.org",
    "Date of birth 12th April 1988",
    "DOB 12/04/1988",
    "Mother: Dana\nWhitlock",
    "Mother: WHITLOCK, Dana",
    "Mother: Ms  Whitlock",
    "Mother: Dana Whit-\nlock",
    "Mother: D ana Whit lock",  # spaces a PDF's text extraction put inside words
])
def test_subject_details_are_found_however_written(notes: str) -> None:
    assert codes(check(notes)) == ["redaction-residue"], notes


@pytest.mark.parametrize("notes", [
    "",
    "She lives at 19 Elm Road.",  # another house
    "Postcode PE31 6XZ",  # another postcode
    "Her old address was 4 Mill Lane, PE30 4AB.",  # previous address: not protected
    "Call the office on 01632 960 001",
    "Review date 12/04/2026",
    "Ms Whitlocke attended",  # another surname
    "Dana will attend",  # a given name alone
    "Dana Whitlocke attended",  # another surname, written in full
])
def test_near_misses_are_not_flagged(notes: str) -> None:
    assert check(notes) == [], notes


def test_scope_by_template_and_audience() -> None:
    to_recipient = TEMPLATE.replace("audience: third_party", "audience: recipient")
    assert check("9 Elm Road", template=to_recipient) == []
    by_name = {"redact": [{"templates": ["case-*"], "subject": ["address"]}]}
    assert codes(check("9 Elm Road", by_name, template=to_recipient)) == ["redaction-residue"]
    other = {"redact": [{"templates": ["sar-*"], "subject": ["address"]}]}
    assert check("9 Elm Road", other) == []


def test_third_parties_columns_and_terms() -> None:
    options = {"redact": [{"third_parties": ["name", "address"],
                           "third_party_columns": ["witness_ids"],
                           "columns": ["social_worker"],
                           "terms": ["MARAC", "Women's Aid"]}]}
    extra = {"witness_ids": "P-1;P-3", "social_worker": "Gemma Hart"}
    for notes in ("Neighbour at 22 Quay St, flat 3", "Neighbour Mrs Okonjo",
                  "Seen by gemma  hart", "Discussed at marac", "womens aid"):
        assert codes(check(notes, options, extra=extra)) == ["redaction-residue"], notes
    for notes in ("Neighbour at 22 Quay Road", "Discussed at the meeting", "A hart shape",
                  "MARACAS"):
        assert check(notes, options, extra=extra) == [], notes
    extra = {"witness_ids": "P-3; P-404", "social_worker": "Gemma Hart"}
    assert codes(check("", options, extra=extra)) == ["unknown-third-party"]


def test_a_column_the_batch_does_not_have_stops_the_run() -> None:
    from policylint.errors import InputError

    options = {"redact": [{"columns": ["case_notes"]}]}
    with pytest.raises(InputError, match="case_notes"):
        check("9 Elm Road", options)


def test_message_is_masked_and_says_what_and_where() -> None:
    [violation] = check("Postcode pe316xy")
    masked = render_message(violation, show_values=False)
    assert "pe316xy" not in masked.lower() and "PE31 6XY" not in masked
    assert "The subject's postcode" in masked and "in the text" in masked
    assert "PE31 6XY" in render_message(violation, show_values=True)


# --- attachments ---------------------------------------------------------------------

LETTER = ["Dear Mr Whitlock", "Your daughter's new school is arranged.",
          "Her mother's address: 9 Elm Road, Fenmarsh PE31 6XY"]


def test_black_box_over_text_layer_is_caught_naming_the_page(tmp_path: Path) -> None:
    write_pdf(tmp_path / "letter.pdf", [["Cover sheet"], LETTER], boxed=[(1, 2)])
    found = check(attachments="letter.pdf", tmp=tmp_path)
    assert codes(found) == ["redaction-residue", "redaction-residue", "text-under-box"]
    boxed = next(v for v in found if v.code == "text-under-box")
    message = render_message(boxed, show_values=False)
    assert "page 2" in message and "attachment 1" in message.lower()
    residue = [render_message(v, False) for v in found if v.code == "redaction-residue"]
    assert all("attachment 1 (page 2)" in m for m in residue)


def test_black_box_is_caught_even_when_the_policy_lists_nothing(tmp_path: Path) -> None:
    write_pdf(tmp_path / "letter.pdf", [LETTER], boxed=[(0, 2)])
    assert codes(check(attachments="letter.pdf", tmp=tmp_path, options={})) == [
        "text-under-box"]


def test_properly_redacted_pdf_passes(tmp_path: Path) -> None:
    write_pdf(tmp_path / "letter.pdf", [["Cover sheet"], LETTER], removed=[(1, 2)])
    assert check(attachments="letter.pdf", tmp=tmp_path) == []


def test_white_heading_on_black_band_is_not_a_redaction(tmp_path: Path) -> None:
    write_pdf(tmp_path / "letter.pdf", [["FENMARSH COUNCIL", *LETTER[:2]]],
              white_on_black=[(0, 0)])
    assert check(attachments="letter.pdf", tmp=tmp_path) == []


def test_unapplied_redaction_and_second_attachment(tmp_path: Path) -> None:
    write_pdf(tmp_path / "leaflet.pdf", [["School admissions leaflet"]])
    write_pdf_with_annotation(tmp_path / "letter.pdf", ["Lives at 9 Elm Road"],
                              subtype="/Redact")
    found = check(attachments="leaflet.pdf; letter.pdf", tmp=tmp_path)
    assert codes(found) == ["redaction-residue", "unapplied-redaction"]
    assert "attachment 2 (page 1)" in render_message(found[0], False)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"deleted": "She moved to 9 Elm Road"}, "tracked-deletion"),
    ({"black_highlight": "She moved to 9 Elm Road"}, "blacked-out-text"),
    ({"hidden": "She moved to 9 Elm Road"}, "hidden-text"),
])
def test_word_text_hidden_from_the_reader(tmp_path: Path, kwargs: dict[str, str],
                                          code: str) -> None:
    write_docx(tmp_path / "letter.docx", ["Dear Mr Whitlock"], **kwargs)
    found = codes(check(attachments="letter.docx", tmp=tmp_path, options={}))
    assert found == [code]


def test_word_comment_and_header_are_searched(tmp_path: Path) -> None:
    write_docx(tmp_path / "letter.docx", ["Dear Mr Whitlock"], header="Re: D Whitlock",
               comment="mum's new number 07700900123")
    found = check(attachments="letter.docx", tmp=tmp_path)
    assert codes(found) == ["redaction-residue", "review-comments"]
    assert "comment" in render_message(found[0], False)
    assert found[1].severity is Severity.WARNING


def test_clean_word_attachment_passes(tmp_path: Path) -> None:
    write_docx(tmp_path / "letter.docx", ["Dear Mr Whitlock", "Her address: [redacted]"],
               table=[["Child", "Amy"]], inserted="Review on 4 March")
    assert check(attachments="letter.docx", tmp=tmp_path) == []


def _all(found: Sequence[Violation]) -> list[str]:
    return [render_message(v, False) for v in found]
