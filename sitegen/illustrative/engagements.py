"""Engagements: exact counts per post, kind and source (network or ordinary status class), and their times."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..schema import KINDS
from .counting import apportion, at_scale, split_total
from .network import network_bursts, network_counts, network_members
from .posts import uk_segments
from .targets import (
    CLASS_SHARES,
    CLASS_SHARES_LIU,
    CLASSES,
    DIPLOMATIC_RETWEETS,
    END_MS,
    LIU,
    MINUTE,
    NETWORK_REPLIES,
    NETWORK_RETWEETS,
    NETWORK_SOURCE,
    ORDINARY_RETWEETERS,
    OTHER_REPLIES,
    QUOTE,
    QUOTES,
    REPLY,
    RETWEET,
    SAMPLED_SOURCE,
    SECOND,
    UK_END_MS,
    UK_REPLIES,
    UK_RETWEETS,
)


@dataclass
class Slots:
    """Engagements under construction: kind, post index, source (class or network), time, engager."""

    kind: np.ndarray
    post: np.ndarray
    source: np.ndarray
    ms: np.ndarray
    engager: np.ndarray


def engagement_counts(
    rng: np.random.Generator, post_author: np.ndarray, post_ms: np.ndarray, followers: np.ndarray, scale: float
) -> np.ndarray:
    """Retweets, replies and quotes per post (rows in KINDS order): exact totals per UK account and window."""
    weight = rng.lognormal(0, 1.2, len(post_author)) * followers[post_author] ** 0.8
    counts = np.zeros((len(KINDS), len(post_author)), dtype=np.int64)
    other = post_author >= 2
    # every retweet of a post is by a different account: keep each post to a tenth of the retweeters
    most = at_scale(ORDINARY_RETWEETERS, scale) // 10
    uk_retweets = 0
    for account, period, mask in uk_segments(post_author, post_ms):
        total = at_scale(UK_RETWEETS[account][period], scale)
        counts[RETWEET, mask] = split_total(total, weight[mask], hi=max(most, -(-total // mask.sum())))
        counts[REPLY, mask] = split_total(at_scale(UK_REPLIES[account][period], scale), weight[mask] + 1)
        uk_retweets += int(counts[RETWEET, mask].sum())
    rest = at_scale(DIPLOMATIC_RETWEETS, scale) - uk_retweets
    counts[RETWEET, other] = split_total(rest, weight[other], hi=max(most, -(-rest // other.sum())))
    counts[REPLY, other] = split_total(at_scale(OTHER_REPLIES, scale), weight[other] + 1)
    counts[QUOTE] = split_total(at_scale(QUOTES, scale), weight + 1)
    return counts


def engagement_slots(
    rng: np.random.Generator,
    post_author: np.ndarray,
    post_ms: np.ndarray,
    counts: np.ndarray,
    created: np.ndarray,
    network_group: np.ndarray,
    scale: float,
) -> Slots:
    """Every engagement's kind, post and source, and the network's engagers, with exact counts."""
    network = network_counts(post_author, post_ms, counts, created[network_group >= 0], scale)
    kind = np.repeat(np.arange(len(KINDS), dtype=np.int8), counts.sum(axis=1))
    flat = counts.reshape(-1)
    post = np.tile(np.arange(len(post_author), dtype=np.int32), len(KINDS)).repeat(flat)
    rank = np.arange(len(post)) - np.repeat(np.cumsum(flat) - flat, flat)  # position among the post's slots
    is_network = rank < network[kind, post]  # the first n slots of a post are the network's
    source = np.where(is_network, NETWORK_SOURCE, SAMPLED_SOURCE).astype(np.int8)
    slots = Slots(kind, post, source, np.zeros(len(post), dtype=np.int64), np.full(len(post), -1, dtype=np.int32))
    totals = {RETWEET: NETWORK_RETWEETS, REPLY: NETWORK_REPLIES}
    for k, wanted in totals.items():
        idx = np.flatnonzero(is_network & (kind == k))
        scaled = {g: at_scale(n, scale) for g, n in wanted.items()}
        slots.engager[idx] = network_members(
            rng, post[idx], rank[idx], network[k], post_ms, created, network_group, scaled
        )
    ordinary_retweet = (kind == RETWEET) & ~is_network
    for account, _, mask in uk_segments(post_author, post_ms):
        idx = rng.permutation(np.flatnonzero(ordinary_retweet & mask[post]))
        _assign_classes(source, idx, CLASS_SHARES_LIU if account == LIU else CLASS_SHARES)
    _assign_classes(source, rng.permutation(np.flatnonzero(ordinary_retweet & (post_author[post] >= 2))), CLASS_SHARES)
    return slots


def _assign_classes(source: np.ndarray, idx: np.ndarray, shares: tuple[float, ...]) -> None:
    """Mark exact shares of the (already shuffled) slots idx as made by each ordinary status class."""
    source[idx] = np.repeat(np.arange(len(CLASSES), dtype=np.int8), apportion(len(idx), shares))


def slot_times(rng: np.random.Generator, slots: Slots, post_ms: np.ndarray) -> np.ndarray:
    """Engagement times: ordinary ones hours after the post, network ones in bursts seconds apart."""
    posted = post_ms[slots.post]
    median = np.array([90, 45, 120], dtype=float)[slots.kind] * MINUTE  # by kind: retweet, reply, quote
    ms = posted + np.maximum(median * rng.lognormal(0, 1.5, len(posted)), 2 * SECOND).astype(np.int64)
    network = np.flatnonzero(slots.source == NETWORK_SOURCE)
    is_retweet = slots.kind[network] == RETWEET
    spread = np.where(
        is_retweet,
        rng.exponential(40 * SECOND, len(network)),
        30 * SECOND + rng.exponential(240 * SECOND, len(network)),
    )
    ms[network] = network_bursts(rng, post_ms)[slots.post[network]] + spread.astype(np.int64)
    horizon = np.where(posted < UK_END_MS, UK_END_MS, END_MS)
    late = np.flatnonzero(ms >= horizon)  # keep every engagement in its post's window
    room = horizon[late] - posted[late] - 1
    ms[late] = posted[late] + 1 + (rng.random(len(late)) * room).astype(np.int64)
    return ms
