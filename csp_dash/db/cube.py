"""Keep the monthly cube (month x layer x area x category -> count) in step with the crimes.

Every layer counts only the district's records (``db.district.member``): "all" is the
district as a whole; lsoa uses the CSV's own LSOA code (police.uk points are snapped, so
point-in-polygon would misplace about 13% of them); other layers (and "h3", the hexagonal
cells) use the snapped point's assigned area. Two more layers count what is left out, so
pages can say it: "_outside" (records with a location outside the district) and
"_no_location" (records with none). Layers starting with "_" are never areas.

The cube grows with the district, not with the rows loaded: the cells layer, the largest
(a cell-month-category row for most located records), is built only while a district is in
effect (declared, or the loaded LSOA layer proposed); with neither, a force-wide or national
load would make it as large as the raw data (docs/methods.md, "The cube's size").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, case, delete, func, insert, literal, select

from csp_dash.db.district import EVERYTHING, in_effect, member
from csp_dash.db.schema import crimes, cube, location_areas

ALL_LAYER = "all"
ALL_AREA = "all"
LSOA_LAYER = "lsoa"
POLICE = "police"
# Hexagonal cells for hotspot analysis, assigned at ingest (resolution 9: ~0.1 km2, 174 m edge).
H3_LAYER = "h3"
H3_RESOLUTION = 9
OUTSIDE_LAYER = "_outside"  # located records outside the district: counted, never an area
NO_LOCATION_LAYER = "_no_location"
LEFT_OUT_LAYERS = (OUTSIDE_LAYER, NO_LOCATION_LAYER)


def rebuild_cube(conn: Connection, *, months: Iterable[date] | None = None,
                 layers: Iterable[str] | None = None) -> None:
    """Recompute the police cube rows for the given months and/or layers (None means all)."""
    months = None if months is None else sorted(set(months))
    layers = None if layers is None else sorted(set(layers))
    stmt = delete(cube).where(cube.c.source == POLICE)
    if months is not None:
        stmt = stmt.where(cube.c.month.in_(months))
    if layers is not None:
        dropped = [*layers, *LEFT_OUT_LAYERS] if ALL_LAYER in layers else layers
        stmt = stmt.where(cube.c.layer.in_(dropped))
    conn.execute(stmt)

    inside = member(conn, crimes.c.lsoa_code, crimes.c.location_key)

    def month_filter(sel):
        return sel if months is None else sel.where(crimes.c.month.in_(months))

    cols = ["source", "month", "layer", "area_code", "category", "count"]
    if layers is None or ALL_LAYER in layers:
        # The district, the located records outside it and those with no location: one scan
        # for the three (they exclude each other: no-location records are never inside).
        which = case((inside, literal(ALL_LAYER)),
                     (crimes.c.location_key.is_not(None), literal(OUTSIDE_LAYER)),
                     (crimes.c.lsoa_code.is_(None), literal(NO_LOCATION_LAYER)))
        sel = (select(literal(POLICE), crimes.c.month, which, literal(ALL_AREA),
                      crimes.c.category, func.count())
               .where(which.is_not(None)).group_by(crimes.c.month, which, crimes.c.category))
        conn.execute(insert(cube).from_select(cols, month_filter(sel)))
    if layers is None or LSOA_LAYER in layers:
        sel = (select(literal(POLICE), crimes.c.month, literal(LSOA_LAYER), crimes.c.lsoa_code,
                      crimes.c.category, func.count())
               .where(crimes.c.lsoa_code.is_not(None), inside)
               .group_by(crimes.c.month, crimes.c.lsoa_code, crimes.c.category))
        conn.execute(insert(cube).from_select(cols, month_filter(sel)))
    point_layers = [x for x in layers if x not in (ALL_LAYER, LSOA_LAYER)] if layers else None
    if point_layers == []:
        return
    cells = in_effect(conn).status != EVERYTHING
    la = location_areas
    sel = (select(literal(POLICE), crimes.c.month, la.c.layer, la.c.area_code, crimes.c.category,
                  func.count())
           .select_from(crimes.join(la, la.c.location_key == crimes.c.location_key))
           .where(la.c.area_code != "", la.c.layer != LSOA_LAYER, inside)
           .group_by(crimes.c.month, la.c.layer, la.c.area_code, crimes.c.category))
    if point_layers is not None:
        sel = sel.where(la.c.layer.in_(point_layers))
    if not cells:
        sel = sel.where(la.c.layer != H3_LAYER)
    conn.execute(insert(cube).from_select(cols, month_filter(sel)))
