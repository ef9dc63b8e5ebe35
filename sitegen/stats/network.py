"""Statistic kinds about a named coordinated network: its share of engagements, by period, and co-engagement."""

from __future__ import annotations

import ibis
import pandas as pd

from ..errors import StatsError
from .context import (
    SELECTION_PARAMS,
    Context,
    ParamError,
    Selection,
    choice_param,
    kind,
    period_start,
    raw_engagements,
    result,
    selected_engagements,
    share,
    share_param,
    whole_param,
)
from .model import StatDef, StatResult

NETWORK_PARAMS = {
    **SELECTION_PARAMS,
    "network": "name of the coordinated network (accounts.network)",
    "period": "week (default, weeks start on Monday) or month, for the table of shares per period",
}


def network_name(definition: StatDef) -> str:
    """The `network` parameter, which these kinds require."""
    network = definition.params.get("network")
    if not network:
        raise StatsError("needs `network`, the name of the network (as in accounts.network)")
    return str(network)


def network_by_period(ctx: Context, definition: StatDef) -> tuple[Selection, str, str, pd.DataFrame]:
    """Engagements of the selection per period: by the network, in all, and the network's share."""
    selection = selected_engagements(ctx, definition)
    network = network_name(definition)
    period = choice_param(definition, "period", ("week", "month"), "week")
    table = selection.table
    marked = table.mutate(
        **{period: period_start(table.created_at, period)},
        by_network=table.engager.isin(ctx.network_keys(network)).ifelse(1, 0),
    )
    series = marked.group_by(period).aggregate(network=marked.by_network.sum(), total=ibis._.count()).order_by(period)
    frame = ctx.engine.frame(series)
    frame[period] = pd.to_datetime(frame[period]).dt.date
    frame = frame.astype({"network": "int64", "total": "int64"})
    frame["share"] = (frame["network"] / frame["total"]).astype("float64")
    if frame.empty:
        raise ParamError("window", f"no {selection.words}: the network's share is undefined")
    return selection, network, period, frame.reset_index(drop=True)


@kind(
    "network_share",
    NETWORK_PARAMS,
    "percent",
    "share of a target's engagements made by members of a named network, overall and per period",
    ("accounts", "engagements"),
)
def network_share(ctx: Context, definition: StatDef) -> StatResult:
    selection, network, period, frame = network_by_period(ctx, definition)
    numerator, denominator = int(frame["network"].sum()), int(frame["total"].sum())
    return result(
        ctx,
        definition,
        value=share(numerator, denominator, selection.words),
        numerator=numerator,
        denominator=denominator,
        window=selection.window,
        frame=frame,
        filters=(*selection.filters, f"network: {network!r}", f"table: one row per {period}"),
        numerator_text=f"{selection.words} by members of the {network!r} network",
        denominator_text=f"all {selection.words}",
        definition=(
            f"Share of {selection.words} that were made by members of the {network!r} network. "
            f"The table gives the same share for each {period}."
        ),
    )


@kind(
    "network_weeks",
    {**NETWORK_PARAMS, "threshold": "the network share a period must reach, such as 30%"},
    "percent",
    "share of weeks (or months) in which a named network made at least a threshold share of engagements",
    ("accounts", "engagements"),
)
def network_weeks(ctx: Context, definition: StatDef) -> StatResult:
    threshold = share_param(definition, "threshold")
    selection, network, period, frame = network_by_period(ctx, definition)
    frame["at_or_above"] = frame["share"] >= threshold
    numerator, denominator = int(frame["at_or_above"].sum()), len(frame)
    periods = f"{period}s" if period == "week" else "months"
    return result(
        ctx,
        definition,
        value=numerator / denominator,
        numerator=numerator,
        denominator=denominator,
        window=selection.window,
        frame=frame,
        filters=(*selection.filters, f"network: {network!r}", f"threshold: {threshold * 100:g}% per {period}"),
        numerator_text=f"{periods} in which the network made at least {threshold * 100:g}% of them",
        denominator_text=f"{periods} with at least one of them",
        definition=(
            f"Share of {periods} (with at least one of the {selection.words}) in which members of the "
            f"{network!r} network made at least {threshold * 100:g}% of them. "
            + ("Weeks start on Monday; the first and last may be partial." if period == "week" else "")
        ).strip(),
    )


@kind(
    "co_engagement",
    {
        **SELECTION_PARAMS,
        "network": "name of the coordinated network (accounts.network)",
        "seconds": "how close in time two engagements of the same post must be (default 60)",
    },
    "percent",
    "share of a network's engagements within N seconds of another member's engagement of the same post",
    ("accounts", "engagements"),
)
def co_engagement(ctx: Context, definition: StatDef) -> StatResult:
    network = network_name(definition)
    seconds = whole_param(definition, "seconds", 60)
    assert seconds is not None
    selection = raw_engagements(ctx, definition, targets_required=False)
    table = selection.table.filter(selection.table.engager_id.isin(ctx.network_members(network)))
    timed = table.mutate(micro=ctx.engine.epoch_micros(table.created_at))
    near = {"preceding": seconds * 1_000_000, "following": seconds * 1_000_000, "order_by": "micro"}
    all_near = ibis.range_window(group_by="post_id", **near)
    own_near = ibis.range_window(group_by=["post_id", "engager_id"], **near)
    counted = timed.mutate(others=timed.engager_id.count().over(all_near) - timed.engager_id.count().over(own_near))
    counts = ctx.engine.frame(
        counted.aggregate(within=(counted.others > 0).ifelse(1, 0).sum(), total=ibis._.count())
    ).iloc[0]
    within, total = int(counts["within"] or 0), int(counts["total"])
    words = selection.words
    return result(
        ctx,
        definition,
        value=share(within, total, f"{words} by members of the {network!r} network"),
        numerator=within,
        denominator=total,
        window=selection.window,
        filters=(*selection.filters, f"engagers: members of the {network!r} network", f"within: {seconds} seconds"),
        numerator_text=(
            f"those within {seconds} seconds (before or after) of another member's engagement of the same post"
        ),
        denominator_text=f"all {words} by members of the {network!r} network",
        definition=(
            f"Share of {words} by members of the {network!r} network that came within {seconds} seconds, before "
            f"or after, of an engagement of the same post by another member of the network."
        ),
    )
