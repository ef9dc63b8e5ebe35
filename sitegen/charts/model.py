"""What the charts stage passes around: declarations, drawings, rendered charts and the kind registry."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import altair as alt
import pandas as pd

from ..csvsafe import csv_text
from ..stats import StatResult
from .text import display_rows

# How a table column prints: text and ids as they are, dates as ISO dates, counts grouped,
# percent as a number of percent (52.3 -> "52.3%"), number with up to two decimals.
COLUMN_FORMATS = ("text", "id", "date", "count", "percent", "number")


@dataclass(frozen=True)
class ChartDef:
    """A declared chart, validated against its kind and its statistic."""

    id: str
    kind: str
    stat: str
    title: str
    subtitle: str
    source: str
    notes: str
    params: dict[str, Any]
    line: int
    allow_empty: bool = False
    per: str = ""  # one chart per value of this column, id "<id>/<slug of the value>", for entity pages


class NoData(Exception):  # noqa: N818 - a condition, not a failure: allow_empty turns it into a note
    """A chart kind found nothing to plot (after its own filters); the message says why."""


@dataclass(frozen=True)
class Drawing:
    """What a chart kind makes of a statistic: the chart, the plotted table and the words for it.

    `chart` is an Altair chart, or its Vega-Lite spec as a dict (a kind drawn hundreds of times skips
    Altair). `table` holds exactly the values the chart plots (the chart may reshape it, never change
    it); `formats` says how each column prints; `height` is the plot height in pixels; `caption` is a
    line drawn above the plot and added to the chart's notes (a threshold, a time zone). `picture`, when
    set, draws the static SVG itself (variant, plot height and caption lines in, escaped SVG out) instead
    of vl-convert rendering the spec; the spec still serves the interactive view.
    """

    chart: alt.TopLevelMixin | dict[str, Any]
    table: pd.DataFrame
    formats: dict[str, str]
    alt: str
    height: int = 240
    caption: str = ""
    picture: Callable[..., str] | None = None


@dataclass(frozen=True)
class Chart:
    """A rendered chart: SVG pictures, spec, and the text and data readers get instead of the picture."""

    id: str
    title: str
    subtitle: str
    source: str
    notes: str
    svg: str  # wide picture, for columns wider than about 30rem
    spec: dict[str, Any]  # the wide picture's Vega-Lite spec, for the interactive view
    alt: str
    table: pd.DataFrame  # the plotted values, display-ready column names
    illustrative: bool
    svg_narrow: str = ""  # the same chart drawn for phone widths
    formats: dict[str, str] = field(default_factory=dict)
    empty: bool = False  # declared with allow_empty and the statistic had nothing to plot

    @cached_property
    def csv(self) -> str:
        """The plotted data as CSV, with formula-like text cells neutralised (made once: the table never changes,
        and under `serve` the chart outlives the build)."""
        return csv_text(self.table)

    @cached_property
    def spec_json(self) -> str:
        """The Vega-Lite spec as the site's charts/ID.vl.json holds it (made once, like csv)."""
        return json.dumps(self.spec, sort_keys=True, indent=1) + "\n"

    @cached_property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        """The table's cells as the page prints them (made once, like csv)."""
        return tuple(tuple(row) for row in display_rows(self.table, self.formats))

    @property
    def dom_id(self) -> str:
        """The chart's id as an HTML id: a split chart's "account-weekly/slug" becomes "account-weekly--slug"."""
        return self.id.replace("/", "--")

    @property
    def interactive(self) -> bool:
        """Whether the page may swap the picture for an interactive view."""
        return not self.empty and bool(self.spec)


DrawFunction = Callable[[ChartDef, StatResult, pd.DataFrame], Drawing]


@dataclass(frozen=True)
class ChartKind:
    """How to draw one kind of chart from a statistic's table.

    `shapes` are the sets of frame columns the kind can read (the frame needs every column of at least
    one); `stat_kinds` names the statistic kinds known to make such a frame (for messages and docs).
    `params` maps each parameter to a check that returns the cleaned value or raises ValueError.
    """

    name: str
    summary: str
    shapes: tuple[tuple[str, ...], ...]
    stat_kinds: tuple[str, ...]
    params: dict[str, Callable[[Any], Any]]
    draw: DrawFunction

    def shape_of(self, frame: pd.DataFrame) -> tuple[str, ...] | None:
        """The first shape whose columns the frame has, or None."""
        return next((shape for shape in self.shapes if set(shape) <= set(frame.columns)), None)


CHART_KINDS: dict[str, ChartKind] = {}


def chart_kind(
    name: str,
    summary: str,
    shapes: tuple[tuple[str, ...], ...],
    stat_kinds: tuple[str, ...] = (),
    params: dict[str, Callable[[Any], Any]] | None = None,
) -> Callable[[DrawFunction], DrawFunction]:
    """Register a chart kind."""

    def register(fn: DrawFunction) -> DrawFunction:
        CHART_KINDS[name] = ChartKind(name, summary, shapes, stat_kinds, dict(params or {}), fn)
        return fn

    return register


# Parameter checks: each returns the cleaned value or raises ValueError saying what it must be.


def whole(minimum: int = 0) -> Callable[[Any], int]:
    """A whole number no smaller than `minimum`."""

    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"must be a whole number of at least {minimum}")
        return value

    return check


def share(value: Any) -> float:
    """A share between 0 and 1, written as 0.5 or '50%'."""
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            value = float(value.strip()[:-1]) / 100
        except ValueError:
            raise ValueError("must be a share such as 0.5 or 50%") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError("must be a share such as 0.5 or 50%")
    return float(value)


def flag(value: Any) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def one_of(*choices: str) -> Callable[[Any], str]:
    """One of a fixed set of words."""

    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return str(value)

    return check


def words(value: Any) -> str:
    """Plain text (shown to readers, escaped, never markup)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be some text")
    return value.strip()
