"""AppTest: meeting mode draws no sidebar controls, shows a slide's figure, steps through a
pack, and in the public role shows only what the public view may show."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from csp_dash.db.engine import make_engine
from csp_dash.meeting import pack
from csp_dash.meeting.views import make_view
from csp_dash.palette import EVENT
from csp_dash.ui.nav import PAGES
from tests.access.test_access_pages import DA, db, run_as  # noqa: F401  (db is a fixture)
from tests.apptest_helpers import run_app
from tests.domestic_abuse.test_domestic_abuse_page import _shown_counts

URLS = [p[3] for p in PAGES]


def _html(at) -> str:
    return "\n".join(str(e.value) for e in at.get("html"))


def _chart_frames(at) -> list[tuple[dict, list]]:
    """Each chart's spec and its data frames (Arrow)."""
    import json

    import pyarrow as pa

    return [(json.loads(c.proto.spec),
             [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in c.proto.datasets])
            for c in at.get("vega_lite_chart")]


def _event_label_sizes(spec: dict) -> list[int]:
    """Font sizes of the event labels (text marks in the event colour) anywhere in a spec."""
    found, stack = [], [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            mark = node.get("mark")
            if isinstance(mark, dict) and mark.get("type") == "text" and mark.get("color") == EVENT:
                found.append(mark["fontSize"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _sidebar_widgets(at) -> int:
    sb = at.sidebar
    return len(sb.selectbox) + len(sb.multiselect) + len(sb.button) + len(sb.text_input)


def test_present_mode_draws_no_sidebar_controls_and_only_the_slide(app_env):
    normal = run_app("app_pages/trends.py", len="24")
    assert _sidebar_widgets(normal) > 0 and normal.metric  # the check below can fail
    at = run_app("app_pages/trends.py", present="1", len="24", view="SPC")
    assert _sidebar_widgets(at) == 0
    assert not at.metric  # the tiles stay on the page, off the slide
    assert "Exit meeting mode" in _html(at)
    # The link's filters hold without their widgets: the SPC chart covers the 24 months.
    (spec, frames), = _chart_frames(at)
    assert max(len(f) for f in frames if "ucl" in f) == 24
    # Axis labels for the back of the room (the meeting theme; Altair's default is 11 px).
    assert spec["config"]["axis"]["labelFontSize"] >= 18
    assert all(s.get("config", {}).get("axis", {}).get("labelFontSize", 11) < 18
               for s, _ in _chart_frames(normal))  # other sessions keep their sizes
    # The declared events' labels too (the demo declares some inside these 24 months).
    assert _event_label_sizes(spec) and min(_event_label_sizes(spec)) >= 16
    # and the chart's title: the theme's room size, not the page's 14 px.
    assert "fontSize" not in spec["title"] and spec["config"]["title"]["fontSize"] >= 28
    spc = run_app("app_pages/trends.py", len="24", view="SPC")  # the same chart on the page
    titled = [s["title"] for s, _ in _chart_frames(spc) if isinstance(s.get("title"), dict)]
    assert titled and all(t.get("fontSize") == 14 for t in titled)
    assert {n for s, _ in _chart_frames(normal) for n in _event_label_sizes(s)} == {11}
    overview = run_app(present="1")
    assert overview.title[0].value == "Overview" and not overview.dataframe
    assert _sidebar_widgets(overview) == 0


def test_the_presenter_steps_through_a_pack(db):  # noqa: F811
    eng = make_engine(db)
    pid = pack.create_pack(eng, "Board")
    views = [make_view("overview", {"len": "24"}, URLS),
             make_view("trends", {"view": "SPC"}, URLS),
             make_view("hotspots", {"hs_metric": "Rate per 1,000"}, URLS)]
    for i, v in enumerate(views):
        pack.add_view(eng, pid, v, f"Slide {i}")
    eng.dispose()
    at = run_as("analyst", "app_pages/trends.py", sign_in=False, present="1", pack=str(pid),
                slide="1", view="SPC")
    bar = _html(at)
    assert "Board · 2 of 3: Slide 1" in bar
    hrefs = {cls: href for cls, href in _links(bar)}
    assert urlsplit(hrefs["csp-prev"]).path == "overview"
    nxt = parse_qs(urlsplit(hrefs["csp-next"]).query)
    assert nxt["slide"] == ["2"] and nxt["present"] == ["1"]
    assert nxt["hs_metric"] == ["Rate per 1,000"]
    assert "ArrowRight" in bar  # the keyboard handler comes with the bar


def _links(bar: str) -> list[tuple[str, str]]:
    import re

    return [(m[0], m[1].replace("&amp;", "&"))
            for m in re.findall(r'<a class="([^"]*)" href="([^"]*)"', bar) if m[0]]


def test_public_meeting_mode_shows_only_the_public_view(db):  # noqa: F811
    eng = make_engine(db)
    pid = pack.create_pack(eng, "Public meeting")
    pack.add_view(eng, pid, make_view("crime-series", {}, URLS), "partners only")
    pack.add_view(eng, pid, make_view("domestic-abuse", {"view": "analyst"}, URLS), "DA")
    eng.dispose()
    at = run_as(None, DA, present="1", view="analyst", pack=str(pid), slide="0")
    assert not any("RESTRICTED" in e.value for e in at.error)
    counts = _shown_counts(at)
    assert counts and not [c for c in counts if 0 < c < 5]
    # The partners' page is not a slide for the public: the pack shows one slide of one.
    assert "Public meeting · 1 of 1: DA" in _html(at)
    # The same request from an analyst gets the restricted view: the check can fail.
    analyst = run_as("analyst", DA, present="1", view="analyst")
    assert any("RESTRICTED" in e.value for e in analyst.error)


def test_a_missing_pack_is_a_clear_message(app_env):
    at = run_app(present="1", pack="999", slide="0")
    assert any("no meeting pack 999" in w.value for w in at.warning)


def test_an_analyst_builds_names_reorders_and_trims_a_pack_from_the_sidebar(db):  # noqa: F811
    at = run_as("analyst", "app_pages/trends.py", sign_in=False, view="SPC")
    at.sidebar.text_input(key="mp_new_name").input("  ").run()
    at.sidebar.button(key="mp_add").click().run()
    assert any("Give it a name" in e.value for e in at.sidebar.error)  # nothing stored
    eng = make_engine(db)
    assert pack.list_packs(eng) == {}
    at.sidebar.text_input(key="mp_new_name").input("Board").run()
    at.sidebar.text_input(key="mp_title").input("SPC first").run()
    at.sidebar.button(key="mp_add").click().run()
    pid = next(iter(pack.list_packs(eng)))
    at.sidebar.text_input(key="mp_title").input("SPC again").run()
    at.sidebar.button(key="mp_add").click().run()
    slides = pack.load_pack(eng, pid, URLS).slides
    assert [s.title for s in slides] == ["SPC first", "SPC again"]
    assert dict(slides[0].view.params)["view"] == "SPC" and slides[0].view.page == "trends"
    at.sidebar.button(key=f"mp_1_{pid}_0").click().run()  # move the first down
    assert [s.title for s in pack.load_pack(eng, pid, URLS).slides] == ["SPC again", "SPC first"]
    at.sidebar.button(key=f"mp_0_{pid}_0").click().run()  # remove the (new) first
    assert [s.title for s in pack.load_pack(eng, pid, URLS).slides] == ["SPC first"]
    at.sidebar.text_input(key=f"mp_name_{pid}").input("Board, March").run()
    at.sidebar.button(key=f"mp_rename_{pid}").click().run()
    assert pack.list_packs(eng) == {pid: "Board, March"}
    at.sidebar.button(key=f"mp_delete_{pid}").click().run()
    assert pack.list_packs(eng) == {}
    assert not at.exception
    eng.dispose()


def test_partners_present_but_do_not_build_packs(db):  # noqa: F811
    at = run_as("partner", "app_pages/trends.py")
    assert "Present this view" in _html(at)
    assert not [b for b in at.sidebar.button if b.key == "mp_add"]
