"""Rows read from input, as text with their source location, written to Parquet in batches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import DataError
from ..schema import TABLES
from ..validate import ValidationReport

BATCH_ROWS = 50_000
LOCATION = (("_path", pa.string()), ("_line", pa.int64()), ("_row", pa.int64()))
ACCOUNT_FIELDS = tuple(TABLES["accounts"].field_names)
ACCOUNT_ID = ACCOUNT_FIELDS.index("account_id")


def staged_schema(table: str) -> pa.Schema:
    """A staged table: every field as text as read, then where it was read (path, line or row)."""
    fields = [pa.field(name, pa.string()) for name in TABLES[table].field_names]
    return pa.schema(fields + [pa.field(name, kind) for name, kind in LOCATION])


class Recent:
    """What was staged lately, so what repeats is staged once; bounded: all forgotten every `size` keys."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self.seen: dict[Any, Any] = {}

    def repeats(self, key: Any, value: Any = True) -> bool:
        """Whether `key` was just staged with this value; remembers it when not."""
        if self.seen.get(key) == value:
            return True
        if len(self.seen) >= self.size:
            self.seen.clear()
        self.seen[key] = value
        return False


def account_row(account_id: Any, **fields: Any) -> tuple[Any, ...]:
    """An accounts row from the fields that are known; the rest stay null (not asserted)."""
    fields["account_id"] = account_id
    return tuple(map(fields.get, ACCOUNT_FIELDS))


class Staging:
    """Per-table buffers flushed to `<work_dir>/<table>.parquet` every BATCH_ROWS rows: memory stays flat.

    Values may be any JSON scalar; they become text when a batch is written (numbers exactly), and a
    value that cannot (a list, an object, a float id) is reported at its row's place.
    """

    def __init__(self, work_dir: Path, report: ValidationReport, batch_rows: int | None = None) -> None:
        self.work_dir = work_dir
        self.report = report
        self.batch_rows = batch_rows or BATCH_ROWS
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
        self.counts: dict[str, int] = {name: 0 for name in TABLES}
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.closed = False

    def add(self, table: str, values: tuple[Any, ...], path: str, line: int | None, row: int | None = None) -> None:
        """Stage one row: values in the order of the table's fields."""
        buffer = self.rows[table]
        buffer.append((*values, path, line, row))
        if len(buffer) >= self.batch_rows:
            self._flush(table)

    def add_batch(self, table: str, batch: pa.RecordBatch) -> None:
        """Stage a batch already in the staged schema (from a columnar input)."""
        self._flush(table)
        self._writer(table).write_batch(batch)
        self.counts[table] += batch.num_rows

    def _writer(self, table: str) -> pq.ParquetWriter:
        if table not in self._writers:
            path = self.work_dir / f"{table}.parquet"
            self._writers[table] = pq.ParquetWriter(path, staged_schema(table), compression="zstd")
        return self._writers[table]

    def _flush(self, table: str) -> None:
        buffer = self.rows[table]
        if not buffer:
            return
        schema = staged_schema(table)
        try:  # all text already: one conversion of the rows, in C++
            batch = pa.RecordBatch.from_struct_array(pa.array(buffer, type=pa.struct(schema)))
        except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError, UnicodeEncodeError):
            arrays = []
            for column, field in zip(zip(*buffer, strict=True), schema, strict=True):
                try:
                    arrays.append(pa.array(column, type=field.type))
                except (pa.ArrowTypeError, pa.ArrowInvalid, OverflowError, UnicodeEncodeError):
                    arrays.append(pa.array(self._as_text(field.name, column, buffer), type=field.type))
            batch = pa.RecordBatch.from_arrays(arrays, schema=schema)
        self._writer(table).write_batch(batch)
        self.counts[table] += len(buffer)
        self.rows[table] = []

    def _as_text(self, name: str, column: tuple[Any, ...], buffer: list[tuple[Any, ...]]) -> list[str | None]:
        """A column's values as text; values that have none are reported at their row and become null."""
        out: list[str | None] = []
        for value, row in zip(column, buffer, strict=True):
            if isinstance(value, str) and not _encodes(value):
                self._report("not valid Unicode (a lone surrogate escape)", name, value, row)
                out.append(None)
            elif value is None or isinstance(value, str):
                out.append(value)
            elif isinstance(value, bool):
                out.append("true" if value else "false")
            elif isinstance(value, int):
                out.append(str(value))
            elif isinstance(value, float) and not name.endswith("_id"):
                out.append(repr(value))
            else:
                is_id = name.endswith("_id")
                self._report(
                    "an id must be a string (or an integer)" if is_id else "expected a single value", name, value, row
                )
                out.append(None)
        return out

    def _report(self, message: str, column: str, value: Any, row: tuple[Any, ...]) -> None:
        path, line, number = row[-3:]
        self.report.add(DataError(message, path=path, line=line, row=number, column=column, value=value))

    def close(self) -> dict[str, Path]:
        """Flush and close every table (an empty file when none was staged); the files by table name."""
        for table in list(self.rows):
            self._flush(table)
            if not self.closed:
                self._writer(table)
        self.closed = True
        files = {}
        for table, writer in sorted(self._writers.items()):
            writer.close()
            files[table] = self.work_dir / f"{table}.parquet"
        self._writers = {}
        return files


def _encodes(text: str) -> bool:
    """Whether text is valid Unicode (JSON escapes can spell lone surrogates, which UTF-8 cannot hold)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
