"""Amount and date-of-birth detectors on their own."""

from __future__ import annotations

import datetime as dt

import pytest

from policylint.rules.voicemail_content.amounts import find_amounts
from policylint.rules.voicemail_content.dates import find_dates_of_birth, parse_date
from policylint.rules.voicemail_content.text import ScriptText


@pytest.mark.parametrize("amount", ["£412.50", "£1,200", "£ 75", "12.50 GBP", "412 pounds",
                                    "GBP 40", "80 quid", "50p", "£2k", "£40 o bunnoedd"])
def test_amounts(amount: str) -> None:
    hits = list(find_amounts(f"You owe {amount} now."))
    assert len(hits) == 1


@pytest.mark.parametrize("text", ["Call within 10 days, 9am to 5pm.", "Press 1.",
                                  "Code B12p.", "at 9.30 p.m.", "Room 12", "2 people"])
def test_not_amounts(text: str) -> None:
    assert list(find_amounts(text)) == []


DOB = dt.date(1980, 2, 3)


@pytest.mark.parametrize("written", ["03/02/1980", "3/2/80", "3 February 1980",
                                     "3rd Feb 1980", "February 3, 1980", "1980-02-03",
                                     "03.02.1980", "03021980"])
def test_known_date_of_birth_any_spelling(written: str) -> None:
    view = ScriptText.of(f"We have {written} on file.")
    assert [view.text[h.start:h.end] for h in find_dates_of_birth(view, [(None, DOB, "")])
            ] == [written]


def test_other_dates_are_not_the_date_of_birth() -> None:
    view = ScriptText.of("Your appointment is on 3 February 2027 at 10:30.")
    assert list(find_dates_of_birth(view, [(None, DOB, "")])) == []


@pytest.mark.parametrize("text", ["DOB 12/05/1975.", "D.O.B: 12/05/1975", "dob 12.5.75",
                                  "date of birth is 12 May 1975", "born on 12th May 1975",
                                  "Date of birth: May 12, 1975",
                                  "dyddiad geni 12/05/1975"])
def test_a_date_said_as_a_date_of_birth(text: str) -> None:
    hits = list(find_dates_of_birth(ScriptText.of(text), []))
    assert [h.code for h in hits] == ["date-of-birth"]


@pytest.mark.parametrize("text", ["Please have your date of birth ready.",
                                  "Born in Fenmarsh, call 01632 960000.",
                                  "Happy birthday! Your appointment is on 12/05/2026."])
def test_mentions_of_birth_without_a_date_following(text: str) -> None:
    assert list(find_dates_of_birth(ScriptText.of(text), [])) == []


def test_row_value_that_is_not_a_date_is_searched_as_written() -> None:
    view = ScriptText.of("Born 1980ish, we think.")
    assert [h.column for h in find_dates_of_birth(view, [("dob", None, "1980ish")])] == ["dob"]


def test_parse_date() -> None:
    assert parse_date("3rd February 1980") == DOB
    assert parse_date("1980-02-03T00:00:00") == DOB
    assert parse_date("soon") is None
