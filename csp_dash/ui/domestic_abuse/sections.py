"""Sections of the domestic abuse page. Each draws from a DAContext; in the public view every
count goes through the release table (csp_dash.disclosure.release) or the threshold."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from csp_dash import export
from csp_dash.analysis.periods import label
from csp_dash.db.cube import ALL_LAYER, POLICE
from csp_dash.db.partner_queries import source_of
from csp_dash.disclosure.public_figures import (
    public_window_sums,
    repeat_hidden,
    share_hidden,
    share_months_hidden,
    share_window_hidden,
)
from csp_dash.disclosure.release import period_view, public_count, true_view
from csp_dash.domestic_abuse.baseline import (
    YearOnYear,
    baseline_spc,
    break_between,
    share_by_month,
    share_of_violence,
    withheld_reason,
    year_on_year,
)
from csp_dash.ingest.partner.mapping import VIOLENCE
from csp_dash.ui.cached import dataset_title
from csp_dash.ui.domestic_abuse import charts as da_charts
from csp_dash.ui.domestic_abuse import data as da_data
from csp_dash.ui.domestic_abuse.view import DAContext
from csp_dash.ui.downloads import chart_with_downloads, table_with_downloads
from csp_dash.ui.text import md


@dataclass
class Figures:
    yoy: YearOnYear
    cur_shown: int | None  # the latest 12 months as this view may show them
    prev_shown: int | None
    share: pd.DataFrame  # month: da_violence, violence, share
    share_cur: dict
    repeat_cur: dict
    repeat_prev: dict | None
    repeat_withheld: str | None


def compute(ctx: DAContext) -> Figures:
    f, url = ctx.f, ctx.f.url
    yoy = year_on_year(ctx.series, f.end, ctx.breaks, length=f.length)
    cur, prev = yoy.current_window, yoy.previous_window
    vio_cats = tuple(ctx.mapping.violence_categories)
    da_vio = (
        da_data.series(url, ctx.source, f.layer, f.areas_in, vio_cats)
        if vio_cats
        else ctx.series * 0
    )
    police = da_data.counts(url, POLICE, f.layer, ("month",), f.areas_in, (VIOLENCE,))
    police = police.set_index("month")["count"].reindex(ctx.series.index)
    share = share_by_month(da_vio, police)
    rep_cur = da_data.repeat(url, ctx.dataset, f.layer, f.area, *cur)
    brk = break_between(prev, cur, ctx.breaks)
    rep_prev = None if brk else da_data.repeat(url, ctx.dataset, f.layer, f.area, *prev)
    cur_shown, prev_shown = (
        public_window_sums(ctx.shown, [cur, prev])
        if ctx.public else (yoy.current, yoy.previous)
    )
    return Figures(
        yoy,
        cur_shown,
        prev_shown,
        share,
        share_of_violence(share, cur),
        rep_cur,
        rep_prev,
        withheld_reason(brk) if brk else None,
    )


def _n(ctx: DAContext, n: int | None) -> str:
    if n is None:
        return ctx.label
    return public_count(n, ctx.limit, ctx.label) if ctx.public else f"{n:,}"


def _share_hidden(ctx: DAContext, sc: dict, fig: Figures) -> bool:
    if not ctx.public:
        return False
    months = share_months_hidden(ctx.series, fig.share["da_violence"], ctx.limit, ctx.shown)
    return share_hidden(ctx.series, sc, ctx.limit) or share_window_hidden(
        months, fig.yoy.current_window)


def _repeat_hidden(ctx: DAContext, r: dict) -> bool:
    return ctx.public and repeat_hidden(r, ctx.limit)


def tiles(ctx: DAContext, fig: Figures) -> None:
    y = fig.yoy
    prev_label = label(y.previous_window)
    c = st.columns(3)
    delta, help_text = None, y.withheld
    if not y.withheld and fig.cur_shown is not None and fig.prev_shown is not None:
        pct = (fig.cur_shown - fig.prev_shown) / fig.prev_shown * 100 if fig.prev_shown else None
        sig = " significant" if y.significant else ""
        delta = f"{pct:+.1f}%{sig}" if pct is not None else None
        help_text = (
            f"{fig.prev_shown:,} in {prev_label}; Poisson z = {y.z:.2f}"
            f"{' (significant)' if y.significant else ''}"
        )
    c[0].metric(
        f"DA records, {label(y.current_window)}",
        _n(ctx, fig.cur_shown),
        delta=delta,
        delta_color="off",
        help=help_text,
        border=True,
    )
    sc = fig.share_cur
    share = "n/a" if pd.isna(sc["share"]) else f"{sc['share'] * 100:.1f}%"
    c[1].metric(
        "DA share of violence",
        ctx.label if _share_hidden(ctx, sc, fig) else share,
        help="DA-flagged violence in the partner data / police.uk Violence and sexual "
        "offences, same area and months",
        border=True,
    )
    r = fig.repeat_cur
    rate = "n/a" if pd.isna(r["repeat_rate"]) else f"{r['repeat_rate'] * 100:.1f}%"
    c[2].metric(
        "Repeat victimisation rate",
        ctx.label if _repeat_hidden(ctx, r) else rate,
        help="Victims with another record in the 12 months before one of theirs, "
        "from the pseudonymous key",
        border=True,
    )
    if y.withheld:
        st.caption(f":material/block: {y.withheld}")


def spc_section(ctx: DAContext, improvement: str) -> None:
    st.subheader("Monitoring against the baseline (SPC)")
    s = ctx.series
    if len(s) < 2:
        st.info("Too few months of data for an SPC chart.")
        return
    if ctx.public and ctx.shown.isna().any():
        st.warning(
            "The chart is withheld in the public view: some monthly counts for "
            f"{md(ctx.area_text)} are below {ctx.limit} or hidden to protect one. Choose a "
            "larger area, or use the analyst view.",
            icon=":material/visibility_off:",
        )
        return
    spc = baseline_spc(s, ctx.baseline, ctx.breaks, improvement)
    summary = spc.summary
    title = f"Domestic abuse records per month, {ctx.area_text}"
    chart = da_charts.spc_chart(spc, ctx.events, title)
    chart_with_downloads(chart, f"da-spc-{ctx.dataset}", key="da_spc_dl")
    base = (
        f"Limits from the baseline {spc.baseline[0]:%b %Y} to {spc.baseline[1]:%b %Y} "
        f"({summary['baseline_points']} months): mean {summary['mean']:,.1f}, limits "
        f"{summary['lcl']:,.1f} to {summary['ucl']:,.1f}."
        if spc.baseline
        else ""
    )
    st.markdown(
        f"{summary['message']} {base} {summary['special_points']} point(s) show "
        "special-cause variation."
    )
    for note in spc.notes + ([summary["warning"]] if summary["warning"] else []):
        st.caption(note)
    table = (
        spc.chart[["value", "mean", "ucl", "lcl", "phase", "variation"]]
        .reset_index(names="month")
        .assign(month=lambda d: d["month"].dt.strftime("%b %Y"))
        .rename(columns=SPC_COLUMNS)
    )
    with st.expander("SPC table"):
        table_with_downloads(
            table, f"da-spc-table-{ctx.dataset}", stamp=ctx.stamp, key="da_spc_table"
        )


SPC_COLUMNS = {"month": "Month", "value": "Records", "mean": "Mean", "ucl": "Upper limit",
               "lcl": "Lower limit", "phase": "Phase", "variation": "Variation"}


def share_section(ctx: DAContext, fig: Figures) -> None:
    st.subheader("DA as a share of violence")
    if not ctx.mapping.violence_categories:
        st.info(
            f"Dataset {md(ctx.title)} maps none of its categories to police.uk's Violence and "
            "sexual offences, so no share can be worked out (set police_categories in "
            "its mapping)."
        )
        return
    share = fig.share.copy()
    if ctx.public:
        hidden = share_months_hidden(ctx.series, share["da_violence"], ctx.limit, ctx.shown)
        share.loc[hidden, "share"] = float("nan")
    chart = da_charts.share_chart(share, f"DA-flagged violence as % of violence, {ctx.area_text}")
    chart_with_downloads(chart, f"da-share-{ctx.dataset}", key="da_share_dl")
    sc = fig.share_cur
    gap = sc["months_without_police"]
    st.caption(
        f"Categories counted as violence: {md(', '.join(ctx.mapping.violence_categories))}. "
        "Only months with police.uk data count"
        + (f"; none for {', '.join(f'{m:%b %Y}' for m in gap)}." if gap else ".")
    )


def repeat_section(ctx: DAContext, fig: Figures) -> None:
    st.subheader("Repeat victimisation")
    cur, prev = fig.yoy.current_window, fig.yoy.previous_window
    rows = []
    for name, w, r in (
        ("Period", cur, fig.repeat_cur),
        ("Comparison period", prev, fig.repeat_prev),
    ):
        if r is None:
            continue
        hide = _repeat_hidden(ctx, r)
        row = {"Period": f"{name} ({label(w)})"}
        if not ctx.public:  # counts of victims per window would difference across period ends
            row |= {"Victims": _n(ctx, r["victims"]),
                    "Repeat victims": _n(ctx, r["repeat_victims"])}
        row["Repeat rate"] = (ctx.label if hide or pd.isna(r["repeat_rate"])
                              else f"{r['repeat_rate'] * 100:.1f}%")
        rows.append(row)
    shown = pd.DataFrame(rows)
    table_with_downloads(
        export.split_hidden(shown, ctx.label), f"da-repeat-{ctx.dataset}", stamp=ctx.stamp,
        key="da_repeat", shown=shown,
    )
    if fig.repeat_withheld:
        st.caption(
            f":material/block: {fig.repeat_withheld.replace('Year-on-year change', 'The previous year')}"
        )
    r = fig.repeat_cur
    unkeyed = da_data.unkeyed(ctx.f.url, ctx.dataset, cur[0], cur[1], ctx.f.layer, ctx.f.area)
    st.caption(
        "A record is a repeat when the same victim (pseudonymous key) has another record "
        "1 to 365 days before it; same-day records are one incident. Earlier records "
        "anywhere count."
        + (
            " The data does not reach 12 months before the period, so the rate is understated."
            if not r["lookback_complete"]
            else ""
        )
        + (
            (" Some records have no key and cannot be linked." if ctx.public
             else f" {unkeyed:,} record(s) without a key cannot be linked.")
            if unkeyed else ""
        )
    )


def _columns(view: pd.DataFrame, first: str, public: bool) -> dict:
    """Row labels pinned; in the public view, columns wide enough for the hidden-cell label."""
    cols = {first: st.column_config.TextColumn(pinned=True)}
    if public:
        cols |= {c: st.column_config.TextColumn(width=130, alignment="right") for c in view.columns}
    return cols


def estate_section(ctx: DAContext) -> None:
    st.subheader("Counts by estate and month")
    months = [
        m for m in ctx.table.columns if pd.Timestamp(ctx.f.start) <= m <= pd.Timestamp(ctx.f.end)
    ]
    if not months:
        st.info("No partner data in the chosen period.")
        return
    if ctx.public:
        view = period_view(ctx.released, months, ctx.label)
        st.caption(
            f"{int(ctx.released.primary.values.sum()):,} small counts and "
            f"{int(ctx.released.secondary.values.sum()):,} protecting figures are hidden "
            "across the whole release (every month)."
        )
    else:
        view = true_view(ctx.table, months)
    shown = view.reset_index(names="Estate")
    table_with_downloads(
        export.split_hidden(shown, ctx.label) if ctx.public else shown,
        f"da-estates-{ctx.dataset}",
        stamp=ctx.stamp,
        key="da_estates",
        shown=shown,
        column_config=_columns(view, "Estate", ctx.public),
    )
    st.caption(
        "Estates from records located by coordinates (rounded to about 10 m at import) or "
        "by estate name; 'Not in an estate' holds the rest, including records with no "
        "location, so the columns add up to the district's monthly totals."
    )


def referral_section(ctx: DAContext) -> None:
    names = da_data.datasets(ctx.f.url, "referrals")
    if not names:
        return
    st.subheader("Referral volumes")
    if ctx.public and ctx.f.layer != ALL_LAYER:
        st.info("In the public view referral volumes are published for the whole area only.")
        return
    for name in names:
        if ctx.public:
            rel = da_data.referral_release(ctx.f.url, source_of(name), ctx.limit, ctx.label)
            months = [m for m in (rel.column_totals.index if rel is not None else [])
                      if pd.Timestamp(ctx.f.start) <= m <= pd.Timestamp(ctx.f.end)]
            if not months:
                st.caption("No referrals in the period.")
                continue
            view = period_view(rel, months, ctx.label)
            st.text(dataset_title(ctx.f.url, name))
            shown = view.reset_index(names="Referred to")
            table_with_downloads(
                export.split_hidden(shown, ctx.label), f"da-referrals-{name}", stamp=ctx.stamp,
                key=f"da_ref_{name}", shown=shown,
                column_config=_columns(view, "Referred to", True),
            )
            continue
        df = da_data.counts(
            ctx.f.url,
            source_of(name),
            ctx.f.layer,
            ("month", "category"),
            ctx.f.areas_in,
            None,
            ctx.f.start,
            ctx.f.end,
        )
        months = pd.date_range(pd.Timestamp(ctx.f.start), pd.Timestamp(ctx.f.end), freq="MS")
        wide = (
            (
                df.pivot_table(index="category", columns="month", values="count", aggfunc="sum")
                .reindex(columns=months)
                .fillna(0)
                .astype("int64")
            )
            if len(df)
            else None
        )
        if wide is None or wide.empty:
            st.caption("No referrals in the period.")
            continue
        wide.index.name = "Referred to"
        view = true_view(wide, list(months))
        st.text(dataset_title(ctx.f.url, name))
        table_with_downloads(
            view.reset_index(names="Referred to"),
            f"da-referrals-{name}",
            stamp=ctx.stamp,
            key=f"da_ref_{name}",
            column_config=_columns(view, "Referred to", ctx.public),
        )
