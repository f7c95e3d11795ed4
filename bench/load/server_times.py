"""Server-side time per endpoint from gunicorn's request log (cchc.request JSON lines,
CCHC_LOG_LEVEL=INFO): what the workers spent on each request, without the time a request
waited for a free worker (which locust's figures include).

    uv run python bench/load/server_times.py LOG [--from-line N] [--seconds S --workers W]
"""

import argparse
import collections
import json
import re

PATTERNS = [
    (r"/api/v1/dossiers/[^/]+/actions/$", "/api/v1/dossiers/<code>/actions/"),
    (r"/api/v1/dossiers/[^/]+/history/$", "/api/v1/dossiers/<code>/history/"),
    (r"/api/v1/dossiers/[^/]+/$", "/api/v1/dossiers/<code>/"),
    (r"/api/v1/public/dossiers/[^/]+/$", "/api/v1/public/dossiers/<code>/"),
    (r"^/thu-tuc/\d[^/]*/$", "/thu-tuc/<code>/"),
]


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--from-line", type=int, default=0)
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    times = collections.defaultdict(list)
    statuses = collections.Counter()
    with open(args.log, encoding="utf-8") as log:
        for number, line in enumerate(log):
            if number < args.from_line or not line.startswith("{"):
                continue
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if row.get("logger") != "cchc.request" or row.get("duration_ms") is None:
                continue
            path = row["path"]
            for pattern, name in PATTERNS:
                if re.search(pattern, path) and not path.endswith("/dossiers/"):
                    path = name
                    break
            times[(row["method"], path)].append(row["duration_ms"])
            statuses[row["status"]] += 1
    total = 0.0
    print(f"{'endpoint':54} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'sum s':>7}")
    for (method, path), values in sorted(times.items(), key=lambda kv: -sum(kv[1])):
        total += sum(values)
        print(f"{method + ' ' + path:54} {len(values):5} {pct(values, .5):7.0f} "
              f"{pct(values, .95):7.0f} {pct(values, .99):7.0f} {sum(values) / 1000:7.1f}")
    print(f"statuses: {dict(sorted(statuses.items()))}; server time {total / 1000:.1f} s", end="")
    if args.seconds:
        print(f" = {total / 1000 / (args.seconds * args.workers):.0%} of {args.workers} workers "
              f"over {args.seconds:.0f} s")
    else:
        print()


if __name__ == "__main__":
    main()
