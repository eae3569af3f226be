"""AppTest: the hotspot page on the demo renders, and layer, category and estate change what it
shows, to the figures an independent cube query gives."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from csp_dash.analysis.periods import window
from csp_dash.db.engine import make_engine
from csp_dash.db.queries import area_table, cube_counts
from csp_dash.hotspots.analysis import unit_word
from tests.apptest_helpers import metric, run_app

PAGE = "app_pages/hotspots.py"


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _expected(at, url: str, layer: str, categories=None, area=None) -> int:
    """Count for the page's period straight from the cube, over the layer's mapped areas."""
    end = at.sidebar.selectbox(key="f_end").value
    length = at.sidebar.selectbox(key="f_len").value
    first, last = window(end, length)
    eng = make_engine(url)
    codes = [area] if area else list(area_table(eng, layer)["code"])
    df = cube_counts(
        eng, layer=layer, by=("area",), areas_in=codes, categories=categories, start=first, end=last
    )
    eng.dispose()
    return int(df["count"].sum())


@pytest.fixture
def page(app_env):
    at = run_app(PAGE, layer="estate")
    return at, app_env


def test_page_renders_map_method_and_partners_only_marking(page):
    at, url = page
    assert at.title[0].value == "Estate hotspots"
    assert not at.exception
    shown = _number(metric(at, "Recorded in the estates"))
    assert shown == _expected(at, url, "estate")
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    # The prebuilt deck reaches the browser whole: its layers (24 estates) and its tooltip.
    spec, tip = json.loads(decks[0].proto.json), json.loads(decks[0].proto.tooltip)
    areas = spec["layers"][0]["data"]["features"]
    assert len(areas) == 24 and spec["initialViewState"]["zoom"] > 0
    assert tip == {"text": "{tip}"} and all(f["properties"]["tip"] for f in areas)
    captions = " ".join(c.value for c in at.caption)
    kb = re.search(r"Map data sent to the browser: ([\d,]+) KB for 24 estates", captions)
    assert kb and 0 < int(kb.group(1).replace(",", "")) < 500
    text = " ".join(m.value for m in at.markdown)
    assert (
        "Benjamini-Hochberg" in text and "Distance band" in text and "normal approximation" in text
    )
    assert any("synthetic demo data" in c.value for c in at.caption)
    assert not any("Not for public circulation" in w.value for w in at.warning)  # tab closed
    at.session_state["hs_tab"] = "Appendices"
    at.run()
    assert any("Not for public circulation" in w.value for w in at.warning)
    matrix = at.dataframe[0].value
    assert len(matrix) == 24 and int(matrix["Total"].sum()) == shown


def test_switching_layer_changes_the_units_and_figures(page):
    at, url = page
    estates = metric(at, "Recorded in the estates")
    at.sidebar.selectbox(key="f_layer").set_value("lsoa").run()
    assert not at.exception
    lsoas = _number(metric(at, "Recorded in the LSOAs"))
    assert lsoas == _expected(at, url, "lsoa")
    assert lsoas != _number(estates)
    assert any("Queen contiguity" in m.value for m in at.markdown)


def test_switching_category_changes_the_figures(page):
    at, url = page
    everything = _number(metric(at, "Recorded in the estates"))
    at.sidebar.multiselect(key="f_cats").set_value(["Burglary"]).run()
    assert not at.exception
    burglary = _number(metric(at, "Recorded in the estates"))
    assert burglary == _expected(at, url, "estate", ["Burglary"])
    assert 0 < burglary < everything
    assert any(m.value.startswith("**Burglary**") for m in at.markdown)
    # Burglary rates use households where the areas have them (docs/methods.md, "Rates").
    ranked = at.dataframe[0].value
    assert "Rate per 1,000 households" in ranked.columns


def test_switching_estate_changes_the_profile(page):
    at, url = page
    at.session_state["hs_tab"] = "Area profile"
    at.run()
    box = at.selectbox(key="hs_area")
    first = box.value
    first_label = next(m.label for m in at.metric if m.label.endswith(": recorded"))
    other = next(c for c in box.options if c != box.format_func(first))
    box.set_value(next(code for code in _codes(url) if box.format_func(code) == other)).run()
    assert not at.exception
    code = at.selectbox(key="hs_area").value
    assert code != first
    label = next(m.label for m in at.metric if m.label.endswith(": recorded"))
    assert label != first_label
    assert _number(metric(at, label)) == _expected(at, url, "estate", area=code)


def _codes(url: str) -> list[str]:
    eng = make_engine(url)
    codes = list(area_table(eng, "estate")["code"])
    eng.dispose()
    return codes


def test_cells_view_gi_and_class_colours_and_permutations(page):
    at, url = page
    at.segmented_control(key="hs_unit").set_value("cells").run()
    assert not at.exception
    cells = _number(metric(at, "Recorded in the cells"))
    end = at.sidebar.selectbox(key="f_end").value
    first, last = window(end, at.sidebar.selectbox(key="f_len").value)
    eng = make_engine(url)
    located = int(cube_counts(eng, layer="h3", by=(), start=first, end=last)["count"].sum())
    eng.dispose()
    # Every located record, less the few whose cell lies outside the district.
    assert 0.98 * located <= cells <= located
    assert any("H3 contiguity" in m.value for m in at.markdown)
    for colour in ("gi", "class", "change", "harm"):
        at.selectbox(key="hs_metric").set_value(colour).run()
        assert not at.exception
    at.radio(key="hs_p").set_value("permutation").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "999 conditional permutations" in text and "seed 12345" in text


def test_whole_area_layer_falls_back_to_estates_and_says_so(app_env):
    at = run_app(PAGE)
    at.sidebar.selectbox(key="f_layer").set_value("all").run()
    assert not at.exception
    assert any("showing estates" in i.value for i in at.info)
    assert isinstance(at.dataframe[0].value, pd.DataFrame)


def test_every_tab_renders_for_cells_and_areas(page):
    at, _ = page
    for unit in ("areas", "cells"):
        at.segmented_control(key="hs_unit").set_value(unit).run()
        for tab in ("Classes over time", "Concentration", "Area profile", "Appendices"):
            at.session_state["hs_tab"] = tab
            at.run()
            assert not at.exception, (unit, tab)
        assert any("Not for public circulation" in w.value for w in at.warning)


def test_the_first_hotspot_polygons_are_read_before_the_first_visit(app_env, monkeypatch):
    """After the first page, a background thread (ui/state.warm_imports) reads the default
    layer's polygons and counts and the district's outline; the first Hotspots run then finds
    them cached and reads no polygons and no layer counts itself."""
    from csp_dash.hotspots import areas as hotspot_areas
    from csp_dash.hotspots.layer_counts import HeldCounts
    from csp_dash.ui.hotspots import data as hotspot_data
    from csp_dash.ui.hotspots import map as hotspot_map
    from csp_dash.ui.hotspots.panels import mappable

    for cache in (hotspot_data.district_areas, hotspot_data.layer_geometry,
                  hotspot_map.district_boundary, hotspot_data.layer_counts):
        cache.clear()  # as on a fresh server (an earlier test may have drawn the page)
    reads: list[str] = []
    real = hotspot_areas.area_frame
    monkeypatch.setattr(hotspot_areas, "area_frame",
                        lambda eng, layer, **kw: reads.append(layer) or real(eng, layer, **kw))
    held: list[str] = []
    read_held = HeldCounts.read.__func__
    monkeypatch.setattr(HeldCounts, "read", classmethod(
        lambda cls, eng, layer, **kw: held.append(layer) or read_held(cls, eng, layer, **kw)))
    hotspot_map.warm(app_env)
    default = mappable(hotspot_data.map_layers(app_env))[0]
    assert set(reads) == {default, "lsoa"}  # the map's layer, and the LSOAs of the outline
    assert held == [default]
    at = run_app(PAGE)  # the first visit, on the default layer
    assert f"Recorded in the {unit_word(default)}" in [m.label for m in at.metric]
    assert held == [default], "the page read the layer's counts again"
    warmed = list(reads)
    codes, geometry, _ = hotspot_data.layer_geometry(app_env, default)
    assert hotspot_map.district_boundary(app_env) is not None
    assert reads == warmed, "the page read polygons again"
    assert len(codes) == len(geometry) > 0
