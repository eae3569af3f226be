"""Horizon scanning: monthly series for forecasts and partner events for near-repeat analysis,
the fan chart and heat table, the report section, and `csp-dash forecast` / `near-repeat`.
"""
