"""`sitegen serve`: build, serve the site on loopback, rebuild on every change, reload the open pages.

A preview for the author, not a web host. It serves only files inside the built site (no listings, no
dotfiles, nothing through a symlink that leaves the site), answers GET and HEAD only, and refuses Host
headers other than its own, so a web page cannot reach it through DNS rebinding. The live-reload script is
added to HTML as it is sent: the files on disk never contain it. The write stage swaps the whole output
directory in by rename, so each request resolves its file against the current directory and gets one
complete build, the last good one while a rebuild runs or after a rebuild failed.

The HTTP server and its path safety are here, with the `serve` entry point; serve_watch.py runs the
session (watching and rebuilding) and serve_events.py the live reload (script tag and Server-Sent Events).
"""

from __future__ import annotations

import ipaddress
import os
import socket
import socketserver
import sys
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from .serve_events import (
    EVENTS_PATH,
    LIVERELOAD_JS,
    SCRIPT_PATH,
    SCRIPT_TAG,
    BuildEvents,
    sse,
    with_livereload,
    write_events,
)
from .serve_watch import LiveSite, Log, _print, is_source_change
from .write import MARKER

__all__ = [
    "EVENTS_PATH",
    "SCRIPT_PATH",
    "SCRIPT_TAG",
    "BuildEvents",
    "LiveSite",
    "SiteRequestHandler",
    "SiteServer",
    "Target",
    "allowed_hosts",
    "content_type",
    "is_source_change",
    "resolve_target",
    "serve",
    "sse",
    "with_livereload",
]

SWAP_RETRIES = 50  # x 10 ms: how long a request waits for the write stage's two renames to finish

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
                if _inode(root) != before:
                    continue  # the site was swapped away between the two looks: look again
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
        write_events(self.server.events, self.wfile)

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
