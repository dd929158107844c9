"""Disclosure control for linked tables: one suppression pattern for every cell a run publishes.

Suppressing small counts table by table (:func:`finsamlib.privacy.suppress`) is not enough when
the tables of a run are linked: a count hidden in one table can be recovered from others (an age
band from "Andel yngre än 30 år" and the band next to it, the women's count from their share in
work, an association from its county minus the others, a year's ended registrations from the
next year's flows, a support category from money figures computed from the same persons). This
module protects all tables of a run together, the way τ-ARGUS protects linked tables (primary
and secondary suppression with an audit by linear programming; see SCB's handbook on
statistical disclosure control, "Statistisk röjandekontroll").

The model
---------
Every published figure is a **cell**: a stable key (e.g. ``("flows", "Finnveden", 2021,
"ended")``) and a linear function of the participant rows, ``value = Σ coef_i`` over its rows
(:class:`CellModel`). A count has coefficients 1 (:meth:`CellModel.add_count`); an amount (full-
time equivalents, a sum of days behind a mean, money computed with standard costs) has real
coefficients (:meth:`CellModel.add_amount`). A share shown with its denominator reveals its
numerator, so a share is modelled by the count it implies (``display="share"``) and is treated
as exactly published, which is conservative (the report rounds it). A figure computed from other
cells without new information (a share of two published counts, a change, a result = revenue −
cost) is not a cell: the table that shows it hides it with any cell it comes from. ``depends``
names the cells a cell is computed from (a full-time equivalent from its count, a share from its
denominator): a cell is hidden whenever one of them is.

Cells with the same coefficients are the same published number (the ended registrations in the
flows, the profile's "Samtliga" and the outcome table's Totalt): they are merged and hidden
together. Rows with the same coefficients in every cell are merged into **atoms**; the attacker
is given which atoms exist (not how many rows each holds), which only makes the audit stricter.

Protection (:func:`protect`)
----------------------------
1. *Primary suppression*: every count from 1 up to the threshold. Zero is shown.
2. Cells computed from a hidden cell (``depends``) are hidden with it.
3. *Secondary suppression*, fast pass: the declared exact relations between cells (a total and
   its parts, Totalt = Kvinnor + Män, a county and its associations, one year's flows and the
   next's) must never hide exactly one of their cells; the cheapest other cell is hidden.
4. *Audit*: for every hidden count the attacker's bounds are computed by linear programming
   (HiGHS, through ``highspy``): minimise and maximise the cell subject to every shown
   cell's equation, the meaning of the marks ("<5" = 1 up to the threshold; a count shown as
   ".." is above it) and non-negative atoms. A cell is protected when the whole numbers between
   those bounds are at least ``min_range + 1`` (default: at least two values, so the exact
   count cannot be recovered). An exposed cell gets one more cell hidden, chosen among the shown
   cells that bind the optimum (the linear programme's dual values), the cheapest first (an
   amount with every other binding amount of its cost: each is one more equation over the same
   counts), and the audit goes on until every hidden count is protected. The choice is
   deterministic.
5. *Very small blocks*: where nothing is left to hide and the count is still pinned, the marks'
   own bounds pin it (four "<5" parts of a "<5" total are 1 each; "<2" is 1). The audit then
   shows the count, or a "<5" count that binds it, as ".." instead (reason :data:`SMALL`): at
   least 1, since zeros are shown, with no upper bound. The attacker is still told which ".."
   hide counts above the threshold (they keep their bound), which only makes the audit
   stricter. This goes on until nothing is pinned.

Hiding a cell only removes an equation, so a cell once protected stays protected; the audit
checks each cell against feasible points found so far (one linear programme maximising all
unproven cells together proves most of them at once) before it solves for the cell alone.
An optimum is solved again only once a cell its certificate uses (a non-zero dual) is hidden:
hiding any other cell leaves it the optimum.
A group's audit (other rows fixed) that finds a cell pinned by cells counting only the group's
rows knows it is pinned for the full attacker too (the same dual certificate holds), so it
hides one more cell at once; otherwise it asks a weaker attacker (made when first needed), and
at last the full one. An optimum whose certificate uses shown cells' equations only (no mark's
or atom's bound) pins the cell both ways, so the other way is not solved. These shortcuts only
decide where to hide more: a cell counts as protected only by a feasible point of an attacker
who knows at least the truth, so a wrong shortcut could hide too much, never too little.

:func:`attack` gives the attacker's whole-number bounds of every hidden count (for tests and
reviews). The module is pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

PRIMARY = "primary"
SECONDARY = "secondary"
#: A small count shown as ".." instead of "<5": where the mark's upper bound would give it away.
SMALL = "small"
#: The attacker's interval of a hidden count must hold at least ``MIN_RANGE + 1`` whole numbers.
MIN_RANGE = 1
#: Version of the method; part of a pattern's JSON so that a stale file is not used.
METHOD_VERSION = 7
#: How many extra cells the audit may hide for one exposed cell before it gives up on it.
MAX_SECONDARY_PER_CELL = 200
_TOL = 1e-6

Key = tuple


def _key(value: Iterable[Hashable]) -> Key:
    return tuple(value)


# --------------------------------------------------------------------------- the model


@dataclass
class _Spec:
    key: Key
    rows: np.ndarray
    weights: np.ndarray | None  # None: a count (coefficients 1)
    display_count: bool
    depends: tuple[Key, ...]
    cost: float | None
    precision: float = 0.0


class CellModel:
    """Every published cell of a run as a linear function of the participant rows.

    Parameters
    ----------
    n_rows : the number of participant rows (row numbers are ``0 .. n_rows - 1``).
    groups : optionally a label per row (None for none), e.g. the county and year a
        registration ended in. A hidden count whose rows all lie in one group is audited over
        that group with every other row fixed at its true values first, which is fast; this can
        only hide more than the full audit, never less.

    Examples
    --------
    >>> m = CellModel(5)
    >>> m.add_count(("total",), [0, 1, 2, 3, 4])
    >>> m.add_count(("a",), [0, 1])
    >>> m.add_count(("b",), [2, 3, 4])
    >>> m.add_total(("total",), [("a",), ("b",)])
    >>> protect(m, threshold=2).hidden  # a is 2, and b would follow from the total
    {('a',): 'primary', ('b',): 'secondary'}
    """

    def __init__(self, n_rows: int, groups: Sequence[Hashable] | None = None) -> None:
        if n_rows < 0:
            raise ValueError("n_rows must be >= 0")
        self.n_rows = int(n_rows)
        if groups is not None and len(groups) != n_rows:
            raise ValueError("groups must give one label per row")
        self.groups = None if groups is None else list(groups)
        self._specs: list[_Spec] = []
        self._index: dict[Key, int] = {}
        self._relations: list[dict[Key, float]] = []
        self._compiled: _Compiled | None = None

    # ------------------------------------------------------------------ building
    def _rows(self, rows: Iterable[int] | np.ndarray, unique: bool = False) -> np.ndarray:
        """The row numbers as an array, checked; with ``unique``, sorted and each once (the
        builders mostly pass them so already: then no sort)."""
        arr = np.asarray(rows if not isinstance(rows, range) else list(rows), dtype=np.int64)
        arr = arr.reshape(-1)
        if unique and arr.size > 1 and not (arr[1:] > arr[:-1]).all():
            arr = np.unique(arr)
        if arr.size:
            low, high = (arr[0], arr[-1]) if unique else (arr.min(), arr.max())
            if low < 0 or high >= self.n_rows:
                raise IndexError(f"row numbers must be in 0..{self.n_rows - 1}")
        return arr

    def _add(self, spec: _Spec) -> None:
        if spec.key in self._index:
            raise KeyError(f"cell {spec.key!r} added twice")
        self._index[spec.key] = len(self._specs)
        self._specs.append(spec)
        self._compiled = None

    def add_count(
        self,
        key: Iterable[Hashable],
        rows: Iterable[int] | np.ndarray,
        *,
        depends: Sequence[Iterable[Hashable]] = (),
        display: str = "count",
        cost: float | None = None,
    ) -> None:
        """A count: the number of ``rows`` (row numbers, each once).

        ``display`` is ``"count"`` when the report prints the count itself (hidden as "<5" or
        ".."), ``"share"`` when it prints a share of a published denominator (hidden as "..").
        ``cost`` is the loss of hiding it as a secondary cell (default: its value times one plus
        the number of cells computed from it).
        """
        if display not in ("count", "share"):
            raise ValueError(f"display must be 'count' or 'share', not {display!r}")
        r = self._rows(rows, unique=True)
        self._add(_Spec(_key(key), r, None, display == "count", _deps(depends), cost))

    def add_amount(
        self,
        key: Iterable[Hashable],
        rows: Iterable[int] | np.ndarray,
        weights: Iterable[float] | np.ndarray,
        *,
        depends: Sequence[Iterable[Hashable]] = (),
        cost: float | None = None,
        precision: float = 0.0,
    ) -> None:
        """An amount: ``Σ weights`` over ``rows`` (full-time equivalents, days, kronor).

        ``precision`` is how far from the true sum the published figures let an attacker be
        sure of it (half the unit it is printed in, or less when another published figure is
        a multiple of it); 0 treats it as exact.
        """
        if precision < 0 or not math.isfinite(precision):
            raise ValueError("precision must be a finite number >= 0")
        r = self._rows(rows)
        w = np.asarray(weights, dtype=float).reshape(-1)
        if w.shape != r.shape:
            raise ValueError("rows and weights must have the same length")
        if not np.isfinite(w).all():
            raise ValueError(f"weights of {tuple(key)!r} must be finite")
        order = np.argsort(r, kind="stable")
        r, w = r[order], w[order]
        if r.size and (np.diff(r) == 0).any():  # the same row twice: add its weights
            uniq, inverse = np.unique(r, return_inverse=True)
            w = np.bincount(inverse, weights=w)
            r = uniq
        keep = w != 0
        spec = _Spec(_key(key), r[keep], w[keep], False, _deps(depends), cost, float(precision))
        self._add(spec)

    def add_relation(self, terms: Mapping[Iterable[Hashable], float]) -> None:
        """An exact linear relation ``Σ coefficient × cell = 0`` between published cells, for the
        fast secondary pass. It is checked against the cells' rows; one that does not hold is
        ignored (the audit finds every relation anyway)."""
        rel = {_key(k): float(c) for k, c in terms.items() if c}
        if len(rel) >= 2:
            self._relations.append(rel)
            self._compiled = None

    def add_total(self, total: Iterable[Hashable], parts: Sequence[Iterable[Hashable]]) -> None:
        """The relation ``total = Σ parts``."""
        terms: dict[Key, float] = {_key(total): -1.0}
        for p in parts:
            terms[_key(p)] = terms.get(_key(p), 0.0) + 1.0
        self.add_relation(terms)

    # ------------------------------------------------------------------ reading
    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and key in self._index

    def __len__(self) -> int:
        return len(self._specs)

    def keys(self) -> list[Key]:
        """Every cell's key, in the order they were added."""
        return [s.key for s in self._specs]

    def value(self, key: Iterable[Hashable]) -> float:
        """A cell's published value (its count or amount)."""
        s = self._specs[self._index[_key(key)]]
        return float(s.rows.size) if s.weights is None else float(s.weights.sum())

    def is_count(self, key: Iterable[Hashable]) -> bool:
        return self._specs[self._index[_key(key)]].weights is None

    def rows(self, key: Iterable[Hashable]) -> np.ndarray:
        """The row numbers a cell adds up (those with a non-zero coefficient)."""
        return self._specs[self._index[_key(key)]].rows.copy()

    def compiled(self) -> _Compiled:
        if self._compiled is None:
            self._compiled = _Compiled(self)
        return self._compiled


def _deps(depends: Sequence[Iterable[Hashable]]) -> tuple[Key, ...]:
    return tuple(_key(d) for d in depends)


class _Compiled:
    """The model as matrices: merged cells ("canonical") × atoms."""

    def __init__(self, model: CellModel) -> None:
        specs = model._specs
        canon_of: dict[bytes, int] = {}
        self.canon: list[int] = []  # spec -> canonical cell
        members: list[list[int]] = []
        for i, s in enumerate(specs):
            if s.rows.size == 0:
                sig = b"empty:%d" % i  # every empty cell is its own (a zero, never linked)
            else:
                w = b"" if s.weights is None else s.weights.tobytes()
                sig = s.rows.tobytes() + b"|" + w
                if s.weights is not None and np.all(s.weights == 1.0):
                    sig = s.rows.tobytes() + b"|"  # an amount of ones is that count
            c = canon_of.setdefault(sig, len(members))
            if c == len(members):
                members.append([])
            members[c].append(i)
            self.canon.append(c)
        n = len(members)
        self.n = n
        self.members = members
        self.keys = [specs[m[0]].key for m in members]
        self.key_index = {s.key: self.canon[i] for i, s in enumerate(specs)}
        rep = [specs[m[0]] for m in members]
        self.values = np.array(
            [float(s.rows.size) if s.weights is None else float(s.weights.sum()) for s in rep]
        )
        self.is_count = np.array([any(specs[i].weights is None for i in m) for m in members])
        self.display_count = np.array([any(specs[i].display_count for i in m) for m in members])
        self.empty = np.array([s.rows.size == 0 for s in rep])
        self.precision = np.array([min(specs[i].precision for i in m) for m in members])
        # depends and dependents between canonical cells
        self.depends: list[set[int]] = [set() for _ in range(n)]
        for i, s in enumerate(specs):
            for d in s.depends:
                if d not in model._index:
                    raise KeyError(f"cell {s.key!r} depends on {d!r}, which is not a cell")
                cd = self.canon[model._index[d]]
                if cd != self.canon[i]:
                    self.depends[self.canon[i]].add(cd)
        self.dependents: list[list[int]] = [[] for _ in range(n)]
        for c in range(n):
            for d in sorted(self.depends[c]):
                self.dependents[d].append(c)
        # the cells × rows matrix, then atoms (rows with equal columns)
        indptr = [0]
        indices: list[np.ndarray] = []
        data: list[np.ndarray] = []
        for s in rep:
            indices.append(s.rows)
            data.append(np.ones(s.rows.size) if s.weights is None else s.weights)
            indptr.append(indptr[-1] + s.rows.size)
        cells_rows = sparse.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0),
                np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
                np.array(indptr),
            ),
            shape=(n, model.n_rows),
        )
        by_row = cells_rows.tocsc()
        by_row.sort_indices()
        atom_of: dict[bytes, int] = {}
        reps: list[int] = []
        sizes: list[int] = []
        row_atom = np.full(model.n_rows, -1, dtype=np.int64)
        for j in range(model.n_rows):
            lo, hi = by_row.indptr[j], by_row.indptr[j + 1]
            if lo == hi:
                continue
            sig = by_row.indices[lo:hi].tobytes() + b"|" + by_row.data[lo:hi].tobytes()
            a = atom_of.setdefault(sig, len(reps))
            if a == len(reps):
                reps.append(j)
                sizes.append(0)
            sizes[a] += 1
            row_atom[j] = a
        self.atom_sizes = np.array(sizes, dtype=float)  # the true solution (never shown)
        # groups: an atom's group when all its rows share one, else -1
        labels: dict[Hashable, int] = {}
        row_group = np.full(model.n_rows, -1, dtype=np.int64)
        if model.groups is not None:
            for j, g in enumerate(model.groups):
                if g is not None:
                    row_group[j] = labels.setdefault(g, len(labels))
        counted = row_atom >= 0
        least = np.full(len(reps), np.iinfo(np.int64).max, dtype=np.int64)
        most = np.full(len(reps), -2, dtype=np.int64)
        np.minimum.at(least, row_atom[counted], row_group[counted])
        np.maximum.at(most, row_atom[counted], row_group[counted])
        atom_group = np.where(least == most, most, -1)
        self.atom_group = atom_group
        self.A = by_row[:, reps].tocsr() if reps else sparse.csr_matrix((n, 0))
        self.A_csc = self.A.tocsc()
        # a cell's group when all its atoms share one, else -1
        self.group_of_cell = np.full(n, -1, dtype=np.int64)
        if self.A.nnz:
            g = self.atom_group[self.A.indices]
            starts = self.A.indptr[:-1]
            nonempty = np.diff(self.A.indptr) > 0
            first = np.zeros(n, dtype=np.int64)
            first[nonempty] = g[starts[nonempty]]
            lo = np.minimum.reduceat(g, starts[nonempty])
            hi = np.maximum.reduceat(g, starts[nonempty])
            same = np.zeros(n, dtype=bool)
            same[nonempty] = (lo == hi) & (lo >= 0)
            self.group_of_cell[same] = first[same]
        self.n_atoms = len(reps)
        self.n_rows = model.n_rows
        # cost of hiding a cell as a secondary one
        cost = np.zeros(n)
        for c, m in enumerate(members):
            given = [specs[i].cost for i in m if specs[i].cost is not None]
            weight = 1 + len(self.dependents[c]) + len(m) - 1
            if given:
                cost[c] = max(given)
            elif self.is_count[c]:
                cost[c] = self.values[c] * weight
            else:
                cost[c] = float(weight)
        self.cost = cost
        # declared relations, on canonical cells, kept if they hold (checked all at once)
        self.relations: list[np.ndarray] = []
        self.dropped_relations = 0
        candidates: list[tuple[np.ndarray, np.ndarray]] = []
        for rel in model._relations:
            terms: dict[int, float] = {}
            for k, coef in rel.items():
                if k not in model._index:
                    raise KeyError(f"relation names {k!r}, which is not a cell")
                c = self.canon[model._index[k]]
                terms[c] = terms.get(c, 0.0) + coef
            terms = {c: v for c, v in terms.items() if abs(v) > 1e-12 and not self.empty[c]}
            if len(terms) >= 2:
                ids = np.array(sorted(terms))
                candidates.append((ids, np.array([terms[c] for c in ids.tolist()])))
        if candidates:
            R = sparse.csr_matrix(
                (
                    np.concatenate([c for _, c in candidates]),
                    np.concatenate([i for i, _ in candidates]),
                    np.cumsum([0] + [i.size for i, _ in candidates]),
                ),
                shape=(len(candidates), n),
            )
            residual = abs(R @ cells_rows).max(axis=1).toarray().ravel()
            for (ids, _coefs), res in zip(candidates, residual.tolist(), strict=True):
                scale = max(1.0, float(np.abs(self.values[ids]).max()))
                if res > 1e-9 * scale:
                    self.dropped_relations += 1
                else:
                    self.relations.append(ids)
        self.relations_of: list[list[int]] = [[] for _ in range(n)]
        for r, ids in enumerate(self.relations):
            for c in ids.tolist():
                self.relations_of[c].append(r)
        self._components: list[np.ndarray] | None = None
        self._component_of_atom: np.ndarray | None = None
        self.row_scale = np.ones(n)  # amounts are scaled to coefficients of at most 1
        for c in range(n):
            if not self.is_count[c]:
                lo, hi = self.A.indptr[c], self.A.indptr[c + 1]
                if hi > lo:
                    self.row_scale[c] = 1.0 / float(np.abs(self.A.data[lo:hi]).max())

    def component_atoms(self) -> list[np.ndarray]:
        """The atoms of each connected block of the model (atoms linked by a cell that counts
        both), largest first. No cell counts atoms of two blocks, so an attacker's programme
        over one block, with every other atom fixed, bounds its cells exactly as the whole
        programme does, and is far smaller (one block per county on the embedded data)."""
        if self._components is None:
            # label propagation (each atom takes the least label of the atoms it shares a
            # cell with) with pointer jumping: a few array passes, where scipy's csgraph would
            # import scipy.linalg (about 0.15 s on the run's critical path)
            A = self.A
            counts = np.diff(A.indptr)
            starts = A.indptr[:-1][counts > 0]
            counts = counts[counts > 0]
            labels = np.arange(self.n_atoms)
            while starts.size:
                least = np.repeat(np.minimum.reduceat(labels[A.indices], starts), counts)
                new = labels.copy()
                np.minimum.at(new, A.indices, least)
                while True:
                    jumped = new[new]
                    if np.array_equal(jumped, new):
                        break
                    new = jumped
                if np.array_equal(new, labels):
                    break
                labels = new
            blocks = [np.flatnonzero(labels == lab) for lab in np.unique(labels)]
            self._components = sorted(blocks, key=lambda b: (-b.size, int(b[0]) if b.size else 0))
        return self._components

    def component_of_cell(self, cell: int) -> int:
        """The index (in :meth:`component_atoms`) of the block a non-empty cell lies in."""
        if self._component_of_atom is None:
            of = np.full(self.n_atoms, -1, dtype=np.int64)
            for i, atoms in enumerate(self.component_atoms()):
                of[atoms] = i
            self._component_of_atom = of
        return int(self._component_of_atom[self.A.indices[self.A.indptr[cell]]])

    def closure(self, hidden: dict[int, str], new: Iterable[int]) -> list[int]:
        """Hide every cell computed from a newly hidden one; returns all newly hidden."""
        added = []
        stack = list(new)
        while stack:
            c = stack.pop()
            for d in self.dependents[c]:
                if d not in hidden:
                    hidden[d] = SECONDARY
                    added.append(d)
                    stack.append(d)
        return added


# --------------------------------------------------------------------------- the pattern


@dataclass(frozen=True)
class Pattern:
    """The cells a run hides, by key, with the reason (``"primary"``: a small count, shown as
    "<5"; ``"secondary"``: hidden to protect one, or computed from one, shown as "..";
    ``"small"``: a small count shown as ".." because "<5" would give it away).

    ``keys`` are all cells of the model: :meth:`reason` refuses a key outside it, so that a
    table cannot publish a cell the protection never saw. ``unprotected`` lists hidden counts
    the audit could not protect (none, short of numerical trouble in the solver: where the
    marks give a count away it is shown as ".." instead).
    """

    threshold: int
    hidden: Mapping[Key, str]
    keys: frozenset[Key] = field(default_factory=frozenset)
    fingerprint: str = ""
    unprotected: tuple[Key, ...] = ()
    min_range: int = MIN_RANGE
    method: str = "suppression"

    def reason(self, key: Iterable[Hashable]) -> str | None:
        """Why a cell is hidden, or None when it is shown. KeyError for an unknown cell."""
        k = _key(key)
        if self.keys and k not in self.keys:
            raise KeyError(f"cell {k!r} is not in the run's disclosure model")
        return self.hidden.get(k)

    def is_hidden(self, key: Iterable[Hashable]) -> bool:
        return self.reason(key) is not None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and (not self.keys or key in self.keys)

    def to_json(self) -> str:
        """The pattern as JSON (keys as lists); :meth:`from_json` reads it back."""
        return json.dumps(
            {
                "version": METHOD_VERSION,
                "method": self.method,
                "threshold": self.threshold,
                "min_range": self.min_range,
                "fingerprint": self.fingerprint,
                "hidden": [[list(k), r] for k, r in self.hidden.items()],
                "keys": [list(k) for k in sorted(self.keys, key=_sort_key)],
                "unprotected": [list(k) for k in self.unprotected],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Pattern:
        d = json.loads(text)
        if d.get("version") != METHOD_VERSION:
            raise ValueError(f"pattern of method version {d.get('version')}, not {METHOD_VERSION}")
        return cls(
            threshold=int(d["threshold"]),
            hidden={tuple(k): r for k, r in d["hidden"]},
            keys=frozenset(tuple(k) for k in d["keys"]),
            fingerprint=str(d.get("fingerprint", "")),
            unprotected=tuple(tuple(k) for k in d.get("unprotected", [])),
            min_range=int(d.get("min_range", MIN_RANGE)),
            method=str(d.get("method", "suppression")),
        )


def _sort_key(key: Key) -> tuple:
    return tuple((0, v) if isinstance(v, int | float) else (1, str(v)) for v in key)


def fingerprint(*parts: object) -> str:
    """A short SHA-256 of the inputs of a pattern (for checking that a file fits the data)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode("utf-8") if not isinstance(p, bytes) else p)
        h.update(b"\x00")
    return h.hexdigest()[:32]


# --------------------------------------------------------------------------- protection


def _eligible(comp: _Compiled, hidden: Mapping[int, str], c: int) -> bool:
    """Whether a shown cell may be hidden as a secondary cell (never a zero: "..")."""
    return c not in hidden and not comp.empty[c] and comp.values[c] != 0


def _complete_relations(
    comp: _Compiled, hidden: dict[int, str], new: Iterable[int] | None = None
) -> list[int]:
    """The fast pass: no declared relation may hide exactly one of its cells. ``new``: only
    the relations of these newly hidden cells need a look (default: all)."""
    added: list[int] = []
    todo = (
        list(range(len(comp.relations)))
        if new is None
        else sorted({r for c in new for r in comp.relations_of[c]})
    )
    queue = list(todo)
    queued = set(queue)
    while queue:
        r = queue.pop(0)
        queued.discard(r)
        ids = comp.relations[r]
        if sum(1 for c in ids.tolist() if c in hidden) != 1:
            continue
        free = [int(c) for c in ids.tolist() if _eligible(comp, hidden, int(c))]
        if not free:
            continue
        choice = min(free, key=lambda c: (comp.cost[c], c))
        hidden[choice] = SECONDARY
        changed = [choice, *comp.closure(hidden, [choice])]
        added += changed
        for c in changed:
            for r2 in comp.relations_of[c]:
                if r2 not in queued:
                    queue.append(r2)
                    queued.add(r2)
    return added


def protect(
    model: CellModel,
    threshold: int,
    *,
    min_range: int = MIN_RANGE,
    fingerprint: str = "",
    map_: Callable = map,
    batches: int = 1,
) -> Pattern:
    """One suppression pattern for every cell of ``model`` (see the module docstring).

    Parameters
    ----------
    model : every published cell of the run.
    threshold : counts ``1 <= n <= threshold`` are hidden (primary suppression); 0 hides none.
    min_range : an attacker's whole-number interval for a hidden count must be at least this
        wide (1: the count cannot be pinned to one value).
    fingerprint : stored in the pattern, to recognise the data it was made for.
    map_, batches : the groups' audits (the bulk of the work) are run by ``map_`` (e.g. a
        process pool's ``map``, so that idle workers share them): with ``batches`` above 1
        (the pool's workers), one task per group, those with most cells to audit first, so
        that a worker done early takes the next; each group starts from the same cells, so
        the pattern is the same however they are run.
    """
    if isinstance(threshold, bool) or int(threshold) != threshold or threshold < 0:
        raise ValueError(f"threshold must be a whole number >= 0, got {threshold!r}")
    if int(min_range) < 1:
        raise ValueError("min_range must be at least 1")
    threshold = int(threshold)
    comp = model.compiled()
    hidden: dict[int, str] = {}
    for c in range(comp.n):
        if comp.is_count[c] and 1 <= comp.values[c] <= threshold:
            hidden[c] = PRIMARY
    comp.closure(hidden, sorted(hidden))
    _complete_relations(comp, hidden)
    auditor = _Auditor(comp, threshold, int(min_range), batches)
    unprotected = auditor.run(hidden, map_) if hidden else []
    out: dict[Key, str] = {}
    for c in sorted(hidden):
        for i in comp.members[c]:
            out[model._specs[i].key] = hidden[c]
    order = {k: i for i, k in enumerate(model.keys())}
    out = dict(sorted(out.items(), key=lambda kv: order[kv[0]]))
    lost = tuple(model._specs[i].key for c in sorted(unprotected) for i in comp.members[c])
    return Pattern(
        threshold=threshold,
        hidden=out,
        keys=frozenset(model.keys()),
        fingerprint=fingerprint,
        unprotected=lost,
        min_range=int(min_range),
    )


def attack(model: CellModel, pattern: Pattern) -> dict[Key, tuple[int, int]]:
    """The attacker's whole-number bounds ``(low, high)`` for every hidden count of the
    pattern, from every shown cell of the model and the meaning of the marks (by linear
    programming). ``low == high`` means the count is recovered exactly."""
    comp = model.compiled()
    hidden: dict[int, str] = {}
    for k, reason in pattern.hidden.items():
        if k in model:
            c = comp.key_index[k]
            if reason not in (PRIMARY, SMALL):
                reason = SECONDARY
            if hidden.get(c) in (PRIMARY, SMALL) and reason == SECONDARY:
                reason = hidden[c]
            hidden[c] = reason
    blocks: dict[int, _Programme] = {}  # exact: no cell counts atoms of two blocks
    out: dict[Key, tuple[int, int]] = {}
    for c in sorted(hidden):
        if not comp.is_count[c] or comp.empty[c]:
            continue
        b = comp.component_of_cell(c)
        if b not in blocks:
            blocks[b] = _Programme(comp, pattern.threshold, hidden, comp.component_atoms()[b])
        lp = blocks[b]
        hi = lp.optimum(c, +1)[0]
        lo = lp.optimum(c, -1)[0]
        bounds = (math.ceil(lo - _TOL), math.floor(hi + _TOL))
        for i in comp.members[c]:
            out[model._specs[i].key] = bounds
    return out


# --------------------------------------------------------------------------- the audit


def _highs():
    """The HiGHS bindings and a new solver object: the ``highspy`` package (a dependency; it
    imports in milliseconds, where scipy's copy of the same bindings pulls in all of
    ``scipy.optimize``, about half a second, on the run's critical path), else scipy's own
    (scipy >= 1.15). ``highspy``'s first solver object prints a banner to the process's
    standard output; it is silenced here, so that it never lands in a report."""
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is a dependency
        from scipy.optimize._highspy import _core

        return _core, _core._Highs()
    global _BANNER_SHOWN
    if not _BANNER_SHOWN:
        # HiGHS starts its task scheduler in its first run(): a crossover before any run of
        # the process crashes (highspy 1.16), so one tiny programme is solved first
        import os
        import sys

        sys.stdout.flush()
        saved = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        try:
            h = highspy.Highs()
            _first_run(highspy)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(null)
        _BANNER_SHOWN = True
        return highspy, h
    return highspy, highspy.Highs()


#: Whether this process has made its first ``highspy.Highs`` (which prints the banner).
_BANNER_SHOWN = False


def _first_run(highspy: Any) -> None:
    """Solve a one-column programme, so that HiGHS has started what its crossover needs."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_ = 1
    lp.num_row_ = 0
    lp.col_cost_ = np.array([1.0])
    lp.col_lower_ = np.array([0.0])
    lp.col_upper_ = np.array([1.0])
    h.passModel(lp)
    h.run()


class _Programme:
    """The attacker's linear programme: atoms are the columns (0 up to a bound far above any
    count), cells the rows. A shown cell's row is fixed to its value (an amount to its published
    precision), a hidden count printed as a count is bounded by its mark, any other hidden cell
    is free. One HiGHS model is kept and re-solved from its last basis when an objective or a
    row changes.

    With ``atoms``, only those atoms vary. With ``outside="fixed"`` every other atom is fixed
    at its true count: the attacker then knows more than in truth, so what this programme proves
    safe is safe. With ``outside="dropped"`` the cells that also count other atoms are left out:
    the attacker knows less than in truth, so a count this programme pins is truly exposed.
    """

    def __init__(
        self,
        comp: _Compiled,
        threshold: int,
        hidden: Mapping[int, str],
        atoms: np.ndarray | None = None,
        outside: str = "fixed",
    ) -> None:
        highspy, h = _highs()
        self.comp = comp
        self.threshold = threshold
        self.highspy = highspy
        self.inf = highspy.kHighsInf
        self.solves = 0
        #: solves that were repeated from scratch after a warm start gave no verdict
        self.retries = 0
        if atoms is None:
            atoms = np.arange(comp.n_atoms)
        self.atoms = np.asarray(atoms, dtype=np.int64)
        fixed = comp.atom_sizes.copy()
        fixed[self.atoms] = 0.0
        self.offset = comp.A @ fixed  # what the fixed atoms add to every cell
        sub = comp.A_csc[:, self.atoms].tocsr()
        rows = np.flatnonzero(np.diff(sub.indptr))
        inside = np.diff(comp.A.indptr)[rows] == np.diff(sub.indptr)[rows]
        if outside == "dropped":  # forget every cell that also counts other rows
            rows = rows[inside]
            inside = inside[inside]
        elif outside != "fixed":
            raise ValueError("outside must be 'fixed' or 'dropped'")
        #: the cells that count no fixed atom: a bound they alone prove holds for any attacker
        self.inside = np.zeros(comp.n, dtype=bool)
        self.inside[rows[inside]] = True
        self.rows = rows
        self.row_of = {int(c): i for i, c in enumerate(rows.tolist())}
        local = sparse.diags(comp.row_scale[rows]) @ sub[rows]
        self.local = sub  # cells x local atoms (unscaled), for objectives
        h.setOptionValue("output_flag", False)
        h.setOptionValue("parallel", "off")
        # objectives change and rows only relax between solves, so the last basis stays primal
        # feasible: primal simplex from it takes a few iterations; presolve would discard it
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)
        lp = highspy.HighsLp()
        n_col, n_row = self.atoms.size, rows.size
        lp.num_col_ = n_col
        lp.num_row_ = n_row
        lp.col_cost_ = np.zeros(n_col)
        lp.col_lower_ = np.zeros(n_col)
        # atoms are bounded only to keep every programme bounded: far above any real count
        lp.col_upper_ = np.full(n_col, float(max(1000, 10 * comp.n_rows)))
        bounds = [self._bounds(int(c), hidden) for c in rows.tolist()]
        lp.row_lower_ = np.array([b[0] for b in bounds], dtype=float)
        lp.row_upper_ = np.array([b[1] for b in bounds], dtype=float)
        self.fixed_row = np.array([b[0] == b[1] for b in bounds], dtype=bool)  # equations
        #: whether the last optimum is the objective's only value: its certificate uses
        #: equations only (non-zero duals on fixed rows, zero reduced cost on every atom)
        self.determined = False
        csc = sparse.csc_matrix(local)
        csc.sort_indices()
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
        lp.a_matrix_.index_ = csc.indices.astype(np.int32)
        lp.a_matrix_.value_ = csc.data.astype(float)
        lp.a_matrix_.num_col_ = n_col
        lp.a_matrix_.num_row_ = n_row
        h.passModel(lp)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        if hasattr(h, "crossover"):  # scipy's bindings lack crossover
            # the true counts satisfy every row: a basis from them (crossover) spares the first
            # solve its search for a feasible point (phase 1: most of a block's time)
            start = highspy.HighsSolution()
            start.col_value = comp.atom_sizes[self.atoms].astype(float).tolist()
            start.value_valid = True
            h.crossover(start)  # if it fails, the first solve starts from scratch, as before
        self.h = h
        self._cost_atoms = np.zeros(0, dtype=np.int32)

    def _bounds(self, c: int, hidden: Mapping[int, str]) -> tuple[float, float]:
        comp = self.comp
        inf = self.inf
        if comp.empty[c]:
            return -inf, inf
        s = comp.row_scale[c]
        off = self.offset[c]
        if c not in hidden:
            tol = comp.precision[c]
            return (comp.values[c] - tol - off) * s, (comp.values[c] + tol - off) * s
        if comp.is_count[c] and comp.display_count[c]:
            if hidden[c] == PRIMARY:
                return 1.0 - off, float(self.threshold) - off
            if hidden[c] == SMALL:  # "..": not zero (zeros are shown), no upper bound
                return 1.0 - off, inf
            if comp.values[c] >= self.threshold + 1:
                return float(self.threshold + 1) - off, inf
        return -inf, inf

    def hide(self, cells: Iterable[int], hidden: Mapping[int, str]) -> None:
        """Relax the rows of newly hidden cells."""
        for c in cells:
            i = self.row_of.get(int(c))
            if i is not None:
                lo, hi = self._bounds(int(c), hidden)
                self.h.changeRowBounds(i, lo, hi)
                self.fixed_row[i] = lo == hi

    def covers(self, cell: int) -> bool:
        """Whether every atom of ``cell`` varies here."""
        A = self.comp.A
        mine = A.indices[A.indptr[cell] : A.indptr[cell + 1]]
        return bool(np.isin(mine, self.atoms).all())

    def solve(self, objective: Mapping[int, float]) -> tuple[float, np.ndarray | None, list[int]]:
        """Maximise ``Σ weight × cell``: (optimum, every atom's value, the cells that bind the
        optimum: non-zero duals)."""
        cost = np.zeros(self.atoms.size)
        L = self.local
        for c, w in objective.items():
            lo, hi = L.indptr[c], L.indptr[c + 1]
            cost[L.indices[lo:hi]] += w * L.data[lo:hi]
        cols = np.flatnonzero(cost).astype(np.int32)
        reset = self._cost_atoms[cost[self._cost_atoms] == 0]  # costs of the last objective
        if reset.size:
            self.h.changeColsCost(reset.size, reset, np.zeros(reset.size))
        if cols.size:
            self.h.changeColsCost(cols.size, cols, cost[cols])
        self._cost_atoms = cols
        self.solves += 1
        self.determined = False
        self.h.run()
        optimal = self.highspy.HighsModelStatus.kOptimal
        if self.h.getModelStatus() != optimal:
            # a warm start can leave HiGHS without a verdict (kUnknown) on a programme the true
            # counts satisfy: solve once more from scratch (its first basis)
            self.retries += 1
            self.h.clearSolver()
            self.h.run()
        if self.h.getModelStatus() != optimal:
            # cannot happen for true data (they satisfy every row) short of numerical trouble:
            # then nothing is proven and the cell counts as exposed
            return math.nan, None, []
        sol = self.h.getSolution()
        full = self.comp.atom_sizes.copy()
        full[self.atoms] = sol.col_value
        dual = np.abs(np.asarray(sol.row_dual)) > 1e-9
        binding = self.rows[dual].tolist()
        self.determined = bool(
            self.fixed_row[dual].all() and (np.abs(np.asarray(sol.col_dual)) <= 1e-9).all()
        )
        offset = sum(w * self.offset[c] for c, w in objective.items())
        return self.h.getObjectiveValue() + offset, full, binding

    def optimum(self, cell: int, sense: int) -> tuple[float, np.ndarray | None, list[int]]:
        """The attacker's max (``sense`` +1) or min (−1) of one cell, every atom's value at the
        optimum and the cells that bind it."""
        value, x, binding = self.solve({cell: float(sense)})
        if x is None:
            return (self.comp.values[cell], None, [])
        return sense * value, x, binding


@dataclass
class _Optimum:
    """One direction's optimum of a cell: its value, the cells that bind it (non-zero duals),
    whether it is the cell's only value (:attr:`_Programme.determined`) and whether the solver
    found it. It holds for as long as none of :attr:`rows` is relaxed."""

    value: float
    binding: list[int]
    determined: bool
    solved: bool

    @property
    def rows(self) -> set[int]:
        return set(self.binding)

    @classmethod
    def of(
        cls,
        lp: _Programme,
        cell: int,
        sense: int,
        note: Callable[[np.ndarray | None], None] | None = None,
    ) -> _Optimum:
        value, x, binding = lp.optimum(cell, sense)
        if note is not None:
            note(x)
        return cls(value, binding, lp.determined, x is not None)


@dataclass
class _GroupAudit:
    """What one group's audit found: the cells it hid (or marked ".."), the cells only the
    whole block can decide, the attacker's values seen for those, and its solver calls."""

    hidden: dict[int, str]
    escalated: list[int]
    witness: dict[int, list[float]]
    solves: int


def _audit_groups(
    task: tuple[_Compiled | bytes, int, int, dict[int, str], list[int], dict[int, list[int]]],
) -> dict[int, _GroupAudit]:
    """Audit some groups, each from the same start; a task for ``protect``'s ``map_`` (a
    top-level function, so that a process pool can run it). The model may come pickled."""
    comp, threshold, min_range, start, groups, cells = task
    if isinstance(comp, bytes):
        comp = pickle.loads(comp)  # made by protect in the parent process
    auditor = _Auditor(comp, threshold, min_range)
    return {g: auditor.audit_group(g, cells[g], start) for g in groups}


class _Auditor:
    def __init__(self, comp: _Compiled, threshold: int, min_range: int, batches: int = 1) -> None:
        self.comp = comp
        self.threshold = threshold
        self.min_range = min_range
        self.batches = max(1, int(batches))
        self.solves = 0

    def audited(self, hidden: Mapping[int, str]) -> list[int]:
        """The hidden counts the attacker must not pin: the small ones (primary), whether
        printed as counts or as shares. (Secondary cells are not sensitive themselves, as in
        τ-ARGUS; the audit of a small count takes them into account.)"""
        comp = self.comp
        return [
            c
            for c in sorted(hidden)
            if hidden[c] in (PRIMARY, SMALL) and comp.is_count[c] and not comp.empty[c]
        ]

    def _safe(self, down: float, up: float) -> bool:
        return math.floor(up + _TOL) - math.ceil(down - _TOL) >= self.min_range

    def run(self, hidden: dict[int, str], map_: Callable = map) -> list[int]:
        """Audit and extend ``hidden`` until every audited cell is protected; returns the cells
        that could not be protected. ``map_`` runs the groups' audits (see :func:`protect`)."""
        comp = self.comp
        witness: dict[int, list[float]] = {}  # cell -> [lowest, highest] seen in a solution
        gave_up: set[int] = set()
        # every cell whose atoms lie in one group is audited over that group first, each group
        # from the same start (so in any order, or at once), and their hidden cells merged
        by_group: dict[int, list[int]] = {}
        rest: list[int] = []
        for c in self.audited(hidden):
            g = comp.group_of_cell[c]
            (by_group.setdefault(g, []) if g >= 0 else rest).append(c)
        groups = sorted(by_group)
        if self.batches == 1:
            batches = [groups]
        else:  # one task per group, most audited cells first: the workers share them evenly
            batches = [[g] for g in sorted(groups, key=lambda g: (-len(by_group[g]), g))]
        start = dict(hidden)
        # for a pool, the model (megabytes) is pickled once, not once per task
        model: _Compiled | bytes = comp if len(batches) == 1 else pickle.dumps(comp, 5)
        tasks = [(model, self.threshold, self.min_range, start, b, by_group) for b in batches]
        done: dict[int, _GroupAudit] = {}
        for results in map_(_audit_groups, tasks):
            done.update(results)
        new: list[int] = []
        for g in groups:  # in order: the same pattern however the groups were run
            found = done[g]
            for c, reason in found.hidden.items():
                if c not in hidden:
                    new.append(c)
                if hidden.get(c) != SMALL:  # ".." (no upper bound) wins over "<5"
                    hidden[c] = reason
            rest += found.escalated
            witness.update(found.witness)
            self.solves += found.solves
        # the union of closed sets is closed; this only makes sure
        new += comp.closure(hidden, new)
        _complete_relations(comp, hidden, new)
        # the rest over their whole block, from every group's hidden cells
        self._audit_blocks(rest, hidden, witness, gave_up)
        return sorted(gave_up)

    def _audit_blocks(
        self,
        cells: Iterable[int],
        hidden: dict[int, str],
        witness: dict[int, list[float]],
        gave_up: set[int],
    ) -> None:
        """Audit ``cells`` over their whole block: exact, so that one programme both proves and
        exposes; the cells it cannot protect are added to ``gave_up``."""
        comp = self.comp
        by_block: dict[int, list[int]] = {}
        for c in cells:
            by_block.setdefault(comp.component_of_cell(c), []).append(c)
        for b in sorted(by_block):
            block = _Programme(comp, self.threshold, hidden, comp.component_atoms()[b])
            self._audit(block, None, sorted(by_block[b]), hidden, witness, gave_up, -1)

    def audit_group(self, g: int, cells: list[int], start: Mapping[int, str]) -> _GroupAudit:
        """One group's audit from ``start`` (every other row fixed at its true values), then
        of the cells only their whole block decides, over the block."""
        hidden = dict(start)
        witness: dict[int, list[float]] = {}
        atoms = np.flatnonzero(self.comp.atom_group == g)
        strong = _Programme(self.comp, self.threshold, hidden, atoms, "fixed")

        def make_weak() -> _Programme:  # when first needed, from the cells hidden by then
            return _Programme(self.comp, self.threshold, hidden, atoms, "dropped")

        before = self.solves
        escalated = self._audit(strong, make_weak, cells, hidden, witness, set(), g)
        # what only the whole block can decide, over the block here (from this group's hidden
        # cells, beside the other groups' audits); what it cannot protect goes to protect()
        left: set[int] = set()
        self._audit_blocks(escalated, hidden, witness, left)
        escalated = sorted(left)
        return _GroupAudit(
            hidden={c: r for c, r in hidden.items() if start.get(c) != r},
            escalated=escalated,
            witness={c: witness[c] for c in escalated},
            solves=self.solves - before,
        )

    def _audit(
        self,
        lp: _Programme,
        make_weak: Callable[[], _Programme] | None,
        cells: list[int],
        hidden: dict[int, str],
        witness: dict[int, list[float]],
        gave_up: set[int],
        group: int,
    ) -> list[int]:
        """Audit ``cells``, hiding more until they are safe. ``lp`` proves a cell safe; the
        programme ``make_weak`` makes when first needed (an attacker who knows no more than the
        truth) proves it exposed; a cell neither can decide is returned, for the full programme.
        Without ``make_weak``, ``lp`` is exact and decides both."""
        comp = self.comp
        weak: _Programme | None = None  # made by make_weak when first needed

        t = self.threshold
        applied = set(hidden)
        escalate: list[int] = []

        ids = np.asarray(cells, dtype=np.int64)
        rows_of_cells = comp.A[ids]  # sliced once: every solution is noted against it
        for c in cells:
            witness.setdefault(c, [comp.values[c], comp.values[c]])
        seen = [witness[c] for c in cells]

        def note(x: np.ndarray | None) -> None:
            if x is None:
                return
            for w, v in zip(seen, (rows_of_cells @ x).tolist(), strict=True):
                if v < w[0]:
                    w[0] = v
                elif v > w[1]:
                    w[1] = v

        def safe(c: int) -> bool:
            w = witness.get(c)
            return w is not None and self._safe(w[0], w[1])

        def open_mark(c: int) -> bool:
            """Show a small count as ".." rather than "<5", so that its mark gives no upper
            bound: in a very small block (four "<5" parts of a "<5" total are 1 each) the marks'
            bounds pin counts however much is hidden. False when it is already so (or the cell
            is not a small count printed as a count)."""
            if hidden.get(c) != PRIMARY or not comp.display_count[c]:
                return False
            hidden[c] = SMALL
            lp.hide([c], hidden)
            if weak is not None:
                weak.hide([c], hidden)
            return True

        try:
            # 1. prove many at once: push every unproven cell up, then down (twice if the
            # first round proved some)
            for sense in (+1.0, -1.0, +1.0, -1.0):
                todo = [c for c in cells if not safe(c)]
                if len(todo) < 2:
                    break
                note(lp.solve({c: sense for c in todo})[1])
                if sense < 0 and sum(not safe(c) for c in todo) == len(todo):
                    break
            # 2. one by one; an exposed cell gets one more hidden cell until it is safe. An
            # optimum stays the optimum while every row its certificate uses (non-zero dual)
            # stays as it was: hiding other cells only relaxes rows with zero duals, so that
            # direction is not solved again (its witness is still the extreme)
            for c in cells:
                tries = 0
                strong: dict[int, _Optimum] = {}
                weak_opt: dict[int, _Optimum] = {}
                while not safe(c) and c not in gave_up and c not in escalate:
                    bound_by: list[int] = []  # the cells that bind this programme's optima
                    solved = True
                    for sense in (+1, -1):
                        if sense not in strong:
                            strong[sense] = _Optimum.of(lp, c, sense, note)
                        o = strong[sense]
                        bound_by += o.binding
                        solved = solved and o.solved
                        if safe(c) or o.determined:
                            break
                    if safe(c):
                        break
                    if hidden[c] == PRIMARY and comp.display_count[c] and t - 1 < self.min_range:
                        open_mark(c)  # the mark alone gives it away ("<2" is 1): show ".."
                        strong.clear()
                        weak_opt.clear()
                        continue
                    binding: list[int] = []
                    # optima bound only by cells that count no fixed atom hold for the full
                    # attacker too (the same dual certificate): truly exposed, hide one of them.
                    # (Hiding a binding cell of the group's own at once, without asking the
                    # weaker attacker, took a fifth fewer solves but hid the headline counts,
                    # ended to work or studies, of two associations in 2021: dropped.)
                    # This only decides where to hide more; safety is proven by witnesses alone
                    if make_weak is not None and solved and lp.inside[bound_by].all():
                        binding = bound_by
                    elif make_weak is not None:
                        if weak is None:
                            weak = make_weak()
                        bounds = []
                        for sense in (+1, -1):
                            if sense not in weak_opt:
                                weak_opt[sense] = _Optimum.of(weak, c, sense)
                            o = weak_opt[sense]
                            bounds.append(o.value)
                            binding += o.binding
                            if o.determined:
                                bounds.append(o.value)
                                break
                        if self._safe(bounds[1], bounds[0]):
                            escalate.append(c)  # only the full programme can tell
                            break
                    else:
                        binding = bound_by  # solved just above, with the same rows
                    tries += 1
                    chosen = self._choose(hidden, c, binding, group)
                    if not chosen or tries > MAX_SECONDARY_PER_CELL:
                        if group >= 0:
                            escalate.append(c)
                        elif any(open_mark(o) for o in [c, *sorted(set(binding))]):
                            strong.clear()
                            weak_opt.clear()
                            continue  # no cell left to hide: drop the bound of a "<5" mark
                        else:
                            gave_up.add(c)
                        break
                    for choice in chosen:
                        hidden[choice] = SECONDARY
                    new = [*chosen, *comp.closure(hidden, chosen)]
                    new += _complete_relations(comp, hidden, new)
                    lp.hide(new, hidden)
                    if weak is not None:
                        weak.hide(new, hidden)
                    applied.update(new)
                    relaxed = set(new)
                    for known in (strong, weak_opt):  # a failed solve is tried again, too
                        for sense in [
                            d for d, o in known.items() if not o.solved or relaxed & o.rows
                        ]:
                            del known[sense]
        finally:
            self.solves += lp.solves + (weak.solves if weak is not None else 0)
        return escalate

    def _choose(
        self, hidden: Mapping[int, str], cell: int, binding: list[int], group: int
    ) -> list[int]:
        """The secondary cells for an exposed one: the cheapest shown cell that binds the
        attacker's optimum (sharing a row with it breaks ties), else the cheapest that shares a
        row with it; none if there is none. In a group's audit only cells of that group are
        chosen. An amount that binds comes with every other binding amount of its cost: each
        is one more equation over the same counts (money per actor, full-time equivalents,
        days behind a mean), and hidden one at a time they left the attacker the next, each
        time after another solve."""
        comp = self.comp
        atoms = comp.A.indices[comp.A.indptr[cell] : comp.A.indptr[cell + 1]]
        touching = set(np.unique(comp.A_csc[:, atoms].nonzero()[0]).tolist())

        def ok(c: int) -> bool:
            return _eligible(comp, hidden, c) and (group < 0 or comp.group_of_cell[c] == group)

        bound = sorted(c for c in set(binding) if ok(c))
        cands = bound or [c for c in touching if ok(c)]
        if not cands:
            return []
        choice = min(cands, key=lambda c: (comp.cost[c], c not in touching, c))
        if comp.is_count[choice] or not bound:
            return [choice]
        same = [c for c in bound if not comp.is_count[c] and comp.cost[c] == comp.cost[choice]]
        return [choice, *(c for c in same if c != choice)]
