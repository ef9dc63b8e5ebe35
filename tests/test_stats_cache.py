"""The statistics cache: reused only while definition, code and inputs are unchanged; same site either way."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import pandas as pd
import pytest

import sitegen.stats
from sitegen.build import build
from sitegen.stats import KINDS, StatResult, compute_stats, stats_cache_dir
from sitegen.stats.context import Kind

from .conftest import tree
from .test_stats_kinds import ENGAGEMENTS, TABLES, compute

EVERY_KIND = """\
- id: followers
  kind: followers
  params: {target: amb}
- id: created
  kind: created
  params: {target: amb}
- id: retweets
  kind: engagement_count
  params: {target: amb, window: [2020-06-01, 2020-06-30]}
- id: posts
  kind: post_count
  params: {roles: [diplomat, embassy]}
- id: suspended
  kind: status_share
  params: {target: amb, as_of: 2021-03-01}
- id: per-target
  kind: per_target
  params: {roles: [diplomat, embassy], as_of: 2021-03-01, min_engagements: 1}
- id: weekly
  kind: weekly_by_class
  params: {targets: [amb, emb], as_of: 2021-03-01, network: net}
- id: top
  kind: concentration
  params: {roles: [diplomat, embassy], top: 1%}
- id: delay
  kind: time_to_engagement
  params: {target: amb, network: net}
- id: hours
  kind: hourly_activity
  params: {target: amb, network: net, zone: Europe/London}
- id: share
  kind: network_share
  params: {target: amb, network: net}
- id: weeks
  kind: network_weeks
  params: {target: amb, network: net, threshold: 50%}
- id: together
  kind: co_engagement
  params: {network: net}
- id: members
  kind: account_count
  params: {network: net, status: suspended, as_of: 2021-03-01}
- id: labelled
  kind: label_share
  params: {roles: [diplomat, embassy]}
- id: bursts
  kind: creation_bursts
  params: {network: net, top: 1}
"""


def assert_same(one: StatResult, other: StatResult) -> None:
    """Two results agree in every field; their tables in values and dtypes."""
    for field in dataclasses.fields(StatResult):
        left, right = getattr(one, field.name), getattr(other, field.name)
        if field.name == "frame":
            assert (left is None) == (right is None), field.name
            if left is not None:
                pd.testing.assert_frame_equal(left, right, check_dtype=True, check_exact=True)
        else:
            assert left == right, field.name
            assert type(left) is type(right), field.name


def no_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every kind fail if it is asked to compute."""

    def refuse(*args: object) -> StatResult:
        raise AssertionError("computed instead of read from the cache")

    for name, kind in list(KINDS.items()):
        monkeypatch.setitem(KINDS, name, dataclasses.replace(kind, compute=refuse))


def test_a_cached_result_is_the_computed_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    fresh = compute(tmp_path / "p", EVERY_KIND, cache_dir=cache)
    assert len(list(cache.glob("*.json"))) == len(fresh)
    assert len(list(cache.glob("*.parquet"))) == sum(r.frame is not None for r in fresh.values())
    no_computing(monkeypatch)
    cached = compute(tmp_path / "p", EVERY_KIND, cache_dir=cache)
    assert list(cached) == list(fresh)
    for stat_id in fresh:
        assert_same(cached[stat_id], fresh[stat_id])


def test_without_a_cache_every_result_is_computed_alike(tmp_path: Path) -> None:
    first = compute(tmp_path / "p", EVERY_KIND)
    second = compute(tmp_path / "p", EVERY_KIND)
    for stat_id in first:
        assert_same(first[stat_id], second[stat_id])


def test_changed_data_or_parameters_are_recomputed(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    stats_yaml = "- id: r\n  kind: engagement_count\n  label: Retweets\n  params: {target: amb}\n"
    assert compute(tmp_path / "p", stats_yaml, cache_dir=cache)["r"].value == 8
    relabelled = compute(tmp_path / "p", stats_yaml.replace("Retweets", "All retweets"), cache_dir=cache)["r"]
    assert relabelled.label == "All retweets"  # a label is not part of the computation: still cached
    assert len(list(cache.glob("*.json"))) == 1
    replies = compute(tmp_path / "p", stats_yaml.replace("target: amb", "target: amb, kinds: [reply]"), cache_dir=cache)
    assert replies["r"].value == 1
    more = dict(TABLES, engagements=ENGAGEMENTS + "e12,retweet,401,3,100,2020-06-10 08:00:00\n")
    assert compute(tmp_path / "p", stats_yaml, more, cache_dir=cache)["r"].value == 9


def test_an_unreadable_cache_entry_is_recomputed(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    stats_yaml = "- id: r\n  kind: engagement_count\n  params: {target: amb}\n"
    compute(tmp_path / "p", stats_yaml, cache_dir=cache)
    for entry in cache.glob("*.json"):
        entry.write_text("{not json")
    assert compute(tmp_path / "p", stats_yaml, cache_dir=cache)["r"].value == 8


def test_a_cached_build_and_a_clean_build_are_byte_identical(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1620691200")
    cached = functools.partial(compute_stats, cache_dir=stats_cache_dir(tiny))
    monkeypatch.setattr(sitegen.stats, "compute_stats", cached)  # the pipeline imports it when it runs
    build(tiny, {"build.output": str(tmp_path / "clean")})
    assert list(stats_cache_dir(tiny).glob("*.json"))
    build(tiny, {"build.output": str(tmp_path / "cached")})
    assert tree(tmp_path / "clean") == tree(tmp_path / "cached")


def test_the_cache_lives_in_the_project(tmp_path: Path) -> None:
    assert stats_cache_dir(tmp_path) == tmp_path / ".sitegen" / "cache" / "stats"
    assert all(isinstance(kind, Kind) and kind.inputs for kind in KINDS.values())
