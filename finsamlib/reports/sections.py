"""The sections of the report notebooks: indicator calls, suppression, tables and charts.

Each ``*_section`` function takes the :class:`ReportData` of one report and returns the
:class:`~finsamlib.narrative.Html` of one section, so a report notebook is a heading and one
call per section, and everything it shows is computed (and tested) here. The table builders
(``*_table``) are separate, pure and tested on their own: they return the table as published,
already protected, and every chart is drawn from such a table.

Protection: :func:`load` gets the run's one suppression pattern (:mod:`finsamlib.disclosure`,
made for every report of the data folder by :func:`finsamlib.reports.cells.pattern_for`: from
the file the runner wrote, else computed here) and every builder applies it to its table with
:func:`finsamlib.privacy.apply_pattern`, naming the model cell (:mod:`finsamlib.reports.cells`)
behind each of its cells. A builder refuses to publish without a pattern: suppressing one table
on its own does not protect against the links between tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import __version__, disclosure, outcomes, privacy, supply
from .. import narrative as nr
from ..privacy import DEFAULT_THRESHOLD
from . import cells, paths
from .inputs import ReportInputs

#: Source line of the participant tables and charts (:attr:`ReportData.sus_source` picks one).
SUS_SOURCE = "SUS-uppföljning av deltagare, egen bearbetning"
SUS_SYNTHETIC_SOURCE = (
    "SUS-uppföljning av deltagare (syntetiska data i demonstrationen), egen bearbetning"
)


# --------------------------------------------------------------------------- the data of a report


@dataclass
class ReportData:
    """Everything one report reads, loaded once at the top of the notebook."""

    inputs: ReportInputs
    registry: pd.DataFrame
    participants: pd.DataFrame | None  # every association in the data folder
    year: int
    threshold: int
    county: str
    association: str | None = None
    generated_at: str | None = None
    parameters: dict[str, object] = field(default_factory=dict)
    #: The run's suppression pattern (:func:`load` always sets it; every table builder needs it).
    pattern: disclosure.Pattern | None = None

    @property
    def associations(self) -> list[str]:
        """The associations of the report's county, sorted."""
        reg = self.registry[self.registry["county"] == self.county]
        return sorted(reg["association"].unique())

    def participants_of(self, association: str | None = None) -> pd.DataFrame | None:
        """Participant rows of one association (default: the report's own)."""
        if self.participants is None:
            return None
        name = association or self.association
        sub = self.participants[self.participants["association"] == name]
        return sub.reset_index(drop=True)

    def participants_of_county(self) -> pd.DataFrame | None:
        """Participant rows of every association in the report's county."""
        if self.participants is None:
            return None
        mask = self.participants["association"].isin(self.associations)
        return self.participants[mask].reset_index(drop=True)

    def associations_without_participants(self) -> list[str]:
        """The county's associations without a single participant row in the data folder (a
        county figure summed over the others would not be the county's)."""
        if self.participants is None:
            return self.associations
        present = set(self.participants["association"])
        return [a for a in self.associations if a not in present]

    @property
    def synthetic(self) -> bool:
        return self.inputs.synthetic

    @property
    def sus_source(self) -> str:
        """The source line of participant tables and charts; it says "syntetiska data" only
        when synthetic participant rows went in (the user's own export is not synthetic)."""
        provenance = "" if self.participants is None else self.participants.attrs.get("provenance")
        synthetic = "synthetic" in str(provenance or "").split(",")
        return SUS_SYNTHETIC_SOURCE if synthetic else SUS_SOURCE


#: Loader tables that an association report's later sections read (portfolio, finances, target
#: group); :func:`load` reads them before the header decides on the synthetic-data banner.
LATER_TABLES = ("portfolio", "insats_budget", "population", "target_group_sources")


def _valid(value: str, valid: list[str], what: str) -> str:
    if value in valid:
        return value
    raise KeyError(f"unknown {what} {value!r}; valid: {', '.join(valid)}")


def disclosure_pattern(
    inputs: ReportInputs,
    registry: pd.DataFrame,
    participants: pd.DataFrame | None,
    threshold: int,
    disclosure_file: str | Path | None = None,
) -> disclosure.Pattern:
    """The run's suppression pattern for a data folder: read from ``disclosure_file`` (written
    by the runner) when it was made for these data and this threshold, else computed."""
    costs = (
        inputs.load("assumptions/standard_costs")
        if inputs.has("assumptions/standard_costs")
        else None
    )
    fp = cells.data_fingerprint(participants, registry, costs, threshold)
    if disclosure_file not in (None, ""):
        path = Path(str(disclosure_file))
        if path.is_file():
            try:
                pattern = disclosure.Pattern.from_json(path.read_text(encoding="utf-8"))
            except (ValueError, KeyError):
                pattern = None
            if pattern is not None and pattern.fingerprint == fp:
                return cells.remember_pattern(pattern)
    # remembered by fingerprint (cells.pattern_for): computed once per process for these data
    return cells.pattern_for(participants, registry, int(threshold), standard_costs=costs)


def load(
    *,
    association: str | None = None,
    county: str | None = None,
    year: int,
    data_dir: str | Path | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    generated_at: str | None = None,
    disclosure_file: str | Path | None = None,
) -> ReportData:
    """Load the inputs of an association report (``association``) or a county overview
    (``county``) from a data folder (None: the embedded data), with the run's suppression
    pattern (from ``disclosure_file`` if the runner wrote one for these data, else computed)."""
    if (association is None) == (county is None):
        raise ValueError("give either association or county")
    if isinstance(threshold, bool) or int(threshold) != threshold or threshold < 0:
        raise ValueError(f"threshold must be a whole number >= 0, got {threshold!r}")
    inputs = ReportInputs(data_dir)
    registry = inputs.load("registry")
    if association is not None:
        association = _valid(association, sorted(registry["association"].unique()), "association")
        county = str(registry.loc[registry["association"] == association, "county"].iloc[0])
    else:
        county = _valid(str(county), sorted(registry["county"].unique()), "county")
    # An association report computes its figures from its county's rows only (the
    # association, its siblings for the county column) and lists only the files they came
    # from; a county overview reads every association's rows (its adjusted comparison places
    # the county among all of them: cells.page_areas). The whole table decides the years and
    # the run's one suppression pattern (the page's cache record holds the pattern's cells of
    # this page: finsamlib.reports.cache).
    everyone = inputs.load_table("participants", remember=False)
    members, _ = cells.page_areas(
        registry, association=association, county=None if association else county
    )
    participants = inputs.load_table("participants", only=("association", members))
    if association is not None:
        # read now what later sections read, so that the banner at the top knows every input
        for table in LATER_TABLES:
            inputs.load_table(table)
    years = cells.report_years(everyone)
    if years and int(year) not in years:
        raise KeyError(f"no data for year {year}; years with data: {', '.join(map(str, years))}")
    pattern = disclosure_pattern(inputs, registry, everyone, int(threshold), disclosure_file)
    params: dict[str, object] = {}
    if association is not None:
        params["Förbund"] = association
    params["Län"] = county
    params["År"] = int(year)
    params["Datamapp"] = "inbäddade data (data/raw)" if data_dir in (None, "") else str(data_dir)
    params["Gräns för små tal"] = int(threshold)
    return ReportData(
        inputs=inputs,
        registry=registry,
        participants=participants,
        year=int(year),
        threshold=int(threshold),
        county=str(county),
        association=association,
        generated_at=generated_at,
        parameters=params,
        pattern=pattern,
    )


def _pattern(pattern: disclosure.Pattern | None, what: str) -> disclosure.Pattern:
    """The run's pattern, or a clear error: no table is published without it."""
    if pattern is None:
        raise ValueError(
            f"{what} needs the run's disclosure pattern: load the report with sections.load, "
            "or pass cells.folder_pattern(data_dir, threshold)"
        )
    return pattern


def _hidden(data: ReportData, key: tuple) -> bool:
    """Whether the run's pattern hides a cell."""
    return _pattern(data.pattern, "a report section").is_hidden(key)


# --------------------------------------------------------------------------- header and sources


def header(data: ReportData) -> nr.Html:
    """The page title (and the synthetic-data banner when a synthetic input went in), below
    breadcrumbs to the index of all reports and, from an association, its county overview."""
    if data.association is not None:
        kommuner = data.registry.loc[data.registry["association"] == data.association, "kommun"]
        title = f"{data.association} – uppföljning {data.year}"
        subtitle = (
            f"Samordningsförbund i {data.county} med {len(kommuner)} medlemskommuner: "
            + ", ".join(sorted(kommuner))
            + "."
        )
    else:
        title = f"{data.county} – översikt {data.year}"
        subtitle = f"Samordningsförbunden i {data.county}: " + ", ".join(data.associations) + "."
    up = "../" * len(paths.county_dir(data.year, data.county).parts)
    trail = [("Alla rapporter", up + paths.INDEX)]
    if data.association is not None:
        trail.append((f"{data.county} – översikt {data.year}", paths.INDEX))
    out = nr.header(title, subtitle, synthetic=data.synthetic, trail=trail)
    if data.threshold < privacy.MIN_THRESHOLD:
        out = out + small_threshold_banner(data.threshold)
    return out


def small_threshold_banner(threshold: int) -> nr.Html:
    """The banner of a report made with a threshold below 3 (``--allow-small-threshold``)."""
    if threshold <= 0:
        what = "Inga små tal döljs (gränsen för små tal är 0)"
    else:
        what = f"Gränsen för små tal är {threshold}, lägre än {privacy.MIN_THRESHOLD}"
    text = (
        f"{what}: rapporten skyddar inte enskilda personer tillräckligt och ska inte "
        "spridas utanför förbundet."
    )
    return nr.Html(
        f'<div class="{nr.BANNER_CLASS} finsam-banner-threshold" role="note">'
        f"<strong>{nr.esc(text)}</strong></div>"
    )


def sources_section(data: ReportData) -> nr.Html:
    """ "Datakällor och metod": input files with provenance and SHA-256, parameters, method.

    Its output metadata lists the files read (``inputs``: path -> SHA-256) for the runner's
    record of the page (:mod:`finsamlib.reports.cache`); it is the last section, so every file
    the report read is in it."""
    out = nr.sources_section(
        data.inputs.sources_table(),
        data.parameters,
        threshold=data.threshold,
        version=__version__,
        generated_at=data.generated_at,
    )
    out.metadata["inputs"] = {f.path: f.sha256 for f in data.inputs.files}
    return out


# --------------------------------------------------------------------------- supply before/after

SUPPLY_COLUMNS = {
    "count_before": "Antal före",
    "share_before": "Andel före",
    "count_after": "Antal efter",
    "share_after": "Andel efter",
    "change_pp": "Förändring (procentenheter)",
}
TOTAL_LABEL = "Samtliga"


def supply_table(
    change: pd.DataFrame,
    *,
    pattern: disclosure.Pattern | None,
    association: str,
    year: int,
) -> pd.DataFrame:
    """The published supply table from one group of :func:`finsamlib.supply.change`.

    Rows: the categories (Swedish labels) and ``Samtliga``; columns: count and share before and
    after and the change in percentage points. The cells the run's ``pattern`` hides (for the
    ``association`` and ``year`` of the table) are hidden, each share and change with its counts.
    """
    if change["category"].duplicated().any():
        raise ValueError("supply_table needs one group of supply.change (categories repeat)")
    t = change.set_index("label")[list(SUPPLY_COLUMNS)].rename(columns=SUPPLY_COLUMNS)
    t.index.name = "Försörjning"
    n = int(change["n"].iloc[0]) if len(change) else 0
    t.loc[TOTAL_LABEL] = [n, 1.0 if n else float("nan"), n, 1.0 if n else float("nan"), 0.0]
    t["Antal före"] = t["Antal före"].astype(int)
    t["Antal efter"] = t["Antal efter"].astype(int)
    pattern = _pattern(pattern, "supply_table")
    total = cells.supply_total_key(association, year)
    keys: dict[tuple, list[tuple]] = {}
    for code, label in zip(change["category"], change["label"], strict=True):
        before = cells.supply_key(association, year, "before", code)
        after = cells.supply_key(association, year, "after", code)
        keys[(label, "Antal före")] = [before]
        keys[(label, "Antal efter")] = [after]
        keys[(label, "Andel före")] = [before, total]
        keys[(label, "Andel efter")] = [after, total]
        keys[(label, "Förändring (procentenheter)")] = [before, after, total]
    for col in SUPPLY_COLUMNS.values():
        keys[(TOTAL_LABEL, col)] = [total]
    counts = [(r, c) for r, c in keys if c in ("Antal före", "Antal efter")]
    return privacy.apply_pattern(t, pattern, keys, counts=counts)


def supply_chart_table(change: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """``change`` with the suppression of its published table applied (for the charts)."""
    out = change.copy()
    label_of = dict(zip(out["label"], out.index, strict=True))
    hidden = privacy.suppressed_cells(published)
    column_map = {
        "Antal före": ["count_before", "share_before", "share_before_low", "share_before_high"],
        "Antal efter": ["count_after", "share_after", "share_after_low", "share_after_high"],
        "Andel före": ["share_before", "share_before_low", "share_before_high"],
        "Andel efter": ["share_after", "share_after_low", "share_after_high"],
        "Förändring (procentenheter)": ["change_pp", "change_pp_low", "change_pp_high"],
    }
    for (label, col), _reason in hidden.items():
        if label in label_of and col in column_map:
            for target in column_map[col]:
                if target in out.columns:
                    out[target] = out[target].astype(float)
                    out.loc[label_of[label], target] = float("nan")
    if (TOTAL_LABEL, "Antal före") in hidden:
        out["n"] = float("nan")
    out.attrs = dict(change.attrs)
    # the chart marks each hidden value "<5" or ".." where its bar would be
    out.attrs[privacy.ATTR] = {
        "threshold": privacy.threshold_of(published),
        "cells": tuple(
            (label_of[label], target, reason)
            for (label, col), reason in hidden.items()
            if label in label_of and col in column_map
            for target in column_map[col]
            if target in out.columns
        ),
    }
    return out


def supply_section(data: ReportData) -> nr.Html:
    """Försörjning före och efter: table and chart for the association's ended participants."""
    rows = data.participants_of()
    if rows is None or rows.empty:
        return nr.notice("Det finns inga deltagaruppgifter för förbundet.")
    ch = supply.change(rows, year=data.year)
    if ch.attrs.get("included", 0) == 0:
        return nr.notice(f"Inga deltagare avslutade en insats {data.year}.")
    published = supply_table(
        ch, pattern=data.pattern, association=str(data.association), year=data.year
    )
    from ..plots import supply as supply_plots

    chart = supply_plots.before_after_bars(
        supply_chart_table(ch, published),
        title=f"Försörjning före och efter insats, avslutade {data.year}",
        source=data.sus_source,
    )
    shown = published[
        (published["Antal före"].fillna(1) != 0) | (published["Antal efter"].fillna(1) != 0)
    ]
    return (
        nr.paragraph(
            "Huvudsaklig försörjning före och efter insatsen för deltagare som avslutade en "
            f"insats {data.year} och har registrerad försörjning både före och efter."
        )
        + nr.table(
            shown,
            caption=f"Försörjning före och efter insats, {data.association} {data.year}",
            source=data.sus_source,
            formatters={
                "Antal före": nr.fmt_count,
                "Antal efter": nr.fmt_count,
                "Andel före": nr.fmt_share(),
                "Andel efter": nr.fmt_share(),
                "Förändring (procentenheter)": nr.fmt_number(1),
            },
        )
        + nr.figure(chart, alt="Andel per försörjningskategori före och efter insats")
    )


# --------------------------------------------------------------------------- summary

#: Flat rate of public support per person-year (seed 004, "Besparing fortsatt heltidsarbete":
#: 142 000 kr, Region Sörmland's schablon), used for the savings key figure.
FLAT_RATE = 142_000.0
FLAT_RATE_SOURCE = "schablonbelopp 142 000 kr per person och år (RAR Sörmland, årsredovisning 2021)"


def flows_table(data: ReportData) -> pd.DataFrame:
    """The association's participant flows of the year (registered, new, ended, ended to work
    or studies), suppressed: one row per figure, columns ``Antal`` and ``Andel``."""
    rows = data.participants_of()
    labels = {
        "registered": "Deltagare under året",
        "new": "Nya deltagare",
        "ended": "Avslutade deltagare",
        "ended_to_work_or_studies": "Avslutade till arbete och/eller studier",
    }
    if rows is None or rows.empty:
        counts = dict.fromkeys(labels, 0)
    else:
        f = outcomes.participant_flows(rows, data.year, by=None)
        counts = {k: int(f[k].iloc[0]) for k in labels}
    t = pd.DataFrame(
        {"Antal": [counts[k] for k in labels]}, index=pd.Index(labels.values(), name="Nyckeltal")
    )
    ended = counts["ended"]
    t["Andel"] = float("nan")
    if ended:
        t.loc[labels["ended_to_work_or_studies"], "Andel"] = (
            counts["ended_to_work_or_studies"] / ended
        )
    pattern = _pattern(data.pattern, "flows_table")
    if data.association is None:
        raise ValueError("flows_table is an association report's table (association is None)")
    a, y = data.association, data.year
    keys = {(label, "Antal"): cells.flow_key(a, y, k) for k, label in labels.items()}
    share = labels["ended_to_work_or_studies"]
    keys[(share, "Andel")] = [
        cells.flow_key(a, y, "ended_to_work_or_studies"),
        cells.flow_key(a, y, "ended"),
    ]
    if rows is None or rows.empty:  # no participants: nothing of the model is shown
        public = [(label, "Antal") for label in labels.values()]
        return privacy.apply_pattern(t, pattern, {}, public=public)
    counts_ = [(label, "Antal") for label in labels.values()]
    return privacy.apply_pattern(t, pattern, keys, counts=counts_)


def summary_section(data: ReportData) -> nr.Html:
    """Sammanfattning: the year's key figures as boxes, and what they mean in sentences."""
    from .. import economics

    t = flows_table(data)
    shown = privacy.display_values(t, {"Antal": nr.fmt_count, "Andel": nr.fmt_share()}, missing="")
    boxes = [(str(label), str(row["Antal"])) for label, row in shown.iterrows()]
    work_label = "Avslutade till arbete och/eller studier"
    share = shown.loc[work_label, "Andel"]
    if share:
        boxes.append(("Andel av de avslutade som gick till arbete och/eller studier", share))
    persons = t.loc[work_label, "Antal"]
    sentences = []
    if pd.notna(persons) and persons > 0:
        savings = economics.flat_rate_savings(float(persons), FLAT_RATE, years=(1, 5))
        one = savings.loc[savings["years"] == 1, "savings"].iloc[0]
        five = savings.loc[savings["years"] == 5, "savings"].iloc[0]
        boxes.append(("Möjlig besparing första året (schablon)", nr.fmt_mkr()(one)))
        sentences.append(
            f"{nr.fmt_count(persons)} deltagare som avslutade en insats {data.year} gick till "
            f"arbete och/eller studier. Om de blir självförsörjande motsvarar det med "
            f"{FLAT_RATE_SOURCE} {nr.fmt_mkr()(one)} första året och {nr.fmt_mkr()(five)} "
            "på fem år."
        )
    elif t["Antal"].isna().any():
        sentences.append("Några antal är för små för att visas och redovisas som ”<5”.")
    ended = t.loc["Avslutade deltagare", "Antal"]
    if pd.notna(ended) and ended == 0:
        sentences.append(f"Inga deltagare avslutade en insats {data.year}.")
    out = nr.key_figures(boxes)
    if sentences:
        out = out + nr.paragraph(" ".join(sentences))
    return out


# --------------------------------------------------------------------------- participants

PROFILE_DIMENSIONS = {
    "sex": "Kön",
    "age_band": "Ålder vid start",
    "education": "Utbildning",
    "support_years": "År med offentlig försörjning före start",
}


def _profile_label(dimension: str, category: str) -> str:
    from ..categories import EDUCATION_LABELS, SEX_LABELS

    if category == outcomes.UNKNOWN:
        return "Okänt"
    if dimension == "sex":
        return SEX_LABELS.get(category, category)
    if dimension == "education":
        return EDUCATION_LABELS.get(category, category)
    if dimension == "age_band":
        return f"{category} år"
    if dimension == "support_years":
        return {"0-1": "Högst 1 år", "1-3": "1–3 år", "3-9": "3–9 år", "over 9": "Mer än 9 år"}.get(
            category, category
        )
    return category


def profile_table(
    ended: pd.DataFrame,
    dimension: str,
    *,
    pattern: disclosure.Pattern | None,
    association: str,
    year: int,
) -> pd.DataFrame:
    """Ended participants by one profile dimension (count and share), with a total, protected
    by the run's ``pattern`` (for ``association`` and ``year``)."""
    prof = outcomes.participant_profile(ended, by=None)
    part = prof[prof["dimension"] == dimension]
    labels = [_profile_label(dimension, c) for c in part["category"]]
    t = pd.DataFrame(
        {"Antal": part["count"].astype(int).to_numpy(), "Andel": part["percent"].to_numpy() / 100},
        index=pd.Index(labels, name=PROFILE_DIMENSIONS[dimension]),
    )
    t = t[~((t["Antal"] == 0) & (t.index == "Okänt"))]
    t.loc["Samtliga"] = [int(t["Antal"].sum()), 1.0 if t["Antal"].sum() else float("nan")]
    t["Antal"] = t["Antal"].astype(int)
    pattern = _pattern(pattern, "profile_table")
    total = cells.profile_key(association, year, dimension, "total")
    keys: dict[tuple, list[tuple]] = {
        ("Samtliga", "Antal"): [total],
        ("Samtliga", "Andel"): [total],
    }
    for code, label in zip(part["category"], labels, strict=True):
        if label in t.index:
            key = cells.profile_key(association, year, dimension, code)
            keys[(label, "Antal")] = [key]
            keys[(label, "Andel")] = [key, total]
    counts = [(r, c) for r, c in keys if c == "Antal"]
    return privacy.apply_pattern(t, pattern, keys, counts=counts)


def participants_section(data: ReportData) -> nr.Html:
    """Deltagare: who ended an insats in the year, by sex, age, education and years of support."""
    rows = data.participants_of()
    ended = outcomes.ended_in_year(rows, data.year) if rows is not None else None
    if ended is None or ended.empty:
        return nr.notice(f"Inga deltagare avslutade en insats {data.year}.")
    parts = [
        nr.paragraph(
            f"Deltagare som avslutade en insats {data.year} (registreringar; en person kan "
            "delta i flera insatser)."
        )
    ]
    for dim, title in PROFILE_DIMENSIONS.items():
        parts.append(
            nr.table(
                profile_table(
                    ended,
                    dim,
                    pattern=data.pattern,
                    association=str(data.association),
                    year=data.year,
                ),
                caption=title,
                formatters={"Antal": nr.fmt_count, "Andel": nr.fmt_share()},
            )
        )
    return _join(parts)


def _join(parts: list[nr.Html]) -> nr.Html:
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


# --------------------------------------------------------------------------- SUS outcome table

NATION = "Riket"


def protect_outcome_table(table: pd.DataFrame, data: ReportData) -> pd.DataFrame:
    """Apply the run's pattern to a computed outcome table (every association and county of the
    year). A county column that no report shows (some of its associations have no participant
    rows) is left out."""
    pattern = _pattern(data.pattern, "the outcome table")
    attrs = dict(table.attrs)
    counties = cells.published_counties(data.participants, data.registry)
    county_names = set(data.registry["county"].astype(str))
    keep = [c for c in table.columns if c[0] not in county_names or c[0] in counties]
    table = table[keep]
    keys = {
        (ind, (area, sex)): cells.outcome_cell_keys(area, sex, data.year, ind)
        for ind in table.index
        for area, sex in table.columns
    }
    counts = [(r, c) for r, c in keys if r in cells.OUTCOME_COUNTS]
    out = privacy.apply_pattern(table, pattern, keys, counts=counts)
    out.attrs = {**attrs, privacy.ATTR: out.attrs[privacy.ATTR]}
    return out


def outcome_data(data: ReportData) -> pd.DataFrame | None:
    """The suppressed outcome table of every association and county of the year, with the
    published national figures (seed 001, UTFALL 2019) appended."""
    if data.participants is None or data.participants.empty:
        return None
    table = outcomes.outcome_table(data.participants, data.year, registry=data.registry)
    table = protect_outcome_table(table, data)
    name = "published/seed001_utfall_2019"
    if data.inputs.has(name):
        pub = data.inputs.load(name)
        nation = pub[pub["area"] == NATION]
        if not nation.empty:
            frame = outcomes.outcome_table(data.participants.iloc[:0], data.year, comparison=nation)
            label = NATION if data.year == 2019 else f"{NATION} 2019"
            nat = frame.xs(NATION, axis=1, level="area", drop_level=False)
            nat.columns = pd.MultiIndex.from_tuples(
                [(label, sx) for _, sx in nat.columns], names=["area", "sex"]
            )
            keep = table.attrs.get(privacy.ATTR)
            table = pd.concat([table, nat], axis=1)
            table.attrs[privacy.ATTR] = keep
    return table


#: The outcome table is shown as one table per sex (area columns), so that it fits a phone and
#: a printed page without losing a column.
OUTCOME_SEXES = ("Totalt", "Kvinnor", "Män")


def _format_outcome(table: pd.DataFrame, areas: list[str], sex: str) -> tuple[pd.DataFrame, dict]:
    """The outcome table of one sex for publishing: SUS row labels, one column per area."""
    cols = [(a, sex) for a in areas if (a, sex) in table.columns]
    sub = table[cols].copy()
    sub.attrs = table.attrs
    hidden = privacy.suppressed_cells(table)
    t = pd.DataFrame(sub.to_numpy(), index=sub.index, columns=[a for a, _ in cols])
    cells = tuple((r, c[0], reason) for (r, c), reason in hidden.items() if c in cols)
    t.index = [outcomes.INDICATOR_LABELS[k] for k in t.index]
    label_of = dict(zip(sub.index, t.index, strict=True))
    info = table.attrs.get(privacy.ATTR, {})
    t.attrs[privacy.ATTR] = privacy._Info(
        threshold=privacy.threshold_of(table) or privacy.DEFAULT_THRESHOLD,
        cells=tuple((label_of[r], c, why) for r, c, why in cells),
        pattern=bool(info.get("pattern")),
        keys={(label_of[r], c[0]): k for (r, c), k in info.get("keys", {}).items() if c in cols},
    )
    units = {outcomes.INDICATOR_LABELS[k]: outcomes.INDICATOR_UNITS[k] for k in sub.index}
    return t, units


def _unit_format(unit: str, v: object) -> str:
    if unit == "count":
        return nr.fmt_count(v)
    if unit == "percent":
        return nr.fmt_percent()(v)
    if unit == "fte":
        return nr.fmt_number(1)(v)
    return nr.fmt_number(0)(v)


#: At most this many area columns in one outcome table: more would not fit a phone's width (a
#: county overview's five areas become two tables, the second "(forts.)").
OUTCOME_MAX_AREAS = 3


def outcome_html(table: pd.DataFrame, areas: list[str], caption: str, source: str) -> nr.Html:
    """The SUS outcome table for some areas, formatted row by row (counts, %, days, FTE): one
    table per sex in the table (Totalt, Kvinnor, Män), each with one column per area (at most
    :data:`OUTCOME_MAX_AREAS` per table; more areas continue in a second table)."""
    present = set(table.columns.get_level_values(1))
    sexes = [sx for sx in OUTCOME_SEXES if sx in present]
    tables = max(1, -(-len(areas) // OUTCOME_MAX_AREAS))  # ceil: as few tables as fit
    per = max(1, -(-len(areas) // tables))  # areas spread evenly, the first table fullest
    chunks = [areas[i : i + per] for i in range(0, len(areas), per)] or [[]]
    parts = []
    for sex in sexes:
        for i, chunk in enumerate(chunks):
            t, units = _format_outcome(table, chunk, sex)
            shown = privacy.display_values(t, missing=nr.MISSING)
            hidden = privacy.suppressed_cells(t)
            for r in t.index:
                for c in t.columns:
                    if (r, c) not in hidden and pd.notna(t.at[r, c]):
                        shown.at[r, c] = _unit_format(units[r], t.at[r, c])
            text = pd.DataFrame(shown.to_numpy(), index=t.index, columns=t.columns)
            text.attrs = t.attrs
            title = f"{caption} – {sex.lower()}" if len(sexes) > 1 else caption
            last = sex == sexes[-1] and i == len(chunks) - 1
            parts.append(
                nr.table(
                    text,
                    caption=title + (" (forts.)" if i else ""),
                    source=source if last else None,
                    default=nr.fmt_text,
                    index_label="",
                    text_columns=(),
                )
            )
    return _join(parts)


OUTCOME_SOURCE = (
    "SUS-uppföljning av deltagare, egen bearbetning; riket: SUS-rapport 2020-04-29 "
    "(Översyn av samordningsförbunden i Jönköpings län, bilaga 3)"
)


def outcome_section(data: ReportData) -> nr.Html:
    """Resultat: the SUS outcome table of the association with its county and the nation."""
    table = outcome_data(data)
    if table is None:
        return nr.notice("Det finns inga deltagaruppgifter.")
    nation = [a for a in dict.fromkeys(c[0] for c in table.columns) if a.startswith(NATION)]
    # An association that covers its whole county (RAR Sörmland) would repeat itself as the county.
    whole_county = data.associations == [data.association]
    missing = data.associations_without_participants()
    show_county = not whole_county and not missing
    areas = [data.association or "", *([data.county] if show_county else []), *nation]
    areas = [a for a in areas if a in set(c[0] for c in table.columns)]
    from ..plots import supply as supply_plots

    chart = supply_plots.outcome_comparison(
        table[[c for c in table.columns if c[0] in areas]],
        areas=areas,
        title=f"Utfall {data.year} jämfört med länet och riket",
        source="SUS, egen bearbetning; riket: SUS-rapport 2020-04-29",
    )
    note = (
        "Riket avser 2019, det senaste år som finns publicerat; förbundet och länet avser "
        f"{data.year}."
        if any(a != NATION for a in nation)
        else ""
    )
    if whole_county:
        note += f" Förbundet omfattar hela {data.county}, så länet visas inte separat."
    elif missing:
        note += " " + _county_incomplete(data, missing)
    parts = [
        nr.paragraph(
            "SUS-utfallstabellen för deltagare som avslutade en insats under året, för förbundet, "
            "länet och riket, uppdelat på kön. Andelar och medelvärden räknas på avslutade "
            "registreringar. " + note
        ),
        outcome_html(table, areas, f"Utfall {data.year}", OUTCOME_SOURCE),
        nr.figure(chart, alt="Andelar i SUS-utfallstabellen för förbundet, länet och riket"),
    ]
    return _join(parts)


def county_outcome_section(data: ReportData) -> nr.Html:
    """The county overview's outcome table: its associations side by side, totals only."""
    table = outcome_data(data)
    if table is None:
        return nr.notice("Det finns inga deltagaruppgifter.")
    present = set(c[0] for c in table.columns)
    nation = [a for a in dict.fromkeys(c[0] for c in table.columns) if a.startswith(NATION)]
    missing = data.associations_without_participants()
    county = [] if missing else [data.county]
    areas = [a for a in [*data.associations, *county, *nation] if a in present]
    totals = table[[c for c in table.columns if c[0] in areas and c[1] == "Totalt"]]
    totals.attrs = table.attrs
    from ..plots import supply as supply_plots

    chart = supply_plots.outcome_comparison(
        totals,
        areas=areas,
        title=f"Utfall {data.year} per förbund",
        source="SUS, egen bearbetning; riket: SUS-rapport 2020-04-29",
    )
    out = outcome_html(totals, areas, f"Utfall {data.year}, totalt", OUTCOME_SOURCE) + nr.figure(
        chart, alt="Andelar i SUS-utfallstabellen per förbund, för länet och riket"
    )
    return nr.paragraph(_county_incomplete(data, missing)) + out if missing else out


def _county_incomplete(data: ReportData, missing: list[str]) -> str:
    """Why the county column is left out: some of its associations have no participant data."""
    return (
        f"{data.county} visas inte som helhet: deltagaruppgifter saknas för "
        + ", ".join(missing)
        + "."
    )


# --------------------------------------------------------------------------- socio-economics

ACTOR_ORDER = ("society", "kommun", "region", "state", "af", "fk")
ECONOMICS_SOURCE = (
    "Egen beräkning med standardkostnader (antaganden, data/raw/assumptions/standard_costs.csv) "
    "efter NyttoSam-modellen i genomlysningen av RAR Sörmland 2020"
)


def economics_tables(data: ReportData) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
    """Savings with the flat rate, and revenue, cost, result and payback per actor, for the
    registrations that ended in the year.

    None when there is nothing to publish (no participants or standard costs, or the number of
    ended registrations is itself hidden). The per-actor table is None when fewer than
    :data:`~finsamlib.reports.cells.MIN_ECONOMICS_COHORT` registrations ended (its money figures
    would describe individuals); otherwise the run's pattern hides the actors whose figures would
    give a hidden count away (their result, payback and cost go with them).
    """
    from .. import economics
    from ..categories import ACTOR_LABELS

    rows = data.participants_of()
    if rows is None or not data.inputs.has("assumptions/standard_costs"):
        return None
    ended = outcomes.ended_in_year(rows, data.year)
    n = len(ended)
    a, y = data.association, data.year
    ended_key = cells.outcome_key(str(a), outcomes.TOTAL, y, "ended_registrations")
    if n == 0 or _hidden(data, ended_key):
        return None
    flows = flows_table(data)
    persons = flows.loc["Avslutade till arbete och/eller studier", "Antal"]
    savings = economics.flat_rate_savings(
        0.0 if pd.isna(persons) else float(persons), FLAT_RATE, years=(1, 5, 10)
    )
    sav = pd.DataFrame(
        {
            "Personer": savings["persons"].astype(int).to_numpy(),
            "Besparing": savings["savings"].to_numpy(),
        },
        index=pd.Index([f"{int(y)} år" for y in savings["years"]], name="Period"),
    )
    to_wos = cells.flow_key(str(a), y, "ended_to_work_or_studies")
    keys = {(p, c): [to_wos] for p in sav.index for c in sav.columns}
    sav = privacy.apply_pattern(
        sav, data.pattern, keys, counts=[(p, "Personer") for p in sav.index]
    )
    costs = data.inputs.load("assumptions/standard_costs")
    with_after = ended[ended["support_after"].notna()]
    if n < cells.MIN_ECONOMICS_COHORT or with_after.empty:
        return sav, None
    revenue = economics.annual_revenue(ended, costs)
    cost = economics.insats_cost(n)
    prof = economics.profitability(revenue["revenue"], cost, n)
    actors = pd.DataFrame(
        {
            "Intäkt per år": prof["revenue_short_term"],
            "Kostnad": prof["cost"],
            "Resultat 1 år": prof["result_short_term"],
            "Resultat 5 år": prof["result_medium_term"],
            "Återbetalningstid (månader)": prof["payback_months"],
        }
    ).reindex(list(ACTOR_ORDER))
    actors.index = [ACTOR_LABELS[k] for k in actors.index]
    actors.index.name = "Aktör"
    keys = {}
    for actor in ACTOR_ORDER:
        money = cells.money_key(str(a), y, actor)
        label = ACTOR_LABELS[actor]
        keys[(label, "Intäkt per år")] = [money]
        keys[(label, "Kostnad")] = [money, ended_key]
        for col in ("Resultat 1 år", "Resultat 5 år", "Återbetalningstid (månader)"):
            keys[(label, col)] = [money, ended_key]
    actors = privacy.apply_pattern(actors, data.pattern, keys)
    shown = [k for k in ACTOR_ORDER if pd.notna(actors.loc[ACTOR_LABELS[k], "Intäkt per år"])]
    prof = prof.loc[[k for k in prof.index if k in shown]]
    actors.attrs = {**actors.attrs, "participants": n, "profitability": prof}
    return sav, actors


def economics_section(data: ReportData) -> nr.Html:
    """Samhällsekonomi: flat-rate savings, and revenue, cost, result and payback per actor."""
    tables = economics_tables(data)
    if tables is None:
        return nr.notice(
            "För få avslutade deltagare (eller inga standardkostnader) för en samhällsekonomisk "
            "beräkning."
        )
    sav, actors = tables
    mkr = nr.fmt_mkr(1)
    parts = [
        nr.paragraph(
            f"Besparing med schablonbelopp: de som gick till arbete och/eller studier × "
            f"{FLAT_RATE_SOURCE} × antal år. Det förutsätter att de förblir självförsörjande."
        ),
        nr.table(
            sav,
            caption="Besparing med schablonbelopp",
            formatters={"Personer": nr.fmt_count, "Besparing": mkr},
        ),
    ]
    if actors is None:
        parts.append(
            nr.paragraph(
                "Intäkter, kostnader och resultat per aktör visas inte: färre än "
                f"{cells.MIN_ECONOMICS_COHORT} registreringar avslutades {data.year}. I så "
                "små grupper beskriver beloppen enskilda personers försörjning snarare än "
                "gruppens, och de skulle kunna avslöja dolda antal i andra tabeller."
            )
        )
        return _join(parts)
    prof = actors.attrs["profitability"]
    parts += [
        nr.paragraph(
            "Intäkter och kostnader per aktör för de "
            f"{nr.fmt_count(actors.attrs['participants'])} "
            f"registreringar som avslutades {data.year}: förändrad försörjning, skatter och "
            "produktion ett år efter insatsen jämfört med året före, mot en kostnad per "
            "deltagare. Standardkostnaderna är antaganden som användaren kan byta ut; "
            "återbetalningstid saknas där intäkten inte är positiv."
            + (
                " Aktörer markerade med ”..” döljs, eftersom deras belopp tillsammans med "
                "andra tabeller skulle avslöja ett litet antal personer."
                if len(prof) < len(actors)
                else ""
            )
        ),
        nr.table(
            actors,
            caption="Lönsamhet per aktör",
            source=ECONOMICS_SOURCE,
            formatters={
                "Intäkt per år": mkr,
                "Kostnad": mkr,
                "Resultat 1 år": mkr,
                "Resultat 5 år": mkr,
                "Återbetalningstid (månader)": nr.fmt_number(0),
            },
        ),
    ]
    if len(prof):
        from ..plots import economics as econ_plots

        chart = econ_plots.profitability_chart(
            prof,
            title=f"Samhällsekonomiskt resultat per aktör, avslutade {data.year}",
            source="Egen beräkning med standardkostnader (antaganden)",
        )
        parts.append(
            nr.figure(chart, alt="Samhällsekonomiskt resultat per aktör på kort och medellång sikt")
        )
    parts.append(economics_note(sav, actors))
    return _join(parts)


def economics_note(sav: pd.DataFrame, actors: pd.DataFrame) -> nr.Html:
    """Where the economics figures seem to disagree, what each one is: the "varav" rows are
    parts of the state that do not add up to it, and the two five-year figures measure
    different things (gross savings of those in work, net result for all who ended)."""
    mkr = nr.fmt_mkr(1)

    def quoted(row: str, column: str, table: pd.DataFrame = actors) -> str:
        """ " (1,2 mnkr)" for a figure the table shows; nothing for a hidden one (a note must not
        print what the disclosure pattern hides)."""
        v = table.at[row, column]
        if pd.isna(v) or (row, column) in privacy.suppressed_cells(table):
            return ""
        return f" ({mkr(v)})"

    varav = ["varav Arbetsförmedlingen", "varav Försäkringskassan"]
    parts_shown = all(quoted(r, "Intäkt per år") for r in varav)
    parts = actors.loc[varav, "Intäkt per år"]
    together = f" ({mkr(parts.sum())} i intäkt per år)" if parts_shown else ""
    five = sav.loc["5 år"]
    gross = "Besparingen med schablonbelopp på 5 år" + (
        "" if pd.isna(five["Personer"]) else quoted("5 år", "Besparing", sav)
    )
    net = quoted("Samhället", "Resultat 5 år")
    return _join(
        [
            nr.Html('<div class="finsam-note"><h3>Så hänger siffrorna ihop</h3>'),
            nr.bullets(
                [
                    "Raderna ”varav Arbetsförmedlingen” och ”varav Försäkringskassan” är delar "
                    "av Staten, men inte hela staten: Staten omfattar också arbetsgivaravgifter, "
                    "statlig inkomstskatt, a-kassa och studiemedel från CSN. Därför blir "
                    f"varav-raderna tillsammans{together} inte "
                    f"Statens belopp{quoted('Staten', 'Intäkt per år')}. Samma sak gäller i "
                    "genomlysningen av RAR Sörmland 2020. Samhället är summan av kommun, region "
                    "och stat.",
                    f"De två femårstalen mäter olika saker. {gross} är en bruttosiffra: de som "
                    f"gick till arbete och/eller studier × {FLAT_RATE_SOURCE} × 5 år, utan "
                    "avdrag för vad insatserna kostade och under antagandet att alla förblir "
                    f"självförsörjande. Resultat 5 år för Samhället{net} är en nettosiffra: "
                    "förändrad försörjning, skatter och produktion för alla som avslutade, "
                    "också de som inte fick arbete, gånger fem år, minus insatsernas kostnad. "
                    "Talen ska inte jämföras med eller läggas till varandra.",
                ]
            ),
            nr.Html("</div>"),
        ]
    )


# --------------------------------------------------------------------------- target group

TARGET_SOURCE = "Målgruppsmodell efter SKL:s förstudie FINSAM 2016 (bilaga 4), egen bearbetning"


def _target_group_inputs(data: ReportData) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The population groups and the working-age population per association, from the data
    folder's ``target_group_sources`` and ``population`` tables (the embedded derived files, or
    the user's own from ``finsam init``); None when either is missing."""
    from .. import target_group as tg

    sources = data.inputs.load_table("target_group_sources")
    population = data.inputs.load_table("population")
    if sources is None or population is None:
        return None
    return (
        tg.to_level(sources, data.registry, "association"),
        tg.to_level(tg.working_age(population), data.registry, "association"),
    )


def target_group_tables(data: ReportData) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The association's estimated target group by population group and its coverage."""
    from .. import target_group as tg

    inputs = _target_group_inputs(data)
    if inputs is None:
        return None
    sources, working = inputs
    rows = data.participants_of()
    sources = sources[sources["area"] == data.association]
    if sources.empty:
        return None
    year = int(
        sources["year"][sources["year"] <= data.year].max()
        if (sources["year"] <= data.year).any()
        else sources["year"].min()
    )
    sources = sources[sources["year"] == year]
    sized = tg.size(sources, working_age_population=working)
    groups = sized[sized["group"] != tg.TOTAL]
    total = sized[sized["group"] == tg.TOTAL].iloc[0]
    t = pd.DataFrame(
        {
            "Antal i gruppen": groups["count"].to_numpy(),
            "Antagen andel": groups["share"].to_numpy(),
            "Bidrag till målgruppen": groups["contribution"].to_numpy(),
        },
        index=pd.Index(groups["label"].astype(str).to_numpy(), name="Befolkningsgrupp"),
    )
    t.loc["Målgruppen"] = [float("nan"), float("nan"), total["contribution"]]
    t.attrs = {"year": year, "sized": sized, "working_age": total["working_age_population"]}
    reached = (
        tg.reached(rows, data.year, level="association", registry=data.registry)
        if rows is not None
        else None
    )
    cov = None
    if reached is not None and not reached.empty:
        cov_t = tg.coverage(reached, tg.totals(sized).assign(year=data.year))
        n = int(cov_t["reached"].iloc[0])
        cov = pd.DataFrame(
            {
                "Antal": [n, round(float(cov_t["target_group"].iloc[0]))],
                "Andel": [float(cov_t["coverage"].iloc[0]), float("nan")],
            },
            index=pd.Index(
                [f"Personer i insatser {data.year}", "Beräknad målgrupp"], name="Täckningsgrad"
            ),
        )
        label = f"Personer i insatser {data.year}"
        key = cells.reached_key(str(data.association), data.year)
        cov = privacy.apply_pattern(
            cov,
            _pattern(data.pattern, "the coverage table"),
            {(label, "Antal"): [key], (label, "Andel"): [key]},
            counts=[(label, "Antal")],
            public=[("Beräknad målgrupp", "Antal")],
        )
        cov.attrs["coverage"] = cov_t
    return t, cov


def target_group_section(data: ReportData) -> nr.Html:
    """Målgrupp och täckningsgrad: the estimated target group, its sensitivity and coverage."""
    from .. import target_group as tg

    tables = target_group_tables(data)
    if tables is None:
        return nr.notice("Befolkningsuppgifter för målgruppsberäkningen saknas för förbundet.")
    t, cov = tables
    from ..plots import target_group as tg_plots

    inputs = _target_group_inputs(data)
    assert inputs is not None  # target_group_tables returned tables
    sources, working = inputs
    sources = sources[(sources["area"] == data.association) & (sources["year"] == t.attrs["year"])]
    sens = tg.sensitivity(sources, working_age_population=working)
    chart = tg_plots.tornado_chart(
        sens, title="Känslighet: målgruppens storlek när en andel ändras"
    )
    total = t.loc["Målgruppen", "Bidrag till målgruppen"]
    share = total / t.attrs["working_age"] if t.attrs["working_age"] else float("nan")
    parts = [
        nr.paragraph(
            f"Målgruppen för samordnad rehabilitering uppskattas som summan av befolkningsgrupper "
            f"gånger en antagen andel (modellen i SKL:s förstudie 2016). För {data.association} "
            f"{t.attrs['year']} blir det cirka {nr.fmt_count(round(total, -1))} personer"
            + (f", {nr.fmt_share(1)(share)} av befolkningen 16–64 år." if pd.notna(share) else ".")
            + " Andelarna är antaganden; diagrammet visar hur mycket resultatet beror på dem."
        ),
        nr.table(
            t,
            caption=f"Målgruppens storlek {t.attrs['year']}",
            source=TARGET_SOURCE,
            formatters={
                "Antal i gruppen": nr.fmt_count,
                "Antagen andel": nr.fmt_share(),
                "Bidrag till målgruppen": nr.fmt_count,
            },
        ),
    ]
    if cov is not None:
        parts.append(
            nr.table(
                cov,
                caption="Täckningsgrad: unika personer i individinriktade insatser ÷ målgruppen",
                source=TARGET_SOURCE,
                formatters={"Antal": nr.fmt_count, "Andel": nr.fmt_share(1)},
            )
        )
    parts.append(nr.figure(chart, alt="Målgruppens storlek när varje antagen andel ändras"))
    return _join(parts)


# --------------------------------------------------------------------------- portfolio

PORTFOLIO_SOURCE = "Insatsportfölj (beviljade medel), egen bearbetning"


def portfolio_frame(data: ReportData) -> pd.DataFrame | None:
    """The association's insatser, from every portfolio table of the data folder."""
    pf = data.inputs.load_table("portfolio")
    if pf is None:
        return None
    pf = pf[pf["association"] == data.association].reset_index(drop=True)
    return pf if not pf.empty else None


def portfolio_section(data: ReportData) -> nr.Html:
    """Insatsportfölj: insatser and granted money by owner and type."""
    from .. import portfolio as pfm
    from ..categories import INSATS_TYPE_LABELS, OWNER_LABELS
    from ..plots import portfolio as pf_plots

    pf = portfolio_frame(data)
    if pf is None:
        return nr.notice("Det finns ingen insatsportfölj för förbundet i datamappen.")
    parts = [
        nr.paragraph(
            f"{data.association} har {nr.fmt_count(len(pf))} insatser i portföljen "
            f"({pf['start_date'].min():%Y}–{pf['end_date'].max():%Y}), beviljade "
            f"{nr.fmt_mkr(1)(pf['granted_amount'].sum())} sammanlagt."
        )
    ]
    for by, title, labels in (
        ("owner", "Huvudman", OWNER_LABELS),
        ("type", "Typ av insats", INSATS_TYPE_LABELS),
    ):
        b = pfm.breakdown(pf, by, views=("every",))
        b = b[b["insatser"] > 0]
        t = pd.DataFrame(
            {
                "Insatser": b["insatser"].astype(int).to_numpy(),
                "Beviljade medel": b["amount"].to_numpy(),
                "Andel av medlen": b["share_amount"].to_numpy(),
            },
            index=pd.Index([labels.get(v, v) for v in b[by]], name=title),
        )
        parts.append(
            nr.table(
                t,
                caption=f"Insatser per {title.lower()}",
                source=PORTFOLIO_SOURCE,
                formatters={
                    "Insatser": nr.fmt_count,
                    "Beviljade medel": nr.fmt_mkr(1),
                    "Andel av medlen": nr.fmt_share(),
                },
            )
        )
    chart = pf_plots.breakdown_chart(pfm.breakdown(pf, "owner", views=("every",)), "owner")
    parts.append(nr.figure(chart, alt="Antal insatser och beviljade medel per huvudman"))
    return _join(parts)


# --------------------------------------------------------------------------- finances

FINANCE_SOURCE = "Budget och utfall per insats, egen bearbetning"


def budget_frame(data: ReportData) -> pd.DataFrame | None:
    """Budget and outcome per insats and year for the association: the data folder's
    insats_budget tables, else the published Not 3 of the annual report (RAR Sörmland 2021)."""
    from .. import funding

    ib = data.inputs.load_table("insats_budget")
    if ib is not None:
        ib = ib[ib["association"] == data.association]
    if (ib is None or ib.empty) and data.association == "RAR Sörmland":
        name = "published/seed004_insats_budget_2021"
        if data.inputs.has(name):
            ib = funding.insats_budget_from_published(
                data.inputs.load(name), association=data.association, year=2021
            )
    if ib is None or ib.empty:
        return None
    return ib.reset_index(drop=True)


def finance_section(data: ReportData) -> nr.Html:
    """Ekonomi och finansiering: the funding principle, budget use per year and per insats."""
    from .. import funding
    from ..plots import economics as econ_plots

    parts = [
        nr.paragraph(
            "Ett samordningsförbund finansieras till hälften av staten genom Försäkringskassan, "
            "till en fjärdedel av regionen och till en fjärdedel av kommunerna, som delar sin "
            "fjärdedel efter befolkningen 16–64 år (Finsam-lagen, 2003:1210)."
        )
    ]
    ib = budget_frame(data)
    if ib is None:
        parts.append(nr.notice("Budget och utfall per insats saknas för förbundet."))
        return _join(parts)
    util = funding.budget_utilisation(ib)
    totals = util[util["is_total"]].set_index("year").sort_index()
    t = pd.DataFrame(
        {
            "Budget": totals["budget"],
            "Utfall": totals["outcome"],
            "Förbrukningsgrad": totals["utilisation"],
        }
    )
    t.index = t.index.astype(str)
    t.index.name = "År"
    parts.append(
        nr.table(
            t,
            caption="Insatsernas budget och utfall per år",
            source=FINANCE_SOURCE,
            formatters={
                "Budget": nr.fmt_mkr(1),
                "Utfall": nr.fmt_mkr(1),
                "Förbrukningsgrad": nr.fmt_share(),
            },
        )
    )
    year = data.year if (util["year"] == data.year).any() else int(util["year"].max())
    this_year = util[(util["year"] == year)]
    chart = econ_plots.budget_chart(
        this_year, title=f"Budget och utfall per insats {year}", source=FINANCE_SOURCE
    )
    parts.append(nr.figure(chart, alt=f"Budget och utfall per insats {year}"))
    return _join(parts)


def county_links(data: ReportData) -> nr.Html:
    """Links from a county overview to the reports of its associations."""
    return nr.link_list(
        [(f"{a} – uppföljning {data.year}", paths.association_link(a)) for a in data.associations]
    )
