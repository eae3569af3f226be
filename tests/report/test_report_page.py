"""The Report page on the demo: previews the draft, offers both editions to an analyst,
saves a narrative edit with who and when."""

from __future__ import annotations

from csp_dash.db.engine import make_engine
from csp_dash.report.narrative import revert, stored_edits
from tests.apptest_helpers import run_app


def test_report_page_previews_edits_and_prepares_downloads(app_env):
    at = run_app("app_pages/report.py", end="2026-03")
    assert not at.exception
    assert at.title[0].value == "Strategic Assessment"
    edition = next(w for w in at.get("button_group") if w.label == "Edition")
    assert list(edition.options) and len(edition.options) == 2
    texts = [t.value for t in at.text]
    assert any(t.startswith("• All crime (excluding anti-social behaviour)") for t in texts)
    area = next(a for a in at.text_area if a.key == "nar:theme-violence/know")
    area.set_value("Violence: our words, *not markdown*.")
    next(b for b in at.button if b.key == "save:theme-violence/know").click()
    at.run()
    assert not at.exception
    eng = make_engine(app_env)
    try:
        edit = stored_edits(eng, __import__("datetime").date(2026, 3, 1))["theme-violence/know"]
        assert edit["text"] == "Violence: our words, *not markdown*."
        assert edit["edited_by"] == "Community safety analyst"
    finally:
        revert(eng, __import__("datetime").date(2026, 3, 1), "theme-violence/know")
        eng.dispose()
    next(b for b in at.button if b.key == "prep_docx").click()
    at.run()
    assert not at.exception
    assert any(b.key == "dl_docx" for b in at.get("download_button"))
