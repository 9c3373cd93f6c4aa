"""Excel workbook batches (``.xlsx``, ``.xlsm``), streamed with openpyxl.

Read-only streaming mode: rows are parsed from the sheet's XML as they are
needed, so memory does not grow with the rows (the workbook's table of
distinct texts is loaded once, as Excel itself does). The first worksheet is
read, or the one ``--sheet`` names. Rows are numbered as Excel numbers them;
the first non-empty row is the header, normalised exactly as for CSV.

Values are the text a person sees in Excel (:mod:`.excel_format`): integers
without ``.0``, a number formatted ``00000`` with its leading zeros, dates as
their format shows them (the built-in short date as ``dd/mm/yyyy``, the UK
order the rules' date parsing reads), ``TRUE``/``FALSE``, and a formula's last
calculated value. A formula the workbook holds no calculated value for (a file
written by a program rather than saved by Excel) cannot be checked: that row is
a :class:`~policylint.model.RowProblem`, as are cells over the size limit and
values in columns with no header. A column that looks like it lost leading
zeros (phone numbers stored as numbers; account numbers stored as numbers and
shorter than the column's others) is a warning in :attr:`XlsxBatchReader.warnings`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import types
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policylint.errors import InputError
from policylint.hookspecs import hookimpl
from policylint.io.batch.base import Limits, ProblemLog, build_header, is_blank
from policylint.io.batch.excel_format import (
    format_date,
    format_number,
    format_timedelta,
    general,
)
from policylint.io.headers import header_key
from policylint.model import Row, RowProblem

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

__all__ = ["SUFFIXES", "XlsxBatchReader", "open_xlsx_batch"]

SUFFIXES = frozenset({".xlsx", ".xlsm"})
EXTRA = "pip install 'policylint[excel]'"

# Headers of columns that hold phone numbers (a UK number starts with 0, so
# one stored as a number has always lost it).
_PHONE_KEYS = frozenset({"phone", "phonenumber", "mobile", "mobilenumber", "telephone",
                         "telephonenumber", "tel", "telno", "phoneno", "mobileno",
                         "contactnumber", "landline", "callbacknumber"})
# Words of headers that name identifiers, where every value has the same length.
_ID_WORDS = frozenset({"id", "ref", "reference", "account", "number", "no", "code", "nhs",
                       "uprn", "tenancy", "payroll", "customer", "case", "claim", "ni"})
_FORMULA_MISSING = "formula-without-value"


def _parser_class() -> type[Any]:
    """openpyxl's sheet parser, also marking formulas that have no calculated value.

    With ``data_only=True`` openpyxl gives a formula's cached value, and an
    empty cell when there is none: indistinguishable from a blank. The cell's
    XML still has its ``<f>``, so this subclass marks it.
    """
    from openpyxl.utils import coordinate_to_tuple
    from openpyxl.worksheet._reader import FORMULA_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.xml.functions import iterparse

    data_tag = ROW_TAG.replace("}row", "}sheetData")
    namespace = ROW_TAG[: -len("row")]
    inline_tag, text_tag, run_text = f"{namespace}is", f"{namespace}t", f"{namespace}r/{namespace}t"

    class Parser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            if element.get("t") == "inlineStr" and element.find(FORMULA_TAG) is None:
                return self._inline(element)
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["data_type"] = _FORMULA_MISSING
            return cell

        def _inline(self, element: Any) -> dict[str, Any]:
            """An inline string cell (how openpyxl and pandas write text), without
            building openpyxl's rich-text objects: a third of the reading time."""
            coordinate = element.get("r")
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            value = None
            inline = element.find(inline_tag)
            if inline is not None:
                # Plain text, then rich-text runs; phonetic guides (rPh) are not the text.
                plain = inline.findtext(text_tag)
                runs = [t.text or "" for t in inline.iterfind(run_text)]
                value = (plain or "") + "".join(runs) if plain is not None or runs else None
            style = element.get("s")
            return {"row": row, "column": column, "value": value,
                    "data_type": "s" if value is not None else "inlineStr",
                    "style_id": int(style) if style else 0}

        def stream_rows(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
            """The rows only, each dropped from the tree once parsed.

            openpyxl's own ``parse()`` clears each row but leaves it attached
            to ``<sheetData>``: about 80 bytes a row that are never freed.
            """
            sheet_data = None
            for event, element in iterparse(self.source, events=("start", "end")):
                if event == "start":
                    if element.tag == data_tag:
                        sheet_data = element
                elif element.tag == ROW_TAG:
                    row = self.parse_row(element)
                    element.clear()
                    if sheet_data is not None:
                        sheet_data.clear()
                    self.row_dimensions.clear()  # heights of rows already read
                    yield row
                elif element.tag == data_tag:
                    return  # the rest of the sheet (merges, print setup) is not data

    return Parser


@contextlib.contextmanager
def _without_size_scan() -> Iterator[None]:
    """Open a read-only workbook without openpyxl sizing every sheet.

    openpyxl reads a sheet's size from its ``<dimension>``; a sheet written
    without one (by a streaming writer) is parsed to its end instead, keeping
    ~80 bytes a row: memory that grows with the rows, before reading begins.
    This reader never asks a sheet's size, so the scan is skipped.
    """
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    original = getattr(ReadOnlyWorksheet, "_get_size", None)
    if original is None:  # another openpyxl: nothing to skip
        yield
        return
    ReadOnlyWorksheet._get_size = lambda self: None
    try:
        yield
    finally:
        ReadOnlyWorksheet._get_size = original


@dataclass
class _ColumnWatch:
    """What one column's digit-only values look like, to spot lost leading zeros."""

    lengths: Counter[int] = field(default_factory=Counter)  # of all digit-only values
    zero_led: Counter[int] = field(default_factory=Counter)  # by length: kept a leading 0
    stored_numbers: dict[int, tuple[int, int]] = field(default_factory=dict)  # len -> (n, row)

    def see(self, text: str, stored_as_number: bool, row: int) -> None:
        if not text.isdigit():
            return
        self.lengths[len(text)] += 1
        if text.startswith("0"):
            self.zero_led[len(text)] += 1
        elif stored_as_number:
            count, first = self.stored_numbers.get(len(text), (0, row))
            self.stored_numbers[len(text)] = (count + 1, first)


class XlsxBatchReader:
    """One worksheet of a workbook, checked on opening and streamed by :meth:`rows`."""

    def __init__(
        self,
        path: Path,
        display: str | None = None,
        limits: Limits = Limits(),  # noqa: B008 (frozen, so one shared default is safe)
        sheet: str | None = None,
        allow_no_rows: bool = False,
    ) -> None:
        self.path = Path(path)
        self.display = display if display is not None else str(path)
        self.limits = limits
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []
        self._closed = False
        self._check_path()
        self._workbook = self._load()
        try:
            self._sheet = self._choose(sheet)
            self.sheet_name: str = self._sheet.title
            try:
                self._parser = _parser_class()
            except (ImportError, AttributeError) as exc:  # openpyxl internals moved
                raise self._error(f"this openpyxl version cannot be used ({exc}): "
                                  "pip install 'openpyxl>=3.1,<4'") from exc
            self._formats: dict[int, str] = {}
            self.header: tuple[str, ...] = ()
            self.names: tuple[str, ...] = ()
            self.header_map: dict[str, str] = {}
            self.header_row = 0
            self._read_header(allow_no_rows)
        except BaseException:
            self._workbook.close()
            raise
        self._headers_view: Mapping[str, str] = types.MappingProxyType(self.header_map)

    # ----------------------------------------------------------------- public

    def rows(self) -> Iterator[Row]:
        """Every readable non-blank row below the header, read afresh from the file.

        :attr:`problems` starts empty on each call; :attr:`warnings` are
        complete when the pass ends.
        """
        if self._closed:
            raise ValueError(f"{self.display}: reader is closed")
        log = ProblemLog(self.display, self.limits)
        self.problems = log.problems
        self.warnings = []
        return self._rows(log)

    def close(self) -> None:
        self._closed = True
        self._workbook.close()

    def __enter__(self) -> XlsxBatchReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"XlsxBatchReader({self.display!r}, sheet={self.sheet_name!r}, "
                f"columns={len(self.header)})")

    # ----------------------------------------------------------------- opening

    def _error(self, message: str, row: int | None = None) -> InputError:
        return InputError(message, file=self.display, row=row)

    def _check_path(self) -> None:
        if self.path.is_dir():
            raise self._error("is a directory, not a batch file")
        try:
            with open(self.path, "rb") as stream:
                head = stream.read(8)
        except FileNotFoundError:
            raise self._error("no such file") from None
        except OSError as exc:
            raise self._error(f"cannot read: {exc.strerror or exc}") from exc
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise self._error(
                "a password-protected workbook or an old Excel 97-2003 file: remove the "
                "password, or save it as .xlsx (or export CSV)")
        if not head.startswith(b"PK\x03\x04"):
            raise self._error("not a valid .xlsx workbook (is it a CSV file with the wrong "
                              "extension? rename it .csv)")

    def _load(self) -> Workbook:
        try:
            import openpyxl
        except ImportError:
            raise self._error(f"reading .xlsx batches needs openpyxl: {EXTRA}") from None
        try:
            with warnings.catch_warnings(), _without_size_scan():
                # openpyxl warns about styles and extensions it ignores: not ours to show.
                warnings.simplefilter("ignore")
                workbook: Workbook = openpyxl.load_workbook(
                    self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise self._error(
                f"not a valid .xlsx workbook ({type(exc).__name__}): open it in Excel "
                "and save it again") from exc
        return workbook

    def _choose(self, sheet: str | None) -> Any:
        names = self._workbook.sheetnames
        worksheets = self._workbook.worksheets
        if sheet is None:
            if not worksheets:
                raise self._error("the workbook has no worksheets")
            return worksheets[0]
        for worksheet in worksheets:
            if worksheet.title == sheet:
                return worksheet
        for worksheet in worksheets:  # Excel's own sheet names are case-insensitive
            if worksheet.title.casefold() == sheet.casefold():
                return worksheet
        listed = ", ".join(repr(n) for n in names)
        raise self._error(f"no worksheet named {sheet!r} (the sheets are {listed})")

    def _read_header(self, allow_no_rows: bool) -> None:
        where = f"sheet {self.sheet_name!r}"
        cells_iter = self._raw_rows()
        for number, cells in cells_iter:
            dense: list[str | None] = []
            for cell in cells:
                column = cell["column"]
                dense.extend([""] * (column - len(dense)))
                dense[column - 1] = self._text(cell)
            if is_blank([t for t in dense if t is not None]) and None not in dense:
                continue
            if None in dense:
                raise self._error(
                    f"a header cell in {where} is a formula with no calculated value "
                    "(open the workbook in Excel and save it)", row=number)
            header = build_header([t or "" for t in dense], self.display, self.limits,
                                  row=number)
            self.header_row = number
            self.header, self.names, self.header_map = (
                header.written, header.names, header.mapping)
            break
        else:
            raise self._error(f"{where} is empty: no header row")
        if allow_no_rows:
            return
        for _number, cells in cells_iter:
            if any(cell["value"] is not None or cell["data_type"] == _FORMULA_MISSING
                   for cell in cells):
                return
        raise self._error(f"no data rows in {where} (header only)")

    # ----------------------------------------------------------------- reading

    def _raw_rows(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """``(Excel row number, cells)`` straight from the sheet's XML, streamed."""
        sheet = self._sheet
        workbook = self._workbook
        source = sheet._get_source()
        try:
            parser = self._parser(
                source, sheet._shared_strings, data_only=True, epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield from parser.stream_rows()
        finally:
            source.close()

    def _format(self, style_id: int) -> str:
        fmt = self._formats.get(style_id)
        if fmt is None:
            from openpyxl.cell.read_only import ReadOnlyCell

            fmt = self._formats[style_id] = str(
                ReadOnlyCell(self._sheet, 1, 1, None, "n", style_id).number_format)
        return fmt

    def _text(self, cell: dict[str, Any]) -> str | None:
        """The cell as Excel shows it; None for a formula with no calculated value."""
        value = cell["value"]
        kind = cell["data_type"]
        if kind == _FORMULA_MISSING:
            return None
        if value is None:
            return ""
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float):
            style = cell["style_id"]
            return format_number(value, self._format(style)) if style else general(value)
        if isinstance(value, dt.datetime | dt.date | dt.time):
            return format_date(value, self._format(cell["style_id"]))
        if isinstance(value, dt.timedelta):
            return format_timedelta(value)
        return str(value)

    def _rows(self, log: ProblemLog) -> Iterator[Row]:
        names, headers, display = self.names, self._headers_view, self.display
        width = len(names)
        watches = [_ColumnWatch() for _ in range(width)]
        for number, cells in self._raw_rows():
            if number <= self.header_row:
                continue
            values = [""] * width
            numeric = [False] * width
            problem: RowProblem | None = None
            for cell in cells:
                column = cell["column"]
                text = self._text(cell)
                if column > width:
                    if text is None or text.strip():
                        problem = problem or RowProblem(
                            number, None, f"column {column} has a value but no header")
                    continue
                label = self.header[column - 1]
                if text is None:
                    problem = problem or RowProblem(
                        number, None,
                        f"the formula in column {column} ({label!r}) has no calculated value "
                        "(open the workbook in Excel and save it, or paste values)", label)
                    continue
                if len(text) > self.limits.max_cell_chars:
                    problem = problem or RowProblem(
                        number, None,
                        f"column {column} ({label!r}) is longer than the limit of "
                        f"{self.limits.max_cell_chars:,} characters", label)
                    continue
                values[column - 1] = text
                numeric[column - 1] = isinstance(cell["value"], int | float) and not isinstance(
                    cell["value"], bool)
            if problem is not None:
                log.add(problem)
                continue
            if is_blank(values):
                continue
            for index, text in enumerate(values):
                if text:
                    watches[index].see(text, numeric[index], number)
            yield Row(number=number, line=number, values=dict(zip(names, values, strict=True)),
                      headers=headers, file=display)
        self.warnings = self._lost_zeros(watches)

    def _lost_zeros(self, watches: list[_ColumnWatch]) -> list[RowProblem]:
        found: list[RowProblem] = []
        for label, watch in zip(self.header, watches, strict=True):
            if not watch.stored_numbers:
                continue
            key = header_key(label)
            count = sum(n for n, _ in watch.stored_numbers.values())
            first = min(row for _, row in watch.stored_numbers.values())
            cells = f"{count} cell{'s' if count > 1 else ''}"
            if key in _PHONE_KEYS or "phone" in key or "mobile" in key:
                # A UK number without its 0 has 9 or 10 digits (44... is international).
                lost = {n: v for n, v in watch.stored_numbers.items() if n in (9, 10)}
                if not lost:
                    continue
                count = sum(n for n, _ in lost.values())
                first = min(row for _, row in lost.values())
                cells = f"{count} cell{'s' if count > 1 else ''}"
                found.append(RowProblem(first, None, (
                    f"{cells} of phone numbers stored as numbers, which drops the leading 0 "
                    f"(first at row {first}): format the column as Text in Excel"), label))
                continue
            usual, seen = watch.lengths.most_common(1)[0]
            short = {n: v for n, v in watch.stored_numbers.items() if n < usual}
            if not short:
                continue
            words = set(_words(label))
            id_like = bool(words & _ID_WORDS) and seen >= 0.9 * sum(watch.lengths.values())
            # Evidence that zeros matter here: values of the usual length that keep
            # one (not a lone "0" in an amounts column), or an identifier column.
            if watch.zero_led[usual] or id_like:
                count = sum(n for n, _ in short.values())
                first = min(row for _, row in short.values())
                found.append(RowProblem(first, None, (
                    f"{count} number{'s' if count > 1 else ''} shorter than the column's usual "
                    f"{usual} digits, as if leading zeros were lost (first at row {first}): "
                    "format the column as Text, or with a number format such as "
                    f"{'0' * usual}"), label))
        return found


def _words(label: str) -> list[str]:
    from policylint.io.headers import variable_name

    return variable_name(label).split("_")


@hookimpl(specname="policylint_open_batch")
def open_xlsx_batch(path: Path, sheet: str | None,
                    display: str | None = None) -> XlsxBatchReader | None:
    """The built-in reader for ``.xlsx``/``.xlsm`` workbooks (first sheet, or ``sheet``)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise InputError("an old Excel 97-2003 workbook (.xls): save it as .xlsx, or export "
                         "it as CSV", file=str(path))
    if suffix not in SUFFIXES:
        return None
    return XlsxBatchReader(Path(path), display, sheet=sheet)

