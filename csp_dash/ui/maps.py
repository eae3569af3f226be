"""pydeck map builders: area polygons (GeoJsonLayer) and H3 cells (H3HexagonLayer), coloured on
the server, with a bounded payload and no map token.

No basemap by default: a blank MapLibre style object, so nothing is fetched and the map works
offline. The optional basemap is CARTO's token-free Positron, fetched by the browser.
"""

from __future__ import annotations

import json
import math
import weakref
from urllib.parse import quote

import pandas as pd
import pydeck as pdk
import shapely
import shapely.geometry
from pydeck.bindings.json_tools import default_serialize

from csp_dash.analysis.metres import bounds
from csp_dash.hotspots.colouring import (  # noqa: F401 (the page and tests use them here)
    CHANGE_CLASSES,
    CLASS_COLOURS,
    FILL_ALPHA,
    GI_COLOURS,
    METRICS,
    NO_DATA,
    SEQUENTIAL,
    ZERO,
    Colouring,
    categorical,
    cells_shown,
    change_classes,
    colouring,
    sequential,
)

#: A style with only a background: MapLibre draws it without any network request.
BLANK_STYLE = {
    "version": 8,
    "name": "blank",
    "sources": {},
    "layers": [{"id": "background", "type": "background",
                "paint": {"background-color": "#f4f3ef"}}],
}  # fmt: skip
BLANK_STYLE_URL = "data:application/json;charset=utf-8," + quote(
    json.dumps(BLANK_STYLE, separators=(",", ":"))
)
BASEMAP_STYLE = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"
#: Coordinates are rounded to 5 decimal places (about 1 m): finer adds bytes, not detail.
DECIMALS = 5
#: Most cells drawn; beyond this the busiest are kept (and the page says so).
MAX_CELLS = 8_000
# Outline width in metres for the area picked in the sidebar (others get the 1 px minimum).
HIGHLIGHT_M = 40
BOUNDARY_RGB = [27, 27, 27, 230]  # the district's boundary: palette.TEXT, nearly opaque
LABEL_RGB = [27, 27, 27, 255]
LABEL_PX = 13
class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: pydeck indents by 2 spaces, which puts every
    coordinate on its own line and more than doubles what the browser downloads."""

    def to_json(self) -> str:
        # Built once: Streamlit serialises the deck and the page measures the same string.
        # (Kept outside the instance: pydeck would serialise any attribute we added.)
        if self not in _JSON:
            _JSON[self] = json.dumps(
                self, sort_keys=True, default=default_serialize, separators=(",", ":")
            )
        return _JSON[self]


_JSON: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class PrebuiltDeck(CompactDeck):
    """A deck whose JSON was built (and cached) before: Streamlit reads only its JSON and its
    tooltip, so a cached map costs nothing to send again."""

    def __init__(self, deck_json: str, tooltip: dict) -> None:
        # Not pydeck's __init__: it tries to import its Jupyter widget on every call (a failed
        # import is not cached), 3% of a Hotspots rerun. Streamlit reads only these.
        self.layers, self._tooltip, self.mapbox_key, self.width = [], tooltip, None, None
        _JSON[self] = deck_json


def _num(v, fmt: str = "{:,.0f}") -> str:
    return "n/a" if v is None or pd.isna(v) else fmt.format(v)


def tooltips(table: pd.DataFrame, unit_word: str, rate_base: str, named: bool = True) -> list[str]:
    """One plain-text tooltip per unit: name, figures and rank. Kept short, as it is payload:
    cells (``named=False``) leave out their meaningless id and the harm rank."""
    n = len(table)
    cls = table["class"] if "class" in table.columns else pd.Series(None, index=table.index)
    cols = ["name", "count", "rank_count", "rate", "rank_rate", "harm", "rank_harm", "change",
            "pct", "direction", "gi_z", "significance"]  # fmt: skip
    tips = []
    deciles = table["imd_decile"] if "imd_decile" in table.columns else pd.Series(dtype=float)
    for key, (name, count, rk, rate, rr, harm, rh, change, pct, direction, z, sig), c in zip(
        table.index, zip(*(table[col] for col in cols), strict=True), cls, strict=True
    ):
        lines = [str(name)] if named else []
        lines.append(f"Count {count:,} (rank {_num(rk)} of {n:,} {unit_word})")
        if rate_base and not pd.isna(rate):
            lines.append(f"Rate {rate:,.1f} per 1,000 {rate_base} (rank {_num(rr)})")
        lines.append(f"Harm {harm:,.0f}" + (f" (rank {_num(rh)})" if named else ""))
        pct_text = "" if pd.isna(pct) else f", {pct:+.0f}%"
        quiet = not named  # cells: say only what is notable
        change_text = "" if quiet and direction == "no significant change" else f": {direction}"
        if pd.isna(change):  # withheld: months with no data in one of the periods
            lines.append(f"Change: {direction}")
        else:
            lines.append(f"Change {int(change):+,}{pct_text}{change_text}")
        if "imd_decile" in table.columns and not pd.isna(deciles.get(key)):
            lines.append(f"Deprivation decile {int(deciles[key])} (1 = most deprived 10%)")
        sig_text = "" if quiet and sig == "not significant" else f": {sig}"
        lines.append(f"Gi* z {_num(z, '{:+.2f}')}{sig_text}")
        if isinstance(c, str) and not (quiet and c == "no pattern"):
            lines.append(f"Over time: {c}")
        tips.append("\n".join(lines))
    return tips


def simplified_geometry(gdf: pd.DataFrame) -> list[dict]:
    """GeoJSON geometry dicts of the frame's ``geometry`` (hotspots/areas.area_frame),
    simplified to ~1/2000 of the layer's extent and rounded."""
    geoms = gdf.geometry.to_numpy()
    if not len(geoms):
        return []
    minx, miny, maxx, maxy = bounds(geoms)
    tol = max(maxx - minx, maxy - miny) / 2000
    geoms = shapely.simplify(geoms, tol, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 10**-DECIMALS)
    return [
        json.loads(shapely.to_geojson(g)) if g is not None and not g.is_empty else None
        for g in geoms
    ]


def area_features(
    codes: pd.Index,
    geometry: list[dict],
    fill: list | None = None,
    tips: list[str] | None = None,
    highlight: str | None = None,
) -> dict:
    """A FeatureCollection: geometry plus only what the map needs (colour, tooltip, outline
    width); outlines alone when ``fill`` and ``tips`` are None."""
    feats = []
    for i, (code, geom) in enumerate(zip(codes, geometry, strict=True)):
        if geom is None:
            continue
        props = {"line": HIGHLIGHT_M if code == highlight else 0}
        if fill is not None:
            props["fill"] = list(fill[i])
        if tips is not None:
            props["tip"] = tips[i]
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    return {"type": "FeatureCollection", "features": feats}


def cell_rows(table: pd.DataFrame, fill, tips) -> tuple[list[dict], int]:
    """H3 rows to draw: cells with a count or a signal; the busiest MAX_CELLS. Returns the rows
    and how many were left off."""
    idx, left_off = cells_shown(table, MAX_CELLS)
    codes = table.index.to_numpy()
    return [{"hex": codes[i], "fill": list(fill[i]), "tip": tips[i]} for i in idx], left_off


def view_state(
    bounds: tuple[float, float, float, float], width_px: int = 1000, height_px: int = 560
) -> pdk.ViewState:
    """Centre and zoom that fit the bounds (Web Mercator, 512 px tiles as deck.gl uses)."""
    minx, miny, maxx, maxy = bounds
    lat = (miny + maxy) / 2
    lon_span = max(maxx - minx, 1e-4)
    lat_span = max((maxy - miny) / max(math.cos(math.radians(lat)), 0.1), 1e-4)
    zoom = min(
        math.log2(width_px * 360 / (512 * lon_span)), math.log2(height_px * 360 / (512 * lat_span))
    )
    return pdk.ViewState(longitude=(minx + maxx) / 2, latitude=lat, zoom=round(zoom - 0.2, 2))


def label_rows(labels: pd.DataFrame) -> list[dict]:
    """TextLayer rows from map_parts.label_points: position and name."""
    return [
        {"position": [round(r.lon, DECIMALS), round(r.lat, DECIMALS)], "text": r.name}
        for r in labels.itertuples()
    ]


def build_deck(
    view: pdk.ViewState,
    areas: dict | None = None,
    cells: list[dict] | None = None,
    outlines: dict | None = None,
    basemap: bool = False,
    boundary: dict | None = None,
    labels: list[dict] | None = None,
) -> pdk.Deck:
    """The deck: filled areas or filled cells (with area outlines for orientation), the
    district's boundary (a GeoJSON geometry) and area names on top."""
    layers = []
    if cells is not None:
        layers.append(
            pdk.Layer(
                "H3HexagonLayer",
                data=cells,
                get_hexagon="hex",
                get_fill_color="fill",
                stroked=False,
                filled=True,
                extruded=False,
                pickable=True,
                auto_highlight=True,
            )
        )
    if areas is not None:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                data=areas,
                get_fill_color="properties.fill",
                get_line_color=[60, 60, 60, 200],
                line_width_min_pixels=1,
                get_line_width="properties.line",
                stroked=True,
                filled=True,
                pickable=True,
                auto_highlight=True,
            )
        )
    if outlines is not None:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                data=outlines,
                filled=False,
                stroked=True,
                get_line_color=[50, 50, 50, 160],
                line_width_min_pixels=1,
                get_line_width="properties.line",
                pickable=False,
            )
        )
    if boundary is not None:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                data={"type": "Feature", "geometry": boundary, "properties": {}},
                filled=False,
                stroked=True,
                get_line_color=BOUNDARY_RGB,
                line_width_min_pixels=3,
                get_line_width=0,
                pickable=False,
            )
        )
    if labels:
        layers.append(
            pdk.Layer(
                "TextLayer",
                data=labels,
                get_position="position",
                get_text="text",
                get_size=LABEL_PX,
                get_color=LABEL_RGB,
                # deck.gl's own font (monospace): a named family drew tiny, blank glyphs in
                # Chromium without a GPU.
                font_weight=700,
                # A white halo keeps each name legible on any fill (signed-distance font).
                font_settings={"sdf": True},
                outline_width=3,
                outline_color=[255, 255, 255, 230],
                pickable=False,
            )
        )
    deck = CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider="carto",
        map_style=None,
        tooltip={"text": "{tip}"},
    )
    # Streamlit's frontend wants a string style; a data: URL carries the blank style inline.
    deck.map_style = BASEMAP_STYLE if basemap else BLANK_STYLE_URL
    return deck


def legend_html(c: Colouring) -> str:
    chips = "".join(
        f'<span style="display:inline-flex;align-items:center;margin:0 12px 4px 0">'
        f'<span style="width:14px;height:14px;border:1px solid #777;margin-right:5px;'
        f'background:rgb{tuple(rgb)}"></span>{_escape(label)}</span>'
        for label, rgb in c.legend
    )
    return f'<div style="font-size:0.85rem"><b>{_escape(c.title)}</b>: {chips}</div>'


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def features_bounds(geometry: list[dict]) -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of GeoJSON geometries, or None if there are none."""
    shapes = [shapely.geometry.shape(g) for g in geometry if g]
    if not shapes:
        return None
    return tuple(float(v) for v in shapely.union_all(shapes).bounds)
