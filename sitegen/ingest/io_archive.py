"""The Twitter information-operations archive: a tweets CSV and a users CSV, ids often hashed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path

from ..errors import DataError
from ..validate import ValidationReport
from .ids import engagement_id, snowflake_time
from .readers import MAX_CELL_BYTES, CsvReader, missing_columns, read_files
from .staging import ACCOUNT_FIELDS, ACCOUNT_ID, Recent, Staging, account_row

TWEET_COLUMNS = ("tweetid", "userid", "tweet_time")
USER_COLUMNS = ("userid",)
TWEET_ONLY = {"tweetid", "tweet_time", "tweet_text", "is_retweet"}
# accounts field <- archive column, in both files
ACCOUNT_COLUMNS = {
    "account_id": "userid",
    "handle": "user_screen_name",
    "display_name": "user_display_name",
    "created_at": "account_creation_date",
    "followers": "follower_count",
    "description": "user_profile_description",
}
BOOLEANS = {"true": True, "false": False, "": False}
COUNTED = {"retweet": "retweets", "reply": "replies", "quote": "quotes"}
_EMPTY, _NETWORK = "<empty>", "<network>"  # two cells appended to every row, for columns a file lacks


class _Columns:
    """Picks cells by column name from rows extended with [empty, network]; empty cells are null later."""

    def __init__(self, header: list[str]) -> None:
        self.index = {name: i for i, name in enumerate(header)}
        self.index[_EMPTY], self.index[_NETWORK] = len(header), len(header) + 1

    def __call__(self, *columns: str) -> Callable[[list[str]], tuple[str, ...]]:
        """A picker of these columns' cells (at least two), as a tuple."""
        return itemgetter(*(self.index.get(c, self.index[_EMPTY]) for c in columns))

    def accounts(self) -> Callable[[list[str]], tuple[str, ...]]:
        """A picker of an accounts row, in the schema's field order."""
        by_field = {**ACCOUNT_COLUMNS, "network": _NETWORK}
        return self(*(by_field.get(name, _EMPTY) for name in ACCOUNT_FIELDS))


class ArchiveReader:
    """Stages an archive's tweets (posts), retweets, replies and quotes (engagements) and users (accounts)."""

    def __init__(
        self, staging: Staging, report: ValidationReport, *, network: str | None, max_cell_bytes: int = MAX_CELL_BYTES
    ) -> None:
        self.staging = staging
        self.report = report
        self.extra = ["", network or ""]
        self.max_cell_bytes = max_cell_bytes
        self.counts: Counter[str] = Counter()
        # Staged once while they repeat: a retweeted post's stub; an account whose fields are as on its
        # last row (every tweet row repeats them).
        self.recent_stubs = Recent()
        self.recent_accounts = Recent()

    def read(self, path: Path) -> None:
        """Stage one file: a tweets file when its header has a tweet column, else a users file."""
        reader = CsvReader(path, self.report, max_cell_bytes=self.max_cell_bytes)
        if not reader.header:
            return
        if set(reader.header) & TWEET_ONLY or "userid" not in reader.header:
            if not missing_columns(reader, TWEET_COLUMNS):
                self._tweets(reader)
        elif not missing_columns(reader, USER_COLUMNS):
            self._users(reader)

    def _tweets(self, reader: CsvReader) -> None:
        columns = _Columns(reader.header)
        post, account = columns("tweetid", "userid", "tweet_time", "tweet_text"), columns.accounts()
        references = columns(
            "is_retweet",
            "retweet_tweetid",
            "retweet_userid",
            "in_reply_to_tweetid",
            "in_reply_to_userid",
            "quoted_tweet_tweetid",
        )
        shown, add, extra, tweets = str(reader.path), self.staging.add, self.extra, 0
        for line, cells in reader.records():
            tweets += 1
            cells += extra
            post_id, author, created, _ = row = post(cells)
            add("posts", row, shown, line)
            self._account(account(cells), shown, line)
            flag, retweeted, retweeted_user, replied, replied_user, quoted = references(cells)
            retweet = BOOLEANS.get(flag)
            if retweet is None:
                retweet = BOOLEANS.get(flag.strip().lower())
            if retweet is None:
                error = DataError("not true or false", path=reader.path, line=line, column="is_retweet", value=flag)
                self.report.add(error)
                continue
            if not post_id:
                continue
            targets = []  # (kind, post, author); a retweet is only a retweet, even of a quote
            if retweet:
                targets.append(("retweet", retweeted, retweeted_user))
            else:
                if replied or replied_user:
                    targets.append(("reply", replied, replied_user))
                if quoted:
                    targets.append(("quote", quoted, ""))
            kinds = [kind for kind, _, _ in targets]
            for kind, target, target_author in targets:
                if not target:  # a reply to an account, not to a tweet the row names
                    self.counts[f"{kind}_without_tweet"] += 1
                    continue
                row = (engagement_id(post_id, kind, kinds), kind, author, target, target_author, created)
                add("engagements", row, shown, line)
                self.counts[COUNTED[kind]] += 1
                if target_author:
                    self._stubs(target, target_author, shown, line)
        self.counts["tweets"] += tweets

    def _stubs(self, post_id: str, author: str, shown: str, line: int) -> None:
        """Stage the target of an engagement from what the row gives: its ids, and the time a tweet id encodes."""
        if self.recent_stubs.repeats(post_id):
            return
        self.staging.add("accounts", account_row(author), shown, line)
        created = snowflake_time(post_id)
        if created is not None:
            self.staging.add("posts", (post_id, author, created, None), shown, line)

    def _account(self, row: tuple[str, ...], shown: str, line: int) -> None:
        """Stage an account row unless the same account was just staged with the same fields."""
        if not self.recent_accounts.repeats(row[ACCOUNT_ID], hash(row)):
            self.staging.add("accounts", row, shown, line)

    def _users(self, reader: CsvReader) -> None:
        account, shown, extra = _Columns(reader.header).accounts(), str(reader.path), self.extra
        for line, cells in reader.records():
            cells += extra
            self.staging.add("accounts", account(cells), shown, line)
            self.counts["users"] += 1


def read_io_archive(
    paths: list[Path],
    staging: Staging,
    report: ValidationReport,
    *,
    network: str | None = None,
    max_cell_bytes: int = MAX_CELL_BYTES,
) -> dict[str, int]:
    """Stage IO-archive CSVs (tweets and users files, told apart by header); counts of what was read."""
    reader = ArchiveReader(staging, report, network=network, max_cell_bytes=max_cell_bytes)
    return read_files(reader, paths, ("tweets", "retweets", "replies", "quotes", "users"))
