"""The ``finsam`` command line.

``finsam reports`` renders one HTML report per association and one overview per county from
the parameterised notebooks; see ``finsam reports --help``.
"""

from __future__ import annotations

import logging
import sys

import click

from . import __version__
from .privacy import DEFAULT_THRESHOLD


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="finsam")
def main() -> None:
    """finsam: follow-up and reports for Swedish samordningsförbund (Finsam)."""


@main.command()
@click.option("--county", help="Only this county (name or slug, e.g. 'Jönköpings län').")
@click.option("--association", help="Only this association (name or slug).")
@click.option("--year", type=int, help="The year to report (default: the latest with data).")
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False),
    help="A data folder laid out like data/raw (default: the embedded data).",
)
@click.option(
    "--out",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the HTML reports go.",
)
@click.option(
    "--workers", type=click.IntRange(min=1), help="Worker processes (default: CPU count)."
)
@click.option(
    "--threshold",
    type=click.IntRange(min=0),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Counts from 1 up to this are suppressed (4 shows '<5').",
)
@click.option(
    "--executor",
    type=click.Choice(["process", "dask"]),
    default="process",
    show_default=True,
    help="Run in a local process pool, or on a dask.distributed cluster.",
)
@click.option("--scheduler", help="Address of the dask scheduler (with --executor dask).")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar (default: on a terminal, not in CI).",
)
def reports(
    county: str | None,
    association: str | None,
    year: int | None,
    data_dir: str | None,
    out: str,
    workers: int | None,
    threshold: int,
    executor: str,
    scheduler: str | None,
    progress: bool | None,
) -> None:
    """Render the HTML reports: one per association, one overview per county, and an index.

    With no options: every association and county of the embedded data, for the latest year
    with data. Exits non-zero if any report failed (the others are still written; the failed
    notebooks are kept under OUT/_failed/).
    """
    from .reports.runner import render_reports

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS")
    try:
        summary = render_reports(
            county=county,
            association=association,
            year=year,
            data_dir=data_dir,
            out=out,
            workers=workers,
            threshold=threshold,
            executor=executor,
            scheduler=scheduler,
            progress=progress,
        )
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0]) if exc.args else str(exc)) from exc
    click.echo(summary.text(), err=not summary.ok)
    if summary.index is not None:
        click.echo(f"index: {summary.index.resolve()}")
    sys.exit(0 if summary.ok else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
