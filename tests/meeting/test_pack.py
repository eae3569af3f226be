"""The meeting pack store on both engines, and saved views' links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from csp_dash.meeting import pack
from csp_dash.meeting.views import make_view, parse_view

PAGES = ["overview", "trends", "hotspots", "priorities", "domestic-abuse"]


def _view(page: str, **params: str | list[str]):
    return make_view(page, params, PAGES)


def test_pack_keeps_views_in_order_and_reorders(engine):
    pid = pack.create_pack(engine, "  March   board ")
    views = [_view("trends", view="SPC", end="2025-03"), _view("overview", len="24"),
             _view("hotspots", hs_metric="rate", hs_tab="Concentration"),
             _view("priorities", pr_tab="Year on year")]
    for i, v in enumerate(views):
        assert pack.add_view(engine, pid, v, f"slide {i}") == i
    got = pack.load_pack(engine, pid, PAGES)
    assert got.name == "March board"
    assert [s.view for s in got.slides] == views
    pack.move_slide(engine, pid, 0, +1)  # first goes second
    pack.move_slide(engine, pid, 3, -1)  # last goes third
    pack.move_slide(engine, pid, 0, -1)  # nothing above the first
    order = [s.title for s in pack.load_pack(engine, pid, PAGES).slides]
    assert order == ["slide 1", "slide 0", "slide 3", "slide 2"]
    pack.remove_slide(engine, pid, 1)
    got = pack.load_pack(engine, pid, PAGES)
    assert [s.title for s in got.slides] == ["slide 1", "slide 3", "slide 2"]
    assert [s.position for s in got.slides] == [0, 1, 2]  # no gaps: slide n is the n-th


def test_packs_are_listed_renamed_and_deleted(engine):
    a = pack.create_pack(engine, "A")
    b = pack.create_pack(engine, "B")
    pack.add_view(engine, a, _view("overview"), "x")
    pack.rename_pack(engine, a, "Board")
    assert pack.list_packs(engine) == {b: "B", a: "Board"}
    pack.delete_pack(engine, a)
    assert pack.list_packs(engine) == {b: "B"}
    with pytest.raises(ValueError, match="no meeting pack"):
        pack.load_pack(engine, a, PAGES)
    with pytest.raises(ValueError, match="no meeting pack"):
        pack.add_view(engine, a, _view("overview"), "x")
    with pytest.raises(ValueError, match="name"):
        pack.rename_pack(engine, b, "   ")


def test_a_view_keeps_repeated_parameters_and_drops_the_presenters(engine):
    v = _view("trends", cmp_areas=["E1", "E2"], present="1", pack="3", slide="2", t="tok")
    assert dict(v.params).keys() == {"cmp_areas"}
    pid = pack.create_pack(engine, "P")
    pack.add_view(engine, pid, v, "areas")
    back = pack.load_pack(engine, pid, PAGES).slides[0].view
    assert parse_qs(back.query)["cmp_areas"] == ["E1", "E2"]
    link = urlsplit(back.link(pack=pid, slide=0, present=True))
    assert link.path == "trends"
    q = parse_qs(link.query)
    assert q["present"] == ["1"] and q["pack"] == [str(pid)] and q["slide"] == ["0"]


def test_unknown_pages_and_oversized_views_are_refused():
    with pytest.raises(ValueError, match="not a page"):
        make_view("../admin", {}, PAGES)
    with pytest.raises(ValueError, match="not a page"):
        make_view("admin", {}, PAGES)
    with pytest.raises(ValueError, match="too long"):
        make_view("trends", {"cats": "x" * 5000}, PAGES)
    assert parse_view("trends", "view=SPC&len=24", PAGES).params == (("len", "24"), ("view", "SPC"))


def test_a_slide_whose_page_is_gone_is_left_out(engine):
    pid = pack.create_pack(engine, "P")
    pack.add_view(engine, pid, _view("overview"), "kept")
    pack.add_view(engine, pid, _view("trends"), "gone")
    got = pack.load_pack(engine, pid, ["overview"])
    assert [s.title for s in got.slides] == ["kept"]
