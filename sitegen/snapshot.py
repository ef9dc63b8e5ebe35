"""The results of a build on disk, which a new process reads back without the data stack.

A build after an edited page needs the results of the last one (statistics, findings, charts, downloads),
not the engine that computed them: importing pandas, Ibis, DuckDB, pyarrow and Altair and opening the
tables takes seconds, rendering the page a fraction of one. After the data stages ran, their results are
written here keyed by the results key (which hashes every input of those stages, see BuildState); a later
process with the same key renders from them (under `serve` the results stay in memory as well).

In the snapshot each result object (statistic, finding, source, chart, table info) is a Record of its
fields and properties, and each DataFrame a Table of its columns and rows: what pages and templates read.
What they cannot stand in for fails rather than differs (printing a result object or a table, a table's
truth value, a method of either): a render that fails on a snapshot runs the data stages and renders again.
Every value must be plain Python (str, int, float, bool, None, bytes, dates, and tuples, lists and dicts
of them), else no snapshot is written. The file holds the key and the sha256 of the pickled results, and
is read by an unpickler that makes nothing but those types: a stale, truncated, corrupt or foreign file is
ignored, never trusted.

The downloads (the published tables, tens of megabytes) are files of their own beside it, named by their
sha256 and checked against it when read: a build after a changed table writes that table's files alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import os
import pickle
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .write import remember_digest

if TYPE_CHECKING:
    from .render import Results

SNAPSHOT_VERSION = 1
_MAGIC = b"sitegen-cache"
_PLAIN = (str, int, float, bool, bytes, dt.date, type(None))
_LOADABLE = {  # (module, name) of every class the snapshot's pickle may make
    ("sitegen.snapshot", "Record"),
    ("sitegen.snapshot", "Table"),
    ("sitegen.snapshot", "Columns"),
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
}
_SHA256 = re.compile("[0-9a-f]{64}")  # the name of a download's file
RESULT_FIELDS = ("data", "stats", "sources", "findings", "charts", "downloads")


class Unsupported(Exception):
    """A value that is not plain Python (a snapshot of it would need its library to load)."""


class Table:
    """A DataFrame as pages read it: its column names, its length and its rows."""

    def __init__(self, columns: tuple[Any, ...], records: list[dict[str, Any]]) -> None:
        self.columns = columns
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __bool__(self) -> bool:
        raise ValueError("the truth value of a table is ambiguous")  # as pandas says of a DataFrame

    def __str__(self) -> str:
        raise TypeError("a snapshot's table cannot be printed as its DataFrame would be")

    def to_dict(self, orient: str) -> list[dict[str, Any]]:
        """The rows as DataFrame.to_dict(orient="records") gives them (the one form sitegen reads)."""
        if orient != "records":
            raise ValueError(f"a snapshot's table has its rows as records only, not {orient!r}")
        return [dict(row) for row in self.records]


class Columns(tuple[Any, ...]):
    """A table's column names: iterated, counted and joined as a DataFrame's are, never printed (an Index prints
    differently)."""

    __slots__ = ()

    def __str__(self) -> str:
        raise TypeError("a snapshot's column names cannot be printed as the DataFrame's Index would be")


class Record:
    """A result object (a statistic, finding, chart...) as pages read it: its fields and properties."""

    def __init__(self, of: str, attributes: dict[str, Any]) -> None:
        self.__dict__.update(attributes)
        self.record_of = of  # the class it was made from, e.g. "StatResult"

    def __str__(self) -> str:
        raise TypeError(f"a snapshot's {self.record_of} cannot be printed as the object would be")


def results_path(cache_dir: Path) -> Path:
    """The one snapshot a project keeps (the last build's results), under its cache."""
    return cache_dir / "results.pickle"


def write_snapshot(path: Path, results_key: str, results: Results) -> None:
    """Write the results atomically under results_key; nothing (and no older snapshot) when one is not plain."""
    try:
        made: dict[int, Any] = {}
        snapshot = {name: plain(getattr(results, name), made) for name in RESULT_FIELDS if name != "data"}
        data = results.data
        snapshot["data"] = None
        if data is not None:  # the tables' provenance; the engine that opened them stays behind
            fields = {"tables": data.tables, "warnings": data.warnings, "illustrative": data.illustrative}
            snapshot["data"] = Record(type(data).__name__, plain(fields, made))
        snapshot["downloads"] = {
            name: hashlib.sha256(content).hexdigest() for name, content in results.downloads.items()
        }
        payload = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
    except Unsupported:
        path.unlink(missing_ok=True)
        return
    blobs = path.parent / "downloads"
    for name, digest in snapshot["downloads"].items():
        if not (blobs / digest).is_file():
            write_checked(blobs / digest, digest, results.downloads[name])
    try:
        for stale in blobs.iterdir():  # the downloads of earlier results
            if stale.name not in snapshot["downloads"].values():
                stale.unlink()
    except OSError:
        pass  # no downloads, or one gone meanwhile
    write_checked(path, f"results {SNAPSHOT_VERSION} {results_key}", payload)


def read_snapshot(path: Path, results_key: str) -> Results | None:
    """The results written under results_key, or None (no snapshot, another key, or a damaged file)."""
    from .render import Results

    payload = read_checked(path, f"results {SNAPSHOT_VERSION} {results_key}")
    if payload is None:
        return None
    try:
        snapshot = _Unpickler(io.BytesIO(payload)).load()
    except Exception:  # noqa: BLE001 - whatever a damaged file raises, it is not used
        return None
    if not isinstance(snapshot, dict) or set(snapshot) != set(RESULT_FIELDS):
        return None
    stored = snapshot["downloads"]
    if not isinstance(stored, dict) or not all(isinstance(d, str) and _SHA256.fullmatch(d) for d in stored.values()):
        return None
    downloads = {name: read_checked(path.parent / "downloads" / digest, digest) for name, digest in stored.items()}
    for name, content in downloads.items():
        if content is None:  # gone or damaged: removed, so that the next snapshot writes it again
            (path.parent / "downloads" / stored[name]).unlink(missing_ok=True)
            return None
        remember_digest(content, stored[name])  # just checked: the write stage need not hash it again
    snapshot["downloads"] = downloads
    # Records and Tables stand in for the result objects and DataFrames: they offer what pages read.
    return Results(**snapshot)


def write_checked(path: Path, key: str, payload: bytes) -> None:
    """Write payload atomically under a header of key and the payload's sha256 (see read_checked)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_bytes(b"\n".join([_MAGIC, key.encode(), _digest(payload), payload]))
        partial.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs the next build the work it would have saved


def read_checked(path: Path, key: str) -> bytes | None:
    """The payload written under key, or None: no file, another key, or a payload its sha256 does not match."""
    try:
        with path.open("rb") as handle:  # the header line by line, so the payload is not copied to split it
            header = [handle.readline().rstrip(b"\n") for _ in range(3)]
            payload = handle.read()
    except OSError:
        return None
    return payload if header == [_MAGIC, key.encode(), _digest(payload)] else None


def plain(value: Any, made: dict[int, Any]) -> Any:
    """value as plain Python: result objects as Records, DataFrames as Tables (`made` keeps shared ones shared)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dt.datetime:
        if value.tzinfo is None or type(value.tzinfo) is dt.timezone:
            return value
    elif kind in (tuple, list):
        return kind(plain(item, made) for item in value)
    elif kind is dict:
        return {plain(key, made): plain(item, made) for key, item in value.items()}
    elif id(value) in made:
        return made[id(value)]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        attributes = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        for name in dir(kind):
            if isinstance(getattr(kind, name), (property, cached_property)):
                attributes[name] = getattr(value, name)
        made[id(value)] = Record(kind.__name__, plain(attributes, made))
        return made[id(value)]
    elif kind.__name__ == "DataFrame" and kind.__module__.startswith("pandas"):
        records = plain(value.to_dict(orient="records"), made)
        made[id(value)] = Table(Columns(plain(tuple(value.columns), made)), records)
        return made[id(value)]
    raise Unsupported(f"{kind.__module__}.{kind.__qualname__}")


def is_snapshot(results: Results) -> bool:
    """Whether results were read from a snapshot (only results with data are written to one)."""
    return is_record_of(results.data, "Data")


def is_record_of(value: Any, class_name: str) -> bool:
    """Whether value is a snapshot's Record of an object of that class."""
    return isinstance(value, Record) and value.record_of == class_name


def _digest(payload: bytes) -> bytes:
    return hashlib.sha256(payload).hexdigest().encode()


class _Unpickler(pickle.Unpickler):
    """Makes only the snapshot's own types: a planted file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _LOADABLE:
            raise pickle.UnpicklingError(f"a results snapshot holds no {module}.{name}")
        return super().find_class(module, name)
