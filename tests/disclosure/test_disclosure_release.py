"""Sensitive by default, the release command, the toolbar-safe tables and Markdown escaping."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from csp_dash.disclosure.published import default_sensitive, flag_sensitive
from csp_dash.ui.tables import safe_frame
from csp_dash.ui.text import md

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("theme", ["Domestic abuse", "Sexual offences", "Hate", "Modern slavery",
                                   "FGM", "Female genital mutilation"])
def test_each_sensitive_kind_is_sensitive_by_default(theme):
    assert default_sensitive(theme)


@pytest.mark.parametrize("theme", ["Fire", "Acquisitive crime", "Violence and sexual offences"])
def test_other_kinds_are_not(theme):
    assert not default_sensitive(theme)


def test_a_sensitive_category_or_flag_makes_it_sensitive():
    assert default_sensitive("Fire", categories=["Arson", "Hate crime"])
    assert flag_sensitive("domestic") and flag_sensitive("hate") and not flag_sensitive("repeat")


def test_the_release_command_prints_the_public_release(demo_db):
    out = subprocess.run(
        [sys.executable, "-m", "csp_dash.cli.commands", "partner", "release", "--db", demo_db,
         "--dataset", "police_da", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["source"] == "police_da/domestic" and data["sensitive"]
    hidden = [c for c in data["cells"] if c["hidden"]]
    assert hidden and all(c["value"] == data["label"] for c in hidden)
    shown = [c for c in data["cells"] if not c["hidden"] and c["month"] != "Total"
             and c["estate"] != "Total"]
    assert all(int(c["value"].replace(",", "")) == 0 or int(c["value"].replace(",", "")) >= 5
               for c in shown)


def test_toolbar_frame_has_no_formula():
    df = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0", "ok", "-3",
                                "+1.5%", "@SUM(A1)"], "n": [1, -2, 3, 4, 5, 6]})
    out = safe_frame(df)
    assert out["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "'=cmd|' /C calc'!A0", "ok",
                                    "-3", "+1.5%", "'@SUM(A1)"]
    assert out["n"].tolist() == [1, -2, 3, 4, 5, 6]  # numbers untouched


def test_md_escapes_links_images_and_html():
    text = md("![x](http://evil.example/p.png) [link](http://a.b) <b>hi</b> **bold**")
    for raw in ("![", "](", "<b>", "**"):
        assert raw not in text


def test_no_page_calls_st_dataframe_directly():
    offenders = [
        p.relative_to(ROOT) for p in [*ROOT.glob("csp_dash/**/*.py"), *ROOT.glob("app_pages/*.py")]
        if p.name != "tables.py" and "st.dataframe(" in p.read_text()
    ]
    assert not offenders
