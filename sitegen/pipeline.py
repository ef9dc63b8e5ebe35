"""The full build, stage by stage. Nothing is written until every stage has succeeded.

The data stages, and with them Ibis, DuckDB, pandas and Altair, are imported only for a project with data.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .build import BuildSummary
from .buildstate import output_stats
from .config import Config
from .content import Content, read_content
from .errors import ErrorList, SitegenError
from .handtyped import handtyped_numbers_in
from .links import check_links, scan_pages
from .render import UNINDEXED, RenderedPages, Renderer, Results, Site
from .search import cached_search_bundle, search_bundle
from .snapshot import is_snapshot, read_snapshot, results_path, write_snapshot
from .write import write_site

DATA_DECLARATIONS = ("sources", "stats", "findings", "charts")  # content/*.yaml that need the data stages

_LAST_RESULTS: dict[Path, tuple[str, Results]] = {}  # per project: the results of the last build in this process
_LAST_BUNDLE: dict[Path, dict[str, bytes]] = {}  # per project: the search bundle of the last build in this process


def forget_results() -> None:
    """Drop the results kept in memory between builds (`--clean`)."""
    _LAST_RESULTS.clear()
    _LAST_BUNDLE.clear()
    RenderedPages.forget()


def run(
    config: Config,
    *,
    strict: bool = False,
    known: dict[str, tuple[int, int]] | None = None,
    results_key: str = "",
    on_pages: Callable[[], None] | None = None,
) -> BuildSummary:
    """Every stage of the build of config's project, then the write; `known` is the output's recorded stats.

    `results_key` hashes every input of the data, statistics, findings, charts and downloads (all but the
    pages and templates): when a build in this process (as under `sitegen serve`) had the same key, its
    results are used again and only the pages are read and rendered.

    `on_pages` (given by `sitegen serve`) is called as soon as the pages are in place: when the search index
    of the new pages is not cached, the site is first written with the previous build's index (on_pages is
    called then), and the new index is made and the site written again (see `stale_search_bundle`).
    """
    started = time.perf_counter()
    content = read_content(config.project_dir, config.limits)
    results, origin = kept_results(config, content, results_key)
    pages = (cache_dir(config, "pages") / "pages.json", results_key) if results_key else None
    try:
        site = Renderer(config, content, results, build_date(content), cache_dir(config, "social"), pages).render()
    except Exception:
        if origin != "snapshot":
            raise
        # A template read more of a result than a snapshot holds (see snapshot.py): the data stages run.
        results, origin = fresh_results(config, content, results_key), "new"
        site = Renderer(config, content, results, build_date(content), cache_dir(config, "social"), pages).render()
    stats, findings, charts = results.stats, results.findings, results.charts
    stale = stale_search_bundle(config, site) if on_pages is not None else None
    warnings = [*(results.data.warnings if results.data else ())]

    def checks() -> None:  # what does not need the search index's files, done while Pagefind indexes
        if origin == "new":
            save_snapshot(config, results_key, results)  # ~0.3-0.7 s of pickling and writing
        warnings.extend(e.located() for e in strict_checks(config, content))
        scan_pages(site.files)  # the link check's slow half: check_links below does not scan these pages again

    if config.search and stale is None:
        search = search_files(config, site, checks)
    else:
        checks()
        search = stale or {}
    for path, content_bytes in search.items():
        site.add(path, content_bytes)
    warnings += [str(link) for link in check_links(site.files, urlsplit(config.site.base_url).path or "/")]
    if strict and warnings:
        raise ErrorList([SitegenError(f"--strict: {w}") for w in warnings])
    files = write_site(site.files, config.output_dir, known=known, on_swapped=on_pages)
    if stale is not None:
        files = write_search_bundle(config, site, stale)
    elif config.search:
        _LAST_BUNDLE[config.project_dir] = search
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


def kept_results(config: Config, content: Content, results_key: str) -> tuple[Results, str]:
    """The results of an earlier build with this results key (in this process, else its snapshot), else new ones.

    Also where they come from: "kept" (this process), "snapshot" (read back from disk, without the data stack)
    or "new" (computed now; `save_snapshot` keeps them for the next process).
    """
    kept = _LAST_RESULTS.get(config.project_dir)
    if results_key and kept is not None and kept[0] == results_key:
        return kept[1], "snapshot" if is_snapshot(kept[1]) else "kept"
    _LAST_RESULTS.pop(config.project_dir, None)
    snapshot = read_snapshot(results_path(cache_dir(config, "results")), results_key) if results_key else None
    if snapshot is not None:
        _LAST_RESULTS[config.project_dir] = (results_key, snapshot)
        return snapshot, "snapshot"
    return fresh_results(config, content, results_key), "new"


def fresh_results(config: Config, content: Content, results_key: str) -> Results:
    """Run the data stages and keep their results in this process."""
    results = compute_results(config, content)
    if results_key:
        _LAST_RESULTS[config.project_dir] = (results_key, results)
    return results


def save_snapshot(config: Config, results_key: str, results: Results) -> None:
    """Write the snapshot of new results for the next process (a project of plain pages has none to skip)."""
    if results_key and results.data is not None:
        write_snapshot(results_path(cache_dir(config, "results")), results_key, results)


def search_files(config: Config, site: Site, meanwhile: Callable[[], None] = lambda: None) -> dict[str, bytes]:
    """The search index (Pagefind's bundle) of the site's pages, but those search leaves out; `meanwhile` runs
    while Pagefind indexes."""
    return search_bundle(indexed_pages(site), config.site.language, cache_dir(config, "search"), meanwhile)


def indexed_pages(site: Site) -> dict[str, bytes]:
    """The pages search indexes (path -> HTML)."""
    return {path: site.files[path] for path in site.pages if path not in UNINDEXED}


def stale_search_bundle(config: Config, site: Site) -> dict[str, bytes] | None:
    """The previous build's search bundle when the new pages' one would have to be indexed (about a second).

    Pagefind cannot update an index, it indexes every page again: under `serve` the edited page is shown
    first, beside the index of the previous build (found in this process), and the new index follows.
    None when search is off, the new bundle is cached, or there is no previous bundle to show meanwhile.
    """
    previous = _LAST_BUNDLE.get(config.project_dir)
    if not config.search or previous is None:
        return None
    if cached_search_bundle(indexed_pages(site), config.site.language, cache_dir(config, "search")) is not None:
        return None
    return previous


def write_search_bundle(config: Config, site: Site, stale: dict[str, bytes]) -> int:
    """Index the pages, then write the site again with the new bundle in place of the stale one.

    The pages were written a moment ago with the stale bundle: each file still has the stat that write
    left, so only the bundle's files are written again (the others are hard-linked).
    """
    bundle = search_files(config, site)
    complete = {path: content for path, content in site.files.items() if path not in stale}
    complete.update(bundle)
    written = {path: stat for path, stat in output_stats(config.output_dir, list(site.files)).items() if stat[0] >= 0}
    count = write_site(complete, config.output_dir, known=written)
    _LAST_BUNDLE[config.project_dir] = bundle
    return count


def publishing_notes(config: Any) -> list[str]:
    """What a site without an absolute base_url lacks: a sitemap and absolute social-image URLs."""
    if config.site.base_url.startswith(("http://", "https://")):
        return []
    return [
        "no sitemap.xml and no social images (og:image/twitter:image): they need absolute URLs; set base_url in "
        "sitegen.toml or build with --base-url https://HOST/PATH/ for the site's public address"
    ]


def uses_data(config: Config, content: Content) -> bool:
    """Whether the project has datasets, a data package or declarations that the data stages compute.

    A project of plain pages has none: its build imports none of the data stack (Ibis, DuckDB, pandas,
    pyarrow, Altair), which would take longer than rendering a few hundred pages.
    """
    return bool(
        config.datasets
        or config.generate is not None
        or (config.data_dir / "datapackage.json").is_file()
        or any(content.declarations[name].entries for name in DATA_DECLARATIONS)
    )


def compute_results(config: Config, content: Content) -> Results:
    """The data, statistics, findings, charts and downloads the pages show (none for a project of plain pages)."""
    if not uses_data(config, content):
        return Results(data=None, stats={}, sources={}, findings={}, charts={})
    if content.declarations["charts"].entries and not any(cache_dir(config, "charts").glob("??/*.svg")):
        from .charts.svg import start_workers

        start_workers()  # no picture is cached (a first or --clean build): the renderers start up meanwhile
    from .data import start_checks

    checks = start_checks(config)  # on a thread while Ibis, pandas and Altair import (a second or two)
    from .charts import render_charts
    from .data import load_data, start_table_downloads
    from .findings import check_findings, read_sources
    from .stats import compute_stats

    data = load_data(config, checks)
    downloads = start_table_downloads(config, data, cache_dir(config, "downloads"))  # made meanwhile
    stats = compute_stats(content.declarations["stats"], data, cache_dir=cache_dir(config, "stats"))
    sources = read_sources(content.declarations["sources"])
    findings = check_findings(content.declarations["findings"], sources, stats)
    charts = render_charts(content.declarations["charts"], stats, cache_dir=cache_dir(config, "charts"))
    return Results(data=data, stats=stats, sources=sources, findings=findings, charts=charts, downloads=downloads())


def strict_checks(config: Any, content: Content) -> list[SitegenError]:
    """What --strict refuses: unused statistics, unchecked findings, numbers typed by hand in prose."""
    if not uses_data(config, content):
        return [*handtyped_numbers_in(content.pages)]  # no statistics or findings to check
    from .findings import unchecked_findings
    from .stat_usage import unused_statistics

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
