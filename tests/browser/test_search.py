"""Search in a real browser: Pagefind finds an account by name or handle; without JavaScript the page says so."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .gates import html_pages, load

CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def test_search_finds_an_account_by_handle_and_by_name(default_site: Path, site_url: str, page: Any) -> None:
    if not (default_site / "accounts" / "chineseembinuk" / "index.html").exists():
        pytest.skip("this project has no account pages")
    record = load(page, site_url + "search/index.html")
    assert page.locator("#search-nojs").is_hidden()
    for query in ("ChineseEmbinUK", "Chinese Embassy in UK"):
        page.fill("#search-input", query)
        hit = page.locator("#search-results a", has_text="ChineseEmbinUK").first
        hit.wait_for()
        assert hit.get_attribute("href") == site_url + "accounts/chineseembinuk/index.html"
    page.fill("#search-input", "zzzqqqnothing")
    page.locator("#search-status", has_text="Nothing matches").wait_for()
    page.fill("#search-input", "ChineseEmbinUK")
    page.locator("#search-results a", has_text="ChineseEmbinUK").first.click()
    page.wait_for_url("**/accounts/chineseembinuk/index.html")
    assert page.locator("h1").inner_text() == "ChineseEmbinUK"
    assert record.problems == []


def test_search_page_without_javascript_points_to_the_indexes(default_site: Path, site_url: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "search/index.html")
    message = page.locator("#search-nojs")
    assert message.is_visible() and "needs JavaScript" in message.inner_text()
    assert page.locator("#search").is_hidden()
    if (default_site / "accounts" / "index.html").exists():
        assert message.locator("a").first.get_attribute("href") == "../accounts/index.html"
    context.close()


def test_csp_allows_webassembly_only_on_the_search_page(default_site: Path) -> None:
    for path in html_pages(default_site):
        policy = CSP.search((default_site / path).read_text(encoding="utf-8"))
        assert policy, f"{path}: no Content-Security-Policy"
        assert "'unsafe-inline'" not in policy.group(1) and "'unsafe-eval'" not in policy.group(1), path
        assert ("'wasm-unsafe-eval'" in policy.group(1)) == (path == "search/index.html"), path
