"""The no-change fast path: one key over every input of a build, checked before any heavy import.

The key hashes the configuration (sitegen.toml and the command-line overrides), every file under content/,
templates/ and the data directory (and any dataset declared elsewhere), sitegen's own code and theme, the
installed distributions, the Python version and SOURCE_DATE_EPOCH. File hashes come from a stat cache of
(size, mtime_ns, ctime_ns, inode) -> sha256 (ctime cannot be set back, unlike mtime); a file changed in the
last few seconds is always hashed again, so an edit that keeps the size within the file system's timestamp
granularity is not missed. After a successful
build the key is stored with the summary and the (size, mtime_ns) of every output file; when the next
build's key is equal and the output still has those stats, nothing can differ and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import __version__
from .config import Config
from .write import MANIFEST, MARKER

STATE_VERSION = 1
RACY_NS = 3_000_000_000  # files modified this recently are hashed again, whatever their stat says
PACKAGE = Path(__file__).resolve().parent
Stat = tuple[int, int]  # (size, mtime_ns) of an output file


def cache_root(project_dir: Path) -> Path:
    """The project's cache directory (.sitegen/cache); `--clean` removes it."""
    return project_dir / ".sitegen" / "cache"


class BuildState:
    """The input key of a build of one project into one output directory, and what the last build recorded."""

    def __init__(self, config: Config, overrides: dict[str, Any] | None) -> None:
        self.config = config
        out = str(config.output_dir.resolve())
        self.dir = cache_root(config.project_dir) / "build"
        self.path = self.dir / f"{hashlib.sha256(out.encode()).hexdigest()[:16]}.json"
        self.hashes = _StatCache(self.dir / "file-hashes.json")
        self.key, self.results_key = self._keys(overrides)
        self.hashes.save()
        self.previous = self._load()

    def _keys(self, overrides: dict[str, Any] | None) -> tuple[str, str]:
        """The key of every input, and the key of the inputs of the results (all but pages and templates)."""
        config = self.config
        digest, results = hashlib.sha256(), hashlib.sha256()
        fixed = {
            "state": STATE_VERSION,
            "sitegen": __version__,
            "python": sys.version,
            "output": str(config.output_dir.resolve()),
            "overrides": {k: v for k, v in sorted((overrides or {}).items()) if v is not None},
            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
            "distributions": sorted(_distributions()),
        }
        for each in (digest, results):
            each.update(json.dumps(fixed, sort_keys=True, default=str).encode())
        project = config.project_dir
        roots = [
            ("code", PACKAGE),
            ("project", project / "sitegen.toml"),
            ("project", config.content_dir),
            ("project", config.templates_dir),
            ("project", config.data_dir),
            *(("project", path) for path in config.datasets.values()),
        ]
        seen: set[Path] = set()
        for label, root in roots:
            base = PACKAGE if label == "code" else project
            for path in _files(root):
                if path in seen:
                    continue
                seen.add(path)
                try:
                    shown = path.relative_to(base).as_posix()
                except ValueError:
                    shown = str(path)
                line = f"{label}:{shown}\0{self.hashes.sha256(path)}\n".encode()
                digest.update(line)
                page = path.suffix == ".md" and path.is_relative_to(config.content_dir)
                if not page and not path.is_relative_to(config.templates_dir):
                    results.update(line)
            line = f"{label}:{root.name} exists={root.exists()}\n".encode()
            digest.update(line)
            results.update(line)
        return digest.hexdigest(), results.hexdigest()

    def _load(self) -> dict[str, Any]:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) and state.get("version") == STATE_VERSION else {}

    def outputs(self) -> dict[str, Stat]:
        """(size, mtime_ns) of each output file as the last successful build left it (any key)."""
        recorded = self.previous.get("outputs", {})
        return {path: (int(s[0]), int(s[1])) for path, s in recorded.items()} if isinstance(recorded, dict) else {}

    def up_to_date(self) -> dict[str, Any] | None:
        """The last build's summary when its key equals this one and its output is as it left it."""
        if self.previous.get("key") != self.key:
            return None
        outputs = self.outputs()
        if not outputs or output_stats(self.config.output_dir, list(outputs)) != outputs:
            return None
        summary = self.previous.get("summary")
        return summary if isinstance(summary, dict) else None

    def record(self, summary: dict[str, Any]) -> None:
        """Store the key, the summary and the output's file stats after a successful build."""
        out = self.config.output_dir
        try:
            listed = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
        except OSError:
            return
        paths = [line.split("  ", 1)[1] for line in listed if "  " in line] + [MANIFEST, MARKER]
        state = {"version": STATE_VERSION, "key": self.key, "summary": summary, "outputs": output_stats(out, paths)}
        _write_json(self.path, state)


def output_stats(output_dir: Path, paths: list[str]) -> dict[str, Stat]:
    """(size, mtime_ns) of each path under output_dir; a missing file is (-1, -1)."""
    stats: dict[str, Stat] = {}
    for path in paths:
        try:
            st = os.stat(output_dir / path)
        except OSError:
            stats[path] = (-1, -1)
            continue
        stats[path] = (st.st_size, st.st_mtime_ns)
    return stats


def _files(root: Path) -> Iterator[Path]:
    """Every file at or under root (dotfiles, dot-directories and __pycache__ left out), sorted."""
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        return
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(directory) / name


def _distributions() -> Iterator[str]:
    """Names (with versions) of the installed distributions on sys.path: an upgrade changes the key."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        yield from (name for name in names if name.endswith((".dist-info", ".egg-info")))


class _StatCache:
    """sha256 of files, remembered by (size, mtime_ns, ctime_ns, inode) between builds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}
        self.old: dict[str, list[Any]] = loaded if isinstance(loaded, dict) else {}
        self.new: dict[str, list[Any]] = {}
        self.now = time.time_ns()

    def sha256(self, path: Path) -> str:
        """The file's sha256, from the cache when its stat is unchanged and not recent."""
        st = os.stat(path)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        key = str(path)
        cached = self.old.get(key)
        if cached is not None and cached[:4] == stamp:
            digest = str(cached[4])
        else:
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if self.now - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
            self.new[key] = [*stamp, digest]
        return digest

    def save(self) -> None:
        """Keep the entries of this build's files (old files drop out)."""
        if self.new != self.old:
            _write_json(self.path, self.new)


def _write_json(path: Path, value: Any) -> None:
    """Write JSON atomically (a stopped build never leaves half a state file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(value, sort_keys=True), encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass  # a cache that cannot be written only costs the next build its fast path
