"""The synthetic demo district, checked by re-reading the written files with pandas/geopandas."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from csp_dash.demo.police import DEMO_FORCE, DEMO_FORCE_NAME, DemoFiles, write_demo_files

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)
# The 14 police.uk categories, typed out here rather than imported from the code under test.
CATEGORIES = {
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
    "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
}  # fmt: skip
# Outcome labels as they appear in real police.uk street files.
POLICE_UK_OUTCOMES = {
    "Investigation complete; no suspect identified", "Unable to prosecute suspect",
    "Under investigation", "Awaiting court outcome", "Local resolution",
    "Offender given a caution", "Formal action is not in the public interest",
    "Offender sent to prison", "Offender given community sentence",
    "Offender given suspended prison sentence", "Offender fined",
    "Offender given a drugs possession warning", "Court result unavailable",
    "Further investigation is not in the public interest", "Offender given penalty notice",
    "Action to be taken by another organisation", "Status update unavailable",
    "Offender given conditional discharge",
}  # fmt: skip
ASB = "Anti-social behaviour"
METRIC = "EPSG:27700"  # British National Grid: a metric CRS independent of the generator's


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """The full default demo: 60 months ending 2026-09 (takes about 2 s)."""
    return write_demo_files(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def records(demo: DemoFiles) -> pd.DataFrame:
    files = sorted(demo.street_dir.glob("*/*-street.csv"))
    df = pd.concat(
        [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True
    )
    df["period"] = pd.PeriodIndex(df["Month"], freq="M")
    return df


@pytest.fixture(scope="module")
def located(records: pd.DataFrame) -> gpd.GeoDataFrame:
    pts = records[records["Longitude"] != ""]
    geom = gpd.points_from_xy(pts["Longitude"].astype(float), pts["Latitude"].astype(float))
    return gpd.GeoDataFrame(pts, geometry=geom, crs="EPSG:4326")


def _monthly(records: pd.DataFrame, category: str) -> pd.Series:
    return records[records["Crime type"] == category].groupby("period").size().sort_index()


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_street_files_have_the_exact_police_uk_format(demo: DemoFiles):
    for month in demo.months:
        path = demo.street_dir / month / f"{month}-{DEMO_FORCE}-street.csv"
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        assert raw.decode("utf-8").split("\n", 1)[0] == HEADER
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert (df["Month"] == month).all()
        assert (df["Reported by"] == DEMO_FORCE_NAME).all()
        assert (df["Falls within"] == DEMO_FORCE_NAME).all()
        assert (df["Context"] == "").all()
        coords = df.loc[df["Longitude"] != "", ["Longitude", "Latitude"]].stack()
        assert coords.str.fullmatch(r"-?\d+\.\d{6}").all()


def test_categories_ids_and_outcomes(records: pd.DataFrame):
    assert set(records["Crime type"]) == CATEGORIES
    asb = records["Crime type"] == ASB
    assert (records.loc[asb, "Crime ID"] == "").all()
    assert (records.loc[asb, "Last outcome category"] == "").all()
    ids = records.loc[~asb, "Crime ID"]
    assert ids.str.fullmatch(r"[0-9a-f]{64}").all()
    assert ids.is_unique
    assert set(records.loc[~asb, "Last outcome category"]) <= POLICE_UK_OUTCOMES
    # Recent crimes are still open; old ones mostly resolved.
    open_ = records["Last outcome category"] == "Under investigation"
    last, first = records["period"].max(), records["period"].min()
    assert open_[~asb & (records["period"] == last)].mean() > 0.3
    assert open_[~asb & (records["period"] < first + 12)].mean() < 0.02


def test_one_month_missing_and_all_others_present(demo: DemoFiles):
    assert demo.months == sorted(demo.months) and len(demo.months) == 59
    expected = [str(p) for p in pd.period_range(end="2026-09", periods=60, freq="M")]
    assert demo.missing_month in expected[1:-1]
    assert demo.months == [m for m in expected if m != demo.missing_month]
    folders = sorted(p.name for p in demo.street_dir.iterdir())
    assert folders == demo.months
    months_before_end = pd.Period("2026-09", "M") - pd.Period(demo.missing_month, "M")
    assert 18 <= months_before_end.n <= 36  # "about two years before the end"


def test_yearly_volume_and_mix(records: pd.DataFrame, demo: DemoFiles):
    end = pd.Period("2026-09", "M")
    for year in range(5):
        in_year = (records["period"] > end - 12 * (year + 1)) & (
            records["period"] <= end - 12 * year
        )
        months_present = records.loc[in_year, "period"].nunique()
        total = in_year.sum() * 12 / months_present  # scale up the year holding the gap
        assert 25_000 <= total <= 35_000
        year_types = records.loc[in_year, "Crime type"]
        assert 0.22 <= (year_types == ASB).mean() <= 0.33
        crimes = year_types[year_types != ASB]
        assert 0.25 <= (crimes == "Violence and sexual offences").mean() <= 0.36


def test_no_location_rows(records: pd.DataFrame):
    no_loc = records["Longitude"] == ""
    assert 0.005 <= no_loc.mean() <= 0.03
    empty = ["Latitude", "LSOA code", "LSOA name"]
    assert (records.loc[no_loc, empty] == "").all().all()
    assert (records.loc[no_loc, "Location"] == "No Location").all()  # police.uk's own wording
    assert (records.loc[~no_loc, empty] != "").all().all()
    assert records.loc[~no_loc, "Location"].str.startswith("On or near ").all()


def test_every_located_row_lies_in_its_lsoa(located: gpd.GeoDataFrame, demo: DemoFiles):
    lsoas = gpd.read_file(demo.lsoa_geojson)
    joined = gpd.sjoin(located, lsoas[["code", "name", "geometry"]], predicate="within")
    assert len(joined) == len(located)  # each point in exactly one LSOA polygon
    assert (joined["LSOA code"] == joined["code"]).all()
    assert (joined["LSOA name"] == joined["name"]).all()


def test_records_are_snapped_to_a_fixed_set_of_named_points(located: gpd.GeoDataFrame):
    per_point = located.groupby(["Longitude", "Latitude"])["Location"].nunique()
    assert 1_500 <= len(per_point) <= 3_000
    assert (per_point == 1).all()  # a snap point always carries the same street name


def test_boundaries(demo: DemoFiles):
    district = gpd.read_file(demo.district_geojson)
    lsoas = gpd.read_file(demo.lsoa_geojson)
    wards = gpd.read_file(demo.wards_geojson)
    estates = gpd.read_file(demo.estates_geojson)
    for layer in (district, lsoas, wards, estates):
        assert layer.crs.to_epsg() == 4326
        assert list(layer.columns) == ["code", "name", "geometry"]
        assert layer["code"].is_unique and layer.is_valid.all()
    assert len(district) == 1 and district["code"].iloc[0] == "E07999999"
    outline = district.geometry.iloc[0]
    assert outline.geom_type == "Polygon"
    assert outline.area < 0.95 * outline.envelope.area  # irregular, not a rectangle
    x0, y0, x1, y1 = outline.bounds
    assert -1.95 <= x0 < x1 <= -1.75 and 52.55 <= y0 < y1 <= 52.68

    d_area = district.to_crs(METRIC).area.iloc[0]
    assert 70 <= len(lsoas) <= 90
    assert lsoas["code"].str.fullmatch(r"E01999\d{3}").all()
    assert lsoas["name"].str.fullmatch(r"Kestrel Vale \d{3}[A-Z]").all()
    lsoa_m = lsoas.to_crs(METRIC)
    assert lsoa_m.union_all().area == pytest.approx(d_area, rel=0.01)
    assert lsoa_m.area.sum() == pytest.approx(d_area, rel=0.01)  # so no overlaps either

    assert 8 <= len(wards) <= 12
    ward_m = wards.to_crs(METRIC)
    assert ward_m.area.sum() == pytest.approx(d_area, rel=0.01)
    # Wards are unions of LSOAs: every LSOA lies within exactly one ward.
    inner = gpd.GeoDataFrame(geometry=lsoa_m.buffer(-1.0), crs=METRIC)
    assert len(gpd.sjoin(inner, ward_m, predicate="within")) == len(lsoas)

    assert len(estates) >= 22 and estates["code"].str.fullmatch(r"EST\d{3}").all()
    est_m = estates.to_crs(METRIC)
    assert est_m.union_all().area == pytest.approx(est_m.area.sum(), rel=1e-9)  # no overlap
    assert est_m.within(district.to_crs(METRIC).geometry.iloc[0].buffer(1.0)).all()
    across = np.sqrt(est_m.area)  # a few hundred metres across
    assert across.min() > 150 and across.max() < 1_000
    assert est_m.area.sum() < 0.2 * d_area  # most of the district is outside any estate


def test_population_csv(demo: DemoFiles):
    pop = pd.read_csv(demo.population_csv)
    assert list(pop.columns) == ["code", "name", "population", "households"]
    lsoas = gpd.read_file(demo.lsoa_geojson)
    assert sorted(pop["code"]) == sorted(lsoas["code"])
    names = lsoas.set_index("code")["name"]
    assert (pop["name"] == pop["code"].map(names)).all()
    assert pop["population"].between(1_200, 2_200).all()
    assert (pop["population"] / pop["households"]).between(2.0, 2.6).all()


def test_seasonality(records: pd.DataFrame):
    def months_mean(series: pd.Series, months: set[int]) -> float:
        return series[[p.month in months for p in series.index]].mean()

    violence = _monthly(records, "Violence and sexual offences")
    asb = _monthly(records, ASB)
    burglary = _monthly(records, "Burglary")
    assert months_mean(violence, {7, 8}) > 1.15 * months_mean(violence, {1, 2})
    assert months_mean(asb, {7, 8}) > 1.15 * months_mean(asb, {1, 2})
    assert months_mean(burglary, {12, 1}) > months_mean(burglary, {6, 7})  # mild winter peak


def test_rising_and_falling_categories(records: pd.DataFrame):
    first, last = records["period"].min(), records["period"].max()
    early = records[records["period"] < first + 12]["Crime type"].value_counts()
    late = records[records["period"] > last - 12]["Crime type"].value_counts()
    ratio = late / early
    assert ratio["Shoplifting"] > 1.5
    assert ratio["Theft from the person"] > 1.1
    assert ratio["Violence and sexual offences"] > 1.03
    assert ratio["Burglary"] < 0.85
    assert ratio["Vehicle crime"] < 0.9
    assert ratio[ASB] < 0.9


def test_shoplifting_shows_spc_special_cause(records: pd.DataFrame):
    # XmR worked by hand: baseline = the first 24 months; limits = mean +/- 2.66 x mean moving range.
    counts = _monthly(records, "Shoplifting").to_numpy(float)
    base = counts[:24]
    centre = base.mean()
    ucl = centre + 2.66 * np.abs(np.diff(base)).mean()
    recent = counts[-12:]
    assert (recent > ucl).sum() >= 3  # points beyond the upper limit
    longest_run = max(
        len(r) for r in "".join("1" if v > centre else "0" for v in recent).split("0")
    )
    assert longest_run >= 7  # 7 in a row above the centre line
    # A step, not only the steady rise: the last 10 months vs the 12 before them.
    assert counts[-10:].mean() > 1.25 * counts[-22:-10].mean()


def test_crime_is_concentrated(located: gpd.GeoDataFrame, demo: DemoFiles):
    estates = gpd.read_file(demo.estates_geojson)
    in_estate = gpd.sjoin(located, estates[["name", "geometry"]], predicate="within")
    per_estate = in_estate["name"].value_counts().reindex(estates["name"], fill_value=0)
    top = math.ceil(0.1 * len(estates))
    # Fair share of the top 10% of estates would be ~10%; hot estates make it far more.
    assert per_estate.nlargest(top).sum() / per_estate.sum() > 0.25

    # Densest LSOAs covering 10% of the district's area hold far more than 10% of crime.
    lsoas = gpd.read_file(demo.lsoa_geojson).to_crs(METRIC)
    lsoas["n"] = lsoas["code"].map(located["LSOA code"].value_counts()).fillna(0)
    lsoas = lsoas.assign(density=lsoas["n"] / lsoas.area).sort_values("density", ascending=False)
    area_share = lsoas.area.cumsum() / lsoas.area.sum()
    crime_share = lsoas["n"].cumsum() / lsoas["n"].sum()
    assert np.interp(0.1, area_share, crime_share) > 0.3

    # On a 250 m grid: roughly half of crime within about a tenth of the area.
    xy = located.to_crs(METRIC).get_coordinates() // 250
    counts = xy.value_counts().sort_values(ascending=False).to_numpy()
    n_cells = gpd.read_file(demo.district_geojson).to_crs(METRIC).area.iloc[0] / 250**2
    cells_for_half = np.searchsorted(np.cumsum(counts) / counts.sum(), 0.5) + 1
    assert 0.03 <= cells_for_half / n_cells <= 0.15


def test_an_emerging_and_a_former_estate(located: gpd.GeoDataFrame, demo: DemoFiles):
    estates = gpd.read_file(demo.estates_geojson)
    joined = gpd.sjoin(located, estates[["name", "geometry"]], predicate="within")
    first, last = located["period"].min(), located["period"].max()
    early = joined[joined["period"] < first + 24]["name"].value_counts() / 24
    late = joined[joined["period"] > last - 12]["name"].value_counts() / 12
    change = (late / early).reindex(estates["name"]).fillna(0)
    assert (change >= 3).sum() >= 1  # an emerging hotspot
    assert (change <= 1 / 3).sum() >= 1  # a former hotspot
    assert (change.between(0.7, 1.5)).sum() >= 15  # most estates are steady


def test_same_seed_same_bytes_other_seed_different(tmp_path: Path, demo: DemoFiles):
    a = write_demo_files(tmp_path / "a", seed=7, n_months=14)
    b = write_demo_files(tmp_path / "b", seed=7, n_months=14)
    c = write_demo_files(tmp_path / "c", seed=8, n_months=14)
    hashes_a = _hashes(a.root)
    assert len(hashes_a) == 13 + 5  # 13 street files (one gap) + 4 GeoJSON + population
    assert hashes_a == _hashes(b.root)
    hashes_c = _hashes(c.root)
    assert hashes_a.keys() == hashes_c.keys()
    assert all(hashes_a[k] != hashes_c[k] for k in hashes_a)
    write_demo_files(tmp_path / "a", seed=7, n_months=14)  # rewriting in place is stable
    assert _hashes(a.root) == hashes_a
    # A rerun over a longer demo leaves no stale month behind (the gap stays a gap).
    write_demo_files(tmp_path / "c", seed=7, n_months=20)
    write_demo_files(tmp_path / "c", seed=7, n_months=14)
    assert _hashes(c.root) == hashes_a
    # A month's file depends on the seed and the month only, not on how many months are written.
    d = write_demo_files(tmp_path / "d", seed=2026, n_months=14)
    last = f"2026-09/2026-09-{DEMO_FORCE}-street.csv"
    assert (d.street_dir / last).read_bytes() == (demo.street_dir / last).read_bytes()


def test_short_run_keeps_a_gap_inside_the_range(tmp_path: Path):
    files = write_demo_files(tmp_path, n_months=14, end_month="2025-03")
    expected = [str(p) for p in pd.period_range(end="2025-03", periods=14, freq="M")]
    assert files.missing_month in expected[1:-1]
    assert files.months == [m for m in expected if m != files.missing_month]
    assert re.fullmatch(r"\d{4}-\d{2}", files.missing_month)


@pytest.mark.parametrize(
    "kwargs", [{"n_months": 2}, {"end_month": "2026-13"}, {"end_month": "26-09"}]
)
def test_bad_arguments_are_refused(tmp_path: Path, kwargs: dict):
    with pytest.raises(ValueError):
        write_demo_files(tmp_path, **kwargs)
