"""Build the Strategic Assessment's model from live figures.

Sections: cover and covering report, headlines, one chapter per theme with data (police
themes, then partner-only themes), looking ahead (forecasts; near repeats in the partners
edition), recommendations and priorities, Appendix A (by category)
and Appendix B (by estate) in the partners edition only, and the data note. Each section's
build time is kept in ``report.timings`` for the benchmark.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine

from csp_dash.analysis.periods import label as window_label
from csp_dash.demo.loader import demo_flag
from csp_dash.domestic_abuse.baseline import break_between, declared_breaks
from csp_dash.horizon.report import looking_ahead
from csp_dash.hotspots.analysis import HotspotQuery, analyse
from csp_dash.hotspots.appendix import appendix_tables, count_matrix
from csp_dash.priorities import agreed
from csp_dash.report import datanote
from csp_dash.report.chapters import theme_chapter
from csp_dash.report.context import ESTATE, Context, build_context, slug
from csp_dash.report.model import EDITIONS, PARTNERS, PUBLIC, Paragraph, Report, Section, Table
from csp_dash.report.narrative import apply_edits, draft, stored_edits
from csp_dash.report.partner import partner_part, partner_sources

TITLE = "Strategic Assessment"


def build_assessment(engine: Engine, period_end: date, edition: str = PUBLIC,
                     author: str = "Community safety analyst",
                     partnership: str | None = None) -> Report:
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}")
    end = date(period_end.year, period_end.month, 1)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ctx = build_context(engine, end, public=edition == PUBLIC)
    timings["figures"] = time.perf_counter() - t0
    place = partnership or demo_flag(engine) or "the partnership"
    report = Report(TITLE, place, end, ctx.current_label, edition, author,
                    datetime.now(UTC).replace(tzinfo=None, microsecond=0), timings=timings)

    def timed(name: str, make):
        t = time.perf_counter()
        out = make()
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - t
        return out

    report.sections.append(timed("cover", lambda: cover(ctx, report)))
    report.sections.append(timed("headlines", lambda: headlines(ctx)))
    for sec in timed("chapters", lambda: list(chapters(ctx, timings))):
        report.sections.append(sec)
    report.sections.append(timed("looking ahead", lambda: looking_ahead(
        engine, end, near_repeats=edition == PARTNERS)))
    report.sections.append(timed("priorities", lambda: priorities(ctx)))
    if edition == PARTNERS:
        report.sections.extend(timed("appendices", lambda: appendices(ctx)))
    report.sections.append(timed("data note", lambda: datanote.data_note(ctx, report)))
    apply_edits(report, stored_edits(engine, end))
    return report


def cover(ctx: Context, report: Report) -> Section:
    sec = Section("cover", "Covering report")
    sec.add(Paragraph(f"{report.partnership}: {TITLE} for the 12 months to {ctx.end:%B %Y} "
                      f"({ctx.current_label}).", "lead"))
    sec.add(Paragraph(f"Author: {report.author}. Drafted {report.generated_at:%d %B %Y} from "
                      f"the figures loaded in CSP Dash. {report.marking}."))
    sec.add(draft("cover/purpose", "Purpose",
                  "This report presents the partnership's annual Strategic Assessment, as "
                  "the Crime and Disorder Act 1998 requires, and asks the partnership to agree "
                  "its priorities for the coming year."))
    sec.add(draft("cover/background", "Background",
                  f"The assessment compares the 12 months to {ctx.end:%B %Y} with "
                  f"{ctx.cmp.previous_what} ({ctx.previous_label}), using police.uk "
                  "street-level crime and the partner datasets loaded."))
    sec.add(draft("cover/recommendations", "Recommendations",
                  "That the partnership (1) notes the assessment, (2) agrees the priorities "
                  "listed under Recommendations and priorities, and (3) asks each chapter's "
                  "lead to report progress against them."))
    return sec


def baselining_sentences(ctx: Context) -> list[str]:
    """Declared recording changes that fall inside the two periods compared."""
    out = []
    for b in declared_breaks(ctx.events):
        if break_between(ctx.cmp.previous, ctx.cmp.current, [b]) is None:
            continue
        scopes = ctx.events.loc[pd.to_datetime(ctx.events["month"]) == pd.Timestamp(b.month)]
        scope = next((s for s in scopes["scope"] if s != "all"), "all crime")
        year = window_label((b.month, (pd.Timestamp(b.month) + pd.DateOffset(months=11)).date()))
        out.append(f"{year} is a baselining year for {scope.lower()} after the recording "
                   f"change of {b.month:%B %Y} ({b.label}), so no like-for-like comparison "
                   f"is made for {scope.lower()} across it.")
    return out


def headlines(ctx: Context) -> Section:
    sec = Section("headlines", "Headlines")
    sec.add(Paragraph(f"The 12 months to {ctx.end:%B %Y} ({ctx.current_label}) against "
                      f"{ctx.cmp.previous_what} ({ctx.previous_label}); a change is "
                      "significant where the Poisson |z| > 2."))
    for item in ctx.items:
        sec.add(Paragraph(item["sentence"], "headline"))
    for sentence in baselining_sentences(ctx):
        sec.add(Paragraph(sentence, "headline"))
    if not ctx.cmp.comparable:
        sec.add(Paragraph(f"{len(ctx.cmp.missing_months)} month(s) of the two periods have no "
                          "data loaded, so no change is claimed.", "note"))
    return sec


def chapters(ctx: Context, timings: dict[str, float]):
    sources = partner_sources(ctx)
    police_themes = [t for t in dict.fromkeys(ctx.themes["theme"])]
    for theme in police_themes:
        t = time.perf_counter()
        parts = [partner_part(ctx, ps) for ps in sources if ps.theme == theme]
        sec = theme_chapter(ctx, theme, parts)
        timings[f"chapter: {theme}"] = time.perf_counter() - t
        if sec is not None:
            yield sec
    for theme in dict.fromkeys(ps.theme for ps in sources if ps.theme not in police_themes):
        t = time.perf_counter()
        key = f"theme-{slug(theme)}"
        sec = Section(key, theme)
        for ps in sources:
            if ps.theme == theme:
                partner_part(ctx, ps)(ctx, sec)
        sec.add(draft(f"{key}/know", "What we know", _first_sentence(sec)))
        sec.add(draft(f"{key}/done", "What we have done",
                      "[To be written by the partnership: the activity delivered this year.]"))
        sec.add(draft(f"{key}/recommend", "Recommendations",
                      "Keep the partner data under review with its owners."))
        timings[f"chapter: {theme}"] = time.perf_counter() - t
        yield sec


def _first_sentence(sec: Section) -> str:
    lead = next((b.text for b in sec.blocks if isinstance(b, Paragraph) and b.style == "lead"), "")
    return lead or "No partner figures for this period."


def priorities(ctx: Context) -> Section:
    sec = Section("priorities", "Recommendations and priorities")
    years = [y for y in agreed.agreed_years(ctx.engine) if y <= ctx.end.year + 1]
    if not years:
        sec.add(Paragraph("No agreed list is recorded yet: the priorities will be agreed at "
                          "the partnership workshop."))
    else:
        year = years[0]
        df = agreed.agreed_list(ctx.engine, year)
        sec.add(Paragraph(f"The priorities the partnership agreed for {year}:", "lead"))
        sec.add(Table(f"Agreed priorities, {year}", ["Rank", "Priority", "Rationale"],
                      [[str(r["rank"]), str(r["name"]), str(r["rationale"] or "")]
                       for _, r in df.iterrows()]))
    sec.add(draft("priorities/recommend", "Recommendations",
                  "That the partnership adopts the priorities above for the coming year."))
    return sec


def appendices(ctx: Context) -> list[Section]:
    """A: estates x categories (counts for the period); B: per estate, each category against
    the comparison period. Both from ``hotspots.appendix``, as the Hotspots page downloads."""
    if ctx.domain is None:
        return []
    cats = list(ctx.themes["category"])
    res = analyse(ctx.engine, HotspotQuery(ESTATE, None, ctx.cmp.current), ctx.weights,
                  domain=ctx.domain, themes=ctx.themes)
    matrix = count_matrix(res, cats).rename(columns={"name": "Estate"})
    by_estate, _ = appendix_tables(res, cats)
    keep = [c for c in by_estate.columns if not c.endswith(" code") and c != "Poisson z"]
    out = []
    for key, title, df in (("appendix-a", "Appendix A: by crime category", matrix),
                           ("appendix-b", "Appendix B: by estate", by_estate[keep])):
        sec = Section(key, title, appendix=True)
        sec.add(Paragraph(f"Not for public circulation. Counts by estate, {ctx.current_label}, "
                          "for the partnership's own use.", "lead"))
        sec.add(Table(title, list(df.columns), [[_cell(v) for v in row] for row in
                                                df.itertuples(index=False)], sensitive=True))
        out.append(sec)
    return out


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else (f"{value:,.0f}" if value.is_integer() else
                                          f"{value:,.2f}")
    if hasattr(value, "item"):
        value = value.item()
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


