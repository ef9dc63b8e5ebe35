"""The illustrative generator: schema, integrity, determinism, and every calibration target at scale 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sitegen import schema
from sitegen.errors import SitegenError
from sitegen.illustrative import GENERATOR_VERSION, generate, write_illustrative

TABLE_NAMES = ("accounts", "posts", "engagements", "status_checks")
ARROW_TYPES = {"string": pa.string(), "datetime": pa.timestamp("us"), "integer": pa.int64()}

# Views the calibration queries share (created in the `db` fixture).
VIEWS = """
CREATE VIEW liu AS SELECT account_id FROM accounts WHERE handle = 'AmbLiuXiaoMing';
CREATE VIEW uk AS SELECT account_id FROM accounts WHERE handle IN ('AmbLiuXiaoMing', 'ChineseEmbinUK');
CREATE VIEW diplomatic AS SELECT account_id FROM accounts WHERE role IN ('diplomat', 'embassy');
CREATE VIEW network AS SELECT account_id FROM accounts WHERE network = 'uk-personas';
CREATE VIEW retweets AS SELECT * FROM engagements WHERE kind = 'retweet';
CREATE VIEW checks AS
    SELECT account_id AS engager_id, strftime(checked_at, '%Y-%m-%d') AS day, status FROM status_checks;
"""


def suspended_share(target: str, start: str, end: str, day: str) -> str:
    """SQL: share of retweets of target in [start, end) by accounts suspended at the check on day."""
    return f"""
        SELECT count(*) FILTER (WHERE c.status = 'suspended') / count(*) FILTER (WHERE c.status <> 'unknown')
        FROM retweets r JOIN checks c ON c.engager_id = r.engager_id AND c.day = '{day}'
        WHERE r.target_author_id IN (SELECT account_id FROM {target})
          AND r.created_at >= '{start}' AND r.created_at < '{end}'
    """


# name: (SQL giving one number, inclusive lower bound, inclusive upper bound). Windows are [start, end).
TARGETS: dict[str, tuple[str, float, float]] = {
    "diplomatic accounts": ("SELECT count(*) FROM diplomatic", 189, 189),
    "state media accounts": ("SELECT count(*) FROM accounts WHERE role = 'state_media'", 8, 12),
    "labelled share of diplomatic accounts": (
        """SELECT avg(coalesce(label = 'China government official', false)::INT)
           FROM accounts WHERE role IN ('diplomat', 'embassy')""",
        26 / 189,
        26 / 189,
    ),
    "diplomatic posts 2020-06-09..2021-02-23": (
        """SELECT count(*) FROM posts WHERE author_id IN (SELECT account_id FROM diplomatic)
           AND created_at >= '2020-06-09' AND created_at < '2021-02-24'""",
        201_382,
        201_382,
    ),
    "UK posts 2020-06-09..2021-01-31": (
        """SELECT count(*) FROM posts WHERE author_id IN (SELECT account_id FROM uk)
           AND created_at >= '2020-06-09' AND created_at < '2021-02-01'""",
        3_070,
        3_070,
    ),
    "UK retweets 2020-06-09..2021-01-31": (
        """SELECT count(*) FROM retweets WHERE target_author_id IN (SELECT account_id FROM uk)
           AND created_at >= '2020-06-09' AND created_at < '2021-02-01'""",
        45_332,
        45_332,
    ),
    "UK replies 2020-06-09..2021-01-31": (
        """SELECT count(*) FROM engagements WHERE kind = 'reply' AND target_author_id IN (SELECT account_id FROM uk)
           AND created_at >= '2020-06-09' AND created_at < '2021-02-01'""",
        52_733,
        52_733,
    ),
    "UK retweets of posts made 2020-06-09..2021-01-31": (
        """SELECT count(*) FROM retweets r JOIN posts p USING (post_id)
           WHERE r.target_author_id IN (SELECT account_id FROM uk)
           AND p.created_at >= '2020-06-09' AND p.created_at < '2021-02-01'""",
        45_332,
        45_332,
    ),
    "Liu retweets 2020-06-01..2021-02-28": (
        """SELECT count(*) FROM retweets WHERE target_author_id IN (SELECT account_id FROM liu)
           AND created_at >= '2020-06-01' AND created_at < '2021-03-01'""",
        43_001,
        45_332,
    ),
    "diplomatic retweets 2020-06-09..2021-02-23": (
        """SELECT count(*) FROM retweets WHERE target_author_id IN (SELECT account_id FROM diplomatic)
           AND created_at >= '2020-06-09' AND created_at < '2021-02-24'""",
        1_250_000,
        1_350_000,
    ),
    "Liu retweets by accounts suspended at 2021-05-05, Jun-Jan": (
        suspended_share("liu", "2020-06-01", "2021-02-01", "2021-05-05"),
        0.52,
        0.55,
    ),
    "diplomatic retweets by accounts suspended at 2021-03-01, Jun-Jan": (
        suspended_share("diplomatic", "2020-06-01", "2021-02-01", "2021-03-01"),
        0.11,
        0.13,
    ),
    "diplomatic retweets by accounts of unknown status at 2021-03-01": (
        """SELECT avg((c.status = 'unknown')::INT) FROM retweets r
           JOIN checks c ON c.engager_id = r.engager_id AND c.day = '2021-03-01'""",
        0.01,
        0.02,
    ),
    "retweeters of diplomatic accounts": (
        "SELECT count(DISTINCT engager_id) FROM retweets WHERE target_author_id IN (SELECT account_id FROM diplomatic)",
        90_000,
        110_000,
    ),
    "share of diplomatic retweets from the top 1% of retweeters": (
        """WITH per AS (SELECT engager_id, count(*) AS n FROM retweets
                        WHERE target_author_id IN (SELECT account_id FROM diplomatic) GROUP BY engager_id),
           ranked AS (SELECT n, row_number() OVER (ORDER BY n DESC) AS r, count(*) OVER () AS total FROM per)
           SELECT sum(n) FILTER (WHERE r <= ceil(total / 100)) / sum(n) FROM ranked""",
        0.45,
        0.49,
    ),
    "network accounts": ("SELECT count(*) FROM accounts WHERE network = 'uk-personas' AND country = 'GB'", 62, 62),
    "network suspended at 2021-03-01": (
        """SELECT count(*) FROM network JOIN checks c ON c.engager_id = account_id AND c.day = '2021-03-01'
           WHERE status = 'suspended'""",
        31,
        31,
    ),
    "network deleted at 2021-03-01": (
        """SELECT count(*) FROM network JOIN checks c ON c.engager_id = account_id AND c.day = '2021-03-01'
           WHERE status = 'deleted'""",
        2,
        2,
    ),
    "network active at 2021-03-01, suspended at 2021-05-05": (
        """SELECT count(*) FROM network
           JOIN checks a ON a.engager_id = account_id AND a.day = '2021-03-01' AND a.status = 'active'
           JOIN checks b ON b.engager_id = account_id AND b.day = '2021-05-05' AND b.status = 'suspended'""",
        29,
        29,
    ),
    "network accounts created on the five burst days": (
        """SELECT count(*) FROM accounts WHERE network = 'uk-personas' AND strftime(created_at, '%Y-%m-%d')
           IN ('2020-04-21', '2020-04-23', '2020-08-04', '2020-08-11', '2020-08-26')""",
        20,
        21,
    ),
    "network accounts created in 2019-2020": (
        "SELECT count(*) FROM accounts WHERE network = 'uk-personas' AND year(created_at) IN (2019, 2020)",
        62,
        62,
    ),
    "retweets by the 29 remaining network accounts": (
        """SELECT count(*) FROM retweets JOIN checks c USING (engager_id)
           WHERE engager_id IN (SELECT account_id FROM network) AND c.day = '2021-03-01' AND c.status = 'active'""",
        10_001,
        11_000,
    ),
    "replies by the 29 remaining network accounts": (
        """SELECT count(*) FROM engagements e JOIN checks c USING (engager_id)
           WHERE kind = 'reply' AND engager_id IN (SELECT account_id FROM network)
           AND c.day = '2021-03-01' AND c.status = 'active'""",
        5_500,
        5_999,
    ),
    "network share of Liu's retweets 2020-06-09..2021-01-31": (
        """SELECT avg((engager_id IN (SELECT account_id FROM network))::INT) FROM retweets
           WHERE target_author_id IN (SELECT account_id FROM liu)
           AND created_at >= '2020-06-09' AND created_at < '2021-02-01'""",
        0.42,
        0.46,
    ),
    "share of weeks where the network made >= 30% of UK retweets": (
        """WITH weekly AS (
               SELECT date_trunc('week', created_at) AS week,
                      avg((engager_id IN (SELECT account_id FROM network))::INT) AS share
               FROM retweets WHERE target_author_id IN (SELECT account_id FROM uk)
               AND created_at >= '2020-06-09' AND created_at < '2021-02-01' GROUP BY week)
           SELECT avg((share >= 0.30)::INT) FROM weekly""",
        0.75,
        1.0,
    ),
    "network retweets within 60 s of another network account's retweet of the post": (
        """WITH n AS (SELECT post_id, created_at FROM retweets WHERE engager_id IN (SELECT account_id FROM network)),
           gaps AS (SELECT created_at - lag(created_at) OVER w AS before, lead(created_at) OVER w - created_at AS after
                    FROM n WINDOW w AS (PARTITION BY post_id ORDER BY created_at))
           SELECT avg((coalesce(before <= INTERVAL 60 SECOND, false)
                       OR coalesce(after <= INTERVAL 60 SECOND, false))::INT)
           FROM gaps""",
        0.5,
        1.0,
    ),
    "network engagements in UK morning (7-10) and evening (18-23) hours": (
        """SELECT avg((hour(timezone('Europe/London', timezone('UTC', created_at)))
                       IN (7, 8, 9, 18, 19, 20, 21, 22))::INT)
           FROM engagements WHERE engager_id IN (SELECT account_id FROM network)""",
        0.75,
        1.0,
    ),
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scale-1 dataset, written once."""
    path = tmp_path_factory.mktemp("illustrative")
    write_illustrative(path)
    return path


@pytest.fixture(scope="module")
def db(data_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB over the scale-1 Parquet files, with the shared views."""
    con = duckdb.connect()
    for name in TABLE_NAMES:
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{data_dir / name}.parquet')")
    con.execute(VIEWS)
    yield con
    con.close()


def value(db: duckdb.DuckDBPyConnection, sql: str) -> float:
    """The single number a query returns."""
    row = db.execute(sql).fetchone()
    assert row is not None and row[0] is not None
    return float(row[0])


@pytest.mark.parametrize("name", list(TARGETS))
def test_calibration_target(db: duckdb.DuckDBPyConnection, name: str) -> None:
    sql, low, high = TARGETS[name]
    assert low - 1e-9 <= value(db, sql) <= high + 1e-9, name


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_columns_and_types(data_dir: Path, name: str) -> None:
    arrow_schema = pq.read_schema(data_dir / f"{name}.parquet")
    table = schema.TABLES[name]
    assert arrow_schema.names == table.field_names
    for field in table.fields:
        assert arrow_schema.field(field.name).type == ARROW_TYPES[field.type], field.name


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_primary_keys_are_unique_and_sorted(data_dir: Path, name: str) -> None:
    key = list(schema.TABLES[name].primary_key)
    table = pq.read_table(data_dir / f"{name}.parquet", columns=key)
    assert table.group_by(key).aggregate([]).num_rows == table.num_rows
    assert table.sort_by([(k, "ascending") for k in key]).equals(table)


def test_required_columns_and_enums(db: duckdb.DuckDBPyConnection) -> None:
    for name, table in schema.TABLES.items():
        for field in table.fields:
            if field.required:
                assert value(db, f"SELECT count(*) FROM {name} WHERE {field.name} IS NULL") == 0, field.name
            if field.enum:
                allowed = ", ".join(f"'{v}'" for v in field.enum)
                assert value(db, f"SELECT count(*) FROM {name} WHERE {field.name} NOT IN ({allowed})") == 0


def test_foreign_keys_resolve(db: duckdb.DuckDBPyConnection) -> None:
    for name, table in schema.TABLES.items():
        for column, target, target_column in table.foreign_keys:
            missing = f"SELECT count(*) FROM {name} WHERE {column} NOT IN (SELECT {target_column} FROM {target})"
            assert value(db, missing) == 0, (name, column)


def test_engagement_targets_and_times_are_consistent(db: duckdb.DuckDBPyConnection) -> None:
    joined = "FROM engagements e JOIN posts p USING (post_id) JOIN accounts a ON a.account_id = e.engager_id"
    assert value(db, f"SELECT count(*) {joined} WHERE e.target_author_id <> p.author_id") == 0
    assert value(db, f"SELECT count(*) {joined} WHERE e.created_at <= p.created_at") == 0
    assert value(db, f"SELECT count(*) {joined} WHERE e.created_at <= a.created_at") == 0
    assert value(db, f"SELECT median(epoch(e.created_at - p.created_at)) {joined}") < 3 * 3600
    assert value(db, "SELECT count(*) FROM posts WHERE author_id NOT IN (SELECT account_id FROM diplomatic)") == 0


def test_nobody_retweets_a_post_twice(db: duckdb.DuckDBPyConnection) -> None:
    assert value(db, "SELECT count(*) - count(DISTINCT (engager_id, post_id)) FROM retweets") == 0


def test_ids_are_exact_decimal_strings(db: duckdb.DuckDBPyConnection) -> None:
    for table, column in (("accounts", "account_id"), ("posts", "post_id"), ("engagements", "engagement_id")):
        assert value(db, f"SELECT count(*) FROM {table} WHERE NOT regexp_full_match({column}, '[1-9][0-9]*')") == 0
        # above 2^53 a float or a JavaScript number would change the digits; the strings keep them
        round_trip = f"CAST(CAST({column} AS UBIGINT) AS VARCHAR) = {column}"
        big = value(
            db, f"SELECT count(*) FROM {table} WHERE CAST({column} AS UBIGINT) > 9007199254740992 AND {round_trip}"
        )
        assert big > 0.5 * value(db, f"SELECT count(*) FROM {table}"), table
    liu = db.execute("SELECT account_id FROM liu").fetchone()
    assert liu is not None and int(liu[0]) > 2**53 and str(int(liu[0])) == liu[0]


def test_snowflakes_encode_creation_time(db: duckdb.DuckDBPyConnection) -> None:
    for table, column in (("posts", "post_id"), ("engagements", "engagement_id")):
        decoded = f"(CAST({column} AS UBIGINT) >> 22) + 1288834974657"
        assert value(db, f"SELECT count(*) FROM {table} WHERE {decoded} <> epoch_ms(created_at)") == 0, table


def test_real_handles_are_only_liu_and_the_embassy(db: duckdb.DuckDBPyConnection) -> None:
    synthetic = "regexp_full_match(handle, '(diplomat|embassy|state_media|uk_persona|amplifier)_[0-9]+')"
    rows = db.execute(f"SELECT handle, role, country FROM accounts WHERE NOT {synthetic} ORDER BY handle").fetchall()
    assert rows == [("AmbLiuXiaoMing", "diplomat", "GB"), ("ChineseEmbinUK", "embassy", "GB")]
    assert value(db, "SELECT count(*) FROM accounts WHERE description NOT ILIKE '%illustrative%'") == 0
    assert value(db, "SELECT count(*) FROM posts WHERE text NOT LIKE 'Illustrative post %'") == 0


def test_liu_account(db: duckdb.DuckDBPyConnection) -> None:
    row = db.execute(
        """SELECT display_name, strftime(created_at, '%Y-%m'), followers, strftime(followers_recorded_at, '%Y-%m-%d')
           FROM accounts WHERE handle = 'AmbLiuXiaoMing'"""
    ).fetchone()
    assert row is not None
    name, joined, followers, recorded = row
    assert (name, joined, recorded) == ("Liu Xiaoming", "2019-10", "2021-05-11")
    assert 119_000 < followers < 120_000


def test_status_checks_and_latest_status(db: duckdb.DuckDBPyConnection) -> None:
    days = db.execute(
        "SELECT DISTINCT strftime(checked_at, '%Y-%m-%d %H:%M:%S') FROM status_checks ORDER BY 1"
    ).fetchall()
    assert days == [("2021-03-01 00:00:00",), ("2021-05-05 00:00:00",)]
    assert value(db, "SELECT count(*) FROM status_checks") == 2 * value(db, "SELECT count(*) FROM accounts")
    latest = """SELECT count(*) FROM accounts a JOIN checks c ON c.engager_id = a.account_id AND c.day = '2021-05-05'
                WHERE a.status <> c.status OR a.status_checked_at <> TIMESTAMP '2021-05-05'"""
    assert value(db, latest) == 0
    official = """SELECT count(*) FROM status_checks JOIN accounts USING (account_id)
                  WHERE role IN ('diplomat', 'embassy', 'state_media') AND status_checks.status <> 'active'"""
    assert value(db, official) == 0


def test_datapackage_describes_the_files(data_dir: Path) -> None:
    package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert package["generator"] == {
        "name": "illustrative",
        "seed": 20210511,
        "scale": 1.0,
        "version": GENERATOR_VERSION,
    }
    resources = {r["name"]: r for r in package["resources"]}
    assert sorted(resources) == sorted(TABLE_NAMES)
    for name, resource in resources.items():
        assert resource["path"] == f"{name}.parquet"
        assert resource["illustrative"] is True
        assert resource["command"] == "sitegen generate --seed 20210511 --scale 1"
        assert resource["rows"] == pq.read_metadata(data_dir / f"{name}.parquet").num_rows
    assert resources["posts"]["temporal"] == {"start": "2020-06-09", "end": "2021-02-23"}
    assert resources["status_checks"]["temporal"] == {"start": "2021-03-01", "end": "2021-05-05"}


def test_same_seed_and_scale_give_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_illustrative(first, seed=7, scale=0.05)
    write_illustrative(second, seed=7, scale=0.05)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted([f"{n}.parquet" for n in TABLE_NAMES] + ["datapackage.json"])
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_existing_resources_are_kept(tmp_path: Path) -> None:
    other = {"name": "notes", "path": "notes.csv", "format": "csv"}
    stale = {"name": "posts", "path": "old.csv"}
    (tmp_path / "datapackage.json").write_text(
        json.dumps({"title": "t", "resources": [other, stale]}), encoding="utf-8"
    )
    write_illustrative(tmp_path, scale=0.02)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["title"] == "t"
    assert package["generator"]["scale"] == 0.02
    assert sorted(r["name"] for r in package["resources"]) == sorted([*TABLE_NAMES, "notes"])
    assert other in package["resources"]
    assert all(r["path"] != "old.csv" for r in package["resources"])


def test_scale_sets_the_volume(data_dir: Path) -> None:
    full = pq.read_metadata(data_dir / "engagements.parquet").num_rows
    tenth = generate(scale=0.1)
    assert tenth["engagements"].num_rows == pytest.approx(full / 10, rel=0.01)
    assert tenth["posts"].num_rows == round(201_382 / 10)


def test_another_seed_keeps_the_exact_counts() -> None:
    con = duckdb.connect()
    for name, table in generate(seed=1, scale=0.1).items():
        con.register(name, table)
    con.execute(VIEWS)
    per_account = round(42_350 / 10) + round(2_982 / 10)  # Liu's and the embassy's retweets, scaled apart
    assert value(con, TARGETS["UK retweets 2020-06-09..2021-01-31"][0]) == per_account
    assert value(con, TARGETS["network accounts"][0]) == 62
    assert value(con, TARGETS["network active at 2021-03-01, suspended at 2021-05-05"][0]) == 29
    assert value(con, TARGETS["retweets by the 29 remaining network accounts"][0]) == round(10_400 / 10)
    assert 0.42 <= value(con, TARGETS["network share of Liu's retweets 2020-06-09..2021-01-31"][0]) <= 0.46


def test_bad_parameters_are_clean_errors() -> None:
    with pytest.raises(SitegenError, match="scale must be between"):
        generate(scale=0)
    with pytest.raises(SitegenError, match="seed must be"):
        generate(seed=-1)
