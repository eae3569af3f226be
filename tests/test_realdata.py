"""Real data: seven months of Essex Police street crime, through the CLI, on both engines.

Expected figures come from ../shared/realdata/README.md and from pandas reading the CSVs directly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from csp_dash.analysis.trends import rate_per_1000
from csp_dash.cli.commands import main
from csp_dash.db import queries

pytestmark = pytest.mark.slow

MONTHS = ["2018-01", "2018-02", "2018-03", "2018-04", "2018-05", "2018-06", "2018-07"]
README_MONTHS = [14786, 13752, 16014, 16709, 17618, 17473, 18713]
README_CATEGORIES = {
    "Violence and sexual offences": 31691,
    "Anti-social behaviour": 28750,
    "Criminal damage and arson": 9376,
    "Vehicle crime": 8726,
}





def _csvs(essex: Path) -> pd.DataFrame:
    """The raw rows, read independently of csp_dash (every field as text)."""
    return pd.concat(
        [
            pd.read_csv(essex / m / f"{m}-essex-street.csv", dtype=str, keep_default_na=False)
            for m in MONTHS
        ],
        ignore_index=True,
    )


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _whole(capsys, url: str, by: str) -> dict:
    """Counts by `by`: the area figures plus the line of rows with no location."""
    out: dict = {}
    for layer in ("all", "_no_location"):
        code, text = _run(capsys, "counts", "--layer", layer, "--by", by, "--format", "json",
                          "--db", url)
        assert code == 0
        for r in json.loads(text):
            out[r[by]] = out.get(r[by], 0) + r["count"]
    return dict(sorted(out.items()))


def test_essex_ingest_counts_and_reingest(engine, essex: Path, capsys):
    url = _url(engine)
    code, out = _run(capsys, "ingest", "police", str(essex), "--db", url)
    assert code == 0
    lines = out.splitlines()
    # The folder also holds boundaries, population and IMD files: skipped, not refused.
    assert lines == [
        "files: 7 (0 unchanged), refused: 0, skipped: 3",
        "rows loaded: 115065, no location: 218, rejected: 0",
        "essex: 7 month(s) 2018-01 to 2018-07; missing months in the database: none",
    ]

    # No boundaries and no district: the area figures hold every located row; the 218 with no
    # location are counted on their own line. Together they are every row of the files.
    by_cat = _whole(capsys, url, "category")
    assert {c: by_cat[c] for c in README_CATEGORIES} == README_CATEGORIES
    assert sum(by_cat.values()) == 115065
    assert by_cat == _csvs(essex)["Crime type"].value_counts().to_dict()
    assert list(_whole(capsys, url, "month").values()) == README_MONTHS
    before = queries.load_summary(engine)
    assert before == {"rows": 115065, "no_location": 218, "rejected": 0, "files": 7}

    code, out = _run(capsys, "ingest", "police", str(essex), "--db", url)
    assert code == 0
    assert out.splitlines()[0] == "files: 7 (7 unchanged), refused: 0, skipped: 3"
    assert _whole(capsys, url, "category") == by_cat
    assert queries.load_summary(engine) == before
    assert queries.crime_count(engine) == 115065


def test_essex_lsoa_counts_and_rates(engine, essex: Path, capsys):
    url = _url(engine)
    raw = _csvs(essex)
    assert (raw["LSOA code"] == "").sum() == 218
    assert main(["ingest", "police", *[str(essex / m) for m in MONTHS], "--db", url]) == 0
    assert (
        main(
            [
                "ingest",
                "boundaries",
                str(essex / "essex_lsoa2011_boundaries.geojson"),
                "--layer",
                "lsoa",
                "--db",
                url,
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "ingest",
                "population",
                str(essex / "essex_lsoa2011_population_mid2018.csv"),
                "--layer",
                "lsoa",
                "--population-field",
                "mid2018_population",
                "--db",
                url,
            ]
        )
        == 0
    )
    capsys.readouterr()

    # Counts per LSOA from the CLI equal a pandas group-by of the CSVs' LSOA codes, for every
    # LSOA of the district (the loaded Essex LSOAs); the ~180 LSOAs outside Essex, where
    # police.uk's snapped point falls over the border, are outside the district and counted
    # on their own line.
    code, out = _run(
        capsys, "counts", "--layer", "lsoa", "--by", "area", "--format", "json", "--db", url
    )
    cli = {r["area"]: r["count"] for r in json.loads(out)}
    every = raw[raw["LSOA code"] != ""].groupby("LSOA code").size()
    essex_codes = set(queries.area_table(engine, "lsoa")["code"])
    want = every[every.index.isin(essex_codes)].to_dict()
    assert cli == want
    outside = every[~every.index.isin(essex_codes)]
    assert len(outside) > 150
    code, out = _run(capsys, "counts", "--layer", "_outside", "--by", "month", "--format",
                     "json", "--db", url)
    assert sum(r["count"] for r in json.loads(out)) == outside.sum()
    assert sum(cli.values()) + outside.sum() == 115065 - 218

    # Rates per 1,000 residents over the seven months, independently from the two CSVs.
    pop = pd.read_csv(essex / "essex_lsoa2011_population_mid2018.csv", dtype={"LSOA11CD": str})
    ref = pop.set_index("LSOA11CD")["mid2018_population"].astype(float)
    ref_rate = pd.Series(want).reindex(ref.index).fillna(0) / ref * 1000
    areas = queries.area_table(engine, "lsoa").set_index("code")
    assert len(areas) == 1077 and areas["population"].notna().sum() == len(ref)
    counts = pd.Series(cli).reindex(areas.index).fillna(0)
    app_rate = pd.Series(
        rate_per_1000(counts.to_numpy(), areas["population"].to_numpy()), index=areas.index
    )
    busiest = ref_rate.sort_values(ascending=False).index[:3].tolist()
    for code_ in busiest + ["E01015833", "E01015814"]:
        assert app_rate[code_] == pytest.approx(ref_rate[code_], rel=1e-9), code_
    # A hand check for one LSOA: Southend-on-Sea 001A, 1,525 residents in mid-2018.
    assert ref["E01015833"] == 1525
    assert app_rate["E01015833"] == pytest.approx(want.get("E01015833", 0) / 1525 * 1000)
