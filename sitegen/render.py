"""The render stage: Jinja2 (autoescaped, strict) over templates; Markdown for trusted author text only."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import posixpath
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2
import markdown
from markupsafe import Markup, escape

from . import numbers
from .config import Config
from .content import Content, Page, read_corrections
from .errors import RenderError
from .parallel import fork_map
from .paths import check_inside
from .snapshot import is_record_of, read_checked, write_checked
from .untrusted import safe_link, without_bidi_controls

if TYPE_CHECKING:  # imported where used: a site of plain pages renders without the data stack
    from .charts import Chart, SocialCard
    from .data import Data
    from .entities import Entity
    from .findings import Finding, Source
    from .stats import StatResult

THEME = Path(__file__).parent / "theme"
_REFERENCE = re.compile(r"""\b(stat|finding|chart)\(\s*(["'])(.*?)\2\s*\)""")
_BLOCK = "SITEGENBLOCK{}X"
PARALLEL_FROM = 64  # pages; fewer render faster in this process than forking workers costs
TOC_MIN_SECTIONS = 3  # a page with this many sections gets a table of contents
SEARCH_PAGE = "search/index.html"
NAV_MAX = 12  # pages the menu lists; a bigger site's menu lists its first top-level pages and an index of all
PAGES_INDEX = "all-pages"  # the slug of that index, generated only for a site with more than NAV_MAX pages
UNINDEXED = frozenset({SEARCH_PAGE, f"{PAGES_INDEX}/index.html"})  # pages the search index leaves out


@dataclass(frozen=True)
class Results:
    """What the earlier stages computed, for templates to show."""

    data: Data | None  # None for a project without datasets (see pipeline.uses_data)
    stats: dict[str, StatResult]
    sources: dict[str, Source]
    findings: dict[str, Finding]
    charts: dict[str, Chart]
    downloads: dict[str, bytes] = field(default_factory=dict)  # path in the site -> bytes


@dataclass(frozen=True)
class PagePlan:
    """A page to render: its collection's entities, and the social image of the page then of each entity."""

    page: Page
    entities: list[Entity]
    socials: list[dict[str, str]]


@dataclass
class Site:
    """The rendered site: output path (POSIX, relative) -> bytes. Nothing is on disk yet."""

    files: dict[str, bytes] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)

    def add(self, path: str, content: str | bytes) -> None:
        if path in self.files:
            raise RenderError(f"two outputs want the same file {path!r}")
        self.files[path] = content.encode("utf-8") if isinstance(content, str) else content


def output_path(slug: str) -> str:
    """Where a page's HTML goes: '' -> index.html, 'about' -> about/index.html."""
    return f"{slug}/index.html" if slug else "index.html"


def relative_url(from_path: str, to_path: str) -> str:
    """A link from one output file to another that works from any host path and from file://."""
    start = posixpath.dirname(from_path)
    here, there = start.split("/") if start else [], [part for part in to_path.split("/") if part]
    if _PLAIN.isdisjoint(here) and _PLAIN.isdisjoint(there) and not to_path.startswith("/") and "" not in here:
        common = 0
        for a, b in zip(here, there, strict=False):
            if a != b:
                break
            common += 1
        target = "/".join([".."] * (len(here) - common) + there[common:]) or "."
    else:  # '.', '..' or an absolute path: let posixpath normalize (the same result, ten times slower)
        target = posixpath.relpath(to_path or ".", start or ".")
    if to_path == "" or to_path.endswith("/"):
        target = "./" if target == "." else target + "/"
    return target


_PLAIN = frozenset((".", ".."))  # path segments the fast way of relative_url cannot take


def pretty_path(path: str) -> str:
    """The public form of an output path: about/index.html -> about/."""
    return path.removesuffix("index.html")


class StatValue:
    """A result as a page sees it: prints in its declared format, exposes its fields."""

    def __init__(self, result: StatResult, language: str) -> None:
        self.result = result
        self.language = language

    def __getattr__(self, name: str) -> Any:
        return getattr(self.result, name)

    def __str__(self) -> str:
        return formatted(self.result, self.language)

    def __html__(self) -> str:
        return str(escape(str(self)))


def generated_page(slug: str, title: str, description: str, pages: list[Page]) -> Page:
    """A page sitegen makes itself (no Markdown), after the authored ones, drawn by the template `<slug>.html`."""
    return Page(
        source=Path(slug),
        slug=slug,
        title=title,
        body="",
        body_line=1,
        description=description,
        template=f"{slug}.html",
        order=max((p.order for p in pages), default=0) + 1,
    )


def reserve(generated: Page, pages: list[Page], why: str) -> None:
    """Refuse an authored page whose slug is a page sitegen makes (else both would want one file)."""
    for page in pages:
        if page.slug == generated.slug:
            raise RenderError(f"the slug {page.slug!r} is taken: {why}; give this page another slug", path=page.source)


class ProjectTemplates(jinja2.FileSystemLoader):
    """The project's templates/: a template that is a symlink leading out of the project is refused.

    A template's text is published with the site (a cloned project could otherwise pull
    `~/.ssh/id_rsa` or a private draft into it through `templates/page.html -> ...`).
    """

    def __init__(self, directory: Path, project_dir: Path) -> None:
        super().__init__(str(directory))
        self.project_dir = project_dir

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        check_inside(Path(filename), self.project_dir, RenderError)
        return source, filename, uptodate


class Renderer:
    """Holds the Jinja environment and the results, and renders pages into a Site."""

    def __init__(
        self,
        config: Config,
        content: Content,
        results: Results,
        build_date: dt.date,
        cache_dir: Path | None = None,
        pages_cache: tuple[Path, str] | None = None,
    ) -> None:
        self.config = config
        self.cache_dir = cache_dir  # for the social images' PNGs
        self.pages_cache = pages_cache  # (file, results key): the rendered pages kept between processes
        self.cards: list[SocialCard] = []
        self.content = content
        self.results = results
        self.build_date = build_date
        self.corrections = read_corrections(content)
        self.base_url = config.site.base_url
        self.absolute = self.base_url.startswith(("http://", "https://"))
        self.templates = template_sources(config.templates_dir, config.project_dir)
        self.env = template_environment(config, self.templates)
        self.markdown = markdown.Markdown(extensions=["extra", "toc", "sane_lists"], output_format="html")

    def render(self) -> Site:
        """Render every page, the 404 page, chart data files and the theme's assets."""
        site = Site()
        pages = sorted(self.content.pages, key=lambda p: (p.order, p.slug))
        nav = [p for p in pages if p.slug]
        all_pages = self.pages_index(pages)
        menu = nav_menu(nav, all_pages)
        plans = [self.plan(page) for page in pages]  # in this process: the social cards are collected here
        memo = RenderedPages.of(self, pages)
        keys = [memo.key(plan) for plan in plans]
        missing = [index for index, key in enumerate(keys) if key not in memo.outputs]

        def render_one(index: int) -> list[tuple[str, str]]:
            return self.render_planned(plans[missing[index]], menu)

        rendered = fork_map(render_one, len(missing), minimum=PARALLEL_FROM)
        fresh = rendered if rendered is not None else list(map(render_one, range(len(missing))))
        memo.keep(keys, dict(zip((keys[index] for index in missing), fresh, strict=True)))
        if missing and self.pages_cache is not None:
            memo.store(self.pages_cache)
        for key in keys:
            for path, html in memo.outputs[key]:
                site.add(path, html)
                site.pages.append(path)
        if all_pages in menu:
            reserve(all_pages, pages, f"a site of more than {NAV_MAX} pages has sitegen's index of every page there")
            path = output_path(all_pages.slug)
            site.add(path, self.render_template(all_pages.template, all_pages, path, menu, Markup(""), listed=nav))
            site.pages.append(path)
        if self.config.search:
            self.add_search_page(site, pages, menu)
        not_found = Page(
            source=Path("404"), slug="404", title="Page not found", body="", body_line=1, template="404.html"
        )
        site.add("404.html", self.render_template("404.html", not_found, "404.html", menu, Markup("")))
        self.add_publishing_files(site, pages, site.pages)
        if self.cards:
            self.add_social_images(site)
        for download, content in sorted(self.results.downloads.items()):
            site.add(download, content)
        for chart_id, chart in sorted(self.results.charts.items()):
            site.add(f"charts/{chart_id}.csv", chart.csv)
            site.add(f"charts/{chart_id}.vl.json", chart.spec_json)
        for asset in sorted((THEME / "static").rglob("*")):
            if asset.is_file():
                site.add(f"assets/{asset.relative_to(THEME / 'static').as_posix()}", asset.read_bytes())
        return site

    def pages_index(self, pages: list[Page]) -> Page:
        """The generated page listing every page, which a long menu links to instead of listing them all."""
        return generated_page(PAGES_INDEX, "All pages", f"Every page of {self.config.site.title}.", pages)

    def add_search_page(self, site: Site, pages: list[Page], nav: list[Page]) -> None:
        """search/index.html: a search box when JavaScript runs, else a pointer to the indexes (see search.js)."""
        description = f"Search every page of {self.config.site.title}, including every entry of its indexes."
        page = generated_page("search", "Search", description, pages)
        reserve(page, pages, "sitegen's search page is there ([search] enabled)")
        indexes = [p for p in pages if p.collection]
        html = self.render_template(
            page.template, page, SEARCH_PAGE, nav, Markup(""), indexes=indexes, wasm=True, **self.social(page, None)
        )
        site.add(SEARCH_PAGE, html)
        site.pages.append(SEARCH_PAGE)

    def add_social_images(self, site: Site) -> None:
        """The PNG of every social card planned (Vega through vl-convert, so imported only when there are cards)."""
        from .charts import render_pngs
        from .charts.svg import RenderFailed

        try:
            for image, png in sorted(render_pngs(self.cards, self.cache_dir).items()):
                site.add(image, png)
        except RenderFailed as exc:
            raise RenderError(f"social image {exc.name} could not be rendered: {exc.reason}") from None

    def social(self, page: Page, chart_id: str | None) -> dict[str, str]:
        """Plan the page's social image (its chart's picture or a title card); the template gets its path and alt."""
        if not self.absolute:
            return {}  # only absolute URLs can name the image in Open Graph meta, so nothing would use it
        from .charts import social_card

        image = f"social/{page.slug or 'index'}.png"
        site = self.config.site
        chart = self.results.charts.get(chart_id) if chart_id else None
        card = social_card(image, page.title, site.title, page.description or site.description, chart)
        self.cards.append(card)
        return {"social_image": image, "social_alt": card.alt}

    def plan(self, page: Page) -> PagePlan:
        """A page's collection entities and the social images of the page and each entity page."""
        entities: list[Entity] = []
        if page.collection:
            from .entities import entities_of

            entities = entities_of(page, self.results.stats)
        per_chart = (page.collection or {}).get("chart")
        if per_chart and not any(c.startswith(f"{per_chart}/") for c in self.results.charts):
            raise RenderError(
                f"collection: chart {per_chart!r} is not a chart declared with `per` in content/charts.yaml",
                path=page.source,
            )
        socials = [self.social(page, lead_chart(page))] + [self.social(e.page, e.chart_id) for e in entities]
        return PagePlan(page, entities, socials)

    def render_planned(self, plan: PagePlan, nav: list[Page]) -> list[tuple[str, str]]:
        """(output path, HTML) of a page, then of each entity page of its collection."""
        path = output_path(plan.page.slug)
        outputs = [(path, self.render_page(plan.page, path, nav, entities=plan.entities, **plan.socials[0]))]
        for entity, social in zip(plan.entities, plan.socials[1:], strict=True):
            path = output_path(entity.page.slug)
            html = self.render_template(
                entity.page.template, entity.page, path, nav, Markup(""), entity=entity, **social
            )
            outputs.append((path, html))
        return outputs

    def add_publishing_files(self, site: Site, pages: list[Page], paths: list[str]) -> None:
        """robots.txt, the Atom feed of dated pages and corrections, and (with an absolute base_url) a sitemap."""
        entries = [p for p in pages if p.date is not None]
        site.add(
            "feed.xml",
            self.render_template("feed.xml", pages[0] if pages else None, "feed.xml", [], Markup(""), entries=entries),
        )
        if self.absolute:
            dates = {output_path(p.slug): p.updated or p.date for p in pages}
            listed = [(path, dates.get(path)) for path in sorted(paths)]
            site.add(
                "sitemap.xml", self.render_template("sitemap.xml", None, "sitemap.xml", [], Markup(""), listed=listed)
            )
        site.add("robots.txt", self.render_template("robots.txt", None, "robots.txt", [], Markup("")))

    def render_page(self, page: Page, path: str, nav: list[Page], **values: Any) -> str:
        """One authored page: its body as a template, then Markdown, then the layout."""
        check_references(page, self.results)
        blocks: list[Markup] = []

        def block(html: Markup) -> Markup:
            blocks.append(html)
            return Markup(_BLOCK.format(len(blocks) - 1))  # noqa: S704 - a fixed placeholder token

        functions = {
            "stat": lambda stat_id: StatValue(self.results.stats[stat_id], self.config.site.language),
            "finding": lambda finding_id: block(
                self.include("partials/finding.html", path, finding=self.results.findings[finding_id])
            ),
            "chart": lambda chart_id: block(
                self.include("partials/chart.html", path, chart=self.results.charts[chart_id])
            ),
            "page_url": lambda slug: relative_url(path, output_path(slug)),
            "quote": lambda key, text: block(
                self.include("partials/quote.html", path, source=self.results.sources[key], text=text)
            ),
        }
        try:
            # Without template syntax (or a lone CR, which Jinja turns into LF) the body renders as itself.
            plain = not any(mark in page.body for mark in ("{{", "{%", "{#", "\r"))
            text = page.body if plain else self.env.from_string(page.body, globals=functions).render()
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(
                f"template syntax: {exc.message}", path=page.source, line=page.body_line + (exc.lineno or 1) - 1
            ) from None
        except jinja2.UndefinedError as exc:
            raise RenderError(f"{exc.message}", path=page.source, line=_template_line(exc, page.body_line)) from None
        except RecursionError:
            raise RenderError("template expression nested too deeply", path=page.source, line=page.body_line) from None
        except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
            raise RenderError(
                f"template error: {type(exc).__name__}: {exc}",
                path=page.source,
                line=_template_line(exc, page.body_line),
            ) from None
        converter = self.markdown.reset()
        html = converter.convert(text)
        toc = [t for t in getattr(converter, "toc_tokens", []) if t["level"] == 2]
        for index, content in enumerate(blocks):
            token = _BLOCK.format(index)
            html = html.replace(f"<p>{token}</p>", str(content)).replace(token, str(content))
        # Trusted author Markdown plus our autoescaped partials; never untrusted data.
        affected = [c for c in self.corrections if page.slug in c.pages]
        return self.render_template(
            page.template,
            page,
            path,
            nav,
            Markup(html),  # noqa: S704
            toc=toc if len(toc) >= TOC_MIN_SECTIONS else [],
            page_corrections=affected,
            **values,
        )

    def include(self, template: str, path: str, **values: Any) -> Markup:
        """Render a partial template in the context of the page at `path`."""
        return Markup(self.env.get_template(template).render(self.context(path), **values))  # noqa: S704 - autoescaped template output

    def context(self, path: str) -> dict[str, Any]:
        """What every template sees: the site, results, and URL helpers relative to `path`."""
        results = self.results

        def url(target: str) -> str:
            # 404.html is served at any depth, so its links start from the base path when there is one.
            if path == "404.html" and self.base_url:
                return urlsplit(self.base_url).path + target
            return relative_url(path, target)

        return {
            "site": self.config.site,
            "build_date": self.build_date,
            "stats": results.stats,
            "findings": results.findings,
            "sources": results.sources,
            "charts": results.charts,
            "tables": results.data.tables if results.data else {},
            "corrections": self.corrections,
            "downloads": {path: len(content) for path, content in sorted(results.downloads.items())},
            "illustrative": results.data.illustrative if results.data else False,
            "url": url,
            "page_url": lambda slug: url(output_path(slug)),
            "public_url": self.public_url,
            "canonical": self.public_url(path),
            "absolute_urls": self.absolute,
            "feed_id": self.feed_id,
            "search_enabled": self.config.search,
        }

    def feed_id(self, path: str, fragment: str = "") -> str:
        """A permanent Atom id (RFC 4287 4.2.6): the public URL, or without one a name-based urn:uuid."""
        if self.absolute:
            return self.public_url(path) + (f"#{fragment}" if fragment else "")
        name = f"sitegen:{self.config.site.title}:{path}#{fragment}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"

    def public_url(self, path: str) -> str:
        """The page's URL under base_url (absolute or root-relative), or '' without a base_url."""
        return self.base_url + pretty_path(path) if self.base_url else ""

    def render_template(
        self, template: str, page: Page | None, path: str, nav: list[Page], body: Markup, **values: Any
    ) -> str:
        """Render a layout template for the output file at `path`."""
        source = page.source if page else Path(template)
        try:
            return self.env.get_template(template).render(
                self.context(path), page=page, nav=nav, body=body, path=path, **values
            )
        except jinja2.TemplateNotFound as exc:
            raise RenderError(f"template {exc.name!r} not found in templates/ or the theme", path=source) from None
        except jinja2.TemplateError as exc:
            raise RenderError(f"template {template!r}: {exc}", path=source) from None


class RenderedPages:
    """The HTML of each page of the last render in this process (as under `sitegen serve`), by the page's inputs.

    A page's HTML is a function of the page, its social images, every page's front matter (the navigation and
    the indexes), the results, the templates, the configuration, the corrections and the build date. The
    memo holds for one results object (the pipeline hands the same one back while only pages or templates
    changed) and one of everything else but the pages; within it a page is keyed by its own text and every
    page's front matter, so an edited body renders that page alone, and an edited title or slug every page.
    Another page's body reaches a page only through a template that reads `.body` of a page: then every
    page's body is part of every key.

    The memo is also kept on disk for the next process, under the results key (which hashes every input of
    the results, as the results object stands for them in memory) and the hash of the shared inputs.
    """

    _LAST: dict[Path, RenderedPages] = {}  # per project

    def __init__(self, results: Results, shared: str) -> None:
        self.results, self.shared = results, shared
        self.outputs: dict[str, list[tuple[str, str]]] = {}

    @classmethod
    def of(cls, renderer: Renderer, pages: list[Page]) -> RenderedPages:
        """The memo of renderer's project when its results and shared inputs are those of the last render."""
        templates = renderer.templates
        bodies = _READS_BODIES.search("".join(templates.values())) is not None
        front = [repr(page if bodies else replace(page, body="", body_line=0)) for page in pages]
        fixed = (renderer.config, renderer.build_date, renderer.corrections, sorted(templates.items()), front)
        shared = hashlib.sha256(repr(fixed).encode()).hexdigest()
        project = renderer.config.project_dir
        last = cls._LAST.get(project)
        if last is None or last.results is not renderer.results or last.shared != shared:
            last = cls._LAST[project] = cls(renderer.results, shared)
            if renderer.pages_cache is not None:
                last.load(renderer.pages_cache)
        return last

    def load(self, stored: tuple[Path, str]) -> None:
        """Take the pages a build in another process stored under the same results and shared inputs."""
        payload = read_checked(stored[0], f"pages {stored[1]} {self.shared}")
        try:
            outputs = json.loads(payload) if payload is not None else {}
            self.outputs = {key: [(path, html) for path, html in pages] for key, pages in outputs.items()}
        except (ValueError, TypeError, AttributeError):
            self.outputs = {}

    def store(self, stored: tuple[Path, str]) -> None:
        """Keep the memo on disk for the next process (see load)."""
        write_checked(stored[0], f"pages {stored[1]} {self.shared}", json.dumps(self.outputs).encode())

    @staticmethod
    def forget() -> None:
        """Drop every memo (`--clean`)."""
        RenderedPages._LAST.clear()

    def key(self, plan: PagePlan) -> str:
        return hashlib.sha256(repr((plan.page, plan.socials)).encode()).hexdigest()

    def keep(self, keys: list[str], fresh: dict[str, list[tuple[str, str]]]) -> None:
        """Hold the pages of this render (and drop those of pages gone or changed since)."""
        self.outputs = {key: fresh[key] if key in fresh else self.outputs[key] for key in keys}


_READS_BODIES = re.compile(r"""\.body\b|\[\s*["']body["']\s*\]|attr\(\s*["']body["']""")


_ENVIRONMENT: dict[str, jinja2.Environment] = {}  # the last one, by the hash of what it was made from


def template_environment(config: Config, templates: dict[str, str]) -> jinja2.Environment:
    """The Jinja environment of the project's templates and the theme's (autoescaped, strict).

    The environment of the last build in this process is used again while the templates' text and the
    site's language are the same: it holds the compiled templates (compiling them takes longer than
    rendering an edited page under `sitegen serve`).
    """
    made_from = (config.project_dir, config.templates_dir, config.site.language, sorted(templates.items()))
    key = hashlib.sha256(repr(made_from).encode())
    env = _ENVIRONMENT.get(key.hexdigest())
    if env is not None:
        return env
    loaders: list[jinja2.BaseLoader] = []
    if config.templates_dir.is_dir():
        loaders.append(ProjectTemplates(config.templates_dir, config.project_dir))
    loaders.append(jinja2.FileSystemLoader(str(THEME / "templates")))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=without_bidi_controls,  # every printed value, before autoescape
    )
    env.filters.update(number_filters(config.site.language))
    env.filters["tojson_safe"] = json_for_html
    env.filters["safe_link"] = lambda url: url if safe_link(str(url)) else ""
    _ENVIRONMENT.clear()
    _ENVIRONMENT[key.hexdigest()] = env
    return env


def template_sources(templates_dir: Path, project_dir: Path) -> dict[str, str]:
    """Every template the environment can load (the project's, then the theme's), by path.

    A project template that leads out of the project is not read (the build fails if a page uses it,
    see ProjectTemplates): where it leads stands for its text.
    """
    sources = {}
    project = project_dir.resolve()
    for root in (templates_dir, THEME / "templates"):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                real = path.resolve()
                if root == THEME / "templates" or real.is_relative_to(project):
                    if path.is_file():
                        sources[str(path)] = path.read_text(encoding="utf-8", errors="replace")
                else:
                    sources[str(path)] = f"-> {real}"
    return sources


def nav_menu(nav: list[Page], index: Page) -> list[Page]:
    """The site menu: every page when there are at most NAV_MAX, else the first top-level ones and `index`.

    A menu of hundreds of links on every page is long to scroll on a phone and to tab through with a
    screen reader, and makes every page (and the link check and the search indexer reading it) grow with
    the size of the site; the index lists every page instead, in the menu's order.
    """
    if len(nav) <= NAV_MAX:
        return nav
    return [*[p for p in nav if "/" not in p.slug][: NAV_MAX - 1], index]


def _template_line(exc: BaseException, first_line: int) -> int:
    """The page line of the innermost frame of a page-body template in a traceback (Jinja names it <template>)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return first_line + (line or 1) - 1


def lead_chart(page: Page) -> str | None:
    """The first chart a page's body shows, if any: the picture of its social image."""
    if "chart(" not in page.body:
        return None  # most pages: no regex pass over the body
    for match in _REFERENCE.finditer(page.body):
        if match.group(1) == "chart":
            return match.group(3)
    return None


def check_references(page: Page, results: Results) -> None:
    """Every stat/finding/chart a page names must exist; the error names the page and line."""
    if _REFERENCE.search(page.body) is None:
        return  # most pages: one pass over the body instead of one per line (a match in a line is one in the body)
    known: dict[str, dict[str, Any]] = {"stat": results.stats, "finding": results.findings, "chart": results.charts}
    for number, line in enumerate(page.body.splitlines(), start=page.body_line):
        for match in _REFERENCE.finditer(line):
            kind, name = match.group(1), match.group(3)
            if name not in known[kind]:
                raise RenderError(
                    f"unknown {'statistic' if kind == 'stat' else kind} {name!r}",
                    path=page.source,
                    line=number,
                    column=match.start() + 1,
                )


def _value(x: Any) -> Any:
    """The number of a result (or of a StatValue), else x itself."""
    if isinstance(x, StatValue):
        x = x.result
    # Without the statistics module loaded (a site of plain pages, or results from a snapshot) there is no
    # StatResult to unwrap.
    model = sys.modules.get("sitegen.stats.model")
    if model is not None and isinstance(x, model.StatResult) or is_record_of(x, "StatResult"):
        return x.value
    return x


def json_for_html(value: Any) -> Markup:
    """JSON safe inside a <script> element: <, >, & and line separators escaped."""
    text = json.dumps(without_bidi_controls(value), sort_keys=True, ensure_ascii=False)
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return Markup(text)  # noqa: S704 - every character that could end a <script> is escaped above


def number_filters(language: str) -> dict[str, Callable[..., Any]]:
    """Template filters that print numbers for the site's language; they accept a result or a number."""
    return {
        "count": lambda x: numbers.grouped(_value(x), 0, language),
        "pct": lambda x, decimals=0: numbers.percent(_value(x), decimals, language),
        "more_than": lambda x: numbers.more_than(_value(x), language),
        "one_in": lambda x: numbers.one_in(_value(x)),
        "date": lambda x: numbers.long_date(_value(x), language),
        "month": lambda x: numbers.month_year(_value(x)),
        "formatted": lambda x: formatted(x, language),
        "cell": lambda x, column="": table_cell(x, column, language),
    }


def table_cell(value: Any, column: str, language: str) -> str:
    """A value of a statistic's table as a cell: grouped integers, shares as percentages, '–' for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or float(value).is_integer() and "share" not in column:
        return numbers.grouped(value, 0, language)
    if "share" in column:
        return numbers.percent(value, 1, language)
    return numbers.grouped(value, 2, language)


def formatted(stat: StatResult | StatValue, language: str = "en") -> str:
    """A result printed in its declared format."""
    if isinstance(stat, StatValue):
        stat = stat.result
    value = stat.value
    printers: dict[str, Callable[[Any], str]] = {
        "count": lambda v: numbers.grouped(v, 0, language),
        "number": lambda v: numbers.grouped(v, 2, language),
        "percent": lambda v: numbers.percent(v, 0, language),
        "percent1": lambda v: numbers.percent(v, 1, language),
        "more_than": lambda v: numbers.more_than(v, language),
        "one_in": numbers.one_in,
        "date": lambda v: numbers.long_date(v, language),
        "month": numbers.month_year,
    }
    return printers[stat.format](value)
