"""The chunked engine (DESIGN §5): findings never depend on where chunks split.

Every scenario and the example are checked in one pass and in chunks (one row per
chunk in this process; a few rows per chunk in two forked workers): the JSON reports
must be identical byte for byte. A generated batch puts a column shift, a duplicate
recipient and a duplicate reference across chunk boundaries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from policylint.engine import chunks
from policylint.engine.rule import Item, Need, Rule
from policylint.hookspecs import hookimpl
from policylint.model import Violation
from policylint.plugins import get_plugin_manager
from tests.engine.chunked import EXAMPLES, SCENARIOS, SHIFTED, run, same_in_chunks


@pytest.mark.parametrize("directory", [EXAMPLES, *SCENARIOS], ids=lambda p: p.name)
def test_small_chunks_give_the_same_report(directory: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with (directory / "batch.csv").open("rb") as stream:
        rows = sum(1 for _ in stream)
    # One row per chunk puts a boundary everywhere; the 10,000-row run gets 97-row
    # chunks (ten thousand one-row chunks would only make the test slow).
    same_in_chunks(directory, monkeypatch, ["--chunk-rows", "1" if rows < 1000 else "97"])


@pytest.mark.parametrize("directory", [EXAMPLES, SHIFTED], ids=lambda p: p.name)
def test_forked_workers_give_the_same_report(directory: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    same_in_chunks(directory, monkeypatch, ["--jobs", "2", "--chunk-rows", "7"],
                   ["--jobs", "3"])


def test_a_chunk_after_a_running_shift_is_checked_again(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """The shift in s04 runs from row 150 to the end: every chunk boundary inside it
    makes the next chunk be checked again from the state the shift left."""
    seeds: list[object] = []
    check = chunks.BatchWork.check

    def counting(self: chunks.BatchWork, chunk: chunks.Rows,
                 seed: list[object] | None) -> chunks.ChunkResult:
        seeds.append(seed)
        return check(self, chunk, seed)

    monkeypatch.setattr(chunks.BatchWork, "check", counting)
    output = same_in_chunks(SHIFTED, monkeypatch, ["--chunk-rows", "10"])
    rechecked = [s for s in seeds if s is not None]
    # rows 2-201 in chunks of 10: the shift (rows 150-200) crosses the boundaries
    # after rows 151, 161, 171, 181 and 191
    assert len(rechecked) == 5
    assert output.count('"code": "shifted-row"') == 51


def test_findings_that_span_chunks_are_the_same(spanning: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    output = same_in_chunks(spanning, monkeypatch, ["--chunk-rows", "1"],
                            ["--chunk-rows", "9"], ["--jobs", "2", "--chunk-rows", "13"])
    assert '"code": "duplicate-recipient"' in output
    assert '"code": "duplicate-reference"' in output
    assert '"code": "column-shift"' in output


# --- rules that cannot be split, and rules that crash ------------------------------------


class _Counting(Rule):
    """Keeps a tally across rows and says nothing about chunks: checked in one pass."""

    name: ClassVar[str] = "test-every-tenth"
    summary: ClassVar[str] = "every tenth item"

    def __init__(self, options: Any, context: Any) -> None:
        super().__init__(options, context)
        self.seen = 0

    def check_item(self, item: Item) -> Iterator[Violation]:
        self.seen += 1
        if self.seen % 10 == 0:
            yield Violation(code="tenth", message="the tenth item")


class _Crashing(Rule):
    name: ClassVar[str] = "test-crashes"
    summary: ClassVar[str] = "crashes on row 5"
    row_independent: ClassVar[bool] = True

    def check_item(self, item: Item) -> Iterator[Violation]:
        if item.row.number == 5:
            raise ValueError("boom")
        return iter(())


_calls: list[str] = []


class _Ordered(Rule):
    """Notes, in this process, when the engine calls what."""

    name: ClassVar[str] = "test-ordered"
    summary: ClassVar[str] = "records the order of the engine's calls"
    needs: ClassVar[tuple[Need, ...]] = ("row", "batch")
    chunked: ClassVar[bool] = True

    def prepare_register(self) -> None:
        _calls.append("prepare_register")

    def observe(self, item: Item) -> None:
        if not _calls or _calls[-1] != "observe":
            _calls.append("observe")

    def prepare(self) -> None:
        _calls.append("prepare")

    def check_item(self, item: Item) -> Iterator[Violation]:
        if not _calls or _calls[-1] != "check":
            _calls.append("check")
        return iter(())


@pytest.fixture
def extra_rule() -> Iterator[Any]:
    pm = get_plugin_manager()
    added: list[object] = []

    def add(rule: type[Rule]) -> None:
        @hookimpl
        def policylint_rules() -> Sequence[type[Rule]]:
            return (rule,)

        plugin = SimpleNamespace(policylint_rules=policylint_rules)
        pm.register(plugin, name=f"test_{rule.name}")
        added.append(plugin)

    yield add
    for plugin in added:
        pm.unregister(plugin)


def test_a_rule_that_cannot_be_split_runs_in_one_pass(extra_rule: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    extra_rule(_Counting)
    output = same_in_chunks(EXAMPLES, monkeypatch, ["--jobs", "2", "--chunk-rows", "3"])
    assert '"rule": "test-every-tenth"' in output


@pytest.mark.parametrize(("args", "expected"), [
    ((), ["prepare_register", "observe", "check"]),
    # Chunks: observed and checked in the workers; the parent prepares, once each.
    (("--jobs", "2", "--chunk-rows", "3"), ["prepare_register", "prepare"]),
])
def test_the_register_is_prepared_before_the_batch_is_read(
        extra_rule: Any, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...],
        expected: list[str]) -> None:
    extra_rule(_Ordered)
    _calls.clear()
    result = run(EXAMPLES, "--select", "test-ordered", *args, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert _calls == expected


def test_a_rule_crashing_in_a_worker_fails_the_run(extra_rule: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    extra_rule(_Crashing)
    result = run(EXAMPLES, "--jobs", "2", "--chunk-rows", "2", monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert "rule test-crashes crashed on row 5 (ValueError)" in result.output
    assert "Traceback" not in result.output


# --- the options ---------------------------------------------------------------------


@pytest.mark.parametrize(("jobs", "ok"), [("auto", True), ("AUTO", True), ("0", False),
                                          ("two", False)])
def test_jobs_takes_a_number_or_auto(jobs: str, ok: bool,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(EXAMPLES, "--jobs", jobs, monkeypatch=monkeypatch)
    if ok:
        assert result.exit_code == 1, result.output
    else:
        assert result.exit_code == 2
        assert "--jobs" in result.output


def test_scheduler_needs_the_dask_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    result = run(EXAMPLES, "--scheduler", "tcp://127.0.0.1:8786", monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert "--scheduler is for --engine dask" in result.output


def test_where_fork_is_not_available_workers_are_spawned(
        spanning: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows and macOS: each spawned worker builds the batch's work from a spec (the
    register read again, the first pass shipped), with the same report."""
    monkeypatch.setattr(chunks, "can_fork", lambda: False)
    assert isinstance(chunks.local_executor(2), chunks.SpawnExecutor)
    output = same_in_chunks(spanning, monkeypatch, ["--jobs", "2", "--chunk-rows", "23"])
    assert '"code": "column-shift"' in output
