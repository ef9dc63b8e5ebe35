"""Statistic kinds about engagements: counts, posts, status shares, per-target tables, series, timing."""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd

from ..numbers import long_date
from .context import (
    SELECTION_PARAMS,
    STATUS_SETS,
    TARGET_PARAMS,
    Context,
    ParamError,
    Selection,
    as_of_of,
    choice_param,
    in_window,
    kind,
    period_start,
    result,
    selected_engagements,
    share,
    share_param,
    status_set,
    whole_param,
    window_of,
    window_words,
)
from .model import StatDef, StatResult

ENGAGEMENT_TABLES = ("accounts", "engagements", "status_checks")


def engager_filters(ctx: Context, definition: StatDef, selection: Selection) -> Selection:
    """Keep engagements by members of `network` and/or by engagers with `engager_status` as of `as_of`."""
    table, filters = selection.table, list(selection.filters)
    network = definition.params.get("network")
    engagers = "accounts"
    if network:
        table = table.filter(table.engager.isin(ctx.network_keys(str(network))))
        engagers = f"members of the {network!r} network"
    if "engager_status" in definition.params:
        statuses = status_set(definition, "engager_status")
        as_of = as_of_of(definition)
        assert as_of is not None
        table = table.filter(table.engager.isin(ctx.engagers_with(as_of, statuses)))
        engagers += f" whose status was {' or '.join(statuses)} at the latest check on or before {long_date(as_of)}"
    if engagers == "accounts":
        return selection
    filters.append(f"engagers: {engagers}")
    return Selection(table, f"{selection.words}, by {engagers}", selection.window, tuple(filters))


@kind(
    "engagement_count",
    {
        **SELECTION_PARAMS,
        "network": "count only engagements by members of this network",
        "engager_status": f"count only engagements by accounts with this status ({', '.join(STATUS_SETS)})",
        "as_of": "date of the status check for engager_status",
    },
    "count",
    "engagements of target accounts' posts by kind and window",
    ENGAGEMENT_TABLES,
)
def engagement_count(ctx: Context, definition: StatDef) -> StatResult:
    engager_given = bool(definition.params.get("network")) or "engager_status" in definition.params
    selection = engager_filters(ctx, definition, selected_engagements(ctx, definition, not engager_given))
    value = int(ctx.engine.scalar(selection.table.count()))
    read = ("accounts", "engagements") + (("status_checks",) if "engager_status" in definition.params else ())
    return result(
        ctx,
        definition,
        inputs=read,
        value=value,
        window=selection.window,
        as_of=as_of_of(definition, required=False),
        filters=selection.filters,
        definition=f"Count of {selection.words}, by the time of the engagement.",
    )


@kind(
    "post_count",
    {**TARGET_PARAMS, "window": "[start, end], inclusive whole days"},
    "count",
    "posts counted by author group and window",
    ("accounts", "posts"),
)
def post_count(ctx: Context, definition: StatDef) -> StatResult:
    posts = ctx.table("posts", "post_id", "author_id", "created_at")
    ids, who = ctx.target_ids(definition.params)
    window = window_of(definition)
    chosen = posts.filter(posts.author_id.isin(ids), in_window(posts.created_at, window))
    counts = ctx.engine.frame(chosen.aggregate(posts=ibis._.count(), authors=chosen.author_id.nunique())).iloc[0]
    value, authors = int(counts["posts"]), int(counts["authors"] or 0)
    return result(
        ctx,
        definition,
        value=value,
        window=window,
        filters=(f"authors: {who}", f"window: {window_words(window)}"),
        notes=(f"{authors:,} of the {len(ids):,} accounts posted at least once in the window.",),
        definition=f"Count of posts by {who}, {window_words(window)}, by the time of the post.",
    )


def known_status_set(definition: StatDef) -> tuple[str, ...]:
    """The `status` parameter of a share among engagers of known status: `unknown` makes no sense there."""
    statuses = status_set(definition)
    if "unknown" in statuses:
        raise ParamError("status", "a share among engagers of known status cannot count status unknown")
    return statuses


STATUS_PARAMS = {
    **SELECTION_PARAMS,
    "status": "suspended (default), deleted, suspended_or_deleted or active",
    "as_of": "date of the status check to use (the latest check on or before it)",
}


@kind(
    "status_share",
    STATUS_PARAMS,
    "percent",
    "share of a target's engagements from engagers with a given status",
    ENGAGEMENT_TABLES,
)
def status_share(ctx: Context, definition: StatDef) -> StatResult:
    selection = selected_engagements(ctx, definition)
    as_of = as_of_of(definition)
    assert as_of is not None
    statuses = known_status_set(definition)
    # Count per engager first: the status join then meets one row per engager, not one per engagement.
    per_engager = selection.table.group_by("engager").aggregate(n=ibis._.count())
    status = ctx.statuses(as_of)
    joined = per_engager.left_join(status, per_engager.engager == status.account_key)
    known = joined.status.notnull() & (joined.status != "unknown")
    with ctx.keyed.per_engager():
        counts = ctx.engine.frame(
            joined.aggregate(
                numerator=(known & joined.status.isin(list(statuses))).ifelse(joined.n, 0).sum(),
                denominator=known.ifelse(joined.n, 0).sum(),
                unknown=(~known).ifelse(joined.n, 0).sum(),
            )
        ).iloc[0]
    numerator, denominator, unknown = (int(counts[c] or 0) for c in ("numerator", "denominator", "unknown"))
    status_words = " or ".join(statuses)
    checked = f"the latest check on or before {long_date(as_of)}"
    return result(
        ctx,
        definition,
        value=share(numerator, denominator, f"{selection.words} by accounts of known status"),
        numerator=numerator,
        denominator=denominator,
        window=selection.window,
        as_of=as_of,
        filters=(*selection.filters, f"engager status: {status_words} at {checked}"),
        numerator_text=f"{selection.words} by accounts whose status was {status_words} at {checked}",
        denominator_text=f"all {selection.words} by accounts of known status",
        notes=(f"{unknown:,} engagements by accounts of unknown status were excluded from the denominator.",),
        definition=(
            f"Share of {selection.words} that came from accounts whose status was {status_words} at {checked}. "
            f"Engagements by accounts whose status is unknown (never checked, or the check failed) are left "
            f"out of the denominator ({unknown:,} here)."
        ),
    )


@kind(
    "per_target",
    {**STATUS_PARAMS, "min_engagements": "list only targets with at least this many engagements (default 100)"},
    "count",
    "every target with enough engagements, with its count and status share, sorted by share",
    ENGAGEMENT_TABLES,
)
def per_target(ctx: Context, definition: StatDef) -> StatResult:
    selection = selected_engagements(ctx, definition)
    as_of = as_of_of(definition)
    assert as_of is not None
    statuses = known_status_set(definition)
    minimum = whole_param(definition, "min_engagements", 100)
    # Semi-joins (`isin`) always hash the small status side, never the engagements.
    table = selection.table
    known = table.engager.isin(ctx.engagers_with(as_of))
    with_status = table.engager.isin(ctx.engagers_with(as_of, statuses))
    grouped = table.group_by("target").aggregate(
        engagements=ibis._.count(),
        known_status=known.ifelse(1, 0).sum(),
        with_status=with_status.ifelse(1, 0).sum(),
    )
    accounts = ctx.table("accounts", "account_id", "handle", "role")
    keys = ctx.keyed.account_keys.select(target="key", account_id="id")
    described = ["handle", "account_id", "role"] + (["followers"] if "followers" in accounts.columns else [])
    if "display_name" in accounts.columns:
        described.insert(1, "display_name")
    listed = grouped.join(keys, "target").join(accounts.select(*described), "account_id")
    frame = ctx.shared_frame(listed.select(*described, "engagements", "known_status", "with_status"))
    frame = frame[frame["engagements"] >= minimum]
    for column in ("engagements", "known_status", "with_status"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["share"] = (frame["with_status"] / frame["known_status"].where(frame["known_status"] > 0)).astype("float64")
    order = ["share", "engagements", "handle", "account_id"]
    frame = frame.sort_values(order, ascending=[False, False, True, True], na_position="last", kind="stable")
    status_words = " or ".join(statuses)
    return result(
        ctx,
        definition,
        value=None,
        frame=frame.reset_index(drop=True),
        window=selection.window,
        as_of=as_of,
        filters=(*selection.filters, f"at least {minimum:,} engagements per target"),
        definition=(
            f"For each target with at least {minimum:,} {selection.words}: the number of them, the number by "
            f"accounts of known status, and the share of those from accounts whose status was {status_words} "
            f"at the latest check on or before {long_date(as_of)}; sorted by that share, highest first."
        ),
    )


@kind(
    "weekly_by_class",
    {
        **SELECTION_PARAMS,
        "as_of": "date of the status check that classes engagers",
        "network": "name of the coordinated network shown as its own class",
        "period": "week (default, weeks start on Monday) or month",
    },
    "count",
    "engagements per week or month split by engager class (network, suspended, deleted, active)",
    ENGAGEMENT_TABLES,
)
def weekly_by_class(ctx: Context, definition: StatDef) -> StatResult:
    selection = selected_engagements(ctx, definition)
    as_of = as_of_of(definition)
    assert as_of is not None
    period = choice_param(definition, "period", ("week", "month"), "week")
    network = definition.params.get("network")
    table = selection.table
    joined = table
    cases = []
    if network:
        cases.append((table.engager.isin(ctx.network_keys(str(network))), "network"))
    for name in ("suspended", "deleted", "active"):
        cases.append((table.engager.isin(ctx.engagers_with(as_of, (name,))), name))
    engager_class = ibis.cases(*cases, else_="unknown")
    series = (
        joined.mutate(**{period: period_start(joined.created_at, period)}, engager_class=engager_class)
        .group_by(period, "engager_class")
        .aggregate(engagements=ibis._.count())
        .order_by([period, "engager_class"])
    )
    frame = ctx.engine.frame(series)
    frame[period] = pd.to_datetime(frame[period]).dt.date
    frame["engagements"] = frame["engagements"].astype("int64")
    network_words = f"members of the {network!r} network, then " if network else ""
    starts = "weeks starting Monday" if period == "week" else "calendar months"
    return result(
        ctx,
        definition,
        value=None,
        frame=frame.reset_index(drop=True),
        window=selection.window,
        as_of=as_of,
        filters=(*selection.filters, f"period: {starts}"),
        definition=(
            f"Counts per {period} ({starts}) of {selection.words}, split by engager class: {network_words}"
            f"status at the latest check on or before {long_date(as_of)} (suspended, deleted, active, unknown)."
        ),
    )


@kind(
    "concentration",
    {
        **SELECTION_PARAMS,
        "top": "the most active share of engagers, such as 1% (default)",
        "points": "points on the Lorenz curve (default 100)",
    },
    "percent",
    "share of engagements from the most active engagers, with the Lorenz curve",
    ("accounts", "engagements"),
)
def concentration(ctx: Context, definition: StatDef) -> StatResult:
    selection = selected_engagements(ctx, definition)
    top = share_param(definition, "top", 0.01)
    points = whole_param(definition, "points", 100, minimum=2)
    assert points is not None
    per_engager = selection.table.group_by("engager").aggregate(n=ibis._.count())
    # Engagers per activity level: small whatever the size of the data, and exact (ties do not matter).
    with ctx.keyed.per_engager():
        histogram = ctx.engine.frame(per_engager.group_by("n").aggregate(engagers=ibis._.count()))
    curve = Lorenz(histogram["n"].to_numpy(dtype="int64"), histogram["engagers"].to_numpy(dtype="int64"))
    if curve.engagers == 0:
        raise ParamError("window", f"no {selection.words}: the concentration is undefined")
    k = math.ceil(round(top * curve.engagers, 9))
    from_top = curve.total - curve.bottom_sum(curve.engagers - k)
    grid = [i / points for i in range(points + 1)]
    frame = pd.DataFrame(
        {
            "engager_share": grid,
            "engagement_share": [curve.bottom_sum(round(x * curve.engagers)) / curve.total for x in grid],
        }
    )
    top_words = f"{top * 100:g}%"
    engagers = curve.engagers
    return result(
        ctx,
        definition,
        value=from_top / curve.total,
        numerator=from_top,
        denominator=curve.total,
        window=selection.window,
        frame=frame,
        filters=(*selection.filters, f"most active: the top {top_words} of engagers ({k:,} of {engagers:,})"),
        numerator_text=f"{selection.words} by the {k:,} most active engagers",
        denominator_text=f"all {selection.words} ({engagers:,} engagers)",
        notes=(f"Gini coefficient of engagements per engager: {curve.gini():.3f}.",),
        definition=(
            f"Share of {selection.words} that came from the {top_words} most active engagers (the {k:,} of "
            f"{engagers:,} with the most, rounded up). The Lorenz curve orders engagers from least to most "
            f"active and gives, for each share of them, the share of engagements they made."
        ),
    )


class Lorenz:
    """Cumulative engagements of the least active engagers, from a histogram (count -> engagers)."""

    def __init__(self, counts: np.ndarray, engagers: np.ndarray) -> None:
        order = np.argsort(counts, kind="stable")
        self.counts, self.group_sizes = counts[order], engagers[order]
        self.cum_engagers = np.cumsum(self.group_sizes)
        self.cum_total = np.cumsum(self.counts * self.group_sizes)
        self.engagers = int(self.cum_engagers[-1]) if len(order) else 0
        self.total = int(self.cum_total[-1]) if len(order) else 0

    def bottom_sum(self, m: int) -> int:
        """Engagements made by the m least active engagers."""
        if m <= 0:
            return 0
        j = int(np.searchsorted(self.cum_engagers, m))  # the group holding the m-th engager
        before_engagers = int(self.cum_engagers[j - 1]) if j else 0
        before_total = int(self.cum_total[j - 1]) if j else 0
        return before_total + (m - before_engagers) * int(self.counts[j])

    def gini(self) -> float:
        """The Gini coefficient: 2 * sum(rank * count) / (n * total) - (n + 1) / n, ranks ascending."""
        n = self.engagers
        first_rank = np.concatenate(([0], self.cum_engagers[:-1])) + 1
        rank_sums = (first_rank + self.cum_engagers) * self.group_sizes / 2
        return float(2 * float((rank_sums * self.counts).sum()) / (n * self.total) - (n + 1) / n)
