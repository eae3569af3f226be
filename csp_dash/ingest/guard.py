"""Demo and real data never mix: the synthetic demo's database refuses real files."""

from __future__ import annotations

from pathlib import Path

from csp_dash.db.engine import DEMO_BUILDING, demo_flag
from csp_dash.ingest.errors import IngestError

HOW = ("it holds the synthetic demo, and real data is never mixed with it. Start your own "
       "database with the Data page's 'Start with my own data' button or `csp-dash use own`, "
       "then load the file there")


def refuse_into_demo(engine_or_conn, name: str | Path) -> None:
    """Raise IngestError when a finished demo database is asked to take a real file."""
    flag = demo_flag(engine_or_conn)
    if flag and flag != DEMO_BUILDING:
        raise IngestError(Path(str(name)).name, f"not loaded into this database: {HOW}.")
