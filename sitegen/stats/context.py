"""What every statistic kind shares: the registry, the tables, and readers for declared parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from ..data import Data
from ..errors import StatsError
from ..numbers import long_date
from ..schema import KINDS as ENGAGEMENT_KINDS
from .keyed import KeyedTables, kind_code, next_day
from .model import StatDef, StatResult

STATUS_SETS = {
    "active": ("active",),
    "suspended": ("suspended",),
    "deleted": ("deleted",),
    "suspended_or_deleted": ("suspended", "deleted"),
    "unknown": ("unknown",),
}
PERIODS = {"week": "W", "month": "M"}


class ParamError(StatsError):
    """A declared parameter is wrong; `param` names it so the error points at its line in stats.yaml."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(message)


class Context:
    """What every kind needs: the tables, and helpers to select accounts, targets and statuses."""

    def __init__(self, data: Data) -> None:
        self.data = data
        self.engine = data.engine
        self._keyed: KeyedTables | None = None
        self._target_keys: dict[str, tuple[list[Any], str]] = {}
        self._network_keys: dict[str, list[Any]] = {}
        self._target_ids: dict[str, tuple[list[str], str]] = {}
        self._members: dict[str, list[str]] = {}
        self._answers: dict[str, Any] = {}

    @property
    def keyed(self) -> KeyedTables:
        """The integer-keyed engagements (made on first use; see keyed.py)."""
        if self._keyed is None:
            self.table("engagements", "kind", "engager_id", "post_id", "target_author_id", "created_at")
            tables = {name: self.engine.table(name) for name in sorted(self.engine.tables)}
            engagements = self.data.tables.get("engagements")
            self._keyed = KeyedTables(self.engine.con, tables, engagements.rows if engagements else None)
        return self._keyed

    def engagements(self) -> ir.Table:
        """Every engagement as kind (code), engager (key), target (key), created_at."""
        return self.keyed.engagements

    def target_keys(self, params: dict[str, Any]) -> tuple[list[Any], str]:
        """Keys of the statistic's targets, and how to name them in words."""
        memo = repr(sorted((k, params.get(k)) for k in ("target", "targets", "roles")))
        if memo not in self._target_keys:
            ids, who = self.target_ids(params)
            self._target_keys[memo] = (self.keys_of(ids), who)
        return self._target_keys[memo]

    def keys_of(self, ids: list[str]) -> list[Any]:
        """The keys of some account ids (ids that no engagement or account names have none)."""
        keys = self.keyed.account_keys
        found = self.engine.frame(keys.filter(keys.id.isin(ids)).select("key"))
        return sorted(found["key"].tolist())

    def network_keys(self, network: str) -> list[Any]:
        """Keys of the members of a named network."""
        if network not in self._network_keys:
            self._network_keys[network] = self.keys_of(self.network_members(network))
        return self._network_keys[network]

    def statuses(self, as_of: dt.date) -> ir.Table:
        """account_key -> status at the latest check on or before `as_of`."""
        self.table("status_checks", "account_id", "status", "checked_at")
        return self.keyed.statuses(as_of)

    def engagers_with(self, as_of: dt.date, statuses: tuple[str, ...] | None = None) -> ir.Column:
        """Keys of the accounts whose status at `as_of` is one of `statuses` (default: any known status)."""
        status = self.statuses(as_of)
        if statuses:
            return status.filter(status.status.isin(list(statuses))).account_key
        return status.filter(status.status.notnull() & (status.status != "unknown")).account_key

    def shared_frame(self, expr: ir.Table) -> Any:
        """A query's (small) result as a pandas frame, run once per build: statistics that differ only in what
        they do with the answer (per_target tables with different minimums) ask the engine once."""
        sql = str(self.engine.con.compile(expr))
        if sql not in self._answers:
            self._answers[sql] = self.engine.frame(expr)
        return self._answers[sql].copy()

    def close(self) -> None:
        """Free what the statistics made on the engine (the keyed tables and their file)."""
        if self._keyed is not None:
            self._keyed.close()

    def table(self, name: str, *columns: str) -> ir.Table:
        """A table by name, checked to have the columns a statistic needs."""
        if name not in self.engine.tables:
            raise StatsError(f"needs the {name!r} table, which is not declared in sitegen.toml [datasets]")
        table = self.engine.table(name)
        missing = [c for c in columns if c not in table.columns]
        if missing:
            where = f" ({self.data.tables[name].path})" if name in self.data.tables else ""
            raise StatsError(
                f"the {name!r} table{where} lacks column(s) {', '.join(missing)}, which this statistic needs"
            )
        return table

    def illustrative(self, tables: tuple[str, ...]) -> bool:
        """Whether any of the named tables is illustrative (generated) data."""
        return any(self.data.tables[t].illustrative for t in tables if t in self.data.tables)

    def target_ids(self, params: dict[str, Any]) -> tuple[list[str], str]:
        """Account ids of the statistic's targets (by handle/id, or by role), and how to name them in words."""
        memo = repr(sorted((k, params.get(k)) for k in ("target", "targets", "roles")))
        if memo not in self._target_ids:
            self._target_ids[memo] = self._find_targets(params)
        return self._target_ids[memo]

    def _find_targets(self, params: dict[str, Any]) -> tuple[list[str], str]:
        handles = as_list(params.get("targets") or ([params["target"]] if params.get("target") else []))
        roles = as_list(params.get("roles") or [])
        if not handles and not roles:
            raise StatsError("needs `target`, `targets` or `roles` to say whose posts to count")
        accounts = self.table("accounts", "account_id", "handle", "role")
        condition = ibis.literal(False)
        if handles:
            names = [h.lstrip("@") for h in handles]
            condition |= accounts.handle.isin(names) | accounts.account_id.isin(names)
        if roles:
            condition |= accounts.role.isin(roles)
        found = self.engine.frame(accounts.filter(condition).select("account_id", "handle"))
        if handles:
            known = set(found["handle"]) | set(found["account_id"])
            missing = [h for h in handles if h.lstrip("@") not in known]
            if missing:
                param = "target" if "target" in params else "targets"
                raise ParamError(param, f"unknown target account {missing[0]!r} (not in accounts)")
        if not len(found):
            raise ParamError("roles", f"no account has the role {' or '.join(roles)}")
        parts = [join_words(["@" + h.lstrip("@") for h in handles])] if handles else []
        if roles:
            parts.append(f"all {' and '.join(roles)} accounts ({len(found):,})")
        return sorted(found["account_id"]), " and ".join(parts)

    def population(self, definition: StatDef, *columns: str) -> tuple[ir.Table, str]:
        """Accounts chosen by `targets`, `roles` and/or `network` (all must hold), and their description."""
        params = definition.params
        handles = as_list(params.get("targets") or ([params["target"]] if params.get("target") else []))
        roles = as_list(params.get("roles") or [])
        network = params.get("network")
        if not handles and not roles and not network:
            raise StatsError("needs `targets`, `roles` or `network` to say which accounts to count")
        needed = ["account_id", "handle", "role"] + (["network"] if network else []) + list(columns)
        accounts = self.table("accounts", *dict.fromkeys(needed))
        words = []
        if handles:
            names = [h.lstrip("@") for h in handles]
            accounts = accounts.filter(accounts.handle.isin(names) | accounts.account_id.isin(names))
            words.append(join_words(["@" + n for n in names]))
        if roles:
            accounts = accounts.filter(accounts.role.isin(roles))
            words.append(f"{' and '.join(roles)} accounts")
        if network:
            self.require_network(str(network))
            accounts = accounts.filter(accounts.network == str(network))
            words.append(f"members of the {network!r} network")
        return accounts, "; ".join(words)

    def require_network(self, network: str) -> None:
        """A named network must have members; a typo would otherwise give a silent zero."""
        self.network_members(network)

    def network_members(self, network: str) -> list[str]:
        """account_id of every member of a named network (there must be at least one)."""
        if network not in self._members:
            accounts = self.table("accounts", "account_id", "network")
            found = self.engine.frame(accounts.filter(accounts.network == network).select("account_id"))
            if not len(found):
                raise ParamError("network", f"no account belongs to the network {network!r}")
            self._members[network] = sorted(found["account_id"])
        return self._members[network]

    def status_as_of(self, as_of: dt.date, ids: ir.Column | None = None) -> ir.Table:
        """Each account's status at its latest check on or before `as_of` (account_id, status), for `ids`."""
        checks = self.table("status_checks", "account_id", "status", "checked_at")
        dated = checks.filter(checks.checked_at < next_day(as_of))
        if ids is not None:
            dated = dated.filter(dated.account_id.isin(ids))
        return dated.group_by("account_id").aggregate(status=dated.status.argmax(dated.checked_at))


def as_list(value: Any) -> list[str]:
    """A parameter that may be one value or a list, as a list of strings."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def window_of(definition: StatDef, required: bool = False) -> tuple[dt.date, dt.date] | None:
    """The inclusive [start, end] window of a statistic, validated."""
    window = definition.params.get("window")
    if window is None:
        if required:
            raise StatsError("needs a `window: [start, end]`")
        return None
    if not isinstance(window, list) or len(window) != 2 or not all(isinstance(d, dt.date) for d in window):
        raise ParamError("window", "window must be [start, end] with dates such as 2020-06-01")
    start, end = (d.date() if isinstance(d, dt.datetime) else d for d in window)
    if start > end:
        raise ParamError("window", f"window starts ({start}) after it ends ({end})")
    return start, end


def in_window(column: ir.TimestampColumn, window: tuple[dt.date, dt.date] | None) -> ir.BooleanValue:
    """Whether a timestamp falls in the inclusive window of whole days."""
    if window is None:
        return ibis.literal(True)
    start = ibis.timestamp(dt.datetime.combine(window[0], dt.time()))
    end = ibis.timestamp(dt.datetime.combine(window[1] + dt.timedelta(days=1), dt.time()))
    return (column >= start) & (column < end)


def window_words(window: tuple[dt.date, dt.date] | None) -> str:
    """`from 1 June 2020 to 31 January 2021`, or `over the whole dataset`."""
    return f"from {long_date(window[0])} to {long_date(window[1])}" if window else "over the whole dataset"


def engagement_kinds(definition: StatDef) -> list[str]:
    """The engagement kinds to count (default: retweets)."""
    kinds = as_list(definition.params.get("kinds", ["retweet"]))
    bad = [k for k in kinds if k not in ENGAGEMENT_KINDS]
    if bad or not kinds:
        shown = bad[0] if bad else "nothing"
        raise ParamError("kinds", f"unknown engagement kind {shown!r} (known: {', '.join(ENGAGEMENT_KINDS)})")
    return sorted(set(kinds), key=ENGAGEMENT_KINDS.index)


def kind_words(kinds: list[str]) -> str:
    """`retweets and replies`."""
    plural = {"retweet": "retweets", "reply": "replies", "quote": "quotes"}
    return join_words([plural[k] for k in kinds])


def engagement_words(kinds: list[str], who: str) -> str:
    """`retweets of and replies to posts by @A and @B`."""
    phrases = {"retweet": "retweets of", "reply": "replies to", "quote": "quotes of"}
    return f"{join_words([phrases[k] for k in kinds])} posts by {who}"


def join_words(words: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def as_of_of(definition: StatDef, required: bool = True) -> dt.date | None:
    """The date of the status check to use: the latest check on or before it counts."""
    as_of = definition.params.get("as_of")
    if as_of is None and not required:
        return None
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if not isinstance(as_of, dt.date):
        raise ParamError("as_of", "needs `as_of`, the date of the status check, such as 2021-03-01")
    return as_of


def status_set(definition: StatDef, name: str = "status", default: str | None = "suspended") -> tuple[str, ...]:
    """The statuses a status parameter stands for."""
    status = definition.params.get(name, default)
    if status not in STATUS_SETS:
        raise ParamError(name, f"{name} must be one of {', '.join(STATUS_SETS)}")
    return STATUS_SETS[status]


def share_param(definition: StatDef, name: str, default: float | None = None) -> float:
    """A share written as 0.3 or "30%", strictly between 0 and 1 (1 allowed)."""
    raw = definition.params.get(name, default)
    if raw is None:
        raise ParamError(name, f"needs `{name}`, a share such as 30% or 0.3")
    try:
        text = str(raw).strip()
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise ParamError(name, f"{name} must be a share such as 30% or 0.3, not {raw!r}") from None
    if not 0 < value <= 1:
        raise ParamError(name, f"{name} must be more than 0% and at most 100%, not {raw!r}")
    return value


def whole_param(definition: StatDef, name: str, default: int | None, minimum: int = 1) -> int | None:
    """A whole-number parameter no smaller than `minimum`, or the default."""
    value = definition.params.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ParamError(name, f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return value


def choice_param(definition: StatDef, name: str, choices: tuple[str, ...], default: str) -> str:
    """A parameter that must be one of a few words."""
    value = definition.params.get(name, default)
    if value not in choices:
        raise ParamError(name, f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def period_start(column: ir.TimestampColumn, period: str) -> ir.DateValue:
    """The first day of the week (Monday) or month a timestamp falls in."""
    return column.truncate(PERIODS[period]).date()


@dataclass(frozen=True)
class Selection:
    """Engagements chosen by a statistic's parameters, and the words that describe the choice."""

    table: ir.Table
    words: str
    window: tuple[dt.date, dt.date] | None
    filters: tuple[str, ...]


def selected_engagements(ctx: Context, definition: StatDef, targets_required: bool = True) -> Selection:
    """Engagements (keyed: kind code, engager, target, created_at) of the targets' posts, of the chosen kinds,
    in the window."""
    return _selection(ctx, definition, targets_required, raw=False)


def raw_engagements(ctx: Context, definition: StatDef, targets_required: bool = True) -> Selection:
    """Like `selected_engagements`, on the file's own columns (string ids, post_id): for the kinds that need
    posts. The targets' rows are read from the file once and shared (see `KeyedTables.targeted`)."""
    return _selection(ctx, definition, targets_required, raw=True)


def _selection(ctx: Context, definition: StatDef, targets_required: bool, raw: bool) -> Selection:
    kinds = engagement_kinds(definition)
    window = window_of(definition)
    params = definition.params
    table = ctx.table("engagements", "kind", "engager_id", "post_id", "target_author_id", "created_at")
    if not raw:
        table = ctx.engagements()
    if targets_required or any(params.get(k) for k in ("target", "targets", "roles")):
        if raw:
            ids, who = ctx.target_ids(params)
            table = ctx.keyed.targeted(ids)
        else:
            keys, who = ctx.target_keys(params)
            table = table.filter(table.target.isin(keys))
        words = engagement_words(kinds, who)
    else:
        who, words = "any account", kind_words(kinds)
    kind_condition = table.kind.isin(kinds if raw else [kind_code(k) for k in kinds])
    selected = table.filter(kind_condition, in_window(table.created_at, window))
    filters = (f"engagement kinds: {kind_words(kinds)}", f"posts by: {who}", f"window: {window_words(window)}")
    return Selection(selected, f"{words} {window_words(window)}", window, filters)


@dataclass(frozen=True)
class Kind:
    """A statistic kind: its parameters, the tables it may read, and the function that computes it."""

    name: str
    params: dict[str, str]  # name -> what it means
    default_format: str
    compute: Callable[[Context, StatDef], StatResult]
    summary: str
    inputs: tuple[str, ...]


KINDS: dict[str, Kind] = {}

TARGET_PARAMS = {
    "target": "one account, by handle or id",
    "targets": "several accounts, by handle or id",
    "roles": "every account with one of these roles (diplomat, embassy, ...)",
}
SELECTION_PARAMS = {
    **TARGET_PARAMS,
    "kinds": "retweet, reply and/or quote (default retweet)",
    "window": "[start, end], inclusive whole days",
}
POPULATION_PARAMS = {
    "targets": "accounts by handle or id",
    "roles": "accounts with one of these roles",
    "network": "members of this named network",
}


def kind(
    name: str, params: dict[str, str], default_format: str, summary: str, inputs: tuple[str, ...]
) -> Callable[[Callable[[Context, StatDef], StatResult]], Callable[[Context, StatDef], StatResult]]:
    """Register a statistic kind; `inputs` are every table it may read (they key its cache)."""

    def register(fn: Callable[[Context, StatDef], StatResult]) -> Callable[[Context, StatDef], StatResult]:
        KINDS[name] = Kind(name, params, default_format, fn, summary, inputs)
        return fn

    return register


def result(ctx: Context, declared: StatDef, inputs: tuple[str, ...] | None = None, **values: Any) -> StatResult:
    """A StatResult carrying the declaration's id, label and format, and the tables it read."""
    read = inputs if inputs is not None else KINDS[declared.kind].inputs
    return StatResult(
        id=declared.id,
        kind=declared.kind,
        label=declared.label,
        format=declared.format,
        inputs=read,
        illustrative=ctx.illustrative(read),
        **values,
    )


def share(numerator: int, denominator: int, what: str) -> float:
    """numerator / denominator, or a clear error when there is nothing to divide by."""
    if denominator == 0:
        raise StatsError(f"no {what}: the share is undefined")
    return numerator / denominator
