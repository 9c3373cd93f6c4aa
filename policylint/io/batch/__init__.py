"""Batch readers: one outgoing item per row, streamed from disk.

One module per format, all registered through the ``policylint_open_batch``
hook exactly as a third-party reader would be (the first reader to accept a
file wins):

- :mod:`.csv`: ``.csv``/``.tsv``/``.txt`` (encoding and delimiter detected);
- :mod:`.xlsx`: ``.xlsx``/``.xlsm`` workbooks (``pip install 'policylint[excel]'``);
- :mod:`.jsonl`: ``.jsonl``/``.ndjson``, one JSON object per line.

:mod:`.base` holds what they share: the :class:`BatchReader` interface, the
:class:`Limits`, "collect, don't stop" and header normalisation.
"""

from __future__ import annotations

from policylint.io.batch.base import BatchReader, Limits, ProblemLog, build_header
from policylint.io.batch.csv import (
    CsvBatchReader,
    detect_encoding,
    policylint_open_batch,
    sniff_delimiter,
)
from policylint.io.batch.jsonl import JsonLinesBatchReader, open_jsonl_batch
from policylint.io.batch.xlsx import XlsxBatchReader, open_xlsx_batch

__all__ = [
    "BatchReader",
    "CsvBatchReader",
    "JsonLinesBatchReader",
    "Limits",
    "ProblemLog",
    "XlsxBatchReader",
    "build_header",
    "detect_encoding",
    "open_jsonl_batch",
    "open_xlsx_batch",
    "policylint_open_batch",
    "sniff_delimiter",
]
