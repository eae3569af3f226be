"""Time our STL (csp_dash.analysis.stl) against statsmodels' STL, and the memory each import costs.

    python -m benchmarks.bench_stl [--repeats 200]

For series of 36, 60 and 120 months (Poisson counts with a trend, a seasonal swing and
three outliers) it times robust STL, period 12, both ways in the same run (median of the
repeats, after one warm-up call that builds our smoothers for that length) and prints the
ratio; then, in fresh processes, the resident memory after importing
csp_dash.analysis.seasonal and after importing statsmodels' STL. Not a test: prints
figures and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import numpy as np


def _series(n: int, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = rng.poisson(80 + 0.4 * t + 20 * np.sin(2 * np.pi * t / 12)).astype(float)
    y[rng.choice(n, 3, replace=False)] += 200
    return y


def _median_ms(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _rss_mb(module: str) -> float:
    code = (
        f"import {module}\n"
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmRSS')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)

    from statsmodels.tsa.seasonal import STL

    from csp_dash.analysis.stl import stl

    print(f"{'months':>6} {'ours ms':>8} {'statsmodels ms':>15} {'ratio':>6} {'max |diff|':>11}")
    for n in (36, 60, 120):
        y = _series(n)
        ours = _median_ms(lambda y=y: stl(y, period=12, robust=True), args.repeats)
        ref = _median_ms(lambda y=y: STL(y, period=12, robust=True).fit(), args.repeats)
        a, b = stl(y, period=12), STL(y, period=12, robust=True).fit()
        diff = max(np.abs(a.trend - b.trend).max(), np.abs(a.seasonal - b.seasonal).max())
        print(f"{n:>6} {ours:>8.2f} {ref:>15.2f} {ours / ref:>6.2f} {diff:>11.1e}")

    base = _rss_mb("numpy, pandas")
    ours_mb = _rss_mb("csp_dash.analysis.seasonal")
    ref_mb = _rss_mb("pandas, statsmodels.tsa.seasonal")
    print(f"VmRSS after import: numpy+pandas {base:.0f} MB; csp_dash.analysis.seasonal "
          f"{ours_mb:.0f} MB; pandas+statsmodels.tsa.seasonal {ref_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
