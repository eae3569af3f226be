"""AppTest page tests for the shell: every page renders, figures match the cube, filters bite."""

from __future__ import annotations

import pandas as pd
import pytest

from csp_dash.analysis.periods import window
from csp_dash.db.engine import make_engine
from csp_dash.db.queries import cube_counts, month_range
from csp_dash.vocab import ASB
from tests.apptest_helpers import metric, run_app


def expected_all_crime(url: str, layer: str = "all", area: str | None = None) -> int:
    eng = make_engine(url)
    last = month_range(eng)[1]
    cur = window(last, 12)
    df = cube_counts(eng, layer=layer, by=("category",), areas_in=[area] if area else None,
                     start=cur[0], end=cur[1])
    eng.dispose()
    return int(df.loc[df["category"] != ASB, "count"].sum())


def test_overview_shows_all_crime_for_the_latest_12_months(app_env):
    at = run_app()
    assert at.title[0].value == "Overview"
    shown = int(metric(at, "All crime (excluding anti-social behaviour)").replace(",", ""))
    assert shown == expected_all_crime(app_env)
    assert any("synthetic demo data" in c.value for c in at.caption)


def test_overview_area_filter_changes_the_figures(app_env):
    at = run_app()
    whole = metric(at, "All crime (excluding anti-social behaviour)")
    at.sidebar.selectbox(key="f_layer").set_value("estate").run()
    estate = at.sidebar.selectbox(key="f_area").options[1]
    at.sidebar.selectbox(key="f_area").select_index(1).run()
    assert not at.exception
    code = at.sidebar.selectbox(key="f_area").value
    shown = int(metric(at, "All crime (excluding anti-social behaviour)").replace(",", ""))
    assert shown == expected_all_crime(app_env, "estate", code)
    assert metric(at, "All crime (excluding anti-social behaviour)") != whole, estate
    assert at.query_params["layer"] == ["estate"] or at.query_params["layer"] == "estate"


def test_url_parameters_reopen_the_same_view(app_env):
    at = run_app(layer="estate", len="24")
    assert at.sidebar.selectbox(key="f_layer").value == "estate"
    assert at.sidebar.selectbox(key="f_len").value == 24


def test_theme_filter_limits_the_category_table(app_env):
    at = run_app()
    at.sidebar.multiselect(key="f_themes").set_value(["Violence"]).run()
    cats = at.dataframe[1].value
    assert set(cats["Category"]) == {"Violence and sexual offences", "Robbery", "Possession of weapons"}


def test_data_page_reports_rows_gaps_and_layers(app_env):
    at = run_app("app_pages/data.py")
    assert at.title[0].value == "Data"
    eng = make_engine(app_env)
    # Rows loaded: the district's, those over its border and those with no location.
    total = sum(int(cube_counts(eng, layer=layer, by=())["count"].sum())
                for layer in ("all", "_outside", "_no_location"))
    eng.dispose()
    assert int(metric(at, "Rows loaded").replace(",", "")) == total == 139_519
    assert any("no file for 2024-03" in w.value for w in at.warning)
    layers = next(d.value for d in at.dataframe if "Layer" in d.value.columns)
    assert {"LSOA", "Estate", "Ward", "District"} <= set(layers["Layer"])  # by name
    assert layers["Residents"].dropna().map(lambda v: float(v).is_integer()).all()


@pytest.mark.parametrize("layer", ["lsoa", "ward", "estate", "district"])
def test_overview_renders_for_each_layer(app_env, layer):
    at = run_app(layer=layer)
    assert at.sidebar.selectbox(key="f_layer").value == layer
    assert isinstance(at.dataframe[0].value, pd.DataFrame)


def test_filters_survive_a_page_switch(app_env):
    at = run_app()
    at.sidebar.selectbox(key="f_len").set_value(24).run()
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="f_len").value == 24
