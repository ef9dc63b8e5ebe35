"""Malformed input never crashes: over 1,000 generated and hand-made inputs, each accepted or refused
with a located SitegenError (file, and line or row/column), never another exception."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sitegen.charts.declarations import read_chart_defs
from sitegen.cli import app
from sitegen.config import load_config
from sitegen.content import Content, read_corrections, read_declarations, read_page
from sitegen.errors import ErrorList, SitegenError
from sitegen.findings import check_findings, read_sources
from sitegen.ingest import ingest_table, ingest_twarc2
from sitegen.stats import read_stat_defs

from ..conftest import TINY

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
FAST = settings(derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))


def clean(call: Callable[[], Any]) -> SitegenError | None:
    """Run call; a refusal must be a SitegenError that names a file (every one, for a list)."""
    try:
        call()
    except SitegenError as exc:
        errors = exc.errors if isinstance(exc, ErrorList) else [exc]
        for error in errors:
            assert error.path is not None, error.located()
        return exc
    return None


# Pieces of YAML, TOML and Markdown that are easy to get wrong.
YAML_BITS = [
    "- ",
    "id: x\n",
    "key: ",
    "title: ",
    "stat: ",
    "expect: ",
    "> 5",
    "between 1 and",
    "~ 0.4 +- ",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "\n",
    "  ",
    "\t",
    "&a ",
    "*a",
    "!!python/object:os.system",
    "? ",
    "|",
    ">-",
    "'",
    '"',
    "\\",
    "null",
    "~",
    "2021-13-45",
    "1e999",
    "0x1F",
    "-.inf",
    ".nan",
    "yes",
    "kind: count\n",
    "table: posts\n",
    "url: ",
    "javascript:alert(1)",
    "date: 2021-05-11\n",
    "pages: [",
    "<<: *a\n",
    "\x00",
    "\ufeff",
    "\u202e",
    "#",
]
TOML_BITS = [
    "[site]\n",
    "[build]\n",
    "[limits]\n",
    "[datasets]\n",
    "[generate]\n",
    "title = ",
    '"t"',
    "'t'",
    "language = ",
    "page_bytes = ",
    "'8 MiB'",
    "-1",
    "0",
    "1e9",
    "true",
    "engine = ",
    '"duckdb"',
    "base_url = ",
    '"javascript:x"',
    "output = ",
    '"/"',
    "seed = ",
    "[[site]]\n",
    "= ",
    "\n",
    '"""',
    "{",
    "}",
    "[",
    "]",
    "a.b = 1\n",
    "\x00",
]
MD_BITS = [
    "---\n",
    "title: ",
    "T\n",
    "slug: ",
    "../x",
    "date: ",
    "2021-02-30",
    "order: ",
    "x",
    "draft: ",
    "template: ",
    "collection: ",
    "{stat: a}",
    "{{ ",
    " }}",
    "{% ",
    " %}",
    "stat('x')",
    'finding("y")',
    "1/0",
    "[",
    "](",
    "`",
    "*",
    "_",
    "> ",
    "- ",
    "    ",
    "\n",
    "<script>",
    "\u202e",
    "\x00",
    "\ud800"[:0],
    "{{ 1/0 }}",
    "{{ (((( }}",
]


def joined(bits: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(bits), st.text(max_size=6)), max_size=24).map("".join)


def structures() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8), st.dates())
    keys = st.sampled_from(
        [
            "id",
            "key",
            "title",
            "claim",
            "source",
            "stat",
            "expect",
            "kind",
            "url",
            "date",
            "text",
            "pages",
            "table",
            "chart",
            "params",
            "label",
            "format",
            "x",
        ]
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
        max_leaves=12,
    )


def declarations_text() -> st.SearchStrategy[str]:
    dumped = st.lists(structures(), max_size=4).map(lambda value: yaml.safe_dump(value, allow_unicode=True))
    return st.one_of(dumped, joined(YAML_BITS))


def check_declarations(project: Path, text: str) -> None:
    """Every reader of declarations over one YAML text, as sources, findings, stats, charts and corrections."""
    path = project / "content" / "findings.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    declared = clean(lambda: read_declarations(path, project))
    if declared is not None:
        return
    decl = read_declarations(path, project)
    clean(lambda: read_sources(decl))
    clean(lambda: check_findings(decl, {}, {}))
    clean(lambda: read_stat_defs(decl))
    clean(lambda: read_chart_defs(decl, {}))
    clean(lambda: read_corrections(Content(pages=(), declarations={"corrections": decl})))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("malformed")
    (root / "content").mkdir()
    return root


@settings(FAST, max_examples=300)
@given(declarations_text())
def test_declaration_files(project: Path, text: str) -> None:
    check_declarations(project, text)


@settings(FAST, max_examples=250)
@given(joined(MD_BITS))
def test_pages_and_front_matter(project: Path, text: str) -> None:
    path = project / "content" / "page.md"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    clean(lambda: read_page(path, project))


@settings(FAST, max_examples=250)
@given(st.one_of(joined(TOML_BITS), joined(TOML_BITS).map(lambda t: '[site]\ntitle = "x"\n' + t)))
def test_config_files(project: Path, text: str) -> None:
    (project / "sitegen.toml").write_bytes(text.encode("utf-8", "surrogatepass"))
    clean(lambda: load_config(project))


CSV_BITS = [
    "account_id",
    "handle",
    "post_id",
    "created_at",
    ",",
    "\n",
    "\r\n",
    '"',
    '""',
    "1",
    "-1",
    "9" * 30,
    "2021-01-01",
    "not a date",
    "\x00",
    "\ufeff",
    "=cmd|' /C calc'!A0",
    "\xff",
    ";",
    "\t",
]


@settings(FAST, max_examples=80)
@given(joined(CSV_BITS))
def test_csv_tables(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    where = tmp_path_factory.mktemp("csv")
    path = where / "in.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    clean(lambda: ingest_table(where / "data", [path], "accounts", root=where))


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(
                [
                    "data",
                    "includes",
                    "users",
                    "tweets",
                    "id",
                    "author_id",
                    "text",
                    "created_at",
                    "username",
                    "referenced_tweets",
                    "type",
                    "public_metrics",
                    "__twarc",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=10,
)


@settings(FAST, max_examples=80)
@given(st.lists(st.one_of(JSON_VALUES.map(json.dumps), st.text(max_size=20)), min_size=1, max_size=4))
def test_twarc2_pages(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    where = tmp_path_factory.mktemp("twarc2")
    path = where / "in.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    clean(lambda: ingest_twarc2(where / "data", [path], root=where))


@settings(FAST, max_examples=60)
@given(st.lists(st.one_of(JSON_VALUES.map(json.dumps), st.text(max_size=20)), min_size=1, max_size=4))
def test_jsonl_tables(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    where = tmp_path_factory.mktemp("jsonl")
    path = where / "in.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
    clean(lambda: ingest_table(where / "data", [path], "posts", root=where))


def parquet_cases() -> list[tuple[str, bytes]]:
    """Truncated, wrongly typed and wrongly shaped Parquet files."""

    def encode(table: pa.Table) -> bytes:
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return sink.getvalue()

    good = encode(pa.table({"account_id": ["1", "2"], "handle": ["a", "b"]}))
    cases = [
        (f"truncated-{cut}", good[:cut])
        for cut in (0, 1, 4, 8, len(good) // 3, len(good) // 2, len(good) - 8, len(good) - 1)
    ]
    cases += [
        ("garbage", b"PAR1" + bytes(range(256)) + b"PAR1"),
        ("int-ids", encode(pa.table({"account_id": [1, 2], "handle": [3, 4]}))),
        ("no-columns", encode(pa.table({}))),
        ("wrong-schema", encode(pa.table({"x": [1.5], "y": [True]}))),
        ("nested", encode(pa.table({"account_id": [[1, 2]], "handle": [{"a": 1}]}))),
        ("nulls", encode(pa.table({"account_id": pa.array([None, None], pa.string()), "handle": ["a", "b"]}))),
        ("dates", encode(pa.table({"account_id": ["1"], "handle": ["a"], "created_at": ["yesterday"]}))),
    ]
    return cases


@pytest.mark.parametrize("name,content", parquet_cases(), ids=[name for name, _ in parquet_cases()])
def test_parquet_files(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / "in.parquet"
    path.write_bytes(content)
    clean(lambda: ingest_table(tmp_path / "data", [path], "accounts", root=tmp_path))


HAND_MADE = sorted((HERE / "cases").glob("*"))


@pytest.mark.parametrize("case", HAND_MADE, ids=[p.name for p in HAND_MADE])
def test_hand_made_cases(project: Path, case: Path) -> None:
    """tests/malformed/cases/: KIND-name.ext, each refused with a located error (never accepted)."""
    kind = case.name.split("-")[0]
    if kind == "page":
        target = project / "content" / "case.md"
        target.write_bytes(case.read_bytes())
        error = clean(lambda: read_page(target, project))
    elif kind == "yaml":
        target = project / "content" / "findings.yaml"
        target.write_bytes(case.read_bytes())
        error = clean(lambda: check_findings(read_declarations(target, project), {}, {}))
    else:
        assert kind == "toml", case
        (project / "sitegen.toml").write_bytes(case.read_bytes())
        error = clean(lambda: load_config(project))
    assert error is not None, case.name
    whole_file = "over the limit" in error.message  # a size limit is about the whole file
    assert error.line or whole_file or isinstance(error, ErrorList), error.located()


def broken_project(tmp_path: Path, name: str, text: str) -> Path:
    import shutil

    target = tmp_path / "p"
    shutil.copytree(TINY, target)
    (target / name).write_text(text, encoding="utf-8")
    return target


CLI_CASES = [
    ("content/index.md", "---\ntitle: [\n---\n", "content/index.md:2"),
    ("content/findings.yaml", "- id: a\n  claim: [\n", "content/findings.yaml:3"),
    ("sitegen.toml", '[site]\ntitle = "x"\n[limits]\npage_bytes = "lots"\n', "sitegen.toml:4"),
    ("data/accounts.csv", 'account_id,handle\n"1,a\n', "data/accounts.csv"),
    ("content/sources.yaml", "- key: s\n  title: t\n  url: javascript:alert(1)\n", "content/sources.yaml:3"),
]


@pytest.mark.parametrize("name,text,where", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_exits_1_with_a_located_message(tmp_path: Path, name: str, text: str, where: str) -> None:
    project = broken_project(tmp_path, name, text)
    result = CliRunner().invoke(app, ["build", "--project", str(project), "--quiet"])
    assert result.exit_code == 1, result.output
    assert where in result.output and "Traceback" not in result.output


def test_a_real_process_exits_1_without_a_traceback(tmp_path: Path) -> None:
    project = broken_project(tmp_path, "content/index.md", "---\ntitle: x\n---\n" + "[" * 100_000)
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--project", str(project), "--quiet"],
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1 and "content/index.md:4" in done.stderr and "markdown_scan_work" in done.stderr
    assert "Traceback" not in done.stderr
