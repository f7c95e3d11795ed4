"""Benchmark: due dates with the working-day index vs the day-by-day reference.

    uv run python bench/workcal_due.py [--count 1000000] [--baseline 20000] [--seed 2025]

Random reception instants in 2023-2026 (any second of the day, any day), 1-30 working
days. Uses the shipped schedules and default office hours (no database needed). The
day-by-day baseline runs on a sample and is scaled; both raw figures are printed. The two
run in interleaved rounds so that other load on the machine affects both alike.
Exits non-zero if the two disagree on the sample or the speed-up is below 20x.
"""

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
os.environ.setdefault("CCHC_DEBUG", "1")

import django  # noqa: E402

django.setup()

from cchc.workcal.calendar import VN_TZ  # noqa: E402
from cchc.workcal.selectors import shipped_calendar  # noqa: E402

REQUIRED_SPEEDUP = 20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    start = datetime(2023, 1, 1, tzinfo=VN_TZ)
    span = int((datetime(2027, 1, 1, tzinfo=VN_TZ) - start).total_seconds())
    inputs = [(start + timedelta(seconds=rng.randrange(span)), rng.randint(1, 30))
              for _ in range(args.count)]
    sample = inputs[: min(args.baseline, args.count)]

    calendar = shipped_calendar()
    t0 = time.perf_counter()
    calendar.due(inputs[0][0], 30)  # builds the index for the years touched so far
    calendar.due(datetime(2026, 12, 31, 16, tzinfo=VN_TZ), 30)
    build = time.perf_counter() - t0

    # Interleaved rounds, so that a change of machine load hits both sides alike.
    due, reference = calendar.due, calendar.reference_due
    indexed = baseline = 0.0
    expected = []
    rounds = args.rounds
    for k in range(rounds):
        chunk = inputs[k * len(inputs) // rounds:(k + 1) * len(inputs) // rounds]
        t0 = time.perf_counter()
        for received, days in chunk:
            due(received, days)
        indexed += time.perf_counter() - t0
        chunk = sample[k * len(sample) // rounds:(k + 1) * len(sample) // rounds]
        t0 = time.perf_counter()
        expected += [reference(received, days) for received, days in chunk]
        baseline += time.perf_counter() - t0

    mismatches = sum(due(r, d) != e for (r, d), e in zip(sample, expected, strict=True))
    per_index = indexed / len(inputs) * 1e6
    per_baseline = baseline / len(sample) * 1e6
    speedup = per_baseline / per_index

    print(f"python {sys.version.split()[0]}, {len(inputs):,} due dates of 1-30 working days, "
          f"receptions 2023-2026, shipped calendar, office day 8 h")
    print(f"index build (2023-2027)      : {build * 1000:8.1f} ms")
    print(f"index, {len(inputs):>9,} calls      : {indexed:8.2f} s  = {per_index:7.2f} us/call")
    print(f"day-by-day, {len(sample):>9,} calls : {baseline:8.2f} s  = {per_baseline:7.2f} us/call")
    print(f"day-by-day scaled to {len(inputs):,}: {per_baseline * len(inputs) / 1e6:8.1f} s (estimate)")
    print(f"speed-up per call            : {speedup:8.1f}x (required >= {REQUIRED_SPEEDUP}x)")
    print(f"disagreements on the sample  : {mismatches}")
    if mismatches or speedup < REQUIRED_SPEEDUP:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
