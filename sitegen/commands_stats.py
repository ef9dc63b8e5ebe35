"""The library behind `sitegen stats` (every statistic, its value and definition) and `sitegen check`
(every stage but writing, with a report for CI)."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, load_config
from .content import Content, read_content
from .data import Data, load_data
from .errors import ErrorList, SitegenError
from .findings import Finding, check_findings, read_sources, unchecked_findings
from .handtyped import handtyped_numbers_in
from .numbers import grouped, long_date, month_year, more_than, one_in, percent
from .stats import StatResult, compute_stats, read_stat_defs, stats_cache_dir, unused_statistics


def compute_project_stats(
    project_dir: Path, use_cache: bool = True, engine: str | None = None
) -> tuple[dict[str, StatResult], Data]:
    """Every statistic of a project, with the data it came from (on `engine` rather than the configured one)."""
    config = load_config(project_dir, {"build.engine": engine})
    content = read_content(config.project_dir, config.limits)
    data = load_data(config)
    return declared_stats(config, content, data, use_cache), data


def declared_stats(config: Config, content: Content, data: Data, use_cache: bool = True) -> dict[str, StatResult]:
    """The statistics the content declares, computed over data (through the project's stats cache)."""
    cache = stats_cache_dir(config.project_dir) if use_cache else None
    return compute_stats(content.declarations["stats"], data, cache_dir=cache)


def printed(stat: StatResult) -> str:
    """A value as pages print it by default (its declared format); a table as its size."""
    if stat.value is None:
        rows = 0 if stat.frame is None else len(stat.frame)
        return f"a table of {rows:,} rows"
    printers: dict[str, Callable[[Any], str]] = {
        "count": lambda v: grouped(v, 0),
        "number": lambda v: grouped(v, 2),
        "percent": lambda v: percent(v, 0),
        "percent1": lambda v: percent(v, 1),
        "more_than": more_than,
        "one_in": one_in,
        "date": long_date,
        "month": month_year,
    }
    return printers[stat.format](stat.value)


def stat_record(stat: StatResult, data: Data) -> dict[str, Any]:
    """A statistic as JSON: value, counts, window, definition, inputs with their provenance, and any table."""
    record: dict[str, Any] = {
        "id": stat.id,
        "kind": stat.kind,
        "label": stat.label,
        "value": _plain(stat.value),
        "printed": printed(stat),
        "numerator": _plain(stat.numerator),
        "denominator": _plain(stat.denominator),
        "window": [d.isoformat() for d in stat.window] if stat.window else None,
        "as_of": stat.as_of.isoformat() if stat.as_of else None,
        "definition": stat.definition,
        "filters": list(stat.filters),
        "notes": list(stat.notes),
        "illustrative": stat.illustrative,
        "inputs": [
            {"table": name, "path": info.path, "sha256": info.sha256, "rows": info.rows}
            for name in stat.inputs
            if (info := data.tables.get(name)) is not None
        ],
    }
    if stat.frame is not None:
        record["table"] = [{k: _plain(v) for k, v in row.items()} for row in stat.frame.to_dict(orient="records")]
    return record


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (str, dt.date)):
        value = value.item()  # NumPy scalars
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def stats_text(results: dict[str, StatResult]) -> str:
    """Every statistic as text: id, printed value (and counts), then its definition, indented."""
    lines = []
    for stat in results.values():
        counts = ""
        if stat.numerator is not None and stat.denominator:
            counts = f" ({grouped(stat.numerator)} of {grouped(stat.denominator)})"
        lines.append(f"{stat.id}: {printed(stat)}{counts}")
        lines.append(f"    {stat.definition}")
    return "\n".join(lines)


@dataclass
class Stage:
    """One stage of a check: whether it passed, how long it took, and every problem it found."""

    name: str
    ok: bool = True
    seconds: float = 0.0
    errors: list[SitegenError] = field(default_factory=list)
    skipped: bool = False


@dataclass
class CheckReport:
    """What `sitegen check` found, stage by stage."""

    project: Path
    strict: bool
    stages: list[Stage] = field(default_factory=list)
    warnings: list[SitegenError] = field(default_factory=list)
    statistics: dict[str, StatResult] = field(default_factory=dict)
    findings: dict[str, Finding] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Every stage passed (and, under --strict, nothing to warn about)."""
        return all(s.ok for s in self.stages) and not (self.strict and self.warnings)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON for CI."""
        return {
            "ok": self.ok,
            "project": str(self.project),
            "strict": self.strict,
            "stages": [
                {
                    "stage": s.name,
                    "ok": s.ok,
                    "skipped": s.skipped,
                    "seconds": round(s.seconds, 3),
                    "errors": [problem(e) for e in s.errors],
                }
                for s in self.stages
            ],
            "warnings": [problem(w) for w in self.warnings],
            "statistics": [
                {"id": s.id, "value": _plain(s.value), "printed": printed(s)} for s in self.statistics.values()
            ],
            "findings": [
                {
                    "id": f.id,
                    "claim": f.claim,
                    "source": f.source.key,
                    "stat": f.stat.id if f.stat else None,
                    "expect": f.expectation.text if f.expectation else None,
                    "value": _plain(f.stat.value) if f.stat else None,
                    "holds": f.holds,
                }
                for f in self.findings.values()
            ],
        }


def problem(error: SitegenError) -> dict[str, Any]:
    """An error or warning as JSON: the full message, and where it is."""
    return {
        "message": error.located(),
        "path": error.path.as_posix() if error.path else None,
        "line": error.line,
        "column": error.column,
    }


def _errors(exc: SitegenError) -> list[SitegenError]:
    return list(exc.errors) if isinstance(exc, ErrorList) else [exc]


def check_project(project_dir: Path, strict: bool = False, engine: str | None = None) -> CheckReport:
    """Run config, content, data, stats and findings without writing a site; collect every problem."""
    report = CheckReport(project=project_dir, strict=strict)
    names = ("config", "content", "data", "stats", "findings")
    state: dict[str, Any] = {}

    def config_stage() -> None:
        state["config"] = load_config(project_dir, {"build.engine": engine})

    def content_stage() -> None:
        config: Config = state["config"]
        content: Content = read_content(config.project_dir, config.limits)
        read_stat_defs(content.declarations["stats"])
        state["sources"] = read_sources(content.declarations["sources"])
        state["content"] = content
        report.warnings += unused_statistics(content, config.templates_dir)
        report.warnings += unchecked_findings(content.declarations["findings"])
        report.warnings += handtyped_numbers_in(content.pages)

    def data_stage() -> None:
        state["data"] = load_data(state["config"])

    def stats_stage() -> None:
        report.statistics = declared_stats(state["config"], state["content"], state["data"])

    def findings_stage() -> None:
        report.findings = check_findings(state["content"].declarations["findings"], state["sources"], report.statistics)

    runs = dict(zip(names, (config_stage, content_stage, data_stage, stats_stage, findings_stage), strict=True))
    failed = False
    for name in names:
        stage = Stage(name)
        report.stages.append(stage)
        if failed:
            stage.ok, stage.skipped = False, True
            continue
        started = time.perf_counter()
        try:
            runs[name]()
        except SitegenError as exc:
            stage.ok, stage.errors, failed = False, _errors(exc), True
        stage.seconds = time.perf_counter() - started
    return report


def check_text(report: CheckReport) -> str:
    """The report as lines for a terminal."""
    lines = []
    for stage in report.stages:
        if stage.skipped:
            lines.append(f"{stage.name:<9} skipped (an earlier stage failed)")
            continue
        detail = ""
        if stage.name == "stats" and stage.ok:
            detail = f" ({len(report.statistics)} statistics)"
        if stage.name == "findings" and stage.ok:
            checked = [f for f in report.findings.values() if f.checked]
            detail = f" ({len(checked)} checked, all hold; {len(report.findings) - len(checked)} not checked)"
        lines.append(f"{stage.name:<9} {'ok' if stage.ok else 'FAILED'}{detail} in {stage.seconds:.1f}s")
        lines += [f"  error: {e.located()}" for e in stage.errors]
    label = "error" if report.strict else "warning"
    lines += [f"{label}: {w.located()}" for w in report.warnings]
    lines.append("check passed" if report.ok else "check failed")
    return "\n".join(lines)


def kinds_text() -> str:
    """Every statistic kind with what it computes and its parameters, for stats.yaml authors."""
    from .stats import KINDS

    lines = []
    for name, kind in sorted(KINDS.items()):
        lines.append(f"{name}: {kind.summary} (format {kind.default_format}; reads {', '.join(kind.inputs)})")
        lines += [f"    {param}: {meaning}" for param, meaning in kind.params.items()]
    return "\n".join(lines)
