"""Statistic kinds about accounts: followers, creation dates and bursts, counts by status, labels."""

from __future__ import annotations

import ibis
import pandas as pd

from ..errors import StatsError
from ..numbers import long_date
from ..schema import STATUSES
from .context import (
    POPULATION_PARAMS,
    STATUS_SETS,
    Context,
    ParamError,
    as_of_of,
    in_window,
    kind,
    result,
    share,
    status_set,
    whole_param,
    window_of,
    window_words,
)
from .model import StatDef, StatResult


@kind("followers", {"target": "the account, by handle or id"}, "count", "followers of an account", ("accounts",))
def followers(ctx: Context, definition: StatDef) -> StatResult:
    accounts = ctx.table("accounts", "account_id", "handle", "followers")
    ids, who = ctx.target_ids({"target": definition.params.get("target")} if "target" in definition.params else {})
    row = ctx.engine.frame(accounts.filter(accounts.account_id.isin(ids)))
    value = row["followers"].iloc[0]
    if pd.isna(value):
        raise StatsError(f"{who} has no recorded follower count")
    recorded = row["followers_recorded_at"].iloc[0] if "followers_recorded_at" in row else None
    as_of = recorded.date() if recorded is not None and not pd.isna(recorded) else None
    when = f" as recorded on {long_date(as_of)}" if as_of else " as recorded in the accounts table"
    return result(
        ctx,
        definition,
        value=int(value),
        as_of=as_of,
        filters=(f"account: {who}",),
        definition=f"Followers of {who}{when}.",
    )


@kind("created", {"target": "the account, by handle or id"}, "month", "the date an account was created", ("accounts",))
def created(ctx: Context, definition: StatDef) -> StatResult:
    accounts = ctx.table("accounts", "account_id", "created_at")
    ids, who = ctx.target_ids({"target": definition.params.get("target")} if "target" in definition.params else {})
    value = ctx.engine.frame(accounts.filter(accounts.account_id.isin(ids)))["created_at"].iloc[0]
    if pd.isna(value):
        raise StatsError(f"{who} has no recorded creation date")
    return result(
        ctx,
        definition,
        value=value.date(),
        filters=(f"account: {who}",),
        definition=f"Creation date of {who}, as the platform reports it.",
    )


def statuses_of(ctx: Context, definition: StatDef, accounts: ibis.Table) -> tuple[ibis.Table, str]:
    """The accounts with a `status` column: at the check on or before `as_of`, or as recorded."""
    as_of = as_of_of(definition, required=False)
    if as_of is None:
        ctx.table("accounts", "status")
        return accounts.select("account_id", "status"), "its status as recorded in the accounts table"
    checks = ctx.status_as_of(as_of, accounts.account_id)
    joined = accounts.select("account_id").left_join(checks, "account_id")
    status = joined.status.fill_null("unknown")
    return (
        joined.select("account_id", status=status),
        f"its status at the latest check on or before {long_date(as_of)} (never checked counts as unknown)",
    )


@kind(
    "account_count",
    {
        **POPULATION_PARAMS,
        "status": f"count only accounts with this status ({', '.join(STATUS_SETS)})",
        "as_of": "date of the status check to use (default: the status recorded in the accounts table)",
    },
    "count",
    "accounts counted by role, network and status as of a date",
    ("accounts", "status_checks"),
)
def account_count(ctx: Context, definition: StatDef) -> StatResult:
    accounts, who = ctx.population(definition)
    with_status, status_words = statuses_of(ctx, definition, accounts)
    counts = ctx.engine.frame(with_status.group_by("status").aggregate(accounts=ibis._.count()))
    order = {s: i for i, s in enumerate(STATUSES)}
    counts = counts.assign(rank=counts["status"].map(lambda s: order.get(s, len(order))))
    frame = counts.sort_values(["rank", "status"]).drop(columns="rank").reset_index(drop=True)
    frame["accounts"] = frame["accounts"].astype("int64")
    wanted = status_set(definition, default=None) if "status" in definition.params else None
    value = int(frame[frame["status"].isin(wanted)]["accounts"].sum()) if wanted else int(frame["accounts"].sum())
    total = int(frame["accounts"].sum())
    filters = [f"accounts: {who}"]
    if wanted:
        filters.append(f"status: {' or '.join(wanted)}, by {status_words}")
    as_of = as_of_of(definition, required=False)
    breakdown = ", ".join(f"{n:,} {s}" for s, n in zip(frame["status"], frame["accounts"], strict=True))
    return result(
        ctx,
        definition,
        inputs=("accounts", "status_checks") if as_of else ("accounts",),
        value=value,
        numerator=value if wanted else None,
        denominator=total if wanted else None,
        as_of=as_of,
        filters=tuple(filters),
        frame=frame,
        numerator_text=f"{who} whose status is {' or '.join(wanted)}" if wanted else "",
        denominator_text=f"all {who}" if wanted else "",
        notes=(f"All {total:,} {who} by status: {breakdown}.",),
        definition=(
            f"Number of {who}" + (f" whose status was {' or '.join(wanted)}, by {status_words}." if wanted else ".")
        ),
    )


@kind(
    "label_share",
    {**POPULATION_PARAMS, "label": "count only this label (default: any platform label)"},
    "percent",
    "share of accounts that carry a platform label",
    ("accounts",),
)
def label_share(ctx: Context, definition: StatDef) -> StatResult:
    accounts, who = ctx.population(definition, "label")
    label = definition.params.get("label")
    has_label = accounts.label == str(label) if label else accounts.label.notnull() & (accounts.label.strip() != "")
    counts = ctx.engine.frame(accounts.aggregate(labelled=has_label.ifelse(1, 0).sum(), total=ibis._.count())).iloc[0]
    labelled, total = int(counts["labelled"] or 0), int(counts["total"])
    label_words = f"the label {label!r}" if label else "a platform label"
    return result(
        ctx,
        definition,
        value=share(labelled, total, f"{who} to count"),
        numerator=labelled,
        denominator=total,
        filters=(f"accounts: {who}", f"label: {label_words}"),
        numerator_text=f"{who} with {label_words}",
        denominator_text=f"all {who}",
        definition=f"Share of {who} that carry {label_words}, as recorded in the accounts table.",
    )


@kind(
    "creation_bursts",
    {
        **POPULATION_PARAMS,
        "top": "burst days are the k days on which the most accounts were created",
        "min_per_day": "burst days are days on which at least this many accounts were created",
        "window": "only accounts created in [start, end]",
    },
    "percent",
    "accounts created per day, the days of unusual counts, and the share created on them",
    ("accounts",),
)
def creation_bursts(ctx: Context, definition: StatDef) -> StatResult:
    accounts, who = ctx.population(definition, "created_at")
    top = whole_param(definition, "top", None)
    minimum = whole_param(definition, "min_per_day", None, minimum=2)
    if (top is None) == (minimum is None):
        raise ParamError("top", "needs exactly one of `top` (the k busiest days) or `min_per_day`")
    window = window_of(definition)
    dated = accounts.filter(accounts.created_at.notnull(), in_window(accounts.created_at, window))
    daily = ctx.engine.frame(
        dated.group_by(day=dated.created_at.date()).aggregate(accounts=ibis._.count()).order_by("day")
    )
    undated = int(ctx.engine.scalar(accounts.filter(accounts.created_at.isnull()).count()))
    daily["day"] = pd.to_datetime(daily["day"]).dt.date
    daily["accounts"] = daily["accounts"].astype("int64")
    if top is not None:
        ranked = daily.sort_values(["accounts", "day"], ascending=[False, True])
        burst_days = set(ranked["day"].iloc[:top])
        rule = f"the {top} days with the most accounts created (ties go to the earlier day)"
    else:
        burst_days = set(daily.loc[daily["accounts"] >= minimum, "day"])
        rule = f"days with at least {minimum} accounts created"
    daily["burst"] = daily["day"].isin(burst_days)
    frame = daily.reset_index(drop=True)
    on_bursts, total = int(frame.loc[frame["burst"], "accounts"].sum()), int(frame["accounts"].sum())
    listed = "; ".join(f"{long_date(d)} ({n})" for d, n in frame.loc[frame["burst"], ["day", "accounts"]].values)
    notes = [f"Burst days: {listed or 'none'}."]
    if undated:
        notes.append(f"{undated:,} accounts without a creation date are left out.")
    return result(
        ctx,
        definition,
        value=share(on_bursts, total, f"{who} with a creation date"),
        numerator=on_bursts,
        denominator=total,
        window=window,
        frame=frame,
        filters=(f"accounts: {who}", f"burst days: {rule}", f"created: {window_words(window)}"),
        numerator_text=f"{who} created on burst days",
        denominator_text=f"all {who} with a creation date",
        notes=tuple(notes),
        definition=(
            f"Accounts created per calendar day (UTC) among {who}, {window_words(window)}; burst days are {rule}. "
            f"The value is the share of those accounts created on burst days."
        ),
    )
