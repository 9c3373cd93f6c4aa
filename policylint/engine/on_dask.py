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
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policylint.engine.chunks import BatchWork, Future, Phase
from policylint.errors import PolicylintError

if TYPE_CHECKING:
    from policylint.engine.runner import CheckRequest


@dataclass(frozen=True)
class WorkSpec:
    """What a Dask worker needs to check a batch's chunks as the parent would."""

    token: str  # one per batch and pass: the worker's cache key
    request: CheckRequest
    path: Path | None
    display: str
    names: tuple[str, ...]
    observed: tuple[object, ...] | None  # the merged first pass, per observer
    record_key: bytes | None  # --record: lines are computed on the worker
    batch_digest: str


# Built works, by token, in this worker process (a worker checks many chunks of a batch).
_BUILT: dict[str, BatchWork] = {}
_KEEP = 2  # a pass or two of one run; older ones are dropped


def _work(spec: WorkSpec) -> BatchWork:
    work = _BUILT.get(spec.token)
    if work is None:
        work = _build(spec)
        while len(_BUILT) >= _KEEP:
            old = _BUILT.pop(next(iter(_BUILT)))
            old.engine.close()
        _BUILT[spec.token] = work
    return work


def _build(spec: WorkSpec) -> BatchWork:
    from policylint.engine.runner import Engine, default_template, template_paths
    from policylint.io.templates import load_templates
    from policylint.record import Recorder, RunInfo

    engine = Engine(spec.request)
    templates = load_templates(template_paths(engine.policy, spec.request.templates))
    default = default_template(templates, spec.request.templates)
    info, rules = engine.start_batch(spec.display, spec.names, templates, default)
    if spec.observed is not None:
        observers = [a for a in rules if "batch" in a.rule.needs]
        for active, merged in zip(observers, spec.observed, strict=True):
            engine._guard(active, None, active.rule.absorb_observed, [merged])
    for active in rules:
        engine._guard(active, None, active.rule.prepare)
    if spec.record_key is not None:
        # Only item_line is used here: the parent appends the lines to the record.
        engine.recorder = Recorder(Path("-"), spec.record_key, RunInfo("", ""))
        engine.recorder.known_batch(spec.display, spec.batch_digest)
    return BatchWork(engine, info, spec.path, rules)


def _run(spec: WorkSpec, method: str, *args: object) -> object:
    return getattr(_work(spec), method)(*args)


class DaskExecutor:
    """Chunks checked on a dask.distributed cluster (a LocalCluster by default)."""

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

    def phase(self, work: BatchWork, observed: Sequence[object] | None) -> Phase:
        engine = work.engine
        recorder = engine.recorder
        spec = WorkSpec(
            token=uuid.uuid4().hex, request=engine.request, path=work.path,
            display=work.info.file, names=work.info.names,
            observed=tuple(observed) if observed is not None else None,
            record_key=recorder.key if recorder is not None else None,
            batch_digest=recorder.batch_digest(work.info.file) if recorder else "")
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
        future: Future = self.client.submit(_run, self.spec, method, *args, pure=False)
        return future

    def close(self) -> None:
        self.client.cancel([self.spec])


def usable_cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
