"""The cells layer after the cube's restructure (cells only while a district is in effect):
on the demo, whose district is in effect, the hotspot figures equal those from the cells
layer as it was built before (every located record's cell, the SQL kept here)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, func, insert, literal, select

from csp_dash.db.cube import H3_LAYER, POLICE
from csp_dash.db.district import EVERYTHING, in_effect, member
from csp_dash.db.engine import make_engine
from csp_dash.db.queries import month_range
from csp_dash.db.schema import crimes, cube, location_areas
from csp_dash.harm import default_weights
from csp_dash.hotspots.analysis import HotspotQuery, analyse


def _old_cells_layer(conn) -> None:
    """The cells layer as the cube built it before the restructure (main at 647645e)."""
    la = location_areas
    inside = member(conn, crimes.c.lsoa_code, crimes.c.location_key)
    conn.execute(delete(cube).where(cube.c.layer == H3_LAYER, cube.c.source == POLICE))
    sel = (select(literal(POLICE), crimes.c.month, la.c.layer, la.c.area_code, crimes.c.category,
                  func.count())
           .select_from(crimes.join(la, la.c.location_key == crimes.c.location_key))
           .where(la.c.area_code != "", la.c.layer == H3_LAYER, inside)
           .group_by(crimes.c.month, la.c.layer, la.c.area_code, crimes.c.category))
    conn.execute(insert(cube).from_select(
        ["source", "month", "layer", "area_code", "category", "count"], sel))


def _cells(engine) -> pd.DataFrame:
    c = cube.c
    with engine.connect() as conn:
        return pd.read_sql(select(c.month, c.area_code, c.category, c["count"])
                           .where(c.layer == H3_LAYER, c.source == POLICE)
                           .order_by(c.month, c.area_code, c.category), conn)


def _figures(engine) -> pd.DataFrame:
    last = month_range(engine)[1]
    first = (pd.Timestamp(last) - pd.DateOffset(months=11)).date()
    q = HotspotQuery(layer="lsoa", categories=None, current=(first, last), unit="cells")
    table = analyse(engine, q, default_weights("equal")).table
    return table.sort_index()


@pytest.fixture
def demo_copy(demo_db: str, tmp_path: Path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db.removeprefix("duckdb:///"), path)
    engine = make_engine(f"duckdb:///{path}")
    yield engine
    engine.dispose()


def test_demo_hotspot_cells_equal_the_old_cells_layer(demo_copy):
    engine = demo_copy
    with engine.connect() as conn:
        assert in_effect(conn).status != EVERYTHING
    now_cells, now = _cells(engine), _figures(engine)
    assert len(now_cells) > 1000 and now["gi_z"].notna().sum() > 100  # figures with teeth
    with engine.begin() as conn:
        _old_cells_layer(conn)
    pd.testing.assert_frame_equal(_cells(engine), now_cells)
    pd.testing.assert_frame_equal(_figures(engine), now)
