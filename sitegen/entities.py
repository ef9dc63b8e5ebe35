"""Entity pages: one generated page per row of a table statistic (an account, a network...)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .content import Page
from .errors import RenderError
from .paths import WINDOWS_DEVICES

if TYPE_CHECKING:  # a type only: entity pages render from a results snapshot without the statistics stage
    from .stats import StatResult

# Names that are unsafe or confusing as a path segment on some host or file system.
RESERVED = WINDOWS_DEVICES | {"index", "assets", "charts", "feed", "sitemap", "robots", "404"}
RESERVED |= {"search", "pagefind", "social"}
MAX_SLUG = 64


@dataclass(frozen=True)
class Entity:
    """One generated page: its row of the statistic's table, and its place in the table's order."""

    page: Page
    row: dict[str, Any]
    rank: int  # 1-based position in the statistic's (server-side) order
    total: int
    collection: Page
    chart_id: str = ""  # its chart, from a chart declared with `per`, when the collection names one


def safe_slug(text: str) -> str:
    """A path segment made from untrusted text: ASCII letters, digits and '-', never reserved or empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:MAX_SLUG].strip("-")
    if not slug or slug in RESERVED:
        # Hash the NFC form, so two spellings of one name (NFC and NFD) get one slug and so collide.
        canonical = unicodedata.normalize("NFC", text)
        slug = f"item-{hashlib.sha256(canonical.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"
    return slug


def entities_of(collection: Page, stats: dict[str, StatResult]) -> list[Entity]:
    """The entity pages of a page that declares `collection`; colliding slugs are an error naming both."""
    assert collection.collection is not None
    spec = collection.collection
    stat = stats.get(spec["stat"])
    if stat is None or stat.frame is None:
        raise RenderError(f"collection: {spec['stat']!r} is not a table statistic", path=collection.source)
    frame = stat.frame
    if spec["key"] not in frame.columns:
        raise RenderError(
            f"collection: the table of {stat.id!r} has no column {spec['key']!r} "
            f"(it has {', '.join(map(str, frame.columns))})",
            path=collection.source,
        )
    seen: dict[str, str] = {}
    entities: list[Entity] = []
    rows = frame.to_dict(orient="records")
    for rank, row in enumerate(rows, start=1):
        name = str(row[spec["key"]])
        slug = safe_slug(name)
        if slug in seen:
            raise RenderError(
                f"collection: {name!r} and {seen[slug]!r} would both be written to {collection.slug}/{slug}/",
                path=collection.source,
            )
        seen[slug] = name
        page = Page(
            source=Path(f"{collection.source}#{slug}"),
            slug=f"{collection.slug}/{slug}" if collection.slug else slug,
            title=name,
            body="",
            body_line=1,
            description=f"{name}: {stat.label}",
            template=spec["template"],
            order=collection.order,
        )
        chart_id = f"{spec['chart']}/{slug}" if spec.get("chart") else ""
        entities.append(
            Entity(page=page, row=row, rank=rank, total=len(rows), collection=collection, chart_id=chart_id)
        )
    return entities
