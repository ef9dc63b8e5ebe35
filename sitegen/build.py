"""`build()`: the pipeline, stage by stage. Nothing is written until every stage has succeeded."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .charts import render_charts
from .config import load_config
from .content import read_content
from .data import load_data, table_downloads
from .errors import ErrorList, SitegenError
from .findings import check_findings, read_sources, unchecked_findings
from .handtyped import handtyped_numbers_in
from .links import check_links
from .render import SEARCH_PAGE, Renderer, Results
from .search import search_bundle
from .stats import compute_stats, unused_statistics
from .write import check_output_dir, write_site


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
    project_dir: Path, overrides: dict[str, Any] | None = None, *, strict: bool = False, force: bool = False
) -> BuildSummary:
    """Build the site of the project in project_dir.

    `strict` turns warnings (broken internal links, ...) into a failure; `force` allows replacing an
    output directory sitegen did not create.
    """
    started = time.perf_counter()
    config = load_config(project_dir, overrides)
    check_output_dir(config.output_dir, config.project_dir, force=force)
    content = read_content(config.project_dir, config.limits)
    data = load_data(config)
    stats = compute_stats(content.declarations["stats"], data, cache_dir=cache_dir(config, "stats"))
    sources = read_sources(content.declarations["sources"])
    findings = check_findings(content.declarations["findings"], sources, stats)
    charts = render_charts(content.declarations["charts"], stats, cache_dir=cache_dir(config, "charts"))
    downloads = table_downloads(config, data, cache_dir(config, "downloads"))
    results = Results(data=data, stats=stats, sources=sources, findings=findings, charts=charts, downloads=downloads)
    site = Renderer(config, content, results, build_date(content), cache_dir(config, "social")).render()
    if config.search:
        indexed = {path: site.files[path] for path in site.pages if path != SEARCH_PAGE}
        for path, content_bytes in search_bundle(indexed, config.site.language, cache_dir(config, "search")).items():
            site.add(path, content_bytes)
    warnings = [*data.warnings, *(e.located() for e in strict_checks(config, content))]
    warnings += [str(link) for link in check_links(site.files, urlsplit(config.site.base_url).path or "/")]
    if strict and warnings:
        raise ErrorList([SitegenError(f"--strict: {w}") for w in warnings])
    files = write_site(site.files, config.output_dir)
    return BuildSummary(
        output_dir=config.output_dir,
        pages=len(site.pages),
        files=files,
        charts=len(charts),
        statistics=len(stats),
        findings=len(findings),
        seconds=time.perf_counter() - started,
        warnings=tuple(warnings),
        notes=tuple(publishing_notes(config)),
    )


def publishing_notes(config: Any) -> list[str]:
    """What a site without an absolute base_url lacks: a sitemap and absolute social-image URLs."""
    if config.site.base_url.startswith(("http://", "https://")):
        return []
    return [
        "no sitemap.xml and no og:image/twitter:image meta: they need absolute URLs; set base_url in "
        "sitegen.toml or build with --base-url https://HOST/PATH/ for the site's public address"
    ]


def strict_checks(config: Any, content: Any) -> list[SitegenError]:
    """What --strict refuses: unused statistics, unchecked findings, numbers typed by hand in prose."""
    return [
        *unused_statistics(content, config.templates_dir),
        *unchecked_findings(content.declarations["findings"]),
        *handtyped_numbers_in(content.pages),
    ]


def cache_dir(config: Any, stage: str) -> Path:
    """Where a stage keeps outputs keyed by the hash of their inputs (never part of the site)."""
    return config.project_dir / ".sitegen" / "cache" / stage


def build_date(content: Any) -> dt.date:
    """The site's date: SOURCE_DATE_EPOCH if set, else the newest page date, never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    dates = [d for p in content.pages for d in (p.date, p.updated) if d is not None]
    return max(dates) if dates else dt.date(1970, 1, 1)
