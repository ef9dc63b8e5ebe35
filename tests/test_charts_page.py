"""Charts on built pages: static picture, words, table, CSV, escaping, no-data state, the script's contract."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import ChartError

from .conftest import tree

STATIC = Path(__file__).parent.parent / "sitegen" / "theme" / "static"


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620691200")


def figure(html: str, chart_id: str) -> str:
    match = re.search(rf'<figure class="chart[^"]*" id="chart-{chart_id}".*?</figure>', html, re.S)
    assert match, f"no figure for chart {chart_id!r}"
    return match.group(0)


def test_chart_reads_without_javascript(tiny: Path) -> None:
    build(tiny)
    html = (tiny / "site" / "index.html").read_text()
    fig = figure(html, "weekly")
    picture = re.search(
        r'<div class="chart-picture" role="img" aria-labelledby="chart-weekly-title" '
        r'aria-describedby="chart-weekly-alt">(.*?)</div>\n  </div>',
        fig,
        re.S,
    )
    assert picture and picture.group(1).count("<svg ") == 2  # wide and narrow pictures, inline
    assert '<strong id="chart-weekly-title" class="chart-title">Weekly retweets &lt;by class&gt;</strong>' in fig
    alt = re.search(r'<p class="chart-alt" id="chart-weekly-alt">(.*?)</p>', fig, re.S)
    assert alt and "3 weeks from 8 June 2020 to 28 June 2020, 12 engagements in all" in alt.group(1)
    assert '<a href="charts/weekly.csv" download>Download the data (CSV)</a>' in fig
    assert "Source: test data." in fig
    assert 'data-spec="charts/weekly.vl.json"' in fig


def test_page_table_csv_and_spec_hold_the_same_numbers(tiny: Path) -> None:
    build(tiny)
    site = tiny / "site"
    fig = figure((site / "index.html").read_text(), "weekly")
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", fig, re.S)]
    rows = list(csv.reader(io.StringIO((site / "charts" / "weekly.csv").read_text())))
    assert cells[0] == rows[0]
    assert [[c.rstrip("%") for c in row] for row in cells[1:]] == rows[1:]
    spec = json.loads((site / "charts" / "weekly.vl.json").read_text())
    plotted = {
        (r["start"], r["engager_class"], r["engagements"]) for d in spec["datasets"].values() for r in d if "lower" in r
    }
    header = rows[0]
    from_csv = {(row[0], header[i], int(row[i])) for row in rows[1:] for i in range(1, len(header) - 2)}
    assert plotted == from_csv


def test_markup_in_a_title_is_escaped_never_run(tiny: Path) -> None:
    charts = tiny / "content" / "charts.yaml"
    charts.write_text(
        charts.read_text().replace(
            "title: Weekly retweets <by class>", 'title: "<script>alert(1)</script> & <b>co</b>"'
        )
        + "  subtitle: <img src=x onerror=alert(2)>\n  notes: <a href=javascript:alert(3)>x</a>\n"
    )
    build(tiny)
    html = (tiny / "site" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html and "&lt;a href=javascript:alert(3)&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html and "<a href=javascript" not in html


def test_pages_need_no_inline_script_or_style(tiny: Path) -> None:
    build(tiny)
    for path in (tiny / "site").rglob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script in {path}"
        assert " style=" not in html and "<style" not in html, f"inline style in {path}"
        assert re.search(r'<script src="[^"]*assets/js/charts\.js" defer></script>', html)
    site = tree(tiny / "site")
    for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "vega-interpreter.min.js"):
        assert f"assets/js/vendor/{name}" in site


EMPTY_STAT = (
    "- id: weekly-2019\n  kind: weekly_by_class\n  label: None in 2019\n"
    "  params: {targets: [ambassador], as_of: 2021-03-01, window: [2019-01-01, 2019-12-31]}\n"
)


def test_allow_empty_shows_a_no_data_state(tiny: Path) -> None:
    stats = tiny / "content" / "stats.yaml"
    stats.write_text(stats.read_text() + EMPTY_STAT)
    charts = tiny / "content" / "charts.yaml"
    charts.write_text(
        charts.read_text() + "- {id: empty, kind: weekly_stacked, stat: weekly-2019, allow_empty: true}\n"
    )
    index = tiny / "content" / "index.md"
    index.write_text(index.read_text() + '\n{{ chart("empty") }}\n')
    build(tiny)
    fig = figure((tiny / "site" / "index.html").read_text(), "empty")
    assert (
        '<p class="chart-nodata" id="chart-empty-alt">No data to plot: statistic &#39;weekly-2019&#39; has no rows.</p>'
        in fig
    )
    assert "data-spec" not in fig and "<svg" not in fig
    assert (tiny / "site" / "charts" / "empty.csv").read_text() == "week,engager_class,engagements\n"


def test_an_empty_chart_without_allow_empty_fails_at_its_line(tiny: Path) -> None:
    build(tiny)
    before = tree(tiny / "site")
    stats = tiny / "content" / "stats.yaml"
    stats.write_text(stats.read_text() + EMPTY_STAT)
    charts = tiny / "content" / "charts.yaml"
    charts.write_text(charts.read_text() + "- id: empty\n  kind: weekly_stacked\n  stat: weekly-2019\n")
    with pytest.raises(ChartError) as raised:
        build(tiny)
    assert raised.value.located().startswith("content/charts.yaml:6: chart 'empty': nothing to plot")
    assert "allow_empty: true" in raised.value.located()
    assert tree(tiny / "site") == before


def test_illustrative_data_is_labelled_on_the_chart(tiny: Path) -> None:
    (tiny / "data" / "datapackage.json").write_text(
        json.dumps({"resources": [{"name": "engagements", "illustrative": True}]})
    )
    build(tiny)
    fig = figure((tiny / "site" / "index.html").read_text(), "weekly")
    assert '<strong class="label-illustrative">Illustrative data.</strong>' in fig
    # In both pictures too, so a copied picture keeps its label.
    assert len(re.findall(r">Illustrative data</(?:text|tspan)>", fig)) == 2


def test_chart_script_is_an_enhancement_that_csp_allows() -> None:
    script = (STATIC / "js" / "charts.js").read_text()
    assert "ast: true" in script and "expr: window.vegaInterpreter.expressionInterpreter" in script
    assert "defaultStyle: false" in script and "disableDefaultStyle: true" in script and "actions: false" in script
    assert "eval(" not in script and "Function(" not in script and "innerHTML" not in script
    assert 'classList.add("is-interactive")' in script  # the picture is swapped only after a render succeeded
    css = (STATIC / "site.css").read_text()
    assert ".chart.is-interactive .chart-picture { display: none; }" in css


def test_vendored_runtime_carries_the_security_fixes() -> None:
    versions = dict(
        line.split()[:2]
        for line in (STATIC / "js" / "vendor" / "VERSIONS").read_text().splitlines()
        if line and not line.startswith("#") and len(line.split()) == 3 and not line[0].isdigit()
    )

    def at_least(package: str, minimum: str) -> bool:
        return tuple(map(int, versions[package].split("."))) >= tuple(map(int, minimum.split(".")))

    assert at_least("vega", "6.2.0")  # CVE-2025-59840; CVE-2023-26486/26487 were fixed in 5.23.0
    assert at_least("vega-expression", "6.1.0") and at_least("vega-interpreter", "2.2.1")
    assert at_least("vega-functions", "6.1.1")  # CVE-2025-66648
    for name in ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "vega-interpreter.min.js"):
        text = (STATIC / "js" / "vendor" / name).read_text()
        assert "sourceMappingURL" not in text
        assert f"LICENSE-{name.removesuffix('.min.js')}.txt" in {p.name for p in (STATIC / "js" / "vendor").iterdir()}
