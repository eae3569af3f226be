"""In Chromium: the Overview's XLSX button downloads a workbook whose numbers are numbers
with number formats (the deferred file is built by the real server when clicked)."""

from __future__ import annotations

import openpyxl
import pytest

from tests.browser_helpers import ARGS, CHROMIUM

pytestmark = pytest.mark.browser


def test_overview_xlsx_downloads_with_number_formats(app_server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            tab = b.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            tab.goto(f"{app_server}/")
            tab.get_by_text("By category").wait_for(timeout=120_000)
            tab.wait_for_function(
                "!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
            button = tab.get_by_role("button", name="XLSX").first
            button.scroll_into_view_if_needed()
            with tab.expect_download(timeout=60_000) as info:
                button.click()
            download = info.value
            assert download.suggested_filename == "overview-by-theme.xlsx"
            path = tmp_path / download.suggested_filename
            download.save_as(path)
        finally:
            b.close()
    ws = openpyxl.load_workbook(path).active
    assert ws.title == "Overview by theme"
    header_row = next(r for r in range(1, ws.max_row + 1)
                      if ws.cell(row=r, column=1).value == "Theme")
    header = [c.value for c in ws[header_row]]
    data = list(ws.iter_rows(min_row=header_row + 1))
    assert data
    for row in data:
        count = row[1]
        assert count.data_type == "n" and isinstance(count.value, int)
        assert count.number_format == "#,##0"
        pct = row[header.index("Change %")]
        assert pct.value is None or (pct.data_type == "n" and round(pct.value, 1) == pct.value)
