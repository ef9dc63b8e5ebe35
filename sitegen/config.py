"""Load and validate `sitegen.toml`, reporting every problem with its key at once."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, ErrorList, SitegenError
from .limits import DEFAULT, KEYS, MIB, Limits, over_limit, parse_limit, size_text

FILENAME = "sitegen.toml"
ENGINES = ("duckdb", "pyspark")
_MAX_CONFIG_READ = 16 * MIB  # never read more; [limits] config_bytes (smaller) is checked once it is read


@dataclass(frozen=True)
class SiteInfo:
    """Who publishes the site and what it is called."""

    title: str
    description: str = ""
    language: str = "en"
    author: str = ""
    publisher: str = ""
    base_url: str = ""


@dataclass(frozen=True)
class GenerateSpec:
    """Parameters of the illustrative-data generator, when the project uses it."""

    seed: int
    scale: float = 1.0


@dataclass(frozen=True)
class EngineSettings:
    """Where the pyspark engine runs: a master URL or a Spark Connect URL (local when neither), and Spark settings."""

    master: str = ""
    remote: str = ""
    conf: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """The validated project configuration; paths are absolute."""

    project_dir: Path
    site: SiteInfo
    output_dir: Path
    data_dir: Path
    engine: str
    datasets: dict[str, Path] = field(default_factory=dict)
    generate: GenerateSpec | None = None
    limits: Limits = DEFAULT
    engine_settings: EngineSettings = field(default_factory=EngineSettings)
    search: bool = True  # a Pagefind index and a search page

    @property
    def content_dir(self) -> Path:
        return self.project_dir / "content"

    @property
    def templates_dir(self) -> Path:
        return self.project_dir / "templates"


def _string(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", value):
        return "must be a language tag such as 'en' or 'en-GB'"
    return None


def _base_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if value and not re.fullmatch(r"(https?://[^\s/?#]+)?(/[^\s?#]*)?", value):
        return "must be an http(s) URL or an absolute path such as '/explainer/'"
    return None


def _engine(value: Any) -> str | None:
    return None if value in ENGINES else f"must be one of {', '.join(ENGINES)}"


def _spark_url(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"(local(\[(\d+|\*)(,\d+)?\])?|yarn|[a-z][a-z0-9+.-]*://\S+)", value)
    return None if ok else "must be a Spark URL such as local[4], spark://host:7077, yarn or sc://host:15002"


def _spark_conf(value: Any) -> str | None:
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float, bool)) for v in value.values()):
        return 'must be a table of Spark settings, e.g. [engine.conf] "spark.executor.memory" = "8g"'
    return None


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _seed(value: Any) -> str | None:
    return (
        None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0
        else "must be a non-negative integer"
    )


def _scale(value: Any) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 1000
    return None if ok else "must be a number above 0 and at most 1000"


def _limit(key: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        try:
            parse_limit(key, value)
        except ValueError as exc:
            return str(exc)
        return None

    return check


# section -> key -> (validator, required)
_SCHEMA: dict[str, dict[str, tuple[Callable[[Any], str | None], bool]]] = {
    "site": {
        "title": (_string, True),
        "description": (_string, False),
        "language": (_language, False),
        "author": (_string, False),
        "publisher": (_string, False),
        "base_url": (_base_url, False),
    },
    "build": {
        "output": (_string, False),
        "data": (_string, False),
        "engine": (_engine, False),
    },
    "engine": {
        "master": (_spark_url, False),
        "remote": (_spark_url, False),
        "conf": (_spark_conf, False),
    },
    "generate": {
        "seed": (_seed, True),
        "scale": (_scale, False),
    },
    "limits": {key: (_limit(key), False) for key in KEYS},
    "search": {
        "enabled": (_boolean, False),
    },
}
_OPEN_SECTIONS = ("datasets",)  # name -> path, any names


def _key_line(text: str, section: str, key: str | None) -> int | None:
    """Best-effort line of `key` inside `[section]` (tomllib gives no positions)."""
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            current = header.group(1)
            if key is None and current == section:
                return number
            continue
        if key is None and current == "" and re.match(rf"\s*\"?{re.escape(section)}\"?\s*=", line):
            return number
        if key is not None and current == section and re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", line):
            return number
    return None


def load_config(project_dir: Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read `sitegen.toml` in project_dir; `overrides` ("build.output": value) win when not None."""
    project_dir = project_dir.resolve()
    path = project_dir / FILENAME
    if not path.is_file():
        raise ConfigError(f"no {FILENAME} here; run `sitegen new DIR` to start a project", path=path)
    if path.stat().st_size > _MAX_CONFIG_READ:
        raise ConfigError(f"larger than {size_text(_MAX_CONFIG_READ)}, the most sitegen reads of a config", path=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError("not valid UTF-8", path=path) from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line, col = (int(where.group(1)), int(where.group(2))) if where else (None, None)
        raise ConfigError(f"not valid TOML: {message}", path=path, line=line, column=col) from None

    for dotted, value in (overrides or {}).items():
        if value is not None:
            section, key = dotted.split(".")
            raw.setdefault(section, {})[key] = value

    problems: list[SitegenError] = []

    def problem(section: str, key: str | None, message: str) -> None:
        name = f"{section}.{key}" if key else section
        line = _key_line(text, section, key) or _key_line(text, section, None)
        problems.append(ConfigError(f"{name}: {message}", path=path, line=line))

    for section, body in raw.items():
        if section not in _SCHEMA and section not in _OPEN_SECTIONS:
            problem(section, None, f"unknown section (expected one of {', '.join([*_SCHEMA, *_OPEN_SECTIONS])})")
            continue
        if not isinstance(body, dict):
            problem(section, None, "must be a table, e.g. [" + section + "]")
            continue
        if section in _OPEN_SECTIONS:
            for key, value in body.items():
                if not isinstance(value, str):
                    problem(section, key, "must be a path to a data file, relative to the project")
            continue
        for key, value in body.items():
            if key not in _SCHEMA[section]:
                problem(section, key, f"unknown key (expected one of {', '.join(_SCHEMA[section])})")
                continue
            complaint = _SCHEMA[section][key][0](value)
            if complaint:
                problem(section, key, complaint)
        for key, (_, required) in _SCHEMA[section].items():
            if required and key not in body:
                problem(section, key, "is required")
    if "site" not in raw:
        problem("site", "title", "is required")
    limits: dict[str, Any] = raw["limits"] if isinstance(raw.get("limits"), dict) else {}
    config_limit = limits.get("config_bytes", DEFAULT.config_bytes)
    if not any(p.message.startswith("limits.config_bytes") for p in problems):
        config_limit = parse_limit("config_bytes", config_limit)
        if len(text.encode("utf-8")) > config_limit:
            problems.append(over_limit(ConfigError, "config_bytes", "sitegen.toml", config_limit, path=path))
    if problems:
        raise ErrorList(list(problems)) if len(problems) > 1 else problems[0]

    site = raw.get("site", {})
    build = raw.get("build", {})
    base_url = site.get("base_url", "")
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    generate = raw.get("generate")
    engine = raw.get("engine", {})
    conf = {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in engine.get("conf", {}).items()}
    return Config(
        project_dir=project_dir,
        site=SiteInfo(
            title=site["title"],
            description=site.get("description", ""),
            language=site.get("language", "en"),
            author=site.get("author", ""),
            publisher=site.get("publisher", ""),
            base_url=base_url,
        ),
        output_dir=(project_dir / build.get("output", "site")),
        data_dir=(project_dir / build.get("data", "data")),
        engine=build.get("engine", "duckdb"),
        datasets={name: project_dir / value for name, value in sorted(raw.get("datasets", {}).items())},
        generate=GenerateSpec(generate["seed"], float(generate.get("scale", 1.0))) if generate else None,
        limits=Limits(**{key: parse_limit(key, value) for key, value in limits.items()}),
        engine_settings=EngineSettings(engine.get("master", ""), engine.get("remote", ""), dict(sorted(conf.items()))),
        search=raw.get("search", {}).get("enabled", True),
    )
