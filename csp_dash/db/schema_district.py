"""The partnership's district: declared once; every figure counts only records inside it."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from csp_dash.db.schema import metadata

# One row (district_id = 1): how the district was declared. Its LSOAs are listed below; a
# record is inside when its LSOA code is one of them (docs/methods.md, "The district").
district_def = Table(
    "district_def", metadata,
    Column("district_id", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),  # lsoa layer, boundary, lsoa codes, name prefix
    Column("source", Text),  # the file, layer or prefix it came from
    Column("geometry", Text),  # GeoJSON in EPSG:4326: the outline (for maps and partner points)
    Column("declared_at", DateTime, nullable=False),
)

district_lsoas = Table(
    "district_lsoas", metadata,
    Column("lsoa_code", String(16), primary_key=True),
)

# English Indices of Deprivation by LSOA (decile 1 = the most deprived 10% in England).
deprivation = Table(
    "deprivation", metadata,
    Column("lsoa_code", String(16), primary_key=True),
    Column("imd_decile", Integer, nullable=False),
    Column("imd_rank", Integer),
    Column("source", Text, nullable=False),
)
