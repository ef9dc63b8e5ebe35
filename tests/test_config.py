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
