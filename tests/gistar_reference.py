"""esda as the independent reference for our Gi* (test helpers; esda and libpysal are test-only
dependencies, docs/architecture.md "Performance")."""

from __future__ import annotations

import warnings
from pathlib import Path

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights.util import fill_diagonal

TIE_TOL = 1e-10
ESSEX = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "essex"
ESSEX_LSOAS = ESSEX / "essex_lsoa2011_boundaries.geojson"


def essex_violence() -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Essex's 1,077 LSOAs and their violence and sexual offences, January-July 2018 (the
    shared real police.uk files; callers skip when ``ESSEX_LSOAS`` is absent)."""
    lsoas = gpd.read_file(ESSEX_LSOAS).set_index("LSOA11CD")
    frames = [
        pd.read_csv(f, usecols=["LSOA code", "Crime type"])
        for f in sorted(ESSEX.glob("2018-0*/*-street.csv"))
    ]
    crimes = pd.concat(frames)
    violence = crimes[crimes["Crime type"] == "Violence and sexual offences"]
    return lsoas, violence.groupby("LSOA code").size().reindex(lsoas.index, fill_value=0)


def esda_gi_star(y, w, permutations: int = 999, seed: int = 12345):
    """esda's G_Local for Gi* on binary weights plus self (its harmless warnings silenced)."""
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        return esda.G_Local(
            np.asarray(y, dtype=float),
            fill_diagonal(w, 1.0),
            transform="B",
            permutations=permutations,
            star=True,
            seed=seed,
            n_jobs=1,
        )


def esda_two_sided_p(g, permutations: int) -> np.ndarray:
    """Our documented rule applied to esda's own simulations: ties counted on both sides,
    p = 2 * min(#(sim >= obs) + 1, #(sim <= obs) + 1) / (permutations + 1), capped at 1."""
    sims, obs = g.rGs, g.Gs[:, None]
    upper = (sims >= obs - TIE_TOL).sum(axis=1)
    lower = (sims <= obs + TIE_TOL).sum(axis=1)
    return np.minimum(1.0, 2.0 * (np.minimum(upper, lower) + 1) / (permutations + 1))


def monte_carlo_tolerance(p_ref: np.ndarray, permutations: int, sds: float = 4.0) -> np.ndarray:
    """Allowed |difference| between two independent two-sided permutation p-values.

    Each is 2 * q_hat with q_hat a binomial share of ``permutations`` draws (q = p / 2), so its
    variance is 4 q (1 - q) / permutations; the difference of two has twice that. Plus one
    step of the p grid for the +1 in numerator and denominator.
    """
    q = np.clip(np.asarray(p_ref, dtype=float) / 2, 0.0, 0.5)
    sd_difference = np.sqrt(2 * 4 * q * (1 - q) / permutations)
    return sds * sd_difference + 2 / (permutations + 1)
