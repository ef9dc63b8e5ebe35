"""Chart kinds for how the accounts behaved: creation bursts, reach, speed, hours of activity."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..stats import StatResult
from .model import ChartDef, Drawing, NoData, chart_kind, flag, whole, words
from .style import HIGHLIGHT, MUTED, PALETTE, UTC, colours_for, log_ticks
from .text import at_handle, count, day, listing, pct, percent_of, plural


@chart_kind(
    "creation_bursts",
    "accounts created per day, burst days highlighted",
    shapes=(("day", "accounts"),),
    stat_kinds=("creation_bursts",),
    params={"burst_at_least": whole(2), "who": words},
)
def creation_bursts(definition: ChartDef, stat: StatResult, frame: pd.DataFrame) -> Drawing:
    """A bar for each day accounts were created; burst days (from the statistic or a threshold) stand out."""
    who = definition.params.get("who", "accounts")
    frame = frame[frame["accounts"] > 0].copy()
    if frame.empty:
        raise NoData(f"statistic {stat.id!r} has no account creations")
    frame["day"] = pd.to_datetime(frame["day"]).dt.strftime("%Y-%m-%d")
    frame = frame.groupby("day", as_index=False).agg(
        accounts=("accounts", "sum"), **({"burst": ("burst", "max")} if "burst" in frame else {})
    )
    frame["accounts"] = frame["accounts"].astype("int64")
    if "burst_at_least" in definition.params:
        bursts = frame["accounts"] >= definition.params["burst_at_least"]
        rule = f"Burst: a day with at least {count(definition.params['burst_at_least'])} {who} created"
    elif "burst" in frame:
        bursts = frame["burst"].fillna(False).astype(bool)
        said = [f for f in stat.filters if f.startswith("burst days: ")]
        rule = (
            "Burst days: " + said[0].removeprefix("burst days: ")
            if said
            else "Burst days as the statistic defines them"
        )
    else:
        bursts = pd.Series(False, index=frame.index)
        rule = ""
    frame["burst"] = np.where(bursts, "burst day", "other day")
    frame["day_label"] = frame["day"].map(day)
    kinds = ["burst day", "other day"]
    bars = (
        alt.Chart(frame)
        .mark_bar(size=4)
        .encode(
            x=alt.X("day:T", title=None, scale=UTC, axis=alt.Axis(format="%b %Y")),
            y=alt.Y(
                "accounts:Q", title=f"{who.capitalize()} created per day", axis=alt.Axis(format="d", tickMinStep=1)
            ),
            color=alt.Color("burst:N", title=None, scale=alt.Scale(domain=kinds, range=[HIGHLIGHT, MUTED])),
            tooltip=[
                alt.Tooltip("day_label:N", title="Day"),
                alt.Tooltip("accounts:Q", title=f"{who.capitalize()} created"),
                alt.Tooltip("burst:N", title="Kind of day"),
            ],
        )
    )
    table = frame[["day", "accounts", "burst"]]
    total, burst_rows = int(frame["accounts"].sum()), frame[bursts.to_numpy()]
    busiest = frame.loc[frame["accounts"].idxmax()]
    alt_text = (
        f"Bar chart of {who} created per day: {count(total)} {who} created on {plural(len(frame), 'day')} from "
        f"{day(frame['day'].iloc[0])} to {day(frame['day'].iloc[-1])}. Most days saw "
        f"{count(int(frame['accounts'].median()))}; "
        f"the busiest, {day(busiest['day'])}, saw {count(busiest['accounts'])}. "
    )
    if len(burst_rows):
        in_bursts = int(burst_rows["accounts"].sum())
        alt_text += (
            f"{plural(len(burst_rows), 'burst day')} ("
            + listing([f"{day(d)}: {count(n)}" for d, n in zip(burst_rows["day"], burst_rows["accounts"], strict=True)])
            + f") account for {count(in_bursts)} of the {count(total)} {who} ({pct(percent_of(in_bursts, total))})."
        )
    return Drawing(
        chart=bars,
        table=table.reset_index(drop=True),
        formats={"day": "date", "accounts": "count", "burst": "text"},
        alt=alt_text.strip(),
        height=200,
        caption=rule,
    )


@chart_kind(
    "followers_engagements",
    "followers against engagements for each target, log scales, the most engaged labelled",
    shapes=(("handle", "followers", "engagements"),),
    stat_kinds=("per_target",),
    params={"label_top": whole(0), "unit": words},
)
def followers_engagements(definition: ChartDef, stat: StatResult, frame: pd.DataFrame) -> Drawing:
    """A point per target at (followers, engagements) on log scales; the most engaged are named."""
    unit = definition.params.get("unit", "retweets")
    label_top = definition.params.get("label_top", 5)
    columns = (
        ["handle", "account_id", "followers", "engagements"]
        if "account_id" in frame
        else ["handle", "followers", "engagements"]
    )
    frame = frame[columns].copy()
    frame["handle"] = frame["handle"].map(at_handle)
    if "account_id" in frame:
        frame["account_id"] = frame["account_id"].map(account_id_text)
    frame[["followers", "engagements"]] = frame[["followers", "engagements"]].fillna(0).astype("int64")
    shown = frame[(frame["followers"] > 0) & (frame["engagements"] > 0)].copy()
    if shown.empty:
        raise NoData(f"no target has both followers and {unit}")
    shown["per_1000"] = np.round(1000 * shown["engagements"] / shown["followers"], 1)
    shown = shown.sort_values(["engagements", "handle"], ascending=[False, True], ignore_index=True)
    shown["label"] = labels_apart(shown, label_top)
    x_ticks = log_ticks(float(shown["followers"].min()), float(shown["followers"].max()))
    y_ticks = log_ticks(float(shown["engagements"].min()), float(shown["engagements"].max()))
    x = alt.X(
        "followers:Q",
        title="Followers (log scale)",
        scale=alt.Scale(type="log", domain=[x_ticks[0], x_ticks[-1]]),
        axis=alt.Axis(values=x_ticks, format="~s"),
    )
    y = alt.Y(
        "engagements:Q",
        title=f"{unit.capitalize()} (log scale)",
        scale=alt.Scale(type="log", domain=[y_ticks[0], y_ticks[-1]]),
        axis=alt.Axis(values=y_ticks, format="~s"),
    )
    base = alt.Chart(shown)
    points = base.mark_circle(size=60, opacity=0.8, color=PALETTE["active"]).encode(
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("handle:N", title="Account"),
            alt.Tooltip("followers:Q", title="Followers", format=","),
            alt.Tooltip("engagements:Q", title=unit.capitalize(), format=","),
            alt.Tooltip("per_1000:Q", title=f"{unit.capitalize()} per 1,000 followers", format=",.1f"),
        ],
    )
    labels = base.mark_text(align="left", dx=6, dy=-4).encode(x=x, y=y, text="label:N")
    dropped = len(frame) - len(shown)
    caption = f"{dropped} with no recorded followers or no {unit} not shown (log scales)" if dropped else ""
    table = shown[[*columns, "per_1000"]].rename(
        columns={"engagements": unit, "per_1000": f"{unit} per 1,000 followers"}
    )
    formats = {
        "handle": "text",
        "account_id": "id",
        "followers": "count",
        unit: "count",
        f"{unit} per 1,000 followers": "number",
    }
    rho = float(shown["followers"].rank().corr(shown["engagements"].rank())) if len(shown) > 2 else float("nan")
    high = shown.loc[shown["per_1000"].idxmax()]
    low = shown.loc[shown["per_1000"].idxmin()]
    most = shown.iloc[0]
    alt_text = (
        f"Scatter plot of {unit} against followers for {plural(len(shown), 'account')}, both on log scales. "
        f"Followers range from {count(shown['followers'].min())} to {count(shown['followers'].max())}, "
        f"{unit} from {count(shown['engagements'].min())} to {count(shown['engagements'].max())}. "
        f"The most {unit}: {most['handle']}, {count(most['engagements'])} with {count(most['followers'])} followers. "
        f"Per 1,000 followers, {high['handle']} got the most {unit} ({count(high['per_1000'])}) and "
        f"{low['handle']} the fewest ({count(low['per_1000'])})."
    )
    if not np.isnan(rho):
        alt_text += f" Rank correlation of followers and {unit}: {rho:.2f}."
    return Drawing(
        chart=alt.layer(points, labels),
        table=table,
        formats={c: formats[c] for c in table.columns},
        alt=alt_text,
        height=280,
        caption=caption,
    )


def labels_apart(points: pd.DataFrame, most: int) -> list[str]:
    """Handles to print beside the most engaged points, skipping any that would overprint one already placed."""
    x = np.log10(points["followers"].to_numpy(dtype=float))
    y = np.log10(points["engagements"].to_numpy(dtype=float))
    # Distances in shares of each axis's span: a label is about a fifth of the plot wide, a tenth high.
    x, y = x / max(np.ptp(x), 1.0), y / max(np.ptp(y), 1.0)
    placed: list[int] = []
    labels = [""] * len(points)
    for i in range(len(points)):  # points are sorted by engagements, most first
        if len(placed) >= most:
            break
        if all(abs(x[i] - x[j]) > 0.22 or abs(y[i] - y[j]) > 0.08 for j in placed):
            placed.append(i)
            labels[i] = str(points["handle"].iloc[i])
    return labels


def account_id_text(value: object) -> str:
    """An account id as text with every digit: ids exceed 2^53, so a float has already lost some."""
    if isinstance(value, float):
        raise ValueError("account ids must be text or whole numbers, not floating point (digits would be lost)")
    return str(value)


DELAY_UNITS = ("seconds", "minutes", "hours")


@chart_kind(
    "engagement_delay",
    "time from post to engagement, percentiles per group (the network against the rest), log time axis",
    shapes=tuple(("group", "percentile", unit) for unit in DELAY_UNITS),
    stat_kinds=("time_to_engagement",),
    params={"unit": words},
)
def engagement_delay(definition: ChartDef, stat: StatResult, frame: pd.DataFrame) -> Drawing:
    """For each group, the time within which each percentile of its engagements came: a sampled CDF."""
    noun = definition.params.get("unit", "retweets")
    one = noun[:-1] if noun.endswith("s") else noun
    unit = next(u for u in DELAY_UNITS if u in frame.columns)
    frame = frame.copy()
    frame["group"] = frame["group"].astype(str)
    frame["percentile"] = np.round(100 * frame["percentile"].astype(float), 1)
    frame["time"] = np.round(frame[unit].astype(float), 2)
    has_counts = "engagements" in frame.columns
    if has_counts:
        frame["engagements"] = frame["engagements"].fillna(0).astype("int64")
    timed = frame[frame["time"] > 0].sort_values(["group", "percentile"], ignore_index=True)
    if timed.empty:
        raise NoData(f"statistic {stat.id!r} has no times to plot")
    groups = group_order(timed["group"])
    ticks = log_ticks(float(timed["time"].min()), float(timed["time"].max()))
    x = alt.X(
        "time:Q",
        title=f"{unit.capitalize()} from post to {one} (log scale)",
        scale=alt.Scale(type="log", domain=[ticks[0], ticks[-1]]),
        axis=alt.Axis(values=ticks, format="~g"),
    )
    y = alt.Y(
        "percentile:Q", title=f"Share of the group's {noun} within that time (%)", scale=alt.Scale(domain=[0, 100])
    )
    tooltip = [
        alt.Tooltip("group:N", title="Group"),
        alt.Tooltip("percentile:Q", title="Percentile", format=".0f"),
        alt.Tooltip("time:Q", title=unit.capitalize(), format=",.2f"),
    ]
    lines = (
        alt.Chart(timed)
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=40, filled=True))
        .encode(
            x=x,
            y=y,
            color=alt.Color("group:N", title=None, scale=alt.Scale(domain=groups, range=colours_for(groups))),
            tooltip=tooltip,
        )
    )
    columns = ["group", "percentile", "time"] + (["engagements"] if has_counts else [])
    names = {"percentile": "percentile (%)", "time": f"{unit} from post", "engagements": f"{noun} in group"}
    table = timed[columns].rename(columns=names)
    dropped = len(frame) - len(timed)
    caption = f"{dropped} percentile{'s' if dropped != 1 else ''} at zero time not shown (log scale)" if dropped else ""

    def at(group: str, percentile: float) -> float | None:
        rows = timed[(timed["group"] == group) & (timed["percentile"] == percentile)]
        return float(rows["time"].iloc[0]) if len(rows) else None

    sizes = (
        listing([f"{g} ({count(timed.loc[timed['group'] == g, 'engagements'].iloc[0])} {noun})" for g in groups])
        if has_counts
        else listing(groups)
    )
    alt_text = (
        f"Line chart of the time from a post to its {noun}, as percentiles for each group: {sizes}, "
        f"on a log scale from {count_or_decimal(timed['time'].min())} "
        f"to {count_or_decimal(timed['time'].max())} {unit}. "
    )
    medians = [(g, at(g, 50.0)) for g in groups]
    known = [(g, m) for g, m in medians if m is not None]
    if known:
        alt_text += (
            f"Half of each group's {noun} came within: "
            + listing([f"{g} {count_or_decimal(m)} {unit}" for g, m in known])
            + "."
        )
        if len(known) == 2 and min(m for _, m in known) > 0:
            (fast, f_m), (slow, s_m) = sorted(known, key=lambda item: item[1])
            alt_text += f" The median for {fast} is {count_or_decimal(s_m / f_m)} times shorter than for {slow}."
    return Drawing(
        chart=lines,
        table=table.reset_index(drop=True),
        formats={"group": "text", "percentile (%)": "percent", names["time"]: "number", names["engagements"]: "count"},
        alt=alt_text.strip(),
        height=240,
        caption=caption,
    )


def count_or_decimal(value: float) -> str:
    """12345.6 -> '12,346'; 2.345 -> '2.35'; 0.5 -> '0.5'."""
    if abs(value) >= 100:
        return count(value)
    return f"{value:.2f}".rstrip("0").rstrip(".")


def group_order(groups: pd.Series) -> list[str]:
    """Groups in a stable order: the network (or the first class in the palette) first, then by name."""
    names = sorted(set(groups))
    return sorted(names, key=lambda g: (g not in PALETTE, list(PALETTE).index(g) if g in PALETTE else 0, g))


@chart_kind(
    "hour_of_day",
    "activity by hour of day, per group, as a share of each group's activity",
    shapes=(("hour", "engagements"),),
    stat_kinds=("hourly_activity",),
    params={"zone": words, "normalize": flag, "unit": words},
)
def hour_of_day(definition: ChartDef, stat: StatResult, frame: pd.DataFrame) -> Drawing:
    """A line per group over the 24 hours of the day (shares of the group's activity unless told counts)."""
    params = definition.params
    zone, unit, normalize = params.get("zone", "UTC"), params.get("unit", "retweets"), params.get("normalize", True)
    frame = frame.copy()
    frame["group"] = frame["group"].astype(str) if "group" in frame else "all"
    if not frame["hour"].between(0, 23).all():
        raise ValueError("hour must be a whole number from 0 to 23")
    frame["hour"] = frame["hour"].astype("int64")
    if frame["engagements"].sum() <= 0:
        raise NoData(f"statistic {stat.id!r} counts no activity")
    groups = group_order(frame["group"])
    hourly = (
        frame.groupby(["group", "hour"])["engagements"]
        .sum()
        .reindex(pd.MultiIndex.from_product([groups, range(24)], names=["group", "hour"]), fill_value=0)
        .reset_index()
    )
    hourly["engagements"] = hourly["engagements"].astype("int64")
    hourly["share"] = percent_of(hourly["engagements"], hourly.groupby("group")["engagements"].transform("sum"))
    hourly["hour_label"] = hourly["hour"].map(lambda h: f"{h:02d}:00")
    measure = "share" if normalize else "engagements"
    y_title = f"Share of the group's {unit} (%)" if normalize else f"{unit.capitalize()} per hour"
    line = (
        alt.Chart(hourly)
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=20, filled=True))
        .encode(
            x=alt.X(
                "hour:Q",
                title=f"Hour of day ({zone})",
                scale=alt.Scale(domain=[0, 23]),
                axis=alt.Axis(values=list(range(0, 24, 3)), format="02d"),
            ),
            y=alt.Y(f"{measure}:Q", title=y_title),
            color=alt.Color("group:N", title=None, scale=alt.Scale(domain=groups, range=colours_for(groups))),
            tooltip=[
                alt.Tooltip("group:N", title="Group"),
                alt.Tooltip("hour_label:N", title=f"Hour ({zone})"),
                alt.Tooltip("engagements:Q", title=unit.capitalize(), format=","),
                alt.Tooltip("share:Q", title="Share of the group (%)", format=".1f"),
            ],
        )
    )
    table = hourly[["group", "hour", "engagements", "share"]].rename(
        columns={"hour": f"hour ({zone})", "engagements": unit, "share": "share of group (%)"}
    )
    parts = []
    for group in groups:
        rows = hourly[hourly["group"] == group]
        peak, trough = rows.loc[rows[measure].idxmax()], rows.loc[rows[measure].idxmin()]
        show = pct if normalize else count
        parts.append(
            f"{group}: busiest at {peak['hour_label']} ({show(peak[measure])}), quietest at {trough['hour_label']} "
            f"({show(trough[measure])})"
        )
    alt_text = (
        f"Line chart of {unit} by hour of day ({zone}), "
        + ("as a share of each group's total, " if normalize else "")
        + f"for {listing(groups)}; {'; '.join(parts)}."
    )
    return Drawing(
        chart=line,
        table=table,
        formats={"group": "text", f"hour ({zone})": "count", unit: "count", "share of group (%)": "percent"},
        alt=alt_text,
        height=220,
        caption=f"Times in {zone}",
    )
