"""The default site as readers and publishers meet it: every page in a real browser, validated and linked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sitegen.build import build

from .conftest import ROOT
from .gates import axe_violations, html_pages, load, lychee_broken, overflow, vnu_errors


def test_every_page_loads_clean_with_no_foreign_requests(default_site: Path, site_url: str, page: Any) -> None:
    problems = {}
    for path in html_pages(default_site):
        record = load(page, site_url + path)
        if record.problems:
            problems[path] = record.problems
    assert problems == {}


def test_charts_are_svg_without_javascript(default_site: Path, site_url: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    charted = 0
    for path in html_pages(default_site):
        page.goto(site_url + path)
        figures = page.locator("figure.chart")
        for i in range(figures.count()):
            figure = figures.nth(i)
            assert figure.locator("svg").first.is_visible(), f"{path}: chart {i} shows no SVG without JavaScript"
            assert figure.locator("[role=img]").get_attribute("aria-labelledby")
            charted += 1
    context.close()
    assert charted > 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violations(default_site: Path, site_url: str, axe_page: Any, scheme: str) -> None:
    problems = {}
    for path in html_pages(default_site):
        found = axe_violations(axe_page, site_url + path, scheme)
        if found:
            problems[path] = found
    assert problems == {}


def test_nothing_overflows_at_360_pixels(default_site: Path, site_url: str, page: Any) -> None:
    wide = {path: px for path in html_pages(default_site) if (px := overflow(page, site_url + path)) > 0}
    assert wide == {}


def test_html_is_valid(default_site: Path) -> None:
    assert vnu_errors(default_site) == []


def test_no_broken_links_at_the_root(default_site: Path) -> None:
    assert lychee_broken(default_site) == []


def test_no_broken_links_under_a_sub_path(tmp_path: Path) -> None:
    out = tmp_path / "explainer"
    build(ROOT, {"build.output": str(out), "site.base_url": "/explainer/"})
    assert lychee_broken(out, "/explainer/") == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "label"), [(1280, "desktop"), (390, "phone")])
def test_screenshots(
    default_site: Path, site_url: str, browser: Any, artifacts: Path, scheme: str, width: int, label: str
) -> None:
    """Screenshots for people to look at (not compared): home, an account page and methodology."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    accounts = [p for p in html_pages(default_site) if p.startswith("accounts/") and p != "accounts/index.html"]
    targets = ["index.html", "methodology/index.html", *accounts[:1]]
    for path in targets:
        page.goto(site_url + path)
        name = path.replace("/index.html", "").replace("index.html", "home").replace("/", "-")
        shot = artifacts / f"{name}-{label}-{scheme}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    context.close()


def test_tooltip_appears_on_hover_with_javascript(default_site: Path, site_url: str, page: Any) -> None:
    """With JavaScript on, the chart becomes interactive (self-hosted Vega) and hovering shows a tooltip."""
    page.goto(site_url + "index.html", wait_until="networkidle")
    view = page.locator("figure.chart .chart-interactive.vega-embed").first
    view.wait_for(state="visible", timeout=15_000)
    view.scroll_into_view_if_needed()
    box = view.bounding_box()
    assert box is not None
    tooltip = page.locator("#vg-tooltip-element.visible")
    points = [(x / 10, y / 10) for y in range(3, 9) for x in range(2, 9)]
    for fx, fy in points:
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.wait_for_timeout(120)
        if tooltip.count():
            break
    assert tooltip.count() == 1, "no tooltip appeared while hovering over the chart"
    assert tooltip.inner_text().strip() != ""
