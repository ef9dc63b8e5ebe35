"""Contained paths: no generated slug or path writes outside the output, and every collision names both sources."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build import build
from sitegen.content import Page, read_page
from sitegen.entities import MAX_SLUG, entities_of, safe_slug
from sitegen.errors import ContentError, OutputError, RenderError, SitegenError
from sitegen.paths import WINDOWS_DEVICES
from sitegen.render import output_path
from sitegen.stats import StatResult
from sitegen.write import contained

SETTINGS = settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
ROOT = Path("/srv/site")
SAFE_SEGMENT = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")

# Pieces attackers and accidents put in names: traversal, separators, encodings, devices, look-alikes.
HOSTILE = [
    "..",
    ".",
    "/",
    "\\",
    "%2e%2e",
    "%2E%2E%2F",
    "%252e",
    "..%2f",
    "..\\",
    "\x00",
    "/etc/passwd",
    "C:\\",
    "C:",
    "//host/share",
    "~",
    "CON",
    "nul",
    "Com1",
    "LPT9",
    "con.txt",
    "aux.html",
    "index",
    "assets",
    "404",
    "\uff0e\uff0e",
    "\uff0f",
    "\u2024\u2024",
    "\u3002",
    "e\u0301",
    "\u00e9",
    "\ufb01",
    "\u212a",
    "K",
    "k",
    "\u0130",
    "\u017f",
    "ß",
    "SS",
    " ",
    "\t",
    "\n",
    "-",
    "_",
    "a" * 300,
    "\U0001f600",
    "\u202e",
    "\u200b",
]
pieces = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))
names = st.lists(pieces, min_size=1, max_size=6).map("".join)


def is_safe_output(path: str) -> bool:
    """An output path that any host can store: safe segments, no device names, no overlong names."""
    return all(
        SAFE_SEGMENT.fullmatch(segment) and segment.split(".")[0] not in WINDOWS_DEVICES and len(segment) <= 100
        for segment in path.split("/")
    )


@settings(SETTINGS, max_examples=1_000)
@given(st.lists(names, min_size=10, max_size=10))
def test_entity_slugs_stay_inside_the_output(batch: list[str]) -> None:
    """1,000 examples of 10 names: 10,000 generated slugs."""
    for name in batch:
        check_entity_slug(name)


def check_entity_slug(name: str) -> None:
    """safe_slug's output is a safe, contained segment, the same for NFC and NFD spellings."""
    slug = safe_slug(name)
    assert 0 < len(slug) <= MAX_SLUG + 6
    path = output_path(f"accounts/{slug}")
    assert is_safe_output(path), (name, path)
    assert os.path.normpath(contained(ROOT, path)).startswith(f"{ROOT}/")
    assert safe_slug(unicodedata.normalize("NFD", name)) == safe_slug(unicodedata.normalize("NFC", name))


@settings(SETTINGS, max_examples=600)
@given(st.lists(st.lists(names, min_size=1, max_size=4).map("/".join), min_size=5, max_size=5))
def test_any_relative_path_is_refused_or_contained(batch: list[str]) -> None:
    """600 examples of 5 paths: 3,000 generated output paths through the writer's containment check."""
    for relative in batch:
        try:
            target = contained(ROOT, relative)
        except OutputError as exc:
            assert "outside the output directory" in str(exc)
            continue
        assert os.path.normpath(target).startswith(f"{ROOT}/")
        assert "\x00" not in str(target) and "\\" not in str(target)


@settings(SETTINGS, max_examples=400)
@given(slug=names)
def test_front_matter_slugs_are_refused_or_safe(slug: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    project = tmp_path_factory.mktemp("p")
    (project / "content").mkdir()
    page = project / "content" / "page.md"
    escaped = slug.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() or ch == " " else f"\\U{ord(ch):08x}" for ch in escaped)
    page.write_text(f'---\ntitle: T\nslug: "{escaped}"\n---\nbody\n', encoding="utf-8")
    try:
        parsed = read_page(page, project)
    except ContentError as exc:
        assert exc.path == Path("content/page.md")
        return
    assert parsed.slug == slug
    assert parsed.slug == "" or is_safe_output(output_path(parsed.slug)), slug


def _collection(rows: list[str]) -> tuple[Page, dict[str, StatResult]]:
    frame = pd.DataFrame({"handle": rows, "n": range(len(rows))})
    stat = StatResult("top", "table", "Top accounts", None, "table", "d", ("accounts",), False, frame=frame)
    page = Page(
        Path("content/accounts.md"),
        "accounts",
        "Accounts",
        "",
        1,
        collection={"stat": "top", "key": "handle", "template": "entity.html"},
    )
    return page, {"top": stat}


@settings(SETTINGS, max_examples=400)
@given(st.lists(names, min_size=1, max_size=8, unique=True))
def test_every_entity_collision_names_both_sources(rows: list[str]) -> None:
    page, stats = _collection(rows)
    slugs = [safe_slug(row) for row in rows]
    try:
        entities = entities_of(page, stats)
    except RenderError as exc:
        first = next(i for i, s in enumerate(slugs) if slugs.index(s) != i)
        earlier = slugs.index(slugs[first])
        assert repr(rows[first]) in exc.message and repr(rows[earlier]) in exc.message
        assert exc.path == Path("content/accounts.md")
        return
    assert len(set(slugs)) == len(slugs) == len(entities)


@pytest.mark.parametrize(
    "pair", [("Bob", "bob"), ("e\u0301", "\u00e9"), ("\uff21\uff22", "AB"), ("CON", "nul"), ("a/b", "a-b")]
)
def test_known_collisions_are_reported_with_both_names(pair: tuple[str, str]) -> None:
    page, stats = _collection(list(pair))
    if safe_slug(pair[0]) != safe_slug(pair[1]):
        assert len(entities_of(page, stats)) == 2  # the hash fallback keeps reserved names apart
        return
    with pytest.raises(RenderError) as caught:
        entities_of(page, stats)
    assert repr(pair[0]) in caught.value.message and repr(pair[1]) in caught.value.message


def _page(project: Path, name: str, slug: str) -> None:
    (project / "content" / name).write_text(f"---\ntitle: {name}\nslug: {slug}\n---\nText.\n", encoding="utf-8")


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def test_real_builds_write_nothing_outside_and_name_both_colliding_pages(tiny: Path, tmp_path: Path) -> None:
    outside_before = _files(tmp_path) - _files(tiny)
    for bad in ("../escape", "/etc", "con", "a//b", "x/../y", "%2e%2e"):
        _page(tiny, "hostile.md", f'"{bad}"')
        with pytest.raises(SitegenError) as caught:
            build(tiny)
        assert caught.value.path == Path("content/hostile.md")
    (tiny / "content" / "hostile.md").unlink()
    _page(tiny, "one.md", "same")
    _page(tiny, "two.md", "same")
    with pytest.raises(ContentError) as caught:
        build(tiny)
    assert "content/one.md" in str(caught.value) and "content/two.md" in str(caught.value)
    (tiny / "content" / "two.md").unlink()
    summary = build(tiny)
    written = {p.relative_to(summary.output_dir).as_posix() for p in summary.output_dir.rglob("*") if p.is_file()}
    assert "same/index.html" in written
    assert all(is_safe_output(path) for path in written if not path.startswith(("assets/", "data/", "charts/", ".")))
    assert _files(tmp_path) - _files(tiny) == outside_before
