"""`sitegen ingest twarc2`: response pages and flattened tweets become posts, engagements and accounts."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sitegen.ingest import ingest_twarc2

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PAGES = FIXTURES / "twarc2_pages.jsonl"
FLAT = FIXTURES / "twarc2_flat.jsonl"
LIU = "1181219473484902400"
FAN_ONE = "9007199254740993"  # 2**53 + 1: a float would turn it into ...992


def rows(data_dir: Path, table: str) -> list[dict]:
    return pq.read_table(data_dir / f"{table}.parquet").to_pylist()


def by_id(data_dir: Path, table: str, key: str) -> dict[str, dict]:
    return {row[key]: row for row in rows(data_dir, table)}


def test_pages_become_posts_engagements_and_accounts(tmp_path: Path) -> None:
    result = ingest_twarc2(tmp_path, [PAGES])

    assert result.read["tweets"] == 6
    assert (result.read["retweets"], result.read["quotes"], result.read["replies"]) == (2, 2, 2)
    assert result.read["api_errors"] == 3
    assert result.read["api_errors: Not Found Error"] == 2
    assert result.read["api_errors: Authorization Error"] == 1
    posts = by_id(tmp_path, "posts", "post_id")
    # six collected tweets plus the embassy tweet known only from includes.tweets
    assert len(posts) == 7 and posts["1394000000000000000"]["author_id"] == "1200000000000000001"
    engagements = by_id(tmp_path, "engagements", "engagement_id")
    assert sorted((e["kind"], e["engager_id"], e["post_id"]) for e in engagements.values()) == [
        ("quote", "1300000000000000002", "1394000000000000000"),
        ("quote", "1300000000000000002", "1395000000000000001"),
        ("reply", "1300000000000000002", "1395000000000000001"),
        ("reply", "1300000000000000003", "1395000000000000001"),
        ("retweet", FAN_ONE, "1394000000000000000"),
        ("retweet", FAN_ONE, "1395000000000000001"),
    ]
    # a reply that also quotes is two engagements; the quote's id is suffixed
    assert engagements["1395000000000000006"]["kind"] == "reply"
    assert engagements["1395000000000000006:quote"]["target_author_id"] == "1200000000000000001"
    assert {e["target_author_id"] for e in engagements.values()} == {LIU, "1200000000000000001"}
    assert result.tables["engagements"].total == 6 and result.tables["accounts"].total == 5


def test_ids_above_2_53_keep_every_digit(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [PAGES])

    accounts = by_id(tmp_path, "accounts", "account_id")
    assert FAN_ONE in accounts and "9007199254740992" not in accounts
    # tweet 6 has a numeric JSON id: json keeps it exact, ingest turns it into the same string
    assert "1395000000000000006" in by_id(tmp_path, "posts", "post_id")
    assert pq.read_schema(tmp_path / "posts.parquet").field("post_id").type == "string"


def test_a_retweet_count_is_never_summed(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [PAGES])

    # the retweet carries the original's public_metrics.retweet_count (500); one retweet was collected
    retweets_of_x = [
        e for e in rows(tmp_path, "engagements") if e["post_id"] == "1394000000000000000" and e["kind"] == "retweet"
    ]
    assert len(retweets_of_x) == 1
    assert "retweet_count" not in pq.read_schema(tmp_path / "posts.parquet").names


def test_users_are_accounts_with_followers_as_of_retrieval(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [PAGES])

    accounts = by_id(tmp_path, "accounts", "account_id")
    fan = accounts[FAN_ONE]
    assert (fan["handle"], fan["role"], fan["status"]) == ("fan_one", "other", "unknown")
    # page 2 (retrieved 2021-05-20) says 12 followers, page 1 (2021-05-19) said 10
    assert fan["followers"] == 12
    assert fan["followers_recorded_at"].isoformat() == "2021-05-20T10:00:00+00:00"
    assert accounts[LIU]["created_at"].isoformat() == "2019-10-07T08:00:00+00:00"
    # account text is kept as it came (escaping is the renderer's job)
    assert fan["description"] == "<b>bio</b>" and "\u202e" in fan["display_name"]


def test_flattened_tweets(tmp_path: Path) -> None:
    result = ingest_twarc2(tmp_path, [FLAT])

    assert (result.read["tweets"], result.read["retweets"], result.read["replies"], result.read["quotes"]) == (
        3,
        1,
        1,
        1,
    )
    engagements = by_id(tmp_path, "engagements", "engagement_id")
    assert engagements["1395000000000000010"]["target_author_id"] == LIU
    assert engagements["1395000000000000011"]["target_author_id"] == "1200000000000000001"
    # the quoted tweet is gone: the engagement stays, its post and author unknown, and both are counted
    assert engagements["1395000000000000012"]["target_author_id"] is None
    assert result.report.counts["engagements_unknown_post_id"] == 1
    assert result.report.counts["engagements_missing_target_author_id"] == 1
    accounts = by_id(tmp_path, "accounts", "account_id")
    assert set(accounts) == {LIU, "1200000000000000001", "1300000000000000004"}
    posts = by_id(tmp_path, "posts", "post_id")
    assert posts["1395000000000000001"]["text"] == "Original post by the ambassador"  # inlined referenced tweet


def test_reingesting_is_idempotent(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [PAGES, FLAT])
    before = {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir())}

    result = ingest_twarc2(tmp_path, [PAGES, FLAT])

    assert {p.name: p.read_bytes() for p in sorted(tmp_path.iterdir())} == before
    assert all(change.added == 0 for change in result.tables.values())


def test_more_files_append_without_duplicating(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [PAGES])
    result = ingest_twarc2(tmp_path, [FLAT])

    assert result.tables["posts"].added == 3  # the ambassador's and the embassy's tweets were known
    assert result.tables["engagements"].added == 3
    assert result.tables["accounts"].added == 1
    ids = [row["post_id"] for row in rows(tmp_path, "posts")]
    assert len(ids) == len(set(ids)) == 10


def test_datapackage_records_provenance(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [PAGES], root=FIXTURES)

    package = json.loads((tmp_path / "datapackage.json").read_text())
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {"accounts", "posts", "engagements", "status_checks"}
    posts = resources["posts"]
    assert posts["rows"] == 7 and posts["illustrative"] is False
    assert posts["sources"] == ["twarc2_pages.jsonl"]
    assert posts["command"] == "sitegen ingest twarc2 twarc2_pages.jsonl"
    assert posts["temporal"] == {"start": "2021-05-15T12:00:00Z", "end": "2021-05-19T09:00:00Z"}
    assert posts["bytes"] == (tmp_path / "posts.parquet").stat().st_size
    assert posts["hash"].startswith("sha256:")
    assert {f["name"] for f in posts["schema"]["fields"]} == {"post_id", "author_id", "created_at", "text"}
    assert resources["status_checks"]["rows"] == 0 and resources["status_checks"]["sources"] == []


@pytest.mark.parametrize("batch_rows", [1, 2])
def test_batches_do_not_change_the_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch_rows: int) -> None:
    from sitegen.ingest import staging

    ingest_twarc2(tmp_path / "one", [PAGES, FLAT])
    monkeypatch.setattr(staging, "BATCH_ROWS", batch_rows)
    ingest_twarc2(tmp_path / "small", [PAGES, FLAT])

    for table in ("accounts", "posts", "engagements"):
        assert (tmp_path / "one" / f"{table}.parquet").read_bytes() == (
            tmp_path / "small" / f"{table}.parquet"
        ).read_bytes()
