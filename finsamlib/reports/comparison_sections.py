"""The county overview's fair comparison between associations (issue 14).

Shares to work and/or studies differ with who the participants are. :func:`comparison_section`
shows, per association, the observed number to work and/or studies against the number expected
from its participant mix (:func:`finsamlib.outcomes.adjusted_comparison`), the ratio with its
95 % interval, and a funnel plot (:func:`finsamlib.plots.funnel.funnel_chart`).

Protection. The ended registrations and those to work and/or studies per association are cells
the reports publish already (the outcome table's ``ended_registrations`` and
``work_or_studies_count``, the same numbers as the flows' ``ended`` and
``ended_to_work_or_studies``; :mod:`finsamlib.reports.cells`); every figure here is linked to
them (the model-based ones to the flows' keys too) and hidden with them by the run's pattern. Only
associations whose two counts are shown and that have at least :data:`MIN_ENDED_FOR_RATIO`
ended registrations are compared, and the model is fitted on exactly their registrations, so
that the overall share (the funnel's centre line) and the sum of the expected counts (equal to
the sum of the observed ones for a logistic model with an intercept) follow from published
cells and reveal nothing hidden.

The expected counts are not cells of the disclosure model: each is a sum of modelled
probabilities over at least :data:`MIN_ENDED_FOR_RATIO` registrations, from a model fitted on
every compared association's registrations whose coefficients are not published. Moving one
person from one combination of age, support years, education and support before to another
changes the expected count by the difference of two probabilities (well below 1), the report
prints it in whole numbers and the ratio to two decimals, so it cannot be turned back into a
count of persons; what it tells about an association's mix is already told, more exactly, by
the profile and outcome tables.
"""

from __future__ import annotations

import pandas as pd

from .. import narrative as nr
from .. import outcomes, privacy
from . import cells
from .sections import ReportData, _join

#: An association is compared (gets an expected count and a ratio) only with at least this many
#: ended registrations in the year. Below it the exact interval of the ratio spans more than a
#: factor two at the usual shares and says little; the same 30 as
#: :data:`finsamlib.reports.cells.MIN_ECONOMICS_COHORT`, the usual minimum for a group's share
#: to mean something.
MIN_ENDED_FOR_RATIO = 30
#: A comparison needs at least this many associations that qualify: with fewer, the average
#: they are compared against is mostly themselves.
MIN_ASSOCIATIONS = 3

ENDED = "Avslutade"
OBSERVED = "Till arbete/studier"
SHARE = "Andel"
EXPECTED = "Förväntat antal"
RATIO = "Kvot observerat/förväntat"
INTERVAL = "95 %-intervall"
ADJUSTED = "Justerad andel"
COLUMNS = (ENDED, OBSERVED, SHARE, EXPECTED, RATIO, INTERVAL, ADJUSTED)

#: The covariates in Swedish, for the method text (names of :data:`outcomes.COVARIATES`).
COVARIATE_LABELS = {
    "age_band": "ålder vid start",
    "support_years": "antal år med offentlig försörjning före insatsen",
    "education": "utbildning",
    "support_before": "försörjning före insatsen",
    "sex": "kön",
}


def _ended_keys(association: str, year: int) -> list[tuple]:
    """The outcome table's cell of the association's ended registrations (the same number as
    the flows' ``ended``, which the pattern hides with it)."""
    return [cells.outcome_key(association, outcomes.TOTAL, year, "ended_registrations")]


def _observed_keys(association: str, year: int) -> list[tuple]:
    """The outcome table's cell of those to work and/or studies (as the flows'
    ``ended_to_work_or_studies``)."""
    return [cells.outcome_key(association, outcomes.TOTAL, year, "work_or_studies_count")]


def _flow_keys(association: str, year: int) -> list[tuple]:
    return [
        cells.flow_key(association, year, "ended"),
        cells.flow_key(association, year, "ended_to_work_or_studies"),
    ]


def _count_hidden(data: ReportData, keys: list[tuple], value: float) -> bool:
    if data.pattern is not None:
        return any(data.pattern.is_hidden(k) for k in keys)
    return 1 <= value <= data.threshold


def comparison_flows(data: ReportData) -> pd.DataFrame:
    """Every association of the data folder with ended registrations in the year: ``ended``,
    ``observed`` (to work and/or studies), ``county`` and ``eligible`` (compared: both counts
    shown and at least :data:`MIN_ENDED_FOR_RATIO` ended), in registry order."""
    if data.participants is None or data.participants.empty:
        return pd.DataFrame(columns=["ended", "observed", "county", "eligible"])
    ended_rows = outcomes.ended_in_year(data.participants, data.year)
    to_wos = outcomes.in_work_or_studies_after(ended_rows)
    county_of = dict(zip(data.registry["association"], data.registry["county"], strict=True))
    rows = {}
    for a in dict.fromkeys(data.registry["association"]):
        mine = (ended_rows["association"] == a).to_numpy(dtype=bool)
        ended = int(mine.sum())
        if ended == 0:
            continue
        observed = int(to_wos[mine].sum())
        hidden = _count_hidden(data, _ended_keys(a, data.year), ended) or _count_hidden(
            data, _observed_keys(a, data.year), observed
        )
        rows[a] = {
            "ended": ended,
            "observed": observed,
            "county": str(county_of[a]),
            "eligible": ended >= MIN_ENDED_FOR_RATIO and not hidden,
        }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(next(iter(rows.values()), {})))
    out.index.name = "association"
    return out


def comparison_table(data: ReportData) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The protected comparison table (one row per association with ended registrations; the
    county's own first) and the model's table (:func:`outcomes.adjusted_comparison` of the
    compared associations; None when fewer than :data:`MIN_ASSOCIATIONS` qualify).

    Shares are fractions (0–1); the ratio's interval is text ("0,88–1,67"). Associations that
    are not compared have no expected count, ratio, interval or adjusted share. Every figure is
    hidden with the association's ended or observed count when the run's pattern hides either."""
    flows = comparison_flows(data)
    eligible = list(flows.index[flows["eligible"].astype(bool)]) if not flows.empty else []
    model = None
    if len(eligible) >= MIN_ASSOCIATIONS:
        rows = data.participants[data.participants["association"].isin(eligible)]
        model = outcomes.adjusted_comparison(rows, data.year)
    own = [a for a in flows.index if flows.at[a, "county"] == data.county]
    order = own + [a for a in flows.index if a not in own]
    t = pd.DataFrame(index=pd.Index(order, name="Förbund"), columns=list(COLUMNS), dtype=float)
    t[INTERVAL] = pd.Series(None, index=t.index, dtype=object)
    for a in order:
        t.at[a, ENDED] = flows.at[a, "ended"]
        t.at[a, OBSERVED] = flows.at[a, "observed"]
        t.at[a, SHARE] = flows.at[a, "observed"] / flows.at[a, "ended"]
        if model is not None and a in model.index:
            m = model.loc[a]
            t.at[a, EXPECTED] = m["expected"]
            t.at[a, RATIO] = m["ratio"]
            two = nr.fmt_number(2)
            t.at[a, INTERVAL] = f"{two(m['ratio_low'])}–{two(m['ratio_high'])}"
            t.at[a, ADJUSTED] = m["share_adjusted"] / 100
    if data.pattern is not None:
        keys: dict = {}
        for a in order:
            both = _ended_keys(a, data.year) + _observed_keys(a, data.year)
            both += _flow_keys(a, data.year)
            keys[(a, ENDED)] = _ended_keys(a, data.year)
            keys[(a, OBSERVED)] = _observed_keys(a, data.year)
            for c in COLUMNS[2:]:
                keys[(a, c)] = both
        counts = [(a, c) for a in order for c in (ENDED, OBSERVED)]
        t = privacy.apply_pattern(t, data.pattern, keys, counts=counts)
    else:
        t = privacy.suppress(
            t,
            data.threshold,
            counts=[ENDED, OBSERVED],
            derived={c: [ENDED, OBSERVED] for c in COLUMNS[2:]},
        )
    return t, model


def _covariates_text(model: pd.DataFrame) -> str:
    names = [COVARIATE_LABELS.get(c, c) for c in model.attrs["covariates"]]
    return ", ".join(names[:-1]) + " och " + names[-1] if len(names) > 1 else "".join(names)


def method_text(model: pd.DataFrame | None) -> nr.Html:
    """What the comparison adjusts for and what it does not, in plain Swedish."""
    adjusted = (
        _covariates_text(model)
        if model is not None and model.attrs["covariates"]
        else "ålder vid start, antal år med offentlig försörjning före insatsen, utbildning "
        "och försörjning före insatsen"
    )
    return nr.bullets(
        [
            f"Justerat för: {adjusted}. Det förväntade antalet räknas med en logistisk "
            "regressionsmodell som skattas på alla avslutade i de jämförda förbunden samma år "
            "(indirekt standardisering). Kvoten jämför alltså förbundet med genomsnittet för "
            "de jämförda förbunden, inte med riket.",
            "Inte justerat för: det som SUS inte registrerar, som hälsa, funktionsnedsättning, "
            "språk, arbetsmarknaden på orten och vilka insatser förbundet erbjuder. En kvot "
            "över eller under 1 är därför inte ett mått på hur bra förbundets arbete är och "
            "visar inte orsakssamband.",
            "Intervallet är ett 95-procentigt konfidensintervall (exakt Poissonintervall för "
            "det observerade antalet, delat med det förväntade). Det är något för brett när "
            "många går till arbete eller studier och bortser från osäkerheten i modellen. När "
            "intervallet omfattar 1 kan skillnaden mot genomsnittet vara slump.",
            f"Små tal: förbund med färre än {MIN_ENDED_FOR_RATIO} avslutade, eller vars antal "
            "döljs för att skydda enskilda, jämförs inte. Modellen kräver minst "
            f"{MIN_ASSOCIATIONS} jämförbara förbund.",
        ]
    )


def comparison_section(data: ReportData) -> nr.Html:
    """Jämförelse justerad för deltagarnas sammansättning: observed against expected per
    association, the funnel plot, and what the model adjusts for and not (in Swedish)."""
    if data.participants is None or data.participants.empty:
        return nr.notice("Det finns inga deltagaruppgifter.")
    t, model = comparison_table(data)
    if t.empty:
        return nr.notice(f"Inga deltagare avslutade en insats {data.year}.")
    intro = nr.paragraph(
        "Andelen som går till arbete och/eller studier beror också på vilka deltagare ett "
        "förbund har: ålder, hur länge de har haft offentlig försörjning, utbildning och "
        "försörjning före insatsen. Här jämförs det observerade antalet med det antal som "
        "kunde förväntas med förbundets deltagare om de hade haft samma chans som "
        "genomsnittsdeltagaren i de jämförda förbunden med samma egenskaper. En kvot över 1 "
        "betyder att fler än förväntat gick till arbete och/eller studier."
    )
    if model is None:
        compared = comparison_flows(data)
        names = list(compared.index[compared["eligible"].astype(bool)])
        which = f" ({', '.join(names)})" if names else ""
        return _join(
            [
                intro,
                nr.notice(
                    f"För få förbund att jämföra {data.year}: en justerad jämförelse kräver "
                    f"minst {MIN_ASSOCIATIONS} förbund med minst {MIN_ENDED_FOR_RATIO} "
                    f"avslutade deltagare var (vars antal visas), och underlaget har "
                    f"{len(names)}{which}."
                ),
                method_text(None),
            ]
        )
    not_compared = [a for a in t.index if pd.isna(t.at[a, RATIO]) and a not in model.index]
    counties = comparison_flows(data)["county"]
    others = sorted(set(counties[list(model.index)]) - {data.county})
    scope = (
        f"Jämförelsen omfattar alla förbund i underlaget med tillräckligt många avslutade, "
        f"även i {', '.join(others)}; länets förbund står först."
        if others
        else "Jämförelsen omfattar länets förbund."
    )
    note = " ".join(
        [
            scope,
            f"Alla jämförda: {nr.fmt_percent(0)(model.attrs['overall_share'])} av "
            f"{nr.fmt_count(model.attrs['rows'])} avslutade gick till arbete och/eller studier.",
            *(
                [f"Jämförs inte (färre än {MIN_ENDED_FOR_RATIO} avslutade eller dolda antal): "]
                if not_compared
                else []
            ),
        ]
    )
    if not_compared:
        note += ", ".join(not_compared) + "."
    table = nr.table(
        t,
        caption=f"Observerat och förväntat antal till arbete och/eller studier {data.year}",
        source=data.sus_source,
        formatters={
            ENDED: nr.fmt_count,
            OBSERVED: nr.fmt_count,
            SHARE: nr.fmt_share(),
            EXPECTED: nr.fmt_count,
            RATIO: nr.fmt_number(2),
            ADJUSTED: nr.fmt_share(),
        },
        text_columns=[INTERVAL],
    )
    from ..plots import funnel

    points = pd.DataFrame(
        {"ended": t[ENDED], "share": t[SHARE], "share_adjusted": t[ADJUSTED]},
        index=t.index,
    ).loc[list(model.index)]
    own = [a for a in model.index if a in set(counties[counties == data.county].index)]
    chart = funnel.funnel_chart(
        points,
        model.attrs["overall_share"] / 100,
        highlight=own,
        title=f"Andel till arbete och/eller studier mot antal avslutade {data.year}",
        source=data.sus_source,
    )
    funnel_text = nr.paragraph(
        "Trattdiagrammet visar andelen mot antalet avslutade. Den heldragna linjen är andelen "
        "för alla jämförda förbund; de streckade och prickade linjerna visar var 95 respektive "
        "99,8 procent av förbunden skulle hamna om alla hade samma andel och bara slumpen "
        "skilde dem åt. Gränserna är vida för små förbund: en punkt utanför dem skiljer sig "
        "mer än slumpen brukar ge."
    )
    return _join(
        [
            intro,
            nr.paragraph(note),
            table,
            funnel_text,
            nr.figure(chart, alt="Trattdiagram: andel till arbete och/eller studier per förbund"),
            method_text(model),
        ]
    )
