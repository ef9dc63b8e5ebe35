"""The "uk-personas" network's engagements: exact totals per post and member group, and burst times."""

from __future__ import annotations

import numpy as np

from .counting import apportion, at_scale, split_total
from .posts import uk_segments
from .targets import (
    DAY,
    HOUR,
    MINUTE,
    NETWORK_GROUPS,
    NETWORK_REPLIES,
    NETWORK_RETWEET_SHARE,
    REPLY,
    RETWEET,
    uk_offset,
)


def network_counts(
    post_author: np.ndarray, post_ms: np.ndarray, counts: np.ndarray, created: np.ndarray, scale: float
) -> np.ndarray:
    """Network retweets and replies per post: exact totals per UK account and window, at most one per member."""
    ready = np.sort(created) + DAY
    members = np.searchsorted(ready, post_ms, side="right")  # network members existing at each post
    network = np.zeros_like(counts)
    segments = uk_segments(post_author, post_ms)
    replies = at_scale(sum(NETWORK_REPLIES.values()), scale)
    reply_totals = apportion(replies, tuple(float(counts[REPLY, mask].sum()) for _, _, mask in segments))
    for (account, _, mask), reply_total in zip(segments, reply_totals, strict=True):
        for k, total in (
            (RETWEET, round(NETWORK_RETWEET_SHARE[account] * counts[RETWEET, mask].sum())),
            (REPLY, reply_total),
        ):
            available = counts[k, mask]
            network[k, mask] = split_total(int(total), available.astype(float), hi=np.minimum(available, members[mask]))
    return network


def network_members(
    rng: np.random.Generator,
    post: np.ndarray,
    rank: np.ndarray,
    per_post: np.ndarray,
    post_ms: np.ndarray,
    created: np.ndarray,
    network_group: np.ndarray,
    wanted: dict[str, int],
) -> np.ndarray:
    """The member behind each network slot: exact totals per group, distinct per post, existing by then."""
    groups = [np.flatnonzero(network_group == g) for g in range(len(NETWORK_GROUPS))]
    groups = [m[np.argsort(created[m], kind="stable")] for m in groups]
    posts, inverse = np.unique(post, return_inverse=True)
    ready = [created[m] + DAY for m in groups]
    capacity = np.stack([np.searchsorted(r, post_ms[posts], side="right") for r in ready])
    need = per_post[posts]
    split = np.zeros_like(capacity)
    for g, name in enumerate(NETWORK_GROUPS[:-1]):  # the last group takes what is left
        left = need - split.sum(axis=0)
        lo = np.maximum(0, left - capacity[g + 1 :].sum(axis=0))
        hi = np.minimum(capacity[g], left)
        total = min(max(wanted[name], int(lo.sum())), int(hi.sum()))
        split[g] = split_total(total, left.astype(float), lo=lo, hi=hi)
    split[-1] = need - split[:-1].sum(axis=0)
    ends = np.cumsum(split, axis=0)
    group = (rank[None, :] >= ends[:, inverse]).sum(axis=0)
    within = rank - (ends - split)[group, inverse]
    member = np.empty(len(post), dtype=np.int64)
    for g, members in enumerate(groups):
        keys = rng.random((len(posts), len(members)))
        keys[ready[g][None, :] > post_ms[posts][:, None]] = np.inf  # not yet created
        chosen = group == g
        member[chosen] = members[np.argsort(keys, axis=1)[inverse[chosen], within[chosen]]]
    return member


def network_bursts(rng: np.random.Generator, post_ms: np.ndarray) -> np.ndarray:
    """When the network picks each post up: at once in a UK morning or evening slot, else the next slot."""
    offset = uk_offset(post_ms)
    local = post_ms + offset
    day, clock = local - local % DAY, local % DAY
    in_slot = ((clock >= 7 * HOUR) & (clock < 9 * HOUR + 30 * MINUTE)) | ((clock >= 18 * HOUR) & (clock < 22 * HOUR))
    next_slot = np.where(
        clock < 7 * HOUR, day + 7 * HOUR, np.where(clock < 18 * HOUR, day + 18 * HOUR, day + DAY + 7 * HOUR)
    )
    start = np.where(in_slot, local, next_slot) + rng.integers(2 * MINUTE, 15 * MINUTE, len(post_ms))
    return start - offset
