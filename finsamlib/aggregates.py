"""Outcome, flow and supply tables from published aggregate counts, computed as from microdata.

Many users have only SUS's aggregate tables (counts per category and sex), not the
participant rows. This module reads such counts in one documented long format (see
``docs/data-model.md``, "Aggregate counts") and computes the SUS outcome table
(:func:`finsamlib.outcomes.outcome_table`), the yearly flows
(:func:`finsamlib.outcomes.participant_flows`) and the supply tables (:mod:`finsamlib.supply`)
from them. There is one computation: microdata are first reduced to the same counts
(:func:`counts_from_microdata`, :func:`supply_counts_from_microdata`), so a table from a
published aggregate and a table from microdata are the same function of the same counts.

The format, one row per count::

    area,sex,year,indicator,value
    Riket,Kvinnor,2019,ended_registrations,6681
    Riket,Kvinnor,2019,work_count,1008

* ``area``: any name (an association, county, nation, insats, project).
* ``sex``: ``Totalt``, ``Kvinnor`` or ``Män`` (SUS's column labels). When an area has
  ``Kvinnor`` and ``Män`` but no ``Totalt`` for an indicator, ``Totalt`` is their sum; a given
  ``Totalt`` is used as given (it may hold persons whose sex is not recorded).
* ``year``: optional; a whole number. With several years, the functions take ``year=``.
* ``indicator``: one of :data:`INDICATORS` (outcome and flow counts) or a supply count:
  ``support_before:<code>`` / ``support_after:<code>`` (ended registrations with that main
  support before / after; a support code of ``docs/data-model.md``) or
  ``support_transition:<before code>:<after code>`` (before × after pairs).
* ``value``: a number ≥ 0; counts are whole numbers, ``work_fte`` / ``work_or_studies_fte``
  full-time equivalents and ``enrolment_days`` the *sum* of days of the ended registrations.
* Optional ``unit`` (must equal the indicator's unit), ``source``, ``table`` and ``note``;
  any other column is refused.

Validation (:func:`validate_aggregate`, run by :func:`load_aggregate` and by every function
here) names the file, the line and the column of every problem: unknown indicators, sexes or
columns, values that are not numbers, negative or fractional counts, a unit that does not
fit, the same count given twice, and parts larger than their whole (``work_count`` more than
``ended_registrations``, an FTE sum above the number of registrations — every registration is
at most one full-time equivalent —, ``new`` more than ``registered``, supply counts summing to
more than the ended registrations, marginals that disagree with the transitions).

The functions are pure apart from :func:`load_aggregate`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from . import outcomes, supply
from .categories import SUPPORT_CODES
from .errors import FinsamDataError, Problem
from .loaders import read_raw
from .personnummer import refuse_identity_numbers

TOTAL = outcomes.TOTAL
#: The sex labels of the format, in SUS order.
SEXES: tuple[str, ...] = outcomes.SEX_COLUMNS
_SEX_CODE = {"Kvinnor": "K", "Män": "M"}
#: Columns every aggregate table has.
REQUIRED_COLUMNS: tuple[str, ...] = ("area", "sex", "indicator", "value")
#: Columns an aggregate table may have besides the required ones.
OPTIONAL_COLUMNS: tuple[str, ...] = ("year", "unit", "source", "table", "note")

#: The outcome and flow counts: indicator → unit. The outcome counts are
#: :data:`finsamlib.outcomes.COUNT_KEYS`; ``registered`` (active at any time in the year) and
#: ``new`` (started in the year) are the flow counts of
#: :func:`finsamlib.outcomes.participant_flows`.
INDICATORS: dict[str, str] = {
    "ended_registrations": "count",
    "unique_persons": "count",
    "under_30": "count",
    "support_over_3_years": "count",
    "compulsory_or_less": "count",
    "post_secondary": "count",
    "enrolment_days": "days",
    "work_count": "count",
    "work_fte": "fte",
    "work_or_studies_count": "count",
    "work_or_studies_fte": "fte",
    "work_or_studies_gained_count": "count",
    "registered": "count",
    "new": "count",
}
assert set(outcomes.COUNT_KEYS) <= set(INDICATORS)
#: Prefixes of the supply counts (followed by one support code, or two for transitions).
SUPPLY_BEFORE, SUPPLY_AFTER, SUPPLY_TRANSITION = (
    "support_before:",
    "support_after:",
    "support_transition:",
)
#: Counts that are parts of ``ended_registrations`` in the same cell (at most as many).
_CORE = ("area", "sex", "year", "indicator", "value", "unit")
_PARTS_OF_ENDED = tuple(
    k for k in outcomes.COUNT_KEYS if k not in ("ended_registrations", "enrolment_days")
)


# --------------------------------------------------------------------------- validation


def indicator_unit(indicator: str) -> str | None:
    """The unit of an indicator of the format, or None if it is not one."""
    if indicator in INDICATORS:
        return INDICATORS[indicator]
    for prefix, parts in ((SUPPLY_BEFORE, 1), (SUPPLY_AFTER, 1), (SUPPLY_TRANSITION, 2)):
        if indicator.startswith(prefix):
            codes = indicator[len(prefix) :].split(":")
            if len(codes) == parts and all(c in SUPPORT_CODES for c in codes):
                return "count"
    return None


def _expected_indicator() -> str:
    return (
        f"an indicator: one of {', '.join(INDICATORS)}, or support_before:<code>, "
        f"support_after:<code>, support_transition:<code>:<code> with a support code "
        f"({', '.join(SUPPORT_CODES)})"
    )


def validate_aggregate(frame: pd.DataFrame, source: str | Path | None = None) -> pd.DataFrame:
    """Check an aggregate table (see the module docstring) and return it cleaned.

    ``frame`` holds the file's cells (text or numbers); its index is taken as the line of each
    row in the file (as :func:`finsamlib.loaders.read_raw` gives it; a frame indexed 0, 1, …
    is read as lines 2, 3, …). Raises :class:`FinsamDataError` naming ``source`` (default
    ``frame.attrs["source"]``) and every problem. Returns ``source`` and ``table`` (if
    given), ``area``, ``sex``, ``year`` (Int64, ``<NA>`` if not given), ``indicator``,
    ``value`` (float), ``unit`` (the indicator's) and ``note`` (if given), indexed by the line
    of each row in the file.
    """
    source = source or frame.attrs.get("source", "aggregate table")
    columns = [str(c) for c in frame.columns]
    problems = [
        Problem(1, name, None, f"a column {name!r} (aggregate format: docs/data-model.md)")
        for name in REQUIRED_COLUMNS
        if name not in columns
    ]
    problems += [
        Problem(
            1,
            name,
            None,
            f"only the columns {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}",
        )
        for name in columns
        if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    ]
    if problems:
        raise FinsamDataError(source, problems)
    if frame.empty:
        raise FinsamDataError(source, "at least one count (the table has no rows)")
    index = frame.index
    first_line = 2 if isinstance(index, pd.RangeIndex) and index.start == 0 else 0
    lines = [int(i) + first_line for i in range(len(frame))] if first_line else list(index)
    rows = []
    for line, (_, row) in zip(lines, frame.iterrows(), strict=True):
        found = len(problems)

        def text(column: str, row: pd.Series = row) -> str:
            v = row[column]
            return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v).strip()

        area, sex, indicator, raw_value = (text(c) for c in REQUIRED_COLUMNS)
        if not area:
            problems.append(Problem(line, "area", None, "the name of an area"))
        if sex not in SEXES:
            problems.append(Problem(line, "sex", sex, f"one of {', '.join(SEXES)}"))
        unit = indicator_unit(indicator)
        if unit is None:
            problems.append(Problem(line, "indicator", indicator, _expected_indicator()))
        try:
            value = float(raw_value.replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            problems.append(Problem(line, "value", raw_value, "a number (. as decimal)"))
        elif value < 0:
            problems.append(Problem(line, "value", raw_value, "a number of at least 0"))
        elif unit == "count" and value != round(value):
            problems.append(Problem(line, "value", raw_value, f"a whole number ({indicator})"))
        if "unit" in columns and text("unit") and unit is not None and text("unit") != unit:
            problems.append(Problem(line, "unit", text("unit"), f"{unit!r} for {indicator}"))
        year: int | None = None
        if "year" in columns and text("year"):
            try:
                year = int(text("year"))
            except ValueError:
                problems.append(Problem(line, "year", text("year"), "a year such as 2019"))
        if len(problems) == found:
            extra = [text(c) or None for c in ("source", "table", "note") if c in columns]
            rows.append((*extra, area, sex, year, indicator, value, unit, line))
    if problems:
        raise FinsamDataError(source, problems)
    head = [c for c in ("source", "table", "note") if c in columns]
    out = pd.DataFrame(rows, columns=[*head, *_CORE, "line"]).set_index("line")
    out["year"] = out["year"].astype("Int64")
    _check_consistency(out, source)
    order = [c for c in ("source", "table") if c in head] + list(_CORE)
    out = out[order + (["note"] if "note" in head else [])]
    out.attrs = {**frame.attrs, "source": str(source)}
    return out


def _check_consistency(df: pd.DataFrame, source: str | Path) -> None:
    problems = []
    key = ["year", "area", "sex", "indicator"]
    keyed = df.assign(year=df["year"].astype("float64").fillna(-1), line=df.index)
    dup = keyed[keyed.duplicated(key, keep=False)]
    for _, group in dup.groupby(key, dropna=False):
        first = int(group["line"].iloc[0])
        for line in group["line"].iloc[1:]:
            problems.append(
                Problem(int(line), "indicator", str(group["indicator"].iloc[0]),
                        f"each count once per area, sex and year (also on line {first})")
            )  # fmt: skip
    if problems:
        raise FinsamDataError(source, problems)
    for _, cell in keyed.groupby(["year", "area", "sex"], dropna=False):
        value = dict(zip(cell["indicator"], cell["value"], strict=True))
        line = dict(zip(cell["indicator"], cell["line"], strict=True))

        for part in _PARTS_OF_ENDED:
            why = "an FTE sum: each registration is at most one full-time equivalent"
            what = why if part.endswith("_fte") else "a part of them"
            problems += _over(value, line, part, "ended_registrations", what)
        problems += _over(value, line, "new", "registered", "the new are among the registered")
        problems += _over(
            value, line, "ended_registrations", "registered", "the ended are among the registered"
        )
        for prefix in (SUPPLY_BEFORE, SUPPLY_AFTER, SUPPLY_TRANSITION):
            total = sum(v for k, v in value.items() if k.startswith(prefix))
            hits = [k for k in value if k.startswith(prefix)]
            if hits and "ended_registrations" in value and total > value["ended_registrations"]:
                problems.append(
                    Problem(int(line[hits[0]]), "value", f"{total:g} in all",
                            f"{prefix}* counts summing to at most ended_registrations = "
                            f"{value['ended_registrations']:g}")
                )  # fmt: skip
        pairs = _transitions(value)
        if pairs is not None:
            for prefix, axis in ((SUPPLY_BEFORE, 1), (SUPPLY_AFTER, 0)):
                margins = pairs.sum(axis=axis)
                for i, code in enumerate(SUPPORT_CODES):
                    k = prefix + code
                    if k in value and value[k] != margins[i]:
                        problems.append(
                            Problem(int(line[k]), "value", f"{value[k]:g}",
                                    f"{margins[i]:g}, the sum of the transitions with "
                                    f"{code} {prefix[8:-1]}")
                        )  # fmt: skip
    if problems:
        raise FinsamDataError(source, problems)


def _over(
    value: Mapping[str, float], line: Mapping[str, int], part: str, whole: str, what: str
) -> list[Problem]:
    """A problem if the count ``part`` exceeds ``whole`` in one cell."""
    if part in value and whole in value and value[part] > value[whole] + 1e-9:
        expected = f"at most {whole} = {value[whole]:g} of the same area, sex and year ({what})"
        return [Problem(int(line[part]), "value", f"{value[part]:g}", expected)]
    return []


def _transitions(value: Mapping[str, float]) -> np.ndarray | None:
    """The before × after matrix of one cell's transition counts, or None if none given."""
    hits = {k: v for k, v in value.items() if k.startswith(SUPPLY_TRANSITION)}
    if not hits:
        return None
    pos = {c: i for i, c in enumerate(SUPPORT_CODES)}
    m = np.zeros((len(SUPPORT_CODES), len(SUPPORT_CODES)))
    for k, v in hits.items():
        b, a = k[len(SUPPLY_TRANSITION) :].split(":")
        m[pos[b], pos[a]] = v
    return m


def load_aggregate(path: str | Path) -> pd.DataFrame:
    """Read and validate an aggregate table (CSV or XLSX; see the module docstring).

    Refuses personal identity numbers like every loader; never changes the file.
    """
    path = Path(path)
    raw = read_raw(path)
    refuse_identity_numbers(path, raw)
    out = validate_aggregate(raw, path)
    out.attrs["table"] = "aggregate"
    return out


def from_published_utfall(utfall: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The counts of a transcribed SUS outcome table (``published/seed001_utfall_2019``).

    Keeps the rows whose ``indicator_key`` is a count of the format (ended registrations,
    unique persons, work and work-or-studies counts and FTE, gained); the printed shares and
    means are results, not counts, and are left out. Validated, with the lines of the
    transcription in errors (seed 001's Riket Män FTE 9 744,0 exceeds its 5 628 ended
    registrations and is refused, naming its line).
    """
    needed = ["area", "sex", "indicator_key", "value"]
    missing = [c for c in needed if c not in utfall.columns]
    if missing:
        raise ValueError(f"a published outcome table has the columns {needed}; missing {missing}")
    rows = utfall[utfall["indicator_key"].isin(list(INDICATORS))]
    out = pd.DataFrame(
        {
            "area": rows["area"],
            "sex": rows["sex"],
            "year": year,
            "indicator": rows["indicator_key"],
            "value": rows["value"],
        }
    )
    out.index = out.index + 2  # the published loader numbers rows from 0; the header is line 1
    return validate_aggregate(out, utfall.attrs.get("source", "published outcome table"))


def _checked(aggregate: pd.DataFrame) -> pd.DataFrame:
    """Validated again on every use: a loaded table may have been edited since."""
    return validate_aggregate(aggregate)


def _one_year(df: pd.DataFrame, year: int | None) -> tuple[pd.DataFrame, int | None]:
    years = sorted(int(y) for y in df["year"].dropna().unique())
    if year is None:
        if len(years) > 1:
            raise ValueError(f"the aggregate table has the years {years}; choose one with year=")
        return df, (years[0] if years else None)
    if years and year not in years:
        raise ValueError(f"the aggregate table has no counts for {year}; it has {years}")
    return df[df["year"].isna() | (df["year"] == year)], year


# --------------------------------------------------------------------------- microdata → counts


def counts_from_microdata(
    participants: pd.DataFrame,
    year: int,
    by: str = "association",
    registry: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The outcome and flow counts of microdata, in the aggregate format.

    The outcome counts of every column of :func:`finsamlib.outcomes.outcome_table` (same
    parameters; with a ``registry`` the counties are areas too), plus ``registered`` and
    ``new`` per area and sex (:func:`finsamlib.outcomes.active_in_year`,
    :func:`~finsamlib.outcomes.started_in_year`). These counts are the personal data's
    aggregates: publish them only through the run's disclosure pattern.
    """
    columns = outcomes.area_counts(participants, year, by=by, registry=registry)
    flows = _flow_counts(participants, year, by, registry)
    rows = [
        (area, sex, year, key, float(value))
        for (area, sex), counts in columns.items()
        for key, value in [*counts.items(), *flows.get((area, sex), {}).items()]
    ]
    return validate_aggregate(
        pd.DataFrame(rows, columns=["area", "sex", "year", "indicator", "value"])
    )


def _flow_counts(
    participants: pd.DataFrame, year: int, by: str, registry: pd.DataFrame | None
) -> dict[tuple[str, str], dict[str, float]]:
    active = outcomes.active_in_year(participants, year)
    new = active.index.isin(outcomes.started_in_year(active, year).index)
    # every area of the outcome table, also those with nobody active in the year
    areas = {str(a): active[by] == a for a in participants[by].dropna().unique()}
    if registry is not None:
        county = registry.drop_duplicates("association").set_index("association")["county"]
        of = active["association"].map(county)
        for c in participants["association"].map(county).dropna().unique():
            areas[str(c)] = of == c
    out: dict[tuple[str, str], dict[str, float]] = {}
    for area, mask in areas.items():
        for sex in SEXES:
            keep = mask if sex == TOTAL else mask & (active["sex"] == _SEX_CODE[sex])
            out[(area, sex)] = {"registered": float(keep.sum()), "new": float((keep & new).sum())}
    return out


# --------------------------------------------------------------------------- counts → tables


def _cells(df: pd.DataFrame) -> dict[tuple[str, str], dict[str, float]]:
    """(area, sex) → indicator → value, areas in order of appearance, Totalt filled in as
    Kvinnor + Män where only the sexes are given."""
    cells: dict[tuple[str, str], dict[str, float]] = {}
    for area in dict.fromkeys(df["area"]):
        sub = df[df["area"] == area]
        by_sex = {
            s: dict(zip(g["indicator"], g["value"], strict=True)) for s, g in sub.groupby("sex")
        }
        women, men = by_sex.get("Kvinnor", {}), by_sex.get("Män", {})
        total = {k: women[k] + men[k] for k in women.keys() & men.keys()}
        total.update(by_sex.get(TOTAL, {}))
        for sex, values in ((TOTAL, total), ("Kvinnor", women), ("Män", men)):
            if sex in by_sex or (sex == TOTAL and total):
                cells[(area, sex)] = values
    return cells


def _add_counties(
    cells: dict[tuple[str, str], dict[str, float]], registry: pd.DataFrame
) -> dict[tuple[str, str], dict[str, float]]:
    """The associations in registry order, then one column per county: the sum of its
    associations' counts (NaN where one of them lacks a count), as
    :func:`finsamlib.outcomes.area_counts` does with microdata."""
    areas = list(dict.fromkeys(a for a, _ in cells))
    known = set(registry["association"])
    unknown = [a for a in areas if a not in known]
    if unknown:
        raise ValueError(f"areas {unknown} are not associations of the registry")
    order = list(dict.fromkeys(registry["association"]))
    out = {key: cells[key] for a in order for key in cells if key[0] == a}
    for county, members in _county_members(registry).items():
        present = [m for m in members if m in areas]
        if not present:
            continue
        for sex in SEXES:
            parts = [cells.get((m, sex)) for m in present]
            if any(p is None for p in parts):
                continue
            if (county, sex) in out:
                raise ValueError(f"county {county!r} has the name of an area")
            keys = set().union(*parts)  # type: ignore[arg-type]
            out[(county, sex)] = {
                k: float(sum(p.get(k, np.nan) for p in parts))  # type: ignore[union-attr]
                for k in keys
            }
    return out


def _county_members(registry: pd.DataFrame) -> dict[str, list[str]]:
    members: dict[str, list[str]] = {}
    for a, c in zip(registry["association"], registry["county"], strict=True):
        members.setdefault(str(c), [])
        if a not in members[str(c)]:
            members[str(c)].append(str(a))
    return members


def outcome_table(
    aggregate: pd.DataFrame,
    year: int | None = None,
    registry: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The SUS outcome table from aggregate counts, computed as from microdata.

    Columns (area, sex) in the order the areas first appear, with ``Totalt``, ``Kvinnor`` and
    ``Män`` where given (``Totalt`` = Kvinnor + Män where only the sexes are); rows and values
    as :func:`finsamlib.outcomes.outcome_table`. An indicator whose counts are not in the
    table is NaN (e.g. the age share of a table without ``under_30``). With a ``registry``
    (areas are then associations) one column per county is added, the sum of its
    associations' counts, as the microdata table does.
    """
    df, year = _one_year(_checked(aggregate), year)
    cells = _cells(df[df["indicator"].isin(outcomes.COUNT_KEYS)])
    if registry is not None:
        cells = _add_counties(cells, registry)
    table = outcomes.table_from_counts(cells)
    table.attrs["year"] = year
    table.attrs["units"] = dict(outcomes.INDICATOR_UNITS)
    table.attrs["source"] = aggregate.attrs.get("source", "aggregate table")
    return table


def participant_flows(aggregate: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """Registered, new, ended and ongoing participants per area (``Totalt``) from counts.

    The table of :func:`finsamlib.outcomes.participant_flows`, computed by the same
    :func:`~finsamlib.outcomes.flows_from_counts`: ``registered``, ``new``,
    ``ended_registrations`` and ``work_or_studies_count`` of each area's ``Totalt``; a missing
    count gives NaN where it is needed (seed 004: RAR's 60 of 156 ended give 38 %).
    """
    df, year = _one_year(_checked(aggregate), year)
    rows = {
        area: outcomes.flows_from_counts(
            *(
                float(c.get(k, np.nan))
                for k in ("registered", "new", "ended_registrations", "work_or_studies_count")
            )
        )
        for (area, sex), c in _cells(df).items()
        if sex == TOTAL
    }
    return outcomes.flows_table(rows, "area", year)


# --------------------------------------------------------------------------- supply


def supply_counts_from_microdata(
    participants: pd.DataFrame, by: str = "association", *, year: int | None = None
) -> pd.DataFrame:
    """The before × after supply counts of microdata in the aggregate format.

    One ``support_transition:<before>:<after>`` count per area (values of ``by``), sex
    (``Kvinnor``, ``Män``) and pair present, from :func:`finsamlib.supply.transition_matrix`
    (so the same registrations are included: ended, with support registered both times).
    """
    matrix = supply.transition_matrix(participants, by=[by, "sex"], year=year)
    long = matrix.stack().rename("value").reset_index()
    long = long[long["value"] > 0]
    sexes = {code: label for label, code in _SEX_CODE.items()}
    out = pd.DataFrame(
        {
            "area": long[by].astype(str).to_numpy(),
            "sex": long["sex"].map(sexes).to_numpy(),
            "year": year,
            "indicator": (SUPPLY_TRANSITION + long["before"] + ":" + long["after"]).to_numpy(),
            "value": long["value"].astype(float).to_numpy(),
        }
    )
    return validate_aggregate(out)


def _supply_cells(df: pd.DataFrame) -> dict[tuple[str, str], dict[str, float]]:
    """Per area, the sexes' supply counts (or Totalt's when the sexes are not given)."""
    df = df[df["indicator"].str.startswith("support_")]
    cells = {}
    for area in dict.fromkeys(df["area"]):
        sub = df[df["area"] == area]
        sexes = [s for s in ("Kvinnor", "Män") if (sub["sex"] == s).any()]
        for sex in sexes or [TOTAL]:
            rows = sub[sub["sex"] == sex]
            cells[(area, sex)] = dict(zip(rows["indicator"], rows["value"], strict=True))
    return cells


def _pairs_frame(pairs: list[tuple[str, str, str, str, int]], year: int | None) -> pd.DataFrame:
    area, sex, before, after, n = (list(x) for x in zip(*pairs, strict=True)) if pairs else (
        [], [], [], [], []
    )  # fmt: skip
    reps = np.asarray(n, dtype=np.int64)
    end = pd.Timestamp(year if year is not None else 2000, 12, 31)
    frame = pd.DataFrame(
        {
            "area": np.repeat(np.array(area, dtype=object), reps),
            "sex": pd.Series(np.repeat(np.array(sex, dtype=object), reps), dtype="object"),
            "end_date": end,
            "support_before": np.repeat(np.array(before, dtype=object), reps),
            "support_after": np.repeat(np.array(after, dtype=object), reps),
        }
    )
    frame.attrs["note"] = "expanded from aggregate counts: not individual data"
    return frame


def supply_pairs(aggregate: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The transition counts as the pairs :mod:`finsamlib.supply` reads: one row per counted
    before/after pair, with ``area``, ``sex`` (``K``/``M``, or empty where only ``Totalt`` is
    given), ``end_date`` (31 December of the year) and ``support_before`` / ``support_after``.

    Every supply function then runs on it unchanged, e.g.
    ``supply.change(supply_pairs(agg), by="area")``: the tables of an aggregate are computed
    by the same code as those of microdata. The rows are expanded counts, not persons. An area
    with only marginal counts (``support_before:`` / ``support_after:``) is refused: change,
    transitions and tests need the pairs; use :func:`supply_distribution` for marginals.
    """
    df, year = _one_year(_checked(aggregate), year)
    pairs = []
    for (area, sex), value in _supply_cells(df).items():
        matrix = _transitions(value)
        if matrix is None:
            raise ValueError(
                f"area {area!r} ({sex}) has only marginal supply counts; change, transitions "
                "and tests need support_transition:<before>:<after> counts "
                "(aggregates.supply_distribution reads marginals)"
            )
        for i, j in zip(*np.nonzero(matrix), strict=True):
            pairs.append(
                (area, _SEX_CODE.get(sex), SUPPORT_CODES[i], SUPPORT_CODES[j], int(matrix[i, j]))
            )
    return _pairs_frame(pairs, year)


def supply_distribution(
    aggregate: pd.DataFrame,
    when: str = "before",
    by: str | list[str] = "area",
    families: bool = False,
    year: int | None = None,
) -> pd.DataFrame:
    """:func:`finsamlib.supply.distribution` from aggregate counts, marginal or paired.

    Reads ``support_<when>:<code>`` counts, or sums the transitions where the marginals are
    not given. ``by`` names ``area`` and/or ``sex`` (the sex split needs counts per sex).
    """
    if when not in ("before", "after"):
        raise ValueError(f"when must be 'before' or 'after', got {when!r}")
    df, year = _one_year(_checked(aggregate), year)
    prefix = SUPPLY_BEFORE if when == "before" else SUPPLY_AFTER
    pairs = []
    for (area, sex), value in _supply_cells(df).items():
        matrix = _transitions(value)
        for i, code in enumerate(SUPPORT_CODES):
            if prefix + code in value:
                n = value[prefix + code]
            elif matrix is not None:
                n = matrix[i].sum() if when == "before" else matrix[:, i].sum()
            else:
                continue
            if n:
                # distribution() reads only the ``when`` side; the other is the same code
                pairs.append((area, _SEX_CODE.get(sex), code, code, int(n)))
    return supply.distribution(_pairs_frame(pairs, year), when, by=by, families=families)
