"""Exact integer counts: scaling, apportioning a total by shares or weights within bounds, heavy tails."""

from __future__ import annotations

import numpy as np

from .targets import REST_MAX


def at_scale(count: int, scale: float) -> int:
    """A scale-1 count at the requested scale."""
    return int(round(count * scale))


def apportion(total: int, shares: tuple[float, ...]) -> np.ndarray:
    """Integers summing to total in proportion to shares (largest remainder)."""
    exact = total * np.asarray(shares, dtype=float) / sum(shares)
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(counts - exact, kind="stable")[: total - counts.sum()]] += 1
    return counts


def split_total(
    total: int, weights: np.ndarray, lo: int | np.ndarray = 0, hi: int | np.ndarray | None = None
) -> np.ndarray:
    """Integers in [lo, hi] summing exactly to total, as proportional to weights as the bounds allow."""
    n = len(weights)
    counts = np.broadcast_to(np.asarray(lo, dtype=np.int64), (n,)).copy()
    cap = np.broadcast_to(np.asarray(np.iinfo(np.int64).max if hi is None else hi, dtype=np.int64), (n,))
    if total < counts.sum() or (hi is not None and total > cap.sum()):
        raise ValueError(f"cannot split {total} over {n} items within their bounds")
    left = total - int(counts.sum())
    while left > 0:  # each round either finishes or fills some items to their cap
        open_weights = np.where(counts < cap, weights, 0.0)
        if open_weights.sum() <= 0:
            open_weights = (counts < cap).astype(float)
        exact = left * open_weights / open_weights.sum()
        share = np.floor(exact).astype(np.int64)
        share[np.argsort(share - exact, kind="stable")[: left - int(share.sum())]] += 1  # largest remainders
        share = np.minimum(share, cap - counts)
        counts += share
        left -= int(share.sum())
    return counts


def heavy_tail_counts(
    rng: np.random.Generator, total: int, accounts: int, top_share: float, top_fraction: float, most: int
) -> np.ndarray:
    """Counts (each >= 1, the top ones <= most) summing to total; the top top_fraction hold top_share."""
    if accounts <= 1:
        return np.full(accounts, total, dtype=np.int64)
    most = max(most, -(-total // accounts))
    top = min(accounts - 1, max(1, round(accounts * top_fraction)))
    rest = accounts - top
    rest_max = min(REST_MAX, most)
    top_total = min(max(round(top_share * total), top, total - rest * rest_max), total - rest, top * most)
    top_min = max(1, min(rest_max + 1, top_total // top, most))
    counts = np.concatenate(
        [
            split_total(top_total, np.minimum(1 + rng.pareto(1.5, top), 100), lo=top_min, hi=most),
            split_total(total - top_total, 1 + rng.pareto(1.3, rest), lo=1, hi=rest_max),
        ]
    )
    return rng.permutation(counts)
