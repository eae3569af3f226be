"""Crime concentration: how much crime the busiest cells or estates hold (the "power few").

The "law of crime concentration" (Weisburd 2015): a small share of places holds a large
share of crime. Units are ranked busiest first (ties keep their input order).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CURVE_COLUMNS = ["unit", "count", "share_of_units", "share_of_crime", "cumulative"]
# Shares are ratios of sums of counts; allow for float rounding when testing "at least".
_EPS = 1e-9


def _counts(counts) -> pd.Series:
    s = pd.Series(counts) if not isinstance(counts, pd.Series) else counts
    values = s.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise ValueError("counts must be non-negative numbers without gaps")
    return pd.Series(values, index=s.index)


def concentration_curve(counts) -> pd.DataFrame:
    """Units sorted busiest first, with their shares.

    share_of_units is the cumulative share of units (k / n) at each row, share_of_crime the
    unit's own share of all crime, and cumulative the running share of crime. All-zero
    input gives zero crime shares.
    """
    s = _counts(counts)
    ordered = s.sort_values(ascending=False, kind="stable")
    n = len(ordered)
    total = ordered.sum()
    share = ordered.to_numpy() / total if total > 0 else np.zeros(n)
    return pd.DataFrame(
        {
            "unit": ordered.index.to_numpy(),
            "count": ordered.to_numpy(),
            "share_of_units": np.arange(1, n + 1) / n if n else np.array([]),
            "share_of_crime": share,
            "cumulative": np.cumsum(share),
        }
    )


def share_for(counts, crime_share: float = 0.5) -> dict:
    """Smallest number of units holding at least ``crime_share`` of all crime.

    Returns dict(units=k, n_units, unit_share=k / n_units, crime_share=share those k
    actually hold). With no crime: units 0 and shares 0.
    """
    if not 0 < crime_share <= 1:
        raise ValueError("crime_share must be in (0, 1]")
    curve = concentration_curve(counts)
    n = len(curve)
    if n == 0 or curve["count"].sum() == 0:
        return {"units": 0, "n_units": n, "unit_share": 0.0, "crime_share": 0.0}
    reached = curve["cumulative"].to_numpy() >= crime_share - _EPS
    k = int(np.argmax(reached)) + 1
    return {
        "units": k,
        "n_units": n,
        "unit_share": k / n,
        "crime_share": float(curve["cumulative"].iloc[k - 1]),
    }


def _percent(x: float) -> str:
    """4.2%, 50%, <0.1%: one decimal place, trailing .0 dropped."""
    pct = 100 * x
    if 0 < pct < 0.05:
        return "<0.1%"
    text = f"{pct:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def concentration_headline(
    counts, label: str, unit_word: str = "cells", crime_share: float = 0.5
) -> str:
    """One sentence, e.g. '50% of violence occurred in 4.2% of cells (12 of 284).'"""
    result = share_for(counts, crime_share)
    if result["units"] == 0:
        return f"No {label} recorded."
    return (
        f"{_percent(crime_share)} of {label} occurred in {_percent(result['unit_share'])} "
        f"of {unit_word} ({result['units']:,} of {result['n_units']:,})."
    )
