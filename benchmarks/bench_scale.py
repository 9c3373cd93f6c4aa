"""Throughput and peak memory at scale: the floor, the full check, and --jobs, side by side.

    python benchmarks/bench_scale.py                      # 100,000 letter rows
    python benchmarks/bench_scale.py --rows 1000000       # a million (a register of 1.37 M)
    python benchmarks/bench_scale.py --rows 20000 --only floor,check

For N letter rows against a register of comparable size (``--people``, default
1.37 x N, the ratio of a council's register to its council-tax run), each
configuration runs as its own process, timed from outside (wall seconds, so
interpreter start-up and register load are included in every figure), with
its peak RSS read from that process's ``ru_maxrss``:

* ``register``: load the CSV register only (load seconds, peak RSS);
* ``floor``: load the register, read the batch and render every row with its
  template, no rules (written with the library: what a checker cannot beat);
* ``check``: ``policylint check`` with the generated policy, which extends the
  ``uk-local-gov`` pack (every built-in rule);
* ``jobs2``, ``jobs4``: the same with ``--jobs 2`` and ``--jobs 4`` (peak RSS is
  the parent's, or the largest worker's if that is larger).

Every run is reported as rows/s and as a ratio to the floor of the same run
(``x floor``: how many times slower than the floor). Data come from
benchmarks/gen_data.py and are generated once per size into ``--data``.
Figures are measurements for notes and benchmarks/README.md, never assertions
in tests: the machine they run on decides them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TODAY = "2026-11-26"  # gen_data's reference date: reproducible findings
CONFIGS = ("register", "floor", "check", "jobs2", "jobs4", "dask2")


@dataclass(frozen=True)
class Result:
    name: str
    seconds: float
    peak_mib: float
    exit_code: int
    detail: dict[str, float]


def run(name: str, command: list[str]) -> Result:
    """Run ``command`` to completion: wall seconds, exit code, and what it printed
    as JSON (the ``--peak-of`` wrapper prints peak RSS and CPU seconds)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env)
    out, err = child.communicate()
    seconds = time.perf_counter() - started
    code = child.returncode
    if code == 2 and b"not checked" in err:
        # The run finished but said some rows could not be checked: still a timing,
        # reported with its exit code (and what it said) rather than thrown away.
        print(f"  {name}: exit 2: {err.decode(errors='replace').strip()[-300:]}")
    elif code not in (0, 1):
        raise SystemExit(f"{name}: {' '.join(command)} failed ({code}):\n"
                         f"{err.decode(errors='replace')[-2000:]}")
    detail: dict[str, float] = {}
    if out.strip().startswith(b"{"):
        detail = json.loads(out)
    return Result(name, seconds, detail.pop("peak_mib", float("nan")), code, detail)


def run_measured(name: str, command: list[str]) -> Result:
    """:func:`run` with ``command`` under this script's ``--peak-of`` wrapper, which
    waits for it with ``os.wait4``: the rusage of that one child (its peak RSS, or
    its largest waited-for worker's, and its CPU time with its workers'), so
    configurations never mix as RUSAGE_CHILDREN's running maximum would."""
    return run(name, [sys.executable, str(Path(__file__).resolve()), "--peak-of", *command])


def peak_of(command: list[str]) -> int:
    """Run ``command``; print as JSON what it printed as JSON (if anything) plus its
    peak RSS and CPU seconds (user + system, its waited-for workers included);
    return its exit code, passing its stderr on."""
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        assert child.stdout is not None
        out = child.stdout.read()
        _pid, status, usage = os.wait4(child.pid, 0)  # reaped here, with its rusage
        child.returncode = code = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        err = errors.read()
    sys.stderr.write(err.decode(errors="replace"))
    sys.stderr.flush()
    detail = json.loads(out) if out.strip().startswith(b"{") else {}
    detail.update(peak_mib=usage.ru_maxrss / 1024, cpu_s=usage.ru_utime + usage.ru_stime)
    print(json.dumps(detail))
    return code


def phase_register(data: Path) -> None:
    """Load the CSV register once; print load seconds and peak RSS."""
    import resource

    from policylint.arrow import arrow
    from policylint.io.register import open_register

    arrow()  # the columnar reader's library, loaded by any check: not the register's
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # interpreter + code
    resident = _resident_mib()
    started = time.perf_counter()
    cpu = time.process_time()
    register = open_register(str(data / "register"))
    load_s, load_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    gc.collect()
    print(json.dumps({"load_s": load_s, "load_cpu_s": load_cpu_s, "before_mib": before,
                      "held_mib": _resident_mib() - resident}))
    register.close()


def _resident_mib() -> float:
    """This process's resident memory now (Linux: /proc/self/statm), not its peak."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def phase_floor(data: Path) -> None:
    """Load the register, read the batch, render every row: no rules."""
    from policylint.config.policy import load_policy
    from policylint.engine.runner import open_batch, open_register, template_paths
    from policylint.io.fields import resolve_fields
    from policylint.io.templates import RenderError, load_templates, render

    started = time.perf_counter()
    policy = load_policy(data / "policylint.yaml")
    register = open_register(str(data / "register"))
    loaded = time.perf_counter()
    templates = load_templates(template_paths(policy))
    reader = open_batch(data / "batch.csv")
    fields = resolve_fields(reader.names, policy.fields, file=reader.display)
    template_column = fields.header("template") or ""
    rows = rendered = 0
    for row in reader.rows():
        rows += 1
        template = templates.get(row.get(template_column).strip())
        if template is None:
            continue
        try:
            render(template, row.values)
        except RenderError:
            continue
        rendered += 1
    reader.close()
    register.close()
    print(json.dumps({"rows": rows, "rendered": rendered, "load_s": loaded - started}))


def ensure_data(data: Path, people: int, rows: int) -> None:
    if (data / "batch.csv").exists() and (data / "register" / "people.csv").exists():
        return
    from benchmarks.gen_data import generate

    print(f"generating {people:,} people and {rows:,} rows into {data} ...", flush=True)
    summary = generate(data, people=people, rows=rows)
    print(f"  done in {summary.seconds:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--peak-of"]:
        return peak_of(argv[1:])
    if argv[:1] == ["--phase"]:
        {"register": phase_register, "floor": phase_floor}[argv[1]](Path(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=None,
                        help="register size (default: 1.37 x rows)")
    parser.add_argument("--data", type=Path, default=HERE / "data",
                        help="where generated data are kept (default: benchmarks/data)")
    parser.add_argument("--only", default=",".join(CONFIGS),
                        help=f"comma-separated configurations (default: {','.join(CONFIGS)})")
    args = parser.parse_args(argv)
    people = args.people or round(args.rows * 1.37)
    wanted = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = sorted(set(wanted) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configuration(s): {', '.join(unknown)}")
    data = args.data / f"p{people}-r{args.rows}"
    ensure_data(data, people, args.rows)
    csv_mib = sum(p.stat().st_size for p in (data / "register").glob("*.csv")) / 2**20

    me = [sys.executable, str(Path(__file__).resolve())]
    def check(name: str, *extra: str) -> list[str]:
        return [sys.executable, "-m", "policylint", "check", str(data / "batch.csv"),
                "--policy", str(data / "policylint.yaml"), "--register",
                str(data / "register"), "--today", TODAY, "--format", "json",
                "--output", str(data / f"report-{name}.json"), "--quiet", *extra]

    commands = {
        "register": lambda: run_measured("register", [*me, "--phase", "register", str(data)]),
        "floor": lambda: run_measured("floor", [*me, "--phase", "floor", str(data)]),
        "check": lambda: run_measured("check", check("check")),
        "jobs2": lambda: run_measured("jobs2", check("jobs2", "--jobs", "2")),
        "jobs4": lambda: run_measured("jobs4", check("jobs4", "--jobs", "4")),
        "dask2": lambda: run_measured("dask2", check("dask2", "--engine", "dask", "--jobs",
                                                     "2")),
    }
    print(f"{args.rows:,} letter rows, register of {people:,} people "
          f"({csv_mib:.0f} MiB of CSV), {os.cpu_count()} CPUs, {dt.date.today()}", flush=True)
    results: dict[str, Result] = {}
    for name in wanted:
        results[name] = result = commands[name]()
        print(f"  {name:<8} {result.seconds:7.1f} s  peak {result.peak_mib:6.0f} MiB"
              f"  {json.dumps(result.detail) if result.detail else ''}", flush=True)

    floor = results.get("floor")
    print()
    print("| run | seconds | rows/s | x floor | CPU s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, result in results.items():
        if name == "register":
            load = result.detail.get("load_s", result.seconds)
            cpu = result.detail.get("load_cpu_s", float("nan"))
            added = result.peak_mib - result.detail.get("before_mib", 0.0)
            held = result.detail.get("held_mib", float("nan"))
            print(f"| register load only | {load:.1f} | | | {cpu:.1f} | {result.peak_mib:.0f} "
                  f"(load +{added:.0f}: {added / csv_mib:.1f}x its CSV; held after it "
                  f"{held:.0f}: {held / csv_mib:.1f}x) |")
            continue
        ratio = f"{result.seconds / floor.seconds:.1f}x" if floor else ""
        note = "" if result.exit_code in (0, 1) else f" (exit {result.exit_code})"
        print(f"| {name}{note} | {result.seconds:.1f} | {args.rows / result.seconds:,.0f} | "
              f"{ratio} | {result.detail.get('cpu_s', float('nan')):.1f} | "
              f"{result.peak_mib:.0f} |")
    reports = {name: data / f"report-{name}.json" for name in results
               if (data / f"report-{name}.json").exists()}
    if len(reports) > 1:
        texts = {name: path.read_bytes() for name, path in reports.items()}
        same = len(set(texts.values())) == 1
        print(f"\nreports of {', '.join(texts)}: {'identical' if same else 'DIFFERENT'}")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"scale-p{people}-r{args.rows}.json").write_text(json.dumps(
        {name: {"seconds": r.seconds, "peak_mib": r.peak_mib, "exit": r.exit_code, **r.detail}
         for name, r in results.items()}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
