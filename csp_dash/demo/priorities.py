"""Demo priorities: a synthetic residents' survey, last year's agreed list and free-text issues.

Files are written under the demo folder and loaded through the real survey and agreed-list
imports. All synthetic, all from a fixed seed.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from csp_dash.demo.police import DemoFiles
from csp_dash.ingest.survey import ingest_survey
from csp_dash.priorities.agreed import import_agreed_list
from csp_dash.priorities.candidates import add_issue, list_candidates, seed_theme_candidates
from csp_dash.priorities.models import set_analyst_scores

SEED = 6006
SURVEY_FILE = "residents_survey.csv"
AGREED_FILE = "agreed_priorities_last_year.csv"
N_RESPONDENTS = 640
# Mean concern (1 = not at all concerned, 5 = very concerned) per theme asked in the survey.
SURVEY_THEMES = {
    "ASB and disorder": 4.0,
    "Drugs": 3.7,
    "Acquisitive crime": 3.5,
    "Violence": 3.4,
    "Car cruising": 3.3,
    "County lines": 2.9,
    "Modern slavery": 2.2,
    "Other crime": 2.0,
}
# Free-text issues the analyst adds: (name, series kind, series value, description).
ISSUES = [
    (
        "County lines",
        None,
        None,
        "Drug supply lines exploiting children and vulnerable adults; from police intelligence.",
    ),
    ("Car cruising", None, None, "Gatherings of cars and dangerous driving on the ring road."),
    ("Modern slavery", None, None, "Hidden harm: labour exploitation at car washes and nail bars."),
    ("Shoplifting", "category", "Shoplifting", "Retail crime in the town centre."),
]
# The analyst's draft scores before the workshop (judgement, not data): position and
# confidence for every candidate, and harm and likelihood for the issues without data.
POSITION = {
    "Violence": (4, 4, 4),
    "Acquisitive crime": (3, 3, 4),
    "ASB and disorder": (4, 4, 4),
    "Drugs": (3, 3, 3),
    "Other crime": (2, 2, 3),
    "County lines": (3, 2, 2),
    "Car cruising": (3, 3, 3),
    "Modern slavery": (2, 2, 1),
    "Shoplifting": (3, 4, 4),
}
JUDGED = {  # physical, psychological, financial, community, volume, trend
    "County lines": (5, 5, 3, 4, 2, 4),
    "Car cruising": (3, 3, 2, 4, 3, 4),
    "Modern slavery": (5, 5, 4, 3, 1, 3),
}
LAST_YEAR = [
    ("Violence", "Serious violence duty; night-time economy and violence against women and girls."),
    ("ASB and disorder", "Highest resident concern in the survey and repeat locations on estates."),
    ("Drugs", "Open drug markets on two estates linked to exploitation."),
    ("County lines", "Exploitation of children identified by children's services and police."),
    ("Hate crime", "Rise in reports after local events; community tension monitoring."),
]


def _estate_names(files: DemoFiles) -> list[str]:
    geo = json.loads(files.estates_geojson.read_text(encoding="utf-8"))
    return sorted(f["properties"]["name"] for f in geo["features"])


def write_survey(files: DemoFiles, seed: int = SEED) -> pd.DataFrame:
    """A wide survey: respondent, estate, then a 1-5 concern rating per theme (some blank)."""
    rng = np.random.default_rng(seed)
    estates = _estate_names(files)
    estate_lift = dict(zip(estates, rng.normal(0, 0.35, len(estates)), strict=True))
    where = rng.choice(
        estates + ["Elsewhere in Kestrel Vale", ""],
        size=N_RESPONDENTS,
        p=[0.9 / len(estates)] * len(estates) + [0.07, 0.03],
    )
    table = {"respondent": [f"R{i:04d}" for i in range(1, N_RESPONDENTS + 1)], "estate": where}
    for theme, mean in SURVEY_THEMES.items():
        lift = np.array([estate_lift.get(e, 0.0) for e in where])
        lift = lift if theme in ("ASB and disorder", "Drugs", "Car cruising") else lift / 3
        answer = np.clip(np.rint(rng.normal(mean + lift, 0.9)), 1, 5).astype(int).astype(str)
        answer[rng.random(N_RESPONDENTS) < 0.04] = ""  # "don't know" left blank
        table[theme] = answer
    df = pd.DataFrame(table)
    df.to_csv(files.root / SURVEY_FILE, index=False, lineterminator="\n")
    return df


def write_agreed(files: DemoFiles) -> int:
    """Last year's agreed list as the partnership's spreadsheet export; returns its year."""
    year = int(files.months[-1][:4])
    df = pd.DataFrame(
        {
            "year": year,
            "rank": range(1, len(LAST_YEAR) + 1),
            "priority": [n for n, _ in LAST_YEAR],
            "rationale": [r for _, r in LAST_YEAR],
        }
    )
    df.to_csv(files.root / AGREED_FILE, index=False, lineterminator="\n")
    return year


def load(engine: Engine, files: DemoFiles) -> None:
    """Seed the candidates, add the issues, load the survey and last year's list."""
    seed_theme_candidates(engine)
    existing = set(list_candidates(engine, include_retired=True)["name"])
    for name, kind, value, description in ISSUES:
        if name not in existing:
            add_issue(engine, name, kind, value, description)
    write_survey(files)
    ingest_survey(
        engine,
        files.root / SURVEY_FILE,
        survey_id="Residents' survey (synthetic)",
        kind="rating",
        scale=(1, 5),
        layer="estate",
    )
    write_agreed(files)
    import_agreed_list(engine, files.root / AGREED_FILE)
    ids = list_candidates(engine).set_index("name")["candidate_id"]
    note = "Analyst's draft before the workshop (synthetic demo)"
    for name, (capacity, capability, confidence) in POSITION.items():
        if name not in ids:
            continue
        scores: dict[str, float | None] = {
            "capacity": capacity,
            "capability": capability,
            "confidence": confidence,
        }
        if name in JUDGED:
            keys = ("physical", "psychological", "financial", "community", "volume", "trend")
            scores.update(dict(zip(keys, JUDGED[name], strict=True)))
        set_analyst_scores(engine, ids[name], scores, note=note)
