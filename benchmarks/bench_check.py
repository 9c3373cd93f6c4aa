"""Throughput and memory of `policylint check` with the full rule set.

Generates (once) a letter batch and a register with benchmarks/gen_data.py, then
times the real command line against the CSV register and against an SQLite
register built from it, and prints rows per second and peak memory.

    python benchmarks/bench_check.py                    # 100,000 rows x 100,000 people
    python benchmarks/bench_check.py --rows 20000 --people 20000

Figures are measurements for the closing note, never assertions in tests.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.gen_data import generate  # noqa: E402


def run(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS of the child in MiB, exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          check=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr}")
    return seconds, max(peak, before) / 1024, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "data")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()

    data = args.out / f"p{args.people}-r{args.rows}"
    if not (data / "batch.csv").exists():
        generate(data, people=args.people, rows=args.rows)
    sqlite = data / "register.sqlite"
    exe = [sys.executable, "-m", "policylint"]
    if not sqlite.exists():
        build_s, _, _ = run([*exe, "register", "build", str(data / "register"), "-o", str(sqlite)])
        print(f"register build: {build_s:.1f} s")
    results = {}
    for label, register in (("csv register", data / "register"), ("sqlite register", sqlite)):
        report = data / f"report-{label.split()[0]}.json"
        command = [*exe, "check", str(data / "batch.csv"),
                   "--policy", str(data / "policylint.yaml"), "--register", str(register),
                   "--today", "2026-11-26", "--format", "json", "--output", str(report)]
        seconds, peak, code = run(command)
        results[label] = {"rows": args.rows, "people": args.people, "seconds": round(seconds, 2),
                          "rows_per_second": round(args.rows / seconds),
                          "peak_rss_mib": round(peak), "exit": code}
        print(f"{label:>16}: {args.rows:,} rows in {seconds:.1f} s = "
              f"{args.rows / seconds:,.0f} rows/s, peak RSS {peak:,.0f} MiB (exit {code})")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"check-p{args.people}-r{args.rows}.json").write_text(
        json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
