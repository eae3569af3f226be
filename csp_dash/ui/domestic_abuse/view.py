"""Domestic abuse page: view mode (public or analyst), dataset, baseline and declared breaks.

The public / presentation view is the default: the analyst view (true counts, RESTRICTED)
is chosen on purpose. The mode is mirrored to the URL as ``view=public|analyst``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from csp_dash import events
from csp_dash.db.partner_queries import source_of
from csp_dash.disclosure.release import (
    PUBLIC_LAYERS,
    hidden_label,
    threshold,
)
from csp_dash.disclosure.suppression import SuppressedTable
from csp_dash.domestic_abuse.baseline import SCOPE, Break, Window, declared_breaks
from csp_dash.ingest.partner.mapping import PartnerMapping
from csp_dash.ui import auth
from csp_dash.ui.cached import dataset_title, dataset_titles
from csp_dash.ui.domestic_abuse import data as da_data
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.filters import Filters, area_label
from csp_dash.ui.state import engine
from csp_dash.ui.text import md

PUBLIC, ANALYST = "Public / presentation", "Analyst (restricted)"
URL_VALUES = {PUBLIC: "public", ANALYST: "analyst"}
RESTRICTED = "RESTRICTED: analyst view with true counts. Not for public circulation."


def view_from_url() -> None:
    """Seed the view from ?view= once per session (call before sidebar_filters).

    ?view=analyst is a request: only a role allowed the analyst view gets it.
    """
    analyst_ok = auth.allowed("view_da_analyst")
    if "da_view" not in st.session_state or not analyst_ok:
        wanted = st.query_params.get("view")
        st.session_state["da_view"] = ANALYST if wanted == "analyst" and analyst_ok else PUBLIC


@dataclass(frozen=True)
class DAContext:
    f: Filters
    public: bool
    limit: int
    label: str
    dataset: str
    mapping: PartnerMapping
    source: str
    series: pd.Series  # monthly DA records for the chosen area (true counts)
    shown: pd.Series  # what this view may show: true counts, or NaN where hidden (public)
    table: pd.DataFrame  # estates x months, true counts (whole span)
    released: SuppressedTable  # the protected release of ``table``
    breaks: list[Break]
    events: pd.DataFrame
    baseline: Window | None
    area_text: str
    area_row: str | None  # the release row that is this area, if any

    @property
    def stamp(self) -> list[str]:
        demo = " (synthetic demo data)" if _is_demo() else ""
        source = f"Source: partner dataset {self.title}{demo}"
        if self.public:
            return [
                f"Public view: counts from 1 to {self.limit - 1}, and figures that would "
                f"reveal them, are shown as '{self.label}' (empty cells in a CSV or XLSX, "
                "named in the Hidden column).",
                source,
            ]
        return [RESTRICTED, source]

    @property
    def title(self) -> str:
        return dataset_title(self.f.url, self.dataset)


def _is_demo() -> bool:
    from csp_dash.ui.state import db_url, demo_label

    return bool(demo_label(db_url()))


def controls(url: str) -> tuple[bool, str | None]:
    """The view toggle and dataset choice; (public?, dataset or None when none is loaded)."""
    names = da_data.datasets(url)
    c1, c2 = st.columns([3, 2])
    analyst_ok = auth.allowed("view_da_analyst")
    mode = c1.segmented_control(
        "View",
        [PUBLIC, ANALYST] if analyst_ok else [PUBLIC],
        key="da_view",
        help="The public view suppresses small counts for presentation "
        "and publication; the analyst view shows true counts.",
    )
    mode = mode if mode and analyst_ok else PUBLIC
    if st.query_params.get("view") != URL_VALUES[mode]:
        st.query_params["view"] = URL_VALUES[mode]
    if not names:
        return mode == PUBLIC, None
    if st.session_state.get("da_dataset") not in names:
        st.session_state["da_dataset"] = names[0]
    titles = dataset_titles(url)
    dataset = c2.selectbox(
        "Partner dataset",
        names,
        key="da_dataset", bind="query-params",
        format_func=lambda n: titles.get(n, n),
        help="Datasets whose records are domestic abuse (theme or DA flag)",
    )
    return mode == PUBLIC, dataset


def context(f: Filters, public: bool, dataset: str) -> DAContext | None:
    url = f.url
    public = public or not auth.allowed("view_da_analyst")  # checked again: true counts
    if not public:
        auth.record_view(f"Domestic abuse analyst view ({dataset})")
    mapping = PartnerMapping.from_json(da_data.mapping_json(url, dataset))
    source = source_of(dataset)
    limit = threshold()
    label = hidden_label(limit)
    series = da_data.series(url, source, f.layer, f.areas_in)
    rel = da_data.release(url, source, limit, label)
    table, released = rel.table, rel.protected
    ev = events.list_events(engine(), [SCOPE])
    base = events.get_baseline(engine(), SCOPE)
    shown, row = series.astype(float), None
    if public:  # every public figure comes from the one release
        shown, row = rel.public_series(f.layer, f.area), rel.row_for(f.layer, f.area)
        if shown is None:
            return None
    return DAContext(
        f,
        public,
        limit,
        label,
        dataset,
        mapping,
        source,
        series,
        shown,
        table,
        released,
        declared_breaks(ev),
        ev,
        (base.start, base.end) if base else None,
        area_label(f),
        row,
    )


def restricted_banner() -> None:
    st.error(
        f"**{RESTRICTED}** Switch to the public view before presenting or sharing a screen.",
        icon=":material/lock:",
    )


def public_banner(limit: int, label: str) -> None:
    st.info(
        f"**Public view.** Counts from 1 to {limit - 1} are shown as '{label}', and so are "
        "other figures where they would let a hidden count be worked out from the totals. "
        "Zeros are shown.",
        icon=":material/visibility_off:",
    )


def public_layers_message() -> None:
    st.warning(
        "In the public view, domestic abuse figures are published for the whole area and "
        "for estates only: figures for other layers could be set against the estate "
        "figures to reveal small counts. Choose *Whole area* or *Estate* as the area "
        "layer, or switch to the analyst view.",
        icon=":material/visibility_off:",
    )
    st.caption(f"Layers available in the public view: {', '.join(PUBLIC_LAYERS)}.")


def _month_options(ctx: DAContext) -> list[date]:
    return [m.date() for m in ctx.series.index]


def declarations(ctx: DAContext) -> None:
    """Declare the baseline and the recording changes (analyst view only)."""
    if not (auth.allowed("edit_baselines") and auth.allowed("edit_events")):
        return
    eng = engine()
    months = _month_options(ctx)
    if not months:
        return
    st.markdown(
        "**Baseline period.** SPC limits come from these months only; monitoring "
        "restarts against them."
    )
    base = ctx.baseline or (months[0], months[min(11, len(months) - 1)])
    with st.form("da_baseline"):
        c1, c2 = st.columns(2)
        start = c1.selectbox(
            "Baseline from",
            months,
            format_func=lambda m: f"{m:%b %Y}",
            index=months.index(base[0]) if base[0] in months else 0,
        )
        end = c2.selectbox(
            "Baseline to",
            months,
            format_func=lambda m: f"{m:%b %Y}",
            index=months.index(base[1]) if base[1] in months else len(months) - 1,
        )
        note = st.text_input("Note (why this baseline)", value="")
        b1, b2 = st.columns(2)
        save = b1.form_submit_button("Save baseline", type="primary")
        clear = b2.form_submit_button("Clear baseline")
    if save:
        try:
            events.set_baseline(eng, SCOPE, start, end, note or None)
        except ValueError as exc:
            st.error(str(exc))
        else:
            auth.record("baseline", f"{SCOPE}: {start:%b %Y} to {end:%b %Y}")
            st.rerun()
    if clear:
        events.clear_baseline(eng, SCOPE)
        auth.record("baseline", f"{SCOPE}: cleared")
        st.rerun()

    st.markdown(
        "**Declared events.** A recording change (or rebase) is a break: year-on-year "
        "comparisons across it are withheld. Notes only annotate the chart."
    )
    if len(ctx.events):
        shown = ctx.events.assign(month=ctx.events["month"].dt.strftime("%b %Y"))
        shown = shown[["month", "kind", "label", "scope"]].rename(columns={
            "month": "Month", "kind": "Kind", "label": "Event", "scope": "Charts it marks"})
        table_with_downloads(shown, "domestic abuse declared events", stamp=ctx.stamp,
                             key="dl_da_events")
        own = ctx.events[ctx.events["scope"] == SCOPE]
        if len(own):
            c1, c2 = st.columns([3, 1])
            pick = c1.selectbox(
                "Delete an event",
                list(own["event_id"]),
                key="da_del_event",
                format_func=lambda i: _event_text(own, i),
            )
            if c2.button("Delete", key="da_del_button"):
                events.delete_event(eng, int(pick))
                auth.record("events", f"{SCOPE}: deleted {_event_text(own, pick)}")
                st.rerun()
    with st.form("da_event", clear_on_submit=True):
        c1, c2, c3 = st.columns([1, 1, 2])
        month = c1.selectbox("Month", months[::-1], format_func=lambda m: f"{m:%b %Y}")
        kind = c2.selectbox("Kind", list(events.KINDS))
        text = c3.text_input("Label", placeholder="e.g. New DA risk-assessment process")
        if st.form_submit_button("Add event") and text.strip():
            events.add_event(eng, month, text, scope=SCOPE, kind=kind)
            auth.record("events", f"{SCOPE}: added {kind} {month:%b %Y}: {text.strip()}")
            st.rerun()


def _event_text(df: pd.DataFrame, event_id: int) -> str:
    row = df[df["event_id"] == event_id].iloc[0]
    return f"{row['month']:%b %Y}: {row['label']} ({row['kind']})"


def baseline_line(ctx: DAContext) -> None:
    """One line: the baseline and the declared breaks, as stored."""
    parts = [
        f"**Baseline:** {ctx.baseline[0]:%b %Y} to {ctx.baseline[1]:%b %Y}"
        if ctx.baseline
        else "**Baseline:** none declared"
    ]
    if ctx.breaks:
        parts.append(
            "**Recording changes:** "
            + "; ".join(f"{b.month:%b %Y} ({md(b.label)})" for b in ctx.breaks)
        )
    st.markdown(" · ".join(parts))
    if da_data.demo_secret(ctx.f.url, ctx.dataset):
        st.caption(
            ":material/science: Victim keys in this dataset were pseudonymised with the "
            "demo's fixed secret (synthetic demo data only; real data needs "
            "CSP_DASH_PSEUDONYM_SECRET)."
        )


def method_notes(ctx: DAContext) -> None:
    with st.expander("How these figures are made"):
        st.markdown(
            "- **SPC** (NHS *Making Data Count* XmR): limits are mean ± 2.66 × mean moving "
            "range, computed from the declared baseline months only; later months are judged "
            "against them. Special cause: a point outside the limits, 7 on one side of the mean, "
            "7 rising or falling, or 2 of 3 beyond two-thirds of a limit. Months before the "
            "baseline are shown in grey and not judged. The chart is never rebased "
            "automatically: only at a declared recording change after the baseline.\n"
            "- **Year on year** compares the 12 months to the period end with the 12 before; it "
            "is withheld when a declared recording change falls between them. Significance: "
            "Poisson z = 2(√current − √previous), |z| > 2.\n"
            "- **Share of violence**: the dataset's categories mapped to police.uk *Violence and "
            "sexual offences*, over police.uk *Violence and sexual offences* for the same area "
            "and months.\n"
            "- **Repeat victimisation**: victims with a record in the period whose same "
            "pseudonymous key has another record 1 to 365 days earlier. Keys are stored only as "
            "a keyed hash (HMAC-SHA256); the raw identifier is never stored.\n"
            f"- **Disclosure**: the public view hides counts from 1 to {ctx.limit - 1} (setting "
            "`disclosure_threshold`) and, by secondary suppression, any figure that would let a "
            f"hidden one be worked out from totals. Hidden figures show '{ctx.label}' (setting "
            "`CSP_DASH_DISCLOSURE_LABEL`), never 0."
        )
