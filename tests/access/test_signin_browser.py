"""End to end in Chromium: the real OpenID Connect flow (st.login) against a mock identity
provider (the oidc-provider-mock package, Authlib-based) served by the test on 127.0.0.1.
Sign in as an analyst and as a partner, sign out, and check what each sees."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from csp_dash.access import allowlist, audit
from csp_dash.db.engine import make_engine
from tests.browser_helpers import SHOTS, free_port, served_app

pytestmark = pytest.mark.browser


@contextmanager
def signin_app(demo_db: str, folder: Path):
    """The app on a copy of the demo, with sign-in against a mock provider; yields its base."""
    oidc = pytest.importorskip("oidc_provider_mock")
    pytest.importorskip("authlib")
    shutil.copy(Path(demo_db.removeprefix("duckdb:///")), folder / "app.duckdb")
    url = f"duckdb:///{folder / 'app.duckdb'}"
    eng = make_engine(url)
    allowlist.set_role(eng, "email", "pat@police.example", "partner", "test")
    allowlist.set_role(eng, "claim", "roles=CSP.Analyst", "analyst", "test")
    eng.dispose()
    users = [
        oidc.User(sub="ann", claims={"email": "ann@council.example", "name": "Ann Analyst",
                                     "roles": ["CSP.Analyst"]}),
        oidc.User(sub="pat", claims={"email": "pat@police.example", "name": "Pat Partner"}),
    ]
    port = free_port()
    with oidc.run_server_in_thread(user_claims=users) as idp:
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "browser-test-cookie-secret-0123456789"\n'
            'client_id = "csp-dash"\n'
            'client_secret = "csp-dash-secret"\n'
            f'server_metadata_url = "http://localhost:{idp.server_port}'
            '/.well-known/openid-configuration"\n'
        )
        with served_app(url, port=port, extra_args=("--secrets.files", str(secrets))) as base:
            yield base



def _settle(tab) -> None:
    tab.wait_for_selector("h1", timeout=120_000)
    tab.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')",
                          timeout=120_000)
    tab.wait_for_timeout(1000)


def _nav(tab) -> str:
    return tab.locator('[data-testid="stSidebarNav"]').inner_text()


def _sign_in(tab, base: str, sub: str) -> None:
    tab.goto(base)
    _settle(tab)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_selector(f'button[value="{sub}"]', timeout=60_000)  # the provider's form
    tab.locator(f'button[value="{sub}"]').click()
    tab.wait_for_url(f"{base}/**", timeout=60_000)
    _settle(tab)


def test_sign_in_as_analyst_and_partner_and_out(demo_db, tmp_path, browser):
    with signin_app(demo_db, tmp_path) as base:
        _walk_through(base, browser)
    # The app has stopped (DuckDB lets one process hold the file): read what it recorded.
    log = audit.entries(make_engine(f"duckdb:///{tmp_path / 'app.duckdb'}"))
    signed = set(log[log["event"] == "sign_in"]["actor"])
    assert {"ann@council.example", "pat@police.example"} <= signed
    viewed = log[log["event"] == "view_restricted"]
    assert set(viewed["actor"]) == {"ann@council.example"}  # only the analyst saw the DA view


def _walk_through(base: str, browser) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = browser.new_page(viewport={"width": 1280, "height": 720})
    tab.goto(base)
    _settle(tab)
    public_nav = _nav(tab)
    assert "Data" not in public_nav and "Workshop" not in public_nav
    assert "Sign in" in tab.inner_text("body")

    _sign_in(tab, base, "ann")
    body = tab.inner_text("body")
    assert "Ann Analyst · analyst" in body
    assert "Data" in _nav(tab) and "Admin" not in _nav(tab)
    tab.goto(f"{base}/domestic-abuse?view=analyst")
    _settle(tab)
    assert "RESTRICTED" in tab.inner_text("body")
    tab.screenshot(path=str(SHOTS / "signin-analyst.png"))

    tab.get_by_role("button", name="Sign out").click()
    # Streamlit ends the provider's session too: the mock asks to confirm, then returns.
    tab.get_by_role("button", name="End session").click(timeout=60_000)
    tab.wait_for_url(f"{base}/**", timeout=60_000)
    _settle(tab)
    assert "Sign in" in tab.inner_text("body") and "Data" not in _nav(tab)
    tab.goto(f"{base}/domestic-abuse?view=analyst")
    _settle(tab)
    assert "RESTRICTED" not in tab.inner_text("body")

    _sign_in(tab, base, "pat")
    assert "Pat Partner · partner" in tab.inner_text("body")
    nav = _nav(tab)
    assert "Crime series" in nav and "Workshop" in nav and "Data" not in nav
    tab.goto(f"{base}/domestic-abuse?view=analyst")
    _settle(tab)
    assert "RESTRICTED" not in tab.inner_text("body")
    tab.screenshot(path=str(SHOTS / "signin-partner.png"))
    tab.close()
