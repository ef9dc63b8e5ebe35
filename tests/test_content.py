"""Pages and YAML declarations: parsed with their lines, malformed input located."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen.content import read_content, read_page
from sitegen.errors import ContentError
from sitegen.limits import DEFAULT


def page(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_and_body_line(tmp_path: Path) -> None:
    path = page(tmp_path, "guides/setup.md", "---\ntitle: Set up\ndate: 2021-05-11\norder: 3\n---\nHello\n")
    parsed = read_page(path, tmp_path)
    assert parsed.slug == "guides/setup"
    assert parsed.title == "Set up"
    assert parsed.date == dt.date(2021, 5, 11)
    assert parsed.order == 3
    assert parsed.body == "Hello\n"
    assert parsed.body_line == 6


def test_index_is_the_home_page(tmp_path: Path) -> None:
    assert read_page(page(tmp_path, "index.md", "---\ntitle: Home\n---\n"), tmp_path).slug == ""


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("---\ntitle: a\n  bad: indent\n---\n", "content/p.md:3:", "not valid YAML"),
        ("---\ntitle: a\ncolour: red\n---\n", "content/p.md:3", "unknown front matter key 'colour'"),
        ("---\ntitle: a\n", "content/p.md:1", "never ends"),
        ("no front matter\n", "content/p.md:1", "needs a title"),
        ("---\ntitle: a\nslug: ../etc\n---\n", "content/p.md", "slug must be"),
    ],
)
def test_bad_pages_are_located(tmp_path: Path, text: str, where: str, message: str) -> None:
    with pytest.raises(ContentError) as raised:
        read_page(page(tmp_path, "p.md", text), tmp_path)
    assert raised.value.located().startswith(where)
    assert message in raised.value.located()


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "content" / "p.md"
    path.parent.mkdir()
    path.write_bytes(b"---\ntitle: a\n---\nfine\n\xff broken\n")
    with pytest.raises(ContentError, match=r"content/p.md:5: not valid UTF-8"):
        read_page(path, tmp_path)


def test_declarations_remember_lines_and_drafts_are_skipped(tmp_path: Path) -> None:
    page(tmp_path, "index.md", "---\ntitle: Home\n---\n")
    page(tmp_path, "wip.md", "---\ntitle: WIP\ndraft: true\n---\n")
    (tmp_path / "content" / "stats.yaml").write_text("# c\n- id: a\n  kind: x\n\n- id: b\n  kind: y\n")
    content = read_content(tmp_path)
    assert [p.slug for p in content.pages] == [""]
    entries = content.declarations["stats"].entries
    assert [e.line for e in entries] == [2, 5]
    assert entries[1].key_lines == {"id": 5, "kind": 6}


def test_duplicate_yaml_keys_are_errors(tmp_path: Path) -> None:
    page(tmp_path, "index.md", "---\ntitle: Home\n---\n")
    (tmp_path / "content" / "findings.yaml").write_text("- id: a\n  id: b\n")
    with pytest.raises(ContentError, match=r"content/findings.yaml:2:3: not valid YAML: duplicate key 'id'"):
        read_content(tmp_path)


def test_list_markers_in_any_decimal_digits_count_as_nesting(tmp_path: Path) -> None:
    # Python-Markdown's \d takes Arabic-Indic digits too, so the guard must count their list markers.
    path = page(tmp_path, "p.md", "---\ntitle: a\n---\nfine\n\n١. > > deep\n")
    with pytest.raises(ContentError, match=r"content/p.md:6: .*markdown_nesting"):
        read_page(path, tmp_path, replace(DEFAULT, markdown_nesting=2))
    assert read_page(path, tmp_path, replace(DEFAULT, markdown_nesting=3)).body_line == 4


def test_many_pages_read_in_workers_equal_pages_read_one_by_one(tmp_path: Path) -> None:
    paths = [page(tmp_path, f"p{i:03d}.md", f"---\ntitle: Page {i}\n---\n[a](b) `c` {i}\n") for i in range(210)]
    assert read_content(tmp_path).pages == tuple(read_page(path, tmp_path) for path in paths)
    page(tmp_path, "p150.md", "---\ntitle: Page\ncolour: red\n---\n")
    with pytest.raises(ContentError, match=r"content/p150.md:3: unknown front matter key 'colour'"):
        read_content(tmp_path)
