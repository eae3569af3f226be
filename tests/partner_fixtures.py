"""Small partner files, mappings and boundaries for the partner and domestic abuse tests."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

from csp_dash.ingest.boundaries import import_boundaries
from csp_dash.ingest.partner.mapping import PartnerMapping

SECRET = "test-secret-0123"
HEADER = [
    "Ref",
    "Date",
    "Offence",
    "Latitude",
    "Longitude",
    "LSOA code",
    "Estate",
    "Victim ID",
    "DA flag",
    "Repeat",
]
# Two LSOAs and two estates, side by side (degrees): estate A inside LSOA 1, B inside LSOA 2.
LSOA_1, LSOA_2 = box(1.00, 51.70, 1.01, 51.71), box(1.01, 51.70, 1.02, 51.71)
EST_A, EST_B = box(1.001, 51.701, 1.005, 51.705), box(1.011, 51.701, 1.015, 51.705)


def mapping(**changes) -> PartnerMapping:
    base = dict(
        theme="Domestic abuse",
        date_column="Date",
        date_format="DD/MM/YYYY",
        category_column="Offence",
        latitude_column="Latitude",
        longitude_column="Longitude",
        lsoa_column="LSOA code",
        estate_column="Estate",
        key_column="Victim ID",
        flags={"repeat": "Repeat"},
        police_categories={"Violence with injury": "Violence and sexual offences"},
    )
    base.update(changes)
    return PartnerMapping(**base)


def row(
    date: str = "05/01/2024",
    offence: str = "Violence with injury",
    lat: str = "",
    lon: str = "",
    lsoa: str = "",
    estate: str = "",
    victim: str = "VICTIM-0001",
    da: str = "Y",
    repeat: str = "N",
    ref: str = "REF/000001",
) -> list[str]:
    return [ref, date, offence, lat, lon, lsoa, estate, victim, da, repeat]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def load_boundaries(engine, folder: Path) -> None:
    """LSOAs E01000001/E01000002 and estates EST-A ("Hollins Park") / EST-B ("Brookfield")."""
    folder.mkdir(parents=True, exist_ok=True)
    for layer, codes, names, geoms in (
        ("lsoa", ["E01000001", "E01000002"], ["L1", "L2"], [LSOA_1, LSOA_2]),
        ("estate", ["EST-A", "EST-B"], ["Hollins Park", "Brookfield"], [EST_A, EST_B]),
    ):
        path = folder / f"{layer}.geojson"
        gpd.GeoDataFrame({"code": codes, "name": names}, geometry=geoms, crs="EPSG:4326").to_file(
            path, driver="GeoJSON"
        )
        import_boundaries(engine, path, layer, "code", "name")
