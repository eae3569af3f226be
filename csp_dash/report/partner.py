"""Partner datasets in the assessment (domestic abuse, hate, fire...): the 12-month figure,
estates, and for domestic abuse the SPC against its declared baseline.

Every count goes through the disclosure adapter (``report.disclosure``): the public edition
shows what the Domestic abuse page's public view shows, the partners edition true counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csp_dash import events as events_mod
from csp_dash.analysis.narrative import headline_sentence
from csp_dash.analysis.periods import label as window_label
from csp_dash.db import partner_queries, queries
from csp_dash.db.cube import ALL_LAYER
from csp_dash.domestic_abuse.baseline import (
    SCOPE,
    baseline_spc,
    declared_breaks,
    monthly_series,
    year_on_year,
)
from csp_dash.report.charts import spc_figure
from csp_dash.report.context import Context, slug
from csp_dash.report.disclosure import TOTAL, Release, public_release, window_figure
from csp_dash.report.model import Paragraph, Section, Table


@dataclass(frozen=True)
class PartnerSource:
    dataset: str
    source: str
    theme: str
    domestic: bool
    title: str = ""  # in words (partner_queries.titles_of), for headings


def partner_sources(ctx: Context) -> list[PartnerSource]:
    """One source per dataset: the DA-flagged records for DA datasets, else every record."""
    table = partner_queries.dataset_table(ctx.engine)
    flagged = set(partner_queries.flagged_datasets(ctx.engine))
    titles = partner_queries.titles_of(table)
    return [PartnerSource(d, partner_queries.source_of(d) if d in flagged else d, t, d in flagged,
                          titles.get(d, d))
            for d, t in zip(table["dataset"], table["theme"], strict=True)]


def _sentence(name: str, yoy, cur: int | None, prev: int | None, label: str) -> str:
    if yoy.withheld:
        shown = label if cur is None else f"{cur:,}"
        return f"{name}: {shown} in {window_label(yoy.current_window)}. {yoy.withheld}"
    if cur is None or prev is None:
        return (f"{name}: figures for {window_label(yoy.current_window)} are suppressed in the "
                "public edition because they would reveal small counts.")
    return headline_sentence(name, cur, prev, yoy.significant)


def partner_part(ctx: Context, ps: PartnerSource):
    """A function adding the dataset's figures to a chapter section."""

    def add(ctx: Context, sec: Section) -> None:
        rng = queries.month_range(ctx.engine, ps.source)
        if rng is None or pd.Timestamp(rng[0]) > pd.Timestamp(ctx.end):
            return
        whole = monthly_series(queries.cube_counts(ctx.engine, source=ps.source,
                                                   layer=ALL_LAYER, by=("month",)), *rng)
        whole = whole[whole.index <= pd.Timestamp(ctx.end)]
        rel = public_release(ctx.engine, ps.source)
        scopes = [SCOPE] if ps.domestic or ps.theme == SCOPE else [ps.theme, ps.dataset]
        ev = events_mod.list_events(ctx.engine, scopes)
        breaks = declared_breaks(ev)
        yoy = year_on_year(whole, ctx.end, breaks)
        cur, prev = yoy.current_window, yoy.previous_window
        if ctx.public:
            cur_n, prev_n = (rel.window_sum(TOTAL, *w) for w in (cur, prev))
        else:
            cur_n, prev_n = yoy.current, yoy.previous
        name = ps.title or ps.dataset
        sub = Section(f"{sec.key}/partner-{slug(ps.dataset)}", f"Partner data: {name}", 2)
        sub.add(Paragraph(_sentence(name, yoy, cur_n, prev_n, rel.label), "lead"))
        sub.add(_estate_table(ctx, rel, cur, prev, ps))
        if ps.domestic or ps.theme == SCOPE:
            _baseline(ctx, sub, whole, rel, breaks, ev)
        sec.blocks.append(Paragraph(sub.title, "heading"))
        sec.blocks.extend(sub.blocks)

    return add


def _estate_table(ctx: Context, rel: Release, cur, prev, ps: PartnerSource) -> Table:
    rows = [[row, window_figure(rel, row, cur, ctx.public),
             window_figure(rel, row, prev, ctx.public)]
            for row in [*rel.table.index, TOTAL]]
    note = (f"Public edition: counts from 1 to {rel.limit - 1}, and figures that would reveal "
            f"them, are shown as '{rel.label}'." if ctx.public else
            "Partners edition: true counts. Not for public circulation.")
    return Table(f"{ps.title or ps.dataset} by estate", ["Estate", window_label(cur), window_label(prev)],
                 rows, sensitive=rel.sensitive, note=note)


def _baseline(ctx: Context, sec: Section, whole: pd.Series, rel: Release, breaks, ev) -> None:
    base = events_mod.get_baseline(ctx.engine, SCOPE)
    window = (base.start, base.end) if base else None
    if window:
        sec.add(Paragraph(f"{window_label(window)} is the baselining year for domestic abuse "
                          "after the declared recording change: SPC limits come from it, and "
                          "no year-on-year comparison is made across the change."))
    spc = baseline_spc(whole.astype(float), window, breaks, "neutral")
    chart = spc.chart
    if ctx.public:  # the whole-area monthly totals are published cells of the release
        visible = rel.series(TOTAL).reindex(chart.index)
        if visible.isna().any():
            sec.add(Paragraph("The SPC chart is left out of the public edition: a monthly "
                              "total would reveal a small count.", "note"))
            return
    summary = spc.summary
    sec.add(spc_figure(chart, "Count", "Domestic abuse records against the baseline (XmR)",
                       ev, summary))
    sec.add(Paragraph(" ".join([f"SPC status: {summary['message']}", *spc.notes]), "note"))
