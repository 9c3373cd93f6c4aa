"""merge-integrity's greeting check: must-flag and must-not-flag letters, and the
shortcut that looks for greetings found exactly what a scan of every position finds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policylint.engine.rule import Case
from policylint.rules.merge_integrity import _SALUTATION, MergeIntegrity, _salutations
from policylint.testing import codes, run_case

TEMPLATE = "---\nname: t\nchannel: letter\n---\n{{ greeting }}\nYour account is up to date.\n"


def greeting_codes(greeting: str) -> list[str]:
    case = Case(rows=[{"recipient_id": "P-1", "greeting": greeting}], template=TEMPLATE)
    return [c for c in codes(run_case(MergeIntegrity, case)) if c == "empty-salutation"]


@pytest.mark.parametrize("greeting", [
    "Dear ,", "Dear Mrs ,", "Dear Dr.,", "Hello ,", "Hi Mr ,", "To Whom: Dear ,",
    "Highfield House\nDear ,",  # "Hi" in an address before the greeting that lost its name
])
def test_a_greeting_that_lost_its_name_is_flagged(greeting: str) -> None:
    assert greeting_codes(greeting) == ["empty-salutation"]


@pytest.mark.parametrize("greeting", [
    "Dear Mrs Okafor,", "Hello,", "Hi,", "Dearest ,", "High Street,", "Hilda ,",
    "Dear Sir or Madam,", "Ohio Dear", "DEAR ,",
])
def test_a_greeting_with_its_name_or_no_greeting_is_not(greeting: str) -> None:
    assert greeting_codes(greeting) == []


@given(st.lists(st.sampled_from(
    ["Dear", "Hello", "Hi", "Mr", "Mrs", "Dr.", "Prof", " ", "\t", ",", "\n", "a", "gh",
     "Hel", "De", "ar", "lo", "x", "Mx."]), max_size=30).map("".join))
def test_greetings_built_from_words_are_those_of_a_full_scan(text: str) -> None:
    found = [(m.start(), m.end()) for m in _salutations(text)]
    assert found == [(m.start(), m.end()) for m in _SALUTATION.finditer(text)]


NULL_TEMPLATE = "---\nname: t\nchannel: letter\n---\nDear {{ name }},\nYou owe {{ amount }}.\n"


@pytest.mark.parametrize(("name", "amount", "expected"), [
    ("Ann Lee", "nan", ["amount"]),
    ("  NULL ", "£12.00", ["name"]),
    ("#N/A", "None", ["amount", "name"]),
    ("Ferdinand Nannestad", "£12.00", []),  # "nan" inside a word is a name
    ("Ann Lee", "nan pounds", []),
])
def test_null_tokens_in_printed_columns(name: str, amount: str, expected: list[str]) -> None:
    row = {"recipient_id": "P-1", "name": name, "amount": amount, "unused": "nan"}
    found = run_case(MergeIntegrity, Case(rows=[row], template=NULL_TEMPLATE))
    # "unused" is not printed: a null token there reaches nobody.
    assert sorted(v.column or "" for v in found if v.code == "null-value") == expected
