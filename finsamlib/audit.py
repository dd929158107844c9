"""Audit published tables: recompute what a table says about itself and list every discrepancy.

A reviewer's tool. The transcribed tables of ``data/raw/published/`` keep the sources'
figures as printed; the rules here state what those figures must obey — the rows of a table sum
to its total, a mean is a sum divided by a count, a share is a part divided by a whole, the same
figure printed twice is the same — and :func:`audit` recomputes each rule and reports where the
printed figure and the recomputed one differ by more than rounding can explain.

Rules are data (TOML files in ``data/raw/audit/``, read with
:func:`finsamlib.loaders.load_audit_rules`, or dicts passed to :func:`parse_rules`), so users add
their own. One rule::

    [[rule]]
    id = "seed003.table3.mean"
    kind = "ratio"                       # sum | ratio | product | equal
    description = "Tabell 3: mean per insats = Tabell 2 ÷ Tabell 1, per huvudman"
    for_each = ["owner"]                 # check once per value of these columns
    numerator = [{ table = "published/seed003_table2_money_by_owner" }]
    denominator = [{ table = "published/seed003_table1_count_by_owner" }]
    result = { table = "published/seed003_table3_mean_by_owner" }

Kinds (the *published* cell is the one the rule checks; the others are recomputed from):

``sum``      ``parts`` (selectors; each cell times its ``sign``) must sum to ``total``
             (a selector, or ``total_value`` for a definitional constant such as 100 %).
``ratio``    ``result`` = Σ ``numerator`` ÷ Σ ``denominator`` × ``scale`` (``denominator_value``
             for a constant).
``product``  ``result`` = Π ``factors`` × ``scale``.
``equal``    ``a`` (published) = ``b`` (elsewhere; ``b_value`` for a constant).

A **selector** names a dataset (``table``), the cells (``where``: column → value or list of
values; ``where_not`` likewise), and optionally ``scale`` (unit conversion, e.g. 0.001 from tkr
to mkr), ``sign`` (−1 to subtract in a sum), ``column`` (read a numeric column other than
``value``), ``each`` (false, or the list of ``for_each`` columns this selector is filtered by;
default all of them), ``exact`` (the cell is exact by definition), ``precision`` (the printed
step, when the number cannot tell), ``between`` (column → ``[low, high]``, compared as text and
inclusive, ``""`` for an open end: ISO dates and periods, e.g. insatser started in 2021 and
ending after it), ``count_rows`` (true: the cell is the *number* of matching rows, exact — for
lists such as the insatser of a year, which have no ``value``) and ``bound`` (on the checked
cell: ``above`` when the text says "drygt", "över" or "minst", so the true figure lies at or
above the printed one, up to its next printed step; ``below`` for "knappt" or "nästan";
default ``about``, rounded either way).

**Rules across documents.** Every selector names its own dataset, so one rule may read the
tables of several documents; it must then name them with a rule key ``documents`` (seed
numbers — the part of a ``source`` cell before its first ``_`` — or whole source names)::

    [[rule]]
    id = "cross.coverage_2017"
    kind = "ratio"
    documents = ["001", "002"]           # seed 001's 28 500 of seed 002's 300 000
    numerator = [{ table = "published/seed001_text_figures", where = {...} }]
    denominator = [{ table = "published/seed002_national_facts", where = {...}, exact = true }]
    result = { table = "published/seed001_text_figures", where = {...}, bound = "above" }
    scale = 100

A rule whose cells come from more than one document without ``documents``, or from a document
it does not name, is refused when it is checked (a guard against a selector reading the wrong
table). The findings' ``source`` lists every document a check read. The embedded
cross-document rules are in ``data/raw/audit/crossdoc.toml``.

**Tolerance** (``tolerance = "auto"``, the default): each printed figure stands for an interval
of half its last printed digit — 0,05 for ``4,3``, 0,5 for ``89`` %, 0,5 tkr for ``2 571`` —
while counts (unit ``count``) and ``exact`` cells are exact, and persons figures of 1 000 or
more, often rounded estimates such as ``194 200``, stand for ±50 (half their last non-zero
digit). A sum or ratio is a discrepancy when
no values inside those intervals satisfy the rule (interval arithmetic); the reported tolerance
is how far apart the two sides may be. The *same* figure printed twice at the same precision
must be identical (tolerance 0), since rounding one number the same way twice gives one result.
A number in a rule overrides all this.

The result of :func:`audit` is a tidy DataFrame of findings: ``rule``, ``kind``,
``description``, ``source`` (seed files), ``table`` (as the documents name them), ``cells``,
``published``, ``recomputed``, ``difference`` (published − recomputed), ``tolerance``,
``status`` (``discrepancy``, ``rounding`` = differs within the tolerance, ``ok``,
``not_computable`` = an empty cell or a zero denominator).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

Kind = Literal["sum", "ratio", "product", "equal"]
#: How a printed figure relates to the true one: ``about`` (rounded), ``above`` ("drygt",
#: "över", "minst": the true figure is at or above it) or ``below`` ("knappt", "nästan").
Bound = Literal["about", "above", "below"]
BOUNDS: tuple[str, ...] = ("about", "above", "below")
KINDS: tuple[str, ...] = ("sum", "ratio", "product", "equal")
STATUSES: tuple[str, ...] = ("discrepancy", "rounding", "ok", "not_computable")
#: Units whose integer figures are exact counts, not rounded amounts.
EXACT_UNITS = frozenset({"count"})
#: Units whose integer figures with trailing zeros are rounded estimates ('ca 194 200').
ROUNDED_UNITS = frozenset({"persons"})
FINDING_COLUMNS = [
    "rule",
    "kind",
    "description",
    "source",
    "table",
    "cells",
    "published",
    "recomputed",
    "difference",
    "tolerance",
    "status",
]
_EPS = 1e-9


@dataclass(frozen=True)
class Selector:
    """Which cells of which dataset a rule reads."""

    table: str
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    where_not: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    scale: float = 1.0
    sign: float = 1.0
    column: str = "value"
    each: bool | tuple[str, ...] = True
    exact: bool = False
    precision: float | None = None
    between: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    count_rows: bool = False
    bound: Bound = "about"

    def describe(self, key: Mapping[str, str]) -> str:
        """``stem[col=value, …]`` with the rule's group key merged in."""
        stem = self.table.rsplit("/", 1)[-1]
        parts = {k: "|".join(v) for k, v in self.where.items()}
        parts.update({k: f"not {'|'.join(v)}" for k, v in self.where_not.items()})
        parts.update({k: f"{lo or '…'}..{hi or '…'}" for k, (lo, hi) in self.between.items()})
        parts.update({k: v for k, v in key.items() if self.filters(k)})
        inner = ", ".join(f"{k}={v}" for k, v in parts.items())
        col = "" if self.column == "value" else f".{self.column}"
        col = ".count_rows" if self.count_rows else col
        return f"{stem}[{inner}]{col}" if inner else f"{stem}{col}"

    def filters(self, column: str) -> bool:
        """Whether this selector is filtered by the rule's ``for_each`` column."""
        return self.each is True or (isinstance(self.each, tuple) and column in self.each)


@dataclass(frozen=True)
class Rule:
    """One relation the published figures must obey (see the module docstring)."""

    id: str
    kind: Kind
    description: str = ""
    for_each: tuple[str, ...] = ()
    tolerance: float | None = None  # None: from the printed precision
    parts: tuple[Selector, ...] = ()
    total: Selector | None = None
    total_value: float | None = None
    numerator: tuple[Selector, ...] = ()
    denominator: tuple[Selector, ...] = ()
    denominator_value: float | None = None
    factors: tuple[Selector, ...] = ()
    result: Selector | None = None
    scale: float = 1.0
    a: Selector | None = None
    b: Selector | None = None
    b_value: float | None = None
    documents: tuple[str, ...] = ()

    @property
    def published(self) -> Selector | None:
        """The selector of the checked (published) cell."""
        return {"sum": self.total, "ratio": self.result, "product": self.result, "equal": self.a}[
            self.kind
        ]

    def selectors(self) -> list[Selector]:
        """Every selector of the rule."""
        found = [*self.parts, *self.numerator, *self.denominator, *self.factors]
        found += [s for s in (self.total, self.result, self.a, self.b) if s is not None]
        return found


# --------------------------------------------------------------------------- parsing


def _values(v: object) -> tuple[str, ...]:
    if isinstance(v, list | tuple):
        return tuple(str(x) for x in v)
    return (str(v),)


def _selector(spec: object, rule_id: str, name: str) -> Selector:
    if not isinstance(spec, Mapping) or "table" not in spec:
        raise ValueError(f"rule {rule_id!r}: {name} must be a table with at least 'table'")
    known = {
        "table", "where", "where_not", "scale", "sign", "column", "each", "exact", "precision",
        "between", "count_rows", "bound",
    }  # fmt: skip
    unknown = set(spec) - known
    if unknown:
        raise ValueError(f"rule {rule_id!r}: {name} has unknown keys {sorted(unknown)}")
    each = spec.get("each", True)
    if isinstance(each, list | tuple):
        each = tuple(str(c) for c in each)
    elif not isinstance(each, bool):
        raise ValueError(f"rule {rule_id!r}: {name}.each must be true, false or a list")
    between = {}
    for col, pair in dict(spec.get("between", {})).items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(
                f"rule {rule_id!r}: {name}.between.{col} must be [low, high] ('' for open)"
            )
        between[str(col)] = (str(pair[0]), str(pair[1]))
    bound = spec.get("bound", "about")
    if bound not in BOUNDS:
        raise ValueError(f"rule {rule_id!r}: {name}.bound must be one of {', '.join(BOUNDS)}")
    return Selector(
        table=str(spec["table"]),
        where={str(k): _values(v) for k, v in dict(spec.get("where", {})).items()},
        where_not={str(k): _values(v) for k, v in dict(spec.get("where_not", {})).items()},
        scale=float(spec.get("scale", 1.0)),
        sign=float(spec.get("sign", 1.0)),
        column=str(spec.get("column", "value")),
        each=each,
        exact=bool(spec.get("exact", False)),
        precision=float(spec["precision"]) if "precision" in spec else None,
        between=between,
        count_rows=bool(spec.get("count_rows", False)),
        bound=bound,  # type: ignore[arg-type]
    )


def _selectors(spec: object, rule_id: str, name: str) -> tuple[Selector, ...]:
    items = spec if isinstance(spec, list | tuple) else [spec]
    return tuple(_selector(s, rule_id, name) for s in items)


_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "sum": (("parts",), ("total", "total_value")),
    "ratio": (("numerator",), ("denominator", "denominator_value"), ("result",)),
    "product": (("factors",), ("result",)),
    "equal": (("a",), ("b", "b_value")),
}
_RULE_KEYS = {
    "id", "kind", "description", "for_each", "tolerance", "parts", "total", "total_value",
    "numerator", "denominator", "denominator_value", "factors", "result", "scale", "a", "b",
    "b_value", "documents",
}  # fmt: skip


def parse_rule(spec: Mapping[str, object]) -> Rule:
    """One rule from its declarative form (a dict, e.g. a ``[[rule]]`` table of a TOML file)."""
    rule_id = str(spec.get("id", "")).strip()
    if not rule_id:
        raise ValueError(f"every rule needs an 'id'; got {dict(spec)!r}")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ValueError(f"rule {rule_id!r}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise ValueError(f"rule {rule_id!r}: unknown keys {sorted(unknown)}")
    for alternatives in _REQUIRED[str(kind)]:
        if not any(k in spec for k in alternatives):
            raise ValueError(f"rule {rule_id!r} ({kind}) needs {' or '.join(alternatives)}")
    tol = spec.get("tolerance", "auto")
    if tol != "auto" and not isinstance(tol, int | float):
        raise ValueError(f"rule {rule_id!r}: tolerance must be 'auto' or a number")

    def one(name: str) -> Selector | None:
        return _selector(spec[name], rule_id, name) if name in spec else None

    def many(name: str) -> tuple[Selector, ...]:
        return _selectors(spec[name], rule_id, name) if name in spec else ()

    documents = spec.get("documents", [])
    if not isinstance(documents, list | tuple) or not all(isinstance(d, str) for d in documents):
        raise ValueError(f"rule {rule_id!r}: documents must be a list of document names")

    def const(name: str) -> float | None:
        return float(spec[name]) if name in spec else None  # type: ignore[arg-type]

    return Rule(
        id=rule_id,
        kind=kind,  # type: ignore[arg-type]
        description=str(spec.get("description", "")),
        for_each=tuple(str(c) for c in spec.get("for_each", ())),  # type: ignore[union-attr]
        tolerance=None if tol == "auto" else float(tol),  # type: ignore[arg-type]
        parts=many("parts"),
        total=one("total"),
        total_value=const("total_value"),
        numerator=many("numerator"),
        denominator=many("denominator"),
        denominator_value=const("denominator_value"),
        factors=many("factors"),
        result=one("result"),
        scale=float(spec.get("scale", 1.0)),  # type: ignore[arg-type]
        a=one("a"),
        b=one("b"),
        b_value=const("b_value"),
        documents=tuple(documents),
    )


def parse_rules(spec: Mapping[str, object] | Sequence[Mapping[str, object]]) -> list[Rule]:
    """Rules from ``{"rule": [...]}`` (a parsed TOML file) or a list of rule dicts."""
    items = spec.get("rule", []) if isinstance(spec, Mapping) else spec
    rules = [parse_rule(r) for r in items]  # type: ignore[union-attr]
    ids = [r.id for r in rules]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ValueError(f"rule ids must be unique; repeated: {', '.join(dup)}")
    return rules


def required_tables(rules: Iterable[Rule]) -> list[str]:
    """The dataset names the rules read, sorted (load them with ``datasets.load``)."""
    return sorted({s.table for r in rules for s in r.selectors()})


# --------------------------------------------------------------------------- precision


def half_unit(value: float, unit: object = None, exact: bool = False) -> float:
    """Half the last printed digit of ``value``: how far the true figure may lie from it.

    0 for exact cells and integer counts; 0,05 for ``4.3``; 0,5 for ``89``; for persons
    figures of 1 000 or more (unit ``persons``, often estimates) half the last non-zero digit
    (``194200`` → 50, ``7300000`` → 50 000).
    """
    if exact or value is None or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    v = abs(float(value))
    text = repr(v)
    if "e" in text:  # very large or small: use the float's significant digits
        text = f"{v:.15g}"
    if "." in text and not text.endswith(".0"):
        decimals = len(text.split(".", 1)[1])
        return 0.5 * 10.0**-decimals
    if unit in EXACT_UNITS:
        return 0.0
    if unit in ROUNDED_UNITS and v >= 1000:
        n, zeros = round(v), 0
        while n % 10 == 0 and zeros < 5:
            n //= 10
            zeros += 1
        return 0.5 * 10.0**zeros
    return 0.5


# --------------------------------------------------------------------------- evaluation


@dataclass
class _Cells:
    """The matched cells of one selector for one group."""

    values: np.ndarray  # scaled and signed
    halves: np.ndarray  # scaled (abs) half-units
    sources: list[str]
    tables: list[str]
    described: str

    @property
    def empty(self) -> bool:
        return len(self.values) == 0

    @property
    def has_nan(self) -> bool:
        return bool(np.isnan(self.values).any())


def _match(df: pd.DataFrame, sel: Selector, rule_id: str) -> pd.DataFrame:
    mask = pd.Series(True, index=df.index)
    for col, allowed in sel.where.items():
        if col not in df.columns:
            raise KeyError(f"rule {rule_id!r}: {sel.table} has no column {col!r}")
        mask &= df[col].astype(str).isin(allowed)
    for col, banned in sel.where_not.items():
        if col not in df.columns:
            raise KeyError(f"rule {rule_id!r}: {sel.table} has no column {col!r}")
        mask &= ~df[col].astype(str).isin(banned)
    for col, (low, high) in sel.between.items():
        if col not in df.columns:
            raise KeyError(f"rule {rule_id!r}: {sel.table} has no column {col!r}")
        text = df[col].astype(str)  # ISO dates and periods compare as text
        if low:
            mask &= df[col].notna() & (text >= low)
        if high:
            mask &= df[col].notna() & (text <= high)
    return df[mask]


def _cells(
    tables: Mapping[str, pd.DataFrame], sel: Selector, key: Mapping[str, str], rule_id: str
) -> _Cells:
    if sel.table not in tables:
        raise KeyError(
            f"rule {rule_id!r} reads {sel.table!r}, which is not among the tables given "
            f"({', '.join(sorted(tables)) or 'none'})"
        )
    df = _match(tables[sel.table], sel, rule_id)
    for col, val in key.items():
        if sel.filters(col):
            if col not in df.columns:
                raise KeyError(f"rule {rule_id!r}: {sel.table} has no for_each column {col!r}")
            df = df[df[col].astype(str) == val]
    if sel.count_rows:  # the number of matching rows: one exact cell
        return _Cells(
            values=np.array([len(df) * sel.scale * sel.sign]),
            halves=np.zeros(1),
            sources=_column(df, "source")[:1],
            tables=_column(df, "table")[:1],
            described=sel.describe(key),
        )
    if sel.column not in df.columns:
        raise KeyError(f"rule {rule_id!r}: {sel.table} has no column {sel.column!r}")
    raw = pd.to_numeric(df[sel.column], errors="coerce").astype(float).to_numpy()
    units = df["unit"].tolist() if "unit" in df.columns else [None] * len(df)
    if sel.precision is not None:
        halves = np.full(len(raw), sel.precision / 2)
    elif sel.column != "value":
        halves = np.zeros(len(raw))
    else:
        halves = np.array([half_unit(v, u, sel.exact) for v, u in zip(raw, units, strict=True)])
    return _Cells(
        values=raw * sel.scale * sel.sign,
        halves=halves * abs(sel.scale),
        sources=df["source"].astype(str).tolist() if "source" in df.columns else [],
        tables=df["table"].astype(str).tolist() if "table" in df.columns else [],
        described=sel.describe(key),
    )


def _column(df: pd.DataFrame, name: str) -> list[str]:
    return list(dict.fromkeys(df[name].astype(str))) if name in df.columns else []


def _one(cells: _Cells, rule_id: str, what: str) -> tuple[float, float]:
    if len(cells.values) != 1:
        raise ValueError(
            f"rule {rule_id!r}: {what} {cells.described} must match one cell, "
            f"matches {len(cells.values)}"
        )
    return float(cells.values[0]), float(cells.halves[0])


def _interval_ratio(n: float, hn: float, d: float, hd: float) -> tuple[float, float]:
    """The range of n/d for n in [n±hn], d in [d±hd] (unbounded if d's range holds 0)."""
    if d - hd <= 0 <= d + hd:
        return -math.inf, math.inf
    corners = [(n + a) / (d + b) for a in (-hn, hn) for b in (-hd, hd)]
    return min(corners), max(corners)


def _interval_product(factors: list[tuple[float, float]]) -> tuple[float, float]:
    lo = hi = 1.0
    for v, h in factors:
        corners = [x * y for x in (lo, hi) for y in (v - h, v + h)]
        lo, hi = min(corners), max(corners)
    return lo, hi


def _status(diff: float, tol: float) -> str:
    if abs(diff) <= _EPS:
        return "ok"
    return "rounding" if abs(diff) <= tol + _EPS else "discrepancy"


def _keys(rule: Rule, tables: Mapping[str, pd.DataFrame]) -> list[dict[str, str]]:
    if not rule.for_each:
        return [{}]
    anchor = rule.published or next(iter(rule.parts or rule.numerator or rule.factors))
    if anchor.table not in tables:
        raise KeyError(f"rule {rule.id!r} reads {anchor.table!r}, which is not among the tables")
    df = _match(tables[anchor.table], anchor, rule.id)
    missing = [c for c in rule.for_each if c not in df.columns]
    if missing:
        raise KeyError(f"rule {rule.id!r}: {anchor.table} has no for_each column(s) {missing}")
    combos = df[list(rule.for_each)].astype(str).drop_duplicates()
    return [dict(zip(rule.for_each, row, strict=True)) for row in combos.itertuples(index=False)]


def _check(rule: Rule, tables: Mapping[str, pd.DataFrame], key: dict[str, str]) -> dict:
    def get(sel: Selector) -> _Cells:
        return _cells(tables, sel, key, rule.id)

    involved: list[_Cells] = []
    nan = False
    if rule.kind == "sum":
        parts = [get(s) for s in rule.parts]
        involved += parts
        if all(p.empty for p in parts):
            raise ValueError(f"rule {rule.id!r}: the parts match no cell for {key or 'the table'}")
        recomputed = float(sum(p.values.sum() for p in parts))
        spread = float(sum(p.halves.sum() for p in parts))
        nan = any(p.has_nan for p in parts)
        if rule.total is not None:
            total = get(rule.total)
            involved.insert(0, total)
            published, h_pub = _one(total, rule.id, "total")
            cells = f"{total.described} vs Σ " + " + ".join(p.described for p in parts)
        else:
            published, h_pub = float(rule.total_value), 0.0  # type: ignore[arg-type]
            cells = f"{published:g} vs Σ " + " + ".join(p.described for p in parts)
        lo, hi = recomputed - spread, recomputed + spread
    elif rule.kind == "ratio":
        nums = [get(s) for s in rule.numerator]
        dens = [get(s) for s in rule.denominator]
        res = get(rule.result)  # type: ignore[arg-type]
        involved += [res, *nums, *dens]
        published, h_pub = _one(res, rule.id, "result")
        n = float(sum(c.values.sum() for c in nums))
        hn = float(sum(c.halves.sum() for c in nums))
        if rule.denominator_value is not None:
            d, hd, den_text = float(rule.denominator_value), 0.0, f"{rule.denominator_value:g}"
        else:
            d = float(sum(c.values.sum() for c in dens))
            hd = float(sum(c.halves.sum() for c in dens))
            den_text = " + ".join(c.described for c in dens)
        nan = any(c.has_nan for c in [*nums, *dens]) or any(c.empty for c in nums)
        cells = f"{res.described} vs ({' + '.join(c.described for c in nums)}) / ({den_text})"
        if rule.scale != 1:
            cells += f" × {rule.scale:g}"
        if d == 0 or nan:
            recomputed, lo, hi, nan = math.nan, math.nan, math.nan, True
        else:
            recomputed = n / d * rule.scale
            lo, hi = sorted(x * rule.scale for x in _interval_ratio(n, hn, d, hd))
    elif rule.kind == "product":
        facs = [get(s) for s in rule.factors]
        res = get(rule.result)  # type: ignore[arg-type]
        involved += [res, *facs]
        published, h_pub = _one(res, rule.id, "result")
        pairs = [_one(f, rule.id, "factor") for f in facs]
        nan = any(math.isnan(v) for v, _ in pairs)
        recomputed = float(np.prod([v for v, _ in pairs])) * rule.scale
        lo, hi = sorted(x * rule.scale for x in _interval_product(pairs))
        cells = f"{res.described} vs " + " × ".join(f.described for f in facs)
        if rule.scale != 1:
            cells += f" × {rule.scale:g}"
    else:  # equal
        a = get(rule.a)  # type: ignore[arg-type]
        involved.append(a)
        published, h_pub = _one(a, rule.id, "a")
        if rule.b is not None:
            b = get(rule.b)
            involved.append(b)
            recomputed, h_b = _one(b, rule.id, "b")
            cells = f"{a.described} vs {b.described}"
        else:
            recomputed, h_b = float(rule.b_value), 0.0  # type: ignore[arg-type]
            cells = f"{a.described} vs {recomputed:g}"
        nan = math.isnan(recomputed)
        if rule.a.bound != "about":  # type: ignore[union-attr]
            lo, hi = recomputed - h_b, recomputed + h_b  # "drygt 10" against a rounded b
        else:
            # the same figure at the same precision must be identical; otherwise the coarser
            # printing may differ from the finer one by its own half unit
            spread = 0.0 if math.isclose(h_pub, h_b) else max(h_pub, h_b)
            lo, hi, h_pub = recomputed - spread, recomputed + spread, 0.0

    if nan or math.isnan(published):
        difference, tol, status = math.nan, math.nan, "not_computable"
    else:
        difference = published - recomputed
        if rule.tolerance is not None:
            tol = rule.tolerance
        else:
            # the published figure stands for [published - below, published + above]
            below, above = {
                "about": (h_pub, h_pub),
                "above": (0.0, 2 * h_pub),
                "below": (2 * h_pub, 0.0),
            }[rule.published.bound if rule.published is not None else "about"]
            side = (hi - recomputed) if difference > 0 else (recomputed - lo)
            tol = (below if difference > 0 else above) + side
        status = _status(difference, tol)
    sources = list(dict.fromkeys(s for c in involved for s in c.sources))
    _check_documents(rule, sources)
    return {
        "rule": rule.id,
        "kind": rule.kind,
        "description": rule.description,
        "source": "; ".join(sources),
        "table": " / ".join(dict.fromkeys(t for c in involved for t in c.tables)),
        "cells": cells,
        "published": published,
        "recomputed": recomputed,
        "difference": difference,
        "tolerance": tol,
        "status": status,
    }


def document_of(source: str) -> str:
    """The document a ``source`` cell names: the seed number of ``001_bfa0679e96509604.txt``
    (the part before the first ``_``), or the whole name."""
    return source.split("_", 1)[0] if "_" in source else source


def _check_documents(rule: Rule, sources: list[str]) -> None:
    """A rule reading more than one document must name them (``documents``), and every cell
    it reads must come from a document it names."""
    found = list(dict.fromkeys(document_of(s) for s in sources))
    if not rule.documents:
        if len(found) > 1:
            raise ValueError(
                f"rule {rule.id!r} compares the documents {', '.join(found)}; "
                f"name them in the rule: documents = {found!r}"
            )
        return
    named = set(rule.documents)
    stray = [s for s in sources if s not in named and document_of(s) not in named]
    if stray:
        raise ValueError(
            f"rule {rule.id!r} names the documents {list(rule.documents)} but reads cells of "
            f"{', '.join(dict.fromkeys(stray))}"
        )


def audit(
    tables: Mapping[str, pd.DataFrame],
    rules: Iterable[Rule],
    include: Literal["discrepancies", "all"] = "discrepancies",
) -> pd.DataFrame:
    """Recompute every rule on the given tables and list the findings.

    Parameters
    ----------
    tables : dataset name → loaded published table, e.g. ``{name: datasets.load(name) for name
        in required_tables(rules)}``; the function itself does no I/O.
    rules : parsed rules (:func:`parse_rules`, :func:`finsamlib.loaders.load_audit_rules`).
    include : ``discrepancies`` (default) lists only differences beyond rounding; ``all`` lists
        every check with its status.

    Returns
    -------
    DataFrame with :data:`FINDING_COLUMNS`, one row per rule and ``for_each`` group.
    """
    if include not in ("discrepancies", "all"):
        raise ValueError("include must be 'discrepancies' or 'all'")
    rows = []
    for rule in rules:
        for key in _keys(rule, tables):
            rows.append(_check(rule, tables, key))
    out = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    for col in ("published", "recomputed", "difference", "tolerance"):
        out[col] = out[col].astype(float)
    if include == "discrepancies":
        out = out[out["status"] == "discrepancy"].reset_index(drop=True)
    return out


def summary(findings: pd.DataFrame) -> pd.DataFrame:
    """How many checks per rule ended in each status (for ``audit(..., include="all")``)."""
    counts = findings.groupby(["rule", "status"]).size().unstack(fill_value=0)
    return counts.reindex(columns=list(STATUSES), fill_value=0).reset_index()
