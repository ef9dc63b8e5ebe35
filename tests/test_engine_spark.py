"""The pyspark engine: every statistic on a local Spark session equals DuckDB's, and the built site is the same.

One Spark session serves the whole module (starting one costs seconds), and the default project is built
once per engine, its statistics then compared from each build's cache. Skipped only where Java is absent.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from sitegen.cli import app
from sitegen.config import EngineSettings, load_config
from sitegen.content import read_content
from sitegen.data import load_data
from sitegen.stats import StatResult, compute_stats

from .conftest import TINY, tree

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("duckdb", "pyspark")

if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
    pytest.skip("Java not found: the pyspark engine needs Java 17 (bash .ci/run installs it)", allow_module_level=True)
pytest.importorskip("pyspark", reason="PySpark not installed: pip install -e '.[test]' (bash .ci/run does)")


@pytest.fixture(scope="module", autouse=True)
def spark() -> Iterator[Any]:
    """The local Spark session every pyspark Engine in this module reuses."""
    from sitegen.spark import spark_session

    yield spark_session(EngineSettings())


def statistics(project: Path, engine: str, cache: Path | None = None) -> dict[str, StatResult]:
    """Every statistic of a project computed on `engine` (read back from `cache` when given)."""
    config = load_config(project, {"build.engine": engine})
    data = load_data(config)
    assert data.engine.name == engine
    return compute_stats(read_content(config.project_dir).declarations["stats"], data, cache_dir=cache)


def build(project: Path, out: Path, engine: str) -> dict[str, bytes]:
    """`sitegen build --engine ENGINE` of a project into `out`: every file written."""
    done = CliRunner().invoke(app, ["build", "-p", str(project), "--out", str(out), "--engine", engine, "--quiet"])
    assert done.exit_code == 0, done.output
    return tree(out)


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, bytes]]]:
    """A copy of the default project (with a cache of its own) built on both engines: the project, the sites."""
    project = tmp_path_factory.mktemp("default")
    for name in ("content", "templates", "data"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns(".ingest-*"))
    shutil.copy(ROOT / "sitegen.toml", project / "sitegen.toml")
    sites = {engine: build(project, tmp_path_factory.mktemp(f"site-{engine}"), engine) for engine in ENGINES}
    return project, sites


def assert_same(duckdb: dict[str, StatResult], spark: dict[str, StatResult]) -> None:
    """Counts equal, shares and other floats equal to 1e-12, words and tables the same."""
    assert list(spark) == list(duckdb)
    for stat_id, expected in duckdb.items():
        got = spark[stat_id]
        for name in ("value", "numerator", "denominator"):
            a, b = getattr(expected, name), getattr(got, name)
            if isinstance(a, float):
                assert isinstance(b, float) and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (stat_id, name, a, b)
            else:
                assert a == b and type(a) is type(b), (stat_id, name, a, b)
        for name in ("definition", "notes", "filters", "window", "as_of", "inputs", "illustrative"):
            assert getattr(got, name) == getattr(expected, name), (stat_id, name)
        if expected.frame is None:
            assert got.frame is None, stat_id
        else:
            assert got.frame is not None, stat_id
            pd.testing.assert_frame_equal(got.frame, expected.frame, check_exact=False, rtol=1e-12, atol=1e-12)


def test_tiny_project_statistics_equal_duckdb() -> None:
    assert_same(statistics(TINY, "duckdb"), statistics(TINY, "pyspark"))


def test_default_project_statistics_equal_duckdb_for_every_kind(default_project: Any) -> None:
    project, _ = default_project
    # The builds computed every statistic on each engine into the project's cache (keyed by engine); read back.
    cache = project / ".sitegen" / "cache" / "stats"
    duckdb, spark = (statistics(project, engine, cache) for engine in ENGINES)
    kinds = {r.kind for r in duckdb.values()}
    assert {"co_engagement", "time_to_engagement", "hourly_activity", "weekly_by_class", "per_target"} <= kinds
    assert_same(duckdb, spark)


def test_default_site_built_with_pyspark_is_byte_identical(default_project: Any) -> None:
    _, sites = default_project
    assert sites["pyspark"] == sites["duckdb"]
    assert any(name.endswith(".svg") for name in sites["duckdb"]) and len(sites["duckdb"]) > 100


def test_tiny_site_built_with_pyspark_is_byte_identical(tiny: Path, tmp_path: Path) -> None:
    sites = {engine: build(tiny, tmp_path / f"site-{engine}", engine) for engine in ENGINES}
    assert sites["pyspark"] == sites["duckdb"]
    assert len(sites["duckdb"]) > 10


def test_a_bad_csv_value_is_located_on_spark_too(tiny: Path) -> None:
    path = tiny / "data" / "engagements.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",not a time"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["stats", "-p", str(tiny), "--engine", "pyspark"])
    assert done.exit_code == 1
    assert "engagements.csv:4" in done.output and "created_at" in done.output and "not a time" in done.output


def test_session_is_utc_and_takes_engine_conf(spark: Any) -> None:
    from sitegen.spark import spark_session

    session = spark_session(EngineSettings(conf={"spark.sql.shuffle.partitions": "3"}))
    assert session is spark
    assert session.conf.get("spark.sql.session.timeZone") == "UTC"
    assert session.conf.get("spark.sql.shuffle.partitions") == "3"
    spark_session(EngineSettings())  # the defaults again, for whatever runs next
    assert session.conf.get("spark.sql.shuffle.partitions") == "4"
