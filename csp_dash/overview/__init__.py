"""The Overview: the period against its comparison period by theme and category (computed
once per run), the plain-English headlines, and `csp-dash headlines`.
"""
