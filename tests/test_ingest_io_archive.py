"""`sitegen ingest io-archive`: the Twitter information-operations archive layout, hashed ids and all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sitegen.errors import SitegenError
from sitegen.ingest import ingest_io_archive
from sitegen.ingest.ids import snowflake_time

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
TWEETS, USERS = FIXTURES / "io_tweets.csv", FIXTURES / "io_users.csv"
H1 = "8f3b1f2a9c7e4d6b0a1c2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b"
H2 = "Vdx0Y2VyMmFOd3pwQkZ6cUlrUEg0dz09rjY="
LIU = "1181219473484902400"


def by_id(data_dir: Path, table: str, key: str) -> dict[str, dict]:
    return {row[key]: row for row in pq.read_table(data_dir / f"{table}.parquet").to_pylist()}


def test_counts_match_the_archive(tmp_path: Path) -> None:
    result = ingest_io_archive(tmp_path, [TWEETS, USERS], network="uk-network")

    assert (result.read["tweets"], result.read["retweets"], result.read["replies"], result.read["quotes"]) == (
        6,
        3,
        1,
        1,
    )
    assert result.read["users"] == 2
    engagements = by_id(tmp_path, "engagements", "engagement_id")
    assert sorted(e["kind"] for e in engagements.values()) == ["quote", "reply", "retweet", "retweet", "retweet"]
    assert engagements["1280000000000000002"] == {
        "engagement_id": "1280000000000000002",
        "kind": "retweet",
        "engager_id": H2,
        "post_id": "1274000000000000000",
        "target_author_id": LIU,
        "created_at": datetime(2020, 7, 6, 5, 0, tzinfo=UTC),
    }


def test_hashed_ids_and_users_file(tmp_path: Path) -> None:
    ingest_io_archive(tmp_path, [TWEETS, USERS], network="uk-network")

    accounts = by_id(tmp_path, "accounts", "account_id")
    assert accounts[H1]["handle"] == H1 and accounts[H1]["network"] == "uk-network"
    assert accounts[H1]["followers"] == 15  # the users file, read last, wins
    assert accounts[H1]["created_at"] == datetime(2020, 4, 21, tzinfo=UTC)
    assert accounts[H2]["role"] == "other" and accounts[H2]["status"] == "unknown"


def test_targets_outside_the_archive_become_stubs_from_what_the_row_gives(tmp_path: Path) -> None:
    result = ingest_io_archive(tmp_path, [TWEETS])

    accounts = by_id(tmp_path, "accounts", "account_id")
    assert accounts[LIU]["handle"] is None and accounts[LIU]["network"] is None  # id only
    posts = by_id(tmp_path, "posts", "post_id")
    stub = posts["1274000000000000000"]
    assert stub["author_id"] == LIU and stub["text"] is None
    assert stub["created_at"].isoformat() == snowflake_time("1274000000000000000") == "2020-06-19T15:24:04.432000+00:00"
    # the quoted tweet names no author: its post is unknown, and that is counted
    assert result.report.counts["engagements_unknown_post_id"] == 1
    assert any("1 engagements have a post_id not in posts" in w for w in result.report.warnings)
    assert by_id(tmp_path, "engagements", "engagement_id")["1280000000000000005"]["target_author_id"] is None


def test_tweet_text_with_newlines_and_list_columns(tmp_path: Path) -> None:
    ingest_io_archive(tmp_path, [TWEETS])

    posts = by_id(tmp_path, "posts", "post_id")
    assert posts["1280000000000000004"]["text"] == "@AmbLiuXiaoMing well said\nsecond line, with a comma"
    assert posts["1280000000000000002"]["created_at"] == datetime(2020, 7, 6, 5, 0, tzinfo=UTC)


def test_reingest_is_idempotent(tmp_path: Path) -> None:
    ingest_io_archive(tmp_path, [TWEETS, USERS])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    ingest_io_archive(tmp_path, [TWEETS, USERS])
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_bad_is_retweet_and_a_bad_time_are_located(tmp_path: Path) -> None:
    lines = TWEETS.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace(",false,", ",nope,")
    lines[2] = lines[2].replace("2020-07-06 05:00", "06/07/2020 05:00")
    source = tmp_path / "tweets.csv"
    source.write_text("".join(lines))

    with pytest.raises(SitegenError) as caught:
        ingest_io_archive(tmp_path / "data", [source])
    message = str(caught.value)
    assert f"{source}:2, column is_retweet: not true or false (value: 'nope')" in message
    assert f"{source}:3, column created_at: not a date-time (value: '06/07/2020 05:00')" in message


def test_a_wrong_column_name_is_named(tmp_path: Path) -> None:
    source = tmp_path / "tweets.csv"
    source.write_text(TWEETS.read_text().replace("tweetid,userid", "tweet_id,userid", 1))

    with pytest.raises(
        SitegenError, match=r"tweets.csv:1, column tweetid: missing column 'tweetid' \(the header has: tweet_id, userid"
    ):
        ingest_io_archive(tmp_path / "data", [source])
