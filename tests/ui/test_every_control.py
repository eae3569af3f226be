"""Every page, every tab, its controls, then every sidebar filter: no change ends in an exception.

A shared link can carry any tab (?view=SPC) and a user can change any filter after choosing
any control; each combination below is one rerun that must end without an exception.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1.element_tree import _format_value_for_widget

from csp_dash.ui.nav import PAGES
from tests.apptest_helpers import run_app

pytestmark = pytest.mark.slow

# Keyed tab sets per page: the key, and the labels to open.
TABS = {
    "trends.py": ("view", ["Trend", "Year on year", "SPC", "Seasonal", "Harm", "Comparison",
                           "Forecast"]),
    "priorities.py": ("pr_tab", None),
    "hotspots.py": ("hs_tab", None),
}
SKIP_KEYS = {"f_end", "f_len", "f_layer", "f_area", "f_themes", "f_cats"}


def _raw(widget, label: str):
    """The option value a label was formatted from (AppTest selects by value)."""
    candidates = [label, label.lower(), label.split(" ")[0]]
    head = label.split(" ")[0]
    if head.isdigit():
        candidates.append(int(head))
    try:
        candidates.append(pd.Timestamp(label).date())
    except ValueError:
        pass
    for value in candidates:
        try:
            if _format_value_for_widget(widget.format_func, value) == label:
                return value
        except (TypeError, ValueError, KeyError, AttributeError):
            continue
    return None


def _pick(widget, index: int) -> bool:
    """Select option `index` of a selectbox or radio; False where its value cannot be found."""
    value = _raw(widget, widget.options[index])
    if value is None or getattr(widget.proto, "disabled", False):
        return False
    widget.set_value(value).run()
    return True


def _ok(at, what: str) -> None:
    assert not at.exception, (what, [e.value for e in at.exception])


def _filters(at, what: str) -> None:
    """Change each shared filter in turn, as a user would after choosing a control."""
    for key, pick in (("f_len", 1), ("f_end", 2), ("f_layer", 1)):
        boxes = [b for b in at.sidebar.selectbox if b.key == key]
        if boxes and len(boxes[0].options) > pick and _pick(boxes[0], pick):
            _ok(at, f"{what}, then sidebar {key}")
    areas = [b for b in at.sidebar.selectbox if b.key == "f_area"]
    if areas and len(areas[0].options) > 1 and _pick(areas[0], 1):
        _ok(at, f"{what}, then sidebar area")
    themes = [m for m in at.sidebar.multiselect if m.key == "f_themes"]
    if themes and themes[0].options:
        themes[0].select(themes[0].options[0]).run()
        _ok(at, f"{what}, then sidebar themes")


def _controls(at, page: str):
    """Each main-area control changed once (buttons and uploads are left alone)."""
    changed = 0
    for box in list(at.main.selectbox):
        if box.key in SKIP_KEYS or len(box.options) < 2:
            continue
        if _pick(box, len(box.options) - 1):
            _ok(at, f"{page}: selectbox {box.label!r}")
            changed += 1
    for toggle in [*at.main.toggle, *at.main.checkbox]:
        if toggle.proto.disabled:
            continue
        toggle.set_value(not toggle.value).run()
        _ok(at, f"{page}: toggle {toggle.label!r}")
        changed += 1
    for radio in list(at.main.radio):
        other = next((i for i in range(len(radio.options)) if i != (radio.index or 0)), None)
        if other is not None and _pick(radio, other):
            _ok(at, f"{page}: radio {radio.label!r}")
            changed += 1
    return changed


# Local single-user mode is the analyst: the admin page is not theirs (tests/access has it).
@pytest.mark.parametrize("page", [p for p, *_, least in PAGES
                                  if p != "workshop.py" and least != "admin"])
def test_every_control_then_every_filter(app_env, page):
    at = run_app(f"app_pages/{page}")
    _ok(at, page)
    key, labels = TABS.get(page, (None, None))
    if key is not None and labels is None:
        labels = [t.label for t in at.tabs][:8]
    for label in labels or [None]:
        if label is not None:
            at.session_state[key] = label
            at.run()
            _ok(at, f"{page} tab {label}")
        _controls(at, f"{page} tab {label}")
        _filters(at, f"{page} tab {label}")


def test_a_link_to_a_tab_survives_a_filter_change(app_env):
    for tab in ("SPC", "Harm", "Comparison"):
        at = run_app("app_pages/trends.py", view=tab)
        _filters(at, f"link ?view={tab}")
        assert at.query_params.get("view") in (tab, [tab])
