"""Check the normalized tables against schema.py: every error located, every unknown reference counted."""

# ruff: noqa: S608 - SQL built from schema names, quote() and literal(); no input text reaches it unquoted

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from .errors import DataError, ErrorList, SitegenError, show_value
from .schema import TABLES, Field, TableSchema

DEFAULT_CAP = 50
CHECKS = ("types", "required", "enums", "unique")

# Required by schema.py, but unknowable for an account or engagement known only by id (a status lookup
# that answered "suspended", an archive's retweet of an account outside the archive, a quote whose
# original is gone): a missing value is counted and warned about, not an error.
MAY_BE_UNKNOWN = frozenset({("accounts", "handle"), ("engagements", "target_author_id")})

_SQL_TYPES = {
    "string": "VARCHAR",
    "datetime": "TIMESTAMPTZ",
    "date": "DATE",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
}
_TYPE_NAMES = {
    "datetime": "a date-time",
    "date": "a date",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}
_WIDE_INTEGERS = {"HUGEINT", "UBIGINT", "UHUGEINT"}
_FLOATS = {"FLOAT", "DOUBLE", "REAL"}
_TIMES = {"TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "DATE"}


@dataclass
class ValidationReport:
    """What checking found: the first `cap` errors (all counted), warnings, and counts by name."""

    errors: list[DataError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    total_errors: int = 0
    cap: int = DEFAULT_CAP

    @property
    def ok(self) -> bool:
        return self.total_errors == 0

    def add(self, error: DataError) -> None:
        """Record one error; past the cap it is only counted."""
        self.add_sample([error], 1)

    def add_sample(self, errors: list[DataError], total: int) -> None:
        """Record `total` errors of which `errors` are the first few."""
        self.total_errors += total
        self.errors.extend(errors[: max(0, self.cap - len(self.errors))])

    def raise_for_errors(self) -> None:
        """Raise the errors, ordered by place: one DataError, or an ErrorList with "+N more"."""
        if not self.total_errors:
            return
        ordered: list[SitegenError] = sorted(self.errors, key=_place)
        if self.total_errors == 1 and ordered:
            raise ordered[0]
        raise ErrorList(ordered, cap=self.cap, total=self.total_errors)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "ok": self.ok,
            "total_errors": self.total_errors,
            "errors": [error_dict(e) for e in sorted(self.errors, key=_place)],
            "warnings": list(self.warnings),
            "counts": dict(sorted(self.counts.items())),
        }


def error_dict(error: SitegenError) -> dict[str, Any]:
    """One located error as JSON-ready data."""
    return {
        "path": error.path.as_posix() if error.path else None,
        "line": error.line,
        "row": error.row,
        "column": error.column,
        "message": error.message,
        "value": show_value(error.value) if error.has_value else None,
        "located": error.located(),
    }


def _place(error: SitegenError) -> tuple[str, int, int, str]:
    path = error.path.as_posix() if error.path else ""
    return (path, error.line or 0, error.row or 0, str(error.column or ""))


def quote(name: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def raw_name(field_name: str) -> str:
    """The column beside a parsed value that keeps its text as read, to report what failed to parse."""
    return f"_raw_{field_name}"


def typed_columns(
    schema: TableSchema, columns: Mapping[str, str], path: Path | str
) -> tuple[list[str], list[DataError], list[str]]:
    """SELECT items giving a relation with `columns` (name -> DuckDB type) the schema's types.

    Returns the items, column-level errors (a missing required column, ids stored as floats) and
    warnings (columns the schema does not know, kept as they are).
    """
    items: list[str] = []
    errors: list[DataError] = []
    for f in schema.fields:
        sql_type = _SQL_TYPES[f.type]
        source = columns.get(f.name)
        if source is None:
            if f.required and (schema.name, f.name) not in MAY_BE_UNKNOWN:
                errors.append(DataError(f"missing required column {f.name!r}", path=path, column=f.name))
            items.append(f"NULL::{sql_type} AS {quote(f.name)}")
            continue
        expression, parse = _cast(f, source.upper(), quote(f.name))
        if expression is None:
            errors.append(
                DataError(
                    f"column {f.name!r} is stored as {source}, expected {f.type}"
                    + (" (a float loses the digits of ids above 2^53)" if source.upper() in _FLOATS else ""),
                    path=path,
                    column=f.name,
                )
            )
            expression = f"NULL::{sql_type}"
        items.append(f"{expression} AS {quote(f.name)}")
        if parse:
            items.append(f"CAST({quote(f.name)} AS VARCHAR) AS {quote(raw_name(f.name))}")
    extras = sorted(set(columns) - set(schema.field_names))
    items.extend(quote(name) for name in extras)
    warnings = [f"{path}: column {name!r} is not in the {schema.name} schema; kept as is" for name in extras]
    return items, errors, warnings


def _cast(f: Field, source: str, column: str) -> tuple[str | None, bool]:
    """(expression in the field's type, whether values are parsed and may fail) for a source type."""
    target = _SQL_TYPES[f.type]
    if source == target:
        return column, False
    if f.type == "string":
        ok = source in _INTEGERS | _WIDE_INTEGERS | _TIMES or source in ("BOOLEAN", "UUID")
        return (f"CAST({column} AS VARCHAR)", False) if ok else (None, False)
    if source == "VARCHAR":
        if f.type == "integer":  # no silent rounding of '1.5'
            return f"CASE WHEN regexp_full_match({column}, '[+-]?[0-9]+') THEN TRY_CAST({column} AS BIGINT) END", True
        return f"TRY_CAST({column} AS {target})", True
    if f.type in ("datetime", "date") and source in _TIMES:
        return f"CAST({column} AS {target})", False
    if f.type == "integer" and source in _INTEGERS:
        return f"CAST({column} AS BIGINT)", False
    if f.type == "integer" and (source in _FLOATS | _WIDE_INTEGERS or source.startswith("DECIMAL")):
        return f"CASE WHEN {column} = trunc({column}) THEN TRY_CAST({column} AS BIGINT) END", True
    if f.type == "number" and (source in _INTEGERS | _WIDE_INTEGERS | _FLOATS or source.startswith("DECIMAL")):
        return f"CAST({column} AS DOUBLE)", False
    return None, False


def check_rows(
    con: duckdb.DuckDBPyConnection,
    view: str,
    schema: TableSchema,
    report: ValidationReport,
    *,
    checks: Iterable[str] = CHECKS,
    skip: Iterable[str] = (),
) -> None:
    """Check each row of `view` (made with typed_columns, plus _path, _line, _row): report every failure.

    checks: "types" (values that do not parse), "keys" (missing primary key), "required" (missing
    required values; MAY_BE_UNKNOWN fields are counted as warnings instead), "enums", "unique"
    (primary keys an earlier row has). Fields in `skip` (already reported for the whole column) are
    not checked row by row. One scan counts every failure; only failing checks are read again.
    """
    wanted, skipped = set(checks), set(skip)
    columns = {row[0] for row in con.execute(f"DESCRIBE {quote(view)}").fetchall()}
    conditions: list[tuple[str, str, str, str | None]] = []  # (field, message, condition, value)
    for f in schema.fields:
        if f.name in skipped:
            continue
        name = quote(f.name)
        raw = quote(raw_name(f.name)) if raw_name(f.name) in columns else None
        if "types" in wanted and raw:
            conditions.append((f.name, f"not {_TYPE_NAMES[f.type]}", f"{raw} IS NOT NULL AND {name} IS NULL", raw))
        missing = f"({name} IS NULL OR {name} = '')" if f.type == "string" else f"{name} IS NULL"
        if raw:
            missing = f"({missing} AND {raw} IS NULL)"
        is_key = f.name in schema.primary_key
        soft = (schema.name, f.name) in MAY_BE_UNKNOWN
        if ("keys" in wanted and is_key) or ("required" in wanted and f.required and not soft):
            conditions.append((f.name, "missing required value", missing, None))
        elif "required" in wanted and soft:
            conditions.append((f.name, "", missing, None))
        if "enums" in wanted and f.enum:
            allowed = ", ".join(literal(v) for v in f.enum)
            message = f"not one of {', '.join(f.enum)}"
            conditions.append((f.name, message, f"{name} IS NOT NULL AND {name} NOT IN ({allowed})", name))
    counters = [f"count(*) FILTER (WHERE {c[2]})" for c in conditions]
    unique = "unique" in wanted and not skipped & set(schema.primary_key)
    if unique:
        key = schema.primary_key
        distinct = quote(key[0]) if len(key) == 1 else "(" + ", ".join(quote(k) for k in key) + ")"
        present = " AND ".join(f"{quote(k)} IS NOT NULL" for k in key)
        counters.append(f"count(*) FILTER (WHERE {present}) - count(DISTINCT {distinct}) FILTER (WHERE {present})")
    if not counters:
        return
    counts = con.execute(f"SELECT {', '.join(counters)} FROM {quote(view)}").fetchone()
    assert counts is not None
    if unique and counts[-1]:
        _duplicates(con, view, schema, report, int(counts[-1]))
    for (column, message, condition, value), count in zip(conditions, counts[: len(conditions)], strict=True):
        if not message:  # a field that may be unknown
            report.counts[f"{schema.name}_missing_{column}"] = count
            if count:
                report.warnings.append(f"{count:,} {schema.name} have no {column} (known only by id)")
            continue
        if not count:
            continue
        sample = con.execute(
            f"SELECT _path, _line, _row, {value or 'NULL'} FROM {quote(view)} WHERE {condition}"
            f" ORDER BY _path, _line, _row LIMIT {report.cap}"
        ).fetchall()
        report.add_sample(
            [
                DataError(
                    message, path=path, line=line, row=row, column=column, value=shown, has_value=value is not None
                )
                for path, line, row, shown in sample
            ],
            count,
        )


def _duplicates(
    con: duckdb.DuckDBPyConnection, view: str, schema: TableSchema, report: ValidationReport, total: int
) -> None:
    """Report the rows whose primary key an earlier row already has (`total` of them)."""
    key = ", ".join(quote(k) for k in schema.primary_key)
    not_null = " AND ".join(f"{quote(k)} IS NOT NULL" for k in schema.primary_key)
    duplicates = f"(SELECT {key} FROM {quote(view)} WHERE {not_null} GROUP BY {key} HAVING count(*) > 1)"
    order = "_path, _line, _row"
    rows = con.execute(
        f"SELECT _path, _line, _row, first_line, first_row, {key} FROM ("
        f"  SELECT *, row_number() OVER w AS n, first_value(_line) OVER w AS first_line,"
        f"         first_value(_row) OVER w AS first_row"
        f"  FROM {quote(view)} SEMI JOIN {duplicates} AS d USING ({key})"
        f"  WINDOW w AS (PARTITION BY {key} ORDER BY {order})"
        f") WHERE n > 1 ORDER BY {order} LIMIT {report.cap}"
    ).fetchall()
    label = ", ".join(schema.primary_key)
    errors = []
    for path, line, row, first_line, first_row, *values in rows:
        first = f"line {first_line}" if first_line is not None else f"row {first_row}"
        errors.append(
            DataError(
                f"duplicate {label}, first at {first}",
                path=path,
                line=line,
                row=row,
                column=label,
                value=values[0] if len(values) == 1 else tuple(values),
            )
        )
    report.add_sample(errors, total)


def check_references(con: duckdb.DuckDBPyConnection, views: Mapping[str, str], report: ValidationReport) -> None:
    """Count rows whose foreign key names no row of the referenced table (warnings, never errors)."""
    for table in sorted(views):
        for column, other, other_column in TABLES[table].foreign_keys:
            if other not in views:
                continue
            row = con.execute(
                f"SELECT count(*), count(DISTINCT c.{quote(column)}) FROM {quote(views[table])} AS c"
                f" ANTI JOIN {quote(views[other])} AS p ON c.{quote(column)} = p.{quote(other_column)}"
                f" WHERE c.{quote(column)} IS NOT NULL"
            ).fetchone()
            assert row is not None
            unknown, distinct = row
            report.counts[f"{table}_unknown_{column}"] = unknown
            if unknown:
                report.warnings.append(f"{unknown:,} {table} have a {column} not in {other} ({distinct:,} distinct)")


def _relation(path: Path) -> tuple[str, str]:
    """(FROM clause, position expression) for a table file, by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return f"read_parquet({literal(str(path))}, file_row_number = true)", "file_row_number + 1"
    if suffix == ".csv":
        return f"read_csv({literal(str(path))}, all_varchar = true, header = true)", "row_number() OVER ()"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return f"read_json({literal(str(path))}, format = 'newline_delimited')", "row_number() OVER ()"
    raise DataError(f"unsupported file type {path.suffix!r} (use Parquet, CSV or JSONL)", path=path)


def validate_tables(
    tables: Mapping[str, Path | str],
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    cap: int = DEFAULT_CAP,
    root: Path | None = None,
    digests: Mapping[str, str] | None = None,
    cache_dir: Path | None = None,
) -> ValidationReport:
    """Validate normalized table files (name -> Parquet/CSV/JSONL path) against schema.py.

    Types, required values, enumerations, unique primary keys: errors, each with file, row, column
    and value. Foreign keys that name no row (an engagement's unknown post or engager): counted
    warnings. Tables without a schema are skipped. Runs as DuckDB SQL over the files. Paths in
    messages are relative to `root` when inside it. With `digests` (name -> sha256 of the file) and a
    `cache_dir`, a clean report is kept and returned again while the files and this code are unchanged.
    """
    key = _cache_key(tables, digests, root) if digests is not None and cache_dir is not None else None
    cached = _cached(cache_dir, key, cap) if cache_dir is not None and key is not None else None
    if cached is not None:
        return cached
    report = ValidationReport(cap=cap)
    if con is None:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # it writes to stdout
    views: dict[str, str] = {}
    try:
        for name in sorted(tables):
            schema = TABLES.get(name)
            if schema is None:
                continue
            path = Path(tables[name])
            shown = path.relative_to(root) if root is not None and path.is_relative_to(root) else path
            source, position = _relation(path)
            try:
                described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                report.add(DataError(f"cannot read this file: {first}", path=shown))
                continue
            columns = {str(r[0]): str(r[1]) for r in described if r[0] != "file_row_number"}
            items, errors, warnings = typed_columns(schema, columns, shown)
            report.add_sample(errors, len(errors))
            report.warnings.extend(warnings)
            view = f"_validate_{name}"
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {quote(view)} AS SELECT {', '.join(items)},"
                f" {literal(shown.as_posix())} AS _path, NULL::BIGINT AS _line, {position} AS _row FROM {source}"
            )
            views[name] = view
            report.counts[name] = _count(con, view)
            check_rows(con, view, schema, report, checks=CHECKS, skip=[str(e.column) for e in errors])
        check_references(con, views, report)
    finally:
        for view in views.values():
            con.execute(f"DROP VIEW IF EXISTS {quote(view)}")
    if cache_dir is not None and key is not None and report.ok:
        _keep(cache_dir, key, report)
    return report


def _count(con: duckdb.DuckDBPyConnection, view: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {quote(view)}").fetchone()
    return int(row[0]) if row else 0


_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _cache_key(tables: Mapping[str, Path | str], digests: Mapping[str, str], root: Path | None) -> str | None:
    """What a report depends on: each file's digest and shown path, the schemas, this module's code."""
    names = sorted(n for n in tables if n in TABLES)
    if any(n not in digests for n in names):
        return None
    parts = {
        "code": _CODE,
        "root": str(root),
        "tables": {n: [str(tables[n]), digests[n], TABLES[n].descriptor()] for n in names},
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _cached(cache_dir: Path, key: str, cap: int) -> ValidationReport | None:
    try:
        data = json.loads((cache_dir / f"{key}.json").read_text(encoding="utf-8"))
        return ValidationReport(warnings=list(data["warnings"]), counts=dict(data["counts"]), cap=cap)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _keep(cache_dir: Path, key: str, report: ValidationReport) -> None:
    """Keep a clean report (only those: a failing build is run again)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{key}.json"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"warnings": report.warnings, "counts": report.counts}, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
