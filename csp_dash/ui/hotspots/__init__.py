"""The Estate hotspots page's cached data, map, panels and sections.
"""
