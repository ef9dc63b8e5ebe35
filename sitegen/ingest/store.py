"""Merge staged rows into the project's tables and write them with datapackage.json, all or nothing."""

# ruff: noqa: S608 - SQL built from schema names, quote() and literal(); no input text reaches it unquoted

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..datapackage import describe_resource, read_datapackage, resources_by_name, write_datapackage
from ..errors import DataError
from ..schema import TABLES, TableSchema
from ..validate import DEFAULT_CAP, ValidationReport, check_references, check_rows, literal, quote, typed_columns
from .staging import Staging

# Merge order: accounts take their status from the merged status checks, engagements their missing
# target author from the merged posts.
MERGE_ORDER = ("posts", "status_checks", "accounts", "engagements")
FILL_TARGETS = (
    "UPDATE merged_engagements AS e SET target_author_id = p.author_id FROM merged_posts AS p"
    " WHERE e.target_author_id IS NULL AND p.post_id = e.post_id"
)
DATE_COLUMN = {
    "accounts": "created_at",
    "posts": "created_at",
    "engagements": "created_at",
    "status_checks": "checked_at",
}
ARROW_TYPES = {
    "string": pa.string(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}
# DuckDB's memory for the merge (it spills to the work dir beyond it); raise it for very large tables.
MEMORY_LIMIT = os.environ.get("SITEGEN_INGEST_MEMORY", "1GB")
# Row groups of 128 Ki rows: DuckDB scans a file one thread per row group, so a 1 M-row table in one
# group (datapackage.write_parquet's 1 Mi) would validate and query on a single core.
ROW_GROUP_ROWS = 1 << 17
_EXISTING_SEQ = 1 << 40  # existing rows sort before every staged row, in their file order


@dataclass(frozen=True)
class TableChange:
    """Rows a table gained and holds after an ingest."""

    name: str
    added: int
    total: int


@dataclass
class IngestResult:
    """What an ingest did: each table's change, what was read, and the validation report."""

    tables: dict[str, TableChange]
    read: dict[str, int]
    report: ValidationReport
    data_dir: Path = field(default_factory=Path)

    def summary_lines(self) -> list[str]:
        """One line per table, one for what was read, the warnings and the error count."""
        lines = [f"{t.name}: {t.added:,} added, {t.total:,} total" for t in self.tables.values()]
        if self.read:
            lines.append("read: " + ", ".join(f"{key} {value:,}" for key, value in self.read.items()))
        lines.extend(f"warning: {w}" for w in self.report.warnings)
        lines.append(f"errors: {self.report.total_errors}")
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "data_dir": self.data_dir.as_posix(),
            "tables": {t.name: {"added": t.added, "total": t.total} for t in self.tables.values()},
            "read": dict(self.read),
            **self.report.as_dict(),
        }


class Ingest:
    """One ingest into a data dir: stage rows, then commit every table at once or leave all untouched."""

    def __init__(self, data_dir: Path, *, command: str, cap: int = DEFAULT_CAP) -> None:
        self.data_dir = data_dir
        self.command = command
        self.report = ValidationReport(cap=cap)
        self.work_dir = Path()
        self.staging: Staging

    def __enter__(self) -> Ingest:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # In the data dir, so the finished tables are renamed into place on the same file system.
        self.work_dir = Path(tempfile.mkdtemp(prefix=".ingest-", dir=self.data_dir))
        self.staging = Staging(self.work_dir, self.report)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.staging.close()
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def commit(self, sources: list[str], read: dict[str, int]) -> IngestResult:
        """Validate and merge the staged rows, then replace the tables and datapackage.json."""
        staged = self.staging.close()
        package = read_datapackage(self.data_dir)
        resources = resources_by_name(package)
        targets = {name: self._target(name, resources.get(name)) for name in TABLES}
        changed = self._changed(targets, resources)
        out_dir = self.work_dir / "out"
        con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(self.work_dir / "spill")})
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute("SET enable_progress_bar = false")  # it writes to stdout, where --json output goes
            con.execute("SET preserve_insertion_order = false")  # order comes from _seq and the final sort
            before = self._open(con, targets, staged)
            self._merge(con, changed)
            fresh = {name: out_dir / targets[name].relative_to(self.data_dir) for name in changed}
            written = {name: _write_table(con, name, fresh[name]) for name in sorted(changed)}
        except duckdb.OutOfMemoryException:
            raise DataError(
                f"not enough memory to merge the tables (DuckDB may use {MEMORY_LIMIT});"
                " set SITEGEN_INGEST_MEMORY higher, e.g. SITEGEN_INGEST_MEMORY=4GB",
                path=self.data_dir,
            ) from None
        finally:
            con.close()
        new_resources = [resources[name] for name in sorted(TABLES) if name not in changed]
        for name, (total, dates) in written.items():
            old = resources.get(name, {})
            contributed = self.staging.counts[name] > 0
            new_resources.append(
                describe_resource(
                    fresh[name],
                    out_dir,
                    table=name,
                    rows=total,
                    sources=list(old.get("sources", [])) + (sources if contributed else []),
                    command=self.command if contributed or not old.get("command") else str(old["command"]),
                    illustrative=False,
                    date_range=dates,
                )
            )
        # Everything is written and checked: only now are the project's files replaced.
        for name in sorted(changed):
            targets[name].parent.mkdir(parents=True, exist_ok=True)
            fresh[name].replace(targets[name])
        others = [r for r in package["resources"] if not (isinstance(r, dict) and r.get("name") in TABLES)]
        write_datapackage(self.data_dir, {**package, "resources": others + new_resources})
        totals = {name: written[name][0] if name in written else before[name] for name in sorted(TABLES)}
        self.report.counts.update(totals)
        changes = {name: TableChange(name, total - before[name], total) for name, total in totals.items()}
        return IngestResult(changes, read, self.report, self.data_dir)

    def _changed(self, targets: dict[str, Path], resources: dict[str, dict[str, Any]]) -> set[str]:
        """The tables to rewrite: new ones, those given rows, and those whose derived columns depend on them."""
        changed = {n for n in TABLES if self.staging.counts[n] or n not in resources or not targets[n].exists()}
        if "status_checks" in changed:
            changed.add("accounts")  # an account's status is its latest check
        if "posts" in changed:
            changed.add("engagements")  # a missing target author is the post's author
        return changed

    def _merge(self, con: duckdb.DuckDBPyConnection, changed: set[str]) -> None:
        """One row per key in each changed table; check required values, enumerations and references."""
        for name in MERGE_ORDER:
            schema, merged = TABLES[name], quote("merged_" + name)
            checks: tuple[str, ...] = ("required", "enums")
            if name in changed:
                con.execute(f"CREATE TABLE {merged} AS {_merge_sql(schema, self._extras(con, name))}")
                if name == "engagements":
                    con.execute(FILL_TARGETS)
            else:  # kept as it is, but still checked: the other tables' references point into it
                columns = ", ".join(quote(c) for c in schema.field_names + self._extras(con, name))
                location = "{'p': _path, 'l': _line, 'r': _row}"
                con.execute(f"CREATE VIEW {merged} AS SELECT {columns}, {location} AS _loc FROM existing_{name}")
                checks += ("unique",)
            con.execute(
                f"CREATE VIEW {quote('check_' + name)} AS SELECT * EXCLUDE (_loc),"
                f" _loc.p AS _path, _loc.l AS _line, _loc.r AS _row FROM {merged}"
            )
            check_rows(con, "check_" + name, schema, self.report, checks=checks)
        check_references(con, {name: "check_" + name for name in TABLES}, self.report)
        self.report.raise_for_errors()

    def _target(self, name: str, resource: dict[str, Any] | None) -> Path:
        """Where a table lives: its datapackage path, else `<name>.parquet`; refuse to mix with illustrative data."""
        path = self.data_dir / str((resource or {}).get("path") or f"{name}.parquet")
        if not path.resolve().is_relative_to(self.data_dir.resolve()):
            raise DataError(f"{name} is stored outside the data directory; ingest writes only inside it", path=path)
        if resource and resource.get("illustrative"):
            raise DataError(
                f"{name} holds illustrative data (datapackage.json says so); ingesting real data into it would"
                " mix the two. Ingest into a project of its own (`sitegen new DIR`) or remove the illustrative tables",
                path=path,
            )
        if path.suffix != ".parquet":
            raise DataError(
                f"{name} is stored as {path.suffix or 'a file without suffix'}; ingest keeps tables as Parquet",
                path=path,
            )
        return path

    def _open(
        self, con: duckdb.DuckDBPyConnection, targets: dict[str, Path], staged: dict[str, Path]
    ) -> dict[str, int]:
        """Views of the existing and staged rows, typed; report what does not parse. Rows each table had."""
        before = {}
        for name, schema in TABLES.items():
            items, _, _ = typed_columns(schema, {f: "VARCHAR" for f in schema.field_names}, staged[name])
            empty_is_null = ", ".join(f"nullif({quote(f)}, '') AS {quote(f)}" for f in schema.field_names)
            con.execute(
                f"CREATE VIEW {quote('staged_' + name)} AS SELECT {', '.join(items)}, _path, _line, _row, _seq"
                f" FROM (SELECT {empty_is_null}, _path, _line, _row, file_row_number AS _seq"
                f" FROM read_parquet({literal(str(staged[name]))}, file_row_number = true))"
            )
            check_rows(con, "staged_" + name, schema, self.report, checks=("types", "keys"))
            sources = ["staged_" + name]
            before[name] = 0
            if targets[name].exists():
                self._open_existing(con, name, targets[name])
                sources.append("existing_" + name)
                row = con.execute(f"SELECT count(*) FROM {quote('existing_' + name)}").fetchone()
                before[name] = int(row[0]) if row else 0
            con.execute(
                f"CREATE VIEW {quote('rows_' + name)} AS "
                + " UNION ALL BY NAME ".join(f"SELECT * FROM {quote(view)}" for view in sources)
            )
        self.report.raise_for_errors()
        return before

    def _open_existing(self, con: duckdb.DuckDBPyConnection, name: str, path: Path) -> None:
        source = f"read_parquet({literal(str(path))}, file_row_number = true)"
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        except duckdb.Error as exc:
            raise DataError(f"cannot read this table: {str(exc).strip().splitlines()[0]}", path=path) from None
        columns = {str(r[0]): str(r[1]) for r in described if r[0] != "file_row_number"}
        items, errors, warnings = typed_columns(TABLES[name], columns, path)
        self.report.add_sample(errors, len(errors))
        self.report.warnings.extend(warnings)
        con.execute(
            f"CREATE VIEW {quote('existing_' + name)} AS SELECT {', '.join(items)},"
            f" {literal(path.as_posix())} AS _path, NULL::BIGINT AS _line, file_row_number + 1 AS _row,"
            f" file_row_number - {_EXISTING_SEQ} AS _seq FROM {source}"
        )
        check_rows(
            con, "existing_" + name, TABLES[name], self.report, checks=("types",), skip=[str(e.column) for e in errors]
        )

    def _extras(self, con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
        """Columns an existing table has beyond the schema: kept, merged like the others."""
        columns = [str(r[0]) for r in con.execute(f"DESCRIBE {quote('rows_' + name)}").fetchall()]
        return [c for c in columns if c not in TABLES[name].field_names and not c.startswith("_")]


def _merge_sql(schema: TableSchema, extras: list[str]) -> str:
    """SELECT one row per primary key: for each field the latest non-null value (staged rows are latest).

    Keys on one row only (most of them) pass straight through. For repeated keys, a first pass keeps
    only integers (the _seq of the row each field's value will come from), so memory stays small
    however many times a key repeats; the values are then taken from those rows alone.
    """
    key = ", ".join(quote(k) for k in schema.primary_key)
    # field -> (over the rows of a repeated key, on the one row of a key, the _seq of the row it takes)
    merged = {
        name: (f"arg_max({quote(name)}, _seq)", quote(name), f"max(_seq) FILTER (WHERE {quote(name)} IS NOT NULL)")
        for name in schema.field_names + extras
        if name not in schema.primary_key
    }
    location = "{'p': _path, 'l': _line, 'r': _row}"
    merged["_loc"] = (f"arg_max({location}, _seq)", location, "max(_seq)")
    if schema.name == "accounts":
        merged["role"] = ("coalesce(arg_max(role, _seq), 'other')", "coalesce(role, 'other')", merged["role"][2])
        for value, observed in (("followers", "followers_recorded_at"), ("status", "status_checked_at")):
            # a value and when it was observed travel together: the latest observation wins, then the latest row
            pair = f"{{'v': {value}, 't': {observed}}}"
            latest = f"{{'t': coalesce({observed}, '-infinity'::TIMESTAMPTZ), 's': _seq}}"
            merged[value] = (
                f"arg_max({pair}, {latest}) FILTER (WHERE {value} IS NOT NULL)",
                f"CASE WHEN {value} IS NOT NULL THEN {pair} END",
                f"arg_max(_seq, {latest}) FILTER (WHERE {value} IS NOT NULL)",
            )
            del merged[observed]
    rows = quote("rows_" + schema.name)
    present = " AND ".join(f"{quote(k)} IS NOT NULL" for k in schema.primary_key)
    many = ", ".join(f"{expression} AS {quote(name)}" for name, (expression, _, _) in merged.items())
    one = ", ".join(f"{expression} AS {quote(name)}" for name, (_, expression, _) in merged.items())
    picks = ", ".join(pick for _, _, pick in merged.values())
    grouped = (
        f"WITH repeated AS MATERIALIZED (SELECT {key} FROM {rows} WHERE {present} GROUP BY {key} HAVING count(*) > 1),"
        f" picked AS MATERIALIZED (SELECT unnest([{picks}]) AS _seq FROM {rows} SEMI JOIN repeated USING ({key})"
        f" GROUP BY {key})"
        f" SELECT {key}, {many} FROM {rows} SEMI JOIN picked USING (_seq) GROUP BY {key}"
        f" UNION ALL SELECT {key}, {one} FROM {rows} ANTI JOIN repeated USING ({key}) WHERE {present}"
    )
    outputs = [f"g.{quote(name)}" for name in schema.field_names + extras]
    if schema.name == "accounts":
        # The latest status check wins over a status the accounts rows carry, unless that one is later.
        newer = "c.latest IS NOT NULL AND (g.status IS NULL OR g.status.t IS NULL OR c.latest.t >= g.status.t)"
        replace = {
            "followers": "g.followers.v AS followers",
            "followers_recorded_at": "g.followers.t AS followers_recorded_at",
            "status": f"CASE WHEN {newer} THEN c.latest.v ELSE coalesce(g.status.v, 'unknown') END AS status",
            "status_checked_at": f"CASE WHEN {newer} THEN c.latest.t ELSE g.status.t END AS status_checked_at",
        }
        outputs = [replace.get(name, f"g.{quote(name)}") for name in schema.field_names + extras]
        latest = (
            "SELECT account_id, arg_max({'v': status, 't': checked_at}, checked_at) AS latest"
            " FROM merged_status_checks GROUP BY account_id"
        )
        return (
            f"SELECT {', '.join(outputs)}, g._loc FROM ({grouped}) g"
            f" LEFT JOIN ({latest}) c ON c.account_id = g.account_id"
        )
    return f"SELECT {', '.join(outputs)}, g._loc FROM ({grouped}) g"


def _write_table(con: duckdb.DuckDBPyConnection, name: str, path: Path) -> tuple[int, tuple[str | None, str | None]]:
    """Stream a merged table, sorted by primary key, to Parquet as write_parquet would; (rows, date range)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = TABLES[name]
    table = quote("merged_" + name)
    columns = [c for c in (str(r[0]) for r in con.execute(f"DESCRIBE {table}").fetchall()) if c != "_loc"]
    order = ", ".join(quote(k) for k in schema.primary_key)
    reader = con.execute(
        f"SELECT {', '.join(quote(c) for c in columns)} FROM {table} ORDER BY {order}"
    ).to_arrow_reader(ROW_GROUP_ROWS)
    target = pa.schema(
        [
            pa.field(f.name, ARROW_TYPES[schema.field(f.name).type]) if f.name in schema.field_names else f
            for f in reader.schema
        ]
    )
    rows = 0
    with pq.ParquetWriter(path, target, compression="zstd", store_schema=True) as writer:
        for batch in reader:
            writer.write_batch(batch.cast(target), row_group_size=ROW_GROUP_ROWS)
            rows += batch.num_rows
    column = quote(DATE_COLUMN[name])
    fmt = "'%Y-%m-%dT%H:%M:%SZ'"
    first_last = con.execute(
        f"SELECT strftime(min({column}), {fmt}), strftime(max({column}), {fmt}) FROM {table}"
    ).fetchone()
    return rows, (first_last[0], first_last[1]) if first_last else (None, None)
