"""The Overview's figures: the period against its comparison period, by theme and category.

Computed once per run and shared by the tiles, tables and headlines (docs/architecture.md,
"Where each figure comes from"). The period follows the shared filters: the ``length``
months ending at the period end, compared with ``analysis.periods.comparison_window``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from csp_dash.analysis.periods import Window, comparison_window, label, window
from csp_dash.analysis.trends import year_on_year
from csp_dash.vocab import ALL_CRIME, ASB, SELECTED_CRIME


@dataclass
class PeriodComparison:
    current: Window
    previous: Window
    previous_what: str  # "the same months a year earlier" or "the previous 24 months"
    categories: pd.DataFrame  # category, theme, current, previous, change, pct, z, significant, direction
    themes: pd.DataFrame  # theme, ... (ASB category stays inside its theme: totals add up)
    all_crime: pd.Series  # excludes ASB, the ONS convention
    asb: pd.Series
    crime_label: str  # ALL_CRIME, or SELECTED_CRIME when the filters pick some categories
    missing_months: list[date]

    @property
    def comparable(self) -> bool:
        """Both windows fully loaded: a change over a gap would be an artefact."""
        return not self.missing_months

    @property
    def current_label(self) -> str:
        return label(self.current)

    @property
    def previous_label(self) -> str:
        return label(self.previous)


def compare_periods(counts: pd.DataFrame, themes: pd.DataFrame, end: date,
                    loaded: Iterable[date], length: int = 12,
                    categories: Iterable[str] | None = None) -> PeriodComparison:
    """`counts` has month, category, count; `themes` maps category -> theme.

    `loaded` lists the months with data loaded anywhere (a quiet area can have a month with no
    rows that is still a real zero). `categories` restricts every figure to the filters' pick.
    """
    current = window(end, length)
    previous, what = comparison_window(current)
    loaded = list(loaded)
    picked = set(categories) if categories is not None else set(themes["category"])
    themes = themes[themes["category"].isin(picked)]
    counts = counts[counts["category"].isin(picked)]
    cats = year_on_year(counts, "category", current, previous, keys=themes["category"],
                        loaded=loaded)
    missing = cats.attrs["missing_months"]
    cats = cats.merge(themes[["category", "theme"]], on="category", how="left")
    cats["theme"] = cats["theme"].fillna("Unmapped")
    with_theme = counts.merge(themes[["category", "theme"]], on="category", how="left")
    with_theme["theme"] = with_theme["theme"].fillna("Unmapped")
    theme_yoy = year_on_year(with_theme, "theme", current, previous,
                             keys=themes["theme"].unique(), loaded=loaded)
    crime = counts[counts["category"] != ASB].assign(group=ALL_CRIME)
    asb = counts[counts["category"] == ASB].assign(group=ASB)
    totals = year_on_year(pd.concat([crime, asb]), "group", current, previous,
                          keys=[ALL_CRIME, ASB], loaded=loaded).set_index("group")
    for table in (cats, theme_yoy):
        table.attrs = {}  # dates in attrs would travel into Arrow metadata when drawn
    every = categories is None or picked >= set(themes["category"]) and len(themes) > 0
    crime_label = ALL_CRIME if every else SELECTED_CRIME
    return PeriodComparison(current, previous, what, cats, theme_yoy, totals.loc[ALL_CRIME],
                            totals.loc[ASB], crime_label, missing)


def window_label(win: Window) -> str:
    return label(win)
