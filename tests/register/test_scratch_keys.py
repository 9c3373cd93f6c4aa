"""ScratchKeys (key -> numbers in a temporary SQLite file, for indexes over a database
register) answers as a dict of lists would, and a database register says it wants one."""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.cli import cli
from policylint.errors import RegisterError
from policylint.io.register import open_register, scratch
from policylint.io.register.build import build_sqlite
from policylint.io.register.scratch import ScratchKeys, indexes_on_disk, keeps_records_on_disk

KEYS = ["p-1", "P-1", "p-1 ", "", "é", "e\u0301", "smith", "email\x00a@b.org", "10", "010"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KEYS), st.integers(-10**12, 10**12)), max_size=80),
       st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(KEYS)), max_size=20))
def test_look_ups_equal_a_dict_of_lists(numbers: list[tuple[str, int]],
                                        texts: list[tuple[str, str]]) -> None:
    """Keys compare exactly (case, spaces, accents composed or not, a NUL inside);
    every value under a key comes back (numbers or text, repeats kept), in the order
    added; an absent key gives nothing."""
    for pairs in (numbers, texts):
        expected: dict[str, list[object]] = {}
        for key, value in pairs:
            expected.setdefault(key, []).append(value)
        index: ScratchKeys[Any] = ScratchKeys("a test index")
        for key, value in pairs:
            index.add(key, value)
        index.seal()
        assert len(index) == len(pairs)
        for key in [*KEYS, "nobody"]:
            values = expected.get(key, [])
            assert index.every(key) == values
            assert index.first(key) == (values[0] if values else None)
        index.close()


def test_many_rows_are_flushed_in_blocks_and_all_found() -> None:
    index: ScratchKeys[int] = ScratchKeys("a test index")
    for number in range(30_000):
        index.add(f"k{number % 9_000}", number)
    index.seal()
    assert index.every("k7") == [7, 9_007, 18_007, 27_007]
    assert index.first("k8999") == 8_999 and index.first("k9000") is None


def test_misuse_and_failure_are_loud() -> None:
    """Looking up before seal, or adding after it, is a programming error; a database
    that fails (here: closed under it) stops the run as a register error, never
    as an empty answer that would miss a finding."""
    index: ScratchKeys[int] = ScratchKeys("the index of person_ids")
    index.add("a", 1)
    with pytest.raises(RuntimeError):
        index.first("a")
    index.seal()
    with pytest.raises(RuntimeError):
        index.add("b", 2)
    assert index.every("a") == [1]
    index.close()
    with pytest.raises(RegisterError, match="cannot keep the index of person_ids"):
        index.every("a")


def test_large_database_registers_keep_their_indexes_on_disk(clean_dir: Path,
                                                              tmp_path: Path) -> None:
    """The CSV register is held in memory (its indexes too); an SQLite register says
    its records are on disk, and keeps its indexes there once it holds ON_DISK_FROM
    people (its largest rowid); a database that cannot tell its size counts as large."""
    database = tmp_path / "register.sqlite"
    build_sqlite(clean_dir, database)
    csv_register, sqlite_register = open_register(clean_dir), open_register(database)

    class Unsized:
        records_on_disk = True

    try:
        assert not keeps_records_on_disk(csv_register)
        assert keeps_records_on_disk(sqlite_register)
        assert not keeps_records_on_disk(object())
        size = sqlite_register.size_hint()  # type: ignore[attr-defined]
        assert size == len(list(sqlite_register.people()))  # built: rowids 1..n
        assert not indexes_on_disk(sqlite_register) and not indexes_on_disk(csv_register)
        assert indexes_on_disk(Unsized())
        with patch.object(scratch, "ON_DISK_FROM", size):
            assert indexes_on_disk(sqlite_register) and not indexes_on_disk(csv_register)
        with patch.object(scratch, "ON_DISK_FROM", size + 1):
            assert not indexes_on_disk(sqlite_register)
    finally:
        csv_register.close()
        sqlite_register.close()


def test_it_is_not_sent_between_processes() -> None:
    """Built where it is used: pickling it is refused, not silently emptied."""
    index: ScratchKeys[int] = ScratchKeys("a test index")
    index.seal()
    with pytest.raises(TypeError):
        pickle.dumps(index)


def test_a_temporary_file_that_cannot_be_written_stops_the_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large register's index that cannot be kept on disk stops `check` with exit 2
    and one line saying so: never a run that quietly skipped what it could not index."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    database = tmp_path / "register.sqlite"
    build_sqlite(examples / "register", database)
    read_only = tmp_path / "read-only.db"
    sqlite3.connect(read_only).close()
    connect = sqlite3.connect

    def temporary_is_read_only(name: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if name == "":  # a private temporary database: give it one it cannot write
            return connect(f"file:{read_only}?mode=ro", uri=True)
        return connect(name, *args, **kwargs)

    monkeypatch.setattr(scratch.sqlite3, "connect", temporary_is_read_only)
    monkeypatch.setattr(scratch, "ON_DISK_FROM", 0)
    result = CliRunner().invoke(cli, [
        "check", str(examples / "batch.csv"), "--policy", str(examples / "policylint.yaml"),
        "--register", str(database), "--today", "2026-11-26"])
    assert result.exit_code == 2, result.output
    assert "cannot keep the index of" in result.output
    assert "Traceback" not in result.output
