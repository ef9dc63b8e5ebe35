"""A project of plain pages: a menu that scales with the site, and a build without the data stack.

The menu lists every page on a small site; on a big one, the top-level pages and an index of every page.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import RenderError
from sitegen.render import NAV_MAX

_MENU = re.compile(r'<nav aria-label="Site">(.*?)</nav>', re.S)
_HREF = re.compile(r'href="([^"]+)"')


def project(root: Path, slugs: list[str]) -> Path:
    """A project without data or search whose pages have these slugs (titles are the slugs upper-cased)."""
    (root / "content").mkdir(parents=True)
    (root / "sitegen.toml").write_text('[site]\ntitle = "Menu"\n\n[search]\nenabled = false\n')
    (root / "content" / "index.md").write_text("---\ntitle: Home\n---\n\nHome.\n")
    for slug in slugs:
        source = root / "content" / f"{slug}.md"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"---\ntitle: {slug.upper()}\n---\n\nText of {slug}.\n")
    return root


def menu_of(site: Path, page: str) -> list[str]:
    """The targets of the site menu of a page, as paths in the site."""
    match = _MENU.search((site / page).read_text())
    assert match is not None
    return [posixpath.normpath(posixpath.join(posixpath.dirname(page), h)) for h in _HREF.findall(match.group(1))]


def test_a_small_site_lists_every_page_in_its_menu(tmp_path: Path) -> None:
    slugs = [f"p{i:02d}" for i in range(NAV_MAX)]
    site = tmp_path / "site"
    summary = build(project(tmp_path, slugs), {"build.output": str(site)})
    assert summary.warnings == ()
    assert menu_of(site, "index.html") == [f"{slug}/index.html" for slug in slugs]
    assert not (site / "all-pages").exists()


def test_a_big_site_menu_lists_top_level_pages_and_an_index_that_reaches_every_page(tmp_path: Path) -> None:
    sections = [f"guides/g{i:02d}" for i in range(NAV_MAX)]  # in the menu's order, before 'p..'
    top = ["guides"] + [f"p{i:02d}" for i in range(NAV_MAX + 5)]  # guides/ is the section's own page
    site = tmp_path / "site"
    summary = build(project(tmp_path, sections + top), {"build.output": str(site)})
    assert summary.warnings == ()  # every menu and index link reaches its page
    expected_menu = [f"{slug}/index.html" for slug in top[: NAV_MAX - 1]] + ["all-pages/index.html"]
    assert menu_of(site, "index.html") == menu_of(site, "guides/g03/index.html") == expected_menu
    index = (site / "all-pages" / "index.html").read_text()
    listed = _HREF.findall(index.split('<main id="main">', 1)[1])
    assert listed == [f"../{slug}/index.html" for slug in sorted(sections + top)]
    assert '<a href="index.html" aria-current="page">All pages</a>' in index


def test_plain_pages_build_without_the_data_stack(tmp_path: Path) -> None:
    """No datasets, statistics or charts: none of Ibis, DuckDB, pandas, pyarrow or Altair is imported."""
    root = project(tmp_path / "plain", ["about"])
    (root / "content" / "about.md").write_text("---\ntitle: About\n---\n\n{{ 1234567 | count }} readers.\n")
    script = (
        "import json, sys; from pathlib import Path; from sitegen.build import build; "
        "summary = build(Path(sys.argv[1])); "
        "print(json.dumps([summary.pages, sorted(m for m in sys.modules if m.split('.')[0] in "
        "('ibis', 'duckdb', 'pandas', 'pyarrow', 'altair', 'vl_convert'))]))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", script, str(root)], env=env, capture_output=True, text=True, check=True
    )
    pages, heavy = json.loads(done.stdout)
    assert pages == 2  # home and about
    assert heavy == []
    assert "1,234,567 readers." in (root / "site" / "about" / "index.html").read_text()


def test_search_indexes_every_page_but_the_all_pages_index_and_the_search_page(tmp_path: Path) -> None:
    slugs = [f"p{i:02d}" for i in range(NAV_MAX + 3)]
    root = project(tmp_path, slugs)
    (root / "sitegen.toml").write_text('[site]\ntitle = "Menu"\n')  # search on, as by default
    site = tmp_path / "site"
    build(root, {"build.output": str(site)})
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    indexed = sum(language["page_count"] for language in entry["languages"].values())
    assert (site / "all-pages" / "index.html").is_file() and (site / "search" / "index.html").is_file()
    assert indexed == len(slugs) + 1  # the home page and every authored page, nothing generated


def test_an_authored_page_cannot_take_the_slug_of_a_generated_page(tmp_path: Path) -> None:
    small = project(tmp_path / "small", ["all-pages"])
    assert (build(small).output_dir / "all-pages" / "index.html").is_file()  # no index on a small site: free
    big = project(tmp_path / "big", [f"p{i:02d}" for i in range(NAV_MAX)] + ["all-pages"])
    with pytest.raises(RenderError) as caught:
        build(big)
    assert caught.value.path == Path("content/all-pages.md") and "index of every page" in caught.value.message
    searched = project(tmp_path / "searched", ["search"])
    (searched / "sitegen.toml").write_text('[site]\ntitle = "Menu"\n')
    with pytest.raises(RenderError) as caught:
        build(searched)
    assert caught.value.path == Path("content/search.md") and "search page" in caught.value.message
