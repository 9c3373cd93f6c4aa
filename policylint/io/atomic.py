"""Write output files atomically: complete or not at all.

A report, a SARIF file or a baseline is written to a temporary file in the same
directory, flushed and fsynced, then moved over the target with
:func:`os.replace` (atomic on POSIX and Windows). If anything fails on the way,
the temporary file is removed and the target is left as it was, so a crash or a
full disk never leaves a half-written file that looks complete.

A target that is a symbolic link is replaced by the new file rather than
written through (the safe choice in a shared directory).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from policylint.errors import InputError


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


def _new_file_mode(path: Path) -> int:
    """The mode the target would get from a plain ``open``: kept if it exists, else umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path, *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Yield a text stream whose contents replace ``path`` when the block ends normally.

    Text is written as given (no newline translation). If the block raises, the
    exception propagates unchanged, the temporary file is removed and ``path``
    is untouched. A directory that cannot be written, or a failure to flush,
    sync or rename the file, raises :class:`~policylint.errors.InputError`
    naming ``path``.
    """
    path = Path(path)
    directory = path.parent
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        special = False  # nothing there yet (or unreadable): mkstemp below decides
    if special:
        # A device, pipe or directory (-o /dev/stdout, -o /dev/null): replacing it
        # would swap the device node for a plain file when run as root.
        raise InputError("cannot write output: not a regular file", file=str(path))
    try:
        fd, tmp_name = tempfile.mkstemp(
            dir=directory, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as err:
        raise InputError(f"cannot write output: {_reason(err)}", file=str(path)) from err
    tmp = Path(tmp_name)
    in_body = False
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as stream:
            in_body = True
            yield stream
            in_body = False
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, _new_file_mode(path))
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, OSError) and not in_body:
            raise InputError(f"cannot write output: {_reason(err)}", file=str(path)) from err
        raise
    _fsync_dir(directory)


def atomic_write_text(path: Path, text: str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, encoding=encoding) as stream:
        try:
            stream.write(text)
        except OSError as err:
            raise InputError(f"cannot write output: {_reason(err)}", file=str(path)) from err
