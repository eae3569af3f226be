"""Estate hotspots: per-area and per-cell figures, Gi* with FDR, hotspot classes over
sub-periods, concentration, estate profiles, the partners-only appendices, `csp-dash hotspots`.
"""
