"""What a host, a search engine and a feed reader read: sitemap.xml and the Atom feed (RFC 4287)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sitegen.build import build

from .browser.conftest import ROOT

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/explainer/"


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620691200")


def atom_problems(feed: Path) -> list[str]:
    """Where the feed breaks RFC 4287's required elements: ids, titles, updated dates, authors, links."""
    root = ET.parse(feed).getroot()  # noqa: S314 - our own output
    problems = [] if root.tag == f"{ATOM}feed" else [f"root element is {root.tag}"]
    feed_author = root.find(f"{ATOM}author") is not None
    ids = []
    for where, element in [("feed", root), *((f"entry {i}", e) for i, e in enumerate(root.findall(f"{ATOM}entry")))]:
        for name in ("id", "title", "updated"):
            found = element.findall(f"{ATOM}{name}")
            if len(found) != 1 or not (found[0].text or "").strip():
                problems.append(f"{where}: needs exactly one non-empty atom:{name}")
        identifier = element.findtext(f"{ATOM}id") or ""
        ids.append(identifier)
        if not urlsplit(identifier).scheme or (identifier.startswith("http") and not urlsplit(identifier).netloc):
            problems.append(f"{where}: id {identifier!r} is not an absolute IRI")
        try:
            dt.datetime.fromisoformat((element.findtext(f"{ATOM}updated") or "").replace("Z", "+00:00"))
        except ValueError:
            problems.append(f"{where}: updated is not an RFC 3339 date-time")
        if where != "feed":
            if not feed_author and element.find(f"{ATOM}author") is None:
                problems.append(f"{where}: no author in the entry or the feed")
            alternate = [link for link in element.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
            if element.find(f"{ATOM}content") is None and not alternate:
                problems.append(f"{where}: needs atom:content or a rel=alternate link")
    if len(set(ids)) != len(ids):
        problems.append(f"ids are not unique: {ids}")
    return problems


@pytest.mark.parametrize("base_url", ["", "/explainer/", BASE])
def test_feed_with_corrections_is_valid_atom(tiny: Path, base_url: str) -> None:
    (tiny / "content" / "corrections.yaml").write_text(
        "- date: 2021-06-01\n  text: Fixed a count.\n  pages: [methodology]\n"
        "- date: 2021-06-02\n  kind: update\n  text: Added a note.\n  pages: [findings]\n"
    )
    (tiny / "content" / "corrections.md").write_text("---\ntitle: Corrections\ntemplate: corrections.html\n---\n")
    build(tiny, {"site.base_url": base_url or None})
    feed = tiny / "site" / "feed.xml"
    assert atom_problems(feed) == []
    entries = ET.parse(feed).getroot().findall(f"{ATOM}entry")  # noqa: S314
    assert len(entries) >= 2
    ids = [e.findtext(f"{ATOM}id") or "" for e in entries]
    prefix = BASE if base_url == BASE else "urn:uuid:"
    assert all(i.startswith(prefix) for i in ids), ids


def test_feed_ids_are_stable_across_builds(tiny: Path) -> None:
    build(tiny)
    first = (tiny / "site" / "feed.xml").read_bytes()
    build(tiny, {"build.output": str(tiny / "again")})
    assert (tiny / "again" / "feed.xml").read_bytes() == first


def test_atom_check_catches_a_broken_feed(tmp_path: Path) -> None:
    broken = tmp_path / "feed.xml"
    broken.write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>relative/id</id>'
        "<updated>yesterday</updated><entry><title>e</title></entry></feed>"
    )
    problems = atom_problems(broken)
    assert "feed: id 'relative/id' is not an absolute IRI" in problems
    assert "feed: updated is not an RFC 3339 date-time" in problems
    assert "entry 0: needs exactly one non-empty atom:id" in problems


def test_default_site_sitemap_lists_every_page(tmp_path: Path) -> None:
    out = tmp_path / "site"
    summary = build(ROOT, {"build.output": str(out), "site.base_url": BASE})
    assert summary.notes == ()
    root = ET.parse(out / "sitemap.xml").getroot()  # noqa: S314
    listed = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}
    expected = {BASE + p.removesuffix("index.html") for p in pages}
    assert listed == expected
    assert len(listed) == summary.pages
    assert any(loc.startswith(BASE + "accounts/") and loc != BASE + "accounts/" for loc in listed)
    assert atom_problems(out / "feed.xml") == []


def test_without_an_absolute_base_url_the_build_says_how_to_get_a_sitemap(tiny: Path) -> None:
    summary = build(tiny, {"site.base_url": "/explainer/"})
    assert not (tiny / "site" / "sitemap.xml").exists()
    assert any("set base_url" in note and "--base-url" in note for note in summary.notes)
