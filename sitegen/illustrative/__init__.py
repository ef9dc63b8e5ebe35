"""Illustrative data for the default project: a seeded generator calibrated to the reported figures.

No tweet-level data from the 2021 AP / Oxford Internet Institute investigation was ever published, so
the default project ships ILLUSTRATIVE data: synthetic accounts, posts, engagements and status checks
whose statistics reproduce the figures the investigators reported (see reference/ap-oii-2021.md). Only
two real handles appear, @AmbLiuXiaoMing and @ChineseEmbinUK, the subjects of the reporting; every other
handle, and every name, bio, id, time, count and text, is synthetic. Nothing here is an observation.

Calibration is by construction, never by patching a computed statistic. Each reported figure is a
constant in targets.py (scaled by `scale` and rounded); the generator first chooses exactly that many rows and
only then draws their times, posts and accounts:

- posts: exact counts per UK account and window, the rest spread over the other diplomatic accounts;
- retweets and replies: exact totals per UK account and window, split over posts by random weights;
- of those, an exact share is marked as made by the "uk-personas" network and exact shares as made by
  ordinary accounts of each status class (active, suspended by the first check, suspended between the
  checks, deleted, unknown);
- network engagements go to network members by exact totals per member group, each to a member that
  existed at the time and at most once per post, in bursts in UK morning and evening hours;
- ordinary retweeters are created per status class with heavy-tailed retweet counts that sum to the
  class's retweets exactly and give the top 1% a set share; a random permutation matches them to the
  class's retweets, and swaps within the class then remove any repeat retweet of a post by one account.

An engagement never leaves the reporting window of its post (capped at the end of 31 January 2021 for
earlier posts, at the end of 23 February for later ones), so a window count is the same whether it
filters on the post's time or the engagement's. Same seed and scale: identical tables, identical files.

The modules, in the order the generator uses them: targets (the reported figures, dates, the UK clock),
counting (exact integer splits), accounts (official, persona and ordinary accounts), posts, engagements
(counts, sources and times per post), network (the personas' share, members and bursts), and tables
(ids, the four tables, their date ranges). This module draws them in one seeded order and writes them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from ..datapackage import describe_resource, read_datapackage, write_datapackage, write_parquet
from ..errors import SitegenError
from .accounts import concat_accounts, fixed_accounts, ordinary_accounts
from .engagements import engagement_counts, engagement_slots, slot_times
from .posts import draw_posts
from .tables import (
    accounts_table,
    date_range,
    draw_account_ids,
    engagements_table,
    followers_recorded,
    posts_table,
    snowflakes,
    status_checks_table,
    string_ids,
)
from .targets import DEFAULT_SEED, GENERATOR_VERSION, MAX_SCALE, MIN_SCALE, SOURCE


def generate(seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict[str, pa.Table]:
    """The illustrative accounts, posts, engagements and status_checks tables, sorted by primary key."""
    if not isinstance(seed, int) or seed < 0:
        raise SitegenError("seed must be a non-negative integer", value=seed)
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise SitegenError(f"scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}", value=scale)
    rng = np.random.default_rng(seed)
    fixed, network_group = fixed_accounts(rng)
    post_author, post_ms = draw_posts(rng, fixed.followers, scale)
    counts = engagement_counts(rng, post_author, post_ms, fixed.followers, scale)
    slots = engagement_slots(rng, post_author, post_ms, counts, fixed.created_ms, network_group, scale)
    slots.ms = slot_times(rng, slots, post_ms)
    accounts = concat_accounts(fixed, ordinary_accounts(rng, slots, len(fixed.followers), scale))
    account_ids = string_ids(draw_account_ids(rng, accounts.created_ms))
    post_ids, post_order = snowflakes(rng, post_ms)
    engagement_ids, engagement_order = snowflakes(rng, slots.ms)
    recorded = followers_recorded(accounts, slots)
    return {
        "accounts": accounts_table(accounts, account_ids, recorded),
        "posts": posts_table(post_ids, post_order, post_author, post_ms, account_ids),
        "engagements": engagements_table(
            engagement_ids, engagement_order, slots, string_ids(post_ids), post_author, account_ids
        ),
        "status_checks": status_checks_table(accounts, account_ids),
    }


def write_illustrative(data_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0) -> None:
    """Write the illustrative tables as Parquet into data_dir and record them in datapackage.json."""
    tables = generate(seed, scale)
    data_dir.mkdir(parents=True, exist_ok=True)
    command = f"sitegen generate --seed {seed} --scale {scale:g}"
    resources = []
    for name, table in tables.items():
        path = data_dir / f"{name}.parquet"
        write_parquet(table, path)
        resources.append(
            describe_resource(
                path,
                data_dir,
                table=name,
                rows=table.num_rows,
                sources=[SOURCE],
                command=command,
                illustrative=True,
                date_range=date_range(table, name),
            )
        )
    package = read_datapackage(data_dir)
    kept = [r for r in package["resources"] if not (isinstance(r, dict) and r.get("name") in tables)]
    package["resources"] = kept + resources
    package["generator"] = {"name": "illustrative", "seed": seed, "scale": float(scale), "version": GENERATOR_VERSION}
    write_datapackage(data_dir, package)
