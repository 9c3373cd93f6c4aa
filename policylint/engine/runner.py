"""The runner: policy, batches, templates and register in; findings out.

Rows stream from disk. A rule that needs the whole batch gets a first pass
(``observe``) to build its indexes once; every rule then sees each row once,
rendered once, in the second pass. With ``--jobs`` or ``--engine dask`` the same two
passes run on chunks of rows in other processes, and a merge step puts the chunks'
findings and summaries together (engine/chunks.py): the report is the same.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import glob
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policylint.config.policy import Policy, validate_rule_settings
from policylint.engine.chunks import (
    CHUNK_ROWS,
    BatchWork,
    ChunkResult,
    Executor,
    Merge,
    Spool,
    check_in_chunks,
    chunks_of,
    local_executor,
    observe_in_chunks,
)
from policylint.engine.collector import POLICY_CHECK, ActiveRule, Collector, shown_path
from policylint.engine.fingerprint import fingerprint
from policylint.engine.prefetch import prefetched
from policylint.engine.rule import BatchInfo, FieldMap, Item, RunContext
from policylint.engine.selection import Selection, parse_selection
from policylint.errors import InputError, PolicyError, PolicylintError, RegisterError, RuleCrash
from policylint.heap import RETURN_EVERY, return_freed_memory
from policylint.io.attachments import Attachment, AttachmentCache, AttachmentError, split_names
from policylint.io.batch import BatchReader
from policylint.io.fields import resolve_fields
from policylint.io.register.base import Register
from policylint.io.register.location import mask_url
from policylint.io.register.memory import MemoryRegister
from policylint.io.templates import RenderError, Template, TemplateMeta, load_templates, render
from policylint.model import (
    BATCH_FORMAT,
    CHANNELS,
    NOT_CHECKED_RULES,
    READ_ERROR,
    RENDER_ERROR,
    TEMPLATE_SYNTAX,
    Finding,
    Personal,
    PersonalKind,
    Row,
    Severity,
    Summary,
    Violation,
)
from policylint.plugins import RuleEntry, get_plugin_manager, rule_registry
from policylint.progress import UPDATE_EVERY, RowProgress, estimate_rows
from policylint.record import Recorder, RunInfo, policy_digest, record_key
from policylint.record import now as record_now

# Kept for plug-ins and tests that imported them from here.
ENGINE_CHECK = RENDER_ERROR


@dataclass(frozen=True)
class CheckRequest:
    batches: Sequence[Path] = ()
    policy: Policy | None = None
    register: str | None = None  # overrides the policy's register
    templates: Sequence[Path] = ()  # --template, in addition to the policy's
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    show_values: bool = False
    fail_on: Severity = Severity.ERROR
    today: dt.date = field(default_factory=dt.date.today)
    baseline: frozenset[str] = frozenset()
    debug: bool = False
    record: Path | None = None  # --record: the dispatch record to append to
    # How findings name a batch that is not read from its own path (stdin: a temporary
    # copy, shown as --stdin-filename).
    displays: Mapping[str, str] = field(default_factory=dict)
    progress: bool = False  # a progress bar on stderr for long batches (a person watches)
    sheet: str | None = None  # --sheet: the worksheet of a workbook batch
    chunk_rows: int = CHUNK_ROWS  # rows per chunk when a batch is checked in chunks


@dataclass
class Outcome:
    findings: list[Finding]  # what the user sees (after suppressions and baseline)
    unfiltered: list[Finding]  # before the baseline: what --write-baseline records
    summary: Summary

    @property
    def exit_code(self) -> int:
        if not self.summary.complete:
            return 2  # fail closed: a row that was not checked never passes
        fail_rank = self.summary.fail_on.rank
        return 1 if any(f.severity.rank >= fail_rank for f in self.findings) else 0

    @property
    def baselinable(self) -> list[Finding]:
        """What --write-baseline may record: never a row that was not checked."""
        return [f for f in self.unfiltered if f.rule not in NOT_CHECKED_RULES]


def select_rules(policy: Policy, registry: Mapping[str, RuleEntry],
                 selection: Selection) -> list[tuple[RuleEntry, Severity]]:
    chosen: list[tuple[RuleEntry, Severity]] = []
    for name, entry in registry.items():
        if selection.select_rules and name not in selection.select_rules:
            continue
        if name in selection.ignore_rules:
            continue
        setting = policy.setting(name)
        if setting is not None and not setting.enabled:
            continue
        severity = (setting.severity if setting and setting.severity else
                    entry.rule.default_severity)
        chosen.append((entry, severity))
    return chosen


def open_register(location: str) -> Register:
    pm = get_plugin_manager()
    register: Register | None = pm.hook.policylint_open_register(location=location)
    if register is None:
        raise RegisterError("no installed backend can open this register",
                            file=mask_url(location))
    return register


def template_paths(policy: Policy, extra: Sequence[Path] = (), *, require_match: bool = True,
                   ) -> list[tuple[Path, TemplateMeta]]:
    """Every template the run uses: the policy's globs, then --template files.

    A glob that matches nothing is a policy error for ``check`` (a typo would
    leave rows unrendered) but fine for ``lint``, which is given its files.
    """
    found: dict[Path, tuple[Path, TemplateMeta]] = {}
    for index, spec in enumerate(policy.templates):
        matches = sorted(glob.glob(spec.pattern, recursive=True))
        if not matches and require_match:
            raise PolicyError(f"no template file matches '{spec.pattern}'",
                              file=spec.file or policy.source, line=spec.line,
                              key=f"templates[{index}].path")
        for match in matches:
            path = shown_path(Path(match))
            found.setdefault(path, (path, TemplateMeta(
                channel=spec.channel, audience=spec.audience, scope=spec.scope,
                syntax=spec.syntax)))
    for path in extra:
        found.setdefault(path, (path, TemplateMeta()))
    return list(found.values())


class Engine:
    """One run of ``check`` or ``lint``: rules built once, then fed batches or templates."""

    def __init__(self, request: CheckRequest, *, needs_register: bool = True) -> None:
        from policylint.config.policy import empty_policy

        self.request = request
        self.policy = request.policy or empty_policy()
        registry = rule_registry()
        validate_rule_settings(
            self.policy, {name: e.rule.options_schema for name, e in registry.items()})
        self.selection = parse_selection(request.select, request.ignore, registry)
        chosen = select_rules(self.policy, registry, self.selection)
        location = request.register or self.policy.register
        self.register: Register | None = None
        wanting = [e.rule.name for e, _ in chosen if "register" in e.rule.needs]
        if needs_register and wanting:
            if not location:
                rules = ", ".join(wanting)
                raise PolicylintError(
                    f"{'these rules need' if len(wanting) > 1 else 'rule ' + rules + ' needs'} "
                    f"a register{': ' + rules if len(wanting) > 1 else ''}. Set `register:` "
                    "in the policy or pass --register, or turn them off (--ignore "
                    f"{','.join(wanting)})")
            self.register = open_register(location)
        self.context = RunContext(register=self.register, today=request.today,
                                  show_values=request.show_values)
        self.chosen = chosen
        self.collector = Collector(self.policy, request.show_values, request.today)
        self.rows_read = 0
        self._checked_since_return = 0  # items checked since freed memory was returned
        self.used_templates: set[str] = set()  # what `check` reports template problems for
        self.recorder: Recorder | None = None
        self.files: list[str] = []
        self._missing: dict[str, list[str]] = {}
        self._unrenderable: dict[str, tuple[int, int]] = {}  # template -> (rows, first)
        self.attachments = AttachmentCache()  # each attachment file read once per run
        # Names this run to workers that build their own engine (engine/workspec.py).
        self.run_id = uuid.uuid4().hex

    def fresh_rules(self) -> list[ActiveRule]:
        """New rule instances: each batch (and the template pass) starts from clean
        state, so checking files one by one or in parallel gives the same findings."""
        active = []
        for entry, severity in self.chosen:
            setting = self.policy.setting(entry.rule.name)
            options = dict(setting.options) if setting else {}
            active.append(ActiveRule(entry.rule(options, self.context), severity, entry.plugin))
        return active

    def close(self) -> None:
        if self.register is not None:
            self.register.close()

    def reopen_register(self) -> None:
        """In a forked worker: a database connection must not cross a fork, so open our
        own (a register held in memory is simply inherited). An SQLite file reconnects
        the register the rules' indexes already hold (its caches and indexes stay)."""
        from policylint.io.register.columnar import ColumnarRegister  # pyarrow-side: lazily
        from policylint.io.register.sqlite import SqliteRegister

        if isinstance(self.register, SqliteRegister):
            self.register.reconnect()
        elif self.register is not None and not isinstance(
                self.register, MemoryRegister | ColumnarRegister):
            location = self.request.register or self.policy.register
            assert location is not None
            self.register = open_register(location)
            self.context.register = self.register

    # --- templates -----------------------------------------------------------

    def check_templates(self, templates: Iterable[Template], *, fail_on_problem: bool) -> None:
        rules = self.fresh_rules()
        for template in templates:
            if template.problem is not None:
                if fail_on_problem:
                    raise InputError(template.problem.message, file=template.path,
                                     line=template.problem.line)
                self.collector.add(None, Violation(
                    code=template.problem.code, message=template.problem.message,
                    line=template.problem.line, col=template.problem.col),
                    file=template.path, rule_name=TEMPLATE_SYNTAX, template=template.name)
                continue
            for active in rules:
                for violation in self.guard(active, None, active.rule.check_template, template):
                    self.collector.add(active, violation, file=template.path,
                                       template=template.name)

    # --- batches ---------------------------------------------------------------

    def check_batch(self, reader: BatchReader, templates: Mapping[str, Template],
                    default_template: Template | None, *, path: Path | None = None,
                    executor: Executor | None = None) -> None:
        """Check one batch: in one pass per rule need here, or in chunks on ``executor``
        (--jobs, Dask) when every rule can be split that way (DESIGN §5)."""
        display = reader.display
        self.files.append(display)
        info, rules = self.start_batch(display, reader.names, templates, default_template)
        progress = (RowProgress(display, estimate_rows(path) if path else None)
                    if self.request.progress else None)
        try:
            if executor is not None and all(a.rule.row_independent or a.rule.chunked
                                            for a in rules):
                self._check_in_chunks(reader, info, path, rules, executor, progress)
            else:
                self._check_in_one_pass(reader, info, path, rules, progress)
        finally:
            if progress is not None:
                progress.close()
        self._report_unreadable(reader, display)
        for active in rules:
            for violation in self.guard(active, None, active.rule.finish):
                self.collector.add(active, violation, file=display)
        self._report_unrenderable(templates, display)

    def start_batch(self, display: str, names: Sequence[str], templates: Mapping[str, Template],
                    default_template: Template | None) -> tuple[BatchInfo, list[ActiveRule]]:
        """The batch's fields and fresh rules, told about the batch (begin_batch)."""
        fields = resolve_fields(names, self.policy.fields, file=display)
        info = BatchInfo(file=display, names=tuple(names), fields=fields,
                         templates=templates, default_template=default_template)
        rules = self.fresh_rules()
        for active in rules:
            for violation in self.guard(active, None, active.rule.begin_batch, info):
                self.collector.add(active, violation, file=display)
        present = set(names)
        self._missing = {t.name: missing for t in templates.values()
                         if (missing := t.missing_fields(present))}
        self._unrenderable = {}
        return info, rules

    def _check_in_one_pass(self, reader: BatchReader, info: BatchInfo, path: Path | None,
                           rules: list[ActiveRule], progress: RowProgress | None) -> None:
        fields, templates, default = info.fields, info.templates, info.default_template
        for active in rules:
            self.guard(active, None, active.rule.prepare_register)
        observers = [a for a in rules if "batch" in a.rule.needs]
        if observers:
            for row in reader.rows():
                item = self.make_item(row, fields, templates, default, render_text=False)
                for active in observers:
                    self.guard(active, row, active.rule.observe, item)
        for row in prefetched(reader.rows(), self.register, fields):
            self.rows_read += 1
            if progress is not None and self.rows_read % UPDATE_EVERY == 0:
                progress.update(self.rows_read)
            item = self.make_item(row, fields, templates, default, render_text=True)
            self.check_one(rules, item, info.file)
            if self.recorder is not None:
                self.recorder.add_item(item, path)

    def _check_in_chunks(self, reader: BatchReader, info: BatchInfo, path: Path | None,
                         rules: list[ActiveRule], executor: Executor,
                         progress: RowProgress | None) -> None:
        """Map every rule over chunks of rows, then merge (see engine/chunks.py)."""
        work = BatchWork(self, info, path, rules)
        observers = [a for a in rules if "batch" in a.rule.needs]
        merged = Merge(self.collector, self.used_templates, len(rules), self.recorder)
        for active in rules:
            self.guard(active, None, active.rule.prepare_register)
        with contextlib.ExitStack() as stack:
            chunks = chunks_of(reader, self.request.chunk_rows)
            observed: list[object] | None = None
            if observers:
                spool = stack.enter_context(contextlib.closing(Spool()))

                def absorb(chunk_parts: list[object]) -> None:
                    for active, part in zip(observers, chunk_parts, strict=True):
                        self.guard(active, None, active.rule.absorb_observed, [part])

                observe_in_chunks(executor, work, spool.tee(chunks), absorb)
                if not executor.inherits:  # sent to workers that start empty
                    observed = [active.rule.observed() for active in observers]
                chunks = spool.replay()
            for active in rules:
                self.guard(active, None, active.rule.prepare)
            if self.recorder is not None:
                self.recorder.note_batch(info.file, path)

            def take(result: ChunkResult) -> None:
                merged.add(result)
                self.rows_read += result.rows
                if progress is not None:
                    progress.update(self.rows_read)

            try:
                check_in_chunks(executor, work, chunks, observed, take)
            finally:
                # An inline executor checks with this very engine: the merge's state is
                # what the engine keeps.
                self.collector, self.used_templates = merged.collector, merged.used_templates
                self._unrenderable = merged.unrenderable
        for active, chunk_summaries in zip(rules, merged.summaries, strict=True):
            if active.rule.chunked:
                self.guard(active, None, active.rule.absorb_summaries, chunk_summaries)

    def start_chunk(self) -> None:
        """Forget what the previous chunk found: each chunk's result is merged in order
        by the parent (engine/chunks.py)."""
        self.collector = Collector(self.policy, self.request.show_values, self.request.today)
        self._unrenderable = {}
        self.used_templates = set()

    @property
    def unrenderable(self) -> dict[str, tuple[int, int]]:
        """Per template that could not be rendered: (rows, the first row)."""
        return self._unrenderable

    def check_one(self, rules: Sequence[ActiveRule], item: Item, display: str) -> None:
        self._checked_since_return += 1
        if self._checked_since_return >= RETURN_EVERY:  # in whichever process checks it
            self._checked_since_return = 0
            return_freed_memory()
        row = item.row
        template = item.template.name if item.template else ""
        identifiers = _identifiers(item)
        for active in rules:
            if not active.rule.applies_to(item):
                continue
            for violation in self.guard(active, row, active.rule.check_item, item):
                self.collector.add(active, violation, file=display, row=row.number,
                                   recipient_id=item.recipient_id, template=template,
                                   identifiers=identifiers, physical_line=row.line)

    def _report_unreadable(self, reader: BatchReader, display: str) -> None:
        """Every row the reader could not read is a finding, and the run exits 2; what it
        warned about (values a spreadsheet may have changed) is a warning."""
        for problem in reader.problems:
            self.collector.add(None, Violation(
                code="unreadable-row",
                message="This row could not be read ({reason}): it was not checked",
                facts={"reason": problem.reason}, column=problem.column),
                file=display, row=problem.row, rule_name=READ_ERROR,
                physical_line=problem.line)
        for warning in reader.warnings:
            self.collector.add(None, Violation(
                code="stored-as-number", message="{reason}", facts={"reason": warning.reason},
                column=warning.column, severity=Severity.WARNING),
                file=display, row=warning.row, rule_name=BATCH_FORMAT)

    def _report_unrenderable(self, templates: Mapping[str, Template], display: str) -> None:
        """One finding per missing field per template, not one per row: a typo in a
        template would otherwise bury every other finding."""
        for name, (count, first) in self._unrenderable.items():
            template = templates[name]
            for field_name in self._missing[name]:
                where = template.positions(field_name)
                self.collector.add(None, Violation(
                    code="missing-field",
                    message=("Template '{template}' uses field '{field}', which {batch} has no "
                             "column for: {count} row(s) from row {first} cannot be rendered "
                             "or checked"),
                    facts={"template": name, "field": field_name, "batch": display,
                           "count": count, "first": first},
                    line=where[0].line if where else None,
                    col=where[0].col if where else None,
                    file=template.path, fingerprint_extra=field_name),
                    file=display, template=name, rule_name=RENDER_ERROR)

    def make_item(self, row: Row, fields: FieldMap, templates: Mapping[str, Template],
              default_template: Template | None, *, render_text: bool) -> Item:
        template = default_template
        template_header = fields.header("template")
        requested = row.get(template_header).strip() if template_header else ""
        if requested:
            template = templates.get(requested)
        channel_value = row.get(fields.header("channel") or "").strip().lower()
        channel = channel_value if channel_value in CHANNELS else (
            template.channel if template else None)
        item = Item(row=row, fields=fields, channel=channel, template=template)
        if not render_text:
            return item
        if template is not None:
            self.used_templates.add(template.name)
        recipient = item.recipient_id or None
        if requested and template is None:
            self.collector.add(None, Violation(
                code="unknown-template",
                message=("The row names template '{template}', which is not among the loaded "
                         "templates: this item cannot be checked"),
                facts={"template": requested[:80]}, column=template_header),
                file=row.file, row=row.number, recipient_id=recipient,
                identifiers=_identifiers(item))
            return item
        if template is None:
            return self._with_attachments(item)
        if template.problem is not None:
            # Reported once, with its line, by check_templates: not once per row.
            self.collector.not_checked.add(row.number)
            return item
        if template.name in self._missing:
            count, first = self._unrenderable.get(template.name, (0, row.number))
            self._unrenderable[template.name] = (count + 1, first)
            self.collector.not_checked.add(row.number)
            return item
        try:
            rendered = render(template, row.values)
        except RenderError as exc:
            self.collector.add(None, Violation(
                code=exc.code, message="{reason}: this item cannot be checked",
                facts={"reason": str(exc)}), file=row.file, row=row.number,
                recipient_id=recipient, template=template.name, identifiers=_identifiers(item))
            return item
        return self._with_attachments(Item(row=row, fields=fields, channel=channel,
                                           template=template, rendered=rendered))

    def _with_attachments(self, item: Item) -> Item:
        """The item with its attachments read; one that cannot be read is an engine
        finding (the item is not checked), never skipped."""
        header = item.fields.header("attachments")
        names = split_names(item.row.get(header)) if header else []
        if not names:
            return item
        row = item.row
        password = item.role("attachment_password")
        loaded: list[Attachment] = []
        for index, name in enumerate(names, start=1):
            try:
                loaded.append(self.attachments.load(name, index, row.file, password))
            except AttachmentError as exc:
                self.collector.add(None, Violation(
                    code=exc.code,
                    message=("Attachment {index} ({attachment}) cannot be checked: {reason}; "
                             "this item cannot be checked"),
                    values={"attachment": Personal(PersonalKind.IDENTIFIER, name)},
                    facts={"index": index, "reason": exc.reason}, column=header,
                    fingerprint_extra=str(index)),
                    file=row.file, row=row.number, recipient_id=item.recipient_id or None,
                    template=item.template.name if item.template else "",
                    identifiers=_identifiers(item))
        # Rules still check what could be read; the finding above keeps the run failing.
        return dataclasses.replace(item, attachments=tuple(loaded))

    def guard(self, active: ActiveRule, row: Row | None,
               method: Callable[..., Iterable[Violation] | None],
               *args: object) -> list[Violation]:
        """Call a rule; a rule that raises fails the whole run (never passes silently)."""
        try:
            result = method(*args)
            return list(result) if result is not None else []
        except PolicylintError:
            raise
        except Exception as exc:
            if self.request.debug:
                raise
            where = f" on row {row.number}" if row is not None else ""
            if isinstance(exc, sqlite3.Error) and self.register is not None:
                raise RegisterError(
                    f"the register could not be read while rule {active.rule.name} checked"
                    f"{where} ({type(exc).__name__}); the batch was not fully checked",
                    file=self.register.source) from exc
            raise RuleCrash(
                f"rule {active.rule.name} crashed{where} ({type(exc).__name__}); "
                "the batch was not fully checked. Re-run with --debug for the traceback",
                file=row.file if row is not None else None) from exc

    # --- result ----------------------------------------------------------------

    def _baseline_note(self, *, code: str, severity: Severity, message: str) -> None:
        """A finding about the --baseline file itself (never hidden by it)."""
        self.collector.findings.append(Finding(
            rule=POLICY_CHECK, severity=severity, code=code, message=message,
            file=self.files[0] if self.files else "",
            fingerprint=fingerprint(self.collector.key, POLICY_CHECK, code)))

    def outcome(self, templates_checked: int, *, report_policy: bool = True) -> Outcome:
        if report_policy:
            self.collector.report_policy_warnings()
        baseline = self.request.baseline
        ignored = sum(1 for f in self.collector.findings
                      if f.rule in NOT_CHECKED_RULES and f.fingerprint in baseline)
        if ignored:
            self._baseline_note(
                code="baseline-ignored", severity=Severity.WARNING, message=
                f"{_entries(ignored)} matched rows that could not be checked and were "
                "ignored: such rows always fail the run")
        stale = len(baseline - {f.fingerprint for f in self.collector.findings})
        if stale:
            # detect-secrets' habit: a baseline only shrinks if someone is told it can.
            self._baseline_note(
                code="stale-baseline", severity=Severity.INFO, message=
                f"{_entries(stale)} matched no finding: those problems are gone. Rewrite "
                "the baseline (--write-baseline) so it hides only what is still there")
        unfiltered = sorted((f for f in self.collector.findings if self.selection.keeps(f)),
                            key=Finding.sort_key)
        kept = [f for f in unfiltered
                if f.rule in NOT_CHECKED_RULES or f.fingerprint not in baseline]
        counts = Counter(f.severity.value for f in kept)
        not_checked = self.collector.not_checked
        summary = Summary(
            files=tuple(self.files),
            rows_checked=self.rows_read - min(not_checked.count, self.rows_read),
            templates_checked=templates_checked,
            counts={s.value: counts.get(s.value, 0) for s in Severity},
            suppressed=self.collector.suppressed,
            baselined=len(unfiltered) - len(kept),
            fail_on=self.request.fail_on,
            rows_not_checked=not_checked.count,
            first_not_checked=tuple(sorted(not_checked.first)),
        )
        return Outcome(findings=kept, unfiltered=unfiltered, summary=summary)


def _entries(count: int) -> str:
    return f"{count} baseline entr{'y' if count == 1 else 'ies'}"


def _identifiers(item: Item) -> list[str]:
    """The row's ids and references: masked wherever a message quotes them."""
    return [i for i in (item.recipient_id, item.subject_id,
                        *(value for _header, value in item.references)) if i]


def open_batch(path: Path, sheet: str | None = None, display: str | None = None
               ) -> BatchReader:
    if not path.exists():
        raise InputError("batch file not found", file=display or str(path))
    reader: BatchReader | None = get_plugin_manager().hook.policylint_open_batch(
        path=path, sheet=sheet, display=display)
    if reader is None:
        raise InputError("no installed reader handles this kind of batch file "
                         "(CSV: .csv, .tsv, .txt; Excel: .xlsx; JSON Lines: .jsonl)",
                         file=str(path))
    return reader


def run_check(request: CheckRequest) -> Outcome:
    return run_check_parallel(request, jobs=1)


def run_check_parallel(request: CheckRequest, jobs: int,
                       executor: Executor | None = None) -> Outcome:
    """Check every batch. With ``jobs`` > 1 (or an ``executor``: Dask) each batch is
    checked in chunks by every rule at once; the findings are the same either way."""
    if executor is None:
        executor = local_executor(jobs)
    engine = Engine(request)
    try:
        engine.recorder = _recorder(request, engine.policy)
        templates = load_templates(template_paths(engine.policy, request.templates))
        default = default_template(templates, request.templates)
        for path in request.batches:
            reader = open_batch(path, request.sheet, request.displays.get(str(path)))
            try:
                engine.check_batch(reader, templates, default, path=path,
                                   executor=executor)
            finally:
                reader.close()
        # Template-level problems of the templates this batch uses; an unused voicemail
        # template must not fail a letter run (`lint` checks them all). A used template
        # that cannot be parsed has already made each of its rows "not checked".
        engine.check_templates([t for t in templates.values()
                                if t.name in engine.used_templates], fail_on_problem=False)
        outcome = engine.outcome(templates_checked=len(templates))
        if engine.recorder is not None:
            engine.recorder.finish(outcome.unfiltered, outcome.summary.complete)
        return outcome
    finally:
        if engine.recorder is not None:
            engine.recorder.close()
        engine.close()


def _recorder(request: CheckRequest, policy: Policy) -> Recorder | None:
    """The dispatch record this run appends to (--record, else the policy's record:)."""
    location = request.record or (Path(policy.record) if policy.record else None)
    if location is None:
        return None
    key_file = Path(policy.record_key_file) if policy.record_key_file else None
    return Recorder(location, record_key(location, key_file),
                    RunInfo(time=record_now(), policy_digest=policy_digest(policy.files)))


def run_lint(request: CheckRequest, paths: Sequence[Path]) -> Outcome:
    """Static checks of template files: what pre-commit runs in a template repository."""
    engine = Engine(request, needs_register=False)
    try:
        policy_specs = {Path(p).resolve(): meta for p, meta in
                        template_paths(engine.policy, require_match=False)}
        loaded = []
        for path in paths:
            meta = policy_specs.get(path.resolve(), TemplateMeta())
            loaded.append(load_templates([(path, meta)]))
        templates = [t for group in loaded for t in group.values()]
        engine.check_templates(templates, fail_on_problem=False)
        # Suppressions are about batch findings: a template commit is not the
        # place to nag about them.
        return engine.outcome(templates_checked=len(templates), report_policy=False)
    finally:
        engine.close()


def default_template(templates: Mapping[str, Template],
                      explicit: Sequence[Path]) -> Template | None:
    """--template names the template for rows without one; so does a lone template."""
    if explicit:
        wanted = {str(p) for p in explicit}
        chosen = [t for t in templates.values() if t.path in wanted]
        return chosen[0] if len(chosen) == 1 else None
    if len(templates) == 1:
        return next(iter(templates.values()))
    return None
