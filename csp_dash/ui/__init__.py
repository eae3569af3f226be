"""The only Streamlit code: shared widgets (filters, components, charts, maps, downloads,
cached queries, state, nav) and one subpackage per page.
"""
