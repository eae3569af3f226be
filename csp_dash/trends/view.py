"""The trends page's figures: monthly series by measure, year-on-year tables, SPC inputs, harm.

Pure functions over the cube's ``month, category, count`` rows. A month with no data loaded
at all is a gap (NaN) and stays one; a loaded month where the selection has no rows is zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from csp_dash.analysis.trends import Window, rate_per_1000, year_on_year
from csp_dash.analysis.trends import rate_base as trend_rate_base
from csp_dash.events import REBASING_KINDS
from csp_dash.trends.queries import DEFAULT_IMPROVEMENT, Population

MEASURES = {"count": "Count", "rate": "Rate per 1,000", "harm": "Harm-weighted"}
TOTAL = "Selected categories"


def month_index(first: date, last: date) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="MS", name="month")


def monthly_by_category(
    counts: pd.DataFrame, categories: Sequence[str], loaded: Iterable[date], first: date, last: date
) -> pd.DataFrame:
    """Months ``first``..``last`` x categories; 0 where loaded but absent, NaN where not loaded."""
    idx = month_index(first, last)
    picked = counts[counts["category"].isin(list(categories))]
    wide = picked.pivot_table(index="month", columns="category", values="count", aggfunc="sum")
    wide = wide.reindex(index=idx, columns=list(categories)).fillna(0.0)
    have = pd.DatetimeIndex(pd.to_datetime(list(loaded)))
    wide.loc[~wide.index.isin(have), :] = np.nan
    return wide.astype(float)


def rate_base(categories: Sequence[str], population: Population) -> tuple[float | None, str]:
    """The denominator for a rate and its label (``analysis.trends.rate_base``'s rule)."""
    base, label = trend_rate_base(categories, population.residents, population.households)
    return (base, label) if base is not None else (None, population.note)


def measure_series(
    wide: pd.DataFrame, measure: str, population: Population, weights: pd.Series | None = None
) -> tuple[pd.Series, str]:
    """The monthly value of the selection for a measure, and the axis label.

    Raises ValueError where the measure cannot be given (no population for a rate).
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(MEASURES)}")
    counts = wide.sum(axis=1, min_count=1)
    if measure == "count":
        return counts.rename("value"), "Count"
    if measure == "rate":
        base, label = rate_base(list(wide.columns), population)
        if base is None:
            raise ValueError(label)
        return rate_per_1000(counts, pd.Series(base, index=counts.index)).rename(
            "value"
        ), f"Rate {label}"
    if weights is None:
        raise ValueError("harm-weighted figures need weights")
    w = weights.reindex(wide.columns).fillna(0.0)
    return wide.mul(w, axis=1).sum(axis=1, min_count=1).rename("value"), "Harm-weighted total"


def trend_frame(series: pd.Series, first: date) -> pd.DataFrame:
    """Month, value and rolling 12-month total from ``first`` on (earlier months feed the roll)."""
    rolled = series.rolling(12, min_periods=12).sum()
    out = pd.DataFrame(
        {"month": series.index, "value": series.to_numpy(), "rolling_12": rolled.to_numpy()}
    )
    return out[out["month"] >= pd.Timestamp(first)].reset_index(drop=True)


def yoy_table(
    counts: pd.DataFrame,
    themes: pd.DataFrame,
    categories: Sequence[str],
    current: Window,
    previous: Window,
    population: Population,
    loaded: Iterable[date] | None = None,
) -> pd.DataFrame:
    """Year-on-year rows for each selected category, each theme touched, and their total.

    Columns: level, name, theme, current, previous, change, pct, z, significant, direction,
    rate_current, rate_previous, rate_base. ``attrs["missing_months"]`` lists gaps in
    ``loaded`` (the months with data), across which no change is claimed.
    """
    loaded = list(loaded) if loaded is not None else None
    cats = list(categories)
    theme_of = themes.set_index("category")["theme"]
    picked = counts[counts["category"].isin(cats)]
    by_cat = year_on_year(picked, "category", current, previous, keys=cats, loaded=loaded)
    missing = by_cat.attrs["missing_months"]
    by_cat["theme"] = by_cat["category"].map(theme_of).fillna("Unmapped")
    by_cat = by_cat.rename(columns={"category": "name"}).assign(level="Category")
    order = {c: i for i, c in enumerate(themes["category"])}
    by_cat = by_cat.sort_values("name", key=lambda s: s.map(order).fillna(len(order)))
    with_theme = picked.assign(theme=picked["category"].map(theme_of).fillna("Unmapped"))
    theme_names = list(dict.fromkeys(by_cat["theme"]))
    by_theme = year_on_year(with_theme, "theme", current, previous, keys=theme_names,
                            loaded=loaded)
    by_theme = by_theme.rename(columns={"theme": "name"}).assign(level="Theme")
    by_theme["theme"] = by_theme["name"]
    by_theme = by_theme.set_index("name").loc[theme_names].reset_index()
    total = year_on_year(picked.assign(group=TOTAL), "group", current, previous, keys=[TOTAL],
                         loaded=loaded)
    total = total.rename(columns={"group": "name"}).assign(level="Total", theme="")
    out = pd.concat([by_cat, by_theme, total], ignore_index=True)
    covers = {("Total", TOTAL): cats}
    covers |= {
        ("Theme", t): [c for c in cats if theme_of.get(c, "Unmapped") == t] for t in theme_names
    }
    bases = [
        rate_base(covers.get((lvl, name), [name]), population)
        for lvl, name in zip(out["level"], out["name"], strict=True)
    ]
    base = pd.Series([b if b is not None else np.nan for b, _ in bases], index=out.index)
    out["rate_base"] = [label if b is not None else "" for b, label in bases]
    out["rate_current"] = rate_per_1000(out["current"], base)
    out["rate_previous"] = rate_per_1000(out["previous"], base)
    out.attrs["missing_months"] = missing
    return out[
        [
            "level",
            "name",
            "theme",
            "current",
            "previous",
            "change",
            "pct",
            "z",
            "significant",
            "direction",
            "rate_current",
            "rate_previous",
            "rate_base",
        ]
    ]


def year_end_options(loaded: Sequence[date]) -> list[date]:
    """Year-ending months with 24 months of data span behind them, newest first."""
    if not loaded:
        return []
    first = pd.Timestamp(min(loaded))
    months = month_index(min(loaded), max(loaded))
    return [m.date() for m in months[::-1] if m - pd.DateOffset(months=23) >= first]


def default_year_end(options: Sequence[date]) -> date | None:
    """The latest financial year end (March) among the options, else the newest option."""
    march = [m for m in options if m.month == 3]
    return march[0] if march else (options[0] if options else None)


def improvement_for(
    categories: Sequence[str], themes: pd.DataFrame, stored: dict[str, str]
) -> tuple[str, str]:
    """The SPC improvement direction for a selection, and a note saying where it came from."""
    theme_of = themes.set_index("category")["theme"]
    names = sorted({theme_of.get(c, "Unmapped") for c in categories})
    found = {stored.get(t, DEFAULT_IMPROVEMENT) for t in names}
    if len(found) == 1:
        way = found.pop()
        word = {"down": "lower is better", "up": "higher is better", "neutral": "no direction"}
        return way, f"Improvement direction for {', '.join(names)}: {word[way]}."
    return "neutral", (
        "The selected themes improve in different directions, so special-cause "
        "points are coloured neutral. Pick categories from one theme to colour them."
    )


def rebase_months(events: pd.DataFrame, index: pd.DatetimeIndex) -> list[pd.Timestamp]:
    """Months of declared rebasing events that fall after the first point of the series."""
    if events.empty or len(index) < 2:
        return []
    picked = events[events["kind"].isin(REBASING_KINDS)]
    months = pd.to_datetime(picked["month"])
    inside = months[(months > index[0]) & (months <= index[-1])]
    return sorted(set(inside))


def fill_gaps(series: pd.Series) -> tuple[pd.Series, list[pd.Timestamp]]:
    """Linear interpolation of interior missing months (for decomposition only, on request)."""
    gaps = list(series.index[series.isna()])
    filled = series.interpolate(method="linear", limit_area="inside")
    return filled, [m for m in gaps if pd.notna(filled.get(m))]


def harm_ranking(
    counts: pd.DataFrame, weights: pd.Series, window: Window, categories: Sequence[str]
) -> pd.DataFrame:
    """Count and harm ranking of categories over a window, side by side.

    Columns: category, count, count_share (%), count_rank, weight, harm, harm_share (%),
    harm_rank and movement (count rank minus harm rank: positive climbs on harm).
    """
    first, last = (pd.Timestamp(d) for d in window)
    inside = counts[
        (counts["month"] >= first)
        & (counts["month"] <= last)
        & counts["category"].isin(list(categories))
    ]
    total = inside.groupby("category")["count"].sum().reindex(list(categories)).fillna(0)
    w = weights.reindex(total.index).fillna(0.0)
    harm = total * w
    out = pd.DataFrame(
        {
            "category": total.index,
            "count": total.to_numpy().astype("int64"),
            "weight": w.to_numpy(),
            "harm": harm.to_numpy(),
        }
    )
    out["count_share"] = _share(out["count"])
    out["harm_share"] = _share(out["harm"])
    out["count_rank"] = out["count"].rank(ascending=False, method="min").astype(int)
    out["harm_rank"] = out["harm"].rank(ascending=False, method="min").astype(int)
    out["movement"] = out["count_rank"] - out["harm_rank"]
    return out.sort_values(["harm_rank", "category"]).reset_index(drop=True)[
        [
            "category",
            "count",
            "count_share",
            "count_rank",
            "weight",
            "harm",
            "harm_share",
            "harm_rank",
            "movement",
        ]
    ]


def _share(values: pd.Series) -> pd.Series:
    total = float(values.sum())
    return values / total * 100.0 if total > 0 else values * np.nan
