"""Input limits: huge cells, wide headers and long batches are checked or stopped with
one LimitError line, in bounded memory; memory does not grow with the number of rows.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from policylint.errors import LimitError
from policylint.io.batch import CsvBatchReader, Limits
from tests.property.support import (
    COLUMNS,
    HEADER,
    Project,
    assert_cli_contract,
    good_row,
    invoke,
    make_project,
)

CELL_LIMIT = Limits().max_cell_chars  # 10,000,000


def _peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _stream(path: Path) -> int:
    count = 0
    with CsvBatchReader(path) as reader:
        for _ in reader.rows():
            count += 1
    return count


def _write_rows(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for n in range(1, rows + 1):
            f.write(good_row(n))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return make_project(tmp_path_factory.mktemp("limits"))


def _huge_cell_batch(path: Path, size: int, rows: int = 1) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for n in range(1, rows + 1):
            row = good_row(n).split(",")
            row[COLUMNS.index("address_line_3")] = "x" * size
            f.write(",".join(row))
        f.write(good_row(rows + 1))


def test_ten_megabyte_cells_are_read_in_bounded_memory(tmp_path: Path) -> None:
    one, three = tmp_path / "one.csv", tmp_path / "three.csv"
    _huge_cell_batch(one, CELL_LIMIT)
    _huge_cell_batch(three, CELL_LIMIT, rows=3)
    peak_one = _peak(lambda: _stream(one))
    peak_three = _peak(lambda: _stream(three))
    # One row at a time: three 10 MB cells cost what one does, not three times as much...
    assert peak_three < 1.3 * peak_one, (peak_one, peak_three)
    # ...and one costs a small multiple of the cell (the csv module buffers a field at
    # 4 bytes a character, growing by doubling), not a copy per column or per pass.
    assert peak_one < 12 * CELL_LIMIT, peak_one
    with CsvBatchReader(three) as reader:
        assert [len(r.values["address_line_3"]) for r in reader.rows()] == [CELL_LIMIT] * 3 + [14]


def test_cell_over_the_limit_is_one_limit_error(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    _huge_cell_batch(path, CELL_LIMIT + 1)
    with pytest.raises(LimitError, match=r"row 2.*column 7 \('address_line_3'\).*limit") as err:
        _stream(path)
    assert "\n" not in str(err.value)


def test_unterminated_quote_costs_the_row_limit_not_the_file(tmp_path: Path) -> None:
    limits = Limits(max_cell_chars=250_000, max_row_chars=500_000)
    peaks = []
    for megabytes in (2, 8):  # everything after the open quote is one runaway cell
        path = tmp_path / f"runaway{megabytes}.csv"
        with open(path, "w", encoding="utf-8") as f:
            f.write(HEADER + '"' + ("a,b\n" * (megabytes * 250_000)))

        def read(path: Path = path) -> None:
            with pytest.raises(LimitError, match="row 2"), \
                    CsvBatchReader(path, limits=limits) as reader:
                list(reader.rows())

        peaks.append(_peak(read))
    assert peaks[1] < 1.3 * peaks[0], peaks
    # A small multiple of the row limit (csv's 4-byte-a-character field buffer, the
    # record's text kept to locate the column), far below the 8 MB file.
    assert peaks[1] < 10 * limits.max_row_chars, peaks


def test_record_of_millions_of_short_lines_costs_its_characters(tmp_path: Path) -> None:
    """A record of many tiny quoted cells each holding a line break: memory must be
    proportional to its characters, not ~50 bytes of str overhead per line."""
    path = tmp_path / "lines.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write('a,b\n"' + '\n","' * 500_000 + '\n"\n')
    limits = Limits(max_row_chars=1_000_000)

    def read() -> None:
        with pytest.raises(LimitError, match="row is longer"), \
                CsvBatchReader(path, limits=limits) as reader:
            list(reader.rows())

    assert _peak(read) < 10 * limits.max_row_chars


def test_ten_megabyte_cell_through_the_cli(project: Project) -> None:
    path = project.root / "huge.csv"
    _huge_cell_batch(path, CELL_LIMIT)
    result = invoke(project.check_args(path))
    assert_cli_contract(result)
    assert "xxxxxxxxxx" not in result.output


def test_cell_over_the_limit_through_the_cli(project: Project) -> None:
    path = project.root / "huge.csv"
    _huge_cell_batch(path, CELL_LIMIT + 1)
    result = invoke(project.check_args(path))
    assert_cli_contract(result)
    assert result.exit_code == 2
    assert "limit of 10,000,000 characters" in result.output  # the row's finding
    assert "not checked" in result.stderr


def _wide(path: Path, extra: int) -> None:
    header = HEADER.rstrip("\n") + "".join(f",extra_{i}" for i in range(extra)) + "\n"
    row = good_row(1).rstrip("\n") + "," * extra + "\n"
    path.write_text(header + row, encoding="utf-8")


def test_thousand_column_header_is_checked(project: Project) -> None:
    path = project.root / "wide.csv"
    _wide(path, 1000 - len(COLUMNS))
    result = invoke(project.check_args(path))
    assert_cli_contract(result)
    assert result.exit_code in (0, 1), result.output
    assert "Checked 1 row" in result.output


def test_header_beyond_the_column_limit_is_exit_2(project: Project) -> None:
    path = project.root / "wider.csv"
    _wide(path, Limits().max_columns + 1 - len(COLUMNS))
    result = invoke(project.check_args(path))
    assert_cli_contract(result)
    assert result.exit_code == 2
    assert "beyond the limit of 2,000 columns" in result.stderr


def test_memory_does_not_grow_with_rows(tmp_path: Path) -> None:
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    _write_rows(small, 10_000)
    _write_rows(large, 100_000)
    assert _stream(small) == 10_000  # warm caches and imports outside the measurement
    small_peak = _peak(lambda: _stream(small))
    large_peak = _peak(lambda: _stream(large))
    # Ten times the rows (about 14 MB of CSV) in about the same memory.
    assert large_peak < 1.5 * small_peak + 256 * 1024, (small_peak, large_peak)
    assert large_peak < large.stat().st_size / 10
