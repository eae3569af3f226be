"""CSP Dash: a Strategic Assessment dashboard for Community Safety Partnerships.

The layout is described in docs/architecture.md; the methods in docs/methods.md.
"""
