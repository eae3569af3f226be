"""Small-number suppression: primary and secondary suppression, and the recoverability check."""

from __future__ import annotations

from collections import deque

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from csp_dash.disclosure.suppression import (
    SENSITIVE_THEMES,
    is_sensitive,
    recoverable_cells,
    suppress_series,
    suppress_table,
)

# ---------------------------------------------------------------- independent references


def augment(counts: np.ndarray) -> np.ndarray:
    """The table with its row totals, column totals and grand total, as published."""
    aug = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), dtype=int)
    aug[:-1, :-1] = counts
    aug[:-1, -1] = counts.sum(axis=1)
    aug[-1, :-1] = counts.sum(axis=0)
    aug[-1, -1] = counts.sum()
    return aug


def bridges(hidden: np.ndarray) -> np.ndarray:
    """Graph reference: hidden cell (r, c) is an edge row r -- column c. An edge variable
    with known vertex sums is determined iff the edge is a bridge (lies on no cycle):
    remove the edge and search for another path from r to c."""
    n_rows, n_cols = hidden.shape
    out = np.zeros(hidden.shape, dtype=bool)
    cells = [tuple(x) for x in np.argwhere(hidden)]
    for r, c in cells:
        adj: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for r2, c2 in cells:
            if (r2, c2) != (r, c):
                adj.setdefault(("r", r2), []).append(("c", c2))
                adj.setdefault(("c", c2), []).append(("r", r2))
        seen, todo = {("r", r)}, deque([("r", r)])
        while todo:
            node = todo.popleft()
            for nxt in adj.get(node, []):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        out[r, c] = ("c", c) not in seen
    return out


def attack(aug: np.ndarray, hidden: np.ndarray) -> dict[tuple[int, int], float]:
    """What a reader computes: least-squares solve of the published line equations for the
    hidden cells, keeping only cells whose value the equations pin down."""
    idx = [tuple(x) for x in np.argwhere(hidden)]
    pos = {k: i for i, k in enumerate(idx)}
    rows, rhs = [], []
    n_rows, n_cols = aug.shape
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    for line in lines:
        eq, b = np.zeros(len(idx)), 0.0
        for j, cell in enumerate(line):
            sign = -1.0 if j == len(line) - 1 else 1.0
            if hidden[cell]:
                eq[pos[cell]] += sign
            else:
                b -= sign * aug[cell]
        rows.append(eq)
        rhs.append(b)
    a = np.array(rows)
    sol = np.linalg.lstsq(a, np.array(rhs), rcond=None)[0]
    null = np.linalg.svd(a)[2][np.linalg.matrix_rank(a) :]
    return {cell: sol[i] for i, cell in enumerate(idx) if np.allclose(null[:, i], 0)}


def feasible_range(
    aug: np.ndarray, hidden: np.ndarray, cell: tuple[int, int]
) -> tuple[float, float]:
    """Interval a reader can derive with linear programming, knowing counts are >= 0."""
    idx = [tuple(x) for x in np.argwhere(hidden)]
    pos = {k: i for i, k in enumerate(idx)}
    n_rows, n_cols = aug.shape
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    a_eq, b_eq = [], []
    for line in lines:
        eq, b = np.zeros(len(idx)), 0.0
        for j, x in enumerate(line):
            sign = -1.0 if j == len(line) - 1 else 1.0
            if hidden[x]:
                eq[pos[x]] += sign
            else:
                b -= sign * aug[x]
        if eq.any():
            a_eq.append(eq)
            b_eq.append(b)
    c = np.zeros(len(idx))
    c[pos[cell]] = 1
    lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
    hi = -linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
    return lo, hi


# ---------------------------------------------------------------- sensitive themes


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Domestic abuse", True),
        ("DOMESTIC-ABUSE related violence", True),
        ("Hate crime", True),
        ("Racially aggravated hate crime", True),
        ("Sexual offences", True),
        ("Modern slavery", True),
        ("FGM", True),
        ("Female genital mutilation", True),
        ("Violence and sexual offences", False),  # police.uk mixed category: exempt by default
        ("Burglary", False),
        ("Whatever", False),  # "hate" inside a word does not match
        ("Theft", False),
    ],
)
def test_is_sensitive_default(label: str, expected: bool) -> None:
    assert is_sensitive(label) is expected


def test_is_sensitive_is_configurable() -> None:
    assert is_sensitive("Violence and sexual offences", not_sensitive=())
    assert not is_sensitive("Hate crime", themes={"domestic abuse"})
    assert is_sensitive("Stalking", themes=SENSITIVE_THEMES | {"stalking"})


# ---------------------------------------------------------------- suppress_table


CRAFTED = pd.DataFrame(
    [[3, 10, 12], [8, 9, 20], [15, 6, 7]],
    index=pd.Index(["Ashfield", "Brookside", "Castle"], name="estate"),
    columns=pd.Index(["Jan", "Feb", "Mar"], name="month"),
)


def test_primary_only_is_recoverable_and_the_attack_works() -> None:
    # Naive suppression hides only the 3 at Ashfield/Jan. Its row total 25 and the visible
    # 10 and 12 give it away: 25 - 10 - 12 = 3.
    aug = augment(CRAFTED.to_numpy())
    naive = np.zeros(aug.shape, dtype=bool)
    naive[0, 0] = True
    assert recoverable_cells(naive)[0, 0]
    assert attack(aug, naive)[(0, 0)] == pytest.approx(3)


def test_crafted_table_secondary_picks_cheapest_rectangle() -> None:
    # Cost of completing a rectangle through (Ashfield, Jan) with the other three corners:
    #   Brookside/Feb: 10 + 8 + 9 = 27   Brookside/Mar: 12 + 8 + 20 = 40
    #   Castle/Feb:    10 + 15 + 6 = 31  Castle/Mar:    12 + 15 + 7 = 34
    # so the complements are 10 (Ashfield/Feb), 8 (Brookside/Jan) and 9 (Brookside/Feb).
    out = suppress_table(CRAFTED)
    hidden = out.hidden.to_numpy()
    expected = np.zeros((4, 4), dtype=bool)
    expected[0, 0] = expected[0, 1] = expected[1, 0] = expected[1, 1] = True
    assert (hidden == expected).all()
    assert out.primary.to_numpy().sum() == 1 and out.secondary.to_numpy().sum() == 3
    assert not recoverable_cells(hidden).any()
    assert attack(augment(CRAFTED.to_numpy()), hidden) == {}
    # Display: hidden cells show the label, totals are true totals, formatted as text.
    assert out.display.loc["Ashfield", "Jan"] == "[c]"
    assert out.display.loc["Castle", "Feb"] == "6"
    assert out.display.loc["Ashfield", "Total"] == "25"
    assert out.display.loc["Total", "Total"] == "90"
    assert out.grand_total == 90
    assert list(out.row_totals) == [25, 37, 28]
    assert list(out.column_totals) == [26, 25, 39]
    assert out.display.index.name == "estate" and out.display.columns.name == "month"


def test_display_formats_thousands_and_keeps_zeros() -> None:
    table = pd.DataFrame({"a": [1234, 0, 7], "b": [2, 40, 0]}, index=["x", "y", "z"])
    out = suppress_table(table, threshold=5, label="<5")
    assert out.display.loc["x", "a"] == "1,234"
    assert out.display.loc["y", "a"] == "0"  # zeros are shown by default
    assert out.display.loc["x", "b"] == "<5"
    hidden = out.hidden.to_numpy()
    assert (out.display.to_numpy()[hidden] == "<5").all()
    assert not (out.display.to_numpy()[hidden] == "0").any()
    assert not recoverable_cells(hidden).any()


def test_suppress_zeros_option() -> None:
    table = pd.DataFrame([[0, 20, 30], [25, 35, 45], [50, 60, 70]])
    shown = suppress_table(table)
    assert not shown.hidden.to_numpy().any()
    hid = suppress_table(table, suppress_zeros=True)
    assert hid.primary.iloc[0, 0]
    assert hid.display.iloc[0, 0] == "[c]"
    assert not recoverable_cells(hid.hidden).any()


def test_small_total_is_suppressed_too() -> None:
    # Row "x" is 2 + 0 + 1 = 3: its total is itself a small count and must be hidden.
    table = pd.DataFrame([[2, 0, 1], [30, 40, 50], [60, 70, 80]], index=["x", "y", "z"])
    out = suppress_table(table)
    assert out.primary.loc["x", "Total"]
    assert out.display.loc["x", "Total"] == "[c]"
    assert not recoverable_cells(out.hidden).any()


def test_without_totals_only_primary() -> None:
    out = suppress_table(CRAFTED, with_totals=False)
    assert "Total" not in out.display.index and "Total" not in out.display.columns
    assert out.hidden.to_numpy().sum() == 1
    assert not recoverable_cells(out.hidden, totals=False).any()


def test_threshold_is_configurable() -> None:
    out = suppress_table(CRAFTED, threshold=10)  # 3, 8, 9, 6, 7 are all below 10
    assert out.primary.to_numpy()[:-1, :-1].sum() == 5
    assert not recoverable_cells(out.hidden).any()
    assert "1 to 9" in out.note


@pytest.mark.parametrize(
    "bad",
    [
        pd.DataFrame([[1.0, np.nan], [3.0, 4.0]]),
        pd.DataFrame([[1, -2], [3, 4]]),
        pd.DataFrame([[1.5, 2], [3, 4]]),
        pd.DataFrame([[1, 2], [3, 4]], index=["a", "Total"]),
    ],
)
def test_suppress_table_rejects_bad_input(bad: pd.DataFrame) -> None:
    with pytest.raises(ValueError):
        suppress_table(bad)


CASES = [(seed, shape, lam) for seed in range(4) for shape, lam in [((8, 6), 8), ((12, 12), 10)]]
CASES += [(7, (2, 5), 6), (8, (5, 2), 6), (9, (1, 6), 8), (10, (20, 12), 6)]


@pytest.mark.parametrize(("seed", "shape", "lam"), CASES)
def test_random_tables_nothing_recoverable(seed: int, shape: tuple[int, int], lam: float) -> None:
    counts = np.random.default_rng(seed).poisson(lam, shape)
    out = suppress_table(pd.DataFrame(counts))
    aug = augment(counts)
    primary = out.primary.to_numpy()
    hidden = out.hidden.to_numpy()
    assert (primary == ((aug > 0) & (aug < 5))).all()
    assert not (out.secondary.to_numpy() & primary).any()
    # Naive primary-only suppression leaks here; the secondary suppression closes it.
    naive_leaks = recoverable_cells(primary)
    assert (naive_leaks == bridges(primary)).all()
    assert naive_leaks.any()
    assert set(attack(aug, primary)) == {tuple(x) for x in np.argwhere(naive_leaks)}
    assert not recoverable_cells(hidden).any()
    assert not bridges(hidden).any()
    assert attack(aug, hidden) == {}
    # Every published line with a hidden entry has at least two.
    for axis in (0, 1):
        per_line = hidden.sum(axis=axis)
        assert not (per_line == 1).any()
    # Visible cells show their true value; totals shown are true totals.
    shown = out.display.to_numpy()
    for r, c in np.argwhere(~hidden):
        assert int(shown[r, c].replace(",", "")) == aug[r, c]


@pytest.mark.parametrize("seed", range(5))
def test_interval_protection_without_zeros(seed: int) -> None:
    # With no zeros to hide, every hidden cell is >= 1 and lies on a cycle, so moving +-1
    # round the cycle keeps all counts non-negative: even a reader using the fact that
    # counts are >= 0 (linear programming) cannot narrow a small count to one value.
    counts = np.random.default_rng(100 + seed).poisson(7, (8, 6))
    counts[counts == 0] = 11
    out = suppress_table(pd.DataFrame(counts))
    aug, hidden = augment(counts), out.hidden.to_numpy()
    assert out.secondary.to_numpy().any()
    for r, c in np.argwhere(out.primary.to_numpy()):
        lo, hi = feasible_range(aug, hidden, (r, c))
        assert lo <= aug[r, c] - 1 + 1e-9
        assert hi >= aug[r, c] + 1 - 1e-9


def test_recoverable_cells_matches_graph_reference_on_random_masks() -> None:
    rng = np.random.default_rng(42)
    for _ in range(40):
        mask = rng.random((rng.integers(2, 7), rng.integers(2, 7))) < rng.uniform(0.2, 0.7)
        assert (recoverable_cells(mask) == bridges(mask)).all()


def test_two_protected_blocks_joined_by_a_bridge() -> None:
    # Rows 0-1 x cols 0-1 and rows 2-3 x cols 2-3 are 2x2 blocks (each cell on a 4-cycle).
    # Cell (1, 2) joins them; every line has >= 2 hidden cells, yet (1, 2) lies on no cycle,
    # so it is determined: the ">= 2 per line" rule alone is not enough.
    mask = np.zeros((5, 5), dtype=bool)
    mask[0:2, 0:2] = True
    mask[2:4, 2:4] = True
    mask[1, 2] = True
    expected = np.zeros_like(mask)
    expected[1, 2] = True
    assert (recoverable_cells(mask) == expected).all()
    aug = augment(np.arange(16).reshape(4, 4) + 1)
    assert attack(aug, mask) == {(1, 2): pytest.approx(aug[1, 2])}


# ---------------------------------------------------------------- suppress_series


def test_series_hides_smallest_nonzero_complement() -> None:
    # 3 is primary; the total 25 minus 10 + 0 + 12 would reveal it, so the smallest
    # non-zero value (10) is hidden with it; the zero and the total stay visible.
    out = suppress_series(pd.Series([3, 10, 0, 12], index=list("abcd")))
    assert list(out.display) == ["[c]", "[c]", "0", "12", "25"]
    assert list(out.primary) == [True, False, False, False, False]
    assert list(out.secondary) == [False, True, False, False, False]
    assert out.total == 25
    naive = out.primary.to_numpy()
    assert recoverable_cells(naive)[0]
    assert not recoverable_cells(out.hidden.to_numpy()).any()


def test_series_two_primaries_need_no_complement() -> None:
    out = suppress_series(pd.Series([3, 4, 20]))
    assert list(out.display) == ["[c]", "[c]", "20", "27"]
    assert not out.secondary.any()


def test_series_small_total_is_hidden() -> None:
    out = suppress_series(pd.Series([0, 0, 3], index=["x", "y", "z"]))
    assert list(out.display) == ["0", "0", "[c]", "[c]"]
    assert out.primary["Total"]
    assert not recoverable_cells(out.hidden.to_numpy()).any()


def test_series_complement_is_never_a_zero_when_a_count_will_do() -> None:
    # Primary 2; the zeros would be cheaper by value but hiding one protects nothing
    # (2 + hidden 0 = total - visible), so the 30 is the complement.
    out = suppress_series(pd.Series([2, 0, 0, 30]))
    assert list(out.display) == ["[c]", "0", "0", "[c]", "32"]


def test_series_without_total() -> None:
    out = suppress_series(pd.Series([3, 10, 12]), with_total=False)
    assert list(out.display) == ["[c]", "10", "12"]
    assert not recoverable_cells(out.hidden.to_numpy(), totals=False).any()
