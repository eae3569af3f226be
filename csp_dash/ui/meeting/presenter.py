"""The presenter's bar (slide n of N, Previous / Next, the arrow keys) and the sidebar panel
where an analyst adds the view on screen to a meeting pack, names, reorders and trims packs.

Slides are plain links: each opens a fresh page load, so the slide's filters and controls are
read from its address exactly as a shared link's are (docs/architecture.md, "Meeting mode").
"""

from __future__ import annotations

import html

import streamlit as st

from csp_dash.meeting import pack as packs
from csp_dash.meeting.views import View, make_view
from csp_dash.ui import auth
from csp_dash.ui.meeting.mode import BAR_PX
from csp_dash.ui.state import engine

LINK_STYLE = ("display:inline-block;padding:0.3rem 0.9rem;margin-left:0.5rem;border-radius:0.5rem;"
              "border:1px solid #1c4e80;color:#1c4e80;background:#fff;text-decoration:none;"
              "font-weight:600")
# Pinned across the top, above the page's title (meeting mode pads the page by its height),
# on one line: a long pack or slide name is cut with an ellipsis, never wrapped over the title.
BAR_STYLE = (f"position:fixed;top:0;left:0;right:0;height:{BAR_PX}px;z-index:999990;"
             "display:flex;align-items:center;justify-content:flex-end;gap:1rem;"
             "padding:0 1.2rem;background:#fff;border-bottom:1px solid #d0d0d0")
WHERE_STYLE = ("color:#31333f;font-size:24px;white-space:nowrap;overflow:hidden;"
               "text-overflow:ellipsis;min-width:0;flex:1;text-align:right")
# ArrowRight / ArrowLeft follow the Next / Previous links (not while typing in a field).
KEYS_JS = """<script>
if (!window.__cspMeetingKeys) {
  window.__cspMeetingKeys = true;
  document.addEventListener('keydown', function (e) {
    var t = e.target && e.target.tagName;
    if (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT') return;
    var cls = e.key === 'ArrowRight' ? 'csp-next' : (e.key === 'ArrowLeft' ? 'csp-prev' : null);
    var a = cls && document.querySelector('a.' + cls);
    if (a) { e.preventDefault(); a.click(); }
  });
}
</script>"""


def _link(href: str, text: str, cls: str = "") -> str:
    return (f'<a class="{cls}" href="{html.escape(href)}" target="_self" '
            f'style="{LINK_STYLE}">{html.escape(text)}</a>')


def current_view(page: str, pages: list[str]) -> View:
    """The view on screen: the page and every parameter in its address."""
    qp = st.query_params
    return make_view(page, {k: qp.get_all(k) for k in qp}, pages)


def _int(name: str) -> int | None:
    text = st.query_params.get(name, "")
    return int(text) if text.isdigit() and len(text) < 9 else None


def presenter_bar(page: str, pages: list[str]) -> None:
    """At the top of a slide: where the pack stands, Previous / Next, and the way out."""
    exit_link = _link(current_view(page, pages).link(), "Exit meeting mode")
    pack_id, n = _int("pack"), _int("slide")
    if pack_id is None:
        st.html(f'<div class="csp-present-bar" style="{BAR_STYLE}">{exit_link}</div>')
        return
    try:
        pack = packs.load_pack(engine(), pack_id, pages)
    except ValueError as exc:
        st.warning(str(exc))
        return
    slides = pack.slides
    if not slides:
        st.info(f"The meeting pack '{pack.name}' has no slides you can open.")
        return
    n = min(n or 0, len(slides) - 1)
    links = []
    if n > 0:
        links.append(_link(slides[n - 1].view.link(pack=pack_id, slide=n - 1, present=True),
                           "← Previous", "csp-prev"))
    if n < len(slides) - 1:
        links.append(_link(slides[n + 1].view.link(pack=pack_id, slide=n + 1, present=True),
                           "Next →", "csp-next"))
    where = html.escape(f"{pack.name} · {n + 1} of {len(slides)}: {slides[n].title}")
    st.html(f'<div class="csp-present-bar" style="{BAR_STYLE}">'
            f'<span style="{WHERE_STYLE}">{where}</span>'
            f'<span style="white-space:nowrap">{"".join(links)}{exit_link}</span></div>'
            f'{KEYS_JS}',
            unsafe_allow_javascript=True)


def sidebar_panel(page: str, title: str, pages: list[str]) -> None:
    """'Present this view' for everyone; the pack builder for analysts."""
    try:
        view = current_view(page, pages)
    except ValueError:
        return
    with st.sidebar.expander("Meeting mode", icon=":material/co_present:"):
        st.html(_link(view.link(present=True), "Present this view"))
        if auth.allowed("edit_meeting_packs"):
            _pack_builder(view, title, pages)


def _pack_builder(view: View, title: str, pages: list[str]) -> None:
    eng = engine()
    existing = packs.list_packs(eng)
    if "mp_pack_next" in st.session_state:  # set by a change below, before the widget exists
        st.session_state["mp_pack"] = st.session_state.pop("mp_pack_next")
    choice = st.selectbox("Meeting pack", [0, *existing], key="mp_pack",
                          format_func=lambda i: existing.get(i, "A new pack"))
    if not choice:
        name = st.text_input("New pack's name", key="mp_new_name", max_chars=200,
                             placeholder="e.g. Board, March")
    slide_title = st.text_input("This slide's title", value=title, key="mp_title",
                                max_chars=200)
    if st.button("Add this view to the pack", key="mp_add", icon=":material/add:"):
        try:
            pack_id = choice or packs.create_pack(eng, name)
            pos = packs.add_view(eng, pack_id, view, slide_title)
        except ValueError as exc:
            st.error(str(exc))
        else:
            st.session_state["mp_pack_next"] = pack_id
            st.session_state["mp_added"] = f"Added as slide {pos + 1}."
            st.rerun()
    if msg := st.session_state.pop("mp_added", None):
        st.success(msg)
    if choice:
        _arrange(eng, choice, pages)


def _arrange(eng, pack_id: int, pages: list[str]) -> None:
    """The pack's slides with move and remove buttons; its name; present or delete it."""
    try:
        pack = packs.load_pack(eng, pack_id, pages)
    except ValueError as exc:
        st.warning(str(exc))
        return
    if pack.slides:
        first = pack.slides[0].view.link(pack=pack_id, slide=0, present=True)
        st.html(_link(first, "Present the pack"))
    for i, s in enumerate(pack.slides):
        c = st.columns([5, 1, 1, 1], vertical_alignment="center")
        c[0].text(f"{i + 1}. {s.title}")
        for col, icon, label, step in ((c[1], ":material/arrow_upward:", "Move up", -1),
                                       (c[2], ":material/arrow_downward:", "Move down", 1),
                                       (c[3], ":material/close:", "Remove", 0)):
            if col.button("", icon=icon, help=label, key=f"mp_{step}_{pack_id}_{s.position}"):
                if step:
                    packs.move_slide(eng, pack_id, s.position, step)
                else:
                    packs.remove_slide(eng, pack_id, s.position)
                st.rerun()
    new_name = st.text_input("Pack name", value=pack.name, key=f"mp_name_{pack_id}",
                             max_chars=200)
    c = st.columns(2)
    if c[0].button("Rename", key=f"mp_rename_{pack_id}") and new_name != pack.name:
        try:
            packs.rename_pack(eng, pack_id, new_name)
        except ValueError as exc:
            st.error(str(exc))
        else:
            st.rerun()
    if c[1].button("Delete the pack", key=f"mp_delete_{pack_id}", type="tertiary"):
        packs.delete_pack(eng, pack_id)
        st.session_state["mp_pack_next"] = 0
        st.rerun()
