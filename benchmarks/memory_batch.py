"""Stream a generated batch of N rows through the batch reader; print rows/s and peak RSS.

A multi-gigabyte batch cannot be part of the test suite; this is the by-hand check
that memory stays flat however long the batch (DESIGN §5):

    python benchmarks/memory_batch.py                      # 2,000,000 rows (~280 MB)
    python benchmarks/memory_batch.py --rows 20000000      # ~2.8 GB on disk
    python benchmarks/memory_batch.py --rows 200000 --keep batch.csv

Peak RSS (resource.getrusage) is the whole process, interpreter included; compare
runs of different --rows: it should not grow with them. Figures are for the
closing note, never assertions in tests.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from policylint.io.batch import CsvBatchReader  # noqa: E402

HEADER = ("recipient_id,title,first_name,last_name,address_line_1,address_line_2,"
          "address_line_3,postcode,email,phone,channel,account_ref\n")


def row(n: int) -> str:
    # A quoted multi-line address every 50th row, as real exports have.
    line_2 = f'"{n % 240} Mill Lane\nRear entrance"' if n % 50 == 0 else f"{n % 240} Mill Lane"
    return (f"P-{n:08d},Mrs,Siân,Okafor,Mrs S Okafor,{line_2},Kings Fenmarsh,PE30 4AB,"
            f"s.okafor{n}@example.org,07700 900{n % 1000:03d},letter,CT-{40000000 + n}\n")


def generate(path: Path, rows: int) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        batch: list[str] = []
        for n in range(1, rows + 1):
            batch.append(row(n))
            if len(batch) == 10_000:
                f.write("".join(batch))
                batch.clear()
        f.write("".join(batch))


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows to generate")
    parser.add_argument("--keep", type=Path, help="write the batch here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="policylint-memory-") as tmp:
        path = args.keep or Path(tmp) / "batch.csv"
        if not path.exists():
            started = time.perf_counter()
            generate(path, args.rows)
            print(f"generated {args.rows:,} rows ({path.stat().st_size / 2**20:,.0f} MiB) "
                  f"in {time.perf_counter() - started:.1f} s")
        rss_before = peak_rss_mib()
        started = time.perf_counter()
        count = 0
        with CsvBatchReader(path) as reader:
            for _ in reader.rows():
                count += 1
        seconds = time.perf_counter() - started
        print(f"streamed {count:,} rows in {seconds:.1f} s: {count / seconds:,.0f} rows/s")
        print(f"peak RSS {peak_rss_mib():,.1f} MiB (before reading: {rss_before:,.1f} MiB)")


if __name__ == "__main__":
    main()
