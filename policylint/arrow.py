"""pyarrow, set up once for policylint: imported when first needed, freed memory returned.

The columnar CSV register (io/register/columnar.py) and the rules' compact per-batch
indexes (rules/_first_seen.py) use it; nothing imports pyarrow at start-up, so
``--version`` and ``lint`` never pay its 0.2 s.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

__all__ = ["arrow", "return_freed_memory"]

_M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>


@functools.cache
def arrow() -> Any:
    """The ``pyarrow`` module, with ``pyarrow.compute`` and ``pyarrow.csv`` loaded."""
    import pyarrow
    import pyarrow.compute
    import pyarrow.csv

    # A register load makes several short-lived copies of each table. pyarrow's own
    # allocators keep freed memory for reuse (mimalloc: +60 MiB RSS after a
    # 137,000-person load; jemalloc returns it only when told to, and then loads 30%
    # slower). The system allocator returns a freed block at once if it was mapped on
    # its own, which glibc does for blocks over its mmap threshold: fixed at 1 MiB
    # here, since glibc raises it after every free of such a block and the next table
    # would stay in the heap.
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    _fix_mmap_threshold(1 << 20)
    return pyarrow


def return_freed_memory() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim(0)``).

    Blocks under the mmap threshold live in the heap, and glibc returns freed ones only
    from its top: a first pass's compact per-batch arrays (thousands of blocks of a few
    hundred kilobytes, freed together once the pass is settled) otherwise stay resident
    for the rest of the run. At 1,000,000 rows that was some 60 MiB of the check's
    plateau. A walk of the heap, a few milliseconds: call it after freeing much at once.
    Nothing where there is no glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl or another C library: nothing to call
        return None


def _fix_mmap_threshold(size: int) -> None:
    """glibc's ``mallopt(M_MMAP_THRESHOLD, size)``; nothing where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, size)
    except (OSError, AttributeError):  # musl or another C library: its own policy
        pass
