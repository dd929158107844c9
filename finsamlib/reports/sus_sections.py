"""Association report sections that match SUS's "Standardrapport deltagare".

SUS's standard report shows, per förbund and insats, sysselsättning before and after, who
started or increased work or studies, and time in insats; these sections add them to the
association report, for the registrations that ended in the report's year:

- :func:`employment_section`: sysselsättning before and after (:mod:`finsamlib.employment`)
  and the ways to start or increase work or studies;
- :func:`time_in_insats_section`: time in insats per band (:mod:`finsamlib.duration`);
- :func:`insats_section`: the key outcome figures per insats.

Every table is protected with the run's one suppression pattern (its cells are in
:func:`finsamlib.reports.cells.add_parity_cells`); a builder refuses to publish without one.
"""

from __future__ import annotations

import pandas as pd

from .. import duration, employment, outcomes, privacy
from .. import narrative as nr
from . import cells
from .sections import TOTAL_LABEL, ReportData, _join

COUNT_BEFORE, SHARE_BEFORE = "Antal före", "Andel före"
COUNT_AFTER, SHARE_AFTER = "Antal efter", "Andel efter"
COUNT, SHARE = "Antal", "Andel"
INSATS_COLUMNS = {
    "ended": "Avslutade",
    "work_or_studies_after": "Arbete och/eller studier efter",
    "share_work_or_studies_after": "Andel arbete och/eller studier",
    "gained": "Började eller ökade",
    "share_gained": "Andel började eller ökade",
}


def _require_pattern(data: ReportData) -> tuple[str, int]:
    if data.pattern is None or data.association is None:
        raise ValueError(
            "the SUS parity tables are published only with the run's disclosure pattern "
            "(sections.load gives one) and for an association"
        )
    return data.association, data.year


def _ended(data: ReportData) -> pd.DataFrame | None:
    """The association's registrations that ended in the year (None when there are none)."""
    rows = data.participants_of()
    if rows is None or rows.empty:
        return None
    ended = outcomes.ended_in_year(rows, data.year)
    return None if ended.empty else rows


def _ended_key(a: str, y: int) -> tuple:
    return cells.outcome_key(a, outcomes.TOTAL, y, "ended_registrations")


def employment_table(data: ReportData) -> pd.DataFrame | None:
    """Sysselsättning before and after of the association's ended registrations: one row per
    status and ``Samtliga``, count and share before and after, protected (None: no one ended)."""
    a, y = _require_pattern(data)
    rows = _ended(data)
    if rows is None:
        return None
    ind = employment.employment_before_after(rows, y)
    t = pd.DataFrame(
        {
            COUNT_BEFORE: ind["count_before"].to_numpy(),
            SHARE_BEFORE: ind["share_before"].to_numpy(),
            COUNT_AFTER: ind["count_after"].to_numpy(),
            SHARE_AFTER: ind["share_after"].to_numpy(),
        },
        index=pd.Index(ind["label"].to_list(), name="Sysselsättning"),
    )
    n = int(ind["n"].iloc[0])
    t.loc[TOTAL_LABEL] = [n, 1.0, n, 1.0]
    ended = _ended_key(a, y)
    keys: dict[tuple, list[tuple]] = {}
    for status, label in zip(ind["status"], ind["label"], strict=True):
        before = cells.employment_key(a, y, "before", status)
        after = cells.employment_key(a, y, "after", status)
        keys[(label, COUNT_BEFORE)] = [before]
        keys[(label, SHARE_BEFORE)] = [before, ended]
        keys[(label, COUNT_AFTER)] = [after]
        keys[(label, SHARE_AFTER)] = [after, ended]
    for col in t.columns:
        keys[(TOTAL_LABEL, col)] = [ended]
    counts = [cell for cell in keys if cell[1] in (COUNT_BEFORE, COUNT_AFTER)]
    return privacy.apply_pattern(t, data.pattern, keys, counts=counts)


def _count_share_table(
    data: ReportData,
    ind: pd.DataFrame,
    category: str,
    key_of,
    name: str,
    *,
    total: bool,
) -> pd.DataFrame:
    """A protected table of counts and shares of the ended, one row per ``category`` of ``ind``
    (with ``label``, ``count``, ``share`` and ``n``), and ``Samtliga`` when the rows add up."""
    a, y = str(data.association), data.year
    t = pd.DataFrame(
        {COUNT: ind["count"].to_numpy(), SHARE: ind["share"].to_numpy()},
        index=pd.Index(ind["label"].to_list(), name=name),
    )
    ended = _ended_key(a, y)
    keys: dict[tuple, list[tuple]] = {}
    for code, label in zip(ind[category], ind["label"], strict=True):
        keys[(label, COUNT)] = [key_of(a, y, code)]
        keys[(label, SHARE)] = [key_of(a, y, code), ended]
    if total:
        t.loc[TOTAL_LABEL] = [int(ind["n"].iloc[0]), 1.0]
        keys[(TOTAL_LABEL, COUNT)] = keys[(TOTAL_LABEL, SHARE)] = [ended]
    counts = [cell for cell in keys if cell[1] == COUNT]
    return privacy.apply_pattern(t, data.pattern, keys, counts=counts)


def gains_table(data: ReportData) -> pd.DataFrame | None:
    """How many of the association's ended registrations started or increased work or studies,
    count and share of the ended, protected (None: no one ended). The rows overlap, so there is
    no total."""
    return _ended_table(data, employment.gains, "gain", cells.gain_key, "Arbete och studier")


def duration_table(data: ReportData) -> pd.DataFrame | None:
    """The association's ended registrations per band of time in insats, with ``Samtliga``,
    protected (None: no one ended)."""
    return _ended_table(data, duration.time_in_insats, "band", cells.duration_key, "Tid i insats")


def _ended_table(data: ReportData, indicator, category: str, key_of, name: str):
    """:func:`_count_share_table` of ``indicator(rows, year)`` for the association's rows;
    ``Samtliga`` when the categories add up to the ended (time in insats)."""
    _a, y = _require_pattern(data)
    rows = _ended(data)
    if rows is None:
        return None
    ind = indicator(rows, y)
    total = indicator is duration.time_in_insats
    return _count_share_table(data, ind, category, key_of, name, total=total)


def insats_table(data: ReportData) -> pd.DataFrame | None:
    """Per insats: ended registrations, with work and/or studies after, and who started or
    increased them, with shares and a ``Samtliga`` row, protected (None: no one ended)."""
    a, y = _require_pattern(data)
    rows = _ended(data)
    if rows is None:
        return None
    ind = employment.insats_summary(rows, y)
    t = ind[list(INSATS_COLUMNS)].rename(columns=INSATS_COLUMNS)
    t.index = pd.Index([str(i) for i in t.index], name="Insats")
    n, wos, gained = (int(ind[c].sum()) for c in ("ended", "work_or_studies_after", "gained"))
    t.loc[TOTAL_LABEL] = [n, wos, wos / n, gained, gained / n]  # insats_id is never missing
    keys: dict[tuple, list[tuple]] = {}
    names = {"ended": "ended", "work_or_studies_after": "work_or_studies", "gained": "gained"}
    shares = {"share_work_or_studies_after": "work_or_studies", "share_gained": "gained"}
    for insats in t.index:
        if insats == TOTAL_LABEL:  # the association's cells of the outcome table
            k = {
                name: cells.outcome_key(a, outcomes.TOTAL, y, row)
                for name, row in cells.INSATS_FIGURES.items()
            }
        else:
            k = {name: cells.insats_key(a, y, insats, name) for name in cells.INSATS_FIGURES}
        for col, name in names.items():
            keys[(insats, INSATS_COLUMNS[col])] = [k[name]]
        for col, name in shares.items():
            keys[(insats, INSATS_COLUMNS[col])] = [k[name], k["ended"]]
    counts = [cell for cell in keys if not cell[1].startswith("Andel")]
    return privacy.apply_pattern(t, data.pattern, keys, counts=counts)


def _no_one(data: ReportData) -> nr.Html:
    return nr.notice(f"Inga deltagare avslutade en insats {data.year}.")


def employment_section(data: ReportData) -> nr.Html:
    """Sysselsättning före och efter: status before and after, and who started or increased
    work or studies."""
    table = employment_table(data)
    gains = gains_table(data)
    if table is None or gains is None:
        return _no_one(data)
    counts = {COUNT_BEFORE: nr.fmt_count, COUNT_AFTER: nr.fmt_count, COUNT: nr.fmt_count}
    shares = {SHARE_BEFORE: nr.fmt_share(), SHARE_AFTER: nr.fmt_share(), SHARE: nr.fmt_share()}
    texts = (
        f"Sysselsättning före och efter insatsen för deltagare som avslutade en insats "
        f"{data.year}, som i SUS standardrapport. Uppgiften räknas fram ur registrerad "
        "omfattning av arbete och studier och ur huvudsaklig försörjning: förvärvsarbete "
        "om arbetet är mer än 0 procent av heltid, annars studier om studierna är det, "
        "annars aktivt arbetssökande om försörjningen kräver inskrivning på "
        "Arbetsförmedlingen (aktivitetsstöd, etableringsersättning eller "
        "arbetslöshetsersättning), och annars övriga. Varje registrering har en "
        "sysselsättning före och en efter.",
        "Hur många som började eller ökade arbete eller studier: en deltagare kan räknas "
        "på flera rader (till exempel både börja arbeta och öka sina studier), så raderna "
        "summeras inte. Den sista raden är densamma som i SUS-utfallstabellen.",
    )
    captions = ("Sysselsättning före och efter insats", "Började eller ökade arbete eller studier")
    parts = []
    for text, t, caption in zip(texts, (table, gains), captions, strict=True):
        parts.append(nr.paragraph(text))
        parts.append(
            nr.table(
                t,
                caption=f"{caption}, {data.association} {data.year}",
                source=data.sus_source,
                formatters={**counts, **shares},
            )
        )
    return _join(parts)


def time_in_insats_section(data: ReportData) -> nr.Html:
    """Tid i insats: the ended registrations per band of time from start to end."""
    table = duration_table(data)
    if table is None:
        return _no_one(data)
    return nr.paragraph(
        "Tid från start till avslut för deltagare som avslutade en insats "
        f"{data.year}. En månad räknas som en tolftedel av 365 dagar."
    ) + nr.table(
        table,
        caption=f"Tid i insats, {data.association} {data.year}",
        source=data.sus_source,
        formatters={COUNT: nr.fmt_count, SHARE: nr.fmt_share()},
    )


def insats_section(data: ReportData) -> nr.Html:
    """Resultat per insats: ended, with work and/or studies after, and who started or
    increased them, per insats."""
    table = insats_table(data)
    if table is None:
        return _no_one(data)
    formatters = {
        c: nr.fmt_share() if c.startswith("Andel") else nr.fmt_count for c in table.columns
    }
    return nr.paragraph(
        f"Deltagare som avslutade en insats {data.year}, per insats: hur många som hade "
        "arbete och/eller studier efter insatsen och hur många som började eller ökade "
        "arbete eller studier. Raden Samtliga är förbundets siffror i SUS-utfallstabellen."
    ) + nr.table(
        table,
        caption=f"Resultat per insats, {data.association} {data.year}",
        source=data.sus_source,
        formatters=formatters,
    )
