"""The search stage: a Pagefind index of the rendered pages, returned as files for the write stage to write.

Pagefind's command-line indexer (the `pagefind_bin` wheel, installed by `pip install 'pagefind[bin]'`)
reads the pages from a private temporary folder and writes its bundle into another one, which is read
back into memory once the indexer has exited: the site's output is still written only by the write
stage. The command, not the Python API: the API's service answers "files written" while, under load,
some files could still be empty when read; a process that has exited has written everything. (The
API's in-memory `get_files()` also sends the whole bundle as one line through a pipe read with a 2 MiB
limit, which a bigger site would exceed.) The command's bundle is byte-identical to the API's.
The bundle is cached by the hash of the pages and the indexer's version.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import SearchError

BUNDLE = "pagefind"  # the bundle's folder in the site
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]  # a change here re-indexes
# Pagefind's ready-made interfaces: the site has its own search page (theme/static/js/search.js).
UNUSED = re.compile(r"pagefind-(?:ui|modular-ui|component-ui|highlight)\.(?:js|css)")
# Indexed: each page's <main>, without pictures, chart data tables, breadcrumbs or the table of contents.
INDEX_CONFIG: dict[str, Any] = {
    "root_selector": "main",
    "exclude_selectors": ["svg", ".chart-data", ".breadcrumbs", ".toc", ".notice"],
    "keep_index_url": True,  # results link to .../index.html, which also works from file://
}


def search_bundle(
    pages: dict[str, bytes],
    language: str,
    cache_dir: Path | None = None,
    meanwhile: Callable[[], None] = lambda: None,
) -> dict[str, bytes]:
    """The Pagefind bundle (site path -> bytes, under pagefind/) indexing these pages (site path -> HTML).

    `meanwhile` is called once, while Pagefind's process indexes (at once when the bundle is cached).
    """
    config = _config(language)
    key = bundle_key(pages, config)
    cached = _read(cache_dir, key)
    if cached is not None:
        meanwhile()
        return cached
    try:
        import pagefind_bin

        executable = pagefind_bin.get_executable()
    except (ImportError, FileNotFoundError):
        raise SearchError(
            "search needs Pagefind's indexer: pip install 'pagefind[bin]', or set [search] enabled = false "
            "in sitegen.toml"
        ) from None
    tmp = Path(tempfile.mkdtemp(prefix="sitegen-search-"))
    try:
        source, out = tmp / "pages", tmp / BUNDLE
        for path, html in sorted(pages.items()):
            target = source / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(html)
        _index(executable, source, out, config, meanwhile)
        bundle = {
            f"{BUNDLE}/{p.relative_to(out).as_posix()}": p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file() and not UNUSED.fullmatch(p.name)
        }
    finally:
        # Deleting the copy of every page takes up to half a second on a busy disk: the build goes on meanwhile
        # (not a daemon thread, so the process waits for it before it exits).
        threading.Thread(target=shutil.rmtree, args=(tmp,), kwargs={"ignore_errors": True}).start()
    _write(cache_dir, key, bundle)
    return bundle


def cached_search_bundle(pages: dict[str, bytes], language: str, cache_dir: Path | None) -> dict[str, bytes] | None:
    """The bundle of these pages when the cache holds it, else None (nothing is indexed)."""
    return _read(cache_dir, bundle_key(pages, _config(language)))


def _config(language: str) -> dict[str, Any]:
    return {**INDEX_CONFIG, "force_language": language.split("-")[0].lower()}


def bundle_key(pages: dict[str, bytes], config: dict[str, Any]) -> str:
    """The cache key of a bundle: the indexer's version, its configuration and every page's path and bytes."""
    digest = hashlib.sha256()
    digest.update(f"pagefind {_version()} {_CODE}\n{json.dumps(config, sort_keys=True)}\n".encode())
    for path, html in sorted(pages.items()):
        digest.update(f"{path}\n{len(html)}\n".encode())
        digest.update(html)
    return digest.hexdigest()


def _index(executable: Path, source: Path, out: Path, config: dict[str, Any], meanwhile: Callable[[], None]) -> None:
    """Index every HTML file under source into a bundle at out, or raise SearchError with Pagefind's words.

    `meanwhile` runs in this thread while Pagefind's process indexes; if it raises, Pagefind is stopped.
    """
    command = [str(executable), "--site", str(source), "--output-path", str(out), "--root-selector"]
    command += [config["root_selector"], "--force-language", config["force_language"], "--keep-index-url"]
    for selector in config["exclude_selectors"]:
        command += ["--exclude-selectors", selector]
    # Its output is read once `meanwhile` is done: were that to fill a pipe first, Pagefind would only wait.
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:  # noqa: S603 - Pagefind's own binary
        try:
            meanwhile()
        except BaseException:
            process.kill()
            raise
        stdout, stderr = process.communicate()
    if process.returncode != 0:
        said = " ".join((stderr or stdout).split())[:500]
        raise SearchError(f"Pagefind could not index the site: {said}")
    # A page whose <main> holds no text is left out of the index, so the count may be below the pages'.
    if not (out / "pagefind-entry.json").is_file():
        raise SearchError("Pagefind wrote no index (no pagefind-entry.json)")


def _version() -> str:
    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "?"


def _read(cache_dir: Path | None, key: str) -> dict[str, bytes] | None:
    if cache_dir is None:
        return None
    try:
        stored = json.loads((cache_dir / f"{key}.json").read_text(encoding="utf-8"))
        return {path: base64.b64decode(data) for path, data in stored.items()}
    except (OSError, ValueError, AttributeError):
        return None


def _write(cache_dir: Path | None, key: str, bundle: dict[str, bytes]) -> None:
    """Store a bundle as one JSON file, written beside and renamed so a reader never sees half of it."""
    if cache_dir is None:
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        text = json.dumps({p: base64.b64encode(d).decode("ascii") for p, d in sorted(bundle.items())})
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=cache_dir, suffix=".tmp", delete=False) as tmp:
            tmp.write(text)
        os.replace(tmp.name, cache_dir / f"{key}.json")
    except OSError:
        pass  # a cache that cannot be written only costs time
