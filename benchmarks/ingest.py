"""Ingest throughput and peak memory: synthetic twarc2 JSONL and IO-archive CSV of N tweets.

Run as a script: `python benchmarks/ingest.py [N ...] [--formats twarc2,io-archive] [--dir DIR]`
(default N: 1,000,000 and 5,000,000). Each ingest runs in a child process; "peak MB" is the child's
ru_maxrss (os.wait4), "ingest MB" its ru_maxrss before it validates; "cpu s" is the child's CPU time
(ingest and validate, all threads), steadier than wall time on a shared machine. The child also times
validate_tables over the four tables it wrote.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_ID = 1_300_000_000_000_000_000  # ids above 2^53, as real ones are
PAGE = 100
DIPLOMATS = 200

CHILD = """
import json, resource, sys, time
from pathlib import Path
from sitegen.ingest import ingest_io_archive, ingest_twarc2
from sitegen.validate import validate_tables
kind, source, data_dir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
start = time.perf_counter()
ingest = ingest_twarc2 if kind == "twarc2" else ingest_io_archive
result = ingest(data_dir, [source])
ingested = time.perf_counter() - start
ingest_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
report = validate_tables({name: data_dir / f"{name}.parquet" for name in result.tables})
validated = time.perf_counter() - start
rows = {name: change.total for name, change in result.tables.items()}
print(json.dumps({"ingest_s": ingested, "ingest_peak_mb": ingest_peak_mb, "validate_s": validated, "rows": rows}))
"""


def _kind(rng: random.Random) -> str:
    roll = rng.random()
    return "retweet" if roll < 0.6 else "reply" if roll < 0.75 else "quote" if roll < 0.85 else "original"


def _user(account: int, day: int) -> dict[str, object]:
    return {
        "id": str(account),
        "username": f"user{account % 10_000_000}",
        "name": f"User {account % 10_000_000}",
        "created_at": "2020-04-21T10:00:00.000Z",
        "description": "a synthetic account",
        "public_metrics": {"followers_count": account % 5000 + day, "following_count": 10},
    }


def write_twarc2(path: Path, tweets: int, seed: int = 1) -> None:
    """Response pages of 100 tweets: 60% retweets, 15% replies, 10% quotes, 15% originals by 200 diplomats."""
    rng = random.Random(seed)
    users = max(1000, tweets // 10)
    with path.open("w", encoding="utf-8") as out:
        for first in range(0, tweets, PAGE):
            data, authors, originals = [], set(), {}
            # follower counts move every 100 pages, as a collection spans days
            day = first // (100 * PAGE)
            retrieved = f"2021-03-01T{day % 24:02d}:{day // 24 % 60:02d}:00+00:00"
            for offset in range(min(PAGE, tweets - first)):
                tweet_id = str(FIRST_ID + first + offset)
                kind = _kind(rng)
                number = rng.randrange(DIPLOMATS) if kind == "original" else DIPLOMATS + rng.randrange(users)
                author = FIRST_ID + number
                tweet = {
                    "id": tweet_id,
                    "author_id": str(author),
                    "created_at": f"2020-{6 + offset % 6:02d}-{1 + offset % 28:02d}T12:{offset % 60:02d}:00.000Z",
                    "text": "RT @someone: a statement about the world" if kind == "retweet" else "a statement",
                    "public_metrics": {"retweet_count": rng.randrange(1000), "reply_count": 0, "like_count": 0},
                }
                authors.add(author)
                if kind != "original":
                    target = FIRST_ID - 1 - rng.randrange(50_000)
                    diplomat = FIRST_ID + target % DIPLOMATS
                    kind_name = {"retweet": "retweeted", "reply": "replied_to", "quote": "quoted"}[kind]
                    tweet["referenced_tweets"] = [{"type": kind_name, "id": str(target)}]
                    if kind == "reply":
                        tweet["in_reply_to_user_id"] = str(diplomat)
                    originals[target] = diplomat
                    authors.add(diplomat)
                data.append(tweet)
            page = {
                "data": data,
                "includes": {
                    "users": [_user(a, day) for a in sorted(authors)],
                    "tweets": [
                        {"id": str(t), "author_id": str(a), "created_at": "2020-06-01T00:00:00Z", "text": "original"}
                        for t, a in sorted(originals.items())
                    ],
                },
                "meta": {"result_count": len(data)},
                "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "retrieved_at": retrieved},
            }
            out.write(json.dumps(page) + "\n")


ARCHIVE_HEADER = (
    "tweetid,userid,user_display_name,user_screen_name,user_reported_location,user_profile_description,"
    "user_profile_url,follower_count,following_count,account_creation_date,account_language,tweet_language,"
    "tweet_text,tweet_time,tweet_client_name,in_reply_to_tweetid,in_reply_to_userid,quoted_tweet_tweetid,"
    "is_retweet,retweet_userid,retweet_tweetid,latitude,longitude,quote_count,reply_count,like_count,"
    "retweet_count,hashtags,urls,user_mentions,poll_choices"
).split(",")


def write_archive(path: Path, tweets: int, seed: int = 2) -> None:
    """An IO-archive tweets CSV with hashed user ids and the same mix of kinds."""
    rng = random.Random(seed)
    users = max(1000, tweets // 10)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ARCHIVE_HEADER)
        for index in range(tweets):
            user = f"{rng.randrange(users):064x}"
            kind = _kind(rng)
            target = str(FIRST_ID - 1 - rng.randrange(50_000))
            diplomat = str(FIRST_ID + rng.randrange(DIPLOMATS))
            row = dict.fromkeys(ARCHIVE_HEADER, "")
            row.update(
                tweetid=str(FIRST_ID + index),
                userid=user,
                user_display_name=user,
                user_screen_name=user,
                user_profile_description='Love peace, "harmony"',
                follower_count=str(rng.randrange(5000)),
                following_count="10",
                account_creation_date="2020-04-21",
                account_language="en",
                tweet_language="en",
                tweet_text="RT @someone: a statement\nwith a second line" if kind == "retweet" else "a statement",
                tweet_time=f"2020-{6 + index % 6:02d}-{1 + index % 28:02d} 12:{index % 60:02d}",
                is_retweet="true" if kind == "retweet" else "false",
                hashtags="[china, uk]",
                urls="[]",
                user_mentions="[]",
            )
            if kind == "retweet":
                row.update(retweet_userid=diplomat, retweet_tweetid=target)
            elif kind == "reply":
                row.update(in_reply_to_userid=diplomat, in_reply_to_tweetid=target)
            elif kind == "quote":
                row.update(quoted_tweet_tweetid=target)
            writer.writerow(row.values())


def run_child(kind: str, source: Path, data_dir: Path) -> dict[str, object]:
    """Ingest and validate in a child process; its result, wall and CPU time, and peak RSS (MB)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, str(source), str(data_dir)], stdout=subprocess.PIPE, env=env
    )
    assert child.stdout is not None
    output = child.stdout.read()
    child.stdout.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if child.returncode != 0:
        raise SystemExit(f"{kind} ingest of {source} failed with exit code {child.returncode}")
    result = json.loads(output.splitlines()[-1])
    # Linux: ru_maxrss is in KiB. CPU time (all threads) is steadier than wall time on a shared machine.
    result.update(wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime, peak_mb=usage.ru_maxrss / 1024)
    return result


def main() -> None:
    """Generate, ingest and report one row per format and size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000_000, 5_000_000])
    parser.add_argument("--formats", default="twarc2,io-archive")
    parser.add_argument("--dir", type=Path, help="where to write inputs and tables (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    columns = ("format", "tweets", "input MB", "ingest s", "tweets/s", "cpu s", "peak MB", "ingest MB", "validate s")
    header = "".join(f"{c:>11}" for c in columns) + f"{'rows (accounts/posts/engagements)':>36}"
    print(header)
    try:
        for size in args.sizes:
            for kind in args.formats.split(","):
                source = work / (f"twarc2-{size}.jsonl" if kind == "twarc2" else f"archive-{size}.csv")
                if not source.exists():
                    (write_twarc2 if kind == "twarc2" else write_archive)(source, size)
                data_dir = work / f"data-{kind}-{size}"
                shutil.rmtree(data_dir, ignore_errors=True)
                result = run_child(kind, source, data_dir)
                rows = result["rows"]
                assert isinstance(rows, dict)
                counts = f"{rows['accounts']:,}/{rows['posts']:,}/{rows['engagements']:,}"
                seconds = float(result["ingest_s"])  # type: ignore[arg-type]
                cells = (
                    kind,
                    f"{size:,}",
                    f"{source.stat().st_size / 1e6:,.0f}",
                    f"{seconds:.1f}",
                    f"{size / seconds:,.0f}",
                    f"{result['cpu_s']:.1f}",
                    f"{result['peak_mb']:,.0f}",
                    f"{result['ingest_peak_mb']:,.0f}",
                    f"{result['validate_s']:.2f}",
                )
                print("".join(f"{c:>11}" for c in cells) + f"{counts:>36}", flush=True)
                if not args.keep:
                    shutil.rmtree(data_dir, ignore_errors=True)
                    source.unlink()
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
