"""Partner data (domestic abuse, referrals, hate, fire): reading CSV/XLSX, the saved column
mapping, pseudonymised victim keys, the records table and the partner part of the cube,
and the `csp-dash ingest partner` / `csp-dash partner` commands.
"""
