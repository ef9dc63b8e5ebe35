"""Bad input is reported with its place (file:line, column, value), never a traceback; failed ingests change nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.errors import ErrorList, SitegenError
from sitegen.ingest import IngestResult, ingest_io_archive, ingest_table, ingest_twarc2, store

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
TWEET = '{"id": "1", "author_id": "2", "created_at": "2021-05-18T19:24:56.000Z", "text": "hello"}\n'


def twarc2(data_dir: Path, path: Path) -> IngestResult:
    return ingest_twarc2(data_dir, [path])


def accounts(data_dir: Path, path: Path) -> IngestResult:
    return ingest_table(data_dir, [path], "accounts")


def posts(data_dir: Path, path: Path) -> IngestResult:
    return ingest_table(data_dir, [path], "posts", max_cell_bytes=1000)


CASES: list[tuple[str, str, bytes, Callable[[Path, Path], IngestResult], str]] = [
    (
        "truncated JSON line",
        "t.jsonl",
        (TWEET + '{"id": "3", "author_id": "2", "crea\n').encode(),
        twarc2,
        "t.jsonl:2:31: not valid JSON: Unterminated string starting at",
    ),
    (
        "invalid UTF-8",
        "t.jsonl",
        TWEET.encode() + b'{"id": "3", "text": "caf\xe9"}\n',
        twarc2,
        "t.jsonl:2:25: not valid UTF-8",
    ),
    ("empty file", "t.jsonl", b"", twarc2, "t.jsonl: empty file"),
    ("not an object", "t.jsonl", b"[1, 2]\n", twarc2, "t.jsonl:1: expected a JSON object"),
    (
        "string id expected",
        "t.jsonl",
        b'{"id": ["1"], "author_id": "2"}\n',
        twarc2,
        "t.jsonl:1, column id: an id must be a string",
    ),
    (
        "ragged row",
        "a.csv",
        b"account_id,handle,role\n1,a,other\n2,b,other,extra\n",
        accounts,
        "a.csv:3, column field 4: expected 3 fields (as in the header), found 4 (value: 'extra')",
    ),
    (
        "unterminated quote",
        "a.csv",
        b'account_id,handle,role\n1,a,other\n2,"b,other\n3,c,other\n',
        accounts,
        "a.csv:3, column handle: unterminated quote: the quoted field runs to the end of the file",
    ),
    (
        "wrong column name",
        "a.csv",
        b"account_id,handel,role\n1,a,other\n",
        accounts,
        "a.csv:1, column handel: unknown column 'handel' for accounts",
    ),
    (
        "date that does not parse",
        "p.csv",
        b"post_id,author_id,created_at,text\n1,2,2021-05-18,ok\n2,2,2021-02-30,bad\n",
        posts,
        "p.csv:3, column created_at: not a date-time (value: '2021-02-30')",
    ),
    (
        "line numbers count the lines of quoted cells",
        "p.csv",
        b'post_id,author_id,created_at,text\n1,2,2021-05-18,"two\nlines"\n2,2,later,bad\n',
        posts,
        "p.csv:4, column created_at: not a date-time (value: 'later')",
    ),
    (
        "oversized cell",
        "p.csv",
        b"post_id,author_id,created_at,text\n1,2,2021-05-18," + b"x" * 1001 + b"\n",
        posts,
        "p.csv:2, column text: cell longer than 1,000 bytes",
    ),
    (
        "oversized multibyte cell",
        "p.csv",
        b"post_id,author_id,created_at,text\n1,2,2021-05-18," + "\u00e9".encode() * 501 + b"\n",
        posts,
        "p.csv:2, column text: cell longer than 1,000 bytes",
    ),
    (
        "missing required value",
        "p.csv",
        b"post_id,author_id,created_at,text\n1,,2021-05-18,x\n",
        posts,
        "p.csv:2, column author_id: missing required value",
    ),
    (
        "missing key",
        "p.csv",
        b"post_id,author_id,created_at,text\n,2,2021-05-18,x\n",
        posts,
        "p.csv:2, column post_id: missing required value",
    ),
]


@pytest.mark.parametrize(("name", "filename", "content", "ingest", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_located(
    tmp_path: Path,
    name: str,
    filename: str,
    content: bytes,
    ingest: Callable[[Path, Path], IngestResult],
    expected: str,
) -> None:
    source = tmp_path / filename
    source.write_bytes(content)

    with pytest.raises(SitegenError) as caught:
        ingest(tmp_path / "data", source)

    assert f"{tmp_path}/{expected}" in caught.value.located()
    assert not (tmp_path / "data" / "datapackage.json").exists()


def test_a_bom_is_accepted(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_bytes(b"\xef\xbb\xbfaccount_id,handle,role\n1,a,other\n")
    json_source = tmp_path / "t.jsonl"
    json_source.write_bytes(b"\xef\xbb\xbf" + TWEET.encode())

    assert ingest_table(tmp_path / "data", [source], "accounts").tables["accounts"].total == 1
    assert ingest_twarc2(tmp_path / "data", [json_source]).tables["posts"].total == 1


def test_oversized_json_cell_names_its_path(tmp_path: Path) -> None:
    source = tmp_path / "t.jsonl"
    source.write_text(json.dumps({"data": [{"id": "1", "author_id": "2", "text": "x" * 2000}]}) + "\n")

    with pytest.raises(SitegenError, match=r"t.jsonl:1, column data\[0\].text: cell longer than 1,000 bytes"):
        ingest_twarc2(tmp_path / "data", [source], max_cell_bytes=1000)


def test_a_10_mb_cell_is_rejected_by_default(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_bytes(b'post_id,author_id,created_at,text\n1,2,2021-05-18,"' + b"y" * (10 << 20) + b'"\n')

    with pytest.raises(SitegenError, match=r"p.csv:2, column text: cell longer than 1,048,576 bytes"):
        ingest_table(tmp_path / "data", [source], "posts")


def test_errors_are_capped_then_counted(tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("post_id,author_id,created_at,text\n" + "".join(f"{i},2,day {i},x\n" for i in range(120)))

    with pytest.raises(ErrorList) as caught:
        ingest_table(tmp_path / "data", [source], "posts", cap=10)

    assert caught.value.total == 120 and len(caught.value.errors) == 10
    lines = str(caught.value).splitlines()
    assert lines[0].endswith("p.csv:2, column created_at: not a date-time (value: 'day 0')")
    assert lines[-1] == "+110 more"


def test_every_file_is_read_before_failing(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("{oops\n")
    second.write_text(TWEET + "not json\n")

    with pytest.raises(ErrorList) as caught:
        ingest_twarc2(tmp_path / "data", [first, second])

    assert [(e.path.name if e.path else None, e.line) for e in caught.value.errors] == [("a.jsonl", 1), ("b.jsonl", 2)]


def snapshot(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir())}


def test_a_failed_ingest_leaves_tables_and_datapackage_untouched(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ingest_twarc2(data_dir, [FIXTURES / "twarc2_pages.jsonl"])
    before = snapshot(data_dir)

    with pytest.raises(SitegenError, match="not valid JSON"):
        ingest_twarc2(data_dir, [FIXTURES / "twarc2_flat.jsonl", FIXTURES / "twarc2_malformed.jsonl"])

    assert snapshot(data_dir) == before  # nothing written, no temp files left


def test_a_failure_while_writing_leaves_everything_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "data"
    ingest_io_archive(data_dir, [FIXTURES / "io_tweets.csv"])
    before = snapshot(data_dir)
    real = store._write_table
    calls = []

    def fail_on_third(con, name, path):  # type: ignore[no-untyped-def]
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real(con, name, path)

    monkeypatch.setattr(store, "_write_table", fail_on_third)
    with pytest.raises(OSError):
        ingest_twarc2(data_dir, [FIXTURES / "twarc2_pages.jsonl"])

    assert snapshot(data_dir) == before


def test_the_malformed_fixture_is_located(tmp_path: Path) -> None:
    with pytest.raises(SitegenError) as caught:
        ingest_twarc2(tmp_path, [FIXTURES / "twarc2_malformed.jsonl"])

    error = caught.value
    truncated = (FIXTURES / "twarc2_malformed.jsonl").read_text().splitlines()[1]
    # the cut falls inside the text of the first tweet: the unterminated string opens at its quote
    assert truncated.endswith('"text": "RT @ChineseEmbinUK: Embass')
    assert (error.line, error.column) == (2, truncated.index('"RT @') + 1)
    assert error.message.startswith("not valid JSON: Unterminated string")
