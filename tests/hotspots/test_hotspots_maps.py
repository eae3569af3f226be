"""Map builders: colours, tooltips, a bounded payload, and no token or network by default."""

from __future__ import annotations

import json
from urllib.parse import unquote

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import pytest
from shapely.geometry import Point

from csp_dash.ui import maps


def _table(n: int = 6) -> pd.DataFrame:
    counts = np.arange(n) * 10
    return pd.DataFrame(
        {
            "name": [f"Estate {i}" for i in range(n)],
            "count": counts,
            "rank_count": pd.array(np.arange(n, 0, -1), dtype="Int64"),
            "rate": counts / 2.0,
            "rank_rate": pd.array(np.arange(n, 0, -1), dtype="Int64"),
            "harm": counts * 3.0,
            "rank_harm": pd.array(np.arange(n, 0, -1), dtype="Int64"),
            "change": np.arange(n) - 2,
            "pct": [np.nan, -50.0, 0.0, 10.0, 20.0, 30.0][:n],
            "direction": ["no significant change"] * n,
            "z": np.array([-3.0, -1.0, 0.0, 1.0, 2.5, 0.5])[:n],
            "gi_z": np.linspace(-2, 3, n),
            "significance": ["cold 95%", "not significant", "not significant",
                             "not significant", "hot 95%", "hot 99%"][:n],
            "class": ["no pattern"] * (n - 1) + ["persistent hotspot"],
        },
        index=pd.Index([f"E{i}" for i in range(n)], name="code"),
    )  # fmt: skip


def test_sequential_colours_rise_with_the_value_and_missing_is_grey():
    values = pd.Series([1.0, 2.0, 3.0, 50.0, 100.0, np.nan])
    c = maps.sequential(values, "Count")
    palette = [tuple(f[:3]) for f in c.fill[:5]]
    order = [maps.SEQUENTIAL.index(p) for p in palette]
    assert order == sorted(order) and order[0] == 0 and order[-1] == len(maps.SEQUENTIAL) - 1
    assert c.fill[5] == maps.NO_DATA
    assert c.legend[-1][0] == "no figure"


def test_categorical_colours_for_gi_change_and_classes():
    t = _table()
    gi = maps.colouring(t, "gi")
    assert tuple(gi.fill[5][:3]) == maps.GI_COLOURS["hot 99%"]
    assert tuple(gi.fill[0][:3]) == maps.GI_COLOURS["cold 95%"]
    change = maps.change_classes(t["z"])
    assert list(change) == [
        "significant decrease (z < -2)", "decrease, not significant", "no change",
        "increase, not significant", "significant increase (z > 2)", "increase, not significant",
    ]  # fmt: skip
    cls = maps.colouring(t, "class")
    assert [label for label, _ in cls.legend] == ["persistent hotspot", "no pattern"]
    with pytest.raises(ValueError):
        maps.colouring(t, "nonsense")


def test_tooltips_give_name_figures_and_rank():
    tips = maps.tooltips(_table(), "estates", "residents")
    assert tips[5].splitlines()[0] == "Estate 5"
    assert "Count 50 (rank 1 of 6 estates)" in tips[5]
    assert "Rate 25.0 per 1,000 residents (rank 1)" in tips[5]
    assert "Gi* z +3.00: hot 99%" in tips[5] and "Over time: persistent hotspot" in tips[5]
    cell = maps.tooltips(_table(), "cells", "", named=False)
    assert "Rate" not in cell[5] and not cell[5].startswith("Estate")
    assert "Gi* z +3.00: hot 99%" in cell[5]
    assert "not significant" not in cell[2] and "no pattern" not in cell[2]


def test_zero_has_its_own_class_and_quantiles_use_the_rest():
    c = maps.sequential(pd.Series([0.0, 0.0, 0.0, 1.0, 5.0, 9.0]), "Count")
    assert c.fill[0] == maps.ZERO and c.legend[0] == ("0", maps.ZERO[:3])
    assert c.legend[1][0].startswith("1 to") and c.legend[-1][0].endswith("to 9")


def test_default_map_needs_no_token_and_no_network():
    deck = maps.build_deck(pdk.ViewState(longitude=1, latitude=51, zoom=10), areas={
        "type": "FeatureCollection", "features": []})  # fmt: skip
    spec = json.loads(deck.to_json())
    assert spec["mapStyle"].startswith("data:application/json")
    style = json.loads(unquote(spec["mapStyle"].split(",", 1)[1]))
    assert style["sources"] == {} and style["layers"][0]["type"] == "background"
    text = deck.to_json()
    assert "mapbox://" not in text and "cartocdn" not in text and "http" not in text
    assert not getattr(deck, "mapbox_key", None)
    with_base = maps.build_deck(pdk.ViewState(longitude=1, latitude=51, zoom=10), basemap=True)
    assert json.loads(with_base.to_json())["mapStyle"] == maps.BASEMAP_STYLE


def test_compact_json_is_the_same_deck_in_fewer_bytes():
    gdf = gpd.GeoDataFrame(geometry=[Point(1, 51).buffer(0.01, 64)], crs="EPSG:4326")
    geom = maps.simplified_geometry(gdf)
    areas = maps.area_features(pd.Index(["E0"]), geom, [(1, 2, 3, 4)], ["tip"], highlight="E0")
    assert areas["features"][0]["properties"] == {
        "line": maps.HIGHLIGHT_M,
        "fill": [1, 2, 3, 4],
        "tip": "tip",
    }
    outline = maps.area_features(pd.Index(["E0"]), geom)
    assert outline["features"][0]["properties"] == {"line": 0}
    deck = maps.build_deck(pdk.ViewState(longitude=1, latitude=51, zoom=10), areas=areas)
    compact = deck.to_json()
    indented = pdk.Deck.to_json(deck)
    assert json.loads(compact) == json.loads(indented)
    assert len(compact) < len(indented) / 2


def test_geometry_is_simplified_and_rounded():
    circle = Point(1.123456789, 51.987654321).buffer(0.05, 256)  # 1,025 vertices
    gdf = gpd.GeoDataFrame(geometry=[circle], crs="EPSG:4326")
    ring = maps.simplified_geometry(gdf)[0]["coordinates"][0]
    assert len(ring) < 400
    for x, y in ring:
        assert round(x, maps.DECIMALS) == pytest.approx(x, abs=1e-12)
        assert round(y, maps.DECIMALS) == pytest.approx(y, abs=1e-12)


def test_cells_drawn_are_bounded_and_the_busiest_kept(monkeypatch):
    monkeypatch.setattr(maps, "MAX_CELLS", 3)
    t = _table()
    t.loc["E0", ["significance", "class"]] = ["not significant", "no pattern"]  # count 0: quiet
    fill = [(i, i, i, 255) for i in range(6)]
    rows, left_off = maps.cell_rows(t, fill, [f"tip {i}" for i in range(6)])
    assert [r["hex"] for r in rows] == ["E5", "E4", "E3"] and left_off == 2
    assert rows[0]["fill"] == [5, 5, 5, 255] and rows[0]["tip"] == "tip 5"


def test_view_centres_on_the_bounds():
    v = maps.view_state((1.0, 51.7, 1.04, 51.74))
    assert v.longitude == pytest.approx(1.02) and v.latitude == pytest.approx(51.72)
    wider = maps.view_state((0.5, 51.5, 1.5, 52.0))
    assert 8 < wider.zoom < v.zoom < 16


def test_an_area_frame_with_no_polygons_maps_to_nothing():
    """A district whose LSOAs match none loaded (another census vintage) leaves the layer's
    frame empty: the map gets no features and NaN bounds, as geopandas' gave, not an error."""
    from csp_dash.analysis.metres import bounds

    empty = pd.DataFrame({"name": [], "geometry": []}, index=pd.Index([], name="code"))
    assert maps.simplified_geometry(empty) == []
    assert np.isnan(bounds(empty.geometry.to_numpy())).all()
    assert maps.area_features(empty.index, [], [], [])["features"] == []
