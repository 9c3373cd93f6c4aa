"""--engine dask: the same chunk map and merge on a real dask.distributed LocalCluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.chunked import EXAMPLES, run, same_in_chunks

distributed = pytest.importorskip("distributed")  # a test extra: present in CI


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A LocalCluster of two worker processes, reached by its address (--scheduler)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_a_local_cluster_of_its_own_gives_the_same_report(
        monkeypatch: pytest.MonkeyPatch) -> None:
    same_in_chunks(EXAMPLES, monkeypatch, ["--engine", "dask", "--jobs", "2",
                                           "--chunk-rows", "4"])


def test_a_scheduler_gives_the_same_report_across_partitions(
        scheduler: str, spanning: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column shift, duplicates and a running name shift across partitions."""
    output = same_in_chunks(spanning, monkeypatch, ["--engine", "dask", "--scheduler",
                                                    scheduler, "--chunk-rows", "11"])
    assert '"code": "column-shift"' in output
    assert '"code": "duplicate-recipient"' in output


def test_an_unreachable_scheduler_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = run(EXAMPLES, "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
                     monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
