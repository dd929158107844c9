"""Support codes of Arrow text are looked up without factorising the column (issue #13); the
tables are exactly those of the general path (object columns, factorised)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib import supply
from finsamlib.categories import SUPPORT_CODES
from finsamlib.errors import FinsamDataError

cell = st.one_of(st.none(), st.sampled_from(SUPPORT_CODES))
odd = st.one_of(cell, st.sampled_from(["", "Försörjningsstöd", "employment "]))


def test_positions_by_hand() -> None:
    values = pd.Series(["employment", None, "unknown", "social_assistance"], dtype="str")
    positions = supply._code_positions(values, "support_after")
    assert positions.tolist() == [8, -1, 12, 0]
    assert positions.dtype == np.int64
    assert supply._code_positions(values.iloc[:0], "support_after").tolist() == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(odd, max_size=40))
def test_positions_and_errors_as_the_general_path(cells: list[str | None]) -> None:
    arrow = pd.Series(cells, dtype="str")
    general = pd.Series(cells, dtype="object")
    try:
        expected = supply._code_positions(general, "support_before")
    except FinsamDataError as exc:
        with pytest.raises(FinsamDataError) as got:
            supply._code_positions(arrow, "support_before")
        assert str(got.value) == str(exc)
    else:
        assert supply._code_positions(arrow, "support_before").tolist() == expected.tolist()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cell, cell, st.booleans()), min_size=1, max_size=40))
def test_tables_as_the_general_path(rows: list[tuple]) -> None:
    before, after, ended = zip(*rows, strict=True)
    frame = pd.DataFrame(
        {
            "end_date": pd.to_datetime(["2021-05-01" if e else None for e in ended]),
            "support_before": pd.Series(before, dtype="str"),
            "support_after": pd.Series(after, dtype="str"),
        }
    )
    general = frame.astype({"support_before": object, "support_after": object})
    for families in (False, True):
        pd.testing.assert_frame_equal(
            supply.transition_matrix(frame, families=families),
            supply.transition_matrix(general, families=families),
            check_exact=True,
        )
        pd.testing.assert_frame_equal(
            supply.change(frame, families=families),
            supply.change(general, families=families),
            check_exact=True,
        )
