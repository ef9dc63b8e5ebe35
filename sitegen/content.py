"""Read the project's authored content: Markdown pages with front matter, and YAML declarations."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, SitegenError
from .limits import DEFAULT, Limits, check_file_size, over_limit
from .markdown_guard import check_markdown
from .parallel import fork_map
from .paths import check_inside, project_files, segment_problem

FRONT_MATTER_KEYS = ("title", "description", "date", "updated", "template", "slug", "order", "draft", "collection")
COLLECTION_KEYS = ("stat", "key", "template", "chart")
DECLARATION_FILES = ("sources", "stats", "findings", "charts", "corrections")
PARALLEL_FROM = 200  # pages; fewer are read faster in this process than forking workers costs
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*(?:/[a-z0-9]+(?:[-_][a-z0-9]+)*)*")


class Located(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _LocatingLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are `Located`, so later stages can name the line of a problem.

    It refuses collections nested deeper than `max_depth` while composing (before Python's recursion
    limit is reached) and documents whose aliases expand to more than `max_nodes` nodes.
    """

    max_depth = DEFAULT.yaml_nesting
    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:  # type: ignore[override]
        event = self.peek_event()
        nests = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
        if nests:
            self._depth += 1
            if self._depth > self.max_depth:
                raise _TooDeep(event.start_mark.line)
        try:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            if nests:
                self._depth -= 1


class _TooDeep(Exception):
    """Raised inside the YAML composer; turned into a located ContentError by parse_yaml."""

    def __init__(self, line: int) -> None:
        self.line = line


def _expanded_nodes(node: yaml.Node, limit: int) -> int:
    """How many nodes the document has once every alias is expanded (memoised, stops past limit)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        if id(current) in sizes:
            continue
        if isinstance(current, yaml.ScalarNode):
            sizes[id(current)] = 1
            continue
        children = (
            [n for pair in current.value for n in pair] if isinstance(current, yaml.MappingNode) else current.value
        )
        if children_done:
            sizes[id(current)] = min(limit + 1, 1 + sum(sizes.get(id(c), 0) for c in children))
        else:
            stack.append((current, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(node)]


def _construct_mapping(loader: _LocatingLoader, node: yaml.MappingNode) -> Located:
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_timestamp(loader: _LocatingLoader, node: yaml.ScalarNode) -> Any:
    """PyYAML's timestamp, with an impossible date (2021-02-30) as a located YAML error."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(None, None, f"not a valid date: {exc}", node.start_mark) from None


_LocatingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LocatingLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def entry_error(
    error_type: type[SitegenError], declarations: Declarations, entry: Located, message: str, key: str | None = None
) -> SitegenError:
    """An error pointing at an entry of a declaration file, or at one of its keys."""
    line = entry.key_lines.get(key, entry.line) if key else entry.line
    return error_type(message, path=declarations.path, line=line)


def parse_yaml(text: str, path: Path, first_line: int = 1, limits: Limits = DEFAULT) -> Any:
    """Parse YAML with located mappings; a syntax error names path:line:col."""
    loader: _LocatingLoader | None = None
    try:
        loader = _LocatingLoader(text)
        loader.max_depth = limits.yaml_nesting
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_nodes(node, limits.yaml_nodes) > limits.yaml_nodes:
            raise over_limit(
                ContentError, "yaml_nodes", "this YAML, with its aliases expanded,", limits.yaml_nodes, path=path
            )
        return loader.construct_document(node)
    except _TooDeep as exc:
        raise over_limit(
            ContentError,
            "yaml_nesting",
            "the nesting of this YAML",
            limits.yaml_nesting,
            path=path,
            line=exc.line + first_line,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else None
        col = mark.column + 1 if mark else None
        raise ContentError(f"not valid YAML: {exc.problem or exc.context}", path=path, line=line, column=col) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + first_line
        raise ContentError(
            f"not valid YAML: {exc.reason} (character {exc.character!r})", path=path, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"not valid YAML: {exc}", path=path) from None
    finally:
        if loader is not None:
            loader.dispose()


@dataclass(frozen=True)
class Page:
    """An authored Markdown page."""

    source: Path  # relative to the project
    slug: str  # '' for the home page, else 'about' or 'guides/setup'
    title: str
    body: str
    body_line: int  # line in source where body starts
    description: str = ""
    date: dt.date | None = None
    updated: dt.date | None = None
    template: str = "page.html"
    order: int = 0
    draft: bool = False
    collection: dict[str, str] | None = None  # one generated page per row of a table statistic


@dataclass(frozen=True)
class Declarations:
    """A YAML declaration file: its path and its parsed list of located entries."""

    path: Path
    entries: tuple[Located, ...] = ()


@dataclass(frozen=True)
class Content:
    """Everything authored: pages and the declaration files."""

    pages: tuple[Page, ...]
    declarations: dict[str, Declarations] = field(default_factory=dict)


def read_content(project_dir: Path, limits: Limits = DEFAULT) -> Content:
    """Read content/: every .md page (sorted), and sources/stats/findings/charts/corrections.yaml."""
    content_dir = project_dir / "content"
    if not content_dir.is_dir():
        raise ContentError("no content/ directory", path=content_dir)
    paths = project_files(content_dir, ".md", project_dir, ContentError)

    def read(index: int) -> Page:
        return read_page(paths[index], project_dir, limits)

    pages = fork_map(read, len(paths), minimum=PARALLEL_FROM) or [read(index) for index in range(len(paths))]
    seen: dict[str, Path] = {}
    for page in pages:
        if page.slug in seen:
            raise ContentError(f"slug {page.slug!r} is also used by {seen[page.slug]}", path=page.source)
        seen[page.slug] = page.source
    declarations = {
        name: read_declarations(content_dir / f"{name}.yaml", project_dir, limits) for name in DECLARATION_FILES
    }
    return Content(pages=tuple(p for p in pages if not p.draft), declarations=declarations)


def read_declarations(path: Path, project_dir: Path, limits: Limits = DEFAULT) -> Declarations:
    """A YAML file holding a list of mappings; a missing file is an empty list."""
    relative = path.relative_to(project_dir)
    if not path.exists() and not path.is_symlink():
        return Declarations(relative)
    check_inside(path, project_dir, ContentError)
    if not path.is_file():
        raise ContentError("expected a YAML file here", path=relative)
    check_file_size(path, relative, "yaml_bytes", limits.yaml_bytes, ContentError)
    data = parse_yaml(_read_text(path, relative), relative, limits=limits)
    if data is None:
        return Declarations(relative)
    if not isinstance(data, list) or not all(isinstance(item, Located) for item in data):
        raise ContentError("expected a list of entries, each a mapping (`- id: ...`)", path=relative, line=1)
    return Declarations(relative, tuple(data))


def _read_text(path: Path, relative: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ContentError("not valid UTF-8", path=relative, line=line) from None


def _collection(value: Any, relative: Path) -> dict[str, str] | None:
    """`collection: {stat: ..., key: ..., template: ...}`: entity pages from the rows of a table statistic."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - set(COLLECTION_KEYS) or not {"stat", "key"} <= set(value):
        raise ContentError(
            "collection must be a mapping with stat and key (and optionally template and chart)",
            path=relative,
            value=value,
        )
    return {"template": "entity.html", **{k: str(v) for k, v in value.items()}}


def read_page(path: Path, project_dir: Path, limits: Limits = DEFAULT) -> Page:
    """Parse one page: optional `---` YAML front matter, then the Markdown body."""
    relative = path.relative_to(project_dir)
    check_file_size(path, relative, "page_bytes", limits.page_bytes, ContentError, "this page")
    text = _read_text(path, relative).replace("\r\n", "\n")
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}  # front matter key -> its line in the file, less one
    body, body_line = text, 1
    if text.startswith("---\n"):
        end = text.find("\n---\n", 3)
        if end < 0 and text.endswith("\n---"):
            end = len(text) - 4
        if end < 0:
            raise ContentError("front matter starts with --- but never ends", path=relative, line=1)
        parsed = parse_yaml(text[4:end], relative, first_line=2, limits=limits)
        if parsed is not None and not isinstance(parsed, dict):
            raise ContentError("front matter must be a mapping of keys", path=relative, line=2)
        meta = dict(parsed or {})
        body = text[end + 5 :]
        body_line = text[: end + 5].count("\n") + 1
        lines = parsed.key_lines if isinstance(parsed, Located) else {}
        for key in meta:
            if key not in FRONT_MATTER_KEYS:
                raise ContentError(
                    f"unknown front matter key {key!r} (expected one of {', '.join(FRONT_MATTER_KEYS)})",
                    path=relative,
                    line=lines.get(key, 0) + 1,
                )

    def line_of(key: str) -> int:
        return lines[key] + 1 if key in lines else 1

    default_slug = relative.relative_to("content").with_suffix("").as_posix()
    if default_slug == "index" or default_slug.endswith("/index"):
        default_slug = default_slug.removesuffix("index").rstrip("/")
    slug = meta.get("slug", default_slug)
    if not isinstance(slug, str) or (slug and not _SLUG.fullmatch(slug)):
        raise ContentError(
            "slug must be lowercase words joined by '-', '_' or '/'", path=relative, line=line_of("slug"), value=slug
        )
    for segment in slug.split("/") if slug else []:
        if problem := segment_problem(segment):
            raise ContentError(
                f"slug cannot be used as a path: {problem}", path=relative, line=line_of("slug"), value=slug
            )
    check_markdown(body, body_line, relative, limits)
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ContentError("front matter needs a title", path=relative, line=1)
    for key in ("date", "updated"):
        if key in meta and not isinstance(meta[key], dt.date):
            raise ContentError(
                f"{key} must be a date such as 2021-05-11", path=relative, line=line_of(key), value=meta[key]
            )
    if not isinstance(meta.get("order", 0), int):
        raise ContentError("order must be an integer", path=relative, line=line_of("order"), value=meta["order"])
    return Page(
        source=relative,
        slug=slug,
        title=title.strip(),
        body=body,
        body_line=body_line,
        description=str(meta.get("description", "")),
        date=meta.get("date"),
        updated=meta.get("updated"),
        template=str(meta.get("template", "page.html")),
        order=meta.get("order", 0),
        draft=bool(meta.get("draft", False)),
        collection=_collection(meta.get("collection"), relative),
    )


@dataclass(frozen=True)
class Correction:
    """A dated correction or update: what changed and which pages it affects."""

    date: dt.date
    text: str
    pages: tuple[str, ...]  # slugs
    kind: str = "correction"  # or "update"


def read_corrections(content: Content) -> list[Correction]:
    """corrections.yaml: date, text, pages (slugs), kind; newest first. Unknown pages are errors."""
    declarations = content.declarations["corrections"]
    slugs = {page.slug for page in content.pages}
    corrections: list[Correction] = []
    for entry in declarations.entries:
        unknown = sorted(set(entry) - {"date", "text", "pages", "kind"})
        if unknown:
            raise entry_error(ContentError, declarations, entry, f"unknown key {unknown[0]!r}", unknown[0])
        if not isinstance(entry.get("date"), dt.date) or not isinstance(entry.get("text"), str):
            raise entry_error(ContentError, declarations, entry, "a correction needs a `date` and a `text`")
        pages = entry.get("pages", [])
        if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
            raise entry_error(ContentError, declarations, entry, "`pages` must be a list of page slugs", "pages")
        for slug in pages:
            if slug.strip("/") not in slugs:
                raise entry_error(ContentError, declarations, entry, f"no page with slug {slug!r}", "pages")
        kind = entry.get("kind", "correction")
        if kind not in ("correction", "update"):
            raise entry_error(ContentError, declarations, entry, "kind must be correction or update", "kind")
        corrections.append(Correction(entry["date"], entry["text"], tuple(p.strip("/") for p in pages), kind))
    return sorted(corrections, key=lambda c: (c.date, c.text), reverse=True)
