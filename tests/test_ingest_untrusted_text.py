"""Account and tweet text is untrusted: every naughty string survives ingest unchanged, or is refused with its place."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.errors import SitegenError
from sitegen.ingest import ingest_table, ingest_twarc2

BLNS = Path(__file__).resolve().parent / "security" / "blns.json"  # vendored, MIT (blns.LICENSE)


def naughty_strings() -> list[str]:
    return [s for s in json.loads(BLNS.read_text(encoding="utf-8")) if s]  # an empty cell is null


def texts(data_dir: Path) -> dict[str, str | None]:
    return {r["post_id"]: r["text"] for r in pq.read_table(data_dir / "posts.parquet").to_pylist()}


def test_naughty_strings_round_trip_through_csv(tmp_path: Path) -> None:
    strings = naughty_strings()
    source = tmp_path / "posts.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["post_id", "author_id", "created_at", "text"])
        writer.writerows([str(i), "a", "2021-01-01", s] for i, s in enumerate(strings))

    ingest_table(tmp_path / "data", [source], "posts")

    assert texts(tmp_path / "data") == {str(i): s for i, s in enumerate(strings)}


def test_naughty_strings_round_trip_through_twarc2(tmp_path: Path) -> None:
    strings = naughty_strings()
    source = tmp_path / "tweets.jsonl"
    tweets = [
        {"id": str(i), "author_id": "a", "created_at": "2021-01-01T00:00:00Z", "text": s} for i, s in enumerate(strings)
    ]
    source.write_text("".join(json.dumps(t) + "\n" for t in tweets), encoding="utf-8")

    ingest_twarc2(tmp_path / "data", [source])

    assert texts(tmp_path / "data") == {str(i): s for i, s in enumerate(strings)}


def test_a_lone_surrogate_escape_is_refused_with_its_place(tmp_path: Path) -> None:
    source = tmp_path / "tweets.jsonl"
    source.write_text('{"id": "1", "author_id": "a", "created_at": "2021-01-01", "text": "\\ud83d"}\n')

    with pytest.raises(
        SitegenError, match=r"tweets.jsonl:1, column text: not valid Unicode \(a lone surrogate escape\)"
    ):
        ingest_twarc2(tmp_path / "data", [source])


def test_a_float_id_is_refused_with_its_place(tmp_path: Path) -> None:
    source = tmp_path / "tweets.jsonl"
    source.write_text('{"id": "1", "author_id": 1.395e18, "created_at": "2021-01-01"}\n')

    with pytest.raises(SitegenError, match=r"tweets.jsonl:1, column author_id: an id must be a string"):
        ingest_twarc2(tmp_path / "data", [source])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_text_round_trips(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    work = tmp_path_factory.mktemp("text")
    source = work / "posts.jsonl"
    source.write_text(json.dumps({"post_id": "1", "author_id": "a", "created_at": "2021-01-01", "text": text}) + "\n")

    ingest_table(work / "data", [source], "posts")

    assert texts(work / "data") == {"1": text}
