"""The Workshop page: setup, the participant form, the facilitator's live view, the summary.
"""
