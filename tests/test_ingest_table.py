"""`sitegen ingest table`: plain CSV, JSONL and Parquet already shaped like a normalized table."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sitegen.errors import SitegenError
from sitegen.ingest import ingest_table, ingest_twarc2, parse_map

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
BIG_ID = "1395000000000000001"


def by_id(data_dir: Path, table: str, key: str) -> dict[str, dict]:
    return {row[key]: row for row in pq.read_table(data_dir / f"{table}.parquet").to_pylist()}


def test_csv_with_a_column_map(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("id,screen_name,role,notes\n1,alice,diplomat,x\n2,bob,embassy,y\n")

    result = ingest_table(
        tmp_path / "data", [source], "accounts", mapping=parse_map(["id=account_id", "screen_name=handle", "notes="])
    )

    accounts = by_id(tmp_path / "data", "accounts", "account_id")
    assert {k: (v["handle"], v["role"], v["status"]) for k, v in accounts.items()} == {
        "1": ("alice", "diplomat", "unknown"),
        "2": ("bob", "embassy", "unknown"),
    }
    assert result.read == {"rows": 2}


def test_a_partial_table_updates_known_accounts(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [FIXTURES / "twarc2_pages.jsonl"])
    ingest_table(tmp_path, [FIXTURES / "accounts_roles.csv"], "accounts")

    liu = by_id(tmp_path, "accounts", "account_id")["1181219473484902400"]
    # role from the table, everything else kept from twarc2
    assert (liu["role"], liu["display_name"], liu["followers"]) == ("diplomat", "Liu Xiaoming", 119000)


def test_jsonl_posts_with_numeric_ids(tmp_path: Path) -> None:
    source = tmp_path / "posts.jsonl"
    source.write_text(
        f'{{"post_id": {BIG_ID}, "author_id": "7", "created_at": "2021-05-18T19:24:56Z", "text": "hi"}}\n'
        '{"post_id": "2", "author_id": 7, "created_at": "2021-05-18", "text": null}\n'
    )

    ingest_table(tmp_path / "data", [source], "posts")

    posts = by_id(tmp_path / "data", "posts", "post_id")
    assert set(posts) == {BIG_ID, "2"} and posts["2"]["author_id"] == "7"


def test_jsonl_float_id_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "posts.jsonl"
    source.write_text('{"post_id": 1.395e18, "author_id": "7", "created_at": "2021-05-18"}\n')

    with pytest.raises(SitegenError, match=r"posts.jsonl:1, column post_id: an id must be a string \(or an integer\)"):
        ingest_table(tmp_path / "data", [source], "posts")


def test_parquet_engagements(tmp_path: Path) -> None:
    source = tmp_path / "engagements.parquet"
    pq.write_table(
        pa.table(
            {
                "engagement_id": ["e1", "e2"],
                "kind": ["retweet", "reply"],
                "engager_id": [BIG_ID, "5"],
                "post_id": pa.array([10, 11], pa.int64()),  # integer ids are exact; they become strings
                "target_author_id": ["9", "9"],
                "created_at": pa.array([1621365896000000, 1621365900000000], pa.timestamp("us", tz="UTC")),
            }
        ),
        source,
    )

    ingest_table(tmp_path / "data", [source], "engagements")

    rows = by_id(tmp_path / "data", "engagements", "engagement_id")
    assert rows["e1"]["post_id"] == "10" and rows["e1"]["engager_id"] == BIG_ID
    assert rows["e2"]["created_at"].isoformat() == "2021-05-18T19:25:00+00:00"


def test_parquet_with_the_wrong_schema(tmp_path: Path) -> None:
    source = tmp_path / "posts.parquet"
    pq.write_table(pa.table({"id": ["1"], "body": ["x"]}), source)

    with pytest.raises(SitegenError) as caught:
        ingest_table(tmp_path / "data", [source], "posts")
    message = str(caught.value)
    assert f"{source}, column id: unknown column 'id' for posts" in message
    assert f"{source}, column post_id: missing column 'post_id'" in message


def test_parquet_float_ids_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "posts.parquet"
    pq.write_table(pa.table({"post_id": [1.0], "author_id": ["a"], "created_at": ["2021-01-01"]}), source)

    with pytest.raises(SitegenError, match="column post_id: post_id is stored as double: ids must be strings"):
        ingest_table(tmp_path / "data", [source], "posts")


def test_parquet_bad_value_names_the_row(tmp_path: Path) -> None:
    source = tmp_path / "posts.parquet"
    pq.write_table(
        pa.table(
            {
                "post_id": ["1", "2", "3"],
                "author_id": ["a", "a", "a"],
                "created_at": ["2021-01-01", "2021-01-02", "soon"],
            }
        ),
        source,
    )

    with pytest.raises(
        SitegenError, match=r"posts.parquet, row 3, column created_at: not a date-time \(value: 'soon'\)"
    ):
        ingest_table(tmp_path / "data", [source], "posts")


def test_only_three_tables_and_a_well_formed_map(tmp_path: Path) -> None:
    with pytest.raises(SitegenError, match="--as must be one of accounts, posts, engagements"):
        ingest_table(tmp_path, [FIXTURES / "accounts_roles.csv"], "status_checks")
    with pytest.raises(SitegenError, match="--map takes COLUMN=FIELD"):
        parse_map(["handle"])


def test_illustrative_tables_are_not_mixed_with_real_data(tmp_path: Path) -> None:
    ingest_table(tmp_path, [FIXTURES / "accounts_roles.csv"], "accounts")
    package = json.loads((tmp_path / "datapackage.json").read_text())
    for resource in package["resources"]:
        resource["illustrative"] = True
    (tmp_path / "datapackage.json").write_text(json.dumps(package))

    with pytest.raises(SitegenError, match="holds illustrative data"):
        ingest_table(tmp_path, [FIXTURES / "accounts_roles.csv"], "accounts")
