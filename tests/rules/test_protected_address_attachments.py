"""protected-address searches what goes with the item: each attachment page is sent too."""

from __future__ import annotations

from pathlib import Path

from policylint.engine.rule import Case
from policylint.masking import render_message
from policylint.rules.protected_address import DO_NOT_DISCLOSE, ProtectedAddress
from policylint.testing import run_case
from tests.io.attachment_files import write_pdf
from tests.rules.test_protected_address import LETTER, REGISTER, TODAY, letter_to


def check(tmp_path: Path, pages: list[list[str]]) -> list[str]:
    write_pdf(tmp_path / "bundle.pdf", pages)
    row = letter_to("P-101", "Mark Hollis", "Please see the enclosed order.",
                    attachments="bundle.pdf")
    found = run_case(ProtectedAddress, Case(rows=[row], template=LETTER, register=REGISTER),
                     today=TODAY, attachments_dir=tmp_path)
    return [render_message(v, False) for v in found if v.code == DO_NOT_DISCLOSE]


def test_her_address_on_page_two_of_a_bundle_to_him_is_flagged(tmp_path: Path) -> None:
    messages = check(tmp_path, [["Court bundle", "Case 2026/114"],
                                ["The applicant now lives at", "Flat 2, 14 Station Road",
                                 "Cardiff CF10 1EP"]])
    assert len(messages) == 1
    assert "in attachment 1 (page 2)" in messages[0]
    assert "Station" not in messages[0] and "1EP" not in messages[0]


def test_a_bundle_without_her_address_is_not_flagged(tmp_path: Path) -> None:
    # The same flat and number in another town, and her street without a number: to him,
    # even her postcode alone would be a finding (see test_postcode_alone_to_ex_partner).
    assert check(tmp_path, [["Court bundle", "Flat 2, 14 Station Road, Newport NP20 1AA"],
                            ["Hearing at Station Road court"]]) == []
