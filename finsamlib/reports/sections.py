"""The sections of the report notebooks: indicator calls, suppression, tables and charts.

Each ``*_section`` function takes the :class:`ReportData` of one report and returns the
:class:`~finsamlib.narrative.Html` of one section, so a report notebook is a heading and one
call per section, and everything it shows is computed (and tested) here. The table builders
(``*_table``) are separate, pure and tested on their own: they return the table as published,
already suppressed (:func:`finsamlib.privacy.suppress`), and every chart is drawn from such a
table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import __version__, privacy, supply
from .. import narrative as nr
from ..privacy import DEFAULT_THRESHOLD
from . import paths
from .inputs import ReportInputs

SUS_SOURCE = "SUS-uppföljning av deltagare (syntetiska data i demonstrationen), egen bearbetning"


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

    @property
    def synthetic(self) -> bool:
        return self.inputs.synthetic


def _valid(value: str, valid: list[str], what: str) -> str:
    if value in valid:
        return value
    raise KeyError(f"unknown {what} {value!r}; valid: {', '.join(valid)}")


def load(
    *,
    association: str | None = None,
    county: str | None = None,
    year: int,
    data_dir: str | Path | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    generated_at: str | None = None,
) -> ReportData:
    """Load the inputs of an association report (``association``) or a county overview
    (``county``) from a data folder (None: the embedded data)."""
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
    participants = inputs.load_table("participants")
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
    )


# --------------------------------------------------------------------------- header and sources


def header(data: ReportData) -> nr.Html:
    """The page title (and the synthetic-data banner when a synthetic input went in)."""
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
    return nr.header(title, subtitle, synthetic=data.synthetic)


def sources_section(data: ReportData) -> nr.Html:
    """ "Datakällor och metod": input files with provenance and SHA-256, parameters, method."""
    return nr.sources_section(
        data.inputs.sources_table(),
        data.parameters,
        threshold=data.threshold,
        version=__version__,
        generated_at=data.generated_at,
    )


# --------------------------------------------------------------------------- supply before/after

SUPPLY_COLUMNS = {
    "count_before": "Antal före",
    "share_before": "Andel före",
    "count_after": "Antal efter",
    "share_after": "Andel efter",
    "change_pp": "Förändring (procentenheter)",
}
TOTAL_LABEL = "Samtliga"


def supply_table(change: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The published supply table from one group of :func:`finsamlib.supply.change`.

    Rows: the categories (Swedish labels) and ``Samtliga``; columns: count and share before and
    after and the change in percentage points. Suppressed: small counts, their shares and
    changes, and a second count wherever the total would reveal a hidden one.
    """
    if change["category"].duplicated().any():
        raise ValueError("supply_table needs one group of supply.change (categories repeat)")
    t = change.set_index("label")[list(SUPPLY_COLUMNS)].rename(columns=SUPPLY_COLUMNS)
    t.index.name = "Försörjning"
    n = int(change["n"].iloc[0]) if len(change) else 0
    t.loc[TOTAL_LABEL] = [n, 1.0 if n else float("nan"), n, 1.0 if n else float("nan"), 0.0]
    t["Antal före"] = t["Antal före"].astype(int)
    t["Antal efter"] = t["Antal efter"].astype(int)
    return privacy.suppress(
        t,
        threshold,
        counts=["Antal före", "Antal efter"],
        derived={
            "Andel före": "Antal före",
            "Andel efter": "Antal efter",
            "Förändring (procentenheter)": ["Antal före", "Antal efter"],
        },
        total_row=TOTAL_LABEL,
    )


def supply_chart_table(change: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """``change`` with the suppression of its published table applied (for the charts)."""
    out = change.copy()
    label_of = dict(zip(out["label"], out.index, strict=True))
    hidden = privacy.suppressed_cells(published)
    column_map = {
        "Antal före": ["count_before", "share_before", "share_before_low", "share_before_high"],
        "Antal efter": ["count_after", "share_after", "share_after_low", "share_after_high"],
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
    return out


def supply_section(data: ReportData) -> nr.Html:
    """Försörjning före och efter: table and chart for the association's ended participants."""
    rows = data.participants_of()
    if rows is None or rows.empty:
        return nr.notice("Det finns inga deltagaruppgifter för förbundet.")
    ch = supply.change(rows, year=data.year)
    if ch.attrs.get("included", 0) == 0:
        return nr.notice(f"Inga deltagare avslutade en insats {data.year}.")
    published = supply_table(ch, data.threshold)
    from ..plots import supply as supply_plots

    chart = supply_plots.before_after_bars(
        supply_chart_table(ch, published),
        title=f"Försörjning före och efter insats, avslutade {data.year}",
        source=SUS_SOURCE,
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
            source=SUS_SOURCE,
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


def county_links(data: ReportData) -> nr.Html:
    """Links from a county overview to the reports of its associations."""
    return nr.link_list(
        [(f"{a} – uppföljning {data.year}", paths.association_link(a)) for a in data.associations]
    )


# --------------------------------------------------------------------------- summary


def key_figures_table(data: ReportData) -> pd.DataFrame:
    """The key figures of an association's year, suppressed: one row per figure with a count
    (``Antal``) and, where it is a share, the share (``Andel``) of the ended participants."""
    rows = data.participants_of()
    records: list[tuple[str, float, float]] = []
    if rows is not None and not rows.empty:
        ws = supply.work_or_studies_share(rows, year=data.year).set_index("category")
        n = int(ws.attrs.get("included", 0))
        records.append(("Avslutade deltagare med känd försörjning före och efter", n, float("nan")))
        for key, label in (
            ("work_or_studies", "Arbete och/eller studier efter insats"),
            ("work", "Arbete efter insats"),
        ):
            if n:
                records.append((label, int(ws.loc[key, "count_after"]), ws.loc[key, "share_after"]))
    t = pd.DataFrame(records, columns=["Nyckeltal", "Antal", "Andel"]).set_index("Nyckeltal")
    if t.empty:
        return privacy.suppress(t, data.threshold, counts=[])
    t["Antal"] = t["Antal"].astype(int)
    return privacy.suppress(t, data.threshold, counts=["Antal"], derived={"Andel": "Antal"})


def summary_section(data: ReportData) -> nr.Html:
    """Sammanfattning: key figures as boxes and a sentence each."""
    t = key_figures_table(data)
    if t.empty:
        return nr.notice(f"Det finns inga deltagaruppgifter för {data.association} {data.year}.")
    shown = privacy.display_values(t, {"Antal": nr.fmt_count, "Andel": nr.fmt_share()}, missing="")
    boxes = []
    for label, row in shown.iterrows():
        value = row["Andel"] if row["Andel"] else row["Antal"]
        boxes.append((str(label), str(value)))
    return nr.key_figures(boxes)
