"""Size limits on every input, set in the `[limits]` table of sitegen.toml; over a limit is a located error."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import SitegenError

KIB = 1 << 10
MIB = 1 << 20
GIB = 1 << 30


@dataclass(frozen=True)
class Limits:
    """The largest input sitegen accepts; every field is a `[limits]` key of sitegen.toml."""

    page_bytes: int = 1 * MIB  # one Markdown page, front matter included
    yaml_bytes: int = 4 * MIB  # one of sources/stats/findings/charts/corrections.yaml
    yaml_nesting: int = 32  # nested YAML collections
    yaml_nodes: int = 1_000_000  # YAML nodes once aliases are expanded (stops "billion laughs")
    config_bytes: int = 256 * KIB  # sitegen.toml itself (checked once it is read)
    table_bytes: int = 4 * GIB  # one dataset file
    table_rows: int = 100_000_000  # rows of one dataset
    markdown_nesting: int = 16  # nested lists and block quotes in a page
    markdown_scan_work: int = 2_000_000  # characters scanned to pair brackets and backticks in a page
    ingest_cell_bytes: int = 1 * MIB  # one cell of an ingested record; a line may hold 64 of them


DEFAULT = Limits()
KEYS = tuple(f.name for f in fields(Limits))
_UNITS = {"": 1, "k": KIB, "kb": KIB, "kib": KIB, "m": MIB, "mb": MIB, "mib": MIB, "g": GIB, "gb": GIB, "gib": GIB}


def parse_limit(key: str, value: object) -> int:
    """A positive integer, or for `*_bytes` keys a size such as '8 MiB'; ValueError says what is wrong."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if key.endswith("_bytes") and isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]*)\s*", value)
        if match and match.group(2).lower() in _UNITS and int(match.group(1)) > 0:
            return int(match.group(1)) * _UNITS[match.group(2).lower()]
        raise ValueError("must be a positive number of bytes, such as 1048576 or '8 MiB'")
    raise ValueError("must be a positive integer")


def size_text(size: int) -> str:
    """A byte count for a message: '1,048,576 bytes (1 MiB)'."""
    for unit, factor in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if size >= factor:
            return f"{size:,} bytes ({size / factor:.3g} {unit})"
    return f"{size:,} bytes"


def over_limit(error_type: type[SitegenError], key: str, what: str, limit: int, **where: object) -> SitegenError:
    """The error for an input over a limit: names the limit, its value and how to raise it."""
    shown = size_text(limit) if key.endswith("_bytes") else f"{limit:,}"
    return error_type(
        f"{what} is over the limit of {shown}; raise `{key}` in the [limits] table of sitegen.toml if this is intended",
        **where,  # type: ignore[arg-type]
    )


def check_file_size(
    path: Path, shown: Path, key: str, limit: int, error_type: type[SitegenError], what: str = "this file"
) -> None:
    """Refuse a file larger than `limit` bytes before reading it."""
    size = path.stat().st_size
    if size > limit:
        raise over_limit(error_type, key, f"{what} ({size_text(size)})", limit, path=shown)
