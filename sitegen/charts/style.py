"""The site's chart style: one colour-blind-safe palette, the site's type, two widths."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import altair as alt

# Okabe-Ito: distinguishable with the common forms of colour blindness, on light and dark pages.
PALETTE = {
    "network": "#D55E00",  # vermillion
    "suspended": "#E69F00",  # orange
    "deleted": "#CC79A7",  # reddish purple
    "active": "#0072B2",  # blue
    "unknown": "#999999",  # grey
}
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
HIGHLIGHT, MUTED = "#D55E00", "#8C8C8C"
REFERENCE = "#6B6B6B"  # reference lines: readable on the light and the dark page
REFERENCE_STRONG = "#1A1A1A"  # reference marks drawn over coloured bars; site.css lightens them when dark
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

UTC = alt.Scale(type="utc")  # dates are UTC days: the same picture in every time zone

# The ordered classes of engagers, the network first.
CLASS_ORDER = ("network", "suspended", "deleted", "active", "unknown")


@dataclass(frozen=True)
class Variant:
    """One drawing width. The wide picture fills the text column; the narrow one fits a 320px phone."""

    name: str
    width: int  # plot width in px; axes and legend add to it
    font_size: int
    time_ticks: int
    height_scale: float
    caption_chars: int  # caption lines drawn above the plot wrap at this many characters
    label_limit: int  # longest axis label in px (longer ones end in an ellipsis; the table has them whole)


WIDE = Variant("wide", width=560, font_size=12, time_ticks=6, height_scale=1.0, caption_chars=90, label_limit=180)
NARROW = Variant("narrow", width=230, font_size=11, time_ticks=3, height_scale=0.9, caption_chars=44, label_limit=85)
VARIANTS = (WIDE, NARROW)


def log_ticks(low: float, high: float) -> list[float]:
    """Tick values of a log axis covering [low, high]: powers of ten, with 2 and 5 when the span is short.

    The first and last ticks bracket the data, so they also serve as the scale's domain.
    """
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    steps = (1, 2, 5) if last - first <= 2 else (1,)
    candidates = [round(m * 10.0**e, 12) for e in range(first, last + 2) for m in steps]
    start = max(c for c in candidates if c <= low)
    end = min(c for c in candidates if c >= high and c > start)
    return [c for c in candidates if start <= c <= end]


def colours_for(names: list[str]) -> list[str]:
    """A palette colour for each name: the class colours for known classes, Okabe-Ito for the rest."""
    spare = [c for c in OKABE_ITO if c not in PALETTE.values()]
    out: list[str] = []
    for name in names:
        if name in PALETTE:
            out.append(PALETTE[name])
        else:
            out.append(spare[len([n for n in out if n not in PALETTE.values()]) % len(spare)])
    return out


def theme_config(variant: Variant) -> dict[str, Any]:
    """The Vega-Lite `config` of a variant: the site's type, no frame, no ARIA (the page names the chart)."""
    size, ink = variant.font_size, "#1a1a1a"
    return {
        "font": FONT,
        "background": "transparent",
        "aria": False,
        "padding": 4,
        "view": {"stroke": None},
        "axis": {
            "labelFontSize": size,
            "titleFontSize": size,
            "titleFontWeight": "normal",
            "gridColor": "#8884",
            "domainColor": REFERENCE,
            "tickColor": REFERENCE,
            "labelColor": ink,
            "titleColor": ink,
            "labelOverlap": True,
            "labelLimit": variant.label_limit,
        },
        "axisTemporal": {"tickCount": variant.time_ticks, "labelAngle": 0},
        "legend": {
            "labelFontSize": size,
            "titleFontSize": size,
            "titleFontWeight": "normal",
            "orient": "top",
            "direction": "horizontal",
            "columns": 3 if variant is NARROW else 0,
            "labelColor": ink,
            "titleColor": ink,
            "symbolType": "square",
        },
        "text": {"fontSize": size, "color": ink},
        "title": {"fontSize": size, "fontWeight": "normal", "anchor": "start", "color": ink},
    }
