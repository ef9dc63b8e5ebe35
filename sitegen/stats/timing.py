"""Statistic kinds about time: how soon engagements follow a post, and at what hours of the day they come."""

from __future__ import annotations

import zoneinfo

import ibis
import pandas as pd

from .context import (
    SELECTION_PARAMS,
    Context,
    ParamError,
    as_list,
    choice_param,
    kind,
    raw_engagements,
    result,
    selected_engagements,
)
from .model import StatDef, StatResult


@kind(
    "time_to_engagement",
    {
        **SELECTION_PARAMS,
        "network": "compare members of this network with everyone else",
        "percentiles": "percentiles to report, such as [0.1, 0.5, 0.9] (default [0.25, 0.5, 0.75, 0.9])",
        "unit": "seconds, minutes (default) or hours",
    },
    "number",
    "time from a post to its engagements: median and percentiles, optionally network against the rest",
    ("accounts", "engagements", "posts"),
)
def time_to_engagement(ctx: Context, definition: StatDef) -> StatResult:
    selection = raw_engagements(ctx, definition)
    unit = choice_param(definition, "unit", ("seconds", "minutes", "hours"), "minutes")
    divisor = {"seconds": 1, "minutes": 60, "hours": 3600}[unit] * 1_000_000  # delays are in microseconds
    try:
        percentiles = sorted({float(p) for p in as_list(definition.params.get("percentiles", [0.25, 0.5, 0.75, 0.9]))})
    except ValueError:
        percentiles = []
    if not percentiles or not all(0 < p < 1 for p in percentiles):
        raise ParamError("percentiles", "percentiles must be shares between 0 and 1, such as [0.5, 0.9]")
    quantiles = sorted({*percentiles, 0.5})
    posts = ctx.table("posts", "post_id", "author_id", "created_at")
    table = selection.table
    ids, _ = ctx.target_ids(definition.params)
    their_posts = posts.filter(posts.author_id.isin(ids)).select("post_id", posted_at="created_at")
    joined = table.left_join(their_posts, "post_id")
    network = definition.params.get("network")
    if network:
        group = joined.engager_id.isin(ctx.network_members(str(network))).ifelse("network", "rest")
    else:
        group = ibis.literal("all")
    timed = joined.mutate(
        group=group, delay=ctx.engine.epoch_micros(joined.created_at) - ctx.engine.epoch_micros(joined.posted_at)
    )
    valid = timed.delay >= 0
    stats = ctx.engine.frame(
        timed.group_by("group").aggregate(
            engagements=valid.ifelse(1, 0).sum(),
            negative=(timed.delay < 0).ifelse(1, 0).sum(),
            unmatched=timed.delay.isnull().ifelse(1, 0).sum(),
            **{f"q{i}": timed.delay.quantile(q, where=valid) for i, q in enumerate(quantiles)},
        )
    ).sort_values("group")
    negative, unmatched = int(stats["negative"].fillna(0).sum()), int(stats["unmatched"].fillna(0).sum())
    rows = [
        (str(row["group"]), q, float(row[f"q{i}"]) / divisor, int(row["engagements"]))
        for _, row in stats.iterrows()
        if int(row["engagements"] or 0)
        for i, q in enumerate(quantiles)
    ]
    frame = pd.DataFrame(rows, columns=["group", "percentile", unit, "engagements"])
    main = "network" if network else "all"
    median = frame[(frame["group"] == main) & (frame["percentile"] == 0.5)]
    if median.empty:
        raise ParamError("network" if network else "window", f"no {selection.words} to time")
    notes = []
    if network:
        rest = frame[(frame["group"] == "rest") & (frame["percentile"] == 0.5)]
        if not rest.empty:
            notes.append(f"Median for everyone else: {rest[unit].iloc[0]:,.2f} {unit}.")
    if negative:
        notes.append(f"{negative:,} engagements dated before their post were left out.")
    if unmatched:
        notes.append(f"{unmatched:,} engagements whose post is not among the targets' posts were left out.")
    who = f"members of the {network!r} network" if network else "all engagers"
    return result(
        ctx,
        definition,
        value=float(median[unit].iloc[0]),
        window=selection.window,
        frame=frame,
        filters=(
            *selection.filters,
            *([f"compared: members of the {network!r} network and the rest"] if network else []),
        ),
        notes=tuple(notes),
        definition=(
            f"Median time, in {unit}, from a post to each of its {selection.words}, for {who}; the table gives "
            f"the {', '.join(f'{q * 100:g}th' for q in quantiles)} percentiles (interpolated) for each group."
        ),
    )


@kind(
    "hourly_activity",
    {
        **SELECTION_PARAMS,
        "network": "compare members of this network with everyone else",
        "zone": "time zone of the hours, such as Europe/London (default UTC)",
    },
    "count",
    "engagements by hour of day in a time zone, optionally the network against the rest",
    ("accounts", "engagements"),
)
def hourly_activity(ctx: Context, definition: StatDef) -> StatResult:
    selection = selected_engagements(ctx, definition)
    zone_name = str(definition.params.get("zone", "UTC"))
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ParamError("zone", f"unknown time zone {zone_name!r} (use a name such as Europe/London)") from None
    table = selection.table
    network = definition.params.get("network")
    group = (
        table.engager.isin(ctx.network_keys(str(network))).ifelse("network", "rest") if network else ibis.literal("all")
    )
    # Counts per UTC hour (small), then each hour moved to the zone: exact across daylight-saving changes.
    hours = table.mutate(group=group, utc_hour=table.created_at.truncate("h"))
    counted = ctx.engine.frame(hours.group_by("group", "utc_hour").aggregate(engagements=ibis._.count()))
    local = pd.to_datetime(counted["utc_hour"]).dt.tz_localize("UTC").dt.tz_convert(zone)
    counted = counted.assign(hour=local.dt.hour.astype("int64"))
    frame = counted.groupby(["group", "hour"], as_index=False)["engagements"].sum().sort_values(["group", "hour"])
    frame["engagements"] = frame["engagements"].astype("int64")
    who = f"members of the {network!r} network and everyone else" if network else "all engagers"
    return result(
        ctx,
        definition,
        value=None,
        frame=frame.reset_index(drop=True),
        window=selection.window,
        filters=(*selection.filters, f"hours: in {zone_name}"),
        definition=(
            f"Counts of {selection.words} by the hour of day ({zone_name}) in which they were made, for {who}."
        ),
    )
