"""Demo comparators for the trends page: a synthetic England and Wales table and three peers.

Written as ordinary comparison CSVs under the demo folder and loaded through the real
ingest. Every figure is invented (seeded); the area names say so. One declared event, a
retail crime reporting scheme, explains the demo's shoplifting step so the SPC can rebase.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from csp_dash.demo.police import CATEGORIES, SHOPLIFTING_STEP, DemoFiles
from csp_dash.events import add_event, list_events
from csp_dash.ingest.comparison import ingest_comparison

SEED = 3303
NATIONAL = "England and Wales (synthetic)"
NATIONAL_POPULATION = 61_000_000.0
NATIONAL_GROWTH_POP = 0.006
# Invented annual counts in the final year, near the size of police.uk's England and Wales.
NATIONAL_LAST_YEAR = {
    "Anti-social behaviour": 1_050_000, "Bicycle theft": 75_000, "Burglary": 250_000,
    "Criminal damage and arson": 480_000, "Drugs": 190_000, "Other crime": 160_000,
    "Other theft": 440_000, "Possession of weapons": 58_000, "Public order": 440_000,
    "Robbery": 80_000, "Shoplifting": 500_000, "Theft from the person": 140_000,
    "Vehicle crime": 360_000, "Violence and sexual offences": 2_000_000,
}  # fmt: skip
NATIONAL_GROWTH = {c: -0.02 for c in NATIONAL_LAST_YEAR} | {
    "Shoplifting": 0.15, "Theft from the person": 0.06, "Violence and sexual offences": 0.01,
    "Burglary": -0.05, "Possession of weapons": 0.03,
}  # fmt: skip
PEERS = {
    "Amberley Downs (synthetic peer)": 118_400.0,
    "Rookhaven (synthetic peer)": 141_900.0,
    "Thistlebrook (synthetic peer)": 127_300.0,
}
EVENT_LABEL = "Retail crime reporting scheme launched (synthetic demo event)"


def _months(files: DemoFiles) -> pd.DatetimeIndex:
    """Every month of the demo span: comparators have no gap month."""
    return pd.date_range(f"{files.months[0]}-01", f"{files.months[-1]}-01", freq="MS")


def _season(category: str, months: pd.DatetimeIndex) -> np.ndarray:
    cat = CATEGORIES[category]
    return 1 + cat.amplitude * np.cos(2 * np.pi * (months.month.to_numpy() - cat.peak) / 12)


def _rows(
    area: str,
    months: pd.DatetimeIndex,
    yearly: dict[str, float],
    growth: dict[str, float],
    population: float,
    rng: np.random.Generator,
) -> list[dict]:
    ago = np.arange(len(months))[::-1]
    pop = population * (1 + NATIONAL_GROWTH_POP) ** (-(ago // 12))  # steps once a year
    rows = []
    for category, last_year in yearly.items():
        lam = last_year / 12 * (1 + growth[category]) ** (-ago / 12) * _season(category, months)
        counts = rng.poisson(lam)
        rows += [
            {
                "area": area,
                "period": f"{m:%Y-%m}",
                "category": category,
                "count": int(n),
                "population": round(float(p)),
            }
            for m, n, p in zip(months, counts, pop, strict=True)
        ]
    return rows


def write_comparison_files(files: DemoFiles, seed: int = SEED) -> list[Path]:
    """Write the synthetic national and peer tables; returns their paths."""
    rng = np.random.default_rng(seed)
    months = _months(files)
    folder = files.root / "comparison"
    folder.mkdir(parents=True, exist_ok=True)
    national = _rows(
        NATIONAL, months, NATIONAL_LAST_YEAR, NATIONAL_GROWTH, NATIONAL_POPULATION, rng
    )
    local_pop = float(pd.read_csv(files.population_csv)["population"].sum())
    peers = []
    for area, pop in PEERS.items():
        scale = rng.lognormal(0.0, 0.18, size=len(CATEGORIES))
        yearly = {
            c: spec.last_year * pop / local_pop * s
            for (c, spec), s in zip(CATEGORIES.items(), scale, strict=True)
        }
        growth = {c: spec.growth + rng.normal(0, 0.03) for c, spec in CATEGORIES.items()}
        peers += _rows(area, months, yearly, growth, pop, rng)
    paths = [folder / "england_and_wales.csv", folder / "peers.csv"]
    for path, rows in zip(paths, (national, peers), strict=True):
        pd.DataFrame(rows).to_csv(path, index=False, lineterminator="\n")
    return paths


def load(engine: Engine, files: DemoFiles) -> None:
    """Write and ingest the comparators, and declare the demo's one event."""
    for path in write_comparison_files(files):
        ingest_comparison(engine, path)
    last = pd.Timestamp(f"{files.months[-1]}-01")
    step = (last - pd.DateOffset(months=SHOPLIFTING_STEP[0] - 1)).date()
    if EVENT_LABEL not in set(list_events(engine)["label"]):  # a rebuild must not repeat it
        add_event(
            engine,
            date(step.year, step.month, 1),
            EVENT_LABEL,
            scope="Shoplifting",
            kind="recording change",
        )
