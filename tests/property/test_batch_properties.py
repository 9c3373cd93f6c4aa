"""Property tests: batches of every shape the reader and the CLI may meet.

Invariants:
* the library raises nothing but PolicylintError subclasses (or returns rows);
* a batch the library cannot read completely never gets exit 0 (or 1) from the
  CLI: it is exit 2 with one stderr line naming the file;
* a batch that is damaged at row N (after N-2 good rows) is exit 2 naming row N;
* what a well-formed CSV holds comes back cell for cell, in any supported encoding;
* no cell or row beyond the configured Limits ever reaches a rule.
"""

from __future__ import annotations

import codecs
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policylint.errors import InputError, PolicylintError
from policylint.io.batch import CsvBatchReader, Limits
from tests.property.support import (
    HEADER,
    Project,
    assert_cli_contract,
    csv_text,
    good_row,
    invoke,
    make_project,
    reads_completely,
)

CLI_SETTINGS = settings(max_examples=40, deadline=timedelta(seconds=5),
                        suppress_health_check=[HealthCheck.function_scoped_fixture,
                                               HealthCheck.too_slow])
LIB_SETTINGS = settings(max_examples=150, deadline=timedelta(seconds=2),
                        suppress_health_check=[HealthCheck.function_scoped_fixture,
                                               HealthCheck.too_slow])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("batchprop"))
    batch = proj.root / "warm.csv"
    batch.write_text(HEADER + good_row(1), encoding="utf-8")
    invoke(proj.check_args(batch))  # import everything once, outside any deadline
    return proj


def _read_all(path: Path, limits: Limits | None = None) -> list[dict[str, str]]:
    with CsvBatchReader(path, limits=limits or Limits()) as reader:
        return [dict(row.values) for row in reader.rows()]


# --------------------------------------------------------------------------- strategies

cell_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), max_size=30)
csv_like_text = st.lists(
    st.lists(st.one_of(cell_text, st.sampled_from(['"', '""', '"a\nb"', "\r\n", "\x00", ";",
                                                   "\t", "=1+2", "\x1a", "\ufeff"])),
             min_size=0, max_size=8),
    min_size=0, max_size=8,
).map(lambda rows: "\n".join(",".join(cells) for cells in rows))
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                             "cp1252"])


@st.composite
def encoded_csv(draw: st.DrawFn) -> bytes:
    text = draw(csv_like_text)
    encoding = draw(encodings)
    return text.encode(encoding, errors="replace")


# --------------------------------------------------------------------------- library layer


@LIB_SETTINGS
@given(data=st.binary(max_size=2000))
def test_random_bytes_only_raise_policylint_errors(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(data)
    try:
        rows = _read_all(path)
    except PolicylintError as err:
        assert "\n" not in str(err)
        assert str(path) in str(err)
        return
    assert all("\0" not in value for row in rows for value in row.values())


@LIB_SETTINGS
@given(data=encoded_csv())
def test_random_text_in_any_encoding_only_raises_policylint_errors(tmp_path: Path,
                                                                   data: bytes) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(data)
    try:
        rows = _read_all(path)
    except PolicylintError as err:
        assert "\n" not in str(err)
        return
    for row in rows:
        assert all("\0" not in v for v in row.values())


plain_cell = st.text(alphabet="abcXYZ 019,\"'\n\r-=+@é中🙂", max_size=12)
names = st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=6), min_size=2,
                 max_size=6, unique_by=lambda s: s)


@LIB_SETTINGS
@given(header=names, data=st.data(), encoding=st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_well_formed_csv_round_trips(tmp_path: Path, header: list[str], data: st.DataObject,
                                     encoding: str) -> None:
    alphabet = "abcXYZ 019,\"'\n\r-=+@£€" if encoding == "cp1252" else "abcXYZ 019,\"'\n\r-=+@é中🙂"
    width = len(header)
    rows = data.draw(st.lists(st.lists(st.text(alphabet=alphabet, max_size=12),
                                       min_size=width, max_size=width), max_size=12))
    rows.append(["x"] * width)  # at least one non-blank data row
    path = tmp_path / "b.csv"
    path.write_bytes(csv_text([header, *rows]).encode(encoding))
    got = _read_all(path)
    expected = [r for r in rows if any(c.strip(" \t\r\n\x0b\x0c\x1a\xa0") for c in r)]
    assert [list(r.values()) for r in got] == expected


@LIB_SETTINGS
@given(data=encoded_csv(), cell=st.integers(1, 40), columns=st.integers(2, 6),
       row_chars=st.integers(10, 200))
def test_limits_are_never_exceeded(tmp_path: Path, data: bytes, cell: int, columns: int,
                                   row_chars: int) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(data)
    limits = Limits(max_cell_chars=cell, max_columns=columns, max_row_chars=row_chars)
    try:
        rows = _read_all(path, limits)
    except PolicylintError:
        return
    for row in rows:
        assert len(row) <= columns
        assert all(len(value) <= cell for value in row.values())
        assert sum(len(value) for value in row.values()) <= row_chars


@settings(max_examples=15, deadline=timedelta(seconds=5),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(width=st.integers(900, 1000), seed=st.integers(0, 2**16))
def test_very_wide_batches_are_read(tmp_path: Path, width: int, seed: int) -> None:
    header = [f"c{i}" for i in range(width)]
    row = [str((seed * i) % 97) for i in range(width)]
    path = tmp_path / "wide.csv"
    path.write_text(csv_text([header, row, row]), encoding="utf-8")
    got = _read_all(path)
    assert len(got) == 2 and list(got[0].values()) == row


# --------------------------------------------------------------------------- through the CLI

DAMAGE = {
    "short": lambda n: good_row(n).replace(",letter,", ",", 1),
    "long": lambda n: good_row(n).rstrip("\n") + ",extra\n",
    "nul": lambda n: good_row(n).replace("Mill", "Mi\0ll"),
    "quote": lambda n: good_row(n).replace(f",{n} Mill Lane,", f',"{n} Mill Lane"x,'),
    "unterminated": lambda n: good_row(n).replace(f",{n} Mill Lane,", f',"{n} Mill Lane,'),
}


@CLI_SETTINGS
@given(good_before=st.integers(0, 30), good_after=st.integers(0, 5),
       damage=st.sampled_from(sorted(DAMAGE)), crlf=st.booleans())
def test_damage_after_good_rows_is_exit_2_naming_the_row(
        project: Project, good_before: int, good_after: int, damage: str, crlf: bool) -> None:
    if damage == "unterminated":
        good_after = 0  # the quote swallows the rest of the file
    rows = [good_row(n) for n in range(1, good_before + 1)]
    rows.append(DAMAGE[damage](good_before + 1))
    rows += [good_row(n) for n in range(good_before + 2, good_before + 2 + good_after)]
    text = HEADER + "".join(rows)
    if crlf:
        text = text.replace("\n", "\r\n")
    batch = project.root / "damaged.csv"
    batch.write_bytes(text.encode("utf-8"))
    result = invoke(project.check_args(batch))
    assert_cli_contract(result)
    assert result.exit_code == 2, result.output
    # The damaged row is collected and reported at its row; the run is not checked.
    assert f"{batch}:{good_before + 2}:" in result.output, result.output
    assert "not checked" in result.stderr and f"row {good_before + 2}" in result.stderr
    assert "Okafor" not in result.output and "Mill" not in result.output


@CLI_SETTINGS
@given(good_before=st.integers(1, 20), byte=st.sampled_from([b"\x81", b"\x8d", b"\x90"]))
def test_undecodable_byte_late_in_file_is_exit_2(project: Project, good_before: int,
                                                 byte: bytes) -> None:
    body = (HEADER + "".join(good_row(n) for n in range(1, good_before + 1))).encode()
    bad = good_row(good_before + 1).encode().replace(b"Mill", b"M" + byte + b"ll")
    batch = project.root / "undecodable.csv"
    batch.write_bytes(body + bad)
    result = invoke(project.check_args(batch))
    assert_cli_contract(result)
    assert result.exit_code == 2, result.output


@CLI_SETTINGS
@given(data=st.one_of(st.binary(max_size=600), encoded_csv()))
def test_cli_never_passes_what_the_library_cannot_read(project: Project, data: bytes) -> None:
    batch = project.root / "random.csv"
    batch.write_bytes(data)
    result = invoke(project.check_args(batch))
    assert_cli_contract(result)
    if not reads_completely(batch):
        assert result.exit_code == 2, result.output


@CLI_SETTINGS
@given(rows=st.lists(st.lists(st.text(max_size=20), min_size=12, max_size=12), min_size=1,
                     max_size=10),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_cli_on_well_formed_random_cells(project: Project, rows: list[list[str]],
                                         encoding: str) -> None:
    assume(all("\0" not in c for r in rows for c in r))
    batch = project.root / "cells.csv"
    batch.write_bytes((HEADER + csv_text(rows)).encode(encoding, errors="replace"))
    result = invoke(project.check_args(batch))
    assert_cli_contract(result)
    if not reads_completely(batch):
        assert result.exit_code == 2


def test_bom_variants_are_detected(tmp_path: Path) -> None:
    text = HEADER + good_row(1)
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (b"", "utf-16-le"),
                          (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        path = tmp_path / "bom.csv"
        path.write_bytes(bom + text.encode(encoding))
        rows = _read_all(path)
        assert rows[0]["last_name"] == "Okafor", encoding


def test_file_changed_to_invalid_between_passes_fails_closed(tmp_path: Path) -> None:
    """rows() re-reads the file: damage introduced after opening still raises."""
    path = tmp_path / "b.csv"
    path.write_text(HEADER + good_row(1) + good_row(2), encoding="utf-8")
    with CsvBatchReader(path) as reader:
        assert len(list(reader.rows())) == 2
        path.write_text(HEADER + good_row(1) + "P-1,short\n", encoding="utf-8")
        with pytest.raises(InputError, match="row 3"):
            list(reader.rows())
