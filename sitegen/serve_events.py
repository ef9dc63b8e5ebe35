"""Live reload for `sitegen serve`: the script tag added to pages, and build outcomes sent as Server-Sent Events.

Pages get the script tag as they are sent (never on disk); the script opens EVENTS_PATH and reloads on a
`reload` event or shows the message of an `error` event over the last good page.
"""

from __future__ import annotations

import queue
import secrets
import threading
from io import BufferedIOBase
from pathlib import Path

EVENTS_PATH = "/__sitegen/events"
SCRIPT_PATH = "/__sitegen/livereload.js"
SCRIPT_TAG = b'<script src="/__sitegen/livereload.js" defer></script>'
LIVERELOAD_JS = Path(__file__).parent / "theme" / "livereload.js"
KEEPALIVE_SECONDS = 15.0


def with_livereload(html: bytes) -> bytes:
    """The page with the live-reload script tag added before </head> (or </body>, or at the end)."""
    lower = html.lower()
    at = lower.find(b"</head>")
    if at < 0:
        at = lower.rfind(b"</body>")
    if at < 0:
        return html + SCRIPT_TAG
    return html[:at] + SCRIPT_TAG + b"\n" + html[at:]


def sse(event: str, data: str) -> bytes:
    """One Server-Sent Event; a multi-line message becomes several data lines."""
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return (f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n").encode("utf-8")


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

    def listeners(self) -> int:
        """How many open pages are waiting for the next build's event."""
        with self._lock:
            return len(self._streams)

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


def write_events(events: BuildEvents, wfile: BufferedIOBase) -> None:
    """Send one page hello (the server's id), the current error, then error/reload after each build."""
    stream = events.subscribe()
    try:
        greeting = b"retry: 1000\n\n" + sse("hello", events.server_id)
        if events.error is not None:
            greeting += sse("error", events.error)
        wfile.write(greeting)
        while True:
            try:
                item = stream.get(timeout=KEEPALIVE_SECONDS)
            except queue.Empty:
                wfile.write(b": keep-alive\n\n")
                continue
            if item is None:
                return
            wfile.write(sse(*item))
    except OSError:
        return  # the page was closed or reloaded
    finally:
        events.unsubscribe(stream)
