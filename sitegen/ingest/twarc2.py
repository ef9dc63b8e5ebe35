"""twarc2 output: API response pages or flattened tweets, one JSON object a line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DataError
from ..validate import ValidationReport
from .ids import engagement_id, id_text
from .readers import MAX_CELL_BYTES, json_lines, read_files
from .staging import Recent, Staging, account_row

KINDS = {"retweeted": "retweet", "quoted": "quote", "replied_to": "reply"}
COUNTED = {"retweet": "retweets", "quote": "quotes", "reply": "replies"}


class Twarc2Reader:
    """Stages the tweets (posts), their references (engagements) and users (accounts) of twarc2 files.

    Values go to staging as they are in the JSON; staging turns them into text and reports any that
    cannot be (a float id, an object where a value belongs).
    """

    def __init__(self, staging: Staging, report: ValidationReport, *, max_cell_bytes: int = MAX_CELL_BYTES) -> None:
        self.staging = staging
        self.report = report
        self.max_cell_bytes = max_cell_bytes
        self.counts: Counter[str] = Counter()
        self.path = Path()
        self.shown = ""
        self.line = 0
        self.retrieved_at: Any = None
        # Staged once while they repeat: a referenced tweet (a tweet does not change, and its metrics are
        # not kept); a user whose fields are as last staged (keeping the first retrieval of those values).
        self.recent_posts = Recent()
        self.recent_users = Recent()

    def read(self, path: Path) -> None:
        """Stage every line of one file."""
        for value in self._json_objects(path, "a twarc2 response page or a tweet"):
            if "data" in value or "includes" in value or "errors" in value:
                self._page(value)
            elif "id" in value:
                self._tweet(value, {}, flattened=True)
            else:
                self._error("neither a twarc2 response page (data, includes) nor a tweet (id)", None, None)

    def _json_objects(self, path: Path, expected: str) -> Iterator[dict[str, Any]]:
        """The JSON objects of a JSONL file, each with line and retrieved_at set; anything else is reported."""
        self.path, self.shown = path, str(path)
        for line, value in json_lines(path, self.report, max_cell_bytes=self.max_cell_bytes):
            self.line = line
            if not isinstance(value, dict):
                self._error(f"expected a JSON object: {expected}", None, value)
                continue
            meta = value.get("__twarc")
            self.retrieved_at = meta.get("retrieved_at") if isinstance(meta, dict) else None
            yield value

    def _error(self, message: str, column: str | None, value: Any) -> None:
        self.report.add(DataError(message, path=self.path, line=self.line, column=column, value=value))

    def _id(self, value: Any, column: str) -> str | None:
        """An id used to link rows: a string, whatever the JSON held (errors reported)."""
        return value if type(value) is str else id_text(value, self.report, self.path, self.line, column)

    def _page(self, page: dict[str, Any]) -> None:
        includes = page.get("includes")
        if not isinstance(includes, dict):
            includes = {}
        for user in _objects(includes.get("users")):
            self._user(user)
        authors: dict[str, str] = {}
        for tweet in _objects(includes.get("tweets")):
            post_id, author = self._post(tweet, required=False)
            if post_id is not None and author is not None:
                authors[post_id] = author
        data = page.get("data")
        for item in _objects([data] if isinstance(data, dict) else data):
            if "username" in item and "text" not in item:  # a user lookup page
                self._user(item)
            else:
                self._tweet(item, authors, flattened=False)
        for error in _list(page.get("errors")):
            self.counts["api_errors"] += 1
            title = error.get("title") if isinstance(error, dict) else None
            self.counts[f"api_errors: {title or 'untitled'}"] += 1

    def _user(self, user: dict[str, Any]) -> str | None:
        """Stage a user as an account; its id."""
        account_id = self._id(user.get("id"), "id")
        if account_id is None:
            self._error("user has no id", "id", None)
            return None
        metrics = user.get("public_metrics")
        followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
        if type(followers) is int:  # text now keeps the batch on the fast path
            followers = str(followers)
        fields = (user.get("username"), user.get("name"), user.get("created_at"), user.get("description"), followers)
        self.counts["user_objects"] += 1
        try:
            if self.recent_users.repeats(account_id, hash(fields)):
                return account_id
        except TypeError:  # an object where a value belongs: staged, and reported there
            pass
        handle, name, created, description, _ = fields
        row = account_row(
            account_id,
            handle=handle,
            display_name=name,
            created_at=created,
            description=description,
            followers=followers,
            followers_recorded_at=self.retrieved_at if followers is not None else None,
        )
        self.staging.add("accounts", row, self.shown, self.line)
        return account_id

    def _post(self, tweet: dict[str, Any], *, required: bool) -> tuple[str | None, str | None]:
        """Stage a tweet as a post: (id, author). One only referenced is staged when its author and time are known."""
        post_id = self._id(tweet.get("id"), "id")
        if post_id is None:
            if required:
                self._error("tweet has no id", "id", None)
            return None, None
        author = tweet.get("author_id")
        if author is not None and type(author) is not str:
            author = self._id(author, "author_id")
        created = tweet.get("created_at")
        if required:
            self.staging.add("posts", (post_id, author, created, tweet.get("text")), self.shown, self.line)
            self.counts["tweets"] += 1
        elif author and created and not self.recent_posts.repeats(post_id):
            self.staging.add("posts", (post_id, author, created, tweet.get("text")), self.shown, self.line)
            self.counts["referenced_tweets"] += 1
        return post_id, author

    def _tweet(self, tweet: dict[str, Any], authors: dict[str, str], *, flattened: bool) -> None:
        post_id, engager = self._post(tweet, required=True)
        if post_id is None:
            return
        if flattened:  # twarc2 flatten inlines the author, the replied-to user and the referenced tweets
            for key in ("author", "in_reply_to_user"):
                if isinstance(tweet.get(key), dict):
                    self._user(tweet[key])
        references = _objects(tweet.get("referenced_tweets"))
        if not references:
            return
        found = []
        for reference in references:
            kind = KINDS.get(str(reference.get("type")))
            if kind is None:
                self._error("unknown referenced tweet type", "referenced_tweets.type", reference.get("type"))
                continue
            target = self._id(reference.get("id"), "referenced_tweets.id")
            if target is None:
                self._error("referenced tweet has no id", "referenced_tweets.id", None)
                continue
            if flattened:
                author = self._post(reference, required=False)[1]
                if isinstance(reference.get("author"), dict):
                    self._user(reference["author"])
            else:
                author = authors.get(target)
            if kind == "reply":
                author = self._id(tweet.get("in_reply_to_user_id"), "in_reply_to_user_id") or author
            found.append((kind, target, author))
        created = tweet.get("created_at")
        kinds = [kind for kind, _, _ in found]
        for kind, target, author in found:
            row = (engagement_id(post_id, kind, kinds), kind, engager, target, author, created)
            self.staging.add("engagements", row, self.shown, self.line)
            self.counts[COUNTED[kind]] += 1


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _objects(value: Any) -> list[dict[str, Any]]:
    """The dicts in a JSON list (anything else: none)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def read_twarc2(
    paths: list[Path], staging: Staging, report: ValidationReport, *, max_cell_bytes: int = MAX_CELL_BYTES
) -> dict[str, int]:
    """Stage twarc2 JSONL files (response pages or flattened tweets); counts of what was read."""
    reader = Twarc2Reader(staging, report, max_cell_bytes=max_cell_bytes)
    return read_files(
        reader, paths, ("tweets", "retweets", "quotes", "replies", "referenced_tweets", "user_objects", "api_errors")
    )
