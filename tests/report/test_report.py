"""The Strategic Assessment: Word and PDF read back equal the app's own figures; editions;
narrative edits survive regeneration and new data."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete

from csp_dash.db.engine import DEMO_FLAG, init_db, make_engine
from csp_dash.db.queries import cube_counts
from csp_dash.db.schema import schema_meta
from csp_dash.report.access import allowed_editions
from csp_dash.report.assessment import build_assessment
from csp_dash.report.docx import render_docx
from csp_dash.report.html import render_html
from csp_dash.report.model import NOT_FOR_PUBLIC, Narrative, Table
from csp_dash.report.narrative import revert, save_edit, stored_edits
from csp_dash.report.pdf import render_pdf
from csp_dash.trends.queries import area_population, loaded_months
from csp_dash.trends.view import yoy_table
from tests.report_helpers import app_figures, docx_text, norm, pdf_pages

END = date(2026, 3, 1)  # both 12-month windows complete in the demo (2024-03 is missing)


@pytest.fixture(scope="module")
def demo(demo_db, tmp_path_factory):
    """Both editions built and rendered once for the module."""
    eng = make_engine(demo_db)
    init_db(eng)
    out = tmp_path_factory.mktemp("report")
    docs = {}
    for edition in ("public", "partners"):
        rep = build_assessment(eng, END, edition)
        pdf = out / f"{edition}.pdf"
        pdf.write_bytes(render_pdf(rep))
        docs[edition] = (rep, render_docx(rep), pdf)
    yield eng, docs
    eng.dispose()


def test_roles_decide_the_editions():
    assert allowed_editions("partner") == ["public", "partners"]
    assert allowed_editions("analyst") == ["public", "partners"]
    assert allowed_editions("public") == ["public"]
    assert allowed_editions("stranger") == ["public"]


def test_headlines_in_word_and_pdf_equal_the_overview(demo):
    eng, docs = demo
    _, items, _ = app_figures(eng, END)
    assert len(items) >= 5
    for edition in ("public", "partners"):
        _, data, pdf = docs[edition]
        body = norm(docx_text(data)[0])
        text = norm(" ".join(pdf_pages(pdf)))
        for item in items:
            assert norm(item["sentence"]) in body
            assert norm(item["sentence"]) in text


def test_each_chapter_figure_and_table_equal_the_trends_page(demo):
    eng, docs = demo
    cmp, _, themes = app_figures(eng, END)
    rep, data, _ = docs["partners"]
    body, tables, _, heads = docx_text(data)
    population = area_population(eng, "all", None)
    counts = cube_counts(eng, layer="all", by=("month", "category"))
    for _, row in cmp.themes.iterrows():
        if row["current"] == 0:
            continue
        theme = row["theme"]
        assert (theme, 1) in heads
        assert f"In the 12 months to {END:%B %Y}: {int(row['current']):,} recorded" in body
        cats = list(themes.loc[themes["theme"] == theme, "category"])
        yoy = yoy_table(counts, themes, cats, cmp.current, cmp.previous, population,
                        loaded_months(eng))
        table = next(t for t in tables if t[0][0] == "Category" and
                     any(r[0] == f"Theme: {theme}" for r in t))
        by_name = {r[0].removeprefix("Theme: "): r for r in table[1:]}
        for _, y in yoy[yoy["level"] != "Total"].iterrows():
            cells = by_name[y["name"]]
            assert cells[1] == f"{int(y['current']):,}"
            assert cells[2] == f"{int(y['previous']):,}"
            assert cells[4] == ("" if pd.isna(y["pct"]) else f"{y['pct']:+.1f}%")


def test_partners_edition_is_marked_on_every_page_and_has_appendices(demo):
    _, docs = demo
    rep, data, pdf = docs["partners"]
    _, _, header, heads = docx_text(data)
    assert NOT_FOR_PUBLIC in header
    pages = pdf_pages(pdf)
    assert len(pages) > 10
    assert all(NOT_FOR_PUBLIC in p for p in pages)
    titles = [t for t, _ in heads]
    assert "Appendix A: by crime category" in titles and "Appendix B: by estate" in titles


def test_public_edition_has_no_appendix_and_no_small_counts(demo):
    _, docs = demo
    rep, data, pdf = docs["public"]
    body, tables, header, heads = docx_text(data)
    assert NOT_FOR_PUBLIC not in header
    assert not any(t.startswith("Appendix") for t, _ in heads)
    assert not any("Not for public circulation" in p for p in pdf_pages(pdf))
    estate = [b for s in rep.sections for b in s.blocks
              if isinstance(b, Table) and b.columns[0] == "Estate" and len(b.columns) == 3]
    assert any(b.sensitive for b in estate), "the demo's partner data gives sensitive tables"
    # the same tables read back from Word (Estate + two windows), the sensitive ones kept
    word = [t for t in tables if t[0][0] == "Estate" and len(t[0]) == 3]
    assert len(word) == len(estate)
    word = [t for t, b in zip(word, estate, strict=True) if b.sensitive]
    cells = [c for t in word for r in t[1:] for c in r[1:]]
    assert any("suppressed" in c for c in cells), "small counts exist and must be hidden"
    assert not any(c.replace(",", "").isdigit() and 1 <= int(c.replace(",", "")) <= 4
                   for c in cells)
    # the partners edition shows the true small counts the public one hides
    partners = [b for s in docs["partners"][0].sections for b in s.blocks
                if isinstance(b, Table) and b.sensitive and b.columns[0] == "Estate"]
    true_cells = [c for t in partners for r in t.rows for c in r[1:]]
    assert any(c.isdigit() and 1 <= int(c) <= 4 for c in true_cells)


def test_pdf_is_tagged_and_figures_have_alt_text(demo):
    _, docs = demo
    rep, data, pdf = docs["public"]
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    figures = rep.figures()
    assert len(figures) >= 10 and all(len(f.alt) > 40 for f in figures)
    import io

    from docx import Document

    descr = [el.get("descr") for el in Document(io.BytesIO(data)).element.body.iter()
             if el.tag.endswith("}docPr")]
    assert descr == [f.alt for f in figures]


def test_narrative_is_escaped_in_html():
    from csp_dash.report.model import Report, Section

    rep = Report("T", "P", END, "x", "public", "a", pd.Timestamp("2026-04-01").to_pydatetime())
    sec = Section("s", "S")
    sec.add(Narrative("k", "What we know", "d", "<script>alert(1)</script> **bold**"))
    rep.sections.append(sec)
    html = render_html(rep)
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "**bold**" in html


def test_narrative_store_on_both_engines(engine):
    save_edit(engine, END, "theme-violence/know", "Our words.", "A. Analyst")
    save_edit(engine, END, "theme-violence/know", "Our better words.", "B. Analyst")
    edits = stored_edits(engine, END)
    assert edits["theme-violence/know"]["text"] == "Our better words."
    assert edits["theme-violence/know"]["edited_by"] == "B. Analyst"
    assert stored_edits(engine, date(2025, 3, 1)) == {}
    with pytest.raises(ValueError, match="cannot be empty"):
        save_edit(engine, END, "theme-violence/know", "  ", "A")
    revert(engine, END, "theme-violence/know")
    assert stored_edits(engine, END) == {}


def test_edits_survive_regeneration_and_a_new_data_load(demo_db, tmp_path):
    from csp_dash.ingest.police import ingest_police

    src = Path(demo_db.removeprefix("duckdb:///"))
    copy = tmp_path / "copy.duckdb"
    shutil.copy(src.with_name("served.duckdb"), copy)
    eng = make_engine(f"duckdb:///{copy}")
    init_db(eng)
    with eng.begin() as conn:  # an own database now: the demo refuses new files
        conn.execute(delete(schema_meta).where(schema_meta.c.key == DEMO_FLAG))
    key = "theme-violence/know"
    save_edit(eng, END, key, "Violence is our first priority.\nSecond line.", "C. Analyst")
    before = build_assessment(eng, END, "public")
    block = next(b for b in before.narratives() if b.key == key)
    assert block.text.startswith("Violence is our first priority.") and block.edited
    # a newer file for the last month, with 200 fewer rows: the figures move
    street = next((src.parent / "files").rglob(f"{END:%Y-%m}-*-street.csv"))
    lines = street.read_text().splitlines()
    newer = tmp_path / "new" / street.name
    newer.parent.mkdir()
    newer.write_text("\n".join(lines[:-200]) + "\n")
    ingest_police(eng, [newer])
    after = build_assessment(eng, END, "public")
    assert after.narratives()[0].key == before.narratives()[0].key
    assert next(b for b in after.narratives() if b.key == key).text == block.text
    all_before = next(b for b in before.sections if b.key == "headlines").blocks[1].text
    all_after = next(b for b in after.sections if b.key == "headlines").blocks[1].text
    assert all_before != all_after  # the drafted headline follows the new data
    eng.dispose()


def test_cli_writes_both_formats_and_refuses_a_bad_period(demo_db, tmp_path, capsys):
    from csp_dash.cli.commands import main

    src = Path(demo_db.removeprefix("duckdb:///")).with_name("served.duckdb")
    copy = tmp_path / "cli.duckdb"
    shutil.copy(src, copy)
    out = tmp_path / "sa.docx"
    assert main(["report", "assessment", "--period-end", "2026-03", "--edition", "partners",
                 "--format", "docx", "--out", str(out), "--db", f"duckdb:///{copy}"]) == 0
    assert NOT_FOR_PUBLIC in docx_text(out.read_bytes())[2]
    assert main(["report", "assessment", "--period-end", "2030-01", "--db",
                 f"duckdb:///{copy}", "--out", str(tmp_path / "x.pdf"), "--format", "pdf"]) == 2
    assert "outside the data loaded" in capsys.readouterr().err


@pytest.mark.slow
def test_essex_assessment_equals_the_app(essex_loaded, tmp_path):
    eng = make_engine(essex_loaded)
    init_db(eng)
    end = date(2018, 7, 1)
    _, items, _ = app_figures(eng, end)
    for edition in ("public", "partners"):
        rep = build_assessment(eng, end, edition)
        body, _, header, heads = docx_text(render_docx(rep))
        for item in items:
            assert norm(item["sentence"]) in norm(body)
        assert (NOT_FOR_PUBLIC in header) == (edition == "partners")
        assert not any(t.startswith("Appendix") for t, _ in heads)  # no estates loaded
    pdf = tmp_path / "essex.pdf"
    pdf.write_bytes(render_pdf(rep))
    pages = pdf_pages(pdf)
    assert all(NOT_FOR_PUBLIC in p for p in pages)
    assert all(norm(i["sentence"]) in norm(" ".join(pages)) for i in items)
    eng.dispose()


def test_looking_ahead_forecasts_from_the_period_end_and_keeps_near_repeats_to_partners(demo):
    from csp_dash.horizon.report import REPORT_CATEGORIES
    from csp_dash.horizon.series import partner_dataset_names

    eng, docs = demo
    for edition, (rep, data, _) in docs.items():
        sec = next(s for s in rep.sections if s.key == "looking-ahead")
        texts = [b.text for b in sec.blocks]
        lines = [t for t in texts if t.startswith(tuple(f"{c}:" for c in REPORT_CATEGORIES))]
        assert len(lines) == len(REPORT_CATEGORIES)
        # forecast from the report's own period end, not from the latest month loaded
        assert any(f"from {END:%B %Y}" in t for t in lines), lines
        assert "Looking ahead" in [t for t, _ in docx_text(data)[3]]
        near = "Crime series (near repeats)" in texts
        if edition == "public":
            assert not near, "exact places and dates of a partner extract stay out of public"
        else:
            assert near == ("crime_extract" in partner_dataset_names(eng))
