"""The caches kept between processes: the results snapshot and the rendered pages. A new process after an
edited page renders that page alone, from the snapshot, without the data stack, and what it builds equals a
clean build byte for byte; any input of the data stages invalidates the snapshot; a damaged or planted file
is ignored."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import sitegen.pipeline
from sitegen.build import build
from sitegen.config import load_config
from sitegen.content import read_content
from sitegen.pipeline import compute_results
from sitegen.render import RenderedPages
from sitegen.snapshot import read_snapshot, results_path, write_snapshot

from .conftest import tree

ROOT = Path(__file__).resolve().parent.parent
DATA_STACK = ("pandas", "numpy", "pyarrow", "ibis", "sqlglot", "duckdb", "altair", "vl_convert")
# A build in a new process, then which modules of the data stack (and of sitegen's data stages) it imported.
NEW_PROCESS = """
import json, sys
from pathlib import Path
from sitegen.build import build
from sitegen.config import load_config
from sitegen.content import read_content
from sitegen.pipeline import compute_results
from sitegen.render import RenderedPages
build(Path(sys.argv[1]))
names = sys.argv[2:] + ["sitegen.stats", "sitegen.data", "sitegen.charts.model"]
print(json.dumps(sorted(name for name in names if name in sys.modules)))
"""
COLLECTION = """---
title: Accounts
template: collection.html
collection:
  stat: account-table
  key: handle
---

Every account retweeted in June 2020.
"""
TABLE_STAT = """- id: account-table
  kind: per_target
  label: Accounts by the share of their retweets from accounts suspended by May 2021
  params: {roles: [diplomat, embassy], kinds: [retweet], window: [2020-06-01, 2020-06-30], status: suspended,
    as_of: 2021-05-05, min_engagements: 1}
"""


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620691200")


@pytest.fixture
def project(tiny: Path) -> Path:
    """The tiny project with a collection: entity pages read a table statistic's rows."""
    with (tiny / "content" / "stats.yaml").open("a", encoding="utf-8") as stats:
        stats.write(TABLE_STAT)
    (tiny / "content" / "accounts.md").write_text(COLLECTION, encoding="utf-8")
    return tiny


def build_in_new_process(project: Path) -> list[str]:
    """Build project in a new Python process; the data-stack modules it imported."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(  # noqa: S603 - this interpreter
        [sys.executable, "-c", NEW_PROCESS, str(project), *DATA_STACK],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    imported: list[str] = json.loads(done.stdout)
    return imported


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def clean_build(project: Path, tmp_path: Path) -> dict[str, bytes]:
    build(project, {"build.output": str(tmp_path / "clean")}, clean=True)
    return tree(tmp_path / "clean")


def test_an_edited_page_builds_in_a_new_process_without_the_data_stack_as_a_clean_build(
    project: Path, tmp_path: Path
) -> None:
    assert "pandas" in build_in_new_process(project)  # the first build runs the data stages
    assert results_path(project / ".sitegen" / "cache" / "results").is_file()
    edit(project / "content" / "index.md", "Tiny story", "Tiny stork")
    assert build_in_new_process(project) == []
    site = tree(project / "site")
    assert "Tiny stork" in site["index.html"].decode()
    assert "accounts/ambassador/index.html" in site  # an entity page, from a table statistic's rows
    assert site == clean_build(project, tmp_path)


def test_an_edited_title_in_a_new_process_renders_every_page_as_a_clean_build(project: Path, tmp_path: Path) -> None:
    build_in_new_process(project)
    edit(project / "content" / "methodology.md", "title: Methodology", "title: How it is <counted>")
    assert build_in_new_process(project) == []
    site = tree(project / "site")
    assert "How it is &lt;counted&gt;" in site["accounts/ambassador/index.html"].decode()  # in every page's menu
    assert site == clean_build(project, tmp_path)


def test_a_damaged_pages_cache_is_ignored(project: Path, tmp_path: Path) -> None:
    build(project)
    path = project / ".sitegen" / "cache" / "pages" / "pages.json"
    stored = path.read_bytes()
    assert b"Tiny story" in stored
    path.write_bytes(stored.replace(b"Tiny story", b"Tiny glory"))  # the header's sha256 no longer matches
    edit(project / "content" / "methodology.md", "How the tiny numbers", "How the small numbers")
    RenderedPages.forget()  # as a new process: nothing in memory
    build(project)
    site = tree(project / "site")
    assert b"Tiny story" in site["index.html"]
    assert site == clean_build(project, tmp_path)


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        ("data/accounts.csv", "120500", "120501"),
        ("content/stats.yaml", "as_of: 2021-05-05, min", "as_of: 2021-03-01, min"),
        ("content/charts.yaml", "Weekly retweets <by class>", "Weekly retweets <by kind>"),
        ("sitegen.toml", "Tiny <test> project", "Tiny <best> project"),
    ],
)
def test_a_changed_input_of_the_data_stages_runs_them_again(
    project: Path, tmp_path: Path, relative: str, old: str, new: str
) -> None:
    build_in_new_process(project)
    edit(project / relative, old, new)
    assert "pandas" in build_in_new_process(project)
    assert tree(project / "site") == clean_build(project, tmp_path)


def test_a_changed_template_renders_from_the_snapshot_as_a_clean_build(project: Path, tmp_path: Path) -> None:
    (project / "templates").mkdir()  # its files are not inputs of the data stages; whether it exists is
    build_in_new_process(project)
    theme = ROOT / "sitegen" / "theme" / "templates" / "collection.html"
    rows = "<p>{{ stat.frame | length }} rows</p></article>"
    (project / "templates" / "collection.html").write_text(
        theme.read_text(encoding="utf-8").replace("</article>", rows, 1), encoding="utf-8"
    )
    assert build_in_new_process(project) == []
    site = tree(project / "site")
    assert "<p>2 rows</p>" in site["accounts/index.html"].decode()
    assert site == clean_build(project, tmp_path)


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("{{ stat.frame.shape[0] }} by {{ stat.frame.shape[1] }}", "2 by 9"),  # a DataFrame's, not a Table's
        ("{{ stat.frame }}", "handle"),  # the DataFrame as pandas prints it
        ("{{ stat.frame.columns }}", "Index("),
        ("{{ stat.frame.columns[0] | length }}: {{ stats['amb-followers'] | count }}", "6: 120,500"),  # held
    ],
)
def test_a_template_that_reads_more_than_the_snapshot_holds_gets_the_computed_results(
    project: Path, tmp_path: Path, shown: str, expected: str
) -> None:
    (project / "templates").mkdir()  # its files are not inputs of the data stages; whether it exists is
    build_in_new_process(project)
    theme = ROOT / "sitegen" / "theme" / "templates" / "collection.html"
    (project / "templates" / "collection.html").write_text(
        theme.read_text(encoding="utf-8").replace("</article>", f'<p id="shown">{shown}</p></article>', 1),
        encoding="utf-8",
    )
    imported = build_in_new_process(project)
    assert ("pandas" in imported) == ("stats[" not in shown)  # only what a snapshot cannot show runs the data stages
    site = tree(project / "site")
    assert expected in site["accounts/index.html"].decode().split('<p id="shown">')[1].split("</p>")[0]
    assert site == clean_build(project, tmp_path)


@pytest.mark.parametrize("damage", ["truncated", "flipped", "other key", "planted", "a download"])
def test_a_damaged_or_planted_snapshot_is_ignored(project: Path, tmp_path: Path, damage: str) -> None:
    build(project)
    path = results_path(project / ".sitegen" / "cache" / "results")
    stored = path.read_bytes()
    magic, header, _digest, _payload = stored.split(b"\n", 3)
    key = header.split()[-1].decode()  # "results VERSION KEY"
    assert read_snapshot(path, key) is not None
    if damage == "truncated":
        path.write_bytes(stored[: len(stored) // 2])
    elif damage == "flipped":
        path.write_bytes(stored[:-100] + bytes([stored[-100] ^ 1]) + stored[-99:])
    elif damage == "a download":  # a published table, kept beside the snapshot
        table = max((path.parent / "downloads").iterdir(), key=lambda p: p.stat().st_size)
        data = table.read_bytes()
        table.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    elif damage == "other key":
        path.write_bytes(stored.replace(key.encode(), b"0" * len(key), 1))
    else:  # a pickle that would run code, with a correct header: only the unpickler can refuse it
        planted = pickle.dumps({"stats": os.system})
        digest = hashlib.sha256(planted).hexdigest().encode()
        path.write_bytes(b"\n".join([magic, header, digest, planted]))
    assert read_snapshot(path, key) is None
    edit(project / "content" / "index.md", "Tiny story", "Tiny stork")
    sitegen.pipeline.forget_results()  # as a new process: nothing in memory
    build(project)
    assert read_snapshot(path, key) is not None  # the data stages ran and wrote it again
    assert tree(project / "site") == clean_build(project, tmp_path)


def test_results_that_are_not_plain_python_leave_no_snapshot(project: Path) -> None:
    build(project)
    path = results_path(project / ".sitegen" / "cache" / "results")
    key = path.read_bytes().split(b"\n", 2)[1].split()[-1].decode()
    config = load_config(project)
    computed = compute_results(config, read_content(project, config.limits))
    write_snapshot(path, key, computed)
    assert read_snapshot(path, key) is not None
    numpy = pytest.importorskip("numpy")
    odd = {**computed.downloads, "odd": numpy.int64(1)}  # a value only numpy could load
    write_snapshot(path, key, dataclasses.replace(computed, downloads=odd))
    assert not path.exists()
