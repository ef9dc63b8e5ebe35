"""What `--strict` fails on: statistics nobody uses, claims not checked, numbers typed by hand in prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.content import Page, read_content
from sitegen.handtyped import handtyped_numbers, handtyped_numbers_in
from sitegen.stats import stat_references, unused_statistics

from .conftest import TINY


def page(body: str, line: int = 5) -> Page:
    return Page(source=Path("content/story.md"), slug="story", title="Story", body=body, body_line=line)


def numbers(body: str) -> list[str]:
    return [e.message.split("'")[1] for e in handtyped_numbers(page(body))]


def test_statistics_used_by_pages_findings_and_charts() -> None:
    used = stat_references(read_content(TINY))
    assert sorted(used) == ["amb-followers", "amb-retweets", "amb-suspended-share", "weekly"]
    assert used["amb-followers"] == ["content/index.md:8"]
    assert "content/findings.yaml:4" in used["amb-retweets"]
    assert used["weekly"] == ["content/charts.yaml:3"]
    assert unused_statistics(read_content(TINY)) == []


def test_an_unused_statistic_is_reported_at_its_line(tiny: Path) -> None:
    stats = tiny / "content" / "stats.yaml"
    stats.write_text(stats.read_text() + "- id: spare\n  kind: followers\n  params: {target: embassy}\n")
    warnings = unused_statistics(read_content(tiny))
    assert [w.located() for w in warnings] == [
        "content/stats.yaml:18: statistic 'spare' is not used by any page, finding or chart"
    ]


def test_a_project_template_can_use_a_statistic(tiny: Path) -> None:
    stats = tiny / "content" / "stats.yaml"
    stats.write_text(stats.read_text() + "- id: spare\n  kind: followers\n  params: {target: embassy}\n")
    (tiny / "templates").mkdir()
    (tiny / "templates" / "page.html").write_text('{{ stats["spare"].value }}\n')
    assert unused_statistics(read_content(tiny), tiny / "templates") == []


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("The ambassador was retweeted 45,332 times.", ["45,332"]),
        ("Of 62 accounts, 31 were suspended: 50% or 0.5.", ["62", "31", "50%", "0.5"]),
        ('He was retweeted {{ stat("uk-retweets") }} times.', []),
        ('The AP wrote "more than 43,000 times" and “nearly 6,000 replies”.', []),
        ("On 9 June 2020, 11 May 2021, May 11, 2021, the 9th of June, 2021-05-11 and in 2020-21.", []),
        ("In the 1990s and in 2021 at 08:00.", []),
        ("COVID-19, G20, @GraceUK5, v1.1 and Working Paper 2021.1.", []),
        ("1. First\n2. Second item", []),
        ("Created on 21 and 23 April, and 4, 11 and 26 August 2020.", []),
        ('His posts "were retweeted more than\n43,000 times" that year.', []),
        ('An open "quote 12\n\nends in another paragraph" 7.', ["12", "7"]),
        ("See [the page](https://example.org/7) and `code 12` and <span data-x='3'>it</span>.", []),
        ("```\n42\n```\nand {# 17 #} then 5 left.", ["5"]),
    ],
)
def test_hand_typed_numbers(body: str, found: list[str]) -> None:
    assert numbers(body) == found


def test_a_hand_typed_number_is_located() -> None:
    errors = handtyped_numbers(page("Intro line.\nIt had 62 accounts.", line=5))
    assert [e.located().split(": the number")[0] for e in errors] == ["content/story.md:6:8"]
    assert "print it with {{ stat(" in errors[0].message


def test_the_tiny_project_types_no_numbers_by_hand() -> None:
    assert handtyped_numbers_in(read_content(TINY).pages) == []
