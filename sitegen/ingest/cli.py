"""The `sitegen ingest` commands: parse arguments, call the ingest library, print a summary."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import ErrorList, SitegenError
from ..validate import DEFAULT_CAP, error_dict
from . import (
    IngestResult,
    cell_limit,
    data_dir_for,
    ingest_io_archive,
    ingest_lookup,
    ingest_table,
    ingest_twarc2,
    parse_map,
)

app = typer.Typer(
    help="Read raw data (twarc2 output, status lookups, an IO archive, plain tables) into the project's tables.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Files = Annotated[list[Path], typer.Argument(help="input files", metavar="FILE", show_default=False)]


@dataclass(frozen=True)
class Shared:
    """The options every ingest command takes after its own, with their defaults."""

    project: Annotated[Path, typer.Option("--project", "-p", help="the project directory", file_okay=False)] = Path(".")
    as_json: Annotated[bool, typer.Option("--json", help="print the result (or the errors) as JSON")] = False
    max_errors: Annotated[int, typer.Option("--max-errors", min=1, help="errors to list before '+N more'")] = (
        DEFAULT_CAP
    )
    max_cell_bytes: Annotated[
        int | None,
        typer.Option(
            "--max-cell-bytes",
            min=1,
            help="reject cells longer than this (default: [limits] ingest_cell_bytes, 1 MiB); lines may hold 64 cells",
        ),
    ] = None
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False

    @property
    def limits(self) -> dict[str, Any]:
        """The keyword arguments every ingest library call takes from these options."""
        return {
            "root": self.project,
            "cap": self.max_errors,
            "max_cell_bytes": cell_limit(self.project, self.max_cell_bytes),
        }


Ingester = Callable[..., IngestResult]  # (data_dir, shared, *its own parameters) -> the result


def command(name: str) -> Callable[[Ingester], Ingester]:
    """Register an ingester as `sitegen ingest NAME`, taking its own parameters and then the Shared options."""

    def register(ingest: Ingester) -> Ingester:
        own = list(inspect.signature(ingest, eval_str=True).parameters.values())[2:]  # after data_dir, shared
        hints = inspect.get_annotations(Shared, eval_str=True)
        shared = [
            inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name])
            for f in fields(Shared)
        ]

        def run(**values: Any) -> None:
            options = Shared(**{f.name: values.pop(f.name) for f in fields(Shared)})
            _run(lambda data_dir: ingest(data_dir, options, **values), options)

        run.__signature__ = inspect.Signature(own + shared)  # type: ignore[attr-defined]
        run.__doc__ = ingest.__doc__
        app.command(name)(run)
        return ingest

    return register


def _run(call: Callable[[Path], IngestResult], shared: Shared) -> None:
    """Run an ingest; print its summary, or its located errors and exit 1 (2 for a bug)."""
    as_json, debug = shared.as_json, shared.debug
    try:
        result = call(data_dir_for(shared.project))
    except OSError as exc:  # the disk, not the data: full, read-only, no permission
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"error: {where}{exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    except SitegenError as exc:
        if debug:
            raise
        errors = exc.errors if isinstance(exc, ErrorList) else [exc]
        total = exc.total if isinstance(exc, ErrorList) else 1
        if as_json:
            typer.echo(
                json.dumps({"ok": False, "total_errors": total, "errors": [error_dict(e) for e in errors]}, indent=2)
            )
        for error in errors:
            typer.echo(f"error: {error.located()}", err=True)
        if total > len(errors):
            typer.echo(f"error: +{total - len(errors)} more", err=True)
        raise typer.Exit(1) from None
    except Exception as exc:  # noqa: BLE001 - a bug: say so briefly, traceback only with --debug
        if debug:
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        for line in result.summary_lines():
            typer.echo(line)


@command("twarc2")
def twarc2_command(data_dir: Path, shared: Shared, files: Files) -> IngestResult:
    """Ingest twarc2 JSON Lines: API response pages or flattened tweets.

    Tweets become posts, retweets/quotes/replies engagements, users accounts.

    Example: sitegen ingest twarc2 collected/timelines.jsonl
    """
    return ingest_twarc2(data_dir, files, **shared.limits)


@command("lookup")
def lookup_command(
    data_dir: Path,
    shared: Shared,
    files: Files,
    checked_at: Annotated[
        str | None,
        typer.Option(
            "--checked-at",
            help="the check date, for twarc2 lookups (instead of retrieved_at) and CSV rows without checked_at",
        ),
    ] = None,
) -> IngestResult:
    """Ingest account-status lookups: twarc2 user-lookup output, or CSV account_id,status[,checked_at].

    Returned users are active; "User has been suspended" errors suspended; "Could not find user" deleted.

    Example: sitegen ingest lookup lookups/retweeters.jsonl --checked-at 2021-03-01
    """
    return ingest_lookup(data_dir, files, checked_at=checked_at, **shared.limits)


@command("io-archive")
def io_archive_command(
    data_dir: Path,
    shared: Shared,
    files: Files,
    network: Annotated[str | None, typer.Option("--network", help="name the archive's accounts' network")] = None,
) -> IngestResult:
    """Ingest a Twitter information-operations archive: TWEETS.csv [USERS.csv] (told apart by header).

    Example: sitegen ingest io-archive china_tweets.csv china_users.csv --network china_052020
    """
    return ingest_io_archive(data_dir, files, network=network, **shared.limits)


@command("table")
def table_command(
    data_dir: Path,
    shared: Shared,
    files: Files,
    table: Annotated[str, typer.Option("--as", help="accounts, posts or engagements", show_default=False)],
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="COLUMN=FIELD renames a column; COLUMN= drops it")
    ] = None,
) -> IngestResult:
    """Ingest plain CSV, JSONL or Parquet that already holds accounts, posts or engagements.

    Example: sitegen ingest table roles.csv --as accounts --map screen_name=handle
    """
    return ingest_table(data_dir, files, table, mapping=parse_map(mapping or []), **shared.limits)
