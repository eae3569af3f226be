"""What every csp-dash command shares: opening the database and closing it again."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Engine

from csp_dash.db.engine import init_db, make_engine

_OPEN: list[Engine] = []


def open_engine(args: argparse.Namespace) -> Engine:
    """The command's database, schema ensured; closed by close_engines() when the command ends."""
    engine = make_engine(args.db)
    _OPEN.append(engine)
    init_db(engine)
    return engine


def close_engines() -> None:
    """Dispose every engine a command opened, so a DuckDB file is released at once."""
    while _OPEN:
        _OPEN.pop().dispose()


@contextmanager
def engine_for(args: argparse.Namespace) -> Iterator[Engine]:
    engine = open_engine(args)
    try:
        yield engine
    finally:
        if engine in _OPEN:
            _OPEN.remove(engine)
        engine.dispose()


def month_arg(text: str) -> date:
    try:
        year, month = (int(x) for x in text.split("-")[:2])
        return date(year, month, 1)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month (YYYY-MM)") from exc
