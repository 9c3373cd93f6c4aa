"""A chunk's rows reach a worker as the reader gives them, however they were packed.

A CSV batch travels as bare cells (the parent builds no row mappings), any other
format as rows; either way the rows a worker unpacks equal a plain ``rows()`` pass,
and the reader's unreadable rows are the same.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.engine.chunks import Rows, chunks_of
from policylint.engine.runner import open_batch
from policylint.io.batch.base import CellRowReader
from policylint.model import Row

HEADER = "recipient_id,name,address_line_1,postcode,notes\n"


def _messy_csv(path: Path, rows: int) -> Path:
    """Quoted newlines, trailing delimiters, blank rows, a ragged row, cp1252 text."""
    lines = [HEADER]
    for n in range(rows):
        if n % 97 == 5:
            lines.append("\n")  # blank: skipped, still counted
        elif n % 101 == 7:
            lines.append(f"C{n},Too,Few\n")  # ragged: unreadable
        elif n % 13 == 3:
            lines.append(f'C{n},"Name, {n}","Flat 2\nThe Maltings",CF10 1EP,"said ""hi"""\n')
        elif n % 17 == 4:
            lines.append(f"C{n},Zoë Brontë,{n} Station Road,CF10 1EP,,,\n")  # stray delimiters
        else:
            lines.append(f"C{n},Person {n},{n} High Street,CF10 1EP,\n")
    path.write_bytes("".join(lines).encode("cp1252"))
    return path


def _unpacked(path: Path, size: int) -> tuple[list[Row], list[object], int]:
    reader = open_batch(path)
    try:
        chunks = list(chunks_of(reader, size))
        rows = [row for _, chunk in chunks for row in chunk.unpack()]
        return rows, list(reader.problems), sum(len(chunk) for _, chunk in chunks)
    finally:
        reader.close()


def _plain(path: Path) -> tuple[list[Row], list[object]]:
    reader = open_batch(path)
    try:
        return list(reader.rows()), list(reader.problems)
    finally:
        reader.close()


@pytest.mark.parametrize("size", [1, 7, 5000])
def test_a_csv_batch_travels_as_cells_and_unpacks_to_its_rows(tmp_path: Path,
                                                              size: int) -> None:
    path = _messy_csv(tmp_path / "batch.csv", 1200)
    reader = open_batch(path)
    assert isinstance(reader, CellRowReader)
    reader.close()
    rows, problems, counted = _unpacked(path, size)
    expected, expected_problems = _plain(path)
    assert len(expected) > 1000 and expected_problems  # the messy parts are there
    assert rows == expected
    assert counted == len(expected)
    assert problems == expected_problems
    # A row's mapping is its own; the header mapping is shared and read-only.
    assert rows[0].values is not rows[1].values
    with pytest.raises(TypeError):
        rows[0].headers["x"] = "y"  # type: ignore[index]


def test_a_batch_without_bare_cells_travels_as_rows(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps({"recipient_id": f"C{n}", "name": f"Person {n}",
                                        "postcode": "CF10 1EP"}) + "\n"
                            for n in range(50)), encoding="utf-8")
    reader = open_batch(path)
    assert not isinstance(reader, CellRowReader)
    reader.close()
    rows, problems, _ = _unpacked(path, 8)
    assert (rows, problems) == _plain(path)


def test_a_packed_chunk_survives_pickling(tmp_path: Path) -> None:
    import pickle

    path = _messy_csv(tmp_path / "batch.csv", 40)
    reader = open_batch(path)
    try:
        (_, chunk), *_ = list(chunks_of(reader, 100))
    finally:
        reader.close()
    copy: Rows = pickle.loads(pickle.dumps(chunk))
    assert len(copy) == len(chunk) and copy.unpack() == chunk.unpack()
