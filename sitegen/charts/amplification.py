"""Chart kinds for who amplified whom: per-target status shares and the concentration curve."""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd

from ..stats import StatResult
from .model import ChartDef, Drawing, NoData, chart_kind, flag, share, whole, words
from .style import PALETTE, REFERENCE
from .text import at_handle, count, pct, percent_of, plural

THRESHOLD = re.compile(r"at least ([\d,]+) engagements per target")


@chart_kind(
    "status_bars",
    "per-target share of engagements from accounts of a status, sorted, with the threshold of inclusion",
    shapes=(("handle", "with_status", "known_status"),),
    stat_kinds=("per_target",),
    params={"min_engagements": whole(1), "top": whole(1), "status": words, "unit": words, "reference": flag},
)
def status_bars(definition: ChartDef, stat: StatResult, frame: pd.DataFrame) -> Drawing:
    """One bar per target: the share of its engagements (by accounts of known status) from the status."""
    params = definition.params
    status, unit = params.get("status", "suspended"), params.get("unit", "retweets")
    columns = ["handle", "with_status", "known_status"] + (["engagements"] if "engagements" in frame else [])
    frame = frame[columns].copy()
    frame["handle"] = frame["handle"].map(at_handle)
    frame[columns[1:]] = frame[columns[1:]].fillna(0).astype("int64")
    minimum = params.get("min_engagements") or threshold_of(stat)
    if "min_engagements" in params:
        frame = frame[frame["engagements" if "engagements" in frame else "known_status"] >= params["min_engagements"]]
    listed = len(frame)
    kept = frame[frame["known_status"] > 0].copy()
    if kept.empty:
        raise NoData(
            "no target has engagements by accounts of known status"
            + (f" and at least {count(minimum)} {unit}" if minimum else "")
        )
    kept["share"] = percent_of(kept["with_status"], kept["known_status"])
    kept = kept.sort_values(["share", "known_status", "handle"], ascending=[False, False, True], ignore_index=True)
    eligible = len(kept)
    # The line and the counts are of every eligible account; `top` only limits the bars drawn.
    pooled = float(percent_of(kept["with_status"].sum(), kept["known_status"].sum()))
    above_half = int((kept["with_status"] * 2 > kept["known_status"]).sum())
    known_total = int(kept["known_status"].sum())
    if "top" in params:
        kept = kept.head(params["top"])
    kept["label"] = kept["share"].map(pct)
    who = plural(eligible, "account")
    rule = f" with at least {count(minimum)} {unit}" if minimum else ""
    subset = f"the {len(kept)} highest of " if len(kept) < eligible else ""
    caption = f"{subset}{who}{rule}"
    if eligible < listed:
        caption += f"; {listed - eligible} with no {unit} by accounts of known status left out"
    reach = 100 if kept["share"].max() > 80 else max(50, 10 * int(kept["share"].max() // 10 + 2))
    # Room for the largest bar's label, and 50% always in view, so "more than half" can be read off.
    x = alt.X("share:Q", title=f"Share of {unit} from {status} accounts (%)", scale=alt.Scale(domain=[0, reach]))
    y = alt.Y("handle:N", title=None, sort=list(kept["handle"]))  # already sorted, highest first
    base = alt.Chart(kept)
    bars = base.mark_bar(color=PALETTE.get(status, PALETTE["suspended"])).encode(
        x=x,
        y=y,
        tooltip=[
            alt.Tooltip("handle:N", title="Account"),
            alt.Tooltip("share:Q", title="Share (%)", format=".1f"),
            alt.Tooltip("with_status:Q", title=f"From {status} accounts", format=","),
            alt.Tooltip("known_status:Q", title="By accounts of known status", format=","),
        ],
    )
    labels = base.mark_text(align="left", dx=3, baseline="middle").encode(x=x, y=y, text="label:N")
    layers: list[alt.Chart] = [bars, labels]
    if params.get("reference", True):
        pooled_line = pd.DataFrame({"pooled": [pooled]})
        layers.append(
            alt.Chart(pooled_line)
            .mark_rule(color=REFERENCE, strokeDash=[4, 3], strokeWidth=1.5)
            .encode(x="pooled:Q")
            .properties(name="reference")
        )
        caption += f"; dashed line: all {eligible} together, {pct(pooled)}"
    names = {
        "share": "share (%)",
        "with_status": f"{unit} from {status} accounts",
        "known_status": f"{unit} by accounts of known status",
        "engagements": f"all {unit}",
    }
    table = kept[["handle", "share"] + columns[1:]].rename(columns=names).reset_index(drop=True)
    formats = {"handle": "text", "share (%)": "percent", **{names[c]: "count" for c in columns[1:]}}
    high, low = kept.iloc[0], kept.iloc[-1]
    alt_text = (
        f"Bar chart of the share of each account's {unit} that came from {status} accounts, for {subset}{who}{rule}, "
        f"highest first. Highest: {high['handle']}, {pct(high['share'])} of {count(high['known_status'])}; "
        f"lowest{' shown' if subset else ''}: {low['handle']}, {pct(low['share'])} of {count(low['known_status'])}. "
        f"Together, {pct(pooled)} of the {count(known_total)} {unit} by accounts of known status to all {who} "
        f"came from {status} accounts; {above_half} of the {who} had more than half."
    )
    return Drawing(
        chart=alt.layer(*layers),
        table=table,
        formats=formats,
        alt=alt_text,
        height=max(60, 18 * len(kept)),
        caption=caption[0].upper() + caption[1:],
    )


def threshold_of(stat: StatResult) -> int | None:
    """The statistic's own threshold of inclusion (per_target's `min_engagements`), read from its filters."""
    for text in stat.filters:
        match = THRESHOLD.search(text)
        if match:
            return int(match.group(1).replace(",", ""))
    return None


# Where a long concentration curve is sampled: fine near the most active engagers, coarser after.
LORENZ_GRID = np.array(
    [0, 0.1, 0.2, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100], dtype=float
)


@chart_kind(
    "lorenz",
    "concentration curve: cumulative share of engagements by the most active engagers, top point annotated",
    shapes=(("engager_share", "engagement_share"),),
    stat_kinds=("concentration",),
    params={"top": share, "unit": words, "who": words},
)
def lorenz(definition: ChartDef, stat: StatResult, frame: pd.DataFrame) -> Drawing:
    """The share of engagements made by the most active x% of engagers, with the top share marked."""
    params = definition.params
    top = 100 * params.get("top", 0.01)
    unit, who = params.get("unit", "retweets"), params.get("who", "retweeters")
    curve = most_active_first(frame["engager_share"].astype(float), frame["engagement_share"].astype(float))
    # The statistic's own points when it gives a modest number, else a grid fine near the most active.
    grid = np.union1d(np.round(curve[0], 2) if len(curve[0]) <= 201 else LORENZ_GRID, [top])
    sampled = pd.DataFrame({"engagers": grid, "engagements": np.round(np.interp(grid, *curve), 1)})
    top_value = float(sampled.loc[sampled["engagers"] == top, "engagements"].iloc[0])
    half_at = float(np.interp(50, curve[1], curve[0]))
    marked = pd.DataFrame(
        {"engagers": [top], "engagements": [top_value], "label": [f"Top {share_words(top)}: {pct(top_value)}"]}
    )
    x = alt.X("engagers:Q", title=f"Most active {who}, cumulative (%)", scale=alt.Scale(domain=[0, 100]))
    y = alt.Y("engagements:Q", title=f"Their share of all {unit} (%)", scale=alt.Scale(domain=[0, 100]))
    equal = (
        alt.Chart(pd.DataFrame({"engagers": [0, 100], "engagements": [0, 100]}))
        .mark_line(color=REFERENCE, strokeDash=[4, 3], strokeWidth=1)
        .encode(x=x, y=y)
        .properties(name="reference")
    )
    line = (
        alt.Chart(sampled)
        .mark_line(
            color=PALETTE["network"],
            strokeWidth=2.5,
            # Points carry the tooltips; drawn only when few enough to read as points.
            point=alt.OverlayMarkDef(
                size=18, filled=True, color=PALETTE["network"], opacity=1 if len(grid) <= 30 else 0
            ),
        )
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("engagers:Q", title=f"Most active {who} (%)", format=".1f"),
                alt.Tooltip("engagements:Q", title=f"Their share of {unit} (%)", format=".1f"),
            ],
        )
    )
    point = alt.Chart(marked).mark_point(size=90, filled=True, color=PALETTE["network"]).encode(x=x, y=y)
    text = alt.Chart(marked).mark_text(align="left", dx=10, dy=4).encode(x=x, y=y, text="label:N")
    table = sampled.rename(columns={"engagers": f"most active {who} (%)", "engagements": f"their share of {unit} (%)"})
    total = f" {count(stat.denominator)} {unit}" if stat.denominator else f" {unit}"
    alt_text = (
        f"Concentration (Lorenz) curve: the cumulative share of{total} made by the most active {who}, "
        f"from 0 to 100% of them, against a dashed line of equal activity. "
        f"The top {share_words(top)} of {who} made {pct(top_value)} of the {unit}; the top 10% made "
        f"{pct(float(sampled.loc[sampled['engagers'] == 10, 'engagements'].iloc[0]))}. "
        f"Half of all {unit} came from the most active {pct(half_at)} of {who}."
    )
    return Drawing(
        chart=alt.layer(equal, line, point, text),
        table=table,
        formats={column: "percent" for column in table.columns},
        alt=alt_text,
        height=260,
        caption=f"Dashed line: every one of the {who} equally active",
    )


def share_words(value: float) -> str:
    """A percentage with a decimal only when it needs one: 1 -> '1%', 0.5 -> '0.5%'."""
    return pct(value, 0) if float(value).is_integer() else pct(value, 1)


def most_active_first(x: pd.Series, y: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A Lorenz curve as percent, oriented from the most active engagers, starting at (0, 0)."""
    if x.empty:
        raise NoData("the concentration curve has no points")
    scale = 100.0 if max(x.max(), y.max()) <= 1.0 + 1e-9 else 1.0
    xs, ys = (x * scale).to_numpy(), (y * scale).to_numpy()
    order = np.argsort(xs, kind="stable")
    xs, ys = xs[order], ys[order]
    if np.mean(ys - xs) < 0:  # the classic curve, least active first: turn it around
        xs, ys = (100 - xs)[::-1], (100 - ys)[::-1]
    if xs[0] > 0:
        xs, ys = np.r_[0.0, xs], np.r_[0.0, ys]
    if xs[-1] < 100:
        xs, ys = np.r_[xs, 100.0], np.r_[ys, 100.0]
    return xs, ys
