"""Swedish, rounded views of the result tables, for reading them in JupyterLab.

The indicator functions return tables for computing on: English column names, category codes,
full-precision floats and, for the outcome table, ``(area, sex)`` column tuples. :func:`sv` turns
one of them into a table to read::

    from finsamlib import display, supply
    supply.change(rows, year=2021).pipe(display.sv)

gives Swedish column labels, the Swedish category labels of :mod:`finsamlib.categories` instead
of codes, shares as percentages with a decimal comma, kronor with a space between thousands,
and columns such as ``RAR Sörmland – Kvinnor`` instead of tuples. Confidence-interval columns and
other working columns are left out; the result itself keeps them.

With ``threshold`` the counts are suppressed as in the reports (:func:`finsamlib.privacy.suppress`)
before anything is shown: do that for participant data that is not synthetic.

Works with :func:`finsamlib.supply.change`, :func:`~finsamlib.supply.transition_matrix`,
:func:`finsamlib.outcomes.outcome_table`, :func:`~finsamlib.outcomes.participant_flows`,
:func:`finsamlib.economics.profitability`, :func:`finsamlib.portfolio.breakdown` and other
tables of the same kinds; unknown columns keep their names and get a Swedish number format.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import categories as cat
from . import narrative as nr
from . import privacy
from .outcomes import INDICATOR_LABELS, INDICATOR_UNITS
from .plots.style import sv_number, sv_percent

Format = Callable[[object], str]

#: Label of the total row and column added to suppressed tables.
TOTAL = "Samtliga"


def _count(v: object) -> str:
    return sv_number(float(v), 0)


def _decimal(v: object) -> str:
    return sv_number(float(v), 1)


def _share(v: object) -> str:
    return sv_percent(float(v), 1)


def _percent(v: object) -> str:
    return sv_percent(float(v) / 100, 1)


def _kr(v: object) -> str:
    return f"{sv_number(float(v), 0)}\u00a0kr"


def _year(v: object) -> str:
    return str(int(float(v)))


def _months(v: object) -> str:
    return sv_number(float(v), 0)


def _default(v: object) -> str:
    if isinstance(v, bool | np.bool_):
        return "ja" if v else "nej"
    if isinstance(v, int | np.integer):
        return _count(v)
    if isinstance(v, float | np.floating):
        return _count(v) if float(v).is_integer() else _decimal(v)
    return str(v)


#: Column -> (Swedish label, format). Columns not here and not in SKIPPED keep their names.
COLUMNS: dict[str, tuple[str, Format]] = {
    # supply.change
    "n": ("Antal avslutade", _count),
    "count_before": ("Antal före", _count),
    "share_before": ("Andel före", _share),
    "count_after": ("Antal efter", _count),
    "share_after": ("Andel efter", _share),
    "change_pp": ("Förändring (procentenheter)", _decimal),
    # economics.profitability
    "revenue_short_term": ("Intäkt första året", _kr),
    "revenue_per_participant_short_term": ("Intäkt per deltagare första året", _kr),
    "revenue_medium_term": ("Intäkt på medellång sikt", _kr),
    "cost": ("Kostnad", _kr),
    "result_short_term": ("Resultat första året", _kr),
    "result_medium_term": ("Resultat på medellång sikt", _kr),
    "result_per_participant_short_term": ("Resultat per deltagare första året", _kr),
    "result_per_participant_medium_term": ("Resultat per deltagare på medellång sikt", _kr),
    "payback_months": ("Återbetalningstid (månader)", _months),
    # portfolio.breakdown
    "insatser": ("Insatser", _default),  # fractional in the allocated view
    "amount": ("Beviljade medel", _kr),
    "mean_amount": ("Medelbelopp per insats", _kr),
    "share_insatser": ("Andel av insatserna", _share),
    "share_amount": ("Andel av medlen", _share),
    # outcomes.participant_flows
    "registered": ("Inskrivna", _count),
    "new": ("Nya", _count),
    "carried_over": ("Från tidigare år", _count),
    "ended": ("Avslutade", _count),
    "ongoing_at_year_end": ("Pågående vid årets slut", _count),
    "ended_to_work_or_studies": ("Avslutade till arbete eller studier", _count),
    "share_ended_to_work_or_studies": ("Andel avslutade till arbete eller studier", _percent),
    # portfolio.structural_share
    "year": ("År", _year),
    "individual": ("Individinriktade insatser", _kr),
    "structural": ("Strukturinriktade insatser", _kr),
    "share_structural": ("Andel strukturinriktat", _share),
    # target_group.totals
    "target_group": ("Målgrupp (personer)", _count),
    "working_age_population": ("Befolkning 16–64 år", _count),
    "share_of_working_age": ("Andel av befolkningen 16–64 år", _share),
    # supply.homogeneity_test
    "statistic": ("Testvärde", lambda v: sv_number(float(v), 2)),
    "df": ("Frihetsgrader", _count),
    "p_value": ("p-värde", lambda v: sv_number(float(v), 3)),
    "p_value_holm": ("p-värde (Holm)", lambda v: sv_number(float(v), 3)),
    "n_pairs": ("Antal par", _count),
    "changed": ("Antal som bytt", _count),
    "significant": ("Signifikant", _default),
}
#: Working columns left out of the view (codes with a label column beside them, intervals).
SKIPPED = {"category", "stayed", "entered", "left"}
SKIPPED_SUFFIXES = ("_low", "_high")

#: Columns holding counts of persons, and the columns computed from them.
COUNT_COLUMNS = {"n", "count_before", "count_after", "registered", "new", "carried_over", "ended"}
COUNT_COLUMNS |= {"ongoing_at_year_end", "ended_to_work_or_studies"}
DERIVED: dict[str, list[str]] = {
    "share_before": ["count_before"],
    "share_after": ["count_after"],
    "change_pp": ["count_before", "count_after"],
    "share_ended_to_work_or_studies": ["ended_to_work_or_studies"],
}

#: Index or column name -> its Swedish label and the labels of its values.
DIMENSIONS: dict[str, tuple[str, Mapping[str, str]]] = {
    "category": ("Försörjning", {}),  # filled below: support codes and families
    "before": ("Före", {}),
    "after": ("Efter", {}),
    "label": ("Försörjning", {}),
    "actor": ("Aktör", cat.ACTOR_LABELS),
    "owner": ("Huvudman", cat.OWNER_LABELS),
    "type": ("Typ av insats", cat.INSATS_TYPE_LABELS),
    "financing": ("Finansiering", cat.FINANCING_LABELS),
    "target_group": ("Målgrupp", cat.TARGET_GROUP_LABELS),
    "partner": ("Samverkanspart", cat.OWNER_LABELS),
    "indicator": ("Indikator", INDICATOR_LABELS),
    "sex": ("Kön", cat.SEX_LABELS),
    "education": ("Utbildning", cat.EDUCATION_LABELS),
    "view": ("Urval", {"every": "Alla", "allocated": "Fördelat", "primary": "Huvudsaklig"}),
    "association": ("Förbund", {}),
    "county": ("Län", {}),
    "area": ("Område", {}),
    "year": ("År", {}),
    "group": ("Grupp", {}),
    "test": ("Test", {"stuart_maxwell": "Stuart–Maxwell", "mcnemar": "McNemar"}),
    "method": ("Metod", {"exact binomial": "exakt binomialtest", "chi2": "χ²"}),
    "note": ("Anmärkning", {}),
    "significant": ("Signifikant (5 %)", {}),
}
_SUPPLY_LABELS = {**cat.SUPPORT_LABELS, **{k: f.label for k, f in cat.FAMILIES.items()}}
for _name in ("category", "before", "after"):
    DIMENSIONS[_name] = (DIMENSIONS[_name][0], _SUPPLY_LABELS)

#: Outcome-table units -> format (values in percent are already 0–100).
UNIT_FORMATS: dict[str, Format] = {
    "count": _count,
    "percent": _percent,
    "days": lambda v: sv_number(float(v), 0),
    "fte": _decimal,
}


@dataclass
class SvTable:
    """A result table in Swedish: ``frame`` holds the numbers under Swedish labels (hidden cells
    NaN after suppression), ``text()`` the formatted cells; Jupyter shows it as an HTML table."""

    frame: pd.DataFrame
    column_formats: dict[Hashable, Format] = field(default_factory=dict)
    row_formats: dict[Hashable, Format] = field(default_factory=dict)
    caption: str | None = None

    def _format(self, row: Hashable, column: Hashable) -> Format:
        if row in self.row_formats:
            return self.row_formats[row]
        if column in self.column_formats:
            return self.column_formats[column]
        return _default

    def text(self) -> pd.DataFrame:
        """The cells as Swedish text; "<5" and ".." for suppressed cells, "–" for missing."""
        hidden = privacy.suppressed_cells(self.frame)
        limit = privacy.threshold_of(self.frame)
        out = pd.DataFrame(index=self.frame.index, columns=self.frame.columns, dtype=object)
        for r_pos, r in enumerate(self.frame.index):
            for c_pos, c in enumerate(self.frame.columns):
                v = self.frame.iat[r_pos, c_pos]
                reason = hidden.get((r, c))
                if reason == privacy.PRIMARY:
                    out.iat[r_pos, c_pos] = privacy.primary_mark(limit or 0)
                elif reason == privacy.SECONDARY:
                    out.iat[r_pos, c_pos] = privacy.SECONDARY_MARK
                else:
                    out.iat[r_pos, c_pos] = nr.MISSING if _missing(v) else self._format(r, c)(v)
        return out

    def to_html(self) -> str:
        """The table as an HTML fragment (the reports' table markup)."""
        text = self.text()
        text.attrs = dict(self.frame.attrs)  # the note on suppressed cells
        numeric = [c for c in self.frame.columns if _is_numeric(self.frame[c])]
        text_columns = [c for c in self.frame.columns if c not in numeric]
        index = not isinstance(self.frame.index, pd.RangeIndex)
        html = nr.table(
            text, caption=self.caption, default=nr.fmt_text, index=index, text_columns=text_columns
        )
        return html.body

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.text().to_string(index=not isinstance(self.frame.index, pd.RangeIndex))


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float | np.floating) and np.isnan(v))


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


def _value_label(name: Hashable, value: object) -> str:
    labels = DIMENSIONS.get(str(name), ("", {}))[1]
    return labels.get(str(value), str(value)) if isinstance(value, str) else str(value)


def _labelled_index(index: pd.Index) -> pd.Index:
    """Swedish value labels level by level, then levels joined with " – " (no tuples)."""
    names = list(index.names)
    if isinstance(index, pd.MultiIndex):
        values = [
            " – ".join(_value_label(n, v) for n, v in zip(names, key, strict=True)) for key in index
        ]
        name = " – ".join(_name_label(n) for n in names if n is not None) or None
    else:
        values = [_value_label(names[0], v) for v in index]
        name = _name_label(names[0]) if names[0] is not None else None
    return pd.Index(values, name=name, dtype=object)


def _name_label(name: Hashable) -> str:
    return DIMENSIONS[str(name)][0] if str(name) in DIMENSIONS else str(name)


def sv(df: pd.DataFrame, threshold: int | None = None, caption: str | None = None) -> SvTable:
    """A Swedish, rounded view of a result table (usable as ``df.pipe(display.sv)``).

    ``threshold`` suppresses counts from 1 up to it, with the shares and changes computed from
    them and a second cell where a total would reveal a hidden one (the reports' rule); None
    shows everything. The outcome table is shown as computed (use the report for a suppressed
    one): ``threshold`` raises ValueError there.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"sv() needs a DataFrame, got {type(df).__name__}")
    if df.index.name == "indicator" and set(df.index) <= set(INDICATOR_LABELS):
        return _outcome_table(df, threshold, caption)
    if df.index.name == "before" and df.columns.name == "after":
        return _transition_matrix(df, threshold, caption)
    return _columns_table(df, threshold, caption)


def _outcome_table(df: pd.DataFrame, threshold: int | None, caption: str | None) -> SvTable:
    if threshold is not None:
        raise ValueError("sv(): the outcome table is shown as computed; no threshold")
    frame = df.copy()
    formats = {INDICATOR_LABELS[k]: UNIT_FORMATS[INDICATOR_UNITS[k]] for k in df.index}
    frame.index = _labelled_index(df.index)
    frame.columns = _labelled_index(df.columns)
    return SvTable(frame, row_formats=formats, caption=caption)


def _transition_matrix(df: pd.DataFrame, threshold: int | None, caption: str | None) -> SvTable:
    if isinstance(df.index, pd.MultiIndex):
        raise ValueError("sv(): select one group of a grouped transition matrix first")
    frame = df.astype(int).copy()
    frame.index = pd.Index([_value_label("before", v) for v in df.index], dtype=object)
    frame.columns = pd.Index([_value_label("after", v) for v in df.columns], dtype=object)
    frame.index.name = "Före \\ efter"
    if threshold is not None:
        frame[TOTAL] = frame.sum(axis=1)
        frame.loc[TOTAL] = frame.sum(axis=0)
        frame = privacy.suppress(frame, threshold, total_row=TOTAL, total_column=TOTAL)
    return SvTable(frame, caption=caption)


def _columns_table(df: pd.DataFrame, threshold: int | None, caption: str | None) -> SvTable:
    frame = df.copy()
    if "label" in frame.columns and "category" in frame.columns:
        # The group columns come first (supply.change, homogeneity_test), then the category.
        keys = list(frame.columns[: list(frame.columns).index("category")])
        frame = frame.set_index([*keys, "label"]) if keys else frame.set_index("label")
    keep = [
        c for c in frame.columns if str(c) not in SKIPPED and not str(c).endswith(SKIPPED_SUFFIXES)
    ]
    order = list(COLUMNS)  # known columns in a reading order (before, after, change)
    keep.sort(key=lambda c: order.index(str(c)) if str(c) in order else -1)
    frame = frame[keep]
    for c in keep:
        if str(c) in DIMENSIONS and not pd.api.types.is_numeric_dtype(frame[c].dtype):
            frame[c] = [_value_label(c, v) for v in frame[c]]
    if not isinstance(frame.index, pd.RangeIndex):
        frame.index = _labelled_index(frame.index)
    # A column named like a dimension holds labels (e.g. owner); a numeric one a figure.
    known = [c for c in keep if str(c) in COLUMNS and _is_numeric(frame[c])]
    labels = {c: COLUMNS[str(c)][0] if c in known else _name_label(c) for c in keep}
    formats = {labels[c]: COLUMNS[str(c)][1] for c in known}
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = _labelled_index(frame.columns)
    else:
        frame = frame.rename(columns=labels)
    if threshold is not None:
        frame = _suppress_columns(frame, labels, threshold)
    return SvTable(frame, column_formats=formats, caption=caption)


def _suppress_columns(
    frame: pd.DataFrame, labels: Mapping[Hashable, str], threshold: int
) -> pd.DataFrame:
    """Suppress the count columns and what is computed from them (supply.change's shares and
    change; flows' share), per group, with a total row where the table has one group."""
    counts = [labels[c] for c in labels if str(c) in COUNT_COLUMNS]
    if not counts:
        raise ValueError("sv(): threshold given, but the table has no count columns to suppress")
    derived = {
        labels[c]: [labels[k] for k in keys if k in labels]
        for c, keys in DERIVED.items()
        if c in labels
    }
    if frame.index.duplicated().any():
        raise ValueError("sv(): threshold needs one row per label (select one group first)")
    total_row = None
    if "n" in labels and {"count_before", "count_after"} <= set(labels):
        # supply.change: every row shares the group's n; a total row lets the rule protect it.
        n = labels["n"]
        group_n = frame[n].iloc[0] if len(frame) else 0
        frame = frame.drop(columns=n)
        counts.remove(n)
        derived = {k: [c for c in v if c != n] for k, v in derived.items() if k != n}
        total = {c: group_n if c in counts else np.nan for c in frame.columns}
        frame.loc[TOTAL] = pd.Series(total)
        for c in counts:
            frame[c] = frame[c].astype(int)
        total_row = TOTAL
    derived = {k: (v[0] if len(v) == 1 else v) for k, v in derived.items() if v}
    return privacy.suppress(frame, threshold, counts=counts, derived=derived, total_row=total_row)
