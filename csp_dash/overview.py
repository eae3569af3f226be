"""The Overview's figures: the latest 12 months against the previous 12, by theme and category."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from csp_dash.analysis.trends import Window, latest_windows, year_on_year
from csp_dash.themes import ASB

ALL_CRIME = "All crime (excluding anti-social behaviour)"


@dataclass
class PeriodComparison:
    current: Window
    previous: Window
    categories: pd.DataFrame  # category, theme, current, previous, change, pct, z, significant, direction
    themes: pd.DataFrame  # theme, ... (ASB category stays inside its theme: totals add up)
    all_crime: pd.Series  # excludes ASB, the ONS convention
    asb: pd.Series
    missing_months: list[date]

    @property
    def comparable(self) -> bool:
        """Both 12-month windows fully loaded: a change over a gap would be an artefact."""
        return not self.missing_months


def compare_periods(counts: pd.DataFrame, themes: pd.DataFrame, last_month: date,
                    loaded: Iterable[date] | None = None) -> PeriodComparison:
    """`counts` has month, category, count; `themes` maps category -> theme.

    `loaded` lists the months with data loaded anywhere (a quiet area can have a month with no
    rows that is still a real zero); without it, a month absent from `counts` counts as a gap.
    """
    current, previous = latest_windows(last_month)
    cats = year_on_year(counts, "category", current, previous, keys=themes["category"])
    cats = cats.merge(themes[["category", "theme"]], on="category", how="left")
    cats["theme"] = cats["theme"].fillna("Unmapped")
    with_theme = counts.merge(themes[["category", "theme"]], on="category", how="left")
    with_theme["theme"] = with_theme["theme"].fillna("Unmapped")
    theme_yoy = year_on_year(with_theme, "theme", current, previous, keys=themes["theme"].unique())
    crime = counts[counts["category"] != ASB].assign(group=ALL_CRIME)
    asb = counts[counts["category"] == ASB].assign(group=ASB)
    totals = year_on_year(pd.concat([crime, asb]), "group", current, previous, keys=[ALL_CRIME, ASB])
    totals = totals.set_index("group")
    missing = cats.attrs.get("missing_months", [])
    if loaded is not None:
        have = {pd.Timestamp(m).to_period("M") for m in loaded}
        wanted = pd.period_range(previous[0], current[1], freq="M")
        missing = [p.to_timestamp().date() for p in wanted if p not in have]
    for table in (cats, theme_yoy):
        table.attrs = {}  # dates in attrs would travel into Arrow metadata when drawn
    return PeriodComparison(current, previous, cats, theme_yoy, totals.loc[ALL_CRIME],
                            totals.loc[ASB], missing)


def window_label(window: Window) -> str:
    return f"{window[0]:%b %Y} to {window[1]:%b %Y}"
