"""The hotspot map image (SVG and PNG) on a small hand-made district through the real ingest,
on DuckDB and PostgreSQL: legend, names, the dissolved district outline and the source line."""

from __future__ import annotations

import dataclasses
import io
import math
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from PIL import Image
from shapely.geometry import box

from csp_dash import export, palette
from csp_dash.district import declare
from csp_dash.harm import default_weights
from csp_dash.hotspots import map_image, map_parts
from csp_dash.hotspots.analysis import HotspotQuery, analyse
from csp_dash.hotspots.colouring import colouring
from csp_dash.ingest.boundaries import import_boundaries
from csp_dash.ingest.police import ingest_police
from tests.policeuk_files import crime, write_street_csv

X0, Y0, STEP = 0.90, 51.85, 0.01
CURRENT = (date(2024, 1, 1), date(2024, 12, 1))
GRID = [(r, c) for r in range(2) for c in range(3)]  # 2 x 3 LSOAs; the district is 2 x 2
IN_DISTRICT = [(r, c) for r, c in GRID if c < 2]


def _code(r: int, c: int) -> str:
    return f"E010000{r}{c}"


def _name(r: int, c: int) -> str:
    return f"Testvale 00{r}{c}X"


@pytest.fixture
def mapped(engine, tmp_path: Path):
    lsoas = gpd.GeoDataFrame(
        {"code": [_code(*k) for k in GRID], "name": [_name(*k) for k in GRID]},
        geometry=[box(X0 + c * STEP, Y0 + r * STEP, X0 + (c + 1) * STEP, Y0 + (r + 1) * STEP)
                  for r, c in GRID],
        crs="EPSG:4326",
    )  # fmt: skip
    lsoas.to_file(tmp_path / "lsoa.geojson")
    import_boundaries(engine, tmp_path / "lsoa.geojson", "lsoa", "code", "name")
    folder = tmp_path / "street"
    for month in pd.date_range("2023-01-01", "2024-12-01", freq="MS").strftime("%Y-%m"):
        rows = []
        for r, c in GRID:
            n = 1 + r * 3 + c + (2 if month >= "2024" else 0)  # a different count per LSOA
            for k in range(n):
                rows.append(
                    crime(month, "Burglary", lon=X0 + c * STEP + 0.002 + k * 0.0005,
                          lat=Y0 + r * STEP + 0.005, lsoa=_code(r, c),
                          crime_id=f"{month}-{r}{c}-{k}")
                )  # fmt: skip
        write_street_csv(folder, month, rows)
    ingest_police(engine, [folder])
    declare.from_lsoa_codes(engine, [_code(*k) for k in IN_DISTRICT], "Testvale", "test")
    q = HotspotQuery(layer="lsoa", categories=None, current=CURRENT)
    return engine, analyse(engine, q, default_weights("css"))


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # parses: a well-formed SVG document
    # A text of several lines holds one tspan a line.
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_district_outline_is_its_lsoas_dissolved(mapped):
    engine, _ = mapped
    shape = map_parts.district_outline(engine)
    expected = box(X0, Y0, X0 + 2 * STEP, Y0 + 2 * STEP)
    assert shape.geom_type == "Polygon"  # one piece: the shared edges cancelled
    assert shapely.symmetric_difference(shape, expected).area < 1e-10
    assert len(shape.interiors) == 0


def test_svg_has_legend_names_outline_title_and_source(mapped):
    engine, result = mapped
    source = map_image.source_line(None, 2026)
    fig = map_image.figure_for(engine, result, "count", source=source, place="Testvale")
    svg = map_image.map_svg(fig)
    texts = _svg_texts(svg)
    joined = " ".join(texts)
    assert "Count" in texts  # the legend's title, as the page's legend
    page_legend = [label for label, _ in colouring(result.table, "count").legend]
    assert set(page_legend) <= set(texts)
    for key in IN_DISTRICT:
        assert _name(*key) in texts
    assert _name(0, 2) not in joined  # beyond the district: neither drawn nor named
    assert "Jan 2024 to Dec 2024" in joined and "Testvale" in joined
    assert source in texts
    assert "Contains police.uk data" in source and "Crown copyright" in source
    # The outline: an unfilled path in the outline colour, around the four LSOAs.
    outline = re.findall(rf'<path[^>]*d="([^"]+)"[^>]*stroke="{palette.TEXT}"[^>]*', svg)
    outline = [d for d in outline if 'fill="none"' in svg]
    assert outline, "no outline path"
    assert len(fig.features) == len(IN_DISTRICT)


def test_png_decodes_at_the_rendered_size(mapped):
    engine, result = mapped
    fig = map_image.figure_for(engine, result, "gi", source="S")
    svg = map_image.map_svg(fig)
    root = ET.fromstring(svg)
    w, h = float(root.get("width")), float(root.get("height"))
    png = map_image.map_png(fig, scale=1)
    img = Image.open(io.BytesIO(png))
    img.load()
    assert img.format == "PNG"
    assert (img.width, img.height) == (round(w), round(h))
    assert img.width > map_image.WIDTH  # the map plus its legend
    img2 = Image.open(io.BytesIO(map_image.map_png(fig, scale=2)))
    assert img2.width == 2 * img.width


def test_the_image_shows_no_figure_the_public_map_lacks(mapped):
    """Every word on the image is the title, the legend, an area name or the source: the map
    on the page shows the same to every role, and no count per area is printed."""
    engine, result = mapped
    fig = map_image.figure_for(engine, result, "count", source="Source line", place="Testvale")
    allowed = {fig.title, fig.subtitle, fig.legend_title, "Source line"}
    allowed |= {label for label, _ in fig.legend} | set(fig.labels["name"])
    texts = [t for t in _svg_texts(map_image.map_svg(fig)) if t]
    assert set(texts) <= allowed, set(texts) - allowed
    counts = {str(int(v)) for v in result.table["count"]}
    assert not counts & set(texts)


def test_cells_are_drawn_as_hexagons_without_names(mapped):
    engine, _ = mapped
    q = HotspotQuery(layer="lsoa", categories=None, current=CURRENT, unit="cells")
    result = analyse(engine, q, default_weights("css"))
    fig = map_image.figure_for(engine, result, "count", source="S")
    assert fig.features and fig.labels.empty
    assert all(len(f["geometry"]["coordinates"][0]) == 7 for f in fig.features)  # closed hexagon
    assert fig.outline is not None


def test_demo_source_line_says_synthetic():
    line = map_image.source_line("Kestrel Vale (demo)")
    assert "synthetic" in line and "Crown" not in line


def test_labels_name_every_small_area_and_the_top_of_a_large_layer():
    small = pd.DataFrame({"name": list("abc"), "count": [1, 3, 2]}, index=["A", "B", "C"])
    assert map_parts.label_codes(small, "count") == ["A", "B", "C"]
    n = map_parts.ALL_NAMES + 5
    big = pd.DataFrame(
        {"name": [f"n{i:02d}" for i in range(n)], "count": list(range(n)),
         "gi_z": [-float(i) for i in range(n)]},
        index=[f"E{i:02d}" for i in range(n)],
    )  # fmt: skip
    top = map_parts.label_codes(big, "count")
    assert top == [f"E{i:02d}" for i in range(n - 1, n - 1 - map_parts.MAX_LABELS, -1)]
    assert map_parts.label_codes(big, "gi")[:2] == ["E00", "E01"]


def test_overlapping_names_keep_the_busier_area():
    labels = pd.DataFrame(
        {
            "code": ["A", "B", "C"],
            "name": ["Busiest place", "Next door place", "Far away place"],
            "lon": [1.000, 1.0005, 1.09],
            "lat": [51.0, 51.0, 51.09],
        }
    )
    kept = map_parts.thin_labels(labels, (1.0, 51.0, 1.1, 51.1), 900, 680)
    assert list(kept["code"]) == ["A", "C"]  # B's box meets A's; A came first (busier)
    wide_apart = labels.assign(lon=[1.0, 1.05, 1.09], lat=[51.0, 51.05, 51.09])
    assert len(map_parts.thin_labels(wide_apart, (1.0, 51.0, 1.1, 51.1), 900, 680)) == 3


def test_the_image_says_which_months_of_its_period_have_no_data(mapped):
    """Its title names twelve months; with some not loaded the subtitle names them, so a
    map pasted into a report does not pass off seven months as a year."""
    engine, result = mapped
    full = map_image.figure_for(engine, result, "count", source="Source")
    assert "No data loaded" not in full.subtitle
    later = (date(2024, 7, 1), date(2025, 6, 1))  # 2025-01 to 2025-06 are not loaded
    gappy = analyse(engine, HotspotQuery(layer="lsoa", categories=None, current=later),
                    default_weights("css"))
    fig = map_image.figure_for(engine, gappy, "count", source="Source")
    assert "No data loaded for Jan 2025, Feb 2025, Mar 2025, Apr 2025, May 2025, Jun 2025" \
        in fig.subtitle
    assert "Jan 2025" in " ".join(_svg_texts(map_image.map_svg(fig)))


@pytest.mark.slow
def test_essex_map_of_colchester_names_the_months_not_loaded(essex_loaded, tmp_path):
    """Real data: Colchester inside the Essex force files, seven months (Jan to Jul 2018)."""
    from csp_dash.db.engine import make_engine

    src = essex_loaded.removeprefix("duckdb:///")
    url = f"duckdb:///{tmp_path / 'essex.duckdb'}"
    Path(url.removeprefix("duckdb:///")).write_bytes(Path(src).read_bytes())
    engine = make_engine(url)
    declare.from_name_prefix(engine, "Colchester")
    q = HotspotQuery(layer="lsoa", categories=None, current=(date(2017, 8, 1), date(2018, 7, 1)))
    fig = map_image.figure_for(engine, analyse(engine, q, default_weights("css")), "count",
                               source="Source")
    engine.dispose()
    assert "No data loaded for Aug 2017, Sep 2017, Oct 2017, Nov 2017, Dec 2017" in fig.subtitle


def test_count_classes_break_at_whole_numbers():
    counts = pd.Series([23, 30, 41, 42, 55, 61, 70, 85, 99, 110, 150, 179, 400, 1771], dtype=float)
    legend = colouring(pd.DataFrame({"count": counts}), "count").legend
    edges = [float(x.replace(",", "")) for text, _ in legend for x in text.split(" to ")]
    assert edges and all(e == int(e) for e in edges), legend
    rates = colouring(pd.DataFrame({"rate": counts / 7}), "rate").legend
    assert any("." in text for text, _ in rates)  # rates keep their decimals


def test_a_room_sized_map_thins_its_names_again():
    """Names thinned for the standard image would collide at a slide's size and type: the
    slide keeps fewer, and the standard image keeps them all."""
    square = {"type": "Feature", "properties": {"klass": "1 to 2"},
              "geometry": shapely.geometry.mapping(box(0.9, 51.8, 1.0, 51.9))}
    names = pd.DataFrame({"name": [f"Name {i}" for i in range(8)],
                          "lon": [0.905 + 0.012 * i for i in range(8)], "lat": [51.85] * 8})
    fig = map_image.MapFigure([square], [("1 to 2", "#ffffff")], "Count", names, None,
                              "Title", "Subtitle", "Source")
    standard = [t for t in _svg_texts(map_image.map_svg(fig)) if t.startswith("Name")]
    room = map_image.map_chart(fig, width=760, height=380, text_scale=1.6)
    shown = [t for t in _svg_texts(export.chart_svg(room)) if t.startswith("Name")]
    assert len(set(standard)) == 8
    assert 0 < len(set(shown)) < 8


def _square_figure(lon0: float, lat0: float, lon1: float, lat1: float, subtitle: str = "S"):
    shape = {"type": "Feature", "properties": {"klass": "1 to 2"},
             "geometry": shapely.geometry.mapping(box(lon0, lat0, lon1, lat1))}
    return map_image.MapFigure([shape], [("1 to 2", "#ffffff")], "Count", pd.DataFrame(
        columns=["name", "lon", "lat"]), None, "Title", subtitle, "Source")


def test_a_slide_map_keeps_the_district_shape_within_its_box():
    """A district as wide as it is tall on the ground (0.1 degree of latitude, 0.1 / cos(52)
    of longitude) fills the box's height and is as wide; a long coastal strip fills its width."""
    wide = 0.1 / math.cos(math.radians(52.0))
    square = _square_figure(1.0, 51.95, 1.0 + wide, 52.05)
    w, h = map_image.fitted_size(square, 1200, 560)
    assert h == 560 and abs(w - 560) <= 3, (w, h)
    strip = _square_figure(1.0, 51.99, 1.0 + 8 * wide, 52.01)
    w, h = map_image.fitted_size(strip, 1200, 560)
    assert w == 1200 and h < 100, (w, h)
    # Vega fits the map to the outline too: estates in a corner of a wide district fit the district.
    corner = dataclasses.replace(square, outline=shapely.geometry.mapping(
        box(1.0, 51.95, 1.0 + 8 * wide, 52.05)))
    w, h = map_image.fitted_size(corner, 1200, 560)
    assert w == 1200 and abs(h - 150) <= 1, (w, h)  # 8 times as wide as tall on the ground


def test_a_long_subtitle_is_broken_into_lines_and_keeps_each_month_whole():
    months = ", ".join(f"{m} 2025" for m in ["Jan", "Feb", "Mar", "Apr", "May", "Jun"])
    fig = _square_figure(1.0, 51.9, 1.1, 52.0, subtitle=f"Count by LSOAs. No data loaded for "
                         f"{months}: counts cover the loaded months only.")
    chart = map_image.map_chart(fig, width=300, height=300, text_scale=2.0)
    lines = chart.to_dict()["title"]["subtitle"]
    assert isinstance(lines, list) and len(lines) > 2
    assert all(len(line) <= 300 / (0.5 * 24) for line in lines), lines
    assert " ".join(lines) == fig.subtitle  # nothing lost, and no month split across lines
    assert not any(line.endswith(("Jan", "Feb", "Mar", "Apr", "May", "Jun")) for line in lines)
