"""Writing an outcome the way the command line was asked to: format, file, colour,
statistics, grouping, and the exit code that goes with it.

Kept apart from :mod:`policylint.cli` so the command functions stay about
commands, and so the same choices apply to ``check`` and ``lint`` alike.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import click

from policylint import __version__
from policylint.errors import PolicylintError
from policylint.model import Finding, Summary

COLOR_CHOICES = ("auto", "always", "never")
GROUPS = ("row", "rule")


class Reportable(Protocol):
    findings: list[Finding]
    summary: Summary


@dataclass(frozen=True)
class OutputOptions:
    """How to report: what ``--format``, ``-o``, ``--quiet``, ``--color``,
    ``--exit-zero``, ``--statistics`` and ``--group-by`` asked for."""

    fmt: str = "text"
    output: Path | None = None
    quiet: bool = False
    color: str = "auto"
    exit_zero: bool = False
    statistics: bool = False
    group_by: str | None = None

    def use_color(self, stream_is_tty: bool) -> bool:
        """``--color`` first; for ``auto``: NO_COLOR off, FORCE_COLOR on, else a terminal."""
        if self.color != "auto":
            return self.color == "always"
        if os.environ.get("NO_COLOR"):
            return False
        if os.environ.get("FORCE_COLOR"):
            return True
        return stream_is_tty

    def exit_code(self, code: int) -> int:
        """``--exit-zero`` turns "findings" into success, never "not checked" (2)."""
        return 0 if self.exit_zero and code == 1 else code


def rule_infos() -> dict[str, Any]:
    from policylint.plugins import rule_registry
    from policylint.reporters.base import RuleInfo

    return {name: RuleInfo(name=name, summary=e.rule.summary,
                           default_severity=e.rule.default_severity, help=e.rule.doc(),
                           help_uri=docs_uri(name))
            for name, e in rule_registry().items()}


DOCS_ROOT = "https://policylint.github.io/policylint"


def docs_uri(rule: str) -> str:
    """The rule's page on the documentation site (built from docs/ by mkdocs)."""
    return f"{DOCS_ROOT}/rules/{rule}/"


def statistics_lines(findings: Sequence[Finding]) -> list[str]:
    """``count  rule[code]  severity``, one line per rule and code, most frequent first."""
    counts = Counter((f.rule, f.code, f.severity.value) for f in findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(n)) for n in counts.values()), default=1)
    return [f"{n:>{width}}  {rule}[{code}]  {severity}" if code else
            f"{n:>{width}}  {rule}  {severity}"
            for (rule, code, severity), n in ordered]


def render(outcome: Reportable, options: OutputOptions, *, to_terminal: bool) -> str:
    from policylint.plugins import reporter_registry
    from policylint.reporters.base import summary_line
    from policylint.reporters.text import TextReporter

    reporters = reporter_registry()
    if options.fmt not in reporters:
        raise PolicylintError(f"--format: unknown format '{options.fmt}' "
                              f"(one of {', '.join(sorted(reporters))})")
    color = options.fmt == "text" and options.use_color(to_terminal)
    reporter = reporters[options.fmt](color=color, tool_version=__version__,
                                      rules=rule_infos())
    if isinstance(reporter, TextReporter):
        if options.statistics:
            lines = statistics_lines(outcome.findings)
            if not options.quiet:
                lines.append(summary_line(outcome.summary))
            return "".join(line + "\n" for line in lines)
        reporter.group_by = options.group_by
        if options.quiet:
            # ruff's --quiet: the findings and nothing else, so a clean run is silent.
            text = "".join(reporter.format_finding(f) + "\n" for f in outcome.findings)
        else:
            text = reporter.render(outcome.findings, outcome.summary)
        return wrap_for_terminal(text) if to_terminal else text
    return reporter.render(outcome.findings, outcome.summary)


def wrap_for_terminal(text: str, width: int | None = None) -> str:
    """Long lines wrapped to the terminal's width, continuation lines indented, so a
    message is read whole instead of running off the screen. Only on a terminal:
    a pipe or a file keeps one finding per line for tools."""
    import shutil
    import textwrap

    columns = width or shutil.get_terminal_size((100, 24)).columns
    if columns < 40:
        return text
    wrapped = []
    for line in text.splitlines():
        wrapped.extend(textwrap.wrap(line, columns, subsequent_indent="    ",
                                     break_on_hyphens=False) or [""])
    return "\n".join(wrapped) + "\n"


def emit(outcome: Reportable, options: OutputOptions, *, announce: bool = True) -> None:
    """Write the report to ``-o`` (atomically) or stdout; with a file, the one-line
    summary still goes to the terminal (stderr)."""
    from policylint.io.atomic import atomic_write_text
    from policylint.reporters.base import summary_line

    to_terminal = options.output is None and sys.stdout.isatty()
    text = render(outcome, options, to_terminal=to_terminal)
    if options.output is not None:
        atomic_write_text(options.output, text)
        if announce and not options.quiet:
            click.echo(f"policylint: {summary_line(outcome.summary)} Report: {options.output}",
                       err=True)
    elif text:
        # click strips colour codes when stdout is not a terminal; --color always and
        # FORCE_COLOR mean keep them.
        coloured = options.fmt == "text" and options.use_color(to_terminal)
        click.echo(text, nl=not text.endswith("\n"), color=True if coloured else None)
    if options.statistics and options.fmt != "text":
        for line in statistics_lines(outcome.findings):
            click.echo(line, err=True)
    if options.fmt == "github":
        write_step_summary(outcome, os.environ)


def write_step_summary(outcome: Reportable, environ: Mapping[str, str]) -> None:
    """GitHub Actions: a Markdown table of findings per rule on the run's summary page."""
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    from policylint.reporters.base import run_errors, summary_line

    lines = ["## policylint", "", summary_line(outcome.summary), ""]
    lines += [f"> **Not checked:** {error}" for error in run_errors(outcome.summary)]
    if outcome.findings:
        lines += ["| findings | rule[code] | severity |", "|---:|---|---|"]
        for line in statistics_lines(outcome.findings):
            count, name, severity = line.split()
            lines.append(f"| {count} | `{name}` | {severity} |")
    try:
        with open(target, "a", encoding="utf-8") as summary:
            summary.write("\n".join(lines) + "\n")
    except OSError as exc:
        raise PolicylintError(f"cannot write the step summary: {exc.strerror}",
                              file=target) from None
