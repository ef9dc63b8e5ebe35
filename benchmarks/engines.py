"""The default project's statistics on DuckDB and on a local Spark session, side by side.

Run as a script: `python benchmarks/engines.py [--scales 1 15] [--dir DIR] [--seed N]` (default scale 1;
generating scale 15 takes about 18 s per scale unit, once: the data is kept in DIR, as benchmarks/stats.py
keeps it, and reused). Each engine runs in its own child process, which reports:

- start:  making the engine (for Spark, starting the JVM and the session; nothing for DuckDB);
- open:   opening, checksumming and validating the tables;
- stats:  computing every statistic of content/stats.yaml (no cache).

The table gives the seconds and the Spark/DuckDB ratio of the statistics, and checks that both engines
agree on every value (counts exactly, shares to 1e-12). Local Spark runs on the same two cores as DuckDB:
it shows what it costs to run the same definitions on Spark, not what a cluster gains.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import SEED, _rows, agree, dataset, measure  # noqa: E402 - the same cached data as benchmarks/stats.py

ENGINES = ("duckdb", "pyspark")


def child(engine: str, project: Path) -> None:
    """Time one engine on one project and print the outcome as JSON."""
    from sitegen.config import load_config
    from sitegen.content import read_content
    from sitegen.data import load_data
    from sitegen.engine import Engine
    from sitegen.stats import compute_stats

    config = load_config(project, {"build.engine": engine})
    started = time.perf_counter()
    Engine(engine, config.engine_settings)  # Spark: the session that load_data's engine then reuses
    made = time.perf_counter()
    data = load_data(config)
    opened = time.perf_counter()
    results = compute_stats(read_content(project).declarations["stats"], data)
    done = time.perf_counter()
    values = {k: r.value if isinstance(r.value, (int, float, type(None))) else str(r.value) for k, r in results.items()}
    outcome = {"start": made - started, "open": opened - made, "stats": done - opened, "values": values}
    print(json.dumps(outcome))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", type=float, default=[1])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "sitegen-benchmark")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    print(
        f"{'scale':>5} {'engagements':>12} | {'duckdb open':>11} {'duckdb stats':>12} | "
        f"{'spark start':>11} {'spark open':>10} {'spark stats':>11} | {'stats spark/duckdb':>18} | agree"
    )
    for scale in args.scales:
        project = dataset(args.dir, scale, args.seed)
        engagements = _rows(project / "data" / "engagements.parquet")
        d, s = (measure(engine, project, __file__) for engine in ENGINES)
        differ = [k for k, v in d["values"].items() if not agree(v, s["values"].get(k), rel_tol=1e-12)]
        print(
            f"{scale:>5g} {engagements:>12,} | {d['open']:>11.2f} {d['stats']:>12.2f} | "
            f"{s['start']:>11.2f} {s['open']:>10.2f} {s['stats']:>11.2f} | {s['stats'] / d['stats']:>17.1f}x | "
            + ("yes" if not differ else "NO: " + ", ".join(differ)),
            flush=True,
        )


if __name__ == "__main__":
    main()
