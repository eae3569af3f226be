"""Meeting mode (?present=1): no sidebar or controls, large type, one figure per screen.

Decided on the server each run: app.py hides the menu and the account box, pages ask
`presenting()` before drawing what is not the slide's figure, and the CSS below hides the
sidebar and any remaining controls. The mode grants nothing: every page still draws only
what the visitor's role may see (ui/auth.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

_run = threading.local()  # Streamlit runs each session's script on its own thread

# Sizes for the back of a room at 1920x1080 (docs/architecture.md, "Meeting mode").
BODY_PX = 26
AXIS_LABEL_PX = 20
AXIS_TITLE_PX = 22
TITLE_PX = 30
# Height of a slide's figure, axes and legend included (Streamlit fits a stretched chart to its
# height): it fits 1280x720 under the presenter's bar; a figure of several panels shares it.
ROOM_CHART_PX = 420
BAR_PX = 64  # the presenter's bar, pinned above the page
SHORT_ZOOM = 0.78  # the slide's scale on a screen under 860 px tall
# The hotspot map's scale on a screen at least 1000 px tall (1920x1080): it has a fixed size,
# made to fit 1280x720, which leaves a fifth of a taller screen empty. (Charts that stretch to
# the page's width cannot take a zoom: they would be measured at one width and drawn at another.)
TALL_MAP_ZOOM = 1.2
ROOM_MAP_KEY = "hs_room_map"

CSS = f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {{
  display: none !important;
}}
[data-testid="stMain"] .block-container {{
  padding: {BAR_PX + 8}px 2.5rem 0.25rem; max-width: 100%;
}}
[data-testid="stMain"] {{ font-size: {BODY_PX}px; }}
/* Sized for 1920x1080; a shorter screen (a 1280x720 projector) shows the same slide scaled
   down to fit, without scrolling. */
@media (max-height: 860px) {{ [data-testid="stMain"] .block-container {{ zoom: {SHORT_ZOOM}; }} }}
@media (min-height: 1000px) {{ .st-key-{ROOM_MAP_KEY} {{ zoom: {TALL_MAP_ZOOM}; }} }}
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stMetricLabel"] p,
[data-testid="stMain"] [data-testid="stAlertContainer"] p,
[data-testid="stMain"] [data-testid="stHtml"] *:not(a) {{
  font-size: {BODY_PX}px !important; line-height: 1.3;
}}
[data-testid="stMain"] h1 {{ font-size: 40px; padding: 0; }}
[data-testid="stMain"] code {{ font-size: 1em; color: inherit; background: transparent; }}
[data-testid="stMain"] [data-testid="stTabPanel"] {{ padding-top: 0; }}
/* The presenter's bar is pinned (position: fixed); its box leaves the page's flow. */
[data-testid="stMain"] [data-testid="stElementContainer"]:has(.csp-present-bar) {{
  position: absolute; height: 0;
}}
/* The hotspot map takes the screen left under the title (its height is fixed for the page). */
[data-testid="stElementContainer"]:has([data-testid="stDeckGlJsonChart"]),
[data-testid="stFullScreenFrame"]:has([data-testid="stDeckGlJsonChart"]),
[data-testid="stDeckGlJsonChart"] {{
  height: calc(100vh - 330px) !important; min-height: 0 !important; max-height: calc(100vh - 330px);
}}
/* Controls stay on the server (the slide's link sets them) but off the screen, with the
   element boxes around them, so they leave no gaps. */
[data-testid="stMain"] [data-testid="stElementContainer"]:has(> [data-testid="stSelectbox"],
  > [data-testid="stMultiSelect"], > [data-testid="stRadio"], > [data-testid="stCheckbox"],
  > [data-testid="stNumberInput"], > [data-testid="stButtonGroup"],
  > [data-testid="stDownloadButton"], > [data-testid="stTextInput"]),
[data-testid="stMain"] [data-testid="stHorizontalBlock"]:not(:has([data-testid="stVegaLiteChart"],
  [data-testid="stMetric"], [data-testid="stDeckGlJsonChart"], [data-testid="stMarkdown"],
  [data-testid="stDataFrame"], [data-testid="stAlert"])),
[data-testid="stMain"] [data-testid="stTabs"] [role="tablist"],
[data-testid="stMain"] [data-testid="stHeading"]:has(h3),
[data-testid="stMain"] [data-testid="stTabs"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stExpander"],
[data-testid="stMain"] [data-testid="stElementToolbar"] {{
  display: none !important;
}}
</style>
"""


def presenting() -> bool:
    """True in meeting mode for this run (set by app.py from ?present=1)."""
    return getattr(_run, "present", False)


def start(present: bool) -> None:
    """Record this run's mode; in meeting mode, style the page for a room."""
    _run.present = present
    if present:
        st.html(CSS)


@contextmanager
def not_on_slide() -> Iterator[None]:
    """Wrap what is not the slide's figure (tiles, notes, tables, editors): drawn as usual,
    and left off the screen in meeting mode (still run, since later code may need its values)."""
    if not presenting():
        yield
        return
    holder = st.empty()
    with holder.container():
        yield
    holder.empty()
