"""`sitegen serve` end to end: real builds of the tiny project, a real server, edits, and the events they send."""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sitegen.errors import SitegenError
from sitegen.serve import EVENTS_PATH, SCRIPT_TAG, LiveSite

from .test_serve import request

EVENT_TIMEOUT = 60.0  # seconds; a tiny rebuild takes one or two


class EventStream:
    """A client of /__sitegen/events, reading one Server-Sent Event at a time."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=EVENT_TIMEOUT)
        self.connection.request("GET", EVENTS_PATH, headers={"Host": f"127.0.0.1:{port}"})
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.headers["Content-Type"].startswith("text/event-stream")

    def next(self) -> tuple[str, str]:
        """The next event's name and data (keep-alive comments and retry lines skipped)."""
        name, data = "message", []
        while True:
            line = self.response.readline().decode("utf-8")
            if not line:
                raise EOFError("the event stream ended")
            line = line.rstrip("\n")
            if not line:
                if data:
                    return name, "\n".join(data)
                continue
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def port_of(site: LiveSite) -> int:
    assert site.server is not None
    return site.server.port


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_editing_a_page_rebuilds_and_sends_reload(live: LiveSite, tiny: Path) -> None:
    port = port_of(live)
    with EventStream(port) as events:
        assert events.next()[0] == "hello"
        started = time.monotonic()
        edit(tiny / "content" / "index.md", "The ambassador had", "EDITED: the ambassador had")
        assert events.next()[0] == "reload"
        assert time.monotonic() - started < 20
    page = request(port, "GET", "/")
    assert page.status == 200 and b"EDITED: the ambassador had" in page.body
    on_disk = (tiny / "site" / "index.html").read_bytes()
    assert b"EDITED" in on_disk and b"livereload" not in on_disk
    assert not [p for p in (tiny / "site").rglob("*") if "livereload" in p.name]


def test_broken_edit_sends_the_located_error_keeps_the_last_good_site_then_recovers(live: LiveSite, tiny: Path) -> None:
    port = port_of(live)
    page = tiny / "content" / "index.md"
    original = page.read_text(encoding="utf-8")
    good = request(port, "GET", "/").body
    with EventStream(port) as events:
        assert events.next()[0] == "hello"
        lines = original.splitlines()
        lines.insert(8, 'BROKEN with {{ stat("no-such-stat") }}.')
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")
        name, message = events.next()
        assert name == "error"
        assert re.search(r"content/index\.md:9:\d+: unknown statistic 'no-such-stat'", message), message

        still = request(port, "GET", "/")
        assert still.status == 200 and still.body == good
        with EventStream(port) as late:  # a page opened while the build is broken sees the error at once
            assert late.next()[0] == "hello"
            assert late.next() == ("error", message)

        page.write_text(original, encoding="utf-8")
        assert events.next()[0] == "reload"
    assert live.events.error is None
    assert request(port, "GET", "/").body == good


def test_editing_sitegen_toml_rebuilds(live: LiveSite, tiny: Path) -> None:
    port = port_of(live)
    with EventStream(port) as events:
        assert events.next()[0] == "hello"
        edit(tiny / "sitegen.toml", 'title = "Tiny <test> project"', 'title = "Renamed project"')
        assert events.next()[0] == "reload"
    assert b"Renamed project" in request(port, "GET", "/").body


def test_output_and_editor_leftovers_trigger_no_rebuild(live: LiveSite, tiny: Path) -> None:
    port = port_of(live)
    builds = live.builds + 1
    with EventStream(port) as events:
        assert events.next()[0] == "hello"
        edit(tiny / "content" / "index.md", "The ambassador had", "Then the ambassador had")
        assert events.next()[0] == "reload"
    deadline = time.monotonic() + EVENT_TIMEOUT
    while live.builds < builds and time.monotonic() < deadline:  # the reload comes before the search index
        time.sleep(0.05)
    assert live.builds == builds
    (tiny / "content" / ".index.md.swp").write_text("swap")
    (tiny / "content" / "index.md~").write_text("backup")
    (tiny / "site" / "extra.html").write_text("not an input")
    (tiny / ".sitegen").mkdir(exist_ok=True)
    (tiny / ".sitegen" / "scratch.txt").write_text("cache")
    time.sleep(2.5)  # several watch steps and one debounce: a rebuild would have started by now
    assert live.builds == builds


def _manifest_entries(site_dir: Path) -> set[tuple[str, str]]:
    text = (site_dir / "manifest.sha256").read_text(encoding="utf-8")
    return {(path, digest) for digest, path in (line.split("  ", 1) for line in text.splitlines())}


def test_requests_during_rebuilds_get_complete_pages_from_one_build(live: LiveSite, tiny: Path) -> None:
    port = port_of(live)
    known = _manifest_entries(tiny / "site")
    paths = {"/": "index.html", "/findings/index.html": "findings/index.html", "/assets/site.css": "assets/site.css"}
    stop = threading.Event()
    problems: list[str] = []
    responses = [0]

    def hammer() -> None:
        while not stop.is_set():
            for url, path in paths.items():
                reply = request(port, "GET", url)
                responses[0] += 1
                body = reply.body.replace(SCRIPT_TAG + b"\n", b"")
                if reply.status != 200:
                    problems.append(f"{url}: status {reply.status}")
                elif path.endswith(".html") and not body.rstrip().endswith(b"</html>"):
                    problems.append(f"{url}: incomplete page")
                else:
                    seen.append((path, hashlib.sha256(body).hexdigest()))

    seen: list[tuple[str, str]] = []
    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        with EventStream(port) as events:
            assert events.next()[0] == "hello"
            for round_number in range(4):
                edit(tiny / "content" / "index.md", "times in June", f"times in June (round {round_number})")
                assert events.next()[0] == "reload"
                known |= _manifest_entries(tiny / "site")
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert problems == []
    assert responses[0] > 20
    assert set(seen) <= known  # every body is byte for byte a file of one build
    assert len({digest for path, digest in seen if path == "index.html"}) >= 2  # pages changed while we read


def test_first_build_failing_serves_a_waiting_page_until_fixed(tiny: Path) -> None:
    page = tiny / "content" / "index.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace('stat("amb-retweets")', 'stat("missing")'), encoding="utf-8")
    site = LiveSite(tiny, log=lambda _message, _error: None)
    site.start(0)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        port = port_of(site)
        waiting = request(port, "GET", "/")
        assert waiting.status == 503 and SCRIPT_TAG in waiting.body
        with EventStream(port) as events:
            assert events.next()[0] == "hello"
            name, message = events.next()
            assert name == "error" and "unknown statistic 'missing'" in message
            page.write_text(original, encoding="utf-8")
            assert events.next()[0] == "reload"
        assert request(port, "GET", "/").status == 200
    finally:
        site.close()
        thread.join(5)


def test_port_in_use_is_a_clean_error(tiny: Path, live: LiveSite) -> None:
    other = LiveSite(tiny, log=lambda _message, _error: None)
    with pytest.raises(SitegenError, match=r"cannot serve on 127\.0\.0\.1:\d+: .*in use; try --port"):
        other.start(port_of(live))
    other.close()


def test_ctrl_c_stops_cleanly(tiny: Path) -> None:
    # A shell may start background jobs with SIGINT ignored; the child restores Python's own handler.
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from sitegen.cli import app; sys.argv = ['sitegen', 'serve', '--project', sys.argv[1], '--port', '0']; app()"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(tiny)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None
        url = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not url:
            line = child.stdout.readline()
            if not line:
                break
            if match := re.search(r"serving (http://127\.0\.0\.1:(\d+)/)", line):
                url = match.group(1)
                port = int(match.group(2))
        assert url, child.stderr.read() if child.stderr else ""
        assert request(port, "GET", "/").status == 200
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "stopped" in out
