"""The partnership's district: declaring it (from the loaded LSOAs, a boundary, a list of LSOA
codes or a name prefix), what it holds, and the records left outside it. Every figure of every
page counts only the district's records (db/district.py decides membership for the cube).
"""
