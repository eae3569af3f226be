"""Classify cells by how their Gi* significance changes across periods (sfhotspot rules).

Followed: R package sfhotspot (Matt Ashby), ``R/hotspot_classify.R`` at commit c36b28a7 and
``R/hotspot_classify_params.R`` (defaults ``hotspot_prop = 0.1, persistent_prop = 0.8,
recent_prop = 0.2, critical_p = 0.05``). With ``n`` periods, oldest first:

- recent periods = the last ``floor(recent_prop * n)``, at least 1; the rest are older;
  there must be at least one older period;
- shares are of all / recent / older periods in which the cell was significantly hot
  (separately, cold);
- persistent: share of all >= persistent_prop;
- emerging: older share < hotspot_prop and recent share >= recent_prop (the code compares
  with recent_prop, not hotspot_prop as its help page says; docs/methods.md uses 20% too);
- former: older share >= hotspot_prop and recent share < hotspot_prop;
- intermittent: share of all >= hotspot_prop;
- tested in that order; a cell with both a hot and a cold class is "mixed hot/coldspot";
  otherwise "no pattern". Missing values count as not significant (``na.rm = TRUE``).

One deliberate difference: sfhotspot's R code selects the recent columns as
``(n - k):n``, i.e. k + 1 periods (the last older period is counted in both windows) while
dividing by k. We use the documented windows (last k periods recent, the rest older);
``sfhotspot_window=True`` reproduces the R arithmetic exactly. sfhotspot warns when k
rounds down to 0 and uses 1; we use 1 silently.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

#: sfhotspot ``hotspot_classify_params()`` defaults.
HOTSPOT_PROP = 0.1
PERSISTENT_PROP = 0.8
RECENT_PROP = 0.2
CRITICAL_P = 0.05

NO_PATTERN = "no pattern"
MIXED = "mixed hot/coldspot"
_KINDS = ("persistent", "emerging", "former", "intermittent")
#: Every class, in legend order.
CLASSES: tuple[str, ...] = (
    *(f"{k} hotspot" for k in _KINDS),
    *(f"{k} coldspot" for k in _KINDS),
    MIXED,
    NO_PATTERN,
)


def period_signal(gi: pd.DataFrame, critical_p: float = CRITICAL_P) -> pd.Series:
    """+1 / -1 / 0 for one period's ``gi_star`` result: significant hot, cold, or neither.

    Uses the FDR-adjusted ``p_fdr <= critical_p`` (the same rule as gi_star's bands).
    """
    sig = (gi["p_fdr"] <= critical_p).fillna(False) & gi["gi_z"].notna()
    return pd.Series(np.where(sig, np.sign(gi["gi_z"].fillna(0.0)), 0).astype(int), index=gi.index)


def _category(persistent, emerging, former, intermittent, word: str) -> np.ndarray:
    return np.select(
        [persistent, emerging, former, intermittent],
        [f"{k} {word}" for k in _KINDS],
        default=NO_PATTERN,
    )


def classify_hotspots(
    sig: pd.DataFrame,
    *,
    hotspot_prop: float = HOTSPOT_PROP,
    persistent_prop: float = PERSISTENT_PROP,
    recent_prop: float = RECENT_PROP,
    sfhotspot_window: bool = False,
) -> pd.Series:
    """Class per cell from a cells x periods frame of +1 (hot), -1 (cold), 0; columns oldest
    to newest. Returns a Series of class names (see ``CLASSES``) on ``sig.index``."""
    for name, value in (
        ("hotspot_prop", hotspot_prop),
        ("persistent_prop", persistent_prop),
        ("recent_prop", recent_prop),
    ):
        if not 0 < value < 1:
            raise ValueError(f"{name} must be between 0 and 1")
    values = sig.to_numpy(dtype=float)
    bad = ~np.isnan(values) & ~np.isin(values, (-1.0, 0.0, 1.0))
    if bad.any():
        raise ValueError("significance values must be +1, -1 or 0")
    n = values.shape[1]
    recent = max(math.floor(recent_prop * n), 1)
    if n - recent < 1:
        raise ValueError("need at least one recent and one older period (two or more periods)")

    labels = {}
    for word, flag in (("hotspot", 1.0), ("coldspot", -1.0)):
        hit = values == flag  # NaN compares False: not significant
        share_all = hit.sum(axis=1) / n
        if sfhotspot_window:  # R: ch[, (n - k):n] / k and ch[, 1:(n - k)] / (n - k)
            share_recent = hit[:, n - recent - 1 :].sum(axis=1) / recent
        else:
            share_recent = hit[:, n - recent :].sum(axis=1) / recent
        share_older = hit[:, : n - recent].sum(axis=1) / (n - recent)
        labels[word] = _category(
            share_all >= persistent_prop,
            (share_older < hotspot_prop) & (share_recent >= recent_prop),
            (share_older >= hotspot_prop) & (share_recent < hotspot_prop),
            share_all >= hotspot_prop,
            word,
        )
    hot, cold = labels["hotspot"], labels["coldspot"]
    both = (hot != NO_PATTERN) & (cold != NO_PATTERN)
    result = np.where(both, MIXED, np.where(hot != NO_PATTERN, hot, cold))
    return pd.Series(result, index=sig.index, name="hotspot_class")


def class_counts(classes: pd.Series) -> pd.DataFrame:
    """Cells per class, every class listed in legend order: columns class, cells, share."""
    counts = pd.Series(classes).value_counts()
    unknown = set(counts.index) - set(CLASSES)
    if unknown:
        raise ValueError(f"unknown classes: {sorted(unknown)}")
    cells = [int(counts.get(c, 0)) for c in CLASSES]
    total = sum(cells)
    share = [c / total if total else 0.0 for c in cells]
    return pd.DataFrame({"class": list(CLASSES), "cells": cells, "share": share})
