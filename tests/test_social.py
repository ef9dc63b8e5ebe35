"""Social images: a 1200x630 PNG per page from its lead chart or a title card, and the meta that points at it."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
import vl_convert as vlc

from sitegen.build import build
from sitegen.charts import render_pngs, social_card

BASE = "https://example.org/tiny/"


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620691200")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_title_card_escapes_untrusted_text_and_rasterises_to_1200_by_630(tmp_path: Path) -> None:
    hostile = 'A <script>alert(1)</script> & "quoted" \x00\x1b title ' + "very long " * 20
    card = social_card("social/x.png", hostile, "Site & <b>name</b>", "desc <i>", None)
    assert "<script" not in card.svg and "<b>" not in card.svg and "<i>" not in card.svg
    assert "&lt;script&gt;" in card.svg and "Site &amp; &lt;b&gt;name&lt;/b&gt;" in card.svg
    assert "\x00" not in card.svg and "\x1b" not in card.svg
    assert card.svg.count("…") == 1  # the long title is cut at three lines
    pngs = render_pngs([card], tmp_path / "cache")
    assert png_size(pngs["social/x.png"]) == (1200, 630)
    assert list((tmp_path / "cache").rglob("*.png"))  # cached by the card's hash
    assert vlc.svg_to_png(card.svg, scale=1) == pngs["social/x.png"]  # the same bytes every time


def test_pages_get_a_social_image_from_their_lead_chart_or_a_card(tiny: Path) -> None:
    build(tiny, {"site.base_url": BASE})
    site = tiny / "site"
    html = (site / "index.html").read_text()
    image = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    assert image and image.group(1) == BASE + "social/index.png"
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{BASE}social/index.png">' in html
    assert re.search(r'<meta property="og:image:alt" content="Chart: [^"]+">', html)
    pages = [p for p in site.rglob("index.html")]
    for page in pages:
        slug = page.parent.relative_to(site).as_posix()
        png = site / "social" / f"{'index' if slug == '.' else slug}.png"
        assert png_size(png.read_bytes()) == (1200, 630), png
    methodology = (site / "methodology" / "index.html").read_text()
    assert 'og:image:alt" content="Methodology: ' in methodology


def test_without_an_absolute_base_url_there_is_no_image_and_no_image_meta(tiny: Path) -> None:
    build(tiny)
    html = (tiny / "site" / "index.html").read_text()
    assert "og:image" not in html and "twitter:image" not in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert not (tiny / "site" / "social").exists()
