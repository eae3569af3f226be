"""Gi* for one filter, hotspot classes over sub-periods, and crime concentration.

The map's Gi* always runs through ``analysis.gistar.gi_star``. Classes need Gi* once per
sub-period: with normal-theory p-values that is done for every sub-period at once by
``gi_star_normal_many`` (one neighbour sum for all columns; tests check it equals ``gi_star``
column by column). With permutation p-values each sub-period goes through ``gi_star``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from csp_dash.analysis.concentration import concentration_curve, concentration_headline, share_for
from csp_dash.analysis.gistar import binary_matrix, fdr_bh, gi_star, gi_star_z, normal_p
from csp_dash.analysis.hotspot_classes import (
    CRITICAL_P,
    RECENT_PROP,
    class_counts,
    classify_hotspots,
    period_signal,
)
from csp_dash.analysis.periods import label as window_label
from csp_dash.analysis.trends import Window
from csp_dash.analysis.weights import BinaryWeights

PMethod = Literal["normal", "permutation"]
#: Points kept on the concentration curve sent to the chart.
CURVE_POINTS = 400


@dataclass(frozen=True)
class GiSettings:
    """How Gi* is run; said on screen and in the CLI output."""

    p_method: PMethod = "normal"
    permutations: int = 999
    seed: int = 12345

    def statement(self) -> str:
        if self.p_method == "normal":
            p = (
                "p-values from the normal approximation (two-sided), as sfhotspot and ArcGIS "
                "Hot Spot Analysis compute them (no random draws, so no seed is needed)"
            )
        else:
            floor = 2 / (self.permutations + 1)
            p = (
                f"p-values from {self.permutations:,} conditional permutations (two-sided, "
                f"random seed {self.seed}; the smallest possible p is {floor:.3g})"
            )
        return (
            f"{p}; false discovery rate controlled with Benjamini-Hochberg across the units "
            f"tested; hot and cold spots shaded where the adjusted p is at most 0.01 (99%), "
            f"0.05 (95%) or 0.10 (90%)."
        )


def gi_table(counts: pd.Series, w: BinaryWeights, settings: GiSettings) -> pd.DataFrame:
    """gi_star for one set of counts (index = the weights' ids)."""
    return gi_star(
        counts,
        w,
        permutations=settings.permutations,
        seed=settings.seed,
        p_method=settings.p_method,
    )


def gi_star_normal_many(
    values: pd.DataFrame, w: BinaryWeights
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gi* z and FDR-adjusted normal-theory p for each column of ``values`` (units x periods,
    rows in any order of the weights' ids), as ``gi_star(..., p_method="normal")`` gives.

    Units without neighbours are not tested; a constant column has no z.
    """
    ids = list(w.id_order)
    y = values.reindex(ids).to_numpy(dtype=float)
    if np.isnan(y).any():
        raise ValueError("values must cover every unit of the weights")
    adj = binary_matrix(w)
    n = y.shape[0]
    _, z = gi_star_z(y, adj)
    constant = np.ptp(y, axis=0) == 0 if n else np.ones(y.shape[1], bool)
    z[:, constant] = np.nan
    z[~np.isfinite(z)] = np.nan
    p = normal_p(z)
    p[adj.counts == 0, :] = np.nan  # islands: only themselves under Gi*
    p_fdr = np.column_stack([fdr_bh(p[:, j]) for j in range(p.shape[1])]) if p.size else p
    index = pd.Index(ids, name=values.index.name)
    z_df = pd.DataFrame(z, index=index, columns=values.columns).reindex(values.index)
    q_df = pd.DataFrame(p_fdr, index=index, columns=values.columns).reindex(values.index)
    return z_df, q_df


def sub_period_totals(monthly: pd.DataFrame, subs: list[Window]) -> pd.DataFrame:
    """Units x months counts summed into units x sub-periods (columns = sub-period labels)."""
    months = pd.DatetimeIndex(monthly.columns)
    cols = {}
    for first, last in subs:
        inside = (months >= pd.Timestamp(first)) & (months <= pd.Timestamp(last))
        cols[window_label((first, last))] = monthly.loc[:, inside].sum(axis=1)
    return pd.DataFrame(cols, index=monthly.index)


@dataclass
class ClassResult:
    """Hotspot classes over sub-periods, or why there are none."""

    classes: pd.Series | None
    signals: pd.DataFrame | None  # units x sub-periods: +1 hot, -1 cold, 0
    counts: pd.DataFrame | None  # class, cells, share
    n_periods: int
    recent: int
    note: str = ""
    empty_periods: list[str] = field(default_factory=list)


def classify_periods(
    monthly: pd.DataFrame, subs: list[Window], w: BinaryWeights, settings: GiSettings
) -> ClassResult:
    """Gi* in each sub-period (significant where the FDR-adjusted p <= 0.05), then sfhotspot's
    classes. ``monthly`` is units x months for the whole window."""
    n = len(subs)
    recent = max(int(np.floor(RECENT_PROP * n)), 1)
    if n < 2:
        return ClassResult(
            None,
            None,
            None,
            n,
            recent,
            "Classes need at least two sub-periods: choose a longer period or monthly sub-periods.",
        )
    totals = sub_period_totals(monthly, subs)
    empty = [c for c in totals.columns if totals[c].sum() == 0]
    if settings.p_method == "normal":
        z, q = gi_star_normal_many(totals, w)
        hit = (q <= CRITICAL_P) & z.notna()
        signals = pd.DataFrame(
            np.where(hit, np.sign(z.fillna(0.0)), 0).astype(int),
            index=totals.index,
            columns=totals.columns,
        )
    else:
        signals = pd.DataFrame(
            {c: period_signal(gi_table(totals[c], w, settings)) for c in totals.columns},
            index=totals.index,
        )
    classes = classify_hotspots(signals)
    note = (
        f"{n} sub-periods; the last {recent} count as recent. A unit is significant in a "
        f"sub-period where its FDR-adjusted p is at most {CRITICAL_P}."
    )
    return ClassResult(classes, signals, class_counts(classes), n, recent, note, empty)


@dataclass
class Concentration:
    headline: str
    units: int
    n_units: int
    unit_share: float
    crime_share: float
    curve: pd.DataFrame  # share_of_units, cumulative (downsampled for the chart)


def concentration(counts: pd.Series, label: str, unit_word: str) -> Concentration:
    """The "power few": how few units hold half the crime, and the curve to draw."""
    share = share_for(counts, 0.5)
    curve = concentration_curve(counts)[["share_of_units", "cumulative"]]
    if len(curve) > CURVE_POINTS:
        keep = np.unique(np.linspace(0, len(curve) - 1, CURVE_POINTS).round().astype(int))
        curve = curve.iloc[keep]
    start = pd.DataFrame({"share_of_units": [0.0], "cumulative": [0.0]})
    curve = pd.concat([start, curve], ignore_index=True)
    return Concentration(
        concentration_headline(counts, label, unit_word),
        share["units"],
        share["n_units"],
        share["unit_share"],
        share["crime_share"],
        curve,
    )
