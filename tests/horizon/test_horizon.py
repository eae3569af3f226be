"""Horizon glue on both engines (monthly series, partner events), the CLI, and the demo."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from csp_dash.cli import commands as cli
from csp_dash.db.engine import make_engine
from csp_dash.horizon.series import POLICE_UK_REFUSAL, monthly_series, partner_events
from csp_dash.ingest.partner.load import ingest_partner
from csp_dash.ingest.police import ingest_police
from tests.partner_fixtures import SECRET, mapping, row, write_csv
from tests.policeuk_files import crime, write_street_csv


def test_a_missing_month_is_nan_and_a_loaded_month_without_the_crime_is_zero(engine, tmp_path):
    folder = tmp_path / "street"
    write_street_csv(folder, "2018-01", [crime("2018-01", "Burglary")] * 3)
    write_street_csv(folder, "2018-02", [crime("2018-02", "Burglary")] * 2)
    # 2018-03 is not loaded at all; 2018-04 is loaded but has no burglary
    write_street_csv(folder, "2018-04", [crime("2018-04", "Drugs")])
    ingest_police(engine, [folder])
    s = monthly_series(engine, category="Burglary")
    assert list(s.index.strftime("%Y-%m")) == ["2018-01", "2018-02", "2018-03", "2018-04"]
    assert s.iloc[0] == 3 and s.iloc[1] == 2 and np.isnan(s.iloc[2]) and s.iloc[3] == 0
    with pytest.raises(ValueError, match="unknown theme"):
        monthly_series(engine, theme="No such theme")


def test_partner_events_are_projected_to_metres_and_police_uk_is_refused(engine, tmp_path):
    rows = [row(date="05/01/2024", lat="51.700000", lon="1.000000"),
            row(date="09/01/2024", lat="51.701000", lon="1.000000", ref="REF/2"),
            row(date="11/01/2024", lat="", lon="", lsoa="", ref="REF/3")]
    path = write_csv(tmp_path / "extract.csv", rows)
    ingest_partner(engine, path, "crime_extract", mapping(lsoa_column=None, estate_column=None),
                   secret=SECRET)
    ev = partner_events(engine, "crime_extract")
    f = ev.frame
    assert len(f) == 2 and ev.dropped_no_location == 1
    assert list(f["day"]) == [0, 4]
    # 0.001 degrees of latitude is about 111 m
    assert np.hypot(f["x"].diff().iloc[1], f["y"].diff().iloc[1]) == pytest.approx(111.2, abs=1)
    with pytest.raises(ValueError) as err:
        partner_events(engine, "police")
    assert str(err.value) == POLICE_UK_REFUSAL and "month" in str(err.value)
    with pytest.raises(ValueError, match="no partner dataset 'nope'"):
        partner_events(engine, "nope")


def test_month_only_dates_are_refused(engine, tmp_path):
    rows = [row(date=f"01/{m:02d}/2024", lat="51.70", lon=f"1.00{m}", ref=f"R{m}{k}")
            for m in range(1, 12) for k in range(3)]
    path = write_csv(tmp_path / "monthly.csv", rows)
    ingest_partner(engine, path, "monthly", mapping(lsoa_column=None, estate_column=None),
                   secret=SECRET)
    with pytest.raises(ValueError, match="months only"):
        partner_events(engine, "monthly")


@pytest.fixture(scope="module")
def horizon_demo(demo_db, tmp_path_factory):
    """The demo with the crime extract loaded (until the lead adds it to the demo extras)."""
    from csp_dash.db.queries import month_range
    from csp_dash.demo import burglary as demo_burglary

    folder = tmp_path_factory.mktemp("horizon")
    copy = folder / "demo.duckdb"
    shutil.copy(Path(demo_db.removeprefix("duckdb:///")), copy)
    url = f"duckdb:///{copy}"
    eng = make_engine(url)
    if "crime_extract" not in pd.read_sql("select dataset from partner_datasets", eng)["dataset"].values:
        last = month_range(eng)[1]
        demo_burglary.load(eng, SimpleNamespace(root=folder / "files", months=[f"{last:%Y-%m}"]))
    eng.dispose()
    return url


def _run(monkeypatch, capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_demo_near_repeat_finds_the_planted_pattern(horizon_demo, monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "near-repeat", "--db", horizon_demo, "--dataset",
                        "crime_extract", "--category", "Residential burglary",
                        "--permutations", "199", "--seed", "7")
    assert code == 0
    res = json.loads(out)
    cells = pd.DataFrame(res["cells"]).set_index(["distance", "days"])
    # planted: neighbours 50-180 m away, 1-14 days later
    assert cells.loc[("101–200 m", "0–7 days"), "ratio"] > 1.5
    assert cells.loc[("101–200 m", "0–7 days"), "p"] == pytest.approx(1 / 200)
    later = cells.loc[("101–200 m", "15–21 days")]  # the planted lag stops at 14 days
    assert not bool(later["significant"]) or later["ratio"] < 1.3
    assert any(r.startswith("Near repeat: after a residential burglary") for r in res["reading"])
    # the control category has no planted pattern
    code, out, _ = _run(monkeypatch, capsys, "near-repeat", "--db", horizon_demo, "--dataset",
                        "crime_extract", "--category", "Theft from a vehicle",
                        "--permutations", "99", "--seed", "7", "--format", "csv")
    table = pd.read_csv(pd.io.common.StringIO(out))
    near = table[(table["distance"] == "101–200 m") & (table["days"] == "0–7 days")]
    assert near["ratio"].iloc[0] < 1.3
    code, _, err = _run(monkeypatch, capsys, "near-repeat", "--db", horizon_demo,
                        "--dataset", "police")
    assert code == 2 and "police.uk street data" in err


def test_demo_forecast_reports_method_and_the_estimated_gap(horizon_demo, monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "forecast", "--db", horizon_demo,
                        "--category", "Burglary", "--horizon", "12")
    assert code == 0
    res = json.loads(out)
    assert res["method"] in ("ETS", "Seasonal naive") and res["reason"]
    assert res["estimated_months"] == ["2024-03"]  # the demo's missing month, said out loud
    fc = pd.DataFrame(res["forecast"])
    assert len(fc) == 24 and fc["chosen"].sum() == 12
    assert (fc["lo95"] >= 0).all() and (fc["lo95"] <= fc["lo80"]).all()
    code, _, err = _run(monkeypatch, capsys, "forecast", "--db", horizon_demo, "--category",
                        "Bicycle theft", "--no-borrow")
    assert code == 2 and "too small" in err


def test_report_section_has_forecasts_and_near_repeat_readings(horizon_demo):
    from csp_dash.horizon.report import report_section

    eng = make_engine(horizon_demo)
    text = report_section(eng)
    eng.dispose()
    assert text.startswith("## Looking ahead")
    assert "- **Burglary**: about" in text and "likely range if recent patterns continue" in text
    assert "Near repeat: after a residential burglary" in text
    assert "- **Theft from a vehicle**" in text
