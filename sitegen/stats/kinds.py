"""Statistic kinds: each an Ibis expression over the normalized tables, with its definition in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from ..data import Data
from ..errors import StatsError
from ..numbers import long_date
from ..schema import KINDS as ENGAGEMENT_KINDS
from .model import StatDef, StatResult

STATUS_SETS = {"suspended": ("suspended",), "deleted": ("deleted",), "suspended_or_deleted": ("suspended", "deleted")}


class Context:
    """What every kind needs: the tables, and helpers to select targets, windows and statuses."""

    def __init__(self, data: Data) -> None:
        self.data = data
        self.engine = data.engine

    def table(self, name: str, *columns: str) -> ir.Table:
        """A table by name, checked to have the columns a statistic needs."""
        if name not in self.engine.tables:
            raise StatsError(f"needs the {name!r} table, which is not declared in sitegen.toml [datasets]")
        table = self.engine.table(name)
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise StatsError(f"the {name!r} table lacks column(s) {', '.join(missing)}")
        return table

    def illustrative(self, tables: tuple[str, ...]) -> bool:
        return any(self.data.tables[t].illustrative for t in tables if t in self.data.tables)

    def target_ids(self, params: dict[str, Any]) -> tuple[list[str], str]:
        """Account ids of the statistic's targets, and how to name them in words."""
        accounts = self.table("accounts", "account_id", "handle", "role")
        handles = params.get("targets") or ([params["target"]] if "target" in params else [])
        roles = params.get("roles") or []
        if isinstance(handles, str):
            handles = [handles]
        if isinstance(roles, str):
            roles = [roles]
        if not handles and not roles:
            raise StatsError("needs `target`, `targets` or `roles` to say whose engagements to count")
        condition = ibis.literal(False)
        if handles:
            names = [str(h).lstrip("@") for h in handles]
            condition |= accounts.handle.isin(names) | accounts.account_id.isin(names)
        if roles:
            condition |= accounts.role.isin([str(r) for r in roles])
        found = self.engine.frame(accounts.filter(condition).select("account_id", "handle"))
        if handles:
            known = set(found["handle"]) | set(found["account_id"])
            missing = [h for h in handles if str(h).lstrip("@") not in known]
            if missing:
                raise StatsError(f"unknown target account {missing[0]!r} (not in accounts)")
        parts = [", ".join("@" + str(h).lstrip("@") for h in handles)] if handles else []
        if roles:
            parts.append(f"all {' and '.join(roles)} accounts ({len(found)})")
        return sorted(found["account_id"]), " and ".join(p for p in parts if p)

    def status_as_of(self, as_of: dt.date) -> ir.Table:
        """Each account's status at the latest check on or before `as_of` (account_id, status)."""
        checks = self.table("status_checks", "account_id", "status", "checked_at")
        cutoff = ibis.timestamp(dt.datetime.combine(as_of, dt.time(23, 59, 59)))
        known = checks.filter(checks.checked_at <= cutoff)
        latest = known.group_by("account_id").aggregate(checked_at=known.checked_at.max())
        return latest.join(known, ["account_id", "checked_at"]).select("account_id", "status")


def window_of(definition: StatDef, required: bool = False) -> tuple[dt.date, dt.date] | None:
    """The inclusive [start, end] window of a statistic, validated."""
    window = definition.params.get("window")
    if window is None:
        if required:
            raise StatsError("needs a `window: [start, end]`")
        return None
    if not isinstance(window, list) or len(window) != 2 or not all(isinstance(d, dt.date) for d in window):
        raise StatsError("window must be [start, end] with dates such as 2020-06-01")
    start, end = window
    if start > end:
        raise StatsError(f"window starts ({start}) after it ends ({end})")
    return start, end


def in_window(column: ir.TimestampColumn, window: tuple[dt.date, dt.date] | None) -> ir.BooleanValue:
    if window is None:
        return ibis.literal(True)
    start = ibis.timestamp(dt.datetime.combine(window[0], dt.time()))
    end = ibis.timestamp(dt.datetime.combine(window[1] + dt.timedelta(days=1), dt.time()))
    return (column >= start) & (column < end)


def window_words(window: tuple[dt.date, dt.date] | None) -> str:
    return f"from {long_date(window[0])} to {long_date(window[1])}" if window else "over the whole dataset"


def engagement_kinds(definition: StatDef) -> list[str]:
    kinds = definition.params.get("kinds", ["retweet"])
    if isinstance(kinds, str):
        kinds = [kinds]
    bad = [k for k in kinds if k not in ENGAGEMENT_KINDS]
    if bad:
        raise StatsError(f"unknown engagement kind {bad[0]!r} (known: {', '.join(ENGAGEMENT_KINDS)})")
    return list(kinds)


def kind_words(kinds: list[str]) -> str:
    plural = {"retweet": "retweets", "reply": "replies", "quote": "quotes"}
    return " and ".join(plural[k] for k in kinds)


def as_of_of(definition: StatDef) -> dt.date:
    as_of = definition.params.get("as_of")
    if not isinstance(as_of, dt.date):
        raise StatsError("needs `as_of`, the date of the status check, such as 2021-03-01")
    return as_of


def status_set(definition: StatDef) -> tuple[str, ...]:
    status = definition.params.get("status", "suspended")
    if status not in STATUS_SETS:
        raise StatsError(f"status must be one of {', '.join(STATUS_SETS)}")
    return STATUS_SETS[status]


def selected_engagements(ctx: Context, definition: StatDef) -> tuple[ir.Table, str]:
    """Engagements of the targets, of the chosen kinds, in the window; and their description."""
    engagements = ctx.table("engagements", "kind", "engager_id", "target_author_id", "created_at")
    ids, who = ctx.target_ids(definition.params)
    kinds = engagement_kinds(definition)
    window = window_of(definition)
    selected = engagements.filter(
        engagements.target_author_id.isin(ids),
        engagements.kind.isin(kinds),
        in_window(engagements.created_at, window),
    )
    return selected, f"{kind_words(kinds)} of posts by {who}, {window_words(window)}"


@dataclass(frozen=True)
class Kind:
    """A statistic kind: the parameters it takes and the function that computes it."""

    name: str
    params: dict[str, str]  # name -> what it means
    default_format: str
    compute: Callable[[Context, StatDef], StatResult]
    summary: str


KINDS: dict[str, Kind] = {}

TARGET_PARAMS = {
    "target": "one account, by handle or id",
    "targets": "several accounts, by handle or id",
    "roles": "every account with one of these roles (diplomat, embassy, ...)",
}


def kind(name: str, params: dict[str, str], default_format: str, summary: str) -> Callable[..., Any]:
    """Register a statistic kind."""

    def register(fn: Callable[[Context, StatDef], StatResult]) -> Callable[[Context, StatDef], StatResult]:
        KINDS[name] = Kind(name, params, default_format, fn, summary)
        return fn

    return register


def result(ctx: Context, declared: StatDef, inputs: tuple[str, ...], **values: Any) -> StatResult:
    """A StatResult carrying the declaration's id, label and format."""
    return StatResult(
        id=declared.id,
        kind=declared.kind,
        label=declared.label,
        format=declared.format,
        inputs=inputs,
        illustrative=ctx.illustrative(inputs),
        **values,
    )


@kind("followers", {"target": "the account, by handle or id"}, "count", "followers of an account, as recorded")
def followers(ctx: Context, definition: StatDef) -> StatResult:
    accounts = ctx.table("accounts", "account_id", "handle", "followers")
    ids, who = ctx.target_ids({"target": definition.params.get("target")} if "target" in definition.params else {})
    row = ctx.engine.frame(accounts.filter(accounts.account_id.isin(ids)))
    value = row["followers"].iloc[0]
    if pd.isna(value):
        raise StatsError(f"{who} has no recorded follower count")
    recorded = row["followers_recorded_at"].iloc[0] if "followers_recorded_at" in row else None
    when = f" as recorded on {long_date(recorded.date())}" if recorded is not None and not pd.isna(recorded) else ""
    return result(ctx, definition, ("accounts",), value=int(value), definition=f"Followers of {who}{when}.")


@kind("created", {"target": "the account, by handle or id"}, "month", "the date an account was created")
def created(ctx: Context, definition: StatDef) -> StatResult:
    accounts = ctx.table("accounts", "account_id", "created_at")
    ids, who = ctx.target_ids({"target": definition.params.get("target")} if "target" in definition.params else {})
    value = ctx.engine.frame(accounts.filter(accounts.account_id.isin(ids)))["created_at"].iloc[0]
    if pd.isna(value):
        raise StatsError(f"{who} has no recorded creation date")
    return result(ctx, definition, ("accounts",), value=value.date(), definition=f"Creation date of {who}.")


@kind(
    "engagement_count",
    {**TARGET_PARAMS, "kinds": "retweet, reply and/or quote (default retweet)", "window": "[start, end], inclusive"},
    "count",
    "engagements of target accounts' posts by kind and window",
)
def engagement_count(ctx: Context, definition: StatDef) -> StatResult:
    selected, words = selected_engagements(ctx, definition)
    value = int(ctx.engine.scalar(selected.count()))
    return result(
        ctx,
        definition,
        ("accounts", "engagements"),
        value=value,
        window=window_of(definition),
        definition=f"Count of {words}, by the time of the engagement.",
    )


@kind(
    "status_share",
    {
        **TARGET_PARAMS,
        "kinds": "retweet, reply and/or quote (default retweet)",
        "window": "[start, end], inclusive",
        "status": "suspended, deleted or suspended_or_deleted",
        "as_of": "date of the status check to use (the latest check on or before it)",
    },
    "percent",
    "share of a target's engagements from engagers with a given status",
)
def status_share(ctx: Context, definition: StatDef) -> StatResult:
    selected, words = selected_engagements(ctx, definition)
    as_of = as_of_of(definition)
    statuses = status_set(definition)
    status = ctx.status_as_of(as_of)
    joined = selected.left_join(status, selected.engager_id == status.account_id)
    known = joined.status.notnull() & (joined.status != "unknown")
    counts = ctx.engine.frame(
        joined.aggregate(
            numerator=(known & joined.status.isin(list(statuses))).ifelse(1, 0).sum(),
            denominator=known.ifelse(1, 0).sum(),
            unknown=(~known).ifelse(1, 0).sum(),
        )
    ).iloc[0]
    numerator, denominator, unknown = (int(counts[c] or 0) for c in ("numerator", "denominator", "unknown"))
    if denominator == 0:
        raise StatsError(f"no {words} by accounts of known status: the share is undefined")
    status_words = " or ".join(statuses)
    return result(
        ctx,
        definition,
        ("accounts", "engagements", "status_checks"),
        value=numerator / denominator,
        numerator=numerator,
        denominator=denominator,
        window=window_of(definition),
        notes=(f"{unknown:,} engagements by accounts of unknown status were excluded from the denominator.",),
        definition=(
            f"Share of {words} that came from accounts whose status was {status_words} at the latest "
            f"check on or before {long_date(as_of)}. Numerator: those engagements; denominator: all of "
            f"them by accounts of known status ({unknown:,} by accounts of unknown status are excluded)."
        ),
    )


@kind(
    "weekly_by_class",
    {
        **TARGET_PARAMS,
        "kinds": "retweet, reply and/or quote (default retweet)",
        "window": "[start, end], inclusive",
        "as_of": "date of the status check that classes engagers",
        "network": "name of the coordinated network shown as its own class",
    },
    "count",
    "weekly engagements split by engager class (network, suspended, deleted, active)",
)
def weekly_by_class(ctx: Context, definition: StatDef) -> StatResult:
    selected, words = selected_engagements(ctx, definition)
    as_of = as_of_of(definition)
    network = definition.params.get("network")
    accounts = ctx.table("accounts", "account_id", "network")
    status = ctx.status_as_of(as_of)
    joined = selected.left_join(status, selected.engager_id == status.account_id).left_join(
        accounts.select("account_id", engager_network="network"), selected.engager_id == accounts.account_id
    )
    cases = [(joined.engager_network == network, "network")] if network else []
    cases += [(joined.status == name, name) for name in ("suspended", "deleted", "active")]
    engager_class = ibis.cases(*cases, else_="unknown")
    week = joined.created_at.truncate("W").date()
    weekly = (
        joined.mutate(week=week, engager_class=engager_class)
        .group_by("week", "engager_class")
        .aggregate(engagements=ibis._.count())
        .order_by(["week", "engager_class"])
    )
    frame = ctx.engine.frame(weekly)
    frame["week"] = pd.to_datetime(frame["week"]).dt.date
    frame["engagements"] = frame["engagements"].astype("int64")
    network_words = f"members of the {network!r} network, then " if network else ""
    return result(
        ctx,
        definition,
        ("accounts", "engagements", "status_checks"),
        value=None,
        frame=frame.reset_index(drop=True),
        window=window_of(definition),
        definition=(
            f"Weekly counts (weeks starting Monday) of {words}, split by engager class: {network_words}"
            f"status at the latest check on or before {long_date(as_of)} (suspended, deleted, active, unknown)."
        ),
    )
