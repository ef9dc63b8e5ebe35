"""Expectations: the comparisons a reporter writes, parsed and checked."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.content import Declarations, read_content
from sitegen.data import load_data
from sitegen.errors import FindingError
from sitegen.findings import check_findings, parse_expectation, read_sources, unchecked_findings
from sitegen.stats import compute_stats


@pytest.mark.parametrize(
    ("text", "holds", "fails"),
    [
        ("> 0.5", 0.51, 0.5),
        (">= 43000", 43000, 42999),
        ("> 50%", 0.52, 0.5),
        ("< 10", 9, 10),
        ("== 45,332", 45332, 45333),
        ("~ 0.44 +- 0.02", 0.455, 0.47),
        ("~ 44% ± 2%", 0.43, 0.41),
        ("between 0.3 and 0.5", 0.3, 0.51),
    ],
)
def test_expectations(text: str, holds: float, fails: float) -> None:
    expectation = parse_expectation(text)
    assert expectation.holds(holds)
    assert not expectation.holds(fails)


@pytest.mark.parametrize("text", ["more than half", "> ", ">> 3", "~ 0.4", "between 1 and"])
def test_unreadable_expectations_say_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="write `> 0.5`"):
        parse_expectation(text)


def test_dates_compare_as_dates() -> None:
    expectation = parse_expectation("between 2019-10-01 and 2019-10-31")
    assert expectation.holds(20191015)
    assert not expectation.holds(20191101)


# --- claims without a statistic, and the default project's findings ---------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_a_claim_without_a_statistic_is_quoted_unchecked_and_warned_about(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "sources.yaml").write_text("- key: wire\n  title: A wire story\n")
    (tmp_path / "content" / "findings.yaml").write_text(
        "- id: checked\n  claim: c\n  source: wire\n  stat: s\n  expect: '> 1'\n"
        "- id: quoted\n  claim: Quoted, not checked\n  source: wire\n"
    )
    content = read_content(tmp_path)
    sources = read_sources(content.declarations["sources"])
    with pytest.raises(FindingError, match="unknown statistic 's'"):
        check_findings(content.declarations["findings"], sources, {})
    quoted_only = content.declarations["findings"].entries[1:]
    declarations = Declarations(content.declarations["findings"].path, quoted_only)
    findings = check_findings(declarations, sources, {})
    assert not findings["quoted"].checked and findings["quoted"].holds is None
    warnings = unchecked_findings(content.declarations["findings"])
    assert [w.located() for w in warnings] == [
        "content/findings.yaml:6: finding 'quoted' names no statistic, so its claim is not checked against the data"
    ]


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's default project with its illustrative data generated."""
    project = tmp_path_factory.mktemp("default")
    shutil.copy(ROOT / "sitegen.toml", project / "sitegen.toml")
    shutil.copytree(ROOT / "content", project / "content")
    return project


REPORTED = (  # every reported figure of reference/ap-oii-2021.md, by finding id
    "liu-joined",
    "liu-followers",
    "liu-retweets",
    "liu-suspended-share",
    "diplomats-suspended-share",
    "diplomat-accounts",
    "diplomat-posts",
    "superspreaders",
    "labelled-share",
    "uk-posts",
    "uk-retweets",
    "uk-replies",
    "uk-network-accounts",
    "uk-network-suspended",
    "uk-network-deleted",
    "uk-network-active",
    "uk-network-retweets",
    "uk-network-replies",
    "uk-network-output",
    "uk-network-weekly",
    "uk-network-share",
    "uk-network-bursts",
)


def test_the_default_projects_findings_all_hold(default_project: Path) -> None:
    content = read_content(default_project)
    stats = compute_stats(content.declarations["stats"], load_data(load_config(default_project)))
    findings = check_findings(content.declarations["findings"], read_sources(content.declarations["sources"]), stats)
    assert sorted(findings) == sorted(REPORTED)
    assert all(f.holds for f in findings.values())
    assert stats["liu-created"].value.strftime("%Y-%m") == "2019-10"
    assert stats["uk-retweets"].value == 45_332 and stats["uk-replies"].value == 52_733
    assert stats["diplomat-posts"].value == 201_382 and stats["uk-posts"].value == 3_070
    assert stats["liu-followers"].as_of == dt.date(2021, 5, 11)
    assert all(s.illustrative for s in stats.values())
