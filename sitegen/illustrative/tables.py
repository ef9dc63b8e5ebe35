"""Ids and tables: snowflake and legacy ids, and the four tables in schema column order, sorted by key."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import KINDS, STATUSES, TABLES
from .accounts import Accounts
from .engagements import Slots
from .targets import (
    CHECK_MS,
    CHUNK_ROWS,
    DIPLOMATS,
    EMBASSIES,
    FOLLOWERS_RECORDED,
    LEGACY_ID_END,
    LEGACY_ID_RANGE,
    STATE_MEDIA,
    TWITTER_EPOCH_MS,
    epoch_ms,
)


def snowflakes(rng: np.random.Generator, ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique snowflake ids ((ms - epoch) << 22 | random 22 bits) for times ms, and their sort order."""
    base = (ms - TWITTER_EPOCH_MS).astype(np.uint64) << np.uint64(22)
    ids = base | rng.integers(0, 1 << 22, len(ms), dtype=np.uint64)
    while True:
        order = np.argsort(ids, kind="stable")
        repeated = order[1:][ids[order[1:]] == ids[order[:-1]]]
        if not len(repeated):
            return ids, order
        ids[repeated] = base[repeated] | rng.integers(0, 1 << 22, len(repeated), dtype=np.uint64)


def draw_account_ids(rng: np.random.Generator, created: np.ndarray) -> np.ndarray:
    """Account ids: sequential-looking small ids before 2015, unique snowflakes after."""
    ids, _ = snowflakes(rng, created)
    legacy = np.flatnonzero(created < epoch_ms(LEGACY_ID_END))
    legacy = legacy[np.argsort(created[legacy], kind="stable")]
    low, high = LEGACY_ID_RANGE
    first = int(created[legacy].min()) if len(legacy) else 0
    fraction = (created[legacy] - first) / max(1, epoch_ms(LEGACY_ID_END) - first)
    # increasing with creation time, strictly so because the rank is added
    ids[legacy] = (low + fraction * (high - low - len(legacy))).astype(np.uint64) + np.arange(
        len(legacy), dtype=np.uint64
    )
    return ids


def string_ids(ids: np.ndarray) -> pa.Array:
    """Decimal strings of uint64 ids, never through float."""
    return pa.array(ids, pa.uint64()).cast(pa.string())


def _timestamps(ms: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Naive UTC timestamp[us] from epoch milliseconds."""
    return pa.array(ms.astype("datetime64[ms]").astype("datetime64[us]"), mask=missing)


def followers_recorded(accounts: Accounts, slots: Slots) -> np.ndarray:
    """When each follower count was read: publication day, or an engager's last engagement (-1: never)."""
    if slots.engager.min() < 0:
        raise AssertionError("an engagement was left without an engager")
    recorded = np.full(len(accounts.followers), -1, dtype=np.int64)
    np.maximum.at(recorded, slots.engager, slots.ms)
    recorded[: DIPLOMATS + EMBASSIES + STATE_MEDIA] = epoch_ms(FOLLOWERS_RECORDED)
    return recorded


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    """A table with exactly the schema's columns, in its order."""
    fields = TABLES[name].field_names
    if sorted(columns) != sorted(fields):
        raise AssertionError(f"{name}: columns {sorted(columns)} are not {fields}")
    return pa.table([columns[f] for f in fields], names=fields)


def accounts_table(accounts: Accounts, account_ids: pa.Array, recorded: np.ndarray) -> pa.Table:
    """The accounts table, sorted by account_id."""
    n = len(account_ids)
    table = _table(
        "accounts",
        {
            "account_id": account_ids,
            "handle": accounts.handle,
            "display_name": accounts.display_name,
            "role": accounts.role,
            "country": accounts.country,
            "created_at": _timestamps(accounts.created_ms),
            "followers": pa.array(accounts.followers, pa.int64()),
            "followers_recorded_at": _timestamps(recorded, recorded < 0),
            "status": pc.take(pa.array(STATUSES), accounts.checks[:, -1]),
            "status_checked_at": _timestamps(np.full(n, CHECK_MS[-1])),
            "network": accounts.network,
            "label": accounts.label,
            "description": accounts.description,
        },
    )
    return table.sort_by("account_id")


def posts_table(
    post_ids: np.ndarray, order: np.ndarray, author: np.ndarray, ms: np.ndarray, account_ids: pa.Array
) -> pa.Table:
    """The posts table; numeric id order is string order because every id has 19 digits."""
    sorted_ids = string_ids(post_ids[order])
    text = pc.binary_join_element_wise(
        "Illustrative post ",
        pa.array(np.arange(1, len(order) + 1)).cast(pa.string()),
        " (synthetic text, not a real tweet)",
        "",
    )
    return _table(
        "posts",
        {
            "post_id": sorted_ids,
            "author_id": pc.take(account_ids, author[order]),
            "created_at": _timestamps(ms[order]),
            "text": text,
        },
    )


def engagements_table(
    ids: np.ndarray,
    order: np.ndarray,
    slots: Slots,
    post_ids: pa.Array,
    post_author: np.ndarray,
    account_ids: pa.Array,
) -> pa.Table:
    """The engagements table, sorted by engagement_id (all 19-digit snowflakes), built in chunks of rows."""
    chunks = []
    for start in range(0, len(order), CHUNK_ROWS):  # bounds the temporary arrays at large scales
        part = order[start : start + CHUNK_ROWS]
        post = slots.post[part]
        columns = {
            "engagement_id": string_ids(ids[part]),
            "kind": pc.take(pa.array(KINDS), slots.kind[part]),
            "engager_id": pc.take(account_ids, slots.engager[part]),
            "post_id": pc.take(post_ids, post),
            "target_author_id": pc.take(account_ids, post_author[post]),
            "created_at": _timestamps(slots.ms[part]),
        }
        chunks.append(_table("engagements", columns))
    return pa.concat_tables(chunks)


def status_checks_table(accounts: Accounts, account_ids: pa.Array) -> pa.Table:
    """One row per account per check date, sorted by (account_id, checked_at)."""
    n = len(account_ids)
    table = _table(
        "status_checks",
        {
            "account_id": pa.concat_arrays([account_ids] * len(CHECK_MS)),
            "status": pc.take(pa.array(STATUSES), accounts.checks.T.reshape(-1)),
            "checked_at": _timestamps(np.repeat(np.array(CHECK_MS, dtype=np.int64), n)),
        },
    )
    return table.sort_by([("account_id", "ascending"), ("checked_at", "ascending")])


def date_range(table: pa.Table, name: str) -> tuple[str | None, str | None]:
    """First and last ISO date of the table's main time column."""
    column = table["checked_at" if name == "status_checks" else "created_at"]
    bounds = pc.min_max(column).as_py()
    return tuple(b.date().isoformat() if b else None for b in (bounds["min"], bounds["max"]))  # type: ignore[return-value]
