"""The data note: what the assessment rests on (files, months, gaps, rows without a location,
records outside the district, harm weights, when it was generated)."""

from __future__ import annotations

from csp_dash import harm
from csp_dash.db import queries
from csp_dash.db.cube import ALL_LAYER
from csp_dash.report.context import HARM_SCHEME, Context
from csp_dash.report.model import Paragraph, Report, Section, Table

DISTRICT = "district"


def outside_district(ctx: Context) -> int | None:
    """Records in the period whose map point falls outside every district polygon."""
    if DISTRICT not in queries.cube_layers(ctx.engine):
        return None
    first, last = ctx.cmp.current
    whole = queries.cube_counts(ctx.engine, layer=ALL_LAYER, by=(), start=first, end=last)
    inside = queries.cube_counts(ctx.engine, layer=DISTRICT, by=(), start=first, end=last)
    total = int(whole["count"].sum()) if len(whole) else 0
    return total - (int(inside["count"].sum()) if len(inside) else 0)


def data_note(ctx: Context, report: Report) -> Section:
    sec = Section("data-note", "Data note")
    log = queries.ingest_log(ctx.engine)
    summary = queries.load_summary(ctx.engine)
    gaps = queries.missing_months(ctx.engine)
    rows = []
    for force, g in log.groupby("force"):
        rows.append([str(force), str(len(g)), f"{g['month'].min():%b %Y}",
                     f"{g['month'].max():%b %Y}", ", ".join(gaps.get(force, [])) or "none"])
    sec.add(Table("police.uk files loaded", ["Force", "Months loaded", "First", "Last",
                                             "Months missing"], rows))
    sec.add(Paragraph(f"{summary['files']:,} files, {summary['rows']:,} rows loaded; "
                      f"{summary['no_location']:,} rows have no location (counted in the "
                      f"whole-area figures, on no map); {summary['rejected']:,} rows were "
                      "rejected at load."))
    if ctx.cmp.missing_months:
        months = ", ".join(f"{m:%b %Y}" for m in ctx.cmp.missing_months)
        sec.add(Paragraph(f"Months of the two periods compared with no data: {months}."))
    out = outside_district(ctx)
    if out is not None:
        sec.add(Paragraph(f"{out:,} records in {ctx.current_label} fall outside the district "
                          "boundary (police.uk map points over the edge)."))
    edited = harm.edited_categories(ctx.engine, HARM_SCHEME)
    sec.add(Paragraph(harm.weights_stamp(HARM_SCHEME, ctx.weights, edited), "note"))
    sec.add(Paragraph("Change is significant where the Poisson |z| > 2. SPC follows NHS "
                      "Making Data Count (XmR). Source: police.uk street-level crime (Open "
                      "Government Licence v3.0) and partner datasets as loaded.", "note"))
    sec.add(Paragraph(f"Generated at {report.generated_at:%d %B %Y %H:%M} UTC by CSP Dash; "
                      f"{report.edition} edition.", "note"))
    return sec
