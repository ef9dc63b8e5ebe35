"""Chart kind: engagements per week (or month) stacked by engager class, with a reference share marked."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from ..numbers import long_date
from ..stats import StatResult
from .barsvg import time_bars_svg
from .model import ChartDef, Drawing, NoData, chart_kind, flag, share, words
from .style import CLASS_ORDER, REFERENCE_STRONG, UTC, colours_for
from .text import count, day, listing, pct, percent_of, plural

PERIODS = ("week", "month")


@chart_kind(
    "weekly_stacked",
    "engagements per week (or month) stacked by engager class, with a 50% reference",
    shapes=tuple((p, "engager_class", "engagements") for p in PERIODS)
    + tuple((p, "network", "total") for p in PERIODS),
    stat_kinds=("weekly_by_class", "network_share", "network_weeks"),
    params={"normalize": flag, "lead": words, "reference": share, "unit": words},
)
def weekly_stacked(definition: ChartDef, stat: StatResult, frame: pd.DataFrame) -> Drawing:
    """Stacked bars per period (counts, or shares with `normalize`); the lead class sits on the baseline."""
    period = next(p for p in PERIODS if p in frame.columns)
    frame = by_class(frame, period)
    if frame.empty:
        raise NoData(f"statistic {stat.id!r} counts no engagements")
    present = set(frame["engager_class"])
    classes = [c for c in CLASS_ORDER if c in present] + sorted(present - set(CLASS_ORDER))
    lead = str(definition.params.get("lead", classes[0]))
    if lead not in present:
        raise NoData(f"no engagements of class {lead!r} (classes: {', '.join(classes)})")
    normalize = definition.params.get("normalize", False)
    reference = definition.params.get("reference", 0.5)
    unit = definition.params.get("unit", "engagements")
    frame["start"] = pd.to_datetime(frame[period]).dt.strftime("%Y-%m-%d")
    wide = frame.pivot_table(index="start", columns="engager_class", values="engagements", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=classes, fill_value=0).reset_index().sort_values("start", ignore_index=True)
    wide.columns.name = None
    wide[classes] = wide[classes].astype("int64")
    wide["total"] = wide[classes].sum(axis=1).astype("int64")
    share_column = f"{lead} share (%)"
    wide[share_column] = percent_of(wide[lead], wide["total"])
    wide["end"] = period_end(wide["start"], period)

    long = wide.melt(
        id_vars=["start", "end", "total"], value_vars=classes, var_name="engager_class", value_name="engagements"
    )
    long["class_rank"] = long["engager_class"].map({c: i for i, c in enumerate(classes)})
    long = long.sort_values(["start", "class_rank"], ignore_index=True)
    # Stacked here, not by Vega-Lite, so the lead class sits on the baseline where the reference measures it.
    top = long.groupby("start")["engagements"].cumsum()
    scale = long["total"] if normalize else 1
    long["upper"] = top / scale
    long["lower"] = (top - long["engagements"]) / scale
    long["period_label"] = long["start"].map(day)
    long["share"] = percent_of(long["engagements"], long["total"])
    hover = alt.selection_point(name="hover_class", fields=["engager_class"], on="pointerover", clear="pointerout")
    x = alt.X("start:T", title=None, scale=UTC, axis=alt.Axis(format="%b %Y"))
    bars = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=x,
            x2="end:T",
            y=alt.Y(
                "lower:Q",
                title=f"Share of each {period}'s {unit}" if normalize else f"{unit.capitalize()} per {period}",
                axis=alt.Axis(format="%" if normalize else ",d"),
            ),
            y2="upper:Q",
            color=alt.Color("engager_class:N", title=None, scale=alt.Scale(domain=classes, range=colours_for(classes))),
            opacity=alt.when(hover).then(alt.value(1.0)).otherwise(alt.value(0.35)),
            tooltip=[
                alt.Tooltip("period_label:N", title=f"{period.capitalize()} of"),
                alt.Tooltip("engager_class:N", title="Class of account"),
                alt.Tooltip("engagements:Q", title=unit.capitalize(), format=","),
                alt.Tooltip("share:Q", title=f"Share of the {period} (%)", format=".1f"),
            ],
        )
        .add_params(hover)
    )
    if normalize:
        line = pd.DataFrame({"reference": [reference]})
        marks = (
            alt.Chart(line)
            .mark_rule(color=REFERENCE_STRONG, strokeDash=[5, 3], strokeWidth=1.5)
            .encode(y="reference:Q")
        )
        caption = f"Dashed line: {pct(100 * reference, 0)} of each {period}"
    else:
        ticks = wide[["start", "end"]].assign(reference=wide["total"] * reference)
        marks = (
            alt.Chart(ticks).mark_rule(color=REFERENCE_STRONG, strokeWidth=2).encode(x=x, x2="end:T", y="reference:Q")
        )
        caption = f"Tick: {pct(100 * reference, 0)} of each {period}'s total"
    table = wide.drop(columns=["end"]).rename(columns={"start": f"{period} starting"})
    formats = {f"{period} starting": "date", "total": "count", share_column: "percent", **{c: "count" for c in classes}}
    return Drawing(
        chart=alt.layer(bars, marks.properties(name="reference")),
        table=table,
        formats=formats,
        alt=alt_text(wide, classes, lead, period, normalize, reference, unit),
        height=260,
        caption=caption,
    )


def by_class(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    """Rows of (period, engager_class, engagements) with some engagements, from either frame shape."""
    if "engager_class" not in frame.columns:  # network_share: the network against everyone else
        network = frame[[period]].assign(engager_class="network", engagements=frame["network"])
        others = frame[[period]].assign(engager_class="others", engagements=frame["total"] - frame["network"])
        frame = pd.concat([network, others], ignore_index=True)
    frame = frame[[period, "engager_class", "engagements"]].copy()
    frame["engager_class"] = frame["engager_class"].astype(str)
    frame["engagements"] = frame["engagements"].astype("int64")
    return frame[frame["engagements"] > 0]


def period_end(starts: pd.Series, period: str) -> pd.Series:
    """The last day of each period (bars span start to end, leaving the gap of a day between them)."""
    first = pd.to_datetime(starts)
    following = first + (pd.Timedelta(days=7) if period == "week" else pd.offsets.MonthBegin(1))
    return (following - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")


def alt_text(
    wide: pd.DataFrame, classes: list[str], lead: str, period: str, normalize: bool, reference: float, unit: str
) -> str:
    """What the chart shows, in words and numbers: range, extremes, and how often the lead class passed the line."""
    periods = len(wide)
    busiest, quietest = wide.loc[wide["total"].idxmax()], wide.loc[wide["total"].idxmin()]
    share_column = f"{lead} share (%)"
    high, low = wide.loc[wide[share_column].idxmax()], wide.loc[wide[share_column].idxmin()]
    total = int(wide["total"].sum())
    above = int((wide[lead] > wide["total"] * reference).sum())
    kind = "100% stacked bar chart of the share" if normalize else "Stacked bar chart"
    return (
        f"{kind} of {unit} per {period} by class of account ({listing(classes)}), "
        f"{plural(periods, period)} from {day(wide['start'].iloc[0])} to {day(wide['end'].iloc[-1])}, "
        f"{count(total)} {unit} in all. "
        f"The busiest {period}, starting {day(busiest['start'])}, had {count(busiest['total'])}; "
        f"the quietest, starting {day(quietest['start'])}, had {count(quietest['total'])}. "
        f"The {lead} class made {pct(100 * wide[lead].sum() / total)} of all {unit}, "
        f"from {pct(low[share_column])} ({period} of {day(low['start'])}) to {pct(high[share_column])} "
        f"({period} of {day(high['start'])}), and more than {pct(100 * reference, 0)} of them in "
        f"{above} of the {plural(periods, period)}."
    )


@chart_kind(
    "weekly_bars",
    "one account's engagements per week (or month), weeks without any drawn as zero",
    shapes=tuple((p, "engagements") for p in PERIODS),
    stat_kinds=("weekly_per_target",),
    params={"unit": words},
)
def weekly_bars(definition: ChartDef, stat: StatResult, frame: pd.DataFrame) -> Drawing:
    """Bars per period over the statistic's whole window, so every account's chart shares one time axis.

    This is the kind drawn once per entity (`per: handle`), hundreds of times in a collection, so it
    is made without pandas or Altair per chart: plain Python over a few dozen rows, the Vega-Lite spec
    (for the interactive view) filled in from a template, and the static pictures drawn by barsvg
    instead of vl-convert.
    """
    period = next(p for p in PERIODS if p in frame.columns)
    unit = definition.params.get("unit", "engagements")
    counts: dict[dt.date, int] = {}
    for when, engagements in zip(frame[period].tolist(), frame["engagements"].tolist(), strict=True):
        counts[as_date(when)] = counts.get(as_date(when), 0) + int(engagements)
    if sum(counts.values()) == 0:
        raise NoData(f"statistic {stat.id!r} counts no {unit}")
    first, last = min(counts), max(counts)
    if stat.window:
        first, last = min(first, as_date(stat.window[0])), max(last, as_date(stat.window[1]))
    starts = period_starts(first, last, period)
    ends = [following(start, period) - dt.timedelta(days=1) for start in starts]
    values = [counts.get(start, 0) for start in starts]
    records = [
        {"start": start.isoformat(), unit: value, "end": end.isoformat(), "period_label": long_date(start)}
        for start, end, value in zip(starts, ends, values, strict=True)
    ]
    busiest = values.index(max(values))
    words_alt = (
        f"Bar chart of {unit} per {period}, {plural(len(starts), period)} from {day(starts[0])} to "
        f"{day(ends[-1])}, {count(sum(values))} {unit} in all, "
        f"with {unit} in {sum(v > 0 for v in values)} of them. "
        f"The busiest {period}, starting {day(starts[busiest])}, had {count(values[busiest])}."
    )
    table = pd.DataFrame({f"{period} starting": [r["start"] for r in records], unit: np.array(values, dtype="int64")})
    return Drawing(
        chart=bars_spec(unit, period, records),
        table=table,
        formats={f"{period} starting": "date", unit: "count"},
        alt=words_alt,
        height=160,
        picture=functools.partial(
            time_bars_svg, starts, ends, values, y_title=f"{unit.capitalize()} per {period}", colour=BAR_COLOUR
        ),
    )


BAR_COLOUR = colours_for(["active"])[0]


def as_date(value: object) -> dt.date:
    """A statistic's period or window bound (a date, a datetime, a Timestamp or an ISO string) as a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def period_starts(first: dt.date, last: dt.date, period: str) -> list[dt.date]:
    """Every period start from the one holding `first` to the last one on or before `last`.

    Weeks start on Monday; months on their first day.
    """
    start = first - dt.timedelta(days=first.weekday()) if period == "week" else first.replace(day=1)
    starts = []
    while start <= last:
        starts.append(start)
        start = following(start, period)
    return starts


def following(start: dt.date, period: str) -> dt.date:
    """The start of the period after the one starting on `start`."""
    if period == "week":
        return start + dt.timedelta(days=7)
    return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)


def bars_spec(unit: str, period: str, records: list[dict[str, object]]) -> dict[str, Any]:
    """The weekly_bars Vega-Lite spec with these rows: the template's encoding, the rows as its dataset.

    The dataset is named by the hash of its rows, as Altair names it, so the spec is the one Altair
    would write. The template's parts are shared between charts: the stage copies the spec before use.
    """
    name = "data-" + hashlib.sha256(json.dumps(records, sort_keys=True).encode()).hexdigest()[:32]
    return {**bars_template(unit, period), "data": {"name": name}, "datasets": {name: records}}


@functools.lru_cache(maxsize=16)
def bars_template(unit: str, period: str) -> dict[str, Any]:
    """The weekly_bars spec without data: one bar per period from start to end, from zero to the count."""
    chart = (
        alt.Chart(alt.InlineData(values=[]))
        .mark_bar(color=BAR_COLOUR)
        .encode(
            x=alt.X("start:T", title=None, scale=UTC, axis=alt.Axis(format="%b %Y")),
            x2="end:T",
            y=alt.Y(f"{unit}:Q", title=f"{unit.capitalize()} per {period}", axis=alt.Axis(format=",d", tickMinStep=1)),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("period_label:N", title=f"{period.capitalize()} of"),
                alt.Tooltip(f"{unit}:Q", title=unit.capitalize(), format=","),
            ],
        )
    )
    spec = chart.to_dict(validate=False)
    for key in ("data", "datasets"):
        spec.pop(key, None)
    return spec
