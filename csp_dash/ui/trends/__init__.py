"""The Crime trends page's controls, cached data and tabs.
"""
