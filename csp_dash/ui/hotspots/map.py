"""The hotspot map for one view, assembled once per filter and cached: the deck JSON, its
legend and the payload statement. A rerun with the same filter only sends the cached text.
The district's boundary and the names come from hotspots/map_parts.py, the PNG and SVG from
hotspots/map_image.py (made only when a button is clicked)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import shapely
import shapely.geometry
import streamlit as st

from csp_dash.db.cube import LSOA_LAYER
from csp_dash.hotspots import map_image, map_parts
from csp_dash.hotspots.analysis import HotspotQuery
from csp_dash.hotspots.areas import DISTRICT_LAYER
from csp_dash.hotspots.cells import cell_centres
from csp_dash.hotspots.colouring import effective_metric
from csp_dash.ui import charts as page_charts
from csp_dash.ui import maps
from csp_dash.ui.cache import cached
from csp_dash.ui.downloads import image_downloads
from csp_dash.ui.hotspots import data as hotspot_data
from csp_dash.ui.meeting.mode import ROOM_MAP_KEY, presenting
from csp_dash.ui.state import demo_label, get_engine

# A slide's map at most, in px: with its title, two lines of subtitle and the source line it
# fits 1280x720 under the presenter's bar (meeting mode's zoom); the map keeps the district's shape.
ROOM_MAP = (1200, 540)
ROOM_TEXT = 2.0  # its names, legend and source line at room size (12 px labels -> 24 px)
#: Draw area outlines over cells only for layers this small (else the district outline).
MAX_OUTLINES = 300


@dataclass(frozen=True)
class MapView:
    deck_json: str
    tooltip: dict
    legend_html: str
    caption: str
    note: str  # said above the map (e.g. why the colouring fell back to counts)
    # What the PNG and SVG are made from when asked: the same view, cached analysis.
    url: str
    query: HotspotQuery
    metric: str
    scheme: str
    weights: tuple


@cached(ttl=hotspot_data.TTL, show_spinner=False, resource=True)
def district_boundary(url: str) -> dict | None:
    """The district's boundary for the map, simplified as the areas are (GeoJSON, or None)."""
    lsoas = hotspot_data.district_areas(url, LSOA_LAYER).geometry
    shape = map_parts.district_outline(get_engine(url), lsoas)
    if shape is None:
        return None
    minx, miny, maxx, maxy = shape.bounds
    return map_parts.outline_geojson(shape, max(maxx - minx, maxy - miny) / 2000)


def _with(bounds: tuple, boundary: dict | None) -> tuple:
    """The bounds widened to take in the district's boundary: the first view shows it whole."""
    if boundary is None:
        return bounds
    b = shapely.geometry.shape(boundary).bounds
    return (min(bounds[0], b[0]), min(bounds[1], b[1]), max(bounds[2], b[2]), max(bounds[3], b[3]))


def _labels(table, metric: str, codes: list, geometry: list[dict], bounds) -> list[dict]:
    """Names of the areas map_parts picks, thinned so none overlaps at the first view."""
    picked = map_parts.label_codes(table.loc[table.index.isin(codes)], metric)
    where = {c: i for i, c in enumerate(codes)}
    # Only the named areas' shapes are built (a layer may hold a thousand LSOAs).
    shapes = pd.Series(
        {c: shapely.geometry.shape(geometry[where[c]]) for c in picked if geometry[where[c]]},
        dtype=object,
    )
    points = map_parts.label_points(picked, shapes, table["name"])
    view = maps.view_state(bounds)
    # 1024 px of the first view (512 * 2**zoom px per 360 degrees of longitude, as view_state;
    # latitude stretched by 1 / cos as Web Mercator does).
    lon = 360 / 2**view.zoom
    lat = lon * math.cos(math.radians(view.latitude))
    box = (view.longitude - lon, view.latitude - lat, view.longitude + lon, view.latitude + lat)
    return maps.label_rows(map_parts.thin_labels(points, box, 1024, 1024, maps.LABEL_PX))


def warm(url: str) -> None:
    """Read what a first Hotspots view needs whatever its period (the default layer's polygons
    and counts, the district's outline) into the caches, off the visitor's run: together
    about half of a first switch to Hotspots."""
    from csp_dash.ui.hotspots.panels import mappable

    layers = hotspot_data.map_layers(url)
    if layers:
        hotspot_data.layer_geometry(url, mappable(layers)[0])
        hotspot_data.layer_counts(url, mappable(layers)[0])
    if LSOA_LAYER in layers:
        district_boundary(url)


# Fewer than the default: each holds the deck's JSON, up to a few hundred KB for a large layer.
@cached(ttl=hotspot_data.TTL, show_spinner=False, hash_funcs={HotspotQuery: repr},
        max_entries=16)
def map_view(
    url: str,
    areas_q: HotspotQuery,
    cells_q: HotspotQuery | None,
    metric: str,
    basemap: bool,
    scheme: str,
    weights: tuple,
    highlight: str | None,
) -> MapView:
    """Areas filled by ``metric``, or H3 cells filled by it with area outlines on top."""
    result = hotspot_data.analyse(url, cells_q or areas_q, scheme, weights)
    metric, note = effective_metric(metric, result.rate_base)
    colour = maps.colouring(result.table, metric, result.rate_base)
    cells = cells_q is not None
    tips = maps.tooltips(result.table, result.unit_word, result.rate_base, named=not cells)
    codes, geometry, bounds = hotspot_data.layer_geometry(url, areas_q.layer)
    boundary = district_boundary(url)
    left_off = 0
    if not cells:
        fill = dict(zip(result.table.index, colour.fill, strict=True))
        tip = dict(zip(result.table.index, tips, strict=True))
        if len(fill) < len(codes):  # LSOAs beyond the district are loaded but not analysed
            keep = [i for i, c in enumerate(codes) if c in fill]
            codes, geometry = [codes[i] for i in keep], [geometry[i] for i in keep]
            bounds = maps.features_bounds(geometry) or bounds
        bounds = _with(bounds, boundary)
        areas = maps.area_features(
            codes, geometry, [fill[c] for c in codes], [tip[c] for c in codes], highlight
        )
        deck = maps.build_deck(
            maps.view_state(bounds),
            areas=areas,
            basemap=basemap,
            boundary=boundary,
            labels=_labels(result.table, metric, codes, geometry, bounds),
        )
        shown = len(areas["features"])
    else:
        rows, left_off = maps.cell_rows(result.table, colour.fill, tips)
        if rows:  # fit the cells drawn, not the area layer (estates may cover a small part)
            lon, lat = cell_centres([r["hex"] for r in rows])
            bounds = _with((lon.min(), lat.min(), lon.max(), lat.max()), boundary)
        outline_layer = areas_q.layer
        if len(codes) > MAX_OUTLINES:  # a thousand LSOA outlines would swamp the cells
            outline_layer = DISTRICT_LAYER if DISTRICT_LAYER in hotspot_data.map_layers(url) else ""
        outlines = None
        if outline_layer:
            o_codes, o_geom, _ = hotspot_data.layer_geometry(url, outline_layer)
            outlines = maps.area_features(o_codes, o_geom, highlight=highlight)
        deck = maps.build_deck(
            maps.view_state(bounds),
            cells=rows,
            outlines=outlines,
            basemap=basemap,
            boundary=boundary,
        )
        shown = len(rows)
    text = deck.to_json()
    caption = (
        f"Map data sent to the browser: {len(text.encode()) / 1024:,.0f} KB for {shown:,} "
        f"{result.unit_word} (aggregated on the server; no individual records)."
        + (f" {left_off:,} quieter cells left off to keep the map light." if left_off else "")
    )
    return MapView(
        text, deck._tooltip, maps.legend_html(colour), caption, note,
        url, cells_q or areas_q, metric, scheme, weights,
    )  # fmt: skip


def _figure(view: MapView) -> map_image.MapFigure:
    result = hotspot_data.analyse(view.url, view.query, view.scheme, view.weights)
    demo = demo_label(view.url)
    return map_image.figure_for(
        get_engine(view.url), result, view.metric, source=map_image.source_line(demo)
    )


def draw(view: MapView) -> None:
    if view.note:
        st.info(view.note)
    if presenting():
        # A slide shows the map as the document does: names, legend, boundary and source line
        # at a size a room reads, drawn by the browser's Vega (no tiles, no WebGL).
        fig = _figure(view)
        width, height = map_image.fitted_size(fig, *ROOM_MAP)
        chart = map_image.map_chart(fig, width=width, height=height, text_scale=ROOM_TEXT,
                                    text_width=ROOM_MAP[0])
        with st.container(key=ROOM_MAP_KEY):  # the key names the element meeting mode enlarges
            page_charts.draw(chart, width="content")
        return
    st.pydeck_chart(maps.PrebuiltDeck(view.deck_json, view.tooltip), height=560, key="hs_map")
    st.html(view.legend_html)
    st.caption(view.caption)
    # The same map for a document: classes, legend, names, boundary and source line.
    image_downloads(
        lambda: map_image.map_png(_figure(view)),
        lambda: map_image.map_svg(_figure(view)),
        f"hotspot map {view.metric}",
        key="dl_hs_map",
    )
