"""A whole register loads to the same answers on the fast path and the reference path.

The CSV register is loaded through :class:`RecordBuilder` (interning repeated
texts, slotted records) and, with ``fast=False``, through ``clean_values`` +
``make_record`` for every row. Every person's records must be equal, field by
field and type by type, on a register made by benchmarks/gen_data.py and on
the same register written the untidy ways exports are (padded and upper-case
statuses, dates with times, blank optional cells); and a register with bad rows
must fail with exactly the same errors both ways.
"""

from __future__ import annotations

import csv
import gc
import pickle
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest

from benchmarks.gen_data import generate
from policylint.errors import RegisterErrors
from policylint.io.register.base import Address, Contact, Person, Representative, Restriction
from policylint.io.register.csvdir import open_csv_register
from policylint.io.register.memory import MemoryRegister
from policylint.normalise.contact import contact_key


@pytest.fixture(autouse=True)
def _unfreeze() -> Iterator[None]:
    """open_csv_register freezes the collector's view of what it loaded; undo it after."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(out, people=400, rows=0, seed=11)
    register = out / "register"
    # Restrictions are rare at this size: add some, in the generator's own shape.
    with (register / "restrictions.csv").open("a", encoding="utf-8", newline="") as stream:
        stream.write("P-10003,confidential_address,,Address withheld\n"
                     "P-10005,Do_Not_Disclose_To ,P-10004,Ex-partner\n")
    with (register / "representatives.csv").open("a", encoding="utf-8", newline="") as stream:
        stream.write("P-10007,P-10008,council_tax_enquiries,2027-11-26\n")
    return register


def _untidy(source: Path, target: Path) -> Path:
    """The same register as an export might write it: padding, case, times, CRLF."""
    target.mkdir()
    for path in sorted(source.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as inp:
            rows = list(csv.DictReader(inp))
            columns = list(rows[0]) if rows else []
        for index, row in enumerate(rows):
            if index % 3 == 0:
                for column in ("status", "kind"):
                    if column in row:
                        row[column] = f" {row[column].upper()} "
            if index % 4 == 1:
                for column in ("valid_from", "verified_on", "date_of_birth", "valid_to"):
                    if row.get(column):
                        row[column] = f"{row[column]}T09:30:00"
            if index % 5 == 2:
                for column in ("given_name", "line_2", "postcode", "person_id"):
                    if column in row:
                        row[column] = f"  {row[column]}\t"
        with (target / path.name).open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, columns, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
    return target


def _answers(register: MemoryRegister) -> dict[str, object]:
    """Everything a rule can ask, for every person, as comparable values."""
    people = list(register.people())
    out: dict[str, object] = {"people": people, "restrictions": register.restrictions()}
    for person in people:
        pid = person.person_id
        out[pid] = (register.person(pid), register.addresses(pid), register.contacts(pid),
                    register.restrictions_for(pid), register.representatives(pid))
        for contact in register.contacts(pid):
            key = contact_key(contact.kind, contact.value)
            out[f"{contact.kind}:{key}"] = register.contact_owners(contact.kind, key)
    return out


def _types(register: MemoryRegister) -> set[tuple[str, str, str]]:
    """(record type, field, value type) for every field of every record."""
    seen: set[tuple[str, str, str]] = set()
    records: list[object] = [*register.people(), *register.all_addresses(),
                             *register.all_contacts(), *register.restrictions(),
                             *register.all_representatives()]
    for record in records:
        for f in fields(record):  # type: ignore[arg-type]
            seen.add((type(record).__name__, f.name, type(getattr(record, f.name)).__name__))
    return seen


@pytest.mark.parametrize("variant", ["generated", "untidy"])
def test_fast_and_reference_paths_give_the_same_register(
        generated: Path, tmp_path: Path, variant: str) -> None:
    directory = generated if variant == "generated" else _untidy(generated, tmp_path / "reg")
    fast = open_csv_register(directory)
    reference = open_csv_register(directory, fast=False)
    assert len(list(fast.people())) == 400
    assert any(fast.restrictions()) and any(fast.all_representatives())
    assert _answers(fast) == _answers(reference)
    assert _types(fast) == _types(reference)


def test_the_untidy_register_means_the_same_as_the_tidy_one(generated: Path,
                                                            tmp_path: Path) -> None:
    assert _answers(open_csv_register(_untidy(generated, tmp_path / "reg"))) == _answers(
        open_csv_register(generated))


def test_repeated_texts_are_shared_not_copied(generated: Path) -> None:
    register = open_csv_register(generated, columnar=False)
    people = {p.person_id: p for p in register.people()}
    addresses = list(register.all_addresses())
    # An address's person_id is the very string of its person's record.
    assert all(a.person_id is people[a.person_id].person_id for a in addresses)
    # People at one address share one tuple of lines and one postcode.
    by_lines: dict[tuple[str, ...], list[Address]] = {}
    for address in addresses:
        by_lines.setdefault(address.lines, []).append(address)
    shared = [group for group in by_lines.values() if len(group) > 1]
    assert shared
    for group in shared:
        assert all(a.lines is group[0].lines for a in group)
        postcodes = {a.postcode for a in group}
        for postcode in postcodes:
            assert len({id(a.postcode) for a in group if a.postcode == postcode}) == 1


def test_records_are_slotted_and_pickle_for_worker_processes(generated: Path) -> None:
    register = open_csv_register(generated)
    samples = [next(register.people()), next(register.all_addresses()),
               next(register.all_contacts()), register.restrictions()[0],
               next(register.all_representatives())]
    assert [type(s) for s in samples] == [Person, Address, Contact, Restriction,
                                          Representative]
    for record in samples:
        assert not hasattr(record, "__dict__")
        copy = pickle.loads(pickle.dumps(record))
        assert copy == record and hash(copy) == hash(record)


def test_the_loaded_register_is_frozen_out_of_the_collector(generated: Path) -> None:
    gc.unfreeze()
    open_csv_register(generated)
    assert gc.get_freeze_count() > 0


def test_bad_rows_fail_the_same_way_on_both_paths(generated: Path, tmp_path: Path) -> None:
    directory = tmp_path / "bad"
    directory.mkdir()
    for path in generated.glob("*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines()
        if path.name == "people.csv":
            lines[3] = lines[3].replace(",active", ",alive")  # unknown status
            lines[9] = lines[2]  # a person_id twice
        if path.name == "addresses.csv":
            lines[5] = lines[5].replace("current", "").replace("previous", "")  # empty status
            parts = lines[7].split(",")
            parts[9] = "2024-02-30"  # valid_from: no such day
            lines[7] = ",".join(parts)
        if path.name == "contacts.csv":
            lines[4] = lines[4].replace("email", "fax").replace("phone", "fax")
        (directory / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    failures = []
    for fast in (True, False):
        with pytest.raises(RegisterErrors) as caught:
            open_csv_register(directory, fast=fast)
        failures.append([str(p) for p in caught.value.problems])
    assert failures[0] == failures[1]
    assert len(failures[0]) == 5
    assert "people.csv, row 4" in failures[0][0] and "unknown status" in failures[0][0]
