"""AppTest: the domestic abuse page in the public and the analyst view, on the demo."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from csp_dash.db.engine import make_engine
from csp_dash.db.queries import cube_counts
from tests.apptest_helpers import metric, run_app

PAGE = "app_pages/domestic_abuse.py"
ANALYST = "Analyst (restricted)"
WHOLE = re.compile(r"^\d[\d,]*$")


@pytest.fixture
def page_env(app_env, monkeypatch):
    monkeypatch.setenv("CSP_DASH_DISCLOSURE_THRESHOLD", "5")
    monkeypatch.delenv("CSP_DASH_DISCLOSURE_LABEL", raising=False)
    return app_env


def _page(**widgets):
    at = run_app(PAGE)
    at.sidebar.selectbox(key="f_len").set_value(12).run()
    for key, value in widgets.items():
        at.sidebar.selectbox(key=key).set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _chart_frames(at) -> list[pd.DataFrame]:
    out = []
    for chart in at.get("vega_lite_chart"):
        for ds in chart.proto.datasets:
            out.append(pa.ipc.open_stream(ds.data.data).read_all().to_pandas())
        json.loads(chart.proto.spec)  # a valid spec
    return out


def _shown_counts(at) -> list[int]:
    """Every whole number the page shows: tiles, table cells, charted counts."""
    found = [int(m.value.replace(",", "")) for m in at.metric if WHOLE.match(m.value)]
    for df in (d.value for d in at.dataframe):
        for col in df.columns:
            if pd.api.types.is_integer_dtype(df[col]):
                found += [int(v) for v in df[col]]
                continue
            for v in df[col]:
                if isinstance(v, str) and WHOLE.match(v):
                    found.append(int(v.replace(",", "")))
                elif col == "value" and pd.notna(v):
                    found.append(int(v))
    for frame in _chart_frames(at):
        if "value" in frame:
            found += [int(v) for v in frame["value"].dropna()]
    return found


def _estate_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Estate" in d.value.columns)


def test_public_view_shows_no_count_below_the_threshold(page_env):
    at = _page()
    assert at.title[0].value == "Domestic abuse"
    assert at.segmented_control(key="da_view").value == "Public / presentation"
    assert any("Public view" in i.value for i in at.info)
    counts = _shown_counts(at)
    assert len(counts) > 50
    assert not [c for c in counts if 0 < c < 5]
    estates = _estate_table(at)
    assert (estates == "<5 or suppressed").to_numpy().sum() > 10  # hidden, never 0
    assert not any("RESTRICTED" in e.value for e in at.error)


def test_public_view_of_a_small_estate_withholds_its_chart(page_env):
    at = _page(f_layer="estate")
    at.sidebar.selectbox(key="f_area").select_index(1).run()
    assert not at.exception
    assert any("The chart is withheld in the public view" in w.value for w in at.warning)
    assert not [c for c in _shown_counts(at) if 0 < c < 5]


def test_public_view_refuses_other_layers(page_env):
    at = _page(f_layer="ward")
    assert any("published for the whole area and for estates only" in w.value for w in at.warning)
    assert not at.get("vega_lite_chart")


def test_analyst_view_shows_true_counts_marked_restricted(page_env):
    at = _page()
    at.segmented_control(key="da_view").set_value(ANALYST).run()
    assert not at.exception
    assert any("RESTRICTED" in e.value for e in at.error)
    end = at.sidebar.selectbox(key="f_end").value
    eng = make_engine(page_env)
    start = (pd.Timestamp(end) - pd.DateOffset(months=11)).date()
    want = cube_counts(eng, by=(), source="police_da/domestic", start=start, end=end)["count"]
    eng.dispose()
    shown = metric(at, f"DA records, {start:%b %Y} to {end:%b %Y}")
    assert int(shown.replace(",", "")) == int(want.iloc[0])
    estates = _estate_table(at)
    small = [c for c in _shown_counts(at) if 0 < c < 5]
    assert small  # the same figures the public view hides
    assert not (estates == "<5 or suppressed").to_numpy().any()
    assert any(e.label == "Declare the baseline and recording changes" for e in at.expander)


def test_year_on_year_is_withheld_across_the_declared_change(page_env):
    at = _page(f_end=date(2025, 3, 1))
    reasons = [c.value for c in at.caption if "Year-on-year change withheld" in c.value]
    assert reasons and "recording change of Apr 2024" in reasons[0]
    at.sidebar.selectbox(key="f_end").set_value(date(2026, 9, 1)).run()
    assert not [c for c in at.caption if "Year-on-year change withheld" in c.value]
    tile = next(m for m in at.metric if m.label.startswith("DA records"))
    assert tile.delta and tile.delta.endswith("significant")


def test_the_threshold_is_configurable(page_env, monkeypatch):
    monkeypatch.setenv("CSP_DASH_DISCLOSURE_THRESHOLD", "10")
    at = _page()
    assert not [c for c in _shown_counts(at) if 0 < c < 10]
    assert (_estate_table(at) == "<10 or suppressed").to_numpy().any()
