"""The linked-table disclosure control (finsamlib.disclosure): hand-computed small cases."""

from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import example, given, settings

from finsamlib import disclosure as D
from finsamlib.disclosure import PRIMARY, SECONDARY, SMALL, CellModel, attack, protect


def line(values: list[int]) -> CellModel:
    """Rows split into parts of the given sizes, each part a cell, and their total."""
    m = CellModel(sum(values))
    start = 0
    for i, v in enumerate(values):
        m.add_count(("part", i), range(start, start + v))
        start += v
    m.add_count(("total",), range(sum(values)))
    m.add_total(("total",), [("part", i) for i in range(len(values))])
    return m


def pinned(model: CellModel, pattern: D.Pattern) -> dict:
    """The hidden small counts an attacker recovers exactly."""
    return {
        k: b
        for k, b in attack(model, pattern).items()
        if pattern.hidden[k] in (PRIMARY, SMALL) and b[0] == b[1]
    }


def test_primary_zero_shown_and_total_protected():
    m = line([12, 3, 20, 0])
    p = protect(m, 4)
    # 3 is small; the relation hides the cheapest other part (12), the total stays
    assert p.hidden == {("part", 0): SECONDARY, ("part", 1): PRIMARY}
    assert not pinned(m, p)
    assert attack(m, p)[("part", 1)] == (1, 4)


def test_two_small_parts_need_no_secondary():
    m = line([2, 3, 20])
    p = protect(m, 4)
    assert set(p.hidden.values()) == {PRIMARY}
    assert attack(m, p)[("part", 0)] == (1, 4)


def test_the_marks_are_known_to_the_attacker():
    # 1 + 5 = 6: hiding 1 ("<5") and 5 ("..") is not enough, since ".." means at least 5:
    # 6 - 5 pins the "<5" at 1. The audit finds it and hides the total as well.
    m = line([1, 5])
    p = protect(m, 4)
    assert p.hidden[("part", 0)] == PRIMARY
    assert ("total",) in p.hidden
    assert not pinned(m, p)


def test_two_way_table_is_audited():
    # a 2 x 2 table with margins: one small cell needs a rectangle of hidden cells
    m = CellModel(62)
    cells = {("a", "x"): 2, ("a", "y"): 20, ("b", "x"): 10, ("b", "y"): 30}
    start = 0
    rows = {}
    for k, v in cells.items():
        rows[k] = list(range(start, start + v))
        start += v
        m.add_count(k, rows[k])
    for r in ("a", "b"):
        m.add_count((r, "T"), rows[(r, "x")] + rows[(r, "y")])
        m.add_total((r, "T"), [(r, "x"), (r, "y")])
    for c in ("x", "y"):
        m.add_count(("T", c), rows[("a", c)] + rows[("b", c)])
        m.add_total(("T", c), [("a", c), ("b", c)])
    m.add_count(("T", "T"), range(62))
    p = protect(m, 4)
    assert {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")} <= set(p.hidden)
    assert not pinned(m, p)


def test_same_rows_are_one_cell_and_hidden_together():
    m = CellModel(10)
    m.add_count(("flows", "ended"), range(10))
    m.add_count(("profile", "total"), range(10))  # the same number in another table
    m.add_count(("small",), [0, 1])
    m.add_count(("rest",), range(2, 10))
    m.add_total(("flows", "ended"), [("small",), ("rest",)])
    p = protect(m, 4)
    # the cheapest protection of "small" is "rest" (8), not the total
    assert p.hidden == {("small",): PRIMARY, ("rest",): SECONDARY}
    # forcing: a relation against the alias keeps both totals together
    m2 = CellModel(3)
    m2.add_count(("a",), range(3))
    m2.add_count(("b",), range(3))
    p2 = protect(m2, 4)
    assert p2.hidden == {("a",): PRIMARY, ("b",): PRIMARY}


def test_a_figure_computed_from_a_hidden_count_is_hidden():
    m = CellModel(30)
    m.add_count(("women",), range(3))
    m.add_count(("men",), range(3, 30))
    m.add_amount(("fte women",), range(3), [0.5, 1.0, 0.25], depends=[("women",)])
    m.add_count(("all",), range(30))
    m.add_total(("all",), [("women",), ("men",)])
    p = protect(m, 4)
    assert p.hidden[("fte women",)] == SECONDARY
    assert p.hidden[("men",)] == SECONDARY


def test_an_amount_that_prices_categories_is_hidden_when_it_would_give_a_count_away():
    # 2 with support A (cost 96 000) and 6 with B (cost 180 000) are hidden, but the total money
    # 2 x 96 000 + 6 x 180 000 pins A exactly (A + B = 8 is published)
    m = CellModel(30)
    m.add_count(("A",), range(2))
    m.add_count(("B",), range(2, 8))
    m.add_count(("C",), range(8, 30))
    m.add_count(("all",), range(30))
    m.add_total(("all",), [("A",), ("B",), ("C",)])
    weights = [96_000.0] * 2 + [180_000.0] * 6 + [50_000.0] * 22
    m.add_amount(("money",), range(30), weights, precision=10_000)
    p = protect(m, 4)
    assert p.hidden[("A",)] == PRIMARY and p.hidden[("B",)] == SECONDARY
    assert ("money",) in p.hidden
    assert not pinned(m, p)
    # with a coarse enough precision the money can stay
    m2 = CellModel(30)
    for k, r in ((("A",), range(2)), (("B",), range(2, 8)), (("C",), range(8, 30))):
        m2.add_count(k, r)
    m2.add_count(("all",), range(30))
    m2.add_total(("all",), [("A",), ("B",), ("C",)])
    m2.add_amount(("money",), range(30), weights, precision=300_000)
    assert ("money",) not in protect(m2, 4).hidden


def test_threshold_zero_hides_nothing_and_one_shows_small_counts_as_dots():
    m = line([1, 3, 20])
    assert protect(m, 0).hidden == {}
    p = protect(m, 1)
    # "<2" would be 1 whatever else is hidden: the 1 is shown as ".." (at least 1, no upper
    # bound), and the total or another part is hidden so that it cannot be subtracted
    assert p.hidden[("part", 0)] == SMALL
    assert not p.unprotected and not pinned(m, p)
    lo, hi = attack(m, p)[("part", 0)]
    assert lo == 1 and hi > 1
    p2 = protect(m, 2)
    assert not p2.unprotected and p2.hidden[("part", 0)] == PRIMARY


def test_a_block_of_ones_is_shown_without_the_marks_bound():
    # 1 + 1 + 1 + 1 = 4, all "<5": four parts of at least 1 under a total of at most 4 are
    # each 1, and there is nothing left to hide. The audit drops the bound of a mark (shows
    # ".." instead of "<5") until nothing is pinned.
    m = line([1, 1, 1, 1])
    p = protect(m, 4)
    assert set(p.hidden) == {("total",), *(("part", i) for i in range(4))}
    assert SMALL in p.hidden.values()
    assert not p.unprotected and not pinned(m, p)
    # with every mark "<5" the attacker would pin all four parts
    closed = D.Pattern(threshold=4, hidden=dict.fromkeys(p.hidden, PRIMARY))
    assert all(attack(m, closed)[("part", i)] == (1, 1) for i in range(4))


def test_groups_give_a_pattern_the_full_attack_cannot_break():
    # two groups linked by a cell over both: the group audit fixes the other group's rows
    m = CellModel(40, groups=["g1"] * 20 + ["g2"] * 20)
    m.add_count(("g1", "a"), range(2))
    m.add_count(("g1", "b"), range(2, 20))
    m.add_count(("g1", "all"), range(20))
    m.add_total(("g1", "all"), [("g1", "a"), ("g1", "b")])
    m.add_count(("g2", "a"), range(20, 23))
    m.add_count(("g2", "b"), range(23, 40))
    m.add_count(("both", "a"), [*range(2), *range(20, 23)])
    m.add_total(("both", "a"), [("g1", "a"), ("g2", "a")])
    p = protect(m, 4)
    assert not pinned(m, p)


def test_pattern_json_round_trip_and_unknown_keys():
    m = line([12, 3, 20])
    p = protect(m, 4, fingerprint="abc")
    back = D.Pattern.from_json(p.to_json())
    assert back == p
    assert back.reason(("part", 1)) == PRIMARY and back.reason(("total",)) is None
    with pytest.raises(KeyError, match="not in the run's disclosure model"):
        back.reason(("nope",))


def test_deterministic():
    m = line([7, 3, 2, 9, 30, 1])
    assert protect(m, 4).hidden == protect(m, 4).hidden


def test_relations_that_do_not_hold_are_ignored_and_bad_input_refused():
    m = CellModel(5)
    m.add_count(("a",), range(2))
    m.add_count(("b",), range(2, 5))
    m.add_total(("a",), [("b",)])  # wrong: a is not b
    assert m.compiled().dropped_relations == 1
    with pytest.raises(KeyError, match="added twice"):
        m.add_count(("a",), [0])
    with pytest.raises(IndexError):
        m.add_count(("c",), [7])
    with pytest.raises(ValueError, match="threshold"):
        protect(m, -1)


def tables(sizes: list[list[list[int]]], link: bool = True) -> CellModel:
    """One two-way table per group (cells, row and column totals, its total), and with
    ``link`` a cell over both of the first two groups' first rows, which ties them."""
    n = sum(v for t in sizes for r in t for v in r)
    labels = [f"g{g}" for g, t in enumerate(sizes) for r in t for v in r for _ in range(v)]
    m = CellModel(n, groups=labels)
    start = 0
    rows_of: dict[tuple, list[int]] = {}
    for g, table in enumerate(sizes):
        for i, row in enumerate(table):
            for j, v in enumerate(row):
                rows = list(range(start, start + v))
                start += v
                m.add_count((g, i, j), rows)
                for key in ((g, "row", i), (g, "col", j), (g, "all")):
                    rows_of.setdefault(key, []).extend(rows)
        for key in sorted((k for k in rows_of if k[0] == g), key=repr):
            m.add_count(key, rows_of[key])
        for i, row in enumerate(table):
            m.add_total((g, "row", i), [(g, i, j) for j in range(len(row))])
        for j in range(len(table[0])):
            m.add_total((g, "col", j), [(g, i, j) for i in range(len(table))])
        m.add_total((g, "all"), [(g, "row", i) for i in range(len(table))])
    if link:
        m.add_count(("both", 0), [*rows_of[(0, "row", 0)], *rows_of[(1, "row", 0)]])
        m.add_total(("both", 0), [(0, "row", 0), (1, "row", 0)])
    return m


SIZES = [
    [[2, 9, 14], [11, 3, 8], [7, 12, 1]],
    [[3, 10, 6], [9, 2, 15], [13, 8, 11]],
    [[1, 7, 9], [12, 14, 3], [6, 4, 10]],
    [[8, 2, 13], [10, 11, 9], [4, 15, 2]],
]


def test_blocks_are_the_connected_parts_and_attack_them_as_the_whole_programme_does():
    # groups 0 and 1 are tied by the "both" cell; 2 and 3 stand alone: three blocks
    m = tables(SIZES)
    comp = m.compiled()
    blocks = [sorted(comp.atom_group[b].tolist()) for b in comp.component_atoms()]
    assert [sorted(set(b)) for b in blocks] == [[0, 1], [2], [3]]  # largest first
    p = protect(m, 4)
    assert not pinned(m, p)
    # the block programmes give the same bounds as one programme over every atom
    hidden = {comp.key_index[k]: r for k, r in p.hidden.items()}
    whole = D._Programme(comp, 4, hidden)
    for key, (low, high) in attack(m, p).items():
        c = comp.key_index[key]
        assert (low, high) == (
            round(whole.optimum(c, -1)[0]),
            round(whole.optimum(c, +1)[0]),
        ), key


@pytest.mark.parametrize("batches", [2, 3])
def test_a_process_pool_sharing_the_groups_audit_gives_the_same_pattern(batches):
    # as the runner does: its spawned workers audit batches of groups; the pattern must not
    # depend on how the groups were shared out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    m = tables(SIZES)
    alone = protect(m, 4)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        shared = protect(m, 4, map_=pool.map, batches=batches)
    assert shared.hidden == alone.hidden
    assert any(r == SECONDARY for r in alone.hidden.values())  # the audit had work to share
    assert not pinned(m, shared)


def test_the_solver_prints_nothing_and_survives_its_first_crossover():
    # highspy's first solver object prints a banner on standard output, which would land in
    # a report's HTML: a fresh process must print nothing. Each programme starts from a basis
    # made by crossover from the true counts, which crashes a process that has not yet run
    # HiGHS once (highspy 1.16): check=True fails on that crash
    import subprocess
    import sys

    code = (
        "from tests.test_disclosure import line\n"
        "from finsamlib.disclosure import protect\n"
        "protect(line([12, 3, 20]), 4)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == ""


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30).flatmap(
        lambda n_atoms: st.tuples(
            st.just(n_atoms),
            st.lists(st.lists(st.integers(0, n_atoms - 1), max_size=4), max_size=25),
        )
    )
)
def test_blocks_are_scipys_connected_components(case):
    # the blocks (found by label propagation, without importing scipy's csgraph) are the
    # connected components of the graph of cells and the atoms they count
    import numpy as np
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    n_atoms, rows = case
    comp = D._Compiled.__new__(D._Compiled)
    comp.n_atoms = n_atoms
    comp._components = None
    indptr = np.cumsum([0, *(len(set(r)) for r in rows)])
    indices = np.array([a for r in rows for a in sorted(set(r))], dtype=np.int64)
    comp.A = sparse.csr_matrix((np.ones(indices.size), indices, indptr), shape=(len(rows), n_atoms))
    graph = sparse.bmat([[None, comp.A], [comp.A.T, None]], format="csr")
    _k, labels = connected_components(graph, directed=False)
    expected = {
        frozenset(np.flatnonzero(labels[len(rows) :] == lab).tolist())
        for lab in set(labels[len(rows) :].tolist())
    }
    got = comp.component_atoms()
    assert {frozenset(b.tolist()) for b in got} == expected
    assert sum(b.size for b in got) == n_atoms
    assert [b.size for b in got] == sorted((b.size for b in got), reverse=True)


def test_an_optimum_proven_by_shown_cells_alone_is_the_cells_only_value():
    # the audit skips the other direction when the certificate uses equations only
    m = line([12, 3, 20])
    comp = m.compiled()
    part = [comp.key_index[("part", i)] for i in range(3)]
    hidden = {part[1]: PRIMARY}
    lp = D._Programme(comp, 4, hidden)
    assert lp.optimum(part[1], +1)[0] == pytest.approx(3)  # 35 - 12 - 20
    assert lp.determined
    # with part 0 hidden too, the "<5" mark's bound gives the maximum: not the only value
    hidden[part[0]] = SECONDARY
    lp.hide([part[0]], hidden)
    assert lp.optimum(part[1], +1)[0] == pytest.approx(4) and not lp.determined
    assert lp.optimum(part[1], -1)[0] == pytest.approx(1) and not lp.determined


def two_way(rows_a: list[int], rows_b: list[int], hide: set[int]):
    """A two-way table (rows a and b, columns by position) with its margins, compiled, and
    the count cells whose index is in ``hide`` hidden ("<5" for the small ones)."""
    m = CellModel(sum(rows_a) + sum(rows_b))
    start, cols = 0, {}
    for r, sizes in (("a", rows_a), ("b", rows_b)):
        for j, v in enumerate(sizes):
            m.add_count((r, j), range(start, start + v))
            cols.setdefault(j, []).extend(range(start, start + v))
            start += v
        m.add_count((r, "T"), range(start - sum(sizes), start))
    for j, rows in cols.items():
        m.add_count(("T", j), rows)
    comp = m.compiled()
    hidden = {
        c: PRIMARY if 1 <= comp.values[c] <= 4 else SECONDARY
        for c in range(comp.n)
        if c in hide and comp.is_count[c]
    }
    return comp, hidden


TABLES = (
    st.lists(st.integers(0, 9), min_size=2, max_size=5),
    st.lists(st.integers(0, 9), min_size=2, max_size=5),
    st.sets(st.integers(0, 30)),
)


@settings(max_examples=40, deadline=None)
@given(*TABLES)
# a "<5" cell pinned by its shown row and column: its maximum is determined
@example([3, 9], [9, 9], {0})
def test_a_determined_optimum_is_both_bounds(rows_a, rows_b, hide):
    # whenever a maximum is said to be the only value, the minimum is the same
    comp, hidden = two_way(rows_a, rows_b, hide)
    lp = D._Programme(comp, 4, hidden)
    for c in sorted(hidden):
        top = lp.optimum(c, +1)[0]
        if lp.determined:
            assert lp.optimum(c, -1)[0] == pytest.approx(top, abs=1e-6)


def test_the_example_above_is_determined():
    # the explicit example of the property above does reach its assertion
    comp, hidden = two_way([3, 9], [9, 9], {0})
    (c,) = hidden
    lp = D._Programme(comp, 4, hidden)
    assert lp.optimum(c, +1)[0] == pytest.approx(3) and lp.determined


@settings(max_examples=40, deadline=None)
@given(*TABLES, st.integers(0, 30))
def test_hiding_a_cell_that_does_not_bind_an_optimum_leaves_it(rows_a, rows_b, hide, more):
    # the audit does not solve a direction again after hiding cells outside its certificate
    # (the cells with non-zero duals): the optimum must then be the same
    comp, hidden = two_way(rows_a, rows_b, hide)
    more %= comp.n
    lp = D._Programme(comp, 4, hidden)
    for c in sorted(hidden):
        for sense in (+1, -1):
            before = D._Optimum.of(lp, c, sense)
            if more in hidden or more in before.rows or not D._eligible(comp, hidden, more):
                continue
            after_hidden = {**hidden, more: SECONDARY}
            again = D._Programme(comp, 4, after_hidden)
            assert again.optimum(c, sense)[0] == pytest.approx(before.value, abs=1e-6)


def money_model() -> CellModel:
    """Two support categories (2 and 8 persons), their total, and two amounts priced from
    them (money per actor): each amount with the total gives the small category away."""
    m = CellModel(10)
    m.add_count(("a",), range(0, 2))
    m.add_count(("b",), range(2, 10))
    m.add_count(("total",), range(10))
    m.add_total(("total",), [("a",), ("b",)])
    m.add_amount(("money", "kommun"), range(10), [100.0] * 2 + [50.0] * 8)
    m.add_amount(("money", "region"), range(10), [30.0] * 2 + [70.0] * 8)
    return m


def test_binding_amounts_of_the_same_cost_are_hidden_together_counts_one_at_a_time():
    m = money_model()
    comp = m.compiled()
    a, b, total, kommun, region = (
        comp.key_index[k]
        for k in [("a",), ("b",), ("total",), ("money", "kommun"), ("money", "region")]
    )
    auditor = D._Auditor(comp, 4, D.MIN_RANGE)
    hidden = {a: PRIMARY}
    # amounts cost 1, the cheapest: the first with every other binding amount
    assert auditor._choose(hidden, a, [total, kommun, region], -1) == [kommun, region]
    # a count comes alone (here the cheaper of the two counts)
    assert auditor._choose(hidden, a, [total, b], -1) == [b]
    # and the pattern holds against the attacker
    pattern = protect(m, 4)
    assert pattern.hidden[("money", "kommun")] == SECONDARY
    assert pinned(m, pattern) == {}


def test_a_solve_without_a_verdict_is_repeated_from_scratch():
    # HiGHS warm-started from another cell's basis once ended with status kUnknown on the
    # embedded data; attack() then took the count as pinned although it was not
    m = line([12, 3, 20])
    comp = m.compiled()
    part = [comp.key_index[("part", i)] for i in range(3)]
    hidden = {part[1]: PRIMARY, part[0]: SECONDARY}
    lp = D._Programme(comp, 4, hidden)
    real = lp.h

    class NoVerdictOnce:
        """The solver, but its first run ends without a verdict."""

        def __init__(self) -> None:
            self.runs = 0

        def run(self):
            self.runs += 1
            return real.run()

        def getModelStatus(self):
            if self.runs == 1:
                return lp.highspy.HighsModelStatus.kUnknown
            return real.getModelStatus()

        def __getattr__(self, name):
            return getattr(real, name)

    lp.h = NoVerdictOnce()
    assert lp.optimum(part[1], +1)[0] == pytest.approx(4)
    assert lp.retries == 1 and lp.h.runs == 2
