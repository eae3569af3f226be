"""Our Gi* (csp_dash/analysis/gistar.py) against esda's G_Local on Essex's real LSOAs
(docs/methods.md, "Gi* and FDR").

    python -m benchmarks.bench_gistar [--permutations 999] [--runs 5]

Counts are January-July 2018 violence per LSOA from the shared police.uk files
(``tests.gistar_reference.essex_violence``). In one run:
the median time of ``gi_star`` (weights built beforehand, as the page caches them) and of esda
``G_Local(star=True)`` with the same permutations (after one untimed call, so numba's compile
is not counted), and their ratio; then how far the two sets of p-values and significant units
differ. Not a test: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings


def _median_s(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import esda
    import numpy as np
    from libpysal.weights import Queen
    from libpysal.weights.util import fill_diagonal

    from csp_dash.analysis.gistar import fdr_bh, gi_star, queen_weights
    from tests.gistar_reference import esda_gi_star, esda_two_sided_p, essex_violence

    lsoas, counts = essex_violence()
    perms = args.permutations
    t = time.perf_counter()
    weights = queen_weights(lsoas, "LSOAs").w
    ours_w = time.perf_counter() - t
    t = time.perf_counter()
    ref_w = Queen.from_dataframe(lsoas, use_index=True, silence_warnings=True)
    esda_w = time.perf_counter() - t
    print(f"{len(lsoas):,} LSOAs, {int(counts.sum()):,} crimes, {perms} permutations")
    print(f"weights: ours {ours_w:.3f} s, libpysal Queen {esda_w:.3f} s, "
          f"ratio {ours_w / esda_w:.2f}")

    y = counts.reindex(ref_w.id_order).to_numpy(float)
    esda_gi_star(y, ref_w, perms)  # compile numba
    # esda gets its self-weights once, as the app used to cache them (not timed).
    w_self = fill_diagonal(ref_w, 1.0)

    def run_esda():
        return esda.G_Local(y, w_self, transform="B", permutations=perms, star=True,
                            seed=12345, n_jobs=1)

    ours_s = _median_s(lambda: gi_star(counts, weights, permutations=perms), args.runs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        esda_s = _median_s(run_esda, args.runs)
    print(f"gi_star: ours {ours_s:.3f} s, esda {esda_s:.3f} s, ratio {ours_s / esda_s:.2f}")

    got = gi_star(counts, weights, permutations=perms).loc[ref_w.id_order]
    g = esda_gi_star(y, ref_w, perms)
    ref_p = esda_two_sided_p(g, perms)
    diff = np.abs(got["p"].to_numpy() - ref_p)
    print(f"z: max |difference| {np.nanmax(np.abs(got['gi_z'] - g.Zs)):.2e}")
    print(f"permutation p: max |difference| {diff.max():.4f}, mean {diff.mean():.4f}")
    ref_q = fdr_bh(ref_p)
    for alpha in (0.01, 0.05, 0.10):
        a, b = got["p_fdr"].to_numpy() <= alpha, ref_q <= alpha
        print(f"significant at p_fdr <= {alpha}: ours {a.sum()}, esda {b.sum()}, "
              f"both {(a & b).sum()}")


if __name__ == "__main__":
    main()
