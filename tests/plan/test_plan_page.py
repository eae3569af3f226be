"""The demo's action plan from its agreed list, `csp-dash plan` on it, the scrutiny review read
back (python-docx, pdftotext) against `plan status`, and the Action plan page for an analyst,
an owner partner and the public (through the viewer stub's session-state parameters)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from docx import Document as read_docx
from streamlit.testing.v1 import AppTest

from csp_dash.access import allowlist
from csp_dash.analysis import periods
from csp_dash.cli.commands import main
from csp_dash.db import queries
from csp_dash.db.engine import make_engine
from csp_dash.demo.plan import PLAN
from csp_dash.plan import store
from csp_dash.plan.measure import TRENDS
from tests.apptest_helpers import APP

PAGE = "app_pages/action_plan.py"


def _status(url: str, capsys) -> list[dict]:
    assert main(["plan", "status", "--format", "json", "--db", url]) == 0
    return json.loads(capsys.readouterr().out)


def test_demo_agreed_list_becomes_a_plan_measured_from_the_data(demo_db, capsys):
    eng = make_engine(demo_db)
    try:
        year, agreed = store.agreed_priorities(eng)
        f = store.frames(eng)
        themes = queries.theme_table(eng)
        violence = list(themes.loc[themes["theme"] == "Violence", "category"])
        counts = queries.cube_counts(eng, by=("month",), categories=violence)
    finally:
        eng.dispose()
    assert set(f["objectives"]["priority"]) == set(agreed) == {p for p, *_ in PLAN}
    records = _status(demo_db, capsys)
    assert len(records) == sum(len(m) for *_, m in PLAN)
    for r in records:
        assert set(r) >= {"series", "baseline", "latest", "change_pct", "target_met", "trend",
                          "sentence"}
        assert r["trend"] in TRENDS and r["sentence"]
    assert {r["trend"] for r in records} - {"not comparable"}, "no measure came from the data"
    # The Violence count's latest 12 months are the cube's own total, recomputed here.
    v = next(r for r in records if r["series"] == "theme:Violence" and r["value"] == "count")
    last = counts["month"].max()
    first = pd.Timestamp(periods.window(last, 12)[0])
    assert v["latest"] == float(counts.loc[counts["month"] >= first, "count"].sum())
    assert v["latest_period"] == periods.label(periods.window(last, 12))
    # The demo's baseline holds its missing month (Mar 2024): said, not counted as zero.
    assert "2024-03" in v["missing_months"] and "no data for Mar 2024" in v["sentence"]


def test_export_and_text_status(demo_db, capsys, tmp_path: Path):
    out = tmp_path / "plan.xlsx"
    assert main(["plan", "export", "--format", "xlsx", "--out", str(out), "--db", demo_db]) == 0
    table = pd.read_excel(out, dtype=str, keep_default_na=False)
    assert list(table.columns[:16]) == [
        "priority", "objective", "action", "owner", "lead", "start", "due", "status",
        "measure_series", "measure_layer", "measure_area", "measure_value", "baseline_from",
        "baseline_to", "target_pct", "direction"]
    capsys.readouterr()
    assert main(["plan", "status", "--format", "text", "--db", demo_db]) == 0
    assert "theme:Violence (count, the district)" in capsys.readouterr().out


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_scrutiny_review_reads_back_as_plan_status(demo_db, capsys, tmp_path: Path):
    records = _status(demo_db, capsys)
    docx_path, pdf_path = tmp_path / "review.docx", tmp_path / "review.pdf"
    assert main(["plan", "review", "--format", "docx", "--out", str(docx_path),
                 "--db", demo_db]) == 0
    assert main(["plan", "review", "--format", "pdf", "--out", str(pdf_path),
                 "--db", demo_db]) == 0
    paras = [p.text for p in read_docx(str(docx_path)).paragraphs]
    for r in records:
        title = f"Measure: {r['series']} ({r['value']}, the district)"
        at = paras.index(title)  # each measure's heading, then its status and its sentence
        met = {True: "met", False: "missed", None: "not judged"}[r["target_met"]]
        assert paras[at + 1] == f"Status: {r['trend']}; target {met}."
        assert paras[at + 2] == r["sentence"]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    text = _flat(subprocess.run(["pdftotext", str(pdf_path), "-"], check=True,
                                capture_output=True, text=True).stdout)
    for r in records:
        assert _flat(r["sentence"]) in text
        assert f"Status: {r['trend']}; target" in text
    assert "Partnership calendar" in text and "ASB Awareness Week" in text


AUTH = {"auth": {
    "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-cookie",
    "client_id": "csp-dash", "client_secret": "s3cret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}}
PARTNER = "pat@police.example"


def _page(role: str, org: str | None = None) -> AppTest:
    """The page as the analyst (local single-user mode), a signed-in partner of `org`, or a
    visitor who is not signed in (sign-in configured)."""
    at = AppTest.from_file(APP, default_timeout=120)
    if role != "analyst":
        at.secrets = AUTH
        at.user = ({"is_logged_in": True, "email": PARTNER, "name": "Pat", "org": org}
                   if role == "partner" else {"is_logged_in": False})
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _text(at: AppTest) -> str:
    """The page's Markdown with its escapes undone (plan text is escaped as plain text)."""
    return re.sub(r"\\(.)", r"\1", " ".join(m.value for m in [*at.markdown, *at.caption]))


def test_page_for_an_analyst(app_env):
    at = _page("analyst")
    assert at.title[0].value == "Action plan"
    assert [s.value for s in at.subheader][:5] == [
        "Violence", "ASB and disorder", "Drugs", "County lines", "Hate crime"]
    assert "Status: " in _text(at) and "Viewing as analyst" in _text(at)
    assert len(at.dataframe) == 5  # one actions table per objective
    at.session_state["plan_tab"] = "Progress"
    at.run()
    assert len(at.selectbox(key="pu_action").options) == sum(len(a) for _, _, a, _ in PLAN)
    assert any(fu for fu in at.get("file_uploader"))  # the analyst may import the plan
    at.session_state["plan_tab"] = "Review and files"
    at.run()
    at.button(key="plan_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Scrutiny review (Word)", "Scrutiny review (PDF)", "Plan (CSV)"} <= set(labels)


def test_page_for_an_owner_partner_edits_only_their_actions(app_env):
    eng = make_engine(app_env)
    allowlist.set_role(eng, "email", PARTNER, "partner", "test")
    eng.dispose()
    at = _page("partner", "Essex Police")
    at.session_state["plan_tab"] = "Progress"
    at.run()
    box = at.selectbox(key="pu_action")
    assert len(box.options) == 3 and all("(Essex Police)" in o for o in box.options)
    assert not list(at.get("file_uploader"))  # partners do not replace the plan
    at.selectbox(key="pu_status").set_value("complete")
    at.text_area(key="pu_comment").input("All five visits done.")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception and "Update recorded." in [s.value for s in at.success]
    eng = make_engine(app_env)
    try:
        upd = store.frames(eng)["updates"]
    finally:
        eng.dispose()
    assert "All five visits done." in set(upd["comment"])


def test_page_for_the_public_shows_the_summary_only(app_env):
    at = _page("public")
    assert "Public summary" in [s.value for s in at.subheader]
    assert not at.tabs and not list(at.get("file_uploader"))
    text = _text(at)
    assert "Reduce violence in the night" in text
    assert "Licensing Sergeant" not in text  # no officer names
    cal = at.dataframe[0].value
    assert "ASB Awareness Week" in set(cal["Entry"])
