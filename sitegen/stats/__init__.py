"""The stats stage: read statistic declarations and compute each as an Ibis expression on the engine."""

from __future__ import annotations

from ..content import Declarations
from ..data import Data
from ..errors import StatsError
from .kinds import KINDS, Context
from .model import StatDef, StatResult, read_stat_defs

__all__ = ["StatDef", "StatResult", "compute_stats", "read_stat_defs", "KINDS"]


def compute_stats(declarations: Declarations, data: Data) -> dict[str, StatResult]:
    """Compute every declared statistic, in declaration order; errors name the declaration's line."""
    defs = read_stat_defs(declarations)
    context = Context(data)
    results: dict[str, StatResult] = {}
    for definition in defs:
        kind = KINDS[definition.kind]
        try:
            results[definition.id] = kind.compute(context, definition)
        except StatsError as exc:
            if exc.path is None:
                raise StatsError(
                    f"statistic {definition.id!r}: {exc.message}", path=declarations.path, line=definition.line
                ) from None
            raise
    return results
