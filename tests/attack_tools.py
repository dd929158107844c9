"""An attacker on the published tables of the reports, for the disclosure tests.

Written independently of :mod:`finsamlib.reports.cells`: each row's contribution to every
published figure comes from the library's own aggregations run with every row as a group of its
own (``by="_row"``), and the attacker solves with scipy's ``linprog`` on row level (one variable
per participant row, the number of persons like it). It reads the tables the section builders
publish, takes every shown figure as an equation (shares times their shown denominator as exact
counts, amounts to their printed precision), "<5" as 1 up to the threshold and a count shown as
".." as above it, and bounds each hidden small count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from finsamlib import economics, outcomes, privacy, supply
from finsamlib.reports import cells, sections
from finsamlib.reports.inputs import ReportInputs

INPUTS = ReportInputs(None)  # standard costs and the published national figures
COSTS = INPUTS.load("assumptions/standard_costs")
ACTORS = ("society", "kommun", "region", "state", "af", "fk")


# --------------------------------------------------------------------------- generated data


def registry(counties: dict[str, list[str]]) -> pd.DataFrame:
    rows = []
    for i, (county, members) in enumerate(counties.items()):
        for j, a in enumerate(members):
            rows.append(
                {
                    "association": a,
                    "county_code": f"9{i}",
                    "county": county,
                    "kommun_code": f"9{i}{j:02d}",
                    "kommun": f"Kommun {a}",
                }
            )
    return pd.DataFrame(rows)


def person(association: str, **kw: object) -> dict:
    """One registration in the canonical participants format (defaults: a woman of 36 with
    upper secondary school, 2 years of support, social assistance before, work after)."""
    row = {
        "association": association,
        "insats_id": f"{association}-1",
        "sex": "K",
        "birth_year": 1985,
        "kommun_code": "9000",
        "start_date": "2021-01-10",
        "end_date": "2021-06-30",
        "education": "upper_secondary",
        "years_public_support_before": 2.0,
        "support_before": "social_assistance",
        "support_after": "employment",
        "work_extent_before": 0.0,
        "work_extent_after": 100.0,
        "studies_extent_before": 0.0,
        "studies_extent_after": 0.0,
    }
    row.update(kw)
    return row


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df.insert(2, "person_id", [f"P{i:05d}" for i in range(len(df))])
    df["start_date"] = pd.to_datetime(df["start_date"])
    df["end_date"] = pd.to_datetime(df["end_date"])
    df["birth_year"] = df["birth_year"].astype("Int64")
    for c in (
        "years_public_support_before",
        "work_extent_before",
        "work_extent_after",
        "studies_extent_before",
        "studies_extent_after",
    ):
        df[c] = df[c].astype("Float64")
    for c in ("association", "insats_id", "sex", "kommun_code", "education"):
        df[c] = df[c].astype(object)
    df["support_after"] = df["support_after"].astype(object)
    df.loc[df["end_date"].isna(), ["support_after", "work_extent_after"]] = [None, pd.NA]
    return df


def report_data(
    participants: pd.DataFrame,
    reg: pd.DataFrame,
    year: int,
    *,
    association: str | None = None,
    county: str | None = None,
    threshold: int = 4,
    pattern: object = "run",
) -> sections.ReportData:
    """What a report of the generated data reads: with the run's pattern (``"run"``, or one
    given), or with ``pattern=None`` every table suppressed on its own, as before."""
    if association is not None:
        county = str(reg.loc[reg["association"] == association, "county"].iloc[0])
    if pattern == "run":
        pattern = run_pattern(participants, reg, threshold)
    return sections.ReportData(
        inputs=INPUTS,
        registry=reg,
        participants=participants,
        year=year,
        threshold=threshold,
        county=str(county),
        association=association,
        pattern=pattern,
    )


def run_pattern(participants: pd.DataFrame, reg: pd.DataFrame, threshold: int = 4):
    return cells.pattern_for(participants, reg, threshold, standard_costs=COSTS)


# --------------------------------------------------------------------------- published tables


def published(data: sections.ReportData) -> dict[str, pd.DataFrame]:
    """Every participant table an association report (or with ``association`` None, a county
    overview) publishes, as the section builders return them."""
    out: dict[str, pd.DataFrame] = {}
    table = sections.outcome_data(data)
    if table is not None:
        out["outcome"] = table
    a, y = data.association, data.year
    if a is None:
        return out
    out["flows"] = sections.flows_table(data)
    rows = data.participants_of()
    ended = outcomes.ended_in_year(rows, y)
    if len(ended):
        for dim in sections.PROFILE_DIMENSIONS:
            out[f"profile:{dim}"] = sections.profile_table(
                ended, dim, data.threshold, pattern=data.pattern, association=a, year=y
            )
    ch = supply.change(rows, year=y)
    if ch.attrs.get("included", 0):
        out["supply"] = sections.supply_table(
            ch, data.threshold, pattern=data.pattern, association=a, year=y
        )
    econ = sections.economics_tables(data)
    if econ is not None:
        out["savings"] = econ[0]
        if econ[1] is not None:
            out["actors"] = econ[1]
    return out


# --------------------------------------------------------------------------- per-row figures


class RowFigures:
    """Each row's contribution to every figure, from the library's own aggregations."""

    def __init__(self, participants: pd.DataFrame, reg: pd.DataFrame) -> None:
        self.p = participants.reset_index(drop=True).assign(_row=lambda d: np.arange(len(d)))
        self.n = len(self.p)
        self.reg = reg
        self._cache: dict[tuple, object] = {}

    def _of(self, mask: np.ndarray, values: pd.Series) -> np.ndarray:
        v = np.zeros(self.n)
        idx = values.index.to_numpy(dtype=int)
        v[idx] = values.to_numpy(dtype=float)
        return np.where(mask, np.nan_to_num(v), 0.0)

    def assoc(self, a: str) -> np.ndarray:
        return (self.p["association"] == a).to_numpy()

    def flows(self, y: int) -> pd.DataFrame:
        key = ("flows", y)
        if key not in self._cache:
            f = outcomes.participant_flows(self.p, y, by="_row")
            self._cache[key] = f.reindex(range(self.n)).fillna(0.0)
        return self._cache[key]  # type: ignore[return-value]

    def profile(self, y: int) -> pd.DataFrame:
        key = ("profile", y)
        if key not in self._cache:
            ended = outcomes.ended_in_year(self.p, y)
            prof = outcomes.participant_profile(ended, by="_row")
            self._cache[key] = prof.pivot_table(
                index="_row", columns=["dimension", "category"], values="count", fill_value=0
            ).reindex(range(self.n), fill_value=0)
        return self._cache[key]  # type: ignore[return-value]

    def supply(self, y: int) -> pd.DataFrame:
        key = ("supply", y)
        if key not in self._cache:
            ch = supply.change(self.p, by="_row", year=y)
            self._cache[key] = ch.pivot_table(
                index="_row", columns="category", values=["count_before", "count_after"]
            ).reindex(range(self.n), fill_value=0)
        return self._cache[key]  # type: ignore[return-value]

    def outcome(self, y: int) -> pd.DataFrame:
        key = ("outcome", y)
        if key not in self._cache:
            ended = outcomes.ended_in_year(self.p, y)
            self._cache[key] = outcomes.outcome_table(ended, y, by="_row")
        return self._cache[key]  # type: ignore[return-value]

    def money(self, y: int) -> pd.DataFrame:
        key = ("money", y)
        if key not in self._cache:
            ended = outcomes.ended_in_year(self.p, y)
            ended = ended[ended["support_after"].notna()]
            per_row = economics.revenue_by_row(ended, COSTS)
            per_row.index = ended["_row"].to_numpy()
            self._cache[key] = per_row.reindex(range(self.n), fill_value=0.0)
        return self._cache[key]  # type: ignore[return-value]

    def area(self, area: str) -> np.ndarray:
        members = self.reg.loc[self.reg["county"] == area, "association"].tolist()
        return self.p["association"].isin(members or [area]).to_numpy()

    def outcome_vector(self, area: str, sex: str, y: int, indicator: str) -> np.ndarray:
        """A row's part of one outcome figure: counts as they are, a share as the count it
        implies (1 or 0), the mean enrolment time as the row's days, FTE as they are."""
        o = self.outcome(y)
        v = np.zeros(self.n)
        for i in range(self.n):
            if (str(i), sex) in o.columns:  # outcome_table names its areas as text
                v[i] = o.at[indicator, (str(i), sex)]
        v = np.nan_to_num(v)
        if outcomes.INDICATOR_UNITS[indicator] == "percent":
            v = v / 100.0
        return np.where(self.area(area), v, 0.0)


# --------------------------------------------------------------------------- the attack


@dataclass
class Observation:
    """What one published figure tells: ``low <= vector · x <= high``."""

    vector: np.ndarray
    low: float
    high: float


@dataclass
class Target:
    name: str
    vector: np.ndarray
    true: float


def _shown(v: object) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and pd.notna(v)


def observations(
    tables: dict[str, pd.DataFrame],
    figs: RowFigures,
    a: str | None,
    y: int,
    threshold: int,
) -> tuple[list[Observation], list[Target]]:
    obs: list[Observation] = []
    targets: list[Target] = []

    def count(vec: np.ndarray, table: pd.DataFrame, r: object, c: object, name: str) -> None:
        v = table.at[r, c]
        reason = privacy.suppressed_cells(table).get((r, c))
        true = float(vec.sum())
        if _shown(v):
            obs.append(Observation(vec, float(v), float(v)))
        elif reason == privacy.PRIMARY:
            obs.append(Observation(vec, 1.0, float(threshold)))
            targets.append(Target(name, vec, true))
        elif reason == privacy.SECONDARY:
            obs.append(Observation(vec, float(threshold + 1), math.inf))

    def share(num: np.ndarray, den: float | None, table: pd.DataFrame, r, c, scale=1.0) -> None:
        v = table.at[r, c]
        if _shown(v) and den is not None and _shown(den):
            implied = float(v) * float(den) / scale
            obs.append(Observation(num, implied, implied))

    if "flows" in tables and a is not None:
        t = tables["flows"]
        f = figs.flows(y)
        m = figs.assoc(a)
        names = {
            "Deltagare under året": "registered",
            "Nya deltagare": "new",
            "Avslutade deltagare": "ended",
            "Avslutade till arbete och/eller studier": "ended_to_work_or_studies",
        }
        vec = {k: figs._of(m, f[k]) for k in names.values()}
        for label, k in names.items():
            count(vec[k], t, label, "Antal", f"flows {a} {y} {k}")
        ended = t.at["Avslutade deltagare", "Antal"]
        share(vec["ended_to_work_or_studies"], ended, t, names_inv(names), "Andel")
    for dim in sections.PROFILE_DIMENSIONS:
        name = f"profile:{dim}"
        if name not in tables or a is None:
            continue
        t = tables[name]
        prof = figs.profile(y)
        m = figs.assoc(a)
        total = t.at["Samtliga", "Antal"]
        for cat in prof[dim].columns:
            label = sections._profile_label(dim, cat)
            if label not in t.index:
                continue
            vec = figs._of(m, prof[(dim, cat)])
            count(vec, t, label, "Antal", f"profile {a} {y} {dim} {cat}")
            share(vec, total, t, label, "Andel")
        count(figs._of(m, prof[dim].sum(axis=1)), t, "Samtliga", "Antal", f"{a} {y} ended")
    if "supply" in tables and a is not None:
        t = tables["supply"]
        s = figs.supply(y)
        m = figs.assoc(a)
        total = t.at["Samtliga", "Antal före"]
        for cat in s["count_before"].columns:
            label = supply.category_label(str(cat))
            for side, col, scol in (
                ("count_before", "Antal före", "Andel före"),
                ("count_after", "Antal efter", "Andel efter"),
            ):
                vec = figs._of(m, s[(side, cat)])
                count(vec, t, label, col, f"supply {a} {y} {side} {cat}")
                share(vec, total, t, label, scol)
        count(figs._of(m, s["count_before"].sum(axis=1)), t, "Samtliga", "Antal före", "n")
    if "outcome" in tables:
        t = tables["outcome"]
        for area, sex in t.columns:
            if area.startswith(sections.NATION):
                continue
            n = t.at["ended_registrations", (area, sex)]
            for ind in t.index:
                vec = figs.outcome_vector(area, sex, y, ind)
                unit = outcomes.INDICATOR_UNITS[ind]
                name = f"outcome {area} {sex} {y} {ind}"
                if ind == "share_by_sex":
                    total = t.at["ended_registrations", (area, "Totalt")]
                    if sex != "Totalt":
                        nvec = figs.outcome_vector(area, sex, y, "ended_registrations")
                        share(nvec, total, t, ind, (area, sex), scale=100.0)
                elif ind == "work_share":
                    wvec = figs.outcome_vector(area, sex, y, "work_count")
                    share(wvec, n, t, ind, (area, sex), scale=100.0)
                elif unit == "count":
                    count(vec, t, ind, (area, sex), name)
                elif unit == "percent":
                    share(vec, n, t, ind, (area, sex), scale=100.0)
                    v = t.at[ind, (area, sex)]
                    reason = privacy.suppressed_cells(t).get((ind, (area, sex)))
                    if not _shown(v) and reason and 1 <= vec.sum() <= threshold:
                        targets.append(Target(name, vec, float(vec.sum())))
                elif unit == "days":
                    v = t.at[ind, (area, sex)]
                    if _shown(v) and _shown(n):
                        obs.append(
                            Observation(vec, (float(v) - 0.5) * float(n), (float(v) + 0.5) * float(n))
                        )
                elif unit == "fte":
                    v = t.at[ind, (area, sex)]
                    if _shown(v):
                        obs.append(Observation(vec, float(v) - 0.05, float(v) + 0.05))
    if "savings" in tables and a is not None:
        t = tables["savings"]
        f = figs.flows(y)
        vec = figs._of(figs.assoc(a), f["ended_to_work_or_studies"])
        count(vec, t, t.index[0], "Personer", f"savings {a} {y}")
    if "actors" in tables and a is not None:
        t = tables["actors"]
        money = figs.money(y)
        from finsamlib.categories import ACTOR_LABELS

        cost = economics.IMPLIED_COST_PER_PARTICIPANT
        n = float(figs._of(figs.assoc(a), figs.flows(y)["ended"]).sum())
        for actor in ACTORS:
            label = ACTOR_LABELS[actor]
            vec = figs._of(figs.assoc(a), money[actor])
            rev = t.at[label, "Intäkt per år"]
            if _shown(rev):  # printed in mnkr with one decimal
                obs.append(Observation(vec, float(rev) - 50_000, float(rev) + 50_000))
            res5 = t.at[label, "Resultat 5 år"]
            if _shown(res5):  # 5 R - cost, printed the same way
                c = cost[actor] * n
                obs.append(
                    Observation(5 * vec, float(res5) + c - 50_000, float(res5) + c + 50_000)
                )
    return obs, targets


def names_inv(names: dict[str, str]) -> str:
    return next(label for label, k in names.items() if k == "ended_to_work_or_studies")


def recovered(obs: list[Observation], targets: list[Target]) -> dict[str, tuple[int, int]]:
    """The hidden small counts the attacker pins to one whole number, with their bounds."""
    if not targets:
        return {}
    A = np.array([o.vector for o in obs])
    lo = np.array([o.low for o in obs])
    hi = np.array([o.high for o in obs])
    n = A.shape[1]
    eq = lo == hi
    A_ub = np.vstack([A[~eq & np.isfinite(hi)], -A[~eq & np.isfinite(lo)]])
    b_ub = np.concatenate([hi[~eq & np.isfinite(hi)], -lo[~eq & np.isfinite(lo)]])
    out = {}
    for tgt in targets:
        bounds = []  # min, max
        for sense in (1.0, -1.0):
            res = linprog(
                sense * tgt.vector,
                A_ub=A_ub if len(b_ub) else None,
                b_ub=b_ub if len(b_ub) else None,
                A_eq=A[eq] if eq.any() else None,
                b_eq=lo[eq] if eq.any() else None,
                bounds=[(0, 1000)] * n,
                method="highs",
            )
            assert res.status == 0, (tgt.name, res.message)
            bounds.append(sense * res.fun)
        low, high = math.ceil(bounds[0] - 1e-6), math.floor(bounds[1] + 1e-6)
        assert low <= tgt.true <= high, (tgt.name, low, tgt.true, high)
        if low == high:
            out[tgt.name] = (low, high)
    return out


def attack_run(
    participants: pd.DataFrame, reg: pd.DataFrame, *, threshold: int = 4, linked: bool = True
) -> dict[str, tuple[int, int]]:
    """Attack every report of the generated data (each association and county, each year)
    together: the small counts recovered exactly."""
    figs = RowFigures(participants, reg)
    obs: list[Observation] = []
    targets: list[Target] = []
    years = cells.report_years(participants)
    pattern = run_pattern(participants, reg, threshold) if linked else None
    for y in years:
        for a in sorted(set(participants["association"])):
            data = report_data(
                participants, reg, y, association=a, threshold=threshold, pattern=pattern
            )
            o, t = observations(published(data), figs, a, y, threshold)
            obs += o
            targets += t
    unique = {t.name: t for t in targets}
    return recovered(obs, list(unique.values()))
