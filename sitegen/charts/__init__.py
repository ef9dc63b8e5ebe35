"""The charts stage: Altair charts from statistic results, rendered to static SVG with vl-convert.

Each chart is drawn at build time to two static SVG pictures (a wide one and one for phone widths),
with alt text, a data table and a CSV made from the same numbers. Its Vega-Lite spec is kept so a
page can swap the picture for an interactive view when JavaScript runs (theme/static/js/charts.js).

Names are imported on first use, so the render workers (`python -m sitegen.charts.svg`) start
without loading pandas, Altair or the query engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..csvsafe import csv_text
    from .declarations import read_chart_defs
    from .model import CHART_KINDS, Chart, ChartDef, ChartKind, Drawing, NoData, chart_kind
    from .social import SocialCard, render_pngs, social_card
    from .stage import render_charts
    from .style import PALETTE
    from .svg import clear_memory_cache, render_count

_HOMES = {
    "CHART_KINDS": "model",
    "Chart": "model",
    "ChartDef": "model",
    "ChartKind": "model",
    "Drawing": "model",
    "NoData": "model",
    "chart_kind": "model",
    "read_chart_defs": "declarations",
    "render_charts": "stage",
    "PALETTE": "style",
    "clear_memory_cache": "svg",
    "render_count": "svg",
    "csv_text": ".csvsafe",  # sitegen.csvsafe: the data downloads use it too
    "SocialCard": "social",
    "render_pngs": "social",
    "social_card": "social",
}
__all__ = [
    "CHART_KINDS",
    "PALETTE",
    "Chart",
    "ChartDef",
    "ChartKind",
    "Drawing",
    "NoData",
    "chart_kind",
    "clear_memory_cache",
    "csv_text",
    "read_chart_defs",
    "render_charts",
    "render_count",
    "render_pngs",
    "social_card",
    "SocialCard",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    importlib.import_module(".stage", __name__)  # registers the chart kinds
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
