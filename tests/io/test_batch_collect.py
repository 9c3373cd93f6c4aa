"""Collect, don't stop (DESIGN §4): every unreadable CSV row is listed, reading goes on."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.errors import InputError
from policylint.io.batch import CsvBatchReader, Limits, policylint_open_batch
from policylint.model import RowProblem

HEADER = "recipient_id,name,address,postcode"


def write(tmp_path: Path, content: str | bytes, name: str = "batch.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def read(path: Path, limits: Limits = Limits()) -> tuple[list[int], list[RowProblem]]:  # noqa: B008
    with CsvBatchReader(path, limits=limits, collect=True) as reader:
        numbers = [row.number for row in reader.rows()]
        return numbers, reader.problems


def test_ten_rows_three_ragged_all_reported_the_rest_read(tmp_path: Path) -> None:
    # Row 3 holds a two-line address and row 6 a three-line one, so from row 4 on
    # the physical line is one more than the row, and from row 7 on three more.
    records = [
        HEADER,
        "P-1,Alice Nkemelu,14 Orchard Way,CF10 1AA",  # row 2, line 2
        'P-2,Robert Hughes,"Flat 2\n9 Station Rd",NP20 4AB',  # row 3, lines 3-4
        "P-3,Carys Evans,Ty Gwyn",  # row 4, line 5: a missing cell
        "P-4,Dai Jones,1 High St,SA1 1AA",  # row 5, line 6
        'P-5,Eleri Rees,"Flat 1\n2 High St\nSwansea",SA1 1AB',  # row 6, lines 7-9
        "P-6,Ffion,Morgan,3 High St,SA1 1AD",  # row 7, line 10: an extra cell
        "P-7,Gareth Price,4 High St,SA1 1AE",  # row 8, line 11
        "P-8,Heledd Owen,5 High St,SA1 1AF",  # row 9, line 12
        "P-9,Ieuan Roberts",  # row 10, line 13: two missing cells
        "P-10,Jac Davies,6 High St,SA1 1AG",  # row 11, line 14
    ]
    path = write(tmp_path, "\n".join(records) + "\n")
    numbers, problems = read(path)
    assert numbers == [2, 3, 5, 6, 8, 9, 11]
    assert [(p.row, p.line) for p in problems] == [(4, 5), (7, 10), (10, 13)]
    assert "3 cells, but the header has 4" in problems[0].reason
    assert "5 cells, but the header has 4" in problems[1].reason
    assert "2 cells" in problems[2].reason
    for problem in problems:
        for secret in ("P-3", "P-6", "P-9", "Carys", "Ffion", "Morgan", "Ieuan", "Ty Gwyn"):
            assert secret not in problem.reason


def test_the_engine_hook_opens_a_collecting_reader(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nP-1,Alice,1 Road,CF10 1AA\nP-2,Bob\n")
    reader = policylint_open_batch(path)
    assert reader is not None
    with reader:
        assert [row.number for row in reader.rows()] == [2]
        assert [(p.row, p.line) for p in reader.problems] == [(3, 3)]


def test_default_reader_still_stops_at_the_first_bad_row(tmp_path: Path) -> None:
    """Register tables are read with the default: nothing may be silently skipped."""
    path = write(tmp_path, f"{HEADER}\nP-1,Alice,1 Road,CF10 1AA\nP-2,Bob\n")
    with CsvBatchReader(path) as reader, pytest.raises(InputError, match="row 3"):
        list(reader.rows())


def test_cp1252_byte_in_a_utf8_file(tmp_path: Path) -> None:
    lines = [HEADER] + [f"P-{n},Siân Okafor,{n} Heol y Bont,SA1 1AA" for n in range(1, 6)]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    data += "P-6,Zoë Price,6 Heol y Bont,SA1 1AA\n".encode("cp1252")
    data += b"P-7,Owain Glyn,7 Heol y Bont,SA1 1AA\n"
    path = write(tmp_path, data)
    with CsvBatchReader(path, collect=True) as reader:
        rows = list(reader.rows())
        problems = reader.problems
    assert [row.number for row in rows] == [2, 3, 4, 5, 6, 8]
    assert rows[0].values["name"] == "Siân Okafor"  # not garbled by a cp1252 guess
    assert [(p.row, p.line) for p in problems] == [(7, 7)]
    assert "mixes UTF-8" in problems[0].reason
    assert "Zo" not in problems[0].reason


def test_too_many_bad_rows_stops_with_a_count(tmp_path: Path) -> None:
    good = "P-1,Alice,1 Road,CF10 1AA"
    body = "\n".join([HEADER, good] + ["P-2,Bob"] * 20 + [good]) + "\n"
    path = write(tmp_path, body)
    with CsvBatchReader(path, limits=Limits(max_bad_rows=5), collect=True) as reader:
        with pytest.raises(InputError) as info:
            list(reader.rows())
        assert len(reader.problems) == 5
    err = info.value
    assert err.exit_code == 2
    assert "stopped after 5 unreadable rows" in str(err)
    assert "the first was row 3" in str(err)
    assert err.row == 7 and "batch.csv" in str(err)
    assert "Bob" not in str(err)


def test_default_limit_is_a_thousand_bad_rows() -> None:
    assert Limits().max_bad_rows == 1000


def test_problems_start_afresh_on_every_pass(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nP-1,Alice,1 Road,CF10 1AA\nP-2,Bob\nP-3,Cai\n")
    with CsvBatchReader(path, collect=True) as reader:
        assert reader.problems == []
        list(reader.rows())
        first = reader.problems
        assert len(first) == 2
        passes = reader.rows()
        assert reader.problems == []  # reset when rows() is called, not when iterated
        list(passes)
        assert reader.problems == first
        assert first is not reader.problems  # a finished pass's list is left alone
        list(reader.cell_rows())
        assert len(reader.problems) == 2


def test_malformed_quoting_inside_a_multi_line_cell_resumes_at_the_next_row(
        tmp_path: Path) -> None:
    content = (f"{HEADER}\n"
               'P-1,Alice,"Flat 1" 14 Orchard Way,CF10 1AA\n'  # row 2: junk after a quote
               'P-2,Bob,"Flat 2\n9 Station Rd",NP20 4AB\n'  # row 3: a good two-line cell
               'P-3,Cai,"Ty "Gwyn"\nHeol, y Bont",SA1 1AA\n'  # row 4: bad, over two lines
               "P-4,Dai,1 High St,SA1 1AB\n")  # row 5
    numbers, problems = read(write(tmp_path, content))
    assert numbers == [3, 5]
    assert [(p.row, p.line) for p in problems] == [(2, 2), (4, 5)]
    assert all("malformed quoting" in p.reason for p in problems)


def test_nul_byte_in_a_quoted_multi_line_cell_skips_the_whole_record(tmp_path: Path) -> None:
    content = (f"{HEADER}\n"
               'P-1,Alice,"Flat\x001\nP-9,Mallory,9 Road,CF10 9ZZ\n14 Orchard Way",CF10 1AA\n'
               "P-2,Bob,2 Road,NP20 4AB\n")
    numbers, problems = read(write(tmp_path, content))
    # The quoted cell's second line looks like a row but is inside the damaged record.
    assert numbers == [3]
    assert [(p.row, p.line) for p in problems] == [(2, 2)]
    assert "NUL byte" in problems[0].reason


def test_nul_byte_on_a_later_line_of_a_record_names_that_line(tmp_path: Path) -> None:
    content = f'{HEADER}\nP-1,Alice,"Flat 1\n14 Orch\x00ard Way",CF10 1AA\nP-2,Bob,2 Rd,NP20 4AB\n'
    numbers, problems = read(write(tmp_path, content))
    assert numbers == [3]
    assert (problems[0].row, problems[0].line) == (2, 2)
    assert "(on line 3)" in problems[0].reason


def test_oversized_cell_is_one_problem_and_reading_goes_on(tmp_path: Path) -> None:
    content = (f"{HEADER}\nP-1,Alice,1 Road,CF10 1AA\n"
               f'P-2,Bob,"{"case note. " * 200}\n{"more. " * 100}",NP20 4AB\n'
               "P-3,Cai,3 Road,SA1 1AA\n")
    numbers, problems = read(write(tmp_path, content), Limits(max_cell_chars=500))
    assert numbers == [2, 4]
    assert [(p.row, p.line, p.column) for p in problems] == [(3, 3, "address")]
    assert "500 characters" in problems[0].reason and "case note" not in problems[0].reason


def test_over_long_line_is_skipped_to_its_end(tmp_path: Path) -> None:
    content = f"{HEADER}\nP-1,Alice,{'x' * 5000},CF10 1AA\nP-2,Bob,2 Road,NP20 4AB\n"
    numbers, problems = read(write(tmp_path, content),
                             Limits(max_cell_chars=10_000, max_row_chars=1_000))
    assert numbers == [3]
    assert [(p.row, p.line) for p in problems] == [(2, 2)]
    assert "1,000 characters" in problems[0].reason


def test_unterminated_quote_is_reported_once(tmp_path: Path) -> None:
    content = f'{HEADER}\nP-1,Alice,1 Road,CF10 1AA\nP-2,Bob,"2 Road,NP20 4AB\nP-3,Cai,3 Rd,SA1\n'
    numbers, problems = read(write(tmp_path, content))
    assert numbers == [2]
    assert [(p.row, p.line, p.column) for p in problems] == [(3, 3, "address")]
    assert "unterminated quote" in problems[0].reason


def test_bad_header_is_still_an_error_at_opening(tmp_path: Path) -> None:
    path = write(tmp_path, b"recipient_id,na\x00me\nP-1,Alice\n")
    with pytest.raises(InputError, match="NUL byte"):
        CsvBatchReader(path, collect=True)


def test_only_bad_rows_after_the_header_is_not_header_only(tmp_path: Path) -> None:
    path = write(tmp_path, f"{HEADER}\nP-1,Alice\n")
    numbers, problems = read(path)
    assert numbers == [] and [(p.row, p.line) for p in problems] == [(2, 2)]


def test_through_the_cli_unreadable_rows_exit_2_and_no_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from policylint.cli import cli

    examples = Path(__file__).resolve().parents[2] / "examples"
    lines = (examples / "batch.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[3] += ",stray"  # row 4: an extra cell
    lines[6] = lines[6].rsplit(",", 3)[0]  # row 7: missing cells
    path = tmp_path / "batch.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--policy",
                                      str(examples / "policylint.yaml"), "--today", "2026-11-26"])
    assert result.exit_code == 2
    assert "batch.csv:4:" in result.output and "batch.csv:7:" in result.output  # both rows
    assert "Traceback" not in result.output and "stray" not in result.output


# ------------------------------------------------------------------ property: a partition

_cell = st.text(alphabet=st.sampled_from(list("ab ,\"\n'é")), max_size=6)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(st.tuples(st.lists(_cell, min_size=3, max_size=3),
                                  st.sampled_from(["good", "short", "long"])),
                        min_size=1, max_size=12))
def test_every_record_is_either_a_row_or_a_problem(tmp_path: Path,
                                                  records: list[tuple[list[str], str]]) -> None:
    """Whatever the cells hold (quotes, delimiters, line breaks), a collecting pass
    yields exactly the good records and lists exactly the ragged ones, each under
    its own row number and starting line."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["a", "b", "c"])
    expected_rows, expected_problems = [], []
    line = 2
    for number, (cells, kind) in enumerate(records, start=2):
        if kind == "short":
            cells = cells[:2]
        elif kind == "long":
            cells = [*cells, "x"]  # a non-empty extra cell
        before = out.tell()
        writer.writerow(cells)
        text = out.getvalue()[before:]
        if all(not c.strip(" \t\r\n") for c in cells):
            pass  # blank rows are skipped, whatever their shape
        elif kind == "good":
            expected_rows.append((number, line, cells))
        else:
            expected_problems.append((number, line))
        line += text.count("\n")
    path = tmp_path / "batch.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    with CsvBatchReader(path, collect=True, allow_no_rows=True) as reader:
        rows = [(r.number, r.line, [r.values["a"], r.values["b"], r.values["c"]])
                for r in reader.rows()]
        problems = [(p.row, p.line) for p in reader.problems]
    assert rows == expected_rows
    assert problems == expected_problems
