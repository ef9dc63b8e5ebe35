"""validate_tables: what the build runs on the four Parquet tables of a data dir."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sitegen.errors import ErrorList
from sitegen.ingest import ingest_io_archive, ingest_twarc2
from sitegen.validate import validate_tables

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
NAMES = ("accounts", "posts", "engagements", "status_checks")


def tables(data_dir: Path) -> dict[str, Path]:
    return {name: data_dir / f"{name}.parquet" for name in NAMES}


def test_ingested_tables_validate_with_counts(tmp_path: Path) -> None:
    ingest_twarc2(tmp_path, [FIXTURES / "twarc2_pages.jsonl", FIXTURES / "twarc2_flat.jsonl"])
    ingest_io_archive(tmp_path, [FIXTURES / "io_tweets.csv"])

    report = validate_tables(tables(tmp_path))

    assert report.ok and report.errors == []
    assert report.counts["posts"] == 17 and report.counts["engagements"] == 14
    assert report.counts["engagements_unknown_post_id"] == 2
    assert report.counts["engagements_unknown_engager_id"] == 0
    assert "2 engagements have a post_id not in posts (2 distinct)" in report.warnings


def write(path: Path, columns: dict[str, pa.Array | list]) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


def test_every_kind_of_error_is_located(tmp_path: Path) -> None:
    accounts = write(
        tmp_path / "accounts.parquet",
        {
            "account_id": ["1", "2", "2", None],
            "handle": ["a", "b", "c", "d"],
            "role": ["diplomat", "spy", "other", "other"],
            "status": ["active", "active", "active", "gone"],
            "created_at": ["2020-01-01", "2020-13-01", None, "2020-01-02"],
            "followers": ["10", "1.5", None, "many"],
        },
    )
    engagements = write(
        tmp_path / "engagements.parquet",
        {
            "engagement_id": ["e1", "e2"],
            "kind": ["retweet", "like"],
            "engager_id": ["1", "404"],
            "post_id": ["p1", "p2"],
            "target_author_id": ["2", None],
            "created_at": pa.array([0, None], pa.timestamp("us", tz="UTC")),
        },
    )

    report = validate_tables({"accounts": accounts, "engagements": engagements}, root=tmp_path)

    located = sorted(e.located() for e in report.errors)
    assert located == sorted(
        [
            "accounts.parquet, row 2, column role: not one of diplomat, embassy, state_media, amplifier, other"
            " (value: 'spy')",
            "accounts.parquet, row 2, column created_at: not a date-time (value: '2020-13-01')",
            "accounts.parquet, row 2, column followers: not an integer (value: '1.5')",
            "accounts.parquet, row 3, column account_id: duplicate account_id, first at row 2 (value: '2')",
            "accounts.parquet, row 4, column account_id: missing required value",
            "accounts.parquet, row 4, column status: not one of active, suspended, deleted, unknown (value: 'gone')",
            "accounts.parquet, row 4, column followers: not an integer (value: 'many')",
            "engagements.parquet, row 2, column kind: not one of retweet, reply, quote (value: 'like')",
            "engagements.parquet, row 2, column created_at: missing required value",
        ]
    )
    assert report.total_errors == 9
    assert report.counts["engagements_unknown_engager_id"] == 1
    assert report.counts["engagements_missing_target_author_id"] == 1
    with pytest.raises(ErrorList):
        report.raise_for_errors()


def test_float_ids_and_missing_columns_are_column_errors(tmp_path: Path) -> None:
    posts = write(tmp_path / "posts.parquet", {"post_id": [1.0], "created_at": ["2021-01-01"]})

    report = validate_tables({"posts": posts}, root=tmp_path)

    assert sorted(e.located() for e in report.errors) == [
        "posts.parquet, column author_id: missing required column 'author_id'",
        "posts.parquet, column post_id: column 'post_id' is stored as DOUBLE, expected string"
        " (a float loses the digits of ids above 2^53)",
    ]


def test_unreadable_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "posts.parquet"
    broken.write_bytes(b"PAR1 not really")

    report = validate_tables({"posts": broken}, root=tmp_path)

    assert report.total_errors == 1 and report.errors[0].located().startswith("posts.parquet: cannot read this file")


def test_report_as_data(tmp_path: Path) -> None:
    posts = write(tmp_path / "posts.parquet", {"post_id": ["1"], "author_id": ["a"], "created_at": ["whenever"]})

    data = validate_tables({"posts": posts}, root=tmp_path).as_dict()

    assert data["ok"] is False and data["total_errors"] == 1
    assert data["errors"][0] == {
        "path": "posts.parquet",
        "line": None,
        "row": 1,
        "column": "created_at",
        "message": "not a date-time",
        "value": "'whenever'",
        "located": "posts.parquet, row 1, column created_at: not a date-time (value: 'whenever')",
    }
    assert data["counts"] == {"posts": 1}


def test_values_are_escaped_and_truncated(tmp_path: Path) -> None:
    evil = "<script>" + "\u202e" * 200
    accounts = write(
        tmp_path / "accounts.parquet", {"account_id": ["1"], "handle": ["h"], "role": [evil], "status": ["active"]}
    )

    error = validate_tables({"accounts": accounts}, root=tmp_path).errors[0]

    shown = error.located().split("(value: ", 1)[1]
    assert shown.startswith("'<script>\\u202e") and len(shown) <= 82


def test_a_clean_report_is_cached_by_file_digest(tmp_path: Path) -> None:
    data_dir, cache = tmp_path / "data", tmp_path / "cache"
    ingest_twarc2(data_dir, [FIXTURES / "twarc2_flat.jsonl"])
    digests = {name: "a" * 64 for name in NAMES}

    first = validate_tables(tables(data_dir), digests=digests, cache_dir=cache)
    (data_dir / "posts.parquet").write_bytes(b"not parquet any more")
    again = validate_tables(tables(data_dir), digests=digests, cache_dir=cache)
    changed = validate_tables(tables(data_dir), digests={**digests, "posts": "b" * 64}, cache_dir=cache)

    assert first.ok and again.as_dict() == first.as_dict()  # the files were not read again
    assert first.counts["engagements_unknown_post_id"] == 1
    assert not changed.ok and "cannot read this file" in changed.errors[0].message
