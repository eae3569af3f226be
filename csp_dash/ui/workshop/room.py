"""The facilitator's room view: the live ranking, the risk matrix and where partners disagree,
large enough to read from the back of a room at 1920x1080, refreshing as scores arrive.

Tables are plain HTML so their text can be sized (the data grid draws on a canvas); every
cell is escaped, so a candidate's name or a partner's words show as typed. Disagreement is
marked by a symbol and words as well as colour (docs/architecture.md, "The workshop in the
room"; the thresholds are in docs/methods.md).
"""

from __future__ import annotations

import base64
import html
from datetime import datetime

import altair as alt
import pandas as pd
import streamlit as st

from csp_dash.analysis.scoring import DIMENSION_LABELS, ScoringModel
from csp_dash.analysis.workshop import WIDE_IQR, WIDE_RANGE
from csp_dash.priorities.charts import risk_matrix
from csp_dash.priorities.workshop.onepage import ranking_with_volume
from csp_dash.priorities.workshop.results import WorkshopResults
from csp_dash.priorities.workshop.sessions import Workshop, get_workshop
from csp_dash.ui.charts import draw
from csp_dash.ui.priorities.data import results
from csp_dash.ui.state import db_url, engine
from csp_dash.ui.text import md
from csp_dash.ui.workshop.links import participant_link, qr_png

REFRESH = "5s"
PARAM = "room"
WIDE_MARK = "▲"  # beside colour, so the marker survives a projector and colour blindness
ROOM_LABEL_PX = 24  # candidate names on the room's risk matrix
ROOM_MATRIX_PX = 900  # the matrix's width at 1920x1080, about

# The root size scales Streamlit's rem-based text: 28 px body, 24.5 px captions.
_CSS = """
<style>
html { font-size: 28px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"] { display: none !important; }
.stMainBlockContainer, .block-container { padding: 0.6rem 1.2rem !important; max-width: 100% !important; }
.stApp h1 { font-size: 1.5rem; padding: 0; }
.stApp h3 { font-size: 1.1rem; padding: 0.2rem 0; }
table.room { border-collapse: collapse; width: 100%; font-size: 1rem; line-height: 1.25; }
table.room th { text-align: left; border-bottom: 3px solid #333; padding: 4px 10px; }
table.room td { border-bottom: 1px solid #bbb; padding: 6px 10px; vertical-align: middle; }
table.room td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.room tr.wide td { background: #fff1d6; }
.room .mark { color: #8a4b00; font-weight: 700; }
.room .bar { display: inline-block; height: 0.7em; background: #1f5f8b; vertical-align: middle; }
.stApp [data-testid="stCaptionContainer"], .stApp [data-testid="stCaptionContainer"] * {
  color: #5c5b59 !important; opacity: 1 !important;
}
.room-qr { text-align: center; font-size: 0.9rem; }
.spread { position: relative; display: inline-block; width: 9em; height: 1.1em;
          vertical-align: middle; background: #eee; border-radius: 3px; }
.spread .range { position: absolute; top: 0.35em; height: 0.4em; background: #9ab; }
.spread .mid { position: absolute; top: 0.1em; height: 0.9em; background: #c45a00; }
.spread .med { position: absolute; top: 0; height: 1.1em; width: 4px; background: #111; }
</style>
"""


def requested() -> bool:
    """The address bar asks for the room view (the page shows it only to a facilitator)."""
    return st.query_params.get(PARAM) == "1"


def enter_button() -> None:
    if st.button("Room view", key="wf_room", icon=":material/co_present:", type="tertiary",
                 help="Large text for the room's screen: ranking, risk matrix, disagreement"):
        st.query_params[PARAM] = "1"
        st.rerun()


def _cell(value: object) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value))
                       else str(value))


def html_table(rows: list[dict], columns: dict[str, str], wide: list[bool] | None = None,
               raw: set[str] = frozenset(), numeric: set[str] = frozenset()) -> str:
    """A table of escaped text; columns named in ``raw`` hold HTML built here, not user text."""
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = []
    for i, row in enumerate(rows):
        cls = ' class="wide"' if wide and wide[i] else ""
        cells = "".join(
            f'<td{" class=num" if c in numeric else ""}>'
            f"{row[c] if c in raw else _cell(row[c])}</td>"
            for c in columns
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    return f'<table class="room"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _wide_by_candidate(res: WorkshopResults) -> dict[str, list[str]]:
    dis = res.disagreement[res.disagreement["wide"]]
    return dis.groupby("candidate")["dimension_label"].apply(list).to_dict()


def ranking_html(res: WorkshopResults) -> str:
    wide = _wide_by_candidate(res)
    rows, marks = [], []
    for cid, r in res.ranking.iterrows():
        dims = wide.get(cid, [])
        score = r.get("priority")
        bar = ("" if pd.isna(score) else
               f'<span class="bar" style="width:{max(float(score), 0) * 4:.2f}em"></span> '
               f"{float(score):.2f}")
        rows.append({
            "rank": "" if pd.isna(r.get("rank")) else int(r["rank"]),
            "name": r["name"],
            "n": int(r["n_scored"]),
            "score": bar or "not yet scored",
            "spread": (f'<span class="mark">{WIDE_MARK}</span> '
                       + _cell(", ".join(dims[:2]) + (f" +{len(dims) - 2}" if len(dims) > 2
                                                       else ""))) if dims else "",
        })
        marks.append(bool(dims))
    return html_table(rows, {"rank": "Rank", "name": "Candidate priority", "n": "Partners",
                             "score": "Priority score (0-1)", "spread": "Partners disagree on"},
                      wide=marks, raw={"score", "spread"}, numeric={"rank", "n"})


def _spread_bar(r, model: ScoringModel) -> str:
    lo, hi = model.scale(r.dimension)

    def at(v: float) -> float:
        return 100 * (float(v) - lo) / (hi - lo) if hi > lo else 0.0

    return (
        '<span class="spread" role="img" aria-label="'
        f'lowest {r.min:g}, middle half {r.q1:g} to {r.q3:g}, median {r.median:g}">'
        f'<span class="range" style="left:{at(r.min):.1f}%;width:{at(r.max) - at(r.min):.1f}%"></span>'
        f'<span class="mid" style="left:{at(r.q1):.1f}%;width:{at(r.q3) - at(r.q1):.1f}%"></span>'
        f'<span class="med" style="left:calc({at(r.median):.1f}% - 2px)"></span></span>'
    )


def disagreement_html(res: WorkshopResults, top: int = 5) -> str | None:
    dis = res.disagreement.head(top)
    if dis.empty:
        return None
    rows = [{
        "mark": f'<span class="mark">{WIDE_MARK}</span>' if r.wide else "",
        "name": r.name,
        "dim": DIMENSION_LABELS.get(r.dimension, r.dimension),
        "n": int(r.n),
        "bar": _spread_bar(r, res.workshop.model),
        "scores": f"{r.min:g} to {r.max:g}, median {r.median:g}",
    } for r in dis.itertuples(index=False)]
    return html_table(rows, {"mark": "", "name": "Candidate priority", "dim": "Question",
                             "n": "Partners", "bar": "Spread", "scores": "Scores"},
                      wide=list(dis["wide"]), raw={"mark", "bar"}, numeric={"n"})


def qr_html(png: bytes) -> str:
    """The participant link's QR code, with a text alternative (st.image has none)."""
    data = base64.b64encode(png).decode("ascii")
    return (f'<div class="room-qr"><img src="data:image/png;base64,{data}" width="130" '
            'alt="QR code of the participant link: scan it to score"><br>Scan to score</div>')


def room_matrix(ranked: pd.DataFrame, model: ScoringModel):
    """The risk matrix with its text sized for the room."""
    # Names are placed for about the width the room's screen gives the chart (it fills its
    # column): a wider column only spreads them further apart.
    chart = risk_matrix(ranked, model, title="", width=ROOM_MATRIX_PX, height=560,
                        label_px=ROOM_LABEL_PX)
    for layer in chart.layer:
        layer.mark = alt.MarkDef(type=layer.mark) if isinstance(layer.mark, str) else (
            layer.mark.copy())
        layer.mark.aria = False
    # The ranking beside it is the matrix's text alternative; the marks carry no ARIA roles.
    return (
        chart.properties(width="container", description="Risk matrix of the live ranking")
        .configure(aria=False)
        .configure_axis(labelFontSize=22, titleFontSize=22, titleLimit=640, labelLimit=300)
        .configure_legend(labelFontSize=20, titleFontSize=22, titleLimit=400, labelLimit=300)
    )


def room_view(ws: Workshop) -> None:
    """Everything the room's screen shows; refreshes itself while the workshop is open.
    Its HTML tables have no CSV/XLSX buttons: a wall screen is not for downloads (the
    facilitator's view has them; docs/architecture.md, "Table exports")."""
    st.html(_CSS)
    unit = st.session_state.get("wf_unit", "participant")
    link, _ = participant_link(ws.workshop_id) if ws.is_open else (None, None)
    qr = qr_png(link) if link else None

    @st.fragment(run_every=REFRESH if ws.is_open else None)
    def _live() -> None:
        now = get_workshop(engine(), ws.workshop_id)
        res = results(db_url(), ws.workshop_id, unit)
        heads = res.history.drop_duplicates("submission_id")
        state = "open for scoring" if now and now.is_open else "closed"
        c1, c2, c3 = st.columns([14, 2, 2], vertical_alignment="top")
        c1.title(md(ws.title), anchor=False)
        c1.markdown(
            f"{res.n_participants} partners from {heads['organisation'].nunique()} "
            f"organisations · {len(heads)} submissions · {state} · updated "
            f"{datetime.now():%H:%M:%S}"
        )
        if qr and now and now.is_open:
            with c2:
                st.html(qr_html(qr))
        if c3.button("Exit", key="wf_room_exit", icon=":material/close:", type="tertiary"):
            st.query_params.pop(PARAM, None)
            st.rerun(scope="app")
        left, right = st.columns([11, 9], gap="large")
        with left:
            st.subheader("Live ranking", anchor=False)
            st.html(ranking_html(res))
        with right:
            st.subheader("Risk matrix", anchor=False)
            # Streamlit's own theme would reset the room's font sizes.
            draw(room_matrix(ranking_with_volume(engine(), res), ws.model), width="stretch",
                 theme=None)
        st.subheader(f"Where partners disagree most ({WIDE_MARK} = to discuss)", anchor=False)
        table = disagreement_html(res)
        if table is None:
            st.markdown("Disagreement shows once two partners have scored the same candidate.")
        else:
            st.html(table)
            st.caption(
                f"{WIDE_MARK}: the middle half of partners' scores spans {WIDE_IQR:g} points "
                f"or more, or the lowest and highest are {WIDE_RANGE:g} or more apart. "
                "Bar: grey lowest to highest, orange the middle half, black the median."
            )

    _live()
