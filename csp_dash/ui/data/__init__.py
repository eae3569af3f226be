"""The Data page's pieces: coverage grid, police.uk and boundary uploads, partner uploads.
"""
