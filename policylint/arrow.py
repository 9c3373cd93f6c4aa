"""pyarrow, set up once for policylint: imported when first needed, freed memory returned.

The columnar CSV register (io/register/columnar.py) and the rules' compact per-batch
indexes (rules/_first_seen.py) use it; nothing imports pyarrow at start-up, so
``--version`` and ``lint`` never pay its 0.2 s.
"""

from __future__ import annotations

import functools
from typing import Any

from policylint.heap import fix_mmap_threshold

__all__ = ["arrow"]


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
    fix_mmap_threshold(1 << 20)
    return pyarrow
