"""AppTest per role: the page list, the DA view with ?view=analyst requested, the appendices,
uploads and settings; the binding rules; workshop links that are forged, expired, for another
workshop or edited. Sign-in is configured through at.secrets ([auth]) and at.user.

Each test works on its own copy of the demo database, since these tests write to it.
"""

from __future__ import annotations

import time

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from csp_dash.access import allowlist, audit, tokens
from csp_dash.db.engine import make_engine
from csp_dash.priorities.workshop.sessions import list_workshops, set_status
from tests.apptest_helpers import APP
from tests.domestic_abuse.test_domestic_abuse_page import _shown_counts

AUTH = {"auth": {
    "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test-cookie",
    "client_id": "csp-dash", "client_secret": "s3cret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}}
USERS = {
    "partner": {"email": "pat@police.example", "name": "Pat Partner"},
    "analyst": {"email": "ann@council.example", "name": "Ann Analyst"},
    "admin": {"email": "ada@council.example", "name": "Ada Admin"},
}
SECRET = "workshop-test-secret"
DA = "app_pages/domestic_abuse.py"


@pytest.fixture
def db(own_demo: str, monkeypatch: pytest.MonkeyPatch) -> str:
    url = own_demo
    monkeypatch.setenv("CSP_DASH_DISCLOSURE_THRESHOLD", "5")
    monkeypatch.setenv("CSP_DASH_WORKSHOP_SECRET", SECRET)
    monkeypatch.setenv("CSP_DASH_PUBLIC_URL", "https://csp.example.gov.uk")
    eng = make_engine(url)
    allowlist.set_role(eng, "email", USERS["partner"]["email"], "partner", "test")
    allowlist.set_role(eng, "claim", "roles=CSP.Analyst", "analyst", "test")
    monkeypatch.setenv("CSP_DASH_ADMIN_EMAIL", USERS["admin"]["email"])
    eng.dispose()
    return url


@pytest.fixture
def bound(request):
    """Bind the app to another address for one test, then back to the local default."""
    yield lambda address: st_config.set_option("server.address", address)
    st_config.set_option("server.address", "127.0.0.1")


def run_as(who: str | None, page: str | None = None, sign_in: bool = True,
           **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if sign_in:
        at.secrets = AUTH
        if who is None:
            at.user = {"is_logged_in": False}
        else:
            claims = {"roles": ["CSP.Analyst"]} if who == "analyst" else {}
            at.user = {"is_logged_in": True, **USERS[who], **claims}
    for k, v in params.items():
        at.query_params[k] = v
    at.run()  # registers the role's pages, so switch_page finds each by its url path
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def title(at: AppTest) -> str:
    return at.title[0].value


def names(at: AppTest) -> list[str]:
    """The participant's name box, if shown."""
    return [t.key for t in at.text_input if t.key == "wp_name"]


def tab_labels(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


def reaches(who: str | None, page: str, sign_in: bool = True) -> bool:
    """Whether the page is in the list given to st.navigation for this visitor (AppTest's
    switch_page refuses a page that is not)."""
    at = run_as(who, sign_in=sign_in)
    try:
        at.switch_page(f"app_pages/{page}")
    except ValueError as exc:
        assert "Could not find a navigation page" in str(exc)
        return False
    return True


ALL = ["overview.py", "trends.py", "hotspots.py", "crime_series.py", "domestic_abuse.py",
       "priorities.py", "workshop.py", "data.py", "admin.py"]
PAGES = {
    None: ALL[:3] + ALL[4:6],
    "partner": ALL[:7],
    "analyst": ALL[:8],
    "admin": ALL,
}


@pytest.mark.parametrize("who", list(PAGES), ids=lambda r: r or "public")
def test_each_role_gets_its_pages_and_no_others(db, who):
    at = run_as(who)
    shown = [p for p in ALL if reaches(who, p)]
    assert shown == PAGES[who]
    for page, want in {"hotspots.py": "Estate hotspots", "data.py": "Data",
                       "admin.py": "Admin"}.items():
        if page in shown:
            at.switch_page(f"app_pages/{page}")
            at.run()
            assert not at.exception and title(at) == want


def test_public_sees_the_public_da_view_whatever_the_url_asks(db):
    at = run_as(None, DA, view="analyst")
    assert title(at) == "Domestic abuse"
    assert at.segmented_control(key="da_view").options == ["Public / presentation"]
    assert not any("RESTRICTED" in e.value for e in at.error)
    counts = _shown_counts(at)
    assert len(counts) > 50 and not [c for c in counts if 0 < c < 5]
    assert not any(e.label.startswith("Declare the baseline") for e in at.expander)
    # The same request from an analyst gets the restricted view: the check can fail.
    analyst = run_as("analyst", DA, view="analyst")
    assert any("RESTRICTED" in e.value for e in analyst.error)
    assert [c for c in _shown_counts(analyst) if 0 < c < 5]


def test_a_partner_asking_for_the_analyst_view_gets_the_public_one(db):
    at = run_as("partner", DA, view="analyst")
    assert at.segmented_control(key="da_view").value == "Public / presentation"
    assert not [c for c in _shown_counts(at) if 0 < c < 5]


def test_appendices_are_for_partners_and_up(db):
    public = run_as(None, "app_pages/hotspots.py")
    assert "Appendices" not in tab_labels(public)
    partner = run_as("partner", "app_pages/hotspots.py")
    assert "Appendices" in tab_labels(partner)
    partner.session_state["hs_tab"] = "Appendices"
    partner.run()
    assert any("Not for public circulation" in w.value for w in partner.warning)
    log = audit.entries(make_engine(db))
    assert ((log["event"] == "view_restricted") & (log["actor"] == USERS["partner"]["email"])
            & log["detail"].str.contains("appendices")).any()


def test_uploads_and_settings_are_the_analysts(db):
    public_pr = run_as(None, "app_pages/priorities.py")
    assert not public_pr.tabs and not public_pr.file_uploader  # the agreed list only
    partner_pr = run_as("partner", "app_pages/priorities.py")
    assert "Scoring model" not in tab_labels(partner_pr) and "Ranked list" in tab_labels(
        partner_pr)
    analyst_pr = run_as("analyst", "app_pages/priorities.py")
    assert {"Scores", "Candidates", "Scoring model"} <= set(tab_labels(analyst_pr))
    data = run_as("analyst", "app_pages/data.py")
    assert len(data.file_uploader) >= 3  # police.uk, boundaries, partner data
    for role in (None, "partner"):
        trends = run_as(role, "app_pages/trends.py", view="Harm")
        assert not [b for b in trends.button if b.label == "Save weights"], role
    analyst_trends = run_as("analyst", "app_pages/trends.py", view="Harm")
    assert [b for b in analyst_trends.button if b.label == "Save weights"]


def test_admin_page_lists_roles_and_the_audit_log(db):
    at = run_as("admin", "app_pages/admin.py")
    subjects = next(d.value for d in at.dataframe if "Email or claim" in d.value.columns)
    assert set(subjects["Email or claim"]) == {"pat@police.example", "roles=csp.analyst"} or \
        set(subjects["Email or claim"]) == {"pat@police.example", "roles=CSP.Analyst"}
    at.text_input(key="adm_subject").input("new.analyst@council.example")
    at.selectbox(key="adm_role").set_value("analyst")
    next(b for b in at.button if b.label == "Add or change").click().run()
    eng = make_engine(db)
    assert allowlist.role_for(eng, {"email": "New.Analyst@council.example"}).label == "analyst"
    log = audit.entries(eng)
    assert {"sign_in", "roles"} <= set(log["event"])
    assert (log[log["event"] == "roles"]["actor"] == USERS["admin"]["email"]).all()


def test_no_sign_in_on_loopback_is_the_local_analyst(db):
    at = run_as(None, "app_pages/data.py", sign_in=False)
    assert title(at) == "Data"
    assert any("Single-user local mode" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("address", ["0.0.0.0", "", "192.168.1.20"])
def test_no_sign_in_on_another_address_is_public_only(db, bound, address):
    bound(address)
    assert not reaches(None, "data.py", sign_in=False)
    at = run_as(None, sign_in=False)
    assert any("no sign-in is configured" in c.value for c in at.sidebar.caption)
    da = run_as(None, DA, sign_in=False, view="analyst")
    assert not [c for c in _shown_counts(da) if 0 < c < 5]


def _open_workshop(db: str) -> str:
    at = run_as("analyst", "app_pages/workshop.py")
    next(b for b in at.button if b.label == "Open the workshop").click().run()
    assert not at.exception, [e.value for e in at.exception]
    link = next(c.value for c in at.code if "/workshop?t=" in c.value)
    assert link.startswith("https://csp.example.gov.uk/workshop?t=")  # the configured base
    assert at.image  # the QR code
    return list_workshops(make_engine(db))["workshop_id"].iloc[0]


def test_workshop_links_never_reveal_the_facilitator_view(db):
    wid = _open_workshop(db)
    good = tokens.make_token(SECRET, wid, int(time.time()) + 3600)
    at = run_as(None, "app_pages/workshop.py", t=good)
    assert names(at) == ["wp_name"] and not at.sidebar.selectbox
    assert not [m for m in at.metric if m.label == "Participants"]
    # Edited or removed parameters: the old role=participant link, the bare w, a forged token,
    # an expired one, one for another workshop, and a good token with another w.
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    expired = tokens.make_token(SECRET, wid, int(time.time()) - 1)
    other = tokens.make_token(SECRET, "0123456789ab", int(time.time()) + 3600)
    cases = {
        "old link": {"w": wid, "role": "participant"},
        "bare w": {"w": wid},
        "forged": {"t": forged},
        "expired": {"t": expired},
        "other workshop": {"t": other, "w": wid},
        "edited w": {"t": good, "w": "0123456789ab"},
    }
    messages = {"forged": "not valid", "expired": "expired", "other workshop": "different",
                "edited w": "different"}
    for name, params in cases.items():
        for role in (None, "partner"):
            try:
                at = run_as(role, "app_pages/workshop.py", **params)
            except ValueError:  # the page is not even listed for this visitor
                assert role is None and "t" not in params, (name, role)
                continue
            shown = " ".join(x.value for x in [*at.title, *at.caption, *at.markdown])
            assert not [m for m in at.metric if m.label == "Participants"], (name, role)
            assert "Open the workshop" not in [b.label for b in at.button], (name, role)
            assert "Close the workshop" not in shown, (name, role)
            if name in messages:
                assert any(messages[name] in e.value for e in at.error), (name, role)
    log = audit.entries(make_engine(db))
    assert (log["event"] == "workshop_token_refused").sum() >= 4
    assert (log["event"] == "workshop").any()  # the opening


def test_a_token_stops_working_when_the_workshop_closes(db):
    wid = _open_workshop(db)
    good = tokens.make_token(SECRET, wid, int(time.time()) + 3600)
    set_status(make_engine(db), wid, "closed")
    at = run_as(None, "app_pages/workshop.py", t=good)
    assert any("has closed" in i.value for i in at.info)
    assert names(at) == []
