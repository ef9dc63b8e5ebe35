"""The no-change fast path and the caches: a rebuild writes nothing, any input change rebuilds, and a cached
build equals a clean build byte for byte."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.buildstate import RACY_NS
from sitegen.errors import SitegenError

from .conftest import tree


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620691200")


def age(root: Path) -> None:
    """Date every file under root well before the stat cache's racy window, as files untouched for a while."""
    old = time.time_ns() - 10 * RACY_NS
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(old, old))


def test_a_rebuild_with_no_change_writes_nothing_and_reports_the_same_summary(tiny: Path) -> None:
    first = build(tiny)
    before = {p: p.stat().st_mtime_ns for p in (tiny / "site").rglob("*")}
    again = build(tiny)
    assert again.files == 0
    assert (again.pages, again.charts, again.statistics, again.findings) == (
        first.pages,
        first.charts,
        first.statistics,
        first.findings,
    )
    assert {p: p.stat().st_mtime_ns for p in (tiny / "site").rglob("*")} == before


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        ("content/index.md", "Tiny story", "Tiny stork"),  # same size, same second: only the hash can tell
        ("data/accounts.csv", "120500", "120501"),
        ("sitegen.toml", "Tiny <test> project", "Tiny <best> project"),
        ("content/findings.yaml", "more than 8 times", "more than eight times"),  # results kept in memory
        ("content/charts.yaml", "Weekly retweets <by class>", "Weekly retweets <by kind>"),
    ],
)
def test_any_input_change_rebuilds_to_what_a_clean_build_gives(
    tiny: Path, tmp_path: Path, relative: str, old: str, new: str
) -> None:
    build(tiny)
    path = tiny / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    rebuilt = build(tiny)
    assert rebuilt.files > 0
    build(tiny, {"build.output": str(tmp_path / "clean")}, clean=True)
    assert tree(tiny / "site") == tree(tmp_path / "clean")


def test_an_edit_that_restores_size_and_mtime_is_still_seen(tiny: Path) -> None:
    age(tiny)
    build(tiny)
    build(tiny)  # now the stat cache holds every (old) input
    page = tiny / "content" / "index.md"
    st = page.stat()
    page.write_text(page.read_text(encoding="utf-8").replace("Tiny story", "Tiny stork", 1), encoding="utf-8")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert page.stat().st_size == st.st_size and page.stat().st_mtime_ns == st.st_mtime_ns
    assert build(tiny).files > 0
    assert "Tiny stork" in (tiny / "site" / "index.html").read_text(encoding="utf-8")


def test_a_new_template_rebuilds(tiny: Path) -> None:
    build(tiny)
    (tiny / "templates").mkdir()
    (tiny / "templates" / "404.html").write_text("<!doctype html><title>gone</title><p>Nothing here.</p>\n")
    assert build(tiny).files > 0
    assert "Nothing here." in (tiny / "site" / "404.html").read_text(encoding="utf-8")


def test_an_edited_or_deleted_output_file_is_restored(tiny: Path) -> None:
    build(tiny)
    expected = tree(tiny / "site")
    (tiny / "site" / "index.html").write_text("defaced")
    (tiny / "site" / "404.html").unlink()
    assert build(tiny).files > 0
    assert tree(tiny / "site") == expected


def test_a_cached_build_equals_a_clean_build_byte_for_byte(tiny: Path, tmp_path: Path) -> None:
    out = {"build.output": str(tmp_path / "cached")}
    build(tiny, out)
    page = tiny / "content" / "index.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\nOne more sentence.\n", encoding="utf-8")
    build(tiny, out)
    page.write_text(original, encoding="utf-8")
    build(tiny, out)
    build(tiny, {"build.output": str(tmp_path / "clean")}, clean=True)
    assert tree(tmp_path / "cached") == tree(tmp_path / "clean")


def test_clean_empties_the_cache_and_runs_every_stage(tiny: Path) -> None:
    build(tiny)
    stale = tiny / ".sitegen" / "cache" / "stats" / "stale.json"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("{}")
    summary = build(tiny, clean=True)
    assert not stale.exists()
    assert summary.files == 0  # every stage ran, and found the output already right


def test_strict_still_fails_on_the_fast_path(tiny: Path) -> None:
    page = tiny / "content" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[gone](missing-page/)\n", encoding="utf-8")
    first = build(tiny)
    assert any("missing-page" in w for w in first.warnings)
    assert build(tiny).warnings == first.warnings
    with pytest.raises(SitegenError, match="missing-page"):
        build(tiny, strict=True)


def test_an_incremental_write_links_unchanged_files_and_writes_changed_ones(tiny: Path) -> None:
    build(tiny)
    site = tiny / "site"
    before = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    page = tiny / "content" / "methodology.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    build(tiny)
    after = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    assert after["methodology/index.html"] != before["methodology/index.html"]
    assert after["assets/site.css"] == before["assets/site.css"]
    assert "One more sentence." in (site / "methodology" / "index.html").read_text(encoding="utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_same_as_clean_build(tiny: Path, tmp_path: Path) -> None:
    build(tiny, {"build.output": str(tmp_path / "clean")}, clean=True)
    assert tree(tiny / "site") == tree(tmp_path / "clean")


def test_an_edited_title_updates_the_navigation_of_every_page(tiny: Path, tmp_path: Path) -> None:
    build(tiny)
    edit(tiny / "content" / "methodology.md", "title: Methodology", "title: How it is <counted>")
    build(tiny)  # the pages are kept from the last build in this process: an edited body would render one page
    assert "How it is &lt;counted&gt;" in (tiny / "site" / "index.html").read_text(encoding="utf-8")
    assert_same_as_clean_build(tiny, tmp_path)


def test_a_deleted_page_is_gone_from_the_site_and_its_navigation(tiny: Path, tmp_path: Path) -> None:
    build(tiny)
    assert (tiny / "site" / "methodology" / "index.html").is_file()
    (tiny / "content" / "methodology.md").unlink()
    build(tiny)
    assert not (tiny / "site" / "methodology").exists()
    home = (tiny / "site" / "index.html").read_text(encoding="utf-8")
    site_nav = home.split('<nav aria-label="Site">', 1)[1].split("</nav>", 1)[0]
    assert "findings/" in site_nav and "methodology/" not in site_nav
    assert_same_as_clean_build(tiny, tmp_path)


def test_links_to_missing_anchors_are_found_in_edited_and_in_unchanged_pages(tiny: Path) -> None:
    methodology = tiny / "content" / "methodology.md"
    methodology.write_text(methodology.read_text(encoding="utf-8") + "\n## Counting rules\n\nText.\n")
    index = tiny / "content" / "index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n[rules](methodology/#counting-rules)\n")
    assert not build(tiny).warnings
    edit(index, "#counting-rules", "#counting-rulez")  # the edited page links to an anchor that is not there
    assert any("counting-rulez" in w for w in build(tiny).warnings)
    with pytest.raises(SitegenError, match="counting-rulez"):
        build(tiny, strict=True)
    edit(index, "#counting-rulez", "#counting-rules")
    assert not build(tiny).warnings
    edit(methodology, "## Counting rules", "## Rules")  # the anchor goes; index.html is the same bytes as before
    assert any("no id 'counting-rules'" in w for w in build(tiny).warnings)
    with pytest.raises(SitegenError, match="counting-rules"):
        build(tiny, strict=True)


def test_a_template_that_reads_other_pages_bodies_sees_their_edits(tiny: Path, tmp_path: Path) -> None:
    (tiny / "templates").mkdir()
    theme_page = Path(__file__).parent.parent / "sitegen" / "theme" / "templates" / "methodology.html"
    (tiny / "templates" / "methodology.html").write_text(
        theme_page.read_text(encoding="utf-8").replace(
            "{% endblock %}",
            "<p>{% for p in nav %}{{ p.title }}: {{ p.body | length }} {% endfor %}</p>{% endblock %}",
            1,
        ),
        encoding="utf-8",
    )
    build(tiny)
    before = (tiny / "site" / "methodology" / "index.html").read_text(encoding="utf-8")
    findings = tiny / "content" / "findings.md"
    findings.write_text(findings.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    build(tiny)
    assert (tiny / "site" / "methodology" / "index.html").read_text(encoding="utf-8") != before
    assert_same_as_clean_build(tiny, tmp_path)


def test_on_pages_sees_the_edited_page_before_its_search_index_and_the_build_ends_complete(
    tiny: Path, tmp_path: Path
) -> None:
    build(tiny)
    site = tiny / "site"
    old_index = {path: data for path, data in tree(site).items() if path.startswith("pagefind/")}
    edit(tiny / "content" / "index.md", "Tiny story", "Tiny stork")
    seen: list[tuple[bool, dict[str, bytes]]] = []
    build(
        tiny,
        on_pages=lambda: seen.append(
            (
                "Tiny stork" in (site / "index.html").read_text(encoding="utf-8"),
                {path: data for path, data in tree(site).items() if path.startswith("pagefind/")},
            )
        ),
    )
    assert len(seen) == 1
    shown, index_then = seen[0]
    assert shown and index_then == old_index  # the page first, beside the last build's search index
    assert {path: data for path, data in tree(site).items() if path.startswith("pagefind/")} != old_index
    assert_same_as_clean_build(tiny, tmp_path)
