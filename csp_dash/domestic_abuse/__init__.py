"""Domestic abuse baselining: SPC against a declared baseline, year on year withheld across a
recording change or a gap, DA as a share of violence, repeat victimisation.
"""
