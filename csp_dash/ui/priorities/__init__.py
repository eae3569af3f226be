"""The Priorities page: cached assessment, views, editing, survey and year-on-year lists.
"""
