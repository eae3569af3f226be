"""Browser: axe-core on each page, normal and in meeting mode, against WCAG 2.1 A and AA.

axe-core comes from npm into test-artifacts/ (scripts/test.sh installs it); without it the
tests skip. Violations are reported by rule, page and element so they can be fixed where
they arise.
"""

from __future__ import annotations

import pytest

from csp_dash.ui.nav import available_pages
from tests.browser_helpers import ROOT, settle

pytestmark = pytest.mark.browser

AXE = ROOT / "test-artifacts" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = [p[3] for p in available_pages("analyst")]


def violations(tab) -> list[str]:
    tab.add_script_tag(path=str(AXE))
    found = tab.evaluate(
        """async (tags) => {
          const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
          return r.violations.map(v => v.id + ' (' + v.impact + '): ' +
            v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }""", TAGS)
    return found


@pytest.mark.parametrize("present", [False, True], ids=["normal", "meeting"])
@pytest.mark.parametrize("page", PAGES)
def test_no_wcag_aa_violations(app_server, browser, page, present):  # noqa: F811
    if not AXE.exists():
        pytest.skip(f"{AXE} is absent: scripts/test.sh installs axe-core with npm")
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    tab.goto(f"{app_server}/{page}" + ("?present=1" if present else ""))
    settle(tab)
    found = violations(tab)
    tab.close()
    assert not found, found
