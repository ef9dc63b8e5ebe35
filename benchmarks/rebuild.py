"""How long `build()` takes in a running process (as under `sitegen serve`): no change, a page edited, a table changed.

    python benchmarks/rebuild.py                      # the default project (repository root), 5 runs each
    python benchmarks/rebuild.py --project tests/projects/tiny --runs 9

The project is copied to a temporary directory first; the copy is built once (not timed: it pays for the
imports and, for the default project, for generating the illustrative data), then each scenario runs
`--runs` times and the table shows the median, fastest and slowest run, and where the median run's time went.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

import sitegen.charts.stage
import sitegen.data
import sitegen.findings
import sitegen.pipeline as pipeline
import sitegen.stat_usage
import sitegen.stats
from sitegen.config import load_config
from sitegen.datapackage import read_datapackage, resources_by_name, sha256_file, write_datapackage, write_parquet

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("sitegen.toml", "content", "data", "templates")
_EDITS = itertools.count()
# The pipeline's functions whose time the table shows as the stages they call, not as their own.
UNTIMED = ("run", "kept_results", "fresh_results", "compute_results", "build_date", "uses_data", "search_files")


def default_project() -> tuple[Path, str]:
    """The repository's default project when its generator is there, else the tiny test project."""
    try:
        import sitegen.illustrative  # noqa: F401 - the default project's data comes from it
    except ImportError:
        return ROOT / "tests" / "projects" / "tiny", "tiny (sitegen/illustrative/ is missing)"
    return ROOT, "default"


def copy_project(source: Path, target: Path) -> Path:
    """The project's inputs (not its output) in target."""
    target.mkdir(parents=True)
    for name in PROJECT_FILES:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=shutil.ignore_patterns(".*"))
        elif path.is_file():
            shutil.copy2(path, target / name)
    return target


def edit_page(project: Path, run: int) -> None:
    """Change one sentence of the home page, differently each time (whatever the run number)."""
    page = project / "content" / "index.md"
    text = page.read_text(encoding="utf-8").rstrip("\n").rsplit("\n<!-- edit", 1)[0]
    page.write_text(f"{text}\n<!-- edit {next(_EDITS)} (run {run}) -->\n", encoding="utf-8")


def change_table(project: Path, run: int) -> None:
    """Change one value in the accounts table (a follower count nobody quotes) and re-record its checksum."""
    config = load_config(project)
    path = config.datasets["accounts"]
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        followers = table.column("followers").to_pylist()
        followers[-1] = (followers[-1] or 0) + 1 + run % 2
        write_parquet(table.set_column(table.schema.get_field_index("followers"), "followers", [followers]), path)
    else:
        lines = path.read_text(encoding="utf-8").splitlines()
        cells = lines[-1].split(",")
        cells[-1] = f"changed in run {run}"
        lines[-1] = ",".join(cells)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    package = read_datapackage(config.data_dir)
    resource = resources_by_name(package).get("accounts")
    if resource is not None:
        resource["hash"] = "sha256:" + sha256_file(path)
        resource["bytes"] = path.stat().st_size
        write_datapackage(config.data_dir, package)


@contextmanager
def stage_timer() -> Iterator[dict[str, float]]:
    """Time every stage function build() calls, by name, while the block runs."""
    spent: dict[str, float] = defaultdict(float)
    patched: list[tuple[Any, str, Any]] = []

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return run

    for name, value in sorted(vars(pipeline).items()):
        if callable(value) and getattr(value, "__module__", "").startswith("sitegen.") and not isinstance(value, type):
            if name not in UNTIMED:
                patched.append((pipeline, name, value))
    for module, names in (  # the data stages: imported by the pipeline from their modules when it calls them
        (sitegen.data, ("load_data", "start_table_downloads")),
        (sitegen.stats, ("compute_stats",)),
        (sitegen.stat_usage, ("unused_statistics",)),
        (sitegen.findings, ("read_sources", "check_findings", "unchecked_findings")),
        (sitegen.charts.stage, ("render_charts",)),
    ):
        patched += [(module, name, getattr(module, name)) for name in names]
    patched.append((pipeline.Renderer, "render", pipeline.Renderer.render))
    for owner, name, value in patched:
        setattr(owner, name, timed(name, value))
    try:
        yield spent
    finally:
        for owner, name, value in patched:
            setattr(owner, name, value)


def measure(
    project: Path, prepare: Callable[[Path, int], None] | None, runs: int
) -> tuple[list[float], list[float], dict[str, float]]:
    """Seconds of each run of build() after prepare(project, run), seconds until its pages were shown (as
    `sitegen serve` reloads the browser: before the search index when that has to be made again), and the
    stage times of the median run."""
    seconds: list[float] = []
    shown: list[float] = []
    stages: list[dict[str, float]] = []
    for run in range(runs):
        if prepare is not None:
            prepare(project, run)
        pages_written: list[float] = []

        def on_pages(times: list[float] = pages_written) -> None:
            times.append(time.perf_counter())

        with stage_timer() as spent:
            started = time.perf_counter()
            pipeline_build(project, on_pages=on_pages)
            seconds.append(time.perf_counter() - started)
        shown.append((pages_written[0] if pages_written else started + seconds[-1]) - started)
        stages.append(dict(spent))
    median_run = sorted(range(runs), key=seconds.__getitem__)[runs // 2]
    return seconds, shown, stages[median_run]


def pipeline_build(project: Path, on_pages: Callable[[], None] | None = None) -> Any:
    """One build() of the project in this process (the public entry point, fast path included)."""
    import sitegen.build

    return sitegen.build.build(project, on_pages=on_pages)


Row = tuple[str, float, float, float, float, list[tuple[str, float]]]


def scenario_rows(project: Path, runs: int) -> list[Row]:
    """(scenario, median, min, max, median until shown, the median run's four costliest stages) per scenario."""
    scenarios: list[tuple[str, Callable[[Path, int], None] | None]] = [
        ("no change", None),
        ("one page edited", edit_page),
        ("one data file changed", change_table),
    ]
    rows = []
    for name, prepare in scenarios:
        seconds, shown, stages = measure(project, prepare, runs)
        top = sorted(stages.items(), key=lambda item: -item[1])[:4]
        rows.append((name, statistics.median(seconds), min(seconds), max(seconds), statistics.median(shown), top))
    return rows


def print_table(rows: list[Row], title: str) -> None:
    """The rebuild table: median, fastest and slowest run, median until shown, where the median run's time went."""
    print(f"{title:<30} {'median s':>9} {'min s':>7} {'max s':>7} {'shown s':>8}   median run's time by stage")
    for name, median, fastest, slowest, shown, top in rows:
        where = ", ".join(f"{stage} {spent:.2f}s" for stage, spent in top) or "(fast path: no stage ran)"
        print(f"{name:<30} {median:>9.2f} {fastest:>7.2f} {slowest:>7.2f} {shown:>8.2f}   {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, help="project to copy and build (default: the repository's)")
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (default 5)")
    args = parser.parse_args()
    source, label = (args.project.resolve(), str(args.project)) if args.project else default_project()
    with tempfile.TemporaryDirectory(prefix="sitegen-bench-") as tmp:
        project = copy_project(source, Path(tmp) / "project")
        started = time.perf_counter()
        summary = pipeline_build(project)
        first = time.perf_counter() - started
        print(f"project: {label} ({summary.pages} pages, {summary.statistics} statistics, {summary.charts} charts)")
        print(f"first build in this process (imports, data generation, caches cold): {first:.2f}s\n")
        rows = scenario_rows(project, args.runs)
    print_table(rows, "scenario")
    print(
        f"\n{args.runs} runs per scenario; build() called in one process, as `sitegen serve` does. 'shown s': "
        "until the pages are written and serve reloads the browser (the search index follows when it changed)."
    )


if __name__ == "__main__":
    main()
