"""Accounts: the diplomatic and state media accounts, the network's personas, and the ordinary engagers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import STATUSES
from .counting import at_scale, heavy_tail_counts
from .engagements import Slots
from .targets import (
    CHECK_DATES,
    CLASS_CHECKS,
    CLASS_CREATED,
    CLASSES,
    DAY,
    DIPLOMATS,
    EMBASSIES,
    EMBASSY_UK,
    EMBASSY_UK_FOLLOWERS,
    GOVERNMENT_LABEL,
    GOVERNMENT_LABELLED,
    HOST_COUNTRIES,
    LIU,
    LIU_CREATED,
    LIU_FOLLOWERS,
    NETWORK,
    NETWORK_BURSTS,
    NETWORK_GROUP_CHECKS,
    NETWORK_GROUP_SIZES,
    NETWORK_GROUPS,
    NETWORK_SOURCE,
    NETWORK_SPREAD,
    ORDINARY_RETWEETERS,
    REAL_HANDLE_NOTE,
    RETWEET,
    SAMPLED_SOURCE,
    STATE_MEDIA,
    STATE_MEDIA_LABEL,
    TOP1_SHARE,
    epoch_ms,
)

Column: TypeAlias = str | list | pa.Array | None  # see _text


@dataclass
class Accounts:
    """Account columns under construction; `checks` is a status index per check date."""

    handle: pa.Array
    display_name: pa.Array
    role: pa.Array
    country: pa.Array
    created_ms: np.ndarray
    followers: np.ndarray
    checks: np.ndarray
    network: pa.Array
    label: pa.Array
    description: pa.Array


def fixed_accounts(rng: np.random.Generator) -> tuple[Accounts, np.ndarray]:
    """Liu, the embassy, the other diplomatic and state media accounts, then the network; and network groups."""
    roles = ["diplomat", "embassy"] + ["diplomat"] * (DIPLOMATS - 1) + ["embassy"] * (EMBASSIES - 1)
    roles += ["state_media"] * STATE_MEDIA
    handles = ["AmbLiuXiaoMing", "ChineseEmbinUK"] + _numbered("diplomat", DIPLOMATS - 1, 3)
    handles += _numbered("embassy", EMBASSIES - 1, 3) + _numbered("state_media", STATE_MEDIA, 2)
    n, diplomatic = len(roles), DIPLOMATS + EMBASSIES
    recent = rng.random(n) < 0.6  # most PRC diplomatic accounts joined Twitter in 2019-2020
    created = np.where(
        recent,
        rng.integers(epoch_ms("2019-01-01"), epoch_ms("2020-05-01"), n),
        rng.integers(epoch_ms("2010-01-01"), epoch_ms("2019-01-01"), n),
    )
    created[LIU] = epoch_ms(LIU_CREATED)
    followers = (4_000 * rng.lognormal(0, 1.3, n)).astype(np.int64)
    followers[[LIU, EMBASSY_UK]] = LIU_FOLLOWERS, EMBASSY_UK_FOLLOWERS
    label = np.full(n, None, dtype=object)
    label[rng.choice(diplomatic, GOVERNMENT_LABELLED, replace=False)] = GOVERNMENT_LABEL
    label[diplomatic:] = STATE_MEDIA_LABEL
    official = Accounts(
        handle=_text(handles, n),
        display_name=_text(
            ["Liu Xiaoming", "Chinese Embassy in UK"] + [h.replace("_", " ").title() for h in handles[2:]], n
        ),
        role=_text(roles, n),
        country=_text(
            ["GB", "GB"] + [str(c) for c in rng.choice(HOST_COUNTRIES, diplomatic - 2)] + ["CN"] * STATE_MEDIA, n
        ),
        created_ms=created,
        followers=followers,
        checks=np.full((n, len(CHECK_DATES)), STATUSES.index("active"), dtype=np.int8),
        network=_text(None, n),
        label=_text(label.tolist(), n),
        description=_text(
            [REAL_HANDLE_NOTE] * 2 + [f"Illustrative {r.replace('_', ' ')} account (synthetic)" for r in roles[2:]], n
        ),
    )
    network, group = _network_accounts(rng)
    return concat_accounts(official, network), np.concatenate([np.full(n, -1), group])


def _network_accounts(rng: np.random.Generator) -> tuple[Accounts, np.ndarray]:
    """The 62 "uk-personas" accounts, and each one's index into NETWORK_GROUPS."""
    burst = [epoch_ms(day) + rng.integers(0, DAY, n) for day, n in NETWORK_BURSTS]
    size = sum(NETWORK_GROUP_SIZES)
    spread_n = size - sum(n for _, n in NETWORK_BURSTS)
    first, last = (epoch_ms(d) for d in NETWORK_SPREAD)
    # One creation per equal slice of 2019-2020, so at least 38 exist before the first post (9 June
    # 2020) and every member group has a member that can engage from the start.
    spread = first + ((np.arange(spread_n) + rng.random(spread_n)) * (last - first) / spread_n).astype(np.int64)
    burst_days = np.array([epoch_ms(day) // DAY for day, _ in NETWORK_BURSTS])
    spread[np.isin(spread // DAY, burst_days)] += DAY  # the burst days hold only the bursts (none are adjacent)
    created = rng.permutation(np.concatenate([*burst, spread]))
    group = rng.permutation(np.repeat(np.arange(len(NETWORK_GROUPS)), NETWORK_GROUP_SIZES))
    checks = np.array([[STATUSES.index(s) for s in NETWORK_GROUP_CHECKS[g]] for g in group], dtype=np.int8)
    handles = _numbered("uk_persona", size, 2)
    return Accounts(
        handle=_text(handles, size),
        display_name=_text([h.replace("uk_persona_", "UK Persona ") for h in handles], size),
        role=_text("amplifier", size),
        country=_text("GB", size),
        created_ms=created,
        followers=rng.integers(5, 400, size).astype(np.int64),
        checks=checks,
        network=_text(NETWORK, size),
        label=_text(None, size),
        description=_text("Illustrative persona posing as a British user (synthetic)", size),
    ), group


def _numbered(prefix: str, count: int, width: int) -> list[str]:
    """Synthetic handles prefix_001, prefix_002, ..."""
    return [f"{prefix}_{i:0{width}d}" for i in range(1, count + 1)]


def _text(value: Column, n: int) -> pa.Array:
    """A text column of n rows from one string for all, None for all null, or the values."""
    if value is None:
        return pa.nulls(n, pa.string())
    if isinstance(value, str):
        return pa.repeat(value, n)
    return value if isinstance(value, pa.Array) else pa.array(value, pa.string())


def ordinary_accounts(rng: np.random.Generator, slots: Slots, first: int, scale: float) -> Accounts:
    """Ordinary engagers per status class; assigns them to the ordinary retweets, replies and quotes."""
    retweet = slots.kind == RETWEET
    network_retweets = int(np.count_nonzero(retweet & (slots.source == NETWORK_SOURCE)))
    total = int(np.count_nonzero(retweet))
    ordinary = total - network_retweets
    wanted = at_scale(ORDINARY_RETWEETERS, scale)
    # The network's members (well above REST_MAX retweets each) rank in the top 1% of all retweeters, so
    # the ordinary top group is the rest of that 1% and holds the rest of its share.
    members = len(np.unique(slots.engager[retweet & (slots.source == NETWORK_SOURCE)]))
    top_fraction = max(0.0, (wanted + members) / 100 - members) / wanted
    top_share = (TOP1_SHARE * total - network_retweets) / ordinary
    activity, classes = [], []
    for c in range(len(CLASSES)):
        idx = np.flatnonzero(retweet & (slots.source == c))
        n = min(len(idx), max(1, round(wanted * len(idx) / ordinary))) if len(idx) else 0
        # an account's retweets go to distinct posts: keep it to a quarter of the posts it can choose from
        most = len(np.unique(slots.post[idx])) // 4
        counts = heavy_tail_counts(rng, len(idx), n, top_share, top_fraction, most)
        slots.engager[rng.permutation(idx)] = np.repeat(np.arange(first, first + n), counts)
        _spread_duplicates(rng, slots, idx)
        activity.append(counts)
        classes.append(np.full(n, c, dtype=np.int8))
        first += n
    cumulative = np.cumsum(np.concatenate(activity))
    sampled = np.flatnonzero(slots.source == SAMPLED_SOURCE)  # replies and quotes, by retweet activity
    draws = rng.integers(0, cumulative[-1], len(sampled))
    slots.engager[sampled] = first - len(cumulative) + np.searchsorted(cumulative, draws, side="right")
    return _ordinary_columns(rng, np.concatenate(classes))


def _spread_duplicates(rng: np.random.Generator, slots: Slots, idx: np.ndarray) -> None:
    """Swap engagers among the slots idx until no account retweets the same post twice."""
    posts = int(slots.post.max()) + 1
    touched = np.zeros(int(slots.engager.max()) + 1, dtype=bool)
    check = idx
    for _ in range(200):
        key = slots.engager[check].astype(np.int64) * posts + slots.post[check]
        order = np.argsort(key)
        repeated = check[order[1:][key[order[1:]] == key[order[:-1]]]]
        if not len(repeated):
            return
        partner = idx[rng.choice(len(idx), len(repeated), replace=False)]
        keep = ~np.isin(partner, repeated)
        mine, theirs = repeated[keep], partner[keep]
        slots.engager[mine], slots.engager[theirs] = slots.engager[theirs], slots.engager[mine]
        # repeats can only remain or arise for the accounts involved: check their slots next
        touched[:] = False
        touched[slots.engager[repeated]] = touched[slots.engager[theirs]] = True
        check = idx[touched[slots.engager[idx]]]
    raise AssertionError("could not spread an account's retweets over distinct posts")


def _ordinary_columns(rng: np.random.Generator, account_class: np.ndarray) -> Accounts:
    """Synthetic handles, creation dates, followers and statuses for ordinary engagers of each class."""
    n = len(account_class)
    width = max(6, len(str(n)))
    number = pc.utf8_lpad(pa.array(rng.permutation(n) + 1).cast(pa.string()), width, "0")
    bot_like = np.isin(account_class, [CLASSES.index(c) for c in ("suspended", "suspended_later", "deleted")])
    (genuine_start, created_end), (bot_start, _) = ((epoch_ms(a), epoch_ms(b)) for a, b in CLASS_CREATED)
    start = np.where(bot_like, bot_start, genuine_start)
    created = start + (rng.random(n) * (created_end - start)).astype(np.int64)
    followers = (np.where(bot_like, 25, 150) * rng.lognormal(0, 1.4, n)).astype(np.int64)
    checks = np.array([[STATUSES.index(s) for s in pair] for pair in CLASS_CHECKS], dtype=np.int8)
    return Accounts(
        handle=pc.binary_join_element_wise("amplifier_", number, ""),
        display_name=pc.binary_join_element_wise("Amplifier ", number, ""),
        role=_text("amplifier", n),
        country=_text(None, n),
        created_ms=created,
        followers=followers,
        checks=checks[account_class],
        network=_text(None, n),
        label=_text(None, n),
        description=_text("Illustrative account (synthetic)", n),
    )


def concat_accounts(first: Accounts, second: Accounts) -> Accounts:
    """Two blocks of accounts as one."""
    columns = {}
    for name, value in vars(first).items():
        other = getattr(second, name)
        columns[name] = (
            np.concatenate([value, other])
            if isinstance(value, np.ndarray)
            else pa.concat_arrays([value, other.cast(value.type)])
        )
    return Accounts(**columns)
