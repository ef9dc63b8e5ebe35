"""Calibration targets: the reported figures as scale-1 counts and shares, dates, and the UK clock."""

from __future__ import annotations

import numpy as np

from ..schema import KINDS

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


def epoch_ms(moment: str) -> int:
    """Milliseconds since the Unix epoch of an ISO date or datetime, UTC."""
    return int(np.datetime64(moment, "ms").astype(np.int64))


def uk_offset(ms: np.ndarray) -> np.ndarray:
    """UK clock offset from UTC in ms at each time (British Summer Time 2020-2021)."""
    offset = np.zeros(len(ms), dtype=np.int64)
    for begin, end in UK_SUMMER_TIME:
        offset[(ms >= begin) & (ms < end)] = HOUR
    return offset


START_MS, UK_END_MS, END_MS = epoch_ms(WINDOW_START), epoch_ms(UK_WINDOW_END), epoch_ms(WINDOW_END)
PERIODS = ((START_MS, UK_END_MS), (UK_END_MS, END_MS))
CHECK_MS = tuple(epoch_ms(d) for d in CHECK_DATES)
UK_SUMMER_TIME = (
    (epoch_ms("2020-03-29T01:00"), epoch_ms("2020-10-25T01:00")),
    (epoch_ms("2021-03-28T01:00"), epoch_ms("2021-10-31T01:00")),
)
