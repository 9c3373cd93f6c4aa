"""What every batch reader shares, whatever the file format.

- :class:`BatchReader`: the interface the engine reads batches through.
- :class:`Limits`: the documented input limits.
- :class:`ProblemLog`: "collect, don't stop" (DESIGN §4): a row that cannot be
  read is recorded as a :class:`~policylint.model.RowProblem` and reading goes
  on, up to :attr:`Limits.max_bad_rows`.
- :func:`build_header`: one header normalisation for every format, so a column
  is called the same whether it came from CSV, a workbook or JSON Lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol, TypeVar, runtime_checkable

from policylint.errors import InputError, LimitError
from policylint.io.headers import variable_name
from policylint.model import Row, RowProblem

# Characters we treat as "nothing" when deciding whether a row is blank:
# whitespace plus the DOS end-of-file marker some old exports still append.
BLANK_CHARS = " \t\r\n\x0b\x0c\x1a\xa0"


@runtime_checkable
class BatchReader(Protocol):
    """What the engine needs from a batch, whatever its format.

    ``rows()`` may be called more than once; each call starts again from the
    first row (the engine makes two passes for whole-batch rules).

    ``problems`` lists the rows the last ``rows()`` pass could not read (they
    are not yielded): each call to ``rows()`` starts a new, empty list, and the
    list is complete once that pass has ended. ``warnings`` are the same shape
    but not fatal (e.g. a workbook column that looks like it lost leading
    zeros); also complete when a pass ends.
    """

    problems: list[RowProblem]
    warnings: list[RowProblem]

    @property
    def display(self) -> str: ...

    @property
    def header(self) -> tuple[str, ...]: ...

    @property
    def names(self) -> tuple[str, ...]: ...

    @property
    def header_map(self) -> Mapping[str, str]: ...

    def rows(self) -> Iterator[Row]: ...

    def close(self) -> None: ...


@runtime_checkable
class CellRowReader(BatchReader, Protocol):
    """A batch reader that can also give its rows as bare cells, cheaper to read and to
    hand to a worker than :class:`~policylint.model.Row` objects.

    The contract: for each ``(number, line, cells)`` of ``cell_rows()``, ``rows()``
    gives ``Row(number, line, dict(zip(names, cells, strict=False)),
    MappingProxyType(header_map), display)``, with the same :attr:`problems`.
    """

    def cell_rows(self) -> Iterator[tuple[int, int, list[str]]]: ...


@dataclass(frozen=True)
class Limits:
    """Documented input limits; anything beyond is a :class:`LimitError`.

    ``max_row_chars`` bounds one record (all its cells and physical lines), so
    an unterminated quote or a file with no line breaks cannot exhaust memory.
    ``max_bad_rows`` bounds how many unreadable rows are collected before the
    reader gives up on the file (a file that is mostly damage, or not a batch).
    """

    max_cell_chars: int = 10_000_000
    max_columns: int = 2000
    max_row_chars: int = 32_000_000
    max_bad_rows: int = 1000


class ProblemLog:
    """The unreadable rows of one pass, and the point where reading gives up."""

    def __init__(self, display: str, limits: Limits) -> None:
        self.display = display
        self.limit = max(1, limits.max_bad_rows)
        self.problems: list[RowProblem] = []

    def add(self, problem: RowProblem) -> None:
        self.problems.append(problem)
        if len(self.problems) >= self.limit:
            first = self.problems[0]
            raise InputError(
                f"stopped after {len(self.problems):,} unreadable rows; the first was row "
                f"{first.row} ({first.reason}). Is this the right file?",
                file=self.display,
                row=problem.row,
            )


def problem_from(error: InputError, column: str | None = None) -> RowProblem:
    """The :class:`RowProblem` for a row-level error (its row, line and message)."""
    return RowProblem(row=error.row or 0, line=error.line, reason=error.message, column=column)


def is_blank(cells: Sequence[str]) -> bool:
    for cell in cells:  # noqa: SIM110 (a loop, not any(): this runs once per row)
        if cell.strip(BLANK_CHARS):
            return False
    return True


def header_width(header: Sequence[str]) -> int:
    """The header's width once trailing empty header names are dropped."""
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    return width


@dataclass(frozen=True)
class Header:
    written: tuple[str, ...]  # as the file has them
    names: tuple[str, ...]  # normalised (``address_line_1``): Row.values keys
    mapping: dict[str, str]  # name -> as written


def build_header(
    cells: Sequence[str],
    display: str,
    limits: Limits,
    row: int | None = None,
    line: int | None = None,
    what: str = "column",
) -> Header:
    """Validate and normalise a header row (trailing empty cells are dropped).

    An empty header in the middle, two headers that normalise alike
    (``Email``/``E-mail``) or more columns than the limit is an
    :class:`InputError` naming the file and where.
    """
    width = header_width(cells)
    if width > limits.max_columns:
        raise LimitError(
            f"{what} {limits.max_columns + 1} is beyond the limit of "
            f"{limits.max_columns:,} columns",
            file=display,
            row=row,
            line=line,
        )
    written = tuple(cells[:width])
    names: list[str] = []
    seen: dict[str, int] = {}
    for index, text in enumerate(written, start=1):
        if not text.strip():
            raise InputError(f"{what} {index} has no header", file=display, row=row, line=line)
        # A header of punctuation only ("#") still names a column.
        name = variable_name(text) or f"column_{index}"
        key = name.replace("_", "")
        if key in seen:
            raise InputError(
                f"duplicate {what} {text.strip()!r} ({what}s {seen[key]} and {index})",
                file=display,
                row=row,
                line=line,
            )
        seen[key] = index
        names.append(name)
    return Header(written, tuple(names), dict(zip(names, written, strict=True)))


class StreamingReader:
    """What the file-streaming readers share: the files their unfinished passes hold
    open (a pass is a generator a caller may abandon), and closing them all."""

    def _start_streams(self) -> None:
        self._open: set[IO[Any]] = set()
        self._closed = False

    def close(self) -> None:
        """Close files held by unfinished :meth:`rows` iterations; no further reads."""
        self._closed = True
        for stream in list(self._open):
            stream.close()
        self._open.clear()

    def __enter__(self: _Reader) -> _Reader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_Reader = TypeVar("_Reader", bound=StreamingReader)
