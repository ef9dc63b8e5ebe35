"""`sitegen new`: a project that builds at once, with a title escaped safely into every file it lands in."""

from __future__ import annotations

import html
import json
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sitegen.build import build
from sitegen.cli import app
from sitegen.datapackage import sha256_file
from sitegen.scaffold import markdown_text, new_project, toml_string, yaml_string

runner = CliRunner()
NASTY = 'The "minister\'s" \\fans\\ <script>alert(1)</script> & co: 50% #1'


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new project with a hostile title, built once with the real build."""
    project = tmp_path_factory.mktemp("new") / "investigation"
    result = runner.invoke(app, ["new", str(project), "--title", NASTY])
    assert result.exit_code == 0, result.output
    summary = build(project)
    assert summary.pages == 4 and summary.charts == 1 and summary.findings == 1  # with the search page
    return project


def test_new_project_has_the_promised_files(built: Path) -> None:
    for relative in (
        "sitegen.toml",
        "README.md",
        ".gitignore",
        "content/index.md",
        "content/findings.md",
        "content/methodology.md",
        "content/stats.yaml",
        "content/sources.yaml",
        "content/findings.yaml",
        "content/charts.yaml",
        "data/accounts.csv",
        "data/posts.csv",
        "data/engagements.csv",
        "data/status_checks.csv",
        "data/datapackage.json",
    ):
        assert (built / relative).is_file(), relative
    story = (built / "content" / "index.md").read_text()
    assert "{{ stat(" in story and "{{ finding(" in story and "{{ chart(" in story
    readme = (built / "README.md").read_text()
    assert "sitegen serve" in readme and "sitegen build" in readme and "content/stats.yaml" in readme


def test_title_is_escaped_into_toml_and_yaml_exactly(built: Path) -> None:
    config = tomllib.loads((built / "sitegen.toml").read_text(encoding="utf-8"))
    assert config["site"]["title"] == NASTY
    front_matter = (built / "content" / "index.md").read_text(encoding="utf-8").split("---\n")[1]
    assert yaml.safe_load(front_matter)["title"] == NASTY


def test_title_is_escaped_in_the_built_html(built: Path) -> None:
    html = (built / "site" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_built_story_has_numbers_the_checked_finding_and_the_chart_svg(built: Path) -> None:
    html = (built / "site" / "index.html").read_text(encoding="utf-8")
    assert "retweeted 30 times" in html  # 30 January retweets of the example minister in data/engagements.csv
    assert "67% of those retweets" in html  # 20 of 30 from accounts suspended by 1 March 2024
    assert 'class="finding holds"' in html
    assert html.count("<svg") >= 1 and 'role="img"' in html
    assert (built / "site" / "charts" / "weekly-retweets.csv").read_text().startswith("week starting,")
    findings = (built / "site" / "findings" / "index.html").read_text(encoding="utf-8")
    assert "Holds" in findings and "later suspended" in findings
    methodology = (built / "site" / "methodology" / "index.html").read_text(encoding="utf-8")
    assert "illustrative" in methodology


def test_example_data_is_marked_illustrative_with_matching_checksums(built: Path) -> None:
    package = json.loads((built / "data" / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    assert sorted(resources) == ["accounts", "engagements", "posts", "status_checks"]
    for name, resource in resources.items():
        assert resource["illustrative"] is True
        assert resource["hash"] == "sha256:" + sha256_file(built / "data" / f"{name}.csv")
        assert resource["rows"] == len((built / "data" / f"{name}.csv").read_text().splitlines()) - 1
        assert resource["schema"]["primaryKey"]
    assert "example" in package["description"].lower() and "illustrative" in package["description"].lower()


def test_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    target = tmp_path / "existing"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    result = runner.invoke(app, ["new", str(target)])
    assert result.exit_code == 1
    assert "not empty" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    assert (target / "notes.txt").read_text() == "keep me"


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    result = runner.invoke(app, ["new", str(target)])
    assert result.exit_code == 1
    assert target.read_text() == "x"


def test_an_empty_directory_is_fine_and_the_title_comes_from_its_name(tmp_path: Path) -> None:
    target = tmp_path / "who-amplified_the-minister"
    target.mkdir()
    created = new_project(target)
    assert target / "sitegen.toml" in created
    config = tomllib.loads((target / "sitegen.toml").read_text(encoding="utf-8"))
    assert config["site"]["title"] == "Who amplified the minister"


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "tab\there", "bell\x07"])
def test_refuses_a_title_that_is_not_one_line_of_text(tmp_path: Path, title: str) -> None:
    result = runner.invoke(app, ["new", str(tmp_path / "p"), "--title", title])
    assert result.exit_code == 1
    assert "--title" in result.output
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("text", [NASTY, "é ü 中文 🙂", "\\u0041 \\n", "a\u2028b", "\ufeffbom", "'single' \"double\""])
def test_escapers_round_trip(text: str) -> None:
    assert tomllib.loads(f"title = {toml_string(text)}\n")["title"] == text
    assert yaml.safe_load(f"title: {yaml_string(text)}\n")["title"] == text
    assert "\n" not in yaml_string(text)


@pytest.mark.parametrize("text", [NASTY, "*not bold* _nor this_ `code` [link](x) ~~gone~~ a|b", "# 1. - + !"])
def test_markdown_text_shows_the_title_as_written(text: str) -> None:
    import markdown

    heading = markdown.markdown("# " + markdown_text(text))
    assert heading.startswith("<h1>") and heading.endswith("</h1>")
    shown = heading.removeprefix("<h1>").removesuffix("</h1>")
    assert "<" not in shown  # no markup: only text and character references
    assert html.unescape(shown) == text


def test_help_shows_an_example_for_new_and_serve() -> None:
    for command in ("new", "serve"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0
        assert f"Example: sitegen {command}" in result.output
