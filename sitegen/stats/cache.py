"""The statistics cache: a result is reused when its definition, the code and its input tables are unchanged.

Each entry is `<key>.json` (the result's fields) and, for results with a table, `<key>.parquet`. The key is
the sha256 of the kind, its parameters, the source of the stats package, the engine, and the sha256 of every
table the kind may read. Frames go through Arrow both when computed and when loaded, so a cached build and
a clean build render the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import __version__
from ..data import Data
from .model import StatDef, StatResult

CACHE_VERSION = 1
_FIELDS = ("numerator", "denominator", "notes", "filters", "definition", "numerator_text", "denominator_text")


def stats_cache_dir(project_dir: Path) -> Path:
    """Where a project's cached statistics live: <project>/.sitegen/cache/stats/."""
    return project_dir / ".sitegen" / "cache" / "stats"


def _code_digest() -> str:
    package = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*package.glob("*.py"), package.parent / "engine.py", package.parent / "numbers.py"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


CODE_DIGEST = _code_digest()


def normalized(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """A frame as it comes back from Parquet: computed and cached results then compare (and print) alike."""
    if frame is None:
        return None
    return pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False).to_pandas()


def _plain(value: Any) -> Any:
    """Parameters as canonical JSON-ready values (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _encode(value: Any) -> Any:
    if hasattr(value, "item") and not isinstance(value, (dt.date, str)):
        value = value.item()  # a NumPy scalar
    if value is None:
        return None
    if isinstance(value, bool):
        return {"bool": value}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return {"str": str(value)}


def _decode(value: Any) -> Any:
    if value is None:
        return None
    ((kind, raw),) = value.items()
    if kind == "date":
        return dt.date.fromisoformat(raw)
    if kind == "datetime":
        return dt.datetime.fromisoformat(raw)
    return {"bool": bool, "int": int, "float": float, "str": str}[kind](raw)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class StatsCache:
    """Cached results of one project, keyed by definition, code and input checksums."""

    def __init__(self, directory: Path, data: Data) -> None:
        self.directory = directory
        self.data = data
        self.hits = 0
        self.misses = 0

    def key(self, definition: StatDef, inputs: tuple[str, ...]) -> str:
        """The cache key of a declared statistic, given the tables its kind may read."""
        tables = {name: self.data.tables[name].sha256 if name in self.data.tables else None for name in inputs}
        identity = {
            "version": CACHE_VERSION,
            "code": CODE_DIGEST,
            "engine": self.data.engine.name,
            "kind": definition.kind,
            "params": _plain(definition.params),
            "tables": tables,
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def load(self, definition: StatDef, key: str) -> StatResult | None:
        """The cached result for key, relabelled for this declaration; None when absent or unreadable.

        `illustrative` is left False: the caller sets it from the tables as they are now."""
        path = self.directory / f"{key}.json"
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            frame = pq.read_table(self.directory / stored["frame"]).to_pandas() if stored.get("frame") else None
            window = stored.get("window")
            cached = StatResult(
                id=definition.id,
                kind=definition.kind,
                label=definition.label,
                format=definition.format,
                value=_decode(stored["value"]),
                inputs=tuple(stored["inputs"]),
                illustrative=False,
                window=(dt.date.fromisoformat(window[0]), dt.date.fromisoformat(window[1])) if window else None,
                as_of=_date(stored.get("as_of")),
                frame=frame,
                numerator=stored["numerator"],
                denominator=stored["denominator"],
                notes=tuple(stored["notes"]),
                filters=tuple(stored["filters"]),
                definition=str(stored["definition"]),
                numerator_text=str(stored["numerator_text"]),
                denominator_text=str(stored["denominator_text"]),
            )
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            self.misses += 1
            return None
        self.hits += 1
        return cached

    def store(self, key: str, result: StatResult) -> None:
        """Write a result under key; files appear whole (written aside, then renamed) or not at all."""
        self.directory.mkdir(parents=True, exist_ok=True)
        entry: dict[str, Any] = {
            "value": _encode(result.value),
            "inputs": list(result.inputs),
            "window": [d.isoformat() for d in result.window] if result.window else None,
            "as_of": result.as_of.isoformat() if result.as_of else None,
            "frame": None,
            **{name: list(v) if isinstance(v := getattr(result, name), tuple) else v for name in _FIELDS},
        }
        if result.frame is not None:
            entry["frame"] = f"{key}.parquet"
            staging = self.directory / f".{key}.parquet.{os.getpid()}"
            pq.write_table(pa.Table.from_pandas(result.frame, preserve_index=False), staging)
            os.replace(staging, self.directory / entry["frame"])
        staging = self.directory / f".{key}.json.{os.getpid()}"
        staging.write_text(json.dumps(entry, sort_keys=True, indent=1) + "\n", encoding="utf-8")
        os.replace(staging, self.directory / f"{key}.json")
