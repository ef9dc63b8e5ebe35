"""Charts per second: 400 charts drawn and rendered cold, then again with a warm cache.

    python benchmarks/charts.py [--charts 400] [--serial]

Cold: empty disk cache, empty memory cache: every picture rendered by vl-convert (in worker processes
unless --serial). Warm disk: a new build's view, memory cache cleared, pictures read from
`.sitegen/cache/charts/`. Warm memory: the same process building again. Each row also counts
vl-convert renders, so a cache that fails to hit shows up as renders > 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from sitegen.charts import clear_memory_cache, render_charts, render_count
from sitegen.charts import svg as svg_module
from sitegen.content import Declarations, read_declarations
from sitegen.stats import StatResult

KINDS = ("weekly_stacked", "status_bars", "lorenz", "creation_bursts")


def statistics(n: int, seed: int = 20210511) -> dict[str, StatResult]:
    """n table statistics of four shapes, each with its own numbers (so each chart is a distinct picture)."""
    rng = np.random.default_rng(seed)
    stats: dict[str, StatResult] = {}
    weeks = [dt.date(2020, 6, 8) + dt.timedelta(weeks=i) for i in range(34)]
    for i in range(n):
        shape = KINDS[i % len(KINDS)]
        if shape == "weekly_stacked":
            classes = ("network", "suspended", "deleted", "active", "unknown")
            frame = pd.DataFrame(
                [(w, c, int(rng.integers(0, 800))) for w in weeks for c in classes],
                columns=["week", "engager_class", "engagements"],
            )
            kind = "weekly_by_class"
        elif shape == "status_bars":
            known = rng.integers(100, 5000, 30)
            frame = pd.DataFrame(
                {
                    "handle": [f"account_{i}_{j}" for j in range(30)],
                    "known_status": known,
                    "with_status": (known * rng.uniform(0, 0.6, 30)).astype(int),
                }
            )
            kind = "per_target"
        elif shape == "lorenz":
            counts = np.sort(rng.pareto(1.1 + rng.uniform(0, 0.5), 5000) + 1)
            cumulative = np.r_[0, np.cumsum(counts)] / counts.sum()
            grid = np.linspace(0, 1, 101)
            frame = pd.DataFrame(
                {"engager_share": grid, "engagement_share": np.interp(grid * 5000, np.arange(5001), cumulative)}
            )
            kind = "concentration"
        else:
            days = pd.date_range("2019-01-01", "2020-12-31", freq="D").date
            picked = rng.choice(len(days), 40, replace=False)
            frame = pd.DataFrame({"day": days[picked], "accounts": rng.integers(1, 6, 40)}).sort_values("day")
            frame["burst"] = frame["accounts"] >= 4
            kind = "creation_bursts"
        stats[f"s{i}"] = StatResult(
            id=f"s{i}",
            kind=kind,
            label=f"statistic {i}",
            value=None,
            format="count",
            definition="generated for the benchmark",
            inputs=("engagements",),
            illustrative=True,
            frame=frame,
        )
    return stats


def declarations(root: Path, n: int) -> Declarations:
    text = "".join(f"- {{id: c{i}, kind: {KINDS[i % len(KINDS)]}, stat: s{i}, title: Chart {i}}}\n" for i in range(n))
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "content" / "charts.yaml").write_text(text)
    return read_declarations(root / "content" / "charts.yaml", root)


def timed(label: str, n: int, run: Callable[[], None]) -> tuple[str, int, int, float]:
    before = render_count()
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    return label, n, render_count() - before, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charts", type=int, default=400)
    parser.add_argument("--serial", action="store_true", help="render in this process only")
    args = parser.parse_args()
    if args.serial:
        svg_module.PARALLEL_FROM = 10**9
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cache = root / ".sitegen" / "cache" / "charts"
        stats = statistics(args.charts)
        declared = declarations(root, args.charts)
        render_charts(declarations(root / "warmup", 1), statistics(1, seed=1))  # start vl-convert's engine

        def build() -> None:
            charts = render_charts(declared, stats, cache_dir=cache)
            assert len(charts) == args.charts

        def new_process_build() -> None:
            clear_memory_cache()
            build()

        clear_memory_cache()
        rows = [
            timed(
                "cold (" + ("1 process" if args.serial else f"{svg_module._workers()} workers") + ")",
                args.charts,
                build,
            ),
            timed("warm disk cache", args.charts, new_process_build),
            timed("warm memory cache", args.charts, build),
        ]
    print(f"{'run':<24} {'charts':>7} {'renders':>8} {'seconds':>8} {'charts/s':>9}")
    for label, n, renders, seconds in rows:
        print(f"{label:<24} {n:>7} {renders:>8} {seconds:>8.2f} {n / seconds:>9.1f}")


if __name__ == "__main__":
    main()
