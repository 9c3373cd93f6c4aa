"""Every hook policylint calls, in one module (like pytest's hookspec.py).

Built-in rules, batch readers, register backends and reporters are registered
through exactly these hooks, the same way a third-party plugin is: a plugin is
a module or object with ``@hookimpl``-decorated functions, found through the
``policylint`` entry-point group.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from policylint.engine.rule import Rule
    from policylint.io.batch import BatchReader
    from policylint.io.register.base import Register
    from policylint.reporters.base import Reporter

PROJECT = "policylint"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def policylint_rules() -> Sequence[type[Rule]]:
    """Return the rule classes this plugin provides.

    Called once when the plugin manager starts. Rule names must be unique
    across all plugins; a clash is an error naming both plugins.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def policylint_open_batch(path: Path, sheet: str | None,
                          display: str | None) -> BatchReader | None:
    """Return a reader for the batch file at ``path``, or None if this plugin cannot read it.

    The first plugin to return a reader wins; plugins registered later are
    asked first, so a plug-in can take over a suffix from the built-in CSV reader.
    ``sheet`` is the worksheet a user asked for (``--sheet``), or None; an
    implementation that has no sheets leaves the argument out. ``display`` is the
    name findings should show for the file when it is not ``path`` (a batch read
    from stdin as ``-``, named by ``--stdin-filename``), or None.

    The reader lists rows it cannot read in ``problems`` and goes on (the
    engine reports them all and exits 2); see
    :class:`policylint.io.batch.BatchReader`.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def policylint_open_register(location: str) -> Register | None:
    """Return a register for ``location`` (a path or URL), or None if not this plugin's kind."""
    raise NotImplementedError


@hookspec
def policylint_reporters() -> Sequence[type[Reporter]]:
    """Return the reporter classes (output formats) this plugin provides."""
    raise NotImplementedError


@hookspec
def policylint_policy_packs() -> Sequence[Path]:
    """Return directories holding built-in policy packs (``<name>.yaml``) for ``extends:``."""
    raise NotImplementedError
