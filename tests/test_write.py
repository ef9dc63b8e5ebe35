"""The write stage: staged swap, never deleting what is not ours, and nothing written when nothing changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import OutputError
from sitegen.write import MARKER, check_output_dir, contained, write_site


def test_write_replaces_the_output_and_keeps_host_files(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"one", "old.html": b"x"}, out)
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / "CNAME").write_text("example.org\n")
    (out / ".nojekyll").write_text("")
    assert write_site({"index.html": b"two"}, out) == 1
    assert (out / "index.html").read_bytes() == b"two"
    assert not (out / "old.html").exists()
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (out / "CNAME").read_text() == "example.org\n"
    assert (out / ".nojekyll").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_unchanged_site_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"same", "a/b.css": b"x"}, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    inode = out.stat().st_ino
    assert write_site({"index.html": b"same", "a/b.css": b"x"}, out) == 0
    assert out.stat().st_ino == inode
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_hand_edited_output_is_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"same"}, out)
    (out / "index.html").write_bytes(b"edited")
    assert write_site({"index.html": b"same"}, out) == 1
    assert (out / "index.html").read_bytes() == b"same"


def test_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"one"}, out)
    os.replace(out, tmp_path / ".site.old")  # as if killed between the two renames
    write_site({"index.html": b"two"}, out)
    assert (out / "index.html").read_bytes() == b"two"
    assert not (tmp_path / ".site.old").exists()


@pytest.mark.parametrize("relative", ["../x", "/etc/passwd", "a/../../x", "a\\..\\x", "a/./b", "a//b", "x\x00y"])
def test_paths_outside_the_output_are_refused(tmp_path: Path, relative: str) -> None:
    with pytest.raises(OutputError):
        contained(tmp_path, relative)


def test_refuses_project_root_and_its_parents(tiny: Path) -> None:
    for out in (tiny, tiny.parent, tiny / "content" / ".."):
        with pytest.raises(OutputError, match="refusing"):
            check_output_dir(out, tiny)


def test_refuses_directory_holding_project_data(tiny: Path) -> None:
    with pytest.raises(OutputError, match="holds the project's data"):
        check_output_dir(tiny / "data", tiny)


def test_refuses_foreign_non_empty_directory_unless_forced(tiny: Path) -> None:
    out = tiny / "public"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="did not create"):
        build(tiny, {"build.output": str(out)})
    assert (out / "notes.txt").read_text() == "mine"
    build(tiny, {"build.output": str(out)}, force=True)
    assert (out / MARKER).exists() and not (out / "notes.txt").exists()


def test_refuses_symlinked_output(tiny: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tiny / "site").symlink_to(elsewhere)
    with pytest.raises(OutputError, match="symlink"):
        build(tiny)


def test_rebuild_without_change_reports_nothing_written(tiny: Path) -> None:
    assert build(tiny).files > 0
    assert build(tiny).files == 0
