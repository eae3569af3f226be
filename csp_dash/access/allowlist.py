"""The allowlist: email addresses or token claims -> role, kept by the admin in the database.

A user's role is the highest of: their email's entry, any matching claim entry (e.g. the
`roles` claim Entra ID puts in the ID token), and admin when their email is the bootstrap
admin from configuration. A signed-in user on none of these is public.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, select

from csp_dash.access.roles import Role, parse, role_names
from csp_dash.db.schema_access import access_roles

KINDS = ("email", "claim")


def _subject(kind: str, subject: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    text = " ".join((subject or "").split())
    if kind == "email":
        text = text.lower()
        if "@" not in text or len(text) > 320:
            raise ValueError(f"not an email address: {subject!r}")
    elif "=" not in text or text.startswith("=") or text.endswith("="):
        raise ValueError(f"a claim entry reads claim=value (e.g. roles=CSP.Analyst), not {subject!r}")
    return text


def set_role(engine: Engine, kind: str, subject: str, role: str, by: str) -> str:
    """Add or change an entry; returns the stored subject."""
    if role not in role_names() or role == "public":
        raise ValueError(f"role must be partner, analyst or admin, not {role!r}")
    subj = _subject(kind, subject)
    with engine.begin() as conn:
        conn.execute(delete(access_roles).where(access_roles.c.kind == kind,
                                                access_roles.c.subject == subj))
        conn.execute(access_roles.insert().values(
            kind=kind, subject=subj, role=role, added_by=by,
            added_at=datetime.now(UTC).replace(tzinfo=None)))
    return subj


def remove(engine: Engine, kind: str, subject: str) -> bool:
    subj = _subject(kind, subject)
    with engine.begin() as conn:
        gone = conn.execute(delete(access_roles).where(access_roles.c.kind == kind,
                                                       access_roles.c.subject == subj))
    return gone.rowcount > 0


def entries(engine: Engine) -> pd.DataFrame:
    q = select(access_roles).order_by(access_roles.c.kind, access_roles.c.subject)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).fetchall(),
                            columns=["kind", "subject", "role", "added_by", "added_at"])


def _claim_values(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [" ".join(str(v).split()) for v in items]


def role_for(engine: Engine, claims: dict[str, Any], bootstrap_admin: str = "") -> Role:
    """The role of a signed-in user from their token claims (email, roles, groups...)."""
    email = str(claims.get("email") or "").strip().lower()
    best = Role.PUBLIC
    if email and bootstrap_admin and email == bootstrap_admin.strip().lower():
        best = Role.ADMIN
    with engine.connect() as conn:
        rows = conn.execute(select(access_roles.c.kind, access_roles.c.subject,
                                   access_roles.c.role)).fetchall()
    for kind, subject, role in rows:
        if kind == "email" and email and subject == email:
            best = max(best, parse(role))
        elif kind == "claim":
            name, _, wanted = subject.partition("=")
            if wanted in _claim_values(claims, name):
                best = max(best, parse(role))
    return best
