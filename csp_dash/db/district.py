"""Which records are the district's: the SQL the cube is built with, and what is in effect.

In effect is the declared district; with none declared, the loaded LSOA layer (proposed and
said on every page); with neither, every record with a location. Records with no location
are never in area figures: the cube counts them on their own line (docs/methods.md,
"The district").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, exists, func, select

from csp_dash.db.schema import areas
from csp_dash.db.schema_district import district_def, district_lsoas

LSOA_LAYER = "lsoa"
DECLARED, PROPOSED, EVERYTHING = "declared", "proposed", "everything"


@dataclass(frozen=True)
class InEffect:
    status: str  # DECLARED, PROPOSED (the loaded LSOA layer) or EVERYTHING (no district)
    name: str
    kind: str
    n_lsoas: int


def in_effect(conn: Connection) -> InEffect:
    row = conn.execute(select(district_def.c.name, district_def.c.kind)).first()
    if row is not None:
        n = conn.execute(select(func.count()).select_from(district_lsoas)).scalar()
        return InEffect(DECLARED, row.name, row.kind, int(n))
    n = conn.execute(select(func.count()).where(areas.c.layer == LSOA_LAYER)).scalar()
    if n:
        return InEffect(PROPOSED, "the loaded LSOAs", "lsoa layer", int(n))
    return InEffect(EVERYTHING, "every record loaded", "none", 0)


def lsoa_codes(conn: Connection) -> select:
    """A SELECT of the district's LSOA codes (declared, else the loaded LSOA layer)."""
    status = in_effect(conn).status
    if status == DECLARED:
        return select(district_lsoas.c.lsoa_code)
    return select(areas.c.code).where(areas.c.layer == LSOA_LAYER)


def member(conn: Connection, lsoa_col, key_col) -> ColumnElement:
    """SQL: the record is inside the district (its LSOA is one of the district's)."""
    status = in_effect(conn).status
    if status == EVERYTHING:
        return key_col.is_not(None) | lsoa_col.is_not(None)
    if status == DECLARED:
        d = district_lsoas.c
        return exists(select(d.lsoa_code).where(d.lsoa_code == lsoa_col))
    a = areas.c
    return exists(select(a.code).where(a.layer == LSOA_LAYER, a.code == lsoa_col))
