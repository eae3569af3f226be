"""Hotspots on a small hand-made district, through the real ingest and cube, on DuckDB and
PostgreSQL: counts, change, rate, Gi* against esda, H3 cells, profile and appendices."""

from __future__ import annotations

import io
import json
import warnings
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import esda
import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import Queen
from shapely.geometry import box

from csp_dash.analysis.concentration import share_for
from csp_dash.analysis.gistar import fdr_bh
from csp_dash.cli import commands as cli
from csp_dash.db.cube import H3_LAYER
from csp_dash.district import declare
from csp_dash.harm import default_weights
from csp_dash.hotspots.analysis import HotspotQuery, analyse, build_domain
from csp_dash.hotspots.appendix import NOT_FOR_PUBLIC, TOTAL, appendix_stamp, appendix_tables
from csp_dash.hotspots.cells import cell_universe
from csp_dash.hotspots.estate_profile import estate_profile
from csp_dash.hotspots.figures import month_matrix
from csp_dash.hotspots.layer_counts import CubeCounts, HeldCounts, layer_counts
from csp_dash.ingest.boundaries import import_boundaries, import_population
from csp_dash.ingest.police import ingest_police
from tests.policeuk_files import crime, write_street_csv

X0, Y0, STEP = 1.00, 51.70, 0.01  # a 4 x 4 grid of estates, each 0.01 degrees square
HOT = {(0, 0), (0, 1), (1, 0), (1, 1)}
CURRENT = (date(2024, 1, 1), date(2024, 12, 1))
CATS = ("Burglary", "Violence and sexual offences")
OUTSIDE = (1.20, 51.90)  # a map point beyond the district (police.uk snaps over boundaries)


def _code(r: int, c: int) -> str:
    return f"EST{r}{c}"


def _records() -> pd.DataFrame:
    """Every crime written: month, category, lon, lat, estate. Hot estates: 30 this year and 10
    last year; the rest 3 and 3. Categories alternate; points are distinct inside each box."""
    rows = []
    for r in range(4):
        for c in range(4):
            hot = (r, c) in HOT
            for year, n in ((2024, 30 if hot else 3), (2023, 10 if hot else 3)):
                for k in range(n):
                    rows.append({
                        "month": f"{year}-{k % 12 + 1:02d}",
                        "category": CATS[k % 2],
                        "lon": X0 + c * STEP + 0.001 + (k % 8) * 0.001,
                        "lat": Y0 + r * STEP + 0.001 + (k // 8) * 0.002,
                        "estate": _code(r, c),
                    })  # fmt: skip
    rows.append({"month": "2024-06", "category": "Burglary", "lon": OUTSIDE[0],
                 "lat": OUTSIDE[1], "estate": None})  # fmt: skip
    # Every month of both years has a file, so both windows are complete and compared; the
    # months with no estate records get one record with no location.
    for month in pd.date_range("2023-01-01", "2024-12-01", freq="MS").strftime("%Y-%m"):
        if month not in {r["month"] for r in rows}:
            rows.append({"month": month, "category": "Other crime", "lon": None, "lat": None,
                         "estate": None})
    return pd.DataFrame(rows)


def _estates() -> gpd.GeoDataFrame:
    cells = [(r, c) for r in range(4) for c in range(4)]
    return gpd.GeoDataFrame(
        {"code": [_code(r, c) for r, c in cells], "name": [f"Estate {r}{c}" for r, c in cells]},
        geometry=[box(X0 + c * STEP, Y0 + r * STEP, X0 + (c + 1) * STEP, Y0 + (r + 1) * STEP)
                  for r, c in cells],
        crs="EPSG:4326",
    )  # fmt: skip


POPULATION = {_code(r, c): 1000 + 100 * (4 * r + c) for r in range(4) for c in range(4)}


@pytest.fixture
def district(engine, tmp_path: Path):
    est = _estates()
    est.to_file(tmp_path / "estates.geojson")
    gpd.GeoDataFrame({"code": ["D1"], "name": ["Testvale"]},
                     geometry=[box(X0, Y0, X0 + 4 * STEP, Y0 + 4 * STEP)],
                     crs="EPSG:4326").to_file(tmp_path / "district.geojson")  # fmt: skip
    import_boundaries(engine, tmp_path / "district.geojson", "district", "code", "name")
    import_boundaries(engine, tmp_path / "estates.geojson", "estate", "code", "name")
    pd.DataFrame({"code": list(POPULATION), "population": list(POPULATION.values())}).to_csv(
        tmp_path / "pop.csv", index=False
    )
    import_population(engine, tmp_path / "pop.csv", "estate", "code", "population")
    recs = _records()
    folder = tmp_path / "street"
    for month, group in recs.groupby("month"):
        rows = [
            crime(month, row.category, lon=None if pd.isna(row.lon) else row.lon,
                  lat=None if pd.isna(row.lat) else row.lat,
                  lsoa="" if pd.isna(row.lon) else "E01000001", crime_id=f"{month}-c{i}")
            for i, row in enumerate(group.itertuples())
        ]
        write_street_csv(folder, month, rows)
    ingest_police(engine, [folder])
    # Declared, as a partnership does: the cube counts cells for a district only (db/cube.py).
    declare.from_boundary(engine, tmp_path / "district.geojson", "Testvale")
    return engine, recs


def _query(**kw) -> HotspotQuery:
    return HotspotQuery(**{"layer": "estate", "categories": None, "current": CURRENT, **kw})


def test_area_counts_change_rate_and_rank_match_the_rows_written(district):
    engine, recs = district
    result = analyse(engine, _query(), default_weights("css"))
    t = result.table
    year = recs["month"].str[:4]
    cur = recs[year == "2024"].groupby("estate").size()
    prev = recs[year == "2023"].groupby("estate").size()
    assert t["count"].to_dict() == cur.to_dict()
    assert t["previous"].to_dict() == prev.to_dict()
    hot = t.loc["EST00"]
    assert (hot["count"], hot["previous"], hot["change"]) == (30, 10, 20)
    assert hot["z"] == pytest.approx(2 * (np.sqrt(30) - np.sqrt(10)))
    assert hot["direction"] == "increase"
    assert t.loc["EST33", "direction"] == "no significant change"
    assert hot["rate"] == pytest.approx(30 / 1000 * 1000)  # EST00 has 1,000 residents
    assert t.loc["EST11", "rate"] == pytest.approx(30 / POPULATION["EST11"] * 1000)
    assert t.loc["EST00", "rank_count"] == 1 and t.loc["EST33", "rank_count"] == 5
    css = default_weights("css")
    expected_harm = 15 * css["Burglary"] + 15 * css["Violence and sexual offences"]
    assert hot["harm"] == pytest.approx(expected_harm)
    assert result.previous == (date(2023, 1, 1), date(2023, 12, 1))


def test_area_gi_star_equals_esda_on_queen_weights_built_independently(district):
    engine, recs = district
    result = analyse(engine, _query(), default_weights("equal"))
    est = _estates().set_index("code")
    w = Queen.from_dataframe(est, use_index=True, silence_warnings=True)
    y = recs[recs["month"].str[:4] == "2024"].groupby("estate").size().reindex(w.id_order)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(y.to_numpy(float), w, transform="B", permutations=0, star=True)
    got = result.table.loc[w.id_order]
    np.testing.assert_allclose(got["gi_z"], g.Zs, rtol=1e-10)
    from scipy import stats

    p = 2 * stats.norm.sf(np.abs(g.Zs))
    np.testing.assert_allclose(got["p_fdr"], fdr_bh(p), rtol=1e-10)
    assert got.loc["EST00", "significance"].startswith("hot")
    # 4 x 4 queen lattice: (4 corners x 3 + 8 edges x 5 + 4 inner x 8) / 16 = 5.25 neighbours
    assert "Queen contiguity, 16 estates, mean 5.2 neighbours" in result.weights_statement


def test_concentration_is_exact_for_the_district(district):
    engine, _ = district
    result = analyse(engine, _query(), default_weights("css"))
    # 4 hot estates hold 30 each (120) and 12 hold 3 (36): 156 in all. Half is 78, which
    # the three busiest reach (90): 3 of 16 estates, 18.75%.
    c = result.concentration
    assert (c.units, c.n_units) == (3, 16) and c.unit_share == pytest.approx(0.1875)
    assert c.headline.endswith("in 18.8% of estates (3 of 16).")


def test_cells_are_the_district_cells_with_crime_and_their_neighbours(district):
    engine, recs = district
    result = analyse(engine, _query(unit="cells"), default_weights("css"))
    cells = set(result.table.index)
    located = recs[recs["estate"].notna() & (recs["month"].str[:4] == "2024")]
    busy = {
        h3.latlng_to_cell(la, lo, 9) for lo, la in zip(located["lon"], located["lat"], strict=True)
    }
    assert busy <= cells  # every cell with crime this year, even astride the boundary
    outside = h3.latlng_to_cell(OUTSIDE[1], OUTSIDE[0], 9)
    assert outside not in cells
    assert result.outside == {"areas": 1, "count": 1}
    ring = set().union(*(h3.grid_ring(c, 1) for c in busy))
    assert cells <= busy | ring
    for c in cells - busy:  # added neighbours: centre inside the district square
        lat, lon = h3.cell_to_latlng(c)
        assert X0 <= lon <= X0 + 4 * STEP and Y0 <= lat <= Y0 + 4 * STEP
    assert len(cells - busy) > 0
    assert result.table["count"].sum() == len(located)


def test_cell_weights_join_only_h3_neighbours(district):
    engine, _ = district
    domain = build_domain(engine, _query(unit="cells"))
    w = domain.weights.w
    for cell, neighbours in w.neighbors.items():
        assert set(neighbours) <= set(h3.grid_ring(cell, 1))
        assert set(neighbours) == set(h3.grid_ring(cell, 1)) & set(domain.units)
    assert "H3 contiguity" in domain.weights.description


def test_resolution_8_counts_equal_an_independent_h3_grouping(district):
    engine, recs = district
    result = analyse(engine, _query(unit="cells", resolution=8), default_weights("css"))
    cur = recs[(recs["month"].str[:4] == "2024") & recs["estate"].notna()]
    # Resolution 8 cells are the parents of each record's resolution-9 cell (H3 nests only
    # approximately, so near an edge this can differ from the res-8 hexagon holding the point).
    expected = cur.apply(
        lambda r: h3.cell_to_parent(h3.latlng_to_cell(r["lat"], r["lon"], 9), 8), axis=1
    ).value_counts()
    got = result.table["count"]
    assert got[got > 0].sort_index().to_dict() == expected.sort_index().to_dict()
    assert all(h3.get_resolution(c) == 8 for c in result.table.index)
    hull = None  # no clipping: the same cells plus neighbours, without the district test
    cells = CubeCounts(engine, H3_LAYER)
    assert set(cell_universe(cells, CURRENT, 8, hull)) >= set(result.table.index)


def test_profile_matches_the_estate_and_the_district(district, tmp_path):
    engine, recs = district
    # Declared from its boundary: every record of an LSOA mostly inside it is the district's
    # (here all records carry one LSOA code, the point beyond the boundary's included).
    declare.from_boundary(engine, tmp_path / "district.geojson", "Testvale")
    result = analyse(engine, _query(), default_weights("css"))
    prof = estate_profile(engine, result, "EST00", default_weights("css"))
    s = prof.summary
    in_2024 = recs[(recs["month"].str[:4] == "2024") & recs["lon"].notna()]
    assert s["area"]["count"] == 30 and s["area"]["previous"] == 10
    assert s["district"]["count"] == len(in_2024)  # the district's own total
    assert s["share_of_district"] == pytest.approx(30 / len(in_2024))
    assert prof.district == "Testvale" and s["rank_count"] == 1 and s["n_areas"] == 16
    cats = prof.categories.set_index("category")
    assert cats.loc["Burglary", "count"] == 15 and cats.loc["Burglary", "previous"] == 5
    monthly = prof.monthly[prof.monthly["place"] == prof.name]
    in_window = monthly["month"].between(pd.Timestamp(CURRENT[0]), pd.Timestamp(CURRENT[1]))
    assert monthly.loc[in_window, "count"].sum() == 30
    assert len(monthly) == 24  # the comparison year and the period, month by month


def test_appendix_tables_hold_every_estate_and_category(district):
    engine, recs = district
    result = analyse(engine, _query(), default_weights("css"))
    by_area, by_cat = appendix_tables(result, list(CATS))
    assert len(by_area) == len(by_cat) == 16 * (len(CATS) + 1)
    cur_col = "Jan 2024 to Dec 2024"
    in_2024 = recs[recs["month"].str[:4] == "2024"].groupby(["estate", "category"]).size()
    for (code, cat), n in in_2024.items():
        row = by_area[(by_area["Estate code"] == code) & (by_area["Category"] == cat)]
        assert int(row[cur_col].iloc[0]) == n
    totals = by_area[by_area["Category"] == TOTAL].set_index("Estate code")[cur_col]
    assert totals["EST00"] == 30 and totals.sum() == in_2024.sum()
    first = by_cat.iloc[0]
    assert first["Category"] == CATS[0] and first["Rank in category"] == 1
    stamp = appendix_stamp(result, "Appendix: by estate and category")
    assert stamp[0] == NOT_FOR_PUBLIC


def test_cli_prints_counts_gi_and_concentration_as_json(district, capsys):
    engine, recs = district
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()  # DuckDB allows one writer process; the CLI opens its own engine
    buf = io.StringIO()
    with redirect_stdout(buf):
        code = cli.main(
            [
                "hotspots",
                "--db",
                url,
                "--layer",
                "estate",
                "--category",
                "Burglary",
                "--period",
                "2024-01:2024-12",
                "--format",
                "json",
            ]
        )
    assert code == 0
    out = json.loads(buf.getvalue())
    burglary = recs[(recs["month"].str[:4] == "2024") & (recs["category"] == "Burglary")]
    expected = burglary.groupby("estate").size()
    got = {u["code"]: u["count"] for u in out["units"]}
    assert got == expected.to_dict()
    assert set(out["units"][0]) == {
        "code",
        "name",
        "count",
        "previous",
        "change",
        "pct",
        "z",
        "direction",
        "rate",
        "gi_z",
        "p",
        "p_fdr",
        "significance",
        "class",
    }
    share = share_for(expected.reindex(sorted(got), fill_value=0))
    assert out["concentration"]["units"] == share["units"]
    assert out["concentration"]["n_units"] == 16
    assert out["method"]["fdr"] == "Benjamini-Hochberg" and out["method"]["p_method"] == "normal"
    assert out["categories"] == ["Burglary"] and out["label"] == "burglary"


WINDOWS = [CURRENT, (date(2023, 1, 1), date(2023, 12, 1)), (date(2024, 5, 1), date(2024, 7, 1)),
           (date(2030, 1, 1), date(2030, 2, 1))]  # the last: no rows at all


@pytest.mark.parametrize("layer", ["estate", H3_LAYER])
def test_held_counts_equal_the_database_s_sums(district, layer):
    """Held in memory or read per window, every window, filter and grouping gives one frame."""
    engine, _ = district
    held, read = HeldCounts.read(engine, layer), CubeCounts(engine, layer)
    assert len(held.rows) > 20
    for win in WINDOWS:
        for cats in (None, ["Burglary"], ["Burglary", "Other crime"], ["No such category"]):
            for by in (("area", "category"), ("month", "area"), ("area",), ("category",)):
                want, got = read.window(win, cats, by), held.window(win, cats, by)
                assert list(got.columns) == [*by, "count"]
                pd.testing.assert_frame_equal(got, want, check_dtype=False,
                                              obj=f"{layer} {win} {cats} {by}")
                assert got["count"].dtype == "int64"
                assert (got["count"] > 0).all()


@pytest.mark.parametrize("unit", ["areas", "cells"])
def test_analysis_from_held_counts_equals_the_database_read(district, unit):
    engine, _ = district
    q = _query(unit=unit, categories=("Burglary",) if unit == "areas" else None)
    layer = "estate" if unit == "areas" else H3_LAYER
    want = analyse(engine, q, default_weights("css"))
    got = analyse(engine, q, default_weights("css"), counts=HeldCounts.read(engine, layer))
    pd.testing.assert_frame_equal(got.table, want.table)
    assert want.table["count"].sum() > 0
    assert got.outside == want.outside
    with pytest.raises(ValueError, match="counts of layer"):
        analyse(engine, q, default_weights("css"), counts=CubeCounts(engine, "ward"))


def test_only_a_layer_within_the_limit_is_held(district, monkeypatch):
    engine, _ = district
    monkeypatch.setenv("CSP_DASH_HELD_COUNT_ROWS", "10")  # the estate layer has more rows
    assert isinstance(layer_counts(engine, "estate"), CubeCounts)
    monkeypatch.setenv("CSP_DASH_HELD_COUNT_ROWS", "100000")
    assert isinstance(layer_counts(engine, "estate"), HeldCounts)


def test_month_matrix_sums_by_unit_and_month_and_leaves_out_the_rest():
    """A hand-worked example: two rows of one cell summed; other units and months dropped."""
    units = pd.Index(["A", "B", "C"], name="code")
    months = [date(2024, 1, 1), date(2024, 2, 1)]
    df = pd.DataFrame({
        "month": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-03-01",
                                 "2024-02-01"]).astype("datetime64[s]"),
        "area": ["A", "A", "C", "A", "Z"],
        "count": [2, 3, 7, 100, 100],
    })  # fmt: skip
    m = month_matrix(df, units, months)
    assert m.to_numpy().tolist() == [[5, 0], [0, 0], [0, 7]]
    assert list(m.index) == ["A", "B", "C"] and list(m.columns) == list(pd.to_datetime(months))
    assert month_matrix(df.iloc[:0], units, months).to_numpy().sum() == 0
