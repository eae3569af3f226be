"""Disclosure control: primary and complementary suppression (suppression), the protected
public release of a sensitive dataset (release), and what else the public may see from it
(public_figures). Pure: no Streamlit, so pages, commands and documents share the rules.
"""
