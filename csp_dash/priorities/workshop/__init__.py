"""The partner workshop: opening (frozen candidates and evidence), append-only submissions,
live results, closing with the agreed list, and the one-page summary.
"""
