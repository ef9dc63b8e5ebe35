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


def scan_pages(files: dict[str, bytes]) -> dict[str, Scan]:
    """The scan of every HTML file, kept for the next check (which may come in the same build, see check_links)."""
    pages = {path: scan_again(path, content) for path, content in sorted(files.items()) if path.endswith(".html")}
    _SCANS.clear()
    _SCANS.update((path, (files[path], result)) for path, result in pages.items())
    return pages


def check_links(files: dict[str, bytes], base_path: str = "/") -> list[BrokenLink]:
    """Every relative (or base-path-absolute) link in HTML files must reach an output file and anchor.

    The pages scanned by scan_pages before (the pipeline does it while Pagefind indexes) are not scanned again.
    """
    pages = scan_pages(files)
    broken: list[BrokenLink] = []
    # The same href from the same directory reaches the same file: the menu, the stylesheet and the
    # scripts repeat on every page, so each distinct link is resolved once.
    resolved: dict[tuple[str, str], tuple[str | None, str, str]] = {}
    for page, scanner in pages.items():
        directory = posixpath.dirname(page)
        for line, href in scanner.links:
            found = resolved.get((directory, href))
            if found is None:
                found = resolved[(directory, href)] = resolve(href, directory, files, base_path)
            target, anchor, problem = found
            if problem:
                broken.append(BrokenLink(page, line, href, problem))
            elif target is not None:
                target = target or page
                if anchor and target in pages and anchor not in pages[target].ids:
                    broken.append(BrokenLink(page, line, href, f"no id {anchor!r} in {target}"))
    return broken


def resolve(href: str, directory: str, files: dict[str, bytes], base_path: str) -> tuple[str | None, str, str]:
    """(target file, anchor, problem) of a link from a page in directory.

    The target is None for a link that is not ours to check (external, data: URL) and '' for the page
    itself (a bare #anchor); the problem is '' when the target exists.
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("data:"):
        return None, "", ""
    path, anchor = unquote(parts.path), unquote(parts.fragment)
    if path.startswith("/"):
        if not path.startswith(base_path):
            return None, anchor, f"outside the site's base path {base_path}"
        target = path[len(base_path) :]
    elif path:
        target = posixpath.normpath(posixpath.join(directory, path))
        if path.endswith("/"):
            target += "/"
    else:
        return "", anchor, ""
    if target.startswith("../") or target == "..":
        return None, anchor, "points above the site root"
    if target in (".", "./", ""):
        target = "index.html"
    elif target.endswith("/"):
        target += "index.html"
    if target not in files:
        if target + "/index.html" not in files:
            return None, anchor, f"no file {target}"
        target += "/index.html"
    return target, anchor, ""
