"""Every table on every page is drawn here: Streamlit's own toolbar ("Download as CSV")
exports the cells as drawn, and it cannot be turned off, so the drawn frame is the
neutralised one (csp_dash.export.display_safe): a cell a spreadsheet would run as a formula
starts with a quote. Text is never Markdown here: dataframe cells are plain text.
tests/test_tables.py checks that no page calls st.dataframe directly.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from csp_dash.export import display_safe


def _safe_labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_levels([_safe_labels(lv) for lv in index.levels])
    if pd.api.types.is_object_dtype(index) or pd.api.types.is_string_dtype(index):
        return pd.Index([display_safe(v) for v in index], name=display_safe(index.name))
    return index


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells, column names and index labels cannot run in a spreadsheet."""
    out = df.copy(deep=False)
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            out[col] = s.map(display_safe)
        elif isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype(object).map(display_safe)
    out.columns = _safe_labels(out.columns)
    out.index = _safe_labels(out.index)
    return out


#: What a missing value shows as (Streamlit's own is "None"): a dash; where a comparison is
#: withheld the significance column says why (docs/methods.md, "Exported numbers").
MISSING = "–"


def dataframe(data: Any, **kwargs):
    """st.dataframe with the neutralised frame (a Styler keeps its styles); a missing value
    shows as a dash, never "None"."""
    kwargs.setdefault("placeholder", MISSING)
    if isinstance(data, Styler):
        data.data = safe_frame(data.data)  # the caller's own Styler, built for this call
        return st.dataframe(data, **kwargs)
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        data = safe_frame(data)
    return st.dataframe(data, **kwargs)
