"""Social images: a 1200x630 PNG per page, from its lead chart's SVG or a title card, rasterised by vl-convert.

A card is an SVG composed here (text escaped, the chart's already-rendered picture nested in it) and
turned into PNG with vl-convert's resvg, which is deterministic. PNGs are cached by the hash of the
card SVG and the renderer's version, like the chart pictures, and rendered in the chart worker
processes when there are many.
"""

from __future__ import annotations

import base64
import hashlib
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import vl_convert as vlc

from .model import Chart
from .style import FONT, OKABE_ITO
from .svg import FAILED, PNG_JOB, RenderFailed, read_cached, render_jobs, write_cached

WIDTH, HEIGHT = 1200, 630
PAD = 56
ALT_LIMIT = 420  # Twitter reads at most this many characters of image alt text
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # no XML 1.0 document holds these
INK, MUTED, PAPER = "#1A1A1A", "#555555", "#FFFFFF"


@dataclass(frozen=True)
class SocialCard:
    """A page's social image before rasterising: where it goes, its SVG and its alt text."""

    path: str
    svg: str
    alt: str


def social_card(path: str, title: str, site_name: str, description: str, chart: Chart | None) -> SocialCard:
    """The card of a page: its lead chart under its title, or without a chart its title and description."""
    head = _text(site_name, PAD, PAD + 28, 26, MUTED)
    if chart is not None and chart.svg and not chart.empty:
        heading = chart.title if title == site_name else f"{title}: {chart.title}"
        title_lines = _lines(heading, 48, 2)
        top = PAD + 80
        head += _text_lines(title_lines, top, 40, 50, INK, bold=True)
        chart_top = top + 50 * len(title_lines)
        nested = _nest(chart.svg, PAD, chart_top, WIDTH - 2 * PAD, HEIGHT - chart_top - PAD // 2)
        alt = _clip(f"Chart: {chart.title}. {chart.alt}", ALT_LIMIT)
        body = head + nested
    else:
        title_lines = _lines(title, 34, 3)
        body = head + _text_lines(title_lines, PAD + 120, 60, 72, INK, bold=True)
        below = PAD + 120 + 72 * len(title_lines) + 10
        body += _text_lines(_lines(description, 64, 3), below, 28, 38, MUTED)
        alt = _clip(f"{title}: {site_name}" if title != site_name else site_name, ALT_LIMIT)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{PAPER}"/>'
        f'<rect width="{WIDTH}" height="10" fill="{OKABE_ITO[0]}"/>{body}</svg>'
    )
    return SocialCard(path=path, svg=svg, alt=alt)


def render_pngs(cards: list[SocialCard], cache_dir: Path | None = None) -> dict[str, bytes]:
    """PNG bytes for each card (site path -> PNG), from the cache when the card is unchanged."""
    versions = f"vl-convert {getattr(vlc, '__version__', '?')} social {_CODE}"
    keys = {card.path: hashlib.sha256(f"{versions}\n{card.svg}".encode()).hexdigest() for card in cards}
    found: dict[str, bytes] = {}
    for key in sorted(set(keys.values())):
        png = read_cached(cache_dir, key, ".png")
        if png is not None:
            found[key] = png
    svgs = {keys[card.path]: card.svg for card in cards}
    jobs = [(key, PNG_JOB + svgs[key]) for key in sorted(set(keys.values()) - set(found))]
    for key, text in render_jobs(jobs):
        if text.startswith(FAILED):
            path = min(p for p, k in keys.items() if k == key)
            raise RenderFailed(path, text.removeprefix(FAILED))
        found[key] = base64.b64decode(text)
        write_cached(cache_dir, key, found[key], ".png")
    return {path: found[key] for path, key in keys.items()}


def _clean(text: str) -> str:
    return _NOT_XML.sub("", " ".join(text.split()))


def _clip(text: str, limit: int) -> str:
    text = _clean(text)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _lines(text: str, width: int, most: int) -> list[str]:
    """Text wrapped at `width` characters, at most `most` lines, the last ending in an ellipsis if cut."""
    lines = textwrap.wrap(_clean(text), width) or [""]
    if len(lines) > most:
        lines = lines[:most]
        last = lines[-1] if len(lines[-1]) < width else lines[-1][: width - 1].rsplit(" ", 1)[0]
        lines[-1] = last.rstrip(" .,;:") + "…"
    return lines


def _text(text: str, x: int, y: int, size: int, colour: str, bold: bool = False) -> str:
    weight = ' font-weight="700"' if bold else ""
    return (
        f'<text x="{x}" y="{y}" font-family="{escape(FONT, {chr(34): "&quot;"})}" font-size="{size}"'
        f'{weight} fill="{colour}">{escape(text)}</text>'
    )


def _text_lines(lines: list[str], top: int, size: int, step: int, colour: str, bold: bool = False) -> str:
    return "".join(_text(line, PAD, top + i * step, size, colour, bold) for i, line in enumerate(lines))


def _nest(chart_svg: str, x: int, y: int, width: int, height: int) -> str:
    """The chart's picture placed in a box of the card, scaled to fit and centred."""
    placed = f'<svg x="{x}" y="{y}" width="{width}" height="{height}" preserveAspectRatio="xMidYMid meet" '
    return chart_svg.replace("<svg ", placed, 1)
