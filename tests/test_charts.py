"""Chart kinds, their words and numbers, declarations, rendering and the picture cache.

Statistic results are built here with the frame columns the stats kinds document (weekly_by_class,
per_target, concentration, creation_bursts, time_to_engagement), and an hour-of-day frame, which no
statistic kind makes yet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import vl_convert
from altair.vegalite.v6.schema.core import TopLevelSpec

from sitegen.charts import CHART_KINDS, Chart, clear_memory_cache, csv_text, render_charts, render_count
from sitegen.charts import svg as svg_module
from sitegen.content import read_declarations
from sitegen.errors import ChartError
from sitegen.stats import StatResult

BIG_ID = "9007199254740993"  # 2^53 + 1: a float would print ...992


def result(stat_id: str, kind: str, frame: pd.DataFrame | None, **extra: Any) -> StatResult:
    """A table statistic as the stats stage would return it."""
    values: dict[str, Any] = {
        "id": stat_id,
        "kind": kind,
        "label": stat_id,
        "value": None,
        "format": "count",
        "definition": f"{stat_id} as defined",
        "inputs": ("engagements",),
        "illustrative": False,
        "frame": frame,
    }
    values.update(extra)
    return StatResult(**values)


def weekly_frame() -> pd.DataFrame:
    rows = []
    counts = {"network": (5, 9, 2), "suspended": (3, 1, 4), "active": (2, 2, 6), "unknown": (0, 1, 0)}
    for i, week in enumerate((dt.date(2020, 6, 8), dt.date(2020, 6, 15), dt.date(2020, 6, 22))):
        for engager_class, values in counts.items():
            rows.append((week, engager_class, values[i]))
    return pd.DataFrame(rows, columns=["week", "engager_class", "engagements"])


def per_target_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "handle": ["AmbLiuXiaoMing", "ChineseEmbinUK", '=HYPERLINK("http://x")', "quiet_one"],
            "account_id": ["1390000000000000001", "1390000000000000002", BIG_ID, "2000000000000000003"],
            "role": ["diplomat", "embassy", "diplomat", "diplomat"],
            "engagements": [1000, 400, 250, 120],
            "known_status": [900, 380, 200, 100],
            "with_status": [495, 76, 20, 3],
            "followers": [119452, 80000, 0, 1500],
        }
    )


def lorenz_frame() -> pd.DataFrame:
    """A least-active-first curve on a 1% grid, as the concentration kind makes it."""
    counts = np.sort(np.r_[np.full(990, 1), np.full(10, 100)])
    cumulative = np.r_[0, np.cumsum(counts)] / counts.sum()
    grid = np.linspace(0, 1, 101)
    return pd.DataFrame(
        {"engager_share": grid, "engagement_share": np.interp(grid * 1000, np.arange(1001), cumulative)}
    )


def bursts_frame() -> pd.DataFrame:
    days = [dt.date(2020, 4, 21), dt.date(2020, 4, 23), dt.date(2020, 6, 1), dt.date(2020, 8, 4)]
    return pd.DataFrame({"day": days, "accounts": [5, 4, 1, 4], "burst": [True, True, False, True]})


def delay_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["network"] * 3 + ["rest"] * 3,
            "percentile": [0.25, 0.5, 0.9] * 2,
            "minutes": [0.2, 0.5, 3.0, 30.0, 120.0, 900.0],
            "engagements": [300] * 3 + [5000] * 3,
        }
    )


def hourly_frame() -> pd.DataFrame:
    rows = [("network", h, 40 if h in (7, 19) else 2) for h in range(24)]
    rows += [("others", h, 30 if h == 12 else 5) for h in range(0, 24, 2)]  # odd hours: none
    return pd.DataFrame(rows, columns=["group", "hour", "engagements"])


def per_week_frame() -> pd.DataFrame:
    """Two accounts' retweets per week, weeks without any left out as the weekly_per_target kind does."""
    return pd.DataFrame(
        {
            "handle": ["AmbLiuXiaoMing", "AmbLiuXiaoMing", "=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"],
            "week": [dt.date(2020, 6, 8), dt.date(2020, 6, 22), dt.date(2020, 6, 1), dt.date(2020, 6, 8)],
            "engagements": [5, 7, 1, 2],
        }
    )


STATS = {
    "weekly": result("weekly", "weekly_by_class", weekly_frame()),
    "per-week": result(
        "per-week", "weekly_per_target", per_week_frame(), window=(dt.date(2020, 6, 1), dt.date(2020, 6, 28))
    ),
    "targets": result("targets", "per_target", per_target_frame(), filters=("at least 100 engagements per target",)),
    "curve": result("curve", "concentration", lorenz_frame(), value=0.5, numerator=1000, denominator=1990),
    "bursts": result(
        "bursts", "creation_bursts", bursts_frame(), filters=("burst days: the 3 days with the most accounts created",)
    ),
    "delay": result("delay", "time_to_engagement", delay_frame(), value=0.5),
    "hourly": result("hourly", "hourly_activity", hourly_frame()),
    "single": result("single", "engagement_count", None, value=12),
    "nothing": result("nothing", "weekly_by_class", weekly_frame().iloc[0:0]),
}

DECLARED = {
    "weekly_stacked": "{id: weekly, kind: weekly_stacked, stat: weekly, title: Weekly, params: {unit: retweets}}",
    "status_bars": "{id: bars, kind: status_bars, stat: targets, title: Bars}",
    "lorenz": "{id: curve, kind: lorenz, stat: curve, title: Curve}",
    "creation_bursts": "{id: bursts, kind: creation_bursts, stat: bursts, title: Bursts}",
    "followers_engagements": "{id: reach, kind: followers_engagements, stat: targets, title: Reach}",
    "engagement_delay": "{id: delay, kind: engagement_delay, stat: delay, title: Delay}",
    "hour_of_day": "{id: hours, kind: hour_of_day, stat: hourly, title: Hours}",
    "weekly_bars": "{id: liu-weekly, kind: weekly_bars, stat: per-week, title: Weekly, params: {unit: retweets}}",
}


def declare(tmp_path: Path, text: str) -> Any:
    """Write a charts.yaml and read it as the content stage would."""
    (tmp_path / "content").mkdir(exist_ok=True)
    (tmp_path / "content" / "charts.yaml").write_text(text, encoding="utf-8")
    return read_declarations(tmp_path / "content" / "charts.yaml", tmp_path)


def draw(tmp_path: Path, entry: str, stats: dict[str, StatResult] | None = None, **kwargs: Any) -> Chart:
    charts = render_charts(declare(tmp_path, f"- {entry}\n"), stats or STATS, **kwargs)
    assert len(charts) == 1
    return next(iter(charts.values()))


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Chart]:
    """One chart of each kind, rendered once for the module."""
    root = tmp_path_factory.mktemp("kinds")
    text = "".join(f"- {entry}\n" for entry in DECLARED.values())
    charts = render_charts(declare(root, text), STATS)
    return {kind: charts[entry.split(",")[0].split(": ")[1]] for kind, entry in DECLARED.items()}


def test_every_kind_is_declared_here() -> None:
    assert sorted(DECLARED) == sorted(CHART_KINDS)


@pytest.mark.parametrize("kind", sorted(DECLARED))
def test_every_kind_renders_safe_static_svg_at_two_widths(every_kind: dict[str, Chart], kind: str) -> None:
    chart = every_kind[kind]
    for svg in (chart.svg, chart.svg_narrow):
        assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
        assert 'viewBox="0 0 ' in svg.split(">", 1)[0]
        assert ' width="' not in svg.split(">", 1)[0]  # sized by CSS, so it scales to the column
        assert "<script" not in svg and "<foreignObject" not in svg
        # The page's role="img" wrapper names the picture; its parts are hidden, not unnamed images.
        assert 'aria-hidden="true"' in svg.split(">", 1)[0] and " role=" not in svg and "aria-label" not in svg
    wide = float(chart.svg.split('viewBox="0 0 ')[1].split()[0])
    narrow = float(chart.svg_narrow.split('viewBox="0 0 ')[1].split()[0])
    assert narrow <= 340 < wide  # the narrow picture is drawn for a 320px screen, not scaled down
    assert chart.spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert chart.spec["config"]["font"].startswith("system-ui")


def test_alt_text_states_the_numbers(every_kind: dict[str, Chart]) -> None:
    weekly = every_kind["weekly_stacked"].alt
    assert "3 weeks from 8 June 2020 to 28 June 2020" in weekly
    assert (
        "busiest week, starting 15 June 2020, had 13" in weekly and "quietest, starting 8 June 2020, had 10" in weekly
    )
    assert "from 16.7% (week of 22 June 2020) to 69.2% (week of 15 June 2020)" in weekly
    assert "more than 50% of them in 1 of the 3 weeks" in weekly

    bars = every_kind["status_bars"].alt
    assert "Highest: @AmbLiuXiaoMing, 55.0% of 900" in bars and "lowest: @quiet_one, 3.0% of 100" in bars
    assert "with at least 100 retweets" in bars and "1 of the 4 accounts had more than half" in bars

    curve = every_kind["lorenz"].alt
    assert "The top 1% of retweeters made 50.3% of the retweets" in curve
    assert "1,990 retweets" in curve

    bursts = every_kind["creation_bursts"].alt
    assert "14 accounts created on 4 days from 21 April 2020 to 4 August 2020" in bursts
    assert "the busiest, 21 April 2020, saw 5" in bursts
    assert "3 burst days (21 April 2020: 5, 23 April 2020: 4 and 4 August 2020: 4)" in bursts
    assert "13 of the 14 accounts (92.9%)" in bursts

    reach = every_kind["followers_engagements"].alt
    assert "Followers range from 1,500 to 119,452" in reach and "retweets from 120 to 1,000" in reach

    delay = every_kind["engagement_delay"].alt
    assert "network 0.5 minutes and rest 120 minutes" in delay and "240 times shorter" in delay
    assert "from 0.2 to 900 minutes" in delay

    hours = every_kind["hour_of_day"].alt
    assert "network: busiest at 07:00 (32.3%), quietest at 00:00 (1.6%)" in hours
    assert "others: busiest at 12:00 (35.3%), quietest at 01:00 (0.0%)" in hours


def test_per_splits_one_statistic_into_a_chart_per_value_over_the_whole_window(tmp_path: Path) -> None:
    declarations = declare(
        tmp_path, "- {id: acct, kind: weekly_bars, stat: per-week, per: handle, params: {unit: retweets}}\n"
    )
    charts = render_charts(declarations, STATS)
    assert sorted(charts) == ["acct/ambliuxiaoming", "acct/cmd-c-calc-a0"]
    liu = charts["acct/ambliuxiaoming"]
    assert liu.dom_id == "acct--ambliuxiaoming"
    assert [tuple(r) for r in liu.rows] == [
        ("2020-06-01", "0"),
        ("2020-06-08", "5"),
        ("2020-06-15", "0"),
        ("2020-06-22", "7"),
    ]
    assert "4 weeks from 1 June 2020 to 28 June 2020, 12 retweets in all, with retweets in 2 of them" in liu.alt
    assert "The busiest week, starting 22 June 2020, had 7." in liu.alt
    assert "handle" not in liu.table.columns and "calc" not in liu.csv


def test_per_names_a_missing_column_at_its_line(tmp_path: Path) -> None:
    declarations = declare(tmp_path, "- id: acct\n  kind: weekly_bars\n  stat: per-week\n  per: account\n")
    with pytest.raises(ChartError, match=r"content/charts.yaml:4: chart 'acct': `per` must name a column"):
        render_charts(declarations, STATS)


def test_per_values_that_would_share_a_file_are_reported(tmp_path: Path) -> None:
    frame = per_week_frame().assign(handle=["Liu", "Liu", "liu", "liu"])
    stats = {"per-week": result("per-week", "weekly_per_target", frame)}
    declarations = declare(tmp_path, "- {id: acct, kind: weekly_bars, stat: per-week, per: handle}\n")
    with pytest.raises(ChartError, match=r"'liu' and 'Liu' would both be charts/acct/liu"):
        render_charts(declarations, stats)


def plotted_rows(chart: Chart, fields: list[str]) -> list[tuple[Any, ...]]:
    """The rows, restricted to `fields`, of the spec's main dataset (the longest that has all of them)."""
    datasets = [rows for rows in chart.spec["datasets"].values() if rows and set(fields) <= set(rows[0])]
    assert datasets, f"no dataset holds {fields}"
    return sorted(tuple(row[f] for f in fields) for row in max(datasets, key=len))


def table_rows(chart: Chart, columns: list[str]) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in chart.table[columns].astype(object).itertuples(index=False, name=None))


PLOTTED = {  # kind: (table columns, the plotted fields holding the same values)
    "status_bars": (
        ["handle", "share (%)", "retweets from suspended accounts", "retweets by accounts of known status"],
        ["handle", "share", "with_status", "known_status"],
    ),
    "lorenz": (["most active retweeters (%)", "their share of retweets (%)"], ["engagers", "engagements"]),
    "creation_bursts": (["day", "accounts", "burst"], ["day", "accounts", "burst"]),
    "followers_engagements": (
        ["handle", "account_id", "followers", "retweets"],
        ["handle", "account_id", "followers", "engagements"],
    ),
    "engagement_delay": (["group", "percentile (%)", "minutes from post"], ["group", "percentile", "time"]),
    "hour_of_day": (
        ["group", "hour (UTC)", "retweets", "share of group (%)"],
        ["group", "hour", "engagements", "share"],
    ),
}


@pytest.mark.parametrize("kind", sorted(PLOTTED))
def test_data_table_is_exactly_the_plotted_values(every_kind: dict[str, Chart], kind: str) -> None:
    chart = every_kind[kind]
    columns, fields = PLOTTED[kind]
    assert table_rows(chart, columns) == plotted_rows(chart, fields)


def test_weekly_table_is_the_plotted_bars(every_kind: dict[str, Chart]) -> None:
    chart = every_kind["weekly_stacked"]
    classes = ["network", "suspended", "active", "unknown"]
    long = chart.table.melt(id_vars=["week starting"], value_vars=classes)
    assert sorted(long.itertuples(index=False, name=None)) == plotted_rows(
        chart, ["start", "engager_class", "engagements"]
    )
    assert list(chart.table["total"]) == [10, 13, 12]


@pytest.mark.parametrize("kind", sorted(DECLARED))
def test_csv_equals_the_table(every_kind: dict[str, Chart], kind: str) -> None:
    chart = every_kind[kind]
    rows = list(csv.reader(io.StringIO(chart.csv)))
    assert rows[0] == list(chart.table.columns)
    expected = [[str(csv_cell(v)) for v in row] for row in chart.table.itertuples(index=False, name=None)]
    assert rows[1:] == expected
    assert len(chart.rows) == len(chart.table)  # and the page prints every row


def csv_cell(value: Any) -> Any:
    text = str(value)
    return "'" + text if text[:1] in "=+-@" and not text.lstrip("+-").replace(".", "", 1).isdigit() else text


def test_ids_keep_every_digit_and_formula_cells_are_neutralised(every_kind: dict[str, Chart]) -> None:
    chart = every_kind["followers_engagements"]
    assert "@=HYPERLINK" not in set(chart.table["handle"])  # it has no followers: not plotted
    bars = every_kind["status_bars"]
    text = bars.csv
    assert '\'@=HYPERLINK(""http://x"")' in text
    assert "\n@=HYPERLINK" not in text and ",@=" not in text
    reach = every_kind["followers_engagements"].csv
    assert "1390000000000000001" in reach
    assert all(isinstance(row["account_id"], str) for row in plotted_dicts(every_kind["followers_engagements"]))


def test_big_ids_survive_to_csv_and_spec(tmp_path: Path) -> None:
    frame = per_target_frame()
    frame.loc[2, "followers"] = 10
    stats = {"targets": result("targets", "per_target", frame)}
    chart = draw(tmp_path, "{id: reach, kind: followers_engagements, stat: targets}", stats)
    assert f",{BIG_ID}," in chart.csv
    assert BIG_ID in {row["account_id"] for row in plotted_dicts(chart)}


def plotted_dicts(chart: Chart) -> list[dict[str, Any]]:
    return [row for rows in chart.spec["datasets"].values() for row in rows]


def test_csv_neutralises_formula_like_text_but_not_numbers() -> None:
    frame = pd.DataFrame(
        {"text": ["=1+1", "+cmd", "-x", "@SUM(A1)", "\tTAB", "-12.5", "+3", "plain", BIG_ID], "n": range(9)}
    )
    rows = list(csv.reader(io.StringIO(csv_text(frame))))[1:]
    assert [r[0] for r in rows] == ["'=1+1", "'+cmd", "'-x", "'@SUM(A1)", "'\tTAB", "-12.5", "+3", "plain", BIG_ID]


def test_markup_in_data_is_text_in_the_picture(tmp_path: Path) -> None:
    frame = per_target_frame()
    frame.loc[3, "handle"] = '<img src=x onerror="alert(1)">'
    chart = draw(
        tmp_path, "{id: bars, kind: status_bars, stat: targets}", {"targets": result("t", "per_target", frame)}
    )
    assert "<img" not in chart.svg and "onerror=" not in chart.svg.split(">", 1)[0]
    assert "&lt;img src=x onerror=" in chart.svg


def test_illustrative_inputs_label_the_picture(tmp_path: Path) -> None:
    stats = {"weekly": result("weekly", "weekly_by_class", weekly_frame(), illustrative=True)}
    chart = draw(tmp_path, "{id: weekly, kind: weekly_stacked, stat: weekly}", stats)
    assert chart.illustrative
    assert "Illustrative data" in chart.svg and "Illustrative data" in chart.svg_narrow
    plain = draw(tmp_path, "{id: weekly, kind: weekly_stacked, stat: weekly}")
    assert not plain.illustrative and "Illustrative data" not in plain.svg


def test_same_spec_gives_the_same_bytes(tmp_path: Path) -> None:
    entry = DECLARED["weekly_stacked"]
    clear_memory_cache()
    first = draw(tmp_path, entry)
    clear_memory_cache()
    before = render_count()
    second = draw(tmp_path, entry)
    assert render_count() == before + 2  # really rendered again, both widths
    assert json.dumps(first.spec, sort_keys=True) == json.dumps(second.spec, sort_keys=True)
    assert first.svg == second.svg and first.svg_narrow == second.svg_narrow


def test_disk_cache_means_an_unchanged_chart_is_never_rendered_twice(tmp_path: Path) -> None:
    cache = tmp_path / ".sitegen" / "cache" / "charts"
    entry = DECLARED["lorenz"].replace("title: Curve", "title: Cached curve")
    clear_memory_cache()
    before = render_count()
    first = draw(tmp_path, entry, cache_dir=cache)
    assert render_count() == before + 2
    assert len(list(cache.rglob("*.svg"))) == 2
    clear_memory_cache()  # a new build process: only the disk cache is left
    second = draw(tmp_path, entry, cache_dir=cache)
    assert render_count() == before + 2
    assert second.svg == first.svg and second.svg_narrow == first.svg_narrow
    third = draw(tmp_path, entry.replace("{id: curve,", "{id: curve, params: {top: 5%},"), cache_dir=cache)
    assert render_count() == before + 4  # a changed chart is rendered
    assert third.svg != first.svg


def test_finished_charts_come_back_from_the_cache_equal_and_redraw_when_their_rows_change(tmp_path: Path) -> None:
    cache = tmp_path / ".sitegen" / "cache" / "charts"
    entry = DECLARED["weekly_stacked"].replace("title: ", "title: Finished ")
    first = draw(tmp_path, entry, cache_dir=cache)
    assert len(list(cache.rglob("*.chart.json"))) == 1 and len(list(cache.rglob("*.chart.parquet"))) == 1
    second = draw(tmp_path, entry, cache_dir=cache)  # no drawing at all: read back from the cache
    for field in ("svg", "svg_narrow", "spec", "alt", "notes", "formats", "illustrative", "title"):
        assert getattr(second, field) == getattr(first, field), field
    pd.testing.assert_frame_equal(second.table, first.table)
    assert second.rows == first.rows and second.csv == first.csv
    changed = weekly_frame().assign(engagements=lambda f: f["engagements"] * 2)
    stats = {**STATS, "weekly": result("weekly", "weekly_by_class", changed)}
    third = draw(tmp_path, entry, stats, cache_dir=cache)
    assert third.rows != first.rows
    assert len(list(cache.rglob("*.chart.json"))) == 2


def test_many_charts_render_in_worker_processes_with_identical_bytes(tmp_path: Path) -> None:
    specs = {f"c{i}": every_spec(i) for i in range(svg_module.PARALLEL_FROM)}
    jobs = [(svg_module.spec_key(spec), json.dumps(spec, sort_keys=True)) for spec in specs.values()]
    serial = dict(map(svg_module._render, jobs))
    parallel = dict(svg_module._start_parallel(jobs)())
    assert parallel == serial
    assert all(svg.startswith("<svg ") for svg in parallel.values())


def test_workers_started_ahead_render_a_few_charts_with_identical_bytes_and_the_rest_are_ended() -> None:
    if svg_module._workers() < 2:
        pytest.skip("one core: no worker processes")
    clear_memory_cache()
    svg_module.start_workers()
    ready = list(svg_module._ready)
    assert len(ready) == svg_module._workers() and all(p.poll() is None for p in ready)
    specs = {"only": every_spec(101)}  # fewer than PARALLEL_FROM: rendered here, unless workers are waiting
    pictures = svg_module.start_svgs(specs)()
    serial = svg_module._render((svg_module.spec_key(specs["only"]), json.dumps(specs["only"], sort_keys=True)))[1]
    assert pictures == {"only": serial}
    assert svg_module._ready == []
    assert ready[0].wait(timeout=30) == 0  # the first worker rendered it and exited...
    assert all(p.wait(timeout=30) < 0 for p in ready[1:])  # ...the others were killed, not left running


def test_workers_started_ahead_and_not_needed_are_ended() -> None:
    svg_module.start_workers()
    ready = list(svg_module._ready)
    svg_module.stop_workers()
    assert svg_module._ready == [] and all(p.returncode is not None for p in ready)


def every_spec(i: int) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": [{"x": "a", "y": i}, {"x": "b", "y": i + 1}]},
        "mark": "bar",
        "encoding": {"x": {"field": "x", "type": "nominal"}, "y": {"field": "y", "type": "quantitative"}},
    }


@pytest.mark.parametrize(
    ("entry", "message", "line"),
    [
        ("- {id: a, kind: pie, stat: weekly}", "unknown kind 'pie'", 2),
        ("- {id: a, kind: lorenz, stat: nope}", "unknown statistic 'nope'", 2),
        ("- {id: a, kind: lorenz, stat: single}", "statistic 'single' (engagement_count) is a single number", 2),
        ("- {id: a, kind: lorenz, stat: weekly}", "needs a table with columns (engager_share, engagement_share)", 2),
        ("- {id: a, kind: weekly_stacked, stat: nothing}", "nothing to plot: statistic 'nothing' has no rows", 2),
        (
            "- id: a\n  kind: lorenz\n  stat: curve\n  params:\n    top: 1%\n    colour: red",
            "takes no parameter 'colour'",
            7,
        ),
        ("- id: a\n  kind: lorenz\n  stat: curve\n  params:\n    top: 150%", "parameter 'top' must be a share", 6),
        ("- id: a\n  kind: status_bars\n  stat: targets\n  params: {top: 0}", "'top' must be a whole number", 5),
        ("- id: a\n  kind: lorenz\n  stat: curve\n  title: [not, text]", "`title` must be text", 5),
        ("- id: a\n  kind: lorenz\n  stat: curve\n  colour: red", "unknown key 'colour'", 5),
        ("- {id: a, kind: lorenz, stat: curve}\n- {id: a, kind: lorenz, stat: curve}", "declared twice", 3),
        ("- {id: Bad Id, kind: lorenz, stat: curve}", "every chart needs an `id`", 2),
        ("- {id: a, kind: lorenz, stat: curve, allow_empty: maybe}", "`allow_empty` must be true or false", 2),
    ],
)
def test_bad_declarations_are_located(tmp_path: Path, entry: str, message: str, line: int) -> None:
    with pytest.raises(ChartError) as raised:
        render_charts(declare(tmp_path, "# charts\n" + entry + "\n"), STATS)
    assert message in raised.value.located()
    assert raised.value.located().startswith(f"content/charts.yaml:{line}: ")


def test_filters_that_leave_nothing_are_a_clear_error(tmp_path: Path) -> None:
    frame = per_target_frame().assign(known_status=0, with_status=0)
    with pytest.raises(ChartError, match=r"charts.yaml:1: chart 'a': nothing to plot: no target has engagements"):
        draw(tmp_path, "{id: a, kind: status_bars, stat: t}", {"t": result("t", "per_target", frame)})


def test_allow_empty_gives_a_no_data_state(tmp_path: Path) -> None:
    chart = draw(tmp_path, "{id: a, kind: weekly_stacked, stat: nothing, allow_empty: true, title: Weekly}")
    assert chart.empty and not chart.interactive and chart.svg == "" and chart.spec == {}
    assert chart.alt == "No data to plot: statistic 'nothing' has no rows."
    assert chart.csv == "week,engager_class,engagements\n"


def test_status_bars_top_limits_the_bars_not_the_totals(tmp_path: Path) -> None:
    chart = draw(tmp_path, "{id: a, kind: status_bars, stat: targets, params: {top: 2, unit: retweets}}")
    assert list(chart.table["handle"]) == ["@AmbLiuXiaoMing", "@ChineseEmbinUK"]
    assert "The 2 highest of 4 accounts with at least 100 retweets" in chart.notes
    # 594 of 1,580 retweets by accounts of known status, all four accounts together
    assert "all 4 together, 37.6%" in chart.notes and "37.6% of the 1,580 retweets" in chart.alt


def test_weekly_reads_a_network_share_frame(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"week": [dt.date(2020, 6, 8), dt.date(2020, 6, 15)], "network": [3, 6], "total": [10, 8], "share": [0.3, 0.75]}
    )
    stats = {"share": result("share", "network_share", frame, value=0.5)}
    chart = draw(
        tmp_path, "{id: a, kind: weekly_stacked, stat: share, params: {normalize: true, reference: 30%}}", stats
    )
    assert list(chart.table.columns) == ["week starting", "network", "others", "total", "network share (%)"]
    assert list(chart.table["network share (%)"]) == [30.0, 75.0]
    assert "more than 30% of them in 1 of the 2 weeks" in chart.alt
    assert chart.notes.startswith("Dashed line: 30% of each week.")


@pytest.mark.parametrize("kind", sorted(DECLARED))
def test_specs_are_valid_vega_lite_that_compiles_without_warnings(
    every_kind: dict[str, Chart], kind: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """The build skips schema checks for speed, so every kind's spec is checked here."""
    spec = every_kind[kind].spec
    TopLevelSpec.validate(spec)
    capfd.readouterr()
    vl_convert.vegalite_to_vega(spec, show_warnings=True)
    assert "WARN" not in capfd.readouterr().err


def test_no_expression_is_built_from_data(every_kind: dict[str, Chart]) -> None:
    """Vega expressions in the specs come from Vega-Lite and fixed strings, never from a data value."""
    for chart in every_kind.values():
        spec = json.dumps(chart.spec)
        assert '"expr"' not in spec and "labelExpr" not in spec and '"calculate"' not in spec
        assert '"filter"' not in spec and "signal" not in spec
