"""Save to screen: how long after a page is saved an open page in Chromium shows it, under `sitegen serve`.

    python benchmarks/live.py                    # the default project (repository root), 9 edits
    python benchmarks/live.py --project tests/projects/tiny --runs 5

The project is copied to a temporary directory and served as `sitegen serve` serves it (LiveSite: first
build, file watcher, rebuilds, reload events) on an ephemeral loopback port. Debian's Chromium (Playwright)
opens the home page. Each run appends a marker comment to content/index.md and waits until the reloaded
page holds it: the time covers the watcher noticing the save, the rebuild, the reload event and the
browser fetching the page again. Between runs the rebuild is let finish (the search index follows the
reload). Target (issues #7 and #10): under one second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rebuild import copy_project, default_project, edit_page  # noqa: E402 - the benchmark module beside this one

from sitegen.serve import LiveSite  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_S = 120


def wait(condition: object, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.005)


def measure(project: Path, runs: int) -> tuple[list[float], int]:
    """Seconds from each save to the page showing it; the pages of the project."""
    from playwright.sync_api import sync_playwright

    site = LiveSite(project, log=lambda _message, _error: None)
    site.start(0)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    seconds: list[float] = []
    try:
        assert site.server is not None
        url = f"http://127.0.0.1:{site.server.port}/"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            for run in range(runs):
                wait(lambda: site.events.listeners() >= 1, "the page's event stream")
                builds = site.builds
                started = time.perf_counter()
                edit_page(project, run)
                marker = (project / "content" / "index.md").read_text(encoding="utf-8").rstrip().rsplit("<!--", 1)[1]
                page.wait_for_function(  # the site's CSP forbids eval: the check is a function, not a string
                    "marker => document.documentElement.innerHTML.includes(marker)",
                    arg=marker,
                    timeout=TIMEOUT_S * 1000,
                )
                seconds.append(time.perf_counter() - started)
                wait(lambda b=builds: site.builds > b, "the rebuild to finish")
            browser.close()
        pages = len(list((project / "site").rglob("*.html")))
    finally:
        site.close()
    return seconds, pages


def print_table(seconds: list[float], label: str, pages: int) -> None:
    print(f"{'saved -> shown in Chromium':<30} {'median s':>9} {'min s':>7} {'max s':>7}  runs  target")
    median = statistics.median(seconds)
    verdict = "met" if median <= 1.0 else "NOT met"
    print(
        f"{'one page edited (' + label + ')':<30} {median:>9.2f} {min(seconds):>7.2f} {max(seconds):>7.2f}"
        f"  {len(seconds):>4}  <= 1 s: {verdict} ({pages} pages)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, help="project to copy and serve (default: the repository's)")
    parser.add_argument("--runs", type=int, default=9, help="edits (default 9)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"needs Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    source, label = (args.project.resolve(), str(args.project)) if args.project else default_project()
    with tempfile.TemporaryDirectory(prefix="sitegen-live-") as tmp:
        seconds, pages = measure(copy_project(source, Path(tmp) / "project"), args.runs)
    print_table(seconds, label, pages)


if __name__ == "__main__":
    main()
