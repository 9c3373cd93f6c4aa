"""The address detector on its own: postcodes, lines, fingerprints, streets."""

from __future__ import annotations

import pytest

from policylint.rules.voicemail_content.address import (
    AddressSource,
    find_addresses,
    find_postcodes,
    street_and_town,
)
from policylint.rules.voicemail_content.text import ScriptText

ROW = AddressSource(("Ms S Hughes", "14 Mill Lane", "Fenmarsh", "FE1 2AB"), "",
                    ("Sian Hughes",), from_row=True)
HOUSE = AddressSource(("Rose Cottage", "Church Lane", "Fenmarsh"), "FE3 9XY")


def said(script: str, *sources: AddressSource, cells: dict[str, str] | None = None
         ) -> list[str]:
    hits = find_addresses(script, ScriptText.of(script), sources or (ROW,), cells)
    return [script[h.start:h.end] for h in hits]


@pytest.mark.parametrize(("script", "expected"), [
    ("We called at 14 Mill Lane today.", "14 Mill Lane"),
    ("We called at 14 Mill Ln today.", "14 Mill Ln"),
    ("We called at 14, Mill Lane, Fenmarsh today.", "14, Mill Lane, Fenmarsh"),
    ("Keys for Mill Lane, Fenmarsh are ready.", "Mill Lane, Fenmarsh"),
])
def test_address_lines_and_street_with_town(script: str, expected: str) -> None:
    assert said(script) == [expected]


@pytest.mark.parametrize("script", [
    "This is Fenmarsh District Council.", "Our office is at 140 Mill Lane.",
    "Hello Lane, please call.", "The Mill Lane surgery will call you.",
    "Press 14 for Mill services.",
])
def test_not_the_address(script: str) -> None:
    assert said(script) == []


def test_house_name_with_its_street() -> None:
    assert said("We called at Rose Cottage, Church Lane.", HOUSE) == ["Rose Cottage, Church Lane"]
    assert said("We called at the cottage car park on Church Lane.", HOUSE) == []


def test_street_alone_when_a_cell_holds_exactly_the_street() -> None:
    script = "Hello Sian, this is Mill Lane. Call us."
    assert said(script) == []
    assert said(script, cells={"organisation": "Mill Lane"}) == ["Mill Lane"]
    hits = list(find_addresses(script, ScriptText.of(script), (ROW,),
                               {"organisation": "Mill Lane"}))
    assert hits[0].column == "organisation"
    assert said(script, cells={"organisation": "Mill Lane Surgery"}) == []


def test_street_and_town() -> None:
    assert street_and_town(ROW.lines) == ("milllane", "fenmarsh")
    assert street_and_town(("Flat 2", "6 Chandlers Court", "Marlbeck")) == (
        "chandlerscourt", "marlbeck")
    assert street_and_town(("Rose Cottage",)) is None


def test_postcodes_in_capitals_any_and_own_in_any_case() -> None:
    def own() -> set[str]:
        return {"FE1 2AB"}

    assert [h.value.value for h in find_postcodes("Letter to FE1 2AB.", own)  # type: ignore[union-attr]
            ] == ["FE1 2AB"]
    assert len(list(find_postcodes("Our office, LS1 4AP.", own))) == 1
    assert len(list(find_postcodes("Letter to fe1 2ab.", own))) == 1
    assert list(find_postcodes("Room b1 2nd floor.", own)) == []
    assert [h.personal_kind for h in find_postcodes("FE1 2AB", own)] == ["postcode"]
