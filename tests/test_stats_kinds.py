"""Every statistic kind on tiny hand-made tables whose answers are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.content import read_content
from sitegen.data import load_data
from sitegen.stats import KINDS, StatResult, compute_stats, keyed

# Accounts. The network "net" is n1 (suspended by 1 March), n2 (active on 1 March, suspended by 5 May) and
# n3 (deleted). f1 is active, f2 suspended, f3 was never checked (unknown).
ACCOUNTS = """\
account_id,handle,display_name,role,country,created_at,followers,followers_recorded_at,status,network,label
100,amb,Ambassador,diplomat,GB,2019-10-05 10:00:00,1000,2021-05-11 00:00:00,active,,China government official
200,emb,Embassy,embassy,GB,2012-01-01 00:00:00,500,,active,,
301,n1,N One,amplifier,,2020-04-21 09:00:00,1,,suspended,net,
302,n2,N Two,amplifier,,2020-04-21 10:00:00,2,,suspended,net,
303,n3,N Three,amplifier,,2020-05-01 09:00:00,3,,deleted,net,
401,f1,F One,amplifier,,2018-01-01 00:00:00,10,,active,,
402,f2,F Two,amplifier,,2018-01-01 00:00:00,10,,suspended,,
403,f3,F Three,amplifier,,,10,,unknown,,
"""
POSTS = """\
post_id,author_id,created_at,text
1,100,2020-06-01 08:00:00,first
2,100,2020-06-08 08:00:00,second
3,200,2020-06-09 08:00:00,embassy
"""
# Delays after the post in seconds: e1 30, e2 60, e3 600, e4 3600, e5 86400, e6 300, e7 360, e8 3600.
ENGAGEMENTS = """\
engagement_id,kind,engager_id,post_id,target_author_id,created_at
e1,retweet,301,1,100,2020-06-01 08:00:30
e2,retweet,302,1,100,2020-06-01 08:01:00
e3,retweet,401,1,100,2020-06-01 08:10:00
e4,retweet,402,1,100,2020-06-01 09:00:00
e5,retweet,403,1,100,2020-06-02 08:00:00
e6,retweet,301,2,100,2020-06-08 08:05:00
e7,retweet,401,2,100,2020-06-08 08:06:00
e8,retweet,303,2,100,2020-06-08 09:00:00
e9,reply,302,1,100,2020-06-01 08:02:00
e10,retweet,302,3,200,2020-06-09 08:00:10
e11,retweet,402,3,200,2020-06-09 08:00:20
"""
STATUS_CHECKS = """\
account_id,status,checked_at
100,active,2021-03-01 00:00:00
100,active,2021-05-05 00:00:00
200,active,2021-03-01 00:00:00
200,active,2021-05-05 00:00:00
301,suspended,2021-03-01 00:00:00
301,suspended,2021-05-05 00:00:00
302,active,2021-03-01 00:00:00
302,suspended,2021-05-05 00:00:00
303,deleted,2021-03-01 00:00:00
303,deleted,2021-05-05 00:00:00
401,active,2021-03-01 00:00:00
401,active,2021-05-05 00:00:00
402,suspended,2021-03-01 00:00:00
402,suspended,2021-05-05 00:00:00
"""
TABLES = {"accounts": ACCOUNTS, "posts": POSTS, "engagements": ENGAGEMENTS, "status_checks": STATUS_CHECKS}


def hand_project(root: Path, stats_yaml: str, tables: dict[str, str] | None = None) -> Path:
    """A project of the hand-made tables (CSV) and the given stats.yaml."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "content").mkdir(exist_ok=True)
    chosen = TABLES if tables is None else tables
    for name, text in chosen.items():
        (root / "data" / f"{name}.csv").write_text(text)
    datasets = "\n".join(f'{name} = "data/{name}.csv"' for name in chosen)
    (root / "sitegen.toml").write_text(f'[site]\ntitle = "Hand"\n\n[datasets]\n{datasets}\n')
    (root / "content" / "stats.yaml").write_text(textwrap.dedent(stats_yaml))
    return root


def compute(
    root: Path, stats_yaml: str, tables: dict[str, str] | None = None, **options: object
) -> dict[str, StatResult]:
    """Compute the statistics of a hand-made project."""
    project = hand_project(root, stats_yaml, tables)
    config = load_config(project)
    return compute_stats(read_content(project).declarations["stats"], load_data(config), **options)  # type: ignore[arg-type]


def one(root: Path, kind: str, **params: object) -> StatResult:
    """One statistic of `kind` with `params` over the hand-made tables."""
    rendered = ", ".join(f"{k}: {_yaml(v)}" for k, v in params.items())
    return compute(root, f"- id: x\n  kind: {kind}\n  params: {{{rendered}}}\n")["x"]


def _yaml(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    return str(value)


JUNE = "[2020-06-01, 2020-06-30]"


def test_followers_and_created(tmp_path: Path) -> None:
    followers = one(tmp_path, "followers", target="amb")
    assert followers.value == 1000
    assert followers.as_of == dt.date(2021, 5, 11)
    assert one(tmp_path, "created", target="amb").value == dt.date(2019, 10, 5)


def test_engagement_count_by_target_kind_and_window(tmp_path: Path) -> None:
    assert one(tmp_path, "engagement_count", target="amb", kinds=["retweet"], window=JUNE).value == 8  # e1-e8
    assert one(tmp_path, "engagement_count", target="amb", kinds=["reply"]).value == 1  # e9
    assert one(tmp_path, "engagement_count", targets=["amb", "emb"], window="[2020-06-08, 2020-06-09]").value == 5
    assert one(tmp_path, "engagement_count", roles=["embassy"]).value == 2  # e10, e11


def test_engagement_count_by_engagers(tmp_path: Path) -> None:
    assert one(tmp_path, "engagement_count", network="net").value == 5  # e1, e2, e6, e8, e10
    remaining = one(tmp_path, "engagement_count", network="net", engager_status="active", as_of="2021-03-01")
    assert remaining.value == 2  # n2 only: e2, e10
    both = {"network": "net", "engager_status": "active", "as_of": "2021-03-01", "kinds": ["retweet", "reply"]}
    assert one(tmp_path, "engagement_count", **both).value == 3  # and the reply e9


def test_status_share_leaves_unknown_status_out_of_the_denominator(tmp_path: Path) -> None:
    march = one(tmp_path, "status_share", target="amb", window=JUNE, status="suspended", as_of="2021-03-01")
    # e1-e8 by n1 s, n2 a, f1 a, f2 s, f3 ?, n1 s, f1 a, n3 d: 3 suspended of 7 known; f3 left out.
    assert (march.numerator, march.denominator) == (3, 7)
    assert march.value == pytest.approx(3 / 7)
    assert "1 engagements by accounts of unknown status" in march.notes[0]
    may = one(tmp_path, "status_share", target="amb", status="suspended", as_of="2021-05-05")
    assert (may.numerator, may.denominator) == (4, 7)  # n2 suspended by then
    either = one(tmp_path, "status_share", target="amb", status="suspended_or_deleted", as_of="2021-03-01")
    assert either.numerator == 4  # and n3, deleted


def test_per_target_table_sorted_by_share(tmp_path: Path) -> None:
    table = one(tmp_path, "per_target", roles=["diplomat", "embassy"], as_of="2021-03-01", min_engagements=1)
    frame = table.frame
    assert table.value is None and frame is not None
    assert list(frame["handle"]) == ["emb", "amb"]  # 1 of 2 = 50%, then 3 of 7
    assert list(frame["engagements"]) == [2, 8]
    assert list(frame["known_status"]) == [2, 7]
    assert list(frame["with_status"]) == [1, 3]
    assert list(frame["followers"]) == [500, 1000]
    only = one(tmp_path, "per_target", roles=["diplomat", "embassy"], as_of="2021-03-01", min_engagements=3).frame
    assert only is not None and list(only["handle"]) == ["amb"]


def test_statistics_that_share_work_in_one_build_keep_their_own_answers(tmp_path: Path) -> None:
    # Both per_target tables come from one query (filtered by their minimums after), and the engagements of a
    # target set are read from the file once for every kind that needs post ids: none may see another's rows.
    both = "roles: [diplomat, embassy], as_of: 2021-03-01"
    results = compute(
        tmp_path,
        f"""\
        - {{id: many, kind: per_target, params: {{{both}, min_engagements: 3}}}}
        - {{id: all, kind: per_target, params: {{{both}, min_engagements: 1}}}}
        - {{id: amb, kind: time_to_engagement, params: {{target: amb, unit: seconds}}}}
        - {{id: emb, kind: time_to_engagement, params: {{target: emb, unit: seconds}}}}
        - {{id: amb-again, kind: co_engagement, params: {{target: amb, network: net, seconds: 60}}}}
        """,
    )
    many, every = results["many"].frame, results["all"].frame
    assert many is not None and list(many["handle"]) == ["amb"]
    assert every is not None and list(every["handle"]) == ["emb", "amb"]
    assert results["amb"].value == pytest.approx((360 + 600) / 2)  # the eight delays of amb's posts
    assert results["emb"].value == pytest.approx(15)  # e10 10 s and e11 20 s after the embassy's post
    assert (results["amb-again"].numerator, results["amb-again"].denominator) == (2, 4)  # e1, e2 of e1, e2, e6, e8


def test_the_keyed_tables_in_memory_and_in_a_file_give_the_same_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small engagements are keyed in an in-memory database, large ones in a temporary file (deleted after).
    stats_yaml = """\
        - {id: share, kind: status_share, params: {roles: [diplomat, embassy], as_of: 2021-03-01}}
        - {id: table, kind: per_target, params: {roles: [diplomat, embassy], as_of: 2021-03-01, min_engagements: 1}}
        - {id: delay, kind: time_to_engagement, params: {target: amb, unit: seconds}}
        - {id: near, kind: co_engagement, params: {target: amb, network: net, seconds: 60}}
        """
    made: list[str] = []
    real_mkdtemp = keyed.tempfile.mkdtemp
    monkeypatch.setattr(
        keyed.tempfile, "mkdtemp", lambda **kw: made.append(real_mkdtemp(dir=tmp_path, **kw)) or made[-1]
    )
    in_memory = compute(tmp_path / "memory", stats_yaml)
    assert made == []
    monkeypatch.setattr(keyed, "IN_MEMORY_ROWS", 0)
    on_file = compute(tmp_path / "file", stats_yaml)
    assert len(made) == 1 and not Path(made[0]).exists()
    for name in ("share", "delay", "near"):
        assert (on_file[name].value, on_file[name].numerator) == (in_memory[name].value, in_memory[name].numerator)
    assert on_file["table"].frame is not None and in_memory["table"].frame is not None
    assert on_file["table"].frame.equals(in_memory["table"].frame)
    assert in_memory["share"].numerator and in_memory["table"].frame.shape[0] == 2


def test_weekly_series_of_every_target_in_one_table(tmp_path: Path) -> None:
    # Retweets: amb has e1-e5 (week of 1 June) and e6-e8 (week of 8 June); emb has e10, e11 (week of 8 June).
    table = one(tmp_path, "weekly_per_target", roles=["diplomat", "embassy"], window=JUNE)
    frame = table.frame
    assert table.value is None and frame is not None
    rows = [(h, w.isoformat(), n) for h, w, n in frame[["handle", "week", "engagements"]].itertuples(index=False)]
    assert rows == [("amb", "2020-06-01", 5), ("amb", "2020-06-08", 3), ("emb", "2020-06-08", 2)]
    monthly = one(tmp_path, "weekly_per_target", targets=["amb"], kinds=["retweet", "reply"], period="month").frame
    assert monthly is not None and list(monthly["engagements"]) == [9]


def test_weekly_and_monthly_series_by_class(tmp_path: Path) -> None:
    params = {"targets": ["amb", "emb"], "as_of": "2021-03-01", "network": "net"}
    weekly = one(tmp_path, "weekly_by_class", **params).frame
    assert weekly is not None
    counts = {(str(w), c): n for w, c, n in weekly[["week", "engager_class", "engagements"]].values}
    assert counts == {
        ("2020-06-01", "network"): 2,
        ("2020-06-01", "active"): 1,
        ("2020-06-01", "suspended"): 1,
        ("2020-06-01", "unknown"): 1,
        ("2020-06-08", "network"): 3,
        ("2020-06-08", "active"): 1,
        ("2020-06-08", "suspended"): 1,
    }
    monthly = one(tmp_path, "weekly_by_class", period="month", **params).frame
    assert monthly is not None
    assert dict(zip(monthly["engager_class"], monthly["engagements"], strict=True)) == {
        "network": 5,
        "active": 2,
        "suspended": 2,
        "unknown": 1,
    }
    assert {str(m) for m in monthly["month"]} == {"2020-06-01"}


def test_network_share_overall_and_per_week(tmp_path: Path) -> None:
    stat = one(tmp_path, "network_share", target="amb", network="net")
    assert (stat.numerator, stat.denominator) == (4, 8)  # e1, e2, e6, e8 of e1-e8
    assert stat.frame is not None
    assert list(stat.frame["network"]) == [2, 2] and list(stat.frame["total"]) == [5, 3]
    assert list(stat.frame["share"]) == pytest.approx([0.4, 2 / 3])


def test_share_of_weeks_at_or_above_a_threshold(tmp_path: Path) -> None:
    half = one(tmp_path, "network_weeks", target="amb", network="net", threshold="50%")
    assert (half.numerator, half.denominator, half.value) == (1, 2, 0.5)  # only the 67% week
    forty = one(tmp_path, "network_weeks", target="amb", network="net", threshold=0.4)
    assert forty.value == 1.0  # 40% reaches 40%


def test_concentration_and_lorenz_curve(tmp_path: Path) -> None:
    # Retweets per retweeter of amb and emb: n1 2, n2 2, f1 2, f2 2, f3 1, n3 1 (10 retweets, 6 retweeters).
    top1 = one(tmp_path, "concentration", roles=["diplomat", "embassy"], top="1%", points=2)
    assert (top1.numerator, top1.denominator) == (2, 10)  # the top 1% rounds up to one retweeter
    assert top1.frame is not None
    assert list(top1.frame["engager_share"]) == [0.0, 0.5, 1.0]
    assert list(top1.frame["engagement_share"]) == pytest.approx([0.0, 0.4, 1.0])  # bottom three: 1 + 1 + 2
    assert "0.133" in top1.notes[0]  # Gini: 2 * 39 / (6 * 10) - 7 / 6
    assert one(tmp_path, "concentration", roles=["diplomat", "embassy"], top="50%").value == pytest.approx(0.6)


def test_time_to_engagement_network_against_the_rest(tmp_path: Path) -> None:
    stat = one(tmp_path, "time_to_engagement", target="amb", network="net", unit="seconds")
    assert stat.value == pytest.approx(180)  # network: 30, 60, 300, 3600 -> median (60 + 300) / 2
    frame = stat.frame
    assert frame is not None
    rest = frame[(frame["group"] == "rest") & (frame["percentile"] == 0.5)]
    assert rest["seconds"].iloc[0] == pytest.approx(2100)  # 360, 600, 3600, 86400
    first = frame[(frame["group"] == "network") & (frame["percentile"] == 0.25)]
    assert first["seconds"].iloc[0] == pytest.approx(52.5)  # 30 + 0.75 * (60 - 30)
    everyone = one(tmp_path, "time_to_engagement", target="amb", unit="minutes")
    assert everyone.value == pytest.approx((360 + 600) / 2 / 60)  # all eight delays


def test_co_engagement_within_n_seconds(tmp_path: Path) -> None:
    minute = one(tmp_path, "co_engagement", network="net", seconds=60)
    # Network retweets: e1, e2 (30 s apart on post 1: both count), e6, e8 (55 minutes apart), e10 (alone).
    assert (minute.numerator, minute.denominator) == (2, 5)
    assert one(tmp_path, "co_engagement", network="net", seconds=30).numerator == 2  # 30 s is within 30 s
    assert one(tmp_path, "co_engagement", network="net", seconds=20).numerator == 0


def test_account_counts_by_status_as_of_a_date(tmp_path: Path) -> None:
    assert one(tmp_path, "account_count", network="net").value == 3
    assert one(tmp_path, "account_count", network="net", status="suspended", as_of="2021-03-01").value == 1
    assert one(tmp_path, "account_count", network="net", status="suspended", as_of="2021-05-05").value == 2
    assert one(tmp_path, "account_count", network="net", status="deleted", as_of="2021-03-01").value == 1
    assert one(tmp_path, "account_count", roles=["amplifier"], status="unknown", as_of="2021-03-01").value == 1
    recorded = one(tmp_path, "account_count", network="net", status="suspended")
    assert recorded.value == 2  # the accounts table's own status column
    assert recorded.frame is not None and dict(recorded.frame.values) == {"suspended": 2, "deleted": 1}


def test_posts_by_author_group_and_window(tmp_path: Path) -> None:
    assert one(tmp_path, "post_count", target="amb", window=JUNE).value == 2
    assert one(tmp_path, "post_count", roles=["diplomat", "embassy"], window="[2020-06-02, 2020-06-30]").value == 2


def test_share_of_accounts_with_a_label(tmp_path: Path) -> None:
    assert one(tmp_path, "label_share", roles=["diplomat", "embassy"]).value == 0.5
    labelled = one(tmp_path, "label_share", roles=["diplomat", "embassy"], label="China government official")
    assert (labelled.numerator, labelled.denominator) == (1, 2)


def test_account_creation_bursts(tmp_path: Path) -> None:
    top = one(tmp_path, "creation_bursts", network="net", top=1)
    assert (top.numerator, top.denominator) == (2, 3)  # n1 and n2 on 21 April 2020
    assert top.frame is not None and list(top.frame["burst"]) == [True, False]
    assert "21 April 2020 (2)" in top.notes[0]
    assert one(tmp_path, "creation_bursts", network="net", min_per_day=2).value == pytest.approx(2 / 3)


def test_hourly_activity_in_a_time_zone(tmp_path: Path) -> None:
    london = one(tmp_path, "hourly_activity", target="amb", network="net", zone="Europe/London").frame
    assert london is not None  # June: UTC+1
    counts = {(g, h): n for g, h, n in london[["group", "hour", "engagements"]].values}
    assert counts == {("network", 9): 3, ("network", 10): 1, ("rest", 9): 3, ("rest", 10): 1}
    utc = one(tmp_path, "hourly_activity", target="amb").frame
    assert utc is not None and dict(zip(utc["hour"], utc["engagements"], strict=True)) == {8: 6, 9: 2}


def test_every_kind_has_a_plain_language_definition(tmp_path: Path) -> None:
    stat = one(tmp_path, "status_share", targets=["amb", "emb"], window=JUNE, as_of="2021-03-01")
    assert stat.definition.startswith(
        "Share of retweets of posts by @amb and @emb from 1 June 2020 to 30 June 2020 that came from accounts "
        "whose status was suspended at the latest check on or before 1 March 2021."
    )
    assert stat.inputs == ("accounts", "engagements", "status_checks")
    assert stat.window == (dt.date(2020, 6, 1), dt.date(2020, 6, 30))
    assert stat.as_of == dt.date(2021, 3, 1)
    assert "window: from 1 June 2020 to 30 June 2020" in stat.filters
    for kind in KINDS.values():
        assert kind.summary and kind.params and kind.inputs, kind.name


def test_ids_stay_strings(tmp_path: Path) -> None:
    tables = dict(TABLES, accounts=ACCOUNTS.replace("\n100,", "\n9007199254740993,"))
    tables["posts"] = POSTS.replace(",100,", ",9007199254740993,")
    tables["engagements"] = ENGAGEMENTS.replace(",100,", ",9007199254740993,")
    table = compute(
        tmp_path,
        "- id: t\n  kind: per_target\n  params: {roles: [diplomat], as_of: 2021-03-01, min_engagements: 1}\n",
        tables,
    )["t"].frame
    assert table is not None and list(table["account_id"]) == ["9007199254740993"]
