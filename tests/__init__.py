"""CSP Dash tests; folders mirror the csp_dash packages."""
