"""What a worker that cannot inherit the parent's memory needs to check chunks.

A forked worker inherits the parent's engine, register and first-pass indexes. A
spawned worker (where fork is not available) and a Dask worker start empty: they get
a small :class:`WorkSpec` (the request, the batch's header, the merged first pass)
and build the same :class:`~policylint.engine.chunks.BatchWork` from it once, then
check every chunk of the batch they are given with it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policylint.engine.chunks import BatchWork

if TYPE_CHECKING:
    from policylint.engine.runner import CheckRequest, Engine
    from policylint.io.templates import Template


@dataclass(frozen=True)
class WorkSpec:
    """What a worker needs to check a batch's chunks as the parent would."""

    run: str  # one per run: a worker keeps the engine (register, templates) it built for it
    token: str  # one per batch and pass: the worker's key for the rules it built
    request: CheckRequest
    path: Path | None
    display: str
    names: tuple[str, ...]
    observed: tuple[object, ...] | None  # the merged first pass, per observer
    checking: bool  # the second pass: build the rules' indexes before the first chunk
    record_key: bytes | None  # --record: lines are computed on the worker
    batch_digest: str


# What this worker process built: the engine of the latest run, and the work of its
# latest batch passes. A worker checks many chunks of a pass, one at a time (the
# lock: a Dask worker may run tasks in threads, and a chunk swaps the engine's
# collector and drains the rules' summaries).
_ENGINE: tuple[str, Engine, Mapping[str, Template], Template | None] | None = None
_BUILT: dict[str, BatchWork] = {}
_KEEP = 2
_LOCK = threading.Lock()


def run_on(spec: WorkSpec, method: str, *args: object) -> object:
    """Call ``method`` of the spec's BatchWork (built on the first call) with ``args``."""
    with _LOCK:
        work = _BUILT.get(spec.token)
        if work is None:
            work = _build(spec)
            while len(_BUILT) >= _KEEP:
                del _BUILT[next(iter(_BUILT))]
            _BUILT[spec.token] = work
        return getattr(work, method)(*args)


def _engine(spec: WorkSpec) -> tuple[Engine, Mapping[str, Template], Template | None]:
    """The run's engine: the register is opened once per worker, not once per pass."""
    global _ENGINE
    from policylint.engine.runner import Engine, default_template, template_paths
    from policylint.io.templates import load_templates

    if _ENGINE is None or _ENGINE[0] != spec.run:
        if _ENGINE is not None:
            _ENGINE[1].close()
            _BUILT.clear()
        engine = Engine(spec.request)
        templates = load_templates(template_paths(engine.policy, spec.request.templates))
        _ENGINE = (spec.run, engine, templates,
                   default_template(templates, spec.request.templates))
    return _ENGINE[1], _ENGINE[2], _ENGINE[3]


def _build(spec: WorkSpec) -> BatchWork:
    from policylint.record import Recorder, RunInfo

    engine, templates, default = _engine(spec)
    info, rules = engine.start_batch(spec.display, spec.names, templates, default)
    if spec.observed is not None:
        observers = [a for a in rules if "batch" in a.rule.needs]
        for active, merged in zip(observers, spec.observed, strict=True):
            engine.guard(active, None, active.rule.absorb_observed, [merged])
    if spec.checking:
        for active in rules:
            engine.guard(active, None, active.rule.prepare)
    if spec.record_key is not None and engine.recorder is None:
        # Only item_line is used here: the parent appends the lines to the record.
        engine.recorder = Recorder(Path("-"), spec.record_key, RunInfo("", ""))
    if engine.recorder is not None:
        engine.recorder.known_batch(spec.display, spec.batch_digest)
    return BatchWork(engine, info, spec.path, rules)


def spec_for(work: BatchWork, observed: Sequence[object] | None, *, checking: bool
             ) -> WorkSpec:
    """The spec a worker rebuilds ``work`` from (``observed``: the merged first pass)."""
    engine = work.engine
    recorder = engine.recorder
    return WorkSpec(
        run=engine.run_id, token=uuid.uuid4().hex, request=engine.request, path=work.path,
        display=work.info.file, names=work.info.names,
        observed=tuple(observed) if observed is not None else None, checking=checking,
        record_key=recorder.key if recorder is not None else None,
        batch_digest=recorder.batch_digest(work.info.file) if recorder else "")
