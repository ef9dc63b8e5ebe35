"""The Spark session behind the pyspark engine: local by default, or a cluster master, or a Spark Connect server.

Where it runs, first match wins: the environment (`SPARK_REMOTE` for Spark Connect, `SITEGEN_SPARK_MASTER`
for a master URL), then sitegen.toml `[engine] remote` / `master`, then `local[2]`. The environment wins so
that CI or a cluster job can redirect a project without editing it. One session serves a whole process
(`getOrCreate`), so `sitegen serve` and a test session start Spark once.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from .config import EngineSettings
from .errors import DataError

LOCAL_MASTER = "local[2]"
LOG_CONFIG = Path(__file__).parent / "spark-log4j2.properties"
JVM_OPTIONS = f"-Duser.timezone=UTC -Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"

# Settings that make results and logs the same on every machine; [engine.conf] may add to or override them.
DETERMINISTIC = {
    "spark.sql.session.timeZone": "UTC",  # timestamps are read, truncated and shown in UTC, as on DuckDB
    "spark.driver.extraJavaOptions": JVM_OPTIONS,  # UTC, and errors only in the logs
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.sql.shuffle.partitions": "4",  # aggregated results are small; 200 partitions would only cost time
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.ansi.enabled": "true",  # overflow and bad casts fail rather than give NULL
}


def where_spark_runs(settings: EngineSettings) -> tuple[str, str]:
    """("remote", url) for Spark Connect or ("master", url) for a classic session."""
    remote = os.environ.get("SPARK_REMOTE") or settings.remote
    if remote:
        return "remote", remote
    return "master", os.environ.get("SITEGEN_SPARK_MASTER") or settings.master or LOCAL_MASTER


def spark_session(settings: EngineSettings) -> Any:
    """The process's Spark session, started on first use with the deterministic settings."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise DataError("engine 'pyspark' needs PySpark: pip install 'sitegen[spark]'") from None
    how, url = where_spark_runs(settings)
    if how == "master" and url.startswith("local") and not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise DataError("engine 'pyspark' runs Spark locally, which needs Java 17 or later (java not found)")
    builder = SparkSession.builder.appName("sitegen")
    builder = builder.remote(url) if how == "remote" else builder.master(url)
    for key, value in {**DETERMINISTIC, **settings.conf}.items():
        if how == "remote" and not key.startswith("spark.sql."):
            continue  # a Connect client may set only SQL settings; the server owns the rest
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - Py4J, gRPC and Java errors all mean "no session"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"could not start Spark ({how} {url}): {first}") from None
    if how == "master":
        session.sparkContext.setLogLevel("ERROR")
    return session


def spark_errors() -> tuple[type[Exception], ...]:
    """What a failed Spark query raises: a captured Spark error, or a Java error through Py4J."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JError)
