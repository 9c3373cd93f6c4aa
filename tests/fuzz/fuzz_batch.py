"""Fuzz the streaming CSV batch reader (encodings, delimiters, quoting, limits).

Any exception other than a PolicylintError is a bug: atheris reports it with
the input that caused it. A batch that reads without error must also satisfy
the reader's promises (no NUL in a cell, no cell or row beyond the limits).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import run_atheris, scratch

from policylint.errors import PolicylintError
from policylint.io.batch import CsvBatchReader, Limits

# Small limits so that the fuzzer reaches the limit paths with small inputs.
LIMITS = Limits(max_cell_chars=64, max_columns=16, max_row_chars=256)


def TestOneInput(data: bytes) -> None:
    path = scratch() / "batch.csv"
    path.write_bytes(data)
    for limits in (Limits(), LIMITS):
        try:
            with CsvBatchReader(path, limits=limits) as reader:
                for row in reader.rows():
                    values = list(row.values.values())
                    assert len(values) <= limits.max_columns
                    assert all(len(v) <= limits.max_cell_chars for v in values)
                    assert all("\0" not in v for v in values)
        except PolicylintError as err:
            assert "\n" not in str(err), repr(str(err))


def main() -> None:
    run_atheris(TestOneInput)


if __name__ == "__main__":
    main()
