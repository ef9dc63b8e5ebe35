"""Every benchmark in one run, with the machine and versions on top: python benchmarks/suite.py [--quick]

    bash benchmarks/setup.sh            # once: MkDocs in .sitegen/bench-venv, Hugo from Debian
    python benchmarks/suite.py          # all sections (the scale section generates ~20M engagements once)
    python benchmarks/suite.py --quick  # scale 1 only, fewer charts

Sections, each a table of medians over --runs runs, measured side by side in this run:

1. default project: `sitegen build` as a reporter runs it (a new process each time; peak memory is the
   process's maxrss) after: an empty cache (cold), no change, one page edited, one data file changed;
   then the same rebuilds inside one running process, as `sitegen serve` does (benchmarks/rebuild.py),
   and the time from saving a page to an open Chromium page showing it under serve (benchmarks/live.py);
2. scale: the project's statistics at scale 1, 5, 15: sitegen, pandas, a bare DuckDB scan (benchmarks/stats.py);
3. charts: charts per second, cold and cached (benchmarks/charts.py);
4. pages: 500 plain Markdown pages of ~1,000 words by sitegen, MkDocs and Hugo (benchmarks/pages.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import live  # noqa: E402 - the benchmark modules beside this file
import pages  # noqa: E402
import rebuild  # noqa: E402

import sitegen  # noqa: E402

TARGETS = {"cold": 10.0, "no change": 0.5, "one page edited": 1.0}
LIBRARIES = ("duckdb", "ibis-framework", "pandas", "pyarrow", "altair", "vl-convert-python", "markdown", "jinja2")


def tool_version(command: list[str]) -> str:
    """The first line a tool prints for its version, or 'missing'."""
    if not Path(command[0]).exists() and shutil.which(command[0]) is None:
        return "missing (run bash benchmarks/setup.sh)"
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "missing"


def header() -> None:
    """Date, machine, load, and the versions of everything measured."""
    memory = next((int(line.split()[1]) // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    print(f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {memory:,} MB memory, {platform.platform()}")
    print(f"load average at start (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"python {platform.python_version()}, sitegen {sitegen.__version__}")
    libraries = []
    for name in LIBRARIES:
        try:
            libraries.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            libraries.append(f"{name} missing")
    print(", ".join(libraries))
    print(f"mkdocs: {tool_version([str(pages.VENV / 'bin' / 'mkdocs'), '--version'])}")
    print(f"hugo: {tool_version(['hugo', 'version'])}")


def section(title: str) -> None:
    """A heading between the tables."""
    print(f"\n## {title}\n", flush=True)


def cli_scenarios(project: Path, runs: int) -> list[tuple[str, list[pages.Run]]]:
    """`sitegen build` in a new process: cold, no change, one page edited, one data file changed."""
    command = [sys.executable, "-m", "sitegen", "build", "--project", str(project), "--quiet"]

    def cold(_: Path, __: int) -> None:
        shutil.rmtree(project / ".sitegen" / "cache", ignore_errors=True)
        shutil.rmtree(project / "site", ignore_errors=True)

    scenarios: list[tuple[str, Callable[[Path, int], None] | None]] = [
        ("cold", cold),
        ("no change", None),
        ("one page edited", rebuild.edit_page),
        ("one data file changed", rebuild.change_table),
    ]
    rows = []
    for name, prepare in scenarios:
        measured = []
        for run in range(runs):
            if prepare is not None:
                prepare(project, run)
            measured.append(pages.timed_process(command, project))
        rows.append((name, measured))
    return rows


def default_project(runs: int) -> None:
    """Section 1: the default project, by the CLI and in one process."""
    source, label = rebuild.default_project()
    with tempfile.TemporaryDirectory(prefix="sitegen-suite-") as tmp:
        project = rebuild.copy_project(source, Path(tmp) / "project")
        summary = rebuild.pipeline_build(project)  # generates the illustrative data if needed (not timed)
        print(
            f"project: {label}: {summary.pages} pages, {summary.charts} charts, {summary.statistics} statistics, "
            f"{summary.findings} findings\n"
        )
        rows = cli_scenarios(project, runs)
        print(f"{'sitegen build (new process)':<30} {'median s':>9} {'min s':>7} {'max s':>7} {'peak MB':>8}  target")
        for name, measured in rows:
            seconds = [r.seconds for r in measured]
            median = statistics.median(seconds)
            target = TARGETS.get(name)
            verdict = "" if target is None else f"<= {target:g} s: {'met' if median <= target else 'NOT met'}"
            peak = max(r.peak_mb for r in measured)
            print(f"{name:<30} {median:>9.2f} {min(seconds):>7.2f} {max(seconds):>7.2f} {peak:>8.0f}  {verdict}")
        print()
        rebuild.print_table(rebuild.scenario_rows(project, runs), "build() in one process (serve)")
    print()
    if live.CHROMIUM.exists():
        with tempfile.TemporaryDirectory(prefix="sitegen-suite-") as tmp:
            seconds, built = live.measure(rebuild.copy_project(source, Path(tmp) / "project"), max(runs, 5))
        live.print_table(seconds, label, built)
    else:
        print(f"(saved -> shown in a browser: skipped, no Chromium at {live.CHROMIUM})")


def run_script(arguments: list[str]) -> None:
    """Run another benchmark script of this directory; its table goes straight to the output."""
    sys.stdout.flush()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, *arguments], cwd=ROOT, env=env, check=False)  # noqa: S603
    if done.returncode != 0:
        print(f"({' '.join(arguments)} failed with status {done.returncode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="scale 1 only, 100 charts, 2 runs")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 3, 2 with --quick)")
    parser.add_argument("--skip", nargs="*", default=[], choices=("default", "scale", "charts", "pages"))
    args = parser.parse_args()
    runs = args.runs or (2 if args.quick else 3)
    header()
    if "default" not in args.skip:
        section("1. Default project: rebuilds")
        default_project(runs)
    if "scale" not in args.skip:
        section("2. Scale: the default project's statistics (sitegen vs pandas vs a bare DuckDB scan)")
        run_script([str(BENCH / "stats.py"), *(["1"] if args.quick else ["1", "5", "15"])])
    if "charts" not in args.skip:
        section("3. Charts per second")
        run_script([str(BENCH / "charts.py"), "--charts", "100" if args.quick else "400"])
    if "pages" not in args.skip:
        section("4. Pages: 500 plain Markdown pages of ~1,000 words")
        pages.print_table(pages.measure(500, 1000, runs), 500)
    print(f"\n{runs} runs per measurement; medians. Load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
