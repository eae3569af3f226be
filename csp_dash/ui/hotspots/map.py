"""The hotspot map for one view, assembled once per filter and cached: the deck JSON, its
legend and the payload statement. A rerun with the same filter only sends the cached text."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from csp_dash.hotspots.analysis import HotspotQuery
from csp_dash.hotspots.areas import DISTRICT_LAYER
from csp_dash.hotspots.cells import cell_centres
from csp_dash.ui import maps
from csp_dash.ui.hotspots import data as hotspot_data

#: Draw area outlines over cells only for layers this small (else the district outline).
MAX_OUTLINES = 300


@dataclass(frozen=True)
class MapView:
    deck_json: str
    tooltip: dict
    legend_html: str
    caption: str
    note: str  # said above the map (e.g. why the colouring fell back to counts)


@st.cache_data(ttl=hotspot_data.TTL, show_spinner=False, hash_funcs={HotspotQuery: repr})
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
    note = ""
    if metric == "rate" and not result.rate_base:
        note, metric = "No population for these units: colouring by count instead.", "count"
    colour = maps.colouring(result.table, metric, result.rate_base)
    cells = cells_q is not None
    tips = maps.tooltips(result.table, result.unit_word, result.rate_base, named=not cells)
    codes, geometry, bounds = hotspot_data.layer_geometry(url, areas_q.layer)
    left_off = 0
    if not cells:
        fill = dict(zip(result.table.index, colour.fill, strict=True))
        tip = dict(zip(result.table.index, tips, strict=True))
        if len(fill) < len(codes):  # LSOAs beyond the district are loaded but not analysed
            keep = [i for i, c in enumerate(codes) if c in fill]
            codes, geometry = [codes[i] for i in keep], [geometry[i] for i in keep]
            bounds = maps.features_bounds(geometry) or bounds
        areas = maps.area_features(
            codes, geometry, [fill[c] for c in codes], [tip[c] for c in codes], highlight
        )
        deck = maps.build_deck(maps.view_state(bounds), areas=areas, basemap=basemap)
        shown = len(areas["features"])
    else:
        rows, left_off = maps.cell_rows(result.table, colour.fill, tips)
        if rows:  # fit the cells drawn, not the area layer (estates may cover a small part)
            lon, lat = cell_centres([r["hex"] for r in rows])
            bounds = (lon.min(), lat.min(), lon.max(), lat.max())
        outline_layer = areas_q.layer
        if len(codes) > MAX_OUTLINES:  # a thousand LSOA outlines would swamp the cells
            outline_layer = DISTRICT_LAYER if DISTRICT_LAYER in hotspot_data.map_layers(url) else ""
        outlines = None
        if outline_layer:
            o_codes, o_geom, _ = hotspot_data.layer_geometry(url, outline_layer)
            outlines = maps.area_features(o_codes, o_geom, highlight=highlight)
        deck = maps.build_deck(
            maps.view_state(bounds), cells=rows, outlines=outlines, basemap=basemap
        )
        shown = len(rows)
    text = deck.to_json()
    caption = (
        f"Map data sent to the browser: {len(text.encode()) / 1024:,.0f} KB for {shown:,} "
        f"{result.unit_word} (aggregated on the server; no individual records)."
        + (f" {left_off:,} quieter cells left off to keep the map light." if left_off else "")
    )
    return MapView(text, deck._tooltip, maps.legend_html(colour), caption, note)


def draw(view: MapView) -> None:
    if view.note:
        st.info(view.note)
    st.pydeck_chart(maps.PrebuiltDeck(view.deck_json, view.tooltip), height=560, key="hs_map")
    st.html(view.legend_html)
    st.caption(view.caption)
