"""Time the illustrative generator at several scales: wall time, peak memory, rows and bytes written.

Run: python benchmarks/generate.py [--scales 1 10] [--runs 3]
Each run is a fresh child process, so peak memory (ru_maxrss) is the generator's own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = """
import json, resource, sys, time
from pathlib import Path
from sitegen.illustrative import write_illustrative
started = time.perf_counter()
write_illustrative(Path(sys.argv[1]), scale=float(sys.argv[2]))
seconds = time.perf_counter() - started
rows = json.loads((Path(sys.argv[1]) / "datapackage.json").read_text())["resources"]
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": sum(r["rows"] for r in rows), "bytes": sum(r["bytes"] for r in rows)}))
"""


def run(scale: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, directory, str(scale)], capture_output=True, text=True, check=True
        )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print(f"{'scale':>6} {'rows':>12} {'MB written':>11} {'median s':>9} {'rows/s':>12} {'peak MB':>8}")
    baseline = None
    for scale in args.scales:
        runs = [run(scale) for _ in range(args.runs)]
        seconds = statistics.median(r["seconds"] for r in runs)
        rows = runs[0]["rows"]
        baseline = baseline or seconds / scale
        print(
            f"{scale:>6g} {rows:>12,.0f} {runs[0]['bytes'] / 1e6:>11.1f} {seconds:>9.2f} {rows / seconds:>12,.0f} "
            f"{max(r['peak_mb'] for r in runs):>8.0f}   (x{seconds / baseline / scale:.2f} of linear)"
        )


if __name__ == "__main__":
    main()
