"""Atomic output: a build killed mid-write, or failing in any stage, never leaves a mix of two sites."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sitegen.build as build_module
import sitegen.charts
import sitegen.data
import sitegen.findings
import sitegen.pipeline as pipeline
import sitegen.stats
from sitegen.build import build
from sitegen.errors import SitegenError

from ..conftest import tree

TRIALS = int(os.environ.get("SITEGEN_KILL_TRIALS", "200"))

WRITER = """
import sys
from pathlib import Path
from sitegen.write import write_site
version = sys.argv[2]
files = {f"page{i:03d}/index.html": (version * 2000).encode() for i in range(150)}
write_site(files, Path(sys.argv[1]))
"""


def site_files(version: str) -> dict[str, bytes]:
    return {f"page{i:03d}/index.html": (version * 2000).encode() for i in range(150)}


def test_killed_writes_leave_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    """SIGKILL a writer at random moments after its staging directory appears; check what is left."""
    from sitegen.write import MANIFEST, MARKER, write_site

    out = tmp_path / "site"
    staging = tmp_path / ".site.staging"
    write_site(site_files("a"), out)
    rng = random.Random(20210511)
    landed = 0
    outcomes = {"old": 0, "new": 0}
    for trial in range(TRIALS):
        previous = "a" if trial % 2 == 0 else "b"
        following = "b" if previous == "a" else "a"
        write_site(site_files(previous), out)  # also cleans whatever a killed writer left behind
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(out), following])
        while not staging.exists() and writer.poll() is None:
            time.sleep(0.0005)
        began = staging.exists()
        time.sleep(rng.uniform(0, 0.03))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        if began:
            landed += 1
        files = {k: v for k, v in tree(out).items() if k not in (MANIFEST, MARKER)}
        if files == site_files(previous):
            outcomes["old"] += 1
        elif files == site_files(following):
            outcomes["new"] += 1
        else:
            if not out.exists():  # killed between the two renames: the next build must restore it
                write_site(site_files(previous), out)
                assert tree(out) != {}
                continue
            pytest.fail(f"trial {trial}: the output is a mix of two builds")
    assert landed == TRIALS, "every kill must land after writing began"
    assert outcomes["old"] > 0  # the harness really interrupted writes


@pytest.mark.parametrize(
    "stage",
    ["load_config", "read_content", "load_data", "compute_stats", "check_findings", "render_charts", "check_links"],
)
def test_an_exception_in_any_stage_leaves_the_site_untouched(
    tiny: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    build(tiny)
    before = tree(tiny / "site")

    def broken(*args: object, **kwargs: object) -> None:
        raise SitegenError(f"injected failure in {stage}")

    # Where the pipeline finds each stage: the data stages are imported from their modules when it runs them.
    owner = {
        "load_config": build_module,
        "load_data": sitegen.data,
        "compute_stats": sitegen.stats,
        "check_findings": sitegen.findings,
        "render_charts": sitegen.charts,
    }.get(stage, pipeline)
    monkeypatch.setattr(owner, stage, broken)
    with pytest.raises(SitegenError, match="injected failure"):
        build(tiny, clean=True)  # nothing changed: without clean the fast path would skip every stage
    assert tree(tiny / "site") == before
    assert sorted(p.name for p in tiny.iterdir() if p.name in (".site.staging", ".site.old")) == []


def test_an_exception_while_rendering_leaves_the_site_untouched(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(tiny)
    before = tree(tiny / "site")

    def broken(self: object) -> None:
        raise RuntimeError("injected bug in render")

    monkeypatch.setattr(pipeline.Renderer, "render", broken)
    with pytest.raises(RuntimeError):
        build(tiny, clean=True)
    assert tree(tiny / "site") == before


def test_a_failure_while_writing_leaves_the_site_untouched(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(tiny)
    before = tree(tiny / "site")
    real_write_bytes = Path.write_bytes
    written: list[Path] = []

    def disk_fills_up(self: Path, data: bytes) -> int:  # type: ignore[override]
        if ".site.staging" in str(self):  # the site's files (the caches under .sitegen are written before)
            if len(written) >= 3:
                raise OSError(28, "No space left on device")
            written.append(self)
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_fills_up)
    (tiny / "content" / "index.md").write_text((tiny / "content" / "index.md").read_text() + "\nMore.\n")
    with pytest.raises(SitegenError, match="No space left on device"):
        build(tiny, clean=True)  # writes every file (an incremental build links the unchanged ones)
    assert len(written) == 3
    assert tree(tiny / "site") == before
    assert not (tiny / ".site.staging").exists()
