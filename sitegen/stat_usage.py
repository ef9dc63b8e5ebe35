"""Where each statistic is used (pages, findings, charts, project templates), for `--strict`.

Outside the stats package, whose import loads the query engine: the check runs in builds that skip the data stages.
"""

from __future__ import annotations

import re
from pathlib import Path

from .content import Content
from .errors import StatsError

_PAGE_REFERENCE = re.compile(r"""\bstat\(\s*(["'])(.*?)\1\s*\)""")
_TEMPLATE_REFERENCE = re.compile(r"""\bstat\(\s*(["'])(.*?)\1\s*\)|\bstats\[\s*(["'])(.*?)\3\s*\]""")


def stat_references(content: Content, templates_dir: Path | None = None) -> dict[str, list[str]]:
    """Statistic id -> every place that uses it (`path:line`), from pages, findings, charts and templates."""
    used: dict[str, list[str]] = {}

    def add(stat_id: object, where: str) -> None:
        if isinstance(stat_id, str) and stat_id:
            used.setdefault(stat_id, []).append(where)

    for page in content.pages:
        if page.collection:
            add(page.collection["stat"], f"{page.source.as_posix()}:1")
        for number, line in enumerate(page.body.splitlines(), start=page.body_line):
            for match in _PAGE_REFERENCE.finditer(line):
                add(match.group(2), f"{page.source.as_posix()}:{number}")
    for name in ("findings", "charts"):
        declarations = content.declarations.get(name)
        if declarations is None:
            continue
        for entry in declarations.entries:
            add(entry.get("stat"), f"{declarations.path.as_posix()}:{entry.key_lines.get('stat', entry.line)}")
    if templates_dir is not None and templates_dir.is_dir():
        for path in sorted(templates_dir.rglob("*.html")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                for match in _TEMPLATE_REFERENCE.finditer(line):
                    add(match.group(2) or match.group(4), f"{path.as_posix()}:{number}")
    return used


def unused_statistics(content: Content, templates_dir: Path | None = None) -> list[StatsError]:
    """A warning for each declared statistic that no page, finding, chart or template uses."""
    declarations = content.declarations.get("stats")
    if declarations is None:
        return []
    used = stat_references(content, templates_dir)
    warnings = []
    for entry in declarations.entries:
        stat_id = entry.get("id")
        if isinstance(stat_id, str) and stat_id not in used:
            warnings.append(
                StatsError(
                    f"statistic {stat_id!r} is not used by any page, finding or chart",
                    path=declarations.path,
                    line=entry.line,
                )
            )
    return warnings
