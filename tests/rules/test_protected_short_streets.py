"""protected-address's short streets on a generated register: the index's street
patterns are exactly those a count of every current address gives.

The index reads only the addresses that hold a candidate street's anchor, and stops
parsing a street's addresses once it has more homes than ``short_street_homes``;
neither shortcut may change which streets count as short.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.gen_data import generate
from policylint.io.register.csvdir import open_csv_register
from policylint.normalise.address import normalise_address_text
from policylint.normalise.locators import street_of
from policylint.rules._protected_index import STREET_PRINT, ProtectedIndex, _district

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _unfreeze() -> Iterator[None]:
    yield
    gc.unfreeze()  # open_csv_register freezes what it loaded


@pytest.fixture(scope="module")
def register_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("short-streets")
    generate(out, people=20_000, rows=10)
    return out / "register"


def _street_patterns(index: ProtectedIndex) -> set[str]:
    return {pattern.strip() for pattern, refs in index._address_patterns.items()
            if any(kind == STREET_PRINT for _, kind in refs)}


# The generated streets hold some 14 to 80 homes each: these limits leave none, some,
# most and all of the candidate streets short.
@pytest.mark.parametrize("max_homes", [5, 20, 33, 100])
def test_short_streets_are_those_a_full_count_gives(register_dir: Path, max_homes: int) -> None:
    register = open_csv_register(register_dir)
    index = ProtectedIndex.build(register, TODAY, 0, max_homes)
    candidates = index._street_candidates
    assert candidates, "the generated register has do-not-disclose people to protect"
    homes: dict[tuple[str, str], set[str]] = {(d, s): set() for _, s, _, d in candidates}
    for address in register.all_addresses():
        if address.status != "current":
            continue
        key = (_district(address.postcode), street_of(address.lines))
        if key in homes:
            homes[key].add(normalise_address_text(", ".join(address.lines)))
    expected = {f"{street} {town}" for _, street, town, district in candidates
                if len(homes[(district, street)]) <= max_homes}
    assert _street_patterns(index) == expected
    if max_homes in (20, 33):  # both kinds of street: the comparison means something
        assert 0 < len(expected) < len(homes)
