"""The search stage: a deterministic Pagefind bundle of every page, cached, and a site without it when off."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import ConfigError
from sitegen.search import search_bundle

from .conftest import tree


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620691200")


def test_every_page_but_search_is_indexed_and_two_cold_builds_are_identical(tiny: Path, tmp_path: Path) -> None:
    summary = build(tiny)
    site = tiny / "site"
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == summary.pages - 1  # all but the search page itself
    assert (site / "search" / "index.html").is_file() and (site / "pagefind" / "pagefind.js").is_file()
    assert not (site / "pagefind" / "pagefind-ui.js").exists()  # the site has its own search page
    assert 'href="search/index.html"' in (site / "index.html").read_text()
    shutil.rmtree(tiny / ".sitegen")
    build(tiny, {"build.output": str(tmp_path / "again")})
    assert tree(tmp_path / "again") == tree(site)


def test_the_bundle_is_cached_by_the_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    pages = {"index.html": b"<html lang='en'><body><main><h1>Liu</h1><p>Ambassador</p></main></body></html>"}
    first = search_bundle(pages, "en-GB", tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == 1
    assert search_bundle(pages, "en-GB", tmp_path) == first
    changed = search_bundle({"index.html": pages["index.html"].replace(b"Liu", b"Zhao")}, "en", tmp_path)
    assert changed != first and len(list(tmp_path.glob("*.json"))) == 2
    assert [p.suffix for p in tmp_path.iterdir()] == [".json", ".json"]  # nothing written to the working directory


def test_search_off_builds_without_index_page_or_link(tiny: Path) -> None:
    config = tiny / "sitegen.toml"
    config.write_text(config.read_text() + "\n[search]\nenabled = false\n")
    summary = build(tiny, {"site.base_url": "https://example.org/tiny/"})
    site = tiny / "site"
    assert not (site / "pagefind").exists() and not (site / "search").exists()
    assert "search/" not in (site / "index.html").read_text()
    assert "search/" not in (site / "sitemap.xml").read_text()
    assert summary.pages == 3


def test_search_setting_must_be_a_boolean(tiny: Path) -> None:
    config = tiny / "sitegen.toml"
    config.write_text(config.read_text() + '\n[search]\nenabled = "yes"\n')
    with pytest.raises(ConfigError, match=r"search.enabled: must be true or false"):
        build(tiny)


def test_a_caller_inside_an_event_loop_can_build(tmp_path: Path) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside() -> dict[str, bytes]:
        return search_bundle({"index.html": b"<html lang='en'><body><main><h1>Liu</h1></main></body></html>"}, "en")

    # A thread of its own: in the whole suite, the shared Playwright session already runs a loop in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        assert "pagefind/pagefind.js" in thread.submit(asyncio.run, inside()).result()


def test_meanwhile_runs_once_and_an_error_in_it_stops_the_indexing(tmp_path: Path) -> None:
    pages = {"index.html": b"<html lang='en'><body><main><h1>Liu</h1><p>Ambassador</p></main></body></html>"}
    calls: list[str] = []
    first = search_bundle(pages, "en", tmp_path, meanwhile=lambda: calls.append("indexing"))
    assert search_bundle(pages, "en", tmp_path, meanwhile=lambda: calls.append("cached")) == first
    assert calls == ["indexing", "cached"]

    def failing_checks() -> None:
        raise RuntimeError("a check failed")

    with pytest.raises(RuntimeError, match="a check failed"):
        search_bundle({"index.html": pages["index.html"].replace(b"Liu", b"Zhao")}, "en", tmp_path, failing_checks)
    assert len(list(tmp_path.glob("*.json"))) == 1  # the stopped index left no bundle in the cache
