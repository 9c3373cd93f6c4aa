"""The ``policylint`` command line (click).

Exit codes (DESIGN §4): 0 nothing at or above --fail-on; 1 findings;
2 usage, input, policy or internal error. No traceback without --debug.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click

from policylint import __version__
from policylint.errors import PolicylintError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "junit", "github")
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


def _load_policy(policy: Path | None) -> Any:
    from policylint.config.discovery import load_discovered
    from policylint.plugins import get_plugin_manager

    pack_dirs = [Path(p) for group in get_plugin_manager().hook.policylint_policy_packs()
                 for p in group]
    return load_discovered(Path.cwd(), policy, pack_dirs)


def _rule_infos() -> dict[str, Any]:
    from policylint.plugins import rule_registry
    from policylint.reporters.base import RuleInfo

    return {name: RuleInfo(name=name, summary=e.rule.summary,
                           default_severity=e.rule.default_severity, help=e.rule.doc())
            for name, e in rule_registry().items()}


def _emit(outcome: Any, fmt: str, output: Path | None, quiet: bool) -> None:
    from policylint.io.atomic import atomic_write_text
    from policylint.plugins import reporter_registry
    from policylint.reporters.text import TextReporter

    reporters = reporter_registry()
    if fmt not in reporters:
        raise PolicylintError(f"--format: unknown format '{fmt}' "
                              f"(one of {', '.join(sorted(reporters))})")
    color = (output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
             and fmt == "text")
    reporter = reporters[fmt](color=color, tool_version=__version__, rules=_rule_infos())
    if quiet and isinstance(reporter, TextReporter):
        # ruff's --quiet: the findings and nothing else, so a clean run is silent.
        text = "".join(reporter.format_finding(f) + "\n" for f in outcome.findings)
    else:
        text = reporter.render(outcome.findings, outcome.summary)
    if output is not None:
        atomic_write_text(output, text)
    elif text:
        click.echo(text, nl=not text.endswith("\n"))


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
    click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
                 show_default=True, help="Output format."),
    click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                 help="Write the report to FILE (atomically) instead of stdout."),
    click.option("--fail-on", type=click.Choice(SEVERITIES), default="error", show_default=True,
                 help="Exit 1 when a finding is at or above this severity."),
    click.option("--select", multiple=True, metavar="RULES",
                 help="Run only these rules (comma-separated, repeatable)."),
    click.option("--ignore", multiple=True, metavar="RULES",
                 help="Do not run these rules (comma-separated, repeatable)."),
    click.option("--policy", "-p", type=click.Path(dir_okay=False, path_type=Path),
                 help="Policy file (default: policylint.yaml or .policylint.yaml here or in a "
                      "parent directory, or [tool.policylint] in pyproject.toml)."),
    click.option("--quiet", "-q", is_flag=True,
                 help="Text format: print the findings only, no summary; nothing when clean."),
    click.option("--debug", is_flag=True, help="Show tracebacks for errors."),
]


def common_output(func: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed(_common_output):
        func = decorator(func)
    return func


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
              help="Write the fingerprints of every finding to this file (then exit 0).")
@click.option("--show-values", is_flag=True,
              help="Show personal data in messages instead of masking it. Never in CI logs.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
              help="Split the row-by-row rules across N processes (same output).")
@click.option("--today", metavar="DATE",
              help="Check as of this ISO date instead of today (reproducible runs).")
@click.option("--sheet", metavar="NAME",
              help="The worksheet to check in an .xlsx batch (default: the first sheet).")
def check(batches: tuple[Path, ...], register: str | None, templates: tuple[Path, ...],
          fmt: str, output: Path | None, fail_on: str, select: tuple[str, ...],
          ignore: tuple[str, ...], policy: Path | None, quiet: bool, debug: bool,
          baseline: Path | None, write_baseline: Path | None, show_values: bool, jobs: int,
          today: str | None, sheet: str | None) -> None:
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
        from policylint.engine import baseline as baselines
        from policylint.engine.runner import CheckRequest, run_check_parallel
        from policylint.model import Severity

        _check_sheet(sheet, batches)
        request = CheckRequest(
            batches=batches, policy=_load_policy(policy), register=register,
            templates=templates, select=_split_rules(select), ignore=_split_rules(ignore),
            show_values=show_values, fail_on=Severity.parse(fail_on),
            today=_parse_today(today),
            baseline=baselines.load_baseline(baseline) if baseline else frozenset(), debug=debug,
            sheet=sheet)
        outcome = run_check_parallel(request, jobs)
        if write_baseline is not None:
            count = baselines.write_baseline(write_baseline, outcome.unfiltered)
            click.echo(f"policylint: wrote {count} fingerprints to {write_baseline}", err=True)
            return EXIT_CLEAN
        _emit(outcome, fmt, output, quiet)
        return outcome.exit_code

    _run(debug, body)


@cli.command()
@click.argument("templates", nargs=-1, required=True, type=click.Path(path_type=Path))
@common_output
def lint(templates: tuple[Path, ...], fmt: str, output: Path | None, fail_on: str,
         select: tuple[str, ...], ignore: tuple[str, ...], policy: Path | None, quiet: bool,
         debug: bool) -> None:
    """Static checks of TEMPLATE files: syntax, fields, placeholders, audience.

    This is what the pre-commit hook runs in a repository of letter templates.
    Channel and audience come from each template's front matter, else from the
    policy's templates: entry whose glob matches the file.
    """

    def body() -> int:
        from policylint.engine.runner import CheckRequest, run_lint
        from policylint.model import Severity

        request = CheckRequest(policy=_load_policy(policy), select=_split_rules(select),
                               ignore=_split_rules(ignore), fail_on=Severity.parse(fail_on),
                               debug=debug)
        outcome = run_lint(request, list(templates))
        _emit(outcome, fmt, output, quiet)
        return outcome.exit_code

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
    """Explain RULE: what it checks, why, its options, and a bad and a good example."""

    def body() -> int:
        from policylint.explain import explain_rule
        from policylint.plugins import rule_registry

        registry = rule_registry()
        if rule not in registry:
            import difflib

            close = difflib.get_close_matches(rule, list(registry), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else " (see `policylint rules`)"
            raise PolicylintError(f"unknown rule '{rule}'{hint}")
        click.echo(explain_rule(registry[rule].rule, registry[rule].plugin))
        return EXIT_CLEAN

    _run(False, body)


@cli.command()
@click.option("--path", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("policylint.yaml"), show_default=True)
def init(path: Path) -> None:
    """Write a commented starter policylint.yaml (refuses to overwrite)."""

    def body() -> int:
        from importlib import resources

        if path.exists():
            raise PolicylintError("already exists; not overwriting", file=str(path))
        text = resources.files("policylint.config").joinpath("starter.yaml").read_text("utf-8")
        from policylint.io.atomic import atomic_write_text

        atomic_write_text(path, text)
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
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def register_check(location: str, today: str | None, debug: bool) -> None:
    """Report problems in a register: duplicates, two current addresses, dangling ids."""

    def body() -> int:
        from policylint.engine.runner import open_register
        from policylint.io.register.check import check_register

        reg = open_register(location)
        try:
            problems = check_register(reg, _parse_today(today))
        finally:
            reg.close()
        for problem in problems:
            click.echo(f"{location}: {problem.table}: {problem.code}: {problem.message} "
                       f"(person {problem.person_id})")
        click.echo(f"{len(problems)} register problem(s) found." if problems
                   else "Register looks consistent: no problems found.")
        return EXIT_FINDINGS if problems else EXIT_CLEAN

    _run(debug, body)


def main() -> None:
    cli(prog_name="policylint")
