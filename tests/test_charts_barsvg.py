"""sitegen's own SVG writer for the per-entity bar charts (sitegen/charts/barsvg.py), and the weekly_bars kind
that uses it instead of vl-convert."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sitegen.charts import render_charts, render_count
from sitegen.charts.barsvg import count_ticks, text_width, time_bars_svg, time_ticks
from sitegen.charts.style import NARROW, VARIANTS, WIDE
from sitegen.content import read_declarations
from sitegen.stats import StatResult

SVG = "{http://www.w3.org/2000/svg}"
WEEKS = [dt.date(2020, 6, 1) + dt.timedelta(weeks=i) for i in range(35)]
ENDS = [w + dt.timedelta(days=6) for w in WEEKS]
VALUES = [(i * 37) % 101 for i in range(35)]  # includes zeros (i = 0)
HOSTILE = '</text><script>alert("x")</script><text onload="alert(1)">&amp; \u202eevil'


def picture(values: list[int] = VALUES, **kwargs: Any) -> str:
    options: dict[str, Any] = {"variant": WIDE, "height": 160, "y_title": "Retweets per week", "colour": "#0072B2"}
    options.update(kwargs)
    return time_bars_svg(WEEKS[: len(values)], ENDS[: len(values)], values, **options)


def bars(svg: str) -> list[tuple[float, float, float, float]]:
    """(x, top, width, height) of every bar, read back from the picture's paths."""
    root = ET.fromstring(svg)
    marks = next(g for g in root.iter(f"{SVG}g") if "role-mark" in g.get("class", ""))
    out = []
    for path in marks.iter(f"{SVG}path"):
        x, top, width, bottom = map(
            float, re.fullmatch(r"M([\d.]+),([\d.]+)h([\d.]+)V([\d.]+)H[\d.]+Z", path.get("d")).groups()
        )
        out.append((x, top, width, bottom - top))
    return out


def test_bar_heights_are_proportional_to_the_values_and_zero_weeks_have_no_bar() -> None:
    drawn = bars(picture())
    nonzero = [v for v in VALUES if v > 0]
    assert len(drawn) == len(nonzero)
    top_tick = count_ticks(max(VALUES), 4)[-1]
    for (_, top, _, height), value in zip(drawn, nonzero, strict=True):
        assert height == pytest.approx(160 * value / top_tick, abs=0.01)
        assert top + height == pytest.approx(160)  # every bar stands on the axis
    xs = [x for x, *_ in drawn]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    widths = {round(w, 1) for _, _, w, _ in drawn}
    assert len(widths) == 1 and widths.pop() < 560 / 35  # a day's gap between weeks


def test_count_axis_ticks_are_round_whole_numbers_reaching_past_the_largest_value() -> None:
    assert count_ticks(995, 4) == [0, 200, 400, 600, 800, 1000]
    assert count_ticks(3, 4) == [0, 1, 2, 3]  # never a step below one
    assert count_ticks(7, 4) == [0, 2, 4, 6, 8]
    for high in (1, 9, 10, 99, 12345):
        ticks = count_ticks(high, 4)
        assert ticks[0] == 0 and ticks[-1] >= high and len(ticks) <= 8


def test_time_axis_labels_months_within_the_plot() -> None:
    ticks = time_ticks(WEEKS[0], ENDS[-1], WIDE.time_ticks, WEEKS)
    assert [label for _, label in ticks] == ["Jun 2020", "Aug 2020", "Oct 2020", "Dec 2020"]
    assert len(time_ticks(WEEKS[0], ENDS[-1], NARROW.time_ticks, WEEKS)) <= NARROW.time_ticks
    short = time_ticks(WEEKS[0], ENDS[2], 6, WEEKS[:3])  # no two month starts: label the weeks
    assert [label for _, label in short] == ["1 Jun", "8 Jun", "15 Jun"]
    for variant in VARIANTS:
        root = ET.fromstring(picture(variant=variant))
        labels = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "mark-text role-axis-label")
        for text in labels.iter(f"{SVG}text"):
            if text.get("text-anchor") == "start":  # time labels: inside the plot's width
                x = float(text.get("x"))
                assert 0 <= x and x + text_width(text.text, variant.font_size) <= variant.width + 0.01


def test_hostile_text_is_escaped_and_bidi_controls_removed() -> None:
    svg = picture(y_title=HOSTILE, lines=[HOSTILE, "Illustrative data"])
    root = ET.fromstring(svg)  # well-formed: the text did not open or close any element
    assert not [e for e in root.iter() if e.tag in (f"{SVG}script", f"{SVG}foreignObject")]
    assert not [name for e in root.iter() for name in e.attrib if name.startswith("on")]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    expected = HOSTILE.replace("\u202e", "")
    assert texts.count(expected) == 2 and "Illustrative data" in texts
    assert "\u202e" not in svg and "<script" not in svg


def test_picture_is_deterministic_sized_by_css_and_hidden_from_assistive_technology() -> None:
    assert picture() == picture()
    for variant in VARIANTS:
        root = ET.fromstring(picture(variant=variant))
        assert root.get("aria-hidden") == "true" and root.get("width") is None and root.get("role") is None
        width = float(root.get("viewBox").split()[2])
        assert variant.width < width <= variant.width + 120
    assert not [e for e in ET.fromstring(picture()).iter() if e.get("aria-label")]


def test_per_entity_charts_are_drawn_without_vl_convert_and_plot_their_table(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "handle": ["liu", "liu", HOSTILE, HOSTILE],
            "week": [dt.date(2020, 6, 8), dt.date(2020, 6, 22), dt.date(2020, 6, 1), dt.date(2020, 6, 8)],
            "engagements": [5, 7, 1, 2],
        }
    )
    stat = StatResult(
        id="per-week", kind="weekly_per_target", label="per week", value=None, format="count",
        definition="per week", inputs=("engagements",), illustrative=True, frame=frame,
        window=(dt.date(2020, 6, 1), dt.date(2020, 6, 28)),
    )  # fmt: skip
    (tmp_path / "content").mkdir()
    charts_yaml = tmp_path / "content" / "charts.yaml"
    charts_yaml.write_text("- {id: acct, kind: weekly_bars, stat: per-week, per: handle, params: {unit: retweets}}\n")
    before = render_count()
    charts = render_charts(read_declarations(charts_yaml, tmp_path), {"per-week": stat})
    assert render_count() == before  # no vl-convert call for a picture
    liu = charts["acct/liu"]
    assert list(liu.table["retweets"]) == [0, 5, 0, 7]
    for svg in (liu.svg, liu.svg_narrow):
        assert len(bars(svg)) == 2 and "Illustrative data" in svg
        heights = [h for *_, h in bars(svg)]
        assert heights[1] / heights[0] == pytest.approx(7 / 5, rel=1e-3)
    # The spec for the interactive view plots the same rows the table prints.
    (rows,) = liu.spec["datasets"].values()
    assert [(r["start"], r["retweets"]) for r in rows] == [tuple(r) for r in liu.table.astype(object).values]
    assert liu.spec["data"]["name"] in liu.spec["datasets"]
