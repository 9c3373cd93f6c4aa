"""The engine's read-ahead: one prefetch per chunk of rows, the rows themselves unchanged."""

from __future__ import annotations

from collections.abc import Collection

from policylint.engine.prefetch import chunk_keys, prefetched
from policylint.engine.rule import FieldMap
from policylint.io.register.memory import MemoryRegister
from policylint.model import Row

FIELDS = FieldMap(roles={"recipient_id": "tenant_ref", "subject_id": "subject_id",
                         "email": "email", "phone": "mobile"})


def _row(number: int, **values: str) -> Row:
    return Row(number=number, line=number, values=values, headers={k: k for k in values},
               file="batch.csv")


class Recorder(MemoryRegister):
    def __init__(self) -> None:
        super().__init__({"people": []})
        self.calls: list[tuple[set[str], set[str], set[str]]] = []

    def prefetch(self, person_ids: Collection[str], emails: Collection[str] = (),
                 phones: Collection[str] = ()) -> None:
        self.calls.append((set(person_ids), set(emails), set(phones)))


def test_chunk_keys_are_the_normalised_values_rules_look_up() -> None:
    rows = [
        _row(2, tenant_ref=" T-1 ", subject_id="", email=" Ann@Example.ORG ",
             mobile="07700 900123"),
        _row(3, tenant_ref="T-2", subject_id="T-9", email="", mobile="+44 7700 900123"),
        _row(4, tenant_ref="", subject_id="", email="not an email", mobile="call me"),
    ]
    people, emails, phones = chunk_keys(rows, FIELDS)
    assert people == {"T-1", "T-2", "T-9"}
    assert emails == {"ann@example.org", "not an email"}
    assert phones == {"+447700900123"}
    assert chunk_keys(rows, FieldMap()) == (set(), set(), set())


def test_one_prefetch_per_chunk_and_rows_unchanged() -> None:
    rows = [_row(n, tenant_ref=f"T-{n}") for n in range(2, 1202)]
    register = Recorder()
    out = list(prefetched(iter(rows), register, FIELDS, chunk_rows=500))
    assert out == rows
    # and once with no keys after the last row (a register may check it still reads)
    assert [len(ids) for ids, _, _ in register.calls] == [500, 500, 200, 0]
    assert register.calls[-1] == (set(), set(), set())
    assert register.calls[0][0] == {f"T-{n}" for n in range(2, 502)}


def test_prefetch_comes_before_the_rows_of_its_chunk() -> None:
    register = Recorder()
    seen: list[tuple[int, int]] = []
    for row in prefetched([_row(n, tenant_ref=f"T-{n}") for n in range(2, 7)], register,
                          FIELDS, chunk_rows=2):
        seen.append((row.number, len(register.calls)))
    assert seen == [(2, 1), (3, 1), (4, 2), (5, 2), (6, 3)]
    assert len(register.calls) == 4  # the call after the last row


def test_registers_without_prefetch_get_the_rows_straight_through() -> None:
    rows = [_row(2, tenant_ref="T-1")]
    assert list(prefetched(rows, MemoryRegister({"people": []}), FIELDS)) == rows
    assert list(prefetched(rows, None, FIELDS)) == rows
    empty = Recorder()
    assert list(prefetched([], empty, FIELDS)) == []
    assert empty.calls == []  # no rows, nothing answered from a read-ahead
