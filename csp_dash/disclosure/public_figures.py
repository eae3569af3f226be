"""What the public view may show beyond the release table: window sums, shares, repeat rates.

Pure decisions (no Streamlit, no database), so the page, the CLI and documents apply the same
rules and tests check them directly. Counts come from the protected release
(``disclosure.release``); a figure from another dimension (DA violence, repeat victims) is
hidden when it, or its complement, is small (docs/methods.md, "Disclosure control").
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from csp_dash.analysis.periods import Window
from csp_dash.disclosure.release import extra_sums_safe, is_small
from csp_dash.disclosure.suppression import SuppressedTable


def in_window(s: pd.Series, w: Window) -> pd.Series:
    return s[(s.index >= pd.Timestamp(w[0])) & (s.index <= pd.Timestamp(w[1]))]


def public_window_sums(series: pd.Series, shown: pd.Series, released: SuppressedTable,
                       area_row: str | None, windows: Sequence[Window]) -> list[int | None]:
    """Window totals the public may see (None where not). Sums of visible months add nothing;
    a sum over hidden months is shown only if, with the sums already shown, no hidden cell of
    the release could then be worked out (checked jointly)."""
    accepted: list[tuple[str, list]] = []
    out: list[int | None] = []
    for w in windows:
        part = in_window(shown, w)
        if not part.isna().any():
            out.append(int(part.sum()))
            continue
        trial = [*accepted, (area_row, list(part.index))]
        if area_row and extra_sums_safe(released, trial):
            accepted = trial
            out.append(int(in_window(series, w).sum()))
        else:
            out.append(None)
    return out


def share_hidden(series: pd.Series, share: dict, limit: int) -> bool:
    """A share of violence hides its numerator unless both it and its complement are big enough.

    ``share`` is ``domestic_abuse.baseline.share_of_violence`` output; ``series`` the DA records
    per month."""
    total = int(series.reindex([pd.Timestamp(m) for m in share["months_in"]]).fillna(0).sum())
    return is_small(share["da_violence"], limit) or is_small(total - share["da_violence"], limit)


def share_months_hidden(series: pd.Series, da_violence: pd.Series, limit: int) -> pd.Series:
    """Per month: whether the public may not see that month's share of violence."""
    small = da_violence.map(lambda v: is_small(v, limit))
    return small | (series - da_violence).map(lambda v: is_small(v, limit))


def repeat_hidden(r: dict, limit: int) -> bool:
    """A repeat rate is hidden when victims, repeat victims or the rest are small."""
    return any(is_small(v, limit)
               for v in (r["victims"], r["repeat_victims"], r["victims"] - r["repeat_victims"]))
