"""Crime trends: monthly series by measure, year-on-year tables, SPC inputs and declared events,
harm rankings, England and Wales / peer comparators, and `csp-dash ingest comparison`.
"""
