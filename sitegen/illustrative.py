"""Illustrative data for the default project: a seeded generator calibrated to the reported figures.

No tweet-level data from the 2021 AP / Oxford Internet Institute investigation was ever published, so
the default project ships ILLUSTRATIVE data: synthetic accounts, posts, engagements and status checks
whose statistics reproduce the figures the investigators reported (see reference/ap-oii-2021.md). Only
two real handles appear, @AmbLiuXiaoMing and @ChineseEmbinUK, the subjects of the reporting; every other
handle, and every name, bio, id, time, count and text, is synthetic. Nothing here is an observation.

Calibration is by construction, never by patching a computed statistic. Each reported figure is a
constant below (scaled by `scale` and rounded); the generator first chooses exactly that many rows and
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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .datapackage import describe_resource, read_datapackage, write_datapackage, write_parquet
from .errors import SitegenError
from .schema import KINDS, STATUSES, TABLES

GENERATOR_VERSION = 1
DEFAULT_SEED = 20210511
MIN_SCALE, MAX_SCALE = 0.01, 100.0
SOURCE = "sitegen illustrative generator"

# Dates, UTC. Windows are half-open: [start, end).
WINDOW_START = "2020-06-09"  # OII: "between 9 June 2020 and 23 February 2021"
UK_WINDOW_END = "2021-02-01"  # the UK paper's window ends on 31 January 2021
WINDOW_END = "2021-02-24"
CHECK_DATES = ("2021-03-01", "2021-05-05")  # the retweeters' status look-ups
FOLLOWERS_RECORDED = "2021-05-11"  # AP publication, when "more than 119,000" followers was read

# Accounts. Liu and the embassy are account 0 and 1; 110 + 79 = the 189 diplomatic accounts.
DIPLOMATS, EMBASSIES, STATE_MEDIA = 110, 79, 10
GOVERNMENT_LABELLED = 26  # "only 14%" of 189
GOVERNMENT_LABEL, STATE_MEDIA_LABEL = "China government official", "China state-affiliated media"
LIU_CREATED = "2019-10-15T09:00:00"  # AP: "joined Twitter in October 2019"; the day is illustrative
LIU_FOLLOWERS = 119_452  # AP: "more than 119,000"
EMBASSY_UK_FOLLOWERS = 68_000  # illustrative: no figure was reported
REAL_HANDLE_NOTE = "Real handle; every other value of this illustrative record is synthetic"
ORDINARY_RETWEETERS = 100_000
HOST_COUNTRIES = (
    "AE AR AU BD BE BR CA CH CL CZ DE DK EG ES ET FI FR GR HU ID IE IN IR IT JP KE KR KZ LK MX "
    "MY NG NL NO NP NZ PE PH PK PL PT RU SA SE SG TH TR US UZ VN ZA"
).split()

# The "uk-personas" network: 31 suspended by 2021-03-01, 2 deleted, 29 active until reported to
# Twitter on 2021-04-28 and suspended by 2021-05-05. About a third were created on five burst days.
NETWORK = "uk-personas"
NETWORK_GROUPS = ("deleted", "remaining", "suspended")  # assignment order: the smallest first
NETWORK_GROUP_SIZES = (2, 29, 31)
NETWORK_GROUP_CHECKS = (("deleted", "deleted"), ("active", "suspended"), ("suspended", "suspended"))
NETWORK_BURSTS = (("2020-04-21", 5), ("2020-04-23", 4), ("2020-08-04", 4), ("2020-08-11", 4), ("2020-08-26", 4))
NETWORK_SPREAD = ("2019-01-01", "2021-01-01")  # the other 41, one per equal slice of 2019-2020

# Scale-1 counts. UK pairs are (to 31 January, 1-23 February); rows are (Liu, embassy).
DIPLOMATIC_POSTS = 201_382
UK_POSTS = ((1_150, 100), (1_920, 160))  # 1,150 + 1,920 = 3,070
DIPLOMATIC_RETWEETS = 1_300_000
UK_RETWEETS = ((42_350, 1_150), (2_982, 250))  # 42,350 + 2,982 = 45,332; Liu June-February 43,500
UK_REPLIES = ((41_000, 1_300), (11_733, 400))  # 41,000 + 11,733 = 52,733
OTHER_REPLIES, QUOTES = 60_000, 15_000
NETWORK_RETWEET_SHARE = (0.44, 0.35)  # of Liu's and of the embassy's retweets
NETWORK_RETWEETS = {"deleted": 600, "remaining": 10_400}  # the suspended 31 make the rest
NETWORK_REPLIES = {"deleted": 300, "remaining": 5_850, "suspended": 6_100}  # the last group takes the rest

# Ordinary engagers: status classes with their statuses at each check, and their shares of the
# ordinary (non-network) retweets of Liu and of every other diplomatic account.
CLASSES = ("active", "suspended", "suspended_later", "deleted", "unknown")
CLASS_CHECKS = (
    ("active", "active"),
    ("suspended", "suspended"),
    ("active", "suspended"),
    ("deleted", "deleted"),
    ("unknown", "unknown"),
)
CLASS_SHARES_LIU = (0.775, 0.14, 0.05, 0.02, 0.015)
CLASS_SHARES = (0.832, 0.113, 0.02, 0.02, 0.015)
CLASS_CREATED = (("2009-01-01", "2020-06-01"), ("2018-01-01", "2020-06-01"))  # (genuine, bot-like)
TOP1_SHARE = 0.47  # of all retweets, from the 1% most active retweeters
REST_MAX = 60  # most retweets by an ordinary account outside the top 1%

TWITTER_EPOCH_MS = 1288834974657
LEGACY_ID_END = "2015-01-01"  # accounts older than this get small sequential ids, newer ones snowflakes
LEGACY_ID_RANGE = (12_000_000, 2_900_000_000)
SECOND, MINUTE, HOUR, DAY = 1_000, 60_000, 3_600_000, 86_400_000
CHUNK_ROWS = 1 << 22  # engagements are turned into Arrow columns this many rows at a time
RETWEET, REPLY, QUOTE = (KINDS.index(k) for k in ("retweet", "reply", "quote"))
NETWORK_SOURCE, SAMPLED_SOURCE = len(CLASSES), len(CLASSES) + 1  # slot sources beside the classes
LIU, EMBASSY_UK = 0, 1


def _ms(moment: str) -> int:
    """Milliseconds since the Unix epoch of an ISO date or datetime, UTC."""
    return int(np.datetime64(moment, "ms").astype(np.int64))


START_MS, UK_END_MS, END_MS = _ms(WINDOW_START), _ms(UK_WINDOW_END), _ms(WINDOW_END)
PERIODS = ((START_MS, UK_END_MS), (UK_END_MS, END_MS))
CHECK_MS = tuple(_ms(d) for d in CHECK_DATES)
UK_SUMMER_TIME = (
    (_ms("2020-03-29T01:00"), _ms("2020-10-25T01:00")),
    (_ms("2021-03-28T01:00"), _ms("2021-10-31T01:00")),
)


Column: TypeAlias = str | list | pa.Array | None  # see _text


@dataclass
class _Accounts:
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


@dataclass
class _Slots:
    """Engagements under construction: kind, post index, source (class or network), time, engager."""

    kind: np.ndarray
    post: np.ndarray
    source: np.ndarray
    ms: np.ndarray
    engager: np.ndarray


def generate(seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict[str, pa.Table]:
    """The illustrative accounts, posts, engagements and status_checks tables, sorted by primary key."""
    if not isinstance(seed, int) or seed < 0:
        raise SitegenError("seed must be a non-negative integer", value=seed)
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise SitegenError(f"scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}", value=scale)
    rng = np.random.default_rng(seed)
    fixed, network_group = _fixed_accounts(rng)
    post_author, post_ms = _posts(rng, fixed.followers, scale)
    counts = _engagement_counts(rng, post_author, post_ms, fixed.followers, scale)
    slots = _slots(rng, post_author, post_ms, counts, fixed.created_ms, network_group, scale)
    slots.ms = _slot_times(rng, slots, post_ms)
    accounts = _concat(fixed, _ordinary_accounts(rng, slots, len(fixed.followers), scale))
    account_ids = _string_ids(_account_ids(rng, accounts.created_ms))
    post_ids, post_order = _snowflakes(rng, post_ms)
    engagement_ids, engagement_order = _snowflakes(rng, slots.ms)
    recorded = _followers_recorded(accounts, slots)
    return {
        "accounts": _accounts_table(accounts, account_ids, recorded),
        "posts": _posts_table(post_ids, post_order, post_author, post_ms, account_ids),
        "engagements": _engagements_table(
            engagement_ids, engagement_order, slots, _string_ids(post_ids), post_author, account_ids
        ),
        "status_checks": _status_checks_table(accounts, account_ids),
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
                date_range=_date_range(table, name),
            )
        )
    package = read_datapackage(data_dir)
    kept = [r for r in package["resources"] if not (isinstance(r, dict) and r.get("name") in tables)]
    package["resources"] = kept + resources
    package["generator"] = {"name": "illustrative", "seed": seed, "scale": float(scale), "version": GENERATOR_VERSION}
    write_datapackage(data_dir, package)


# --- counting -------------------------------------------------------------------------------------


def _scaled(count: int, scale: float) -> int:
    """A scale-1 count at the requested scale."""
    return int(round(count * scale))


def _apportion(total: int, shares: tuple[float, ...]) -> np.ndarray:
    """Integers summing to total in proportion to shares (largest remainder)."""
    exact = total * np.asarray(shares, dtype=float) / sum(shares)
    counts = np.floor(exact).astype(np.int64)
    counts[np.argsort(counts - exact, kind="stable")[: total - counts.sum()]] += 1
    return counts


def _split_total(
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


def _heavy_tail_counts(
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
            _split_total(top_total, np.minimum(1 + rng.pareto(1.5, top), 100), lo=top_min, hi=most),
            _split_total(total - top_total, 1 + rng.pareto(1.3, rest), lo=1, hi=rest_max),
        ]
    )
    return rng.permutation(counts)


# --- accounts -------------------------------------------------------------------------------------


def _fixed_accounts(rng: np.random.Generator) -> tuple[_Accounts, np.ndarray]:
    """Liu, the embassy, the other diplomatic and state media accounts, then the network; and network groups."""
    roles = ["diplomat", "embassy"] + ["diplomat"] * (DIPLOMATS - 1) + ["embassy"] * (EMBASSIES - 1)
    roles += ["state_media"] * STATE_MEDIA
    handles = ["AmbLiuXiaoMing", "ChineseEmbinUK"] + _numbered("diplomat", DIPLOMATS - 1, 3)
    handles += _numbered("embassy", EMBASSIES - 1, 3) + _numbered("state_media", STATE_MEDIA, 2)
    n, diplomatic = len(roles), DIPLOMATS + EMBASSIES
    recent = rng.random(n) < 0.6  # most PRC diplomatic accounts joined Twitter in 2019-2020
    created = np.where(
        recent,
        rng.integers(_ms("2019-01-01"), _ms("2020-05-01"), n),
        rng.integers(_ms("2010-01-01"), _ms("2019-01-01"), n),
    )
    created[LIU] = _ms(LIU_CREATED)
    followers = (4_000 * rng.lognormal(0, 1.3, n)).astype(np.int64)
    followers[[LIU, EMBASSY_UK]] = LIU_FOLLOWERS, EMBASSY_UK_FOLLOWERS
    label = np.full(n, None, dtype=object)
    label[rng.choice(diplomatic, GOVERNMENT_LABELLED, replace=False)] = GOVERNMENT_LABEL
    label[diplomatic:] = STATE_MEDIA_LABEL
    official = _Accounts(
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
    return _concat(official, network), np.concatenate([np.full(n, -1), group])


def _network_accounts(rng: np.random.Generator) -> tuple[_Accounts, np.ndarray]:
    """The 62 "uk-personas" accounts, and each one's index into NETWORK_GROUPS."""
    burst = [_ms(day) + rng.integers(0, DAY, n) for day, n in NETWORK_BURSTS]
    size = sum(NETWORK_GROUP_SIZES)
    spread_n = size - sum(n for _, n in NETWORK_BURSTS)
    first, last = (_ms(d) for d in NETWORK_SPREAD)
    # One creation per equal slice of 2019-2020, so at least 38 exist before the first post (9 June
    # 2020) and every member group has a member that can engage from the start.
    spread = first + ((np.arange(spread_n) + rng.random(spread_n)) * (last - first) / spread_n).astype(np.int64)
    burst_days = np.array([_ms(day) // DAY for day, _ in NETWORK_BURSTS])
    spread[np.isin(spread // DAY, burst_days)] += DAY  # the burst days hold only the bursts (none are adjacent)
    created = rng.permutation(np.concatenate([*burst, spread]))
    group = rng.permutation(np.repeat(np.arange(len(NETWORK_GROUPS)), NETWORK_GROUP_SIZES))
    checks = np.array([[STATUSES.index(s) for s in NETWORK_GROUP_CHECKS[g]] for g in group], dtype=np.int8)
    handles = _numbered("uk_persona", size, 2)
    return _Accounts(
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


def _ordinary_accounts(rng: np.random.Generator, slots: _Slots, first: int, scale: float) -> _Accounts:
    """Ordinary engagers per status class; assigns them to the ordinary retweets, replies and quotes."""
    retweet = slots.kind == RETWEET
    network_retweets = int(np.count_nonzero(retweet & (slots.source == NETWORK_SOURCE)))
    total = int(np.count_nonzero(retweet))
    ordinary = total - network_retweets
    wanted = _scaled(ORDINARY_RETWEETERS, scale)
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
        counts = _heavy_tail_counts(rng, len(idx), n, top_share, top_fraction, most)
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


def _spread_duplicates(rng: np.random.Generator, slots: _Slots, idx: np.ndarray) -> None:
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


def _ordinary_columns(rng: np.random.Generator, account_class: np.ndarray) -> _Accounts:
    """Synthetic handles, creation dates, followers and statuses for ordinary engagers of each class."""
    n = len(account_class)
    width = max(6, len(str(n)))
    number = pc.utf8_lpad(pa.array(rng.permutation(n) + 1).cast(pa.string()), width, "0")
    bot_like = np.isin(account_class, [CLASSES.index(c) for c in ("suspended", "suspended_later", "deleted")])
    (genuine_start, created_end), (bot_start, _) = ((_ms(a), _ms(b)) for a, b in CLASS_CREATED)
    start = np.where(bot_like, bot_start, genuine_start)
    created = start + (rng.random(n) * (created_end - start)).astype(np.int64)
    followers = (np.where(bot_like, 25, 150) * rng.lognormal(0, 1.4, n)).astype(np.int64)
    checks = np.array([[STATUSES.index(s) for s in pair] for pair in CLASS_CHECKS], dtype=np.int8)
    return _Accounts(
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


def _concat(first: _Accounts, second: _Accounts) -> _Accounts:
    """Two blocks of accounts as one."""
    columns = {}
    for name, value in vars(first).items():
        other = getattr(second, name)
        columns[name] = (
            np.concatenate([value, other])
            if isinstance(value, np.ndarray)
            else pa.concat_arrays([value, other.cast(value.type)])
        )
    return _Accounts(**columns)


# --- posts and engagements ------------------------------------------------------------------------


def _uk_offset(ms: np.ndarray) -> np.ndarray:
    """UK clock offset from UTC in ms at each time (British Summer Time 2020-2021)."""
    offset = np.zeros(len(ms), dtype=np.int64)
    for begin, end in UK_SUMMER_TIME:
        offset[(ms >= begin) & (ms < end)] = HOUR
    return offset


def _posts(rng: np.random.Generator, followers: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Author index and time of each post: exact counts per UK account and window, the rest spread."""
    authors, times = [], []
    for account, counts in ((LIU, UK_POSTS[0]), (EMBASSY_UK, UK_POSTS[1])):
        for (begin, end), count in zip(PERIODS, counts, strict=True):
            n = _scaled(count, scale)
            days = rng.integers(0, (end - begin) // DAY, n)
            local = begin + days * DAY + rng.integers(8 * HOUR, 21 * HOUR, n)  # UK office hours
            authors.append(np.full(n, account))
            times.append(local - _uk_offset(local))
    others = np.arange(2, DIPLOMATS + EMBASSIES)
    rest = _scaled(DIPLOMATIC_POSTS, scale) - sum(len(a) for a in authors)
    per_account = _split_total(rest, rng.lognormal(0, 1, len(others)) * followers[others] ** 0.3, lo=1)
    authors.append(np.repeat(others, per_account))
    times.append(rng.integers(START_MS, END_MS - 10 * MINUTE, rest))
    return np.concatenate(authors).astype(np.int64), np.concatenate(times)


def _segments(post_author: np.ndarray, post_ms: np.ndarray) -> list[tuple[int, int, np.ndarray]]:
    """(UK account, period, post mask) for Liu and the embassy in each window."""
    late = post_ms >= UK_END_MS
    return [(a, p, (post_author == a) & (late == bool(p))) for a in (LIU, EMBASSY_UK) for p in (0, 1)]


def _engagement_counts(
    rng: np.random.Generator, post_author: np.ndarray, post_ms: np.ndarray, followers: np.ndarray, scale: float
) -> np.ndarray:
    """Retweets, replies and quotes per post (rows in KINDS order): exact totals per UK account and window."""
    weight = rng.lognormal(0, 1.2, len(post_author)) * followers[post_author] ** 0.8
    counts = np.zeros((len(KINDS), len(post_author)), dtype=np.int64)
    other = post_author >= 2
    # every retweet of a post is by a different account: keep each post to a tenth of the retweeters
    most = _scaled(ORDINARY_RETWEETERS, scale) // 10
    uk_retweets = 0
    for account, period, mask in _segments(post_author, post_ms):
        total = _scaled(UK_RETWEETS[account][period], scale)
        counts[RETWEET, mask] = _split_total(total, weight[mask], hi=max(most, -(-total // mask.sum())))
        counts[REPLY, mask] = _split_total(_scaled(UK_REPLIES[account][period], scale), weight[mask] + 1)
        uk_retweets += int(counts[RETWEET, mask].sum())
    rest = _scaled(DIPLOMATIC_RETWEETS, scale) - uk_retweets
    counts[RETWEET, other] = _split_total(rest, weight[other], hi=max(most, -(-rest // other.sum())))
    counts[REPLY, other] = _split_total(_scaled(OTHER_REPLIES, scale), weight[other] + 1)
    counts[QUOTE] = _split_total(_scaled(QUOTES, scale), weight + 1)
    return counts


def _slots(
    rng: np.random.Generator,
    post_author: np.ndarray,
    post_ms: np.ndarray,
    counts: np.ndarray,
    created: np.ndarray,
    network_group: np.ndarray,
    scale: float,
) -> _Slots:
    """Every engagement's kind, post and source, and the network's engagers, with exact counts."""
    network = _network_counts(post_author, post_ms, counts, created[network_group >= 0], scale)
    kind = np.repeat(np.arange(len(KINDS), dtype=np.int8), counts.sum(axis=1))
    flat = counts.reshape(-1)
    post = np.tile(np.arange(len(post_author), dtype=np.int32), len(KINDS)).repeat(flat)
    rank = np.arange(len(post)) - np.repeat(np.cumsum(flat) - flat, flat)  # position among the post's slots
    is_network = rank < network[kind, post]  # the first n slots of a post are the network's
    source = np.where(is_network, NETWORK_SOURCE, SAMPLED_SOURCE).astype(np.int8)
    slots = _Slots(kind, post, source, np.zeros(len(post), dtype=np.int64), np.full(len(post), -1, dtype=np.int32))
    totals = {RETWEET: NETWORK_RETWEETS, REPLY: NETWORK_REPLIES}
    for k, wanted in totals.items():
        idx = np.flatnonzero(is_network & (kind == k))
        scaled = {g: _scaled(n, scale) for g, n in wanted.items()}
        slots.engager[idx] = _network_members(
            rng, post[idx], rank[idx], network[k], post_ms, created, network_group, scaled
        )
    ordinary_retweet = (kind == RETWEET) & ~is_network
    for account, _, mask in _segments(post_author, post_ms):
        idx = rng.permutation(np.flatnonzero(ordinary_retweet & mask[post]))
        _assign_classes(source, idx, CLASS_SHARES_LIU if account == LIU else CLASS_SHARES)
    _assign_classes(source, rng.permutation(np.flatnonzero(ordinary_retweet & (post_author[post] >= 2))), CLASS_SHARES)
    return slots


def _network_counts(
    post_author: np.ndarray, post_ms: np.ndarray, counts: np.ndarray, created: np.ndarray, scale: float
) -> np.ndarray:
    """Network retweets and replies per post: exact totals per UK account and window, at most one per member."""
    ready = np.sort(created) + DAY
    members = np.searchsorted(ready, post_ms, side="right")  # network members existing at each post
    network = np.zeros_like(counts)
    segments = _segments(post_author, post_ms)
    replies = _scaled(sum(NETWORK_REPLIES.values()), scale)
    reply_totals = _apportion(replies, tuple(float(counts[REPLY, mask].sum()) for _, _, mask in segments))
    for (account, _, mask), reply_total in zip(segments, reply_totals, strict=True):
        for k, total in (
            (RETWEET, round(NETWORK_RETWEET_SHARE[account] * counts[RETWEET, mask].sum())),
            (REPLY, reply_total),
        ):
            available = counts[k, mask]
            network[k, mask] = _split_total(
                int(total), available.astype(float), hi=np.minimum(available, members[mask])
            )
    return network


def _network_members(
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
        split[g] = _split_total(total, left.astype(float), lo=lo, hi=hi)
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


def _assign_classes(source: np.ndarray, idx: np.ndarray, shares: tuple[float, ...]) -> None:
    """Mark exact shares of the (already shuffled) slots idx as made by each ordinary status class."""
    source[idx] = np.repeat(np.arange(len(CLASSES), dtype=np.int8), _apportion(len(idx), shares))


def _network_bursts(rng: np.random.Generator, post_ms: np.ndarray) -> np.ndarray:
    """When the network picks each post up: at once in a UK morning or evening slot, else the next slot."""
    offset = _uk_offset(post_ms)
    local = post_ms + offset
    day, clock = local - local % DAY, local % DAY
    in_slot = ((clock >= 7 * HOUR) & (clock < 9 * HOUR + 30 * MINUTE)) | ((clock >= 18 * HOUR) & (clock < 22 * HOUR))
    next_slot = np.where(
        clock < 7 * HOUR, day + 7 * HOUR, np.where(clock < 18 * HOUR, day + 18 * HOUR, day + DAY + 7 * HOUR)
    )
    start = np.where(in_slot, local, next_slot) + rng.integers(2 * MINUTE, 15 * MINUTE, len(post_ms))
    return start - offset


def _slot_times(rng: np.random.Generator, slots: _Slots, post_ms: np.ndarray) -> np.ndarray:
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
    ms[network] = _network_bursts(rng, post_ms)[slots.post[network]] + spread.astype(np.int64)
    horizon = np.where(posted < UK_END_MS, UK_END_MS, END_MS)
    late = np.flatnonzero(ms >= horizon)  # keep every engagement in its post's window
    room = horizon[late] - posted[late] - 1
    ms[late] = posted[late] + 1 + (rng.random(len(late)) * room).astype(np.int64)
    return ms


# --- ids and tables -------------------------------------------------------------------------------


def _snowflakes(rng: np.random.Generator, ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique snowflake ids ((ms - epoch) << 22 | random 22 bits) for times ms, and their sort order."""
    base = (ms - TWITTER_EPOCH_MS).astype(np.uint64) << np.uint64(22)
    ids = base | rng.integers(0, 1 << 22, len(ms), dtype=np.uint64)
    while True:
        order = np.argsort(ids, kind="stable")
        repeated = order[1:][ids[order[1:]] == ids[order[:-1]]]
        if not len(repeated):
            return ids, order
        ids[repeated] = base[repeated] | rng.integers(0, 1 << 22, len(repeated), dtype=np.uint64)


def _account_ids(rng: np.random.Generator, created: np.ndarray) -> np.ndarray:
    """Account ids: sequential-looking small ids before 2015, unique snowflakes after."""
    ids, _ = _snowflakes(rng, created)
    legacy = np.flatnonzero(created < _ms(LEGACY_ID_END))
    legacy = legacy[np.argsort(created[legacy], kind="stable")]
    low, high = LEGACY_ID_RANGE
    first = int(created[legacy].min()) if len(legacy) else 0
    fraction = (created[legacy] - first) / max(1, _ms(LEGACY_ID_END) - first)
    # increasing with creation time, strictly so because the rank is added
    ids[legacy] = (low + fraction * (high - low - len(legacy))).astype(np.uint64) + np.arange(
        len(legacy), dtype=np.uint64
    )
    return ids


def _string_ids(ids: np.ndarray) -> pa.Array:
    """Decimal strings of uint64 ids, never through float."""
    return pa.array(ids, pa.uint64()).cast(pa.string())


def _timestamps(ms: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Naive UTC timestamp[us] from epoch milliseconds."""
    return pa.array(ms.astype("datetime64[ms]").astype("datetime64[us]"), mask=missing)


def _followers_recorded(accounts: _Accounts, slots: _Slots) -> np.ndarray:
    """When each follower count was read: publication day, or an engager's last engagement (-1: never)."""
    if slots.engager.min() < 0:
        raise AssertionError("an engagement was left without an engager")
    recorded = np.full(len(accounts.followers), -1, dtype=np.int64)
    np.maximum.at(recorded, slots.engager, slots.ms)
    recorded[: DIPLOMATS + EMBASSIES + STATE_MEDIA] = _ms(FOLLOWERS_RECORDED)
    return recorded


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    """A table with exactly the schema's columns, in its order."""
    fields = TABLES[name].field_names
    if sorted(columns) != sorted(fields):
        raise AssertionError(f"{name}: columns {sorted(columns)} are not {fields}")
    return pa.table([columns[f] for f in fields], names=fields)


def _accounts_table(accounts: _Accounts, account_ids: pa.Array, recorded: np.ndarray) -> pa.Table:
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


def _posts_table(
    post_ids: np.ndarray, order: np.ndarray, author: np.ndarray, ms: np.ndarray, account_ids: pa.Array
) -> pa.Table:
    """The posts table; numeric id order is string order because every id has 19 digits."""
    sorted_ids = _string_ids(post_ids[order])
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


def _engagements_table(
    ids: np.ndarray,
    order: np.ndarray,
    slots: _Slots,
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
            "engagement_id": _string_ids(ids[part]),
            "kind": pc.take(pa.array(KINDS), slots.kind[part]),
            "engager_id": pc.take(account_ids, slots.engager[part]),
            "post_id": pc.take(post_ids, post),
            "target_author_id": pc.take(account_ids, post_author[post]),
            "created_at": _timestamps(slots.ms[part]),
        }
        chunks.append(_table("engagements", columns))
    return pa.concat_tables(chunks)


def _status_checks_table(accounts: _Accounts, account_ids: pa.Array) -> pa.Table:
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


def _date_range(table: pa.Table, name: str) -> tuple[str | None, str | None]:
    """First and last ISO date of the table's main time column."""
    column = table["checked_at" if name == "status_checks" else "created_at"]
    bounds = pc.min_max(column).as_py()
    return tuple(b.date().isoformat() if b else None for b in (bounds["min"], bounds["max"]))  # type: ignore[return-value]
