"""End to end: the real app in Debian's Chromium, every page on the demo data, no error element."""

from __future__ import annotations

import pytest

from csp_dash.ui.nav import available_pages
from tests.browser_helpers import SHOTS

pytestmark = pytest.mark.browser



# The served app runs in local mode (127.0.0.1, no sign-in): the analyst's pages.
@pytest.mark.parametrize("page", [p for p in available_pages("analyst")], ids=lambda p: p[3])
def test_page_renders_without_error(app_server, browser, page):
    server = app_server
    _, title, _, url = page
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    # The default page lives at the root; Streamlit serves it under no other path.
    tab.goto(f"{server}/" if url == "overview" else f"{server}/{url}")
    tab.wait_for_selector("h1", timeout=120_000)
    # Wait until the script run ends (the status widget shows while it runs).
    tab.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    tab.wait_for_timeout(1500)
    tab.screenshot(path=str(SHOTS / f"{url}.png"), full_page=True)
    errors = tab.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()
    body = tab.inner_text("body")
    assert "synthetic demo data" in body
    assert "Page not found" not in body
    nav = tab.locator('[data-testid="stSidebarNav"]').inner_text()
    assert title in nav
    tab.close()
