"""Real data: with Colchester declared inside the Essex force's LSOAs, hotspot pages read and
draw only the district's 105 LSOAs (not the force's 1,077), and its outline is their union."""

from __future__ import annotations

import json
import shutil

import pytest
import shapely

from csp_dash.cli import commands as cli
from csp_dash.db.engine import make_engine
from csp_dash.hotspots.areas import area_frame
from csp_dash.hotspots.map_parts import district_outline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def colchester(essex_loaded: str, tmp_path_factory: pytest.TempPathFactory):
    copy = tmp_path_factory.mktemp("colchester") / "essex.duckdb"
    shutil.copy(essex_loaded.removeprefix("duckdb:///"), copy)
    url = f"duckdb:///{copy}"
    assert cli.main(["district", "set", "--prefix", "Colchester", "--db", url]) == 0
    eng = make_engine(url)
    yield eng
    eng.dispose()


def _colchester_shapes() -> dict:
    from tests.conftest import ESSEX

    with open(ESSEX / "essex_lsoa2011_boundaries.geojson", encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    return {f["properties"]["LSOA11CD"]: shapely.geometry.shape(f["geometry"]) for f in feats
            if f["properties"]["LSOA11NM"].startswith("Colchester")}


def test_only_the_district_lsoas_are_read(colchester):
    mine = _colchester_shapes()
    assert len(mine) == 105
    assert set(area_frame(colchester, "lsoa", district_only=True).index) == set(mine)
    assert len(area_frame(colchester, "lsoa")) == 1077  # the force's layer is still loaded


def test_the_outline_is_the_union_of_the_district_lsoas(colchester):
    expected = shapely.union_all(list(_colchester_shapes().values()))
    outline = district_outline(colchester)
    assert outline is not None
    assert abs(outline.area - expected.area) / expected.area < 1e-3
    assert shapely.symmetric_difference(outline, expected).area / expected.area < 1e-3
