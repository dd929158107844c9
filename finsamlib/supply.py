"""Supply (försörjning) before and after an insats: distribution, transitions, change and tests.

SUS registers each participant's main source of support (*huvudsaklig försörjning*) before and
after the insats. This module turns those two columns into the tables the follow-up reports
show (seed 001, "Försörjning före och efter insats"; seed 000, "Bild 2"):

- :func:`distribution`: counts and shares per support category, before or after;
- :func:`transition_matrix`: before × after counts (or shares);
- :func:`change`: share before, share after and the change in percentage points, with
  intervals;
- :func:`work_or_studies_share`: the share whose main support is work and/or studies;
- :func:`homogeneity_test`: did the distribution change (Stuart–Maxwell, McNemar per category)?

Every function takes the canonical ``participants`` table (see ``docs/data-model.md``) and named
parameters, returns a new DataFrame and never prints. They share these parameters:

``by``
    Column name(s) to group by, e.g. ``"association"``, ``["association", "sex"]``,
    ``"insats_id"``. Besides the table's own columns, the derived columns of
    :func:`with_groups` (``age_at_start``, ``age_band``, ``start_year``, ``end_year``) may be
    named; they are derived on the fly. Groups are the combinations present in the included
    rows, sorted.
``families``
    ``False`` (default): the 13 support categories of :data:`finsamlib.categories.SUPPORT_CODES`.
    ``True``: the documented families of :data:`finsamlib.categories.FAMILIES` (kommun, fk, af,
    work, studies, none, unknown) instead. Either way categories come in canonical order and
    categories with no one in them are kept as zero rows.
``drop_unknown``
    ``False`` (default) keeps ``unknown`` (Okänd) as a category of its own: SUS lists it among
    the categories (seed 001) and dropping it silently would inflate every other share. ``True``
    excludes registrations whose support before or after is ``unknown`` (counted under
    ``excluded["unknown"]``).
``year``
    Only registrations that ended in this year (or these years); ``None`` (default) keeps all.

Which rows count
----------------
Only **ended** registrations with a **registered support both before and after** take part: a
registration still ongoing has no "after" yet. Every result reports its accounting in
``DataFrame.attrs`` (nothing is printed):

- ``attrs["input_rows"]``: the rows given;
- ``attrs["included"]``: the rows used;
- ``attrs["excluded"]``: a dict with every reason of :data:`EXCLUSION_REASONS`, zeros included,
  so that ``included + sum(excluded.values()) == input_rows``. Each row is counted once, under
  the first reason that applies, in this order: ``ongoing`` (no ``end_date``), ``other_year``
  (ended in another year than ``year``), ``missing_before`` (no ``support_before``),
  ``missing_after`` (ended without ``support_after``), ``unknown`` (only with
  ``drop_unknown=True``).

The results also carry ``attrs["by"]``, ``attrs["families"]``, ``attrs["drop_unknown"]`` and
``attrs["year"]``. The tables contain counts per group and category, never individual rows; the
report layer suppresses small counts (``finsamlib.privacy``) before publishing or plotting them.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import stats
from scipy.sparse.csgraph import connected_components
from statsmodels.stats.contingency_tables import SquareTable, mcnemar
from statsmodels.stats.proportion import proportion_confint

from .categories import (
    FAMILIES,
    STUDY_CODES,
    SUPPORT_CODES,
    SUPPORT_FAMILY,
    SUPPORT_LABELS,
    WORK_CODES,
    WORK_OR_STUDIES_LABEL,
)
from .errors import FinsamDataError, Problem
from .outcomes import AGE_BANDS, age_at_start

#: Why a participant row is left out, in the order the reasons are tried (see the module doc).
EXCLUSION_REASONS: tuple[str, ...] = (
    "ongoing",
    "other_year",
    "missing_before",
    "missing_after",
    "unknown",
)

#: Inner edges of the default age bands (age at start, whole years): the lower bounds of the
#: participant profile's bands, :data:`finsamlib.outcomes.AGE_BANDS` (16, 25, 30, 40, 50, 65),
#: so supply tables and the profile group people the same way.
AGE_BAND_EDGES: tuple[int, ...] = tuple(int(low) for _label, low, _high in AGE_BANDS[1:])

#: Columns :func:`with_groups` derives and ``by`` may name.
DERIVED_COLUMNS: tuple[str, ...] = ("age_at_start", "age_band", "start_year", "end_year")

#: Fewer included pairs than this in a group and :func:`homogeneity_test` does not test: the
#: chi-square approximations are meaningless and the report would suppress such counts anyway.
MIN_PAIRS: int = 10

#: McNemar uses the exact binomial test when fewer pairs than this changed (discordant pairs),
#: the usual rule of thumb for the chi-square approximation (b + c < 25).
MCNEMAR_EXACT_BELOW: int = 25

#: The outcome keys of :func:`work_or_studies_share` and the support codes each one covers.
WORK_OR_STUDIES_SETS: dict[str, tuple[str, ...]] = {
    "work": WORK_CODES,
    "studies": STUDY_CODES,
    "work_or_studies": WORK_CODES + STUDY_CODES,
}

_REQUIRED = ("end_date", "support_before", "support_after")
_Normalize = Literal["index", "all"] | None
By = str | Sequence[str] | None
Year = int | Sequence[int] | None


# --------------------------------------------------------------------------- categories


def categories(families: bool = False) -> tuple[str, ...]:
    """The category keys in canonical order: support codes, or family keys with ``families``.

    Examples
    --------
    >>> categories(families=True)
    ('kommun', 'fk', 'af', 'work', 'studies', 'none', 'unknown')
    """
    return tuple(FAMILIES) if families else SUPPORT_CODES


def category_label(key: str) -> str:
    """The Swedish label of a support code, a family key or a :func:`work_or_studies_share` key.

    Labels come from :mod:`finsamlib.categories`; a key that is both a code and a family
    (``unknown``) has the same label either way.

    Examples
    --------
    >>> category_label("social_assistance"), category_label("fk")
    ('Försörjningsstöd', 'Offentlig försörjning från Försäkringskassan')
    """
    if key in SUPPORT_LABELS:
        return SUPPORT_LABELS[key]
    if key in FAMILIES:
        return FAMILIES[key].label
    if key == "work_or_studies":
        return WORK_OR_STUDIES_LABEL
    raise KeyError(f"unknown category {key!r}; known: {', '.join(SUPPORT_CODES + tuple(FAMILIES))}")


# --------------------------------------------------------------------------- derived groups


def age_band_labels(edges: Sequence[int] = AGE_BAND_EDGES) -> list[str]:
    """Labels of the age bands cut at ``edges``: ``under 16``, ``16-24``, …, ``65+`` by default.

    Examples
    --------
    >>> age_band_labels((30,))
    ['under 30', '30+']
    >>> age_band_labels()
    ['under 16', '16-24', '25-29', '30-39', '40-49', '50-64', '65+']
    """
    edges = list(edges)
    if not edges or any(b <= a for a, b in itertools.pairwise(edges)):
        raise ValueError(f"age band edges must be increasing and non-empty, got {edges}")
    labels = [f"under {edges[0]}"]
    labels += [f"{a}-{b - 1}" for a, b in itertools.pairwise(edges)]
    labels.append(f"{edges[-1]}+")
    return labels


def with_groups(
    participants: pd.DataFrame, age_edges: Sequence[int] = AGE_BAND_EDGES
) -> pd.DataFrame:
    """A copy of ``participants`` with the derived grouping columns added.

    - ``start_year``, ``end_year``: the year of ``start_date`` / ``end_date`` (``<NA>`` while
      ongoing);
    - ``age_at_start``: ``start_year - birth_year`` (SUS registers the birth year only;
      :func:`finsamlib.outcomes.age_at_start`);
    - ``age_band``: ``age_at_start`` cut at ``age_edges`` (an ordered categorical labelled by
      :func:`age_band_labels`).

    A column whose inputs are missing is not added. The input is not changed.

    Examples
    --------
    >>> df = pd.DataFrame({"birth_year": [1990, 2000], "start_date": ["2019-03-01", "2019-05-01"],
    ...                    "end_date": ["2019-12-01", None]})
    >>> g = with_groups(df)
    >>> g["age_band"].tolist(), g["end_year"].tolist()
    (['25-29', '16-24'], [2019, <NA>])
    """
    out = participants.copy()
    if "start_date" in out.columns:
        out["start_year"] = _as_dates(out["start_date"], "start_date").dt.year.astype("Int64")
    if "end_date" in out.columns:
        out["end_year"] = _as_dates(out["end_date"], "end_date").dt.year.astype("Int64")
    if "start_date" in out.columns and "birth_year" in out.columns:
        age = age_at_start(out).round().astype("Int64")
        out["age_at_start"] = age
        bins = [-np.inf, *age_edges, np.inf]
        out["age_band"] = pd.cut(
            age.astype("float64"),
            bins=bins,
            right=False,
            labels=age_band_labels(age_edges),
            ordered=True,
        )
    return out


# --------------------------------------------------------------------------- preparation


def _as_dates(values: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    try:
        return pd.to_datetime(values)
    except (ValueError, TypeError) as exc:
        raise FinsamDataError(
            "participants", Problem(None, column, None, "dates (YYYY-MM-DD) or empty")
        ) from exc


def _as_list(by: By) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


class _Prepared:
    """The included pairs (codes or families) with their groups, and the accounting."""

    def __init__(
        self,
        data: pd.DataFrame,
        before: np.ndarray,
        after: np.ndarray,
        by: list[str],
        levels: tuple[str, ...],
        accounting: dict[str, Any],
    ):
        """``data``: the included rows' ``by`` columns; ``before``/``after``: their categories
        as positions in ``levels`` (integer arrays of the same length)."""
        self.data = data
        self.by = by
        self.levels = levels
        self.accounting = accounting
        self.keys, gid = _group_index(data, by)
        k = len(levels)
        #: counts[g, i, j]: group g, before category i, after category j.
        g = len(self.keys)
        flat = (gid * k + before) * k + after
        self.counts = np.bincount(flat, minlength=g * k * k).astype(np.int64).reshape(g, k, k)

    def repeat_keys(self, times: int) -> pd.DataFrame:
        """Each group's key row repeated ``times`` times (dtypes kept)."""
        rows = np.repeat(np.arange(len(self.keys)), times)
        return self.keys.iloc[rows].reset_index(drop=True)

    def attach(self, result: pd.DataFrame, **extra: Any) -> pd.DataFrame:
        result.attrs.update(copy.deepcopy(self.accounting))
        result.attrs.update(extra)
        return result


def _group_index(data: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    if not by:
        return pd.DataFrame(index=pd.RangeIndex(1)), np.zeros(len(data), dtype=np.int64)
    keys = data[by].drop_duplicates().sort_values(by, na_position="last").reset_index(drop=True)
    numbered = keys.assign(_gid=np.arange(len(keys)))
    gid = data[by].merge(numbered, on=by, how="left")["_gid"].to_numpy(dtype=np.int64)
    return keys, gid


def _code_positions(values: pd.Series, column: str) -> np.ndarray:
    """Each value's position in :data:`SUPPORT_CODES` (-1 where missing), one vectorised pass:
    the distinct values are looked up once, not every row (``Series.map`` over Arrow strings
    was half the cost of the indicators at 1 M rows). Raises FinsamDataError naming every
    value that is not a support code."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        # Arrow text (the loader's): one lookup in the codes, no hash table of the column
        # (a quarter cheaper than factorize); any cell that is not a code takes the path below.
        cells = pa.chunked_array(pa.array(values.array))
        found = pc.index_in(cells, value_set=pa.array(SUPPORT_CODES, cells.type))
        if found.null_count == cells.null_count:
            return found.fill_null(-1).to_numpy().astype(np.int64)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    known = {c: i for i, c in enumerate(SUPPORT_CODES)}
    bad = sorted({str(u) for u in uniques if u not in known})
    if bad:
        expected = "a support code (" + ", ".join(SUPPORT_CODES) + ")"
        raise FinsamDataError("participants", [Problem(None, column, v, expected) for v in bad])
    lookup = np.array([known[u] for u in uniques] + [-1], dtype=np.int64)
    return lookup[codes]  # the sentinel -1 picks the appended -1


def _prepare(
    participants: pd.DataFrame,
    by: By,
    *,
    families: bool,
    drop_unknown: bool,
    year: Year,
) -> _Prepared:
    if not isinstance(participants, pd.DataFrame):
        raise TypeError(f"participants must be a DataFrame, got {type(participants).__name__}")
    missing = [c for c in _REQUIRED if c not in participants.columns]
    if missing:
        raise FinsamDataError(
            "participants",
            [Problem(None, c, None, "a column of the participants table") for c in missing],
        )
    by = _as_list(by)
    for name in by:
        if name not in participants.columns and name not in DERIVED_COLUMNS:
            known = ", ".join([*participants.columns, *DERIVED_COLUMNS])
            raise KeyError(f"cannot group by {name!r}: no such column; known: {known}")
    if len(set(by)) != len(by) or {"before", "after", "category"} & set(by):
        raise ValueError(f"by must name distinct columns other than before/after/category: {by}")
    table = participants
    if any(name not in participants.columns for name in by):
        table = with_groups(participants)
        unresolved = [name for name in by if name not in table.columns]
        if unresolved:
            raise KeyError(
                f"cannot derive {unresolved}: needs start_date and birth_year (age) "
                "or start_date/end_date (years)"
            )

    before = _code_positions(table["support_before"], "support_before")
    after = _code_positions(table["support_after"], "support_after")
    end = _as_dates(table["end_date"], "end_date")

    remaining = np.ones(len(table), dtype=bool)
    excluded: dict[str, int] = {}

    def take(reason: str, mask: np.ndarray) -> None:
        nonlocal remaining
        hit = remaining & mask
        excluded[reason] = int(hit.sum())
        remaining = remaining & ~hit

    take("ongoing", end.isna().to_numpy(dtype=bool))
    if year is None:
        excluded["other_year"] = 0
    else:
        years = [year] if isinstance(year, int | np.integer) else list(year)
        take("other_year", ~end.dt.year.isin(years).to_numpy(dtype=bool))
    take("missing_before", before < 0)
    take("missing_after", after < 0)
    if drop_unknown:
        unknown = SUPPORT_CODES.index("unknown")
        take("unknown", (before == unknown) | (after == unknown))
    else:
        excluded["unknown"] = 0

    keep = remaining
    data = table.loc[keep, by].reset_index(drop=True)
    levels = categories(families)
    pos = {c: i for i, c in enumerate(levels)}
    if families:  # code position -> family position
        lookup = np.array([pos[SUPPORT_FAMILY[c]] for c in SUPPORT_CODES], dtype=np.int64)
    else:
        lookup = np.array([pos[c] for c in SUPPORT_CODES], dtype=np.int64)
    b, a = lookup[before[keep]], lookup[after[keep]]

    accounting = {
        "input_rows": len(table),
        "included": int(keep.sum()),
        "excluded": {r: excluded[r] for r in EXCLUSION_REASONS},
        "by": list(by),
        "families": families,
        "drop_unknown": drop_unknown,
        "year": year,
    }
    return _Prepared(data, b, a, by, levels, accounting)


# --------------------------------------------------------------------------- intervals


def wilson_interval(
    count: np.ndarray | int, nobs: np.ndarray | int, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``count / nobs`` (statsmodels ``method="wilson"``); NaN if nobs 0.

    Examples
    --------
    >>> low, high = wilson_interval(3, 10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.1078, 0.6032)
    """
    count = np.asarray(count, dtype=np.float64)
    nobs = np.asarray(nobs, dtype=np.float64)
    safe = np.where(nobs > 0, nobs, 1.0)
    low, high = proportion_confint(count, safe, alpha=alpha, method="wilson")
    # exact at the ends (k = 0 gives 0, k = n gives 1), not a rounding error away from them
    low = np.where(count <= 0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(count >= nobs, 1.0, np.clip(high, 0.0, 1.0))
    empty = nobs <= 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def paired_difference_interval(
    both: np.ndarray | int,
    entered: np.ndarray | int,
    left: np.ndarray | int,
    neither: np.ndarray | int,
    alpha: float = 0.05,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference after − before of two paired shares, with Newcombe's interval (method 10).

    For one category the pairs fall in four cells: in the category both before and after
    (``both``), only after (``entered``), only before (``left``), neither. The shares are
    ``after = (both + entered) / n`` and ``before = (both + left) / n``; they are correlated, so
    the interval for their difference combines the two Wilson intervals with the correlation
    (Newcombe 1998, *Stat. Med.* 17:2635–2650, method 10, with its continuity-corrected phi).
    Returns ``(difference, low, high)`` as shares (multiply by 100 for percentage points); NaN
    where n is 0.

    Examples
    --------
    >>> d, low, high = paired_difference_interval(both=2, entered=4, left=1, neither=3)
    >>> round(float(d), 2), bool(low < d < high)
    (0.3, True)
    """
    a, b, c, d = (np.asarray(x, dtype=np.float64) for x in (both, entered, left, neither))
    n = a + b + c + d
    safe = np.where(n > 0, n, 1.0)
    p1 = (a + b) / safe  # after
    p2 = (a + c) / safe  # before
    l1, u1 = wilson_interval(a + b, n, alpha)
    l2, u2 = wilson_interval(a + c, n, alpha)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    corrected = np.where(cross > n / 2, cross - n / 2, np.where(cross < 0, cross, 0.0))
    phi = np.where(denom > 0, corrected / np.sqrt(np.where(denom > 0, denom, 1.0)), 0.0)
    diff = p1 - p2
    low = diff - np.sqrt(
        np.clip((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0, None)
    )
    high = diff + np.sqrt(
        np.clip((p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2, 0, None)
    )
    empty = n <= 0
    nan = np.nan
    return np.where(empty, nan, diff), np.where(empty, nan, low), np.where(empty, nan, high)


# --------------------------------------------------------------------------- indicators


def distribution(
    participants: pd.DataFrame,
    when: Literal["before", "after"] = "before",
    by: By = None,
    families: bool = False,
    *,
    drop_unknown: bool = False,
    year: Year = None,
) -> pd.DataFrame:
    """Counts and shares per support category, before or after the insats.

    Parameters
    ----------
    participants : the canonical participants table.
    when : ``"before"`` (``support_before``) or ``"after"`` (``support_after``).
    by, families, drop_unknown, year : see the module documentation.

    Returns
    -------
    DataFrame
        One row per group and category (canonical order, zero rows kept): the ``by`` columns,
        ``category`` (code or family key), ``label`` (Swedish), ``count``, ``share`` (of the
        group's included rows; NaN when nobody is included) and ``n`` (the group's included
        rows). ``attrs`` carry the accounting (``included``, ``excluded`` …) and ``when``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "end_date": ["2021-05-01", "2021-06-01", "2021-07-01", None],
    ...     "support_before": ["social_assistance", "social_assistance", "sickness_benefit",
    ...                        "social_assistance"],
    ...     "support_after": ["employment", "social_assistance", "no_public_support", None]})
    >>> d = distribution(df, "before", families=True)
    >>> d.set_index("category")["count"].to_dict()
    {'kommun': 2, 'fk': 1, 'af': 0, 'work': 0, 'studies': 0, 'none': 0, 'unknown': 0}
    >>> d.attrs["included"], d.attrs["excluded"]["ongoing"]
    (3, 1)
    """
    if when not in ("before", "after"):
        raise ValueError(f"when must be 'before' or 'after', got {when!r}")
    prep = _prepare(participants, by, families=families, drop_unknown=drop_unknown, year=year)
    per_group = prep.counts.sum(axis=2 if when == "before" else 1)  # (groups, categories)
    k = len(prep.levels)
    out = prep.repeat_keys(k)
    out["category"] = np.tile(np.array(prep.levels, dtype=object), len(prep.keys))
    out["label"] = out["category"].map(category_label)
    counts = per_group.reshape(-1)
    n = np.repeat(per_group.sum(axis=1), k)
    out["count"] = counts
    out["share"] = np.where(n > 0, counts / np.where(n > 0, n, 1), np.nan)
    out["n"] = n
    return prep.attach(out, when=when)


def transition_matrix(
    participants: pd.DataFrame,
    by: By = None,
    normalize: _Normalize = None,
    families: bool = False,
    *,
    drop_unknown: bool = False,
    year: Year = None,
) -> pd.DataFrame:
    """Before × after: how many moved from each category to each other one.

    Parameters
    ----------
    participants : the canonical participants table.
    by, families, drop_unknown, year : see the module documentation.
    normalize : ``None`` counts; ``"index"`` row shares (of those in a category before, the share
        in each category after; NaN for an empty row); ``"all"`` shares of the group's total.

    Returns
    -------
    DataFrame
        Rows: the ``by`` columns (if any) and ``before`` (an index or MultiIndex); columns:
        ``after``. Both axes list every category in canonical order, zeros kept. Row sums equal
        :func:`distribution` before, column sums :func:`distribution` after. ``attrs`` carry
        the accounting and ``normalize``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "end_date": ["2021-05-01", "2021-06-01", "2021-07-01"],
    ...     "support_before": ["social_assistance", "social_assistance", "sickness_benefit"],
    ...     "support_after": ["employment", "social_assistance", "employment"]})
    >>> m = transition_matrix(df, families=True)
    >>> int(m.loc["kommun", "work"]), int(m.loc["fk", "work"]), m.shape
    (1, 1, (7, 7))
    """
    if normalize not in (None, "index", "all"):
        raise ValueError(f"normalize must be None, 'index' or 'all', got {normalize!r}")
    prep = _prepare(participants, by, families=families, drop_unknown=drop_unknown, year=year)
    g, k = len(prep.keys), len(prep.levels)
    values: np.ndarray = prep.counts.astype(np.float64 if normalize else np.int64)
    if normalize == "index":
        rows = values.sum(axis=2, keepdims=True)
        values = np.where(rows > 0, values / np.where(rows > 0, rows, 1), np.nan)
    elif normalize == "all":
        total = values.sum(axis=(1, 2), keepdims=True)
        values = np.where(total > 0, values / np.where(total > 0, total, 1), np.nan)
    levels = list(prep.levels)
    if prep.by:
        keys = prep.repeat_keys(k)
        arrays = [keys[c] for c in prep.by] + [np.tile(np.array(levels, dtype=object), g)]
        index: pd.Index = pd.MultiIndex.from_arrays(arrays, names=[*prep.by, "before"])
    else:
        index = pd.Index(levels, name="before", dtype=object)
    out = pd.DataFrame(
        values.reshape(g * k, k), index=index, columns=pd.Index(levels, name="after", dtype=object)
    )
    return prep.attach(out, normalize=normalize)


def _paired_table(prep: _Prepared, sets: dict[str, Sequence[int]], alpha: float) -> pd.DataFrame:
    """Per group and category set: counts and shares before/after, Wilson and Newcombe intervals.

    The sets are stacked (set by set, each with every group) and the intervals computed once
    over all of them: elementwise, so each row is what a set computed alone would give."""
    g = len(prep.keys)
    counts = prep.counts
    n_one = counts.sum(axis=(1, 2))
    before_l, after_l, both_l = [], [], []
    for idx in sets.values():
        idx = np.asarray(idx, dtype=np.int64)
        before_l.append(counts[:, idx, :].sum(axis=(1, 2)))
        after_l.append(counts[:, :, idx].sum(axis=(1, 2)))
        both_l.append(counts[:, idx][:, :, idx].sum(axis=(1, 2)))
    k = len(sets)
    if k == 0:
        raise ValueError("No objects to concatenate")  # as pd.concat of no blocks did
    n = np.tile(n_one, k)
    before, after, both = (np.concatenate(x) for x in (before_l, after_l, both_l))
    left, entered = before - both, after - both
    neither = n - both - left - entered
    b_low, b_high = wilson_interval(before, n, alpha)
    a_low, a_high = wilson_interval(after, n, alpha)
    diff, d_low, d_high = paired_difference_interval(both, entered, left, neither, alpha)
    safe = np.where(n > 0, n, 1)
    keys_of_rows = [key for key in sets for _ in range(g)]
    text = pd.Series([""]).dtype  # the dtype pandas gives text (also with no rows)
    long = pd.DataFrame(
        {
            "_g": np.tile(np.arange(g), k),
            "category": pd.Series(keys_of_rows, dtype=text),
            "label": pd.Series([category_label(key) for key in keys_of_rows], dtype=text),
            "n": n,
            "count_before": before,
            "count_after": after,
            "stayed": both,
            "entered": entered,
            "left": left,
            "share_before": np.where(n > 0, before / safe, np.nan),
            "share_before_low": b_low,
            "share_before_high": b_high,
            "share_after": np.where(n > 0, after / safe, np.nan),
            "share_after_low": a_low,
            "share_after_high": a_high,
            "change_pp": 100 * diff,
            "change_pp_low": 100 * d_low,
            "change_pp_high": 100 * d_high,
        }
    )
    order = {key: i for i, key in enumerate(sets)}
    long = long.sort_values(
        ["_g", "category"], key=lambda s: s.map(order) if s.name == "category" else s, kind="stable"
    ).reset_index(drop=True)
    keys = prep.keys.iloc[long["_g"].to_numpy()].reset_index(drop=True)
    return pd.concat([keys, long.drop(columns="_g")], axis=1)


def change(
    participants: pd.DataFrame,
    by: By = None,
    families: bool = False,
    alpha: float = 0.05,
    *,
    drop_unknown: bool = False,
    year: Year = None,
) -> pd.DataFrame:
    """Per category: the share before, the share after and the change in percentage points.

    Parameters
    ----------
    participants : the canonical participants table.
    by, families, drop_unknown, year : see the module documentation.
    alpha : 1 − confidence level of the intervals (0.05 gives 95 % intervals).

    Returns
    -------
    DataFrame
        One row per group and category (canonical order, zero rows kept): the ``by`` columns,
        ``category``, ``label``, ``n`` (the group's included pairs), ``count_before``,
        ``count_after``, ``stayed`` / ``entered`` / ``left`` (in the category both times / only
        after / only before), ``share_before`` with its Wilson interval ``share_before_low`` /
        ``share_before_high``, the same for ``share_after``, and ``change_pp`` = 100 ×
        (after − before) with Newcombe's paired interval ``change_pp_low`` /
        ``change_pp_high`` (see :func:`paired_difference_interval`). ``attrs`` carry the
        accounting and ``alpha``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "end_date": ["2021-05-01"] * 4,
    ...     "support_before": ["social_assistance"] * 3 + ["sickness_benefit"],
    ...     "support_after": ["employment", "employment", "social_assistance",
    ...                       "sickness_benefit"]})
    >>> c = change(df).set_index("category")
    >>> float(c.loc["social_assistance", "change_pp"]), float(c.loc["employment", "change_pp"])
    (-50.0, 50.0)
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    prep = _prepare(participants, by, families=families, drop_unknown=drop_unknown, year=year)
    sets = {key: [i] for i, key in enumerate(prep.levels)}
    return prep.attach(_paired_table(prep, sets, alpha), alpha=alpha)


def work_or_studies_share(
    participants: pd.DataFrame,
    by: By = None,
    alpha: float = 0.05,
    *,
    drop_unknown: bool = False,
    year: Year = None,
) -> pd.DataFrame:
    """The share whose main support is work, studies, or work and/or studies, before and after.

    Seed 000 ("Bild 2") and seed 004 report how many ended in work or studies. Here that is
    read from the *main support* (``support_after`` in :data:`WORK_OR_STUDIES_SETS`: wage
    with or without subsidy, student aid). The SUS outcome table (``finsamlib.outcomes``) counts
    work and studies by their *extent* instead, which also includes part-time work next to
    another main support, so its figures can be higher.

    Returns
    -------
    DataFrame
        The columns of :func:`change`, one row per group and key ``work``, ``studies``,
        ``work_or_studies``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "end_date": ["2021-05-01"] * 4,
    ...     "support_before": ["social_assistance"] * 4,
    ...     "support_after": ["employment", "student_aid", "social_assistance",
    ...                       "subsidised_employment"]})
    >>> w = work_or_studies_share(df).set_index("category")
    >>> w["count_after"].to_dict()
    {'work': 2, 'studies': 1, 'work_or_studies': 3}
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    prep = _prepare(participants, by, families=False, drop_unknown=drop_unknown, year=year)
    pos = {c: i for i, c in enumerate(prep.levels)}
    sets = {key: [pos[c] for c in codes] for key, codes in WORK_OR_STUDIES_SETS.items()}
    return prep.attach(_paired_table(prep, sets, alpha), alpha=alpha)


# --------------------------------------------------------------------------- tests


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of p-values for multiple testing (Holm 1979).

    The same as ``statsmodels.stats.multitest.multipletests(p, method="holm")[1]``, written out
    because that function runs a full garbage collection on every call, which made a test per
    insats take minutes.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = len(p)
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def stuart_maxwell(table: np.ndarray) -> dict[str, Any]:
    """Stuart–Maxwell test of marginal homogeneity for a square table of counts (before × after).

    Categories nobody left or entered (no counts off the diagonal, including categories
    absent both times) carry no information about the margins and make the covariance matrix
    singular; they are dropped first, so ``df`` = the remaining categories − 1. When the
    remaining categories fall into separate groups with no movement between them, the
    covariance is still singular: the statistic then uses its generalised inverse and ``df`` is
    its rank. Otherwise the test is statsmodels' ``SquareTable(...).homogeneity()``.

    Returns
    -------
    dict with ``statistic``, ``df``, ``p_value``, ``categories_tested`` (indices into the
    table) and ``note``.

    Examples
    --------
    >>> r = stuart_maxwell(np.array([[5, 3, 0], [1, 4, 0], [0, 0, 7]]))
    >>> r["df"], r["categories_tested"], round(r["statistic"], 4)
    (1, [0, 1], 1.0)
    """
    m = np.asarray(table, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"a square table is needed, got shape {m.shape}")
    off = m - np.diag(np.diag(m))
    active = np.flatnonzero(off.sum(axis=0) + off.sum(axis=1) > 0)
    if len(active) == 0:
        return {
            "statistic": 0.0,
            "df": 0,
            "p_value": 1.0,
            "categories_tested": [],
            "note": "no one changed category: the margins are identical",
        }
    sub = m[np.ix_(active, active)]
    links = (sub + sub.T) - np.diag(np.diag(sub + sub.T))
    n_parts, _ = connected_components(links > 0, directed=False)
    if n_parts == 1:
        result = SquareTable(sub, shift_zeros=False).homogeneity(method="stuart_maxwell")
        statistic, df, p = float(result.statistic), int(result.df), float(result.pvalue)
        note = ""
    else:
        d = sub.sum(axis=1) - sub.sum(axis=0)
        cov = np.diag(sub.sum(axis=1) + sub.sum(axis=0) - 2 * np.diag(sub)) - (
            (sub + sub.T) - np.diag(2 * np.diag(sub))
        )
        statistic = float(d @ np.linalg.pinv(cov) @ d)
        df = len(active) - n_parts
        p = float(stats.chi2.sf(statistic, df))
        note = (
            f"the categories form {n_parts} separate groups with no movement between them; "
            "generalised inverse used"
        )
    return {
        "statistic": statistic,
        "df": df,
        "p_value": p,
        "categories_tested": [int(i) for i in active],
        "note": note,
    }


def homogeneity_test(
    participants: pd.DataFrame,
    by: By = None,
    families: bool = False,
    *,
    min_pairs: int = MIN_PAIRS,
    alpha: float = 0.05,
    drop_unknown: bool = False,
    year: Year = None,
) -> pd.DataFrame:
    """Did the distribution of support change? Stuart–Maxwell overall and McNemar per category.

    - ``stuart_maxwell`` (one row per group, ``category`` = ``"all"``): are the before and
      after distributions the same (marginal homogeneity)? See :func:`stuart_maxwell` for how
      categories without movement are handled.
    - ``mcnemar`` (one row per group and category present before or after): is the share in
      this category the same before and after (this category vs all others)? Exact binomial
      when fewer than :data:`MCNEMAR_EXACT_BELOW` pairs changed, otherwise chi-square with
      continuity correction. ``p_value_holm`` adjusts the group's McNemar p-values for
      multiple testing (Holm).

    A group with fewer than ``min_pairs`` included pairs (default :data:`MIN_PAIRS`) is not
    tested: its rows have NaN statistics and say so in ``note``; nothing is raised.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``test``, ``category``, ``label``, ``statistic``, ``df`` (NaN for
        exact tests), ``p_value``, ``p_value_holm``, ``n_pairs`` (the group's included pairs),
        ``changed`` (pairs that changed: off the diagonal for Stuart–Maxwell, discordant for
        McNemar), ``method``, ``significant`` (p < ``alpha``; False when not tested) and
        ``note``. ``attrs`` carry the accounting, ``min_pairs`` and ``alpha``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "end_date": ["2021-05-01"] * 12,
    ...     "support_before": ["social_assistance"] * 12,
    ...     "support_after": ["employment"] * 9 + ["social_assistance"] * 3})
    >>> t = homogeneity_test(df).set_index(["test", "category"])
    >>> round(float(t.loc[("mcnemar", "employment"), "p_value"]), 4)
    0.0039
    """
    if min_pairs < 1:
        raise ValueError(f"min_pairs must be at least 1, got {min_pairs!r}")
    prep = _prepare(participants, by, families=families, drop_unknown=drop_unknown, year=year)
    levels = prep.levels
    rows: list[dict[str, Any]] = []
    for g in range(len(prep.keys)):
        key = {c: prep.keys[c].iloc[g] for c in prep.by}
        table = prep.counts[g]
        n = int(table.sum())
        present = np.flatnonzero(table.sum(axis=0) + table.sum(axis=1) > 0)
        too_few = n < min_pairs
        few_note = f"too few pairs to test ({n} < {min_pairs})"
        diag = np.diag(table)
        group_rows: list[dict[str, Any]] = []
        sm: dict[str, Any] = {
            **key,
            "test": "stuart_maxwell",
            "category": "all",
            "label": "Samtliga",
            "n_pairs": n,
            "changed": int(n - diag.sum()),
            "method": "chi2",
        }
        if too_few:
            sm.update(statistic=np.nan, df=np.nan, p_value=np.nan, note=few_note)
        else:
            r = stuart_maxwell(table)
            sm.update(statistic=r["statistic"], df=r["df"], p_value=r["p_value"], note=r["note"])
        group_rows.append(sm)
        for i in present:
            left = int(table[i].sum() - diag[i])
            entered = int(table[:, i].sum() - diag[i])
            row: dict[str, Any] = {
                **key,
                "test": "mcnemar",
                "category": levels[i],
                "label": category_label(levels[i]),
                "n_pairs": n,
                "changed": left + entered,
            }
            exact = left + entered < MCNEMAR_EXACT_BELOW
            row["method"] = "exact binomial" if exact else "chi2, continuity corrected"
            if too_few:
                row.update(statistic=np.nan, df=np.nan, p_value=np.nan, note=few_note)
            else:
                stayed = int(diag[i])
                cells = [[stayed, left], [entered, n - stayed - left - entered]]
                res = mcnemar(cells, exact=exact, correction=True)
                note = "" if left + entered else "no one entered or left this category"
                row.update(
                    statistic=float(res.statistic),
                    df=np.nan if exact else 1,
                    p_value=float(res.pvalue),
                    note=note,
                )
            group_rows.append(row)
        mc = [r for r in group_rows if r["test"] == "mcnemar" and not np.isnan(r["p_value"])]
        if mc:
            adjusted = holm([r["p_value"] for r in mc])
            for r, p in zip(mc, adjusted, strict=True):
                r["p_value_holm"] = float(p)
        rows.extend(group_rows)

    columns = [
        *prep.by,
        "test",
        "category",
        "label",
        "statistic",
        "df",
        "p_value",
        "p_value_holm",
        "n_pairs",
        "changed",
        "method",
        "significant",
        "note",
    ]
    out = pd.DataFrame(rows, columns=[c for c in columns if c != "significant"])
    out["statistic"] = out["statistic"].astype("float64")
    out["df"] = out["df"].astype("float64")
    out["p_value"] = out["p_value"].astype("float64")
    out["p_value_holm"] = out["p_value_holm"].astype("float64")
    out["significant"] = out["p_value"].lt(alpha)
    out = out[columns]
    for c in prep.by:  # keep the groups' dtypes (e.g. the ordered age bands)
        out[c] = out[c].astype(prep.keys[c].dtype)
    return prep.attach(out, min_pairs=min_pairs, alpha=alpha)
