"""The charts stage: Altair charts from statistic results, rendered to static SVG with vl-convert."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from .content import Declarations, entry_error
from .errors import ChartError
from .numbers import grouped, long_date, percent
from .stats import StatResult

# Okabe-Ito: distinguishable with the common forms of colour blindness.
PALETTE = {
    "network": "#D55E00",
    "suspended": "#E69F00",
    "deleted": "#CC79A7",
    "active": "#0072B2",
    "unknown": "#999999",
}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
_KEYS = ("id", "kind", "stat", "title", "subtitle", "source", "notes", "params")


@dataclass(frozen=True)
class ChartDef:
    """A declared chart."""

    id: str
    kind: str
    stat: str
    title: str
    subtitle: str
    source: str
    notes: str
    params: dict[str, Any]
    line: int


@dataclass(frozen=True)
class Chart:
    """A rendered chart: SVG, spec, and the text and data readers get instead of the picture."""

    id: str
    title: str
    subtitle: str
    source: str
    notes: str
    svg: str
    spec: dict[str, Any]
    alt: str
    table: pd.DataFrame  # the plotted values, display-ready column names
    illustrative: bool

    @property
    def csv(self) -> str:
        """The plotted data as CSV, with formula-like text cells neutralised."""
        return csv_text(self.table)


@dataclass(frozen=True)
class ChartKind:
    """How to draw one kind of chart from a statistic result."""

    name: str
    stat_kinds: tuple[str, ...]
    params: tuple[str, ...]
    draw: Callable[[ChartDef, StatResult], tuple[alt.TopLevelMixin, pd.DataFrame, str]]


CHART_KINDS: dict[str, ChartKind] = {}


def chart_kind(name: str, stat_kinds: tuple[str, ...], params: tuple[str, ...] = ()) -> Callable[..., Any]:
    """Register a chart kind."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        CHART_KINDS[name] = ChartKind(name, stat_kinds, params, fn)
        return fn

    return register


def read_chart_defs(declarations: Declarations, stats: dict[str, StatResult]) -> list[ChartDef]:
    """Validate charts.yaml entries against the chart kinds and the computed statistics."""
    defs: list[ChartDef] = []
    seen: set[str] = set()
    for entry in declarations.entries:

        fail = partial(entry_error, ChartError, declarations, entry)

        chart_id = entry.get("id")
        if not isinstance(chart_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", chart_id):
            raise fail("every chart needs an `id` of lowercase letters, digits and '-'", "id")
        if chart_id in seen:
            raise fail(f"chart id {chart_id!r} is declared twice", "id")
        seen.add(chart_id)
        unknown = sorted(set(entry) - set(_KEYS))
        if unknown:
            raise fail(f"chart {chart_id!r}: unknown key {unknown[0]!r} (expected {', '.join(_KEYS)})", unknown[0])
        kind = CHART_KINDS.get(entry.get("kind", ""))
        if kind is None:
            raise fail(
                f"chart {chart_id!r}: unknown kind {entry.get('kind')!r} (known: {', '.join(sorted(CHART_KINDS))})",
                "kind",
            )
        stat = stats.get(entry.get("stat", ""))
        if stat is None:
            raise fail(f"chart {chart_id!r}: unknown statistic {entry.get('stat')!r}", "stat")
        if stat.kind not in kind.stat_kinds:
            raise fail(
                f"chart {chart_id!r}: a {kind.name} chart needs a statistic of kind "
                f"{' or '.join(kind.stat_kinds)}, not {stat.kind}",
                "stat",
            )
        params = entry.get("params") or {}
        for name in params:
            if name not in kind.params:
                raise fail(f"chart {chart_id!r}: kind {kind.name} takes no parameter {name!r}", "params")
        defs.append(
            ChartDef(
                id=chart_id,
                kind=kind.name,
                stat=stat.id,
                title=str(entry.get("title", stat.label)),
                subtitle=str(entry.get("subtitle", "")),
                source=str(entry.get("source", "")),
                notes=str(entry.get("notes", "")),
                params=dict(params),
                line=entry.line,
            )
        )
    return defs


def render_charts(declarations: Declarations, stats: dict[str, StatResult]) -> dict[str, Chart]:
    """Draw and render every declared chart."""
    charts: dict[str, Chart] = {}
    for definition in read_chart_defs(declarations, stats):
        stat = stats[definition.stat]
        if stat.frame is None or stat.frame.empty:
            raise ChartError(
                f"chart {definition.id!r}: statistic {stat.id!r} has no data to plot",
                path=declarations.path,
                line=definition.line,
            )
        chart, table, alt_text = CHART_KINDS[definition.kind].draw(definition, stat)
        spec = themed(chart).to_dict(validate=True)
        charts[definition.id] = Chart(
            id=definition.id,
            title=definition.title,
            subtitle=definition.subtitle,
            source=definition.source,
            notes=definition.notes,
            svg=svg_for(spec, definition.id),
            spec=spec,
            alt=alt_text,
            table=table,
            illustrative=stat.illustrative,
        )
    return charts


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The site's chart style: its font, no border, readable axis labels."""
    return (
        chart.configure(font=FONT, background="transparent")
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=12, titleFontSize=12, gridColor="#8884")
        .configure_legend(labelFontSize=12, titleFontSize=12, orient="top")
    )


_SVG_CACHE: dict[str, str] = {}


def svg_for(spec: dict[str, Any], chart_id: str) -> str:
    """Render a Vega-Lite spec to SVG (cached by spec hash), sized by CSS rather than fixed pixels."""
    key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    if key not in _SVG_CACHE:
        try:
            _SVG_CACHE[key] = vlc.vegalite_to_svg(spec)
        except Exception as exc:  # noqa: BLE001 - vl-convert raises plain ValueError/RuntimeError
            raise ChartError(f"chart {chart_id!r} could not be rendered: {exc}") from None
    svg = _SVG_CACHE[key]
    # Keep viewBox, drop the fixed size, so the picture scales to the column width.
    return re.sub(r'^<svg([^>]*?) width="[\d.]+" height="[\d.]+"', r"<svg\1", svg, count=1)


def csv_text(frame: pd.DataFrame) -> str:
    """CSV with cells that start like a spreadsheet formula prefixed by a quote (numbers untouched)."""

    def neutral(value: Any) -> Any:
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            try:
                float(value)
            except ValueError:
                return "'" + value
        return value

    safe = frame.map(neutral) if not frame.empty else frame
    return safe.to_csv(index=False, lineterminator="\n")


CLASS_ORDER = ("network", "suspended", "deleted", "active", "unknown")


@chart_kind("weekly_stacked", ("weekly_by_class",))
def weekly_stacked(definition: ChartDef, stat: StatResult) -> tuple[alt.TopLevelMixin, pd.DataFrame, str]:
    """Weekly engagements stacked by engager class, with a line at half of each week's total."""
    assert stat.frame is not None
    frame = stat.frame.copy()
    frame["week"] = frame["week"].astype(str)
    classes = [c for c in CLASS_ORDER if c in set(frame["engager_class"])]
    frame["class_rank"] = frame["engager_class"].map({c: i for i, c in enumerate(classes)})
    totals = frame.groupby("week", as_index=False)["engagements"].sum()
    totals["half"] = totals["engagements"] / 2
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6)),
            y=alt.Y("engagements:Q", title="Engagements per week", stack="zero"),
            color=alt.Color(
                "engager_class:N",
                title="Engager",
                sort=classes,
                scale=alt.Scale(domain=classes, range=[PALETTE[c] for c in classes]),
            ),
            order=alt.Order("class_rank:Q"),
            tooltip=[
                alt.Tooltip("week:T", title="Week of", format="%d %b %Y"),
                alt.Tooltip("engager_class:N", title="Engager"),
                alt.Tooltip("engagements:Q", title="Engagements", format=","),
            ],
        )
    )
    half = alt.Chart(totals).mark_tick(color="#222", thickness=1.5, size=10).encode(x="week:T", y=alt.Y("half:Q"))
    chart = alt.layer(bars, half).properties(width=600, height=260)
    wide = frame.pivot_table(index="week", columns="engager_class", values="engagements", fill_value=0, aggfunc="sum")
    wide = wide.reindex(columns=classes, fill_value=0).reset_index()
    wide["total"] = wide[classes].sum(axis=1)
    table = wide.rename(columns={"week": "week starting"})
    return chart, table, weekly_alt_text(definition, stat, wide, classes)


def weekly_alt_text(definition: ChartDef, stat: StatResult, wide: pd.DataFrame, classes: list[str]) -> str:
    """What the weekly chart shows, in words and numbers."""
    busiest = wide.loc[wide["total"].idxmax()]
    quietest = wide.loc[wide["total"].idxmin()]
    first, last = wide["week"].iloc[0], wide["week"].iloc[-1]
    lead = classes[0]
    share = wide[lead] / wide["total"].where(wide["total"] > 0)
    over_half = int((share > 0.5).sum())
    total = int(wide["total"].sum())
    return (
        f"Stacked bar chart of weekly engagements by engager class ({', '.join(classes)}), "
        f"{len(wide)} weeks from {long_date(_date(first))} to {long_date(_date(last))}, {grouped(total)} in all. "
        f"The busiest week, starting {long_date(_date(busiest['week']))}, had {grouped(busiest['total'])}; "
        f"the quietest, starting {long_date(_date(quietest['week']))}, had {grouped(quietest['total'])}. "
        f"The {lead} class made up {percent(wide[lead].sum() / total)} of all engagements "
        f"and more than half in {over_half} of {len(wide)} weeks."
    )


def _date(value: Any) -> Any:
    return pd.Timestamp(value).date()
