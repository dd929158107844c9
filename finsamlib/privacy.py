"""Small-cell suppression for every table and chart that a report publishes.

Participant rows are personal data. A published count from 1 up to a threshold (default 4, so
that a report shows "<5") could point at a person, so it is suppressed (*primary suppression*);
a figure computed from a suppressed count (a share, a mean, full-time equivalents) is suppressed
with it; and wherever cells add up to a shown total, a single suppressed cell could be recovered
by subtraction, so a second cell of that line is suppressed too (*secondary*, or complementary,
suppression), repeated until every line hides either no cell or at least two. Zero is shown: a
zero identifies nobody.

The suppressed table keeps its shape and columns: suppressed cells become NaN (so charts drawn
from it leave them out) and ``attrs["suppression"]`` records which cells were suppressed and why,
for :func:`flags` and :func:`display_values`. The method is described in Swedish by
:func:`method_text` and stated in every report.

The rule follows the common practice of Swedish official statistics (SCB, Socialstyrelsen) of
not publishing counts below 5 ("<5") and protecting totals against subtraction.

:func:`suppress` protects one table on its own. The reports protect all their tables together:
:mod:`finsamlib.disclosure` chooses one pattern for every cell of a run (linked tables: a count
hidden in one table must not follow from others), and :func:`apply_pattern` applies it to each
table, in the same format as :func:`suppress`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

#: Counts from 1 up to this value are suppressed by default (shown as "<5").
DEFAULT_THRESHOLD = 4
#: Shown for a figure that is suppressed to protect another cell, or computed from one.
SECONDARY_MARK = ".."
PRIMARY = "primary"
SECONDARY = "secondary"
ATTR = "suppression"

Cell = tuple[Hashable, Hashable]


class _Info(dict):
    """``attrs["suppression"]``: never changed after it is made, so pandas' deep copy of a
    table's attrs (on every operation) can share it instead of copying every cell."""

    def __deepcopy__(self, memo: dict) -> _Info:
        return self

    def __copy__(self) -> _Info:
        return self


def primary_mark(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The text shown for a count that is too small to publish, e.g. ``"<5"``."""
    return f"<{threshold + 1}"


def _check_labels(table: pd.DataFrame) -> None:
    if not table.index.is_unique:
        raise ValueError("suppress() needs a table with unique row labels (index)")
    if not table.columns.is_unique:
        raise ValueError("suppress() needs a table with unique column names")


def _known(labels: pd.Index, wanted: Sequence[Hashable], what: str) -> None:
    missing = [w for w in wanted if w not in labels]
    if missing:
        raise KeyError(f"{what} {missing} not in the table; it has: {list(labels)}")


def suppress(
    table: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    counts: Sequence[Hashable] | None = None,
    count_rows: Sequence[Hashable] | None = None,
    derived: Mapping[Hashable, Hashable | Sequence[Hashable]] | None = None,
    derived_rows: Mapping[Hashable, Hashable | Sequence[Hashable]] | None = None,
    total_row: Hashable | None = None,
    total_column: Hashable | None = None,
    row_totals: Mapping[Hashable, Sequence[Hashable]] | None = None,
    column_totals: Mapping[Hashable, Sequence[Hashable]] | None = None,
    secondary: Literal["component", "total"] = "component",
) -> pd.DataFrame:
    """Suppress small counts, the figures computed from them, and totals that reveal them.

    Parameters
    ----------
    table : DataFrame with unique row labels and column names.
    threshold : counts ``1 <= n <= threshold`` are suppressed (4 -> shown as "<5").
    counts : the columns that hold counts. Default: every integer column, unless ``count_rows``
        is given.
    count_rows : the rows that hold counts (for tables with one indicator per row, such as the
        SUS outcome table); their numeric cells are counts.
    derived : ``{column: count_column}``: each cell of ``column`` was computed from the count in
        the same row of ``count_column`` (a share, a mean, FTE) and is suppressed with it; a
        list of count columns when it was computed from several (e.g. a change after − before).
    derived_rows : ``{row: count_row}`` (or a list of count rows), the same for rows.
    total_row, total_column : a row (column) that is the sum of all other count rows (columns).
    row_totals, column_totals : ``{total: [components]}`` for sums of some rows (columns), e.g.
        ``column_totals={"Totalt": ["Kvinnor", "Män"]}``.
    secondary : when a line (a total and its components) hides exactly one cell, hide the
        smallest other component (``"component"``, the default, so the total stays visible) or
        the total (``"total"``); a component is used when the total is already hidden, and the
        total when no component is left.

    Returns
    -------
    A copy of ``table``: suppressed cells are NaN (count and derived columns become float) and
    ``attrs["suppression"]`` holds ``{"threshold": t, "cells": ((row, column, reason), ...)}``
    with reason ``"primary"`` or ``"secondary"``.

    Examples
    --------
    >>> t = pd.DataFrame({"antal": [12, 3, 20]}, index=["a", "b", "c"])
    >>> t.loc["Totalt"] = t["antal"].sum()
    >>> s = suppress(t, total_row="Totalt")
    >>> s["antal"].tolist()  # b is too small; a, the smallest other, protects it
    [nan, nan, 20.0, 35.0]
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"suppress() needs a DataFrame, got {type(table).__name__}")
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 0:
        raise ValueError(f"threshold must be a whole number >= 0, got {threshold!r}")
    if secondary not in ("component", "total"):
        raise ValueError(f"secondary must be 'component' or 'total', got {secondary!r}")
    _check_labels(table)
    rows, cols = table.index, table.columns
    numeric = [c for c in cols if pd.api.types.is_numeric_dtype(table[c].dtype)]
    if counts is None and count_rows is None:
        counts = [
            c
            for c in numeric
            if pd.api.types.is_integer_dtype(table[c].dtype)
            and not pd.api.types.is_bool_dtype(table[c].dtype)
        ]
    counts = list(counts or [])
    count_rows = list(count_rows or [])
    _known(cols, counts, "count columns")
    _known(rows, count_rows, "count rows")
    derived = {k: _as_list(v) for k, v in (derived or {}).items()}
    derived_rows = {k: _as_list(v) for k, v in (derived_rows or {}).items()}
    _known(cols, [*derived, *(s for v in derived.values() for s in v)], "derived columns")
    _known(rows, [*derived_rows, *(s for v in derived_rows.values() for s in v)], "derived rows")

    def value(cell: Cell) -> float:
        v = table.at[cell]
        try:
            return float(v)
        except (TypeError, ValueError):
            return float("nan")

    count_cells: set[Cell] = {(r, c) for r in rows for c in counts}
    count_cells |= {(r, c) for r in count_rows for c in numeric}
    count_cells = {cell for cell in count_cells if not np.isnan(value(cell))}

    lines = _lines(
        rows, cols, count_cells, total_row, total_column, row_totals or {}, column_totals or {}
    )

    flags: dict[Cell, str] = {}
    for cell in count_cells:
        v = value(cell)
        if 1 <= v <= threshold:
            flags[cell] = PRIMARY
    _complete_lines(lines, flags, value, secondary)

    # Figures computed from a suppressed count go with it.
    for r in rows:
        for col, sources in derived.items():
            if any((r, s) in flags for s in sources) and (r, col) not in flags:
                flags[(r, col)] = SECONDARY
    for row, sources in derived_rows.items():
        for c in cols:
            if any((s, c) in flags for s in sources) and (row, c) not in flags:
                flags[(row, c)] = SECONDARY

    out = table.copy()
    touched = {c for _, c in flags}
    for c in touched:
        if not pd.api.types.is_float_dtype(out[c].dtype):
            if pd.api.types.is_numeric_dtype(out[c].dtype):
                out[c] = out[c].astype("float64")
            else:
                out[c] = out[c].astype(object)
    for (r, c), _reason in flags.items():
        out.at[r, c] = np.nan
    order = {label: i for i, label in enumerate(rows)}
    corder = {label: i for i, label in enumerate(cols)}
    cells = tuple(
        sorted(
            ((r, c, reason) for (r, c), reason in flags.items()),
            key=lambda t: (order[t[0]], corder[t[1]]),
        )
    )
    out.attrs[ATTR] = _Info(threshold=int(threshold), cells=cells)
    return out


def apply_pattern(
    table: pd.DataFrame,
    pattern: object,
    cells: Mapping[Cell, Hashable | Sequence[Hashable]],
    *,
    counts: Iterable[Cell] = (),
    public: Iterable[Cell] = (),
) -> pd.DataFrame:
    """Hide the cells of ``table`` that a run's pattern hides (:mod:`finsamlib.disclosure`).

    Parameters
    ----------
    table : the table as computed, with unique row labels and column names.
    pattern : a :class:`finsamlib.disclosure.Pattern`.
    cells : ``{(row, column): key}`` or a list of keys: the model cells each table cell shows
        or is computed from; it is hidden when any of them is.
    counts : the table cells that print a count: "<5" when their cell is a small count;
        every other hidden cell prints "..".
    public : table cells that are not about participants (published figures, assumptions).
        Every other numeric value of the table must be in ``cells``, so that no figure can
        bypass the protection (ValueError otherwise).

    Returns
    -------
    A copy of ``table`` as :func:`suppress` returns it: hidden cells NaN, ``attrs["suppression"]``
    with the pattern's threshold, the hidden cells with their reasons and, under ``"keys"``,
    ``cells``.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"apply_pattern() needs a DataFrame, got {type(table).__name__}")
    _check_labels(table)
    counts = set(counts)
    public = set(public)
    keys = {cell: _as_keys(k) for cell, k in cells.items()}
    missing = [
        (r, c)
        for c in table.columns
        if pd.api.types.is_numeric_dtype(table[c].dtype)
        for r in table.index
        if (r, c) not in keys and (r, c) not in public and pd.notna(table.at[r, c])
    ]
    if missing:
        raise ValueError(
            f"table cells {missing[:5]} are neither linked to the disclosure model nor public"
        )
    flags: dict[Cell, str] = {}
    for cell, ks in keys.items():
        if cell[0] not in table.index or cell[1] not in table.columns:
            raise KeyError(f"cell {cell!r} is not in the table")
        reasons = [pattern.reason(k) for k in ks]  # type: ignore[attr-defined]
        if any(reasons):
            primary = cell in counts and len(ks) == 1 and reasons[0] == PRIMARY
            flags[cell] = PRIMARY if primary else SECONDARY
    out = table.copy()
    for c in {c for _, c in flags}:
        if not pd.api.types.is_float_dtype(out[c].dtype):
            if pd.api.types.is_numeric_dtype(out[c].dtype):
                out[c] = out[c].astype("float64")
            else:
                out[c] = out[c].astype(object)
    for r, c in flags:
        out.at[r, c] = np.nan
    order = {label: i for i, label in enumerate(table.index)}
    corder = {label: i for i, label in enumerate(table.columns)}
    hidden = tuple(
        sorted(
            ((r, c, reason) for (r, c), reason in flags.items()),
            key=lambda t: (order[t[0]], corder[t[1]]),
        )
    )
    out.attrs[ATTR] = _Info(
        threshold=int(pattern.threshold),  # type: ignore[attr-defined]
        cells=hidden,
        keys=keys,
        pattern=True,
    )
    return out


def _as_keys(value: Hashable | Sequence[Hashable]) -> list[tuple]:
    """One key (a tuple) or a list of keys, as a list of keys."""
    if isinstance(value, tuple):
        return [value]
    return [tuple(k) for k in value]  # type: ignore[union-attr]


def from_pattern(table: pd.DataFrame) -> bool:
    """Whether ``table`` was protected with a run's pattern (:func:`apply_pattern`)."""
    return bool(table.attrs.get(ATTR, {}).get("pattern"))


def _as_list(value: Hashable | Sequence[Hashable]) -> list[Hashable]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _lines(
    rows: pd.Index,
    cols: pd.Index,
    count_cells: set[Cell],
    total_row: Hashable | None,
    total_column: Hashable | None,
    row_totals: Mapping[Hashable, Sequence[Hashable]],
    column_totals: Mapping[Hashable, Sequence[Hashable]],
) -> list[tuple[Cell, list[Cell]]]:
    """Every additive constraint of the table as (total cell, component cells)."""
    row_totals = dict(row_totals)
    column_totals = dict(column_totals)
    if total_row is not None:
        _known(rows, [total_row], "total row")
        row_totals[total_row] = [r for r in rows if r != total_row]
    if total_column is not None:
        _known(cols, [total_column], "total column")
        column_totals[total_column] = [
            c for c in cols if c != total_column and any((r, c) in count_cells for r in rows)
        ]
    for total, parts in row_totals.items():
        _known(rows, [total, *parts], "row totals")
    for total, parts in column_totals.items():
        _known(cols, [total, *parts], "column totals")
    lines: list[tuple[Cell, list[Cell]]] = []
    for total, parts in row_totals.items():
        for c in cols:
            if (total, c) in count_cells:
                lines.append(((total, c), [(r, c) for r in parts if (r, c) in count_cells]))
    for total, parts in column_totals.items():
        for r in rows:
            if (r, total) in count_cells:
                lines.append(((r, total), [(r, c) for c in parts if (r, c) in count_cells]))
    return lines


def _complete_lines(
    lines: list[tuple[Cell, list[Cell]]],
    flags: dict[Cell, str],
    value: Callable[[Cell], float],
    secondary: str,
) -> None:
    """Secondary suppression: until no line hides exactly one of its cells, hide one more."""
    changed = True
    while changed:
        changed = False
        for total, parts in lines:
            hidden = [cell for cell in (total, *parts) if cell in flags]
            if len(hidden) != 1:
                continue
            free = [cell for cell in parts if cell not in flags]
            # Prefer the smallest positive component: it loses the least information.
            free.sort(key=lambda cell: (value(cell) <= 0, value(cell)))
            if total in flags or (secondary == "component" and free):
                if not free:
                    continue  # a hidden total with no components: nothing to subtract from
                choice = free[0]
            else:
                choice = total
            flags[choice] = SECONDARY
            changed = True


def suppressed_cells(table: pd.DataFrame) -> dict[Cell, str]:
    """The suppressed cells of a table from :func:`suppress`: ``{(row, column): reason}``."""
    info = table.attrs.get(ATTR)
    if info is None:
        return {}
    return {(r, c): reason for r, c, reason in info["cells"]}


def threshold_of(table: pd.DataFrame) -> int | None:
    """The threshold a table was suppressed with, or None if it was not."""
    info = table.attrs.get(ATTR)
    return None if info is None else int(info["threshold"])


def is_suppressed(table: pd.DataFrame) -> bool:
    """Whether ``table`` went through :func:`suppress`."""
    return ATTR in table.attrs


def flags(table: pd.DataFrame) -> pd.DataFrame:
    """A frame shaped like ``table``: ``""`` where a cell is shown, else its reason."""
    out = pd.DataFrame("", index=table.index, columns=table.columns, dtype=object)
    for (r, c), reason in suppressed_cells(table).items():
        if r in out.index and c in out.columns:
            out.at[r, c] = reason
    return out


def _plain(v: object) -> str:
    """Whole numbers without decimals (counts turn float when a cell is hidden)."""
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def display_values(
    table: pd.DataFrame,
    formatters: Mapping[Hashable, Callable[[object], str]] | None = None,
    default: Callable[[object], str] | None = None,
    missing: str = "–",
) -> pd.DataFrame:
    """The table as text for publishing: "<5" for small counts, ".." for other hidden figures.

    ``formatters`` maps a column to a function formatting its shown values (``default`` for
    the others; if None, whole numbers without decimals, else ``str``); missing values become
    ``missing``.
    """
    formatters = dict(formatters or {})
    fallback = default or _plain
    hidden = suppressed_cells(table)
    limit = threshold_of(table)

    def text(r: Hashable, c: Hashable, v: object) -> str:
        reason = hidden.get((r, c))
        if reason == PRIMARY:
            return primary_mark(limit if limit is not None else DEFAULT_THRESHOLD)
        if reason == SECONDARY:
            return SECONDARY_MARK
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return missing
        return formatters.get(c, fallback)(v)

    if table.index.is_unique and table.columns.is_unique:
        # by position, into one array: a .at lookup and a .at update per cell cost more than
        # the formatting (a report shows some twenty tables)
        cells = np.empty(table.shape, dtype=object)
        for j, c in enumerate(table.columns):
            for i, r in enumerate(table.index):
                cells[i, j] = text(r, c, table.iat[i, j])
        return pd.DataFrame(cells, index=table.index, columns=table.columns, dtype=object)
    out = pd.DataFrame(index=table.index, columns=table.columns, dtype=object)
    for c in table.columns:
        for r in table.index:
            out.at[r, c] = text(r, c, table.at[r, c])
    return out


def suppress_count(n: int | float, threshold: int = DEFAULT_THRESHOLD) -> int | None:
    """One count on its own (e.g. in a sentence): None when it must not be published."""
    if n is None or (isinstance(n, float) and np.isnan(n)):
        return None
    return None if 1 <= n <= threshold else int(n)


#: The smallest threshold ``finsam reports`` accepts without ``--allow-small-threshold``: below
#: it the mark itself tells too much ("<2" is 1, "<3" is 1 or 2).
MIN_THRESHOLD = 3


def small_counts_text(threshold: int = DEFAULT_THRESHOLD) -> str:
    """Which counts are hidden as too small, in Swedish ("" when none are)."""
    if threshold <= 0:
        return ""
    mark = primary_mark(threshold)
    if threshold == 1:
        return f"antal som är 1 visas som ”{mark}”"
    return f"antal från 1 till {threshold} visas som ”{mark}”"


def method_text(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The disclosure control in Swedish, as every report states it."""
    if threshold <= 0:
        first = (
            "Gränsen för små tal är 0: inga antal döljs för att de är små, och rapporten "
            "skyddar därför inte enskilda personer. "
        )
    else:
        first = (
            f"Små tal döljs för att skydda enskilda personer: {small_counts_text(threshold)}, "
            "och andelar, medelvärden och heltidsekvivalenter som räknas fram ur ett dolt antal "
            "döljs också. "
        )
        if threshold < MIN_THRESHOLD:
            first += (
                f"Gränsen är lägre än {MIN_THRESHOLD}, vilket är för lågt för att skydda "
                "enskilda: markeringen själv avslöjar nästan talet. "
            )
    very_small = (
        ""
        if threshold <= 0
        else "I mycket små grupper, där även markeringen "
        f"”{primary_mark(threshold)}” tillsammans med andra tal skulle avslöja ett tal, visas "
        f"små tal i stället som ”{SECONDARY_MARK}”, som inte säger hur stort talet är. "
    )
    return first + (
        "Alla tabeller och diagram i alla rapporter från samma körning – alla förbund, län "
        "och år i datamappen – skyddas tillsammans med ett enda mönster, eftersom ett dolt tal "
        "annars kan räknas fram ur andra tabeller: ur en summa, ur kvinnor och män, ur länet "
        "och de andra förbunden, ur nästa års flöden, ur en andel eller ur belopp som räknats "
        "fram för samma deltagare. Där det behövs döljs ytterligare tal (sekundär "
        f"röjandekontroll), markerade med ”{SECONDARY_MARK}”. En kontroll med linjär "
        "programmering prövar sedan varje dolt litet tal mot allt som publiceras och döljer "
        "fler tal tills det inte kan räknas ut exakt. "
        + very_small
        + "Noll visas. Diagram ritas från de skyddade tabellerna, och inga uppgifter om "
        "enskilda personer ingår i rapporten."
    )
