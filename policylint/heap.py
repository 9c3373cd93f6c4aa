"""The C heap (glibc's malloc): when freed memory goes back to the system.

Python objects of up to 512 bytes live in Python's own arenas; everything larger,
and what C libraries allocate (pyarrow with the system pool, SQLite, pyahocorasick),
comes from malloc. glibc serves blocks under its mmap threshold from one heap and
gives freed ones back only from the heap's top, so memory freed in the middle (a
first pass's parts, the lists an index was built from) stays resident for the rest
of a long run unless ``malloc_trim`` is asked to give back the free pages.
Elsewhere (musl, macOS, Windows) these do nothing: the C library has its own policy.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

__all__ = ["RETURN_EVERY", "fix_mmap_threshold", "return_freed_memory"]

_M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>

# Items checked between two returns of freed memory: a heap walk costs a few
# milliseconds at most (nothing when little was freed), and at 1,000,000 rows against
# an SQLite register some 60 MiB freed in the first rows (what the run's indexes
# were built from, on first use) otherwise stayed resident to the end.
RETURN_EVERY = 10_000


def return_freed_memory() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim(0)``)."""
    trim = _libc_function("malloc_trim")
    if trim is not None:
        trim(0)


def fix_mmap_threshold(size: int) -> None:
    """glibc's ``mallopt(M_MMAP_THRESHOLD, size)``: blocks of ``size`` bytes or more
    are mapped on their own and go back to the system as soon as they are freed."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, size)


@functools.cache
def _libc_function(name: str) -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return getattr(ctypes.CDLL("libc.so.6"), name)
    except (OSError, AttributeError):  # musl or another C library: nothing to call
        return None
