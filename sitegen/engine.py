"""The query engine: the one place that connects Ibis to a backend and opens the tables.

DuckDB (embedded, the default) or Spark (see spark.py). Statistics are Ibis expressions and run on either;
only their aggregated results come back as pandas frames. Checks that are about a local file (which value
of a CSV column does not parse, at which line) run on an embedded DuckDB whatever the engine, because
they need the file's line order, which a distributed engine does not keep.
"""

from __future__ import annotations

import datetime
import gc
import warnings
from pathlib import Path
from typing import Any

import ibis
import ibis.common.exceptions
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from .config import EngineSettings
from .errors import DataError

# Every CSV column is read as text (casts come after, with located errors); quoting as RFC 4180.
CSV_OPTIONS: dict[str, dict[str, Any]] = {
    "duckdb": {"all_varchar": True, "header": True},
    "pyspark": {"header": True, "inferSchema": False, "escape": '"', "multiLine": True, "mode": "FAILFAST"},
}
READERS = {".parquet": "read_parquet", ".csv": "read_csv", ".jsonl": "read_json", ".json": "read_json"}


class Engine:
    """An Ibis connection and the project's tables opened on it."""

    def __init__(self, name: str = "duckdb", settings: EngineSettings | None = None) -> None:
        self.name = name
        # What a query that fails on this engine raises (a statistic reports it as "could not compute").
        self.errors: tuple[type[Exception], ...] = (ibis.common.exceptions.IbisError,)
        if name == "duckdb":
            import duckdb

            self.con: Any = ibis.duckdb.connect(threads=2)
            self.errors += (duckdb.Error,)
        elif name == "pyspark":
            from .spark import spark_errors, spark_session

            self.con = ibis.pyspark.connect(spark_session(settings or EngineSettings()))
            self.errors += spark_errors()
        else:
            raise DataError(f"engine {name!r} is not available here (choose duckdb or pyspark)")
        self.tables: dict[str, ir.Table] = {}
        self.rows: dict[str, int] = {}  # rows of each opened table, counted as it opens
        self._local: Engine | None = None

    def open(self, name: str, path: Path, shown_as: Path) -> ir.Table:
        """Open a table file under `name` and count its rows (`rows`); unreadable files raise a DataError
        naming the file."""
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            raise DataError(f"unsupported file type {path.suffix!r} (use Parquet, CSV or JSONL)", path=shown_as)
        options: dict[str, Any] = {}
        if reader == "read_csv":
            options = CSV_OPTIONS[self.name]
        try:
            table = getattr(self.con, reader)(str(path), table_name=name, **options)
            rows = int(self.scalar(table.count()))  # a read: a corrupt file fails here, located
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001 - the backend raises many types; all mean "unreadable"
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"cannot read this file: {first}", path=shown_as) from None
        self.tables[name] = table
        self.rows[name] = rows
        return table

    def cast_text_columns(self, name: str, types: dict[str, str], path: Path, shown_as: Path) -> ir.Table:
        """Cast a text table's typed columns; the first value that does not parse is a located error."""
        table = self.tables[name]
        present = {c: t for c, t in types.items() if c in table.columns}
        if not present:
            return table
        local = self.local()
        checked = table if local is self else local.open(name, path, shown_as)
        numbered = checked.mutate(_line=ibis.row_number() + 2)  # 1-based, after the header line
        for column, type_ in sorted(present.items()):
            raw = numbered[column]
            bad = numbered.filter(raw.notnull() & (raw.strip() != "") & raw.try_cast(type_).isnull())
            first = bad.order_by("_line").select("_line", column).limit(1).execute()
            if len(first):
                raise DataError(
                    f"not a valid {type_}",
                    path=shown_as,
                    line=int(first["_line"].iloc[0]),
                    column=column,
                    value=first[column].iloc[0],
                )
        casts = {c: table[c].nullif("").try_cast(t) for c, t in present.items()}
        self.tables[name] = table.mutate(**casts)
        return self.tables[name]

    def local(self) -> Engine:
        """An embedded DuckDB engine for work on the local files (this one, or one made on first use)."""
        if self.name == "duckdb":
            return self
        if self._local is None:
            self._local = Engine("duckdb")
        return self._local

    def epoch_micros(self, column: ir.TimestampValue) -> ir.IntegerValue:
        """Microseconds since 1970, an exact integer on every engine (differences of seconds as doubles are not)."""
        if self.name == "duckdb":
            return _epoch_us(column)
        utc = column.cast(dt.Timestamp(timezone="UTC"))  # Spark reads Parquet's local timestamps as TIMESTAMP_NTZ
        return _unix_micros(utc)

    def table(self, name: str) -> ir.Table:
        """An opened table by name."""
        return self.tables[name]

    def run(self, expr: ir.Expr) -> Any:
        """Execute an expression on the engine and bring its (small) result back."""
        with warnings.catch_warnings():
            # PySpark 4.0's toPandas calls astype(copy=False), which pandas 3 deprecates: harmless, not ours.
            warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
            if self.name == "duckdb":
                return expr.execute()
            # PySpark reads each result over a local socket that it leaves unclosed: drop them here, quietly,
            # rather than leave a ResourceWarning to whatever runs next.
            warnings.simplefilter("ignore", ResourceWarning)
            result = expr.execute()
            gc.collect()
            return result

    def scalar(self, expr: ir.Scalar) -> Any:
        """Execute a scalar expression and return a plain Python value."""
        value = self.run(expr)
        return value.item() if hasattr(value, "item") else value

    def frame(self, expr: ir.Table) -> Any:
        """Execute a (small, aggregated) table expression into pandas."""
        return self.run(expr)


@ibis.udf.scalar.builtin(name="epoch_us")
def _epoch_us(ts: datetime.datetime) -> int:  # type: ignore[empty-body]
    """DuckDB's EPOCH_US: microseconds since 1970."""


@ibis.udf.scalar.builtin(name="unix_micros")
def _unix_micros(ts: datetime.datetime) -> int:  # type: ignore[empty-body]
    """Spark's UNIX_MICROS: microseconds since 1970."""
