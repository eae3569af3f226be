"""Knox near-repeat test: hand counts at the band edges, invariant totals, p-values, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from csp_dash.analysis.near_repeat import band_labels, check_bands, describe_knox, run_knox

SPACE = (0, 100, 200)
TIME = (0, 7, 14)


def _hand_table(x, y, days, metric="manhattan"):
    """The table by an explicit double loop: the independent reference."""
    table = np.zeros((4, 3), dtype=int)
    for a in range(len(x)):
        for b in range(a + 1, len(x)):
            dx, dy = abs(x[a] - x[b]), abs(y[a] - y[b])
            d = dx + dy if metric == "manhattan" else np.hypot(dx, dy)
            row = 0 if d == 0 else 1 if d <= 100 else 2 if d <= 200 else 3
            dt = abs(days[a] - days[b])
            col = 0 if dt <= 7 else 1 if dt <= 14 else 2
            table[row, col] += 1
    return table


def test_hand_made_set_matches_a_hand_count_at_the_band_edges():
    # A at the origin; B same place 7 days later (edge of 0-7); C exactly 100 m (60+40
    # Manhattan) 8 days after A; D exactly 200 m away 14 days after A; E 201 m, 15 days.
    x = [0, 0, 60, 200, 201]
    y = [0, 0, 40, 0, 0]
    days = [0, 7, 8, 14, 15]
    res = run_knox(x, y, days, SPACE, TIME, permutations=9, seed=1)
    # Written out by hand from the ten pairs:
    # AB same/0-7; AC 100m/8; AD 200m/14; AE >200/15; BC 100m/1; BD 200m/7; BE >200/8;
    # CD (140+40=180)/6; CE (141+40=181)/7; DE 1m/1.
    expected = np.array([
        [1, 0, 0],  # same location: AB
        [2, 1, 0],  # 1-100 m: BC, DE (0-7); AC (8-14)
        [3, 1, 0],  # 101-200 m: BD, CD, CE (0-7); AD (8-14)
        [0, 1, 1],  # more than 200 m: BE (8-14); AE (more than 14)
    ])
    np.testing.assert_array_equal(res.observed, expected)
    np.testing.assert_array_equal(res.observed, _hand_table(x, y, days))
    assert res.space_labels == ["Same location", "1–100 m", "101–200 m", "More than 200 m"]
    assert res.time_labels == ["0–7 days", "8–14 days", "More than 14 days"]


@pytest.mark.parametrize("metric", ["manhattan", "euclidean"])
def test_random_set_matches_the_double_loop(metric):
    rng = np.random.default_rng(3)
    x = np.round(rng.uniform(0, 400, 60))
    y = np.round(rng.uniform(0, 400, 60))
    x[:5] = x[5:10]  # some shared places
    y[:5] = y[5:10]
    days = rng.integers(0, 40, 60)
    res = run_knox(x, y, days, SPACE, TIME, distance=metric, permutations=5, seed=0)
    np.testing.assert_array_equal(res.observed, _hand_table(x, y, days, metric))


def test_every_permutation_keeps_the_marginal_totals():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0, 500, 80), rng.uniform(0, 500, 80)
    days = rng.integers(0, 60, 80)
    res = run_knox(x, y, days, SPACE, TIME, permutations=50, seed=2)
    rows, cols = res.observed.sum(axis=1), res.observed.sum(axis=0)
    assert rows.sum() == 80 * 79 // 2
    for table in res.perm_tables:
        np.testing.assert_array_equal(table.sum(axis=1), rows)
        np.testing.assert_array_equal(table.sum(axis=0), cols)
        assert (table >= 0).all()
    # and a permuted table really is the hand count of some shuffle of the dates
    shuffled = np.random.default_rng(9).permutation(days)
    again = run_knox(x, y, shuffled, SPACE, TIME, permutations=1, seed=0)
    np.testing.assert_array_equal(again.observed.sum(axis=0), cols)


def test_smallest_p_is_one_over_permutations_plus_one_and_a_seed_reproduces():
    rng = np.random.default_rng(5)
    n = 200
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    days = rng.integers(0, 365, n)
    x[100:140], y[100:140] = x[:40] + 30, y[:40]  # strong planted near repeats
    days[100:140] = days[:40] + 2
    a = run_knox(x, y, days, permutations=99, seed=11)
    b = run_knox(x, y, days, permutations=99, seed=11)
    assert a.p.min() == pytest.approx(1 / 100)
    assert (a.p >= 1 / 100).all() and (a.p <= 1).all()
    np.testing.assert_array_equal(a.perm_tables, b.perm_tables)
    np.testing.assert_array_equal(a.p, b.p)
    c = run_knox(x, y, days, permutations=99, seed=12)
    assert not np.array_equal(a.perm_tables, c.perm_tables)
    # ratio is observed over the permutation mean, p counts permutations at or above
    np.testing.assert_allclose(a.expected, a.perm_tables.mean(axis=0))
    cell = (1, 0)
    at_or_above = (a.perm_tables[:, cell[0], cell[1]] >= a.observed[cell]).sum()
    assert a.p[cell] == pytest.approx((at_or_above + 1) / 100)
    assert a.ratio[cell] > 3
    assert "Near repeat" in describe_knox(a, "burglary")[0]


def test_no_pattern_reads_as_none():
    rng = np.random.default_rng(8)
    res = run_knox(rng.uniform(0, 5000, 300), rng.uniform(0, 5000, 300),
                   rng.integers(0, 365, 300), permutations=99, seed=1)
    # with no structure few cells are significant and the ratios stay near 1
    finite = res.ratio[1:-1, :-1]
    assert np.nanmax(np.abs(finite - 1)) < 1.5


def test_bad_bands_and_inputs_are_refused():
    with pytest.raises(ValueError, match="start at 0"):
        check_bands((50, 100), (0, 7))
    with pytest.raises(ValueError, match="increase"):
        check_bands((0, 200, 100), (0, 7))
    with pytest.raises(ValueError, match="manhattan or euclidean"):
        run_knox([0, 1, 2], [0, 1, 2], [0, 1, 2], distance="chebyshev")
    with pytest.raises(ValueError, match="same length"):
        run_knox([0, 1, 2], [0, 1], [0, 1, 2])
    s, t = band_labels(*check_bands((0, 100, 200, 300, 400), (0, 7, 14, 21, 28)))
    assert s[-1] == "More than 400 m" and t[1] == "8–14 days" and t[-1] == "More than 28 days"


def test_benchmark_runs_small_and_its_tables_agree():
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_near_repeat", "--events", "600",
         "--permutations", "19", "--baseline-events", "120"],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "tables agree: True" in out.stdout and "speed-up" in out.stdout
