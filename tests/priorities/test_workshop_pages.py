"""AppTest: a partner scores from the link, the facilitator sees it, closing records the list.

Each test works on its own copy of the demo database, since these tests write to it.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from csp_dash.access import tokens
from csp_dash.db.engine import make_engine
from csp_dash.priorities.agreed import agreed_list
from csp_dash.priorities.workshop.sessions import candidates_of, get_workshop, list_workshops
from csp_dash.priorities.workshop.submissions import submissions
from tests.apptest_helpers import APP, metric


@pytest.fixture
def app_db(own_demo: str) -> str:
    return own_demo


def page(file: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"app_pages/{file}")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, label_start: str) -> AppTest:
    next(b for b in at.button if b.label.startswith(label_start)).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_workshop_from_the_page(url: str) -> str:
    at = page("workshop.py")
    click(at, "Open the workshop")
    eng = make_engine(url)
    wid = list_workshops(eng)["workshop_id"].iloc[0]
    assert at.title[0].value == get_workshop(eng, wid).title
    link = next(c.value for c in at.code if "/workshop?t=" in c.value)
    assert tokens.verify(tokens.local_secret(eng), link.split("t=")[1]) == wid
    return wid


def token_for(url: str, wid: str) -> str:
    """A participant token as the facilitator's link carries (local mode keeps its secret in
    the database)."""
    return tokens.make_token(tokens.local_secret(make_engine(url)), wid, int(time.time()) + 3600)


def table_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_participant_scores_and_the_facilitator_view_reflects_it(app_db):
    wid = open_workshop_from_the_page(app_db)
    eng = make_engine(app_db)
    ws = get_workshop(eng, wid)
    cid, name = candidates_of(eng, wid).iloc[0][["candidate_id", "name"]]

    at = page("workshop.py", t=token_for(app_db, wid))
    assert at.title[0].value == ws.title
    assert not at.sidebar.selectbox  # partners get no filters
    at.text_input(key="wp_name").input("Sam Jones")
    at.selectbox(key="wp_org").select("Police")
    click(at, "Start scoring")
    assert at.selectbox(key="wp_cand").value == cid  # the first candidate not yet scored
    for dim in ws.dimensions:
        at.radio(key=f"wp_{cid}_{dim}").set_value(2 if dim == "capacity" else 4)
    at.text_area(key=f"wp_c_{cid}").input("Rising on the estates")
    click(at, "Submit my scores")
    assert any(s.value.startswith("Stored: your scores for") for s in at.success)

    stored = submissions(eng, wid)
    assert len(stored) == len(ws.dimensions) and set(stored["candidate"]) == {cid}
    assert set(stored["name"]) == {"Sam Jones"} and set(stored["organisation"]) == {"Police"}
    assert stored.set_index("dimension")["score"].to_dict() == {
        d: (2.0 if d == "capacity" else 4.0) for d in ws.dimensions
    }

    fac = page("workshop.py", w=wid)
    assert metric(fac, "Participants") == "1" and metric(fac, "Submissions") == "1"
    spread = table_with(fac, "Partners scored").set_index("Candidate priority")
    assert spread.loc[name, "Partners scored"] == 1
    medians = table_with(fac, "Harm: physical").set_index("Candidate priority")
    assert medians.loc[name, "Harm: physical"] == "4 (IQR 0)"
    assert medians.loc[name, "Position: capacity"] == "2 (IQR 0)"

    # Sam changes one score: the latest submission counts, and both stay in the history
    at.selectbox(key="wp_cand").set_value(cid).run()
    at.radio(key=f"wp_{cid}_physical").set_value(1)
    click(at, "Submit my scores")
    assert submissions(eng, wid)["submission_id"].nunique() == 2
    fac = page("workshop.py", w=wid)
    medians = table_with(fac, "Harm: physical").set_index("Candidate priority")
    assert medians.loc[name, "Harm: physical"] == "1 (IQR 0)"


def test_closing_stores_the_agreed_list_and_year_on_year_shows_the_movement(app_db):
    wid = open_workshop_from_the_page(app_db)
    eng = make_engine(app_db)
    year = get_workshop(eng, wid).year
    picks = ["ASB and disorder", "Violence", "Shoplifting", "Drugs", "Acquisitive crime"]
    fac = page("workshop.py", w=wid)
    fac.session_state["wf_tab"] = "Agree the list"  # the tabs are lazy: open the one to use
    fac.run()
    fac.number_input(key="wf_n").set_value(5).run()
    for i, pick in enumerate(picks):
        fac.selectbox(key=f"wf_pick_{i}").set_value(pick)
        fac.text_area(key=f"wf_why_{i}").input(f"Reason {i + 1}")
    click(fac, "Close the workshop")
    assert get_workshop(eng, wid).status == "closed"
    agreed = agreed_list(eng, year)
    assert list(agreed["name"]) == picks
    assert list(agreed["rationale"]) == [f"Reason {i}" for i in range(1, 6)]

    assert any("The agreed list for" in s.value for s in fac.success)
    fac.session_state["wf_tab"] = "Year on year"
    fac.run()
    moves = table_with(fac, "Movement").set_index("Priority")["Movement"].to_dict()
    # Last year (the demo): Violence, ASB and disorder, Drugs, County lines, Hate crime.
    assert moves == {
        "ASB and disorder": "▲ up 1",
        "Violence": "▼ down 1",
        "Shoplifting": "new",
        "Drugs": "▼ down 1",
        "Acquisitive crime": "new",
        "County lines": "dropped",
        "Hate crime": "dropped",
    }
    assert metric(fac, "New") == "2" and metric(fac, "Dropped") == "2"

    part = page("workshop.py", t=token_for(app_db, wid))
    assert any("has closed" in i.value for i in part.info)
    assert list(table_with(part, "Rationale")["Priority"]) == picks


def test_a_bad_link_says_so(app_db):
    at = page("workshop.py", t="nosuchworkshop.1.abc")
    assert any("not valid" in e.value for e in at.error)


def test_priorities_page_ranks_every_candidate_and_stores_an_override(app_db):
    at = page("priorities.py")
    assert at.title[0].value == "Priorities"
    ranked = table_with(at, "Priority score (0-1)")
    assert len(ranked) == 9  # five themes and four issues in the demo
    assert ranked["Rank"].iloc[0] == 1
    assert ranked["Priority score (0-1)"].is_monotonic_decreasing
    at.session_state["pr_tab"] = "Year on year"  # the tabs are lazy: open the one to read
    at.run()
    shown = table_with(at, "Rationale")  # the demo's list, with no earlier one to compare
    assert list(shown["Priority"])[:2] == ["Violence", "ASB and disorder"]

    eng = make_engine(app_db)
    at.session_state["pr_tab"] = "Scores"
    at.run()
    cid = at.selectbox(key="ps_pick").value
    at.selectbox(key=f"ps_{cid}_volume").set_value(1)
    click(at, "Save scores")
    from csp_dash.priorities.models import analyst_score_grid

    assert analyst_score_grid(eng).loc[cid, "volume"] == 1.0
