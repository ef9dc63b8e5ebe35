"""`sitegen ingest`: read raw data into the project's normalized tables (Parquet) and datapackage.json."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..validate import DEFAULT_CAP
from .io_archive import read_io_archive
from .lookup import parse_check_date, read_lookup
from .readers import MAX_CELL_BYTES
from .store import Ingest, IngestResult, TableChange
from .table import parse_map, read_table
from .twarc2 import read_twarc2

__all__ = [
    "IngestResult",
    "TableChange",
    "cell_limit",
    "data_dir_for",
    "ingest_io_archive",
    "ingest_lookup",
    "ingest_table",
    "ingest_twarc2",
    "parse_map",
]


def data_dir_for(project: Path) -> Path:
    """The project's data dir: the one sitegen.toml names when there is a config, else `<project>/data`."""
    if (project / "sitegen.toml").is_file():
        try:
            from ..config import load_config
        except ImportError:  # a checkout without the config module
            return project / "data"
        return Path(getattr(load_config(project), "data_dir", project / "data"))
    return project / "data"


def cell_limit(project: Path, given: int | None) -> int:
    """--max-cell-bytes when given, else `[limits] ingest_cell_bytes` of the project's sitegen.toml."""
    if given is not None:
        return given
    if (project / "sitegen.toml").is_file():
        from ..config import load_config

        return load_config(project).limits.ingest_cell_bytes
    return MAX_CELL_BYTES


def source_name(path: Path, root: Path | None) -> str:
    """How datapackage.json names an input: relative to the project when inside it, else its file name."""
    resolved = path.resolve()
    if root is not None and resolved.is_relative_to(root.resolve()):
        return resolved.relative_to(root.resolve()).as_posix()
    return path.name


def _ingest(
    data_dir: Path,
    files: list[Path],
    read: Callable[[Ingest], dict[str, int]],
    *,
    command: str | None,
    words: list[str],
    root: Path | None,
    cap: int,
) -> IngestResult:
    """Run one ingest; the command recorded defaults to `sitegen ingest KIND SOURCES OPTIONS`."""
    sources = [source_name(f, root) for f in files]
    command = command or " ".join(["sitegen", "ingest", words[0], *sources, *words[1:]])
    with Ingest(data_dir, command=command, cap=cap) as job:
        counts = read(job)
        return job.commit(sources, counts)


def ingest_twarc2(
    data_dir: Path,
    files: Sequence[Path],
    *,
    root: Path | None = None,
    command: str | None = None,
    cap: int = DEFAULT_CAP,
    max_cell_bytes: int = MAX_CELL_BYTES,
) -> IngestResult:
    """Ingest twarc2 JSONL (response pages or flattened tweets): tweets, retweets, quotes, replies, users."""
    paths = [Path(f) for f in files]
    return _ingest(
        data_dir,
        paths,
        lambda job: read_twarc2(paths, job.staging, job.report, max_cell_bytes=max_cell_bytes),
        command=command,
        words=["twarc2"],
        root=root,
        cap=cap,
    )


def ingest_lookup(
    data_dir: Path,
    files: Sequence[Path],
    *,
    checked_at: str | None = None,
    root: Path | None = None,
    command: str | None = None,
    cap: int = DEFAULT_CAP,
    max_cell_bytes: int = MAX_CELL_BYTES,
) -> IngestResult:
    """Ingest account-status lookups (twarc2 user lookups or account_id,status[,checked_at] CSV)."""
    paths = [Path(f) for f in files]
    when = parse_check_date(checked_at) if checked_at else None
    return _ingest(
        data_dir,
        paths,
        lambda job: read_lookup(paths, job.staging, job.report, checked_at=when, max_cell_bytes=max_cell_bytes),
        command=command,
        words=["lookup", *(["--checked-at", checked_at] if checked_at else [])],
        root=root,
        cap=cap,
    )


def ingest_io_archive(
    data_dir: Path,
    files: Sequence[Path],
    *,
    network: str | None = None,
    root: Path | None = None,
    command: str | None = None,
    cap: int = DEFAULT_CAP,
    max_cell_bytes: int = MAX_CELL_BYTES,
) -> IngestResult:
    """Ingest a Twitter information-operations archive (tweets and users CSVs, hashed ids kept as text)."""
    paths = [Path(f) for f in files]
    return _ingest(
        data_dir,
        paths,
        lambda job: read_io_archive(paths, job.staging, job.report, network=network, max_cell_bytes=max_cell_bytes),
        command=command,
        words=["io-archive", *(["--network", network] if network else [])],
        root=root,
        cap=cap,
    )


def ingest_table(
    data_dir: Path,
    files: Sequence[Path],
    table: str,
    *,
    mapping: dict[str, str] | None = None,
    root: Path | None = None,
    command: str | None = None,
    cap: int = DEFAULT_CAP,
    max_cell_bytes: int = MAX_CELL_BYTES,
) -> IngestResult:
    """Ingest plain CSV, JSONL or Parquet files that already hold accounts, posts or engagements."""
    paths = [Path(f) for f in files]
    maps = [f"--map {column}={field}" for column, field in (mapping or {}).items()]
    return _ingest(
        data_dir,
        paths,
        lambda job: read_table(paths, table, job.staging, job.report, mapping=mapping, max_cell_bytes=max_cell_bytes),
        command=command,
        words=["table", "--as", table, *maps],
        root=root,
        cap=cap,
    )
