"""Fixtures for the browser gates: the default site built once, served on loopback, and Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import build
from sitegen.scaffold import new_project

from .gates import AXE, CHROMIUM, VNU, static_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = [str(p) for p in (CHROMIUM, AXE, VNU) if not p.exists()]
    if missing:
        reason = f"browser gates need {', '.join(missing)}: run `bash .ci/run`, which installs them"
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", params=["default", "new"])
def default_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each site the gates check, built once at the root of a host: the repository's default project,
    and a project made by `sitegen new`."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1620691200")
    out = tmp_path_factory.mktemp(request.param) / "site"
    project = ROOT
    if request.param == "new":
        project = tmp_path_factory.mktemp("project") / "investigation"
        new_project(project, "A new investigation")
    build(project, {"build.output": str(out)})
    return out


@pytest.fixture(scope="session")
def site_url(default_site: Path) -> Iterator[str]:
    with static_server(default_site) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_page(browser: Any) -> Iterator[Any]:
    """A page that may inject axe-core despite the site's Content-Security-Policy."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    target = ARTIFACTS / "screenshots"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    return target
