"""The data layer: engine, schema, bulk load, the monthly cube and the shared read queries.

SQLAlchemy Core only, parameterised, the same on DuckDB and PostgreSQL.
"""
