"""The command line: parse arguments, call the library, turn SitegenError into one clean message."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from . import __version__
from .errors import SitegenError


class _Commands(TyperGroup):
    """The top-level commands; `ingest` (which imports pyarrow and DuckDB) is loaded only when asked for."""

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return [*super().list_commands(ctx), *(["ingest"] if "ingest" not in self.commands else [])]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> typer.core.TyperCommand | None:  # type: ignore[override]
        if cmd_name == "ingest" and "ingest" not in self.commands:
            from .ingest.cli import app as ingest_app

            holder = typer.Typer(add_completion=False, rich_markup_mode=None)  # as app.add_typer would mount it
            holder.add_typer(ingest_app, name="ingest")
            self.add_command(typer.main.get_group(holder).commands["ingest"], "ingest")
        return super().get_command(ctx, cmd_name)  # type: ignore[return-value]


app = typer.Typer(
    cls=_Commands,
    help="Build evidence-first explainer sites: every number computed, every finding checked.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

ProjectOption = Annotated[Path, typer.Option("--project", "-p", help="Project directory (holds sitegen.toml).")]
EngineOption = Annotated[
    Optional[str],
    typer.Option(
        "--engine", help="Query engine for the statistics: duckdb or pyspark (default: sitegen.toml [build])."
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sitegen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = None,
) -> None:
    """sitegen: static explainer sites for data investigations."""


def fail(exc: SitegenError, debug: bool) -> None:
    """Print a user error as one message (with the traceback only under --debug) and exit 1."""
    if debug:
        raise exc
    typer.echo(f"error: {exc.located()}", err=True)
    raise typer.Exit(1)


@app.command()
def build(
    project: ProjectOption = Path("."),
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output directory (default: site/).")] = None,
    base_url: Annotated[
        Optional[str], typer.Option("--base-url", help="Public URL or sub-path, e.g. /explainer/.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an output directory sitegen did not create.")] = False,
    engine: EngineOption = None,
    clean: Annotated[
        bool, typer.Option("--clean", help="Delete the project's cache (.sitegen/cache) and run every stage.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Build the site into site/.

    Example: sitegen build --project . --base-url /explainer/
    """
    from .build import build as run_build

    overrides = {"build.output": str(out.resolve()) if out else None, "site.base_url": base_url, "build.engine": engine}
    try:
        summary = run_build(project, overrides, strict=strict, force=force, clean=clean)
    except SitegenError as exc:
        fail(exc, debug)
        return
    except Exception as exc:  # noqa: BLE001 - a bug: say so briefly, traceback only with --debug
        if debug:
            raise
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        raise typer.Exit(2) from None
    for warning in summary.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if not quiet:
        for note in summary.notes:
            typer.echo(f"note: {note}", err=True)
        typer.echo(
            f"built {summary.pages} pages, {summary.charts} charts, {summary.statistics} statistics, "
            f"{summary.findings} findings checked into {summary.output_dir} in {summary.seconds:.1f}s"
            + ("" if summary.files else " (already up to date, nothing written)")
        )


@app.command()
def serve(
    project: ProjectOption = Path("."),
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0 picks a free one).")] = 8000,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the site in a browser.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Build, serve the site locally, rebuild on every change and reload the open pages.

    Example: sitegen serve --project . --port 8000 --open
    """
    from .serve import serve as run_serve

    def log(text: str, is_error: bool) -> None:
        typer.echo(text, err=is_error)

    try:
        run_serve(project, host=host, port=port, open_browser=open_browser, log=log)
    except SitegenError as exc:
        fail(exc, debug)


@app.command()
def new(
    directory: Annotated[Path, typer.Argument(help="Directory for the new project (new or empty).")],
    title: Annotated[Optional[str], typer.Option("--title", help="The site's title.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Start a new investigation project that builds at once, with example data to replace.

    Example: sitegen new my-investigation --title "Who amplified the minister?"
    """
    from .scaffold import new_project

    try:
        created = new_project(directory, title)
    except SitegenError as exc:
        fail(exc, debug)
        return
    typer.echo(f"created {len(created)} files in {directory}; next: sitegen serve --project {directory}")


@app.command()
def stats(
    project: ProjectOption = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON: values, definitions, inputs, tables.")] = False,
    kinds: Annotated[bool, typer.Option("--kinds", help="List the statistic kinds and their parameters.")] = False,
    engine: EngineOption = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Print every statistic with its value and definition.

    Example: sitegen stats --project . --json
    """
    import json

    from .commands_stats import compute_project_stats, kinds_text, stat_record, stats_text

    if kinds:
        typer.echo(kinds_text())
        return
    try:
        results, data = compute_project_stats(project, engine=engine)
    except SitegenError as exc:
        fail(exc, debug)
        return
    if as_json:
        typer.echo(json.dumps([stat_record(r, data) for r in results.values()], indent=1, ensure_ascii=False))
    else:
        typer.echo(stats_text(results))


@app.command()
def check(
    project: ProjectOption = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON (for CI).")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    engine: EngineOption = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Check config, content, data, statistics and findings without writing a site; exit 1 on any failure.

    Example: sitegen check --project . --json > check.json
    """
    import json

    from .commands_stats import check_project, check_text

    report = check_project(project, strict=strict, engine=engine)
    if debug:
        for stage in report.stages:
            for error in stage.errors:
                raise error
    typer.echo(json.dumps(report.as_dict(), indent=1, ensure_ascii=False) if as_json else check_text(report))
    if not report.ok:
        raise typer.Exit(1)
