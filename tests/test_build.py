"""End-to-end builds of the tiny project: golden output, determinism, and failures that leave the site alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.errors import ConfigError, DataError, FindingError, RenderError, SitegenError

from .conftest import TESTS, tree
from .regenerate_golden import NOT_STORED

GOLDEN = TESTS / "golden" / "tiny"


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620691200")


def test_golden_output(tiny: Path) -> None:
    """The tiny project builds to exactly the stored output (regenerate: python tests/regenerate_golden.py)."""
    build(tiny)
    built = {k: v for k, v in tree(tiny / "site").items() if not k.startswith(tuple(f + "/" for f in NOT_STORED))}
    expected = tree(GOLDEN)
    assert sorted(built) == sorted(expected)
    for path in expected:
        assert built[path] == expected[path], f"{path} differs from the golden copy"


def test_home_page_has_computed_number_checked_finding_and_svg_chart(tiny: Path) -> None:
    build(tiny)
    html = (tiny / "site" / "index.html").read_text()
    assert "120,500 followers" in html  # from data/accounts.csv
    assert "retweeted 9\ntimes" in html  # counted from data/engagements.csv
    assert "62% of those retweets" in html  # 5 of 8 known-status retweeters suspended
    assert 'class="finding holds"' in html
    assert '<div class="chart-picture" role="img"' in html and "<svg" in html
    assert "<script>alert(1)</script>" not in html


def test_two_builds_are_byte_identical(tiny: Path, tmp_path: Path) -> None:
    build(tiny, {"build.output": str(tmp_path / "one")})
    build(tiny, {"build.output": str(tmp_path / "two")})
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_untrusted_text_is_escaped(tiny: Path) -> None:
    build(tiny)
    site = tree(tiny / "site")
    html = b"".join(v for k, v in site.items() if k.endswith(".html")).decode()
    assert "Tiny &lt;test&gt; project" in html
    assert "Weekly retweets &lt;by class&gt;" in html
    assert "A &lt;i&gt;report&lt;/i&gt;" in html


def _break(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("relative", "text", "error", "where"),
    [
        ("sitegen.toml", "[site\ntitle = 'x'\n", ConfigError, "sitegen.toml:1"),
        (
            "data/engagements.csv",
            "engagement_id,kind,engager_id,post_id,target_author_id,created_at\n1,retweet,2,3,4,not-a-date\n",
            DataError,
            "data/engagements.csv:2, column created_at",
        ),
        ("content/index.md", "---\ntitle: [unclosed\n---\nbody\n", SitegenError, "content/index.md:2"),
        (
            "content/index.md",
            '---\ntitle: Home\n---\n\nLine two has {{ stat("nope") }}.\n',
            RenderError,
            "content/index.md:5:17",
        ),
        (
            "content/findings.yaml",
            "- id: x\n  claim: c\n  source: report\n  stat: amb-retweets\n  expect: '> 1000'\n",
            FindingError,
            "content/findings.yaml:1",
        ),
    ],
)
def test_bad_input_is_located_and_leaves_the_site_untouched(
    tiny: Path, relative: str, text: str, error: type[SitegenError], where: str
) -> None:
    build(tiny)
    before = tree(tiny / "site")
    _break(tiny / relative, text)
    with pytest.raises(error) as raised:
        build(tiny)
    assert where in raised.value.located()
    assert tree(tiny / "site") == before
    assert not any(p.name.startswith(".site.") for p in tiny.iterdir())


def test_a_table_that_fails_validation_fails_the_build_with_its_located_error(tiny: Path) -> None:
    # The tables are validated on a thread while the build goes on: its errors must still stop the build.
    engagements = tiny / "data" / "engagements.csv"
    lines = engagements.read_text(encoding="utf-8").splitlines()
    engagements.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        build(tiny)
    located = raised.value.located()
    assert located.startswith(f"data/engagements.csv, row {len(lines)}, column engagement_id")
    assert "duplicate engagement_id, first at row 1" in located
    assert not (tiny / "site").exists()


def test_missing_dataset_names_the_file(tiny: Path) -> None:
    (tiny / "data" / "posts.csv").unlink()
    with pytest.raises(DataError, match=r"data/posts.csv: dataset 'posts' not found"):
        build(tiny)


def test_contradicted_finding_names_claim_and_numbers(tiny: Path) -> None:
    findings = tiny / "content" / "findings.yaml"
    findings.write_text(findings.read_text().replace('expect: "> 50%"', 'expect: "< 50%"'))
    with pytest.raises(FindingError) as raised:
        build(tiny)
    message = raised.value.located()
    assert "More than half of the ambassador's retweets" in message
    assert "computed:   0.625 (5 of 8)" in message
    assert "expected:   amb-suspended-share < 50%" in message
    assert "A <i>report</i> about the ambassador" in message


def test_base_url_gives_canonical_sitemap_and_feed_urls_while_links_stay_relative(tiny: Path) -> None:
    build(tiny, {"site.base_url": "https://example.org/tiny/"})
    html = (tiny / "site" / "findings" / "index.html").read_text()
    assert '<link rel="canonical" href="https://example.org/tiny/findings/">' in html
    assert 'href="../methodology/index.html"' in html
    sitemap = (tiny / "site" / "sitemap.xml").read_text()
    assert sitemap.count("<loc>") == 4  # three authored pages and the search page
    assert "<loc>https://example.org/tiny/methodology/</loc>" in sitemap
    assert "Sitemap: https://example.org/tiny/sitemap.xml" in (tiny / "site" / "robots.txt").read_text()
    assert "<id>https://example.org/tiny/</id>" in (tiny / "site" / "feed.xml").read_text()
    not_found = (tiny / "site" / "404.html").read_text()
    assert 'href="/tiny/assets/site.css"' in not_found


def test_sub_path_base_url_keeps_404_links_rooted(tiny: Path) -> None:
    build(tiny, {"site.base_url": "/explainer/"})
    assert 'href="/explainer/index.html"' in (tiny / "site" / "404.html").read_text()
    assert not (tiny / "site" / "sitemap.xml").exists()  # a sitemap needs absolute URLs


def test_corrections_show_on_their_pages_and_in_the_feed(tiny: Path) -> None:
    (tiny / "content" / "corrections.yaml").write_text(
        "- date: 2021-06-01\n  text: Fixed the <b>count</b> of retweets.\n  pages: [methodology]\n"
    )
    (tiny / "content" / "corrections.md").write_text("---\ntitle: Corrections\ntemplate: corrections.html\n---\n")
    build(tiny)
    site = tiny / "site"
    assert "Fixed the &lt;b&gt;count&lt;/b&gt; of retweets." in (site / "methodology" / "index.html").read_text()
    assert "Fixed the &lt;b&gt;count&lt;/b&gt;" not in (site / "findings" / "index.html").read_text()
    assert 'href="../methodology/index.html">methodology</a>' in (site / "corrections" / "index.html").read_text()
    assert (
        '<content type="text">Fixed the &lt;b&gt;count&lt;/b&gt; of retweets.</content>'
        in (site / "feed.xml").read_text()
    )


def test_correction_naming_a_missing_page_is_located(tiny: Path) -> None:
    (tiny / "content" / "corrections.yaml").write_text("- date: 2021-06-01\n  text: x\n  pages: [nowhere]\n")
    with pytest.raises(SitegenError, match=r"content/corrections.yaml:3: no page with slug 'nowhere'"):
        build(tiny)


def test_relative_links_without_base_url(tiny: Path) -> None:
    build(tiny)
    html = (tiny / "site" / "findings" / "index.html").read_text()
    assert 'href="../methodology/index.html"' in html
    assert 'href="../assets/site.css"' in html
    assert "canonical" not in html


def test_project_templates_override_the_theme(tiny: Path) -> None:
    (tiny / "templates").mkdir()
    (tiny / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<p>Custom missing page</p>{% endblock %}'
    )
    build(tiny)
    assert "Custom missing page" in (tiny / "site" / "404.html").read_text()


def test_pages_rendered_in_worker_processes_equal_pages_rendered_here(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sitegen.render

    build(tiny, {"build.output": str(tmp_path / "here")})
    monkeypatch.setattr(sitegen.render, "PARALLEL_FROM", 1)
    forks: list[int] = []
    real_fork_map = sitegen.render.fork_map

    def counted(task, count, *, minimum):  # type: ignore[no-untyped-def]
        result = real_fork_map(task, count, minimum=minimum)
        forks.append(result is not None)
        return result

    monkeypatch.setattr(sitegen.render, "fork_map", counted)
    build(tiny, {"build.output": str(tmp_path / "workers")}, clean=True)
    assert forks == [True]
    assert tree(tmp_path / "here") == tree(tmp_path / "workers")


def test_a_render_error_in_a_worker_is_reported_with_its_location(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sitegen.render

    monkeypatch.setattr(sitegen.render, "PARALLEL_FROM", 1)
    (tiny / "content" / "index.md").write_text('---\ntitle: Home\n---\n\nLine two has {{ stat("nope") }}.\n')
    with pytest.raises(RenderError, match="nope") as caught:
        build(tiny)
    assert "content/index.md:5" in caught.value.located()
