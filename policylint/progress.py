"""A progress bar on the terminal for long checks (rich), and nothing anywhere else.

Shown on stderr only when stderr is a terminal, ``--quiet`` was not given and ``CI`` is
not set, and only once a batch has taken more than a second (a small batch finishes
before a bar would be worth drawing). The bar is transient: when the run ends it is
erased, so the report and the summary read exactly as without it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

# Seconds before a bar appears; POLICYLINT_PROGRESS_DELAY overrides it (tests use 0).
DEFAULT_DELAY = 1.0
UPDATE_EVERY = 256  # rows between updates: the bar costs nothing per row


def in_ci() -> bool:
    """CI systems (GitHub Actions, GitLab, Azure, Jenkins via plugins) set CI."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def wanted(*, quiet: bool) -> bool:
    """A person is watching: stderr is a terminal, not --quiet, not a CI log."""
    return not quiet and not in_ci() and sys.stderr.isatty()


def estimate_rows(path: Path) -> int | None:
    """Data rows in a text batch, estimated by counting line ends (quoted newlines make
    it a little high); None for a workbook or an unreadable file."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return None
    try:
        with path.open("rb") as stream:
            lines = sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
    except OSError:
        return None
    return max(lines - 1, 0) or None


class RowProgress:
    """Rows checked, rows per second and time left for one batch file."""

    def __init__(self, label: str, total: int | None, *, delay: float | None = None) -> None:
        self.label = label
        self.total = total
        self.delay = delay if delay is not None else float(
            os.environ.get("POLICYLINT_PROGRESS_DELAY", DEFAULT_DELAY))
        self.started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    def update(self, rows: int) -> None:
        if self._bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            self._start()
        self._bar.update(self._task, completed=rows)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            Task,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RowsPerSecond(ProgressColumn):
            def render(self, task: Task) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")

        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("rows"), RowsPerSecond(), TimeRemainingColumn(),
            console=Console(file=sys.stderr), transient=True)
        self._bar.start()
        self._task = self._bar.add_task(f"Checking {self.label}", total=self.total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
