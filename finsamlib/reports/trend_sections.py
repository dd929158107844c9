"""Report sections "Utveckling över tid": the key figures of every year up to the report's.

An association report shows one year; :func:`trend_section` adds a table per year with the
ended participants, the share with work and/or studies after, the change in public support and
the money for society (:func:`finsamlib.trends.yearly_trend`), for the association and its
county, and a chart of the share to work and/or studies. :func:`county_trend_section` gives the
county overview the same per association.

Every table is protected with the run's one suppression pattern. Its cells are those of the
one-year tables of each year (the outcome table's ended registrations and work and/or studies,
the association's money) and those :func:`finsamlib.reports.cells.add_trend_cells` adds (public
support, a county's supply total and money), so a figure hidden in one year's report is hidden
here too, and the years link exactly as the flows do.
"""

from __future__ import annotations

import pandas as pd

from .. import narrative as nr
from .. import outcomes, privacy, trends
from . import cells
from .sections import ReportData, _join

#: The published columns: indicator column of :func:`finsamlib.trends.yearly_trend` → heading.
TREND_COLUMNS: dict[str, str] = {
    "ended": "Avslutade",
    "share_work_or_studies": "Arbete och/eller studier efter",
    "share_public_before": "Offentlig försörjning före",
    "share_public_after": "Offentlig försörjning efter",
    "public_change_pp": "Förändring (procentenheter)",
    "revenue_society": "Samhällets intäkt per år",
    "result_society": "Samhällets resultat 1 år",
}
_C = TREND_COLUMNS
TREND_SOURCE_NOTE = (
    "belopp: egen beräkning med standardkostnader (antaganden, "
    "data/raw/assumptions/standard_costs.csv)"
)


def _require_pattern(data: ReportData) -> None:
    if data.pattern is None:
        raise ValueError(
            "the over-time tables are published only with the run's disclosure pattern "
            "(sections.load gives one)"
        )


def trend_frame(data: ReportData) -> pd.DataFrame | None:
    """The figures of every year up to the report's, for the county's associations and the
    county (:func:`finsamlib.trends.yearly_trend`); None without participant rows."""
    rows = data.participants_of_county()
    if rows is None or rows.empty:
        return None
    years = [y for y in cells.report_years(data.participants) if y <= data.year]
    costs = (
        data.inputs.load("assumptions/standard_costs")
        if data.inputs.has("assumptions/standard_costs")
        else None
    )
    return trends.yearly_trend(rows, years, registry=data.registry, standard_costs=costs)


def trend_years(frame: pd.DataFrame, areas: list[str]) -> list[int]:
    """The years from the first in which someone in ``areas`` ended, up to the last in the
    frame (a year in between with no one ended stays, with zero)."""
    sub = frame.loc[frame.index.get_level_values("area").isin(areas)]
    years = sorted(set(sub.index.get_level_values("year")))
    with_ended = [y for y in years if sub.xs(y, level="year")["ended"].sum() > 0]
    return [y for y in years if with_ended and y >= with_ended[0]]


def trend_table(data: ReportData, frame: pd.DataFrame, area: str, years: list[int]) -> pd.DataFrame:
    """One area's figures per year (rows: years), protected with the run's pattern.

    Money is shown only where the run's model has it (an association with at least
    :data:`~finsamlib.reports.cells.MIN_ECONOMICS_COHORT` ended that year, a county whose every
    association has); elsewhere it is missing ("–")."""
    _require_pattern(data)
    t = frame.xs(area, level="area").reindex(years)[list(TREND_COLUMNS)]
    t = t.rename(columns=TREND_COLUMNS)
    t.index = pd.Index([int(y) for y in years], name="År")
    keys: dict[tuple, list[tuple]] = {}
    for y in years:

        def out(name: str, year: int = y) -> tuple:
            return cells.outcome_key(area, outcomes.TOTAL, year, name)

        ended, wos = out("ended_registrations"), out("work_or_studies_count")
        total = cells.supply_total_key(area, y)
        before = cells.public_support_key(area, y, "before")
        after = cells.public_support_key(area, y, "after")
        money = cells.money_key(area, y, "society")
        wanted = {
            _C["ended"]: [ended],
            _C["share_work_or_studies"]: [wos, ended],
            _C["share_public_before"]: [before, total],
            _C["share_public_after"]: [after, total],
            _C["public_change_pp"]: [before, after, total],
            _C["revenue_society"]: [money],
            _C["result_society"]: [money, ended],
        }
        for column, ks in wanted.items():
            if pd.isna(t.at[y, column]):
                continue
            if column in (_C["revenue_society"], _C["result_society"]) and money not in (
                data.pattern or ()
            ):
                t.at[y, column] = float("nan")  # below the cohort for money figures
                continue
            keys[(y, column)] = ks
    return privacy.apply_pattern(t, data.pattern, keys, counts=[(y, _C["ended"]) for y in years])


FORMATTERS = {
    _C["ended"]: nr.fmt_count,
    _C["share_work_or_studies"]: nr.fmt_share(),
    _C["share_public_before"]: nr.fmt_share(),
    _C["share_public_after"]: nr.fmt_share(),
    _C["public_change_pp"]: nr.fmt_number(1),
    _C["revenue_society"]: nr.fmt_mkr(1),
    _C["result_society"]: nr.fmt_mkr(1),
}


def _explanation(data: ReportData) -> nr.Html:
    return nr.paragraph(
        f"Nyckeltal för varje år fram till {data.year}, för deltagare som avslutade en insats "
        "det året: antal avslutade, andelen med arbete och/eller studier efter insatsen (som i "
        "SUS-utfallstabellen), andelen vars huvudsakliga försörjning var offentlig "
        "(från kommunen, Försäkringskassan eller via Arbetsförmedlingen/a-kassa) före och "
        "efter insatsen bland dem med registrerad försörjning båda gångerna, och "
        "förändringen i procentenheter. Samhällets intäkt per år och resultat efter ett år "
        "räknas som i avsnittet Samhällsekonomi och visas bara för år då minst "
        f"{cells.MIN_ECONOMICS_COHORT} deltagare avslutade (för länet: i varje förbund)."
    )


def _tables(data: ReportData, frame: pd.DataFrame, areas: list[str]) -> tuple[list, pd.DataFrame]:
    """The protected table of each area, and the shares to work and/or studies as published."""
    years = trend_years(frame, areas)
    parts, shares = [], {}
    for area in areas:
        table = trend_table(data, frame, area, years)
        shares[area] = table[_C["share_work_or_studies"]]
        parts.append(
            nr.table(
                table,
                caption=f"Utveckling över tid, {area}",
                source=f"{data.sus_source}; {TREND_SOURCE_NOTE}",
                formatters=FORMATTERS,
            )
        )
    return parts, pd.DataFrame(shares, index=years)


def _chart(data: ReportData, shares: pd.DataFrame, title: str) -> nr.Html:
    from ..plots import trends as trend_plots

    chart = trend_plots.share_lines(
        shares,
        title=title,
        source="SUS, egen bearbetning",
        note="Ett dolt värde lämnar en lucka i linjen.",
    )
    return nr.figure(chart, alt="Andel avslutade med arbete och/eller studier efter, per år")


def trend_section(data: ReportData) -> nr.Html:
    """Utveckling över tid in an association report: the association, and its county beside
    it (unless the association is the whole county, or the county's data are incomplete)."""
    _require_pattern(data)
    frame = trend_frame(data)
    a = data.association
    if frame is None or a not in frame.index.get_level_values("area"):
        return nr.notice("Det finns inga deltagaruppgifter för förbundet.")
    areas = [str(a)]
    county_shown = data.county in frame.index.get_level_values("area")
    if county_shown and data.associations != [a]:
        areas.append(data.county)
    parts, shares = _tables(data, frame, areas)
    notes = []
    if data.associations == [a]:
        notes.append(f"Förbundet omfattar hela {data.county}, så länet visas inte separat.")
    elif not county_shown:
        notes.append(
            f"{data.county} visas inte: deltagaruppgifter saknas för "
            + ", ".join(data.associations_without_participants())
            + "."
        )
    out = [_explanation(data), *parts]
    if notes:
        out.append(nr.paragraph(" ".join(notes)))
    out.append(
        _chart(data, shares, f"Andel avslutade med arbete och/eller studier efter insats, {a}")
    )
    return _join(out)


def county_trend_section(data: ReportData) -> nr.Html:
    """Utveckling över tid in the county overview: each association's table and the county's
    (when every association has data), and the shares to work and/or studies in one chart."""
    _require_pattern(data)
    frame = trend_frame(data)
    if frame is None:
        return nr.notice("Det finns inga deltagaruppgifter.")
    present = set(frame.index.get_level_values("area"))
    areas = [a for a in data.associations if a in present]
    if data.county in present and len(data.associations) > 1:  # else the county is one
        areas.append(data.county)
    parts, shares = _tables(data, frame, areas)
    out = [_explanation(data), *parts]
    missing = data.associations_without_participants()
    if missing:
        out.append(
            nr.paragraph(
                f"{data.county} visas inte som helhet: deltagaruppgifter saknas för "
                + ", ".join(missing)
                + "."
            )
        )
    out.append(
        _chart(data, shares, "Andel avslutade med arbete och/eller studier efter insats per år")
    )
    return _join(out)
