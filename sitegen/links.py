"""Check every internal link and anchor of the rendered site before anything is written."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class BrokenLink:
    """A link in an output page whose target file or anchor does not exist."""

    page: str
    line: int
    href: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: broken link {self.href!r}: {self.reason}"


class _Scanner(HTMLParser):
    """Collects ids and the (line, url) of every href/src in one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in ("href", "src"):
                self.links.append((self.getpos()[0], value))


def scan(html: str) -> _Scanner:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner


def check_links(files: dict[str, bytes], base_path: str = "/") -> list[BrokenLink]:
    """Every relative (or base-path-absolute) link in HTML files must reach an output file and anchor."""
    pages = {path: scan(content.decode("utf-8")) for path, content in sorted(files.items()) if path.endswith(".html")}
    broken: list[BrokenLink] = []
    for page, scanner in pages.items():
        for line, href in scanner.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("data:"):
                continue  # external links and data URLs are not ours to check here
            path = unquote(parts.path)
            if path.startswith("/"):
                if not path.startswith(base_path):
                    broken.append(BrokenLink(page, line, href, f"outside the site's base path {base_path}"))
                    continue
                target = path[len(base_path) :]
            elif path:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
                if path.endswith("/"):
                    target += "/"
            else:
                target = page
            if target.startswith("../") or target == "..":
                broken.append(BrokenLink(page, line, href, "points above the site root"))
                continue
            if target in (".", "./", ""):
                target = "index.html"
            elif target.endswith("/"):
                target += "index.html"
            if target not in files:
                if target + "/index.html" in files:
                    target += "/index.html"
                else:
                    broken.append(BrokenLink(page, line, href, f"no file {target}"))
                    continue
            anchor = unquote(parts.fragment)
            if anchor and target in pages and anchor not in pages[target].ids:
                broken.append(BrokenLink(page, line, href, f"no id {anchor!r} in {target}"))
    return broken
