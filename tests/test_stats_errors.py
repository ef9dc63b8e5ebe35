"""Mistakes in stats.yaml and findings.yaml: each is one clear error at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.content import read_content
from sitegen.errors import ErrorList, FindingError, SitegenError, StatsError
from sitegen.findings import check_findings, read_sources

from .test_stats_kinds import ACCOUNTS, TABLES, compute, hand_project

GOOD = "- id: good\n  kind: engagement_count\n  params: {target: amb}\n"


@pytest.mark.parametrize(
    ("stats_yaml", "where", "message"),
    [
        (GOOD + "- id: bad\n  kind: nonsense\n", "stats.yaml:5", "unknown kind 'nonsense'"),
        (
            GOOD + "- id: bad\n  kind: engagement_count\n  params:\n    target: amb\n    colour: red\n",
            "stats.yaml:8",
            "takes no parameter 'colour'",
        ),
        (
            GOOD
            + "- id: bad\n  kind: engagement_count\n  params:\n    target: amb\n    window: [2021-02-01, 2020-06-01]\n",
            "stats.yaml:8",
            "window starts (2021-02-01) after it ends (2020-06-01)",
        ),
        (
            GOOD + "- id: bad\n  kind: status_share\n  params:\n    target: amb\n    as_of: soon\n",
            "stats.yaml:8",
            "needs `as_of`",
        ),
        (
            GOOD + "- id: bad\n  kind: network_share\n  params:\n    target: amb\n    network: nett\n",
            "stats.yaml:8",
            "no account belongs to the network 'nett'",
        ),
        (
            GOOD + "- id: bad\n  kind: engagement_count\n  params:\n    target: nobody\n",
            "stats.yaml:7",
            "unknown target account 'nobody'",
        ),
        (
            GOOD + "- id: bad\n  kind: network_weeks\n  params: {target: amb, network: net, threshold: 130%}\n",
            "stats.yaml:6",
            "threshold must be more than 0% and at most 100%",
        ),
        (GOOD + "- id: good\n  kind: followers\n", "stats.yaml:4", "statistic id 'good' is declared twice"),
    ],
)
def test_stats_errors_are_located(tmp_path: Path, stats_yaml: str, where: str, message: str) -> None:
    with pytest.raises(StatsError) as raised:
        compute(tmp_path, stats_yaml)
    located = raised.value.located()
    assert f"content/{where}:" in located
    assert message in located


def test_a_statistic_over_a_table_that_lacks_a_column(tmp_path: Path) -> None:
    unlabelled = "".join(line.rsplit(",", 1)[0] + "\n" for line in ACCOUNTS.splitlines())  # no label column
    with pytest.raises(StatsError) as raised:
        compute(
            tmp_path,
            GOOD + "- id: labels\n  kind: label_share\n  params: {roles: [diplomat]}\n",
            dict(TABLES, accounts=unlabelled),
        )
    assert raised.value.located() == (
        "content/stats.yaml:4: statistic 'labels': the 'accounts' table (data/accounts.csv) lacks column(s) "
        "label, which this statistic needs"
    )


def test_a_statistic_needing_an_undeclared_table(tmp_path: Path) -> None:
    tables = {name: text for name, text in TABLES.items() if name != "status_checks"}
    with pytest.raises(StatsError, match=r"stats.yaml:1: statistic 'x': needs the 'status_checks' table"):
        compute(tmp_path, "- id: x\n  kind: status_share\n  params: {target: amb, as_of: 2021-03-01}\n", tables)


def test_every_failing_statistic_is_reported_at_once(tmp_path: Path) -> None:
    stats_yaml = (
        "- id: one\n  kind: engagement_count\n  params: {target: nobody}\n"
        + GOOD
        + "- id: two\n  kind: status_share\n  params: {target: amb}\n"
    )
    with pytest.raises(ErrorList) as raised:
        compute(tmp_path, stats_yaml)
    assert [e.line for e in raised.value.errors] == [3, 7]


def _findings(tmp_path: Path, findings_yaml: str) -> None:
    project = hand_project(
        tmp_path, GOOD + "- id: weekly\n  kind: weekly_by_class\n  params: {target: amb, as_of: 2021-03-01}\n"
    )
    (project / "content" / "sources.yaml").write_text("- key: wire\n  title: A wire story\n")
    (project / "content" / "findings.yaml").write_text(findings_yaml)
    stats = compute(tmp_path, (project / "content" / "stats.yaml").read_text())
    content = read_content(project)
    check_findings(content.declarations["findings"], read_sources(content.declarations["sources"]), stats)


@pytest.mark.parametrize(
    ("findings_yaml", "where", "message"),
    [
        (
            "- id: f\n  claim: c\n  source: wire\n  stat: nope\n  expect: '> 1'\n",
            "findings.yaml:4",
            "unknown statistic 'nope'",
        ),
        (
            "- id: f\n  claim: c\n  source: wire\n  stat: good\n  expect: more than a few\n",
            "findings.yaml:5",
            "cannot read expectation 'more than a few'",
        ),
        (
            "- id: f\n  claim: c\n  source: wire\n  stat: good\n  expect: between 2019-13-01 and 2020-01-01\n",
            "findings.yaml:5",
            "'2019-13-01' is not a date",
        ),
        (
            "- id: f\n  claim: c\n  source: nowhere\n  stat: good\n  expect: '> 1'\n",
            "findings.yaml:3",
            "unknown source 'nowhere'",
        ),
        (
            "- id: f\n  claim: c\n  source: wire\n  stat: weekly\n  expect: '> 1'\n",
            "findings.yaml:4",
            "statistic 'weekly' is a table, not a number",
        ),
        (
            "- id: f\n  claim: c\n  source: wire\n  expect: '> 1'\n",
            "findings.yaml:4",
            "`expect` needs `stat`",
        ),
        (
            "- id: f\n  claim: c\n  source: wire\n  stat: good\n  expect: '> 8'\n",
            "findings.yaml:1",
            "finding 'f' is contradicted by the data",
        ),
    ],
)
def test_finding_errors_are_located(tmp_path: Path, findings_yaml: str, where: str, message: str) -> None:
    with pytest.raises(FindingError) as raised:
        _findings(tmp_path, findings_yaml)
    located = raised.value.located()
    assert f"content/{where}:" in located
    assert message in located


def test_a_contradiction_names_claim_source_value_and_definition(tmp_path: Path) -> None:
    with pytest.raises(SitegenError) as raised:
        _findings(tmp_path, "- id: f\n  claim: Ten retweets\n  source: wire\n  stat: good\n  expect: '== 10'\n")
    message = raised.value.located()
    assert "claim:      Ten retweets" in message
    assert "source:     A wire story (wire)" in message
    assert "expected:   good == 10" in message
    assert "computed:   8" in message  # retweets e1-e8
    assert "definition: Count of retweets of posts by @amb" in message
