"""Statistic kinds that are series per account: computed once for every target, split by the charts stage."""

from __future__ import annotations

import ibis
import pandas as pd

from .context import SELECTION_PARAMS, Context, choice_param, kind, period_start, result, selected_engagements
from .model import StatDef, StatResult


@kind(
    "weekly_per_target",
    {**SELECTION_PARAMS, "period": "week (default, weeks start on Monday) or month"},
    "count",
    "engagements per week or month for every target account (handle, period, engagements), in one query",
    ("accounts", "engagements"),
)
def weekly_per_target(ctx: Context, definition: StatDef) -> StatResult:
    selection = selected_engagements(ctx, definition)
    period = choice_param(definition, "period", ("week", "month"), "week")
    table = selection.table
    series = table.mutate(**{period: period_start(table.created_at, period)}).group_by("target", period)
    counted = series.aggregate(engagements=ibis._.count())
    keys = ctx.keyed.account_keys.select(target="key", account_id="id")
    handles = ctx.table("accounts", "account_id", "handle")
    named = counted.join(keys, "target").join(handles, "account_id").select("handle", period, "engagements")
    frame = ctx.engine.frame(named)
    frame[period] = pd.to_datetime(frame[period]).dt.date
    frame["engagements"] = frame["engagements"].astype("int64")
    frame = frame.sort_values(["handle", period], kind="stable").reset_index(drop=True)
    starts = "weeks starting Monday" if period == "week" else "calendar months"
    return result(
        ctx,
        definition,
        value=None,
        frame=frame,
        window=selection.window,
        filters=(*selection.filters, f"period: {starts}"),
        definition=(
            f"For each target account, the number of {selection.words} in each {period} ({starts}) that had "
            f"at least one (periods without any are drawn as zero)."
        ),
    )
