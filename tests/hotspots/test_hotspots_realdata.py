"""Real data: Essex Police, January to July 2018, on the ONS LSOA (2011) layer. The CLI's
counts per LSOA equal a pandas group-by of the CSVs; the page renders on it."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from csp_dash.analysis.periods import window
from csp_dash.cli import commands as cli
from csp_dash.db import queries
from csp_dash.db.engine import make_engine
from tests.apptest_helpers import APP, metric

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def essex_db(essex_loaded: str) -> tuple[str, Path]:
    from tests.conftest import ESSEX

    return essex_loaded, ESSEX


def _csv_rows(folder: Path) -> pd.DataFrame:
    files = sorted(folder.glob("2018-*/*-street.csv"))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files])


def _lsoa_codes(folder: Path) -> set[str]:
    with open(folder / "essex_lsoa2011_boundaries.geojson", encoding="utf-8") as fh:
        return {f["properties"]["LSOA11CD"] for f in json.load(fh)["features"]}


def _cli_json(url: str, *args: str) -> dict:
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert cli.main(["hotspots", "--db", url, *args, "--format", "json"]) == 0
    return json.loads(buf.getvalue())


def test_cli_counts_per_lsoa_equal_a_pandas_group_by_of_the_csvs(essex_db):
    url, folder = essex_db
    rows = _csv_rows(folder)
    codes = _lsoa_codes(folder)
    assert len(codes) == 1077
    violence = rows[rows["Crime type"] == "Violence and sexual offences"]
    assert len(violence) == 31691  # the README's independent figure
    expected = violence[violence["LSOA code"] != ""].groupby("LSOA code").size()
    out = _cli_json(
        url,
        "--layer",
        "lsoa",
        "--category",
        "Violence and sexual offences",
        "--period",
        "2018-01:2018-07",
    )
    got = {u["code"]: u["count"] for u in out["units"]}
    assert set(got) == codes  # every Essex LSOA, with 0 where none was recorded
    assert got == expected.reindex(sorted(codes), fill_value=0).to_dict()
    # Records whose LSOA is not one of the loaded (the district's) LSOAs are outside the
    # district: not in any area's figures, counted on their own line.
    outside = expected.drop(list(codes), errors="ignore")
    assert out["outside_study_area"] == {"areas": 0, "count": 0}
    eng = make_engine(url)
    left_out = queries.cube_counts(eng, layer="_outside", by=(),
                                   categories=["Violence and sexual offences"])
    eng.dispose()
    assert int(left_out["count"].sum()) == int(outside.sum()) > 100
    assert (
        sum(got.values()) + int(outside.sum())
        == len(violence) - (violence["LSOA code"] == "").sum()
    )
    # Gi* ran on the queen contiguity of the LSOAs with FDR control, and says so.
    assert out["method"]["weights"].startswith("Queen contiguity, 1,077 LSOAs")
    assert out["rate_per_1000"] == "residents"
    assert any(u["significance"].startswith("hot") for u in out["units"])
    assert out["units"][0]["class"] is not None  # 7 monthly sub-periods: classes exist
    assert out["concentration"]["n_units"] == 1077


def test_page_renders_on_the_essex_lsoa_layer(essex_db, monkeypatch):
    url, folder = essex_db
    monkeypatch.setenv("CSP_DASH_DB_URL", url)
    # Open the hotspot page directly (run_app would draw the Overview first).
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["layer"] = "lsoa"
    at.switch_page("app_pages/hotspots.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Estate hotspots"
    end = at.sidebar.selectbox(key="f_end").value
    first, last = window(end, at.sidebar.selectbox(key="f_len").value)
    rows = _csv_rows(folder)
    month = pd.to_datetime(rows["Month"] + "-01").dt.date
    codes = _lsoa_codes(folder)
    inside = rows[(month >= first) & (month <= last) & rows["LSOA code"].isin(codes)]
    assert int(metric(at, "Recorded in the LSOAs").replace(",", "")) == len(inside)
    assert len(at.get("deck_gl_json_chart")) == 1
    captions = " ".join(c.value for c in at.caption)
    assert "for 1,077 LSOAs" in captions
