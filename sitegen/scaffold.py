"""`sitegen new`: start an investigation project that builds at once, from the template in scaffold/."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import unicodedata
from pathlib import Path

import yaml

from .datapackage import describe_resource, write_datapackage
from .errors import ConfigError, OutputError, SitegenError

TEMPLATE = Path(__file__).parent / "scaffold"
RENAMED = {"gitignore": ".gitignore"}  # dotfiles are not reliably packaged; the template names them plainly
TABLE_FILES = ("accounts", "engagements", "posts", "status_checks")  # data/<table>.csv
_DATE_COLUMNS = {"posts": "created_at", "engagements": "created_at", "status_checks": "checked_at"}
EXAMPLE_SOURCE = "hand-made example data from `sitegen new` (made up; describes no real accounts)"


def new_project(directory: Path, title: str | None = None) -> list[Path]:
    """Create a project in directory (new or empty) with example data; return the files written."""
    title = checked_title(title if title is not None else default_title(directory))
    if not (TEMPLATE / "sitegen.toml").is_file():
        raise SitegenError("this installation of sitegen lacks its project template", path=TEMPLATE)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise OutputError("refusing to create a project here: the directory is not empty", path=directory)
    created_dir = not directory.exists()
    values = {
        "TITLE_TOML": toml_string(title),
        "TITLE_YAML": yaml_string(title),
        "TITLE_MD": markdown_text(title),
        "DATE": creation_date().isoformat(),
    }
    written: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for source in sorted(p for p in TEMPLATE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            relative = source.relative_to(TEMPLATE)
            target = directory / relative.parent / RENAMED.get(relative.name, relative.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(fill(source.read_bytes(), values))
            written.append(target)
        written.append(write_example_datapackage(directory / "data", title))
    except OSError as exc:
        if created_dir:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            for path in written:
                path.unlink(missing_ok=True)
        raise OutputError(f"cannot create the project: {exc.strerror or exc}", path=directory) from None
    return written


def default_title(directory: Path) -> str:
    """A title from the directory's name: 'my-investigation' -> 'My investigation'."""
    words = directory.resolve().name.replace("-", " ").replace("_", " ").split()
    return " ".join(words).capitalize() if words else "My investigation"


def checked_title(title: str) -> str:
    """The title, stripped; one line of text or a ConfigError."""
    title = title.strip()
    problem = ""
    if not title:
        problem = "must not be empty"
    elif any(unicodedata.category(c) in ("Cc", "Cs") for c in title):
        problem = "must be one line of text without control characters"
    if problem:
        raise ConfigError(f"--title {problem}", value=title, has_value=True)
    return title


def fill(template: bytes, values: dict[str, str]) -> bytes:
    """Replace @@NAME@@ placeholders (already escaped for their file) in a template file."""
    text = template.decode("utf-8")
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    return text.encode("utf-8")


def toml_string(text: str) -> str:
    """A TOML basic string holding text exactly."""
    escaped = []
    for char in text:
        if char in ('"', "\\"):
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def yaml_string(text: str) -> str:
    """A YAML double-quoted scalar holding text exactly, on one line."""
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=1 << 30).strip()


def markdown_text(text: str) -> str:
    """Text that Markdown shows as written: markup characters escaped, HTML characters as references."""
    references = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "~": "&#126;", "|": "&#124;"}
    escaped = "\\`*_{}[]()#+-.!"  # backslash escapes Python-Markdown and CommonMark both honour
    return "".join(references.get(c, "\\" + c if c in escaped else c) for c in text)


def creation_date() -> dt.date:
    """The story's date: SOURCE_DATE_EPOCH when set (reproducible), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def write_example_datapackage(data_dir: Path, title: str) -> Path:
    """datapackage.json for the example tables: schemas, checksums of the files as written, illustrative."""
    resources = []
    for table in TABLE_FILES:
        path = data_dir / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        dates = sorted(row[_DATE_COLUMNS[table]][:10] for row in rows) if table in _DATE_COLUMNS else []
        resources.append(
            describe_resource(
                path,
                data_dir,
                table=table,
                rows=len(rows),
                sources=[EXAMPLE_SOURCE],
                command="sitegen new",
                illustrative=True,
                date_range=(dates[0], dates[-1]) if dates else (None, None),
            )
        )
    package = {
        "name": "example-data",
        "title": f"Example data for {title}",
        "description": "Hand-made example tables written by `sitegen new`. Illustrative: made up, not observed.",
        "resources": resources,
    }
    write_datapackage(data_dir, package)
    return data_dir / "datapackage.json"
