"""The streaming CSV batch reader, fed the kind of files councils really export."""

from __future__ import annotations

import codecs
import csv
import random
import tracemalloc
from collections.abc import Iterable
from pathlib import Path

import pytest

from policylint.errors import InputError, LimitError
from policylint.io.batch import (
    BatchReader,
    CsvBatchReader,
    Limits,
    detect_encoding,
    policylint_open_batch,
    sniff_delimiter,
)
from policylint.model import Row

HEADER = "recipient_id,Title,First Name,Last Name,Address Line 1,Address Line 2,Postcode,Email"
ALICE = "P-1001,Ms,Alice,Nkemelu,14 Orchard Way,Cardiff,CF10 1AA,alice.nkemelu@example.org"
BOB = "P-1002,Mr,Robert,Hughes,Flat 2,9 Station Rd,NP20 4AB,rob.h@example.net"


def write(tmp_path: Path, content: str | bytes, name: str = "batch.csv",
          encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode(encoding)
    path.write_bytes(content)
    return path


def rows_of(path: Path) -> list[Row]:
    with CsvBatchReader(path) as reader:
        return list(reader.rows())


def lines(*records: str, end: str = "\n") -> str:
    return end.join(records) + end


def open_error(path: Path, limits: Limits = Limits()) -> InputError:  # noqa: B008
    """The error opening ``path`` raises, or the first one reading its rows raises.

    Also checks the collecting reader (how the engine opens batches) agrees: the
    same file-level error at opening, or the same row recorded as a problem.
    """
    with pytest.raises(InputError) as info, CsvBatchReader(path, limits=limits) as reader:
        for _ in reader.rows():
            pass
    err = info.value
    try:
        collecting = CsvBatchReader(path, limits=limits, collect=True)
    except InputError as at_open:
        assert str(at_open) == str(err)
        return err
    with collecting:
        list(collecting.rows())
    problems = [(p.row, p.line, p.reason) for p in collecting.problems]
    assert (err.row, err.line, err.message) in problems, (problems, str(err))
    return err


def assert_user_error(err: InputError, path: Path, *expected: str,
                      secrets: Iterable[str] = ()) -> None:
    """One line, naming the file and where; never the personal data in the cell."""
    text = str(err)
    assert "\n" not in text and "\r" not in text, text
    assert err.exit_code == 2
    assert path.name in text, text
    for part in expected:
        assert part in text, (part, text)
    for secret in secrets:
        assert secret not in text, (secret, text)


# --------------------------------------------------------------------------- reading


def test_reads_rows_with_spreadsheet_numbers_and_normalised_names(tmp_path: Path) -> None:
    path = write(tmp_path, lines(HEADER, ALICE, BOB))
    with CsvBatchReader(path) as reader:
        assert reader.encoding == "utf-8"
        assert reader.delimiter == ","
        assert reader.header[2] == "First Name"
        assert reader.names == (
            "recipient_id", "title", "first_name", "last_name", "address_line_1",
            "address_line_2", "postcode", "email",
        )
        assert reader.header_map["address_line_1"] == "Address Line 1"
        rows = list(reader.rows())
    assert [(r.number, r.line) for r in rows] == [(2, 2), (3, 3)]
    assert rows[0].values["first_name"] == "Alice"
    assert rows[1].get("address_line_2") == "9 Station Rd"
    assert rows[1].headers["postcode"] == "Postcode"
    assert rows[0].file == str(path)


def test_display_name_is_used_for_rows_and_errors(tmp_path: Path) -> None:
    path = write(tmp_path, lines(HEADER, ALICE, "P-1003,Mr,Only,Three"))
    reader = CsvBatchReader(path, display="mailings/march.csv")
    with pytest.raises(InputError) as info:
        rows = []
        for row in reader.rows():
            rows.append(row)
    assert rows[0].file == "mailings/march.csv"
    assert str(info.value).startswith("mailings/march.csv, row 3, line 3:")


def test_cell_values_are_kept_exactly_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, lines(
        "name,address_line_1,note",
        '"  Alice Nkemelu ", 14 Orchard Way ,=HYPERLINK("x")',
    ))
    [row] = rows_of(path)
    assert row.values == {
        "name": "  Alice Nkemelu ",
        "address_line_1": " 14 Orchard Way ",
        "note": '=HYPERLINK("x")',
    }


def test_excel_utf8_bom(tmp_path: Path) -> None:
    path = write(tmp_path, lines(HEADER, "P-1,Mr,Siân,Llŷr,1 Heol y Bont,Aberystwyth,SY23 1AA,"),
                 encoding="utf-8-sig")
    with CsvBatchReader(path) as reader:
        assert reader.encoding == "utf-8-sig"
        assert reader.header[0] == "recipient_id"  # no "\ufeff" glued to the first header
        [row] = reader.rows()
    assert row.values["recipient_id"] == "P-1"
    assert row.values["first_name"] == "Siân"


def test_windows_1252_export(tmp_path: Path) -> None:
    content = lines("name,address_line_1,balance", "Siân Powell,12 Ffordd Las,£120.50",
                    "Zoë O’Neill,“Rose Cottage”,£5", end="\r\n")
    path = write(tmp_path, content, encoding="cp1252")
    with CsvBatchReader(path) as reader:
        assert reader.encoding == "cp1252"
        rows = list(reader.rows())
    assert rows[0].values == {"name": "Siân Powell", "address_line_1": "12 Ffordd Las",
                              "balance": "£120.50"}
    assert rows[1].values["name"] == "Zoë O’Neill"
    assert rows[1].values["address_line_1"] == "“Rose Cottage”"


def test_utf8_character_split_across_read_chunks_is_still_utf8(tmp_path: Path) -> None:
    # "â" is two bytes; put its first byte last in the first 64 KiB chunk.
    prefix = "name,address_line_1\n"
    filler_row = "Alice Nkemelu,14 Orchard Way\n"
    body = prefix
    while len(body.encode()) < 65_536 - 200:
        body += filler_row
    pad = 65_535 - len(body.encode()) - len("Si")
    body += "x" * pad + ",1 Road\n"
    body = body[: -len(",1 Road\n")] + "Siân,1 Road\n"
    data = body.encode("utf-8")
    assert data[65_535:65_537] == "â".encode()
    path = write(tmp_path, data)
    assert detect_encoding(path) == "utf-8"
    assert rows_of(path)[-1].values["name"].endswith("Siân")


def test_cp1252_byte_far_into_a_big_file_is_found_by_streaming(tmp_path: Path) -> None:
    body = "name,postcode\n" + "Alice Nkemelu,CF10 1AA\n" * 20_000 + "Cost £5,SY23 1AA\n"
    path = write(tmp_path, body, encoding="cp1252")
    assert path.stat().st_size > 4 * 65_536
    assert detect_encoding(path) == "cp1252"
    assert rows_of(path)[-1].values["name"] == "Cost £5"


def test_excel_unicode_text_utf16_tab_delimited(tmp_path: Path) -> None:
    content = lines("Name\tAddress Line 1\tPostcode", "Siân Powell\t12 Ffordd Las\tSY23 1AA",
                    "Łukasz Nowak\t3 Mill Lane\tCF10 1AA", end="\r\n")
    path = write(tmp_path, content, name="export.txt", encoding="utf-16")
    with CsvBatchReader(path) as reader:
        assert reader.encoding == "utf-16"
        assert reader.delimiter == "\t"
        rows = list(reader.rows())
    assert [r.values["name"] for r in rows] == ["Siân Powell", "Łukasz Nowak"]
    assert rows[1].values["postcode"] == "CF10 1AA"


def test_utf16_without_bom_is_recognised(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name\tpostcode", "Alice\tCF10 1AA"), encoding="utf-16-le")
    with CsvBatchReader(path) as reader:
        assert reader.encoding == "utf-16-le"
        [row] = reader.rows()
    assert row.values == {"name": "Alice", "postcode": "CF10 1AA"}


def test_semicolon_delimited_with_decimal_commas(tmp_path: Path) -> None:
    path = write(tmp_path, lines(
        "recipient_id;name;amount_due;address_line_1",
        "P-1;Alice Nkemelu;120,50;14 Orchard Way, Cardiff",
        'P-2;Robert Hughes;5,00;"Flat 2; 9 Station Rd"',
    ))
    with CsvBatchReader(path) as reader:
        assert reader.delimiter == ";"
        rows = list(reader.rows())
    assert rows[0].values["amount_due"] == "120,50"
    assert rows[0].values["address_line_1"] == "14 Orchard Way, Cardiff"
    assert rows[1].values["address_line_1"] == "Flat 2; 9 Station Rd"


def test_tab_delimited_tsv(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name\taddress_line_1\tpostcode",
                                 "Alice Nkemelu\t14 Orchard Way, Cardiff\tCF10 1AA"),
                 name="batch.tsv")
    with CsvBatchReader(path) as reader:
        assert reader.delimiter == "\t"
        [row] = reader.rows()
    assert row.values["address_line_1"] == "14 Orchard Way, Cardiff"


def test_pipe_delimited(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name|postcode", "Hughes, Robert|NP20 4AB"))
    with CsvBatchReader(path) as reader:
        assert reader.delimiter == "|"
        assert [r.values["name"] for r in reader.rows()] == ["Hughes, Robert"]


def test_quoted_newlines_keep_spreadsheet_rows_and_physical_lines(tmp_path: Path) -> None:
    content = lines(
        "name,address,postcode",
        'Alice Nkemelu,"Flat 3\r\n14 Orchard Way\r\nCardiff",CF10 1AA',
        "Robert Hughes,9 Station Rd,NP20 4AB",
        'Carys Evans,"Ty Gwyn\r\nLlanbadarn",SY23 3AA',
        "Dai Jones,1 High St,SA1 1AA",
        end="\r\n",
    )
    path = write(tmp_path, content)
    rows = rows_of(path)
    assert [(r.number, r.line) for r in rows] == [(2, 2), (3, 5), (4, 6), (5, 8)]
    assert rows[0].values["address"] == "Flat 3\r\n14 Orchard Way\r\nCardiff"
    assert rows[1].values["postcode"] == "NP20 4AB"  # no "\r" left on the last cell


def test_crlf_lf_and_old_mac_cr_endings_give_the_same_rows(tmp_path: Path) -> None:
    seen = []
    for end in ("\r\n", "\n", "\r"):
        path = write(tmp_path, lines(HEADER, ALICE, BOB, end=end), name=f"b{len(end)}.csv")
        seen.append([(r.number, r.line, dict(r.values)) for r in rows_of(path)])
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][1][2]["email"] == "rob.h@example.net"


def test_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    # The last line is the Ctrl-Z end-of-file marker old DOS exports append.
    path = write(tmp_path, lines(HEADER, ALICE, "", ",,,,,,,", "   ", BOB, "", "\x1a"))
    rows = rows_of(path)
    assert [r.number for r in rows] == [2, 6]
    assert rows[1].values["recipient_id"] == "P-1002"


def test_stray_trailing_delimiters_are_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,postcode,,", "Alice Nkemelu,CF10 1AA,,",
                                 "Robert Hughes,NP20 4AB", "Carys Evans,SY23 3AA,, ,,,"))
    with CsvBatchReader(path) as reader:
        assert reader.header == ("name", "postcode")
        rows = list(reader.rows())
    assert [r.values for r in rows] == [
        {"name": "Alice Nkemelu", "postcode": "CF10 1AA"},
        {"name": "Robert Hughes", "postcode": "NP20 4AB"},
        {"name": "Carys Evans", "postcode": "SY23 3AA"},
    ]


def test_an_empty_last_cell_is_a_value_not_a_missing_cell(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,address_line_1,address_line_2", "Alice,14 Orchard Way,"))
    assert rows_of(path)[0].values["address_line_2"] == ""


def test_punctuation_only_header_still_names_its_column(tmp_path: Path) -> None:
    path = write(tmp_path, lines("#,name", "1,Alice"))
    with CsvBatchReader(path) as reader:
        assert reader.names == ("column_1", "name")
        assert reader.header_map["column_1"] == "#"


def test_two_passes_give_identical_rows(tmp_path: Path) -> None:
    content = lines(HEADER, ALICE, "", 'P-1003,Dr,"Ann\nMarie",Evans,1 Rd,,SA1 1AA,', BOB)
    path = write(tmp_path, content)
    with CsvBatchReader(path) as reader:
        first = list(reader.rows())
        second = list(reader.rows())
        # Interleaved passes are independent too.
        a, b = reader.rows(), reader.rows()
        assert next(a) == next(b) == first[0]
        assert list(a) == list(b) == first[1:]
    assert first == second
    assert len(first) == 3


def test_close_releases_an_unfinished_pass_and_forbids_more(tmp_path: Path) -> None:
    path = write(tmp_path, lines(HEADER, ALICE, BOB))
    reader = CsvBatchReader(path)
    unfinished = reader.rows()
    assert next(unfinished).number == 2
    with reader:
        pass
    with pytest.raises(ValueError):
        next(unfinished)
    with pytest.raises(ValueError, match="closed"):
        reader.rows()


def test_reader_has_the_batch_reader_shape(tmp_path: Path) -> None:
    with CsvBatchReader(write(tmp_path, lines(HEADER, ALICE))) as reader:
        assert isinstance(reader, BatchReader)


@pytest.mark.parametrize("name", ["batch.csv", "BATCH.CSV", "export.tsv", "unicode.Txt"])
def test_hook_opens_csv_like_files(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, lines(HEADER, ALICE), name=name)
    reader = policylint_open_batch(path)
    assert isinstance(reader, CsvBatchReader)
    reader.close()


@pytest.mark.parametrize("name", ["batch.xlsx", "batch.jsonl", "batch"])
def test_hook_leaves_other_files_to_other_plugins(tmp_path: Path, name: str) -> None:
    assert policylint_open_batch(write(tmp_path, lines(HEADER, ALICE), name=name)) is None


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\n1, 2\t3; 4\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ('name;address\nAlice;"1 Road, Town, County"\n', ";"),
        ('name,address\nAlice,"Flat 1; 2 Road; Town"\n', ","),
        ("single column\nAlice\n", ","),
        ("", ","),
        # A ragged comma file is still a comma file, so its error names the right row.
        ("a,b,c\n1,2\n3,4,5\n", ","),
    ],
)
def test_sniff_delimiter(sample: str, expected: str) -> None:
    assert sniff_delimiter(sample, complete=True) == expected


# --------------------------------------------------------------------------- errors


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    err = open_error(path)
    assert_user_error(err, path, "no such file")


def test_directory(tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    path.mkdir()
    assert_user_error(open_error(path), path, "directory")


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n  \n", b",,,\n,,\n",
                                     codecs.BOM_UTF16_LE])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, content)
    assert_user_error(open_error(path), path, "empty file: no header row")


def test_header_only(tmp_path: Path) -> None:
    path = write(tmp_path, lines(HEADER, "", ",,,,,,,"))
    assert_user_error(open_error(path), path, "no data rows (header only)")


def test_header_only_allowed_for_registers(tmp_path: Path) -> None:
    path = write(tmp_path, lines(HEADER))
    with CsvBatchReader(path, allow_no_rows=True) as reader:
        assert reader.names[0] == "recipient_id"
        assert list(reader.rows()) == []


def test_row_with_a_missing_cell(tmp_path: Path) -> None:
    # Row 7 starts on line 9: row 3 holds a two-line address.
    content = lines("name,address,postcode,email,phone,recipient_id",
                    "Alice Nkemelu,14 Orchard Way,CF10 1AA,a@example.org,029 2000 0001,P-1",
                    'Robert Hughes,"Flat 2\n9 Station Rd\nNewport",NP20 4AB,r@example.org,,P-2',
                    "Carys Evans,Ty Gwyn,SY23 3AA,c@example.org,,P-3",
                    "Dai Jones,1 High St,SA1 1AA,d@example.org,,P-4",
                    "Eleri Rees,2 High St,SA1 1AB,e@example.org,,P-5",
                    "Ffion Morgan,3 High St,SA1 1AD,ffion@example.org,P-6")
    path = write(tmp_path, content)
    err = open_error(path)
    assert_user_error(err, path, "row 7", "line 9", "5 cells", "header has 6",
                      secrets=["Ffion", "ffion@example.org", "P-6", "SA1 1AD"])
    assert (err.row, err.line) == (7, 9)


def test_row_with_an_extra_cell(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,postcode", "Alice Nkemelu,CF10 1AA",
                                 "Hughes,Robert,NP20 4AB"))
    err = open_error(path)
    assert_user_error(err, path, "row 3", "line 3", "3 cells", "header has 2",
                      secrets=["Hughes", "Robert", "NP20"])


def test_value_under_an_empty_trailing_header(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,postcode,,", "Alice Nkemelu,CF10 1AA,,",
                                 "Robert Hughes,NP20 4AB,,07700 900123"))
    err = open_error(path)
    assert_user_error(err, path, "row 3", "column 4", "no header", secrets=["07700", "Robert"])


def test_empty_header_in_the_middle(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,address_line_1,,postcode", "Alice,14 Orchard Way,,CF10 1AA"))
    err = open_error(path)
    assert_user_error(err, path, "row 1", "column 3 has no header")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("recipient_id,name,Email,postcode,E-mail", "duplicate column 'E-mail' (columns 3 and 5)"),
        ("Address Line 1,AddressLine1", "duplicate column 'AddressLine1' (columns 1 and 2)"),
        ("name,NAME", "duplicate column 'NAME' (columns 1 and 2)"),
    ],
)
def test_duplicate_columns(tmp_path: Path, header: str, message: str) -> None:
    path = write(tmp_path, lines(header, ",".join(["x"] * (header.count(",") + 1))))
    assert_user_error(open_error(path), path, "row 1", message)


def test_nul_byte_in_a_row(tmp_path: Path) -> None:
    rows = [f"P-{i},Person {i},{i} High St" for i in range(2, 12)]
    rows.append("P-12,Secret\x00Name,12 High St")
    path = write(tmp_path, lines("id,name,address", 'P-1,Alice,"1\nHigh St"', *rows))
    err = open_error(path)
    assert_user_error(err, path, "NUL byte", "row 13", "line 14", secrets=["Secret", "P-12"])


def test_nul_bytes_in_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, b"na\x00me,postcode\nAlice,CF10 1AA\n")
    assert_user_error(open_error(path), path, "NUL byte", "row 1", "line 1")


def test_undecodable_byte(tmp_path: Path) -> None:
    content = lines("name,address,postcode", "Siân Powell,12 Ffordd Las,SY23 1AA",
                    'Robert Hughes,"Flat 2\r\n9 Station Rd",NP20 4AB').encode("cp1252")
    content += b"Carys \x81Evans,Ty Gwyn,SY23 3AA\n"
    path = write(tmp_path, content)
    err = open_error(path)
    assert_user_error(err, path, "row 4", "line 5", "undecodable byte 0x81",
                      "not UTF-8 or Windows-1252", secrets=["Carys", "Evans"])


def test_undecodable_bytes_after_a_utf8_bom(tmp_path: Path) -> None:
    content = codecs.BOM_UTF8 + b"name,postcode\nAlice,CF10 1AA\nCost \xa35,SA1 1AA\n"
    path = write(tmp_path, content)
    err = open_error(path)
    assert_user_error(err, path, "row 3", "line 3", "undecodable", secrets=["Cost"])


def test_unterminated_quote(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,address,postcode", "Alice,14 Orchard Way,CF10 1AA",
                                 'Robert Hughes,"Flat 2, 9 Station Rd,NP20 4AB',
                                 "Carys Evans,Ty Gwyn,SY23 3AA"))
    err = open_error(path)
    assert_user_error(err, path, "row 3", "line 3", "unterminated quote",
                      "column 2 ('address')", secrets=["Station", "Carys"])


def test_unterminated_quote_in_a_big_file_stops_at_the_row_limit(tmp_path: Path) -> None:
    body = "name,address,postcode\n" + 'Alice,"14 Orchard Way,CF10 1AA\n'
    body += "Robert Hughes,9 Station Rd,NP20 4AB\n" * 6_000
    path = write(tmp_path, body)
    err = open_error(path, limits=Limits(max_cell_chars=50_000, max_row_chars=100_000))
    assert isinstance(err, LimitError)
    assert_user_error(err, path, "row 2", "line 2", "longer than", "unterminated quote?",
                      secrets=["Orchard", "Robert"])


def test_csv_field_limit_names_the_column(tmp_path: Path) -> None:
    # Another library in the process set csv's (process-wide) field limit below
    # ours: csv itself stops the cell, and the error still names the column.
    body = "name,address,postcode\n" + 'Alice,14 Orchard Way,CF10 1AA\n'
    body += 'Robert,9 Station Rd,"NP20 4AB' + " Station Rd" * 200 + '"\n'
    path = write(tmp_path, body)
    previous = csv.field_size_limit(1_000)
    try:
        err = open_error(path, limits=Limits(max_cell_chars=500))
    finally:
        csv.field_size_limit(previous)
    assert isinstance(err, LimitError)
    assert_user_error(err, path, "row 3", "line 3", "column 3 ('postcode')", "500 characters",
                      secrets=["NP20", "Robert"])


def test_malformed_quoting(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,address", "Alice,14 Orchard Way",
                                 'Robert,"Flat 2" 9 Station Rd'))
    assert_user_error(open_error(path), path, "row 3", "line 3", "malformed quoting",
                      secrets=["Station"])


def test_quotes_inside_an_unquoted_cell_are_text(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,address", 'Robert,Flat 2 "The Oaks" 9 Station Rd'))
    assert rows_of(path)[0].values["address"] == 'Flat 2 "The Oaks" 9 Station Rd'


def test_too_many_columns_in_the_header(tmp_path: Path) -> None:
    header = ",".join(f"col{i}" for i in range(1, 12))
    path = write(tmp_path, lines(header, ",".join(["x"] * 11)))
    err = open_error(path, limits=Limits(max_columns=10))
    assert isinstance(err, LimitError)
    assert_user_error(err, path, "row 1", "column 11", "limit of 10 columns")


def test_too_many_cells_in_a_row(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,postcode", "Alice,CF10 1AA", "Robert,NP20 4AB" + "," * 50))
    err = open_error(path, limits=Limits(max_columns=10))
    assert isinstance(err, LimitError)
    assert_user_error(err, path, "row 3", "line 3", "column 11", secrets=["Robert"])


def test_oversized_cell(tmp_path: Path) -> None:
    path = write(tmp_path, lines("name,notes", "Alice,short",
                                 '"Robert","' + "confidential case note. " * 50 + '"'))
    err = open_error(path, limits=Limits(max_cell_chars=1_000))
    assert isinstance(err, LimitError)
    assert_user_error(err, path, "row 3", "line 3", "column 2 ('notes')", "1,000 characters",
                      secrets=["confidential", "Robert"])


def test_a_line_with_no_end_is_bounded(tmp_path: Path) -> None:
    path = write(tmp_path, "name,notes\n" + "Alice," + "x" * 5_000)
    err = open_error(path, limits=Limits(max_cell_chars=1_000, max_row_chars=2_000))
    assert isinstance(err, LimitError)
    assert_user_error(err, path, "row 2", "line 2", "2,000 characters")


def test_workbook_saved_with_a_csv_name(tmp_path: Path) -> None:
    path = write(tmp_path, b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))
    assert_user_error(open_error(path), path, "workbook", "export it as CSV")


def test_header_changed_between_passes(tmp_path: Path) -> None:
    path = write(tmp_path, lines(HEADER, ALICE))
    with CsvBatchReader(path) as reader:
        assert len(list(reader.rows())) == 1
        path.write_text(lines(HEADER.replace("Email", "Phone"), ALICE))
        with pytest.raises(InputError) as info:
            list(reader.rows())
    assert_user_error(info.value, path, "header changed")


# --------------------------------------------------------------------------- scale

GIVEN = ["Alice", "Robert", "Siân", "Dai", "Carys", "Łukasz", "Zoë", "Mohammed", "Priya", "Owen"]
FAMILY = ["Nkemelu", "Hughes", "Powell", "Jones", "Evans", "Nowak", "O'Neill", "Khan", "Patel"]
STREETS = ["Orchard Way", "Station Rd", "Heol y Bont", "High Street", "Mill Lane", "Church St"]
TITLES = ["Mr", "Ms", "Mrs", "Dr", ""]
TOWNS = ["Cardiff", "Newport", "Aberystwyth", "Swansea", "Bangor", "Wrexham"]


def write_big_batch(path: Path, rows: int) -> None:
    """A realistic batch; every 50th address holds a quoted line break."""
    rng = random.Random(20261102)
    houses = [rng.randint(1, 250) for _ in range(997)]
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["recipient_id", "Title", "First Name", "Last Name", "Address Line 1",
                         "Address Line 2", "Address Line 3", "Postcode", "Email", "Phone"])
        writer.writerows(
            [
                f"P-{100000 + i}", TITLES[i % 5], GIVEN[i % 10], FAMILY[i % 9],
                f"{'Flat 2' + chr(10) if i % 50 == 0 else ''}{houses[i % 997]} "
                f"{STREETS[i % 6]}",
                TOWNS[i % 7 % 6], "",
                f"CF{i % 97 + 1} {i % 9 + 1}{'ABDEFGHJ'[i % 8]}{'LNPQRSTU'[i % 7]}",
                f"{GIVEN[i % 10].lower()}.{FAMILY[i % 9].lower()}{i}@example.org",
                f"07700 9{i % 100000:05d}",
            ]
            for i in range(rows)
        )


@pytest.mark.slow
def test_memory_does_not_grow_with_the_batch(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    write_big_batch(path, 150_000)
    size = path.stat().st_size
    assert size > 15_000_000
    tracemalloc.start()
    try:
        with CsvBatchReader(path) as reader:
            count = 0
            last = None
            for row in reader.rows():
                count += 1
                last = row
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 150_000
    assert last is not None and last.number == 150_001
    assert last.line == 150_001 + 150_000 // 50  # every 50th address spans two lines
    assert peak < size // 4, (peak, size)


def test_mixed_utf8_and_cp1252_is_an_error_not_garbled_names(tmp_path: Path) -> None:
    """Mostly UTF-8 with one Windows-1252 byte: decoding all as cp1252 would turn
    every 'Siân' into 'SiÃ¢n' and set off false name mismatches downstream."""
    rows = "".join(f"P-{n},Siân,Okafor\n" for n in range(1, 50))
    data = ("recipient_id,first_name,last_name\n" + rows).encode("utf-8")
    data += "P-99,Zoë,Price\n".encode("cp1252")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    reader = CsvBatchReader(path)
    with pytest.raises(InputError) as info:
        list(reader.rows())
    message = str(info.value)
    assert "mixes UTF-8" in message
    assert "row 51" in message
    assert "Zo" not in message
