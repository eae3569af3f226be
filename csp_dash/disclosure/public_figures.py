"""What the public view may show beyond the release table: window sums, shares, repeat rates.

Pure decisions (no Streamlit, no database), so the page, the CLI and documents apply the same
rules and tests check them directly. Counts come from the protected release
(``disclosure.published``) and are sums of visible cells only; a figure from another dimension (DA violence, repeat victims) is
hidden when it, or its complement, is small (docs/methods.md, "Disclosure control").
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from csp_dash.analysis.periods import Window
from csp_dash.disclosure.release import is_small


def in_window(s: pd.Series, w: Window) -> pd.Series:
    if s.index.is_monotonic_increasing:  # months in order: a slice, cheap for many windows
        return s.loc[pd.Timestamp(w[0]):pd.Timestamp(w[1])]
    return s[(s.index >= pd.Timestamp(w[0])) & (s.index <= pd.Timestamp(w[1]))]


def public_window_sums(shown: pd.Series, windows: Sequence[Window]) -> list[int | None]:
    """Window totals the public may see: the sum of visible months, None if any is hidden.

    Never a sum over a hidden month, even when one window alone looks safe: the page offers
    every period end, so two windows a month apart would isolate that month (issue 11)."""
    out: list[int | None] = []
    for w in windows:
        part = in_window(shown, w)
        out.append(None if part.isna().any() else int(part.sum()))
    return out


def share_hidden(series: pd.Series, share: dict, limit: int) -> bool:
    """A share of violence hides its numerator unless both it and its complement are big enough.

    ``share`` is ``domestic_abuse.baseline.share_of_violence`` output; ``series`` the DA records
    per month."""
    total = int(series.reindex([pd.Timestamp(m) for m in share["months_in"]]).fillna(0).sum())
    return is_small(share["da_violence"], limit) or is_small(total - share["da_violence"], limit)


def share_months_hidden(series: pd.Series, da_violence: pd.Series, limit: int,
                        shown: pd.Series | None = None) -> pd.Series:
    """Per month: whether the public may not see that month's share of violence: the DA
    violence or the rest is small, or the month's DA count is hidden in the release."""
    small = da_violence.map(lambda v: is_small(v, limit))
    hidden = small | (series - da_violence).map(lambda v: is_small(v, limit))
    if shown is not None:
        hidden |= shown.reindex(hidden.index).isna()
    return hidden


def share_window_hidden(months_hidden: pd.Series, w: Window) -> bool:
    """A window's share is shown only if every month of it is: else two period ends apart
    would give a hidden month's DA violence."""
    return bool(in_window(months_hidden, w).any())


def repeat_hidden(r: dict, limit: int) -> bool:
    """A repeat rate is hidden when victims, repeat victims or the rest are small."""
    return any(is_small(v, limit)
               for v in (r["victims"], r["repeat_victims"], r["victims"] - r["repeat_victims"]))
