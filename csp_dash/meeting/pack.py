"""Meeting packs in the database: create, name, list, add a view, reorder, remove, delete.

Every change runs in one transaction; positions stay 0..n-1 with no gaps, so slide n of a
pack is always its n-th view (the presenter's links use it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from csp_dash.db.schema_meeting import meeting_packs, meeting_slides
from csp_dash.meeting.views import View, clean_title, parse_view

MAX_SLIDES = 60


@dataclass(frozen=True)
class Slide:
    position: int
    title: str
    view: View


@dataclass(frozen=True)
class Pack:
    pack_id: int
    name: str
    slides: tuple[Slide, ...]


def create_pack(engine: Engine, name: str) -> int:
    name = clean_title(name)
    with engine.begin() as conn:
        pack_id = (conn.execute(select(func.max(meeting_packs.c.pack_id))).scalar() or 0) + 1
        conn.execute(insert(meeting_packs).values(
            pack_id=pack_id, name=name, created=datetime.now(UTC).replace(tzinfo=None)))
    return pack_id


def rename_pack(engine: Engine, pack_id: int, name: str) -> None:
    name = clean_title(name)
    with engine.begin() as conn:
        _require(conn, pack_id)
        conn.execute(update(meeting_packs).where(meeting_packs.c.pack_id == pack_id)
                     .values(name=name))


def delete_pack(engine: Engine, pack_id: int) -> None:
    with engine.begin() as conn:
        _require(conn, pack_id)
        conn.execute(delete(meeting_slides).where(meeting_slides.c.pack_id == pack_id))
        conn.execute(delete(meeting_packs).where(meeting_packs.c.pack_id == pack_id))


def list_packs(engine: Engine) -> dict[int, str]:
    """Pack id -> name, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(meeting_packs.c.pack_id, meeting_packs.c.name)
                            .order_by(meeting_packs.c.pack_id.desc())).all()
    return {r.pack_id: r.name for r in rows}


def add_view(engine: Engine, pack_id: int, view: View, title: str) -> int:
    """Append a view; returns its position."""
    title = clean_title(title)
    with engine.begin() as conn:
        _require(conn, pack_id)
        n = conn.execute(select(func.count()).select_from(meeting_slides)
                         .where(meeting_slides.c.pack_id == pack_id)).scalar() or 0
        if n >= MAX_SLIDES:
            raise ValueError(f"A pack holds at most {MAX_SLIDES} views.")
        conn.execute(insert(meeting_slides).values(
            pack_id=pack_id, position=n, page=view.page, query=view.query, title=title))
    return n


def load_pack(engine: Engine, pack_id: int, pages: list[str]) -> Pack:
    """The pack and its slides in order; a slide whose page no longer exists is left out."""
    with engine.connect() as conn:
        name = _require(conn, pack_id)
        rows = conn.execute(select(meeting_slides).where(meeting_slides.c.pack_id == pack_id)
                            .order_by(meeting_slides.c.position)).all()
    slides = []
    for r in rows:
        try:
            slides.append(Slide(r.position, r.title, parse_view(r.page, r.query, pages)))
        except ValueError:
            continue
    return Pack(pack_id, name, tuple(slides))


def move_slide(engine: Engine, pack_id: int, position: int, step: int) -> None:
    """Move a slide up (step -1) or down (+1); nothing happens at either end."""
    _reorder(engine, pack_id, lambda order: _moved(order, position, step))


def remove_slide(engine: Engine, pack_id: int, position: int) -> None:
    _reorder(engine, pack_id, lambda order: [p for p in order if p != position])


def _moved(order: list[int], position: int, step: int) -> list[int]:
    if position not in order:
        raise ValueError("That slide is not in the pack.")
    i = order.index(position)
    j = min(max(i + step, 0), len(order) - 1)
    order = list(order)
    order.insert(j, order.pop(i))
    return order


def _reorder(engine: Engine, pack_id: int, new_order) -> None:
    """Rewrite the positions 0..n-1 in the order `new_order(old positions)` gives."""
    s = meeting_slides
    with engine.begin() as conn:
        _require(conn, pack_id)
        rows = {r.position: r for r in conn.execute(
            select(s).where(s.c.pack_id == pack_id).order_by(s.c.position)).all()}
        order = new_order(list(rows))
        conn.execute(delete(s).where(s.c.pack_id == pack_id))
        if order:
            conn.execute(insert(s), [
                {"pack_id": pack_id, "position": i, "page": rows[p].page,
                 "query": rows[p].query, "title": rows[p].title}
                for i, p in enumerate(order)])


def _require(conn: Connection, pack_id: int) -> str:
    name = conn.execute(select(meeting_packs.c.name)
                        .where(meeting_packs.c.pack_id == pack_id)).scalar()
    if name is None:
        raise ValueError(f"There is no meeting pack {pack_id}.")
    return name
