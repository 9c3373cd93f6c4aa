"""The sensitive-term detector and the built-in list on their own."""

from __future__ import annotations

import pytest

from policylint.rules._sensitive_terms import (
    CATEGORY_ABOUT,
    DEFAULT_SENSITIVE_TERMS,
    WELSH_SENSITIVE_TERMS,
    default_terms,
    welsh_mutations,
)
from policylint.rules.voicemail_content.terms import TermMatcher

MATCHER = TermMatcher()


def terms(text: str, matcher: TermMatcher = MATCHER) -> list[str]:
    return [text[start:end] for start, end, _ in matcher.find(text)]


def about(text: str) -> list[str]:
    return [term.about for _, _, term in MATCHER.find(text)]


# One or more terms per UK GDPR special category and criminal-offence data.
@pytest.mark.parametrize(("phrase", "category"), [
    ("your mental health appointment", "health"),
    ("the sexual health clinic", "health"),
    ("the drug and alcohol service", "health"),
    ("our substance misuse team", "health"),
    ("your memory assessment", "health"),
    ("the memory clinic", "health"),
    ("your HIV results", "health"),
    ("the fertility clinic", "health"),
    ("your IVF treatment", "health"),
    ("the maternity unit", "health"),
    ("your antenatal appointment", "health"),
    ("the gender identity clinic", "gender identity"),
    ("your ethnic origin", "racial or ethnic origin"),
    ("the Gypsy and Traveller team", "racial or ethnic origin"),
    ("your political party", "political opinions"),
    ("your place of worship", "religious or philosophical beliefs"),
    ("the mosque", "religious or philosophical beliefs"),
    ("your trade union", "trade union membership"),
    ("your genetic test", "genetic data"),
    ("your biometric data", "biometric data"),
    ("your sexual orientation", "sex life or sexual orientation"),
    ("your probation officer", "criminal offences"),
    ("the youth offending team", "criminal offences"),
    ("the safeguarding team", "safeguarding"),
    ("children's services", "safeguarding"),
    ("social services", "safeguarding"),
    ("domestic abuse", "domestic abuse"),
    ("the refuge", "domestic abuse"),
    ("your housing benefit arrears", "debts or arrears"),
])
def test_every_category_is_covered(phrase: str, category: str) -> None:
    assert about(phrase) == [CATEGORY_ABOUT[category]], terms(phrase)


# Welsh, checked against the terms Welsh councils and health boards use.
@pytest.mark.parametrize("phrase", [
    "iechyd meddwl", "iechyd rhywiol", "camddefnyddio sylweddau", "cyffuriau ac alcohol",
    "beichiogrwydd", "mamolaeth", "gwasanaeth prawf", "troseddu ieuenctid", "diogelu",
    "cam-drin domestig", "ôl-ddyledion", "ol-ddyledion", "budd-daliadau", "credyd cynhwysol",
    "gwasanaethau cymdeithasol", "clinig cof",
])
def test_welsh_terms(phrase: str) -> None:
    assert len(terms(f"Neges am eich {phrase} heddiw.")) == 1


@pytest.mark.parametrize(("mutated", "radical"), [
    ("ei ddyled", "dyled"), ("fy nyled", "dyled"), ("ei feichiogrwydd", "beichiogrwydd"),
    ("ei ganser", "canser"), ("fy nghanser", "canser"), ("ei chanser", "canser"),
    ("y wasanaeth prawf", "gwasanaeth prawf"), ("ei famolaeth", "mamolaeth"),
])
def test_welsh_mutations_are_found(mutated: str, radical: str) -> None:
    assert mutated.split(" ", 1)[1] in welsh_mutations(radical)
    assert len(terms(f"Neges am {mutated}.")) == 1


@pytest.mark.parametrize("text", [
    "Hello from East Sussex County Council.", "Essex County Council calling.",
    "Middlesex University.", "Your test is ready.", "prawf gyrru", "canlyniad y prawf",
    "diogelu data", "am resymau diogelu data", "We look forward to hearing from you.",
    "You may benefit from our advice.", "your alcohol licence", "the union jack",
    "a race night", "St Mary's Church Lane", "in possession of the keys",
    "Hospital Road car park", "transition to the new system", "meal prep",
    "please take caution", "religious education homework", "mae'n troi allan",
])
def test_look_alikes_are_not_sensitive(text: str) -> None:
    assert terms(text) == []


def test_whole_words_and_plurals() -> None:
    assert terms("Your debts.") == ["debts"]
    assert terms("sex and sexuality") == ["sex", "sexuality"]
    assert terms("Sussex, Essex, sextant") == []


def test_allowed_phrase_and_allowed_term_and_extra_terms() -> None:
    matcher = TermMatcher(extra=["council tax"], allowed=["Kingsmead Court", "hospital"])
    assert terms("Kingsmead Court about your court date", matcher) == ["court"]
    assert terms("the hospital", matcher) == []
    assert terms("your council tax", matcher) == ["council tax"]


def test_every_category_has_a_description_and_no_term_is_blank() -> None:
    for listing in (DEFAULT_SENSITIVE_TERMS, WELSH_SENSITIVE_TERMS):
        for category, listed in listing.items():
            assert category in CATEGORY_ABOUT
            assert all(t.strip() == t and t for t in listed)
    assert len(default_terms()) > 500
