"""Shared by the atheris harnesses: a scratch directory and the atheris entry point.

Only ``policylint`` is imported here (never ``tests``), so each harness also
runs as a plain script: ``python tests/fuzz/fuzz_batch.py -atheris_runs=100000``.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

_SCRATCH: Path | None = None


def scratch() -> Path:
    """One private temporary directory per process, reused for every input."""
    global _SCRATCH
    if _SCRATCH is None:
        _SCRATCH = Path(tempfile.mkdtemp(prefix="policylint-fuzz-"))
    return _SCRATCH


def run_atheris(test_one_input: Callable[[bytes], None]) -> None:
    import atheris

    atheris.instrument_all()
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
