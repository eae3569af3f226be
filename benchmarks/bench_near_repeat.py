"""Time the near-repeat (Knox) test: 5,000 events x 999 permutations, against a naive loop.

    python -m benchmarks.bench_near_repeat [--events 5000] [--permutations 999] [--seed 1]
                                           [--baseline-events 400]

Events are spread over a 12 x 9 km district and two years, with a quarter followed by a
neighbour's crime 50-180 m away and 1-14 days later. The baseline, measured in the same
run, is the textbook method: a Python loop over every pair, counting one table, on a
subset of events; its time per pair is extrapolated to all pairs and all permutations + 1.
A second baseline vectorises every pair with numpy but without this module's shortcuts.
Also checks that the fast and the naive table agree on the subset. Target: at most 10 s
on 2 cores. Not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from csp_dash.analysis.near_repeat import run_knox

TARGET_S = 10.0
SPACE = (0, 100, 200, 300, 400)
TIME = (0, 7, 14, 21, 28)


def synthetic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = int(n / 1.25)
    x, y = rng.uniform(0, 12_000, base), rng.uniform(0, 9_000, base)
    day = rng.integers(0, 730, base)
    k = n - base
    src = rng.integers(0, base, k)
    dist, angle = rng.uniform(50, 180, k), rng.uniform(0, 2 * np.pi, k)
    x = np.append(x, x[src] + dist * np.cos(angle))
    y = np.append(y, y[src] + dist * np.sin(angle))
    day = np.append(day, np.minimum(day[src] + rng.integers(1, 15, k), 729))
    return x, y, day


def naive_table(x, y, day) -> tuple[np.ndarray, float]:
    """One Knox table by a plain double loop (Manhattan distance); returns it and seconds."""
    t0 = time.perf_counter()
    table = np.zeros((len(SPACE) + 1, len(TIME)), dtype=np.int64)
    xs, ys, ds = x.tolist(), y.tolist(), day.tolist()
    for a in range(len(xs)):
        for b in range(a + 1, len(xs)):
            d = abs(xs[a] - xs[b]) + abs(ys[a] - ys[b])
            row = 0 if d == 0 else next((k for k, e in enumerate(SPACE[1:], 1) if d <= e),
                                        len(SPACE))
            dt = abs(ds[a] - ds[b])
            col = next((k for k, e in enumerate(TIME[1:]) if dt <= e), len(TIME) - 1)
            table[row, col] += 1
    return table, time.perf_counter() - t0


def all_pairs_seconds(x, y, day, m: int) -> float:
    """One table from every pair with numpy (no k-d tree, no marginal shortcut), on m events."""
    t0 = time.perf_counter()
    i, j = np.triu_indices(m, 1)
    d = np.abs(x[i] - x[j]) + np.abs(y[i] - y[j])
    row = np.where(d == 0, 0, np.searchsorted(np.asarray(SPACE, float), d, side="left"))
    col = np.maximum(np.searchsorted(np.asarray(TIME), np.abs(day[i] - day[j]), "left") - 1, 0)
    np.bincount(row * len(TIME) + col, minlength=(len(SPACE) + 1) * len(TIME))
    return time.perf_counter() - t0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=5000)
    p.add_argument("--permutations", type=int, default=999)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--baseline-events", type=int, default=400)
    args = p.parse_args(argv)
    x, y, day = synthetic(args.events, args.seed)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}")

    t0 = time.perf_counter()
    res = run_knox(x, y, day, SPACE, TIME, permutations=args.permutations, seed=args.seed)
    fast = time.perf_counter() - t0
    n_pairs = args.events * (args.events - 1) // 2
    print(f"knox: {args.events:,} events ({n_pairs:,} pairs) x {args.permutations} "
          f"permutations: {fast:.2f} s (target <= {TARGET_S:.0f} s: "
          f"{'met' if fast <= TARGET_S else 'MISSED'})")
    print(f"ratio 1-100 m, 0-7 days: {res.ratio[1, 0]:.2f} (p = {res.p[1, 0]:.3f})")

    m = min(args.baseline_events, args.events)
    sub = (x[:m], y[:m], day[:m])
    table, naive_s = naive_table(*sub)
    check = run_knox(*sub, SPACE, TIME, permutations=1, seed=0).observed
    agree = np.array_equal(table, check)
    per_pair = naive_s / (m * (m - 1) // 2)
    extrapolated = per_pair * n_pairs * (args.permutations + 1)
    print(f"naive loop: {m} events in {naive_s:.2f} s = {per_pair * 1e9:,.0f} ns a pair; "
          f"tables agree: {agree}")
    print(f"naive extrapolated to {args.events:,} events x {args.permutations + 1} tables: "
          f"{extrapolated:,.0f} s; speed-up {extrapolated / fast:,.0f}x")
    m2 = min(2000, args.events)
    vec_s = all_pairs_seconds(x, y, day, m2)
    vec = vec_s / (m2 * (m2 - 1) // 2) * n_pairs * (args.permutations + 1)
    print(f"vectorised all-pairs (no shortcut): {m2:,} events in {vec_s:.2f} s; extrapolated "
          f"{vec:,.0f} s; speed-up {vec / fast:,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
