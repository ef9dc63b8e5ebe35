"""The charts stage: draw each declared chart from its statistic, render every picture, assemble."""

from __future__ import annotations

import hashlib
import json
import textwrap
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..content import Declarations
from ..entities import safe_slug
from ..errors import ChartError
from ..stats import StatResult
from ..untrusted import BIDI_CONTROLS, without_bidi_controls
from . import accounts, amplification, weekly  # noqa: F401 - registers the chart kinds
from .declarations import read_chart_defs
from .model import CHART_KINDS, Chart, ChartDef, Drawing, NoData
from .style import MUTED, VARIANTS, Variant, theme_config
from .svg import RenderFailed, read_cached, start_svgs, stop_workers, vlc_versions, write_cached

# Finished charts are cached by a key that includes all of sitegen's code, so any change to it redraws them.
_CODE = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")))
).hexdigest()

ILLUSTRATIVE_LABEL = "Illustrative data"


def render_charts(
    declarations: Declarations, stats: dict[str, StatResult], cache_dir: Path | None = None
) -> dict[str, Chart]:
    """Draw and render every declared chart; pictures come from `cache_dir` when unchanged."""
    with ThreadPoolExecutor(max_workers=1) as storing:  # the cache is written meanwhile, complete on return
        return _render_charts(declarations, stats, cache_dir, storing)


def _render_charts(
    declarations: Declarations, stats: dict[str, StatResult], cache_dir: Path | None, storing: Executor
) -> dict[str, Chart]:
    drawings: dict[str, tuple[ChartDef, StatResult, Drawing | str]] = {}
    keys: dict[str, str] = {}
    charts: dict[str, Chart] = {}
    for definition in read_chart_defs(declarations, stats):
        stat = stats[definition.stat]
        common = definition_digest(definition, stat)
        for chart_id, frame in split(definition, stat, declarations):
            keys[chart_id] = chart_key(common, chart_id, frame)
            cached = read_chart(cache_dir, keys[chart_id])
            if cached is not None:
                charts[chart_id] = cached
                continue
            drawings[chart_id] = (definition, stat, draw(definition, stat, frame, declarations))
    # Pictures vl-convert renders start first (in worker processes when there are many); meanwhile this
    # process finishes the charts whose kinds draw their own pictures.
    vega = [chart_id for chart_id, (_, _, d) in drawings.items() if isinstance(d, Drawing) and d.picture is None]
    specs = {chart_id: variant_specs(drawings[chart_id]) for chart_id in vega}
    try:
        rendering = start_svgs(
            {f"{chart_id}/{variant}": spec for chart_id in vega for variant, spec in specs[chart_id].items()}, cache_dir
        )
        for chart_id, drawn in drawings.items():
            if chart_id not in specs:
                charts[chart_id] = store_chart(cache_dir, keys[chart_id], finish(chart_id, drawn, None), storing)
        svgs = rendering()
    except RenderFailed as exc:
        definition = drawings[exc.name.rsplit("/", 1)[0]][0]
        raise ChartError(
            f"chart {definition.id!r} could not be rendered: {exc.reason}", path=declarations.path, line=definition.line
        ) from None
    finally:
        stop_workers()  # those started ahead (see start_workers) that no picture needed
    for chart_id in vega:
        pictures = {variant: svgs[f"{chart_id}/{variant}"] for variant in specs[chart_id]}
        chart = finish(chart_id, drawings[chart_id], pictures, specs[chart_id])
        charts[chart_id] = store_chart(cache_dir, keys[chart_id], chart, storing)
    return {chart_id: charts[chart_id] for chart_id in keys}  # in declaration order


def variant_specs(drawn: tuple[ChartDef, StatResult, Drawing | str]) -> dict[str, dict[str, Any]]:
    """The Vega-Lite spec of each variant (name -> spec) of a drawing, bidirectional controls removed."""
    _, stat, drawing = drawn
    assert isinstance(drawing, Drawing)
    # Once per chart: Altair copies and checks are the slow part, and most specs hold no bidi control.
    base = drawing.chart if isinstance(drawing.chart, dict) else drawing.chart.to_dict(validate=False)
    base = without_bidi_controls(base) if BIDI_CONTROLS.search(json.dumps(base, ensure_ascii=False)) else base
    return {variant.name: variant_spec(base, drawing, variant, stat.illustrative) for variant in VARIANTS}


def finish(
    chart_id: str,
    drawn: tuple[ChartDef, StatResult, Drawing | str],
    pictures: dict[str, str] | None,
    specs: dict[str, dict[str, Any]] | None = None,
) -> Chart:
    """The finished chart; without `pictures` (variant -> SVG) its kind draws them."""
    definition, stat, drawing = drawn
    if not isinstance(drawing, Drawing):
        return empty_chart(chart_id, definition, stat, drawing)
    specs = specs or variant_specs(drawn)
    if pictures is None:
        assert drawing.picture is not None
        pictures = {
            variant.name: drawing.picture(
                variant=variant,
                height=specs[variant.name]["height"],
                lines=caption_lines(drawing, variant, stat.illustrative),
            )
            for variant in VARIANTS
        }
    return Chart(
        id=chart_id,
        title=definition.title,
        subtitle=definition.subtitle,
        source=definition.source,
        notes=" ".join(n for n in (drawing.caption + "." if drawing.caption else "", definition.notes) if n),
        svg=pictures["wide"],
        svg_narrow=pictures["narrow"],
        spec=specs["wide"],
        alt=drawing.alt,
        table=drawing.table,
        formats=drawing.formats,
        illustrative=stat.illustrative,
    )


def definition_digest(definition: ChartDef, stat: StatResult) -> Any:
    """The hash of what every chart of a definition depends on: sitegen's code, the renderer, the
    definition and the statistic (all but its rows). Made once, copied for each chart of a `per` split."""
    described = repr((definition, replace(stat, frame=None)))
    return hashlib.sha256(f"{_CODE}\0{vlc_versions()}\0{described}".encode())


def chart_key(common: Any, chart_id: str, frame: pd.DataFrame) -> str:
    """The hash of everything a finished chart depends on: its definition's digest, its id and its rows."""
    digest = common.copy()
    digest.update(f"\0{chart_id}\0{list(frame.columns)!r}\0{list(frame.dtypes)!r}\0".encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def read_chart(cache_dir: Path | None, key: str) -> Chart | None:
    """A finished chart stored by an earlier build: its fields as JSON, its table as Parquet."""
    fields, table = read_cached(cache_dir, key, ".chart.json"), read_cached(cache_dir, key, ".chart.parquet")
    if fields is None or table is None:
        return None
    try:
        return Chart(**json.loads(fields), table=pq.read_table(pa.BufferReader(table)).to_pandas())
    except (ValueError, TypeError, pa.ArrowException):  # a damaged entry is only a cache miss
        return None


def store_chart(cache_dir: Path | None, key: str, chart: Chart, storing: Executor) -> Chart:
    """Store a finished chart (written by `storing`, off this thread: Parquet and files let go of the GIL);
    the chart returned has its table as Parquet gives it back, like a cached one."""
    table = pa.Table.from_pandas(chart.table.reset_index(drop=True), preserve_index=False)
    if cache_dir is not None:
        fields = {f.name: getattr(chart, f.name) for f in dataclass_fields(chart) if f.name != "table"}
        storing.submit(write_chart, cache_dir, key, table, json.dumps(fields, sort_keys=True).encode())
    return replace(chart, table=table.to_pandas())


def write_chart(cache_dir: Path, key: str, table: pa.Table, fields: bytes) -> None:
    """Write a finished chart's table as Parquet, then its other fields as JSON (last: read_chart needs both)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    write_cached(cache_dir, key, sink.getvalue().to_pybytes(), ".chart.parquet")
    write_cached(cache_dir, key, fields, ".chart.json")


def split(definition: ChartDef, stat: StatResult, declarations: Declarations) -> list[tuple[str, pd.DataFrame]]:
    """The chart's id and table, or with `per` one (id/slug, rows) for each value of that column."""
    assert stat.frame is not None  # read_chart_defs checked it
    if not definition.per:
        return [(definition.id, stat.frame)]
    parts: dict[str, tuple[str, pd.DataFrame]] = {}
    for value, rows in stat.frame.groupby(definition.per, sort=True):
        slug = safe_slug(str(value))
        if slug in parts:
            raise ChartError(
                f"chart {definition.id!r}: {str(value)!r} and {parts[slug][0]!r} would both be "
                f"charts/{definition.id}/{slug}",
                path=declarations.path,
                line=definition.line,
            )
        parts[slug] = (str(value), rows.drop(columns=[definition.per]).reset_index(drop=True))
    return [(f"{definition.id}/{slug}", rows) for slug, (_, rows) in parts.items()]


def draw(definition: ChartDef, stat: StatResult, frame: pd.DataFrame, declarations: Declarations) -> Drawing | str:
    """The kind's drawing of the table, or the reason there is nothing to draw (with allow_empty)."""
    try:
        if frame.empty:
            raise NoData(f"statistic {stat.id!r} has no rows")
        return CHART_KINDS[definition.kind].draw(definition, stat, frame.copy())
    except NoData as exc:
        if definition.allow_empty:
            return str(exc)
        raise ChartError(
            f"chart {definition.id!r}: nothing to plot: {exc}. Check the statistic's window and targets, "
            "or set `allow_empty: true` to show a 'no data' note instead of a chart",
            path=declarations.path,
            line=definition.line,
        ) from None
    except (KeyError, ValueError, TypeError) as exc:
        raise ChartError(
            f"chart {definition.id!r}: statistic {stat.id!r} cannot be drawn as {definition.kind}: {exc}",
            path=declarations.path,
            line=definition.line,
        ) from None


def variant_spec(base: dict[str, Any], drawing: Drawing, variant: Variant, illustrative: bool) -> dict[str, Any]:
    """The Vega-Lite spec of one picture: the drawing at the variant's size and type, with its caption lines.

    Specs are not checked against the Vega-Lite schema here (it costs more than rendering); the kinds'
    specs are checked in the tests, and vl-convert rejects a bad one.
    """
    spec = dict(base)  # the caller removed bidirectional controls; only top-level keys are set here
    spec["width"] = variant.width
    spec["height"] = max(80, round(drawing.height * variant.height_scale))
    spec["config"] = theme_config(variant)
    lines = caption_lines(drawing, variant, illustrative)
    if lines:
        spec["title"] = {"text": lines, "color": MUTED, "offset": 8}
    return spec


def caption_lines(drawing: Drawing, variant: Variant, illustrative: bool) -> list[str]:
    """The lines drawn above a picture: the drawing's caption wrapped to the variant, then the data's label."""
    return textwrap.wrap(drawing.caption, variant.caption_chars) + ([ILLUSTRATIVE_LABEL] if illustrative else [])


def empty_chart(chart_id: str, definition: ChartDef, stat: StatResult, reason: str) -> Chart:
    """The 'no data' state of a chart declared with allow_empty: words, an empty table, no picture."""
    assert stat.frame is not None
    return Chart(
        id=chart_id,
        title=definition.title,
        subtitle=definition.subtitle,
        source=definition.source,
        notes=definition.notes,
        svg="",
        spec={},
        alt=f"No data to plot: {reason}.",
        table=pd.DataFrame(columns=list(stat.frame.columns)),
        illustrative=stat.illustrative,
        empty=True,
    )
