"""The default project's statistics: sitegen (Ibis on DuckDB) against the same statistics in plain pandas.

Run as a script: `python benchmarks/stats.py [SCALE ...] [--dir DIR] [--seed N]` (default scales 1 and 5).
For each scale it generates the illustrative dataset once (kept in DIR, default <tmp>/sitegen-benchmark,
and reused by later runs), then runs three children, each in its own process so that its peak memory is
its own ru_maxrss:

- sitegen: `compute_stats` over content/stats.yaml, after opening the tables (no cache);
- pandas:  the same statistics in plain pandas, from loading the Parquet files to the last value;
- floor:   a bare DuckDB scan of the same Parquet columns (the cost of reading the data at all).

It prints a table of seconds and peak memory with the ratios, and checks that sitegen and pandas agree
on every value. Target at about 20 million engagements (scale 15): sitegen at least 3x faster than
pandas and under 1 GB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 20210511
TABLES = ("accounts", "posts", "engagements", "status_checks")
COLUMNS = {
    "accounts": [
        "account_id",
        "handle",
        "role",
        "created_at",
        "followers",
        "followers_recorded_at",
        "status",
        "network",
        "label",
    ],
    "posts": ["post_id", "author_id", "created_at"],
    "engagements": ["kind", "engager_id", "post_id", "target_author_id", "created_at"],
    "status_checks": ["account_id", "status", "checked_at"],
}


# --- data -----------------------------------------------------------------------------------------


def dataset(root: Path, scale: float, seed: int) -> Path:
    """The project directory for a scale: generated once, reused while its generator settings match."""
    from sitegen.illustrative import GENERATOR_VERSION, write_illustrative

    project = root / f"scale-{scale:g}"
    data = project / "data"
    wanted = {"name": "illustrative", "seed": seed, "scale": scale, "version": GENERATOR_VERSION}
    package = data / "datapackage.json"
    have = json.loads(package.read_text())["generator"] if package.is_file() else None
    if have != wanted or not all((data / f"{t}.parquet").is_file() for t in TABLES):
        print(f"generating the illustrative dataset at scale {scale:g} in {data} ...", flush=True)
        write_illustrative(data, seed=seed, scale=scale)
    content = project / "content"
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir()
    shutil.copy(ROOT / "content" / "stats.yaml", content / "stats.yaml")
    datasets = "\n".join(f'{t} = "data/{t}.parquet"' for t in TABLES)
    (project / "sitegen.toml").write_text(f'[site]\ntitle = "benchmark"\n\n[datasets]\n{datasets}\n')
    return project


# --- the three children ---------------------------------------------------------------------------


def run_sitegen(project: Path) -> dict[str, Any]:
    """Open the tables and compute every statistic with sitegen (no cache)."""
    from sitegen.config import load_config
    from sitegen.content import read_content
    from sitegen.data import load_data
    from sitegen.stats import compute_stats

    config = load_config(project)
    declarations = read_content(project).declarations["stats"]
    started = time.perf_counter()
    data = load_data(config)
    opened = time.perf_counter()
    results = compute_stats(declarations, data)
    done = time.perf_counter()
    values = {k: r.value for k, r in results.items()}
    return {"seconds": done - opened, "open_seconds": opened - started, "values": values}


def run_floor(project: Path) -> dict[str, Any]:
    """A bare DuckDB scan of the columns the statistics read: the cost of decoding the data once.

    Every value must be decoded: `max` of a column would be answered from the file's statistics without
    reading it (as it is for timestamps), so the scan aggregates what only the values give, at little cost
    beyond decoding them: the length of a string, the hash of anything else."""
    import duckdb

    con = duckdb.connect(config={"threads": 2})
    started = time.perf_counter()
    for table, columns in COLUMNS.items():
        source = f"read_parquet('{project / 'data' / f'{table}.parquet'}')"
        types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})").fetchall())
        aggregates = ", ".join(f'max(length("{c}"))' if types[c] == "VARCHAR" else f'max(hash("{c}"))' for c in columns)
        con.execute(f"SELECT count(*), {aggregates} FROM {source}").fetchall()
    return {"seconds": time.perf_counter() - started, "values": {}}


def run_pandas(project: Path) -> dict[str, Any]:
    """Every statistic in plain pandas: load the Parquet files, then filter, map, group and count."""
    import pandas as pd

    from sitegen.content import read_content
    from sitegen.stats import read_stat_defs

    started = time.perf_counter()
    frames = {t: pd.read_parquet(project / "data" / f"{t}.parquet", columns=COLUMNS[t]) for t in TABLES}
    calc = PandasStats(frames)
    values = {d.id: calc.compute(d.kind, d.params) for d in read_stat_defs(read_content(project).declarations["stats"])}
    return {"seconds": time.perf_counter() - started, "values": values}


class PandasStats:
    """The statistic kinds of sitegen, written the way a pandas user would."""

    def __init__(self, frames: dict[str, Any]) -> None:
        import pandas as pd

        self.pd = pd
        self.accounts = frames["accounts"]
        self.posts = frames["posts"]
        self.engagements = frames["engagements"]
        self.checks = frames["status_checks"]
        self._status: dict[Any, Any] = {}

    def compute(self, kind: str, params: dict[str, Any]) -> Any:
        return getattr(self, kind)(params)

    # selections

    def target_ids(self, params: dict[str, Any]) -> Any:
        a = self.accounts
        handles = params.get("targets") or ([params["target"]] if params.get("target") else [])
        handles = [handles] if isinstance(handles, str) else handles
        mask = a.handle.isin(handles) | a.account_id.isin(handles) | a.role.isin(params.get("roles") or [])
        return a.loc[mask, "account_id"]

    def window(self, column: Any, params: dict[str, Any]) -> Any:
        if "window" not in params:
            return self.pd.Series(True, index=column.index)
        start, end = (self.pd.Timestamp(d) for d in params["window"])
        return (column >= start) & (column < end + self.pd.Timedelta(days=1))

    def selection(self, params: dict[str, Any], targets: bool = True) -> Any:
        e = self.engagements
        mask = e.kind.isin(params.get("kinds", ["retweet"])) & self.window(e.created_at, params)
        if targets:
            mask &= e.target_author_id.isin(self.target_ids(params))
        return e[mask]

    def status(self, as_of: Any) -> Any:
        """account_id -> status at the latest check on or before as_of."""
        if as_of not in self._status:
            c = self.checks[self.checks.checked_at < self.pd.Timestamp(as_of) + self.pd.Timedelta(days=1)]
            latest = c.sort_values("checked_at").drop_duplicates("account_id", keep="last")
            self._status[as_of] = latest.set_index("account_id")["status"]
        return self._status[as_of]

    def members(self, network: str) -> Any:
        return self.accounts.loc[self.accounts.network == network, "account_id"]

    def population(self, params: dict[str, Any]) -> Any:
        a = self.accounts
        if params.get("roles"):
            a = a[a.role.isin(params["roles"])]
        if params.get("network"):
            a = a[a.network == params["network"]]
        if params.get("targets"):
            a = a[a.handle.isin(params["targets"])]
        return a

    # kinds

    def followers(self, params: dict[str, Any]) -> Any:
        return int(self.accounts.loc[self.accounts.handle == params["target"], "followers"].iloc[0])

    def created(self, params: dict[str, Any]) -> Any:
        return self.accounts.loc[self.accounts.handle == params["target"], "created_at"].iloc[0].date()

    def engagement_count(self, params: dict[str, Any]) -> Any:
        targeted = any(params.get(k) for k in ("target", "targets", "roles"))
        e = self.selection(params, targets=targeted or not (params.get("network") or params.get("engager_status")))
        if params.get("network"):
            e = e[e.engager_id.isin(self.members(params["network"]))]
        if params.get("engager_status"):
            status = self.status(params["as_of"])
            e = e[e.engager_id.map(status) == params["engager_status"]]
        return len(e)

    def post_count(self, params: dict[str, Any]) -> Any:
        p = self.posts
        return int((p.author_id.isin(self.target_ids(params)) & self.window(p.created_at, params)).sum())

    def _known(self, e: Any, as_of: Any) -> tuple[Any, Any]:
        status = e.engager_id.map(self.status(as_of))
        return status, status.notna() & (status != "unknown")

    def status_share(self, params: dict[str, Any]) -> Any:
        status, known = self._known(self.selection(params), params["as_of"])
        return int((known & (status == params.get("status", "suspended"))).sum()) / int(known.sum())

    def per_target(self, params: dict[str, Any]) -> Any:
        e = self.selection(params)
        status, known = self._known(e, params["as_of"])
        table = (
            self.pd.DataFrame(
                {
                    "target": e.target_author_id,
                    "known": known,
                    "hit": known & (status == params.get("status", "suspended")),
                }
            )
            .groupby("target")
            .agg(engagements=("known", "size"), known=("known", "sum"), hit=("hit", "sum"))
        )
        return None if table.empty else None  # a table: sitegen's value is None too

    def weekly_by_class(self, params: dict[str, Any]) -> Any:
        e = self.selection(params)
        status = e.engager_id.map(self.status(params["as_of"])).fillna("unknown")
        if params.get("network"):
            status = status.where(~e.engager_id.isin(self.members(params["network"])), "network")
        week = e.created_at.dt.to_period("W-SUN").dt.start_time
        self.pd.DataFrame({"week": week, "cls": status}).groupby(["week", "cls"]).size()
        return None

    def weekly_per_target(self, params: dict[str, Any]) -> Any:
        e = self.selection(params)
        week = e.created_at.dt.to_period("W-SUN").dt.start_time
        self.pd.DataFrame({"target": e.target_author_id, "week": week}).groupby(["target", "week"]).size()
        return None  # a table: sitegen's value is None too

    def concentration(self, params: dict[str, Any]) -> Any:
        counts = self.selection(params).engager_id.value_counts()
        top = params.get("top", 0.01)
        top = float(str(top).rstrip("%")) / 100 if str(top).endswith("%") else float(top)
        k = math.ceil(round(top * len(counts), 9))
        return int(counts.iloc[:k].sum()) / int(counts.sum())

    def label_share(self, params: dict[str, Any]) -> Any:
        a = self.population(params)
        return int((a.label == params["label"]).sum()) / len(a)

    def account_count(self, params: dict[str, Any]) -> Any:
        a = self.population(params)
        if "status" not in params:
            return len(a)
        status = a.account_id.map(self.status(params["as_of"])) if params.get("as_of") else a.status
        return int((status.fillna("unknown") == params["status"]).sum())

    def _network_weekly(self, params: dict[str, Any]) -> Any:
        e = self.selection(params)
        by_network = e.engager_id.isin(self.members(params["network"]))
        week = e.created_at.dt.to_period("W-SUN").dt.start_time
        return self.pd.DataFrame({"week": week, "n": by_network}).groupby("week")["n"].agg(["sum", "size"])

    def network_share(self, params: dict[str, Any]) -> Any:
        weekly = self._network_weekly(params)
        return int(weekly["sum"].sum()) / int(weekly["size"].sum())

    def network_weeks(self, params: dict[str, Any]) -> Any:
        weekly = self._network_weekly(params)
        threshold = float(str(params["threshold"]).rstrip("%")) / 100
        return int((weekly["sum"] / weekly["size"] >= threshold).sum()) / len(weekly)

    def time_to_engagement(self, params: dict[str, Any]) -> Any:
        e = self.selection(params)
        posted = e.post_id.map(self.posts.set_index("post_id")["created_at"])
        delay = (e.created_at - posted).dt.total_seconds()
        if params.get("network"):
            delay = delay[e.engager_id.isin(self.members(params["network"]))]
        unit = {"seconds": 1, "minutes": 60, "hours": 3600}[params.get("unit", "minutes")]
        return float(delay[delay >= 0].quantile(0.5)) / unit

    def hourly_activity(self, params: dict[str, Any]) -> Any:
        e = self.selection(params)
        hour = e.created_at.dt.tz_localize("UTC").dt.tz_convert(params.get("zone", "UTC")).dt.hour
        group = e.engager_id.isin(self.members(params["network"])) if params.get("network") else True
        self.pd.DataFrame({"group": group, "hour": hour}).groupby(["group", "hour"]).size()
        return None  # a table: sitegen's value is None too

    def creation_bursts(self, params: dict[str, Any]) -> Any:
        days = self.population(params).created_at.dropna().dt.floor("D").value_counts()
        ranked = days.sort_index().sort_values(ascending=False, kind="stable")
        return int(ranked.iloc[: params["top"]].sum()) / int(days.sum())

    def co_engagement(self, params: dict[str, Any]) -> Any:
        e = self.selection(params)
        e = e[e.engager_id.isin(self.members(params["network"]))][["post_id", "engager_id", "created_at"]]
        e = e.reset_index(drop=True).rename_axis("row").reset_index()
        pairs = e.merge(e, on="post_id", suffixes=("", "_other"))
        near = (pairs.engager_id != pairs.engager_id_other) & (
            (pairs.created_at - pairs.created_at_other).abs() <= self.pd.Timedelta(seconds=params.get("seconds", 60))
        )
        return int(pairs.loc[near, "row"].nunique()) / len(e)


# --- the driver -----------------------------------------------------------------------------------


def child(kind: str, project: Path) -> None:
    """Run one measurement and print it as JSON, with this process's peak memory."""
    runner = {"sitegen": run_sitegen, "pandas": run_pandas, "floor": run_floor}[kind]
    outcome = runner(project)
    outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    outcome["values"] = {
        k: str(v) if not isinstance(v, (int, float, type(None))) else v for k, v in outcome["values"].items()
    }
    print(json.dumps(outcome))


def measure(kind: str, project: Path, script: str = __file__) -> dict[str, Any]:
    """Run `script --child kind project` in a new process and read the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, script, "--child", kind, str(project)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def agree(a: Any, b: Any, rel_tol: float = 1e-9) -> bool:
    """Counts exactly, floats to rel_tol."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12)
    return a == b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scales", nargs="*", type=float, default=[1, 5])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "sitegen-benchmark")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    rows = []
    for scale in args.scales:
        project = dataset(args.dir, scale, args.seed)
        engagements = _rows(project / "data" / "engagements.parquet")
        results = {kind: measure(kind, project) for kind in ("floor", "sitegen", "pandas")}
        mismatched = [
            k for k, v in results["pandas"]["values"].items() if not agree(v, results["sitegen"]["values"].get(k))
        ]
        rows.append((scale, engagements, results, mismatched))
        _print(rows)


def _rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def _print(rows: list[tuple[float, int, dict[str, Any], list[str]]]) -> None:
    print()
    print(
        f"{'scale':>5} {'engagements':>12} | {'floor s':>8} {'sitegen s':>9} {'pandas s':>9} | "
        f"{'floor MB':>8} {'sitegen MB':>10} {'pandas MB':>9} | {'pandas/sitegen':>14} {'sitegen/floor':>13}"
    )
    for scale, engagements, r, mismatched in rows:
        f, s, p = r["floor"], r["sitegen"], r["pandas"]
        print(
            f"{scale:>5g} {engagements:>12,} | {f['seconds']:>8.2f} {s['seconds']:>9.2f} {p['seconds']:>9.2f} | "
            f"{f['peak_mb']:>8.0f} {s['peak_mb']:>10.0f} {p['peak_mb']:>9.0f} | "
            f"{p['seconds'] / s['seconds']:>13.1f}x {s['seconds'] / f['seconds']:>12.1f}x"
        )
        print(f"      (sitegen also spent {s['open_seconds']:.2f}s opening and checksumming the tables)")
        if mismatched:
            print(f"      values that differ between sitegen and pandas: {', '.join(mismatched)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
