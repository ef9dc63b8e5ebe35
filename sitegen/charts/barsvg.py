"""Bars over time drawn straight to SVG: the small multiples of a chart declared with `per:`.

A collection draws one chart per entity, hundreds of them, each at two widths. vl-convert spends
50-75 ms on each picture (most of it measuring the axis labels' text); this writer draws the same
chart in 1-2 ms (measured on a busy 2-core machine). It draws what the weekly_bars Vega-Lite spec draws, in the
site's style (style.py): a bar per period from its start to its end, a count axis from zero with
round ticks and grouped labels, month (or day) labels on the time axis, caption lines above.

The picture is plain SVG: every text node and attribute value escaped, bidirectional controls
removed, no script, no event handler, no link. Like vl-convert's pictures after clean_svg (svg.py)
it has a viewBox and no fixed size, so it scales to the column, and it is aria-hidden: the page's
wrapper (role="img", named by the chart's title and described by its alt text) speaks for it.
The class names of the parts are Vega's (role-axis-grid, role-axis-tick, role-axis-domain), so
site.css styles them the same way, the dark theme included.

Text widths are estimated from a small table of character widths, not measured in a font: the
layout is deterministic, the same on every machine, and leaves room for the widest common fonts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from ..untrusted import without_bidi_controls
from .style import FONT, MUTED, REFERENCE, Variant
from .text import count

PADDING = 4  # as the Vega-Lite config's `padding`
TICK = 5  # tick length, and the gap between a tick and its label is 2 more
TITLE_GAP = 8  # between the caption lines and the plot, as the spec's title offset
INK, GRID = "#1a1a1a", "#8884"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)

# Advance widths in em, generous for system-ui fonts: digits are tabular in most of them.
_NARROW_CHARS, _WIDE_CHARS = set(" ,.:;'!|il1()[]-"), set("MWmw@%")


def text_width(text: str, size: float) -> float:
    """An estimate of the width of `text` at font size `size`, in px (wide enough for common fonts)."""
    em = sum(0.3 if c in _NARROW_CHARS else 0.9 if c in _WIDE_CHARS else 0.7 if c.isupper() else 0.58 for c in text)
    return em * size


def number(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros: 12.5, 3, -0.25."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def count_ticks(high: int, target: int) -> list[int]:
    """Ticks from 0 to just above `high` with a round whole step (1, 2 or 5 times a power of ten).

    The step is the round step nearest to high / target (as d3's linear ticks choose it), never below 1:
    a count has no half retweets. The last tick is the top of the axis.
    """
    raw = max(high, 1) / max(target, 1)
    power = 10 ** max(0, math.floor(math.log10(raw)))
    error = raw / power
    step = power * (
        10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else 2 if error >= math.sqrt(2) else 1
    )
    return list(range(0, -(-max(high, 1) // step) * step + 1, step))


def time_ticks(first: dt.date, last: dt.date, most: int, starts: Sequence[dt.date]) -> list[tuple[dt.date, str]]:
    """Dates and labels for the time axis: month starts ("Aug 2020"), spaced so at most `most` are drawn.

    A span with fewer than two month starts is labelled at its periods' starts ("8 Jun") instead.
    """
    months = [
        dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range((last.year - first.year) * 12 + last.month - first.month + 1)
    ]
    months = [m for m in months if first <= m <= last]
    if len(months) >= 2:
        step = next((s for s in MONTH_STEPS if len(months[::s]) <= most), MONTH_STEPS[-1])
        return [(m, f"{MONTHS[m.month - 1]} {m.year}") for m in months[::step]]
    step = max(1, math.ceil(len(starts) / max(most, 1)))
    return [(d, f"{d.day} {MONTHS[d.month - 1]}") for d in list(starts)[::step]]


def time_bars_svg(
    starts: Sequence[dt.date],
    ends: Sequence[dt.date],
    values: Sequence[int],
    *,
    variant: Variant,
    height: int,
    y_title: str,
    colour: str,
    lines: Sequence[str] = (),
) -> str:
    """One bar per period, from its start day to its end day and from 0 to its value, as an SVG string.

    `lines` are caption lines drawn above the plot (a caption, "Illustrative data"); `height` is the
    plot's height and variant.width its width, in px, axes and captions outside them.
    """
    size = variant.font_size
    width = variant.width
    lines = [str(without_bidi_controls(line)) for line in lines]
    y_title = str(without_bidi_controls(y_title))

    ticks = count_ticks(max(values, default=0), math.ceil(height / 40))
    top = ticks[-1]
    first, last = min(starts), max(ends)
    days = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return (day - first).days / days * width

    def y(value: float) -> float:
        return height - value / top * height

    y_labels = [count(t) for t in ticks]
    label_space = max(text_width(label, size) for label in y_labels)
    title_x = TICK + 2 + label_space + 4  # the axis title's baseline, left of the labels
    left = PADDING + title_x + size
    caption_height = len(lines) * (size + 3) + (TITLE_GAP if lines else 0)
    upper = PADDING + caption_height
    total_width = left + width + PADDING + 1
    total_height = upper + height + TICK + 2 + size + 4 + PADDING

    out = [
        f'<svg aria-hidden="true" xmlns="http://www.w3.org/2000/svg" version="1.1" class="marks" '
        f'viewBox="0 0 {number(total_width)} {number(total_height)}">',
        f'<g font-family="{_attr(FONT)}" font-size="{size}px" fill="{INK}" '
        f'transform="translate({number(left)},{number(upper)})">',
    ]
    for index, line in enumerate(lines):
        baseline = -caption_height + (index + 1) * (size + 3) - 3
        out.append(
            f'<text text-anchor="start" x="{number(-left + PADDING)}" y="{number(baseline)}" fill="{MUTED}">'
            f"{escape(line)}</text>"
        )

    x_ticks = [(x(day), label) for day, label in time_ticks(first, last, variant.time_ticks, starts)]
    out.append('<g class="mark-rule role-axis-grid" stroke="' + GRID + '" transform="translate(0.5,0.5)">')
    out += [f'<line x1="{number(px)}" x2="{number(px)}" y1="0" y2="{height}"/>' for px, _ in x_ticks]
    out += [f'<line x1="0" x2="{width}" y1="{number(y(t))}" y2="{number(y(t))}"/>' for t in ticks]
    out.append("</g>")

    out.append(f'<g class="mark-rect role-mark marks" fill="{colour}">')
    for start, end, value in zip(starts, ends, values, strict=True):
        if value > 0:
            x0, x1, y1 = x(start), x(end), y(value)
            out.append(f'<path d="M{number(x0)},{number(y1)}h{number(x1 - x0)}V{height}H{number(x0)}Z"/>')
    out.append("</g>")

    out.append(f'<g class="mark-rule role-axis-tick" stroke="{REFERENCE}" transform="translate(0.5,0.5)">')
    out += [f'<line x1="{number(px)}" x2="{number(px)}" y1="{height}" y2="{height + TICK}"/>' for px, _ in x_ticks]
    out += [f'<line x1="0" x2="{-TICK}" y1="{number(y(t))}" y2="{number(y(t))}"/>' for t in ticks]
    out.append("</g>")
    out.append(f'<g class="mark-rule role-axis-domain" stroke="{REFERENCE}" transform="translate(0.5,0.5)">')
    out.append(f'<line x1="0" x2="{width}" y1="{height}" y2="{height}"/><line x1="0" x2="0" y1="0" y2="{height}"/>')
    out.append("</g>")

    out.append('<g class="mark-text role-axis-label">')
    for px, label in x_ticks:
        # Centred on its tick, but moved inside the plot's width rather than past its edges.
        label_width = text_width(label, size)
        label_x = min(max(px - label_width / 2, 0), width - label_width)
        out.append(
            f'<text text-anchor="start" x="{number(label_x)}" y="{height + TICK + 2 + size}">{escape(label)}</text>'
        )
    for tick, label in zip(ticks, y_labels, strict=True):
        out.append(f'<text text-anchor="end" x="{-(TICK + 2)}" y="{number(y(tick) + size / 3)}">{escape(label)}</text>')
    out.append("</g>")
    out.append(
        f'<g class="mark-text role-axis-title"><text text-anchor="middle" '
        f'transform="translate({number(-title_x)},{number(height / 2)}) rotate(-90)">{escape(y_title)}</text></g>'
    )
    out.append("</g></svg>")
    return "".join(out)


def _attr(value: str) -> str:
    """Text for a double-quoted attribute value."""
    return escape(value, {'"': "&quot;"})
