"""The synthetic demo district "Kestrel Vale": police.uk-style files to try CSP Dash without data.

`write_demo_files` writes monthly street-crime CSVs in the exact police.uk format, LSOA, ward,
estate and district boundaries, and LSOA population. Everything follows from one seed, and a
month's file depends only on the seed and the month (not on how many months are written).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csp_dash.demo.geo import METRIC_CRS, DemoGeography, build_geography

DEMO_FORCE = "demoshire"
DEMO_FORCE_NAME = "Demoshire Police"
DEMO_DISTRICT_NAME = "Kestrel Vale"

STREET_COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
ASB = "Anti-social behaviour"
NO_LOCATION = "No Location"  # as real police.uk files write it
NO_LOCATION_SHARE = 0.015
MISSING_MONTH_LAG = 30  # the gap month sits ~2.5 years before the end (2024-03 by default)
OVERDISPERSION = 300.0  # gamma shape: monthly counts are negative binomial, not pure Poisson


@dataclass(frozen=True)
class _Category:
    last_year: float  # expected records in the final 12 months (before any step change)
    growth: float  # annual growth rate over the whole span
    amplitude: float  # seasonal amplitude (0.2 = +/-20%)
    peak: float  # month of the seasonal peak, 1..12
    town_centre: float  # share of the category in the town centre
    estate_pull: float  # multiplier on the estates' share
    outcomes: str  # outcome profile


CATEGORIES: dict[str, _Category] = {
    ASB: _Category(7300, -0.04, 0.22, 7.5, 0.12, 1.3, "asb"),
    "Bicycle theft": _Category(320, -0.03, 0.35, 7.0, 0.25, 0.6, "theft"),
    "Burglary": _Category(1250, -0.07, 0.10, 12.5, 0.02, 1.1, "theft"),
    "Criminal damage and arson": _Category(2100, -0.02, 0.08, 10.5, 0.08, 1.3, "theft"),
    "Drugs": _Category(550, -0.06, 0.05, 6.0, 0.18, 1.6, "drugs"),
    "Other crime": _Category(650, 0.02, 0.05, 7.0, 0.10, 0.9, "violence"),
    "Other theft": _Category(1800, -0.01, 0.06, 8.0, 0.28, 0.6, "theft"),
    "Possession of weapons": _Category(230, 0.05, 0.05, 7.0, 0.20, 1.4, "weapons"),
    "Public order": _Category(2300, 0.01, 0.12, 7.0, 0.22, 1.0, "violence"),
    "Robbery": _Category(260, 0.04, 0.06, 11.0, 0.25, 1.0, "theft"),
    "Shoplifting": _Category(2600, 0.12, 0.06, 12.0, 0.48, 0.3, "shop"),
    "Theft from the person": _Category(380, 0.09, 0.08, 12.0, 0.55, 0.3, "theft"),
    "Vehicle crime": _Category(1500, -0.05, 0.06, 11.0, 0.08, 1.1, "theft"),
    "Violence and sexual offences": _Category(6800, 0.03, 0.18, 7.0, 0.16, 1.0, "violence"),
}
SHOPLIFTING_STEP = (10, 1.35)  # the last 10 months run 35% higher: an SPC special cause

# Estate shares of all crime (before each category's estate_pull).
ESTATE_SHARE_NORMAL, ESTATE_SHARE_HOT, ESTATE_SHARE_QUIET = 0.0025, 0.022, 0.0015
N_HOT_ESTATES = 4
EMERGING_FROM = 12  # the emerging estate turns hot over the last 12 months
FORMER_UNTIL, FORMER_COOLED = 36, 24  # the former hotspot cools between these months before end

_FINAL_OUTCOMES: dict[str, dict[str, float]] = {
    "theft": {
        "Investigation complete; no suspect identified": 62,
        "Unable to prosecute suspect": 16,
        "Further investigation is not in the public interest": 3,
        "Local resolution": 3,
        "Offender given a caution": 1.5,
        "Awaiting court outcome": 4,
        "Offender fined": 1,
        "Offender given community sentence": 1.5,
        "Offender sent to prison": 1,
        "Status update unavailable": 5,
        "Action to be taken by another organisation": 1,
        "Formal action is not in the public interest": 1,
    },
    "violence": {
        "Unable to prosecute suspect": 48,
        "Investigation complete; no suspect identified": 12,
        "Local resolution": 6,
        "Offender given a caution": 4,
        "Awaiting court outcome": 8,
        "Formal action is not in the public interest": 4,
        "Offender sent to prison": 2,
        "Offender given community sentence": 2,
        "Offender given suspended prison sentence": 2,
        "Offender fined": 1,
        "Status update unavailable": 6,
        "Action to be taken by another organisation": 3,
        "Court result unavailable": 2,
    },
    "shop": {
        "Investigation complete; no suspect identified": 38,
        "Unable to prosecute suspect": 14,
        "Awaiting court outcome": 14,
        "Local resolution": 9,
        "Offender given a caution": 5,
        "Offender fined": 5,
        "Offender given community sentence": 4,
        "Offender sent to prison": 2,
        "Offender given conditional discharge": 2,
        "Status update unavailable": 5,
        "Offender given penalty notice": 2,
    },
    "drugs": {
        "Offender given a drugs possession warning": 26,
        "Local resolution": 18,
        "Offender given a caution": 12,
        "Awaiting court outcome": 13,
        "Unable to prosecute suspect": 10,
        "Investigation complete; no suspect identified": 5,
        "Offender given penalty notice": 4,
        "Offender sent to prison": 3,
        "Offender given community sentence": 3,
        "Status update unavailable": 6,
    },
    "weapons": {
        "Awaiting court outcome": 28,
        "Unable to prosecute suspect": 16,
        "Offender given a caution": 10,
        "Offender sent to prison": 10,
        "Offender given suspended prison sentence": 9,
        "Offender given community sentence": 8,
        "Local resolution": 5,
        "Investigation complete; no suspect identified": 5,
        "Status update unavailable": 6,
        "Court result unavailable": 3,
    },
}
_PENDING_OUTCOMES = {"Under investigation": 0.8, "Awaiting court outcome": 0.2}


@dataclass(frozen=True)
class DemoFiles:
    """Where the demo files were written, and which months they cover."""

    root: Path
    street_dir: Path
    lsoa_geojson: Path
    estates_geojson: Path
    wards_geojson: Path
    district_geojson: Path
    population_csv: Path
    months: list[str]
    missing_month: str


def _month_index(month: str) -> int:
    """Months since year 0 of a "YYYY-MM" label, so months can be added and subtracted."""
    year, mon = month.split("-")
    if len(year) != 4 or not 1 <= int(mon) <= 12:
        raise ValueError(f"month must be 'YYYY-MM', got {month!r}")
    return int(year) * 12 + int(mon) - 1


def _month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _estate_roles(size: np.ndarray, seed: int) -> np.ndarray:
    """Role per estate: "hot", "emerging", "former" or "normal" (chosen by the seed).

    The special roles go to the larger estates so that their story stands out from the noise.
    """
    large = np.flatnonzero(size >= np.quantile(size, 0.4))
    order = large[np.random.default_rng([seed, 2]).permutation(len(large))]
    n_estates = len(size)
    roles = np.full(n_estates, "normal", dtype=object)
    roles[order[:N_HOT_ESTATES]] = "hot"
    roles[order[N_HOT_ESTATES]] = "emerging"
    roles[order[N_HOT_ESTATES + 1]] = "former"
    return roles


def _estate_shares(roles: np.ndarray, size: np.ndarray, months_before_end: int) -> np.ndarray:
    """Each estate's share of all crime in a month `months_before_end` before the last.

    `size` is the estate's area over the mean estate area: bigger estates house more people.
    """
    shares = np.where(roles == "hot", ESTATE_SHARE_HOT, ESTATE_SHARE_NORMAL)
    # Emerging: quiet, then climbs to hot over ~3 months once inside the last year.
    ramp = 1 / (1 + np.exp((months_before_end - (EMERGING_FROM - 2)) / 1.2))
    shares[roles == "emerging"] = ESTATE_SHARE_QUIET + ramp * (
        ESTATE_SHARE_HOT - ESTATE_SHARE_QUIET
    )
    # Former: hot early on, cooling linearly to quiet.
    cool = np.clip((FORMER_UNTIL - months_before_end) / (FORMER_UNTIL - FORMER_COOLED), 0, 1)
    shares[roles == "former"] = ESTATE_SHARE_HOT + cool * (ESTATE_SHARE_QUIET - ESTATE_SHARE_HOT)
    return shares * size


def _point_weights(geo: DemoGeography) -> dict[str, np.ndarray]:
    """Normalised weights over snap points for the background, town centre and each estate."""
    snap, pop = geo.snap_points, geo.lsoas["population"].to_numpy(float)
    attract = snap["attract"].to_numpy()
    # Background: each LSOA in proportion to its population, spread over its points.
    per_lsoa = np.bincount(snap["lsoa"], weights=attract, minlength=len(pop))
    background = attract * pop[snap["lsoa"]] / per_lsoa[snap["lsoa"]]
    shops = np.where(snap["shop"], 25.0, 0.2) * attract
    town = np.where(snap["town_centre"], attract, 0.0)
    estate = snap["estate"].to_numpy()
    estates = np.array([np.where(estate == e, attract, 0.0) for e in range(len(geo.estates))])
    out = {
        "background": background,
        "shops": shops,
        "town": town,
        "town_shops": np.where(snap["town_centre"], shops, 0.0),
    }
    out = {k: v / v.sum() for k, v in out.items()}
    out["estates"] = estates / estates.sum(axis=1, keepdims=True)
    return out


def _outcome_table(profile: str, months_before_end: int) -> tuple[np.ndarray, np.ndarray]:
    """Outcome labels and probabilities; recent months are still mostly under investigation."""
    final = pd.Series(_FINAL_OUTCOMES[profile], dtype=float)
    final /= final.sum()
    pending = pd.Series(_PENDING_OUTCOMES) * 0.75 * np.exp(-months_before_end / 2.5)
    probs = final.mul(1 - pending.sum()).add(pending, fill_value=0.0)
    return probs.index.to_numpy(dtype=object), probs.to_numpy() / probs.sum()


def _month_records(
    geo: DemoGeography,
    weights: dict[str, np.ndarray],
    roles: np.ndarray,
    size: np.ndarray,
    seed: int,
    month_idx: int,
    end_idx: int,
) -> pd.DataFrame:
    """All records for one month, in police.uk row order (by LSOA name, no-location last)."""
    rng = np.random.default_rng([seed, 1, month_idx])
    ago = end_idx - month_idx
    calendar_month = month_idx % 12 + 1
    estate_shares = _estate_shares(roles, size, ago)
    point_idx, types, outcomes = [], [], []
    for name, cat in CATEGORIES.items():
        season = 1 + cat.amplitude * np.cos(2 * np.pi * (calendar_month - cat.peak) / 12)
        lam = cat.last_year / 12 * (1 + cat.growth) ** (-ago / 12) * season
        if name == "Shoplifting" and ago < SHOPLIFTING_STEP[0]:
            lam *= SHOPLIFTING_STEP[1]
        n = int(rng.poisson(lam * rng.gamma(OVERDISPERSION, 1 / OVERDISPERSION)))
        est = estate_shares * cat.estate_pull
        town_key, bg_key = (
            ("town_shops", "shops") if name == "Shoplifting" else ("town", "background")
        )
        probs = (
            weights[bg_key] * (1 - cat.town_centre - est.sum())
            + weights[town_key] * cat.town_centre
            + est @ weights["estates"]
        )
        point_idx.append(rng.choice(len(probs), n, p=probs / probs.sum()))
        types.append(np.full(n, name, dtype=object))
        labels, outcome_p = _outcome_table(cat.outcomes, ago) if name != ASB else (None, None)
        outcomes.append(
            rng.choice(labels, n, p=outcome_p)
            if labels is not None
            else np.full(n, "", dtype=object)
        )
    idx = np.concatenate(point_idx)
    located = rng.random(len(idx)) >= NO_LOCATION_SHARE
    crime_type, outcome = np.concatenate(types), np.concatenate(outcomes)
    snap, lsoas = geo.snap_points, geo.lsoas
    lsoa = snap["lsoa"].to_numpy()[idx]
    lon = np.char.mod("%.6f", snap["lon"].to_numpy()[idx]).astype(object)
    lat = np.char.mod("%.6f", snap["lat"].to_numpy()[idx]).astype(object)
    street = ("On or near " + snap["street"].to_numpy(dtype=object)[idx]).astype(object)
    codes = lsoas["code"].to_numpy(dtype=object)[lsoa]
    names = lsoas["name"].to_numpy(dtype=object)[lsoa]
    for col in (lon, lat, codes, names):
        col[~located] = ""
    street[~located] = NO_LOCATION
    month = _month_label(month_idx)
    df = pd.DataFrame(
        {
            "Crime ID": "",
            "Month": month,
            "Reported by": DEMO_FORCE_NAME,
            "Falls within": DEMO_FORCE_NAME,
            "Longitude": lon,
            "Latitude": lat,
            "Location": street,
            "LSOA code": codes,
            "LSOA name": names,
            "Crime type": crime_type,
            "Last outcome category": outcome,
            "Context": "",
        },
        columns=STREET_COLUMNS,
    )
    # Shuffle, then order by LSOA name with no-location rows last, as police.uk does.
    df = df.iloc[rng.permutation(len(df))]
    df = df.assign(_key=np.where(located[df.index], names[df.index], "\uffff"))
    df = df.sort_values("_key", kind="stable").drop(columns="_key").reset_index(drop=True)
    is_crime = (df["Crime type"] != ASB).to_numpy()
    df.loc[is_crime, "Crime ID"] = [
        hashlib.sha256(f"{seed}|{month}|{row}".encode()).hexdigest()
        for row in np.flatnonzero(is_crime)
    ]
    return df


def _remove_stale_months(street_dir: Path) -> None:
    """Delete demo street files from an earlier run, so a rerun cannot fill the gap month."""
    for old in street_dir.glob(f"????-??/????-??-{DEMO_FORCE}-street.csv"):
        old.unlink()
        if not any(old.parent.iterdir()):
            old.parent.rmdir()


def write_demo_files(
    out_dir: Path, seed: int = 2026, end_month: str = "2026-09", n_months: int = 60
) -> DemoFiles:
    """Write the demo district's police.uk files, boundaries and population into out_dir."""
    if n_months < 3:
        raise ValueError("n_months must be at least 3 (one month is left out as a gap)")
    root = Path(out_dir)
    street_dir = root / "police"
    street_dir.mkdir(parents=True, exist_ok=True)
    end_idx = _month_index(end_month)
    missing_idx = end_idx - min(MISSING_MONTH_LAG, n_months // 2)

    _remove_stale_months(street_dir)
    geo = build_geography(seed)
    weights = _point_weights(geo)
    area = geo.estates.to_crs(METRIC_CRS).area.to_numpy()
    size = area / area.mean()
    roles = _estate_roles(size, seed)
    months: list[str] = []
    for month_idx in range(end_idx - n_months + 1, end_idx + 1):
        if month_idx == missing_idx:
            continue
        month = _month_label(month_idx)
        folder = street_dir / month
        folder.mkdir(exist_ok=True)
        records = _month_records(geo, weights, roles, size, seed, month_idx, end_idx)
        records.to_csv(
            folder / f"{month}-{DEMO_FORCE}-street.csv",
            index=False,
            lineterminator="\n",
            encoding="utf-8",
        )
        months.append(month)

    files = DemoFiles(
        root=root,
        street_dir=street_dir,
        lsoa_geojson=root / "lsoa.geojson",
        estates_geojson=root / "estates.geojson",
        wards_geojson=root / "wards.geojson",
        district_geojson=root / "district.geojson",
        population_csv=root / "lsoa_population.csv",
        months=months,
        missing_month=_month_label(missing_idx),
    )
    layers = [
        (geo.lsoas, files.lsoa_geojson),
        (geo.estates, files.estates_geojson),
        (geo.wards, files.wards_geojson),
        (geo.district, files.district_geojson),
    ]
    for gdf, path in layers:
        path.unlink(missing_ok=True)  # the GeoJSON driver will not overwrite
        gdf[["code", "name", "geometry"]].to_file(path, driver="GeoJSON")
    geo.lsoas[["code", "name", "population", "households"]].to_csv(
        files.population_csv, index=False, lineterminator="\n"
    )
    return files
