"""A batch checked in chunks (DESIGN §5): map every rule over chunks of rows, then merge.

The parent reads the batch and hands out chunks of rows; an executor (this process,
forked worker processes, or Dask workers) checks each chunk with every rule; the
parent merges what comes back, in chunk order, and runs each rule's ``finish``:

1. **observe** (only when a rule needs the whole batch): each chunk is observed by
   fresh rule instances, and each rule absorbs every chunk's ``observed()``.
2. **prepare**: each rule builds its run-wide indexes once (forked workers inherit them).
3. **check**: each chunk is checked; a rule returns what ``finish`` needs as a small
   ``chunk_summary()``. A rule that carries state from one row to the next says so in
   ``carry_out()``; when a chunk's predecessor left something, the chunk is checked
   again starting from it, so findings never depend on where chunks split.

The merge adds findings in chunk order, which is the order one process would have
added them in, so the report is the same byte for byte whatever the executor.
"""

from __future__ import annotations

import copyreg
import functools
import gc
import itertools
import pickle
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from policylint.config.policy import Suppression
from policylint.engine.collector import ActiveRule, Collector, NotChecked
from policylint.engine.prefetch import prefetched
from policylint.engine.rule import BatchInfo
from policylint.io.batch.base import BatchReader, CellRowReader
from policylint.model import Finding, Row

if TYPE_CHECKING:
    from policylint.engine.runner import Engine
    from policylint.record import Recorder



def read_only(mapping: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(mapping)


def _reduce_mapping_proxy(proxy: MappingProxyType[Any, Any]
                          ) -> tuple[Callable[[dict[Any, Any]], MappingProxyType[Any, Any]],
                                     tuple[dict[Any, Any]]]:
    return read_only, (dict(proxy),)


# Policies and rows hold read-only mappings; what crosses to a worker (a WorkSpec, a
# rule's summary) pickles them as read-only mappings of a copy of what they wrap.
copyreg.pickle(MappingProxyType, _reduce_mapping_proxy)

#: Rows per chunk: large enough that handing a chunk to a worker costs little beside
#: checking it, small enough that a few chunks in flight per worker stay small.
CHUNK_ROWS = 5_000


class Rows:
    """A chunk's rows as they travel to a worker: the header mapping and file name once,
    not once per row (a reader shares one read-only header mapping between its rows).

    Encoded (pickled) once, when the chunk is made: the parent writes a chunk to the
    spool, reads it back and hands it to a worker, and each of those steps only copies
    the bytes. Only the worker that checks the chunk decodes it (:meth:`unpack`).
    A chunk read as bare cells (:meth:`pack_cells`) travels as lists of strings, the
    column names once: the parent then builds no row mapping at all, and reading the
    batch stops being what the workers wait for.
    """

    __slots__ = ("_count", "_encoded")

    def __init__(self, encoded: bytes, count: int) -> None:
        self._encoded = encoded
        self._count = count

    @classmethod
    def pack(cls, rows: Sequence[Row]) -> Rows:
        first = rows[0]
        payload = (dict(first.headers), first.file, None,
                   [(row.number, row.line, _as_dict(row.values)) for row in rows])
        return cls(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), len(rows))

    @classmethod
    def pack_cells(cls, reader: CellRowReader,
                   rows: Sequence[tuple[int, int, list[str]]]) -> Rows:
        """Rows as ``reader.cell_rows()`` gives them (see :class:`CellRowReader`)."""
        payload = (dict(reader.header_map), reader.display, reader.names, rows)
        return cls(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL), len(rows))

    def unpack(self) -> list[Row]:
        # Only ever bytes this module pickled (in this process or the parent).
        headers, file, names, rows = pickle.loads(self._encoded)
        shared = MappingProxyType(headers)
        if names is not None:
            return [Row(number=number, line=line, values=dict(zip(names, cells, strict=False)),
                        headers=shared, file=file)
                    for number, line, cells in rows]
        return [Row(number=number, line=line, values=values, headers=shared, file=file)
                for number, line, values in rows]

    def __len__(self) -> int:
        return self._count

    def __reduce__(self) -> tuple[type[Rows], tuple[bytes, int]]:
        return Rows, (self._encoded, self._count)


def _as_dict(values: Mapping[str, str]) -> dict[str, str]:
    return values if isinstance(values, dict) else dict(values)


@dataclass
class ChunkResult:
    """What checking one chunk gave: findings, counts, and each rule's summary."""

    rows: int
    findings: list[Finding]
    suppressed: int
    not_checked: NotChecked
    ignored_suppressions: list[Suppression]
    unrenderable: dict[str, tuple[int, int]]
    used_templates: set[str]
    summaries: list[object]  # per rule, in the batch's rule order
    carry: list[object]  # per rule: what the row after this chunk's last needs
    record_lines: list[str] = field(default_factory=list)

    @property
    def carries(self) -> bool:
        return any(state is not None for state in self.carry)


class BatchWork:
    """What every chunk of one batch is checked with: the engine (register, templates,
    masking settings), the batch's fields, and the rules as the first pass left them.

    One instance lives in each worker: forked from the parent, or rebuilt on a Dask
    worker. Its rule instances serve chunk after chunk; what they gather for
    ``finish`` is emptied into each chunk's result.
    """

    def __init__(self, engine: Engine, info: BatchInfo, path: Path | None,
                 rules: list[ActiveRule]) -> None:
        self.engine = engine
        self.info = info
        self.path = path
        self.rules = rules

    def observe(self, chunk: Rows) -> list[object]:
        """The observers' ``observed()`` for one chunk, each on a fresh instance."""
        engine, info = self.engine, self.info
        rows = chunk.unpack()
        observers = [a for a in engine.fresh_rules() if "batch" in a.rule.needs]
        for active in observers:
            engine.guard(active, None, active.rule.begin_batch, info)
        for row in rows:
            item = engine.make_item(row, info.fields, info.templates, info.default_template,
                                render_text=False)
            for active in observers:
                engine.guard(active, row, active.rule.observe, item)
        return [active.rule.observed() for active in observers]

    def check(self, chunk: Rows, seed: list[object] | None) -> ChunkResult:
        engine, info = self.engine, self.info
        rows = chunk.unpack()
        engine.start_chunk()
        for position, active in enumerate(self.rules):
            if active.rule.chunked:
                state = seed[position] if seed is not None else None
                engine.guard(active, None, active.rule.carry_in, state)
        recorder = engine.recorder
        lines: list[str] = []
        for row in prefetched(rows, engine.register, info.fields):
            item = engine.make_item(row, info.fields, info.templates, info.default_template,
                                render_text=True)
            engine.check_one(self.rules, item, info.file)
            if recorder is not None:
                lines.append(recorder.item_line(item, self.path))
        collector = engine.collector
        return ChunkResult(
            rows=len(rows), findings=collector.findings,
            suppressed=collector.suppressed, not_checked=collector.not_checked,
            ignored_suppressions=collector.ignored_suppressions,
            unrenderable=engine.unrenderable, used_templates=engine.used_templates,
            summaries=[a.rule.chunk_summary() if a.rule.chunked else None
                       for a in self.rules],
            carry=[a.rule.carry_out() if a.rule.chunked else None for a in self.rules],
            record_lines=lines)


class Future(Protocol):
    def result(self) -> Any: ...


class Phase(Protocol):
    """One pass of the map: where chunks go (``observe`` or ``check`` of a BatchWork)."""

    def submit(self, method: str, *args: object) -> Future: ...

    def close(self) -> None: ...


class Executor(Protocol):
    """Runs the chunks of a pass: in this process, forked processes or on Dask."""

    #: How many chunks may be in flight at once (read ahead of the merge).
    window: int
    #: The workers are this process or its forks: they inherit the parent's merged first
    #: pass, which then need not be made into data (``observed()``) to send them.
    inherits: bool

    def phase(self, work: BatchWork, observed: Sequence[object] | None, *,
              checking: bool) -> Phase:
        """Start a pass for ``work`` (``checking``: the second pass); ``observed`` is
        the merged first pass, for workers that cannot inherit the parent's rules."""
        ...


@dataclass
class _Done:
    value: Any

    def result(self) -> Any:
        return self.value


class InlineExecutor:
    """Every chunk in this process, one after another: the chunked path without workers
    (tests use it to put chunk boundaries anywhere)."""

    window = 1
    inherits = True

    def phase(self, work: BatchWork, observed: Sequence[object] | None, *,
              checking: bool) -> Phase:
        return _InlinePhase(work)


@dataclass
class _InlinePhase:
    work: BatchWork

    def submit(self, method: str, *args: object) -> Future:
        return _Done(getattr(self.work, method)(*args))

    def close(self) -> None:
        pass


# --- worker processes (fork) ------------------------------------------------------------

# The BatchWork a forked worker runs chunks with, set in the parent just before the
# workers fork: the register, templates and the first pass's indexes are inherited,
# not pickled or built again.
_FORKED: BatchWork | None = None


def _run_forked(method: str, args: tuple[object, ...]) -> object:
    assert _FORKED is not None, "worker started without a forked batch"
    return getattr(_FORKED, method)(*args)


def _forked() -> None:
    """A worker's first step: its own database connection (see Engine.reopen_register)."""
    assert _FORKED is not None, "worker started without a forked batch"
    _FORKED.engine.reopen_register()


class ForkExecutor:
    """``--jobs N``: N worker processes forked from the parent for each pass."""

    inherits = True

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.window = 2 * jobs

    def phase(self, work: BatchWork, observed: Sequence[object] | None, *,
              checking: bool) -> Phase:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        global _FORKED
        _FORKED = work
        # What the parent built (register, indexes) is never garbage: a collection in a
        # worker would touch every object and copy pages the workers could share.
        gc.freeze()
        pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_forked,
                                   mp_context=multiprocessing.get_context("fork"))
        return _PoolPhase(pool)


@dataclass
class _PoolPhase:
    pool: Any
    forked: bool = True

    def submit(self, method: str, *args: object) -> Future:
        future: Future = self.pool.submit(_run_forked if self.forked else _run_spawned,
                                          method, args)
        return future

    def close(self) -> None:
        global _FORKED
        self.pool.shutdown(wait=True, cancel_futures=True)
        if self.forked:
            _FORKED = None
            gc.unfreeze()  # the workers are gone: what the run leaves may be collected


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


class SpawnExecutor:
    """``--jobs N`` where fork is not available (Windows, and macOS's default): N fresh
    worker processes per pass, each building the batch's work once from a WorkSpec (it
    loads the register itself)."""

    inherits = False

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.window = 2 * jobs

    def phase(self, work: BatchWork, observed: Sequence[object] | None, *,
              checking: bool) -> Phase:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from policylint.engine.workspec import spec_for

        pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_spawned,
                                   initargs=(spec_for(work, observed, checking=checking),),
                                   mp_context=multiprocessing.get_context("spawn"))
        return _PoolPhase(pool, forked=False)


# The spec a spawned worker builds its work from (see SpawnExecutor).
_SPEC: object = None


def _spawned(spec: object) -> None:
    global _SPEC
    _SPEC = spec


def _run_spawned(method: str, args: tuple[object, ...]) -> object:
    from policylint.engine.workspec import WorkSpec, run_on

    assert isinstance(_SPEC, WorkSpec), "worker started without a spec"
    return run_on(_SPEC, method, *args)


def local_executor(jobs: int) -> Executor | None:
    """--jobs N on this machine: forked workers where possible, else spawned ones."""
    if jobs <= 1:
        return None
    return ForkExecutor(jobs) if can_fork() else SpawnExecutor(jobs)


# --- the map and the merge ---------------------------------------------------------------


def chunks_of(reader: BatchReader, size: int) -> Iterator[tuple[int, Rows]]:
    """The batch's rows in chunks of ``size``, each packed for a worker; as bare cells
    when the reader can give them (:class:`CellRowReader`)."""
    source: Iterator[Any]
    pack: Callable[[list[Any]], Rows]
    if isinstance(reader, CellRowReader):
        source, pack = reader.cell_rows(), functools.partial(Rows.pack_cells, reader)
    else:
        source, pack = reader.rows(), Rows.pack
    for index in itertools.count():
        chunk: list[Any] = list(itertools.islice(source, size))
        if not chunk:
            return
        yield index, pack(chunk)


def _in_order(phase: Phase, method: str, chunks: Iterable[tuple[int, Rows]],
              window: int, args: Callable[[int, Rows], tuple[object, ...]]
              ) -> Iterator[tuple[int, Rows, Future]]:
    """Submit chunks, at most ``window`` ahead of the caller; yield them in order."""
    pending: deque[tuple[int, Rows, Future]] = deque()
    for index, rows in chunks:
        pending.append((index, rows, phase.submit(method, *args(index, rows))))
        if len(pending) >= window:
            yield pending.popleft()
    while pending:
        yield pending.popleft()


class Merge:
    """The merge step: each chunk's result added, in chunk order, to the run's collector,
    the templates used, the unrenderable-row tallies, the rules' summaries and the
    dispatch record."""

    def __init__(self, collector: Collector, used_templates: set[str], rules: int,
                 recorder: Recorder | None) -> None:
        self.collector = collector
        self.used_templates = used_templates
        self.unrenderable: dict[str, tuple[int, int]] = {}  # template -> (rows, first row)
        self.summaries: list[list[object]] = [[] for _ in range(rules)]
        self.recorder = recorder

    def add(self, result: ChunkResult) -> None:
        self.collector.absorb(result.findings, result.suppressed, result.not_checked,
                              result.ignored_suppressions)
        self.used_templates.update(result.used_templates)
        for name, (count, first) in result.unrenderable.items():
            before = self.unrenderable.get(name)
            self.unrenderable[name] = (before[0] + count, before[1]) if before else (count,
                                                                                     first)
        for position, summary in enumerate(result.summaries):
            self.summaries[position].append(summary)
        if self.recorder is not None:
            for line in result.record_lines:
                self.recorder.add_line(line)


class Spool:
    """The batch's chunks kept on disk between the first pass and the second, so the
    batch is parsed once (memory stays flat: the chunks are in a temporary file)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()

    def tee(self, chunks: Iterable[tuple[int, Rows]]) -> Iterator[tuple[int, Rows]]:
        for chunk in chunks:
            pickle.dump(chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            yield chunk

    def replay(self) -> Iterator[tuple[int, Rows]]:
        self._file.seek(0)
        while True:
            try:
                # Only ever our own temporary file, written above: nothing untrusted.
                chunk: tuple[int, Rows] = pickle.load(self._file)
            except EOFError:
                return
            yield chunk

    def close(self) -> None:
        self._file.close()


def observe_in_chunks(executor: Executor, work: BatchWork,
                      chunks: Iterable[tuple[int, Rows]],
                      absorb: Callable[[list[object]], None]) -> None:
    """Every chunk's ``observed()`` (one part per observer, in the batch's rule order),
    handed to ``absorb`` chunk by chunk in row order as they come back: the parent
    never holds the whole batch's parts at once."""
    phase = executor.phase(work, None, checking=False)
    try:
        for _index, _rows, future in _in_order(phase, "observe", chunks, executor.window,
                                               lambda _, chunk: (chunk,)):
            absorb(future.result())
    finally:
        phase.close()


def check_in_chunks(executor: Executor, work: BatchWork, chunks: Iterable[tuple[int, Rows]],
                    observed: Sequence[object] | None,
                    on_result: Callable[[ChunkResult], None]) -> None:
    """Check every chunk; ``on_result`` gets each result in order, after any re-check."""
    phase = executor.phase(work, observed, checking=True)
    try:
        carried: list[object] | None = None
        for _index, chunk, future in _in_order(
                phase, "check", chunks, executor.window,
                lambda _, chunk: (chunk, None)):
            result: ChunkResult = future.result()
            if carried is not None:
                # The chunk before ended inside something (a column shift) that may go
                # on: check this chunk again as the rows before it left things.
                result = phase.submit("check", chunk, carried).result()
            carried = result.carry if result.carries else None
            on_result(result)
    finally:
        phase.close()
