"""Tables for sign-in and roles: the allowlist the admin keeps, and the audit log.

The audit log is append-only; each row gets a uuid4 id so DuckDB and PostgreSQL need no
sequence.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table, Text

from csp_dash.db.schema import metadata

# Who gets which role: an email address, or a claim value from the identity provider's token
# (kind "claim", subject e.g. "roles=CSP.Analyst").
access_roles = Table(
    "access_roles",
    metadata,
    Column("kind", String(8), primary_key=True),  # "email" or "claim"
    Column("subject", String(320), primary_key=True),  # lower-case email, or "claim=value"
    Column("role", String(16), nullable=False),
    Column("added_by", String(320), nullable=False),
    Column("added_at", DateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("audit_id", String(32), primary_key=True),
    Column("logged_at", DateTime, nullable=False),
    Column("actor", String(320), nullable=False),  # email, "local analyst", "participant ..."
    Column("role", String(16), nullable=False),
    Column("event", String(32), nullable=False),
    Column("detail", Text),
    Index("ix_audit_log_at", "logged_at"),
)
