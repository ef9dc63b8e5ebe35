"""What a cold build costs (no `.sitegen/cache`), with search on and off, against a warm rebuild.

    python benchmarks/cold_build.py                   # the default project (repository root)
    python benchmarks/cold_build.py --project tests/projects/tiny --runs 3

Each scenario copies the project to a fresh temporary directory (so nothing is cached) and builds it
in a new process (so imports count, as on the command line). The table shows wall-clock seconds and
CPU seconds (the build process and its chart workers and indexer together), with ratios to the cold
build with search off. The machine's other load shows in the wall clock, less in CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("sitegen.toml", "content", "data", "templates")


def copy_project(source: Path, target: Path, search: bool) -> Path:
    """The project's inputs in target, with [search] enabled set as asked."""
    target.mkdir(parents=True)
    for name in PROJECT_FILES:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name, ignore=shutil.ignore_patterns(".*"))
        elif path.is_file():
            shutil.copy2(path, target / name)
    config = target / "sitegen.toml"
    text = config.read_text(encoding="utf-8").replace("[search]\nenabled = true\n", "")
    config.write_text(text + f"\n[search]\nenabled = {'true' if search else 'false'}\n", encoding="utf-8")
    return target


def timed_build(project: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `python -m sitegen build` in project (children included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ROOT), SOURCE_DATE_EPOCH="1620691200")
    subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--project", str(project), "--quiet"], check=True, env=env
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    """Run each scenario and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, search in (("cold, search off", False), ("cold, search on", True)):
            walls, cpus = [], []
            for run in range(args.runs):
                project = copy_project(args.project, Path(tmp) / f"{search}-{run}", search)
                wall, cpu = timed_build(project)
                walls.append(wall)
                cpus.append(cpu)
            rows.append((label, statistics.median(walls), statistics.median(cpus)))
            if search:
                project.joinpath("site", "manifest.sha256").unlink()  # forces the write, all else is cached
                rows.append(("warm rebuild, search on", *timed_build(project)))
    base_wall, base_cpu = rows[0][1], rows[0][2]
    print(f"{'scenario':<26}{'wall s':>9}{'cpu s':>9}{'wall ×':>9}{'cpu ×':>9}")
    for label, wall, cpu in rows:
        print(f"{label:<26}{wall:>9.1f}{cpu:>9.1f}{wall / base_wall:>9.2f}{cpu / base_cpu:>9.2f}")


if __name__ == "__main__":
    main()
