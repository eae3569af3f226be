"""The room view's tables: user text escaped, disagreement marked in words and symbol."""

from __future__ import annotations

from datetime import datetime, timedelta

from csp_dash.priorities.workshop.results import workshop_results
from csp_dash.priorities.workshop.submissions import Submission, submit
from csp_dash.ui.workshop.room import WIDE_MARK, disagreement_html, html_table, ranking_html
from tests.priorities.test_workshop_store import open_one


def test_html_table_escapes_every_cell_but_the_built_ones():
    rows = [{"name": "<img src=x onerror=alert(1)>", "bar": "<span class='bar'></span>"}]
    out = html_table(rows, {"name": "Name", "bar": "Bar"}, raw={"bar"})
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "<span class='bar'></span>" in out


def test_the_room_marks_where_partners_disagree(duck_engine):
    wid = open_one(duck_engine)
    t0 = datetime(2026, 2, 12, 10)
    # Violence: physical 1 and 5 (range 4: to discuss); capacity 3 and 3 (agreed).
    for i, (who, physical) in enumerate((("Ann", 1), ("Bob", 5))):
        submit(duck_engine, Submission(wid, who, "Police", "a", {"physical": physical,
                                                                  "capacity": 3},
                                       submitted_at=t0 + timedelta(minutes=i)))
    res = workshop_results(duck_engine, wid)
    table = disagreement_html(res)
    assert table.count('class="wide"') == 1 and table.count(WIDE_MARK) == 1
    assert "1 to 5, median 3" in table and "3 to 3, median 3" in table
    ranking = ranking_html(res)
    wide_rows = [r for r in ranking.split("<tr") if 'class="wide"' in r]
    assert len(wide_rows) == 1 and "Violence" in wide_rows[0] and "Harm: physical" in wide_rows[0]
    assert "County lines" in ranking  # every candidate is listed, scored or not
