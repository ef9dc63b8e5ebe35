"""Shared fixtures: a fresh copy of the tiny project for every test that changes files."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.serve import LiveSite

TESTS = Path(__file__).parent
TINY = TESTS / "projects" / "tiny"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, one per test session (browser gates and security tests)."""
    from playwright.sync_api import sync_playwright

    from .browser.gates import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium not installed: run `bash .ci/run`, which installs it")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live(tiny: Path) -> Iterator[LiveSite]:
    """`sitegen serve` of a copy of the tiny project, on an ephemeral port, serving in a thread."""
    logs: list[str] = []
    site = LiveSite(tiny, log=lambda message, _error: logs.append(message))
    site.start(0)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.close()
        thread.join(5)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A writable copy of tests/projects/tiny."""
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target, ignore=shutil.ignore_patterns("site", ".site.*"))
    return target


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (relative POSIX path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
