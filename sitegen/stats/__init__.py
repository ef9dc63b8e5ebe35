"""The stats stage: read statistic declarations and compute each as an Ibis expression on the engine."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..content import Declarations
from ..data import Data
from ..errors import ErrorList, SitegenError, StatsError
from ..stat_usage import stat_references, unused_statistics
from .cache import StatsCache, normalized, stats_cache_dir
from .kinds import KINDS, Context, ParamError
from .model import StatDef, StatResult, read_stat_defs

__all__ = [
    "KINDS",
    "StatDef",
    "StatResult",
    "compute_stats",
    "compute_one",
    "read_stat_defs",
    "stat_references",
    "stats_cache_dir",
    "unused_statistics",
]


def compute_stats(declarations: Declarations, data: Data, cache_dir: Path | None = None) -> dict[str, StatResult]:
    """Compute every declared statistic, in declaration order; every failure is reported, each at its line.

    With `cache_dir` (see `stats_cache_dir`), a result whose definition, code and input tables are
    unchanged is read back instead of recomputed.
    """
    defs = read_stat_defs(declarations)
    context = Context(data)
    cache = StatsCache(cache_dir, data) if cache_dir is not None else None
    results: dict[str, StatResult] = {}
    errors: list[SitegenError] = []
    try:
        for definition in defs:
            try:
                results[definition.id] = compute_one(context, definition, cache)
            except StatsError as exc:
                errors.append(located(exc, declarations, definition))
    finally:
        context.close()
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return results


def compute_one(context: Context, definition: StatDef, cache: StatsCache | None = None) -> StatResult:
    """One statistic, from the cache when possible; engine failures become a StatsError."""
    kind = KINDS[definition.kind]
    key = cache.key(definition, kind.inputs) if cache else ""
    if cache:
        cached = cache.load(definition, key)
        if cached is not None:
            return replace(cached, illustrative=context.illustrative(cached.inputs))
    try:
        computed = kind.compute(context, definition)
    except context.engine.errors as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StatsError(f"the query engine could not compute it: {first}") from exc
    computed = replace(computed, frame=normalized(computed.frame))
    if cache:
        try:
            cache.store(key, computed)
        except OSError:
            pass  # the cache only saves time: a read-only project still builds
    return computed


def located(exc: StatsError, declarations: Declarations, definition: StatDef) -> StatsError:
    """The error at the statistic's line in stats.yaml (or at the parameter's own line)."""
    if exc.path is not None:
        return exc
    line = definition.param_lines.get(exc.param, definition.line) if isinstance(exc, ParamError) else definition.line
    return StatsError(f"statistic {definition.id!r}: {exc.message}", path=declarations.path, line=line)
