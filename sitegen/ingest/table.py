"""A plain table (CSV, JSONL or Parquet) that is already accounts, posts or engagements, columns renamed by a map."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import DataError
from ..schema import TABLES
from ..validate import ValidationReport
from .readers import MAX_CELL_BYTES, RAISE_HINT, CsvReader, json_lines
from .staging import BATCH_ROWS, Staging, staged_schema

TABLE_NAMES = ("accounts", "posts", "engagements")


def parse_map(pairs: list[str]) -> dict[str, str]:
    """`col=field` pairs as a dict; `col=` drops a column. A DataError for a pair without `=`."""
    mapping = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column:
            raise DataError("--map takes COLUMN=FIELD (or COLUMN= to drop a column)", column="--map", value=pair)
        mapping[column] = field
    return mapping


def _column_problem(name: str, kind: pa.DataType) -> str | None:
    """Why a Parquet column cannot hold a field's values, or None."""
    if pa.types.is_floating(kind) and name.endswith("_id"):
        return f"{name} is stored as {kind}: ids must be strings (a float loses digits)"
    if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return f"{name} is stored as {kind}: expected a single text, number or time value"
    return None


class TableReader:
    """Stages the rows of one plain table file as rows of a normalized table."""

    def __init__(
        self, table: str, mapping: dict[str, str], staging: Staging, report: ValidationReport, *, max_cell_bytes: int
    ) -> None:
        if table not in TABLE_NAMES:
            raise DataError(f"--as must be one of {', '.join(TABLE_NAMES)}", column="--as", value=table)
        self.table = table
        self.schema = TABLES[table]
        self.mapping = mapping
        self.staging = staging
        self.report = report
        self.max_cell_bytes = max_cell_bytes
        self.rows = 0

    def read(self, path: Path) -> None:
        """Stage one file, by suffix: .csv, .parquet, else JSON Lines."""
        suffix = path.suffix.lower()
        if suffix == ".csv":
            self._csv(path)
        elif suffix == ".parquet":
            self._parquet(path)
        else:
            self._jsonl(path)

    def _fields(self, columns: list[str], path: Path, line: int | None) -> dict[str, int] | None:
        """field -> column index; unknown columns and a missing key are reported (None then)."""
        fields: dict[str, int] = {}
        ok = True
        for index, column in enumerate(columns):
            field = self.mapping.get(column, column)
            if not field:
                continue
            if field not in self.schema.field_names:
                hint = f" (mapped from {column!r})" if field != column else ""
                self.report.add(
                    DataError(
                        f"unknown column {field!r}{hint} for {self.table}: expected"
                        f" {', '.join(self.schema.field_names)};"
                        " rename with --map COLUMN=FIELD or drop with --map COLUMN=",
                        path=path,
                        line=line,
                        column=column,
                    )
                )
                ok = False
            fields[field] = index
        for key in self.schema.primary_key:
            if key not in fields:
                self.report.add(DataError(f"missing column {key!r}", path=path, line=line, column=key))
                ok = False
        return fields if ok else None

    def _csv(self, path: Path) -> None:
        reader = CsvReader(path, self.report, max_cell_bytes=self.max_cell_bytes)
        fields = self._fields(reader.header, path, 1) if reader.header else None
        if fields is None:
            return
        order = [fields.get(name) for name in self.schema.field_names]
        shown = str(path)
        for line, cells in reader.records():
            values = tuple((cells[i] or None) if i is not None else None for i in order)
            self.staging.add(self.table, values, shown, line)
            self.rows += 1

    def _jsonl(self, path: Path) -> None:
        shown = str(path)
        for line, record in json_lines(path, self.report, max_cell_bytes=self.max_cell_bytes):
            if not isinstance(record, dict):
                self.report.add(DataError("expected a JSON object", path=path, line=line, value=record))
                continue
            keys = list(record)
            fields = self._fields(keys, path, line)
            if fields is None:
                continue
            values = tuple(record[keys[fields[name]]] if name in fields else None for name in self.schema.field_names)
            self.staging.add(self.table, values, shown, line)
            self.rows += 1

    def _parquet(self, path: Path) -> None:
        try:
            file = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            self.report.add(DataError(f"cannot read as Parquet: {exc}", path=path))
            return
        with file:
            arrow_schema = file.schema_arrow
            fields = self._fields(arrow_schema.names, path, None)
            if fields is None:
                return
            for name, index in fields.items():
                kind = arrow_schema.field(index).type
                problem = _column_problem(name, kind)
                if problem:
                    self.report.add(DataError(problem, path=path, column=arrow_schema.names[index]))
                    return
            try:
                self._parquet_rows(file, fields, path)
            except (OSError, pa.ArrowException) as exc:
                self.report.add(DataError(f"cannot read as Parquet: {exc}", path=path, row=self.rows + 1))

    def _parquet_rows(self, file: pq.ParquetFile, fields: dict[str, int], path: Path) -> None:
        target, names, first = staged_schema(self.table), file.schema_arrow.names, 0
        for batch in file.iter_batches(batch_size=BATCH_ROWS):
            arrays = []
            for name in self.schema.field_names:
                if name not in fields:
                    arrays.append(pa.nulls(batch.num_rows, pa.string()))
                    continue
                column = pc.cast(batch.column(fields[name]), pa.string())
                self._check_sizes(path, names[fields[name]], column, first)
                arrays.append(column)
            arrays.append(pa.array([str(path)] * batch.num_rows, pa.string()))
            arrays.append(pa.nulls(batch.num_rows, pa.int64()))
            arrays.append(pa.array(range(first + 1, first + batch.num_rows + 1), pa.int64()))
            self.staging.add_batch(self.table, pa.RecordBatch.from_arrays(arrays, schema=target))
            first += batch.num_rows
            self.rows += batch.num_rows

    def _check_sizes(self, path: Path, column: str, values: pa.Array, first: int) -> None:
        lengths = pc.binary_length(values)
        over = pc.greater(lengths, self.max_cell_bytes)
        if not pc.any(over).as_py():
            return
        for index in pc.indices_nonzero(pc.fill_null(over, False)).to_pylist():
            self.report.add(
                DataError(
                    f"cell longer than {self.max_cell_bytes:,} bytes; {RAISE_HINT}",
                    path=path,
                    row=first + index + 1,
                    column=column,
                    value=values[index].as_py()[:100],
                )
            )


def read_table(
    paths: list[Path],
    table: str,
    staging: Staging,
    report: ValidationReport,
    *,
    mapping: dict[str, str] | None = None,
    max_cell_bytes: int = MAX_CELL_BYTES,
) -> dict[str, int]:
    """Stage plain table files as rows of `table`; the count of rows read."""
    reader = TableReader(table, mapping or {}, staging, report, max_cell_bytes=max_cell_bytes)
    for path in paths:
        reader.read(path)
    return {"rows": reader.rows}
