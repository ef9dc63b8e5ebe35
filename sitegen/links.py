"""Check every internal link and anchor of the rendered site before anything is written."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from html import unescape
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


# One token: a comment, a script/style element (its start tag's attributes kept, its content skipped, as
# html.parser does), or any other start tag with its attributes (quoted values may hold '>').
_TOKEN = re.compile(
    r"""<!--.*?-->"""
    r"""|<(script|style)\b((?:[^>"']+|"[^"]*"|'[^']*')*)>.*?</\1\s*>"""
    r"""|<([a-zA-Z][^\s/>]*)((?:[^>"']+|"[^"]*"|'[^']*')*)>""",
    re.S | re.I,
)
_ATTR = re.compile(r"""(?:^|\s)(id|name|href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)


@dataclass
class Scan:
    """The ids and the (line, url) of every href/src of one page."""

    ids: set[str]
    links: list[tuple[int, str]]


def scan(html: str) -> Scan:
    """One linear regex pass over the page's start tags, keeping ids and links with their lines."""
    result = Scan(set(), [])
    line, counted = 1, 0
    for token in _TOKEN.finditer(html):
        attributes = token.group(4) if token.group(3) else token.group(2)
        if not attributes or "=" not in attributes:
            continue
        tag = (token.group(3) or token.group(1)).lower()
        for attr in _ATTR.finditer(attributes):
            name = attr.group(1).lower()
            value = unescape(next(v for v in attr.group(2, 3, 4) if v is not None))
            if name == "id" or (name == "name" and tag == "a"):
                result.ids.add(value)
            elif name in ("href", "src"):
                line += html.count("\n", counted, token.start())
                counted = token.start()
                result.links.append((line, value))
    return result


_SCANS: dict[str, tuple[bytes, Scan]] = {}  # the pages of the last check in this process, with their scans


def scan_again(path: str, content: bytes) -> Scan:
    """The page's scan, from the last check when the page is unchanged (under `serve` most pages are)."""
    last = _SCANS.get(path)
    if last is not None and last[0] == content:
        return last[1]
    return scan(content.decode("utf-8"))


def check_links(files: dict[str, bytes], base_path: str = "/") -> list[BrokenLink]:
    """Every relative (or base-path-absolute) link in HTML files must reach an output file and anchor."""
    pages = {path: scan_again(path, content) for path, content in sorted(files.items()) if path.endswith(".html")}
    _SCANS.clear()
    _SCANS.update((path, (files[path], result)) for path, result in pages.items())
    broken: list[BrokenLink] = []
    splits: dict[str, tuple[bool, str, str]] = {}  # href -> (external, path, anchor): nav links repeat
    for page, scanner in pages.items():
        directory = posixpath.dirname(page)
        for line, href in scanner.links:
            split = splits.get(href)
            if split is None:
                parts = urlsplit(href)
                external = bool(parts.scheme or parts.netloc or href.startswith("data:"))
                split = splits[href] = (external, unquote(parts.path), unquote(parts.fragment))
            external, path, anchor = split
            if external:
                continue  # external links and data URLs are not ours to check here
            if path.startswith("/"):
                if not path.startswith(base_path):
                    broken.append(BrokenLink(page, line, href, f"outside the site's base path {base_path}"))
                    continue
                target = path[len(base_path) :]
            elif path:
                target = posixpath.normpath(posixpath.join(directory, path))
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
            if anchor and target in pages and anchor not in pages[target].ids:
                broken.append(BrokenLink(page, line, href, f"no id {anchor!r} in {target}"))
    return broken
