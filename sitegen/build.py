"""`build()`: check the output, take the no-change fast path when every input is as last built, else the pipeline."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .buildstate import BuildState, cache_root
from .config import load_config
from .errors import ErrorList, SitegenError
from .write import check_output_dir


@dataclass(frozen=True)
class BuildSummary:
    """What a build produced."""

    output_dir: Path
    pages: int
    files: int  # written; 0 when the output was already up to date
    charts: int
    statistics: int
    findings: int
    seconds: float
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # advice that --strict does not turn into a failure


def build(
    project_dir: Path,
    overrides: dict[str, Any] | None = None,
    *,
    strict: bool = False,
    force: bool = False,
    clean: bool = False,
    on_pages: Callable[[], None] | None = None,
) -> BuildSummary:
    """Build the site of the project in project_dir.

    `strict` turns warnings (broken internal links, ...) into a failure; `force` allows replacing an
    output directory sitegen did not create; `clean` deletes the project's cache first and runs every stage.
    `on_pages` is called once the new pages are in the output, possibly before the search index that
    follows them (`sitegen serve` reloads the open pages then); the build returns when the whole site is
    written. It is not called when nothing had to be built.
    """
    started = time.perf_counter()
    config = load_config(project_dir, overrides)
    check_output_dir(config.output_dir, config.project_dir, force=force)
    if clean:
        shutil.rmtree(cache_root(config.project_dir), ignore_errors=True)
        for module, forget in (("sitegen.charts.svg", "clear_memory_cache"), ("sitegen.pipeline", "forget_results")):
            if module in sys.modules:  # in-memory caches of an earlier build in this process
                getattr(sys.modules[module], forget)()
    state = BuildState(config, overrides)
    recorded = None if clean else state.up_to_date()
    if recorded is not None:
        summary = BuildSummary(
            output_dir=config.output_dir,
            files=0,
            seconds=time.perf_counter() - started,
            **{k: v for k, v in recorded.items() if k not in ("files", "seconds", "output_dir", "warnings", "notes")},
            warnings=tuple(recorded.get("warnings", ())),
            notes=tuple(recorded.get("notes", ())),
        )
        if strict and summary.warnings:
            raise ErrorList([SitegenError(f"--strict: {w}") for w in summary.warnings])
        return summary
    from .pipeline import run  # not before: the no-change path above needs none of it

    summary = run(config, strict=strict, known=state.outputs(), results_key=state.results_key, on_pages=on_pages)
    state.record({k: v for k, v in asdict(summary).items() if k not in ("output_dir", "seconds", "files")})
    return summary
