"""An attacker on the published tables of the reports, for the disclosure tests.

Written independently of :mod:`finsamlib.reports.cells`: each row's contribution to every
published figure comes from the library's own aggregations run with every row as a group of its
own (``by="_row"``), and the attacker solves with scipy's ``linprog`` on row level (one variable
per participant row, the number of persons like it). It reads the tables the section builders
publish, takes every shown figure as an equation (shares times their shown denominator as exact
counts, amounts to their printed precision), "<5" as 1 up to the threshold, and bounds each
hidden small count.

A count shown as ".." is either above the threshold (hidden to protect another) or a small count
whose "<5" would give it away (in a very small block the audit drops the mark's bound). The page
does not say which; this attacker is told (the truth decides), which only makes it stronger:
above the threshold when it is, else at least 1 (zeros are shown) with no upper bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from finsamlib import disclosure, economics, outcomes, privacy, supply
from finsamlib.categories import SUPPORT_CODES
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
    given), or with ``pattern=None`` none (for :func:`old_published`: every table suppressed on
    its own, as before the run-wide pattern)."""
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


def published(data: sections.ReportData, outcome: bool = True) -> dict[str, pd.DataFrame]:
    """Every participant table an association report (or with ``association`` None, a county
    overview) publishes, as the section builders return them (``outcome=False``: all but the
    outcome table, which every report of a year shares). Without a pattern: the tables as
    the reports published them before the run-wide pattern (:func:`old_published`)."""
    if data.pattern is None:
        return old_published(data, outcome)
    out: dict[str, pd.DataFrame] = {}
    table = sections.outcome_data(data) if outcome else None
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
                ended, dim, pattern=data.pattern, association=a, year=y
            )
    ch = supply.change(rows, year=y)
    if ch.attrs.get("included", 0):
        out["supply"] = sections.supply_table(ch, pattern=data.pattern, association=a, year=y)
    econ = sections.economics_tables(data)
    if econ is not None:
        out["savings"] = econ[0]
        if econ[1] is not None:
            out["actors"] = econ[1]
    return out


# --------------------------------------------------------------------------- the old method

#: The old method's outcome rows: counts, shares over the ended (suppressed by the count each
#: implies) and rows computed from one count.
OLD_OUTCOME_COUNTS = cells.OUTCOME_COUNTS
OLD_OUTCOME_SHARES = cells.OUTCOME_SHARE_COUNTS
OLD_OUTCOME_DERIVED = {
    "share_by_sex": "ended_registrations",
    "mean_enrolment_days": "ended_registrations",
    "work_fte": "work_count",
    "work_share": "work_count",
    "work_or_studies_fte": "work_or_studies_count",
}


def old_published(data: sections.ReportData, outcome: bool = True) -> dict[str, pd.DataFrame]:
    """The tables of :func:`published` as the reports published them before issue #10: each
    suppressed on its own (:func:`finsamlib.privacy.suppress`: small counts, what is computed
    from them, one more cell where a total would give one away). The library no longer
    publishes this way; the attack tests show what it let through."""
    threshold = data.threshold
    shown = replace(data, pattern=disclosure.Pattern(threshold=threshold, hidden={}))
    raw = published(shown, outcome=False)  # nothing hidden
    out: dict[str, pd.DataFrame] = {}
    if outcome:
        table = old_outcome_table(data)
        if table is not None:
            out["outcome"] = table
    if data.association is None:
        return out
    out["flows"] = old_flows_table(data)
    for name, t in raw.items():
        if name.startswith("profile:"):
            out[name] = privacy.suppress(
                t, threshold, counts=["Antal"], derived={"Andel": "Antal"}, total_row="Samtliga"
            )
        elif name == "supply":
            out[name] = privacy.suppress(
                t,
                threshold,
                counts=["Antal före", "Antal efter"],
                derived={
                    "Andel före": "Antal före",
                    "Andel efter": "Antal efter",
                    "Förändring (procentenheter)": ["Antal före", "Antal efter"],
                },
                total_row=sections.TOTAL_LABEL,
            )
        elif name == "savings":
            persons = out["flows"].at["Avslutade till arbete och/eller studier", "Antal"]
            if pd.isna(persons):  # the old method hid the savings with the hidden count
                t = privacy.suppress(
                    t.assign(Personer=3),
                    threshold,
                    counts=["Personer"],
                    derived={"Besparing": "Personer"},
                )
            out[name] = t
        elif name == "actors":
            out[name] = t  # the old method showed the money per actor as it was
    return out


def old_flows_table(data: sections.ReportData) -> pd.DataFrame:
    """The summary's flows as the old method published them."""
    shown = replace(data, pattern=disclosure.Pattern(threshold=data.threshold, hidden={}))
    t = sections.flows_table(shown)
    return privacy.suppress(
        t,
        data.threshold,
        counts=["Antal"],
        derived={"Andel": "Antal"},
        row_totals={"Avslutade deltagare": ["Avslutade till arbete och/eller studier"]},
    )


def old_outcome_table(data: sections.ReportData) -> pd.DataFrame | None:
    """The SUS outcome table of every association and county as the old method published it:
    all areas suppressed at once, Totalt = Kvinnor + Män and county = its associations protected
    against subtraction, each table on its own."""
    if data.participants is None or data.participants.empty:
        return None
    table = outcomes.outcome_table(data.participants, data.year, registry=data.registry)
    t = table.copy()
    t.columns = [f"{a}\x1f{s}" for a, s in t.columns]
    n = t.loc["ended_registrations"]
    aux = {}
    for row in OLD_OUTCOME_SHARES:
        key = f"_{row}_count"
        t.loc[key] = (t.loc[row] * n / 100).round()
        aux[row] = key
    column_totals: dict[str, list[str]] = {}
    areas = list(dict.fromkeys(a for a, _ in table.columns))
    for a in areas:
        if f"{a}\x1fTotalt" in t.columns:
            column_totals[f"{a}\x1fTotalt"] = [f"{a}\x1fKvinnor", f"{a}\x1fMän"]
    members_of: dict[str, list[str]] = {}
    for a, c in zip(data.registry["association"], data.registry["county"], strict=True):
        members_of.setdefault(str(c), []).append(str(a))
    for county, members in members_of.items():
        present = [m for m in dict.fromkeys(members) if m in areas]
        if county in areas and len(present) > 1:
            for sex in ("Totalt", "Kvinnor", "Män"):
                column_totals[f"{county}\x1f{sex}"] = [f"{m}\x1f{sex}" for m in present]
    s = privacy.suppress(
        t,
        data.threshold,
        count_rows=[*OLD_OUTCOME_COUNTS, *aux.values()],
        derived_rows={**OLD_OUTCOME_DERIVED, **aux},
        column_totals=column_totals,
    )
    s = s.drop(index=list(aux.values()))
    info = s.attrs[privacy.ATTR]
    s.columns = pd.MultiIndex.from_tuples(
        [tuple(c.split("\x1f")) for c in s.columns], names=["area", "sex"]
    )
    hidden = tuple(
        (r, tuple(c.split("\x1f")), reason)
        for r, c, reason in info["cells"]
        if r not in aux.values()
    )
    s.attrs = {
        **table.attrs,
        privacy.ATTR: privacy._Info(threshold=info["threshold"], cells=hidden),
    }
    return s


# --------------------------------------------------------------------------- per-row figures


class RowFigures:
    """Each row's contribution to every figure, from the definitions the library documents
    (outcomes, supply, economics). Written apart from ``finsamlib.reports.cells``; the attack
    checks that they give back every published figure (:func:`recovered`)."""

    def __init__(self, participants: pd.DataFrame, reg: pd.DataFrame) -> None:
        p = participants.reset_index(drop=True)
        assert not p["person_id"].duplicated().any(), "one registration per person here"
        self.p = p
        self.n = len(p)
        self.reg = reg
        self.start = pd.to_datetime(p["start_date"])
        self.end = pd.to_datetime(p["end_date"])

        def num(col: str) -> np.ndarray:
            return pd.to_numeric(p[col]).astype("Float64").to_numpy(dtype=float, na_value=np.nan)

        self.work_after = np.nan_to_num(num("work_extent_after"))
        self.after = self.work_after + np.nan_to_num(num("studies_extent_after"))
        self.before = np.nan_to_num(num("work_extent_before")) + np.nan_to_num(
            num("studies_extent_before")
        )
        self.age = self.start.dt.year.to_numpy(dtype=float) - num("birth_year")
        self.years = num("years_public_support_before")
        self.sex = p["sex"].astype(object).to_numpy()
        self.days = (self.end - self.start).dt.days.to_numpy(dtype=float, na_value=0.0)
        self.edu = p["education"].astype(object).to_numpy()
        self._cache: dict[tuple, object] = {}

    def assoc(self, a: str) -> np.ndarray:
        return (self.p["association"] == a).to_numpy()

    def ended(self, y: int) -> np.ndarray:
        key = ("ended", y)
        if key not in self._cache:
            self._cache[key] = (self.end.dt.year == y).fillna(False).to_numpy(dtype=bool)
        return self._cache[key]  # type: ignore[return-value]

    def flows(self, y: int) -> dict[str, np.ndarray]:
        first, last = pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 31)
        active = ((self.start <= last) & (self.end.isna() | (self.end >= first))).to_numpy()
        ended = active & self.ended(y)
        return {
            "registered": active * 1.0,
            "new": (active & (self.start.dt.year == y).to_numpy()) * 1.0,
            "ended": ended * 1.0,
            "ended_to_work_or_studies": (ended & (self.after > 0)) * 1.0,
        }

    def profile(self, y: int, dim: str, cat: str) -> np.ndarray:
        if dim == "sex":
            v = np.array([s if s in ("K", "M") else "unknown" for s in self.sex])
        elif dim == "education":
            known = ("compulsory_or_less", "upper_secondary", "post_secondary")
            v = np.array([e if e in known else "unknown" for e in self.edu])
        elif dim == "age_band":
            v = np.full(self.n, "unknown", dtype=object)
            for name, lo, hi in outcomes.AGE_BANDS:
                v[(self.age >= lo) & (self.age <= hi)] = name
        else:
            v = np.full(self.n, "unknown", dtype=object)
            for name, lo, hi in outcomes.SUPPORT_YEAR_BANDS:
                v[(self.years > lo) & (self.years <= hi)] = name
        return (self.ended(y) & (v == cat)) * 1.0

    def supply(self, y: int, side: str, cat: str) -> np.ndarray:
        both = self.p["support_before"].notna() & self.p["support_after"].notna()
        col = "support_before" if side == "count_before" else "support_after"
        return (self.ended(y) & both.to_numpy() & (self.p[col] == cat).to_numpy()) * 1.0

    def money(self, y: int) -> pd.DataFrame:
        key = ("money", y)
        if key not in self._cache:
            ended = self.p[self.ended(y) & self.p["support_after"].notna().to_numpy()]
            per_row = economics.revenue_by_row(ended, COSTS)
            self._cache[key] = per_row.reindex(range(self.n), fill_value=0.0)
        return self._cache[key]  # type: ignore[return-value]

    def area(self, area: str) -> np.ndarray:
        key = ("area", area)
        if key not in self._cache:
            members = self.reg.loc[self.reg["county"] == area, "association"].tolist()
            self._cache[key] = self.p["association"].isin(members or [area]).to_numpy()
        return self._cache[key]  # type: ignore[return-value]

    def outcome_vector(self, area: str, sex: str, y: int, indicator: str) -> np.ndarray:
        """A row's part of one outcome figure (a share as the count it implies, the mean
        enrolment time as the row's days), per the definitions of finsamlib.outcomes."""
        rows = self.ended(y) & self.area(area)
        if sex != outcomes.TOTAL:
            rows &= self.sex == {"Kvinnor": "K", "Män": "M"}[sex]
        days = self.days
        values = {
            "ended_registrations": np.ones(self.n),
            "unique_persons": np.ones(self.n),
            "share_under_30": np.nan_to_num(self.age, nan=np.inf) < 30,
            "share_support_over_3_years": np.nan_to_num(self.years, nan=0.0) > 3,
            "share_compulsory_or_less": self.edu == "compulsory_or_less",
            "share_post_secondary": self.edu == "post_secondary",
            "mean_enrolment_days": days,
            "work_count": self.work_after > 0,
            "work_fte": self.work_after / 100,
            "work_or_studies_count": self.after > 0,
            "work_or_studies_fte": np.minimum(self.after, 100) / 100,
            "work_or_studies_gained_count": self.after > self.before,
        }.get(indicator, np.zeros(self.n))  # share_by_sex, work_share: from two counts
        return np.where(rows, np.asarray(values, dtype=float), 0.0)


# --------------------------------------------------------------------------- the attack


@dataclass
class Observation:
    """What one published figure tells: ``low <= vector · x <= high``."""

    vector: np.ndarray
    low: float
    high: float
    name: str = ""


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
            obs.append(Observation(vec, float(v), float(v), name))
        elif reason == privacy.PRIMARY:
            obs.append(Observation(vec, 1.0, float(threshold), name))
            targets.append(Target(name, vec, true))
        elif reason == privacy.SECONDARY and 1 <= true <= threshold:
            obs.append(Observation(vec, 1.0, math.inf, name))  # a small count shown as ".."
            targets.append(Target(name, vec, true))
        elif reason == privacy.SECONDARY:
            obs.append(Observation(vec, float(threshold + 1), math.inf, name))

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
        vec = {k: f[k] * m for k in names.values()}
        for label, k in names.items():
            count(vec[k], t, label, "Antal", f"flows {a} {y} {k}")
        ended = t.at["Avslutade deltagare", "Antal"]
        share(vec["ended_to_work_or_studies"], ended, t, names_inv(names), "Andel")
    for dim in sections.PROFILE_DIMENSIONS:
        name = f"profile:{dim}"
        if name not in tables or a is None:
            continue
        t = tables[name]
        m = figs.assoc(a)
        total = t.at["Samtliga", "Antal"]
        categories = {
            "sex": ["K", "M", "unknown"],
            "education": ["compulsory_or_less", "upper_secondary", "post_secondary", "unknown"],
            "age_band": [b[0] for b in outcomes.AGE_BANDS] + ["unknown"],
            "support_years": [b[0] for b in outcomes.SUPPORT_YEAR_BANDS] + ["unknown"],
        }[dim]
        for cat in categories:
            label = sections._profile_label(dim, cat)
            if label not in t.index:
                continue
            vec = figs.profile(y, dim, cat) * m
            count(vec, t, label, "Antal", f"profile {a} {y} {dim} {cat}")
            share(vec, total, t, label, "Andel")
        count(figs.ended(y) * m * 1.0, t, "Samtliga", "Antal", f"{a} {y} ended")
    if "supply" in tables and a is not None:
        t = tables["supply"]
        m = figs.assoc(a)
        total = t.at["Samtliga", "Antal före"]
        n_vec = np.zeros(figs.n)
        for cat in SUPPORT_CODES:
            label = supply.category_label(cat)
            for side, col, scol in (
                ("count_before", "Antal före", "Andel före"),
                ("count_after", "Antal efter", "Andel efter"),
            ):
                vec = figs.supply(y, side, cat) * m
                if side == "count_before":
                    n_vec += vec
                if label in t.index:
                    count(vec, t, label, col, f"supply {a} {y} {side} {cat}")
                    share(vec, total, t, label, scol)
        count(n_vec, t, "Samtliga", "Antal före", f"supply {a} {y} n")
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
                            Observation(
                                vec, (float(v) - 0.5) * float(n), (float(v) + 0.5) * float(n)
                            )
                        )
                elif unit == "fte":
                    v = t.at[ind, (area, sex)]
                    if _shown(v):
                        obs.append(Observation(vec, float(v) - 0.05, float(v) + 0.05))
    if "savings" in tables and a is not None:
        t = tables["savings"]
        vec = figs.flows(y)["ended_to_work_or_studies"] * figs.assoc(a)
        count(vec, t, t.index[0], "Personer", f"savings {a} {y}")
    if "actors" in tables and a is not None:
        t = tables["actors"]
        money = figs.money(y)
        from finsamlib.categories import ACTOR_LABELS

        cost = economics.IMPLIED_COST_PER_PARTICIPANT
        n = float((figs.flows(y)["ended"] * figs.assoc(a)).sum())
        for actor in ACTORS:
            label = ACTOR_LABELS[actor]
            vec = money[actor].to_numpy() * figs.assoc(a)
            rev = t.at[label, "Intäkt per år"]
            if _shown(rev):  # printed in mnkr with one decimal
                obs.append(Observation(vec, float(rev) - 50_000, float(rev) + 50_000))
            res5 = t.at[label, "Resultat 5 år"]
            if _shown(res5):  # 5 R - cost, printed the same way
                c = cost[actor] * n
                obs.append(Observation(5 * vec, float(res5) + c - 50_000, float(res5) + c + 50_000))
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
    truth = A @ np.ones(n)  # every row is one registration: what was published must hold
    wrong = [o.name or i for i, o in enumerate(obs) if not lo[i] - 1e-6 <= truth[i] <= hi[i] + 1e-6]
    assert not wrong, wrong[:5]
    eq = lo == hi
    A_ub = np.vstack([A[~eq & np.isfinite(hi)], -A[~eq & np.isfinite(lo)]])
    b_ub = np.concatenate([hi[~eq & np.isfinite(hi)], -lo[~eq & np.isfinite(lo)]])
    unique: dict[bytes, Target] = {}
    for tgt in targets:  # the same count published twice is one target
        unique.setdefault(tgt.vector.tobytes(), tgt)
    targets = list(unique.values())

    def solve(c: np.ndarray) -> np.ndarray:
        res = linprog(
            c,
            A_ub=A_ub if len(b_ub) else None,
            b_ub=b_ub if len(b_ub) else None,
            A_eq=A[eq] if eq.any() else None,
            b_eq=lo[eq] if eq.any() else None,
            bounds=[(0, 1000)] * n,
            method="highs",
        )
        assert res.status == 0, res.message
        return res.x

    # a target is not pinned when two feasible points (the truth, all ones, is one) differ in
    # it by at least 1: try to push all of them at once first
    T = np.array([t.vector for t in targets])
    seen_lo = T @ np.ones(n)
    seen_hi = seen_lo.copy()
    for sense in (1.0, -1.0):
        x = solve(sense * T.sum(axis=0))
        seen_lo = np.minimum(seen_lo, T @ x)
        seen_hi = np.maximum(seen_hi, T @ x)
    out = {}
    for i, tgt in enumerate(targets):
        if math.floor(seen_hi[i] + 1e-6) - math.ceil(seen_lo[i] - 1e-6) >= 1:
            continue
        low = math.ceil(tgt.vector @ solve(tgt.vector) - 1e-6)
        high = math.floor(tgt.vector @ solve(-tgt.vector) + 1e-6)
        assert low <= tgt.true <= high, (tgt.name, low, tgt.true, high)
        if low == high:
            out[tgt.name] = (low, high)
    return out


def attack_run(
    participants: pd.DataFrame,
    reg: pd.DataFrame,
    *,
    threshold: int = 4,
    linked: bool = True,
    pattern: object = None,
) -> dict[str, tuple[int, int]]:
    """Attack every report of the generated data (each association and county, each year)
    together: the small counts recovered exactly. The reports use the run's pattern (or
    ``pattern`` when given; with ``linked`` False, every table is suppressed on its own)."""
    figs = RowFigures(participants, reg)
    obs: list[Observation] = []
    targets: list[Target] = []
    years = cells.report_years(participants)
    if pattern is None and linked:
        pattern = run_pattern(participants, reg, threshold)
    for y in years:
        for i, a in enumerate(sorted(set(participants["association"]))):
            data = report_data(
                participants, reg, y, association=a, threshold=threshold, pattern=pattern
            )
            o, t = observations(published(data, outcome=i == 0), figs, a, y, threshold)
            obs += o
            targets += t
    unique = {t.name: t for t in targets}
    return recovered(obs, list(unique.values()))
