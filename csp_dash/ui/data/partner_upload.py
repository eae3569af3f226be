"""Data page, Partner data tab: load a partner CSV/XLSX with a column mapping saved per dataset."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd
import streamlit as st

from csp_dash import config
from csp_dash.db import partner_queries
from csp_dash.ingest.errors import IngestError
from csp_dash.ingest.partner.load import ingest_partner, remove_dataset
from csp_dash.ingest.partner.cube import rebuild_all_partner_cubes
from csp_dash.ingest.partner.mapping import (
    DATE_FORMATS,
    KNOWN_FLAGS,
    THEMES,
    UNITS,
    PartnerMapping,
    check_dataset_name,
    guess_columns,
)
from csp_dash.ingest.partner.read import PartnerFile, read_partner_file
from csp_dash.vocab import POLICE_CATEGORIES
from csp_dash.ui import auth
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.state import data_changed, engine
from csp_dash.db.version import bump

NONE = "(none)"
FIXED = "(one fixed category)"
NEW = "New dataset..."


def partner_upload() -> None:
    auth.require("upload_data")
    """The whole tab: loaded datasets, then the upload and mapping form."""
    eng = engine()
    _last_result()
    _loaded(eng)
    st.markdown("#### Load a partner file")
    st.caption(
        "CSV (UTF-8) or XLSX, one row per record: police DA crimes and incidents, "
        "referrals, hate incidents, fire incidents, reoffending, modern slavery or FGM. "
        "The column mapping is saved per dataset and reused next time. A victim or case "
        "key is pseudonymised with a keyed hash at import; the raw key is never stored."
    )
    if not config.get("pseudonym_secret"):
        st.warning(
            "No pseudonym secret is configured (CSP_DASH_PSEUDONYM_SECRET): files with a "
            "victim or case key will be refused until one is set."
        )
    up = st.file_uploader("Partner file", type=["csv", "xlsx"], key="up_partner")
    if not up:
        return
    try:
        f = read_partner_file(Path(up.name), up.getvalue(), up.name)
    except IngestError as exc:
        st.error(f"Refused: {exc}. Nothing was loaded.")
        return
    known = list(partner_queries.dataset_table(eng)["dataset"])
    c1, c2 = st.columns(2)
    pick = c1.selectbox(
        "Dataset",
        known + [NEW],
        key="pu_dataset",
        help="Loading into an existing dataset reuses its saved mapping",
    )
    name = (
        c2.text_input(
            "New dataset name", key="pu_new", placeholder="e.g. police_da", disabled=pick != NEW
        )
        .strip()
        .lower()
        if pick == NEW
        else pick
    )
    if not name:
        return
    try:
        check_dataset_name(name)
    except ValueError as exc:
        st.error(str(exc))
        return
    saved = partner_queries.mapping(eng, name)
    mapping = _mapping_form(f, saved, name)
    if mapping is None:
        return
    st.download_button(
        "Mapping as JSON (for `csp-dash ingest partner --mapping`)",
        mapping.to_json(),
        file_name=f"{name}.mapping.json",
        mime="application/json",
        type="tertiary",
        icon=":material/download:",
        on_click="ignore",
    )
    if st.button(f"Load into '{name}'", type="primary", key="pu_load"):
        _load(eng, up, name, mapping)


def _loaded(eng) -> None:
    table = partner_queries.dataset_table(eng)
    if table.empty:
        st.info("No partner datasets loaded yet.")
        return
    shown = table.assign(
        first_month=table["first_month"].dt.strftime("%b %Y"),
        last_month=table["last_month"].dt.strftime("%b %Y"),
    )
    titles = partner_queries.titles_of(table)
    shown.insert(0, "title", table["dataset"].map(titles))
    # Named here, not in column_config, so the download carries the same headers.
    shown = shown.drop(columns=["updated_at"]).rename(columns={
        "title": "Dataset", "dataset": "Name (in commands)", "theme": "Theme", "unit": "Unit",
        "files": "Files", "rejected": "Rejected", "rows": "Rows", "no_location": "No location",
        "first_month": "From", "last_month": "To"})
    table_with_downloads(
        shown, "partner datasets", key="dl_pu_datasets",
        column_config={"Rows": st.column_config.NumberColumn(format="localized")},
    )
    for name in table["dataset"]:
        with st.expander(f"{name}: files, rejects, mapping"):
            if partner_queries.uses_demo_secret(eng, name):
                st.caption(
                    ":material/science: Keys pseudonymised with the demo's fixed secret "
                    "(synthetic demo data only)."
                )
            table_with_downloads(partner_queries.file_log(eng, name),
                                 f"{titles.get(name, name)} files", key=f"dl_pu_log_{name}")
            rej = partner_queries.reject_sample(eng, name)
            if len(rej):
                st.markdown(f"Rejected rows (first {len(rej)}; the key column is never stored):")
                table_with_downloads(rej, f"{titles.get(name, name)} rejected rows",
                                     key=f"dl_pu_rej_{name}")
            st.code(partner_queries.mapping(eng, name).to_json(), language="json")
            if st.checkbox(f"I want to remove '{name}'", key=f"pu_rm_ok_{name}") and st.button(
                f"Remove dataset '{name}'", key=f"pu_rm_{name}"
            ):
                remove_dataset(eng, name)
                data_changed()
                st.rerun()
    if st.button(
        "Refresh partner counts",
        key="pu_refresh",
        help="Re-assign partner records to areas after boundaries were loaded",
    ):
        with eng.begin() as conn:
            done = rebuild_all_partner_cubes(conn)
            bump(conn)
        data_changed()
        st.success(f"Partner counts rebuilt for {len(done)} dataset(s).")


def _index(options: list[str], value: str | None) -> int:
    return options.index(value) if value in options else 0


def _mapping_form(f: PartnerFile, saved: PartnerMapping | None, name: str) -> PartnerMapping | None:
    """Column choices, prefilled from the saved mapping or a guess; None if not valid yet."""
    cols = [str(c) for c in f.cells.columns]
    usable = saved if saved and all(c in cols for c in saved.columns) else None
    if saved and usable is None:
        st.warning(f"The saved mapping of '{name}' names columns this file lacks: check it below.")
    guess = guess_columns(cols)
    base = asdict(usable) if usable else {**guess, "theme": "Domestic abuse"}
    opt = [NONE] + cols
    k = f"pu_{name}_"
    c1, c2, c3 = st.columns(3)
    theme = c1.selectbox(
        "Theme", THEMES, index=_index(list(THEMES), base.get("theme")), key=k + "theme"
    )
    unit = c2.selectbox(
        "Unit",
        UNITS,
        index=_index(list(UNITS), base.get("unit", "records")),
        key=k + "unit",
        help="records = crimes and incidents; referrals are counted as referral volumes",
    )
    key_col = c3.selectbox(
        "Victim or case key",
        opt,
        index=_index(opt, base.get("key_column")),
        key=k + "key",
        help="Pseudonymised at import; never stored raw",
    )
    c1, c2, c3 = st.columns(3)
    date_col = c1.selectbox(
        "Date", cols, index=_index(cols, base.get("date_column")), key=k + "date"
    )
    fmts = list(DATE_FORMATS)
    date_fmt = c2.selectbox(
        "Date format",
        fmts,
        index=_index(fmts, base.get("date_format")),
        key=k + "fmt",
        help="Spreadsheet date cells are read as dates anyway",
    )
    cat_opt = [FIXED] + cols
    cat_col = c3.selectbox(
        "Category", cat_opt, index=_index(cat_opt, base.get("category_column")), key=k + "cat"
    )
    fixed = (
        st.text_input("Fixed category", value=base.get("category_value") or "", key=k + "fixed")
        if cat_col == FIXED
        else None
    )
    st.caption(
        "Location: coordinates first (rounded to about 10 m), else the LSOA code, else the "
        "estate name; rows with none are kept as 'no location'."
    )
    c = st.columns(4)
    loc = {
        role: c[i].selectbox(label, opt, index=_index(opt, base.get(role)), key=k + role)
        for i, (role, label) in enumerate(
            (
                ("latitude_column", "Latitude"),
                ("longitude_column", "Longitude"),
                ("lsoa_column", "LSOA code"),
                ("estate_column", "Estate name"),
            )
        )
    }
    saved_flags = base.get("flags") or {}
    c = st.columns(len(KNOWN_FLAGS))
    flags = {
        flag: c[i].selectbox(
            f"{flag.capitalize()} flag (yes/no)",
            opt,
            index=_index(opt, saved_flags.get(flag)),
            key=k + "flag_" + flag,
        )
        for i, flag in enumerate(KNOWN_FLAGS)
    }
    other = "\n".join(f"{n} = {col}" for n, col in saved_flags.items() if n not in KNOWN_FLAGS)
    text = st.text_area(
        "Other flags (one per line: name = column)",
        value=other,
        key=k + "other",
        placeholder="alcohol = Alcohol involved",
    )
    for line in text.splitlines():
        if "=" in line:
            n, col = (p.strip() for p in line.split("=", 1))
            flags[n.lower()] = col
    police = _police_categories(f, cat_col, base.get("police_categories") or {}, k)
    try:
        return PartnerMapping(
            theme=theme,
            unit=unit,
            date_column=date_col,
            date_format=date_fmt,
            category_column=None if cat_col == FIXED else cat_col,
            category_value=fixed or None,
            **{r: (None if v == NONE else v) for r, v in loc.items()},
            flags={n: col for n, col in flags.items() if col and col != NONE},
            key_column=None if key_col == NONE else key_col,
            police_categories=police,
        )
    except ValueError as exc:
        st.error(f"The mapping is not complete: {exc}")
        return None


def _police_categories(
    f: PartnerFile, cat_col: str, saved: dict[str, str], k: str
) -> dict[str, str]:
    """Which partner categories are which police.uk category (for DA as a share of violence)."""
    if cat_col == FIXED:
        return {}
    values = sorted({str(v).strip() for v in f.cells[cat_col] if str(v).strip()})[:200]
    table = pd.DataFrame(
        {"Partner category": values, "police.uk category": [saved.get(v) for v in values]}
    )
    st.markdown(
        "Partner categories as police.uk categories (optional; *Violence and sexual "
        "offences* makes the share of violence):"
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        width="stretch",
        key=k + "police",
        disabled=["Partner category"],
        column_config={
            "police.uk category": st.column_config.SelectboxColumn(
                options=sorted(POLICE_CATEGORIES)
            )
        },
    )
    return {
        r["Partner category"]: r["police.uk category"]
        for r in edited.to_dict("records")
        if r["police.uk category"]
    }


def _load(eng, up, name: str, mapping: PartnerMapping) -> None:
    with st.spinner("Checking every row, then loading and assigning areas..."):
        try:
            r = ingest_partner(
                eng, Path(up.name), name, mapping, data=up.getvalue(), file_name=up.name
            )
        except IngestError as exc:
            st.error(f"Refused: {exc}. Nothing was loaded.")
            return
    data_changed()
    auth.record("data_upload", f"partner dataset '{name}' from {up.name}")
    if r.status == "unchanged":
        st.session_state["pu_last"] = (
            f"{r.file_name} is already loaded into '{name}' with this mapping: nothing changed.",
            None,
        )
        st.rerun()
    text = (
        f"{r.file_name}: {r.rows:,} rows {r.status} into '{name}' ({r.first_month} to "
        f"{r.last_month}), {r.no_location:,} with no location, {r.rejected:,} rejected"
        + (f"; {r.replaced_rows:,} earlier rows replaced." if r.replaced_rows else ".")
    )
    # Rerun so the datasets table above shows the new load; the message survives the rerun.
    st.session_state["pu_last"] = (text, r.rejects if r.rejected else None)
    st.rerun()


def _last_result() -> None:
    last = st.session_state.pop("pu_last", None)
    if last:
        st.success(last[0])
        if last[1] is not None:
            table_with_downloads(last[1], "rejected rows of the last load",
                                 key="dl_pu_last_rejects")
