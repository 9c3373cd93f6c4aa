"""What a worker that cannot inherit the parent's memory needs to check chunks.

A forked worker inherits the parent's engine, register and first-pass indexes. A
spawned worker (where fork is not available) and a Dask worker start empty: they get
a small :class:`WorkSpec` (the request, the batch's header, the merged first pass)
and build the same :class:`~policylint.engine.chunks.BatchWork` from it once, then
check every chunk of the batch they are given with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from policylint.engine.chunks import BatchWork

if TYPE_CHECKING:
    from policylint.engine.runner import CheckRequest


@dataclass(frozen=True)
class WorkSpec:
    """What a worker needs to check a batch's chunks as the parent would."""

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


def run_on(spec: WorkSpec, method: str, *args: object) -> object:
    """Call ``method`` of the spec's BatchWork (built on the first call) with ``args``."""
    return getattr(_work(spec), method)(*args)


def spec_for(work: BatchWork, observed: Sequence[object] | None) -> WorkSpec:
    """The spec a worker rebuilds ``work`` from (``observed``: the merged first pass)."""
    engine = work.engine
    recorder = engine.recorder
    return WorkSpec(
        token=uuid.uuid4().hex, request=engine.request, path=work.path,
        display=work.info.file, names=work.info.names,
        observed=tuple(observed) if observed is not None else None,
        record_key=recorder.key if recorder is not None else None,
        batch_digest=recorder.batch_digest(work.info.file) if recorder else "")
