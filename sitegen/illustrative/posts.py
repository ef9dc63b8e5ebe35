"""Posts: exact counts per UK account and window, the rest spread over the other diplomatic accounts."""

from __future__ import annotations

import numpy as np

from .counting import at_scale, split_total
from .targets import (
    DAY,
    DIPLOMATIC_POSTS,
    DIPLOMATS,
    EMBASSIES,
    EMBASSY_UK,
    END_MS,
    HOUR,
    LIU,
    MINUTE,
    PERIODS,
    START_MS,
    UK_END_MS,
    UK_POSTS,
    uk_offset,
)


def draw_posts(rng: np.random.Generator, followers: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Author index and time of each post: exact counts per UK account and window, the rest spread."""
    authors, times = [], []
    for account, counts in ((LIU, UK_POSTS[0]), (EMBASSY_UK, UK_POSTS[1])):
        for (begin, end), count in zip(PERIODS, counts, strict=True):
            n = at_scale(count, scale)
            days = rng.integers(0, (end - begin) // DAY, n)
            local = begin + days * DAY + rng.integers(8 * HOUR, 21 * HOUR, n)  # UK office hours
            authors.append(np.full(n, account))
            times.append(local - uk_offset(local))
    others = np.arange(2, DIPLOMATS + EMBASSIES)
    rest = at_scale(DIPLOMATIC_POSTS, scale) - sum(len(a) for a in authors)
    per_account = split_total(rest, rng.lognormal(0, 1, len(others)) * followers[others] ** 0.3, lo=1)
    authors.append(np.repeat(others, per_account))
    times.append(rng.integers(START_MS, END_MS - 10 * MINUTE, rest))
    return np.concatenate(authors).astype(np.int64), np.concatenate(times)


def uk_segments(post_author: np.ndarray, post_ms: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """(UK account, period, post mask) for Liu and the embassy in each window."""
    late = post_ms >= UK_END_MS
    return [(a, p, (post_author == a) & (late == bool(p))) for a in (LIU, EMBASSY_UK) for p in (0, 1)]
