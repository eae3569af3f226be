"""The public view's release table: primary and secondary suppression on crafted tables, and
no hidden count can be worked out from what the public view shows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csp_dash.disclosure.release import (
    OUTSIDE,
    TOTAL,
    extra_sums_safe,
    hidden_label,
    is_small,
    label_template,
    period_view,
    protect,
    public_count,
    release_table,
    true_view,
    visible_series,
    visible_sum,
)
from csp_dash.disclosure.suppression import recoverable_cells

MONTHS = pd.date_range("2025-01-01", periods=4, freq="MS")
LABEL = "<5 or suppressed"


def _cube(rows: dict[str, list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"area": a, "month": m, "count": c}
            for a, counts in rows.items()
            for m, c in zip(MONTHS, counts, strict=True)
        ]
    )


def test_release_table_adds_an_outside_row_so_columns_match_the_whole_area():
    whole = pd.Series([40, 41, 42, 43], index=MONTHS)
    t = release_table(
        _cube({"E1": [10, 3, 12, 9], "E2": [8, 9, 0, 2]}),
        whole,
        {"E1": "Ashby", "E2": "Brook", "E3": "Quiet"},
    )
    assert list(t.index) == ["Ashby", "Brook", "Quiet", OUTSIDE]
    assert t.loc["Quiet"].tolist() == [0, 0, 0, 0]  # an estate with no records still appears
    assert t.loc[OUTSIDE].tolist() == [22, 29, 30, 32]
    assert t.sum(axis=0).tolist() == whole.tolist()


def test_primary_and_secondary_suppression_on_a_crafted_table():
    # One small cell (3): alone in its row and column it could be recovered from the totals,
    # so three complements must join it in a rectangle.
    t = pd.DataFrame(
        [[20, 3, 15], [12, 30, 25], [40, 18, 22]], index=["A", "B", "C"], columns=MONTHS[:3]
    )
    r = protect(t, 5, LABEL)
    assert r.primary.to_numpy().sum() == 1 and r.primary.loc["A", MONTHS[1]]
    assert r.secondary.to_numpy().sum() == 3
    hidden = r.hidden.to_numpy()
    assert hidden[0].sum() >= 2 and hidden[:, 1].sum() >= 2  # row A and month 2 each hide two
    # Every hidden cell shows the label: never 0, never a number.
    assert set(r.display.to_numpy()[hidden]) == {LABEL}
    # And none can be worked out from what is shown (disclosure's own linear-algebra check,
    # then a brute-force one here).
    assert not recoverable_cells(hidden).any()
    assert _brute_force_recoverable(r.display, hidden) == []


def _brute_force_recoverable(display: pd.DataFrame, hidden: np.ndarray) -> list[tuple[int, int]]:
    """Independent check: a hidden cell is recoverable iff it is the same in every solution.

    With the visible cells and totals known, each row and column gives one equation. Solve
    with numpy least squares, then move along each null-space direction: a hidden cell that
    no null-space vector moves is determined.
    """
    cells = list(zip(*np.nonzero(hidden), strict=True))
    n_rows, n_cols = hidden.shape
    eqs = []
    for i in range(n_rows):
        eqs.append([(1.0 if c != n_cols - 1 else -1.0) if r == i else 0.0 for r, c in cells])
    for j in range(n_cols):
        eqs.append([(1.0 if r != n_rows - 1 else -1.0) if c == j else 0.0 for r, c in cells])
    a = np.array(eqs)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]
    return (
        [cells[k] for k in range(len(cells)) if np.allclose(null[:, k], 0)] if len(null) else cells
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_estate_tables_leave_nothing_recoverable(seed):
    rng = np.random.default_rng(seed)
    t = pd.DataFrame(
        rng.poisson(rng.uniform(0.5, 12, (8, 1)), (8, 12)),
        index=[f"E{i}" for i in range(8)],
        columns=pd.date_range("2025-01-01", periods=12, freq="MS"),
    )
    r = protect(t, 5, LABEL)
    hidden = r.hidden.to_numpy()
    shown = r.display.to_numpy()[~hidden]
    assert not any(0 < int(v.replace(",", "")) < 5 for v in shown)  # no small count shown
    assert not recoverable_cells(hidden).any()
    assert _brute_force_recoverable(r.display, hidden) == []


def test_a_naive_primary_only_release_would_be_recoverable():
    # A 2 x 3 table with its totals (3 x 4): hide only the small cell in row A, month 2.
    naive = np.zeros((3, 4), dtype=bool)
    naive[0, 1] = True
    assert _brute_force_recoverable(pd.DataFrame(naive), naive) == [(0, 1)]
    assert (recoverable_cells(naive) == naive).all()


def test_period_view_totals_only_sum_visible_cells():
    t = pd.DataFrame(
        [[20, 3, 15, 30], [12, 30, 25, 14], [40, 18, 22, 9]], index=["A", "B", "C"], columns=MONTHS
    )
    r = protect(t, 5, LABEL)
    view = period_view(r, list(MONTHS[2:]), LABEL)  # the last two months
    true_totals = t[MONTHS[2:]].sum(axis=1)
    true_totals[TOTAL] = true_totals.sum()
    for row in view.index:
        hidden = r.hidden.loc[row, list(MONTHS[2:])].any()
        want = LABEL if hidden else f"{int(true_totals[row]):,}"
        assert view.loc[row, "Period total"] == want
    assert visible_sum(r, "A", MONTHS[:1]) == 20
    assert visible_sum(r, "A", MONTHS[:2]) is None  # the 3 is hidden
    assert visible_sum(r, TOTAL, MONTHS) == (
        None if r.hidden.loc[TOTAL, list(MONTHS)].any() else int(t.to_numpy().sum())
    )
    s = visible_series(r, "A")
    assert np.isnan(s.iloc[1]) and s.iloc[0] == 20


def test_true_view_adds_totals():
    t = pd.DataFrame([[1, 2], [3, 4]], index=["A", "B"], columns=MONTHS[:2])
    v = true_view(t, list(MONTHS[:2]))
    assert v.loc[TOTAL].tolist() == [4, 6, 10]
    assert v["Period total"].tolist() == [3, 7, 10]


def test_the_label_shows_the_threshold_and_is_configurable(monkeypatch):
    monkeypatch.delenv("CSP_DASH_DISCLOSURE_LABEL", raising=False)
    assert label_template() == "<{threshold} or suppressed"
    assert hidden_label(10) == "<10 or suppressed"
    monkeypatch.setenv("CSP_DASH_DISCLOSURE_LABEL", "[c]")
    assert hidden_label(5) == "[c]"


def test_small_counts():
    assert [is_small(v, 5) for v in (0, 1, 4, 5, None)] == [False, True, True, False, False]
    assert public_count(3, 5, LABEL) == LABEL and public_count(0, 5, LABEL) == "0"
    assert public_count(1234, 5, LABEL) == "1,234"


def test_extra_sums_are_shown_only_if_nothing_becomes_recoverable():
    # Row A hides its 3 (Feb) and at least one complement. By hand: publishing A's Jan+Feb
    # sum (20 + 3 = 23) with Jan's 20 on show gives 23 - 20 = 3, so it is unsafe. A sum
    # over visible months only adds nothing.
    t = pd.DataFrame(
        [[20, 3, 15, 30], [12, 30, 25, 14], [40, 18, 22, 9]], index=["A", "B", "C"], columns=MONTHS
    )
    r = protect(t, 5, LABEL)
    hidden_a = [m for m in MONTHS if r.hidden.loc["A", m]]
    assert MONTHS[1] in hidden_a and len(hidden_a) >= 2
    assert not extra_sums_safe(r, [("A", [MONTHS[0], MONTHS[1]])])
    visible = [m for m in MONTHS if not r.hidden.loc["A", m]]
    assert extra_sums_safe(r, [("A", visible)])
    # Both hidden cells of row A together: their sum is already known from the row total.
    assert extra_sums_safe(r, [("A", hidden_a)])
