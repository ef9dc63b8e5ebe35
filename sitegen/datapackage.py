"""Read and describe `datapackage.json`: schemas and provenance of the project's tables."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import DataError
from .schema import TABLES

FILENAME = "datapackage.json"


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_resource(
    path: Path,
    data_dir: Path,
    *,
    table: str,
    rows: int,
    sources: list[str],
    command: str,
    illustrative: bool,
    date_range: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    """A Frictionless data resource for one table file, with its provenance."""
    resource: dict[str, Any] = {
        "name": table,
        "path": path.relative_to(data_dir).as_posix(),
        "format": path.suffix.lstrip("."),
        "bytes": path.stat().st_size,
        "hash": "sha256:" + sha256_file(path),
        "rows": rows,
        "schema": TABLES[table].descriptor() if table in TABLES else {},
        "sources": sorted(set(sources)),
        "command": command,
        "illustrative": illustrative,
    }
    first, last = date_range
    if first or last:
        resource["temporal"] = {"start": first, "end": last}
    return resource


def read_datapackage(data_dir: Path) -> dict[str, Any]:
    """The package descriptor in data_dir, or an empty package when there is none."""
    path = data_dir / FILENAME
    if not path.exists():
        return {"resources": []}
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from None
    except UnicodeDecodeError:
        raise DataError("not valid UTF-8", path=path) from None
    if not isinstance(package, dict) or not isinstance(package.get("resources", []), list):
        raise DataError("expected an object with a list of 'resources'", path=path)
    package.setdefault("resources", [])
    return package


def resources_by_name(package: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The package's resources keyed by table name."""
    return {r["name"]: r for r in package["resources"] if isinstance(r, dict) and "name" in r}


def package_json(package: dict[str, Any]) -> str:
    """Serialize a package deterministically: resources sorted by name, keys sorted."""
    ordered = dict(package)
    ordered["resources"] = sorted(package.get("resources", []), key=lambda r: r.get("name", ""))
    return json.dumps(ordered, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write a table as Parquet deterministically (same table, same bytes), atomically."""
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=1 << 20, store_schema=True)
    tmp.replace(path)


def write_datapackage(data_dir: Path, package: dict[str, Any]) -> None:
    """Replace data_dir/datapackage.json atomically."""
    path = data_dir / FILENAME
    tmp = path.with_name(f".{FILENAME}.tmp")
    tmp.write_text(package_json(package), encoding="utf-8")
    tmp.replace(path)
