"""The data stage: make sure every dataset exists, open it on the engine, check it, record provenance."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .datapackage import read_datapackage, resources_by_name, sha256_file
from .errors import DataError
from .limits import check_file_size, over_limit
from .paths import check_inside
from .schema import TABLES
from .validate import ValidationReport, validate_tables

if TYPE_CHECKING:
    from .engine import Engine  # imported when the tables are opened: start_checks runs before Ibis is imported


@dataclass(frozen=True)
class TableInfo:
    """Where a table came from: its file, checksum, size, rows, and whether it is illustrative."""

    name: str
    path: str  # relative to the project, POSIX
    sha256: str
    bytes: int
    rows: int
    illustrative: bool
    sources: tuple[str, ...] = ()
    command: str = ""


@dataclass
class Data:
    """The project's tables, open on the engine, with their provenance."""

    engine: Engine
    tables: dict[str, TableInfo]
    warnings: tuple[str, ...] = ()  # what validation counted but did not refuse (e.g. unknown posts)

    @property
    def illustrative(self) -> bool:
        return any(t.illustrative for t in self.tables.values())


class TableChecks:
    """The tables' checksums and validation, made on a thread of their own once started (see start_checks)."""

    def __init__(self, config: Config, *, background: bool) -> None:
        self.config = config
        self._digests: Future[dict[str, str]] | None = None
        self._report: Future[ValidationReport] | None = None
        if background:
            worker = ThreadPoolExecutor(max_workers=1)
            self._digests = worker.submit(self._hash)
            self._report = worker.submit(self._validate)  # after the digests: its cache is keyed by them
            worker.shutdown(wait=False)  # its thread ends with the validation

    def digest(self, name: str) -> str:
        """The sha256 of a table's file."""
        return self._digests.result()[name] if self._digests else sha256_file(self.config.datasets[name])

    def report(self) -> ValidationReport:
        """What validating the tables against their schemas found."""
        return self._report.result() if self._report else self._validate()

    def _hash(self) -> dict[str, str]:
        return {name: sha256_file(path) for name, path in sorted(self.config.datasets.items())}

    def _validate(self) -> ValidationReport:
        return validate_tables(
            self.config.datasets,
            root=self.config.project_dir,
            digests=self._digests.result() if self._digests else self._hash(),
            cache_dir=self.config.project_dir / ".sitegen" / "cache" / "validate",
        )


def start_checks(config: Config) -> TableChecks:
    """Generate the illustrative tables when configured, then start checksumming and validating every table.

    Hashing and DuckDB let go of the GIL: `sitegen build` starts the checks before it imports Ibis, pandas
    and Altair, which take about as long on the other core. A dataset that load_data refuses before reading
    it (missing, too large, a symlink out of the project) is not read here: load_data reports it.
    """
    if config.generate is not None:
        ensure_generated(config)
    try:
        for name, path in config.datasets.items():
            _check_file(config, name, path)
    except DataError:
        return TableChecks(config, background=False)
    return TableChecks(config, background=True)


def load_data(config: Config, checks: TableChecks | None = None) -> Data:
    """Open and check every declared dataset (`checks` as start_checks returned them, else started here)."""
    from .engine import Engine

    checks = checks or start_checks(config)
    package = read_datapackage(config.data_dir)
    resources = resources_by_name(package)
    engine = Engine(config.engine, config.engine_settings)
    tables: dict[str, TableInfo] = {}
    for name, path in config.datasets.items():
        shown = _check_file(config, name, path)
        table = engine.open(name, path, shown)
        _check_columns(name, table.columns, shown)
        if path.suffix.lower() != ".parquet":
            engine.cast_text_columns(name, _types(name), path, shown)
        digest = checks.digest(name)
        resource = resources.get(name, {})
        recorded = str(resource.get("hash", "")).removeprefix("sha256:")
        if recorded and recorded != digest:
            raise DataError(
                f"dataset {name!r} changed since datapackage.json recorded it "
                f"(sha256 {digest[:12]}…, recorded {recorded[:12]}…); re-run the ingest or generate command",
                path=shown,
            )
        rows = engine.rows[name]  # casting a text table's columns keeps its rows
        if rows > config.limits.table_rows:
            raise over_limit(
                DataError, "table_rows", f"dataset {name!r} ({rows:,} rows)", config.limits.table_rows, path=shown
            )
        tables[name] = TableInfo(
            name=name,
            path=shown.as_posix(),
            sha256=digest,
            bytes=path.stat().st_size,
            rows=rows,
            illustrative=bool(resource.get("illustrative", False)),
            sources=tuple(resource.get("sources", ())),
            command=str(resource.get("command", "")),
        )
    report = checks.report()
    report.raise_for_errors()
    return Data(engine=engine, tables=tables, warnings=tuple(report.warnings))


def _check_file(config: Config, name: str, path: Path) -> Path:
    """Refuse a dataset before reading it: a symlink out of the project, missing, too large. Returns it as shown."""
    shown = path.relative_to(config.project_dir) if path.is_relative_to(config.project_dir) else path
    check_inside(path, config.project_dir, DataError)
    if not path.is_file():
        raise DataError(f"dataset {name!r} not found (declared in sitegen.toml [datasets])", path=shown)
    check_file_size(path, shown, "table_bytes", config.limits.table_bytes, DataError, f"dataset {name!r}")
    return shown


def _check_columns(name: str, columns: tuple[str, ...] | list[str], shown: Path) -> None:
    """A normalized table must carry every required column of its schema."""
    schema = TABLES.get(name)
    if schema is None:
        return
    missing = [f.name for f in schema.fields if f.required and f.name not in columns]
    if missing:
        raise DataError(
            f"table {name!r} lacks required column(s) {', '.join(missing)} (has {', '.join(columns)})",
            path=shown,
        )


def _types(name: str) -> dict[str, str]:
    """Column -> engine type for the typed (non-string) fields of a normalized table."""
    types = {"datetime": "timestamp", "date": "date", "integer": "int64", "number": "float64", "boolean": "boolean"}
    schema = TABLES.get(name)
    return {f.name: types[f.type] for f in schema.fields if f.type in types} if schema else {}


def ensure_generated(config: Config) -> None:
    """Run the illustrative generator when its files are missing or were made with other parameters."""
    from .illustrative import GENERATOR_VERSION, write_illustrative

    spec = config.generate
    assert spec is not None
    package = read_datapackage(config.data_dir)
    wanted = {"name": "illustrative", "seed": spec.seed, "scale": spec.scale, "version": GENERATOR_VERSION}
    have = package.get("generator")
    files_present = all(path.is_file() for path in config.datasets.values())
    if have == wanted and files_present:
        return
    write_illustrative(config.data_dir, seed=spec.seed, scale=spec.scale)


CSV_ROW_LIMIT = 250_000  # larger tables are offered as Parquet only: a CSV would be too big to download


def start_table_downloads(config: Config, data: Data, cache_dir: Path) -> Callable[[], dict[str, bytes]]:
    """Start making the files for the data page; the function returned waits for them (path -> bytes).

    Each table as published (and as CSV when small), and datapackage.json. CSV exports are cached under
    cache_dir by the sha256 of the table they were made from. They are made from the local file on an
    embedded DuckDB, so they are the same whichever engine computed the statistics.

    The tables are read here: a DuckDB connection serves one thread at a time, and the statistics use it
    next. Writing them as CSV (about a second for the default project, mostly in Arrow, which lets go of
    the GIL) runs on a thread of its own meanwhile, on the core the statistics leave idle.
    """
    from .csvsafe import csv_text  # the same formula-safe CSV the charts use

    files: dict[str, bytes | tuple[Path, Any]] = {}  # path -> bytes, or (cache file, table to write if not cached)
    for name, info in sorted(data.tables.items()):
        source = config.project_dir / info.path
        files[f"data/{source.name}"] = source.read_bytes()
        if source.suffix.lower() != ".csv" and info.rows <= CSV_ROW_LIMIT:
            cached = cache_dir / f"{info.sha256}.csv"
            frame = None
            if not cached.is_file():
                local = data.engine.local()  # the published file, read here whatever the engine
                table = local.tables[name] if name in local.tables else local.open(name, source, Path(info.path))
                frame = local.frame(table)
            files[f"data/{name}.csv"] = (cached, frame)

    def export(cached: Path, frame: Any) -> bytes:
        if frame is not None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(".tmp")
            partial.write_bytes(csv_text(frame).encode("utf-8"))
            partial.replace(cached)
        return cached.read_bytes()

    writer = ThreadPoolExecutor(max_workers=1)
    made = {path: writer.submit(export, *todo) for path, todo in files.items() if isinstance(todo, tuple)}
    writer.shutdown(wait=False)  # its thread ends with the last table

    def finished() -> dict[str, bytes]:
        done = {path: made[path].result() if path in made else todo for path, todo in files.items()}
        return {**done, **package_file(config)}  # type: ignore[dict-item]

    return finished


def package_file(config: Config) -> dict[str, bytes]:
    """datapackage.json as published on the data page, when the project has one."""
    package = config.data_dir / "datapackage.json"
    return {"data/datapackage.json": package.read_bytes()} if package.is_file() else {}
