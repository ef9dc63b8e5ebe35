"""sitegen.toml: every problem reported at once, each with its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.errors import ConfigError, ErrorList


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "sitegen.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_minimal_config_has_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[site]\ntitle = "T"\n'))
    assert config.site.title == "T"
    assert config.site.language == "en"
    assert config.output_dir == tmp_path.resolve() / "site"
    assert config.engine == "duckdb"
    assert config.generate is None


def test_every_bad_key_is_reported_at_once_with_its_line(tmp_path: Path) -> None:
    text = '[site]\ntitel = "T"\nlanguage = 42\n\n[build]\nengine = "oracle"\n\n[colours]\nx = 1\n'
    with pytest.raises(ErrorList) as raised:
        load_config(write(tmp_path, text))
    message = raised.value.located()
    assert "sitegen.toml:2: site.titel: unknown key" in message
    assert "sitegen.toml:3: site.language: must be a language tag" in message
    assert "sitegen.toml:6: build.engine: must be one of duckdb, pyspark" in message
    assert "sitegen.toml:8: colours: unknown section" in message
    assert "site.title: is required" in message


def test_malformed_toml_names_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, '[site]\ntitle = "unterminated\n'))
    assert raised.value.located().startswith(f"{tmp_path.resolve() / 'sitegen.toml'}:2:")


def test_missing_config_says_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="sitegen new"):
        load_config(tmp_path)


def test_cli_overrides_win_only_when_given(tmp_path: Path) -> None:
    project = write(tmp_path, '[site]\ntitle = "T"\nbase_url = "/a"\n[build]\noutput = "public"\n')
    assert load_config(project, {"build.output": None, "site.base_url": None}).output_dir.name == "public"
    config = load_config(project, {"build.output": "/tmp/elsewhere", "site.base_url": "/sub"})
    assert config.output_dir == Path("/tmp/elsewhere")
    assert config.site.base_url == "/sub/"


def test_bad_override_is_reported_like_a_file_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="site.base_url: must be an http"):
        load_config(write(tmp_path, '[site]\ntitle = "T"\n'), {"site.base_url": "not a url"})


def test_engine_section_sets_where_spark_runs(tmp_path: Path) -> None:
    text = (
        '[site]\ntitle = "T"\n[build]\nengine = "pyspark"\n[engine]\nmaster = "spark://head:7077"\n'
        '[engine.conf]\n"spark.executor.memory" = "8g"\n"spark.sql.ansi.enabled" = false\n'
    )
    config = load_config(write(tmp_path, text))
    assert config.engine == "pyspark"
    assert config.engine_settings.master == "spark://head:7077"
    assert config.engine_settings.conf == {"spark.executor.memory": "8g", "spark.sql.ansi.enabled": "false"}
    assert load_config(tmp_path, {"build.engine": "duckdb"}).engine == "duckdb"


def test_bad_engine_settings_are_located(tmp_path: Path) -> None:
    text = '[site]\ntitle = "T"\n[engine]\nmaster = "head:7077"\nconf = 3\nthreads = 4\n'
    with pytest.raises(ErrorList) as raised:
        load_config(write(tmp_path, text))
    message = raised.value.located()
    assert "sitegen.toml:4: engine.master: must be a Spark URL" in message
    assert "sitegen.toml:5: engine.conf: must be a table of Spark settings" in message
    assert "sitegen.toml:6: engine.threads: unknown key" in message


def test_environment_says_where_spark_runs_before_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.config import EngineSettings
    from sitegen.spark import where_spark_runs

    monkeypatch.delenv("SPARK_REMOTE", raising=False)
    monkeypatch.delenv("SITEGEN_SPARK_MASTER", raising=False)
    assert where_spark_runs(EngineSettings()) == ("master", "local[2]")
    assert where_spark_runs(EngineSettings(master="yarn")) == ("master", "yarn")
    monkeypatch.setenv("SITEGEN_SPARK_MASTER", "local[4]")
    assert where_spark_runs(EngineSettings(master="yarn")) == ("master", "local[4]")
    monkeypatch.setenv("SPARK_REMOTE", "sc://localhost:15002")
    assert where_spark_runs(EngineSettings(master="yarn")) == ("remote", "sc://localhost:15002")


def test_engine_option_is_checked_like_the_config(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sitegen.cli import app

    write(tmp_path, '[site]\ntitle = "T"\n')
    for command in ("build", "stats", "check"):
        done = CliRunner().invoke(app, [command, "-p", str(tmp_path), "--engine", "oracle"])
        assert done.exit_code == 1, command
        assert "build.engine: must be one of duckdb, pyspark" in done.output, command
