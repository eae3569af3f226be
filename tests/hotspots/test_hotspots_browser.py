"""End to end: the hotspot map in Debian's Chromium, offline. The screenshot must show the
areas drawn and coloured (not a blank or grey canvas)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.browser_helpers import ARGS, CHROMIUM, SHOTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(app_server: str) -> str:
    return app_server


def _map_pixels(
    server: str, path: str, name: str, click: str | None = None
) -> tuple[np.ndarray, list[str]]:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{name}.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside = []  # requests that would need the internet
        tab.on(
            "request",
            lambda r: (
                outside.append(r.url)
                if r.url.startswith("http") and "127.0.0.1" not in r.url
                else None
            ),
        )
        tab.goto(f"{server}/{path}")
        deck = tab.locator('[data-testid="stDeckGlJsonChart"]')
        deck.wait_for(timeout=90_000)
        tab.wait_for_function(
            "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
        )
        if click:
            tab.get_by_text(click, exact=True).first.click()
            tab.wait_for_timeout(1000)
            tab.wait_for_function(
                "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
            )
        deck.scroll_into_view_if_needed()
        # WebGL draws after the element appears, later still on a busy machine: wait until
        # two screenshots a second apart agree and show more than the background.
        previous, deadline = None, time.time() + 45
        while time.time() < deadline:
            tab.wait_for_timeout(1000)
            deck.screenshot(path=str(shot))
            px = np.asarray(Image.open(shot).convert("RGB")).astype(int)
            drawn = ((px[..., 0] - px[..., 2]) > 60).mean() > 0.01
            if drawn and previous is not None and np.array_equal(px, previous):
                break
            previous = px
        errors = tab.locator('[data-testid="stException"]').count()
        browser.close()
    assert errors == 0
    return px, outside


def test_area_map_shows_coloured_polygons_offline(server):
    px, outside = _map_pixels(server, "hotspots?layer=lsoa", "hotspots-map-lsoa")
    r, g, b = px[..., 0], px[..., 1], px[..., 2]
    # The blank style paints #f4f3ef; the YlOrRd fills are warm (red well above blue).
    background = (np.abs(r - 244) < 4) & (np.abs(g - 243) < 4) & (np.abs(b - 239) < 4)
    warm = (r - b > 60) & ~background
    assert background.mean() > 0.05, "no blank background: did the map style load?"
    assert warm.mean() > 0.15, f"only {warm.mean():.1%} of the map is coloured"
    shades = {tuple(c // 24) for c in px[warm][:: max(1, warm.sum() // 5000)]}
    assert len(shades) >= 4, "polygons are drawn in too few colours for a choropleth"
    assert not [u for u in outside if "fonts.gstatic" not in u and "cartocdn" in u], outside


def test_cell_map_draws_coloured_hexagons(server):
    px, _ = _map_pixels(server, "hotspots?layer=estate", "hotspots-map-cells", click="H3 cells")
    r, b = px[..., 0], px[..., 2]
    assert ((r - b) > 60).mean() > 0.10  # hexagons cover much of the district
