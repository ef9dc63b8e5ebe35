"""Statistic declarations (`content/stats.yaml`) and results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pandas as pd

from ..content import Declarations, entry_error
from ..errors import StatsError

FORMATS = ("count", "percent", "percent1", "more_than", "one_in", "date", "month", "number")


@dataclass(frozen=True)
class StatDef:
    """One declared statistic: what to compute and how to print it."""

    id: str
    kind: str
    label: str
    params: dict[str, Any]
    format: str
    line: int
    param_lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StatResult:
    """A computed statistic with everything needed to print, check and explain it."""

    id: str
    kind: str
    label: str
    value: Any  # int, float, date, or None for table results
    format: str
    definition: str  # plain language, generated from the parameters
    inputs: tuple[str, ...]  # table names read
    illustrative: bool
    numerator: float | None = None
    denominator: float | None = None
    window: tuple[dt.date, dt.date] | None = None
    notes: tuple[str, ...] = ()
    frame: pd.DataFrame | None = None
    as_of: dt.date | None = None  # the status check or record date the value depends on
    filters: tuple[str, ...] = ()  # every selection the value depends on, in words
    numerator_text: str = ""  # what the numerator counts, in words
    denominator_text: str = ""  # what the denominator counts, in words

    @property
    def is_table(self) -> bool:
        return self.frame is not None and self.value is None


def read_stat_defs(declarations: Declarations) -> list[StatDef]:
    """Validate stats.yaml entries: known kind, known parameters, unique ids."""
    from .kinds import KINDS

    defs: list[StatDef] = []
    seen: set[str] = set()
    for entry in declarations.entries:
        fail = partial(entry_error, StatsError, declarations, entry)

        unknown = sorted(set(entry) - {"id", "kind", "label", "params", "format", "unit"})
        if unknown:
            raise fail(f"unknown key {unknown[0]!r} (expected id, kind, label, params, format)", unknown[0])
        stat_id = entry.get("id")
        if not isinstance(stat_id, str) or not stat_id:
            raise fail("every statistic needs an `id`")
        if stat_id in seen:
            raise fail(f"statistic id {stat_id!r} is declared twice", "id")
        seen.add(stat_id)
        kind = entry.get("kind")
        if kind not in KINDS:
            raise fail(f"statistic {stat_id!r}: unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})", "kind")
        params = entry.get("params") or {}
        if not isinstance(params, dict):
            raise fail(f"statistic {stat_id!r}: params must be a mapping", "params")
        param_lines = getattr(params, "key_lines", {})
        for name in params:
            if name not in KINDS[kind].params:
                raise StatsError(
                    f"statistic {stat_id!r}: kind {kind!r} takes no parameter {name!r} "
                    f"(it takes {', '.join(KINDS[kind].params)})",
                    path=declarations.path,
                    line=param_lines.get(name, entry.line),
                )
        fmt = entry.get("format", KINDS[kind].default_format)
        if fmt not in FORMATS:
            raise fail(f"statistic {stat_id!r}: unknown format {fmt!r} (known: {', '.join(FORMATS)})", "format")
        defs.append(
            StatDef(
                id=stat_id,
                kind=kind,
                label=str(entry.get("label", stat_id)),
                params=dict(params),
                format=fmt,
                line=entry.line,
                param_lines=dict(param_lines),
            )
        )
    return defs
