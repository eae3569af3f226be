"""The hotspot map as a figure for an assessment: SVG and PNG with the page map's colours,
legend, area names and district outline, a title with the period and the source line.

Drawn with Altair's geoshape and rendered by vl-convert (both already used for every chart
download), not with the page's pydeck map: deck.gl draws in the browser's WebGL only, and an
image made on the server needs no browser and fetches nothing. Everything it shows is on the
page's map for every role (police.uk open data, public boundaries): no figure per area, only
classes, names and the outline (docs/architecture.md, "The hotspot map image").
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from dataclasses import dataclass
from datetime import date

import altair as alt
import h3
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine

from csp_dash import export, palette
from csp_dash.analysis.periods import label as period_label
from csp_dash.db import district
from csp_dash.hotspots import map_parts
from csp_dash.hotspots.analysis import HotspotResult
from csp_dash.hotspots.areas import area_frame
from csp_dash.hotspots.colouring import METRICS, cells_shown, colouring, effective_metric

POLICE_SOURCE = "Contains police.uk data (Open Government Licence v3.0)."
OS_SOURCE = "Contains OS data © Crown copyright and database right {year}."
DEMO_SOURCE = "{name}: synthetic demo data and invented boundaries, not a real place."
WIDTH, HEIGHT = 900, 680
LABEL_PX = 12
MOST_CELLS = 8_000  # as the page map (ui/maps.MAX_CELLS)
OUTLINE = palette.TEXT
OUTLINE_NOTE = "Thick line: the district's boundary."


def source_line(demo_name: str | None = None, year: int | None = None) -> str:
    """The attribution under the map: police.uk and Ordnance Survey (boundaries are ONS/OS
    products), or the demo's own words."""
    if demo_name:
        return DEMO_SOURCE.format(name=demo_name)
    return f"{POLICE_SOURCE} {OS_SOURCE.format(year=year or date.today().year)}"


@dataclass(frozen=True)
class MapFigure:
    features: list[dict]  # GeoJSON features; properties: klass (legend label)
    legend: list[tuple[str, str]]  # (label, hex colour), in the page's order
    legend_title: str
    labels: pd.DataFrame  # name, lon, lat
    outline: dict | None  # GeoJSON geometry of the district's boundary
    title: str
    subtitle: str
    source: str


def _hex(rgb) -> str:
    return palette.hex_of(tuple(int(v) for v in rgb[:3]))


def _cell_shape(cell: str) -> BaseGeometry:
    return shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def map_figure(
    result: HotspotResult,
    metric: str,
    shapes: pd.Series | None,
    outline: BaseGeometry | None,
    *,
    source: str,
    place: str = "",
) -> MapFigure:
    """The figure for one view: ``shapes`` maps area code to polygon (None for H3 cells,
    whose hexagons come from their codes)."""
    metric, _ = effective_metric(metric, result.rate_base)
    table = result.table
    colour = colouring(table, metric, result.rate_base)
    label_of = {_hex(rgb): text for text, rgb in colour.legend}
    cells = shapes is None
    if cells:
        idx, _ = cells_shown(table, MOST_CELLS)
        pos = list(idx)
        geoms = [_cell_shape(table.index[i]) for i in pos]
    else:
        pos = [i for i, code in enumerate(table.index) if code in shapes.index]
        geoms = [shapes[table.index[i]] for i in pos]
    features = []
    for i, geom in zip(pos, geoms, strict=True):
        if geom is None or geom.is_empty:
            continue
        klass = label_of.get(_hex(colour.fill[i]), "no figure")
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-5))),
                "properties": {"klass": klass},
            }
        )
    if cells:
        labels = pd.DataFrame(columns=["code", "name", "lon", "lat"])
    else:
        codes = map_parts.label_codes(table.loc[table.index.isin(shapes.index)], metric)
        labels = map_parts.label_points(codes, shapes, table["name"])
        drawn = shapely.union_all(geoms) if geoms else None
        if drawn is not None and not drawn.is_empty:
            labels = map_parts.thin_labels(labels, drawn.bounds, WIDTH, HEIGHT, LABEL_PX)
    where = f"{place}: " if place else ""
    title = f"{where}{result.label}, {period_label(result.query.current)}"
    title = title[:1].upper() + title[1:]  # "Crime and anti-social behaviour, ..." with no place
    subtitle = f"{METRICS.get(metric, metric)} by {result.unit_word}."
    if outline is not None:
        subtitle += f" {OUTLINE_NOTE}"
    gaps = unloaded_in(result)
    if gaps:  # the title names 12 months: say which of them the counts lack
        subtitle += f" No data loaded for {gaps}: counts cover the loaded months only."
    return MapFigure(
        features=features,
        legend=[(text, _hex(rgb)) for text, rgb in colour.legend],
        legend_title=colour.title,
        labels=labels,
        outline=map_parts.outline_geojson(outline),
        title=title,
        subtitle=subtitle,
        source=source,
    )


def unloaded_in(result: HotspotResult) -> str:
    """The months of the mapped period with no data loaded, in words ("" when none)."""
    start, end = result.query.current
    months = [m for m in result.missing_months if start <= m <= end]
    if len(months) > 6:
        return f"{len(months)} of its months ({months[0]:%b %Y} to {months[-1]:%b %Y})"
    return ", ".join(f"{m:%b %Y}" for m in months)


def map_chart(fig: MapFigure, width: int = WIDTH, height: int = HEIGHT,
              text_scale: float = 1.0, text_width: int | None = None) -> alt.VConcatChart:
    """Areas filled by class with the legend, the outline on top, names over both;
    ``text_scale`` enlarges every text (a meeting slide is read from the back of a room);
    the subtitle and source line are broken into lines of ``text_width`` px (the map's width)."""
    text_width = text_width or width

    def px(size: float) -> float:
        return round(size * text_scale, 1)

    domain = [text for text, _ in fig.legend]
    areas = (
        alt.Chart(alt.Data(values=fig.features))
        .mark_geoshape(stroke="#5a5a5a", strokeWidth=0.4)
        .encode(
            color=alt.Color(
                "properties.klass:N",
                scale=alt.Scale(domain=domain, range=[c for _, c in fig.legend]),
                legend=alt.Legend(
                    title=fig.legend_title,
                    orient="right",
                    labelLimit=300,
                    titleLimit=300,
                    labelFontSize=px(12),
                    titleFontSize=px(13),
                    symbolType="square",
                ),  # fmt: skip
            )
        )
    )
    layers: list[alt.Chart] = [areas]
    if fig.outline is not None:
        feature = {"type": "Feature", "geometry": fig.outline, "properties": {}}
        layers.append(
            alt.Chart(alt.Data(values=[feature]))
            # Decorative for a screen reader (the subtitle names it): no unnamed graphic.
            .mark_geoshape(filled=False, stroke=OUTLINE, strokeWidth=2.5, aria=False)
            .encode()
        )
    labels = fig.labels
    if len(labels) and (text_scale != 1 or (width, height) != (WIDTH, HEIGHT)):
        # Thinned for the standard size: thin again for this size and type.
        bounds = _bounds(fig)
        if bounds is not None:
            labels = map_parts.thin_labels(labels, bounds, width, height, px(LABEL_PX))
    if len(labels):
        text = alt.Chart(labels[["name", "lon", "lat"]]).encode(
            longitude="lon:Q", latitude="lat:Q", text="name:N"
        )
        style = {"fontSize": px(LABEL_PX), "fontWeight": "bold", "limit": px(180)}
        # A white halo under each name keeps it legible on any fill.
        layers.append(text.mark_text(stroke="white", strokeWidth=3.5, strokeJoin="round",
                                     aria=False, **style))
        layers.append(text.mark_text(color=palette.TEXT, **style))
    # Vega does not wrap a title: long lines are broken to the map's width (0.5 em a letter).
    title = alt.TitleParams(
        fig.title, subtitle=_lines(fig.subtitle, text_width, px(12)), anchor="start",
        fontSize=px(16), color=palette.TEXT, subtitleColor=palette.MUTED_TEXT,
        subtitleFontSize=px(12),
    )  # fmt: skip
    drawn = alt.layer(*layers).project(type="mercator").properties(width=width, height=height)
    foot = alt.TitleParams(
        _lines(fig.source, text_width, px(11)), orient="bottom", anchor="start",
        fontSize=px(11), fontWeight="normal", color=palette.MUTED_TEXT,
    )  # fmt: skip
    # The titles go on the concats around the map, and the legend is the map's own: else Vega
    # places the legend beyond the longest title or source line rather than beside the map.
    framed = alt.vconcat(drawn).properties(title=foot).resolve_scale(color="independent")
    return alt.vconcat(framed).properties(title=title).configure_view(stroke=None)


_MONTH = re.compile(r"\b([A-Z][a-z]{2}) (\d{4})\b")


def _lines(text: str, width: float, font_px: float) -> list[str]:
    """The text broken into lines no wider than ``width``; a month ("Jan 2025") is never
    split across two."""
    kept = _MONTH.sub("\\1\xa0\\2", text)  # textwrap breaks only at ASCII spaces
    most = max(int(width / (0.5 * font_px)), 20)
    return [line.replace("\xa0", " ") for line in textwrap.wrap(kept, most)] or [text]


def _bounds(fig: MapFigure) -> tuple | None:
    """What the map is fitted to: its areas and the district's outline (estates may cover a
    small part of the district)."""
    shapes = [shapely.geometry.shape(f["geometry"]) for f in fig.features if f.get("geometry")]
    if fig.outline is not None:
        shapes.append(shapely.geometry.shape(fig.outline))
    return shapely.union_all(shapes).bounds if shapes else None


def fitted_size(fig: MapFigure, most_width: int, most_height: int) -> tuple[int, int]:
    """The largest map within most_width x most_height with the areas' own shape (Web
    Mercator: longitude shrunk by cos(latitude)), so a legend beside it sits next to the map
    rather than across an empty margin."""
    bounds = _bounds(fig)
    if bounds is None:
        return most_width, most_height
    minx, miny, maxx, maxy = bounds
    wide = max(maxx - minx, 1e-9) * math.cos(math.radians((miny + maxy) / 2))
    aspect = wide / max(maxy - miny, 1e-9)
    if most_height * aspect <= most_width:
        return max(int(most_height * aspect), 1), most_height
    return most_width, max(int(most_width / aspect), 1)


def map_svg(fig: MapFigure) -> str:
    return export.chart_svg(map_chart(fig))


def map_png(fig: MapFigure, scale: float = 2) -> bytes:
    return export.chart_png(map_chart(fig), scale=scale)


def figure_for(
    engine: Engine,
    result: HotspotResult,
    metric: str,
    *,
    source: str,
    place: str | None = None,
) -> MapFigure:
    """Read the view's polygons and the district's outline, then make the figure (``place``
    defaults to the declared district's name)."""
    if place is None:
        with engine.connect() as conn:
            held = district.in_effect(conn)
        place = held.name if held.status == district.DECLARED else ""
    shapes = None
    if result.query.unit != "cells":
        shapes = area_frame(engine, result.query.layer, district_only=True).geometry
    outline = map_parts.district_outline(engine)
    return map_figure(result, metric, shapes, outline, source=source, place=place)
