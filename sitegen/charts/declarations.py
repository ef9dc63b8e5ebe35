"""Read `content/charts.yaml`: every problem is a ChartError at the file and line of the entry or key."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from ..content import Declarations, entry_error
from ..errors import ChartError
from ..stats import StatResult
from .model import CHART_KINDS, ChartDef

KEYS = ("id", "kind", "stat", "title", "subtitle", "source", "notes", "params", "allow_empty", "per")
_TEXT_KEYS = ("title", "subtitle", "source", "notes")
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def read_chart_defs(declarations: Declarations, stats: dict[str, StatResult]) -> list[ChartDef]:
    """Validate charts.yaml entries against the chart kinds and the computed statistics."""
    defs: list[ChartDef] = []
    seen: set[str] = set()
    for entry in declarations.entries:
        fail = partial(entry_error, ChartError, declarations, entry)

        chart_id = entry.get("id")
        if not isinstance(chart_id, str) or not _ID.fullmatch(chart_id):
            raise fail("every chart needs an `id` of lowercase letters, digits and '-'", "id")
        if chart_id in seen:
            raise fail(f"chart id {chart_id!r} is declared twice", "id")
        seen.add(chart_id)
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise fail(f"chart {chart_id!r}: unknown key {unknown[0]!r} (expected {', '.join(KEYS)})", unknown[0])
        kind = CHART_KINDS.get(str(entry.get("kind", "")))
        if kind is None:
            raise fail(
                f"chart {chart_id!r}: unknown kind {entry.get('kind')!r} (known: {', '.join(sorted(CHART_KINDS))})",
                "kind" if "kind" in entry else None,
            )
        stat = stats.get(str(entry.get("stat", "")))
        if stat is None:
            known = ", ".join(sorted(s for s, r in stats.items() if r.frame is not None)) or "none"
            raise fail(
                f"chart {chart_id!r}: unknown statistic {entry.get('stat')!r} (statistics with a table: {known})",
                "stat" if "stat" in entry else None,
            )
        for key in _TEXT_KEYS:
            if key in entry and not isinstance(entry[key], str):
                raise fail(f"chart {chart_id!r}: `{key}` must be text", key)
        if not isinstance(entry.get("allow_empty", False), bool):
            raise fail(f"chart {chart_id!r}: `allow_empty` must be true or false", "allow_empty")
        check_frame(chart_id, kind.name, stat, partial(fail, key="stat"))
        per = entry.get("per", "")
        if per and (not isinstance(per, str) or stat.frame is None or per not in stat.frame.columns):
            columns = ", ".join(map(str, stat.frame.columns)) if stat.frame is not None else "none"
            raise fail(f"chart {chart_id!r}: `per` must name a column of {stat.id!r} (it has {columns})", "per")
        defs.append(
            ChartDef(
                id=chart_id,
                kind=kind.name,
                stat=str(entry["stat"]),
                title=str(entry.get("title", stat.label)),
                subtitle=str(entry.get("subtitle", "")),
                source=str(entry.get("source", "")),
                notes=str(entry.get("notes", "")),
                params=read_params(chart_id, kind.name, entry, declarations),
                line=entry.line,
                allow_empty=bool(entry.get("allow_empty", False)),
                per=str(per),
            )
        )
    return defs


def read_params(chart_id: str, kind_name: str, entry: Any, declarations: Declarations) -> dict[str, Any]:
    """The entry's params, each known to the kind and checked; an error names the parameter's line."""
    kind = CHART_KINDS[kind_name]
    params = entry.get("params") or {}
    if not isinstance(params, dict):
        raise entry_error(ChartError, declarations, entry, f"chart {chart_id!r}: params must be a mapping", "params")
    lines: dict[str, int] = getattr(params, "key_lines", {})
    cleaned: dict[str, Any] = {}
    for name, value in params.items():
        line = lines.get(name, entry.key_lines.get("params", entry.line))
        if name not in kind.params:
            takes = ", ".join(sorted(kind.params)) or "none"
            raise ChartError(
                f"chart {chart_id!r}: kind {kind.name} takes no parameter {name!r} (it takes: {takes})",
                path=declarations.path,
                line=line,
            )
        try:
            cleaned[name] = kind.params[name](value)
        except ValueError as exc:
            raise ChartError(
                f"chart {chart_id!r}: parameter {name!r} {exc}", path=declarations.path, line=line, value=value
            ) from None
    return cleaned


def check_frame(chart_id: str, kind_name: str, stat: StatResult, fail: Any) -> None:
    """The statistic must be a table with the columns the chart kind reads."""
    kind = CHART_KINDS[kind_name]
    producers = f" (statistics of kind {' or '.join(kind.stat_kinds)} make one)" if kind.stat_kinds else ""
    wanted = " or ".join("(" + ", ".join(shape) + ")" for shape in kind.shapes)
    if stat.frame is None:
        raise fail(
            f"chart {chart_id!r}: statistic {stat.id!r} ({stat.kind}) is a single number; a {kind.name} chart "
            f"needs a table with columns {wanted}{producers}"
        )
    if kind.shape_of(stat.frame) is None:
        raise fail(
            f"chart {chart_id!r}: a {kind.name} chart needs a table with columns {wanted}{producers}; "
            f"statistic {stat.id!r} ({stat.kind}) has {', '.join(map(str, stat.frame.columns))}"
        )
