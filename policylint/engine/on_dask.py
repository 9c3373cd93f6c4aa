"""``--engine dask``: the same chunk map and merge (engine/chunks.py) on dask.distributed.

The parent reads the batch and merges, exactly as with ``--jobs``; each chunk is
checked by a Dask worker. A worker cannot inherit the parent's memory, so it builds
what it checks with once per batch, from a small :class:`WorkSpec`: the request (the
policy, the register's location, the options), the batch's header and the merged
first pass. It opens the register itself (a database URL, or a path every worker can
read) and keeps the built work for every later chunk of the same batch.

Without ``--scheduler`` a LocalCluster is started on this machine (one worker process
per usable core); with ``--scheduler tcp://HOST:PORT`` the chunks go to that cluster,
whose workers need policylint installed and the policy, templates and register at the
same paths (a shared filesystem, or a database register).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from policylint.engine.chunks import BatchWork, Future, Phase
from policylint.engine.cores import usable_cores
from policylint.engine.workspec import run_on, spec_for
from policylint.errors import PolicylintError


class DaskExecutor:
    """Chunks checked on a dask.distributed cluster (a LocalCluster by default)."""

    inherits = False  # workers are other processes, perhaps on other machines

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        try:
            # Imported by name: dask.distributed is optional, and untyped.
            distributed: Any = importlib.import_module("distributed")
        except ImportError as exc:
            raise PolicylintError(
                "--engine dask needs dask.distributed: pip install 'policylint[dask]'"
            ) from exc
        self._cluster: Any = None
        if scheduler:
            try:
                # How long to try: dask's distributed.comm.timeouts.connect (30 s).
                self.client: Any = distributed.Client(scheduler)
            except OSError as exc:
                raise PolicylintError(
                    f"cannot reach the Dask scheduler at {scheduler} ({exc})") from exc
        else:
            self._cluster = distributed.LocalCluster(n_workers=workers or usable_cores(),
                                         threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = distributed.Client(self._cluster)
        threads = sum(self.client.nthreads().values()) or 1
        self.window = 2 * threads

    def phase(self, work: BatchWork, observed: Sequence[object] | None, *,
              checking: bool) -> Phase:
        spec = spec_for(work, observed, checking=checking)
        [shared] = self.client.scatter([spec], broadcast=True)
        return _DaskPhase(self.client, shared)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


@dataclass
class _DaskPhase:
    client: Any
    spec: Any  # a Future of the scattered WorkSpec

    def submit(self, method: str, *args: object) -> Future:
        future: Future = self.client.submit(run_on, self.spec, method, *args, pure=False)
        return future

    def close(self) -> None:
        self.client.cancel([self.spec])
