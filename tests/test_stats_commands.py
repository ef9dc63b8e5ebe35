"""`sitegen stats` and `sitegen check` through the CLI, and the methodology page generated from the results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sitegen.build import build
from sitegen.cli import app

runner = CliRunner()


def test_stats_prints_every_statistic_with_value_and_definition(tiny: Path) -> None:
    result = runner.invoke(app, ["stats", "--project", str(tiny)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "amb-followers: 120,500"
    assert "amb-retweets: 9" in lines
    assert "amb-suspended-share: 62% (5 of 8)" in lines
    assert "weekly: a table of 10 rows" in lines
    assert (
        "    Count of retweets of posts by @ambassador from 1 June 2020 to 30 June 2020, by the time of the engagement."
        in lines
    )


def test_stats_json_carries_counts_window_inputs_and_tables(tiny: Path) -> None:
    result = runner.invoke(app, ["stats", "--project", str(tiny), "--json"])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in json.loads(result.output)}
    share = records["amb-suspended-share"]
    assert (share["value"], share["numerator"], share["denominator"]) == (0.625, 5, 8)
    assert share["window"] == ["2020-06-01", "2020-06-30"] and share["as_of"] == "2021-05-05"
    assert [i["table"] for i in share["inputs"]] == ["accounts", "engagements", "status_checks"]
    assert share["inputs"][1]["rows"] == 13 and re.fullmatch(r"[0-9a-f]{64}", share["inputs"][1]["sha256"])
    assert records["weekly"]["value"] is None
    assert {"week": "2020-06-08", "engager_class": "network", "engagements": 2} in records["weekly"]["table"]


def test_stats_reports_a_located_error(tiny: Path) -> None:
    stats = tiny / "content" / "stats.yaml"
    stats.write_text(stats.read_text().replace("[2020-06-01, 2020-06-30]}", "[2020-06-30, 2020-06-01]}", 1))
    result = runner.invoke(app, ["stats", "--project", str(tiny)])
    assert result.exit_code == 1
    assert "content/stats.yaml:8: statistic 'amb-retweets': window starts (2020-06-30) after it ends" in result.output


def test_check_passes_a_good_project_and_writes_no_site(tiny: Path) -> None:
    result = runner.invoke(app, ["check", "--project", str(tiny)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "check passed"
    assert "findings  ok (2 checked, all hold; 0 not checked)" in result.output
    assert not (tiny / "site").exists()


def test_check_json_report_for_ci(tiny: Path) -> None:
    findings = tiny / "content" / "findings.yaml"
    findings.write_text(findings.read_text().replace('expect: "> 8"', 'expect: "> 80"'))
    result = runner.invoke(app, ["check", "--project", str(tiny), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert [(s["stage"], s["ok"]) for s in report["stages"]] == [
        ("config", True),
        ("content", True),
        ("data", True),
        ("stats", True),
        ("findings", False),
    ]
    (error,) = report["stages"][-1]["errors"]
    assert (error["path"], error["line"]) == ("content/findings.yaml", 1)
    assert "finding 'amb-retweets' is contradicted by the data" in error["message"]
    assert {s["id"]: s["value"] for s in report["statistics"]}["amb-retweets"] == 9


def test_check_skips_the_stages_after_a_failure(tiny: Path) -> None:
    (tiny / "data" / "posts.csv").unlink()
    result = runner.invoke(app, ["check", "--project", str(tiny)])
    assert result.exit_code == 1
    assert "data      FAILED" in result.output
    assert "  error: data/posts.csv: dataset 'posts' not found" in result.output
    assert "stats     skipped (an earlier stage failed)" in result.output


@pytest.mark.parametrize("strict", [False, True])
def test_check_strict_fails_on_warnings(tiny: Path, strict: bool) -> None:
    index = tiny / "content" / "index.md"
    index.write_text(index.read_text() + "\nThere were 62 accounts.\n")
    result = runner.invoke(app, ["check", "--project", str(tiny)] + (["--strict"] if strict else []))
    assert result.exit_code == (1 if strict else 0)
    assert (
        f"{'error' if strict else 'warning'}: content/index.md:15:12: the number '62' is typed by hand" in result.output
    )


def test_help_shows_examples() -> None:
    for command in ("stats", "check"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert f"Example: sitegen {command}" in result.output


def test_methodology_lists_every_statistic_with_its_definition_counts_and_tables(
    tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620691200")
    build(tiny)
    html = (tiny / "site" / "methodology" / "index.html").read_text()
    for stat_id in ("amb-followers", "amb-retweets", "amb-suspended-share", "weekly"):
        assert f'id="stat-{stat_id}"' in html
    section = html[html.index('id="stat-amb-suspended-share"') :]
    section = section[: section.index("</section>")]
    assert "<dt>Numerator</dt>" in section and ": 5</dd>" in section
    assert "by accounts of known status: 8</dd>" in section
    assert (
        '<time datetime="2020-06-01">1 June 2020</time> to <time datetime="2020-06-30">30 June 2020</time>' in section
    )
    assert '<dt>As of</dt><dd><time datetime="2021-05-05">5 May 2021</time></dd>' in section
    assert "<li>engager status: suspended at the latest check on or before 5 May 2021</li>" in section
    assert "1 engagements by accounts of unknown status were excluded from the denominator." in section
    assert "<code>data/status_checks.csv</code></a> (14 rows, sha256" in section
    assert '<a href="#check-amb-suspended">amb-suspended</a>' in section
    engagements = html[html.index('id="table-engagements"') :]
    assert re.search(r'<code class="hash">[0-9a-f]{64}</code>', engagements)
    checks = html[html.index('id="check-amb-suspended"') :]
    assert "<strong>holds</strong>" in checks[: checks.index("</li>")]
    assert "sitegen check" in html and "manifest.sha256" in html


def test_stats_lists_the_kinds_and_their_parameters() -> None:
    result = runner.invoke(app, ["stats", "--kinds"])
    assert result.exit_code == 0
    assert "network_weeks: share of weeks (or months) in which a named network made at least" in result.output
    assert "    threshold: the network share a period must reach, such as 30%" in result.output
