"""The ``policylint`` command line (click).

Exit codes (DESIGN §4): 0 nothing at or above --fail-on; 1 findings;
2 usage, input, policy or internal error. No traceback without --debug.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click

from policylint import __version__
from policylint.errors import PolicylintError
from policylint.progress import in_ci
from policylint.progress import wanted as progress_wanted
from policylint.reporting import COLOR_CHOICES, GROUPS, OutputOptions, emit

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "junit", "github", "csv")
SEVERITIES = ("error", "warning", "info")


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: stop, write nothing that looks complete.

    A BaseException (like KeyboardInterrupt), so that no ``except Exception``
    on the way (a rule guard, the renderer) can swallow it and let the run
    finish as if nothing had happened.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def _raise_interrupted(signum: int, _frame: FrameType | None) -> NoReturn:
    raise Interrupted(signum)


def _split_rules(values: Sequence[str]) -> list[str]:
    """--select a,b --select c -> [a, b, c] (ruff's comma-separated lists)."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _parse_today(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2026-11-26",
                                 param_hint="--today") from None


def _load_policy(policy: Path | None, inputs: Sequence[Path] = ()) -> Any:
    """``--policy``, else the policy nearest the first input file (its directory, then
    parents, as ruff finds its configuration), else the one for the working directory."""
    from policylint.config.discovery import load_discovered
    from policylint.plugins import get_plugin_manager

    pack_dirs = [Path(p) for group in get_plugin_manager().hook.policylint_policy_packs()
                 for p in group]
    start = Path.cwd()
    first = next((Path(p) for p in inputs if str(p) != "-"), None)
    if first is not None and first.parent.is_dir():
        start = first.parent
    return load_discovered(start, policy, pack_dirs)


def _stdin_batches(batches: Sequence[Path], name: str | None, scratch: Path
                   ) -> tuple[list[Path], dict[str, str]]:
    """``-`` (a batch on stdin) becomes a temporary copy; findings show ``name``."""
    paths: list[Path] = []
    displays: dict[str, str] = {}
    for batch in batches:
        if str(batch) != "-":
            paths.append(batch)
            continue
        if displays:
            raise PolicylintError("`-` (stdin) can be given only once")
        copy = scratch / Path(name or "stdin.csv").name
        with copy.open("wb") as out:
            while block := sys.stdin.buffer.read(1 << 20):
                out.write(block)
        paths.append(copy)
        displays[str(copy)] = name or "stdin"
    return paths, displays


def _emit_error(message: str, batches: Sequence[Path], out: OutputOptions,
                fail_on: Any) -> None:
    """A report for a run that stopped with an error: no findings, the error, exit 2."""
    from policylint.model import Summary

    summary = Summary(files=tuple(str(b) for b in batches), fail_on=fail_on,
                      errors=(_one_line(message),))
    # The error being reported matters more than a failure to report it.
    with contextlib.suppress(PolicylintError):
        emit(_Stopped(summary), replace(out, quiet=False, statistics=False), announce=False)


class _Stopped:
    """An outcome with no findings: what a run that stopped early has to report."""

    def __init__(self, summary: Any) -> None:
        self.findings: list[Any] = []
        self.summary = summary


def _say_incomplete(outcome: Any) -> None:
    """Exit 2 without an exception still gets its one line on stderr, naming where the
    first reason is (a template's line, or a row)."""
    from policylint.model import NOT_CHECKED_RULES
    from policylint.reporters.base import not_checked_phrase

    summary = outcome.summary
    if summary.complete:
        return
    reasons = sorted((f for f in outcome.findings if f.rule in NOT_CHECKED_RULES),
                     key=lambda f: (f.row is not None, f.row or 0))
    where = ""
    if reasons:
        first = reasons[0]
        place = (f"row {first.row}" if first.row is not None else
                 f"line {first.line}" if first.line is not None else "")
        where = f" First: {first.file}{', ' + place if place else ''}: {first.message}."
    click.echo(_one_line(f"policylint: error: {not_checked_phrase(summary)}{where} The batch "
                         "must not be sent until every row is checked"), err=True)


def _one_line(text: str) -> str:
    """The error as exactly one line: a line break or control character in a file
    name, key or value (a YAML key may be "\\n") is shown escaped, so it can neither
    split the line nor smuggle a command into a CI log."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _run(debug: bool, body: Callable[[], int]) -> NoReturn:
    """Run a command body; turn every failure into exit 2 and one line on stderr."""
    # SIGINT too: a shell starts background jobs with SIGINT ignored, and an
    # inherited "ignore" would let `kill -INT` run the check to completion.
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, _raise_interrupted)
    try:
        code = body()
    except PolicylintError as exc:
        if debug:
            raise
        click.echo(f"policylint: error: {_one_line(str(exc))}", err=True)
        code = EXIT_ERROR
    except (KeyboardInterrupt, Interrupted) as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        click.echo(f"policylint: interrupted ({signal.Signals(signum).name}); "
                   "nothing was checked completely", err=True)
        code = 128 + int(signum)
    except click.exceptions.Exit:
        raise
    except Exception as exc:  # a bug: say so in one line, never with data
        if debug:
            raise
        click.echo(f"policylint: internal error: {type(exc).__name__}. "
                   "Re-run with --debug for the traceback", err=True)
        code = EXIT_ERROR
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    sys.exit(code)


_common_output = [
    click.option("--format", "--output-format", "fmt", type=click.Choice(FORMATS),
                 default="text", show_default=True,
                 help="Output format (csv: a spreadsheet for whoever fixes the data)."),
    click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                 help="Write the report to FILE (atomically) instead of stdout; the "
                      "one-line summary still goes to stderr."),
    click.option("--fail-on", type=click.Choice(SEVERITIES), default="error", show_default=True,
                 help="Exit 1 when a finding is at or above this severity."),
    click.option("--exit-zero", is_flag=True,
                 help="Exit 0 even with findings (never when a row was not checked: that "
                      "stays exit 2)."),
    click.option("--select", multiple=True, metavar="RULES",
                 help="Run only these rules (comma-separated, repeatable)."),
    click.option("--ignore", multiple=True, metavar="RULES",
                 help="Do not run these rules (comma-separated, repeatable)."),
    click.option("--statistics", is_flag=True,
                 help="Print a count per rule and code instead of every finding."),
    click.option("--group-by", type=click.Choice(GROUPS),
                 help="Text format: findings under one heading per row or per rule."),
    click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto",
                 show_default=True,
                 help="Colour the text output (auto: on a terminal, unless NO_COLOR is set; "
                      "FORCE_COLOR forces it)."),
    click.option("--policy", "-p", type=click.Path(dir_okay=False, path_type=Path),
                 help="Policy file (default: policylint.yaml or .policylint.yaml next to the "
                      "first file or in a parent directory, or [tool.policylint] in "
                      "pyproject.toml)."),
    click.option("--quiet", "-q", is_flag=True,
                 help="Print the findings only, no summary; nothing when clean."),
    click.option("--debug", is_flag=True, help="Show tracebacks for errors."),
]

_OUTPUT_KEYS = ("fmt", "output", "quiet", "color", "exit_zero", "statistics", "group_by")


def common_output(func: Callable[..., Any]) -> Callable[..., Any]:
    """The shared options; the reporting ones reach the command as one ``out``."""

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        out = OutputOptions(**{key: kwargs.pop(key) for key in _OUTPUT_KEYS})
        return func(out=out, **kwargs)

    for decorator in reversed(_common_output):
        wrapper = decorator(wrapper)
    return wrapper


def _parse_jobs(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """--jobs: a number of processes, or ``auto`` (the cores this process may use)."""
    if value.strip().lower() == "auto":
        from policylint.engine.cores import usable_cores

        return usable_cores()
    try:
        jobs = int(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither a number nor 'auto'") from None
    if jobs < 1:
        raise click.BadParameter("must be at least 1")
    return jobs


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="policylint")
def cli() -> None:
    """Check mail-merge batches and letter templates before anything is sent.

    \b
    policylint check batch.csv            check a batch against the policy and register
    policylint lint templates/*.j2        static checks of templates (pre-commit)
    policylint rules                      list the rules
    policylint explain stale-address      what a rule checks, with bad and good examples
    policylint init                       write a commented starter policylint.yaml

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage, input or
    policy error. Personal data is masked in every output unless --show-values.
    """


# Batch formats that have no sheets: --sheet with only these is a mistake.
_SHEETLESS = frozenset({".csv", ".tsv", ".txt", ".jsonl", ".ndjson"})


def _check_sheet(sheet: str | None, batches: Sequence[Path]) -> None:
    if sheet is not None and all(p.suffix.lower() in _SHEETLESS for p in batches):
        raise PolicylintError("--sheet names a worksheet of an .xlsx batch, and no batch is one")


@cli.command()
@click.argument("batches", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--register", "-r", metavar="PATH",
              help="Register: a directory of CSV tables or an SQLite file (overrides the "
                   "policy's register:).")
@click.option("--template", "-t", "templates", multiple=True, type=click.Path(path_type=Path),
              help="Template file for rows with no template column (repeatable; adds to the "
                   "policy's templates:).")
@common_output
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Hide findings whose fingerprint is in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the fingerprints of every finding to this file (then exit 0; "
                   "rows that were not checked are never written and still exit 2).")
@click.option("--baseline-reason", metavar="TEXT",
              help="Why these findings are accepted: recorded in the baseline file with "
                   "the date, for whoever reviews it.")
@click.option("--show-values", is_flag=True,
              help="Show personal data in messages instead of masking it. Refused when CI is "
                   "set: a CI log must never become the breach.")
@click.option("--allow-show-values-in-ci", is_flag=True, hidden=True,
              help="Let --show-values run where CI is set (you were warned).")
@click.option("--jobs", "-j", metavar="N|auto", default="1", show_default=True,
              callback=_parse_jobs,
              help="Check in N processes; `auto`: one per usable core (the CPUs it may run "
                   "on, capped by a container's CPU limit). Every rule runs on "
                   "chunks of rows in every process, and the findings are the same as with "
                   "one. With --engine dask: the LocalCluster's workers.")
@click.option("--engine", "engine_name", type=click.Choice(("local", "dask")),
              default="local", show_default=True,
              help="Where chunks are checked: on this machine, or on a dask.distributed "
                   "cluster (pip install 'policylint[dask]').")
@click.option("--scheduler", metavar="ADDRESS",
              help="With --engine dask: the scheduler to send chunks to "
                   "(tcp://HOST:PORT). Default: a LocalCluster on this machine.")
@click.option("--chunk-rows", type=click.IntRange(min=1), hidden=True,
              help="Rows per chunk (default 5000). With --jobs 1: check in chunks in this "
                   "process, to test that the merge gives the findings one pass gives.")
@click.option("--today", metavar="DATE",
              help="Check as of this ISO date instead of today (reproducible runs).")
@click.option("--stdin-filename", metavar="NAME",
              help="With `-` as the batch: the file name findings show (its suffix picks the "
                   "reader, its directory the policy and attachments).")
@click.option("--sheet", metavar="NAME",
              help="The worksheet to check in an .xlsx batch (default: the first sheet).")
@click.option("--record", "record", type=click.Path(dir_okay=False, path_type=Path),
              help="Append one line per checked item to this dispatch record (keyed hashes "
                   "of recipient and destination, never personal data; also `record:` in "
                   "the policy). Search it with `policylint record find`.")
def check(batches: tuple[Path, ...], register: str | None, templates: tuple[Path, ...],
          out: OutputOptions, fail_on: str, select: tuple[str, ...],
          ignore: tuple[str, ...], policy: Path | None, debug: bool,
          baseline: Path | None, write_baseline: Path | None, baseline_reason: str | None,
          show_values: bool,
          allow_show_values_in_ci: bool, jobs: int, engine_name: str, scheduler: str | None,
          chunk_rows: int | None, today: str | None,
          record: Path | None, stdin_filename: str | None, sheet: str | None) -> None:
    """Check BATCH files (CSV, .xlsx, JSON Lines) against the policy, templates and register.

    Every row is rendered with its template once and checked by every enabled
    rule. Findings name the spreadsheet row (the header is row 1).

    \b
    Examples:
      policylint check batch.csv
      policylint check batch.csv --register register.sqlite --template letter.j2
      policylint check batch.csv --format sarif -o policylint.sarif
      policylint check batch.csv --write-baseline .policylint-baseline.json
    """

    def body() -> int:
        with tempfile.TemporaryDirectory(prefix="policylint-stdin-") as scratch:
            return checked(Path(scratch))

    def checked(scratch: Path) -> int:
        from policylint.engine import baseline as baselines
        from policylint.engine.runner import CheckRequest, run_check_parallel
        from policylint.model import Severity

        if show_values and in_ci() and not allow_show_values_in_ci:
            raise PolicylintError(
                "--show-values prints personal data, and CI is set: a CI log must never "
                "become the breach (add --allow-show-values-in-ci if you really mean it)")
        try:
            _check_sheet(sheet, batches)
            named = Path(stdin_filename) if stdin_filename else None
            loaded = _load_policy(policy, [named if str(b) == "-" and named else b
                                           for b in batches])
            if loaded.source is None and register is None:
                raise PolicylintError(
                    "no policy found: looked for policylint.yaml, .policylint.yaml or "
                    "[tool.policylint] in pyproject.toml next to the batch and in its parent "
                    "directories. Run `policylint init` to write a starter policy, or pass "
                    "--policy FILE")
            paths, displays = _stdin_batches(batches, stdin_filename, scratch)
            request = CheckRequest(
                batches=paths, displays=displays, policy=loaded, register=register,
                templates=templates, select=_split_rules(select), ignore=_split_rules(ignore),
                show_values=show_values, fail_on=Severity.parse(fail_on),
                today=_parse_today(today),
                baseline=baselines.load_baseline(baseline) if baseline else frozenset(),
                debug=debug, record=record, sheet=sheet,
                progress=progress_wanted(quiet=out.quiet))
            if chunk_rows is not None:
                request = replace(request, chunk_rows=chunk_rows)
            with _executor(engine_name, scheduler, jobs, chunk_rows) as executor:
                outcome = run_check_parallel(request, jobs, executor)
        except PolicylintError as exc:
            # The gate failed: a CI step that uploads the report `if: always()` must
            # find one that says so, not nothing (or last week's).
            if out.output is not None or out.fmt != "text":
                _emit_error(str(exc), batches, out, Severity.parse(fail_on))
            raise
        if write_baseline is not None:
            kept = outcome.baselinable
            count = baselines.write_baseline(write_baseline, kept,
                                             reason=baseline_reason or "")
            click.echo(f"policylint: wrote {count} fingerprints to {write_baseline}", err=True)
            left_out = len(outcome.unfiltered) - len(kept)
            if left_out:
                click.echo(f"policylint: left out {left_out} finding(s) about rows that could "
                           "not be checked: those always fail the run", err=True)
        else:
            emit(outcome, out)
        _say_incomplete(outcome)
        if write_baseline is not None:
            return EXIT_ERROR if not outcome.summary.complete else EXIT_CLEAN
        return out.exit_code(outcome.exit_code)

    _run(debug, body)


@contextlib.contextmanager
def _executor(engine: str, scheduler: str | None, jobs: int,
              chunk_rows: int | None) -> Any:
    """Where a check's chunks go: None (one pass, or --jobs processes), in this process
    (--chunk-rows with --jobs 1), or a Dask cluster."""
    if scheduler and engine != "dask":
        raise PolicylintError("--scheduler is for --engine dask")
    if engine == "dask":
        from policylint.engine.on_dask import DaskExecutor

        executor = DaskExecutor(scheduler, workers=jobs if jobs > 1 else None)
        try:
            yield executor
        finally:
            executor.close()
        return
    if chunk_rows is not None and jobs == 1:
        from policylint.engine.chunks import InlineExecutor

        yield InlineExecutor()
        return
    yield None


@cli.command()
@click.argument("templates", nargs=-1, required=True, type=click.Path(path_type=Path))
@common_output
def lint(templates: tuple[Path, ...], out: OutputOptions, fail_on: str,
         select: tuple[str, ...], ignore: tuple[str, ...], policy: Path | None,
         debug: bool) -> None:
    """Static checks of TEMPLATE files: syntax, fields, placeholders, audience.

    This is what the pre-commit hook runs in a repository of letter templates.
    Channel and audience come from each template's front matter, else from the
    policy's templates: entry whose glob matches the file.
    """

    def body() -> int:
        from policylint.engine.runner import CheckRequest, run_lint
        from policylint.model import Severity

        request = CheckRequest(policy=_load_policy(policy, templates),
                               select=_split_rules(select), ignore=_split_rules(ignore),
                               fail_on=Severity.parse(fail_on), debug=debug)
        outcome = run_lint(request, list(templates))
        emit(outcome, out)
        return out.exit_code(outcome.exit_code)

    _run(debug, body)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)
def rules(fmt: str) -> None:
    """List every rule: name, default severity, providing plugin, summary."""

    def body() -> int:
        from policylint.plugins import rule_registry

        registry = rule_registry()
        if fmt == "json":
            click.echo(json.dumps([
                {"name": n, "severity": e.rule.default_severity.value, "plugin": e.plugin,
                 "summary": e.rule.summary, "needs": sorted(e.rule.needs)}
                for n, e in registry.items()], indent=2))
            return EXIT_CLEAN
        width = max((len(n) for n in registry), default=10)
        for name, entry in registry.items():
            click.echo(f"{name:<{width}}  {entry.rule.default_severity.value:<7}  "
                       f"{entry.plugin:<10}  {entry.rule.summary}")
        return EXIT_CLEAN

    _run(False, body)


@cli.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Explain RULE: what it checks, why, its options, and a bad and a good example.

    RULE may also be a finding code (previous-address), rule[code] as the text
    output shows it, or an engine check (render-error, read-error, template-syntax,
    policy).
    """

    def body() -> int:
        from policylint.explain import explain as explain_text

        click.echo(explain_text(rule), nl=False)
        return EXIT_CLEAN

    _run(False, body)


@cli.command()
@click.option("--path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("policylint.yaml"), show_default=True)
@click.option("--from-batch", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Fit the `fields:` mapping to this batch's header (CSV, .xlsx, .jsonl).")
def init(path: Path, from_batch: Path | None) -> None:
    """Write a commented starter policylint.yaml (refuses to overwrite).

    It extends the uk-local-gov pack, lists every built-in rule with its default
    severity, and with --from-batch maps the roles your batch's columns play.
    """

    def body() -> int:
        from policylint.config.starter import read_header, starter_text
        from policylint.io.atomic import atomic_write_text
        from policylint.plugins import rule_registry

        if path.exists():
            raise PolicylintError("already exists; not overwriting", file=str(path))
        header = read_header(from_batch) if from_batch is not None else None
        rules = {name: entry.rule for name, entry in rule_registry().items()}
        atomic_write_text(path, starter_text(rules, header))
        click.echo(f"policylint: wrote {path}; edit register: and templates: to fit")
        return EXIT_CLEAN

    _run(False, body)


@cli.group()
def register() -> None:
    """Build and check registers (the system of record)."""


@register.command("build")
@click.argument("src_dir", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path),
              help="SQLite file to write.")
@click.option("--force", is_flag=True, help="Replace OUT if it exists.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def register_build(src_dir: Path, out: Path, force: bool, debug: bool) -> None:
    """Build an SQLite register (with indexes) from a directory of CSV tables."""

    def body() -> int:
        from policylint.io.register.build import build_sqlite

        counts = build_sqlite(src_dir, out, force=force)
        summary = ", ".join(f"{table} {n}" for table, n in counts.items())
        click.echo(f"policylint: wrote {out} ({summary})")
        return EXIT_CLEAN

    _run(debug, body)


@register.command("check")
@click.argument("location")
@click.option("--today", metavar="DATE", help="Check as of this ISO date instead of today.")
@click.option("--show-values", is_flag=True,
              help="Show person ids in full instead of masking them. Never in CI logs.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def register_check(location: str, today: str | None, show_values: bool, debug: bool) -> None:
    """Report problems in a register: unreadable rows, duplicates, two current
    addresses, dangling ids. Every problem is listed with its table (and row
    where it has one); person ids are masked unless --show-values.

    Exit codes: 0 consistent, 1 problems found, 2 the register could not be opened.
    """

    def body() -> int:
        from policylint.engine.runner import open_register
        from policylint.errors import RegisterErrors
        from policylint.io.register.check import check_register
        from policylint.masking import mask_identifier

        def shown(person_id: str) -> str:
            return person_id if show_values else mask_identifier(person_id)

        try:
            reg = open_register(location)
        except RegisterErrors as exc:
            for unreadable in exc.problems:
                click.echo(_one_line(str(unreadable)))
            click.echo(f"{len(exc.problems)} unreadable register row(s) found; fix them "
                       "before checking anything against this register.")
            return EXIT_ERROR
        try:
            problems = check_register(reg, _parse_today(today))
        finally:
            reg.close()
        for problem in problems:
            # reg.source, not the argument: a database URL's password is masked there.
            click.echo(f"{reg.source}: {problem.table}: {problem.code}: {problem.message} "
                       f"(person {shown(problem.person_id)})")
        click.echo(f"{len(problems)} register problem(s) found." if problems
                   else "Register looks consistent: no problems found.")
        return EXIT_FINDINGS if problems else EXIT_CLEAN

    _run(debug, body)


@cli.group("record")
def record_group() -> None:
    """Search the dispatch record written by `check --record` (breach triage)."""


@record_group.command("find")
@click.option("--record", "record", required=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The dispatch record (JSON Lines) to search.")
@click.option("--recipient", metavar="ID", help="A recipient_id, as the batch held it.")
@click.option("--destination", metavar="VALUE",
              help="An email address, a phone number, an address with its postcode, or a "
                   "postcode alone (everything sent into it).")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path),
              help="The record's key file (default: POLICYLINT_RECORD_KEY, else RECORD.key).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def record_find(record: Path, recipient: str | None, destination: str | None,
                key_file: Path | None, fmt: str, debug: bool) -> None:
    """What went to whom, and where: every recorded item for a recipient and/or a
    destination. The values you type are hashed with the record's key and never
    printed; matches show masked ids, rows, templates and what the rules found.

    \b
    Examples:
      policylint record find --record dispatch.jsonl --recipient P-10145
      policylint record find --record dispatch.jsonl --destination "17 Mill Lane, PE30 4AB"
      policylint record find --record dispatch.jsonl --destination 07700900123

    Exit codes: 0 matches found, 1 no match, 2 error.
    """

    def body() -> int:
        from policylint.record import find, record_key

        if not recipient and not destination:
            raise PolicylintError("give --recipient ID and/or --destination VALUE")
        if key_file is None and not (record.with_name(record.name + ".key").exists()
                                     or os.environ.get("POLICYLINT_RECORD_KEY")):
            raise PolicylintError("no key for this record: set POLICYLINT_RECORD_KEY or "
                                  "pass --key-file", file=str(record))
        matches = find(record, record_key(record, key_file), recipient=recipient,
                       destination=destination)
        if fmt == "json":
            click.echo(json.dumps(matches, indent=2, ensure_ascii=True))
        else:
            for entry in matches:
                result = entry.get("result") or {}
                found = ", ".join(result.get("findings") or []) or "no findings"
                click.echo(f"{entry.get('time', '?')}  {entry.get('file', '?')} row "
                           f"{entry.get('row', '?')}  {entry.get('channel') or '-'}  "
                           f"template {entry.get('template') or '-'}  recipient "
                           f"{entry.get('recipient_masked') or '-'}  "
                           f"{result.get('status', '?')}: {found}")
            click.echo(f"{len(matches)} recorded item(s) match.")
        return EXIT_CLEAN if matches else EXIT_FINDINGS

    _run(debug, body)


def main() -> None:
    cli(prog_name="policylint")
