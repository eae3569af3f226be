"""Pure statistics: frames in, frames out. No database, no Streamlit.

Periods and comparisons (periods, trends), SPC, STL, Gi* and FDR, hotspot classes,
concentration, repeat victimisation, scoring, headline wording. Each method's source is in
docs/methods.md.
"""
