"""Synthetic force extract of burglary and vehicle crime for the demo, with exact dates and
coordinates, loaded by the real partner ingest as dataset ``crime_extract``.

Residential burglary carries a planted near-repeat pattern: after a quarter of burglaries a
neighbour within about 50-180 m is burgled 1-14 days later, and a few homes are burgled
again within four weeks. Theft from vehicles has no pattern (a control). Places follow the
police.uk burglary and vehicle-crime points of the demo district.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer
from sqlalchemy import Engine, select

from csp_dash.db.schema import crimes
from csp_dash.demo.geo import METRIC_CRS
from csp_dash.demo.police import DemoFiles
from csp_dash.ingest.partner.load import ingest_partner
from csp_dash.ingest.partner.mapping import PartnerMapping

DATASET = "crime_extract"
SEED = 1964  # Knox's year
MONTHS = 24  # the extract covers the demo's last two years
BURGLARY = "Residential burglary"
VEHICLE = "Theft from a vehicle"
BASE_PER_MONTH = {BURGLARY: 70.0, VEHICLE: 90.0}
NEAR_SHARE = 0.25  # burglaries followed by a neighbour's
NEAR_METRES = (50.0, 180.0)
NEAR_DAYS = (1, 14)
REPEAT_SHARE = 0.04  # burglaries followed by the same home again
REPEAT_DAYS = (1, 28)
POLICE_CATEGORY = {BURGLARY: "Burglary", VEHICLE: "Vehicle crime"}

MAPPING = PartnerMapping(
    theme="Acquisitive crime",
    date_column="Date committed",
    date_format="DD/MM/YYYY",
    category_column="Offence",
    latitude_column="Latitude",
    longitude_column="Longitude",
    coordinate_decimals=5,  # about 1 m: a force extract places each crime at its address
)


def _points(engine: Engine, category: str) -> np.ndarray:
    """police.uk points of a category (lon, lat), in a stable order."""
    c = crimes.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.longitude, c.latitude)
                            .where(c.category == category, c.longitude.is_not(None))
                            .order_by(c.month, c.row_no)).all()
    return np.asarray(rows, dtype=float).reshape(-1, 2)


def extract(rng: np.random.Generator, months: pd.DatetimeIndex,
            points: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per crime: date, offence, latitude, longitude (metres on the demo grid first)."""
    to_m = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    start, end = months[0], months[-1] + pd.offsets.MonthEnd(0)
    span = (end - start).days + 1
    parts = []
    for cat, rate in BASE_PER_MONTH.items():
        pts = points[cat]
        n = int(rng.poisson(rate * len(months)))
        pick = pts[rng.integers(0, len(pts), n)]
        x, y = to_m.transform(pick[:, 0], pick[:, 1])
        x, y = x + rng.normal(0, 40, n), y + rng.normal(0, 40, n)  # homes around the point
        day = rng.integers(0, span, n)
        parts.append(pd.DataFrame({"x": x, "y": y, "day": day, "Offence": cat}))
        if cat != BURGLARY:
            continue
        near = rng.random(n) < NEAR_SHARE
        k = int(near.sum())
        dist = rng.uniform(*NEAR_METRES, k)
        angle = rng.uniform(0, 2 * np.pi, k)
        parts.append(pd.DataFrame({
            "x": x[near] + dist * np.cos(angle), "y": y[near] + dist * np.sin(angle),
            "day": day[near] + rng.integers(NEAR_DAYS[0], NEAR_DAYS[1] + 1, k), "Offence": cat}))
        again = rng.random(n) < REPEAT_SHARE
        parts.append(pd.DataFrame({
            "x": x[again], "y": y[again], "Offence": cat,
            "day": day[again] + rng.integers(REPEAT_DAYS[0], REPEAT_DAYS[1] + 1, int(again.sum()))}))
    df = pd.concat(parts, ignore_index=True)
    df = df[df["day"] < span].sort_values("day", kind="stable").reset_index(drop=True)
    lon, lat = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True).transform(
        df["x"].to_numpy(), df["y"].to_numpy())
    return pd.DataFrame({
        "Crime number": [f"EX/{100000 + i}/{(start + pd.Timedelta(days=int(d))):%y}"
                         for i, d in enumerate(df["day"])],
        "Date committed": (start + pd.to_timedelta(df["day"], unit="D")).dt.strftime("%d/%m/%Y"),
        "Offence": df["Offence"],
        "Latitude": np.round(lat, 6),
        "Longitude": np.round(lon, 6),
    })


def write_extract(folder: Path, months: pd.DatetimeIndex, points: dict[str, np.ndarray]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DATASET}.csv"
    extract(np.random.default_rng(SEED), months, points).to_csv(
        path, index=False, lineterminator="\n", encoding="utf-8")
    (folder / f"{DATASET}.mapping.json").write_text(MAPPING.to_json(), encoding="utf-8")
    return path


def load(engine: Engine, files: DemoFiles) -> None:
    """Write the extract under files.root/partner and load it as dataset ``crime_extract``."""
    last = pd.Timestamp(f"{files.months[-1]}-01")
    months = pd.date_range(end=last, periods=MONTHS, freq="MS")
    points = {cat: _points(engine, police) for cat, police in POLICE_CATEGORY.items()}
    path = write_extract(Path(files.root) / "partner", months, points)
    ingest_partner(engine, path, DATASET, MAPPING)
