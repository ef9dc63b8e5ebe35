"""`sitegen ingest lookup`: account-status checks from twarc2 user lookups or a CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sitegen.errors import SitegenError
from sitegen.ingest import ingest_lookup, ingest_table, ingest_twarc2
from sitegen.ingest.lookup import lookup_status

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
LOOKUP = FIXTURES / "lookup_users.jsonl"
LOOKUP_CSV = FIXTURES / "lookup.csv"
FAN_ONE, FAN_TWO, FAN_THREE = "9007199254740993", "1300000000000000002", "1300000000000000003"
UNKNOWN = "1300000000000000099"
MARCH = datetime(2021, 3, 1, 12, tzinfo=UTC)
MAY = datetime(2021, 5, 5, tzinfo=UTC)


def table(data_dir: Path, name: str) -> list[dict]:
    return pq.read_table(data_dir / f"{name}.parquet").to_pylist()


def accounts(data_dir: Path) -> dict[str, dict]:
    return {row["account_id"]: row for row in table(data_dir, "accounts")}


def test_suspended_and_deleted_are_told_apart_by_title_and_detail() -> None:
    kind = "https://api.twitter.com/2/problems/resource-not-found"
    suspended = {"title": "Forbidden", "detail": "User has been suspended: [12].", "type": kind, "value": "12"}
    deleted = {"title": "Not Found Error", "detail": "Could not find user with ids: [13].", "type": kind}
    assert lookup_status(suspended) == ("suspended", "12")
    assert lookup_status(deleted) == ("deleted", "13")  # the id from the detail when no value is given
    assert lookup_status({"title": "Too Many Requests", "type": kind}) == (None, None)
    tweet_gone = {"title": "Not Found Error", "detail": "Could not find tweet with ids: [1].", "resource_type": "tweet"}
    assert lookup_status(tweet_gone) == (None, None)


def test_lookup_page_gives_active_suspended_and_deleted(tmp_path: Path) -> None:
    result = ingest_lookup(tmp_path, [LOOKUP])

    assert (result.read["active"], result.read["suspended"], result.read["deleted"]) == (1, 2, 1)
    assert result.read["unrecognised_errors"] == 1  # counted, not crashed on
    checks = {(c["account_id"], c["status"], c["checked_at"]) for c in table(tmp_path, "status_checks")}
    assert checks == {
        (FAN_ONE, "active", MARCH),
        (FAN_TWO, "suspended", MARCH),
        (FAN_THREE, "deleted", MARCH),
        (UNKNOWN, "suspended", MARCH),
    }
    known = accounts(tmp_path)
    assert known[UNKNOWN]["role"] == "other" and known[UNKNOWN]["status"] == "suspended"
    assert known[FAN_ONE]["handle"] == "fan_one" and known[FAN_ONE]["followers"] == 15


def test_checks_at_several_dates_are_kept_and_the_latest_wins(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [FIXTURES / "twarc2_pages.jsonl"])
    ingest_lookup(tmp_path, [LOOKUP])
    ingest_lookup(tmp_path, [LOOKUP_CSV])

    history = sorted(
        (c["checked_at"], c["status"]) for c in table(tmp_path, "status_checks") if c["account_id"] == FAN_ONE
    )
    assert history == [(MARCH, "active"), (MAY, "suspended")]
    known = accounts(tmp_path)
    assert (known[FAN_ONE]["status"], known[FAN_ONE]["status_checked_at"]) == ("suspended", MAY)
    assert (known[FAN_TWO]["status"], known[FAN_TWO]["status_checked_at"]) == ("suspended", MARCH)
    assert known[FAN_THREE]["status"] == "deleted"


def test_an_older_check_ingested_later_does_not_win(tmp_path: Path) -> None:
    ingest_lookup(tmp_path, [LOOKUP_CSV])  # 2021-05-05
    ingest_lookup(tmp_path, [LOOKUP])  # 2021-03-01

    assert accounts(tmp_path)[FAN_ONE]["status"] == "suspended"


def test_checked_at_option_wins_over_retrieved_at(tmp_path: Path) -> None:
    ingest_lookup(tmp_path, [LOOKUP], checked_at="2021-05-05")

    assert {c["checked_at"] for c in table(tmp_path, "status_checks")} == {MAY}


def test_csv_without_dates_needs_checked_at(tmp_path: Path) -> None:
    source = tmp_path / "statuses.csv"
    source.write_text("account_id,status\n1,suspended\n2,deleted\n")

    with pytest.raises(SitegenError) as caught:
        ingest_lookup(tmp_path / "data", [source])
    assert f"{source}:2, column checked_at: no check date" in str(caught.value)
    assert not (tmp_path / "data" / "status_checks.parquet").exists()

    result = ingest_lookup(tmp_path / "data", [source], checked_at="2021-03-01")
    assert (result.read["suspended"], result.read["deleted"]) == (1, 1)


def test_a_bad_status_is_located(tmp_path: Path) -> None:
    source = tmp_path / "statuses.csv"
    source.write_text("account_id,status,checked_at\n1,suspended,2021-03-01\n2,banned,2021-03-01\n")

    with pytest.raises(
        SitegenError,
        match=r"statuses.csv:3, column status: not one of active, suspended, deleted, unknown \(value: 'banned'\)",
    ):
        ingest_lookup(tmp_path / "data", [source])


def test_a_bad_checked_at_option_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SitegenError, match="--checked-at is not a date"):
        ingest_lookup(tmp_path, [LOOKUP], checked_at="March")


def test_a_known_role_is_kept(tmp_path: Path) -> None:
    ingest_table(tmp_path, [FIXTURES / "accounts_roles.csv"], "accounts")
    ingest_lookup(tmp_path, [LOOKUP_CSV])

    liu = accounts(tmp_path)["1181219473484902400"]
    assert (liu["role"], liu["handle"], liu["status"]) == ("diplomat", "AmbLiuXiaoMing", "active")


def test_a_lookup_rewrites_only_the_tables_it_changes(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [FIXTURES / "twarc2_pages.jsonl"])
    inodes = {name: (tmp_path / f"{name}.parquet").stat().st_ino for name in ("posts", "engagements", "accounts")}

    result = ingest_lookup(tmp_path, [LOOKUP])

    assert (tmp_path / "posts.parquet").stat().st_ino == inodes["posts"]
    assert (tmp_path / "engagements.parquet").stat().st_ino == inodes["engagements"]
    assert (tmp_path / "accounts.parquet").stat().st_ino != inodes["accounts"]  # statuses changed
    assert result.tables["posts"].total == 7 and result.tables["posts"].added == 0
    assert result.report.counts["engagements_unknown_post_id"] == 0  # references still checked
