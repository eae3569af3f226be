"""Partner data tables: datasets with their saved column mapping, files, records and rejects.

No raw identifier is stored: the victim or case key is kept only as an HMAC-SHA256 digest,
coordinates only as a location key rounded at import, and rejected rows without their key.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from csp_dash.db.schema import metadata

# One row per dataset (e.g. "police_da"): its mapping as JSON, reused on every re-import.
partner_datasets = Table(
    "partner_datasets",
    metadata,
    Column("dataset", String(32), primary_key=True),
    Column("theme", String(64), nullable=False),  # "Domestic abuse", "Hate", "Fire" ...
    Column("unit", String(16), nullable=False),  # "records" (crimes, incidents) or "referrals"
    Column("mapping", Text, nullable=False),  # JSON: column names and formats, never values
    # HMAC of a fixed text under the pseudonym secret: detects a changed secret, reveals nothing
    Column("secret_check", String(64)),
    Column("updated_at", DateTime, nullable=False),
    # Published only through the disclosure release (docs/methods.md, "Disclosure control").
    # Set at import; NULL (a database from before the column) means the default by name.
    Column("sensitive", Boolean),
)

# The ingest log: one row per loaded file version; the unit of idempotency.
partner_files = Table(
    "partner_files",
    metadata,
    Column("file_id", Integer, primary_key=True, autoincrement=False),
    Column("dataset", String(32), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),  # of the file's bytes
    Column("mapping_sha256", String(64), nullable=False),  # of the mapping used
    Column("first_month", Date),
    Column("last_month", Date),
    Column("rows_loaded", Integer, nullable=False),
    Column("rows_no_location", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("loaded_at", DateTime, nullable=False),
)

# Accepted records, one per partner row. flags is "|domestic|repeat|" style text so that any
# flag name can be filtered with a portable LIKE; "" means no flag.
partner_records = Table(
    "partner_records",
    metadata,
    Column("dataset", String(32), nullable=False),
    Column("file_id", Integer, nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("record_date", Date, nullable=False),
    Column("month", Date, nullable=False),
    Column("category", String(64), nullable=False),
    Column("location_key", BigInteger),  # from rounded coordinates, see csp_dash.db.locations
    Column("lsoa_code", String(16)),  # given, or point-in-polygon of the rounded point
    Column("estate_code", String(64)),  # only for rows located by estate name
    Column("flags", Text, nullable=False),
    Column("victim_key", String(64)),  # HMAC-SHA256 hex digest of the partner's key
)
Index(
    "ix_partner_records_dataset_month", partner_records.c.dataset, partner_records.c.month
).ddl_if(dialect="postgresql")

# Rejected rows: row number, reason and the mapped values other than the key.
partner_rejects = Table(
    "partner_rejects",
    metadata,
    Column("dataset", String(32), nullable=False),
    Column("file_id", Integer, nullable=False),
    Column("row_no", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("raw", Text),
)
