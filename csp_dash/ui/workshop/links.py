"""Participant links: a signed token for one workshop, on a configured public address, as a
QR code for the room. The token, never the URL's other parameters, decides what a participant
may do (csp_dash/access/tokens.py)."""

from __future__ import annotations

import io
import time

import segno
import streamlit as st

from csp_dash import config
from csp_dash.access import tokens
from csp_dash.priorities.workshop.sessions import get_workshop
from csp_dash.ui import auth
from csp_dash.ui.state import engine

NO_SECRET = ("Participant links need a secret to sign them: set CSP_DASH_WORKSHOP_SECRET "
             "(a long random string) and restart.")
NO_BASE = ("Set CSP_DASH_PUBLIC_URL to the address partners use (e.g. https://csp.example.gov.uk) "
           "to show the participant link and its QR code.")


def secret() -> str:
    """The configured secret; in single-user local mode, one kept in the database."""
    configured = config.get("workshop_secret")
    if configured:
        return configured
    return tokens.local_secret(engine()) if auth.mode() == "local" else ""


def public_base() -> str:
    """The configured public address; in local mode, this computer's address."""
    base = config.get("public_url").strip().rstrip("/")
    if base:
        return base
    if auth.mode() == "local":
        return f"http://localhost:{st.get_option('server.port')}"
    return ""


def participant_link(workshop_id: str) -> tuple[str | None, str | None]:
    """(link, None) or (None, why there is no link)."""
    key, base = secret(), public_base()
    if not key:
        return None, NO_SECRET
    if not base:
        return None, NO_BASE
    hours = float(config.get("workshop_link_hours"))
    token = tokens.make_token(key, workshop_id, int(time.time() + hours * 3600))
    return f"{base}/workshop?t={token}", None


def qr_png(link: str) -> bytes:
    """A QR code for the room's screen (segno: pure Python, no image library needed)."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def token_workshop(token: str) -> str | None:
    """The workshop the link's token is for, or None after showing why it is refused."""
    try:
        return tokens.verify(secret(), token, st.query_params.get("w"))
    except tokens.TokenRefused as exc:
        st.title("Workshop")
        st.error(str(exc), icon=":material/link_off:")
        auth.record("workshop_token_refused", str(exc)[:200])
        return None


def partner_choice() -> str | None:
    """A signed-in partner without a link picks an open workshop to score."""
    from csp_dash.priorities.workshop.sessions import list_workshops

    table = list_workshops(engine())
    table = table[table["status"] == "open"] if not table.empty else table
    if table.empty:
        st.title("Workshop")
        st.info("No workshop is open for scoring.")
        return None
    labels = {r.workshop_id: f"{r.year}: {r.title}" for r in table.itertuples()}
    wid = st.selectbox("Workshop to score", list(labels), format_func=labels.get,
                       key="wp_pick_workshop")
    return wid if get_workshop(engine(), wid) is not None else None
