"""Vega-Lite spec -> static SVG with vl-convert: deterministic, cached by spec hash, parallel when many.

The cache has two levels: a bounded in-memory map for this process, and files under a cache
directory (a project's `.sitegen/cache/charts/`) that survive between builds. The key is the hash of
the canonical spec JSON, the renderer's version and this module's code, so an unchanged chart is never
rendered twice and neither a new vl-convert nor new post-processing serves an old picture.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

# Below this many charts to render, starting worker processes costs more than it saves.
PARALLEL_FROM = 12
MEMORY_ENTRIES = 4096

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
FAILED = "\x00failed: "
PNG_JOB = "\x00png\n"  # a job whose text after this marker is an SVG to rasterise with vl-convert's resvg
# This module's own code is part of every cache key: a change to how pictures are cleaned re-renders them.
_CLEANING = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

_memory: OrderedDict[str, str] = OrderedDict()
_renders = 0  # vl-convert calls made on behalf of this process (in it or in its workers)
_ready: list[subprocess.Popen[bytes]] = []  # workers started ahead, waiting for jobs (see start_workers)


class RenderFailed(Exception):
    """vl-convert could not render a spec, or rendered something unsafe to inline."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


def render_count() -> int:
    """How many specs this process has had vl-convert render (cache hits do not count)."""
    return _renders


def clear_memory_cache() -> None:
    """Forget the in-memory pictures (the disk cache stays)."""
    _memory.clear()


def spec_key(spec: dict[str, Any]) -> str:
    """The cache key of a spec: sha256 of its canonical JSON and of the renderer's versions."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{vlc_versions()}\n{canonical}".encode()).hexdigest()


@functools.cache
def vlc_versions() -> str:
    """The renderer's version and the SVG cleaning's: a change to either changes every picture.

    Read from the package's metadata (each vl-convert release bundles one Vega): a build whose pictures its
    worker processes render then never loads vl-convert's library here, which takes about 0.3 s.
    """
    return f"vl-convert {version('vl-convert-python')} clean {_CLEANING}"


def start_svgs(specs: dict[str, dict[str, Any]], cache_dir: Path | None = None) -> Callable[[], dict[str, str]]:
    """Start rendering the named specs; the function returned waits for the pictures (name -> SVG).

    Pictures come from the caches when possible, else are rendered: by worker processes, when there
    are enough of them, while this process goes on with other work until it calls the function.
    A failed render raises RenderFailed from that call.
    """
    keys = {name: spec_key(spec) for name, spec in specs.items()}
    found: dict[str, str] = {}
    for key in sorted(set(keys.values())):
        svg = _memory.get(key) or _read_svg(cache_dir, key)
        if svg is not None:
            found[key] = svg
    missing = sorted({key: name for name, key in keys.items() if key not in found}.items())
    jobs = [(key, json.dumps(specs[name], sort_keys=True)) for key, name in missing]
    rendering = start_jobs(jobs) if jobs else list

    def pictures() -> dict[str, str]:
        global _renders
        _renders += len(jobs)
        failed: dict[str, str] = {}
        for key, svg in rendering():
            if svg.startswith(FAILED):
                failed[key] = svg.removeprefix(FAILED)
                continue
            found[key] = svg
            write_cached(cache_dir, key, svg.encode("utf-8"), ".svg")
        if failed:
            name, key = min((name, key) for name, key in keys.items() if key in failed)
            raise RenderFailed(name, failed[key])
        for key in sorted(found):
            _memory[key] = found[key]
            _memory.move_to_end(key)
        while len(_memory) > MEMORY_ENTRIES:
            _memory.popitem(last=False)
        return {name: found[key] for name, key in keys.items()}

    return pictures


def render_jobs(jobs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Run (key, job) renders here, or in worker processes when there are enough to pay for starting them."""
    return start_jobs(jobs)()


def start_jobs(jobs: list[tuple[str, str]]) -> Callable[[], list[tuple[str, str]]]:
    """Start the (key, job) renders; the function returned waits for the (key, result) pairs.

    In worker processes when there are enough to pay for starting them (they run meanwhile), else
    here, when the function is called.
    """
    if (len(jobs) >= PARALLEL_FROM or _ready) and _workers() > 1:
        return _start_parallel(jobs)
    return lambda: list(map(_render, jobs))


def _workers() -> int:
    return min(os.cpu_count() or 1, 8)


def start_workers() -> None:
    """Start the worker processes now, for renders that will be asked for later in this build.

    A worker's first picture costs about a second (the process, then vl-convert's JavaScript engine); a
    worker started early pays it while this process does other work (the statistics, on a core they leave
    idle). The next renders use them whatever their number; `stop_workers` ends those left unused. Should
    the build fail before, they wait for the next build in this process, or end with it (their input closes).
    """
    if _workers() > 1:
        _ready.extend(_spawn(warm=True) for _ in range(_workers() - len(_ready)))


def stop_workers() -> None:
    """End the workers started ahead and not used."""
    while _ready:
        process = _ready.pop()
        process.kill()
        process.communicate()  # reaps it and closes its pipes


def _spawn(*, warm: bool = False) -> subprocess.Popen[bytes]:
    """A worker process, `python -m sitegen.charts.svg`, waiting for its jobs on stdin; `warm` starts
    vl-convert's engine first (Vega-Lite jobs need it, PNG jobs do not)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")))))
    return subprocess.Popen(  # noqa: S603 - this interpreter running this module
        [sys.executable, "-m", __name__, *(["--warm"] if warm else [])],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def _start_parallel(jobs: list[tuple[str, str]]) -> Callable[[], list[tuple[str, str]]]:
    """Start worker processes, `python -m sitegen.charts.svg`, one share of the jobs each.

    Workers started ahead (`start_workers`) are used first. Plain subprocesses rather than multiprocessing:
    they import only vl-convert, need no `if __name__ == "__main__"` guard in the caller's script, and copy
    none of the parent's threads.
    A thread per worker feeds it and reads its answer. A worker that fails has its share rendered
    here instead, when the function returned is called.
    """
    workers = min(_workers(), len(jobs))
    shares = [jobs[i::workers] for i in range(workers)]
    processes = [_ready.pop(0) if _ready else _spawn() for _ in shares]
    stop_workers()  # any started ahead beyond the jobs
    pool = ThreadPoolExecutor(max_workers=workers)
    outputs = [pool.submit(_exchange, process, share) for process, share in zip(processes, shares, strict=True)]
    pool.shutdown(wait=False)  # its threads end with their workers

    def results() -> list[tuple[str, str]]:
        done: list[tuple[str, str]] = []
        for share, output in zip(shares, outputs, strict=True):
            answer = output.result()
            done.extend(answer if answer is not None else map(_render, share))
        return done

    return results


def _exchange(process: subprocess.Popen[bytes], share: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """Send a worker its jobs and read its pictures; None if it failed."""
    out, _ = process.communicate(json.dumps(share).encode())
    if process.returncode != 0:
        return None
    try:
        return [(key, svg) for key, svg in json.loads(out)]
    except ValueError:
        return None


def _worker() -> None:
    """Worker process: render the (key, spec JSON or PNG_JOB + svg) jobs on stdin, write (key, result) to stdout.

    With --warm, vl-convert's engine is started first, while the jobs are not yet made; an empty input
    means the worker is not needed.
    """
    import vl_convert as vlc

    if "--warm" in sys.argv[1:]:
        vlc.vegalite_to_svg(_WARM_UP, allowed_base_urls=[])
    given = sys.stdin.read()
    if given:
        json.dump([_render((key, spec)) for key, spec in json.loads(given)], sys.stdout)


_WARM_UP = {"mark": "point", "data": {"values": [{"x": 0}]}, "encoding": {"x": {"field": "x", "type": "quantitative"}}}


def _render(job: tuple[str, str]) -> tuple[str, str]:
    """Render one job: a spec (cache key, spec JSON) to cleaned SVG, or an SVG marked PNG_JOB to base64 PNG.

    Runs in this process or a worker.
    """
    import vl_convert as vlc  # here, not at the top: see vlc_versions

    key, spec_json = job
    if spec_json.startswith(PNG_JOB):
        try:
            png = vlc.svg_to_png(spec_json.removeprefix(PNG_JOB), scale=1)
        except Exception as exc:  # noqa: BLE001 - vl-convert raises plain ValueError/RuntimeError
            return key, f"{FAILED}{exc}"
        return key, base64.b64encode(png).decode("ascii")
    try:
        # No base URL is allowed: a chart's data is inline, and a build never fetches anything.
        svg = vlc.vegalite_to_svg(spec_json, allowed_base_urls=[])
    except Exception as exc:  # noqa: BLE001 - vl-convert raises plain ValueError/RuntimeError
        return key, f"{FAILED}{exc}"
    svg = clean_svg(svg)
    if _UNSAFE.search(svg):
        return key, f"{FAILED}the picture contains script or event handlers; it is not inlined"
    return key, svg


_TAG = re.compile(r"<[^>]+>")  # text content is escaped, so every "<" starts a tag
_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_GEOMETRY = re.compile(r'(\s(?:d|transform|x|y|x1|x2|y1|y2|width|height|points|cx|cy|r|viewBox)=)"([^"]*)"')
_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label|aria-hidden)="[^"]*"')
# Text content is escaped by vl-convert; only elements and attributes could run anything.
_UNSAFE = re.compile(r"<script|<foreignObject|<[^>]*(?:\son[a-z]+\s*=|javascript:)", re.IGNORECASE)


def clean_svg(svg: str) -> str:
    """vl-convert's SVG, smaller and safe to inline: sized by CSS, geometry to 2 decimals, no script.

    The page's wrapper (role="img", named and described) speaks for the picture, so the picture's own
    ARIA roles and labels are dropped and it is hidden from assistive technology.
    """
    # Keep the viewBox, drop the fixed size, so the picture scales to the column width.
    svg = re.sub(r'^<svg([^>]*?) width="[\d.]+" height="[\d.]+"', r"<svg\1", svg, count=1)
    svg = _TAG.sub(_clean_tag, svg)
    return svg.replace("<svg ", '<svg aria-hidden="true" ', 1)


def _clean_tag(match: re.Match[str]) -> str:
    """One element's tag: ARIA dropped, geometry rounded. Text between tags is left exactly as it is."""
    tag = _ARIA.sub("", match.group(0))
    return _GEOMETRY.sub(lambda m: f'{m.group(1)}"{_NUMBER.sub(_round, m.group(2))}"', tag)


def _round(match: re.Match[str]) -> str:
    text = f"{float(match.group(0)):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def read_cached(cache_dir: Path | None, key: str, suffix: str) -> bytes | None:
    """A stored rendering (`<key><suffix>` under cache_dir), or None."""
    if cache_dir is None:
        return None
    try:
        return (cache_dir / key[:2] / f"{key}{suffix}").read_bytes()
    except OSError:
        return None


def write_cached(cache_dir: Path | None, key: str, data: bytes, suffix: str) -> None:
    """Store a rendering; written to a temporary file and renamed, so a reader never sees half of it."""
    if cache_dir is None:
        return
    folder = cache_dir / key[:2]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=folder, suffix=".tmp", delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, folder / f"{key}{suffix}")
    except OSError:
        pass  # a cache that cannot be written only costs time


def _read_svg(cache_dir: Path | None, key: str) -> str | None:
    data = read_cached(cache_dir, key, ".svg")
    try:
        return data.decode("utf-8") if data is not None else None
    except UnicodeDecodeError:
        return None


if __name__ == "__main__":
    _worker()
