"""The streaming batch reader: one outgoing item per CSV row.

Real exports are messy: a UTF-8 byte-order mark from Excel, Windows-1252 from
an older system (``Siân``, ``£``), UTF-16 "Unicode text" from Excel, semicolons
or tabs instead of commas, addresses with line breaks inside quoted cells,
stray trailing delimiters. :class:`CsvBatchReader` reads all of these, streams
the rows from disk (memory does not grow with the batch, DESIGN §5) and fails
closed on anything it cannot read with certainty: a ragged row, a NUL byte, an
undecodable byte, an unterminated quote. Each such row is a
:class:`~policylint.model.RowProblem` (with ``collect=True``, as the engine
opens batches: every bad row is listed and reading goes on) or an
:class:`~policylint.errors.InputError` (the default, for callers such as the
register loader that must stop at the first one). Either names the row as a
spreadsheet shows it and the physical line, never the cell's contents.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from policylint.errors import InputError, LimitError
from policylint.hookspecs import hookimpl
from policylint.io.batch.base import (
    Limits,
    ProblemLog,
    StreamingReader,
    build_header,
    header_width,
    is_blank,
    problem_from,
)
from policylint.model import Row, RowProblem

__all__ = [
    "CsvBatchReader",
    "detect_encoding",
    "policylint_open_batch",
    "sniff_delimiter",
]

SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
DELIMITERS = (",", "\t", ";", "|")  # in order of preference when equally plausible
_CHUNK_BYTES = 1 << 16
_SNIFF_CHARS = 1 << 16
# Bytes that Windows-1252 leaves undefined.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# --------------------------------------------------------------------------- encoding


@dataclass(frozen=True)
class _Decoding:
    encoding: str
    # Message for data that does not decode, or None when the whole file decodes.
    problem: str | None = None


def _validates(stream: IO[bytes], encoding: str) -> bool:
    """Decode the whole stream in fixed-size chunks; True when it decodes cleanly."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        while chunk := stream.read(_CHUNK_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _first_cp1252_undefined(stream: IO[bytes]) -> int | None:
    while chunk := stream.read(_CHUNK_BYTES):
        match = _CP1252_UNDEFINED.search(chunk)
        if match:
            return chunk[match.start()]
    return None


# A well-formed two-to-four byte UTF-8 sequence: in real Windows-1252 text these
# byte pairs ("Ã©", "â€") practically never occur.
_UTF8_SEQUENCE = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}")


def _has_utf8_sequences(stream: IO[bytes]) -> bool:
    tail = b""
    while chunk := stream.read(_CHUNK_BYTES):
        if _UTF8_SEQUENCE.search(tail + chunk):
            return True
        tail = chunk[-3:]
    return False


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when ``head`` looks like BOM-less UTF-16 text, else None."""
    sample = head[: 4096 - (len(head[:4096]) % 2)]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.6 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.6 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def detect_encoding(path: Path, display: str | None = None) -> str:
    """The encoding :class:`CsvBatchReader` would use for ``path`` (streams the file once)."""
    return _detect(path, display or str(path)).encoding


def _detect(path: Path, display: str) -> _Decoding:
    try:
        with open(path, "rb") as stream:
            head = stream.read(_CHUNK_BYTES)
            if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
                raise InputError(
                    "this is a spreadsheet workbook (.xlsx/.xls), not CSV: "
                    "name it .xlsx, or save or export it as CSV first",
                    file=display,
                )
            if head.startswith(codecs.BOM_UTF8):
                encoding = "utf-8-sig"
            elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                encoding = "utf-16"
            else:
                encoding = _utf16_without_bom(head) or "utf-8"
            stream.seek(0)
            if _validates(stream, encoding):
                return _Decoding(encoding)
            if encoding != "utf-8":
                label = "UTF-8" if encoding == "utf-8-sig" else "UTF-16"
                return _Decoding(
                    encoding,
                    f"undecodable bytes (not valid {label}, although the file "
                    f"starts like {label})",
                )
            stream.seek(0)
            if _has_utf8_sequences(stream):
                # Valid UTF-8 letters elsewhere in the file: decoding it all as
                # Windows-1252 would garble every accented name ("SiÃ¢n").
                return _Decoding(
                    "utf-8",
                    "undecodable byte: the file mixes UTF-8 with another encoding "
                    "(re-export it as UTF-8)",
                )
            stream.seek(0)
            bad = _first_cp1252_undefined(stream)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=display) from exc
    if bad is None:
        return _Decoding("cp1252")
    return _Decoding("cp1252", f"undecodable byte 0x{bad:02X} (not UTF-8 or Windows-1252)")


# --------------------------------------------------------------------------- delimiter


_is_blank = is_blank
_width = header_width


def _fits(cells: list[str], width: int) -> bool:
    return len(cells) >= width and not any(c.strip() for c in cells[width:])


def _sample_records(sample: str, delimiter: str, complete: bool) -> list[list[str]]:
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
    try:
        records.extend(reader)
    except csv.Error:
        complete = False  # keep what parsed before the problem; rows() reports it
    if not complete and records:
        records.pop()  # may be cut off by the end of the sample
    return [r for r in records if not _is_blank(r)]


def sniff_delimiter(sample: str, complete: bool = False) -> str:
    """Pick the delimiter of a CSV from its first characters.

    Each candidate (``,`` TAB ``;`` ``|``) parses the sample (so quoted text
    does not count); the one whose header has more than one column and whose
    rows all fit that header wins; among equals, the wider header, then the
    order above. ``complete`` says the sample is the whole file (otherwise its
    last record may be cut short and is ignored). Defaults to ``,``.
    """
    best = ","
    best_score: tuple[bool, float, int, int] | None = None
    for preference, delimiter in enumerate(DELIMITERS):
        if delimiter not in sample:
            continue
        records = _sample_records(sample, delimiter, complete)
        if not records:
            continue
        width = _width(records[0])
        if width < 2:
            continue
        rows = records[1:]
        fitting = sum(1 for r in rows if _fits(r, width))
        score = (fitting == len(rows), fitting / len(rows) if rows else 1.0, width, -preference)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


# --------------------------------------------------------------------------- records


class _RecordText:
    """The physical lines of one record, kept cheaply.

    Lines are held by reference (a 10 MB line is not copied) and joined 256 at a
    time, so a record of millions of short lines costs about its characters, not
    ~50 bytes of object overhead per line.
    """

    _BATCH = 256

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._lines: list[str] = []

    def append(self, line: str) -> None:
        self._lines.append(line)
        if len(self._lines) >= self._BATCH:
            self._chunks.append("".join(self._lines))
            self._lines.clear()

    def clear(self) -> None:
        self._chunks.clear()
        self._lines.clear()

    def text(self) -> str:
        return "".join(self._chunks) + "".join(self._lines)



class _Unreadable(Exception):
    """Raised through the csv module by :class:`_LineFeed`: this record cannot be read."""

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class _Bad:
    """A record that cannot be read: the error it would raise, and its column if known."""

    error: InputError
    column: str | None = None


def _line_note(start: int, line: int) -> str:
    return f" (on line {line})" if line != start else ""


class _LineFeed:
    """Physical lines for the csv module, counted and checked on the way through.

    Tracks which record (spreadsheet row) is being read and the physical line
    it started on, so that every problem can name both.
    """

    def __init__(self, text: IO[str], display: str, limits: Limits, problem: str | None) -> None:
        self._readline = text.readline
        self._display = display
        self._limits = limits
        self._max_chars = limits.max_row_chars
        self._problem = problem
        self.lines = 0  # physical lines read so far
        self.row = 0  # the record being read
        self.start_line = 1  # physical line where that record starts
        self.chars = 0  # characters in that record so far
        self.last = ""  # the last piece of a line read (to see whether it ended)
        self.buffer = _RecordText()  # its text, to locate a column after a csv error
        self._keep = self.buffer.append

    def begin(self, row: int) -> None:
        self.row = row
        self.start_line = self.lines + 1
        self.chars = 0
        self.buffer.clear()

    def __iter__(self) -> _LineFeed:
        return self

    def _read(self) -> str:
        try:
            line = self._readline(self._max_chars + 1)
        except UnicodeDecodeError as exc:  # the whole file decoded when it was opened
            raise InputError(
                "undecodable bytes (did the file change while it was read?)",
                file=self._display,
                row=self.row,
                line=self.lines + 1,
            ) from exc
        if line:
            if not self.last.endswith(("\n", "\r")) and self.lines:
                pass  # the rest of a line longer than the read size: same line
            else:
                self.lines += 1
            self.last = line
        return line

    def _unreadable(self, message: str, line: int | None = None) -> _Unreadable:
        where = self.start_line
        note = _line_note(where, line) if line is not None else ""
        return _Unreadable(
            InputError(message + note, file=self._display, row=self.row, line=where))

    def __next__(self) -> str:
        line = self._read()
        if not line:
            raise StopIteration
        self.chars += len(line)
        self._keep(line)  # before any check: resynchronising needs the whole record
        if self.chars > self._max_chars:
            raise _Unreadable(LimitError(
                f"row is longer than the limit of {self._limits.max_row_chars:,} characters"
                " (an unterminated quote?)",
                file=self._display,
                row=self.row,
                line=self.start_line,
            ))
        if "\0" in line:
            raise self._unreadable("NUL byte (binary data or a damaged export)", self.lines)
        if self._problem is not None and "\ufffd" in line:
            raise self._unreadable(self._problem, self.lines)
        return line

    def skip(self) -> str:
        """The next raw line, unchecked and not kept (to skip a damaged record)."""
        return self._read()


def _column_of(text: str, delimiter: str, longer_than: int | None = None) -> int:
    """The 1-based column in progress at the end of ``text`` (one record's lines).

    With ``longer_than``, the first column whose cell grows beyond that many
    characters instead.
    """
    column, state, length = 1, "start", 0
    for char in text:
        if state == "quoted":
            if char == '"':
                state = "escape"
                continue
        elif char == '"' and state in ("start", "escape"):
            if state == "escape":  # a doubled quote: one literal quote in the cell
                length += 1
            state = "quoted"
            continue
        elif char == delimiter:
            column, state, length = column + 1, "start", 0
            continue
        else:
            state = "field"
        length += 1
        if longer_than is not None and length > longer_than:
            return column
    return column


class CsvBatchReader(StreamingReader):
    """A CSV batch, checked on opening and streamed from disk by :meth:`rows`.

    Opening detects the encoding and delimiter and validates the header, and
    raises :class:`InputError` for an unusable file. :meth:`rows` re-reads the
    file on every call. Blank rows are skipped but still count in row numbers.

    A row that cannot be read with certainty is never yielded. With
    ``collect=True`` (how the engine opens batches) it is recorded in
    :attr:`problems` and reading goes on to the end of the file, up to
    :attr:`Limits.max_bad_rows`; by default the first one raises
    :class:`InputError` (what a register table needs: nothing may be skipped).
    """

    def __init__(
        self,
        path: Path,
        display: str | None = None,
        limits: Limits = Limits(),  # noqa: B008 (frozen, so one shared default is safe)
        allow_no_rows: bool = False,
        collect: bool = False,
    ) -> None:
        self.path = Path(path)
        self.display = display if display is not None else str(path)
        self.limits = limits
        self.allow_no_rows = allow_no_rows
        self.collect = collect
        # The unreadable rows of the latest rows()/cell_rows() pass (a new list each pass).
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []  # none for CSV; the interface has them
        self._start_streams()
        self._check_path()
        decoding = _detect(self.path, self.display)
        self.encoding: str = decoding.encoding
        self._problem = decoding.problem
        self.delimiter: str = self._sniff()
        self.header: tuple[str, ...] = ()
        self.names: tuple[str, ...] = ()
        self.header_map: dict[str, str] = {}
        self.header_row = 1
        self.header_line = 1
        self._raw_width = 0
        self._read_header()
        self._headers_view: Mapping[str, str] = types.MappingProxyType(self.header_map)

    # ----------------------------------------------------------------- public

    @property
    def decodes_cleanly(self) -> bool:
        """Whether every byte of the file decodes in :attr:`encoding` (else the rows
        holding bytes that do not are reported, and their cells replaced)."""
        return self._problem is None

    @property
    def header_width(self) -> int:
        """How many cells the header row has, empty trailing ones included."""
        return self._raw_width

    def rows(self) -> Iterator[Row]:
        """Every readable non-blank data row, in file order, read afresh from disk."""
        log = self._start_pass()
        return self._rows(log)

    def cell_rows(self) -> Iterator[tuple[int, int, list[str]]]:
        """Every readable non-blank data row as ``(row number, physical line, cells)``.

        The rows :meth:`rows` gives, checked the same way, without building a
        :class:`~policylint.model.Row` (for readers of large files that look
        cells up by position): cell ``i`` is the column ``names[i]``; a row may
        end with extra empty cells (stray trailing delimiters).
        """
        log = self._start_pass()
        return self._cell_rows(log)

    def __repr__(self) -> str:
        return (
            f"CsvBatchReader({self.display!r}, encoding={self.encoding!r}, "
            f"delimiter={self.delimiter!r}, columns={len(self.header)})"
        )

    # ----------------------------------------------------------------- opening

    def _start_pass(self) -> ProblemLog:
        if self._closed:
            raise ValueError(f"{self.display}: reader is closed")
        log = ProblemLog(self.display, self.limits)
        self.problems = log.problems
        return log

    def _error(self, message: str, row: int | None = None, line: int | None = None) -> InputError:
        return InputError(message, file=self.display, row=row, line=line)

    def _check_path(self) -> None:
        if self.path.is_dir():
            raise self._error("is a directory, not a batch file")
        if not self.path.exists():
            raise self._error("no such file")

    def _open_text(self) -> IO[str]:
        try:
            return open(  # closed by the caller
                self.path,
                encoding=self.encoding,
                errors="strict" if self._problem is None else "replace",
                newline="",
            )
        except OSError as exc:
            raise self._error(f"cannot read: {exc.strerror or exc}") from exc

    def _sniff(self) -> str:
        with self._open_text() as text:
            try:
                sample = text.read(_SNIFF_CHARS)
                complete = not text.read(1)
            except UnicodeDecodeError:  # decoded later, row by row, with a clear error
                return ","
        return sniff_delimiter(sample, complete)

    def _read_header(self) -> None:
        with self._open_text() as text:
            feed = self._feed(text)
            records = self._records(feed)
            for cells in records:
                if isinstance(cells, _Bad):
                    raise cells.error  # the header itself cannot be read
                if _is_blank(cells):
                    continue
                self._set_header(feed.row, feed.start_line, cells)
                break
            else:
                raise self._error("empty file: no header row")
            if self.allow_no_rows:
                return
            try:
                for cells in records:
                    if isinstance(cells, _Bad) or not _is_blank(cells):
                        return  # a data row exists; rows() reads or reports it
            except InputError:
                return  # something is there; rows() reports it where it is
        raise self._error("no data rows (header only)")

    def _set_header(self, number: int, line: int, cells: list[str]) -> None:
        self.header_row, self.header_line = number, line
        self._raw_width = len(cells)
        header = build_header(cells, self.display, self.limits, row=number, line=line)
        self.header = header.written
        self.names = header.names
        self.header_map = header.mapping

    # ----------------------------------------------------------------- reading

    def _feed(self, text: IO[str]) -> _LineFeed:
        return _LineFeed(text, self.display, self.limits, self._problem)

    def _records(self, feed: _LineFeed) -> Iterator[list[str] | _Bad]:
        """The cells of every record, blank ones included, or why one cannot be read.

        While a record is yielded, ``feed.row`` is its row number and
        ``feed.start_line`` the physical line it starts on. After a damaged
        record the rest of it is skipped (to where its quotes close and its
        line ends), so the next record is read from its real start.
        """
        limits = self.limits
        # csv's limit is process-wide: only ever raise it. Cells beyond our own
        # limit that csv lets through are caught below; an unterminated quote
        # is bounded by ``max_row_chars`` in the feed.
        if csv.field_size_limit() <= limits.max_cell_chars:
            csv.field_size_limit(limits.max_cell_chars + 1)
        reader = csv.reader(
            feed,
            delimiter=self.delimiter,
            quotechar='"',
            doublequote=True,
            skipinitialspace=False,
            strict=True,
        )
        number = 0
        while True:
            number += 1
            feed.begin(number)
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                bad = self._csv_error(exc, feed)
                self._skip_rest(feed)
                yield bad
                continue
            except _Unreadable as exc:
                self._skip_rest(feed)
                yield _Bad(exc.error)
                continue
            if feed.chars > limits.max_cell_chars:
                oversized = self._check_cell_sizes(number, feed.start_line, cells)
                if oversized is not None:
                    yield oversized
                    continue
            yield cells

    def _skip_rest(self, feed: _LineFeed) -> None:
        """Read past the end of a damaged record: its quotes paired, its line ended.

        The csv module abandons a record at the character where it went wrong;
        what is left of it (the rest of a quoted address, of an over-long
        line) must not be read as new rows. Which quote is stray cannot be
        known in a damaged record, so quotes simply pair up: an odd count
        means a quoted cell is still open.
        """
        open_quote = feed.buffer.text().count('"') % 2 == 1
        last = feed.last
        while open_quote or (last and not last.endswith(("\n", "\r"))):
            line = feed.skip()
            if not line:
                return
            open_quote ^= line.count('"') % 2 == 1
            last = line

    def _csv_error(self, exc: csv.Error, feed: _LineFeed) -> _Bad:
        reason = str(exc)
        record = feed.buffer.text()
        if "field larger than field limit" in reason:
            column = _column_of(record, self.delimiter, csv.field_size_limit())
            return _Bad(LimitError(
                f"{self._column_label(column)} is longer than the limit of "
                f"{self.limits.max_cell_chars:,} characters (an unterminated quote?)",
                file=self.display,
                row=feed.row,
                line=feed.start_line,
            ), self._column_name(column))
        if "unexpected end of data" in reason:
            column = _column_of(record, self.delimiter)
            return _Bad(self._error(
                f"unterminated quote: the quoted cell in {self._column_label(column)} "
                "runs to the end of the file",
                row=feed.row,
                line=feed.start_line,
            ), self._column_name(column))
        if "expected after" in reason:
            return _Bad(self._error(
                f"malformed quoting ({reason}): a quoted cell must end at a delimiter "
                'and quotes inside it must be doubled ("")'
                + _line_note(feed.start_line, max(feed.lines, feed.start_line)),
                row=feed.row,
                line=feed.start_line,
            ))
        return _Bad(self._error(f"malformed CSV: {reason}", row=feed.row, line=feed.start_line))

    def _column_name(self, column: int) -> str | None:
        if 0 < column <= len(self.header):
            return self.header[column - 1].strip()
        return None

    def _column_label(self, column: int) -> str:
        name = self._column_name(column)
        return f"column {column} ({name!r})" if name is not None else f"column {column}"

    def _check_cell_sizes(self, number: int, line: int, cells: list[str]) -> _Bad | None:
        limit = self.limits.max_cell_chars
        for index, cell in enumerate(cells, start=1):
            if len(cell) > limit:
                return _Bad(LimitError(
                    f"{self._column_label(index)} is longer than the limit of {limit:,} "
                    "characters",
                    file=self.display,
                    row=number,
                    line=line,
                ), self._column_name(index))
        return None

    def _rows(self, log: ProblemLog) -> Iterator[Row]:
        names, display, headers = self.names, self.display, self._headers_view
        for number, line, cells in self._cell_rows(log):
            yield Row(
                number=number,
                line=line,
                values=dict(zip(names, cells, strict=False)),
                headers=headers,
                file=display,
            )

    def _cell_rows(self, log: ProblemLog) -> Iterator[tuple[int, int, list[str]]]:
        text = self._open_text()
        self._open.add(text)
        try:
            width = len(self.names)
            header_row = self.header_row
            feed = self._feed(text)
            for cells in self._records(feed):
                number, line = feed.row, feed.start_line
                if isinstance(cells, _Bad):
                    if number <= header_row:
                        raise cells.error  # the file changed under us
                    self._record(log, cells)
                    continue
                if number <= header_row:
                    if number == self.header_row and tuple(cells[:width]) != self.header:
                        raise self._error(
                            "the header changed since the file was opened", row=number, line=line
                        )
                    continue
                if len(cells) != width:
                    if _is_blank(cells):
                        continue
                    bad = self._check_shape(number, line, cells)
                    if bad is not None:
                        self._record(log, bad)
                        continue
                elif _is_blank(cells):
                    continue
                yield number, line, cells
        finally:
            self._open.discard(text)
            text.close()

    def _record(self, log: ProblemLog, bad: _Bad) -> None:
        if not self.collect:
            raise bad.error
        log.add(problem_from(bad.error, bad.column))

    def _check_shape(self, number: int, line: int, cells: list[str]) -> _Bad | None:
        """A row whose cells do not line up with the header cannot be read.

        Trailing cells that are empty are tolerated (stray trailing delimiters),
        nothing else: a missing or extra cell shifts every value after it.
        """
        width = len(self.header)
        limit = self.limits.max_columns
        if len(cells) > limit:
            return _Bad(LimitError(
                f"column {limit + 1} is beyond the limit of {limit:,} columns",
                file=self.display,
                row=number,
                line=line,
            ))
        used = _width(cells)  # up to the last non-empty cell
        if len(cells) < width:
            return _Bad(self._error(
                f"{_cells(len(cells))}, but the header has {width} columns "
                "(a missing cell shifts every value after it)",
                row=number,
                line=line,
            ))
        if used > width:
            first_extra = next(i for i in range(width, len(cells)) if cells[i].strip())
            if first_extra < self._raw_width:
                return _Bad(self._error(
                    f"column {first_extra + 1} has a value but no header", row=number, line=line
                ))
            return _Bad(self._error(
                f"{_cells(used)}, but the header has {width} columns "
                "(an extra cell shifts every value after it)",
                row=number,
                line=line,
            ))
        return None


def _cells(count: int) -> str:
    return f"{count} cell" if count == 1 else f"{count} cells"


@hookimpl
def policylint_open_batch(path: Path, display: str | None = None) -> CsvBatchReader | None:
    """The built-in reader for ``.csv``, ``.tsv`` and ``.txt`` batches.

    Opened with ``collect=True``: the engine reports every unreadable row.
    """
    if Path(path).suffix.lower() not in SUFFIXES:
        return None
    return CsvBatchReader(Path(path), display, collect=True)
