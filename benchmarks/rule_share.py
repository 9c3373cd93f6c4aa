"""Where a real check spends its time: each rule's methods, inside one ``policylint check``.

``profile_rules.py`` times each rule on its own, from empty caches. This script runs
the command line itself (``policylint check`` with whatever options follow ``--``,
in this process: ``--jobs 1``) and adds up the time of every call the engine makes
to a rule (``observe``, ``check_item``, ``prepare_register``, ``finish``, ...),
so rules that share a cache are charged as they are in a real run: the first rule
to ask for a recipient's record pays for reading it. What is left (reading and
rendering the batch, loading the register, reporting) is the "outside rules" line.

    python benchmarks/rule_share.py -- check batch.csv -p policylint.yaml -o report.txt

Run it from a directory written by benchmarks/gen_data.py (``batch.csv``,
``policylint.yaml``). Calls are timed by ``time.perf_counter`` (45 ns a reading here;
``process_time`` costs 600 ns, which would add some 14 us to every row): on a
machine that is not otherwise busy, a single-process check's wall time is its CPU
time. Figures are for notes and benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from policylint.engine import runner  # noqa: E402
from policylint.engine.collector import ActiveRule  # noqa: E402
from policylint.model import Row, Violation  # noqa: E402

Key = tuple[str, str]


def charged(spent: dict[Key, float]) -> Callable[..., list[Violation]]:
    """``Engine.guard`` that also adds the seconds of each call to ``spent``."""
    guard = runner.Engine.guard

    def timed(engine: runner.Engine, active: ActiveRule, row: Row | None,
              method: Callable[..., Iterable[Violation] | None], *args: Any) -> list[Violation]:
        start = time.perf_counter()
        try:
            return guard(engine, active, row, method, *args)
        finally:
            key = (active.rule.name, method.__name__)
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - start

    return timed


def table(spent: dict[Key, float], total: float, rows: int) -> str:
    lines = [f"{'rule':<22} {'method':<18} {'seconds':>8} {'us/row':>8} {'share':>6}"]
    for (rule, method), seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        if seconds < 0.005:
            continue
        lines.append(f"{rule:<22} {method:<18} {seconds:8.2f} {seconds / rows * 1e6:8.1f} "
                     f"{seconds / total:6.1%}")
    inside = sum(spent.values())
    lines.append(f"{'rules, in all':<41} {inside:8.2f} {inside / rows * 1e6:8.1f} "
                 f"{inside / total:6.1%}")
    outside = total - inside
    lines.append(f"{'outside rules':<41} {outside:8.2f} {outside / rows * 1e6:8.1f} "
                 f"{outside / total:6.1%}")
    lines.append(f"{'the run':<41} {total:8.2f} {total / rows * 1e6:8.1f}")
    return "\n".join(lines)


def counted(rows: list[int]) -> Callable[..., None]:
    """``Engine.check_one`` that also counts the items it checks (``rows[0]``)."""
    check_one = runner.Engine.check_one

    def counting(engine: runner.Engine, *args: Any) -> None:
        rows[0] += 1
        check_one(engine, *args)

    return counting


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="what follows --: the policylint command line (check ...)")
    args = parser.parse_args(argv)
    command = [a for a in args.command if a != "--"]
    if not command or command[0] != "check" or any(a.startswith(("--jobs", "-j"))
                                                   for a in command):
        parser.error("give a `check` command line after --, without --jobs "
                     "(workers' time would not be counted)")
    spent: dict[Key, float] = {}
    rows = [0]
    runner.Engine.guard = charged(spent)  # type: ignore[method-assign]
    runner.Engine.check_one = counted(rows)  # type: ignore[method-assign]
    from policylint.cli import cli

    start = time.perf_counter()
    try:
        cli.main(args=command, prog_name="policylint", standalone_mode=False)
    finally:
        total = time.perf_counter() - start
        print(table(spent, total, rows[0]) if rows[0] else "no row was checked",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
