"""One chapter per theme with data: the 12-month figures, comparators, trend, SPC, harm,
estates, and the three narrative blocks the analyst edits."""

from __future__ import annotations

import pandas as pd

from csp_dash.analysis.periods import window
from csp_dash.analysis.spc import spc_summary, xmr
from csp_dash.hotspots.analysis import HotspotQuery, analyse
from csp_dash.report.charts import estate_map, spc_figure, trend_figure
from csp_dash.report.context import Context, fmt_int, fmt_pct, fmt_rate, slug
from csp_dash.report.model import Paragraph, Section, Table
from csp_dash.report.narrative import draft
from csp_dash.trends.comparators import (
    compare,
    compare_windows,
    comparison_areas,
    comparison_periods,
    local_totals,
    twelve_month_totals,
)
from csp_dash.trends.queries import directions
from csp_dash.trends.view import (
    harm_ranking,
    improvement_for,
    monthly_by_category,
    rebase_months,
    yoy_table,
)

SPC_MONTHS = 36
TOP_ESTATES = 5
SIGNIFICANCE = {"increase": "Significant increase", "decrease": "Significant decrease"}


def significance(row) -> str:
    if not row["significant"]:
        return "Not significant" if str(row["direction"]) != "not comparable" else "Withheld"
    return SIGNIFICANCE.get(str(row["direction"]), "Significant")


def figures_table(ctx: Context, cats: list[str], theme: str) -> Table:
    yoy = yoy_table(ctx.counts, ctx.themes, cats, ctx.cmp.current, ctx.cmp.previous,
                    ctx.population, ctx.loaded)
    yoy = yoy[yoy["level"] != "Total"]  # the theme row is the total of its categories
    rows = [[("Theme: " if r["level"] == "Theme" else "") + str(r["name"]), fmt_int(r["current"]),
             fmt_int(r["previous"]), fmt_int(r["change"]), fmt_pct(r["pct"]), significance(r),
             fmt_rate(r["rate_current"])] for _, r in yoy.iterrows()]
    return Table(f"{theme}: the 12 months to {ctx.end:%B %Y} against {ctx.cmp.previous_what}",
                 ["Category", ctx.current_label, ctx.previous_label, "Change", "Change %",
                  "Poisson test (|z| > 2)", "Rate per 1,000"], rows)


def comparator_table(ctx: Context, cats: list[str], monthly: pd.Series) -> Table | None:
    areas = comparison_areas(ctx.engine)
    if areas.empty:
        return None
    ends = [(pd.Timestamp(ctx.end) - pd.DateOffset(months=12)).date(), ctx.end]
    periods = comparison_periods(ctx.engine, list(areas["area"]), cats)
    table = compare(local_totals(monthly, ends, ctx.population.residents, "This partnership"),
                    twelve_month_totals(periods, ends))
    cw = compare_windows(table, {"Latest 12 months": ctx.end})
    if cw.empty or len(cw) < 2:
        return None
    rows = [[r["area"], fmt_int(r["count"]), fmt_rate(r["rate"]), fmt_pct(r["change_pct"])]
            for _, r in cw.iterrows()]
    return Table("Against England and Wales and peers (12 months to "
                 f"{ctx.end:%B %Y}; rates per 1,000 residents)",
                 ["Area", "Count", "Rate per 1,000", "Change %"], rows,
                 note="A comparator appears only where its imported rows cover the 12 months "
                      "exactly.")


def spc_part(ctx: Context, sec: Section, cats: list[str], monthly: pd.Series, label: str,
             scopes: list[str]) -> dict | None:
    first = pd.Timestamp(window(ctx.end, SPC_MONTHS)[0])
    series = monthly[(monthly.index >= first) & (monthly.index <= pd.Timestamp(ctx.end))].dropna()
    if len(series) < 2:
        return None
    ev = ctx.events_for(scopes)
    improvement, note = improvement_for(cats, ctx.themes, directions(ctx.engine))
    at = rebase_months(ev, series.index)
    spc = xmr(series, rebase_at=at, improvement=improvement)
    summary = spc_summary(spc)
    sec.add(spc_figure(spc, "Count", f"SPC (XmR): monthly {label}", ev, summary))
    rebased = f" Rebased at the declared change of {', '.join(f'{m:%b %Y}' for m in at)}." if at else ""
    sec.add(Paragraph(f"SPC status: {summary['message']} {note}{rebased}", "note"))
    return summary


def harm_part(ctx: Context, sec: Section, cats: list[str]) -> None:
    if len(cats) < 2:
        return
    rank = harm_ranking(ctx.counts, ctx.weights, ctx.cmp.current, cats)
    rows = [[r["category"], fmt_int(r["count"]), f"{r['weight']:,.1f}", fmt_int(r["harm"]),
             f"{r['harm_share']:.1f}%" if pd.notna(r["harm_share"]) else ""]
            for _, r in rank.iterrows()]
    sec.add(Table(f"Harm-weighted view, {ctx.current_label} (ONS Crime Severity Score weights)",
                  ["Category", "Count", "Weight", "Harm", "Share of harm"], rows))


def estates_part(ctx: Context, sec: Section, cats: list[str], label: str) -> list[str]:
    if ctx.domain is None:
        return []
    q = HotspotQuery("estate", tuple(cats), ctx.cmp.current)
    res = analyse(ctx.engine, q, ctx.weights, domain=ctx.domain, themes=ctx.themes)
    top = res.table.sort_values("count", ascending=False).head(TOP_ESTATES)
    rows = [[r["name"], fmt_int(r["count"]), fmt_int(r["previous"]), fmt_pct(r["pct"]),
             fmt_rate(r["rate"]), str(r["significance"])] for _, r in top.iterrows()]
    sec.add(Table(f"Estates where {label} concentrates, {ctx.current_label}",
                  ["Estate", ctx.current_label, ctx.previous_label, "Change %",
                   "Rate per 1,000", "Gi* hotspot"], rows))
    sec.add(estate_map(ctx.estates, res.table["count"], f"{label.capitalize()} by estate, "
                       f"{ctx.current_label}", "Crimes", label, ctx.outline))
    sec.add(Paragraph(f"{res.concentration.headline} {res.gi_statement}", "note"))
    return list(top["name"])


def theme_chapter(ctx: Context, theme: str, partner_parts: list) -> Section | None:
    cats = list(ctx.themes.loc[ctx.themes["theme"] == theme, "category"])
    row = ctx.cmp.themes.set_index("theme").loc[theme]
    if row["current"] == 0 and row["previous"] == 0:
        return None
    key = f"theme-{slug(theme)}"
    sec = Section(key, theme)
    item = ctx.item_for("theme", theme)
    sec.add(Paragraph(f"In the 12 months to {ctx.end:%B %Y}: "
                      f"{fmt_int(row['current'])} recorded ({ctx.current_label}).", "lead"))
    if item:
        sec.add(Paragraph(item["sentence"]))
    sec.add(figures_table(ctx, cats, theme))
    monthly = monthly_by_category(ctx.counts, cats, ctx.loaded, min(ctx.loaded),
                                  ctx.end).sum(axis=1, min_count=1)
    cmp_table = comparator_table(ctx, cats, monthly)
    if cmp_table:
        sec.add(cmp_table)
    label = theme.lower()
    sec.add(trend_figure(monthly, ctx.cmp.previous[0], "count", f"{theme}: monthly count and "
                         "rolling 12-month total", ctx.events_for([theme, *cats]),
                         "police.uk street-level crime, whole area"))
    summary = spc_part(ctx, sec, cats, monthly, label, [theme, *cats])
    harm_part(ctx, sec, cats)
    top = estates_part(ctx, sec, cats, label)
    for part in partner_parts:
        part(ctx, sec)
    _narrative(ctx, sec, key, item, summary, top)
    return sec


def _narrative(ctx: Context, sec: Section, key: str, item: dict | None, summary: dict | None,
               top: list[str]) -> None:
    know = [item["sentence"]] if item else []
    if summary:
        know.append(summary["message"])
    if top:
        know.append(f"It concentrates in {', '.join(top[:3])}.")
    sec.add(draft(f"{key}/know", "What we know", " ".join(know) or "No figures for this theme."))
    sec.add(draft(f"{key}/done", "What we have done",
                  "[To be written by the partnership: the activity delivered this year.]"))
    rising = item is not None and item.get("direction") == "increase"
    rec = ("Keep this theme under review and target the estates named above."
           if rising else "Maintain current activity and monitor the SPC chart for special "
           "cause.")
    sec.add(draft(f"{key}/recommend", "Recommendations", rec))
