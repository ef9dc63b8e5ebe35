"""Ids as strings from any input, engagement ids, and the creation time a tweet id encodes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..validate import ValidationReport

TWITTER_EPOCH_MS = 1288834974657
_FIRST_SNOWFLAKE = 1 << 42  # older (sequential) tweet ids are far smaller and encode no time
# When one tweet engages twice (a reply that quotes), the first kind here keeps the plain tweet id.
KIND_ORDER = ("retweet", "reply", "quote")


def id_text(value: Any, report: ValidationReport, path: Path, line: int, column: str) -> str | None:
    """An id as a string: JSON strings as they are, integers exactly; anything else is reported."""
    if isinstance(value, str):
        return value or None
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    report.add(DataError("an id must be a string (or an integer)", path=path, line=line, column=column, value=value))
    return None


def text(value: Any) -> str | None:
    """A scalar as text (numbers exact, booleans as true/false); null stays null."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def engagement_id(tweet_id: str, kind: str, kinds: list[str]) -> str:
    """The engaging tweet's id, suffixed `:kind` when the tweet engages in more than one way."""
    if len(kinds) == 1:
        return tweet_id
    first = min(kinds, key=KIND_ORDER.index)
    return tweet_id if kind == first else f"{tweet_id}:{kind}"


def snowflake_time(post_id: str | None) -> str | None:
    """The creation time (ISO, UTC) a tweet id encodes, or None for hashed or pre-2010 ids."""
    if not post_id or not post_id.isdigit() or len(post_id) > 20:
        return None
    number = int(post_id)
    if number < _FIRST_SNOWFLAKE:
        return None
    ms = (number >> 22) + TWITTER_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()
