"""`cached`: st.cache_data keyed also by the database's data version.

A write anywhere (another replica, a command) moves the version (`db/version.py`), so every
replica's next run asks for new keys and reads the new data; the TTL stays as a fallback
(docs/architecture.md, "Several replicas").
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import streamlit as st

from csp_dash import config
from csp_dash.ui import state

TTL = config.cache_ttl()


def cached(func: Callable | None = None, *, ttl: float | None = None, resource: bool = False,
           **options: Any):
    """Use like ``st.cache_data`` (same options); ``.clear()`` empties it. ``resource=True``:
    st.cache_resource instead, for read-only objects shared rather than copied on each hit
    (polygons, spatial weights). Each keeps at most ``CSP_DASH_CACHE_ENTRIES`` results unless
    ``max_entries`` says otherwise: without a bound, every filter visited within the TTL stays
    in memory."""
    options.setdefault("max_entries", config.cache_entries())

    def decorate(f: Callable) -> Callable:
        def keyed(data_version: str, *args: Any, **kwargs: Any) -> Any:
            return f(*args, **kwargs)

        sig = inspect.signature(f)
        first = inspect.Parameter("data_version", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        # Streamlit names (and hashes) arguments by the signature: the version comes first.
        keyed.__signature__ = sig.replace(parameters=[first, *sig.parameters.values()])
        keyed.__module__, keyed.__qualname__, keyed.__name__ = f.__module__, f.__qualname__, f.__name__
        keyed.__wrapped__ = f  # its source, not this wrapper's, keys the function
        store = st.cache_resource if resource else st.cache_data
        inner = store(keyed, ttl=TTL if ttl is None else ttl, **options)

        names = list(sig.parameters)
        at = names.index("url") if "url" in names else None

        @functools.wraps(f)
        def call(*args: Any, **kwargs: Any) -> Any:
            # The database asked about: the `url` argument, else the one the app shows.
            url = args[at] if at is not None and at < len(args) else kwargs.get("url") or state.db_url()
            return inner(state.data_version(url), *args, **kwargs)

        call.clear = inner.clear
        return call

    return decorate(func) if func is not None else decorate
