"""Finding the policy for a run, the way ruff finds its configuration.

From the start directory upwards, the first directory that has one of
``policylint.yaml``, ``.policylint.yaml`` or a ``pyproject.toml`` with a
``[tool.policylint]`` table wins (in that order within one directory). The walk
stops after the user's home directory (when the start is inside it) or at the
filesystem root. ``--policy`` overrides discovery; with nothing found the run
uses :func:`~policylint.config.policy.empty_policy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from policylint.config.policy import Policy, empty_policy, load_policy, read_pyproject_table

__all__ = ["POLICY_FILENAMES", "find_policy", "load_discovered"]

POLICY_FILENAMES = ("policylint.yaml", ".policylint.yaml")


def _has_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return False
    if "policylint" not in text:  # cheap check before parsing an unrelated pyproject
        return False
    return read_pyproject_table(pyproject) is not None


def find_policy(start: Path, *, stop_at: Path | None = None) -> Path | None:
    """The policy file that applies to ``start`` (a directory or a file in one), or None.

    ``stop_at`` (default: the home directory) is the last directory searched
    when ``start`` is inside it.
    """
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    if stop_at is None:
        try:
            stop_at = Path.home()
        except RuntimeError:  # pragma: no cover - no home directory at all
            stop_at = None
    stop = stop_at.resolve() if stop_at is not None else None
    for directory in (here, *here.parents):
        for name in POLICY_FILENAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
        if directory == stop:
            break
    return None


def load_discovered(
    start: Path, explicit: Path | None = None, pack_dirs: Sequence[Path] = ()
) -> Policy:
    """The policy for a run: ``explicit`` (``--policy``) if given, else the discovered one.

    A missing explicit file is an error; nothing discovered gives an empty policy.
    """
    if explicit is not None:
        return load_policy(explicit, pack_dirs)
    found = find_policy(start)
    if found is None:
        return empty_policy()
    return load_policy(found, pack_dirs)
