"""Seasonal decomposition of a monthly count (STL, period 12, robust; csp_dash.analysis.stl).

Run only on 36 or more consecutive months: with fewer, the seasonal pattern rests on
too few repeats of each month to be told apart from noise. A series with a missing
month is not decomposed (STL cannot take gaps, and filling one would invent data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csp_dash.analysis.stl import stl
from csp_dash.analysis.trends import complete_months

MIN_MONTHS = 36
PERIOD = 12


@dataclass(frozen=True)
class SeasonalResult:
    """STL components on a complete monthly index (first of month)."""

    observed: pd.Series
    trend: pd.Series
    seasonal: pd.Series
    resid: pd.Series

    @property
    def seasonal_strength(self) -> float:
        """Hyndman's strength of seasonality, max(0, 1 - var(resid) / var(seasonal + resid))."""
        detrended = (self.seasonal + self.resid).to_numpy()
        denom = float(np.var(detrended, ddof=1))
        if denom == 0:
            return 0.0
        return max(0.0, 1.0 - float(np.var(self.resid.to_numpy(), ddof=1)) / denom)


def decompose_reason(monthly: pd.Series) -> str | None:
    """Why ``decompose`` would return None for this series, or None if it can run."""
    full = complete_months(monthly)
    gaps = full.index[full.isna()]
    if len(gaps):
        shown = ", ".join(m.strftime("%b %Y") for m in gaps[:6])
        more = f" and {len(gaps) - 6} more" if len(gaps) > 6 else ""
        return (
            f"Missing or blank months ({shown}{more}): seasonal decomposition needs "
            "a gap-free series."
        )
    if len(full) < MIN_MONTHS:
        return (
            f"Only {len(full)} months of data: seasonal decomposition needs at least "
            f"{MIN_MONTHS} consecutive months."
        )
    return None


def decompose(monthly: pd.Series) -> SeasonalResult | None:
    """STL trend, seasonal and residual components, or None (see ``decompose_reason``).

    ``monthly`` is indexed by month (dates or periods); it is reindexed to first-of-month
    dates. Our STL equals statsmodels' ``STL(series, period=12, robust=True).fit()`` with
    its defaults (docs/methods.md, "Seasonal decomposition"), without importing it.
    """
    if decompose_reason(monthly) is not None:
        return None
    full = complete_months(monthly)
    fit = stl(full.to_numpy(dtype=float), period=PERIOD, robust=True)
    idx = full.index
    name = monthly.name
    return SeasonalResult(
        observed=full,
        trend=pd.Series(fit.trend, index=idx, name=name),
        seasonal=pd.Series(fit.seasonal, index=idx, name=name),
        resid=pd.Series(fit.resid, index=idx, name=name),
    )
