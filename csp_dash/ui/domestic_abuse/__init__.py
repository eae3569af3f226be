"""The Domestic abuse page: its context (public or analyst view), sections and charts.
"""
