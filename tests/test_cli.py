"""The command line: clean messages and exit codes, and one real build in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from sitegen import __version__
from sitegen.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"sitegen {__version__}"


def test_help_shows_an_example_for_build() -> None:
    result = runner.invoke(app, ["build", "--help"])
    assert result.exit_code == 0
    assert "Example: sitegen build" in result.output


def test_build_reports_summary(tiny: Path) -> None:
    result = runner.invoke(app, ["build", "--project", str(tiny)])
    assert result.exit_code == 0, result.output
    assert "built 4 pages, 1 charts, 4 statistics, 2 findings checked" in result.output  # with the search page
    assert "note: no sitemap.xml" in result.output and "--base-url" in result.output
    assert (tiny / "site" / "index.html").is_file()


def test_quiet_build_prints_nothing(tiny: Path) -> None:
    result = runner.invoke(app, ["build", "--project", str(tiny), "--quiet"])
    assert result.exit_code == 0
    assert result.output == ""


def test_user_error_is_one_line_without_traceback(tiny: Path) -> None:
    (tiny / "sitegen.toml").write_text("[site]\n")
    result = runner.invoke(app, ["build", "--project", str(tiny)])
    assert result.exit_code == 1
    assert "sitegen.toml:1: site.title: is required" in result.output
    assert "Traceback" not in result.output


def test_debug_shows_the_exception(tiny: Path) -> None:
    (tiny / "sitegen.toml").write_text("[site]\n")
    result = runner.invoke(app, ["build", "--project", str(tiny), "--debug"])
    assert result.exit_code == 1
    assert result.exception is not None and "site.title" in str(result.exception)


def test_real_build_in_a_subprocess(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--project", str(tiny), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "index.html").read_text().count('class="chart-picture') == 1
    assert (out / "charts" / "weekly.csv").read_text().startswith("week starting,network,")
