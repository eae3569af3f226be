"""The Data page's coverage grid as downloaded: counts as numbers, a gap empty (never 0) and
named, years outside a force's span left out."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csp_dash.export import to_csv_bytes
from csp_dash.ui.data.coverage import GAPS, coverage_counts, coverage_table
from tests.export_capture import frame_of_csv


def _grid() -> pd.DataFrame:
    months = pd.to_datetime(["2018-11-01", "2018-12-01", "2019-01-01", "2019-02-01"])
    return pd.DataFrame({"essex": [2, np.nan, 4, 1234], "kent": [np.nan, 5, np.nan, np.nan]},
                        index=months)


def test_coverage_download_holds_numbers_and_names_the_gaps():
    out = coverage_counts(_grid())
    assert list(out[["Force", "Year"]].itertuples(index=False, name=None)) == [
        ("essex", 2018), ("essex", 2019), ("kent", 2018)]
    essex = out.set_index(["Force", "Year"])
    assert essex.loc[("essex", 2018), "Nov"] == 2 and pd.isna(essex.loc[("essex", 2018), "Dec"])
    assert essex.loc[("essex", 2019), "Feb"] == 1234
    assert essex.loc[("essex", 2018), GAPS] == "Dec"
    assert essex.loc[("kent", 2018), GAPS] == ""  # one month loaded: no gap inside its span
    assert essex.loc[("kent", 2018), "Dec"] == 5
    # The screen's MISSING cells are exactly the named gaps.
    screen = coverage_table(_grid())
    assert screen.loc[("essex", 2018), "Dec"] == "MISSING"
    csv = frame_of_csv(to_csv_bytes(out))
    assert csv.loc[0, "Dec"] == "" and csv.loc[1, "Feb"] == "1234"
