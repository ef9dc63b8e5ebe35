"""A compact, integer-keyed copy of the engagements, made once per build on the engine.

Decoding string ids from the files is what costs most: a statistic that scans the engagements file decodes
every engager id in it. So the first statistic that needs engagements makes one narrow table (kind code,
engager and target keys, time: 17 bytes a row before compression), and the statistics after it read that
table instead of the file. The two kinds that need post ids read the file's own columns instead, for their
targets only: those rows are copied once per target set, since a scan of the file costs about the same
however few rows it keeps.
The tables live in a DuckDB database attached to the engine, detached (and deleted) when the build's
statistics are done. Up to IN_MEMORY_ROWS engagements it is an in-memory database (at most about 85 MB;
the default project's statistics run about a fifth faster than on a file at 1.4 million engagements);
beyond, a file in a temporary directory, which DuckDB writes compressed as it goes, so memory stays small
however many engagements there are.

Keys are internal: no result depends on their values or order, only on which ids are equal. Ids missing
from the accounts table still get keys of their own (in a second pass, made only when there are
such ids), so distinct ids stay distinct.

That copy is DuckDB's fast path. On any other engine (Spark) the "keys" are the ids themselves and the
keyed engagements are a view of the file (numbering every id would need a window over all of them in one
partition, and the engine decodes ids in parallel anyway); the small per-date status tables are cached
on the engine. Either way the statistics read the same columns and give the same results.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis.expr.types.relations import CachedTable

from ..schema import KINDS as ENGAGEMENT_KINDS

UNKNOWN_KIND = 255
DEFAULT_PERFECT_HASH_BITS = 12  # DuckDB's perfect_ht_threshold
IN_MEMORY_ROWS = 5_000_000  # keyed engagements kept in memory up to this many (17 bytes a row: 85 MB)
RAW_COLUMNS = ("kind", "engager_id", "post_id", "target_author_id", "created_at")  # what the statistics read
_ATTACHED = itertools.count(1)


def kind_code(kind: str) -> int:
    """The code a kind of engagement has in the keyed table."""
    return ENGAGEMENT_KINDS.index(kind)


class KeyedTables:
    """The keyed engagements, the account id -> key map and statuses, each made on first use."""

    def __init__(self, backend: Any, raw: dict[str, ir.Table], engagements: int | None = None) -> None:
        self.backend = backend
        self.copied = backend.name == "duckdb"  # the fast path: a keyed copy in an attached DuckDB database
        self.raw = raw  # typed tables by name: engagements, and accounts / posts / status_checks when declared
        self.in_memory = engagements is not None and engagements <= IN_MEMORY_ROWS  # rows of the engagements
        self.catalog = f"sitegen_stats_{next(_ATTACHED)}"
        self._attached = False
        self._directory: Path | None = None  # of the database file, when not in memory
        self._tables: dict[str, ir.Table] = {}
        self._targeted: dict[tuple[str, ...], ir.Table] = {}
        self._largest_key: int | None = None

    def store(self, name: str, expr: ir.Table) -> ir.Table:
        """Materialize an expression as a table of the attached database (row order is never relied on);
        on other engines, cache it there."""
        if not self.copied:
            self._tables[name] = expr.cache()
            return self._tables[name]
        connection = self.backend.con  # the DuckDB connection under Ibis
        if not self._attached:
            if not self.in_memory:
                self._directory = Path(tempfile.mkdtemp(prefix="sitegen-stats-"))
            location = str(self._directory / "keyed.duckdb") if self._directory else ":memory:"
            connection.execute(f"ATTACH '{location}' AS {self.catalog}")
            self._attached = True
            weakref.finalize(self, _detach, connection, self.catalog, self._directory)
        connection.execute("SET preserve_insertion_order = false")
        try:
            sql = ibis.to_sql(expr, dialect="duckdb")
            connection.execute(f'CREATE OR REPLACE TABLE {self.catalog}.main."{name}" AS {sql}')
        finally:
            connection.execute("RESET preserve_insertion_order")
        self._tables[name] = self.backend.table(name, database=(self.catalog, "main"))
        return self._tables[name]

    def close(self) -> None:
        """Detach and delete the database file (or release cached tables) now rather than when collected."""
        if not self.copied:
            for table in self._tables.values():
                if isinstance(table, CachedTable):
                    table.release()
            self._tables.clear()
        if self._attached:
            _detach(self.backend.con, self.catalog, self._directory)
            self._attached, self._directory = False, None
            self._tables.clear()
        self._targeted.clear()

    @property
    def account_keys(self) -> ir.Table:
        """id -> key for every account, and for every engager or target the accounts table lacks."""
        self.build()
        return self._tables["account_keys"]

    @property
    def engagements(self) -> ir.Table:
        """kind (code), engager and target (keys), created_at."""
        self.build()
        return self._tables["engagements"]

    def build(self) -> None:
        """Make the keyed engagements, once."""
        if "engagements" in self._tables:
            return
        raw = self.raw["engagements"]
        accounts = self.raw.get("accounts")
        if not self.copied:
            ids = accounts.select(id=accounts.account_id) if accounts is not None else raw.select(id=raw.engager_id)
            self._tables["account_keys"] = ids.filter(ids.id.notnull()).mutate(key=ids.id)
            self._tables["engagements"] = raw.select(
                kind=kind_codes(raw), engager=raw.engager_id, target=raw.target_author_id, created_at=raw.created_at
            )
            return
        no_ids = raw.select(id=raw.engager_id).limit(0)
        account_ids = accounts.select(id=accounts.account_id) if accounts is not None else no_ids
        keys = self.store("account_keys", numbered(account_ids))
        engagements = self.store("engagements", keyed_engagements(raw, keys, self.author_keys(keys)))
        lacking = engagements.filter(engagements.engager.isnull() | engagements.target.isnull()).count()
        if self.backend.execute(lacking):
            # Ids that no accounts row names: give them keys too, then key again (one more pass).
            parties = raw.select(id=raw.engager_id).union(raw.select(id=raw.target_author_id))
            keys = self.store("account_keys", numbered(account_ids.union(parties, distinct=True)))
            self.store("engagements", keyed_engagements(raw, keys, keys))
        self._largest_key = self.backend.execute(keys.key.max())

    @contextlib.contextmanager
    def per_engager(self) -> Iterator[None]:
        """Around a query that groups engagements by engager: on DuckDB, group with a plain array indexed
        by key (a "perfect hash table") rather than by hashing.

        Keys run from 0 to about the number of accounts, so a count per engager is an array of that size:
        about four times faster over millions of engagements than a hash table, whose lookups miss the CPU
        cache. DuckDB does that only up to 2^12 groups unless told; here up to 2^24, and only for these
        queries (an array per thread for every aggregate of every small-keyed query would cost memory)."""
        self.build()
        bits = int(self._largest_key or 0).bit_length()
        if not self.copied or not DEFAULT_PERFECT_HASH_BITS < bits <= 24:
            yield
            return
        self.backend.con.execute(f"SET perfect_ht_threshold = {bits}")
        try:
            yield
        finally:
            self.backend.con.execute("RESET perfect_ht_threshold")

    def targeted(self, target_ids: list[str]) -> ir.Table:
        """The file's engagements of some targets' posts, string ids and post_id kept: for the kinds that need
        posts. Each such kind would otherwise scan the whole file (decoding post ids is what costs, however
        few rows the target filter keeps), so on DuckDB a target set's rows are copied once and shared."""
        raw = self.raw["engagements"]
        chosen = raw.filter(raw.target_author_id.isin(target_ids)).select(*RAW_COLUMNS)
        if not self.copied:
            return chosen
        name = f"targeted_{len(self._targeted)}"
        memo = tuple(target_ids)
        if memo not in self._targeted:
            self._targeted[memo] = self.store(name, chosen)
        return self._targeted[memo]

    def author_keys(self, keys: ir.Table) -> ir.Table:
        """The keys of post authors only: a small map, so keying the targets costs little."""
        posts = self.raw.get("posts")
        if posts is None:
            return keys
        return keys.filter(keys.id.isin(posts.select(id=posts.author_id).distinct().id))

    def status_checks(self) -> ir.Table:
        """The status checks keyed: account_key, status, checked_at (checks of ids no one engages with drop out)."""
        if "status_checks" not in self._tables:
            checks, keys = self.raw["status_checks"], self.account_keys
            if self.copied:
                keyed = checks.join(keys, checks.account_id == keys.id)
                self.store("status_checks", keyed.select(account_key="key", status="status", checked_at="checked_at"))
            else:  # keys are ids: the checks are keyed already
                self._tables["status_checks"] = checks.select(
                    account_key="account_id", status="status", checked_at="checked_at"
                )
        return self._tables["status_checks"]

    def statuses(self, as_of: dt.date) -> ir.Table:
        """account key -> status at the latest check on or before `as_of`."""
        name = f"status_{as_of:%Y%m%d}"
        if name not in self._tables:
            checks = self.status_checks()
            dated = checks.filter(checks.checked_at < next_day(as_of))
            latest = dated.group_by("account_key").aggregate(status=dated.status.argmax(dated.checked_at))
            self.store(name, latest)
        return self._tables[name]


def next_day(day: dt.date) -> ir.TimestampScalar:
    """Midnight at the end of `day`: a check at any time on that day counts as of it."""
    return ibis.timestamp(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))


def _detach(connection: Any, catalog: str, directory: Path | None) -> None:
    try:
        connection.execute(f"DETACH {catalog}")
    except Exception:  # noqa: BLE001, S110 - the connection may already be closed; the files go either way
        pass
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


def numbered(ids: ir.Table) -> ir.Table:
    """Each id with a key (a 32-bit row number; the order is arbitrary and never shows in results)."""
    return ids.filter(ids.id.notnull()).mutate(key=ibis.row_number().cast("int32"))


def keyed_engagements(raw: ir.Table, keys: ir.Table, target_keys: ir.Table) -> ir.Table:
    """The engagements with their account ids replaced by keys."""
    engagers = keys.select(engager_id="id", engager="key")
    targets = target_keys.select(target_author_id="id", target="key")
    joined = (
        raw.select("engager_id", "target_author_id", "created_at", kind=kind_codes(raw))
        .left_join(engagers, "engager_id")
        .left_join(targets, "target_author_id")
    )
    return joined.select("kind", "engager", "target", "created_at")


def kind_codes(raw: ir.Table) -> ir.IntegerColumn:
    """The kind of each engagement as its code (see `kind_code`)."""
    code = ibis.cases(*((raw.kind == k, i) for i, k in enumerate(ENGAGEMENT_KINDS)), else_=UNKNOWN_KIND)
    return code.cast("uint8")
