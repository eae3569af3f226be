"""Browser: a five-view meeting pack built from the sidebar on the demo, stepped through with the
arrow keys at 1920x1080 and 1280x720 (screenshots), text sizes measured in the DOM, no scroll,
and each slide's link reopened in a fresh browser context shows the same slide."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser_helpers import settle

pytestmark = pytest.mark.browser

# Five views as an analyst would pick them: page, link parameters (filters and controls), title.
VIEWS = [
    ("overview", "len=24", "Overview, two years"),
    ("trends", "measure=Rate", "Crime per 1,000 residents"),
    ("trends", "view=SPC&spc_rebase=true", "Is it special cause?"),
    ("hotspots", "hs_metric=Rate+per+1%2C000", "Where: rate per 1,000"),
    ("domestic-abuse", "da_improvement=down", "Domestic abuse against the baseline"),
]
CHARTED = {"trends", "domestic-abuse"}  # slides whose figure is an Altair chart
MAPPED = {"hotspots"}  # slides whose figure is the map (an Altair chart without axes)
MAP_TEXT = '[data-testid="stMain"] .vega-embed svg text'
AXIS_TEXT = '[data-testid="stMain"] svg .role-axis-label text'
SIZES = [(1920, 1080), (1280, 720)]
BODY_MIN, AXIS_MIN = 24, 18
# Where to keep the slides for a closing note, when asked (CSP_DASH_SHOTS_DIR).
CLOSING_NOTE = os.environ.get("CSP_DASH_SHOTS_DIR", "")

# Visible text in the page (not inside a chart or the map) whose font is below the minimum.
SMALL_TEXT_JS = """(min) => {
  const out = [];
  const main = document.querySelector('[data-testid="stMain"]');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('svg, canvas, [data-testid="stDeckGlJsonChart"], [data-testid="stIconMaterial"]')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (getComputedStyle(el).fontFamily.includes('Material')) continue;  // an icon, not text
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < min) out.push(size + 'px: ' + node.textContent.trim().slice(0, 60));
  }
  return out;
}"""
AXIS_SIZES_JS = """() => Array.from(document.querySelectorAll(
    '[data-testid="stMain"] svg .role-axis-label text, [data-testid="stMain"] svg .role-axis-title text'))
  .map(t => parseFloat(getComputedStyle(t).fontSize))"""
SCROLLS_JS = """() => { const m = document.querySelector('[data-testid="stMain"]');
  return [m.scrollHeight, m.clientHeight, document.documentElement.scrollHeight, innerHeight]; }"""


def choose(tab, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label."""
    box = tab.get_by_role("combobox", name=label)
    for attempt in range(3):
        box.click()
        box.fill(option)  # the list narrows to the option; Enter picks it
        try:
            tab.get_by_role("option", name=option, exact=True).first.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            # A rerun that redraws the box closes its list (seen under load in CI): wait for
            # the run to end and open it again.
            if attempt == 2:
                raise
            box.press("Escape")
            settle(tab, charts=False)
    box.press("Enter")
    tab.wait_for_function("([el, v]) => el.value === v", arg=[box.element_handle(), option])
    settle(tab, charts=False)


def add_to_pack(tab, server: str, page: str, query: str, title: str, pack: str,
                new: bool) -> None:
    tab.goto(f"{server}/{page}?{query}")
    settle(tab, charts=False)
    panel = tab.locator('[data-testid="stSidebar"] [data-testid="stExpander"]').filter(
        has_text="Meeting mode")
    panel.locator("summary").click()
    if new:
        tab.get_by_label("New pack's name").fill(pack)
    else:
        for attempt in range(3):
            choose(tab, "Meeting pack", pack)
            # The server's answer, not the box's text (which holds what was typed even when
            # a rerun closed the list before Enter picked it): the new pack's name field goes.
            if tab.get_by_label("New pack's name").count() == 0:
                break
            assert attempt < 2, "the pack could not be chosen"
    field = tab.get_by_label("This slide's title")
    for _ in range(3):
        field.fill(title)
        field.press("Enter")
        settle(tab, charts=False)
        # A rerun still under way when the title was typed redraws the field empty (seen under
        # load in CI: the page then answered "Give it a name."): type it again.
        if field.input_value() == title:
            break
    assert new or tab.get_by_label("New pack's name").count() == 0, "the pack choice was lost"
    tab.get_by_role("button", name="Add this view to the pack").click()
    said = tab.locator('[data-testid="stSidebar"] [data-testid="stAlert"]').first
    said.wait_for(timeout=60_000)
    assert re.search(r"Added as slide \d+\.", said.inner_text()), said.inner_text()


def slide_text(tab) -> str:
    return tab.locator('[data-testid="stMain"]').inner_text()


def drawn_slide_text(tab) -> str:
    """The slide's text once it stops changing: the map slide's names and legend arrive after
    the run ends (seen under load in CI: read before they were drawn)."""
    last = slide_text(tab)
    for _ in range(60):
        tab.wait_for_timeout(700)
        now = slide_text(tab)
        if now == last:
            return now
        last = now
    return last


def axis_labels(tab) -> list[str]:
    return tab.eval_on_selector_all(
        '[data-testid="stMain"] svg .role-axis-label text', "ts => ts.map(t => t.textContent)")


def test_a_five_view_pack_runs_at_both_sizes(app_server, browser, tmp_path):
    server = app_server
    # A name of its own: a rerun (tests/conftest.py) must not add to the first attempt's pack.
    pack = f"Board, March {tmp_path.name}"
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = ctx.new_page()
    for i, (page, query, title) in enumerate(VIEWS):
        add_to_pack(tab, server, page, query, title, pack, new=i == 0)
    present = tab.locator('[data-testid="stSidebar"] a', has_text="Present the pack")
    first = present.get_attribute("href")
    ctx.close()

    seen: dict[int, tuple[str, list[str]]] = {}
    links: list[str] = []
    for width, height in SIZES:
        ctx = browser.new_context(viewport={"width": width, "height": height})
        tab = ctx.new_page()
        tab.goto(f"{server}/{first}")
        for n, (page, query, title) in enumerate(VIEWS):
            settle(tab)
            if page in CHARTED:
                tab.wait_for_selector(AXIS_TEXT, timeout=60_000)
            if page in MAPPED:
                tab.wait_for_selector(MAP_TEXT, timeout=60_000)
            assert urlsplit(tab.url).path.strip("/") == page
            params = parse_qs(urlsplit(tab.url).query)
            for key, values in parse_qs(query).items():  # the view's controls came along
                assert params[key] == values, (key, tab.url)
            assert f"{n + 1} of {len(VIEWS)}: {title}" in slide_text(tab)
            assert tab.locator('[data-testid="stSidebar"]').is_hidden()
            shot = tmp_path / f"slide{n + 1}_{width}x{height}.png"
            tab.screenshot(path=str(shot))
            small = tab.evaluate(SMALL_TEXT_JS, BODY_MIN)
            assert not small, (page, small)
            sizes = tab.evaluate(AXIS_SIZES_JS)
            if page in CHARTED:
                assert sizes and min(sizes) >= AXIS_MIN, (page, sizes)
            main_h, main_client, doc_h, inner = tab.evaluate(SCROLLS_JS)
            assert main_h <= main_client + 1 and doc_h <= inner + 1, (page, width, main_h)
            if width == 1280:
                seen[n] = (drawn_slide_text(tab), axis_labels(tab))
                links.append(tab.url)
            if n < len(VIEWS) - 1:
                with tab.expect_navigation():
                    tab.keyboard.press("ArrowRight")
        # ArrowLeft goes back a slide.
        with tab.expect_navigation():
            tab.keyboard.press("ArrowLeft")
        settle(tab)
        assert f"{len(VIEWS) - 1} of {len(VIEWS)}" in slide_text(tab)
        ctx.close()

    # Each slide's link, opened in a fresh context, shows the same slide.
    for n, url in enumerate(links):
        ctx = browser.new_context(viewport={"width": 1280, "height": 720})
        tab = ctx.new_page()
        tab.goto(url)
        settle(tab)
        if VIEWS[n][0] in CHARTED:
            tab.wait_for_selector(AXIS_TEXT, timeout=60_000)
        if VIEWS[n][0] in MAPPED:
            tab.wait_for_selector(MAP_TEXT, timeout=60_000)
        assert (drawn_slide_text(tab), axis_labels(tab)) == seen[n], VIEWS[n]
        ctx.close()

    if CLOSING_NOTE:
        Path(CLOSING_NOTE).mkdir(parents=True, exist_ok=True)
        for shot in sorted(tmp_path.glob("slide*.png")):
            shutil.copy(shot, Path(CLOSING_NOTE) / shot.name)
