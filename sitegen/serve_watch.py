"""`sitegen serve`'s session: build once, watch the project's inputs, rebuild after each batch of changes.

Directories (content, data, templates) are watched with watchfiles; sitegen.toml and datasets outside them
are polled by stat. Output, staging, caches and editor leftovers trigger nothing. Each outcome goes to the
open pages through BuildEvents; a failed build leaves the last good site in place.
"""

from __future__ import annotations

import errno
import hashlib
import ipaddress
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import watchfiles

from .config import FILENAME, Config, load_config
from .errors import SitegenError
from .serve_events import BuildEvents

if TYPE_CHECKING:
    from .serve import SiteServer

WATCH_STEP_MS, WATCH_DEBOUNCE_MS, POLL_MS = 50, 1_000, 500
_EDITOR_LEFTOVERS = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".part", ".crdownload")

Log = Callable[[str, bool], None]  # (message, is_error)


def _print(message: str, is_error: bool) -> None:
    print(message, file=sys.stderr if is_error else sys.stdout, flush=True)


def is_source_change(path: Path, project_dir: Path, output_dir: Path) -> bool:
    """Whether a changed path is an input of the build (not output, staging, caches or editor leftovers)."""
    for generated in (output_dir, output_dir.parent / f".{output_dir.name}.staging"):
        if path == generated or path.is_relative_to(generated):
            return False
    parts = path.relative_to(project_dir).parts if path.is_relative_to(project_dir) else (path.name,)
    if any(part.startswith(".") or part == "__pycache__" for part in parts):  # .sitegen/, .git, .#x, .x.swp
        return False
    name = path.name
    return not (name.endswith(_EDITOR_LEFTOVERS) or (name.startswith("#") and name.endswith("#")) or name == "4913")


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


# --- one serve session ------------------------------------------------------------------------------


class LiveSite:
    """One `sitegen serve` session: the HTTP server, the watcher, and the builds they trigger."""

    def __init__(
        self,
        project_dir: Path,
        *,
        host: str = "127.0.0.1",
        overrides: dict[str, Any] | None = None,
        log: Log = _print,
    ) -> None:
        self.project_dir = project_dir
        self.overrides = dict(overrides or {})
        self.config: Config = load_config(project_dir, self.overrides)
        self.host, self.log = host, log
        self.events = BuildEvents()
        self.builds = 0
        self.server: SiteServer | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._serving = threading.Event()
        self._watching = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        if self.server.wildcard:
            host = "[::1]" if ":" in self.host else "127.0.0.1"
        else:
            host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.server.port}/"

    def start(self, port: int) -> None:
        """Bind the port, build once, and start watching; serve_forever() then answers requests."""
        from .serve import SiteServer  # here, not at the top: serve.py imports this module

        try:
            self.server = SiteServer((self.host, port), self.config.output_dir, self.events)
        except OSError as exc:
            hint = f"; try --port {port + 1}" if exc.errno == errno.EADDRINUSE else ""
            raise SitegenError(f"cannot serve on {self.host}:{port}: {exc.strerror or exc}{hint}") from None
        if not _is_loopback(self.host):
            self.log(f"warning: serving on {self.host}: other machines on the network can read the drafts", True)
        self.rebuild()
        self._watcher = threading.Thread(target=self._watch, name="sitegen-watch", daemon=True)
        self._watcher.start()
        self._watching.wait(timeout=10)  # edits from now on are seen

    def serve_forever(self) -> None:
        """Answer requests until close() (from another thread) or Ctrl-C."""
        assert self.server is not None
        with self._lock:
            if self._stop.is_set():
                return
            self._serving.set()
        try:
            self.server.serve_forever(poll_interval=0.2)
        finally:
            self._serving.clear()

    def close(self) -> None:
        """Stop watching, end the event streams, close the socket."""
        with self._lock:  # serve_forever() either has started, or never will
            self._stop.set()
            serving = self._serving.is_set()
        self.events.close()
        if self.server is not None:
            if serving:
                self.server.shutdown()
            self.server.server_close()
        if self._watcher is not None:
            self._watcher.join(timeout=2)  # a build in progress finishes or is abandoned safely (staged)

    def rebuild(self, changed: Sequence[str] = ()) -> bool:
        """Build once; tell open pages to reload, or show them the error over the last good site."""
        from .build import build

        if changed:
            more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            self.log(f"changed: {', '.join(changed[:3])}{more}; rebuilding", False)
        before = self._manifest()
        shown: list[float] = []  # when the new pages were in place (the search index and clean-up may follow)

        def pages_written() -> None:
            self._use_output()
            self._reload(before)
            shown.append(time.perf_counter())

        started = time.perf_counter()
        try:
            summary = build(self.project_dir, self.overrides, on_pages=pages_written)
        except SitegenError as exc:
            return self._failed(f"error: {exc.located()}", exc.located())
        except Exception as exc:  # noqa: BLE001 - a bug in the build must not take the preview down
            return self._failed(traceback.format_exc().rstrip(), f"internal error: {type(exc).__name__}: {exc}")
        self.builds += 1
        self._use_output()
        for warning in summary.warnings:
            self.log(f"warning: {warning}", True)
        after = self._manifest()
        unchanged = ", output unchanged" if after == before else ""
        finished = time.perf_counter()
        early = f" (shown after {shown[0] - started:.1f}s)" if shown and finished - shown[0] > 0.1 else ""
        self.log(f"built {summary.pages} pages in {summary.seconds:.1f}s{early}{unchanged}", False)
        if not shown:
            self._reload(before)
        return True

    def _use_output(self) -> None:
        """Serve the output directory of the configuration the build just used."""
        try:
            self.config = load_config(self.project_dir, self.overrides)
        except SitegenError:
            pass  # sitegen.toml changed again since the build read it; the next build reports it
        if self.server is not None:
            self.server.site_dir = self.config.output_dir

    def _reload(self, before: bytes) -> None:
        """Tell open pages to reload when the output changed since `before`, or to drop an error overlay."""
        after = self._manifest()
        if after != before or self.events.error is not None:
            self.events.succeeded(hashlib.sha256(after).hexdigest()[:16])

    def _failed(self, terminal: str, message: str) -> bool:
        self.log(f"{terminal}\n(still serving the last good build)", True)
        self.events.failed(message)
        return False

    def _manifest(self) -> bytes:
        try:
            return (self.config.output_dir / "manifest.sha256").read_bytes()
        except OSError:
            return b""

    def _watch_roots(self) -> tuple[Path, ...]:
        config = self.config
        return tuple(sorted({d for d in (config.content_dir, config.data_dir, config.templates_dir) if d.is_dir()}))

    def _polled(self) -> dict[Path, tuple[int, int, int] | None]:
        """sitegen.toml and datasets outside the watched directories, checked by stat every POLL_MS."""
        dirs = (self.config.content_dir, self.config.data_dir, self.config.templates_dir)
        files = [self.config.project_dir / FILENAME]
        files += [p for p in self.config.datasets.values() if not any(p.is_relative_to(d) for d in dirs)]
        return {path: _signature(path) for path in sorted(set(files))}

    def _relevant(self, _change: watchfiles.Change, path: str) -> bool:
        return is_source_change(Path(path), self.config.project_dir, self.config.output_dir)

    def _shown(self, path: Path) -> str:
        project = self.config.project_dir
        return path.relative_to(project).as_posix() if path.is_relative_to(project) else str(path)

    def _watch(self) -> None:
        """Rebuild after each batch of changes; restart the watch when the watched directories change."""
        polled = self._polled()
        while not self._stop.is_set():
            roots = self._watch_roots()
            if not roots:
                self._watching.set()
                self._stop.wait(POLL_MS / 1000)
                continue
            try:
                batches = watchfiles.watch(
                    *roots,
                    watch_filter=self._relevant,
                    stop_event=self._stop,
                    debounce=WATCH_DEBOUNCE_MS,
                    step=WATCH_STEP_MS,
                    rust_timeout=POLL_MS,
                    yield_on_timeout=True,
                    raise_interrupt=False,
                )
                for changes in batches:
                    self._watching.set()
                    now = self._polled()
                    changed = {self._shown(Path(p)) for _, p in changes}
                    changed |= {self._shown(p) for p in now.keys() | polled.keys() if now.get(p) != polled.get(p)}
                    polled = now  # taken before the build: an edit made during it triggers the next one
                    moved = self._watch_roots() != roots
                    if changed or moved:
                        self.rebuild(sorted(changed) or ["a watched directory"])
                    if moved or self._watch_roots() != roots:
                        break
            except (OSError, RuntimeError) as exc:  # a watched directory vanished as the watch started
                self.log(f"watching paused: {exc}", True)
                self._stop.wait(POLL_MS / 1000)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
