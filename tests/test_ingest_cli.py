"""The `sitegen ingest` commands through CliRunner: summaries, --json, located errors and exit 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sitegen.ingest.cli import app as ingest_app

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
COMMANDS = ("twarc2", "lookup", "io-archive", "table")

cli = typer.Typer()
cli.add_typer(ingest_app, name="ingest")
runner = CliRunner()


def test_twarc2_prints_a_line_per_table_and_the_error_count(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", "twarc2", str(FIXTURES / "twarc2_pages.jsonl"), "--project", str(tmp_path)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "posts: 7 added, 7 total" in lines
    assert "engagements: 6 added, 6 total" in lines
    assert "accounts: 5 added, 5 total" in lines
    assert "status_checks: 0 added, 0 total" in lines
    assert lines[-1] == "errors: 0"
    assert (tmp_path / "data" / "posts.parquet").is_file()


def test_json_output_is_data(tmp_path: Path) -> None:
    args = ["ingest", "lookup", str(FIXTURES / "lookup_users.jsonl"), "--project", str(tmp_path), "--json"]
    result = runner.invoke(cli, args)

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["total_errors"] == 0
    assert data["tables"]["status_checks"] == {"added": 4, "total": 4}
    assert (data["read"]["suspended"], data["read"]["deleted"], data["read"]["active"]) == (2, 1, 1)
    assert data["counts"]["accounts_missing_handle"] == 3


def test_io_archive_and_table_commands(tmp_path: Path) -> None:
    project = ["--project", str(tmp_path)]
    archive = [str(FIXTURES / "io_tweets.csv"), str(FIXTURES / "io_users.csv"), "--network", "uk"]
    first = runner.invoke(cli, ["ingest", "io-archive", *archive, *project])
    roles = runner.invoke(cli, ["ingest", "table", str(FIXTURES / "accounts_roles.csv"), "--as", "accounts", *project])

    assert first.exit_code == 0 and "engagements: 5 added, 5 total" in first.stdout
    assert roles.exit_code == 0 and "accounts: 1 added, 4 total" in roles.stdout


def test_an_error_exits_1_with_the_located_message(tmp_path: Path) -> None:
    source = FIXTURES / "twarc2_malformed.jsonl"
    result = runner.invoke(cli, ["ingest", "twarc2", str(source), "--project", str(tmp_path)])

    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {source}:2:124: not valid JSON: Unterminated string")
    assert "Traceback" not in result.output
    assert not (tmp_path / "data" / "posts.parquet").exists()


def test_errors_as_json(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("post_id,author_id,created_at\n" + "".join(f"{i},a,never\n" for i in range(5)))
    args = ["ingest", "table", str(source), "--as", "posts", "--project", str(tmp_path), "--json", "--max-errors", "2"]
    result = runner.invoke(cli, args)

    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["total_errors"] == 5 and len(data["errors"]) == 2
    assert data["errors"][0]["line"] == 2 and data["errors"][0]["column"] == "created_at"
    assert result.stderr.splitlines()[-1] == "error: +3 more"


def test_bad_options_are_user_errors(tmp_path: Path) -> None:
    bad_date = runner.invoke(
        cli, ["ingest", "lookup", str(FIXTURES / "lookup.csv"), "--checked-at", "soon", "--project", str(tmp_path)]
    )
    bad_table = runner.invoke(
        cli, ["ingest", "table", str(FIXTURES / "lookup.csv"), "--as", "checks", "--project", str(tmp_path)]
    )

    assert bad_date.exit_code == 1 and "--checked-at is not a date" in bad_date.stderr
    assert bad_table.exit_code == 1 and "--as must be one of accounts, posts, engagements" in bad_table.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = runner.invoke(cli, ["ingest", command, "--help"])

    assert result.exit_code == 0
    assert "Example: sitegen ingest " + command in " ".join(result.stdout.split())
    for option in ("--project", "--json", "--max-errors", "--max-cell-bytes"):
        assert option in result.stdout


def test_the_data_dir_comes_from_sitegen_toml(tmp_path: Path) -> None:
    pytest.importorskip("sitegen.config")
    (tmp_path / "sitegen.toml").write_text('[site]\ntitle = "Test"\n\n[build]\ndata = "tables"\n')
    shutil.copy(FIXTURES / "lookup.csv", tmp_path / "lookup.csv")

    result = runner.invoke(cli, ["ingest", "lookup", str(tmp_path / "lookup.csv"), "--project", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "tables" / "status_checks.parquet").is_file()
    package = json.loads((tmp_path / "tables" / "datapackage.json").read_text())
    assert {r["name"]: r["sources"] for r in package["resources"]}["status_checks"] == ["lookup.csv"]


def test_a_data_dir_that_cannot_be_made_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data directory belongs")

    result = runner.invoke(cli, ["ingest", "twarc2", str(FIXTURES / "twarc2_flat.jsonl"), "--project", str(tmp_path)])

    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {tmp_path / 'data'}: ")
