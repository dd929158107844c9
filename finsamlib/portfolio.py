"""The insats portfolio: breakdowns by owner, target group, type, financing, year and partner.

Seed 003 (§2.1.2, tables 1–6) analyses the portfolio of RAR Sörmland 2014–2019 by counting
insatser and summing the granted money per huvudman (owner), per primary target group and per
type (individual/structural). An insats can list several target groups (and partners), so a
breakdown by such a column needs a rule for what an insats with several groups counts for. This
module reports three **views**, named in the ``view`` column of every breakdown:

``every``
    The insats is counted, with its whole amount, in every group it lists (seed 003 table 5:
    "Summeringarna har dock varit svåra att göra med full exakthet, då det i vissa fall finns
    flera målgrupper angivna för en insats" — its groups sum to 72,8 Mkr of 70,2). Counts and
    amounts add up to more than the totals when some insats lists several groups.
``allocated``
    The insats and its amount are split equally among the groups it lists (1/k each of k
    groups), so counts and amounts add up exactly to the number of insatser and the total.
``primary``
    Only the first listed group counts ("primär målgrupp", seed 003 §2.1.2.2 and table 4).

For a single-valued column (owner, type, financing, year) the three views are identical. An
empty list counts as the group :data:`UNDEFINED_GROUP` ("Ej definierad", the label seed 003 uses
for insatser whose target group or huvudman could not be read).

Budget utilisation (outcome ÷ budget per insats, with the total recomputed from the sums) is
:func:`finsamlib.funding.budget_utilisation`, also reachable here as :data:`utilisation`.

Spending over time spreads each insats's granted amount over its period pro rata by **days**
(default: every day from start to end date inclusive carries the same amount) or by **months**
(every calendar month the period touches carries the same amount); see
:func:`spending_per_year`.

**Participants per insats.** A participant table (canonical ``participants``, e.g. a SUS export)
names the insats of every registration in ``insats_id``; joined with the portfolio on
(``association``, ``insats_id``) — on ``insats_id`` alone when either table has no
``association`` column — it gives the participants of each insats
(:func:`participants_per_insats`), the money per participant (:func:`cost_per_participant`) and a
reviewer's check that every registration belongs to an individual insats of the portfolio that
runs when it starts (:func:`check_participant_insatser`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from . import categories as cat
from .errors import FinsamDataError
from .funding import budget_utilisation

View = Literal["every", "allocated", "primary"]
VIEWS: tuple[View, ...] = ("every", "allocated", "primary")

#: Separator of the list columns ``partners`` and ``target_groups`` (docs/data-model.md).
LIST_SEPARATOR = ";"
#: The group an insats falls in when its list is empty (seed 003's "Ej definierad").
UNDEFINED_GROUP = cat.OWNER_LABELS["undefined"]

#: Breakdown dimensions that are not plain columns: name -> (column, is a ``;``-list).
DIMENSIONS: dict[str, tuple[str, bool]] = {
    "owner": ("owner", False),
    "type": ("type", False),
    "financing": ("financing", False),
    "association": ("association", False),
    "target_group": ("target_groups", True),
    "partner": ("partners", True),
    "year": ("start_date", False),
}

#: The codes of coded dimensions, in report order (empty groups are shown with 0).
CODED: dict[str, tuple[str, ...]] = {
    "owner": tuple(cat.OWNER_LABELS),
    "type": tuple(cat.INSATS_TYPE_LABELS),
    "financing": tuple(cat.FINANCING_LABELS),
}

SpreadMethod = Literal["days", "months"]


# --------------------------------------------------------------------------- helpers


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(
            f"{what} needs the column(s) {', '.join(missing)}; "
            f"the table has {', '.join(map(str, df.columns))}"
        )


def split_list(values: pd.Series, undefined: str = UNDEFINED_GROUP) -> pd.Series:
    """Split a ``;``-separated list column into lists of stripped names (empty -> [undefined])."""

    def parse(v: object) -> list[str]:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return [undefined]
        items = [s.strip() for s in str(v).split(LIST_SEPARATOR)]
        items = [s for s in items if s]
        return items or [undefined]

    return values.map(parse)


def _groups(portfolio: pd.DataFrame, dimension: str) -> pd.Series:
    """The list of groups each insats belongs to along one dimension."""
    column, is_list = DIMENSIONS.get(dimension, (dimension, False))
    _require(portfolio, [column], f"a breakdown by {dimension!r}")
    values = portfolio[column]
    if dimension == "year":
        return values.map(lambda d: [int(pd.Timestamp(d).year)] if pd.notna(d) else [None])
    if is_list:
        return split_list(values)
    return values.map(lambda v: [v if pd.notna(v) else "undefined"])


def _long(portfolio: pd.DataFrame, by: Sequence[str], view: View, amount: str) -> pd.DataFrame:
    """One row per insats and group combination, with its weight in the view."""
    rows = pd.DataFrame({"_insats": np.arange(len(portfolio)), "_amount": portfolio[amount]})
    rows["_weight"] = 1.0
    for dim in by:
        groups = _groups(portfolio, dim).reset_index(drop=True)
        if view == "primary":
            groups = groups.map(lambda g: g[:1])
        k = groups.map(len)
        rows[dim] = rows["_insats"].map(groups)
        if view == "allocated":
            rows["_weight"] = rows["_weight"] / rows["_insats"].map(k)
        rows = rows.explode(dim, ignore_index=True)
    return rows


# --------------------------------------------------------------------------- breakdowns


def breakdown(
    portfolio: pd.DataFrame,
    by: str | Sequence[str],
    views: Sequence[View] = ("every", "allocated"),
    amount: str = "granted_amount",
    include_empty: bool = True,
) -> pd.DataFrame:
    """Count insatser and sum their money per group, in one or more views.

    Parameters
    ----------
    portfolio : a canonical ``portfolio`` table (one row per insats).
    by : a dimension (``owner``, ``type``, ``financing``, ``target_group``, ``partner``,
        ``year`` = start year, ``association``) or any column name; a list gives a cross-tab.
    views : which of ``every``, ``allocated``, ``primary`` to report (see the module docstring).
    amount : the money column (kr).
    include_empty : show every code of a coded dimension (owner, type, financing) even when no
        insats has it (count 0, mean NaN), as seed 003 tables 1–3 show Region and FK.

    Returns
    -------
    DataFrame with columns ``view``, the ``by`` dimensions, ``insatser`` (fractional in the
    allocated view), ``amount`` (kr), ``mean_amount`` (kr per insats; NaN for an empty group),
    ``share_insatser`` (of all insatser; in the ``every`` view these can sum to more than 1) and
    ``share_amount`` (of the total amount).

    Examples
    --------
    >>> df = pd.DataFrame({"owner": ["Kommun", "LSG"], "target_groups": ["Unga;Psykisk ohälsa",
    ...     None], "granted_amount": [100.0, 50.0]})
    >>> breakdown(df, "target_group", views=["allocated"])[["target_group", "amount"]]
    ... # doctest: +NORMALIZE_WHITESPACE
         target_group  amount
    0  Psykisk ohälsa    50.0
    1            Unga    50.0
    2   Ej definierad    50.0
    """
    dims = [by] if isinstance(by, str) else list(by)
    if not dims:
        raise ValueError("breakdown needs at least one dimension in 'by'")
    unknown = [v for v in views if v not in VIEWS]
    if unknown or not views:
        raise ValueError(f"unknown view(s) {unknown}; choose among {', '.join(VIEWS)}")
    _require(portfolio, [amount], "breakdown")
    n_insatser = len(portfolio)
    total = float(pd.to_numeric(portfolio[amount]).sum())
    frames = []
    for view in views:
        rows = _long(portfolio, dims, view, amount)
        rows["_money"] = rows["_amount"].astype(float) * rows["_weight"]
        out = (
            rows.groupby(dims, dropna=False, sort=False)
            .agg(insatser=("_weight", "sum"), amount=("_money", "sum"))
            .reset_index()
        )
        if include_empty and len(dims) == 1 and dims[0] in CODED:
            codes = pd.DataFrame({dims[0]: list(CODED[dims[0]])})
            extra = out[~out[dims[0]].isin(codes[dims[0]])]
            out = pd.concat([codes.merge(out, how="left", on=dims[0]), extra], ignore_index=True)
            out[["insatser", "amount"]] = out[["insatser", "amount"]].fillna(0.0)
        else:
            out = _sort_groups(out, dims)
        out.insert(0, "view", view)
        frames.append(out)
    result = pd.concat(frames, ignore_index=True)
    result["insatser"] = result["insatser"].astype(float)
    result["amount"] = result["amount"].astype(float)
    result["mean_amount"] = result["amount"] / result["insatser"].where(result["insatser"] > 0)
    result["share_insatser"] = result["insatser"] / n_insatser if n_insatser else np.nan
    result["share_amount"] = result["amount"] / total if total else np.nan
    result.attrs["n_insatser"] = n_insatser
    result.attrs["total_amount"] = total
    result.attrs["provenance"] = portfolio.attrs.get("provenance")
    return result


def _sort_groups(out: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Alphabetical (numbers ascending), with the undefined group last."""
    keys = []
    for d in dims:
        keys.append(out[d].map(lambda v: v in (UNDEFINED_GROUP, "undefined") or v is None))
    key_frame = pd.DataFrame({f"_u{i}": k for i, k in enumerate(keys)})
    ordered = pd.concat([out, key_frame], axis=1)
    sort_cols = []
    for i, d in enumerate(dims):
        sort_cols += [f"_u{i}", d]
    ordered = ordered.sort_values(sort_cols, key=lambda s: s.astype(str), kind="stable")
    return ordered.drop(columns=[f"_u{i}" for i in range(len(dims))]).reset_index(drop=True)


def by_pattern(
    portfolio: pd.DataFrame,
    patterns: Mapping[str, str],
    column: str = "name",
    amount: str = "granted_amount",
) -> pd.DataFrame:
    """Count and sum the insatser whose ``column`` matches each regular expression.

    For groupings that the portfolio table has no column for, e.g. seed 003 table 6 (money for
    processledare and support to ESF projects): ``{"Processledare": "^Processledare",
    "Stöd till ESF-projekt": "ESF"}``. Matching is case-insensitive; an insats matching several
    patterns is counted in each. Returns ``group``, ``insatser``, ``amount``.
    """
    _require(portfolio, [column, amount], "by_pattern")
    rows = []
    text = portfolio[column].astype(str)
    for label, pattern in patterns.items():
        hit = text.str.contains(pattern, case=False, regex=True, na=False)
        rows.append(
            {
                "group": label,
                "insatser": int(hit.sum()),
                "amount": float(portfolio.loc[hit, amount].sum()),
            }
        )
    return pd.DataFrame(rows, columns=["group", "insatser", "amount"])


# --------------------------------------------------------------------------- over time


def _periods(portfolio: pd.DataFrame, open_end: object | None) -> tuple[pd.Series, pd.Series]:
    _require(portfolio, ["start_date", "end_date"], "spreading over time")
    start = pd.to_datetime(portfolio["start_date"])
    end = pd.to_datetime(portfolio["end_date"])
    if end.isna().any():
        if open_end is None:
            ids = portfolio.get("insats_id", pd.Series(portfolio.index)).astype(str)
            missing = ", ".join(ids[end.isna()].head(10))
            raise ValueError(
                f"insatser without an end date cannot be spread over time ({missing}); "
                "pass open_end=<date> to end them there"
            )
        end = end.fillna(pd.Timestamp(open_end))
    if start.isna().any():
        raise ValueError("every insats needs a start_date to be spread over time")
    if (end < start).any():
        raise ValueError("an insats ends before it starts (or before open_end)")
    return start, end


def spending_per_year(
    portfolio: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    method: SpreadMethod = "days",
    amount: str = "granted_amount",
    open_end: object | None = None,
    view: View = "allocated",
) -> pd.DataFrame:
    """Spread each insats's amount over the years of its period.

    ``method="days"``: every day from ``start_date`` to ``end_date`` (both inclusive) carries
    the same share, so a year gets amount × (days of the period in that year) / (days of the
    period). ``method="months"``: every calendar month the period touches carries the same
    share (a period from 15 March to 14 April counts two months). Insatser without an end date
    raise unless ``open_end`` gives one. ``by`` groups the result (e.g. ``"type"``); list-valued
    dimensions use ``view`` (default ``allocated``, so the years sum to the total).

    Returns columns ``by…``, ``year``, ``amount``; the amounts over all years equal the total.
    """
    _require(portfolio, [amount], "spending_per_year")
    if method not in ("days", "months"):
        raise ValueError("method must be 'days' or 'months'")
    start, end = _periods(portfolio, open_end)
    dims = [] if by is None else ([by] if isinstance(by, str) else list(by))
    pieces = []
    for i in range(len(portfolio)):
        s, e = start.iloc[i], end.iloc[i]
        if method == "days":
            days = pd.date_range(s.normalize(), e.normalize(), freq="D")
            per_year = pd.Series(1.0, index=days).groupby(days.year).sum()
        else:
            months = pd.period_range(s, e, freq="M")
            per_year = pd.Series(1.0, index=months).groupby(months.year).sum()
        weights = per_year / per_year.sum()
        pieces.append(
            pd.DataFrame(
                {
                    "_insats": i,
                    "year": weights.index.astype(int),
                    "_share": weights.to_numpy(),
                }
            )
        )
    spread = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
    if dims:
        rows = _long(portfolio, dims, view, amount)
        spread = spread.merge(rows, on="_insats")
    else:
        spread["_amount"] = portfolio[amount].to_numpy()[spread["_insats"]]
        spread["_weight"] = 1.0
    spread["amount"] = spread["_amount"].astype(float) * spread["_weight"] * spread["_share"]
    out = spread.groupby([*dims, "year"], sort=True)["amount"].sum().reset_index()
    out.attrs["provenance"] = portfolio.attrs.get("provenance")
    out.attrs["method"] = method
    return out


def structural_share(
    portfolio: pd.DataFrame,
    method: SpreadMethod = "days",
    amount: str = "granted_amount",
    open_end: object | None = None,
) -> pd.DataFrame:
    """Individual (I) and structural (S) money per year and the structural share.

    Returns ``year``, ``individual``, ``structural`` (kr) and ``share_structural`` (0–1).
    """
    spent = spending_per_year(portfolio, by="type", method=method, amount=amount, open_end=open_end)
    wide = spent.pivot_table(index="year", columns="type", values="amount", aggfunc="sum")
    wide = wide.reindex(columns=list(cat.INSATS_TYPE_LABELS)).fillna(0.0)
    out = pd.DataFrame(
        {
            "year": wide.index.astype(int),
            "individual": wide["I"].to_numpy(),
            "structural": wide["S"].to_numpy(),
        }
    )
    total = out["individual"] + out["structural"]
    out["share_structural"] = out["structural"] / total.where(total > 0)
    out.attrs["provenance"] = portfolio.attrs.get("provenance")
    return out


def active_at(portfolio: pd.DataFrame, date: object) -> pd.DataFrame:
    """The insatser running on ``date`` (started on or before it, not ended before it)."""
    _require(portfolio, ["start_date", "end_date"], "active_at")
    when = pd.Timestamp(date)
    start = pd.to_datetime(portfolio["start_date"])
    end = pd.to_datetime(portfolio["end_date"])
    mask = (start <= when) & (end.isna() | (end >= when))
    return portfolio.loc[mask.to_numpy()].reset_index(drop=True)


def active_counts(
    portfolio: pd.DataFrame, dates: Iterable[object], by: str | None = None
) -> pd.DataFrame:
    """How many insatser run on each date (optionally per single-valued column ``by``)."""
    rows = []
    for d in dates:
        active = active_at(portfolio, d)
        if by is None:
            rows.append({"date": pd.Timestamp(d), "insatser": len(active)})
        else:
            _require(portfolio, [by], "active_counts")
            for key, n in active[by].value_counts(sort=False).items():
                rows.append({"date": pd.Timestamp(d), by: key, "insatser": int(n)})
    cols = ["date", "insatser"] if by is None else ["date", by, "insatser"]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- budget

#: Budget utilisation per insats and in total lives with the other money indicators:
#: :func:`finsamlib.funding.budget_utilisation` (re-exported here for discoverability).
utilisation = budget_utilisation


# --------------------------------------------------------------------------- participants

#: Descriptive portfolio columns carried into the per-insats tables (when the portfolio has them).
INSATS_COLUMNS: tuple[str, ...] = ("name", "type", "owner", "financing")
#: The problems :func:`check_participant_insatser` reports, with what each means.
INSATS_PROBLEMS: dict[str, str] = {
    "missing": "the insats id is not in the association's portfolio",
    "not_individual": "the insats is in the portfolio but not individual (type I)",
    "starts_outside_period": "registrations start before the insats starts or after it ends",
}
ParticipantCount = Literal["persons", "registrations"]


def _join_keys(portfolio: pd.DataFrame, participants: pd.DataFrame) -> list[str]:
    """(association, insats_id) when both tables have an association column, else insats_id."""
    _require(portfolio, ["insats_id"], "joining participants to the portfolio")
    _require(participants, ["insats_id"], "joining the participants to a portfolio")
    both = "association" in portfolio.columns and "association" in participants.columns
    return ["association", "insats_id"] if both else ["insats_id"]


def _insats_info(portfolio: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per insats (keys + descriptive columns); duplicated keys are a data error."""
    columns = keys + [c for c in (*INSATS_COLUMNS, "start_date", "end_date") if c in portfolio]
    info = portfolio[columns].reset_index(drop=True)
    dup = info.duplicated(keys, keep=False)
    if dup.any():
        ids = ", ".join(sorted(info.loc[dup, "insats_id"].astype(str).unique())[:10])
        raise FinsamDataError(
            portfolio.attrs.get("source", "portfolio"),
            f"one row per insats ({' and '.join(keys)} unique); found several for {ids}",
        )
    return info


def _counts(regs: pd.DataFrame, keys: list[str], year: int | None) -> pd.DataFrame:
    """Registrations, distinct persons, ended and ongoing registrations per insats."""
    _require(regs, ["person_id", "start_date", "end_date"], "counting participants per insats")
    end = pd.to_datetime(regs["end_date"])
    ended = end.notna() if year is None else (end.dt.year == year).fillna(False)
    frame = regs[keys].copy()
    frame["_person"] = regs["person_id"].to_numpy()
    frame["_ended"] = ended.to_numpy(dtype=bool)
    out = (
        frame.groupby(keys, sort=False, dropna=False)
        .agg(
            registrations=("_person", "size"),
            persons=("_person", "nunique"),
            ended=("_ended", "sum"),
        )
        .reset_index()
    )
    out["ongoing"] = out["registrations"] - out["ended"]
    return out


def participants_per_insats(
    portfolio: pd.DataFrame,
    participants: pd.DataFrame,
    year: int | None = None,
    types: Sequence[str] | None = ("I",),
) -> pd.DataFrame:
    """Registrations, distinct persons and ended registrations per insats.

    Parameters
    ----------
    portfolio : canonical ``portfolio`` table (one row per insats).
    participants : canonical ``participants`` table; ``insats_id`` names the insats.
    year : None counts every registration; a year counts the registrations active at any time in
        it (:func:`finsamlib.outcomes.active_in_year`, "registrerade under året"), and ``ended``
        those that ended in it.
    types : which insatser of the portfolio to list even without participants (default the
        individual ones; None = all). An insats with participants is always listed, so the
        registrations of the rows add up to all the registrations counted.

    Returns
    -------
    One row per insats: the join keys (``association`` when both tables have it, ``insats_id``),
    the portfolio's ``name``, ``type``, ``owner``, ``financing``, ``start_date``, ``end_date``
    (missing for an insats that is not in the portfolio), ``in_portfolio``, ``registrations``,
    ``persons`` (distinct ``person_id`` within the association: a person in two insatser counts in
    both, so the persons of the rows can add up to more than the association's), ``ended`` (with
    an end date; with ``year``: ended in the year) and ``ongoing`` (the others). Insatser in
    portfolio order, then ids found only among the participants.

    Examples
    --------
    >>> pf = pd.DataFrame({"insats_id": ["A", "B"], "name": ["Alfa", "Beta"],
    ...                    "type": ["I", "I"]})
    >>> pp = pd.DataFrame({"insats_id": ["A", "A", "A"], "person_id": ["p1", "p1", "p2"],
    ...     "start_date": pd.to_datetime(["2020-01-01", "2021-01-01", "2021-02-01"]),
    ...     "end_date": pd.to_datetime(["2020-06-30", None, "2021-05-31"])})
    >>> participants_per_insats(pf, pp)[["insats_id", "registrations", "persons", "ended"]]
      insats_id  registrations  persons  ended
    0         A              3        2      2
    1         B              0        0      0
    """
    from .outcomes import active_in_year

    keys = _join_keys(portfolio, participants)
    info = _insats_info(portfolio, keys)
    regs = participants if year is None else active_in_year(participants, year)
    counts = _counts(regs, keys, year)
    listed = info
    if types is not None:
        _require(portfolio, ["type"], "participants_per_insats with types")
        listed = info[info["type"].isin(list(types))]
    extra = counts[keys].merge(listed[keys], how="left", on=keys, indicator=True)
    extra = extra.loc[extra["_merge"] == "left_only", keys]
    extra = extra.sort_values(keys, key=lambda c: c.astype(str), kind="stable")
    rows = pd.concat([listed[keys], extra], ignore_index=True)
    out = rows.merge(info, how="left", on=keys)
    out["in_portfolio"] = out.set_index(keys).index.isin(info.set_index(keys).index)
    out = out.merge(counts, how="left", on=keys)
    for c in ("registrations", "persons", "ended", "ongoing"):
        out[c] = out[c].fillna(0).astype(int)
    out.attrs["year"] = year
    out.attrs["provenance"] = participants.attrs.get("provenance")
    return out


def cost_per_participant(
    portfolio: pd.DataFrame,
    participants: pd.DataFrame,
    year: int | None = None,
    per: ParticipantCount = "persons",
    method: SpreadMethod = "days",
    amount: str = "granted_amount",
    open_end: object | None = None,
    types: Sequence[str] | None = ("I",),
) -> pd.DataFrame:
    """Money per participant of each insats: its money divided by its participants.

    Without ``year``: the insats's whole ``amount`` (granted, kr) over every participant it has
    registered. With ``year``: the part of the amount that falls in the year when spread over the
    insats's period (:func:`spending_per_year` with ``method`` and ``open_end``) over the
    participants registered in the year (active at any time in it), as an annual report relates a
    year's cost to the year's participants. ``per="persons"`` (default) divides by distinct
    persons, ``"registrations"`` by registrations.

    The granted amount is a budget, not a cost: the figure is "granted kr per participant"
    unless the amount column holds outcomes. An insats without participants, or missing from the
    portfolio, has no figure (NaN), never an infinite one.

    Returns the columns of :func:`participants_per_insats` plus ``amount`` (kr) and
    ``cost_per_participant`` (kr).

    Examples
    --------
    >>> pf = pd.DataFrame({"insats_id": ["A"], "type": ["I"], "granted_amount": [300_000.0]})
    >>> pp = pd.DataFrame({"insats_id": ["A", "A", "A"], "person_id": ["p1", "p1", "p2"],
    ...     "start_date": pd.to_datetime(["2020-01-01", "2021-01-01", "2021-02-01"]),
    ...     "end_date": pd.to_datetime(["2020-06-30", None, "2021-05-31"])})
    >>> cost_per_participant(pf, pp)["cost_per_participant"].tolist()
    [150000.0]
    >>> cost_per_participant(pf, pp, per="registrations")["cost_per_participant"].tolist()
    [100000.0]
    """
    if per not in ("persons", "registrations"):
        raise ValueError(f"per must be 'persons' or 'registrations', not {per!r}")
    _require(portfolio, [amount], "cost_per_participant")
    table = participants_per_insats(portfolio, participants, year=year, types=types)
    keys = _join_keys(portfolio, participants)
    if year is None:
        money = portfolio[keys].assign(amount=pd.to_numeric(portfolio[amount]).astype(float))
    else:
        spent = spending_per_year(
            portfolio, by=keys, method=method, amount=amount, open_end=open_end
        )
        money = portfolio[keys].merge(
            spent.loc[spent["year"] == year, [*keys, "amount"]], how="left", on=keys
        )
        money["amount"] = money["amount"].fillna(0.0)
    out = table.merge(money, how="left", on=keys)
    count = out[per].where(out[per] > 0)
    out["cost_per_participant"] = out["amount"] / count
    out.attrs.update(table.attrs)
    out.attrs["per"] = per
    return out


def check_participant_insatser(portfolio: pd.DataFrame, participants: pd.DataFrame) -> pd.DataFrame:
    """The participants' insatser that the portfolio does not account for (a reviewer's check).

    Every registration should belong to an individual insats (type I) of its association's
    portfolio and start within the insats's period (start date to end date inclusive; an insats
    without an end date runs on). Returns one row per insats and problem (see
    :data:`INSATS_PROBLEMS`): ``missing``, ``not_individual`` or ``starts_outside_period``, with
    the number of ``registrations`` concerned; no rows when everything is accounted for.

    Examples
    --------
    >>> pf = pd.DataFrame({"insats_id": ["A", "S"], "type": ["I", "S"],
    ...     "start_date": pd.to_datetime(["2020-01-01", "2020-01-01"]),
    ...     "end_date": pd.to_datetime(["2020-12-31", "2020-12-31"])})
    >>> pp = pd.DataFrame({"insats_id": ["A", "A", "S", "X"],
    ...     "start_date": pd.to_datetime(["2020-03-01", "2021-03-01", "2020-03-01", "2020-03-01"])})
    >>> check_participant_insatser(pf, pp)
      insats_id                problem  registrations
    0         A  starts_outside_period              1
    1         S         not_individual              1
    2         X                missing              1
    """
    keys = _join_keys(portfolio, participants)
    _require(portfolio, ["type", "start_date", "end_date"], "check_participant_insatser")
    _require(participants, ["start_date"], "check_participant_insatser")
    info = _insats_info(portfolio, keys)
    regs = participants[keys].copy()
    regs["_start"] = pd.to_datetime(participants["start_date"]).to_numpy()
    joined = regs.merge(info, how="left", on=keys, indicator=True)
    found = joined["_merge"] == "both"
    begins = pd.to_datetime(joined["start_date"])
    ends = pd.to_datetime(joined["end_date"])
    outside = found & ((joined["_start"] < begins) | (ends.notna() & (joined["_start"] > ends)))
    problem = pd.Series(pd.NA, index=joined.index, dtype="object")
    problem[~found] = "missing"
    problem[found & (joined["type"] != "I")] = "not_individual"
    problem[problem.isna() & outside] = "starts_outside_period"
    bad = joined[keys].assign(problem=problem)[problem.notna()]
    out = bad.groupby([*keys, "problem"], sort=True).size().reset_index(name="registrations")
    out["problem"] = out["problem"].astype(str)
    return out.reset_index(drop=True)
