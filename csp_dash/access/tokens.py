"""Signed, expiring workshop participant tokens.

A token reads ``<workshop id>.<expiry, unix seconds>.<signature>``; the signature is
HMAC-SHA256 over both with the configured secret (CSP_DASH_WORKSHOP_SECRET). It lets its
holder score that one workshop until it expires or the workshop closes (checked by the
caller against the stored status); it grants nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class TokenRefused(ValueError):
    """The token cannot be used; the message says why, for the participant."""


def _sig(secret: str, workshop_id: str, expires: int) -> str:
    mac = hmac.new(secret.encode(), f"workshop:{workshop_id}:{expires}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def make_token(secret: str, workshop_id: str, expires: int) -> str:
    if not secret:
        raise ValueError("no workshop secret configured (CSP_DASH_WORKSHOP_SECRET)")
    if not _ID.match(workshop_id):
        raise ValueError(f"not a workshop id: {workshop_id!r}")
    return f"{workshop_id}.{int(expires)}.{_sig(secret, workshop_id, int(expires))}"


def verify(secret: str, token: str, workshop_id: str | None = None,
           now: float | None = None) -> str:
    """The workshop id the token is for; raises TokenRefused with a message otherwise.

    `workshop_id`, when given (the link's ``w``), must be the token's own workshop.
    """
    parts = (token or "").split(".")
    if not secret or len(parts) != 3 or not _ID.match(parts[0]) or not parts[1].isdigit():
        raise TokenRefused("This workshop link is not valid. Ask the facilitator for the link "
                           "or QR code again.")
    wid, expires, sig = parts[0], int(parts[1]), parts[2]
    if not hmac.compare_digest(sig, _sig(secret, wid, expires)):
        raise TokenRefused("This workshop link is not valid (it was changed or not issued by "
                           "this dashboard). Ask the facilitator for the link or QR code again.")
    if workshop_id and workshop_id != wid:
        raise TokenRefused("This link is for a different workshop. Ask the facilitator for the "
                           "link to this one.")
    if (time.time() if now is None else now) >= expires:
        raise TokenRefused("This workshop link has expired. Ask the facilitator for a new link.")
    return wid


LOCAL_SECRET_KEY = "workshop_secret_local"


def local_secret(engine) -> str:
    """A secret made once and kept in the database, for single-user local mode only: a served
    deployment configures CSP_DASH_WORKSHOP_SECRET instead."""
    import secrets

    from sqlalchemy import insert, select

    from csp_dash.db.schema import schema_meta

    with engine.begin() as conn:
        found = conn.execute(select(schema_meta.c.value)
                             .where(schema_meta.c.key == LOCAL_SECRET_KEY)).scalar()
        if found:
            return found
        made = secrets.token_urlsafe(32)
        conn.execute(insert(schema_meta).values(key=LOCAL_SECRET_KEY, value=made))
        return made
