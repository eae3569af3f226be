"""The Report page: preview the Strategic Assessment, edit its narrative, download it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from csp_dash import export
from csp_dash.disclosure.release import hidden_label, threshold
from csp_dash.report.access import allowed_editions
from csp_dash.report.assessment import build_assessment
from csp_dash.report.cli import render
from csp_dash.report.model import PARTNERS, Figure, Narrative, Paragraph, Report, Section, Table
from csp_dash.report.narrative import revert, save_edit
from csp_dash.ui import auth
from csp_dash.ui.charts import draw
from csp_dash.ui.downloads import table_with_downloads
from csp_dash.ui.state import demo_label, engine

EDITION_LABELS = {"public": "Public", PARTNERS: "Partners"}


def current_role() -> str:
    """The signed-in user's role, decided on the server (csp_dash.ui.auth)."""
    return auth.current_role().label


def editions() -> list[str]:
    return allowed_editions(current_role())


def _key(url: str, end, edition: str) -> str:
    return f"report:{url}:{end:%Y-%m}:{edition}"


def get_report(url: str, end, edition: str, author: str, fresh: bool = False) -> Report:
    key = _key(url, end, edition)
    if fresh or key not in st.session_state:
        with st.spinner("Drafting the assessment from the live figures..."):
            st.session_state[key] = build_assessment(engine(), end, edition, author=author,
                                                     partnership=demo_label(url))
        for fmt in ("docx", "pdf"):
            st.session_state.pop(f"{key}:{fmt}", None)
    return st.session_state[key]


def downloads(url: str, report: Report) -> None:
    key = _key(url, report.period_end, report.edition)
    cols = st.columns(2)
    for col, fmt, word in ((cols[0], "docx", "Word"), (cols[1], "pdf", "PDF")):
        if f"{key}:{fmt}" not in st.session_state:
            if col.button(f"Prepare {word}", key=f"prep_{fmt}"):
                with st.spinner(f"Rendering {word}..."):
                    st.session_state[f"{key}:{fmt}"] = render(report, fmt)
                st.rerun()
        else:
            mime = ("application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-"
                    "officedocument.wordprocessingml.document")
            col.download_button(f"Download {word}", st.session_state[f"{key}:{fmt}"],
                                file_name=f"strategic-assessment-{report.period_end:%Y-%m}-"
                                f"{report.edition}.{fmt}", mime=mime, key=f"dl_{fmt}")


def _narrative(url: str, report: Report, block: Narrative, who: str) -> None:
    st.markdown(f"**{block.title}**")
    if not auth.allowed("edit_report"):  # partners read the narrative; analysts edit it
        st.text(block.text)
        return
    text = st.text_area(block.title, block.text, key=f"nar:{block.key}",
                        label_visibility="collapsed", height=110)
    c1, c2, c3 = st.columns([1, 1, 3])
    if c1.button("Save", key=f"save:{block.key}"):
        try:
            save_edit(engine(), report.period_end, block.key, text, who)
        except ValueError as exc:
            st.error(str(exc))
        else:
            block.text, block.edited_by = text.strip(), who
            st.session_state.pop(_key(url, report.period_end, report.edition), None)
            st.rerun()
    if block.edited and c2.button("Revert", key=f"revert:{block.key}"):
        revert(engine(), report.period_end, block.key)
        st.session_state.pop(_key(url, report.period_end, report.edition), None)
        st.session_state.pop(f"nar:{block.key}", None)
        st.rerun()
    c3.caption(f"Edited by {block.edited_by}, {block.edited_at:%d %b %Y %H:%M}"
               if block.edited and block.edited_at else "Drafted from the data")


def table_frame(block: Table) -> pd.DataFrame:
    """A report table as numbers for its download: the report's cells are display text
    ("1,234", "+4.1%"); a hidden cell (public edition) is empty and named in a Hidden column."""
    out = export.split_hidden(pd.DataFrame(block.rows, columns=block.columns),
                              hidden_label(threshold()))
    first = out.columns[0]  # row labels stay text, unless they are ranks
    if out[first].astype(str).str.fullmatch(r"\d+").all():
        out[first] = out[first].astype(int)
    return out if out["Hidden"].astype(bool).any() else out.drop(columns=["Hidden"])


def _table(report: Report, sec: Section, i: int, block: Table) -> None:
    st.caption(block.caption)
    name = block.caption if block.caption.startswith(sec.title) else f"{sec.title}: {block.caption}"
    table_with_downloads(table_frame(block), name, stamp=[f"{report.title}, {report.period_label}",
                                                          report.marking],
                         key=f"dl_rep_{sec.key}_{i}",
                         shown=pd.DataFrame(block.rows, columns=block.columns))


def preview(url: str, report: Report, who: str) -> None:
    for sec in report.sections:
        with st.expander(sec.title, expanded=sec.key in ("headlines", "cover")):
            for i, block in enumerate(sec.blocks):
                if isinstance(block, Narrative):
                    _narrative(url, report, block, who)
                elif isinstance(block, Table):
                    _table(report, sec, i, block)
                    if block.note:
                        st.caption(block.note)
                elif isinstance(block, Figure):
                    draw(block.chart)
                    st.caption(f"{block.caption}. Alt text: {block.alt}")
                elif isinstance(block, Paragraph):
                    if block.style == "heading":
                        st.subheader(block.text)
                    else:
                        st.text(("• " if block.style == "headline" else "") + block.text)
