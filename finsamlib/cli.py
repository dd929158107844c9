"""The ``finsam`` command line.

``finsam reports`` renders one HTML report per association and one overview per county from
the parameterised notebooks; see ``finsam reports --help``. ``finsam init`` makes a data folder
for it from the user's own exports; see ``finsam init --help``.
"""

from __future__ import annotations

import logging
import shlex
import signal
import sys

import click

from . import __version__
from .privacy import DEFAULT_THRESHOLD, MIN_THRESHOLD


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
    help="Counts from 1 up to this are suppressed (4 shows '<5'); below 3 only with "
    "--allow-small-threshold.",
)
@click.option(
    "--allow-small-threshold",
    is_flag=True,
    help="Accept a --threshold below 3 (the reports then say in their banner that they do not "
    "protect individuals enough).",
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
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print each page to an A4 PDF beside it, with the system's headless chromium.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Render every page, even those whose inputs did not change since the last run.",
)
@click.option(
    "-p",
    "--param",
    "param",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="A parameter of the report notebooks (repeatable); see --list-params.",
)
@click.option(
    "--params",
    "params_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A YAML file of notebook parameters (name: value); -p overrides it.",
)
@click.option(
    "--list-params",
    is_flag=True,
    help="Print the report notebooks' parameters with type and default, and exit.",
)
@click.pass_context
def reports(
    ctx: click.Context,
    county: str | None,
    association: str | None,
    year: int | None,
    data_dir: str | None,
    out: str,
    workers: int | None,
    threshold: int,
    allow_small_threshold: bool,
    executor: str,
    scheduler: str | None,
    progress: bool | None,
    pdf: bool,
    force: bool,
    param: tuple[tuple[str, str], ...],
    params_files: tuple[str, ...],
    list_params: bool,
) -> None:
    """Render the HTML reports: one per association, one overview per county, and an index.

    With no options: every association and county of the embedded data, for the latest year
    with data. Exit status: 0 when every report was written; 1 if any report failed (the
    others are still written, the failed notebooks kept under OUT/_failed/, and a page an
    earlier run left for a failed report removed) or the data folder is refused; 2 for a bad
    option or an OUT that cannot be created or written or has too little free space (checked
    before any report runs); 130 on Ctrl-C and 143 on SIGTERM (every process of the run ends;
    pages already written are kept). With --pdf, every page written also gets a PDF beside it
    (report.html -> report.pdf); a page whose PDF fails gets one line and exit status 1, the other
    pages still get theirs.

    A re-run skips the pages whose notebook, parameters, finsamlib and input files did not change
    (a record of each page is kept under OUT/_cache/); --force renders them all. Notebook
    parameters (-p NAME VALUE, --params FILE) are checked before any report runs: an unknown
    name, a wrong type or a value out of range exits with status 2.
    """
    from .errors import FinsamDataError
    from .reports.outfolder import OutputFolderError
    from .reports.pool import Interrupted, sigterm_interrupts
    from .reports.runner import render_reports

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    if list_params:
        from .reports import params

        click.echo(params.list_text(_report_notebooks()))
        return
    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS")
    try:
        extra, year, threshold = _notebook_parameters(ctx, param, params_files, year, threshold)
    except ValueError as exc:
        click.echo(f"finsam reports: {exc}", err=True)
        sys.exit(2)
    # after -p/--params: `-p threshold 1` needs --allow-small-threshold as well
    if threshold < MIN_THRESHOLD and not allow_small_threshold:
        raise click.BadParameter(
            f"{threshold} is below {MIN_THRESHOLD}: the mark itself would nearly give the count "
            "away; add --allow-small-threshold to accept it",
            param_hint="'--threshold'",
        )
    try:
        with sigterm_interrupts():
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
                force=force,
                extra=extra,
            )
    except KeyError as exc:
        raise click.UsageError(str(exc.args[0]) if exc.args else str(exc)) from exc
    except FinsamDataError as exc:
        click.echo(f"finsam reports: nothing rendered; fix the data folder.\n{exc}", err=True)
        sys.exit(1)
    except (OutputFolderError, FileNotFoundError) as exc:
        click.echo(f"finsam reports: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        click.echo(
            f"finsam reports: stopped by {signal.Signals(signum).name}; "
            f"pages finished before it are kept in {out}",
            err=True,
        )
        sys.exit(128 + signum)
    click.echo(summary.text(), err=not summary.ok)
    pdf_ok = True
    if pdf:
        from .reports.pdf import print_pages

        # a skipped page keeps its PDF; one without (an earlier run without --pdf) gets one
        unprinted = [p for p in summary.skipped if not p.with_suffix(".pdf").is_file()]
        pages = [
            *summary.written,
            *unprinted,
            *([summary.index] if summary.index is not None else []),
        ]
        printed = print_pages(pages)
        click.echo(printed.text(), err=not printed.ok)
        pdf_ok = printed.ok
    if summary.index is not None:
        click.echo(f"index: {summary.index.resolve()}")
    sys.exit(0 if summary.ok and pdf_ok else 1)


def _report_notebooks() -> list[str]:
    from .reports import runner

    return [
        str(runner.NOTEBOOK_DIR / runner.ASSOCIATION_NOTEBOOK),
        str(runner.NOTEBOOK_DIR / runner.COUNTY_NOTEBOOK),
    ]


def _notebook_parameters(
    ctx: click.Context,
    pairs: tuple[tuple[str, str], ...],
    files: tuple[str, ...],
    year: int | None,
    threshold: int,
) -> tuple[dict[str, dict[str, object]], int | None, int]:
    """The checked notebook parameters of ``-p`` and ``--params`` (ParameterError, a
    ValueError, for a bad one), with ``year`` and ``threshold`` taken out of them into the
    options of the same name (both given with different values is an error)."""
    from .reports import params

    given = params.combined(pairs, files)
    if not given:
        return {}, year, threshold
    checked = params.validate(given, _report_notebooks())
    values: dict[str, object] = {}
    for per_notebook in checked.values():
        values.update(per_notebook)
    for name in params.OPTIONS:
        if name not in values:
            continue
        option = {"year": year, "threshold": threshold}[name]
        explicit = ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
        if explicit and option is not None and option != values[name]:
            raise params.ParameterError(
                f"parameter {name} is {values[name]!r} but --{name} is {option!r}; give one"
            )
        for per_notebook in checked.values():
            per_notebook.pop(name, None)
        if name == "year":
            year = int(values[name])  # type: ignore[call-overload]
        else:
            threshold = int(values[name])  # type: ignore[call-overload]
    return checked, year, threshold


def _file_option(name: str, table: str, many: bool, what: str):
    """An option naming an existing input file (repeatable when ``many``)."""
    return click.option(
        name,
        table,
        multiple=many,
        type=click.Path(exists=True, dir_okay=False),
        help=what,
    )


@main.command()
@click.argument("data_dir", metavar="DIR", type=click.Path(file_okay=True))
@_file_option(
    "--participants",
    "participants",
    True,
    "A participant export (SUS-like, CSV or XLSX); repeat for several files.",
)
@_file_option("--portfolio", "portfolio", True, "An insats portfolio; repeat for several.")
@_file_option("--insats-budget", "insats_budget", False, "Budget and outcome per insats and year.")
@_file_option("--accounts", "accounts", False, "Annual accounts lines per association and year.")
@_file_option(
    "--population",
    "population",
    False,
    "Population per kommun, year and age band (replaces the embedded one).",
)
@_file_option(
    "--target-group-sources",
    "target_group_sources",
    False,
    "Counts of the target-group population groups (replaces the embedded one).",
)
@_file_option(
    "--support-measure",
    "support_measure",
    False,
    "SCB's försörjningsmått for Finsam per kommun (XLSX; replaces the synthetic sample).",
)
@_file_option(
    "--registry",
    "registry",
    False,
    "Associations, counties and member kommuner (replaces the embedded registry).",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    help='Header mapping for the participant exports: JSON {"Deltagarnummer": "person_id"} '
    "or a two-column CSV (heading row, then: export header; canonical column).",
)
@click.option(
    "--sheet",
    help="The sheet to read in XLSX files (default: the one sheet with the table's headers).",
)
@click.option(
    "--with-synthetic",
    is_flag=True,
    help="Also copy the embedded synthetic demonstration data (reports then carry its banner).",
)
def init(
    data_dir: str,
    participants: tuple[str, ...],
    portfolio: tuple[str, ...],
    insats_budget: str | None,
    accounts: str | None,
    population: str | None,
    target_group_sources: str | None,
    support_measure: str | None,
    registry: str | None,
    mapping: str | None,
    sheet: str | None,
    with_synthetic: bool,
) -> None:
    """Make the data folder DIR for `finsam reports --data-dir DIR` from your own exports.

    DIR gets the embedded registry, published tables, derived data, assumptions and audit rules
    with their MANIFEST.csv rows, and each of your files, copied unchanged under DIR/user/ with a
    row of provenance "user". Every file is checked by its loader first: on a problem the
    command prints it (file, line, column) and exits with status 1, writing nothing. DIR must
    be new or an empty folder.
    """
    from .errors import FinsamDataError
    from .reports.datafolder import init_data_folder

    files = {
        "participants": list(participants),
        "portfolio": list(portfolio),
        "insats_budget": [insats_budget] if insats_budget else [],
        "accounts": [accounts] if accounts else [],
        "population": [population] if population else [],
        "target_group_sources": [target_group_sources] if target_group_sources else [],
        "support_measure": [support_measure] if support_measure else [],
    }
    try:
        result = init_data_folder(
            data_dir,
            {t: f for t, f in files.items() if f},
            registry=registry,
            mapping=mapping,
            with_synthetic=with_synthetic,
            sheet=sheet,
        )
    except FinsamDataError as exc:
        click.echo(f"finsam init: nothing written; fix the file and run again.\n{exc}", err=True)
        sys.exit(1)
    except (FileExistsError, ValueError) as exc:
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"nothing written: {exc}") from exc
    click.echo(result.text())
    if not result.user:
        click.echo("No files of your own were given: the folder holds the embedded data only.")
    click.echo(f"Next: finsam reports --data-dir {shlex.quote(data_dir)}")


if __name__ == "__main__":  # pragma: no cover
    main()
