"""The query engine: the one place that connects Ibis to a backend and opens the tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from .errors import DataError

READERS = {".parquet": "read_parquet", ".csv": "read_csv", ".jsonl": "read_json", ".json": "read_json"}


class Engine:
    """An Ibis connection and the project's tables opened on it."""

    def __init__(self, name: str = "duckdb") -> None:
        self.name = name
        if name == "duckdb":
            self.con: Any = ibis.duckdb.connect(threads=2)
        else:
            raise DataError(f"engine {name!r} is not available here (choose duckdb)")
        self.tables: dict[str, ir.Table] = {}

    def open(self, name: str, path: Path, shown_as: Path) -> ir.Table:
        """Open a table file under `name`; unreadable files raise a DataError naming the file."""
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            raise DataError(f"unsupported file type {path.suffix!r} (use Parquet, CSV or JSONL)", path=shown_as)
        options: dict[str, Any] = {}
        if reader == "read_csv":
            options = {"all_varchar": True, "header": True}
        try:
            table = getattr(self.con, reader)(str(path), table_name=name, **options)
            table.count().execute()  # force a read so a corrupt file fails here, located
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001 - the backend raises many types; all mean "unreadable"
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(f"cannot read this file: {first}", path=shown_as) from None
        self.tables[name] = table
        return table

    def cast_text_columns(self, name: str, types: dict[str, str], shown_as: Path) -> ir.Table:
        """Cast a text table's typed columns; the first value that does not parse is a located error."""
        table = self.tables[name]
        present = {c: t for c, t in types.items() if c in table.columns}
        if not present:
            return table
        numbered = table.mutate(_line=ibis.row_number() + 2)  # 1-based, after the header line
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

    def table(self, name: str) -> ir.Table:
        """An opened table by name."""
        return self.tables[name]

    def scalar(self, expr: ir.Scalar) -> Any:
        """Execute a scalar expression and return a plain Python value."""
        value = expr.execute()
        return value.item() if hasattr(value, "item") else value

    def frame(self, expr: ir.Table) -> Any:
        """Execute a (small, aggregated) table expression into pandas."""
        return expr.execute()
