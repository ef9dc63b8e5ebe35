"""Each gate fails on a deliberately broken page, so a passing gate means something."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .gates import axe_violations, load, lychee_broken, static_server, vnu_errors

GOOD_HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body><main>'
TAIL = "</main></body></html>"


def write(site: Path, path: str, body: str) -> None:
    target = site / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(GOOD_HEAD + body + TAIL, encoding="utf-8")


def test_axe_catches_a_missing_alt(tmp_path: Path, axe_page: Any) -> None:
    write(tmp_path, "index.html", '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">')
    with static_server(tmp_path) as url:
        assert any(v.startswith("image-alt") for v in axe_violations(axe_page, url + "index.html"))


def test_lychee_catches_a_broken_link_and_anchor(tmp_path: Path) -> None:
    write(tmp_path, "index.html", '<a href="missing/index.html">m</a><a href="other.html#nowhere">o</a>')
    write(tmp_path, "other.html", '<h2 id="here">h</h2>')
    broken = lychee_broken(tmp_path)
    assert any("missing/index.html" in b for b in broken)
    assert any("#nowhere" in b for b in broken)


def test_vnu_catches_invalid_html(tmp_path: Path) -> None:
    write(tmp_path, "index.html", "<p><div>block in a paragraph</p></div><span id=a></span><span id=a></span>")
    assert vnu_errors(tmp_path)


def test_loader_catches_console_errors_and_foreign_requests(tmp_path: Path, page: Any) -> None:
    write(tmp_path, "index.html", '<img alt="x" src="https://example.org/pixel.png"><img alt="y" src="gone.png">')
    with static_server(tmp_path) as url:
        record = load(page, url + "index.html")
    assert record.foreign == ["https://example.org/pixel.png"]
    assert any("gone.png" in f for f in record.failed)
