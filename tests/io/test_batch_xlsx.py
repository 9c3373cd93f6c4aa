"""Excel workbook batches: streamed, numbered as Excel numbers rows, values as Excel shows them.

Every workbook is built by the test with openpyxl (no binary fixtures).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from policylint.cli import cli
from policylint.errors import InputError
from policylint.io.batch import BatchReader, Limits, XlsxBatchReader, open_xlsx_batch
from policylint.io.batch.excel_format import format_date, format_number
from policylint.model import Row
from policylint.plugins import get_plugin_manager

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def workbook(path: Path, rows: Sequence[Sequence[Any]], title: str = "Sheet1",
             formats: dict[str, str] | None = None,
             more_sheets: dict[str, Sequence[Sequence[Any]]] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cell, fmt in (formats or {}).items():
        sheet[cell].number_format = fmt
    for name, extra in (more_sheets or {}).items():
        other = book.create_sheet(name)
        for row in extra:
            other.append(list(row))
    book.save(path)
    return path


def read(path: Path, **kwargs: Any) -> tuple[list[Row], XlsxBatchReader]:
    with XlsxBatchReader(path, **kwargs) as reader:
        return list(reader.rows()), reader


def with_cached_values(path: Path, values: dict[str, str]) -> None:
    """Give formulas the calculated values Excel would have saved (openpyxl saves none)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for cell, value in values.items():
        xml, count = re.subn(rf'(<c r="{cell}"[^>]*>.*?</f>)<v\s*/?>(</v>)?',
                             rf"\g<1><v>{value}</v>", xml)
        assert count == 1, cell
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


# --------------------------------------------------------------------------- reading


def test_rows_are_numbered_as_excel_numbers_them(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [
        [],  # an empty first row: the header is the first non-empty row
        ["Recipient ID", "First Name", "Address Line 1", "Post Code"],
        ["P-1", "Alice", "14 Orchard Way", "CF10 1AA"],
        [],  # blank rows are skipped, still counted
        ["P-2", "Robert", "Flat 2\n9 Station Rd", "NP20 4AB"],
    ])
    rows, reader = read(path)
    assert reader.header_row == 2
    assert reader.names == ("recipient_id", "first_name", "address_line_1", "post_code")
    assert reader.header_map["address_line_1"] == "Address Line 1"
    assert [(r.number, r.line) for r in rows] == [(3, 3), (5, 5)]
    assert rows[1].values["address_line_1"] == "Flat 2\n9 Station Rd"
    assert rows[0].file == str(path)
    assert reader.problems == [] and reader.warnings == []
    assert isinstance(reader, BatchReader)


def test_header_normalisation_is_the_csv_one(tmp_path: Path) -> None:
    from policylint.io.batch import CsvBatchReader

    header = ["recipient_id", "AddressLine1", "E-mail", "Phone Number", "#"]
    xlsx = workbook(tmp_path / "b.xlsx", [header, ["P-1", "1 Road", "a@b.org", "0", "x"]])
    (tmp_path / "b.csv").write_text(",".join(header) + "\nP-1,1 Road,a@b.org,0,x\n")
    with CsvBatchReader(tmp_path / "b.csv") as from_csv, XlsxBatchReader(xlsx) as from_xlsx:
        assert from_xlsx.names == from_csv.names
        assert from_xlsx.header_map == from_csv.header_map


def test_values_as_a_person_sees_them(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [
        ["recipient_id", "count", "ratio", "account", "phone", "due", "sent", "paid", "amount"],
        ["P-1", 42, 0.1 + 0.2, 12345, 7700900123, dt.date(2026, 12, 21),
         dt.datetime(2026, 11, 2, 14, 5), True, 885.85],
        ["P-2", 7.0, 2.5, 99, 7700900124, dt.date(2027, 1, 3), None, False, 1234.5],
    ], formats={"D2": "00000000", "D3": "00000000", "E2": "00000 000000", "E3": "00000 000000",
                "F2": "mm-dd-yy", "F3": "d mmmm yyyy", "G2": "dd/mm/yyyy hh:mm",
                "I2": '"£"#,##0.00', "I3": "[$£-809]#,##0.00"})
    rows, reader = read(path)
    assert dict(rows[0].values) == {
        "recipient_id": "P-1", "count": "42", "ratio": "0.3", "account": "00012345",
        "phone": "07700 900123", "due": "21/12/2026", "sent": "02/11/2026 14:05",
        "paid": "TRUE", "amount": "£885.85"}
    assert dict(rows[1].values) == {
        "recipient_id": "P-2", "count": "7", "ratio": "2.5", "account": "00000099",
        "phone": "07700 900124", "due": "3 January 2027", "sent": "", "paid": "FALSE",
        "amount": "£1,234.50"}
    assert reader.warnings == []  # the formats keep the zeros


@pytest.mark.parametrize(("value", "fmt", "shown"), [
    (12345, "General", "12345"), (12.0, "General", "12"), (3.25, "0.0", "3.3"),
    (2.5, "0", "3"), (0.125, "0.0%", "12.5%"), (-5, "0.00;(0.00)", "(5.00)"),
    (1234567.891, "#,##0.00", "1,234,567.89"), (42, "000-000", "000-042"),
    (1.5, "0.0#", "1.5"), (123, "@", "123"), (1, "0.00E+00", "1"),
])
def test_number_formats(value: float, fmt: str, shown: str) -> None:
    assert format_number(value, fmt) == shown


@pytest.mark.parametrize(("fmt", "shown"), [
    ("mm-dd-yy", "21/12/2026"),  # Excel's locale short date: day first in the UK
    ("yyyy-mm-dd", "2026-12-21"), ("d mmm yy", "21 Dec 26"), ("dddd d mmmm", "Monday 21 December"),
    ("h:mm AM/PM", "2:05 PM"), ("hh:mm:ss", "14:05:09"), ("General", "21/12/2026"),
])
def test_date_formats(fmt: str, shown: str) -> None:
    assert format_date(dt.datetime(2026, 12, 21, 14, 5, 9), fmt) == shown


def test_formulas_give_their_calculated_values(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [
        ["recipient_id", "first_name", "last_name", "name"],
        ["P-1", "Alice", "Nkemelu", '=B2&" "&C2'],
        ["P-2", "Robert", "Hughes", '=B3&" "&C3'],
        ["P-3", "Carys", "Evans", "Carys Evans"],
    ])
    with_cached_values(path, {"D2": "Alice Nkemelu"})
    # D2 is a formula with a saved (cached) string value: Excel marks it t="str".
    text = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    (tmp_path / "patched").mkdir()
    patched = tmp_path / "patched" / "b.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = text.replace('<c r="D2">', '<c r="D2" t="str">').encode()
            target.writestr(name, data)
    rows, reader = read(patched)
    assert [(r.number, r.values["name"]) for r in rows] == [(2, "Alice Nkemelu"),
                                                              (4, "Carys Evans")]
    [problem] = reader.problems
    assert (problem.row, problem.line, problem.column) == (3, None, "name")
    assert "formula" in problem.reason and "no calculated value" in problem.reason
    assert "Robert" not in problem.reason


def test_a_value_beyond_the_header_and_an_oversized_cell_are_row_problems(
        tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [
        ["recipient_id", "notes", None],
        ["P-1", "short", None],
        ["P-2", "fine", None, "stray value"],
        ["P-3", "x" * 200, None],
        ["P-4", "also fine", None],
    ])
    rows, reader = read(path, limits=Limits(max_cell_chars=100))
    assert [r.number for r in rows] == [2, 5]
    assert [(p.row, p.column) for p in reader.problems] == [(3, None), (4, "notes")]
    assert "column 4 has a value but no header" in reader.problems[0].reason
    assert "100 characters" in reader.problems[1].reason
    assert "stray" not in reader.problems[0].reason


def test_too_many_unreadable_rows_stop_the_reader(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["recipient_id", "name"]]
    rows += [["P-1", "Alice", "stray"]] * 10
    path = workbook(tmp_path / "b.xlsx", rows)
    with XlsxBatchReader(path, limits=Limits(max_bad_rows=3)) as reader, \
            pytest.raises(InputError, match="stopped after 3 unreadable rows"):
        list(reader.rows())


# --------------------------------------------------------------------------- sheets


def test_first_sheet_by_default_or_the_named_one(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [["recipient_id"], ["P-1"]], title="Letters",
                    more_sheets={"Emails": [["recipient_id", "email"], ["P-2", "a@b.org"],
                                            ["P-3", "c@d.org"]]})
    rows, reader = read(path)
    assert reader.sheet_name == "Letters" and [r.values["recipient_id"] for r in rows] == ["P-1"]
    rows, reader = read(path, sheet="Emails")
    assert [r.number for r in rows] == [2, 3] and reader.names == ("recipient_id", "email")
    assert read(path, sheet="emails")[1].sheet_name == "Emails"  # as Excel: case-insensitive
    with pytest.raises(InputError) as info:
        XlsxBatchReader(path, sheet="SMS")
    assert "no worksheet named 'SMS'" in str(info.value)
    assert "'Letters', 'Emails'" in str(info.value) and "b.xlsx" in str(info.value)


def test_hook_passes_the_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [["a"], ["1"]], more_sheets={"Two": [["b"], ["2"]]})
    reader = get_plugin_manager().hook.policylint_open_batch(path=path, sheet="Two", display=None)
    assert isinstance(reader, XlsxBatchReader) and reader.names == ("b",)
    reader.close()
    assert open_xlsx_batch(tmp_path / "b.csv", None) is None


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(("content", "message"), [
    (b"recipient_id,name\nP-1,Alice\n", "not a valid .xlsx workbook"),
    (b"PK\x03\x04" + bytes(100), "not a valid .xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "password-protected workbook or an old"),
    (b"", "not a valid .xlsx workbook"),
])
def test_not_a_workbook(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "batch.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        XlsxBatchReader(path)
    text = str(info.value)
    assert message in text and "batch.xlsx" in text and "\n" not in text
    assert info.value.exit_code == 2


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "batch.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(InputError, match=r"batch\.xlsx: not a valid \.xlsx workbook"):
        XlsxBatchReader(path)


def test_missing_openpyxl_names_the_extra(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path / "b.xlsx", [["a"], ["1"]])
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    with pytest.raises(InputError) as info:
        XlsxBatchReader(path)
    assert "pip install 'policylint[excel]'" in str(info.value)
    assert "b.xlsx" in str(info.value)


@pytest.mark.parametrize(("rows", "message"), [
    ([], "is empty: no header row"),
    ([["recipient_id", "name"]], "no data rows"),
    ([["recipient_id", "Email", "E-mail"], ["P-1", "a", "b"]], "duplicate column 'E-mail'"),
    ([["recipient_id", None, "name"], ["P-1", "", "Alice"]], "column 2 has no header"),
])
def test_unusable_sheets(tmp_path: Path, rows: list[list[Any]], message: str) -> None:
    path = workbook(tmp_path / "b.xlsx", rows)
    with pytest.raises(InputError, match=re.escape(message)):
        XlsxBatchReader(path)


def test_directory_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(InputError, match="directory"):
        XlsxBatchReader(tmp_path / "dir.xlsx")
    with pytest.raises(InputError, match="no such file"):
        XlsxBatchReader(tmp_path / "none.xlsx")


# --------------------------------------------------------------------------- lost zeros


def test_phone_numbers_stored_as_numbers_are_a_warning(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", [
        ["recipient_id", "Mobile", "amount"],
        ["P-1", "07700 900123", 12],
        ["P-2", 7700900124, 120],
        ["P-3", 7700900125, 5],
    ])
    rows, reader = read(path)
    assert [r.values["mobile"] for r in rows] == ["07700 900123", "7700900124", "7700900125"]
    [warning] = reader.warnings
    assert (warning.row, warning.column) == (3, "Mobile")
    assert "2 cells of phone numbers stored as numbers" in warning.reason
    assert "7700" not in warning.reason
    assert reader.problems == []  # a warning, not an unreadable row


def test_short_account_numbers_among_zero_led_ones_are_a_warning(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["recipient_id", "Account Ref", "House Number", "Amount"]]
    rows += [[f"P-{n}", f"00{n:06d}", n % 40 + 1, n * 7] for n in range(1, 30)]
    rows.append(["P-90", 4012345, 5, 12])  # Excel turned 004012345 into 4012345
    rows.append(["P-91", 4012346, 6, 13])
    rows, reader = read(workbook(tmp_path / "b.xlsx", rows))
    [warning] = reader.warnings
    assert (warning.row, warning.column) == (31, "Account Ref")
    assert "2 numbers shorter than the column's usual 8 digits" in warning.reason


def test_id_column_of_numbers_one_shorter_than_the_rest(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["recipient_id", "Tenancy Ref"]]
    rows += [[f"P-{n}", 4001000 + n] for n in range(1, 40)]  # 7 digits, no zeros seen
    rows.append(["P-99", 401234])  # 6: a 0401234 that lost its zero
    _, reader = read(workbook(tmp_path / "b.xlsx", rows))
    assert [(w.row, w.column) for w in reader.warnings] == [(41, "Tenancy Ref")]


@pytest.mark.parametrize("rows", [
    # Amounts and house numbers vary in length: nothing lost.
    [["recipient_id", "amount", "house_number"]]
    + [[f"P-{n}", n * 37, n] for n in range(1, 40)],
    # Amounts as numbers with a text "0" among them: nothing lost.
    [["recipient_id", "amount"]] + [[f"P-{n}", n * 37 + 100] for n in range(1, 40)]
    + [["P-98", "0"], ["P-99", 12]],
    # Zero-padded by the number format: nothing lost.
    [["recipient_id", "account_ref"]] + [[f"P-{n}", n] for n in range(1, 40)],
    # Phone numbers typed as text, or international ones stored as numbers.
    [["recipient_id", "phone"]] + [[f"P-{n}", f"07700 9001{n:02d}"] for n in range(1, 40)],
    [["recipient_id", "phone"]] + [[f"P-{n}", 447700900100 + n] for n in range(1, 40)],
])
def test_no_lost_zero_warning_where_nothing_was_lost(tmp_path: Path,
                                                     rows: list[list[Any]]) -> None:
    formats = ({f"B{n}": "00000000" for n in range(2, 41)}
               if rows[0][1] == "account_ref" else {})
    _, reader = read(workbook(tmp_path / "b.xlsx", rows, formats=formats))
    assert reader.warnings == []


# --------------------------------------------------------------------------- scale


@pytest.mark.slow
def test_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Batch")
    sheet.append(["recipient_id"])
    for n in range(50_000):  # one number a row: cheap to write and parse, no shared texts
        sheet.append([100_000 + n])
    book.save(path)
    tracemalloc.start()
    try:
        with XlsxBatchReader(path) as reader:
            count = 0
            last = None
            for row in reader.rows():
                count += 1
                last = row
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 50_000 and last is not None and last.number == 50_001
    # Holding the rows would take tens of megabytes, and openpyxl's own parse
    # keeps ~80 bytes a row (4 MB here); streaming stays flat.
    assert peak < 2_000_000, peak


# --------------------------------------------------------------------------- through the CLI


def _example_as_workbook(target: Path) -> Path:
    """examples/batch.csv as a council would save it in Excel: phone numbers as numbers
    with a format that shows their zero, due dates as real dates."""
    with open(EXAMPLES / "batch.csv", encoding="utf-8-sig", newline="") as source:
        records = list(csv.reader(source))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Batch"
    sheet.append(records[0])
    phone = records[0].index("phone")
    due = records[0].index("due_date")
    for number, record in enumerate(records[1:], start=2):
        sheet.append(record)
        for column, value in enumerate(record, start=1):
            if value.startswith("="):  # text typed into Excel, not a formula
                sheet.cell(row=number, column=column).data_type = "s"
        if re.fullmatch(r"0\d{4} \d{6}", record[phone]):
            cell = sheet.cell(row=number, column=phone + 1)
            cell.value = int(record[phone].replace(" ", ""))
            cell.number_format = "00000 000000"
        if record[due]:
            cell = sheet.cell(row=number, column=due + 1)
            cell.value = dt.datetime.strptime(record[due], "%d %B %Y").date()
            cell.number_format = "d mmmm yyyy"
    book.save(target)
    return target


def _findings(output: str) -> list[tuple[str, int]]:
    return sorted((f["rule"], f["row"] or 0) for f in json.loads(output)["findings"])


def test_example_batch_as_a_workbook_gives_the_same_findings(tmp_path: Path) -> None:
    args = ["--policy", str(EXAMPLES / "policylint.yaml"), "--today", "2026-11-26",
            "--format", "json"]
    from_csv = CliRunner().invoke(cli, ["check", str(EXAMPLES / "batch.csv"), *args])
    assert from_csv.exit_code == 1, from_csv.output
    xlsx = _example_as_workbook(tmp_path / "batch.xlsx")
    result = subprocess.run(
        [sys.executable, "-m", "policylint", "check", str(xlsx), *args],
        capture_output=True, text=True, cwd=ROOT, check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1, result.stderr
    assert _findings(result.stdout) == _findings(from_csv.output)
    assert len(_findings(from_csv.output)) > 5
    # --sheet names the worksheet; a wrong name is a one-line exit 2.
    named = CliRunner().invoke(cli, ["check", str(xlsx), "--sheet", "Batch", *args])
    assert named.exit_code == 1 and _findings(named.output) == _findings(from_csv.output)
    wrong = CliRunner().invoke(cli, ["check", str(xlsx), "--sheet", "Letters", *args])
    assert wrong.exit_code == 2
    assert "no worksheet named 'Letters'" in wrong.output


def test_sheet_with_only_csv_batches_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["check", str(EXAMPLES / "batch.csv"), "--sheet", "Batch",
                                      "--policy", str(EXAMPLES / "policylint.yaml")])
    assert result.exit_code == 2
    assert "--sheet names a worksheet of an .xlsx batch" in result.output


def test_old_xls_workbook_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "batch.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(InputError, match=r"batch\.xls: an old Excel 97-2003 workbook"):
        open_xlsx_batch(path, None)


def test_the_lost_zero_warning_reaches_the_report(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from policylint.cli import cli

    workbook(tmp_path / "b.xlsx", [
        ["recipient_id", "first_name", "last_name", "Mobile", "channel"],
        ["P-1", "Ann", "Lee", 7700900124, "sms"],
        ["P-2", "Bo", "Kay", 7700900125, "sms"],
    ])
    (tmp_path / "policylint.yaml").write_text("version: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "b.xlsx", "--select", "merge-integrity",
                                      "--register", str(tmp_path), "--format", "json"])
    findings = json.loads(result.stdout)["findings"]
    [warning] = [f for f in findings if f["rule"] == "batch-format"]
    assert warning["severity"] == "warning" and warning["row"] == 2
    assert warning["column"] == "Mobile" and "format the column as Text" in warning["message"]
    assert "7700" not in result.stdout
    assert result.exit_code == 0  # a warning does not fail the run at --fail-on error
