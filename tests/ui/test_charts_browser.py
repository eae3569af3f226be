"""In the browser at 1920x1080 on the demo: chart and caption text meet WCAG AA as drawn
(Streamlit's theme included), and the hotspot map's PNG and SVG buttons give the map image."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from csp_dash import palette
from tests.browser_helpers import SHOTS

pytestmark = pytest.mark.browser

CHART_TEXT = """(() => {
  const out = [];
  document.querySelectorAll('[data-testid=stVegaLiteChart] svg text').forEach(t => {
    if (t.textContent.trim()) out.push([t.getAttribute('fill'), t.textContent]);
  });
  return out;
})()"""
CAPTIONS = """Array.from(document.querySelectorAll('[data-testid=stCaptionContainer]'))
  .map(e => [getComputedStyle(e).color, getComputedStyle(e).opacity, e.innerText.slice(0, 60)])"""



def _open(browser, url: str):
    tab = browser.new_page(viewport={"width": 1920, "height": 1080}, accept_downloads=True)
    tab.goto(url)
    tab.wait_for_selector("h1", timeout=120_000)
    tab.wait_for_function(
        "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000
    )
    tab.wait_for_timeout(2000)
    return tab


def _rgb_hex(css: str) -> str:
    nums = [int(float(v)) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
    return palette.hex_of(tuple(nums))


@pytest.mark.parametrize("view", ["Trend", "SPC", "Comparison"])
def test_chart_and_caption_text_meet_wcag_aa(app_server, browser, view):
    tab = _open(browser, f"{app_server}/trends?view={view}")
    tab.wait_for_selector("[data-testid=stVegaLiteChart] svg text", timeout=60_000)
    chart = tab.locator("[data-testid=stVegaLiteChart]").first
    chart.scroll_into_view_if_needed()
    tab.wait_for_timeout(800)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"charts-{view.lower()}-1920.png"))
    texts = tab.evaluate(CHART_TEXT)
    assert len(texts) > 10
    for fill, body in texts:
        assert palette.contrast_ratio(fill) >= palette.MIN_TEXT_CONTRAST, (fill, body)
    captions = tab.evaluate(CAPTIONS)
    assert captions
    for colour, opacity, body in captions:
        rgb = palette.rgb(_rgb_hex(colour))
        a = float(opacity)
        seen = palette.hex_of(tuple(round(c * a + 255 * (1 - a)) for c in rgb))
        assert palette.contrast_ratio(seen) >= palette.MIN_TEXT_CONTRAST, (seen, body)
    tab.close()


def test_hotspot_map_downloads_the_map_image(app_server, browser):
    tab = _open(browser, f"{app_server}/hotspots")
    deck = tab.locator("[data-testid=stDeckGlJsonChart]").first
    deck.scroll_into_view_if_needed()
    tab.wait_for_timeout(2500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "hotspot-map-1920.png"))
    buttons = tab.locator("[data-testid=stDownloadButton] button")
    png_button = buttons.filter(has_text="PNG").first
    with tab.expect_download(timeout=120_000) as got:
        png_button.click()
    img = Image.open(io.BytesIO(got.value.path().read_bytes()))
    img.load()
    assert img.format == "PNG" and img.width > 900
    svg_button = buttons.filter(has_text="SVG").first
    with tab.expect_download(timeout=120_000) as got:
        svg_button.click()
    root = ET.fromstring(got.value.path().read_text())
    words = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "synthetic demo data" in words  # the demo's own source line, not OS copyright
    assert "Crown copyright" not in words
    tab.close()
