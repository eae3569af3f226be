"""Shared download buttons: every table as CSV and XLSX, every chart as PNG and SVG.

Files are built only when the user clicks (Streamlit's deferred ``data`` callable), so a page
rerun never pays for rendering images or workbooks. Text cells are neutralised against
formula injection by ``csp_dash.export``; stamp lines (source, harm weights, "not for public
circulation") head each table file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from csp_dash import export
from csp_dash.ui import auth, tables, text

if TYPE_CHECKING:  # Altair is imported where a chart is drawn: the Overview draws none
    import altair as alt

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_stem(name: str) -> str:
    """A safe, lower-case file name stem: 'Burglary: year on year' -> 'burglary-year-on-year'."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return stem[:80] or "export"


def _button(
    label: str, data: Callable[[], bytes | str], file_name: str, mime: str, key: str, icon: str
) -> None:
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        key=key,
        icon=icon,
        on_click="ignore",
        type="tertiary",
    )


def screen_formats(column_config: Mapping | None) -> dict[str, str | None]:
    """Each column's number format as the page shows it (st.column_config.NumberColumn), so
    the export rounds it the same way (export.prepare)."""
    out: dict[str, str | None] = {}
    for col, cfg in (column_config or {}).items():
        if isinstance(cfg, Mapping):
            fmt = (cfg.get("type_config") or {}).get("format")
            if isinstance(fmt, str):
                out[str(col)] = fmt
    return out


def table_downloads(
    df: pd.DataFrame | Callable[[], pd.DataFrame],
    name: str,
    *,
    stamp: Sequence[str] = (),
    key: str | None = None,
    sheet: str | None = None,
    formats: Mapping[str, str | None] | None = None,
) -> None:
    """CSV and XLSX buttons for a table; ``stamp`` lines are written above the header.

    ``df`` may be a function making the table, called only when a button is clicked (a rerun
    never pays for thousands of rows it may not show); ``formats`` are the page's number
    formats by column (``screen_formats``).
    """
    stem = file_stem(name)
    key = key or f"dl_{stem}"
    if callable(df):
        make = lambda: export.in_words(df())  # noqa: E731
    else:
        frame = export.in_words(df)
        make = lambda: frame  # noqa: E731
    lines = list(stamp)
    fmts = {export.header_words(k): v for k, v in (formats or {}).items()}  # as in_words names
    with st.container(horizontal=True, gap="small"):
        _button(
            "CSV",
            auth.audited(lambda: export.to_csv_bytes(make(), stamp=lines, formats=fmts),
                         f"{stem}.csv", lines),
            f"{stem}.csv",
            CSV_MIME,
            f"{key}_csv",
            ":material/download:",
        )
        _button(
            "XLSX",
            auth.audited(lambda: export.to_xlsx_bytes(make(), sheet=sheet or name, stamp=lines,
                                                      formats=fmts),
                         f"{stem}.xlsx", lines),
            f"{stem}.xlsx",
            XLSX_MIME,
            f"{key}_xlsx",
            ":material/download:",
        )


def chart_downloads(
    chart: alt.TopLevelMixin | Callable[[], alt.TopLevelMixin], name: str, *, key: str | None = None
) -> None:
    """PNG and SVG buttons for an altair chart (or a function making it, called only when a
    button is clicked), rendered on the server."""
    stem = file_stem(name)
    key = key or f"dl_{stem}"
    make = chart if callable(chart) else (lambda: chart)
    with st.container(horizontal=True, gap="small"):
        _button(
            "PNG",
            lambda: export.chart_png(make()),
            f"{stem}.png",
            "image/png",
            f"{key}_png",
            ":material/image:",
        )
        _button(
            "SVG",
            lambda: export.chart_svg(make()),
            f"{stem}.svg",
            "image/svg+xml",
            f"{key}_svg",
            ":material/image:",
        )


def image_downloads(
    png: Callable[[], bytes], svg: Callable[[], str], name: str, *, key: str
) -> None:
    """PNG and SVG buttons for a figure made only when clicked (e.g. the hotspot map)."""
    stem = file_stem(name)
    with st.container(horizontal=True, gap="small"):
        _button("PNG", png, f"{stem}.png", "image/png", f"{key}_png", ":material/image:")
        _button("SVG", svg, f"{stem}.svg", "image/svg+xml", f"{key}_svg", ":material/image:")


def chart_with_downloads(
    chart: alt.TopLevelMixin | Callable[[], alt.TopLevelMixin],
    name: str,
    *,
    key: str | None = None,
    shown: Sequence[alt.TopLevelMixin] | None = None,
    title: str | None = None,
    subtitle: str | None = None,
) -> None:
    """Draw an altair chart full width, with its PNG and SVG buttons underneath.

    ``shown`` draws these charts instead (e.g. the panels of a stacked chart, which Streamlit
    cannot stretch) under ``title`` and ``subtitle``, while the downloads render ``chart``;
    ``chart`` may then be a function making it, called only when a button is clicked.
    """
    if shown is not None and title:
        st.markdown(f"**{text.md(title)}**")
        if subtitle:
            st.caption(text.md(subtitle))
    from csp_dash.ui.charts import draw  # Altair, and the charts' theme, when a chart is drawn
    from csp_dash.ui.meeting.room_charts import room_sized

    panels = list(shown if shown is not None else [chart])
    for each in panels:
        draw(room_sized(each, len(panels)), width="stretch")
    chart_downloads(chart, name, key=key)


def rows_height(n_rows: int, most: int = 25) -> int:
    """A st.dataframe height in pixels that shows ``n_rows`` rows (up to ``most``) unscrolled."""
    return (min(n_rows, most) + 1) * 35 + 3


def table_with_downloads(
    df: pd.DataFrame,
    name: str,
    *,
    stamp: Sequence[str] = (),
    key: str | None = None,
    shown: pd.DataFrame | None = None,
    **dataframe_kwargs,
) -> None:
    """Draw a table (``shown`` if given, else ``df``) with CSV and XLSX buttons for ``df``."""
    dataframe_kwargs.setdefault("hide_index", True)
    dataframe_kwargs.setdefault("width", "stretch")
    view = (df if shown is None else shown).copy(deep=False)
    view.attrs = {}  # pandas metadata (e.g. lists of dates) is not for display
    tables.dataframe(view, **dataframe_kwargs)
    formats = screen_formats(dataframe_kwargs.get("column_config"))
    table_downloads(df, name, stamp=stamp, key=key, formats=formats)
