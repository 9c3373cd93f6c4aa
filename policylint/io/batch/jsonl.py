"""JSON Lines batches (``.jsonl``, ``.ndjson``): one JSON object per line, streamed.

There is no header line, so a row's number is its physical line number (the
first object is row 1, not row 2 as in a spreadsheet); blank lines are skipped
but counted. The columns are every key any object has, in the order they are
first seen (one streaming pass when the file is opened collects them, so the
engine knows them before checking), normalised exactly as CSV headers. An
object without a key has an empty value there, as an empty CSV cell.

Values are text as the JSON has it: strings as they are, numbers as written
(``1.50`` stays ``1.50``), ``true``/``false``. JSON ``null`` is an empty value
(a missing value, not the text "null": the null-like checks are for text
that a spreadsheet or dataframe wrote). A line that is not one JSON object, a
nested object or list as a value, a repeated key, a line or value over the
size limit, or bytes that are not UTF-8 make the row a
:class:`~policylint.model.RowProblem`.
"""

from __future__ import annotations

import codecs
import json
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from policylint.errors import InputError
from policylint.hookspecs import hookimpl
from policylint.io.batch.base import Limits, ProblemLog, StreamingReader, build_header
from policylint.model import Row, RowProblem

__all__ = ["SUFFIXES", "JsonLinesBatchReader", "open_jsonl_batch"]

SUFFIXES = frozenset({".jsonl", ".ndjson"})


class _Unreadable(Exception):
    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column


def _constant(name: str) -> Any:
    raise _Unreadable(f"not valid JSON ({name} is not a JSON number)")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Unreadable(f"the key {key!r} appears twice in one object", key)
            seen.add(key)
    return result


def _decode(raw: bytes) -> Any:
    """One line's JSON value (numbers kept as their text)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"undecodable byte 0x{raw[exc.start]:02X} (JSON Lines must be UTF-8)") from None
    try:
        return json.loads(text, parse_int=str, parse_float=str, parse_constant=_constant,
                          object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        # The message names a position, never the text there.
        raise _Unreadable(f"not valid JSON ({exc.msg} at character {exc.colno})") from None


class JsonLinesBatchReader(StreamingReader):
    """A JSON Lines batch: keys gathered on opening, objects streamed by :meth:`rows`."""

    def __init__(
        self,
        path: Path,
        display: str | None = None,
        limits: Limits = Limits(),  # noqa: B008 (frozen, so one shared default is safe)
        allow_no_rows: bool = False,
    ) -> None:
        self.path = Path(path)
        self.display = display if display is not None else str(path)
        self.limits = limits
        self.problems: list[RowProblem] = []
        self.warnings: list[RowProblem] = []  # none for JSON Lines; the interface has them
        self._start_streams()
        keys = self._scan(allow_no_rows)
        header = build_header(keys, self.display, limits, what="key")
        self.header: tuple[str, ...] = header.written
        self.names: tuple[str, ...] = header.names
        self.header_map: dict[str, str] = header.mapping
        self._name_of = dict(zip(header.written, header.names, strict=True))
        self._headers_view: Mapping[str, str] = types.MappingProxyType(self.header_map)

    # ----------------------------------------------------------------- public

    def rows(self) -> Iterator[Row]:
        """Every readable object, in file order, read afresh from disk."""
        if self._closed:
            raise ValueError(f"{self.display}: reader is closed")
        log = ProblemLog(self.display, self.limits)
        self.problems = log.problems
        return self._rows(log)

    def __repr__(self) -> str:
        return f"JsonLinesBatchReader({self.display!r}, keys={len(self.header)})"

    # ----------------------------------------------------------------- reading

    def _error(self, message: str) -> InputError:
        return InputError(message, file=self.display)

    def _open_binary(self) -> IO[bytes]:
        if self.path.is_dir():
            raise self._error("is a directory, not a batch file")
        try:
            return open(self.path, "rb")  # closed by the caller
        except FileNotFoundError:
            raise self._error("no such file") from None
        except OSError as exc:
            raise self._error(f"cannot read: {exc.strerror or exc}") from exc

    def _lines(self, stream: IO[bytes]) -> Iterator[tuple[int, bytes | _Unreadable]]:
        """``(line number, bytes)`` of each non-blank line, or why it cannot be read."""
        limit = self.limits.max_row_chars
        number = 0
        while True:
            raw = stream.readline(limit + 1)
            if not raw:
                return
            number += 1
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if len(raw) > limit and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                    raw = stream.readline(limit + 1)
                yield number, _Unreadable(
                    f"line is longer than the limit of {limit:,} characters")
                continue
            if not raw.strip():
                continue
            if b"\0" in raw:
                yield number, _Unreadable("NUL byte (binary data or a damaged export)")
                continue
            yield number, raw

    def _scan(self, allow_no_rows: bool) -> list[str]:
        """Every key, in first-seen order (one streaming pass)."""
        keys: dict[str, None] = {}
        objects = lines = 0
        with self._open_binary() as stream:
            for _number, raw in self._lines(stream):
                lines += 1
                if isinstance(raw, _Unreadable):
                    continue
                try:
                    value = _decode(raw)
                except _Unreadable:
                    continue  # rows() reports it, with the rest
                if isinstance(value, dict):
                    objects += 1
                    for key in value:
                        if key not in keys:
                            keys[key] = None
                            if len(keys) > self.limits.max_columns:
                                break
        if not objects:
            if lines:
                raise self._error(
                    "not JSON Lines: no line holds a JSON object (one object per line; "
                    "a JSON array or a pretty-printed file is not read)")
            if not allow_no_rows:
                raise self._error("empty file: no JSON objects")
        return list(keys)

    def _rows(self, log: ProblemLog) -> Iterator[Row]:
        stream = self._open_binary()
        self._open.add(stream)
        try:
            for number, raw in self._lines(stream):
                try:
                    if isinstance(raw, _Unreadable):
                        raise raw
                    values = self._values(_decode(raw))
                except _Unreadable as bad:
                    log.add(RowProblem(number, number, bad.reason, bad.column))
                    continue
                yield Row(number=number, line=number, values=values,
                          headers=self._headers_view, file=self.display)
        finally:
            self._open.discard(stream)
            stream.close()

    def _values(self, item: Any) -> dict[str, str]:
        if not isinstance(item, dict):
            raise _Unreadable(f"the line holds a JSON {_kind(item)}, not an object")
        values = dict.fromkeys(self.names, "")
        limit = self.limits.max_cell_chars
        for key, value in item.items():
            name = self._name_of.get(key)
            if name is None:
                raise _Unreadable(
                    "a key that was not in the file when it was opened (did it change?)", key)
            if isinstance(value, str):
                text = value
            elif value is None:
                text = ""
            elif isinstance(value, bool):
                text = "true" if value else "false"
            else:
                raise _Unreadable(
                    f"the value of {key!r} is a nested {_kind(value)}: one plain value per key",
                    key)
            if len(text) > limit:
                raise _Unreadable(
                    f"the value of {key!r} is longer than the limit of {limit:,} characters",
                    key)
            if "\0" in text:
                raise _Unreadable(f"the value of {key!r} holds a NUL character", key)
            values[name] = text
        return values


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "value"


@hookimpl(specname="policylint_open_batch")
def open_jsonl_batch(path: Path, display: str | None = None) -> JsonLinesBatchReader | None:
    """The built-in reader for JSON Lines (``.jsonl``, ``.ndjson``) batches."""
    if Path(path).suffix.lower() not in SUFFIXES:
        return None
    return JsonLinesBatchReader(Path(path), display)
