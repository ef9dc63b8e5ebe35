"""`sitegen serve`: build, serve the site on loopback, rebuild on every change, reload the open pages.

A preview for the author, not a web host. It serves only files inside the built site (no listings, no
dotfiles, nothing through a symlink that leaves the site), answers GET and HEAD only, and refuses Host
headers other than its own, so a web page cannot reach it through DNS rebinding. The live-reload script is
added to HTML as it is sent: the files on disk never contain it. The write stage swaps the whole output
directory in by rename, so each request resolves its file against the current directory and gets one
complete build, the last good one while a rebuild runs or after a rebuild failed.
"""

from __future__ import annotations

import errno
import hashlib
import ipaddress
import os
import queue
import secrets
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import watchfiles

from .config import FILENAME, Config, load_config
from .errors import SitegenError
from .write import MARKER

EVENTS_PATH = "/__sitegen/events"
SCRIPT_PATH = "/__sitegen/livereload.js"
SCRIPT_TAG = b'<script src="/__sitegen/livereload.js" defer></script>'
LIVERELOAD_JS = Path(__file__).parent / "theme" / "livereload.js"
KEEPALIVE_SECONDS = 15.0
SWAP_RETRIES = 50  # x 10 ms: how long a request waits for the write stage's two renames to finish
WATCH_STEP_MS, WATCH_DEBOUNCE_MS, POLL_MS = 50, 1_000, 500
_EDITOR_LEFTOVERS = ("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".part", ".crdownload")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".sha256": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".pdf": "application/pdf",
    ".parquet": "application/vnd.apache.parquet",
}

Log = Callable[[str, bool], None]  # (message, is_error)


def _print(message: str, is_error: bool) -> None:
    print(message, file=sys.stderr if is_error else sys.stdout, flush=True)


# --- what a request may read ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a request path names: a file inside the site, a redirect (directory without '/'), or nothing."""

    file: Path | None = None
    redirect: str | None = None


def resolve_target(root: Path, request_target: str) -> Target:
    """The file inside root that a request target names; anything doubtful names nothing."""
    path, _, query = request_target.partition("?")
    path = path.partition("#")[0]
    if not path.startswith("/") or "\\" in path or "\x00" in path:
        return Target()
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return Target()
    # One decoding only: a '%' left over is double encoding; no file sitegen writes has one.
    if any(c in "\\%:" or ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        return Target()
    parts = [part for part in decoded.split("/") if part]
    if any(part.startswith(".") for part in parts):  # '.', '..', and dotfiles kept beside the site
        return Target()
    site = Path(os.path.realpath(root))
    found = Path(os.path.realpath(site.joinpath(*parts)))
    if not found.is_relative_to(site):
        return Target()
    if found.is_dir():
        if parts and not decoded.endswith("/"):
            location = "/" + "/".join(quote(part, safe="") for part in parts) + "/"
            return Target(redirect=location + (f"?{query}" if query else ""))
        found = Path(os.path.realpath(found / "index.html"))
        if not found.is_relative_to(site):
            return Target()
    return Target(file=found) if found.is_file() else Target()


def content_type(path: Path) -> str:
    """The Content-Type of a site file, by its suffix."""
    return CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")


def with_livereload(html: bytes) -> bytes:
    """The page with the live-reload script tag added before </head> (or </body>, or at the end)."""
    lower = html.lower()
    at = lower.find(b"</head>")
    if at < 0:
        at = lower.rfind(b"</body>")
    if at < 0:
        return html + SCRIPT_TAG
    return html[:at] + SCRIPT_TAG + b"\n" + html[at:]


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """Host header values a browser sends to this server: its bound host and the loopback names."""
    literal = f"[{host}]" if ":" in host else host
    names = {"localhost", "127.0.0.1", "[::1]", literal.lower()}
    return frozenset({f"{name}:{port}" for name in names} | (names if port == 80 else set()))


def _is_ip_literal(host_header: str) -> bool:
    host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def sse(event: str, data: str) -> bytes:
    """One Server-Sent Event; a multi-line message becomes several data lines."""
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return (f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n").encode("utf-8")


# --- build outcomes, pushed to open pages -------------------------------------------------------------


class BuildEvents:
    """The latest build outcome, and the event streams of the open pages waiting for the next one."""

    def __init__(self) -> None:
        self.server_id = secrets.token_hex(8)
        self.error: str | None = None
        self._lock = threading.Lock()
        self._streams: set[queue.SimpleQueue[tuple[str, str] | None]] = set()
        self._closed = False

    def subscribe(self) -> queue.SimpleQueue[tuple[str, str] | None]:
        stream: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        with self._lock:
            if self._closed:
                stream.put(None)
            self._streams.add(stream)
        return stream

    def unsubscribe(self, stream: queue.SimpleQueue[tuple[str, str] | None]) -> None:
        with self._lock:
            self._streams.discard(stream)

    def failed(self, message: str) -> None:
        """A build failed: open pages show the message over the last good page."""
        self._publish("error", message, error=message)

    def succeeded(self, build_id: str) -> None:
        """A build succeeded with new output, or after a failure: open pages reload."""
        self._publish("reload", build_id, error=None)

    def close(self) -> None:
        """End every open stream (the server is stopping)."""
        with self._lock:
            self._closed = True
            for stream in self._streams:
                stream.put(None)

    def _publish(self, event: str, data: str, error: str | None) -> None:
        with self._lock:
            self.error = error
            for stream in self._streams:
                stream.put((event, data))


# --- the HTTP server --------------------------------------------------------------------------------


class SiteServer(ThreadingHTTPServer):
    """Serves the current output directory of a project, plus the live-reload script and events."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], site_dir: Path, events: BuildEvents) -> None:
        self.site_dir = site_dir  # reassigned when a rebuild reads another build.output
        self.events = events
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SiteRequestHandler)
        host, port = address[0], self.server_address[1]
        self.port = int(port)
        self.hosts = allowed_hosts(host, self.port)
        self.wildcard = host in ("0.0.0.0", "::", "")  # noqa: S104 - only when the author asks for it

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's FQDN, which can stall for seconds; nothing needs it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def host_allowed(self, host_headers: list[str] | None) -> bool:
        """Whether the one Host header names this server (on a wildcard address, any IP literal does)."""
        if not host_headers or len(host_headers) != 1:
            return False
        host = host_headers[0].strip().lower()
        return host in self.hosts or (self.wildcard and _is_ip_literal(host))

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a browser that went away mid-response
        super().handle_error(request, client_address)


class SiteRequestHandler(BaseHTTPRequestHandler):
    """GET and HEAD of site files; every other method is refused."""

    server: SiteServer
    timeout = 60

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler answers 501 for a method without a do_ handler; every method but GET
        # and HEAD gets 405 instead, including ones we never heard of.
        if name.startswith("do_"):
            return self.refuse_method
        raise AttributeError(name)

    def do_GET(self) -> None:
        self.respond(send_body=True)

    def do_HEAD(self) -> None:
        self.respond(send_body=False)

    def refuse_method(self) -> None:
        self._discard_body()
        if not self.server.host_allowed(self.headers.get_all("Host")):
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        self.send_plain(HTTPStatus.METHOD_NOT_ALLOWED, send_body=True, extra={"Allow": "GET, HEAD"})

    def respond(self, send_body: bool) -> None:
        if not self.server.host_allowed(self.headers.get_all("Host")):
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        path = self.path.partition("?")[0]
        if path == SCRIPT_PATH:
            self.send_bytes(HTTPStatus.OK, LIVERELOAD_JS.read_bytes(), content_type(LIVERELOAD_JS), send_body)
        elif path == EVENTS_PATH:
            self.stream_events(send_body)
        elif path.startswith("/__sitegen/"):
            self.send_not_found(self.server.site_dir, send_body)
        else:
            self.send_site_file(send_body)

    def send_site_file(self, send_body: bool) -> None:
        """The file the path names in the current site; retried while the write stage swaps sites."""
        for _ in range(SWAP_RETRIES):
            root = self.server.site_dir
            before = _inode(root)
            if before is None:  # between the write stage's two renames, or no site yet
                time.sleep(0.01)
                continue
            if not (root / MARKER).is_file():
                break  # not a directory sitegen built (the build refused it): serve nothing from it
            target = resolve_target(root, self.path)
            if target.redirect:
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", target.redirect)
                self.send_header("Content-Length", "0")
                self.send_common_headers()
                self.end_headers()
                return
            try:
                body = target.file.read_bytes() if target.file else None
            except OSError:
                body = None
            if body is None and _inode(root) != before:
                continue  # the site was swapped while we looked: look in the new one
            if target.file is None or body is None:
                self.send_not_found(root, send_body)
                return
            kind = content_type(target.file)
            if kind.startswith("text/html"):
                body = with_livereload(body)
            self.send_bytes(HTTPStatus.OK, body, kind, send_body)
            return
        self.send_waiting_page(send_body)

    def send_not_found(self, root: Path, send_body: bool) -> None:
        """The site's 404.html (never the path asked for), or a plain 404."""
        page = resolve_target(root, "/404.html").file
        try:
            body = with_livereload(page.read_bytes()) if page else None
        except OSError:
            body = None
        if body is None:
            self.send_plain(HTTPStatus.NOT_FOUND, send_body)
        else:
            self.send_bytes(HTTPStatus.NOT_FOUND, body, CONTENT_TYPES[".html"], send_body)

    def send_waiting_page(self, send_body: bool) -> None:
        """No site built by sitegen yet: a page that shows the build error and reloads when it is fixed."""
        html = (
            b'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>sitegen serve</title>\n'
            b"</head>\n<body>\n<p>No site has been built yet: see the terminal, or the message below.</p>\n"
            b"</body>\n</html>\n"
        )
        self.send_bytes(HTTPStatus.SERVICE_UNAVAILABLE, with_livereload(html), CONTENT_TYPES[".html"], send_body)

    def stream_events(self, send_body: bool) -> None:
        """Server-Sent Events: hello (the server's id), then error/reload after each build."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_common_headers()
        self.end_headers()
        self.close_connection = True
        if not send_body:
            return
        events = self.server.events
        stream = events.subscribe()
        try:
            greeting = b"retry: 1000\n\n" + sse("hello", events.server_id)
            if events.error is not None:
                greeting += sse("error", events.error)
            self.wfile.write(greeting)
            while True:
                try:
                    item = stream.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    continue
                if item is None:
                    return
                self.wfile.write(sse(*item))
        except OSError:
            return  # the page was closed or reloaded
        finally:
            events.unsubscribe(stream)

    def send_bytes(self, status: HTTPStatus, body: bytes, kind: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_common_headers()
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def send_plain(self, status: HTTPStatus, send_body: bool, extra: dict[str, str] | None = None) -> None:
        """A short text answer naming only the status, never anything from the request."""
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_common_headers()
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The default error page and status line repeat parts of the request; ours never do.
        self.close_connection = True
        self.send_plain(HTTPStatus(code), send_body=self.command != "HEAD")

    def send_response(self, code: int, message: str | None = None) -> None:
        super().send_response(code, None)  # the standard reason phrase only

    def version_string(self) -> str:
        return "sitegen"

    def send_common_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the terminal shows builds."""

    def _discard_body(self) -> None:
        # Read a refused request's body so closing the socket does not reset the connection under the reply.
        try:
            length = min(int(self.headers.get("Content-Length", 0)), 1 << 20)
        except ValueError:
            return
        if length > 0:
            self.rfile.read(length)


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


# --- what triggers a rebuild ------------------------------------------------------------------------


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
        try:
            summary = build(self.project_dir, self.overrides)
        except SitegenError as exc:
            return self._failed(f"error: {exc.located()}", exc.located())
        except Exception as exc:  # noqa: BLE001 - a bug in the build must not take the preview down
            return self._failed(traceback.format_exc().rstrip(), f"internal error: {type(exc).__name__}: {exc}")
        self.builds += 1
        try:
            self.config = load_config(self.project_dir, self.overrides)
        except SitegenError:
            pass  # sitegen.toml changed again since the build read it; the next build reports it
        if self.server is not None:
            self.server.site_dir = self.config.output_dir
        for warning in summary.warnings:
            self.log(f"warning: {warning}", True)
        after = self._manifest()
        unchanged = ", output unchanged" if after == before else ""
        self.log(f"built {summary.pages} pages in {summary.seconds:.1f}s{unchanged}", False)
        if after != before or self.events.error is not None:
            self.events.succeeded(hashlib.sha256(after).hexdigest()[:16])
        return True

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


def serve(
    project_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    log: Log = _print,
) -> None:
    """Build, serve and rebuild until Ctrl-C, which stops cleanly."""
    site = LiveSite(project_dir, host=host, log=log)
    try:
        site.start(port)
        log(f"serving {site.url} (Ctrl-C to stop)", False)
        if open_browser:
            import webbrowser

            webbrowser.open(site.url)
        site.serve_forever()
    except KeyboardInterrupt:
        log("stopped", False)
    finally:
        site.close()
