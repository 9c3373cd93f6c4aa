"""Per-rule cost: microseconds per row of each rule, the register loaded once.

Drives the real engine (:class:`~policylint.engine.runner.Engine` with
``CheckRequest(select=[rule])``) over the first ``--rows`` rows of a generated
batch, one rule at a time, and prints what each rule adds per row on top of
reading and rendering the batch (the "engine" line, no rules selected), CPU
time, best of ``--repeat`` rounds over every rule. Every rule is timed with
the normalisation caches emptied first, so its figure is its cost on its own;
the "all rules" line is the real check, where rules share what one of them
already normalised. A rule that needs the whole batch (recipient-mismatch)
includes the engine's second pass over it. "per batch" is what a rule costs
before its first row (indexes it builds), estimated from a 200-row batch.

    python benchmarks/profile_rules.py                          # 20,000 rows, every rule
    python benchmarks/profile_rules.py --rule stale-address --cprofile 25
    python benchmarks/profile_rules.py --channel voicemail      # the same rows as voicemails

``--channel`` rewrites every row's channel (and template, to the data set's
``council-tax-reminder-<channel>`` template unless ``--template`` names
another), to measure the rules that only look at emails, texts or voicemails.
The batch comes from benchmarks/gen_data.py (run benchmarks/bench_check.py
once). Figures are for the closing note, never assertions in tests.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import functools
import gc
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from policylint.config.policy import Policy, load_policy  # noqa: E402
from policylint.engine.rule import Rule  # noqa: E402
from policylint.engine.runner import (  # noqa: E402
    CheckRequest,
    Engine,
    default_template,
    open_batch,
    open_register,
    template_paths,
)
from policylint.io.register.base import Register  # noqa: E402
from policylint.io.templates import Template, load_templates  # noqa: E402
from policylint.plugins import rule_registry  # noqa: E402

DEFAULT_DATA = HERE / "data" / "p100000-r100000"
TODAY = dt.date(2026, 11, 26)  # the reference date bench_check.py checks with
WARM_ROWS = 500  # rows every rule sees once first, so lazily built register indexes exist
SMALL_ROWS = 200  # a short batch: what a rule costs per batch before its first row


def write_batch(source: Path, target: Path, rows: int, channel: str | None,
                template: str | None) -> int:
    """The first ``rows`` rows of ``source`` (as UTF-8 CSV), channel rewritten if asked;
    returns how many rows were written."""
    with open(source, encoding="utf-8-sig", newline="") as inp, \
            open(target, "w", encoding="utf-8", newline="") as out:
        reader = csv.DictReader(inp)
        assert reader.fieldnames is not None
        writer = csv.DictWriter(out, reader.fieldnames)
        writer.writeheader()
        written = 0
        for row in reader:
            if written >= rows:
                break
            if channel is not None:
                row["channel"] = channel
                row["template"] = template or f"council-tax-reminder-{channel}"
            writer.writerow(row)
            written += 1
    return written


def clear_caches() -> None:
    """Empty every functools cache in policylint (normalisations memoised across rows)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("policylint") or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, functools._lru_cache_wrapper):
                value.cache_clear()
    gc.collect()


_RULE_METHODS = ("begin_batch", "observe", "check_item", "finish")


@contextlib.contextmanager
def time_inside(rule: type[Rule]) -> Iterator[list[float]]:
    """CPU seconds spent inside ``rule``'s own methods while the block runs (``[0]``).

    Measured where the time is spent rather than as a difference of two runs, so
    it is steady on a busy machine; the engine's share of a row is not in it."""
    spent = [0.0]
    own = {name: rule.__dict__.get(name) for name in _RULE_METHODS}

    def timed(method: Callable[..., object]) -> Callable[..., object]:
        def call(self: Rule, *args: object) -> object:
            start = time.process_time()
            try:
                result = method(self, *args)
                # check_item may return a generator: the work is done while it is read.
                return list(result) if isinstance(result, Iterable) else result
            finally:
                spent[0] += time.process_time() - start
        return call

    for name in _RULE_METHODS:
        setattr(rule, name, timed(getattr(rule, name)))
    try:
        yield spent
    finally:
        for name, method in own.items():
            if method is None:
                delattr(rule, name)
            else:
                setattr(rule, name, method)


class Bench:
    def __init__(self, policy: Policy, register: Register, templates: dict[str, Template]
                 ) -> None:
        self.policy = policy
        self.register = register
        self.templates = templates
        self.default = default_template(templates, ())

    def engine(self, rules: Sequence[str] | None) -> Engine:
        """An engine running ``rules`` (None: every rule; empty: none) on the shared register."""
        request = CheckRequest(policy=self.policy, select=tuple(rules or ()), today=TODAY)
        engine = Engine(request, needs_register=False)
        engine.register = self.register
        engine.context.register = self.register
        if rules is not None and not rules:
            engine.chosen = []
        return engine

    def run(self, rules: Sequence[str] | None, batch: Path) -> tuple[float, int, float]:
        """Seconds to check ``batch``, the number of findings, and the seconds spent
        inside the rule when ``rules`` is one rule (else 0)."""
        engine = self.engine(rules)
        reader = open_batch(batch)
        inside = (time_inside(rule_registry()[rules[0]].rule) if rules and len(rules) == 1
                  else contextlib.nullcontext([0.0]))
        try:
            with inside as spent:
                start = time.process_time()
                engine.check_batch(reader, self.templates, self.default)
                seconds = time.process_time() - start
        finally:
            reader.close()
        return seconds, len(engine.collector.findings), spent[0]

    def timed(self, rules: Sequence[str] | None, batch: Path) -> tuple[float, int, float]:
        """:meth:`run` from empty caches."""
        clear_caches()
        return self.run(rules, batch)


def profile(call: Callable[[], object], top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(text.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="a directory written by benchmarks/gen_data.py")
    parser.add_argument("--register", help="register location (default: the policy's)")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rule", action="append", default=[],
                        help="time only this rule (repeatable; default: every rule)")
    parser.add_argument("--channel", choices=("letter", "email", "sms", "voicemail"))
    parser.add_argument("--template", help="template name for --channel rows")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds over every rule; each figure is its best round")
    parser.add_argument("--cprofile", type=int, metavar="N", default=0,
                        help="also print the top N functions of each rule's cProfile")
    args = parser.parse_args(argv)

    policy_path = args.data / "policylint.yaml"
    if not (args.data / "batch.csv").exists():
        parser.error(f"{args.data}: no batch.csv (run benchmarks/bench_check.py first)")
    policy = load_policy(policy_path)
    location = args.register or policy.register
    assert location, "the policy names no register"
    registry = rule_registry()
    names = args.rule or sorted(registry)
    unknown = [n for n in names if n not in registry]
    if unknown:
        parser.error(f"unknown rule {unknown[0]}")

    start = time.process_time()
    register = open_register(location)
    templates = load_templates(template_paths(policy))
    bench = Bench(policy, register, templates)
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "batch.csv"
        small = Path(tmp) / "small.csv"
        warm = Path(tmp) / "warm.csv"
        source = args.data / "batch.csv"
        rows = write_batch(source, batch, args.rows, args.channel, args.template)
        small_rows = write_batch(source, small, SMALL_ROWS, args.channel, args.template)
        write_batch(source, warm, WARM_ROWS, args.channel, args.template)
        bench.run(None, warm)  # the register's lazy indexes: part of its load, not of a rule
        print(f"register {location} opened and warmed in {time.process_time() - start:.1f} s")
        channel = args.channel or "as generated"
        print(f"{rows:,} rows (channel: {channel}); µs per row on top of reading and rendering\n")

        # Rounds of every configuration in turn, best of the rounds: a machine whose
        # load changes while this runs skews every configuration alike.
        configs: list[tuple[str, list[str] | None]] = [("(engine)", [])]
        configs += [(name, [name]) for name in names]
        if not args.rule:
            configs.append(("all rules together", None))
        best: dict[str, float] = {}
        best_small: dict[str, float] = {}
        best_inside: dict[str, float] = {}
        found: dict[str, int] = {}
        for _ in range(max(args.repeat, 1)):
            for label, selected in configs:
                seconds, found[label], inside = bench.timed(selected, batch)
                best[label] = min(best.get(label, seconds), seconds)
                best_inside[label] = min(best_inside.get(label, inside), inside)
                seconds, _, _ = bench.timed(selected, small)
                best_small[label] = min(best_small.get(label, seconds), seconds)
        base, base_small = best["(engine)"], best_small["(engine)"]
        print(f"{'rule':<20} {'in rule':>8} {'vs engine':>10} {'per batch':>10} "
              f"{'findings':>9}")
        print(f"{'(engine)':<20} {'':>8} {base / rows * 1e6:10.1f}")
        total = total_inside = 0.0
        for label, selected in configs[1:]:
            per_row = (best[label] - base) / rows
            setup = max(0.0, (best_small[label] - base_small) - per_row * small_rows)
            if selected is None:
                print(f"{'sum of rules':<20} {total_inside * 1e6:8.1f} {total * 1e6:10.1f}")
                inside_text = ""
            else:
                total += per_row
                total_inside += best_inside[label] / rows
                inside_text = f"{best_inside[label] / rows * 1e6:8.1f}"
            print(f"{label:<20} {inside_text:>8} {per_row * 1e6:10.1f} {setup * 1e3:8.1f}ms "
                  f"{found[label]:9,}")
        if args.rule:
            print(f"{'sum of rules':<20} {total_inside * 1e6:8.1f} {total * 1e6:10.1f}")
        else:
            print(f"full check: {rows / best['all rules together']:,.0f} rows/s "
                  "(register load excluded)")
        if args.cprofile:
            for name in names:
                print(f"\n--- cProfile: {name}")
                clear_caches()
                profile(functools.partial(bench.run, [name], batch), args.cprofile)
    register.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
